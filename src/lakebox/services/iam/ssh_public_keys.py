"""SSH public keys: the keys an IAM user uploads to reach CodeCommit over SSH (and that EC2 Instance
Connect-style tooling reads back). UploadSSHPublicKey, GetSSHPublicKey (SSH or PEM encoding),
ListSSHPublicKeys, UpdateSSHPublicKey and DeleteSSHPublicKey.

As IAM does, a key must be an RSA key of at least 2048 bits, in OpenSSH (`ssh-rsa AAAA...`) or PEM
form; its Fingerprint is the MD5 digest of the key in SSH wire form, shown as colon-separated hex;
a user holds at most five and never the same key twice. lakebox serves no SSH endpoint: the keys
are kept so that account setup and audits get IAM's answers.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import limit_exceeded, new_id, no_such_entity, now_iso, page, timestamp, validation_error
from .signing_certificates import check_status

KIND = "ssh-public-key"
#: Keys one user may hold (IAM's PublicKeysPerUser quota).
MAX_PER_USER = 5
MIN_BITS = 2048


def _invalid() -> AwsError:
    return AwsError("InvalidPublicKey", "The request was rejected because the public key is malformed or otherwise "
                                        "invalid.", 400)


def _parse(body: str) -> rsa.RSAPublicKey:
    text = body.strip().encode("utf-8")
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(text)
        elif text.startswith(b"ssh-") or text.startswith(b"ecdsa-"):
            key = serialization.load_ssh_public_key(text)
        else:
            raise AwsError("UnrecognizedPublicKeyEncoding", "The request was rejected because the public key "
                                                            "encoding format is unsupported or unrecognized.", 400)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise _invalid() from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_BITS:
        raise _invalid()
    return key


def _encoded(key: rsa.RSAPublicKey, encoding: str) -> str:
    if encoding == "PEM":
        return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _fingerprint(key: rsa.RSAPublicKey) -> str:
    blob = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).split()[1]
    digest = hashlib.md5(base64.b64decode(blob)).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


class SshPublicKeysMixin:
    def ssh_public_keys_of(self, ctx: RequestContext, user_name: str) -> list[dict]:
        return [k for k in self.store.all(ctx.account_id, KIND) if k["UserName"] == user_name]

    def upload_ssh_public_key(self, ctx: RequestContext, params: dict) -> dict:
        key = _parse(params["SSHPublicKeyBody"])
        fingerprint = _fingerprint(key)
        with self.store.lock:
            user = self._user(ctx, params["UserName"])["UserName"]
            held = self.ssh_public_keys_of(ctx, user)
            if any(k["Fingerprint"] == fingerprint for k in held):
                raise AwsError("DuplicateSSHPublicKey", "The request was rejected because the SSH public key is "
                                                        "already associated with the specified IAM user.", 400)
            if len(held) >= MAX_PER_USER:
                raise limit_exceeded(f"Cannot exceed quota for PublicKeysPerUser: {MAX_PER_USER}")
            doc = {"UserName": user, "SSHPublicKeyId": new_id("APKA", 16), "Fingerprint": fingerprint,
                   "SSHPublicKeyBody": params["SSHPublicKeyBody"], "Status": "Active", "UploadDate": now_iso(self)}
            self.store.put(ctx.account_id, KIND, doc["SSHPublicKeyId"], doc)
        return {"SSHPublicKey": {**doc, "UploadDate": timestamp(doc["UploadDate"])}}

    def _ssh_public_key(self, ctx: RequestContext, params: dict) -> dict:
        user = self._user(ctx, params["UserName"])["UserName"]
        doc = self.store.get(ctx.account_id, KIND, params["SSHPublicKeyId"])
        if doc is None or doc["UserName"] != user:
            raise no_such_entity(f"The Public Key with id {params['SSHPublicKeyId']} cannot be found.")
        return doc

    def get_ssh_public_key(self, ctx: RequestContext, params: dict) -> dict:
        encoding = params["Encoding"]
        if encoding not in ("SSH", "PEM"):
            raise validation_error(f"1 validation error detected: Value '{encoding}' at 'encoding' failed to satisfy "
                                   "constraint: Member must satisfy enum value set: [SSH, PEM]")
        doc = self._ssh_public_key(ctx, params)
        body = _encoded(_parse(doc["SSHPublicKeyBody"]), encoding)
        return {"SSHPublicKey": {**doc, "SSHPublicKeyBody": body, "UploadDate": timestamp(doc["UploadDate"])}}

    def list_ssh_public_keys(self, ctx: RequestContext, params: dict) -> dict:
        user = self._key_owner(ctx, params, "SSH public keys")
        out = page(self.ssh_public_keys_of(ctx, user), params, "SSHPublicKeys",
                   lambda k: k["UploadDate"] + k["SSHPublicKeyId"])
        out["SSHPublicKeys"] = [{"UserName": k["UserName"], "SSHPublicKeyId": k["SSHPublicKeyId"],
                                 "Status": k["Status"], "UploadDate": timestamp(k["UploadDate"])}
                                for k in out["SSHPublicKeys"]]
        return out

    def update_ssh_public_key(self, ctx: RequestContext, params: dict) -> dict:
        status = check_status(params["Status"])
        with self.store.lock:
            doc = self._ssh_public_key(ctx, params)
            doc["Status"] = status
            self.store.put(ctx.account_id, KIND, doc["SSHPublicKeyId"], doc)
        return {}

    def delete_ssh_public_key(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._ssh_public_key(ctx, params)
            self.store.delete(ctx.account_id, KIND, doc["SSHPublicKeyId"])
        return {}
