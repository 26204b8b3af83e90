"""Roles: create, read, list, update, delete; their policies and permissions boundary (service-linked
roles are service_linked.py's, tags tagging.py's)."""

from __future__ import annotations

from typing import Optional

from ...protocol.context import RequestContext
from .attachments import policy_exists
from .common import (TRUST_POLICY_LIMIT, already_exists, arn, check_name, check_path, checked_document,
                     delete_conflict, encoded, invalid_input, marker_position, new_id, no_such_entity, now_iso, page,
                     page_of, tags_of, timestamp)

_ROLE_FIELDS = ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "Description", "MaxSessionDuration",
                "PermissionsBoundary", "Tags")


def role_output(doc: dict, *, last_used: bool = False, listed: bool = False) -> dict:
    """A Role as IAM shows it; GetRole adds RoleLastUsed (empty: lakebox records no use), and
    ListRoles leaves out the tags and the permissions boundary, as AWS documents."""
    out = {k: doc[k] for k in _ROLE_FIELDS if doc.get(k) not in (None, [])
           and not (listed and k in ("Tags", "PermissionsBoundary"))}
    out["CreateDate"] = timestamp(doc["CreateDate"])
    if doc.get("AssumeRolePolicyDocument"):
        out["AssumeRolePolicyDocument"] = encoded(doc["AssumeRolePolicyDocument"])
    if last_used:
        out["RoleLastUsed"] = {}
    return out


def boundary_of(provider, ctx: RequestContext, params: dict):
    """The PermissionsBoundary to keep for a role or user: it must name a policy that exists."""
    boundary = params.get("PermissionsBoundary")
    if not boundary:
        return None
    if not policy_exists(provider, ctx.account_id, boundary):
        raise no_such_entity(f"Scope ARN: {boundary} does not exist or is not attachable.")
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}


def _role_key(doc: dict) -> str:
    return doc["RoleName"].lower()


class RolesMixin:
    def _role(self, ctx: RequestContext, name: str) -> dict:
        doc = self.store.get(ctx.account_id, "role", name)
        if doc is None:
            raise no_such_entity(f"The role with name {name} cannot be found.")
        return doc

    def _new_role(self, ctx: RequestContext, name: str, path: str, trust: str, params: dict,
                  attached: Optional[list[str]] = None) -> dict:
        check_name(name, "roleName")
        with self.store.lock:
            if self.store.get(ctx.account_id, "role", name) is not None:
                raise already_exists(f"Role with name {name} already exists.")
            doc = {"Path": path, "RoleName": name, "RoleId": new_id("AROA"), "Arn": arn(ctx.account_id, "role", path, name),
                   "CreateDate": now_iso(self), "AssumeRolePolicyDocument": trust,
                   "Description": params.get("Description"), "MaxSessionDuration": params.get("MaxSessionDuration") or 3600,
                   "PermissionsBoundary": boundary_of(self, ctx, params), "Tags": tags_of(params),
                   "AttachedPolicies": attached or []}
            self.store.put(ctx.account_id, "role", name, doc)
        return doc

    def create_role(self, ctx: RequestContext, params: dict) -> dict:
        path = check_path(params.get("Path"))
        trust = checked_document(params["AssumeRolePolicyDocument"], trust=True, limit=TRUST_POLICY_LIMIT)
        out = role_output(self._new_role(ctx, params["RoleName"], path, trust, params))
        if params.get("MaxSessionDuration") is None:
            out.pop("MaxSessionDuration")  # CreateRole shows it only when given (GetRole always does)
        return {"Role": out}

    def get_role(self, ctx: RequestContext, params: dict) -> dict:
        return {"Role": role_output(self._role(ctx, params["RoleName"]), last_used=True)}

    def list_roles(self, ctx: RequestContext, params: dict) -> dict:
        prefix = params.get("PathPrefix") or "/"
        if prefix == "/":
            # Every role matches: read just the page from the store, in name order.
            limit = (params.get("MaxItems") or 100) + 1
            out = page_of(self.store.after(ctx.account_id, "role", marker_position(params), limit), params, "Roles",
                          _role_key)
        else:
            roles = [r for r in self.store.all(ctx.account_id, "role") if r["Path"].startswith(prefix)]
            out = page(roles, params, "Roles", _role_key)
        out["Roles"] = [role_output(r, listed=True) for r in out["Roles"]]
        return out

    def update_role(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._role(ctx, params["RoleName"])
            if params.get("Description") is not None:
                doc["Description"] = params["Description"]
            if params.get("MaxSessionDuration") is not None:
                doc["MaxSessionDuration"] = params["MaxSessionDuration"]
            self.store.put(ctx.account_id, "role", doc["RoleName"], doc)
        return {}

    def update_role_description(self, ctx: RequestContext, params: dict) -> dict:
        self.update_role(ctx, {"RoleName": params["RoleName"], "Description": params["Description"]})
        return {"Role": role_output(self._role(ctx, params["RoleName"]))}

    def update_assume_role_policy(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._role(ctx, params["RoleName"])
            doc["AssumeRolePolicyDocument"] = checked_document(params["PolicyDocument"], trust=True,
                                                               limit=TRUST_POLICY_LIMIT)
            self.store.put(ctx.account_id, "role", doc["RoleName"], doc)
        return {}

    def delete_role(self, ctx: RequestContext, params: dict) -> dict:
        name = params["RoleName"]
        with self.store.lock:
            doc = self._role(ctx, name)
            if doc.get("AttachedPolicies"):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if doc.get("InlinePolicies"):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            if any(doc["RoleName"] in p.get("RoleNames", [])
                   for p in self.store.all(ctx.account_id, "instance-profile")):
                raise delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
            self.store.delete(ctx.account_id, "role", doc["RoleName"])
        return {}

    def put_role_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._put_inline(ctx, "role", params["RoleName"], params["PolicyName"], params["PolicyDocument"])

    def get_role_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._get_inline(ctx, "role", params["RoleName"], params["PolicyName"])

    def delete_role_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._delete_inline(ctx, "role", params["RoleName"], params["PolicyName"])

    def list_role_policies(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_inline(ctx, "role", params["RoleName"], params)

    def attach_role_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._attach(ctx, "role", params["RoleName"], params["PolicyArn"])

    def detach_role_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._detach(ctx, "role", params["RoleName"], params["PolicyArn"])

    def list_attached_role_policies(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_attached(ctx, "role", params["RoleName"], params)

    def put_role_permissions_boundary(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._role(ctx, params["RoleName"])
            doc["PermissionsBoundary"] = boundary_of(self, ctx, params)
            self.store.put(ctx.account_id, "role", doc["RoleName"], doc)
        return {}

    def delete_role_permissions_boundary(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._role(ctx, params["RoleName"])
            if not doc.get("PermissionsBoundary"):
                raise invalid_input(f"Role {doc['RoleName']} has no permissions boundary.")
            doc["PermissionsBoundary"] = None
            self.store.put(ctx.account_id, "role", doc["RoleName"], doc)
        return {}
