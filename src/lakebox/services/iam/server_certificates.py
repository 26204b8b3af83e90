"""Server certificates: the TLS certificates (with their private keys) that IAM stores for load
balancers and CloudFront. UploadServerCertificate, GetServerCertificate, ListServerCertificates,
UpdateServerCertificate (new name or path), DeleteServerCertificate and the tags.

The body and the chain must be PEM certificates that parse, and the private key a PEM key that
matches the certificate's public key, as IAM checks them; the certificate's notAfter becomes the
Expiration. The private key is kept, never shown again, as on AWS. Nothing in lakebox serves TLS
with them (Redshift endpoints use lakebox's own CA: engines/redshift/tls.py).
"""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import (already_exists, arn, check_name, check_path, limit_exceeded, new_id, no_such_entity, now_iso,
                     page, put_new, tags_of, timestamp, with_tags)

KIND = "server-certificate"
#: Server certificates one account may store (IAM's default quota).
MAX_CERTIFICATES = 20


def _malformed(what: str) -> AwsError:
    return AwsError("MalformedCertificate", f"Unable to parse {what}.", 400)


def _certificate(body: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(body.encode("utf-8"))
    except (ValueError, UnsupportedAlgorithm):
        raise _malformed("certificate. Please ensure the certificate is in PEM format") from None


def _check_key(key_pem: str, certificate: x509.Certificate) -> None:
    try:
        key = serialization.load_pem_private_key(key_pem.encode("utf-8"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise _malformed("private key. Please ensure the key is in PEM format and not encrypted") from None
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    try:
        matches = key.public_key().public_bytes(*spki) == certificate.public_key().public_bytes(*spki)
    except (ValueError, UnsupportedAlgorithm):  # a key type the certificate cannot carry
        matches = False
    if not matches:
        raise AwsError("KeyPairMismatch", "Public key certificate and private key doesn't match", 400)


def _metadata(doc: dict) -> dict:
    return {"Path": doc["Path"], "ServerCertificateName": doc["ServerCertificateName"],
            "ServerCertificateId": doc["ServerCertificateId"], "Arn": doc["Arn"],
            "UploadDate": timestamp(doc["UploadDate"]), "Expiration": timestamp(doc["Expiration"])}


class ServerCertificatesMixin:
    def _server_certificate(self, ctx: RequestContext, name: str) -> dict:
        doc = self.store.get(ctx.account_id, KIND, name)
        if doc is None:
            raise no_such_entity(f"The Server Certificate with name {name} cannot be found.")
        return doc

    def upload_server_certificate(self, ctx: RequestContext, params: dict) -> dict:
        path = check_path(params.get("Path"))
        name = check_name(params["ServerCertificateName"], "serverCertificateName")
        certificate = _certificate(params["CertificateBody"])
        if params.get("CertificateChain"):
            _certificate(params["CertificateChain"])
        _check_key(params["PrivateKey"], certificate)
        doc = {"Path": path, "ServerCertificateName": name, "ServerCertificateId": new_id("ASCA"),
               "Arn": arn(ctx.account_id, "server-certificate", path, name), "UploadDate": now_iso(self),
               "Expiration": certificate.not_valid_after_utc.isoformat(), "CertificateBody": params["CertificateBody"],
               "CertificateChain": params.get("CertificateChain"), "PrivateKey": params["PrivateKey"],
               "Tags": tags_of(params)}
        with self.store.lock:  # the count and the insert are one step, so racing uploads cannot pass 20
            if len(self.store.all(ctx.account_id, KIND)) >= MAX_CERTIFICATES:
                raise limit_exceeded(f"Cannot exceed quota for ServerCertificatesPerAccount: {MAX_CERTIFICATES}")
            put_new(self.store, ctx.account_id, KIND, name, doc,
                    already_exists(f"The Server Certificate with name {name} already exists."))
        return with_tags({"ServerCertificateMetadata": _metadata(doc)}, doc)

    def get_server_certificate(self, ctx: RequestContext, params: dict) -> dict:
        doc = self._server_certificate(ctx, params["ServerCertificateName"])
        out = {"ServerCertificateMetadata": _metadata(doc), "CertificateBody": doc["CertificateBody"]}
        if doc.get("CertificateChain"):
            out["CertificateChain"] = doc["CertificateChain"]
        if doc.get("Tags"):
            out["Tags"] = doc["Tags"]
        return {"ServerCertificate": out}

    def list_server_certificates(self, ctx: RequestContext, params: dict) -> dict:
        prefix = params.get("PathPrefix") or "/"
        docs = [d for d in self.store.all(ctx.account_id, KIND) if d["Path"].startswith(prefix)]
        out = page(docs, params, "ServerCertificateMetadataList", lambda d: d["ServerCertificateName"])
        out["ServerCertificateMetadataList"] = [_metadata(d) for d in out["ServerCertificateMetadataList"]]
        return out

    def update_server_certificate(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._server_certificate(ctx, params["ServerCertificateName"])
            new_name = check_name(params.get("NewServerCertificateName") or doc["ServerCertificateName"],
                                  "newServerCertificateName")
            new_path = check_path(params.get("NewPath") or doc["Path"])
            if new_name != doc["ServerCertificateName"] and self.store.get(ctx.account_id, KIND, new_name):
                raise already_exists(f"The Server Certificate with name {new_name} already exists.")
            self.store.delete(ctx.account_id, KIND, doc["ServerCertificateName"])
            doc.update(ServerCertificateName=new_name, Path=new_path,
                       Arn=arn(ctx.account_id, "server-certificate", new_path, new_name))
            self.store.put(ctx.account_id, KIND, new_name, doc)
        return {}

    def delete_server_certificate(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._server_certificate(ctx, params["ServerCertificateName"])
            self.store.delete(ctx.account_id, KIND, doc["ServerCertificateName"])
        return {}

    def tag_server_certificate(self, ctx: RequestContext, params: dict) -> dict:
        return self._tag(ctx, KIND, params["ServerCertificateName"], params["Tags"])

    def untag_server_certificate(self, ctx: RequestContext, params: dict) -> dict:
        return self._untag(ctx, KIND, params["ServerCertificateName"], params["TagKeys"])

    def list_server_certificate_tags(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_tags(ctx, KIND, params["ServerCertificateName"], params)
