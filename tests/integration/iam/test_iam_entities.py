"""IAM roles, policies, users, access keys and instance profiles: AWS's answers and errors, persisted."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from iam_helpers import iam_client

from lakebox.config import Credential
from lakebox.testing import running_lakebox

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
FIREHOSE_TRUST = TRUST.replace("glue.amazonaws.com", "firehose.amazonaws.com")
S3_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_roles_round_trip_with_their_trust_policy(iam):
    created = iam.create_role(RoleName="GlueServiceRole", Path="/service/", AssumeRolePolicyDocument=TRUST,
                              Description="crawlers", Tags=[{"Key": "team", "Value": "data"}])["Role"]
    assert created["Arn"] == "arn:aws:iam::000000000000:role/service/GlueServiceRole"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert created["AssumeRolePolicyDocument"] == json.loads(TRUST)  # sent URL-encoded, decoded by botocore
    role = iam.get_role(RoleName="GlueServiceRole")["Role"]
    assert (role["Path"], role["Description"], role["MaxSessionDuration"]) == ("/service/", "crawlers", 3600)
    assert role["Tags"] == [{"Key": "team", "Value": "data"}] and role["RoleLastUsed"] == {}
    iam.update_role(RoleName="GlueServiceRole", MaxSessionDuration=7200)
    iam.update_assume_role_policy(RoleName="GlueServiceRole", PolicyDocument=FIREHOSE_TRUST)
    role = iam.get_role(RoleName="GlueServiceRole")["Role"]
    assert role["MaxSessionDuration"] == 7200 and role["AssumeRolePolicyDocument"] == json.loads(FIREHOSE_TRUST)
    listed = iam.list_roles(PathPrefix="/service/")["Roles"]
    assert [r["RoleName"] for r in listed] == ["GlueServiceRole"]
    assert "Tags" not in listed[0] and "RoleLastUsed" not in listed[0]  # ListRoles leaves them out
    assert iam.list_roles(PathPrefix="/other/")["Roles"] == []
    with pytest.raises(ClientError) as info:
        iam.create_role(RoleName="GlueServiceRole", AssumeRolePolicyDocument=TRUST)
    assert _error(info) == ("EntityAlreadyExists", 409)
    iam.delete_role(RoleName="GlueServiceRole")
    with pytest.raises(ClientError) as info:
        iam.get_role(RoleName="GlueServiceRole")
    assert _error(info) == ("NoSuchEntity", 404)
    assert info.value.response["Error"]["Message"] == "The role with name GlueServiceRole cannot be found."


def test_list_roles_pages_with_marker(iam):
    for i in range(5):
        iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=TRUST)
    first = iam.list_roles(MaxItems=2)
    assert [r["RoleName"] for r in first["Roles"]] == ["r0", "r1"] and first["IsTruncated"]
    rest = iam.list_roles(Marker=first["Marker"])
    assert [r["RoleName"] for r in rest["Roles"]] == ["r2", "r3", "r4"] and not rest["IsTruncated"]
    names = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 2})
             for r in page["Roles"]]
    assert names == [f"r{i}" for i in range(5)]


@pytest.mark.parametrize("document, message", [
    ("not json", "This policy contains invalid Json"),
    ('{"Version": "2012-10-17"}', "Syntax errors in policy."),
    ('{"Statement": [{"Effect": "Maybe"}]}', "Syntax errors in policy."),
    ('{"Version": "2012-10-17", "Statement": []}', "Syntax errors in policy."),
    ('{"Version": "2099-01-01", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}',
     "The policy must contain a valid version string"),
    ('{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}', "Missing required field Principal"),
    ('{"Statement": [{"Effect": "Allow", "Principal": "*"}]}', "Policy statement must contain actions."),
])
def test_malformed_trust_policies_are_refused(iam, document, message):
    with pytest.raises(ClientError) as info:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument=document)
    assert _error(info) == ("MalformedPolicyDocument", 400)
    assert info.value.response["Error"]["Message"] == message
    assert iam.list_roles()["Roles"] == []


def test_identity_policies_need_resources_and_fit_the_quotas(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    no_resource = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]})
    with pytest.raises(ClientError) as info:
        iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=no_resource)
    assert _error(info) == ("MalformedPolicyDocument", 400)
    big = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i:05d}/*"} for i in range(300)]})
    with pytest.raises(ClientError) as info:
        iam.create_policy(PolicyName="big", PolicyDocument=big)  # managed policies: 6,144 characters
    assert _error(info) == ("LimitExceeded", 409)
    iam.put_role_policy(RoleName="r", PolicyName="first", PolicyDocument=json.dumps(S3_READ))
    with pytest.raises(ClientError) as info:
        iam.put_role_policy(RoleName="r", PolicyName="big", PolicyDocument=big)  # 10,240 for all of a role's
    assert _error(info) == ("LimitExceeded", 409)
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == ["first"]


def test_names_follow_the_model_pattern_and_ignore_case(iam):
    iam.create_role(RoleName="Alpha", AssumeRolePolicyDocument=TRUST)
    with pytest.raises(ClientError) as info:
        iam.create_role(RoleName="alpha", AssumeRolePolicyDocument=TRUST)
    assert _error(info) == ("EntityAlreadyExists", 409)
    assert iam.get_role(RoleName="ALPHA")["Role"]["RoleName"] == "Alpha"
    for call in (lambda: iam.create_role(RoleName="a/b c", AssumeRolePolicyDocument=TRUST),
                 lambda: iam.create_user(UserName="no spaces"),
                 lambda: iam.create_policy(PolicyName="a:b", PolicyDocument=json.dumps(S3_READ))):
        with pytest.raises(ClientError) as info:
            call()
        assert _error(info) == ("ValidationError", 400)
        assert "regular expression pattern" in info.value.response["Error"]["Message"]


def test_a_permissions_boundary_must_exist(iam):
    with pytest.raises(ClientError) as info:
        iam.create_role(RoleName="b", AssumeRolePolicyDocument=TRUST,
                        PermissionsBoundary="arn:aws:iam::000000000000:policy/none")
    assert _error(info) == ("NoSuchEntity", 404)
    arn = iam.create_policy(PolicyName="boundary", PolicyDocument=json.dumps(S3_READ))["Policy"]["Arn"]
    role = iam.create_role(RoleName="b", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=arn)["Role"]
    assert role["PermissionsBoundary"] == {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}


def test_a_marker_survives_the_deletion_of_the_role_it_follows(iam):
    for i in range(4):
        iam.create_role(RoleName=f"m{i}", AssumeRolePolicyDocument=TRUST)
    first = iam.list_roles(MaxItems=2)
    iam.delete_role(RoleName="m1")
    iam.delete_role(RoleName="m2")
    assert [r["RoleName"] for r in iam.list_roles(Marker=first["Marker"])["Roles"]] == ["m3"]


def test_model_violations_are_validation_errors(lakebox_server):
    raw = iam_client(lakebox_server, validate=False)
    with pytest.raises(ClientError) as info:
        raw.create_role(RoleName="x" * 65, AssumeRolePolicyDocument=TRUST)
    assert _error(info) == ("ValidationError", 400)


def test_inline_and_managed_policies_on_a_role(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="r", PolicyName="read", PolicyDocument=json.dumps(S3_READ))
    assert iam.list_role_policies(RoleName="r")["PolicyNames"] == ["read"]
    got = iam.get_role_policy(RoleName="r", PolicyName="read")
    assert (got["RoleName"], got["PolicyDocument"]) == ("r", S3_READ)
    arn = iam.create_policy(PolicyName="lake-write", Path="/lake/", PolicyDocument=json.dumps(S3_READ))["Policy"]["Arn"]
    assert arn == "arn:aws:iam::000000000000:policy/lake/lake-write"
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")
    attached = iam.list_attached_role_policies(RoleName="r")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["lake-write", "AWSGlueServiceRole"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["r"] and entities["PolicyUsers"] == []
    with pytest.raises(ClientError) as info:
        iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::000000000000:policy/none")
    assert _error(info) == ("NoSuchEntity", 404)
    for call in (lambda: iam.delete_role(RoleName="r"), lambda: iam.delete_policy(PolicyArn=arn)):
        with pytest.raises(ClientError) as info:
            call()
        assert _error(info) == ("DeleteConflict", 409)
    assert info.value.response["Error"]["Message"] == "Cannot delete a policy attached to entities."
    iam.detach_role_policy(RoleName="r", PolicyArn=arn)
    iam.detach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0
    with pytest.raises(ClientError) as info:
        iam.delete_role(RoleName="r")
    assert info.value.response["Error"]["Message"] == "Cannot delete entity, must delete policies first."
    iam.delete_role_policy(RoleName="r", PolicyName="read")
    iam.delete_role(RoleName="r")
    iam.delete_policy(PolicyArn=arn)
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_policy_versions(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(S3_READ))["Policy"]["Arn"]
    v2 = dict(S3_READ, Statement=[{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}])
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2), SetAsDefault=True)
    assert created["PolicyVersion"]["VersionId"] == "v2" and created["PolicyVersion"]["IsDefaultVersion"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"] == v2
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v2", "v1"]
    with pytest.raises(ClientError) as info:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert _error(info) == ("DeleteConflict", 409)
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(S3_READ))
    with pytest.raises(ClientError) as info:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(S3_READ))
    assert _error(info) == ("LimitExceeded", 409)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v5", "v4", "v3", "v1"]


def test_users_and_access_keys(iam, lakebox_server):
    user = iam.create_user(UserName="alice", Tags=[{"Key": "k", "Value": "v"}])["User"]
    assert user["Arn"] == "arn:aws:iam::000000000000:user/alice" and user["UserId"].startswith("AIDA")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20 and key["Status"] == "Active"
    # The key signs requests of its account, and GetUser answers for its user.
    alice = iam_client(lakebox_server, key["AccessKeyId"], key["SecretAccessKey"])
    assert alice.get_user()["User"]["UserName"] == "alice"
    assert iam.get_user()["User"]["Arn"] == "arn:aws:iam::000000000000:root"
    iam.create_access_key(UserName="alice")
    with pytest.raises(ClientError) as info:
        iam.create_access_key(UserName="alice")
    assert _error(info) == ("LimitExceeded", 409)
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    statuses = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]}
    assert statuses[key["AccessKeyId"]] == "Inactive" and len(statuses) == 2
    with pytest.raises(ClientError) as info:
        iam.delete_user(UserName="alice")
    assert _error(info) == ("DeleteConflict", 409)
    for key_id in statuses:
        iam.delete_access_key(UserName="alice", AccessKeyId=key_id)
    iam.delete_user(UserName="alice")
    assert iam.list_users()["Users"] == []


def test_instance_profiles_hold_one_role(iam):
    iam.create_role(RoleName="EMR_EC2_DefaultRole", AssumeRolePolicyDocument=TRUST)
    iam.create_instance_profile(InstanceProfileName="EMR_EC2_DefaultRole")
    iam.add_role_to_instance_profile(InstanceProfileName="EMR_EC2_DefaultRole", RoleName="EMR_EC2_DefaultRole")
    profile = iam.get_instance_profile(InstanceProfileName="EMR_EC2_DefaultRole")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["EMR_EC2_DefaultRole"]
    assert profile["Arn"] == "arn:aws:iam::000000000000:instance-profile/EMR_EC2_DefaultRole"
    listed = iam.list_instance_profiles_for_role(RoleName="EMR_EC2_DefaultRole")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == ["EMR_EC2_DefaultRole"]
    with pytest.raises(ClientError) as info:
        iam.delete_role(RoleName="EMR_EC2_DefaultRole")
    assert _error(info) == ("DeleteConflict", 409)
    iam.remove_role_from_instance_profile(InstanceProfileName="EMR_EC2_DefaultRole", RoleName="EMR_EC2_DefaultRole")
    iam.delete_instance_profile(InstanceProfileName="EMR_EC2_DefaultRole")
    iam.delete_role(RoleName="EMR_EC2_DefaultRole")


def test_service_linked_role(iam):
    role = iam.create_service_linked_role(AWSServiceName="elasticmapreduce.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForElasticmapreduce"
    assert role["Path"] == "/aws-service-role/elasticmapreduce.amazonaws.com/"


def test_entities_survive_a_restart_and_belong_to_their_account(tmp_path):
    with running_lakebox(tmp_path, set_env=False) as server:
        iam = iam_client(server)
        iam.create_role(RoleName="kept", AssumeRolePolicyDocument=TRUST)
        iam.create_user(UserName="u")
    other_key = Credential("OTHERKEY", "secret", "111111111111")
    with running_lakebox(tmp_path, set_env=False, credentials={"OTHERKEY": other_key}) as server:
        iam = iam_client(server)
        assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["kept"]
        assert [u["UserName"] for u in iam.list_users()["Users"]] == ["u"]
        other = iam_client(server, "OTHERKEY", "secret")
        assert other.list_roles()["Roles"] == []


def test_tags_on_roles_users_and_policies(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.create_user(UserName="u")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(S3_READ))["Policy"]["Arn"]
    calls = {
        "role": (lambda t: iam.tag_role(RoleName="r", Tags=t), lambda k: iam.untag_role(RoleName="r", TagKeys=k),
                 lambda: iam.list_role_tags(RoleName="r")),
        "user": (lambda t: iam.tag_user(UserName="u", Tags=t), lambda k: iam.untag_user(UserName="u", TagKeys=k),
                 lambda: iam.list_user_tags(UserName="u")),
        "policy": (lambda t: iam.tag_policy(PolicyArn=arn, Tags=t), lambda k: iam.untag_policy(PolicyArn=arn, TagKeys=k),
                   lambda: iam.list_policy_tags(PolicyArn=arn)),
    }
    for tag, untag, listed in calls.values():
        tag([{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        tag([{"Key": "a", "Value": "3"}])
        untag(["b"])
        assert listed()["Tags"] == [{"Key": "a", "Value": "3"}]
        with pytest.raises(ClientError) as info:
            tag([{"Key": f"k{i}", "Value": "v"} for i in range(50)])
        assert _error(info) == ("LimitExceeded", 409)
    with pytest.raises(ClientError) as info:
        iam.list_user_tags(UserName="nobody")
    assert _error(info) == ("NoSuchEntity", 404)
