"""Snapshot copy grants: CreateSnapshotCopyGrant, DescribeSnapshotCopyGrants and DeleteSnapshotCopyGrant.

A grant names the KMS key with which Redshift may encrypt snapshots of an encrypted cluster that it
copies into this Region; EnableSnapshotCopy names the grant. lakebox has no KMS, so the key id is
recorded as given (the account's default key, by its alias ARN, when none is), like a cluster's
KmsKeyId. Grants are per account and Region, with Redshift's naming rules, tags and quota.
"""

from __future__ import annotations

import re

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

#: Grants one account may have in a Region (Redshift's quota).
MAX_GRANTS = 5
_NAME = re.compile(r"[a-z](-?[a-z0-9])*")


def grant_not_found(name: str) -> AwsError:
    return AwsError("SnapshotCopyGrantNotFoundFault", f"Snapshot copy grant not found: {name}", 400)


class SnapshotCopyGrantsMixin:
    """Needs the provider's store."""

    def _grant(self, ctx: RequestContext, name: str) -> dict:
        doc = self.store.copy_grants.get(ctx.account_id, f"{ctx.region}/{name}")
        if doc is None:
            raise grant_not_found(name)
        return doc

    def create_snapshot_copy_grant(self, ctx: RequestContext, params: dict) -> dict:
        name = params["SnapshotCopyGrantName"]
        if len(name) > 63 or not _NAME.fullmatch(name):
            raise AwsError("InvalidParameterValue", "The snapshot copy grant name must be 1 to 63 lowercase letters, "
                                                    "digits or hyphens, start with a letter, and contain no two "
                                                    "consecutive hyphens nor end with one.", 400)
        tags = [{"Key": t["Key"], "Value": t.get("Value", "")} for t in params.get("Tags") or []]
        if len(tags) > 50:
            raise AwsError("TagLimitExceededFault", "You have exceeded the number of tags allowed.", 400)
        key = params.get("KmsKeyId") or f"arn:aws:kms:{ctx.region}:{ctx.account_id}:alias/aws/redshift"
        doc = {"GrantKey": f"{ctx.region}/{name}", "SnapshotCopyGrantName": name, "KmsKeyId": key, "Tags": tags,
               "Region": ctx.region}
        with self.store.lock:
            if self.store.copy_grants.get(ctx.account_id, f"{ctx.region}/{name}") is not None:
                raise AwsError("SnapshotCopyGrantAlreadyExistsFault", "The snapshot copy grant can't be created "
                                                                      "because a grant with the same name already "
                                                                      "exists.", 400)
            if len(self._grants_here(ctx)) >= MAX_GRANTS:
                raise AwsError("SnapshotCopyGrantQuotaExceededFault", "The Amazon Web Services account has exceeded "
                                                                      "the maximum number of snapshot copy grants "
                                                                      "in this region.", 400)
            self.store.copy_grants.put(ctx.account_id, doc)
        return {"SnapshotCopyGrant": _output(doc)}

    def _grants_here(self, ctx: RequestContext) -> list[dict]:
        return [d for d in self.store.copy_grants.all(ctx.account_id) if d["Region"] == ctx.region]

    def describe_snapshot_copy_grants(self, ctx: RequestContext, params: dict) -> dict:
        if params.get("SnapshotCopyGrantName"):
            docs = [self._grant(ctx, params["SnapshotCopyGrantName"])]
        else:
            docs = self._grants_here(ctx)
        keys, values = set(params.get("TagKeys") or []), set(params.get("TagValues") or [])
        if keys or values:
            docs = [d for d in docs if any((not keys or t["Key"] in keys) and (not values or t["Value"] in values)
                                           for t in d.get("Tags", []))]
        from .provider import page

        docs.sort(key=lambda d: d["SnapshotCopyGrantName"])
        return page(docs, params, "SnapshotCopyGrantName", "SnapshotCopyGrants", _output)

    def delete_snapshot_copy_grant(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._grant(ctx, params["SnapshotCopyGrantName"])
            self.store.copy_grants.delete(ctx.account_id, doc["GrantKey"])
        return {}


def _output(doc: dict) -> dict:
    out = {"SnapshotCopyGrantName": doc["SnapshotCopyGrantName"], "KmsKeyId": doc["KmsKeyId"]}
    if doc.get("Tags"):
        out["Tags"] = doc["Tags"]
    return out
