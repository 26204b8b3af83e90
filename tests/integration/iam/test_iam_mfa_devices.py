"""Virtual MFA devices that really compute TOTP codes: made, enabled with two consecutive codes,
listed, tagged, resynchronized, deactivated and deleted; STS checks a device's code before it issues
a session."""

from __future__ import annotations

import base64
import time

import boto3
import pyotp
import pytest
from botocore.exceptions import ClientError
from iam_helpers import iam_client

ACCOUNT = "000000000000"


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _two_codes(seed: str) -> tuple[str, str]:
    """The codes of the previous and the current 30-second step, as a user types them in turn."""
    totp, now = pyotp.TOTP(seed), time.time()
    return totp.at(now - 30), totp.at(now)


def test_a_virtual_device_is_a_real_authenticator(iam):
    made = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone", Path="/team/",
                                         Tags=[{"Key": "owner", "Value": "alice"}])["VirtualMFADevice"]
    serial = made["SerialNumber"]
    assert serial == f"arn:aws:iam::{ACCOUNT}:mfa/team/alice-phone"
    seed = made["Base32StringSeed"].decode()
    assert len(base64.b32decode(seed)) == 20  # a 160-bit secret, Base32
    assert made["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n") and made["Tags"] == [{"Key": "owner", "Value": "alice"}]
    with pytest.raises(ClientError) as info:
        iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone", Path="/team/")
    assert _error(info) == ("EntityAlreadyExists", 409)

    iam.create_user(UserName="alice")
    with pytest.raises(ClientError) as info:  # codes the device did not compute
        iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")
    assert _error(info) == ("InvalidAuthenticationCode", 403)
    first, second = _two_codes(seed)
    with pytest.raises(ClientError) as info:  # in the wrong order
        iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=second,
                              AuthenticationCode2=first)
    assert _error(info) == ("InvalidAuthenticationCode", 403)
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=first, AuthenticationCode2=second)

    listed = iam.list_mfa_devices(UserName="alice")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in listed] == [("alice", serial)]
    assert iam.get_mfa_device(SerialNumber=serial)["UserName"] == "alice"
    virtual = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [(d["SerialNumber"], d["User"]["UserName"]) for d in virtual] == [(serial, "alice")]
    assert "Base32StringSeed" not in virtual[0]  # the secret is shown once, when the device is made
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == []
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["MFADevices"], summary["MFADevicesInUse"]) == (1, 1)

    with pytest.raises(ClientError) as info:
        iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=first,
                              AuthenticationCode2=second)
    assert _error(info) == ("EntityAlreadyExists", 409)
    first, second = _two_codes(seed)
    iam.resync_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1=first, AuthenticationCode2=second)
    with pytest.raises(ClientError) as info:  # an enabled device blocks both deletions
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert _error(info) == ("DeleteConflict", 409)
    with pytest.raises(ClientError) as info:
        iam.delete_user(UserName="alice")
    assert _error(info) == ("DeleteConflict", 409)

    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "kind", "Value": "phone"}])
    assert {t["Key"] for t in iam.list_mfa_device_tags(SerialNumber=serial)["Tags"]} == {"owner", "kind"}
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["owner"])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "kind", "Value": "phone"}]

    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []
    with pytest.raises(ClientError) as info:
        iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    assert _error(info) == ("NoSuchEntity", 404)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    iam.delete_user(UserName="alice")
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    with pytest.raises(ClientError) as info:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert _error(info) == ("NoSuchEntity", 404)


def test_sts_asks_the_device_for_its_code(lakebox_server, iam):
    iam.create_user(UserName="bob")
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    made = iam.create_virtual_mfa_device(VirtualMFADeviceName="bob")["VirtualMFADevice"]
    seed, serial = made["Base32StringSeed"].decode(), made["SerialNumber"]
    first, second = _two_codes(seed)
    iam.enable_mfa_device(UserName="bob", SerialNumber=serial, AuthenticationCode1=first, AuthenticationCode2=second)
    sts = boto3.client("sts", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                       aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    code = pyotp.TOTP(seed).now()
    session = sts.get_session_token(SerialNumber=serial, TokenCode=code)["Credentials"]
    assert session["AccessKeyId"].startswith("ASIA")
    role = "arn:aws:iam::000000000000:role/admin"
    assumed = sts.assume_role(RoleArn=role, RoleSessionName="with-mfa", SerialNumber=serial, TokenCode=code)
    assert assumed["AssumedRoleUser"]["Arn"].endswith(":assumed-role/admin/with-mfa")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for call, extra in [(sts.get_session_token, {}), (sts.assume_role, {"RoleArn": role, "RoleSessionName": "no-mfa"})]:
        with pytest.raises(ClientError) as info:
            call(SerialNumber=serial, TokenCode=wrong, **extra)
        assert _error(info) == ("AccessDenied", 403)
        assert info.value.response["Error"]["Message"] == \
            "MultiFactorAuthentication failed with invalid MFA one time pass code."
        with pytest.raises(ClientError) as info:  # a device nobody made
            call(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/nobody", TokenCode=code, **extra)
        assert _error(info) == ("AccessDenied", 403)


def test_devices_belong_to_their_account(lakebox_server, iam):
    from lakebox.config import Credential

    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="shared-name")["VirtualMFADevice"]["SerialNumber"]
    lakebox_server.config.credentials["OTHERKEY"] = Credential("OTHERKEY", "other-secret", "222222222222")
    other = iam_client(lakebox_server, "OTHERKEY", "other-secret")
    assert other.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    with pytest.raises(ClientError) as info:
        other.delete_virtual_mfa_device(SerialNumber=serial)
    assert _error(info) == ("NoSuchEntity", 404)
    made = other.create_virtual_mfa_device(VirtualMFADeviceName="shared-name")["VirtualMFADevice"]
    assert made["SerialNumber"] == "arn:aws:iam::222222222222:mfa/shared-name"
