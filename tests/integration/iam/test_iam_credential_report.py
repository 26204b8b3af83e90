"""The credential report: IAM's CSV of every user's password, MFA, access keys and certificates,
computed from what the account holds."""

from __future__ import annotations

import csv
import io

import boto3
import pyotp
import pytest
import requests
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _report(iam) -> list[dict]:
    return list(csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode())))


def test_the_report_describes_each_users_credentials(lakebox_server, iam):
    with pytest.raises(ClientError) as info:
        iam.get_credential_report()
    assert _error(info) == ("ReportNotPresent", 410)

    iam.update_account_password_policy(MaxPasswordAge=90)
    iam.create_user(UserName="ana")
    iam.create_login_profile(UserName="ana", Password="Str0ng-Passw0rd!")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ana")["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    import time
    iam.enable_mfa_device(UserName="ana", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp.at(time.time() - 30), AuthenticationCode2=totp.at(time.time()))
    first = iam.create_access_key(UserName="ana")["AccessKey"]
    second = iam.create_access_key(UserName="ana")["AccessKey"]
    iam.update_access_key(UserName="ana", AccessKeyId=second["AccessKeyId"], Status="Inactive")
    # The first key signs a request: the report says where and when.
    boto3.client("s3", endpoint_url=lakebox_server.endpoint_url, region_name="eu-west-1",
                 aws_access_key_id=first["AccessKeyId"], aws_secret_access_key=first["SecretAccessKey"]).list_buckets()
    iam.create_user(UserName="bob")

    generated = iam.generate_credential_report()
    assert generated["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"  # a fresh report is reused
    answer = iam.get_credential_report()
    assert answer["ReportFormat"] == "text/csv"
    assert answer["Content"].decode().splitlines()[0].startswith(
        "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,")
    rows = {row["user"]: row for row in _report(iam)}
    assert list(rows) == ["<root_account>", "ana", "bob"]
    assert rows["<root_account>"]["arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert rows["<root_account>"]["password_enabled"] == "not_supported"
    ana = rows["ana"]
    assert ana["arn"] == f"arn:aws:iam::{ACCOUNT}:user/ana"
    assert (ana["password_enabled"], ana["mfa_active"]) == ("true", "true")
    assert ana["password_next_rotation"] > ana["password_last_changed"] != "N/A"
    assert (ana["access_key_1_active"], ana["access_key_1_last_used_region"], ana["access_key_1_last_used_service"]) == (
        "true", "eu-west-1", "s3")
    assert ana["access_key_1_last_used_date"] >= ana["access_key_1_last_rotated"]
    assert (ana["access_key_2_active"], ana["access_key_2_last_used_date"]) == ("false", "N/A")
    assert ana["access_key_2_last_rotated"] != "N/A"
    bob = rows["bob"]
    assert (bob["password_enabled"], bob["password_last_changed"], bob["mfa_active"], bob["access_key_1_active"],
            bob["access_key_1_last_rotated"], bob["cert_1_active"]) == ("false", "N/A", "false", "false", "N/A", "false")

    # Four hours on, the report has expired and a new one is made.
    requests.post(f"{lakebox_server.endpoint_url}/_lakebox/clock", json={"advance": "5h"}, timeout=10)
    with pytest.raises(ClientError) as info:
        iam.get_credential_report()
    assert _error(info) == ("ReportExpired", 410)
    iam.delete_user(UserName="bob")
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert [row["user"] for row in _report(iam)] == ["<root_account>", "ana"]
