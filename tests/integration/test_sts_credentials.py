"""STS temporary credentials end to end: issued by AssumeRole & co., then used against lakebox itself."""

from __future__ import annotations

import base64
import datetime as dt
import json

import botocore
import pytest
import requests
from botocore.exceptions import ClientError

from lakebox.config import Credential
from lakebox.testing import running_lakebox
from sts_helpers import client, with_credentials

ROLE_ACCOUNT = "111111111111"
ROLE_ARN = f"arn:aws:iam::{ROLE_ACCOUNT}:role/etl/loader"
ADMIN_KEY, ADMIN_SECRET = "AKIDSTSADMIN", "sts-admin-secret"
ADMIN = {ADMIN_KEY: Credential(ADMIN_KEY, ADMIN_SECRET, "000000000000")}


def error_of(call):
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def strict_server(tmp_path):
    with running_lakebox(tmp_path / "strict", set_env=False, auth="strict", credentials=ADMIN) as server:
        yield server


@pytest.fixture
def admin_sts(strict_server):
    return client("sts", strict_server, ADMIN_KEY, ADMIN_SECRET)


# -- what AssumeRole answers ----------------------------------------------------------------------------


def test_assume_role_returns_temporary_credentials_and_the_assumed_role_user(lakebox_server):
    sts = client("sts", lakebox_server)
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    out = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="nightly-load")
    creds, user = out["Credentials"], out["AssumedRoleUser"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    assert len(creds["SecretAccessKey"]) == 40 and creds["SessionToken"]
    assert before + dt.timedelta(seconds=3600) <= creds["Expiration"] <= before + dt.timedelta(seconds=3700)
    assert user["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/loader/nightly-load"
    role_id, _, session = user["AssumedRoleId"].partition(":")
    assert role_id.startswith("AROA") and len(role_id) == 21 and session == "nightly-load"
    assert "PackedPolicySize" not in out
    # The same role keeps its id from one session to the next.
    again = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="other")["AssumedRoleUser"]["AssumedRoleId"]
    assert again == f"{role_id}:other"


def test_assume_role_duration_seconds_sets_the_expiration(lakebox_server):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    creds = client("sts", lakebox_server).assume_role(RoleArn=ROLE_ARN, RoleSessionName="long",
                                                      DurationSeconds=43200)["Credentials"]
    assert before + dt.timedelta(seconds=43200) <= creds["Expiration"] <= before + dt.timedelta(seconds=43300)


def test_assume_role_with_policy_reports_packed_policy_size(lakebox_server):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                  "Resource": "*"}]})
    out = client("sts", lakebox_server).assume_role(RoleArn=ROLE_ARN, RoleSessionName="scoped", Policy=policy)
    assert 1 <= out["PackedPolicySize"] <= 100


@pytest.mark.parametrize(
    "role_arn",
    [
        "arn:aws:iam::111111111111:user/loader",
        "arn:aws:iam::11111111111:role/loader",
        "arn:aws:s3:::bucket/role/loader-x",
        "not-an-arn-but-long-enough",
    ],
)
def test_assume_role_with_a_malformed_role_arn_is_a_validation_error(lakebox_server, role_arn):
    error, status = error_of(lambda: client("sts", lakebox_server).assume_role(RoleArn=role_arn,
                                                                               RoleSessionName="s1"))
    assert (error["Code"], error["Message"], status) == ("ValidationError", f"{role_arn} is invalid", 400)


@pytest.mark.parametrize(
    "name, constraint",
    [
        ("bad name", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
        ("slash/name", r"Member must satisfy regular expression pattern: [\w+=,.@-]*"),
        ("a", "Member must have length greater than or equal to 2"),
        ("n" * 65, "Member must have length less than or equal to 64"),
    ],
)
def test_assume_role_with_a_bad_session_name_is_a_validation_error(lakebox_server, name, constraint):
    sts = client("sts", lakebox_server, parameter_validation=False)
    error, status = error_of(lambda: sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName=name))
    assert error["Code"] == "ValidationError" and status == 400
    assert error["Message"] == (f"1 validation error detected: Value '{name}' at 'roleSessionName' "
                                f"failed to satisfy constraint: {constraint}")


@pytest.mark.parametrize(
    "seconds, constraint",
    [(899, "greater than or equal to 900"), (43201, "less than or equal to 43200")],
)
def test_assume_role_duration_outside_900_to_43200_is_a_validation_error(lakebox_server, seconds, constraint):
    sts = client("sts", lakebox_server, parameter_validation=False)
    error, status = error_of(lambda: sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1",
                                                     DurationSeconds=seconds))
    assert (error["Code"], status) == ("ValidationError", 400)
    assert error["Message"] == (f"1 validation error detected: Value '{seconds}' at 'durationSeconds' "
                                f"failed to satisfy constraint: Member must have value {constraint}")


def test_role_chaining_is_limited_to_one_hour(lakebox_server):
    first = client("sts", lakebox_server).assume_role(RoleArn=ROLE_ARN, RoleSessionName="hop1")["Credentials"]
    chained = with_credentials("sts", lakebox_server, first)
    error, status = error_of(lambda: chained.assume_role(RoleArn="arn:aws:iam::222222222222:role/next",
                                                         RoleSessionName="hop2", DurationSeconds=7200))
    assert (error["Code"], status) == ("ValidationError", 400)
    assert error["Message"] == ("The requested DurationSeconds exceeds the 1 hour session limit for roles "
                                "assumed by role chaining.")
    second = chained.assume_role(RoleArn="arn:aws:iam::222222222222:role/next", RoleSessionName="hop2")
    identity = with_credentials("sts", lakebox_server, second["Credentials"]).get_caller_identity()
    assert identity["Account"] == "222222222222"


# -- using the credentials ----------------------------------------------------------------------------


def test_caller_identity_with_assumed_role_credentials_is_the_assumed_role(lakebox_server):
    out = client("sts", lakebox_server).assume_role(RoleArn=ROLE_ARN, RoleSessionName="who")
    identity = with_credentials("sts", lakebox_server, out["Credentials"]).get_caller_identity()
    assert identity["Account"] == ROLE_ACCOUNT
    assert identity["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/loader/who"
    assert identity["UserId"] == out["AssumedRoleUser"]["AssumedRoleId"]


def test_bucket_created_with_assumed_role_credentials_belongs_to_the_role_account(lakebox_server):
    creds = client("sts", lakebox_server).assume_role(RoleArn=ROLE_ARN, RoleSessionName="s3")["Credentials"]
    role_s3 = with_credentials("s3", lakebox_server, creds)
    role_s3.create_bucket(Bucket="role-owned")
    listing = role_s3.list_buckets()
    assert [b["Name"] for b in listing["Buckets"]] == ["role-owned"]
    assert listing["Owner"]["ID"] != client("s3", lakebox_server).list_buckets()["Owner"]["ID"]

    default_s3 = client("s3", lakebox_server)
    assert "role-owned" not in [b["Name"] for b in default_s3.list_buckets()["Buckets"]]
    error, status = error_of(lambda: default_s3.put_object(Bucket="role-owned", Key="k", Body=b"x"))
    assert (error["Code"], status) == ("AccessDenied", 403)


def test_get_access_key_info_names_the_account_of_temporary_credentials(lakebox_server):
    sts = client("sts", lakebox_server)
    creds = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="info")["Credentials"]
    assert sts.get_access_key_info(AccessKeyId=creds["AccessKeyId"])["Account"] == ROLE_ACCOUNT
    assert sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")["Account"] == "000000000000"


def test_get_session_token_acts_as_the_caller(strict_server, admin_sts):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    creds = admin_sts.get_session_token(DurationSeconds=129600)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert before + dt.timedelta(seconds=129600) <= creds["Expiration"] <= before + dt.timedelta(seconds=129700)
    session_sts = with_credentials("sts", strict_server, creds)
    assert session_sts.get_caller_identity()["Arn"] == admin_sts.get_caller_identity()["Arn"]
    error, status = error_of(session_sts.get_session_token)
    assert (error["Code"], error["Message"], status) == (
        "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
    # AssumeRole is allowed with them, and is not role chaining.
    session_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="from-session", DurationSeconds=7200)


def test_get_session_token_duration_over_129600_is_a_validation_error(lakebox_server):
    sts = client("sts", lakebox_server, parameter_validation=False)
    error, status = error_of(lambda: sts.get_session_token(DurationSeconds=129601))
    assert (error["Code"], status) == ("ValidationError", 400)


def _jwt(claims: dict) -> str:
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def test_assume_role_with_web_identity_needs_no_signature_even_in_strict_mode(strict_server):
    anonymous = client("sts", strict_server, signature_version=botocore.UNSIGNED)
    token = _jwt({"sub": "repo:org/app", "aud": "sts.amazonaws.com", "iss": "https://idp.example.com"})
    out = anonymous.assume_role_with_web_identity(RoleArn=ROLE_ARN, RoleSessionName="ci", WebIdentityToken=token)
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/loader/ci"
    assert out["SubjectFromWebIdentityToken"] == "repo:org/app"
    assert out["Audience"] == "sts.amazonaws.com"
    assert out["Provider"] == "https://idp.example.com"
    identity = with_credentials("sts", strict_server, out["Credentials"]).get_caller_identity()
    assert identity["Account"] == ROLE_ACCOUNT
    # Other operations still need a signature.
    error, status = error_of(anonymous.get_caller_identity)
    assert (error["Code"], status) == ("MissingAuthenticationToken", 403)


# -- strict mode ---------------------------------------------------------------------------------------


def test_strict_mode_accepts_issued_credentials_and_checks_their_signature(strict_server, admin_sts):
    creds = admin_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="strict")["Credentials"]
    s3 = with_credentials("s3", strict_server, creds)
    s3.create_bucket(Bucket="strict-role")
    s3.put_object(Bucket="strict-role", Key="k", Body=b"data")
    assert s3.get_object(Bucket="strict-role", Key="k")["Body"].read() == b"data"
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "strict-role", "Key": "k"})
    assert requests.get(url).content == b"data"
    s3v4 = with_credentials("s3", strict_server, creds, signature_version="s3v4")
    url = s3v4.generate_presigned_url("get_object", Params={"Bucket": "strict-role", "Key": "k"})
    assert "X-Amz-Security-Token=" in url
    assert requests.get(url).content == b"data"

    wrong_secret = dict(creds, SecretAccessKey="x" * 40)
    error, status = error_of(lambda: with_credentials("s3", strict_server, wrong_secret).list_buckets())
    assert (error["Code"], status) == ("SignatureDoesNotMatch", 403)


def test_strict_mode_form_upload_signed_with_temporary_credentials(strict_server, admin_sts):
    creds = admin_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="form")["Credentials"]
    s3 = with_credentials("s3", strict_server, creds, signature_version="s3v4")
    s3.create_bucket(Bucket="form-role")
    post = s3.generate_presigned_post("form-role", "up/${filename}")
    assert "x-amz-security-token" in post["fields"]
    answer = requests.post(post["url"], data=post["fields"], files={"file": ("a.txt", b"form bytes")})
    assert answer.status_code == 204, answer.text
    assert s3.get_object(Bucket="form-role", Key="up/a.txt")["Body"].read() == b"form bytes"
    forged = dict(post["fields"], **{"x-amz-security-token": "not-the-token"})
    answer = requests.post(post["url"], data=forged, files={"file": ("b.txt", b"x")})
    assert answer.status_code == 400 and "<Code>InvalidToken</Code>" in answer.text


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_strict_mode_refuses_a_temporary_key_without_its_session_token(strict_server, admin_sts, token):
    creds = dict(admin_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="tok")["Credentials"], SessionToken=token)
    error, status = error_of(lambda: with_credentials("s3", strict_server, creds).list_buckets())
    assert (error["Code"], error["Message"], status) == (
        "InvalidToken", "The provided token is malformed or otherwise invalid.", 400)
    error, status = error_of(lambda: with_credentials("sts", strict_server, creds).get_caller_identity())
    assert (error["Code"], error["Message"], status) == (
        "InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    error, status = error_of(lambda: with_credentials("glue", strict_server, creds).get_databases())
    assert (error["Code"], status) == ("UnrecognizedClientException", 400)


def test_strict_mode_refuses_expired_credentials_once_the_service_clock_passes_them(strict_server, admin_sts):
    creds = admin_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="expiring", DurationSeconds=900)["Credentials"]
    sts = with_credentials("sts", strict_server, creds)
    assert sts.get_caller_identity()["Account"] == ROLE_ACCOUNT
    strict_server.advance_clock("16m")
    error, status = error_of(sts.get_caller_identity)
    assert (error["Code"], error["Message"], status) == (
        "ExpiredToken", "The security token included in the request is expired", 403)
    error, status = error_of(lambda: with_credentials("s3", strict_server, creds).list_buckets())
    assert (error["Code"], error["Message"], status) == ("ExpiredToken", "The provided token has expired.", 400)
    error, status = error_of(lambda: with_credentials("glue", strict_server, creds).get_databases())
    assert (error["Code"], error["Message"], status) == (
        "ExpiredTokenException", "The security token included in the request is expired", 400)
    # Fresh credentials expire on the service clock too, so they work again.
    fresh = admin_sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="fresh")["Credentials"]
    assert with_credentials("sts", strict_server, fresh).get_caller_identity()["Account"] == ROLE_ACCOUNT


def test_issued_credentials_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False, auth="strict", credentials=ADMIN) as server:
        creds = client("sts", server, ADMIN_KEY, ADMIN_SECRET).assume_role(
            RoleArn=ROLE_ARN, RoleSessionName="durable")["Credentials"]
        with_credentials("s3", server, creds).create_bucket(Bucket="durable")
    state = data / ".lakebox"
    assert (state / "sts-credentials.json").exists()
    assert not [p.name for p in state.iterdir() if p.name.startswith(".sessions-")]
    with running_lakebox(data, set_env=False, auth="strict", credentials=ADMIN) as server:
        s3 = with_credentials("s3", server, creds)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["durable"]
        assert with_credentials("sts", server, creds).get_caller_identity()["Account"] == ROLE_ACCOUNT
