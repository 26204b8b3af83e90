"""CloudWatch Logs -> Firehose -> S3: a subscription filter delivering into a delivery stream."""

from __future__ import annotations

import gzip
import json
import time
import zlib

import pytest
from botocore.exceptions import ClientError
from firehose_helpers import ROLE, client, create, objects

ACCOUNT = "000000000000"


def test_subscription_filter_delivers_gzipped_log_batches_through_firehose(firehose, s3, lake, lakebox_server):
    logs = client(lakebox_server, "logs")
    create(firehose, "logs-to-s3", Prefix="logs/")
    logs.create_log_group(logGroupName="app")
    logs.create_log_stream(logGroupName="app", logStreamName="web-1")
    arn = f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/logs-to-s3"
    logs.put_subscription_filter(logGroupName="app", filterName="errors", filterPattern="ERROR",
                                 destinationArn=arn, roleArn=ROLE)
    now_ms = int(time.time() * 1000)
    logs.put_log_events(logGroupName="app", logStreamName="web-1", logEvents=[
        {"timestamp": now_ms + i, "message": m} for i, m in enumerate(["ERROR a", "ok", "ERROR b"])])
    lakebox_server.advance_clock("6m")
    [(key, body)] = objects(s3, prefix="logs/").items()
    # Each Firehose record is one gzip member holding one CloudWatch Logs message, concatenated as sent.
    messages, rest = [], body
    while rest:
        decompressor = zlib.decompressobj(31)
        messages.append(json.loads(decompressor.decompress(rest)))
        rest = decompressor.unused_data
    assert [m["messageType"] for m in messages] == ["CONTROL_MESSAGE", "DATA_MESSAGE"]
    assert messages[0]["logEvents"][0]["message"] == "CWL CONTROL MESSAGE: Checking health of destination Firehose stream."
    data = messages[1]
    assert (data["owner"], data["logGroup"], data["logStream"], data["subscriptionFilters"]) == (
        ACCOUNT, "app", "web-1", ["errors"])
    assert [e["message"] for e in data["logEvents"]] == ["ERROR a", "ERROR b"]
    assert gzip.decompress(body)  # the object as a whole reads as gzip, as consumers read these objects


@pytest.mark.parametrize("stream", ["missing", "from-kinesis"])
def test_a_stream_that_cannot_take_the_test_message_fails_the_put(firehose, lake, lakebox_server, stream):
    logs = client(lakebox_server, "logs")
    if stream == "from-kinesis":
        kinesis = client(lakebox_server, "kinesis")
        kinesis.create_stream(StreamName="k", ShardCount=1)
        karn = kinesis.describe_stream_summary(StreamName="k")["StreamDescriptionSummary"]["StreamARN"]
        firehose.create_delivery_stream(DeliveryStreamName=stream, DeliveryStreamType="KinesisStreamAsSource",
                                        KinesisStreamSourceConfiguration={"KinesisStreamARN": karn, "RoleARN": ROLE},
                                        S3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::lake"})
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as info:
        logs.put_subscription_filter(logGroupName="g", filterName="f", filterPattern="",
                                     destinationArn=f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/{stream}",
                                     roleArn=ROLE)
    assert info.value.response["Error"]["Code"] == "InvalidParameterException"
    assert info.value.response["Error"]["Message"].startswith(
        "Could not deliver test message to specified Firehose stream.")
    assert logs.describe_subscription_filters(logGroupName="g")["subscriptionFilters"] == []
