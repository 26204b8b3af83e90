"""SubscribeToShard over HTTP/1.1: boto3 reads the event stream of a registered consumer."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError


def _consumer(kinesis, stream: str) -> str:
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    return kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="efo")["Consumer"]["ConsumerARN"]


def test_subscribe_streams_existing_and_new_records(kinesis):
    kinesis.create_stream(StreamName="efo", ShardCount=1)
    kinesis.put_records(StreamName="efo",
                        Records=[{"Data": f"old-{i}".encode(), "PartitionKey": "k"} for i in range(3)])
    consumer = _consumer(kinesis, "efo")
    response = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                          StartingPosition={"Type": "TRIM_HORIZON"})
    got = []
    writer = None
    for event in response["EventStream"]:
        body = event["SubscribeToShardEvent"]
        got += [r["Data"] for r in body["Records"]]
        assert len(body["ContinuationSequenceNumber"]) == 56
        if got == [b"old-0", b"old-1", b"old-2"] and writer is None:
            writer = threading.Thread(target=kinesis.put_record,
                                      kwargs={"StreamName": "efo", "Data": b"live", "PartitionKey": "k"})
            writer.start()
        if b"live" in got:
            break
    response["EventStream"].close()
    writer.join()
    assert got == [b"old-0", b"old-1", b"old-2", b"live"]


def test_subscribe_to_closed_shard_ends_with_child_shards(kinesis):
    kinesis.create_stream(StreamName="efo2", ShardCount=1)
    kinesis.put_record(StreamName="efo2", Data=b"before", PartitionKey="k")
    kinesis.split_shard(StreamName="efo2", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    consumer = _consumer(kinesis, "efo2")
    response = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                          StartingPosition={"Type": "TRIM_HORIZON"})
    events = [e["SubscribeToShardEvent"] for e in response["EventStream"]]  # ends by itself
    assert [r["Data"] for e in events for r in e["Records"]] == [b"before"]
    assert sorted(c["ShardId"] for c in events[-1]["ChildShards"]) == ["shardId-000000000001", "shardId-000000000002"]


def test_subscribe_with_unknown_consumer_raises_not_found(kinesis):
    kinesis.create_stream(StreamName="efo3", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="efo3")["StreamDescriptionSummary"]["StreamARN"]
    with pytest.raises(ClientError) as excinfo:
        kinesis.subscribe_to_shard(ConsumerARN=f"{arn}/consumer/ghost:1", ShardId="shardId-000000000000",
                                   StartingPosition={"Type": "LATEST"})
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_second_subscription_of_a_consumer_to_a_shard_is_refused(kinesis):
    kinesis.create_stream(StreamName="efo4", ShardCount=1)
    consumer = _consumer(kinesis, "efo4")
    first = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                       StartingPosition={"Type": "LATEST"})
    next(iter(first["EventStream"]))  # the subscription is live
    with pytest.raises(ClientError) as excinfo:
        kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                   StartingPosition={"Type": "LATEST"})
    assert excinfo.value.response["Error"]["Code"] == "ResourceInUseException"
    first["EventStream"].close()


def test_a_closed_subscription_frees_its_shard(kinesis):
    kinesis.create_stream(StreamName="efo5", ShardCount=1)
    consumer = _consumer(kinesis, "efo5")
    for _ in range(3):  # each one is closed before the next: the next is accepted once the server sees it
        response = _subscribe_once_free(kinesis, consumer)
        assert "SubscribeToShardEvent" in next(iter(response["EventStream"]))
        response["EventStream"].close()


def _subscribe_once_free(kinesis, consumer: str) -> dict:
    """The server notices a hang-up asynchronously: retry while the shard is still taken."""
    import time

    for _ in range(100):
        try:
            return kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                              StartingPosition={"Type": "LATEST"})
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ResourceInUseException"
            time.sleep(0.1)
    raise AssertionError("the closed subscription never released its shard")


def test_idle_subscriptions_hold_no_worker_thread(kinesis):
    """12 live subscriptions (more than the gateway's 8 worker threads) wait at once, the server
    still answers other calls meanwhile, and each one gets the record written to its shard."""
    shards = 12
    kinesis.create_stream(StreamName="efo6", ShardCount=shards)
    consumer = _consumer(kinesis, "efo6")
    ranges = {s["ShardId"]: s["HashKeyRange"]["StartingHashKey"]
              for s in kinesis.list_shards(StreamName="efo6")["Shards"]}
    subscriptions = {shard: iter(kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId=shard,
                                                            StartingPosition={"Type": "LATEST"})["EventStream"])
                     for shard in ranges}
    for events in subscriptions.values():
        assert next(events)["SubscribeToShardEvent"]["Records"] == []  # each is live and waiting
    assert kinesis.describe_stream_summary(StreamName="efo6")["StreamDescriptionSummary"]["OpenShardCount"] == shards
    for shard, start in ranges.items():
        kinesis.put_record(StreamName="efo6", Data=shard.encode(), PartitionKey="k", ExplicitHashKey=start)
    for shard, events in subscriptions.items():
        got = []
        while not got:
            got = [r["Data"] for r in next(events)["SubscribeToShardEvent"]["Records"]]
        assert got == [shard.encode()]
        events.close()


def test_subscriptions_over_the_server_cap_get_limit_exceeded(kinesis, monkeypatch):
    from lakebox.services.kinesis import subscriptions

    monkeypatch.setattr(subscriptions, "MAX_ACTIVE_SUBSCRIPTIONS", 2)
    kinesis.create_stream(StreamName="efo7", ShardCount=3)
    consumer = _consumer(kinesis, "efo7")
    live = [kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId=f"shardId-00000000000{i}",
                                       StartingPosition={"Type": "LATEST"})["EventStream"] for i in range(2)]
    with pytest.raises(ClientError) as excinfo:
        kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000002",
                                   StartingPosition={"Type": "LATEST"})
    assert excinfo.value.response["Error"]["Code"] == "LimitExceededException"
    assert excinfo.value.response["Error"]["Message"] == (
        "lakebox serves at most 2 SubscribeToShard subscriptions at once; end one first.")
    for stream in live:
        stream.close()
