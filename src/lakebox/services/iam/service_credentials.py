"""Service-specific credentials: a user's name and password for CodeCommit (Git over HTTPS) or Amazon
Keyspaces (Cassandra drivers), at most two per user and service.

lakebox serves neither service; the credentials are kept as state, so that setup scripts that make
them and read them back get AWS's answers.
"""

from __future__ import annotations

import base64
import re
import secrets

from ...protocol.context import RequestContext
from .common import limit_exceeded, new_id, no_such_entity, now_iso, page, timestamp, validation_error

SUPPORTED_SERVICES = ("codecommit.amazonaws.com", "cassandra.amazonaws.com")
MAX_PER_SERVICE = 2
STATUSES = ("Active", "Inactive", "Expired")
_KIND = "service-credential"
_ID = re.compile(r"\w+", re.ASCII)
_METADATA_FIELDS = ("UserName", "Status", "ServiceUserName", "ServiceSpecificCredentialId", "ServiceName")


def check_status(status: str) -> str:
    """The status enum, in the words of IAM's front end (which leaves the value out)."""
    if status not in STATUSES:
        raise validation_error("1 validation error detected: Value at 'status' failed to satisfy constraint: "
                               "Member must satisfy enum value set")
    return status


def _check_id(credential_id: str) -> str:
    if not _ID.fullmatch(credential_id):
        raise validation_error("1 validation error detected: Value at 'serviceSpecificCredentialId' failed to "
                               "satisfy constraint: Member must satisfy regular expression pattern: [\\w]+")
    return credential_id


def _check_service(service: str) -> str:
    if service not in SUPPORTED_SERVICES:
        raise no_such_entity(f"No such service {service} is supported for Service Specific Credentials")
    return service


def _password() -> str:
    return base64.b64encode(secrets.token_bytes(33)).decode("ascii")


def _metadata(doc: dict) -> dict:
    out = {k: doc[k] for k in _METADATA_FIELDS}
    out["CreateDate"] = timestamp(doc["CreateDate"])
    return out


def _with_password(doc: dict) -> dict:
    return {**_metadata(doc), "ServicePassword": doc["ServicePassword"]}


class ServiceCredentialsMixin:
    def service_credentials_of(self, ctx: RequestContext, user_name: str) -> list[dict]:
        return [c for c in self.store.all(ctx.account_id, _KIND) if c["UserName"].lower() == user_name.lower()]

    def create_service_specific_credential(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            user = self._user(ctx, params["UserName"])
            service = _check_service(params["ServiceName"])
            held = [c for c in self.service_credentials_of(ctx, user["UserName"]) if c["ServiceName"] == service]
            if len(held) >= MAX_PER_SERVICE:
                raise limit_exceeded(f"Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: "
                                     f"{MAX_PER_SERVICE}")
            doc = {"UserName": user["UserName"], "ServiceName": service, "Status": "Active",
                   "ServiceSpecificCredentialId": new_id("ACCA"), "ServicePassword": _password(),
                   "ServiceUserName": f"{user['UserName']}-at-{ctx.account_id}", "CreateDate": now_iso(self)}
            self.store.put(ctx.account_id, _KIND, doc["ServiceSpecificCredentialId"], doc)
        return {"ServiceSpecificCredential": _with_password(doc)}

    def list_service_specific_credentials(self, ctx: RequestContext, params: dict) -> dict:
        if params.get("UserName"):
            docs = self.service_credentials_of(ctx, self._user(ctx, params["UserName"])["UserName"])
        elif params.get("AllUsers"):
            docs = self.store.all(ctx.account_id, _KIND)
        else:
            # The calling user's; the account's root user (any key IAM did not issue) holds none.
            caller = self._calling_user(ctx)
            docs = self.service_credentials_of(ctx, caller) if caller is not None else []
        if params.get("ServiceName"):
            service = _check_service(params["ServiceName"])
            docs = [d for d in docs if d["ServiceName"] == service]
        out = page(docs, params, "ServiceSpecificCredentials", lambda d: d["ServiceSpecificCredentialId"])
        out["ServiceSpecificCredentials"] = [_metadata(d) for d in out["ServiceSpecificCredentials"]]
        return out

    def _service_credential(self, ctx: RequestContext, params: dict) -> dict:
        credential_id = _check_id(params["ServiceSpecificCredentialId"])
        owner = self._user(ctx, params["UserName"])["UserName"] if params.get("UserName") else None
        doc = self.store.get(ctx.account_id, _KIND, credential_id)
        if doc is None or (owner is not None and doc["UserName"].lower() != owner.lower()):
            raise no_such_entity(f"No such credential {credential_id} exists")
        return doc

    def update_service_specific_credential(self, ctx: RequestContext, params: dict) -> dict:
        _check_id(params["ServiceSpecificCredentialId"])
        status = check_status(params["Status"])
        with self.store.lock:
            doc = self._service_credential(ctx, params)
            doc["Status"] = status
            self.store.put(ctx.account_id, _KIND, doc["ServiceSpecificCredentialId"], doc)
        return {}

    def reset_service_specific_credential(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._service_credential(ctx, params)
            doc["ServicePassword"] = _password()
            self.store.put(ctx.account_id, _KIND, doc["ServiceSpecificCredentialId"], doc)
        return {"ServiceSpecificCredential": _with_password(doc)}

    def delete_service_specific_credential(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._service_credential(ctx, params)
            self.store.delete(ctx.account_id, _KIND, doc["ServiceSpecificCredentialId"])
        return {}
