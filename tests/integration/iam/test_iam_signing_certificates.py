"""Signing certificates kept as state, with the answers and errors moto's AWS-verified tests record."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def certificate(name: str) -> str:
    """A self-signed PEM certificate (an EC key keeps it quick to make)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _error(info) -> tuple[str, str, int]:
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_signing_certificate_lifecycle(iam):
    iam.create_user(UserName="signer")
    body = certificate("signer")
    uploaded = iam.upload_signing_certificate(UserName="signer", CertificateBody=body)["Certificate"]
    assert (uploaded["UserName"], uploaded["Status"], uploaded["CertificateBody"]) == ("signer", "Active", body)
    assert len(uploaded["CertificateId"]) == 32 and uploaded["CertificateId"].isalnum()
    iam.update_signing_certificate(UserName="signer", CertificateId=uploaded["CertificateId"], Status="Inactive")
    listed = iam.list_signing_certificates(UserName="signer")["Certificates"]
    assert [(c["CertificateId"], c["CertificateBody"], c["Status"]) for c in listed] == [
        (uploaded["CertificateId"], body, "Inactive")]
    with pytest.raises(ClientError) as held:
        iam.delete_user(UserName="signer")
    assert _error(held) == ("DeleteConflict", "Cannot delete entity, must delete signing certificates first.", 409)
    iam.delete_signing_certificate(UserName="signer", CertificateId=uploaded["CertificateId"])
    assert iam.list_signing_certificates(UserName="signer")["Certificates"] == []
    iam.delete_user(UserName="signer")


def test_two_certificates_per_user_and_no_copies(iam):
    iam.create_user(UserName="signer")
    first, second = certificate("one"), certificate("two")
    ids = [iam.upload_signing_certificate(UserName="signer", CertificateBody=b)["Certificate"]["CertificateId"]
           for b in (first, second)]
    assert len(set(ids)) == 2
    with pytest.raises(ClientError) as third:
        iam.upload_signing_certificate(UserName="signer", CertificateBody=certificate("three"))
    assert _error(third) == ("LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2", 409)
    iam.delete_signing_certificate(UserName="signer", CertificateId=ids[1])  # room again, but `first` is held
    with pytest.raises(ClientError) as again:
        iam.upload_signing_certificate(UserName="signer", CertificateBody=first)
    assert _error(again)[0] == "DuplicateCertificate"


def test_bad_certificates_users_and_ids(iam):
    iam.create_user(UserName="signer")
    with pytest.raises(ClientError) as malformed:
        iam.upload_signing_certificate(UserName="signer", CertificateBody="notacert")
    assert _error(malformed)[0] == "MalformedCertificate"
    assert iam.list_signing_certificates(UserName="signer")["Certificates"] == []
    missing_user = ("NoSuchEntity", "The user with name nobody cannot be found.", 404)
    for call, kwargs in [(iam.upload_signing_certificate, {"CertificateBody": certificate("x")}),
                         (iam.update_signing_certificate, {"CertificateId": "x" * 32, "Status": "Inactive"}),
                         (iam.list_signing_certificates, {}),
                         (iam.delete_signing_certificate, {"CertificateId": "x" * 32})]:
        with pytest.raises(ClientError) as info:
            call(UserName="nobody", **kwargs)
        assert _error(info) == missing_user
    with pytest.raises(ClientError) as unknown:
        iam.update_signing_certificate(UserName="signer", CertificateId="x" * 32, Status="Inactive")
    assert _error(unknown) == ("NoSuchEntity", f"The Certificate with id {'x' * 32} cannot be found.", 404)
