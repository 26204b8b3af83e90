"""IAM answers checked against what AWS itself answered for the same calls: the response fields of
roles, policies and service-linked roles, the wording of errors, and the operations around them
(user permissions boundaries, instance profile tags, groups, deletion of service-linked roles)."""

from __future__ import annotations

import json
from urllib.parse import quote_plus

import boto3
import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
EC2_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
LIST_FUNCTIONS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["lambda:ListFunctions"], "Resource": ["*"]}]}


def _error(info) -> tuple[str, str, int]:
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


# -- roles: which fields each operation shows ---------------------------------------------------------

def test_role_fields_differ_between_create_get_and_list(iam):
    created = iam.create_role(RoleName="described", AssumeRolePolicyDocument=json.dumps(EC2_TRUST), Path="/team/",
                              Tags=[{"Key": "test", "Value": "value"}])["Role"]
    assert set(created) == {"Arn", "AssumeRolePolicyDocument", "CreateDate", "Path", "RoleId", "RoleName", "Tags"}
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/team/described"
    assert created["AssumeRolePolicyDocument"] == EC2_TRUST

    fetched = iam.get_role(RoleName="described")["Role"]
    assert set(fetched) == set(created) | {"MaxSessionDuration", "RoleLastUsed"}
    assert (fetched["MaxSessionDuration"], fetched["RoleLastUsed"]) == (3600, {})

    listed = iam.list_roles(PathPrefix="/team/")
    assert listed["IsTruncated"] is False
    assert [set(r) for r in listed["Roles"]] == [set(created) - {"Tags"} | {"MaxSessionDuration"}]


def test_list_roles_leaves_out_the_permissions_boundary(iam):
    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=json.dumps(EC2_TRUST), Path="/b/")
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=json.dumps(LIST_FUNCTIONS))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=boundary)
    assert "PermissionsBoundary" not in iam.list_roles(PathPrefix="/b/")["Roles"][0]
    assert iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


def test_policy_documents_keep_their_own_url_encoding(iam):
    encoded_arn = quote_plus("arn:aws:apigateway:us-east-1::/restapis/aaeeieije")
    resource = f"arn:aws:apigateway:us-east-1::/tags/{encoded_arn}"
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["apigatway:PUT"], "Resource": [resource]}]}
    trust = {"Version": "2012-10-17", "Statement": [
        {"Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}, "Effect": "Allow",
         "Condition": {"StringEquals": {"aws:SourceArn": encoded_arn}}}]}
    assert iam.create_role(RoleName="enc", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "AssumeRolePolicyDocument"] == trust
    iam.put_role_policy(RoleName="enc", PolicyName="p", PolicyDocument=json.dumps(document))
    assert iam.get_role_policy(RoleName="enc", PolicyName="p")["PolicyDocument"] == document
    iam.create_group(GroupName="enc-group")
    iam.put_group_policy(GroupName="enc-group", PolicyName="p", PolicyDocument=json.dumps(document))
    got = iam.get_group_policy(GroupName="enc-group", PolicyName="p")
    assert (got["GroupName"], got["PolicyName"], got["PolicyDocument"]) == ("enc-group", "p", document)


# -- policies: errors in AWS's words ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["role", "user"])
def test_attaching_something_that_is_not_an_arn_is_a_validation_error(iam, kind):
    if kind == "role":
        iam.create_role(RoleName="holder", AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
        attach = lambda arn: iam.attach_role_policy(RoleName="holder", PolicyArn=arn)  # noqa: E731
    else:
        iam.create_user(UserName="holder")
        attach = lambda arn: iam.attach_user_policy(UserName="holder", PolicyArn=arn)  # noqa: E731
    arn = iam.create_policy(PolicyName="test-policy-to-attach", PolicyDocument=json.dumps(LIST_FUNCTIONS))["Policy"]["Arn"]
    for not_an_arn in ("longpolicynamebutnoarn", "test-policy-to-attach"):
        with pytest.raises(ClientError) as info:
            attach(not_an_arn)
        assert _error(info) == ("ValidationError", "Invalid ARN:  Could not be parsed!", 400)
    with pytest.raises(ClientError) as info:
        attach(f"{arn}123")
    assert _error(info) == ("NoSuchEntity", f"Policy {arn}123 does not exist or is not attachable.", 404)
    attach(arn)


def test_deleting_a_missing_policy_says_it_was_not_found(iam):
    arn = f"arn:aws:iam::{ACCOUNT}:policy/non-existent-policy"
    with pytest.raises(ClientError) as info:
        iam.delete_policy(PolicyArn=arn)
    assert _error(info) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)


def test_create_policy_shows_no_description_or_tags_it_was_not_given(iam):
    policy = iam.create_policy(PolicyName="plain", PolicyDocument=json.dumps(LIST_FUNCTIONS))["Policy"]
    assert set(policy) == {"Arn", "AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable", "Path",
                           "PermissionsBoundaryUsageCount", "PolicyId", "PolicyName", "UpdateDate"}
    assert (policy["DefaultVersionId"], policy["Path"], policy["AttachmentCount"]) == ("v1", "/", 0)


def test_each_policy_operation_shows_its_own_subset(iam):
    """CreatePolicy never shows the description and shows tags only if given; GetPolicy shows both,
    tags even when there are none; ListPolicies neither (moto's AWS-verified test)."""
    tags = [{"Key": "team", "Value": "lake"}]
    created = iam.create_policy(PolicyName="described", Path="/subset/", PolicyDocument=json.dumps(LIST_FUNCTIONS),
                                Description="reads functions", Tags=tags)["Policy"]
    assert "Description" not in created and created["Tags"] == tags
    got = iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert (got["Description"], got["Tags"]) == ("reads functions", tags)
    plain = iam.create_policy(PolicyName="plain", Path="/subset/", PolicyDocument=json.dumps(LIST_FUNCTIONS))["Policy"]
    got_plain = iam.get_policy(PolicyArn=plain["Arn"])["Policy"]
    assert "Description" not in got_plain and got_plain["Tags"] == []
    listed = iam.list_policies(PathPrefix="/subset/")["Policies"]
    assert [p["PolicyName"] for p in listed] == ["described", "plain"]
    assert not any("Description" in p or "Tags" in p for p in listed)


# -- users ----------------------------------------------------------------------------------------------

def test_user_permissions_boundary_can_be_put_and_deleted(iam):
    boundary = iam.create_policy(PolicyName="user-boundary", PolicyDocument=json.dumps(LIST_FUNCTIONS))["Policy"]["Arn"]
    expected = {"PermissionsBoundaryArn": boundary, "PermissionsBoundaryType": "Policy"}
    assert iam.create_user(UserName="bounded", PermissionsBoundary=boundary)["User"]["PermissionsBoundary"] == expected
    iam.delete_user_permissions_boundary(UserName="bounded")
    assert "PermissionsBoundary" not in iam.get_user(UserName="bounded")["User"]
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=boundary)
    assert iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"] == expected
    with pytest.raises(ClientError) as info:
        iam.put_user_permissions_boundary(UserName="nobody", PermissionsBoundary=boundary)
    assert _error(info) == ("NoSuchEntity", "The user with name nobody cannot be found.", 404)


def test_get_user_without_a_name_needs_user_credentials(iam, lakebox_server):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="caller", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    sts = boto3.client("sts", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="session")["Credentials"]
    as_role = boto3.client("iam", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                           aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
    for call in (as_role.get_user, as_role.list_access_keys):
        with pytest.raises(ClientError) as info:
            call()
        assert _error(info) == ("ValidationError", "Must specify userName when calling with non-User credentials", 400)
    iam.create_user(UserName="someone")
    assert as_role.get_user(UserName="someone")["User"]["UserName"] == "someone"  # naming the user is fine


def test_get_user_without_a_name_answers_for_the_calling_user(iam, lakebox_server):
    iam.create_user(UserName="caller")
    key = iam.create_access_key(UserName="caller")["AccessKey"]

    def client(service, **credentials):
        return boto3.client(service, endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1", **credentials)

    as_user = client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert as_user.get_user()["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/caller"
    # A session the user's key opened with GetSessionToken still acts as the user.
    session = client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
                     ).get_session_token()["Credentials"]
    as_session = client("iam", aws_access_key_id=session["AccessKeyId"], aws_secret_access_key=session["SecretAccessKey"],
                        aws_session_token=session["SessionToken"])
    assert as_session.get_user()["User"]["UserName"] == "caller"


# -- instance profiles ----------------------------------------------------------------------------------

def test_instance_profile_tags_merge_overwrite_and_untag(iam):
    iam.create_instance_profile(InstanceProfileName="tagged")
    assert iam.list_instance_profile_tags(InstanceProfileName="tagged")["Tags"] == []
    iam.tag_instance_profile(InstanceProfileName="tagged", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_instance_profile(InstanceProfileName="tagged", Tags=[{"Key": "a", "Value": "3"}, {"Key": "c", "Value": "4"}])
    tags = iam.list_instance_profile_tags(InstanceProfileName="tagged")["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("a", "3"), ("b", "2"), ("c", "4")]
    iam.untag_instance_profile(InstanceProfileName="tagged", TagKeys=["a", "never-set"])
    tags = iam.list_instance_profile_tags(InstanceProfileName="tagged")["Tags"]
    assert sorted(t["Key"] for t in tags) == ["b", "c"]
    assert {"Key": "b", "Value": "2"} in iam.get_instance_profile(InstanceProfileName="tagged")["InstanceProfile"]["Tags"]
    with pytest.raises(ClientError) as info:
        iam.list_instance_profile_tags(InstanceProfileName="missing")
    assert _error(info) == ("NoSuchEntity", "Instance Profile missing cannot be found.", 404)


# -- service-linked roles -------------------------------------------------------------------------------

@pytest.mark.parametrize("service, role_name, policy_name", [
    ("redshift.amazonaws.com", "AWSServiceRoleForRedshift", "AmazonRedshiftServiceLinkedRolePolicy"),
    ("emr-containers.amazonaws.com", "AWSServiceRoleForAmazonEMRContainers", "AmazonEMRContainersServiceRolePolicy"),
    ("lakeformation.amazonaws.com", "AWSServiceRoleForLakeFormationDataAccess",
     "LakeFormationDataAccessServiceRolePolicy"),
    ("ops.emr-serverless.amazonaws.com", "AWSServiceRoleForAmazonEMRServerless", "AmazonEMRServerlessServiceRolePolicy"),
])
def test_service_linked_roles_get_aws_names_and_policies(iam, service, role_name, policy_name):
    assert iam.create_service_linked_role(AWSServiceName=service)["Role"]["RoleName"] == role_name
    role = iam.get_role(RoleName=role_name)["Role"]
    assert role["Path"] == f"/aws-service-role/{service}/"
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{service}/{role_name}"
    assert role["AssumeRolePolicyDocument"] == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
    assert (role["MaxSessionDuration"], role["RoleLastUsed"]) == (3600, {})
    assert iam.list_role_policies(RoleName=role_name)["PolicyNames"] == []
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == [
        {"PolicyName": policy_name, "PolicyArn": f"arn:aws:iam::aws:policy/aws-service-role/{policy_name}"}]


def test_a_service_linked_role_is_created_once(iam):
    iam.create_service_linked_role(AWSServiceName="batch.amazonaws.com")
    with pytest.raises(ClientError) as info:
        iam.create_service_linked_role(AWSServiceName="batch.amazonaws.com")
    assert _error(info) == ("InvalidInput", "Service role name AWSServiceRoleForBatch has been taken in this account, "
                                            "please try a different suffix.", 400)


def test_custom_suffixes_only_where_the_service_allows_them(iam):
    with pytest.raises(ClientError) as info:
        iam.create_service_linked_role(AWSServiceName="redshift.amazonaws.com", CustomSuffix="testsuffix")
    assert _error(info) == ("InvalidInput", "Custom suffix is not allowed for redshift.amazonaws.com", 400)
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="fleet")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling_fleet"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"


def test_deleting_a_service_linked_role_reports_a_finished_task(iam):
    iam.create_service_linked_role(AWSServiceName="batch.amazonaws.com")
    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForBatch")["DeletionTaskId"]
    prefix = "task/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch/"
    assert task.startswith(prefix) and len(task) == len(prefix) + 36  # a UUID
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as info:
        iam.get_role(RoleName="AWSServiceRoleForBatch")
    assert _error(info)[0] == "NoSuchEntity"
    iam.create_role(RoleName="ordinary", AssumeRolePolicyDocument=json.dumps(EC2_TRUST))
    with pytest.raises(ClientError) as info:
        iam.delete_service_linked_role(RoleName="ordinary")
    assert _error(info)[0] == "InvalidInput"


# -- groups ---------------------------------------------------------------------------------------------

def test_group_lifecycle_with_members_and_policies(iam):
    group = iam.create_group(GroupName="analysts", Path="/data/")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/data/analysts" and group["GroupId"].startswith("AGPA")
    with pytest.raises(ClientError) as info:
        iam.create_group(GroupName="Analysts")
    assert _error(info) == ("EntityAlreadyExists", "Group with name Analysts already exists.", 409)
    iam.create_user(UserName="ana")
    iam.add_user_to_group(GroupName="analysts", UserName="ana")
    policy = iam.create_policy(PolicyName="read", PolicyDocument=json.dumps(LIST_FUNCTIONS))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="analysts", PolicyArn=policy)
    assert iam.get_policy(PolicyArn=policy)["Policy"]["AttachmentCount"] == 1
    assert iam.list_entities_for_policy(PolicyArn=policy)["PolicyGroups"] == [
        {"GroupName": "analysts", "GroupId": group["GroupId"]}]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="ana")["Groups"]] == ["analysts"]

    # A rename keeps the membership; the member and the group are protected while they are linked.
    iam.update_user(UserName="ana", NewUserName="anna")
    assert [u["UserName"] for u in iam.get_group(GroupName="analysts")["Users"]] == ["anna"]
    with pytest.raises(ClientError) as info:
        iam.delete_user(UserName="anna")
    assert _error(info) == ("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
    with pytest.raises(ClientError) as info:
        iam.delete_group(GroupName="analysts")
    assert _error(info) == ("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
    iam.remove_user_from_group(GroupName="analysts", UserName="anna")
    with pytest.raises(ClientError) as info:
        iam.delete_group(GroupName="analysts")
    assert _error(info) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    iam.detach_group_policy(GroupName="analysts", PolicyArn=policy)
    iam.delete_group(GroupName="analysts")
    with pytest.raises(ClientError) as info:
        iam.get_group(GroupName="analysts")
    assert _error(info) == ("NoSuchEntity", "The group with name analysts cannot be found.", 404)
    iam.delete_user(UserName="anna")
