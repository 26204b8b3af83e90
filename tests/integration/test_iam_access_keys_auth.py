"""Access keys IAM issues are real credentials: CreateAccessKey's key signs requests as its user, in
strict mode too, until it is deactivated or deleted, and across a restart."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from lakebox.config import Credential
from lakebox.testing import running_lakebox
from sts_helpers import client

ADMIN_KEY, ADMIN_SECRET = "AKIDIAMADMIN", "iam-admin-secret"
ACCOUNT = "123456789012"
ADMIN = {ADMIN_KEY: Credential(ADMIN_KEY, ADMIN_SECRET, ACCOUNT)}


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "strict"


@pytest.fixture
def strict_server(data_dir):
    with running_lakebox(data_dir, set_env=False, auth="strict", credentials=ADMIN) as server:
        yield server


def issue_key(server, user="etl-bot"):
    iam = client("iam", server, ADMIN_KEY, ADMIN_SECRET)
    iam.create_user(UserName=user, Path="/pipelines/")
    return iam, iam.create_access_key(UserName=user)["AccessKey"]


def test_an_issued_key_signs_as_its_user_in_strict_mode(strict_server):
    _, key = issue_key(strict_server)
    identity = client("sts", strict_server, key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
    assert identity["Account"] == ACCOUNT
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/pipelines/etl-bot"
    s3 = client("s3", strict_server, key["AccessKeyId"], key["SecretAccessKey"])
    s3.create_bucket(Bucket="bot-lake")
    s3.put_object(Bucket="bot-lake", Key="raw/a.json", Body=b'{"a": 1}')
    assert s3.get_object(Bucket="bot-lake", Key="raw/a.json")["Body"].read() == b'{"a": 1}'
    # The bucket belongs to the user's account: the admin of that account sees it.
    admin_s3 = client("s3", strict_server, ADMIN_KEY, ADMIN_SECRET)
    assert [b["Name"] for b in admin_s3.list_buckets()["Buckets"]] == ["bot-lake"]


def test_a_wrong_secret_for_an_issued_key_is_refused(strict_server):
    _, key = issue_key(strict_server)
    s3 = client("s3", strict_server, key["AccessKeyId"], "not-the-secret")
    assert error_of(s3.list_buckets) == ("SignatureDoesNotMatch", 403)


def test_a_deactivated_then_deleted_key_is_refused_and_a_reactivated_one_works(strict_server):
    iam, key = issue_key(strict_server)
    sts = client("sts", strict_server, key["AccessKeyId"], key["SecretAccessKey"])
    s3 = client("s3", strict_server, key["AccessKeyId"], key["SecretAccessKey"])
    iam.update_access_key(UserName="etl-bot", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert error_of(s3.list_buckets) == ("InvalidAccessKeyId", 403)
    assert error_of(sts.get_caller_identity) == ("InvalidClientTokenId", 403)
    iam.update_access_key(UserName="etl-bot", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert s3.list_buckets()["Buckets"] == []
    iam.delete_access_key(UserName="etl-bot", AccessKeyId=key["AccessKeyId"])
    assert error_of(s3.list_buckets) == ("InvalidAccessKeyId", 403)


def test_an_issued_key_still_works_after_a_restart(data_dir):
    with running_lakebox(data_dir, set_env=False, auth="strict", credentials=ADMIN) as server:
        _, key = issue_key(server)
    with running_lakebox(data_dir, set_env=False, auth="strict", credentials=ADMIN) as server:
        identity = client("sts", server, key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
        assert identity["Arn"].endswith(":user/pipelines/etl-bot")


def test_an_issued_key_is_checked_in_open_mode_too(lakebox_server):
    iam = client("iam", lakebox_server)
    iam.create_user(UserName="analyst")
    key = iam.create_access_key(UserName="analyst")["AccessKey"]
    good = client("sts", lakebox_server, key["AccessKeyId"], key["SecretAccessKey"])
    assert good.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/analyst"
    bad = client("sts", lakebox_server, key["AccessKeyId"], "wrong")
    assert error_of(bad.get_caller_identity) == ("SignatureDoesNotMatch", 403)


def test_get_access_key_last_used_follows_the_keys_real_use_and_survives_a_restart(data_dir):
    with running_lakebox(data_dir, set_env=False, auth="strict", credentials=ADMIN) as server:
        iam, key = issue_key(server)
        unused = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
        assert unused["UserName"] == "etl-bot"
        assert unused["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
        s3 = client("s3", server, key["AccessKeyId"], key["SecretAccessKey"])
        s3.list_buckets()
        used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        assert (used["ServiceName"], used["Region"]) == ("s3", "us-east-1")
        assert used["LastUsedDate"].tzinfo is not None
        glue = client("glue", server, key["AccessKeyId"], key["SecretAccessKey"], region="eu-west-1")
        glue.get_databases()
        moved = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        assert (moved["ServiceName"], moved["Region"]) == ("glue", "eu-west-1")
        assert moved["LastUsedDate"] >= used["LastUsedDate"]
        # a failed signature is no use of the key
        bad = client("glue", server, key["AccessKeyId"], "wrong", region="us-west-2")
        assert error_of(bad.get_databases)[0] == "InvalidSignatureException"
        assert iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"] == moved
        assert error_of(lambda: iam.get_access_key_last_used(AccessKeyId="AKIA0000000000000000")) == (
            "NoSuchEntity", 404)
    with running_lakebox(data_dir, set_env=False, auth="strict", credentials=ADMIN) as server:
        iam = client("iam", server, ADMIN_KEY, ADMIN_SECRET)
        assert iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"] == moved
