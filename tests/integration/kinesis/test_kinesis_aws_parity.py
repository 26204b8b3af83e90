"""Where lakebox's Kinesis once answered differently from AWS, checked against what AWS is observed to
return: the shards of a stream created with no ShardCount, quoted shard iterators, partition-aware
ARNs, a shard's StartingSequenceNumber coming before its first record, and how SubscribeToShard
marks where to resume and the end of a closed shard."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

TWO_128 = 2**128
SHARD0 = "shardId-000000000000"


def _events(kinesis, consumer: str, position: dict, until):
    """The SubscribeToShardEvent bodies of one subscription, up to the first for which `until` holds."""
    response = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0, StartingPosition=position)
    events = []
    for event in response["EventStream"]:
        events.append(event["SubscribeToShardEvent"])
        if until(events):
            break
    response["EventStream"].close()
    return events


def _consumer(kinesis, stream: str) -> str:
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    return kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="parity")["Consumer"]["ConsumerARN"]


def test_create_stream_without_shard_count_makes_four_on_demand_shards(kinesis):
    kinesis.create_stream(StreamName="no-count")
    desc = kinesis.describe_stream(StreamName="no-count")["StreamDescription"]
    assert desc["StreamStatus"] == "ACTIVE"
    assert desc["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    quarter = TWO_128 // 4
    assert [(s["ShardId"], s["HashKeyRange"]) for s in desc["Shards"]] == [
        (f"shardId-{i:012d}", {"StartingHashKey": str(i * quarter), "EndingHashKey": str((i + 1) * quarter - 1)})
        for i in range(4)]
    assert all(list(s["SequenceNumberRange"]) == ["StartingSequenceNumber"] for s in desc["Shards"])


def test_get_records_accepts_an_iterator_in_double_quotes(kinesis):
    kinesis.create_stream(StreamName="quoted", ShardCount=1)
    kinesis.put_records(StreamName="quoted", Records=[{"Data": b"Hello world", "PartitionKey": "1"}])
    iterator = kinesis.get_shard_iterator(StreamName="quoted", ShardId=SHARD0,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = kinesis.get_records(ShardIterator=f'"{iterator}"')
    assert [(r["Data"], r["PartitionKey"]) for r in page["Records"]] == [(b"Hello world", "1")]
    assert page["NextShardIterator"]


@pytest.mark.parametrize("region,partition", [("cn-north-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov")])
def test_arns_carry_the_partition_of_their_region(lakebox_server, region, partition):
    kinesis = boto3.client("kinesis", endpoint_url=lakebox_server.endpoint_url, region_name=region,
                           aws_access_key_id="test", aws_secret_access_key="test",
                           config=Config(retries={"max_attempts": 1}))
    kinesis.create_stream(StreamName="p", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="p")["StreamDescription"]["StreamARN"]
    assert arn == f"arn:{partition}:kinesis:{region}:000000000000:stream/p"
    assert kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]["StreamName"] == "p"
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="c")["Consumer"]["ConsumerARN"]
    assert consumer.startswith(f"{arn}/consumer/c:")
    assert kinesis.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]["StreamARN"] == arn


def test_starting_sequence_number_comes_before_the_first_record(kinesis):
    kinesis.create_stream(StreamName="starts", ShardCount=1)
    start = kinesis.describe_stream(StreamName="starts")["StreamDescription"]["Shards"][0][
        "SequenceNumberRange"]["StartingSequenceNumber"]
    puts = [kinesis.put_record(StreamName="starts", Data=f"r{i}".encode(), PartitionKey="k") for i in range(3)]
    assert len(start) == 56 and int(start) < int(puts[0]["SequenceNumber"])
    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        iterator = kinesis.get_shard_iterator(StreamName="starts", ShardId=SHARD0, ShardIteratorType=kind,
                                              StartingSequenceNumber=start)["ShardIterator"]
        records = kinesis.get_records(ShardIterator=iterator)["Records"]
        assert [(r["Data"], r["SequenceNumber"]) for r in records] == [
            (f"r{i}".encode(), p["SequenceNumber"]) for i, p in enumerate(puts)]


def test_subscription_continuation_resumes_after_what_was_sent(kinesis):
    kinesis.create_stream(StreamName="resume", ShardCount=1)
    consumer = _consumer(kinesis, "resume")
    # The shard is empty: the first event carries no records, only where to resume from.
    first = _events(kinesis, consumer, {"Type": "TRIM_HORIZON"}, lambda events: True)[0]
    assert first["Records"] == [] and len(first["ContinuationSequenceNumber"]) == 56
    kinesis.put_records(StreamName="resume", Records=[{"Data": f"Hello world_{i}".encode(), "PartitionKey": "1"}
                                                      for i in range(5)])
    resumed = _events(kinesis, consumer, {"Type": "AFTER_SEQUENCE_NUMBER",
                                          "SequenceNumber": first["ContinuationSequenceNumber"]},
                      lambda events: sum(len(e["Records"]) for e in events) >= 5)
    records = [r for e in resumed for r in e["Records"]]
    assert [r["Data"] for r in records] == [f"Hello world_{i}".encode() for i in range(5)]
    assert all(sorted(r) == ["ApproximateArrivalTimestamp", "Data", "PartitionKey", "SequenceNumber"]
               for r in records)
    assert resumed[-1]["ContinuationSequenceNumber"] == records[-1]["SequenceNumber"]
    assert resumed[-1]["MillisBehindLatest"] == 0


def test_subscription_to_a_closed_shard_ends_without_continuation(kinesis):
    kinesis.create_stream(StreamName="ends", ShardCount=1)
    kinesis.put_record(StreamName="ends", Data=b"before", PartitionKey="k")
    kinesis.split_shard(StreamName="ends", ShardToSplit=SHARD0, NewStartingHashKey=str(2**127))
    consumer = _consumer(kinesis, "ends")
    events = _events(kinesis, consumer, {"Type": "TRIM_HORIZON"}, lambda events: "ChildShards" in events[-1])
    last = events[-1]
    assert "ContinuationSequenceNumber" not in last
    assert [r["Data"] for e in events for r in e["Records"]] == [b"before"]
    assert [(c["ShardId"], c["ParentShards"]) for c in last["ChildShards"]] == [
        ("shardId-000000000001", [SHARD0]), ("shardId-000000000002", [SHARD0])]
    assert all("ContinuationSequenceNumber" in e for e in events[:-1])
