"""GetAccountAuthorizationDetails: the account's users, groups, roles and managed policies with the
policies that bear on each, as audit tools read them."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                             "Principal": {"Service": "glue.amazonaws.com"}}]})
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


@pytest.fixture
def account(iam):
    iam.create_user(UserName="ana")
    iam.put_user_policy(UserName="ana", PolicyName="inline-read", PolicyDocument=json.dumps(READ))
    iam.create_group(GroupName="analysts")
    iam.add_user_to_group(GroupName="analysts", UserName="ana")
    iam.put_group_policy(GroupName="analysts", PolicyName="group-read", PolicyDocument=json.dumps(READ))
    policy = iam.create_policy(PolicyName="lake-read", PolicyDocument=json.dumps(READ), Description="reads")["Policy"]
    iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(READ), SetAsDefault=True)
    iam.attach_user_policy(UserName="ana", PolicyArn=policy["Arn"])
    iam.create_role(RoleName="glue-etl", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="glue-etl", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")
    iam.create_instance_profile(InstanceProfileName="etl-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="etl-profile", RoleName="glue-etl")
    return policy["Arn"]


def test_everything_in_one_answer(iam, account):
    details = iam.get_account_authorization_details()
    assert details["IsTruncated"] is False
    [ana] = details["UserDetailList"]
    assert (ana["UserName"], ana["GroupList"]) == ("ana", ["analysts"])
    assert ana["UserPolicyList"] == [{"PolicyName": "inline-read", "PolicyDocument": READ}]
    assert ana["AttachedManagedPolicies"] == [{"PolicyName": "lake-read", "PolicyArn": account}]
    [group] = details["GroupDetailList"]
    assert (group["GroupName"], group["GroupPolicyList"][0]["PolicyName"]) == ("analysts", "group-read")
    [role] = details["RoleDetailList"]
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST)
    assert [p["InstanceProfileName"] for p in role["InstanceProfileList"]] == ["etl-profile"]
    assert role["AttachedManagedPolicies"][0]["PolicyName"] == "AWSGlueServiceRole"
    policies = {p["Arn"]: p for p in details["Policies"]}
    local = policies[account]
    assert (local["DefaultVersionId"], local["AttachmentCount"], local["Description"]) == ("v2", 1, "reads")
    assert [(v["VersionId"], v["IsDefaultVersion"], v["Document"]) for v in local["PolicyVersionList"]] == [
        ("v1", False, READ), ("v2", True, READ)]
    glue = policies["arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"]
    assert glue["AttachmentCount"] == 1 and glue["PolicyVersionList"][0]["IsDefaultVersion"]


def test_filters_and_paging(iam, account):
    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert [r["RoleName"] for r in only_roles["RoleDetailList"]] == ["glue-etl"]
    assert only_roles["UserDetailList"] == only_roles["Policies"] == []
    local = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])["Policies"]
    assert [p["Arn"] for p in local] == [account]
    pages = list(iam.get_paginator("get_account_authorization_details").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3 and all(p["IsTruncated"] for p in pages[:-1])
    seen = [(k, item.get("UserName") or item.get("GroupName") or item.get("RoleName") or item["Arn"])
            for p in pages for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies") for item in p[k]]
    assert seen == [("UserDetailList", "ana"), ("GroupDetailList", "analysts"), ("RoleDetailList", "glue-etl"),
                    ("Policies", account), ("Policies", "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")]
    with pytest.raises(ClientError):
        iam.get_account_authorization_details(Filter=["Teapot"])
