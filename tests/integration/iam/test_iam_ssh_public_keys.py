"""SSH public keys: a user's RSA keys (OpenSSH or PEM form, 2048 bits or more), read back in either
encoding, with IAM's fingerprint, status, quota and errors."""

from __future__ import annotations

import base64
import hashlib

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _rsa(bits: int = 2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()


def _openssh(key) -> str:
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _pem(key) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture
def user(iam):
    iam.create_user(UserName="dev")
    return "dev"


def test_upload_get_in_both_encodings_list_update_and_delete(iam, user):
    key = _rsa()
    body = _openssh(key) + " dev@laptop"
    uploaded = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body)["SSHPublicKey"]
    key_id = uploaded["SSHPublicKeyId"]
    assert key_id.startswith("APKA") and len(key_id) == 20
    assert (uploaded["UserName"], uploaded["Status"], uploaded["SSHPublicKeyBody"]) == (user, "Active", body)
    digest = hashlib.md5(base64.b64decode(_openssh(key).split()[1])).hexdigest()
    assert uploaded["Fingerprint"] == ":".join(digest[i:i + 2] for i in range(0, 32, 2))

    as_ssh = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"]
    assert as_ssh["SSHPublicKeyBody"] == _openssh(key)
    as_pem = iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding="PEM")["SSHPublicKey"]
    assert as_pem["SSHPublicKeyBody"] == _pem(key)
    assert as_pem["Fingerprint"] == uploaded["Fingerprint"]

    pem_key = _rsa()  # a PEM upload reads back in SSH form too
    second = iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=_pem(pem_key))["SSHPublicKey"]["SSHPublicKeyId"]
    assert iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=second, Encoding="SSH")["SSHPublicKey"][
        "SSHPublicKeyBody"] == _openssh(pem_key)

    listed = iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"]
    assert sorted(k["SSHPublicKeyId"] for k in listed) == sorted([key_id, second])
    assert set(listed[0]) == {"UserName", "SSHPublicKeyId", "Status", "UploadDate"}
    first_page = iam.list_ssh_public_keys(UserName=user, MaxItems=1)
    assert first_page["IsTruncated"] is True and len(first_page["SSHPublicKeys"]) == 1

    iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Status="Inactive")
    assert iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"][
        "Status"] == "Inactive"

    with pytest.raises(ClientError) as info:  # keys must go before the user
        iam.delete_user(UserName=user)
    assert _error(info) == ("DeleteConflict", 409)
    iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=key_id)
    iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=second)
    assert iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"] == []
    iam.delete_user(UserName=user)


def test_keys_are_checked_as_iam_checks_them(iam, user):
    small = _openssh(_rsa(1024))
    ed = ec.generate_private_key(ec.SECP256R1()).public_key()
    cases = [
        ("ssh-rsa not-base64", "InvalidPublicKey"),
        (small, "InvalidPublicKey"),  # under 2048 bits
        (_openssh(ed), "InvalidPublicKey"),  # not RSA
        ("just some text", "UnrecognizedPublicKeyEncoding"),
    ]
    for body, code in cases:
        with pytest.raises(ClientError) as info:
            iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body)
        assert _error(info) == (code, 400), body
    body = _openssh(_rsa())
    iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body)
    with pytest.raises(ClientError) as info:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body + " again")
    assert _error(info) == ("DuplicateSSHPublicKey", 400)
    for _ in range(4):
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=_openssh(_rsa()))
    with pytest.raises(ClientError) as info:
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=_openssh(_rsa()))
    assert _error(info) == ("LimitExceeded", 409)
    assert len(iam.list_ssh_public_keys(UserName=user)["SSHPublicKeys"]) == 5

    for call in (lambda: iam.get_ssh_public_key(UserName=user, SSHPublicKeyId="APKANOSUCHKEY0000000", Encoding="SSH"),
                 lambda: iam.update_ssh_public_key(UserName=user, SSHPublicKeyId="APKANOSUCHKEY0000000",
                                                   Status="Inactive"),
                 lambda: iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId="APKANOSUCHKEY0000000"),
                 lambda: iam.upload_ssh_public_key(UserName="nobody", SSHPublicKeyBody=_openssh(_rsa()))):
        with pytest.raises(ClientError) as info:
            call()
        assert _error(info) == ("NoSuchEntity", 404)
