"""Instance profiles: a role's wrapper for EC2 (EMR clusters name one as their JobFlowRole)."""

from __future__ import annotations

from ...protocol.context import RequestContext
from .common import (already_exists, arn, check_name, check_path, delete_conflict, limit_exceeded, new_id, no_such_entity,
                     now_iso, page, tags_of, timestamp)
from .roles import role_output


class ProfilesMixin:
    def _profile(self, ctx: RequestContext, name: str) -> dict:
        doc = self.store.get(ctx.account_id, "instance-profile", name)
        if doc is None:
            raise no_such_entity(f"Instance Profile {name} cannot be found.")
        return doc

    def _profile_output(self, ctx: RequestContext, doc: dict) -> dict:
        roles = [self.store.get(ctx.account_id, "role", name) for name in doc.get("RoleNames", [])]
        out = {k: doc[k] for k in ("Path", "InstanceProfileName", "InstanceProfileId", "Arn", "Tags")
               if doc.get(k) not in (None, [])}
        out.update(CreateDate=timestamp(doc["CreateDate"]), Roles=[role_output(r) for r in roles if r is not None])
        return out

    def create_instance_profile(self, ctx: RequestContext, params: dict) -> dict:
        path = check_path(params.get("Path"))
        name = check_name(params["InstanceProfileName"], "instanceProfileName")
        with self.store.lock:
            if self.store.get(ctx.account_id, "instance-profile", name) is not None:
                raise already_exists(f"Instance Profile {name} already exists.")
            doc = {"Path": path, "InstanceProfileName": name, "InstanceProfileId": new_id("AIPA"),
                   "Arn": arn(ctx.account_id, "instance-profile", path, name), "CreateDate": now_iso(self),
                   "Tags": tags_of(params), "RoleNames": []}
            self.store.put(ctx.account_id, "instance-profile", name, doc)
        return {"InstanceProfile": self._profile_output(ctx, doc)}

    def get_instance_profile(self, ctx: RequestContext, params: dict) -> dict:
        return {"InstanceProfile": self._profile_output(ctx, self._profile(ctx, params["InstanceProfileName"]))}

    def list_instance_profiles(self, ctx: RequestContext, params: dict) -> dict:
        prefix = params.get("PathPrefix") or "/"
        docs = [p for p in self.store.all(ctx.account_id, "instance-profile") if p["Path"].startswith(prefix)]
        out = page(docs, params, "InstanceProfiles", lambda p: p["InstanceProfileName"].lower())
        out["InstanceProfiles"] = [self._profile_output(ctx, p) for p in out["InstanceProfiles"]]
        return out

    def list_instance_profiles_for_role(self, ctx: RequestContext, params: dict) -> dict:
        self._role(ctx, params["RoleName"])
        docs = [p for p in self.store.all(ctx.account_id, "instance-profile") if params["RoleName"] in p["RoleNames"]]
        out = page(docs, params, "InstanceProfiles", lambda p: p["InstanceProfileName"].lower())
        out["InstanceProfiles"] = [self._profile_output(ctx, p) for p in out["InstanceProfiles"]]
        return out

    def add_role_to_instance_profile(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._profile(ctx, params["InstanceProfileName"])
            self._role(ctx, params["RoleName"])
            if doc["RoleNames"]:
                raise limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
            doc["RoleNames"].append(params["RoleName"])
            self.store.put(ctx.account_id, "instance-profile", doc["InstanceProfileName"], doc)
        return {}

    def remove_role_from_instance_profile(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._profile(ctx, params["InstanceProfileName"])
            if params["RoleName"] not in doc["RoleNames"]:
                raise no_such_entity(f"The role with name {params['RoleName']} cannot be found.")
            doc["RoleNames"].remove(params["RoleName"])
            self.store.put(ctx.account_id, "instance-profile", doc["InstanceProfileName"], doc)
        return {}

    def delete_instance_profile(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._profile(ctx, params["InstanceProfileName"])
            if doc["RoleNames"]:
                raise delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
            self.store.delete(ctx.account_id, "instance-profile", doc["InstanceProfileName"])
        return {}
