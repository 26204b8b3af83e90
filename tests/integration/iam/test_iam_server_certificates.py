"""Server certificates: IAM keeps a TLS certificate with its private key, checks both, and shows the
metadata (never the key again)."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ACCOUNT = "000000000000"


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _pair(days: int = 30) -> tuple[str, str, dt.datetime]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lake.example.com")])
    not_after = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=days)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(dt.datetime(2026, 1, 1))
            .not_valid_after(not_after).sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem, not_after


def test_upload_get_list_rename_and_delete(iam):
    body, key, not_after = _pair()
    made = iam.upload_server_certificate(ServerCertificateName="lake-tls", CertificateBody=body, PrivateKey=key,
                                         Path="/lb/", Tags=[{"Key": "env", "Value": "dev"}])
    meta = made["ServerCertificateMetadata"]
    assert (meta["Arn"], meta["ServerCertificateId"][:4]) == (f"arn:aws:iam::{ACCOUNT}:server-certificate/lb/lake-tls",
                                                             "ASCA")
    assert meta["Expiration"] == not_after and made["Tags"] == [{"Key": "env", "Value": "dev"}]
    got = iam.get_server_certificate(ServerCertificateName="lake-tls")["ServerCertificate"]
    assert got["CertificateBody"] == body and "PrivateKey" not in got
    assert [m["ServerCertificateName"] for m in iam.list_server_certificates(PathPrefix="/lb/")[
        "ServerCertificateMetadataList"]] == ["lake-tls"]
    assert iam.list_server_certificates(PathPrefix="/other/")["ServerCertificateMetadataList"] == []
    assert iam.get_account_summary()["SummaryMap"]["ServerCertificates"] == 1
    with pytest.raises(ClientError) as info:
        iam.upload_server_certificate(ServerCertificateName="lake-tls", CertificateBody=body, PrivateKey=key)
    assert _error(info) == ("EntityAlreadyExists", 409)

    iam.update_server_certificate(ServerCertificateName="lake-tls", NewServerCertificateName="lake-tls-2",
                                  NewPath="/cdn/")
    renamed = iam.get_server_certificate(ServerCertificateName="lake-tls-2")["ServerCertificate"]
    assert renamed["ServerCertificateMetadata"]["Arn"].endswith(":server-certificate/cdn/lake-tls-2")
    assert iam.list_server_certificate_tags(ServerCertificateName="lake-tls-2")["Tags"] == [
        {"Key": "env", "Value": "dev"}]
    iam.delete_server_certificate(ServerCertificateName="lake-tls-2")
    for call in (iam.get_server_certificate, iam.delete_server_certificate):
        with pytest.raises(ClientError) as info:
            call(ServerCertificateName="lake-tls-2")
        assert _error(info) == ("NoSuchEntity", 404)


def test_bodies_and_keys_are_checked(iam):
    body, key, _ = _pair()
    _, other_key, _ = _pair()
    for changes, code in [({"CertificateBody": "not a certificate"}, "MalformedCertificate"),
                          ({"PrivateKey": "not a key"}, "MalformedCertificate"),
                          ({"CertificateChain": "not a chain"}, "MalformedCertificate"),
                          ({"PrivateKey": other_key}, "KeyPairMismatch")]:
        with pytest.raises(ClientError) as info:
            iam.upload_server_certificate(**{"ServerCertificateName": "c", "CertificateBody": body, "PrivateKey": key,
                                             **changes})
        assert _error(info) == (code, 400)
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []


def test_quota_of_twenty_holds_under_concurrent_uploads(iam):
    from concurrent.futures import ThreadPoolExecutor

    body, key, _ = _pair()

    def upload(i: int) -> str:
        try:
            iam.upload_server_certificate(ServerCertificateName=f"q{i}", CertificateBody=body, PrivateKey=key)
            return "ok"
        except ClientError as err:
            return err.response["Error"]["Code"]

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(upload, range(24)))
    try:
        assert sorted(outcomes) == ["LimitExceeded"] * 4 + ["ok"] * 20
        names = {m["ServerCertificateName"] for m in iam.list_server_certificates()["ServerCertificateMetadataList"]}
        assert len(names) == 20 and names <= {f"q{i}" for i in range(24)}
    finally:
        for meta in iam.list_server_certificates()["ServerCertificateMetadataList"]:
            iam.delete_server_certificate(ServerCertificateName=meta["ServerCertificateName"])
