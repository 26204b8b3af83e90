"""CloudWatch Logs answers that follow AWS's recorded responses (2026): resource policies as
DescribeResourcePolicies shows them, and the vended-log delivery API (delivery destinations and their
policies, delivery sources, deliveries), which lakebox keeps as configuration."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from lakebox.testing import running_lakebox

ACCOUNT = "000000000000"
PREFIX = f"arn:aws:logs:us-east-1:{ACCOUNT}"
DISTRIBUTION = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1Q5F5862X9VJ5"
SOURCE_MISSING = "Requested Delivery Source does not exist in this account."
DESTINATION_MISSING = "Requested Delivery Destination does not exist in this account."
DELIVERY_MISSING = "Requested Delivery does not exist in this account."


def error_of(excinfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def body(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def s3_destination(logs, name: str, bucket: str = "log-bucket", **options) -> dict:
    return logs.put_delivery_destination(
        name=name, deliveryDestinationConfiguration={"destinationResourceArn": f"arn:aws:s3:::{bucket}"}, **options)


# -- resource policies ------------------------------------------------------------------------------

def test_described_resource_policy_is_in_the_form_aws_keeps(logs):
    written = ('{"Statement":[{"Action":"logs:*","Effect":"Allow",'
               '"Principal":{"Service": ["route53.amazonaws.com"]},"Resource":"*"}]}')
    put = logs.put_resource_policy(policyName="p", policyDocument=written)
    assert put["resourcePolicy"]["policyDocument"] == written  # the put echoes what was sent
    [described] = logs.describe_resource_policies()["resourcePolicies"]
    document = described["policyDocument"]
    assert json.loads(document) == {"Version": "2008-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"}, "Action": "logs:*", "Resource": "*"}]}
    assert list(json.loads(document)) == ["Version", "Statement"]
    assert list(json.loads(document)["Statement"][0]) == ["Effect", "Principal", "Action", "Resource"]


def test_described_policy_keeps_its_version_and_longer_principal_lists(logs):
    written = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Route53LogsToCloudWatchLogs", "Effect": "Allow",
        "Principal": {"Service": ["route53.amazonaws.com"], "AWS": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]},
        "Action": "logs:PutLogEvents", "Resource": "log_arn"}]})
    logs.put_resource_policy(policyName="p", policyDocument=written)
    [described] = logs.describe_resource_policies()["resourcePolicies"]
    statement = json.loads(described["policyDocument"])["Statement"][0]
    assert json.loads(described["policyDocument"])["Version"] == "2012-10-17"
    assert statement["Principal"] == {"Service": "route53.amazonaws.com",
                                      "AWS": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]}


def test_policy_already_in_kept_form_is_described_as_written(logs):
    written = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"}, "Action": "logs:*", "Resource": "*"}]})
    logs.put_resource_policy(policyName="p", policyDocument=written)
    assert logs.describe_resource_policies()["resourcePolicies"][0]["policyDocument"] == written


# -- delivery destinations --------------------------------------------------------------------------

def test_put_delivery_destination_answers_without_tags(logs):
    out = s3_destination(logs, "dd", outputFormat="json", tags={"key1": "value1"})
    assert body(out) == {"deliveryDestination": {
        "name": "dd", "arn": f"{PREFIX}:delivery-destination:dd", "deliveryDestinationType": "S3",
        "outputFormat": "json", "deliveryDestinationConfiguration": {"destinationResourceArn": "arn:aws:s3:::log-bucket"}}}
    tags = logs.list_tags_for_resource(resourceArn=f"{PREFIX}:delivery-destination:dd")["tags"]
    assert tags == {"key1": "value1"}


def test_put_delivery_destination_with_unknown_format_is_a_validation_exception(logs):
    with pytest.raises(ClientError) as excinfo:
        s3_destination(logs, "dd", outputFormat="foobar")
    assert error_of(excinfo) == (
        "ValidationException", 400, "1 validation error detected: Value 'foobar' at 'outputFormat' failed to satisfy "
                                    "constraint: Member must satisfy enum value set: [w3c, raw, json, plain, parquet]")
    assert logs.describe_delivery_destinations()["deliveryDestinations"] == []


def test_put_delivery_destination_again_replaces_it(logs):
    s3_destination(logs, "dd", outputFormat="json")
    updated = s3_destination(logs, "dd", bucket="second-bucket")["deliveryDestination"]
    expected = {"name": "dd", "arn": f"{PREFIX}:delivery-destination:dd", "deliveryDestinationType": "S3",
                "deliveryDestinationConfiguration": {"destinationResourceArn": "arn:aws:s3:::second-bucket"}}
    assert updated == expected
    assert logs.get_delivery_destination(name="dd")["deliveryDestination"] == expected


def test_destination_types_follow_the_resource_arn(logs):
    logs.put_delivery_destination(name="to-logs", deliveryDestinationConfiguration={
        "destinationResourceArn": f"{PREFIX}:log-group:/vended"})
    logs.put_delivery_destination(name="to-firehose", deliveryDestinationConfiguration={
        "destinationResourceArn": f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/fh"})
    logs.put_delivery_destination(name="to-xray", deliveryDestinationType="XRAY")
    found = logs.describe_delivery_destinations()["deliveryDestinations"]
    assert [(d["name"], d["deliveryDestinationType"]) for d in found] == [
        ("to-logs", "CWL"), ("to-firehose", "FH"), ("to-xray", "XRAY")]


def test_describe_delivery_destinations_lists_in_creation_order_and_pages(logs):
    for name in ("dd-b", "dd-a", "dd-c"):
        s3_destination(logs, name)
    first = logs.describe_delivery_destinations(limit=2)
    assert [d["name"] for d in first["deliveryDestinations"]] == ["dd-b", "dd-a"]
    rest = logs.describe_delivery_destinations(limit=2, nextToken=first["nextToken"])
    assert [d["name"] for d in rest["deliveryDestinations"]] == ["dd-c"] and "nextToken" not in rest
    assert all("tags" not in d for d in first["deliveryDestinations"])


@pytest.mark.parametrize("call", ["get", "delete"])
def test_missing_delivery_destination_is_resource_not_found(logs, call):
    with pytest.raises(ClientError) as excinfo:
        getattr(logs, f"{call}_delivery_destination")(name="foobar")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, DESTINATION_MISSING)


def test_deleted_delivery_destination_is_gone(logs):
    s3_destination(logs, "dd")
    assert body(logs.delete_delivery_destination(name="dd")) == {}
    with pytest.raises(ClientError) as excinfo:
        logs.get_delivery_destination(name="dd")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, DESTINATION_MISSING)


def test_delivery_destination_policy_put_get_and_delete(logs):
    s3_destination(logs, "dd")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowLogDeliveryActions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "logs:CreateDelivery",
        "Resource": [f"{PREFIX}:delivery-source:*", f"{PREFIX}:delivery:*", f"{PREFIX}:delivery-destination:*"]}]})
    put = logs.put_delivery_destination_policy(deliveryDestinationName="dd", deliveryDestinationPolicy=policy)
    assert body(put) == {"policy": {"deliveryDestinationPolicy": policy}}
    got = logs.get_delivery_destination_policy(deliveryDestinationName="dd")
    assert body(got) == {"policy": {"deliveryDestinationPolicy": policy}}
    logs.delete_delivery_destination_policy(deliveryDestinationName="dd")
    assert body(logs.get_delivery_destination_policy(deliveryDestinationName="dd")) == {"policy": {}}


def test_policy_of_a_missing_delivery_destination_is_resource_not_found(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.put_delivery_destination_policy(deliveryDestinationName="nope", deliveryDestinationPolicy="{}")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, DESTINATION_MISSING)


# -- delivery sources -------------------------------------------------------------------------------

def test_s3_bucket_cannot_be_a_delivery_source(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.put_delivery_source(name="ds", resourceArn="arn:aws:s3:::test-s3-bucket", logType="ACCESS_LOGS")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "Cannot access provided service.")


def test_missing_delivery_source_is_resource_not_found(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.get_delivery_source(name="foobar")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, SOURCE_MISSING)


def test_delivery_source_shows_its_tags_only_in_the_put_answer(logs):
    put = logs.put_delivery_source(name="ds", resourceArn=DISTRIBUTION, logType="ACCESS_LOGS", tags={"key1": "value1"})
    source = {"name": "ds", "arn": f"{PREFIX}:delivery-source:ds", "resourceArns": [DISTRIBUTION],
              "service": "cloudfront", "logType": "ACCESS_LOGS"}
    assert body(put) == {"deliverySource": {**source, "tags": {"key1": "value1"}}}
    assert logs.get_delivery_source(name="ds")["deliverySource"] == source
    assert logs.describe_delivery_sources()["deliverySources"] == [source]
    logs.delete_delivery_source(name="ds")
    assert logs.describe_delivery_sources()["deliverySources"] == []


# -- deliveries -------------------------------------------------------------------------------------

@pytest.fixture
def source_and_destination(logs):
    logs.put_delivery_source(name="ds", resourceArn=DISTRIBUTION, logType="ACCESS_LOGS")
    s3_destination(logs, "dd")
    return f"{PREFIX}:delivery-destination:dd"


def test_create_delivery_echoes_its_settings_and_tags(logs, source_and_destination):
    out = logs.create_delivery(
        deliverySourceName="ds", deliveryDestinationArn=source_and_destination, recordFields=["date"],
        fieldDelimiter=",", s3DeliveryConfiguration={"suffixPath": f"AWSLogs/{ACCOUNT}/CloudFront/",
                                                     "enableHiveCompatiblePath": True},
        tags={"key1": "value1"})["delivery"]
    delivery_id = out["id"]
    assert delivery_id.isalnum()
    assert out == {"id": delivery_id, "arn": f"{PREFIX}:delivery:{delivery_id}", "deliverySourceName": "ds",
                   "deliveryDestinationArn": source_and_destination, "deliveryDestinationType": "S3",
                   "recordFields": ["date"], "fieldDelimiter": ",",
                   "s3DeliveryConfiguration": {"suffixPath": f"AWSLogs/{ACCOUNT}/CloudFront/",
                                               "enableHiveCompatiblePath": True},
                   "tags": {"key1": "value1"}}
    without_tags = {k: v for k, v in out.items() if k != "tags"}
    assert logs.get_delivery(id=delivery_id)["delivery"] == without_tags
    assert logs.list_tags_for_resource(resourceArn=out["arn"])["tags"] == {"key1": "value1"}


def test_create_delivery_fills_in_cloudfront_defaults(logs, source_and_destination):
    delivery_id = logs.create_delivery(deliverySourceName="ds",
                                       deliveryDestinationArn=source_and_destination)["delivery"]["id"]
    [described] = logs.describe_deliveries()["deliveries"]
    assert described == logs.get_delivery(id=delivery_id)["delivery"]
    assert described["recordFields"][:4] == ["date", "time", "x-edge-location", "sc-bytes"]
    assert len(described["recordFields"]) == 33 and described["recordFields"][-1] == "sc-range-end"
    assert described["s3DeliveryConfiguration"] == {"suffixPath": "AWSLogs/{account-id}/CloudFront/",
                                                    "enableHiveCompatiblePath": False}
    assert "fieldDelimiter" not in described and "tags" not in described


def test_create_delivery_with_missing_source_or_destination(logs, source_and_destination):
    with pytest.raises(ClientError) as excinfo:
        logs.create_delivery(deliverySourceName="nope", deliveryDestinationArn=source_and_destination)
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, SOURCE_MISSING)
    with pytest.raises(ClientError) as excinfo:
        logs.create_delivery(deliverySourceName="ds", deliveryDestinationArn=f"{PREFIX}:delivery-destination:nope")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, DESTINATION_MISSING)


def test_one_delivery_per_source_and_destination(logs, source_and_destination):
    logs.create_delivery(deliverySourceName="ds", deliveryDestinationArn=source_and_destination)
    with pytest.raises(ClientError) as excinfo:
        logs.create_delivery(deliverySourceName="ds", deliveryDestinationArn=source_and_destination)
    assert error_of(excinfo)[:2] == ("ConflictException", 400)


def test_source_and_destination_in_use_cannot_be_deleted_until_the_delivery_is(logs, source_and_destination):
    delivery_id = logs.create_delivery(deliverySourceName="ds",
                                       deliveryDestinationArn=source_and_destination)["delivery"]["id"]
    for call in (lambda: logs.delete_delivery_source(name="ds"), lambda: logs.delete_delivery_destination(name="dd")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[:2] == ("ConflictException", 400)
    logs.delete_delivery(id=delivery_id)
    with pytest.raises(ClientError) as excinfo:
        logs.get_delivery(id=delivery_id)
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, DELIVERY_MISSING)
    logs.delete_delivery_source(name="ds")
    logs.delete_delivery_destination(name="dd")


def test_update_delivery_configuration_changes_what_get_shows(logs, source_and_destination):
    delivery_id = logs.create_delivery(deliverySourceName="ds",
                                       deliveryDestinationArn=source_and_destination)["delivery"]["id"]
    logs.update_delivery_configuration(id=delivery_id, recordFields=["date", "time"], fieldDelimiter="\t",
                                       s3DeliveryConfiguration={"enableHiveCompatiblePath": True})
    got = logs.get_delivery(id=delivery_id)["delivery"]
    assert (got["recordFields"], got["fieldDelimiter"]) == (["date", "time"], "\t")
    assert got["s3DeliveryConfiguration"] == {"suffixPath": "AWSLogs/{account-id}/CloudFront/",
                                              "enableHiveCompatiblePath": True}


def test_delivery_configuration_survives_a_restart(tmp_path):
    def client(server):
        return boto3.client("logs", endpoint_url=server.endpoint_url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    with running_lakebox(tmp_path) as server:
        logs = client(server)
        logs.put_delivery_source(name="ds", resourceArn=DISTRIBUTION, logType="ACCESS_LOGS")
        s3_destination(logs, "dd")
        delivery = logs.create_delivery(deliverySourceName="ds",
                                        deliveryDestinationArn=f"{PREFIX}:delivery-destination:dd")["delivery"]
    with running_lakebox(tmp_path) as server:
        logs = client(server)
        assert logs.get_delivery(id=delivery["id"])["delivery"] == delivery
        assert [s["name"] for s in logs.describe_delivery_sources()["deliverySources"]] == ["ds"]
        assert logs.get_delivery_destination(name="dd")["deliveryDestination"]["deliveryDestinationType"] == "S3"
