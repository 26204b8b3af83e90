"""Signing certificates: X.509 certificates a user uploads to sign requests to the older SOAP and
EC2 tooling, at most two per user, each Active or Inactive.

lakebox signs nothing with them; they are kept as state so that account setup scripts (and
credential audits that list them) get AWS's answers. The body must be a PEM certificate that
parses, as IAM checks it on upload.
"""

from __future__ import annotations

import secrets
import string

from cryptography import x509

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import limit_exceeded, no_such_entity, now_iso, page, timestamp, validation_error

MAX_PER_USER = 2
_KIND = "signing-certificate"
_ID_ALPHABET = string.ascii_uppercase + string.digits


def check_status(status: str) -> str:
    if status not in ("Active", "Inactive"):
        raise validation_error("1 validation error detected: Value at 'status' failed to satisfy constraint: "
                               "Member must satisfy enum value set: [Active, Inactive]")
    return status


def _check_body(body: str) -> str:
    try:
        x509.load_pem_x509_certificate(body.encode("utf-8"))
    except ValueError:
        raise AwsError("MalformedCertificate", f"Certificate {body} is malformed", 400) from None
    return body


def _output(doc: dict) -> dict:
    return {"UserName": doc["UserName"], "CertificateId": doc["CertificateId"],
            "CertificateBody": doc["CertificateBody"], "Status": doc["Status"],
            "UploadDate": timestamp(doc["UploadDate"])}


class SigningCertificatesMixin:
    def signing_certificates_of(self, ctx: RequestContext, user_name: str) -> list[dict]:
        return [c for c in self.store.all(ctx.account_id, _KIND) if c["UserName"] == user_name]

    def upload_signing_certificate(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            user = self._key_owner(ctx, params, "signing certificates")
            body = _check_body(params["CertificateBody"])
            held = self.signing_certificates_of(ctx, user)
            if any(c["CertificateBody"].strip() == body.strip() for c in held):
                raise AwsError("DuplicateCertificate", "The request was rejected because the same certificate "
                               "is associated with an IAM user in the account.", 409)
            if len(held) >= MAX_PER_USER:
                raise limit_exceeded(f"Cannot exceed quota for CertificatesPerUser: {MAX_PER_USER}")
            doc = {"UserName": user, "CertificateId": "".join(secrets.choice(_ID_ALPHABET) for _ in range(32)),
                   "CertificateBody": body, "Status": "Active", "UploadDate": now_iso(self)}
            self.store.put(ctx.account_id, _KIND, doc["CertificateId"], doc)
        return {"Certificate": _output(doc)}

    def list_signing_certificates(self, ctx: RequestContext, params: dict) -> dict:
        user = self._key_owner(ctx, params, "signing certificates")
        out = page(self.signing_certificates_of(ctx, user), params, "Certificates",
                   lambda c: c["UploadDate"] + c["CertificateId"])
        out["Certificates"] = [_output(d) for d in out["Certificates"]]
        return out

    def _signing_certificate(self, ctx: RequestContext, params: dict) -> dict:
        user = self._key_owner(ctx, params, "signing certificates")
        doc = self.store.get(ctx.account_id, _KIND, params["CertificateId"])
        if doc is None or doc["UserName"] != user:
            raise no_such_entity(f"The Certificate with id {params['CertificateId']} cannot be found.")
        return doc

    def update_signing_certificate(self, ctx: RequestContext, params: dict) -> dict:
        status = check_status(params["Status"])
        with self.store.lock:
            doc = self._signing_certificate(ctx, params)
            doc["Status"] = status
            self.store.put(ctx.account_id, _KIND, doc["CertificateId"], doc)
        return {}

    def delete_signing_certificate(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._signing_certificate(ctx, params)
            self.store.delete(ctx.account_id, _KIND, doc["CertificateId"])
        return {}
