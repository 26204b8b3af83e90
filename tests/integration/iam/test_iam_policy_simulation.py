"""The policy simulator: decisions computed from the stored policies, in the shape AWS answers."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

PUT_OBJECT = json.dumps({"Version": "2012-10-17",
                         "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": {
    "Sid": "", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}})
BUCKET = "arn:aws:s3:::bucket"


def _principal(iam, kind: str, policy_arn: str) -> str:
    if kind == "role":
        arn = iam.create_role(RoleName="sim", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        iam.attach_role_policy(RoleName="sim", PolicyArn=policy_arn)
    elif kind == "group":
        arn = iam.create_group(GroupName="sim")["Group"]["Arn"]
        iam.attach_group_policy(GroupName="sim", PolicyArn=policy_arn)
    else:
        arn = iam.create_user(UserName="sim")["User"]["Arn"]
        iam.attach_user_policy(UserName="sim", PolicyArn=policy_arn)
    return arn


@pytest.mark.parametrize("kind", ["role", "group", "user"])
def test_simulate_principal_policy_answers_per_action(iam, kind):
    policy = iam.create_policy(PolicyName="sim-policy", PolicyDocument=PUT_OBJECT)["Policy"]["Arn"]
    arn = _principal(iam, kind, policy)
    response = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:PutObject", "s3:GetObjectVersion"],
                                             ResourceArns=[BUCKET])
    assert response["IsTruncated"] is False
    allowed, denied = response["EvaluationResults"]
    # The statement spans columns 41..113 of the one-line document, as AWS reports it.
    matched = [{"SourcePolicyId": "sim-policy", "SourcePolicyType": "IAM Policy",
                "StartPosition": {"Line": 1, "Column": 41}, "EndPosition": {"Line": 1, "Column": 113}}]
    assert allowed == {
        "EvalActionName": "s3:PutObject", "EvalResourceName": BUCKET, "EvalDecision": "allowed",
        "EvalDecisionDetails": {}, "MatchedStatements": matched, "MissingContextValues": [],
        "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
        "ResourceSpecificResults": [{"EvalResourceDecision": "allowed", "EvalResourceName": BUCKET,
                                     "MatchedStatements": matched, "MissingContextValues": []}]}
    assert (denied["EvalActionName"], denied["EvalDecision"], denied["MatchedStatements"]) == \
        ("s3:GetObjectVersion", "implicitDeny", [])


def test_a_users_group_policies_count_and_an_explicit_deny_wins(iam):
    iam.create_user(UserName="member")
    iam.create_group(GroupName="readers")
    iam.add_user_to_group(GroupName="readers", UserName="member")
    iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::lake/*"}]}))
    iam.put_user_policy(UserName="member", PolicyName="no-secrets", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::lake/secret/*"}]}))
    arn = iam.get_user(UserName="member")["User"]["Arn"]
    decisions = {resource: iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["S3:GetObject"],
                                                         ResourceArns=[resource])["EvaluationResults"][0]["EvalDecision"]
                 for resource in ("arn:aws:s3:::lake/data/a.csv", "arn:aws:s3:::lake/secret/k", "arn:aws:s3:::other/x")}
    assert decisions == {"arn:aws:s3:::lake/data/a.csv": "allowed", "arn:aws:s3:::lake/secret/k": "explicitDeny",
                         "arn:aws:s3:::other/x": "implicitDeny"}


def test_a_permissions_boundary_limits_what_is_allowed(iam):
    boundary = iam.create_policy(PolicyName="only-get", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=TRUST,
                    PermissionsBoundary=boundary["Policy"]["Arn"])
    iam.put_role_policy(RoleName="bounded", PolicyName="all-s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    arn = iam.get_role(RoleName="bounded")["Role"]["Arn"]
    results = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:PutObject"])[
        "EvaluationResults"]
    assert [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"],
             r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"]) for r in results] == [
        ("s3:GetObject", "*", "allowed", True), ("s3:PutObject", "*", "implicitDeny", False)]


def test_simulate_custom_policy_checks_conditions_against_the_context(iam):
    deny_for_x = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:*", "Resource": BUCKET, "Condition": {"StringEquals": {"aws:username": "x"}}}]})

    def decide(**context):
        entries = [{"ContextKeyName": k.replace("_", ":"), "ContextKeyValues": [v], "ContextKeyType": "string"}
                   for k, v in context.items()]
        result = iam.simulate_custom_policy(PolicyInputList=[PUT_OBJECT, deny_for_x], ActionNames=["s3:PutObject"],
                                            ResourceArns=[BUCKET], ContextEntries=entries)["EvaluationResults"][0]
        return result["EvalDecision"], result["MissingContextValues"]

    assert decide(aws_username="x") == ("explicitDeny", [])
    assert decide(aws_username="y") == ("allowed", [])
    assert decide() == ("allowed", ["aws:username"])


def test_simulating_a_missing_principal_is_no_such_entity(iam):
    with pytest.raises(ClientError) as info:
        iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::000000000000:user/nobody", ActionNames=["s3:Get*"])
    assert info.value.response["Error"]["Code"] == "NoSuchEntity"
    assert info.value.response["Error"]["Message"] == "The user with name nobody cannot be found."
