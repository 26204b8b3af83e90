"""CloudWatch Logs destinations: the API, and subscription filters that deliver through one."""

from __future__ import annotations

import gzip
import json

import boto3
import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/CWLtoKinesisRole"


def _client(server, service):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture
def stream_arn(lakebox_server):
    kinesis = _client(lakebox_server, "kinesis")
    kinesis.create_stream(StreamName="central", ShardCount=1)
    return kinesis.describe_stream_summary(StreamName="central")["StreamDescriptionSummary"]["StreamARN"]


def test_put_describe_update_and_delete(logs, stream_arn):
    out = logs.put_destination(destinationName="central-logs", targetArn=stream_arn, roleArn=ROLE,
                               tags={"team": "platform"})["destination"]
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:destination:central-logs"
    assert (out["destinationName"], out["targetArn"], out["roleArn"], out["arn"]) == (
        "central-logs", stream_arn, ROLE, arn)
    assert isinstance(out["creationTime"], int) and "accessPolicy" not in out
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"},
                                                                 "Action": "logs:PutSubscriptionFilter", "Resource": arn}]})
    logs.put_destination_policy(destinationName="central-logs", accessPolicy=policy)
    other_role = f"arn:aws:iam::{ACCOUNT}:role/Other"
    logs.put_destination(destinationName="central-logs", targetArn=stream_arn, roleArn=other_role)  # update
    [shown] = logs.describe_destinations(DestinationNamePrefix="central")["destinations"]
    assert (shown["roleArn"], shown["accessPolicy"], shown["creationTime"]) == (other_role, policy, out["creationTime"])
    assert logs.describe_destinations(DestinationNamePrefix="nothing")["destinations"] == []
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "platform"}
    logs.tag_resource(resourceArn=arn, tags={"env": "dev"})
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "dev"}
    logs.delete_destination(destinationName="central-logs")
    assert logs.describe_destinations()["destinations"] == []
    for call in (lambda: logs.delete_destination(destinationName="central-logs"),
                 lambda: logs.put_destination_policy(destinationName="central-logs", accessPolicy=policy)):
        with pytest.raises(ClientError) as info:
            call()
        assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_describe_pages(logs, stream_arn):
    for i in range(5):
        logs.put_destination(destinationName=f"d{i}", targetArn=stream_arn, roleArn=ROLE)
    first = logs.describe_destinations(limit=2)
    assert [d["destinationName"] for d in first["destinations"]] == ["d0", "d1"]
    rest = logs.describe_destinations(limit=10, nextToken=first["nextToken"])
    assert [d["destinationName"] for d in rest["destinations"]] == ["d2", "d3", "d4"] and "nextToken" not in rest


def test_a_bad_target_is_invalid(logs):
    with pytest.raises(ClientError) as info:
        logs.put_destination(destinationName="d", targetArn="arn:aws:s3:::bucket", roleArn=ROLE)
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"


def test_a_subscription_filter_delivers_through_the_destination(logs, stream_arn, lakebox_server, now_ms):
    logs.put_destination(destinationName="central-logs", targetArn=stream_arn, roleArn=ROLE)
    logs.create_log_group(logGroupName="app")
    logs.create_log_stream(logGroupName="app", logStreamName="s")
    logs.put_subscription_filter(logGroupName="app", filterName="all", filterPattern="",
                                 destinationArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:destination:central-logs")
    logs.put_log_events(logGroupName="app", logStreamName="s", logEvents=[{"timestamp": now_ms, "message": "hello"}])
    kinesis = _client(lakebox_server, "kinesis")
    iterator = kinesis.get_shard_iterator(StreamName="central", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    messages = [json.loads(gzip.decompress(r["Data"])) for r in kinesis.get_records(ShardIterator=iterator)["Records"]]
    assert [m["messageType"] for m in messages] == ["CONTROL_MESSAGE", "DATA_MESSAGE"]
    assert [e["message"] for e in messages[1]["logEvents"]] == ["hello"]


def test_a_filter_naming_a_missing_destination_is_refused(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as info:
        logs.put_subscription_filter(logGroupName="g", filterName="f", filterPattern="",
                                     destinationArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:destination:none")
    assert info.value.response["Error"] == {
        "Code": "InvalidParameterException",
        "Message": "Could not deliver test message to specified destination. Check if the destination is valid."}
    assert logs.describe_subscription_filters(logGroupName="g")["subscriptionFilters"] == []
