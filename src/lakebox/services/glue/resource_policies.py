"""Resource policies: PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy and GetResourcePolicies.

The Data Catalog policy is attached to the catalog's ARN (`arn:aws:glue:<region>:<account>:catalog`,
what an omitted ResourceArn means); a database's or table's ARN carries a resource-level policy.
Writes are conditional the way the API documents them: `PolicyHashCondition` is optimistic
concurrency (the hash the last Put returned must still be the current one), and
`PolicyExistsCondition` MUST_EXIST / NOT_EXIST asks for an update or a create. Each check and its
write are one transaction in the settings store, so two racing Puts with the same hash cannot both win.

The policies are stored, not enforced: lakebox evaluates no IAM or resource policies yet, so a policy
changes no caller's access. PolicyHash is base64 of the SHA-256 of the policy text (AWS's hash is
opaque; clients only hand it back).
"""

from __future__ import annotations

import base64
import hashlib
import json

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import lower, page
from .errors import database_not_found, entity_not_found, invalid_input, table_not_found
from .settings_checks import check_enum
from .settings_store import SettingsStore
from .store import CatalogStore

_EXIST_CONDITIONS = ("MUST_EXIST", "NOT_EXIST", "NONE")
_HYBRID_VALUES = ("TRUE", "FALSE")
_PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f")


def condition_failed(message: str) -> AwsError:
    return AwsError("ConditionCheckFailureException", message, 400)


def policy_hash(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _check_policy_json(text: str) -> None:
    try:
        document = json.loads(text)
    except ValueError:
        raise invalid_input("PolicyInJson is not a valid JSON document.") from None
    if not isinstance(document, dict):
        raise invalid_input("PolicyInJson must be a JSON object.")


class ResourcePoliciesMixin:
    settings_store: SettingsStore
    store: CatalogStore
    clock: ServiceClock

    def _policy_target(self, ctx: RequestContext, params: dict) -> tuple[str, str]:
        """(settings-store catalog key, ARN) of the policy a request addresses.

        An ARN must name a catalog in the caller's region (any account, as CatalogId may), and be the
        catalog itself or one of its databases or tables, which must exist.
        """
        arn = params.get("ResourceArn")
        if not arn:
            return f"{ctx.region}:{ctx.account_id}", f"arn:aws:glue:{ctx.region}:{ctx.account_id}:catalog"
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[1] not in _PARTITIONS or parts[2] != "glue":
            raise invalid_input(f"Invalid ResourceArn: {arn}")
        region, account, resource = parts[3], parts[4], parts[5]
        if region != ctx.region:
            raise invalid_input(f"The ResourceArn {arn} is not in region {ctx.region}.")
        catalog = f"{region}:{account}"
        kind, _, path = resource.partition("/")
        names = path.split("/") if path else []
        if kind == "catalog" and not names:
            return catalog, arn
        if kind == "database" and len(names) == 1 and names[0]:
            self._require_database(catalog, lower(names[0]))
            return catalog, arn
        if kind == "table" and len(names) == 2 and all(names):
            self._require_database(catalog, lower(names[0]))
            if not self.store.read("SELECT 1 FROM tables WHERE catalog = ? AND db = ? AND name = ?",
                                   (catalog, lower(names[0]), lower(names[1]))):
                raise table_not_found(lower(names[1]))
            return catalog, arn
        raise invalid_input(f"Resource policies are supported on the catalog, databases and tables, not on {arn}")

    def _require_database(self, catalog: str, name: str) -> None:
        if not self.store.read("SELECT 1 FROM databases WHERE catalog = ? AND name = ?", (catalog, name)):
            raise database_not_found(name)

    def put_resource_policy(self, ctx: RequestContext, params: dict) -> dict:
        text = params["PolicyInJson"]
        exists_condition = params.get("PolicyExistsCondition")
        check_enum(exists_condition, _EXIST_CONDITIONS, "policyExistsCondition")
        check_enum(params.get("EnableHybrid"), _HYBRID_VALUES, "enableHybrid")
        _check_policy_json(text)
        catalog, arn = self._policy_target(ctx, params)
        digest = policy_hash(text)
        now = self.clock.now()
        with self.settings_store.write() as db:
            current = self.settings_store.load_policy(db, catalog, arn)
            _check_conditions(current, params.get("PolicyHashCondition"), exists_condition)
            doc = {"PolicyInJson": text, "PolicyHash": digest,
                   "CreateTime": current["CreateTime"] if current else now, "UpdateTime": now,
                   "EnableHybrid": params.get("EnableHybrid") or "FALSE"}
            self.settings_store.put_policy(db, catalog, arn, doc)
        return {"PolicyHash": digest}

    def get_resource_policy(self, ctx: RequestContext, params: dict) -> dict:
        catalog, arn = self._policy_target(ctx, params)
        doc = self.settings_store.policy(catalog, arn)
        if doc is None:
            raise entity_not_found("Policy not found")
        return _glue_policy(doc)

    def delete_resource_policy(self, ctx: RequestContext, params: dict) -> dict:
        catalog, arn = self._policy_target(ctx, params)
        with self.settings_store.write() as db:
            current = self.settings_store.load_policy(db, catalog, arn)
            if current is None:
                raise entity_not_found("Policy not found")
            _check_conditions(current, params.get("PolicyHashCondition"), None)
            self.settings_store.delete_policy(db, catalog, arn)
        return {}

    def get_resource_policies(self, ctx: RequestContext, params: dict) -> dict:
        catalog = f"{ctx.region}:{ctx.account_id}"
        catalog_arn = f"arn:aws:glue:{ctx.region}:{ctx.account_id}:catalog"
        # The account-level policy first, then resource-level ones by ARN; the sort key is the token.
        items = [((0 if arn == catalog_arn else 1, arn), _glue_policy(doc))
                 for arn, doc in self.settings_store.policies(catalog)]
        items.sort(key=lambda item: item[0])
        keyed = [(f"{rank}{arn}", doc) for (rank, arn), doc in items]
        chunk, token = page(keyed, params.get("NextToken"), params.get("MaxResults"), 100)
        return {"GetResourcePoliciesResponseList": chunk, "NextToken": token}


def _check_conditions(current: dict | None, hash_condition: str | None, exists_condition: str | None) -> None:
    """Refuse a write whose conditions the current policy (None: no policy) does not meet."""
    if exists_condition == "MUST_EXIST" and current is None:
        raise condition_failed("PolicyExistsCondition MUST_EXIST failed: no policy exists.")
    if exists_condition == "NOT_EXIST" and current is not None:
        raise condition_failed("PolicyExistsCondition NOT_EXIST failed: a policy already exists.")
    if hash_condition is not None and (current is None or current["PolicyHash"] != hash_condition):
        raise condition_failed("PolicyHashCondition does not match the hash of the current policy.")


def _glue_policy(doc: dict) -> dict:
    """A stored policy as the API's GluePolicy (and GetResourcePolicy's response)."""
    return {key: doc[key] for key in ("PolicyInJson", "PolicyHash", "CreateTime", "UpdateTime")}
