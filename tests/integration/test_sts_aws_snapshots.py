"""STS scenarios whose answers were recorded on AWS, replayed against lakebox.

Keys, tokens, ids and times are made up by AWS and not compared; shapes, ARNs, error codes,
messages and HTTP statuses are.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from sts_helpers import client, with_credentials

ACCOUNT = "000000000000"
TRUST_THE_ACCOUNT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Action": "sts:AssumeRole", "Principal": {"AWS": ACCOUNT}, "Effect": "Allow"}]})


def _answer(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def _error(call) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_caller_identity_with_an_iam_users_access_key_is_that_user(lakebox_server):
    iam = client("iam", lakebox_server)
    user = iam.create_user(UserName="reporting")["User"]
    key = iam.create_access_key(UserName="reporting")["AccessKey"]
    user_sts = client("sts", lakebox_server, key["AccessKeyId"], key["SecretAccessKey"])
    assert _answer(user_sts.get_caller_identity()) == {
        "UserId": user["UserId"], "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/reporting"}
    assert user["UserId"].startswith("AIDA")
    # A session token taken by the user still acts as the user.
    session = user_sts.get_session_token(DurationSeconds=900)
    assert list(_answer(session)) == ["Credentials"]
    assert sorted(session["Credentials"]) == ["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken"]
    session_identity = with_credentials("sts", lakebox_server, session["Credentials"]).get_caller_identity()
    assert (session_identity["UserId"], session_identity["Arn"]) == (user["UserId"], user["Arn"])


def test_caller_identity_with_keys_iam_did_not_issue_is_the_account_root(lakebox_server):
    identity = client("sts", lakebox_server).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root")


def test_assumed_iam_role_is_named_by_its_role_id_and_session(lakebox_server):
    role = client("iam", lakebox_server).create_role(RoleName="loader", AssumeRolePolicyDocument=TRUST_THE_ACCOUNT)
    out = client("sts", lakebox_server).assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="nightly")
    assert sorted(_answer(out)) == ["AssumedRoleUser", "Credentials"]
    assert out["AssumedRoleUser"] == {"AssumedRoleId": f"{role['Role']['RoleId']}:nightly",
                                      "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/loader/nightly"}
    identity = with_credentials("sts", lakebox_server, out["Credentials"]).get_caller_identity()
    assert _answer(identity) == {"UserId": f"{role['Role']['RoleId']}:nightly", "Account": ACCOUNT,
                                 "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/loader/nightly"}


def test_federation_token_without_a_policy_answers_packed_policy_size_zero(lakebox_server):
    out = _answer(client("sts", lakebox_server).get_federation_token(Name="TestName1", DurationSeconds=900))
    assert sorted(out) == ["Credentials", "FederatedUser", "PackedPolicySize"]
    assert out["PackedPolicySize"] == 0
    assert out["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT}:TestName1",
                                    "Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/TestName1"}


@pytest.mark.parametrize("role_arn", ["nothing-valid-in-here", "arn::b:::something/test-role",
                                      "arn:a::::something/test-role", "arn:a:::something/test-role",
                                      "arn:a:a::aaaaaaaaaa:"])
def test_assume_role_with_a_malformed_arn_names_it_as_invalid(lakebox_server, role_arn):
    sts = client("sts", lakebox_server, parameter_validation=False)
    assert _error(lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="Session1")) == (
        "ValidationError", f"{role_arn} is invalid", 400)


def test_a_bad_session_name_is_reported_before_a_malformed_arn(lakebox_server):
    sts = client("sts", lakebox_server, parameter_validation=False)
    assert _error(lambda: sts.assume_role(RoleArn="arn:a:b:::something/test-role", RoleSessionName="Session1:2")) == (
        "ValidationError", "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*", 400)
