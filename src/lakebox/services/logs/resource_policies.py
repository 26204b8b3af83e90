"""Resource policies: PutResourcePolicy, DescribeResourcePolicies, DeleteResourcePolicy.

Why stored but not enforced: on AWS these policies let other services (Route 53, EventBridge,
OpenSearch ...) write into log groups. lakebox has no such callers and no IAM evaluation, so a policy
is kept, validated (the document must be JSON) and never consulted.

PutResourcePolicy echoes the document exactly as written, but DescribeResourcePolicies shows the form
AWS keeps (recorded 2026): a missing `Version` reads "2008-10-17" (IAM's default), each statement's
members come in the order Sid, Effect, Principal, Action, Resource, Condition, and a principal given
as a one-item list (`{"Service": ["route53.amazonaws.com"]}`) is shown as the bare value. A document
already in that form (or with no `Statement`) is shown exactly as written.

Two scopes, as AWS has them: an ACCOUNT policy has a name (at most 10 per account and region); a
RESOURCE policy belongs to one log group, named by `resourceArn`, and a group has at most one.
Each put replaces the policy whole and gives it a new revision; `expectedRevisionId`, when given,
must name the current revision. Only a RESOURCE policy shows its `revisionId` (in the policy and at
the top of PutResourcePolicy's answer): AWS answers an ACCOUNT policy without one (recorded 2026, and
so the model documents it).
"""

from __future__ import annotations

import json
import uuid

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from . import store as st
from .common import decode_token, encode_token, invalid, not_found, parse_group_arn, translated

ACCOUNT_POLICY_LIMIT = 10
DESCRIBE_LIMIT = 50


class ResourcePoliciesMixin:
    store: st.LogsStore

    def _policy_target(self, ctx: RequestContext, params: dict) -> tuple[str, str]:
        """(resource ARN or "", policy name) a request names; a resource's group must exist."""
        arn = params.get("resourceArn") or ""
        name = params.get("policyName") or ""
        if arn:
            region, account, group = parse_group_arn(arn)
            if (region, account) != (ctx.region, ctx.account_id):
                raise not_found(f"The specified resource does not exist: {arn}")
            with translated():
                self.store.get_group(account, region, group)
        elif not name:
            raise invalid("policyName is required for an account-level resource policy.")
        return arn, name

    def put_resource_policy(self, ctx: RequestContext, params: dict) -> dict:
        arn, name = self._policy_target(ctx, params)
        document = params.get("policyDocument")
        if document is None:
            raise invalid("policyDocument is required.")
        try:
            json.loads(document)
        except ValueError:
            raise invalid("The policy document is not valid JSON.") from None
        now, revision = self._now_ms(), uuid.uuid4().hex
        expected = params.get("expectedRevisionId")
        with self.store.write() as db:
            current = _current(db, ctx, arn, name)
            if expected is not None and (current is None or current["revision_id"] != expected):
                raise AwsError("OperationAbortedException", "The expected revision ID does not match the current "
                               "revision of the resource policy.", 400)
            if not arn and current is None:
                count = db.execute("SELECT COUNT(*) FROM resource_policies WHERE account = ? AND region = ? "
                                   "AND resource_arn = ''", (ctx.account_id, ctx.region)).fetchone()[0]
                if count >= ACCOUNT_POLICY_LIMIT:
                    raise AwsError("LimitExceededException", "Resource limit exceeded.", 400)
            # A group has one policy: a put under another name replaces it.
            db.execute("DELETE FROM resource_policies WHERE account = ? AND region = ? AND resource_arn = ? "
                       "AND (resource_arn <> '' OR name = ?)", (ctx.account_id, ctx.region, arn, name))
            db.execute("INSERT INTO resource_policies (account, region, name, resource_arn, document, updated_ms, "
                       "revision_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (ctx.account_id, ctx.region, name, arn, document, now, revision))
            row = _current(db, ctx, arn, name)
        out: dict = {"resourcePolicy": _policy_output(row)}
        if arn:
            out["revisionId"] = revision
        return out

    def describe_resource_policies(self, ctx: RequestContext, params: dict) -> dict:
        limit = params.get("limit") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), "resource-policies")
        arn = params.get("resourceArn")
        scope = params.get("policyScope") or ("RESOURCE" if arn else "ACCOUNT")
        sql = "SELECT * FROM resource_policies WHERE account = ? AND region = ?"
        args: list = [ctx.account_id, ctx.region]
        if arn:
            sql += " AND resource_arn = ?"
            args.append(arn)
        sql += " AND resource_arn = ''" if scope == "ACCOUNT" else " AND resource_arn <> ''"
        if after is not None:
            sql += " AND (resource_arn, name) > (?, ?)"
            args += list(after)
        rows = self.store.read(sql + " ORDER BY resource_arn, name LIMIT ?", [*args, limit + 1])
        result: dict = {"resourcePolicies": [_policy_output(r, as_kept=True) for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            result["nextToken"] = encode_token("resource-policies", [last["resource_arn"], last["name"]])
        return result

    def delete_resource_policy(self, ctx: RequestContext, params: dict) -> dict:
        arn, name = self._policy_target(ctx, params)
        expected = params.get("expectedRevisionId")
        with self.store.write() as db:
            current = _current(db, ctx, arn, name)
            if current is None:
                raise not_found(f"Policy with name [{name or arn}] does not exist.")
            if expected is not None and current["revision_id"] != expected:
                raise AwsError("OperationAbortedException", "The expected revision ID does not match the current "
                               "revision of the resource policy.", 400)
            db.execute("DELETE FROM resource_policies WHERE account = ? AND region = ? AND resource_arn = ? "
                       "AND name = ?", (ctx.account_id, ctx.region, arn, current["name"]))
        return {}


def _current(db, ctx: RequestContext, arn: str, name: str):
    """The policy a request names: by name at account scope, the group's only one at resource scope."""
    if arn:
        return db.execute("SELECT * FROM resource_policies WHERE account = ? AND region = ? AND resource_arn = ?",
                          (ctx.account_id, ctx.region, arn)).fetchone()
    return db.execute("SELECT * FROM resource_policies WHERE account = ? AND region = ? AND resource_arn = '' "
                      "AND name = ?", (ctx.account_id, ctx.region, name)).fetchone()


#: Statement members in the order AWS writes a kept policy back; others follow in their own order.
_STATEMENT_ORDER = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                    "Condition")
#: The policy language's default version, which AWS fills in for a document that names none.
DEFAULT_POLICY_VERSION = "2008-10-17"


def kept_form(document: str) -> str:
    """The document as DescribeResourcePolicies shows it (see the module docstring)."""
    policy = json.loads(document)
    if not isinstance(policy, dict) or "Statement" not in policy:
        return document
    kept = {"Version": policy.get("Version", DEFAULT_POLICY_VERSION),
            **{key: value for key, value in policy.items() if key != "Version"}}
    statements = kept.get("Statement")
    if isinstance(statements, list):
        kept["Statement"] = [_kept_statement(s) for s in statements]
    elif isinstance(statements, dict):
        kept["Statement"] = _kept_statement(statements)
    if json.dumps(kept) == json.dumps(policy):
        return document  # already in the kept form: the text as written, spacing and all
    return json.dumps(kept, separators=(",", ":"))


def _kept_statement(statement):
    if not isinstance(statement, dict):
        return statement
    ordered = {key: statement[key] for key in _STATEMENT_ORDER if key in statement}
    ordered.update((key, value) for key, value in statement.items() if key not in ordered)
    for member in ("Principal", "NotPrincipal"):
        principal = ordered.get(member)
        if isinstance(principal, dict):
            ordered[member] = {kind: ids[0] if isinstance(ids, list) and len(ids) == 1 else ids
                               for kind, ids in principal.items()}
    return ordered


def _policy_output(row, *, as_kept: bool = False) -> dict:
    document = kept_form(row["document"]) if as_kept else row["document"]
    out = {"policyName": row["name"] or None, "policyDocument": document,
           "lastUpdatedTime": row["updated_ms"], "policyScope": "RESOURCE" if row["resource_arn"] else "ACCOUNT"}
    if row["resource_arn"]:
        out.update(resourceArn=row["resource_arn"], revisionId=row["revision_id"])
    return {k: v for k, v in out.items() if v is not None}
