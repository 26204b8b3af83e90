"""Kinesis streams: create, describe, list and page, ListShards filters, delete, and their errors."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

TWO_128 = 2**128


def _error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_create_stream_splits_hash_space_as_aws_does(kinesis):
    kinesis.create_stream(StreamName="s5", ShardCount=5)
    shards = kinesis.describe_stream(StreamName="s5")["StreamDescription"]["Shards"]
    width = TWO_128 // 5
    assert [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in shards] == [
        (i * width, (i + 1) * width - 1) for i in range(4)] + [(4 * width, TWO_128 - 1)]
    assert [s["ShardId"] for s in shards] == [f"shardId-{i:012d}" for i in range(5)]
    for s in shards:
        seq = s["SequenceNumberRange"]["StartingSequenceNumber"]
        assert seq.isdigit() and len(seq) == 56
        assert "EndingSequenceNumber" not in s["SequenceNumberRange"]


def test_describe_stream_reports_status_mode_and_retention(kinesis):
    kinesis.create_stream(StreamName="events", ShardCount=2)
    kinesis.get_waiter("stream_exists").wait(StreamName="events", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    desc = kinesis.describe_stream(StreamName="events")["StreamDescription"]
    assert desc["StreamStatus"] == "ACTIVE"
    assert desc["StreamARN"] == "arn:aws:kinesis:us-east-1:000000000000:stream/events"
    assert desc["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert desc["RetentionPeriodHours"] == 24
    assert desc["EncryptionType"] == "NONE"
    assert desc["HasMoreShards"] is False
    summary = kinesis.describe_stream_summary(StreamARN=desc["StreamARN"])["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2 and summary["ConsumerCount"] == 0 and summary["StreamName"] == "events"


def test_on_demand_stream_starts_with_four_shards(kinesis):
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName="od")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 4
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    kinesis.update_stream_mode(StreamARN=summary["StreamARN"], StreamModeDetails={"StreamMode": "PROVISIONED"})
    mode = kinesis.describe_stream(StreamName="od")["StreamDescription"]["StreamModeDetails"]["StreamMode"]
    assert mode == "PROVISIONED"


def test_describe_stream_pages_shards(kinesis):
    kinesis.create_stream(StreamName="many", ShardCount=7)
    first = kinesis.describe_stream(StreamName="many", Limit=3)["StreamDescription"]
    assert first["HasMoreShards"] is True and len(first["Shards"]) == 3
    rest = kinesis.describe_stream(StreamName="many", ExclusiveStartShardId=first["Shards"][-1]["ShardId"])
    assert [s["ShardId"] for s in rest["StreamDescription"]["Shards"]] == [f"shardId-{i:012d}" for i in range(3, 7)]
    assert rest["StreamDescription"]["HasMoreShards"] is False


def test_list_streams_pages_with_next_token_and_summaries(kinesis):
    for name in ("c", "a", "b"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    page = kinesis.list_streams(Limit=2)
    assert page["StreamNames"] == ["a", "b"] and page["HasMoreStreams"] is True
    assert [s["StreamName"] for s in page["StreamSummaries"]] == ["a", "b"]
    assert page["StreamSummaries"][0]["StreamStatus"] == "ACTIVE"
    rest = kinesis.list_streams(NextToken=page["NextToken"])
    assert rest["StreamNames"] == ["c"] and rest["HasMoreStreams"] is False
    assert kinesis.list_streams(ExclusiveStartStreamName="a")["StreamNames"] == ["b", "c"]
    names = [n for p in kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 1})
             for n in p["StreamNames"]]
    assert names == ["a", "b", "c"]


def test_list_shards_pages_with_next_token(kinesis):
    kinesis.create_stream(StreamName="ls", ShardCount=5)
    page = kinesis.list_shards(StreamName="ls", MaxResults=2)
    assert [s["ShardId"] for s in page["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    rest = kinesis.list_shards(NextToken=page["NextToken"])
    assert [s["ShardId"][-1] for s in rest["Shards"]] == ["2", "3", "4"]
    with pytest.raises(ClientError) as excinfo:
        kinesis.list_shards(StreamName="ls", NextToken=page["NextToken"])
    assert _error(excinfo)[0] == "InvalidArgumentException"
    after = kinesis.list_shards(StreamName="ls",
                                ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000003"})
    assert [s["ShardId"] for s in after["Shards"]] == ["shardId-000000000004"]
    arn = kinesis.describe_stream_summary(StreamName="ls")["StreamDescriptionSummary"]["StreamARN"]
    assert len(kinesis.list_shards(StreamARN=arn, ExclusiveStartShardId="shardId-000000000001")["Shards"]) == 3


def test_list_shards_filters_by_time_and_latest(kinesis):
    kinesis.create_stream(StreamName="lf", ShardCount=2)
    kinesis.split_shard(StreamName="lf", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(2**126))
    def ids(shard_filter: dict) -> list[str]:
        return [s["ShardId"][-1] for s in kinesis.list_shards(StreamName="lf", ShardFilter=shard_filter)["Shards"]]

    assert ids({"Type": "AT_LATEST"}) == ["1", "2", "3"]
    assert ids({"Type": "AT_TRIM_HORIZON"}) == ["0", "1"]
    assert ids({"Type": "FROM_TRIM_HORIZON"}) == ["0", "1", "2", "3"]
    long_ago = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    assert ids({"Type": "AT_TIMESTAMP", "Timestamp": long_ago}) == ["0", "1"]
    assert ids({"Type": "FROM_TIMESTAMP", "Timestamp": long_ago}) == ["0", "1", "2", "3"]
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    assert ids({"Type": "AT_TIMESTAMP", "Timestamp": future}) == ["1", "2", "3"]


def test_create_existing_stream_raises_resource_in_use(kinesis):
    kinesis.create_stream(StreamName="dup", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        kinesis.create_stream(StreamName="dup", ShardCount=1)
    assert _error(excinfo) == ("ResourceInUseException", "Stream dup under account 000000000000 already exists.")


def test_missing_stream_raises_resource_not_found_by_name_and_arn(kinesis):
    with pytest.raises(ClientError) as excinfo:
        kinesis.describe_stream(StreamName="nope")
    assert _error(excinfo) == ("ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamARN="arn:aws:kinesis:us-east-1:000000000000:stream/nope", Data=b"x", PartitionKey="k")
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_bad_stream_name_is_refused(kinesis):
    with pytest.raises(ClientError) as excinfo:
        kinesis.create_stream(StreamName="bad name!", ShardCount=1)
    assert _error(excinfo) == ("ValidationException", "1 validation error detected: Value 'bad name!' at "
                                                      "'streamName' failed to satisfy constraint: Member must "
                                                      "satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    assert kinesis.list_streams()["StreamNames"] == []


def test_bad_shard_count_gets_validation_error(kinesis, raw_kinesis):
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_stream(StreamName="zero", ShardCount=0)
    assert _error(excinfo) == ("ValidationException", "1 validation error detected: Value '0' at 'shardCount' "
                                                      "failed to satisfy constraint: Member must have value greater "
                                                      "than or equal to 1")
    with pytest.raises(ClientError) as excinfo:
        kinesis.create_stream(StreamName="noshards", StreamModeDetails={"StreamMode": "PROVISIONED"})
    assert _error(excinfo)[0] == "InvalidArgumentException"


def test_shard_limit_raises_limit_exceeded(kinesis):
    with pytest.raises(ClientError) as excinfo:
        kinesis.create_stream(StreamName="huge", ShardCount=20_001)
    code, message = _error(excinfo)
    assert code == "LimitExceededException" and "shard limit" in message
    assert kinesis.list_streams()["StreamNames"] == []
    limits = kinesis.describe_limits()
    assert limits["ShardLimit"] == 20_000 and limits["OpenShardCount"] == 0


def test_delete_stream_removes_it_and_its_records(kinesis, lakebox_server):
    kinesis.create_stream(StreamName="gone", ShardCount=1)
    kinesis.put_record(StreamName="gone", Data=b"bye", PartitionKey="k")
    kinesis.delete_stream(StreamName="gone")
    assert kinesis.list_streams()["StreamNames"] == []
    kinesis.create_stream(StreamName="gone", ShardCount=1)
    it = kinesis.get_shard_iterator(StreamName="gone", ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert kinesis.get_records(ShardIterator=it)["Records"] == []


def test_delete_stream_with_consumers_needs_enforce(kinesis):
    kinesis.create_stream(StreamName="withc", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="withc")["StreamDescriptionSummary"]["StreamARN"]
    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app")
    with pytest.raises(ClientError) as excinfo:
        kinesis.delete_stream(StreamName="withc")
    assert _error(excinfo)[0] == "ResourceInUseException"
    kinesis.delete_stream(StreamARN=arn, EnforceConsumerDeletion=True)
    assert kinesis.list_streams()["StreamNames"] == []
