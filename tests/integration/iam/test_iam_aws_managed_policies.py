"""AWS managed policies: the data stack's ones answer with AWS's published path, version and document."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

GLUE_ROLE = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
S3_FULL = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def test_a_known_policy_reads_back_with_its_default_version_and_document(iam):
    policy = iam.get_policy(PolicyArn=S3_FULL)["Policy"]
    assert (policy["PolicyName"], policy["Path"], policy["DefaultVersionId"]) == ("AmazonS3FullAccess", "/", "v2")
    assert policy["AttachmentCount"] == 0 and policy["IsAttachable"]
    version = iam.get_policy_version(PolicyArn=S3_FULL, VersionId="v2")["PolicyVersion"]
    assert version["IsDefaultVersion"] and version["VersionId"] == "v2"
    assert version["Document"]["Statement"] == [
        {"Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*", "Effect": "Allow"}]
    listed = iam.list_policy_versions(PolicyArn=S3_FULL)["Versions"]
    assert [v["VersionId"] for v in listed] == ["v2"]


def test_the_emr_instance_role_policy_document_names_glue_and_s3(iam):
    arn = "arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role"
    default = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    actions = iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]["Document"]["Statement"][0]
    assert "s3:*" in actions["Action"] and "glue:GetTable" in actions["Action"]


def test_attachments_count_and_list_entities(iam):
    iam.create_role(RoleName="crawler", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="crawler", PolicyArn=GLUE_ROLE)
    assert iam.get_policy(PolicyArn=GLUE_ROLE)["Policy"]["AttachmentCount"] == 1
    entities = iam.list_entities_for_policy(PolicyArn=GLUE_ROLE)
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["crawler"]
    attached = iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
    assert [p["Arn"] for p in attached] == [GLUE_ROLE]


def test_listing_by_scope_and_path(iam):
    iam.create_policy(PolicyName="mine", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    aws = [p["Arn"] for p in iam.list_policies(Scope="AWS")["Policies"]]
    assert S3_FULL in aws and GLUE_ROLE in aws and all(":iam::aws:" in a for a in aws)
    local = [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert local == ["mine"]
    everything = [p["PolicyName"] for p in iam.list_policies()["Policies"]]
    assert "mine" in everything and "AmazonS3FullAccess" in everything
    service_roles = [p["PolicyName"] for p in iam.list_policies(Scope="AWS", PathPrefix="/service-role/")["Policies"]]
    assert "AWSGlueServiceRole" in service_roles and "AmazonS3FullAccess" not in service_roles


def test_a_known_policy_under_the_wrong_path_does_not_exist(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    wrong = "arn:aws:iam::aws:policy/AWSGlueServiceRole"  # it lives under /service-role/
    for call in (lambda: iam.get_policy(PolicyArn=wrong),
                 lambda: iam.attach_role_policy(RoleName="r", PolicyArn=wrong)):
        with pytest.raises(ClientError) as info:
            call()
        assert info.value.response["Error"]["Code"] == "NoSuchEntity"
        assert info.value.response["Error"]["Message"] == f"Policy {wrong} does not exist or is not attachable."


def test_an_unknown_aws_policy_attaches_but_has_no_document(iam):
    arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    with pytest.raises(ClientError) as info:
        iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    assert info.value.response["Error"]["Code"] == "NoSuchEntity"


def test_a_version_aws_does_not_publish_is_no_such_entity(iam):
    with pytest.raises(ClientError) as info:
        iam.get_policy_version(PolicyArn=S3_FULL, VersionId="v1")
    assert info.value.response["Error"]["Message"] == f"Policy {S3_FULL} version v1 does not exist or is not attachable."
