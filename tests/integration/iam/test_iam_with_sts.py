"""IAM and STS together: assumed roles carry IAM's RoleId, and session tags are checked as STS does."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "000000000000"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]})


def _sts(server, key="test", secret="test", token=None):
    return boto3.client("sts", endpoint_url=server.endpoint_url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token)


def test_assumed_role_id_is_the_iam_role_id(iam, lakebox_server):
    role = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=TRUST)["Role"]
    assumed = _sts(lakebox_server).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    assert assumed["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:s1"
    # CreateRole shows MaxSessionDuration only when it was given; GetRole always does.
    assert "MaxSessionDuration" not in role and iam.get_role(RoleName="reader")["Role"]["MaxSessionDuration"] == 3600


@pytest.mark.parametrize("tags, transitive, message", [
    ([{"Key": "T1", "Value": "v"}], ["Other"], "The specified transitive tag key must be included in the requested tags."),
    ([{"Key": "T1", "Value": "a"}, {"Key": "t1", "Value": "b"}], [],
     "Duplicate tag keys found. Please note that Tag keys are case insensitive."),
])
def test_session_tags_are_checked(iam, lakebox_server, tags, transitive, message):
    arn = iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    with pytest.raises(ClientError) as info:
        _sts(lakebox_server).assume_role(RoleArn=arn, RoleSessionName="s0", Tags=tags, TransitiveTagKeys=transitive)
    assert info.value.response["Error"] == {"Type": "Sender", "Code": "InvalidParameterValue", "Message": message}


def test_a_chained_session_cannot_override_a_transitive_tag(iam, lakebox_server):
    arn = iam.create_role(RoleName="chain", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    first = _sts(lakebox_server).assume_role(RoleArn=arn, RoleSessionName="s1", Tags=[{"Key": "Team", "Value": "a"}],
                                             TransitiveTagKeys=["team"])["Credentials"]  # keys match without case
    chained = _sts(lakebox_server, first["AccessKeyId"], first["SecretAccessKey"], first["SessionToken"])
    for key in ("Team", "TEAM"):
        with pytest.raises(ClientError) as info:
            chained.assume_role(RoleArn=arn, RoleSessionName="s2", Tags=[{"Key": key, "Value": "b"}])
        assert info.value.response["Error"]["Message"].startswith("One of the specified transitive tag keys")
    second = chained.assume_role(RoleArn=arn, RoleSessionName="s2", Tags=[{"Key": "Other", "Value": "b"}])
    assert second["AssumedRoleUser"]["Arn"].endswith(":assumed-role/chain/s2")
