"""CloudWatch Logs answers whose shape and wording follow responses recorded from AWS (2026):
resource policies' revision ids, DescribeMetricFilters' order and members, and the messages of
CloudWatch Logs' own input checks."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "Route53LogsToCloudWatchLogs", "Effect": "Allow", "Principal": {"Service": ["route53.amazonaws.com"]},
    "Action": "logs:PutLogEvents", "Resource": "log_arn"}]})


def error_of(excinfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def group_arn(logs, name: str) -> str:
    return logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["logGroupArn"]


# -- resource policies ------------------------------------------------------------------------------

def test_account_policy_put_answers_without_revision_id(logs):
    out = logs.put_resource_policy(policyName="route53", policyDocument=POLICY)
    out.pop("ResponseMetadata")
    assert set(out) == {"resourcePolicy"}
    policy = out["resourcePolicy"]
    assert set(policy) == {"policyName", "policyDocument", "lastUpdatedTime", "policyScope"}
    assert (policy["policyName"], policy["policyDocument"], policy["policyScope"]) == ("route53", POLICY, "ACCOUNT")


def test_account_policies_are_described_without_revision_ids(logs):
    for i in range(3):
        logs.put_resource_policy(policyName=f"p-{i}", policyDocument=POLICY)
    logs.put_resource_policy(policyName="p-1", policyDocument='{"Statement": []}')  # an update
    policies = logs.describe_resource_policies()["resourcePolicies"]
    assert [p["policyName"] for p in policies] == ["p-0", "p-1", "p-2"]
    for policy in policies:
        assert set(policy) == {"policyName", "policyDocument", "lastUpdatedTime", "policyScope"}
        assert policy["policyScope"] == "ACCOUNT"


def test_resource_scoped_policy_keeps_its_revision_id(logs):
    logs.create_log_group(logGroupName="/scoped")
    arn = group_arn(logs, "/scoped")
    out = logs.put_resource_policy(resourceArn=arn, policyDocument=POLICY)
    revision = out["revisionId"]
    assert out["resourcePolicy"]["revisionId"] == revision
    assert (out["resourcePolicy"]["resourceArn"], out["resourcePolicy"]["policyScope"]) == (arn, "RESOURCE")
    [described] = logs.describe_resource_policies(resourceArn=arn, policyScope="RESOURCE")["resourcePolicies"]
    assert described["revisionId"] == revision
    updated = logs.put_resource_policy(resourceArn=arn, policyDocument="{}", expectedRevisionId=revision)
    assert updated["revisionId"] not in (None, revision)
    assert updated["resourcePolicy"]["revisionId"] == updated["revisionId"]


def test_delete_unknown_resource_policy_message_ends_with_a_period(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.delete_resource_policy(policyName="non-existent")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "Policy with name [non-existent] does not exist.")


# -- metric filters ---------------------------------------------------------------------------------

def put_filter(logs, group: str, name: str, **options):
    logs.put_metric_filter(logGroupName=group, filterName=name, filterPattern="pattern",
                           metricTransformations=[{"metricNamespace": "ns", "metricName": "m", "metricValue": "1"}],
                           **options)


def test_described_metric_filter_shows_apply_on_transformed_logs_false(logs):
    logs.create_log_group(logGroupName="/g")
    put_filter(logs, "/g", "f")
    [found] = logs.describe_metric_filters(logGroupName="/g")["metricFilters"]
    assert found == {"filterName": "f", "filterPattern": "pattern", "logGroupName": "/g",
                     "metricTransformations": [{"metricNamespace": "ns", "metricName": "m", "metricValue": "1"}],
                     "creationTime": found["creationTime"], "applyOnTransformedLogs": False}


def test_apply_on_transformed_logs_set_by_the_put_is_kept(logs):
    logs.create_log_group(logGroupName="/g")
    put_filter(logs, "/g", "f", applyOnTransformedLogs=True)
    [found] = logs.describe_metric_filters(logGroupName="/g")["metricFilters"]
    assert found["applyOnTransformedLogs"] is True


def test_metric_filters_are_sorted_by_filter_name_across_groups(logs):
    # The group of the first filter sorts last, so an order by group would differ.
    logs.create_log_group(logGroupName="z-group")
    logs.create_log_group(logGroupName="a-group")
    put_filter(logs, "z-group", "prefix-0")
    put_filter(logs, "a-group", "prefix-1")
    put_filter(logs, "a-group", "prefix-0")
    found = logs.describe_metric_filters()["metricFilters"]
    assert [(f["filterName"], f["logGroupName"]) for f in found] == [
        ("prefix-0", "a-group"), ("prefix-0", "z-group"), ("prefix-1", "a-group")]
    first = logs.describe_metric_filters(limit=1)
    rest = logs.describe_metric_filters(nextToken=first["nextToken"])
    assert [(f["filterName"], f["logGroupName"]) for f in first["metricFilters"] + rest["metricFilters"]] == [
        ("prefix-0", "a-group"), ("prefix-0", "z-group"), ("prefix-1", "a-group")]


# -- input errors in CloudWatch Logs' own words ------------------------------------------------------

NAME_TOO_LONG = ("InvalidParameterException", 400,
                 "Invalid LogGroup or LogStream, both must have length less than or equal to 512.")


def test_create_log_group_with_a_name_over_512_characters(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName="a" * 513)
    assert error_of(excinfo) == NAME_TOO_LONG


def test_delete_metric_filter_with_a_group_name_over_512_characters(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.delete_metric_filter(logGroupName="X" * 513, filterName="valid-filter")
    assert error_of(excinfo) == NAME_TOO_LONG


def test_create_log_stream_with_a_stream_name_over_512_characters(logs):
    logs.create_log_group(logGroupName="/g")
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName="/g", logStreamName="s" * 513)
    assert error_of(excinfo) == NAME_TOO_LONG


def test_other_members_over_their_length_keep_the_generic_message(logs):
    logs.create_log_group(logGroupName="/g")
    with pytest.raises(ClientError) as excinfo:
        logs.delete_metric_filter(logGroupName="/g", filterName="X" * 513)
    assert error_of(excinfo) == ("InvalidParameterException", 400,
                                 f"1 validation error detected: Value '{'X' * 513}' at 'filterName' failed to "
                                 "satisfy constraint: Member must have length less than or equal to 512")


def test_put_metric_filter_with_two_transformations_prints_them_as_aws_does(logs):
    logs.create_log_group(logGroupName="/g")
    with pytest.raises(ClientError) as excinfo:
        logs.put_metric_filter(logGroupName="/g", filterName="valid-filter", filterPattern="pattern",
                               metricTransformations=[
                                   {"metricNamespace": "namespace1", "metricName": "metric1", "metricValue": "1"},
                                   {"metricNamespace": "namespace2", "metricName": "metric2", "metricValue": "1",
                                    "defaultValue": 0.0, "unit": "Count", "dimensions": {"k": "$.v"}}])
    assert error_of(excinfo) == (
        "InvalidParameterException", 400,
        "1 validation error detected: Value '[MetricTransformation(metricName=metric1, metricNamespace=namespace1, "
        "metricValue=1, defaultValue=null, unit=null, dimensions=null), MetricTransformation(metricName=metric2, "
        "metricNamespace=namespace2, metricValue=1, defaultValue=0.0, unit=Count, dimensions={k=$.v})]' at "
        "'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1")
