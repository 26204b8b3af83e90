"""Groups: a name for a set of users, with managed and inline policies of its own.

A group keeps its members by UserId, which survives UpdateUser renaming them; a user who is still a
member cannot be deleted, so no member is ever dangling.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from .common import (already_exists, arn, check_name, check_path, delete_conflict, new_id, no_such_entity, now_iso,
                     page, timestamp)
from .users import user_output

_GROUP_FIELDS = ("Path", "GroupName", "GroupId", "Arn")


def group_output(doc: dict) -> dict:
    out = {k: doc[k] for k in _GROUP_FIELDS}
    out["CreateDate"] = timestamp(doc["CreateDate"])
    return out


def _group_key(doc: dict) -> str:
    return doc["GroupName"].lower()


class GroupsMixin:
    def _group(self, ctx: RequestContext, name: str) -> dict:
        doc = self.store.get(ctx.account_id, "group", name)
        if doc is None:
            raise no_such_entity(f"The group with name {name} cannot be found.")
        return doc

    def groups_of(self, ctx: RequestContext, user: dict) -> list[dict]:
        return [g for g in self.store.all(ctx.account_id, "group") if user["UserId"] in g["UserIds"]]

    def create_group(self, ctx: RequestContext, params: dict) -> dict:
        path = check_path(params.get("Path"))
        name = check_name(params["GroupName"], "groupName")
        with self.store.lock:
            if self.store.get(ctx.account_id, "group", name) is not None:
                raise already_exists(f"Group with name {name} already exists.")
            doc = {"Path": path, "GroupName": name, "GroupId": new_id("AGPA"),
                   "Arn": arn(ctx.account_id, "group", path, name), "CreateDate": now_iso(self), "UserIds": []}
            self.store.put(ctx.account_id, "group", name, doc)
        return {"Group": group_output(doc)}

    def get_group(self, ctx: RequestContext, params: dict) -> dict:
        doc = self._group(ctx, params["GroupName"])
        members = [u for u in self.store.all(ctx.account_id, "user") if u["UserId"] in doc["UserIds"]]
        out = page(members, params, "Users", lambda u: u["UserName"].lower())
        out["Users"] = [user_output(u, listed=True) for u in out["Users"]]
        out["Group"] = group_output(doc)
        return out

    def list_groups(self, ctx: RequestContext, params: dict) -> dict:
        prefix = params.get("PathPrefix") or "/"
        groups = [g for g in self.store.all(ctx.account_id, "group") if g["Path"].startswith(prefix)]
        out = page(groups, params, "Groups", _group_key)
        out["Groups"] = [group_output(g) for g in out["Groups"]]
        return out

    def list_groups_for_user(self, ctx: RequestContext, params: dict) -> dict:
        user = self._user(ctx, params["UserName"])
        out = page(self.groups_of(ctx, user), params, "Groups", _group_key)
        out["Groups"] = [group_output(g) for g in out["Groups"]]
        return out

    def update_group(self, ctx: RequestContext, params: dict) -> dict:
        name = params["GroupName"]
        with self.store.lock:
            doc = self._group(ctx, name)
            new_name = check_name(params.get("NewGroupName") or doc["GroupName"], "newGroupName")
            renamed = new_name.lower() != name.lower()
            if renamed and self.store.get(ctx.account_id, "group", new_name) is not None:
                raise already_exists(f"Group with name {new_name} already exists.")
            doc["Path"] = check_path(params.get("NewPath") or doc["Path"])
            doc["GroupName"] = new_name
            doc["Arn"] = arn(ctx.account_id, "group", doc["Path"], new_name)
            self.store.put_many(ctx.account_id, [("group", new_name, doc)],
                                deletes=[("group", name)] if renamed else [])
        return {}

    def delete_group(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._group(ctx, params["GroupName"])
            if doc["UserIds"]:
                raise delete_conflict("Cannot delete entity, must remove users from group first.")
            if doc.get("AttachedPolicies"):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if doc.get("InlinePolicies"):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            self.store.delete(ctx.account_id, "group", doc["GroupName"])
        return {}

    def add_user_to_group(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._group(ctx, params["GroupName"])
            user = self._user(ctx, params["UserName"])
            if user["UserId"] not in doc["UserIds"]:
                doc["UserIds"].append(user["UserId"])
                self.store.put(ctx.account_id, "group", doc["GroupName"], doc)
        return {}

    def remove_user_from_group(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._group(ctx, params["GroupName"])
            user = self._user(ctx, params["UserName"])
            # Removing a user who is not a member is no error on AWS either.
            if user["UserId"] in doc["UserIds"]:
                doc["UserIds"].remove(user["UserId"])
                self.store.put(ctx.account_id, "group", doc["GroupName"], doc)
        return {}

    def put_group_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._put_inline(ctx, "group", params["GroupName"], params["PolicyName"], params["PolicyDocument"])

    def get_group_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._get_inline(ctx, "group", params["GroupName"], params["PolicyName"])

    def delete_group_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._delete_inline(ctx, "group", params["GroupName"], params["PolicyName"])

    def list_group_policies(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_inline(ctx, "group", params["GroupName"], params)

    def attach_group_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._attach(ctx, "group", params["GroupName"], params["PolicyArn"])

    def detach_group_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._detach(ctx, "group", params["GroupName"], params["PolicyArn"])

    def list_attached_group_policies(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_attached(ctx, "group", params["GroupName"], params)
