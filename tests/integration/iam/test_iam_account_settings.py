"""The account alias, the password policy and users' login profiles, whose passwords the policy governs."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from iam_helpers import iam_client

from lakebox.config import Credential


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_an_account_has_one_alias_unique_across_accounts(lakebox_server, iam):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="data-platform-dev")
    iam.create_account_alias(AccountAlias="data-platform-dev")  # the same again changes nothing
    iam.create_account_alias(AccountAlias="lake-dev")  # another replaces it
    assert iam.list_account_aliases()["AccountAliases"] == ["lake-dev"]

    lakebox_server.config.credentials["OTHERKEY"] = Credential("OTHERKEY", "other-secret", "222222222222")
    other = iam_client(lakebox_server, "OTHERKEY", "other-secret")
    with pytest.raises(ClientError) as info:
        other.create_account_alias(AccountAlias="lake-dev")
    assert _error(info) == ("EntityAlreadyExists", 409)

    with pytest.raises(ClientError) as info:
        iam.delete_account_alias(AccountAlias="data-platform-dev")
    assert _error(info) == ("NoSuchEntity", 404)
    iam.delete_account_alias(AccountAlias="lake-dev")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_the_password_policy_governs_login_profiles(iam):
    with pytest.raises(ClientError) as info:
        iam.get_account_password_policy()
    assert _error(info) == ("NoSuchEntity", 404)
    iam.create_user(UserName="ana")
    iam.create_user(UserName="rui")
    # IAM's default policy: 8 characters, three kinds of character.
    with pytest.raises(ClientError) as info:
        iam.create_login_profile(UserName="ana", Password="short1A")
    assert _error(info) == ("PasswordPolicyViolation", 400)
    iam.create_login_profile(UserName="ana", Password="Lakehouse1", PasswordResetRequired=True)

    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, MaxPasswordAge=90)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert (policy["MinimumPasswordLength"], policy["RequireSymbols"], policy["RequireNumbers"],
            policy["MaxPasswordAge"], policy["ExpirePasswords"]) == (14, True, False, 90, True)
    for password, problem in (("Lakehouse1", "minimum length of 14"), ("LakehousePassword1", "symbol")):
        with pytest.raises(ClientError) as info:
            iam.create_login_profile(UserName="rui", Password=password)
        assert _error(info) == ("PasswordPolicyViolation", 400) and problem in str(info.value)
    created = iam.create_login_profile(UserName="rui", Password="Lakehouse-Pass1!")["LoginProfile"]
    assert (created["UserName"], created["PasswordResetRequired"]) == ("rui", False)
    with pytest.raises(ClientError) as info:
        iam.create_login_profile(UserName="rui", Password="Lakehouse-Pass2!")
    assert _error(info) == ("EntityAlreadyExists", 409)

    iam.update_login_profile(UserName="ana", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="ana")["LoginProfile"]["PasswordResetRequired"] is False
    with pytest.raises(ClientError) as info:
        iam.update_login_profile(UserName="ana", Password="tooshort")
    assert _error(info) == ("PasswordPolicyViolation", 400)

    with pytest.raises(ClientError) as info:
        iam.delete_user(UserName="ana")
    assert _error(info) == ("DeleteConflict", 409)
    iam.delete_login_profile(UserName="ana")
    iam.delete_user(UserName="ana")
    with pytest.raises(ClientError) as info:
        iam.get_login_profile(UserName="rui2")
    assert _error(info) == ("NoSuchEntity", 404)

    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as info:
        iam.delete_account_password_policy()
    assert _error(info) == ("NoSuchEntity", 404)


def test_account_summary_counts_the_accounts_entities(lakebox_server, iam):
    empty = iam.get_account_summary()["SummaryMap"]
    assert {k: empty[k] for k in ("Users", "Groups", "Roles", "Policies", "InstanceProfiles", "Providers",
                                  "PolicyVersionsInUse")} == dict.fromkeys(
        ("Users", "Groups", "Roles", "Policies", "InstanceProfiles", "Providers", "PolicyVersionsInUse"), 0)
    assert (empty["AccessKeysPerUserQuota"], empty["VersionsPerPolicyQuota"], empty["PolicySizeQuota"]) == (2, 5, 6144)
    trust = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    document = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    iam.create_user(UserName="etl-bot")
    iam.create_user(UserName="analyst")
    iam.create_group(GroupName="engineers")
    iam.create_role(RoleName="glue-job", AssumeRolePolicyDocument=trust)
    arn = iam.create_policy(PolicyName="read-lake", PolicyDocument=document)["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document, SetAsDefault=True)
    iam.create_instance_profile(InstanceProfileName="emr-ec2")
    summary = iam.get_account_summary()["SummaryMap"]
    assert {k: summary[k] for k in ("Users", "Groups", "Roles", "Policies", "InstanceProfiles",
                                    "PolicyVersionsInUse")} == {
        "Users": 2, "Groups": 1, "Roles": 1, "Policies": 1, "InstanceProfiles": 1, "PolicyVersionsInUse": 2}
    # another account's summary is its own
    lakebox_server.config.credentials["OTHERKEY"] = Credential("OTHERKEY", "other-secret", "222222222222")
    assert iam_client(lakebox_server, "OTHERKEY", "other-secret").get_account_summary()["SummaryMap"]["Users"] == 0
