"""Users, their policies and access keys (at most two per user, as on AWS).

Access keys are real in the sense that matters locally: the default authentication accepts any key
and maps it to the account (000000000000 unless configured), so a key made here signs requests of
its account; GetUser without a name answers for the user whose key signed the request.
"""

from __future__ import annotations

import secrets
from typing import Optional

from ...auth.sessions import ASSUMED_ROLE, FEDERATED_USER
from ...protocol.context import RequestContext
from .common import (already_exists, arn, check_name, check_path, delete_conflict, limit_exceeded, new_id,
                     no_such_entity, now_iso, page, tags_of, timestamp, validation_error)
from .roles import boundary_of
from .service_credentials import check_status

MAX_ACCESS_KEYS = 2
#: A key used again for the same service and region is recorded again after this long.
LAST_USED_EVERY_NS = 60 * 10**9
_USER_FIELDS = ("Path", "UserName", "UserId", "Arn", "PermissionsBoundary", "Tags")


def user_output(doc: dict, *, listed: bool = False) -> dict:
    """A User as IAM shows it; ListUsers leaves out the tags and the permissions boundary."""
    out = {k: doc[k] for k in _USER_FIELDS if doc.get(k) not in (None, [])
           and not (listed and k in ("Tags", "PermissionsBoundary"))}
    out["CreateDate"] = timestamp(doc["CreateDate"])
    return out


class UsersMixin:
    def _user(self, ctx: RequestContext, name: str) -> dict:
        doc = self.store.get(ctx.account_id, "user", name)
        if doc is None:
            raise no_such_entity(f"The user with name {name} cannot be found.")
        return doc

    def create_user(self, ctx: RequestContext, params: dict) -> dict:
        path = check_path(params.get("Path"))
        name = check_name(params["UserName"], "userName")
        with self.store.lock:
            if self.store.get(ctx.account_id, "user", name) is not None:
                raise already_exists(f"User with name {name} already exists.")
            doc = {"Path": path, "UserName": name, "UserId": new_id("AIDA"), "Arn": arn(ctx.account_id, "user", path, name),
                   "CreateDate": now_iso(self), "Tags": tags_of(params),
                   "PermissionsBoundary": boundary_of(self, ctx, params)}
            self.store.put(ctx.account_id, "user", name, doc)
        return {"User": user_output(doc)}

    def _calling_user(self, ctx: RequestContext) -> Optional[str]:
        """The name of the user whose credentials signed the request: an access key IAM issued, or a
        GetSessionToken session of such a key; None for the account's root user. A role's or a
        federated session's credentials have no user, and AWS says so instead of answering."""
        sessions = self.config.sessions
        session = sessions.get(ctx.access_key) if sessions is not None and ctx.access_key else None
        if session is not None:
            if session.kind in (ASSUMED_ROLE, FEDERATED_USER):
                raise validation_error("Must specify userName when calling with non-User credentials")
            return session.arn.rsplit("/", 1)[-1] if ":user/" in session.arn else None
        key = self.store.get(ctx.account_id, "access-key", ctx.access_key or "")
        return key["UserName"] if key is not None else None

    def get_user(self, ctx: RequestContext, params: dict) -> dict:
        name = params.get("UserName") or self._calling_user(ctx)
        if name is None:
            # Long-term keys lakebox did not issue belong to the account itself (its root user).
            return {"User": {"UserId": ctx.account_id, "Arn": f"arn:aws:iam::{ctx.account_id}:root",
                             "CreateDate": timestamp(now_iso(self))}}
        return {"User": user_output(self._user(ctx, name))}

    def list_users(self, ctx: RequestContext, params: dict) -> dict:
        prefix = params.get("PathPrefix") or "/"
        users = [u for u in self.store.all(ctx.account_id, "user") if u["Path"].startswith(prefix)]
        out = page(users, params, "Users", lambda u: u["UserName"].lower())
        out["Users"] = [user_output(u, listed=True) for u in out["Users"]]
        return out

    def update_user(self, ctx: RequestContext, params: dict) -> dict:
        name = params["UserName"]
        with self.store.lock:
            doc = self._user(ctx, name)
            new_name = check_name(params.get("NewUserName") or doc["UserName"], "newUserName")
            renamed = new_name.lower() != name.lower()
            if renamed and self.store.get(ctx.account_id, "user", new_name) is not None:
                raise already_exists(f"User with name {new_name} already exists.")
            doc["Path"] = check_path(params.get("NewPath") or doc["Path"])
            doc["UserName"] = new_name
            doc["Arn"] = arn(ctx.account_id, "user", doc["Path"], new_name)
            keys = [k for k in self.store.all(ctx.account_id, "access-key") if k["UserName"].lower() == name.lower()]
            credentials = self.service_credentials_of(ctx, name)
            for owned in keys + credentials:
                owned["UserName"] = new_name
            self.store.put_many(ctx.account_id, [("user", new_name, doc)] +
                                [("access-key", k["AccessKeyId"], k) for k in keys] +
                                [("service-credential", c["ServiceSpecificCredentialId"], c) for c in credentials],
                                deletes=[("user", name)] if renamed else [])
        return {}

    def delete_user(self, ctx: RequestContext, params: dict) -> dict:
        name = params["UserName"]
        with self.store.lock:
            doc = self._user(ctx, name)
            if doc.get("AttachedPolicies"):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if doc.get("InlinePolicies"):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            if any(k["UserName"] == doc["UserName"] for k in self.store.all(ctx.account_id, "access-key")):
                raise delete_conflict("Cannot delete entity, must delete access keys first.")
            if self.store.get(ctx.account_id, "login-profile", doc["UserName"]) is not None:
                raise delete_conflict("Cannot delete entity, must delete login profile first.")
            if self.groups_of(ctx, doc):
                raise delete_conflict("Cannot delete entity, must remove users from group first.")
            if self.signing_certificates_of(ctx, doc["UserName"]):
                raise delete_conflict("Cannot delete entity, must delete signing certificates first.")
            if self.ssh_public_keys_of(ctx, doc["UserName"]):
                raise delete_conflict("Cannot delete entity, must delete SSH public keys first.")
            if self.mfa_devices_of(ctx, doc["UserName"]):
                raise delete_conflict("Cannot delete entity, must remove MFA devices first.")
            if self.service_credentials_of(ctx, doc["UserName"]):
                raise delete_conflict("Cannot delete entity, must remove referenced objects first.")
            self.store.delete(ctx.account_id, "user", name)
        return {}

    def put_user_permissions_boundary(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._user(ctx, params["UserName"])
            doc["PermissionsBoundary"] = boundary_of(self, ctx, params)
            self.store.put(ctx.account_id, "user", doc["UserName"], doc)
        return {}

    def delete_user_permissions_boundary(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._user(ctx, params["UserName"])
            doc["PermissionsBoundary"] = None
            self.store.put(ctx.account_id, "user", doc["UserName"], doc)
        return {}

    def put_user_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._put_inline(ctx, "user", params["UserName"], params["PolicyName"], params["PolicyDocument"])

    def get_user_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._get_inline(ctx, "user", params["UserName"], params["PolicyName"])

    def delete_user_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._delete_inline(ctx, "user", params["UserName"], params["PolicyName"])

    def list_user_policies(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_inline(ctx, "user", params["UserName"], params)

    def attach_user_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._attach(ctx, "user", params["UserName"], params["PolicyArn"])

    def detach_user_policy(self, ctx: RequestContext, params: dict) -> dict:
        return self._detach(ctx, "user", params["UserName"], params["PolicyArn"])

    def list_attached_user_policies(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_attached(ctx, "user", params["UserName"], params)

    # -- access keys --------------------------------------------------------------------------------

    def _key_owner(self, ctx: RequestContext, params: dict, held: str = "access keys") -> str:
        """The user named by UserName, or else the caller's own; `held` names what the root user
        cannot hold here, for the error."""
        if params.get("UserName"):
            return self._user(ctx, params["UserName"])["UserName"]
        name = self._calling_user(ctx)
        if name is None:
            raise no_such_entity(f"lakebox keeps no {held} for the account's root user; name a user.")
        return name

    def create_access_key(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            user = self._key_owner(ctx, params)
            if sum(k["UserName"] == user for k in self.store.all(ctx.account_id, "access-key")) >= MAX_ACCESS_KEYS:
                raise limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}")
            key = {"UserName": user, "AccessKeyId": new_id("AKIA", 16), "Status": "Active",
                   "SecretAccessKey": secrets.token_urlsafe(30)[:40], "CreateDate": now_iso(self)}
            self.store.put(ctx.account_id, "access-key", key["AccessKeyId"], key)
        return {"AccessKey": {**key, "CreateDate": timestamp(key["CreateDate"])}}

    def list_access_keys(self, ctx: RequestContext, params: dict) -> dict:
        user = self._key_owner(ctx, params)
        keys = [{"UserName": k["UserName"], "AccessKeyId": k["AccessKeyId"], "Status": k["Status"],
                 "CreateDate": timestamp(k["CreateDate"])}
                for k in self.store.all(ctx.account_id, "access-key") if k["UserName"] == user]
        return page(keys, params, "AccessKeyMetadata", lambda k: k["AccessKeyId"])

    def note_key_use(self, account: str, key: dict, service: str, region: str) -> None:
        """Record a use of an issued key for GetAccessKeyLastUsed. AWS updates this within hours,
        so a key used over and over is written at most once a minute (or when the service or
        region it is used for changes), not on every request."""
        used = key.get("LastUsed") or {}
        now_ns = self.config.clock.now_ns()
        if (used.get("ServiceName"), used.get("Region")) == (service, region) and \
                now_ns - used.get("Ns", 0) < LAST_USED_EVERY_NS:
            return
        with self.store.lock:
            current = self.store.get(account, "access-key", key["AccessKeyId"])
            if current is None:
                return
            current["LastUsed"] = {"Date": now_iso(self), "Ns": now_ns, "ServiceName": service, "Region": region}
            self.store.put(account, "access-key", key["AccessKeyId"], current)

    def get_access_key_last_used(self, ctx: RequestContext, params: dict) -> dict:
        key = self.store.get(ctx.account_id, "access-key", params["AccessKeyId"])
        if key is None:
            raise no_such_entity(f"The Access Key with id {params['AccessKeyId']} cannot be found.")
        used = key.get("LastUsed")
        last = ({"LastUsedDate": timestamp(used["Date"]), "ServiceName": used["ServiceName"], "Region": used["Region"]}
                if used else {"ServiceName": "N/A", "Region": "N/A"})
        return {"UserName": key["UserName"], "AccessKeyLastUsed": last}

    def _access_key(self, ctx: RequestContext, params: dict) -> dict:
        key = self.store.get(ctx.account_id, "access-key", params["AccessKeyId"])
        if key is None or (params.get("UserName") and key["UserName"] != params["UserName"]):
            raise no_such_entity(f"The Access Key with id {params['AccessKeyId']} cannot be found.")
        return key

    def update_access_key(self, ctx: RequestContext, params: dict) -> dict:
        status = check_status(params["Status"])
        with self.store.lock:
            key = self._access_key(ctx, params)
            key["Status"] = status
            self.store.put(ctx.account_id, "access-key", key["AccessKeyId"], key)
        return {}

    def delete_access_key(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            key = self._access_key(ctx, params)
            self.store.delete(ctx.account_id, "access-key", key["AccessKeyId"])
        return {}
