"""Tags on workgroups, data catalogs and capacity reservations: TagResource, UntagResource and
ListTagsForResource."""

from __future__ import annotations

from ...protocol.context import RequestContext
from .capacity_reservations import reservation_exists
from .common import page, put_tags, scope
from .errors import resource_not_found
from .store import AthenaStore


class TagsMixin:
    store: AthenaStore

    def _check_resource(self, ctx: RequestContext, resource_arn: str) -> None:
        """ResourceNotFoundException unless the ARN names a resource of the caller's account and region
        (tags are kept by ARN, so an ARN of another account must not reach a resource of this one)."""
        parts = resource_arn.split(":", 5)
        kind, _, name = parts[-1].partition("/")
        if len(parts) != 6 or parts[:3] != ["arn", "aws", "athena"] or parts[3] != ctx.region \
                or parts[4] != ctx.account_id:
            kind = ""
        if kind == "workgroup":
            self._ensure_primary(ctx)
            if self.store.read("SELECT 1 FROM workgroups WHERE scope = ? AND name = ?", (scope(ctx), name)):
                return
        elif kind == "datacatalog":
            if name == "AwsDataCatalog" or self.store.read(
                    "SELECT 1 FROM data_catalogs WHERE scope = ? AND name = ?", (scope(ctx), name)):
                return
        elif kind == "capacity-reservation" and reservation_exists(self.store, scope(ctx), name, self.clock.now()):
            return
        raise resource_not_found(f"Resource {resource_arn} was not found.", resource_arn)

    def tag_resource(self, ctx: RequestContext, params: dict) -> dict:
        self._check_resource(ctx, params["ResourceARN"])
        with self.store.write() as db:
            put_tags(db, params["ResourceARN"], params["Tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict) -> dict:
        self._check_resource(ctx, params["ResourceARN"])
        with self.store.write() as db:
            for key in params["TagKeys"]:
                db.execute("DELETE FROM tags WHERE arn = ? AND key = ?", (params["ResourceARN"], key))
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict) -> dict:
        self._check_resource(ctx, params["ResourceARN"])
        rows = self.store.read("SELECT key, value FROM tags WHERE arn = ? ORDER BY key", (params["ResourceARN"],))
        chunk, token = page([{"Key": r["key"], "Value": r["value"]} for r in rows], params.get("NextToken"),
                            params.get("MaxResults"), 100)
        return {"Tags": chunk, "NextToken": token}
