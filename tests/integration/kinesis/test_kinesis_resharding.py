"""Resharding: split, merge and UpdateShardCount close parents and open children; readers move on."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from kinesis_helpers import read_shard

TWO_128 = 2**128


def _error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_split_reads_old_records_from_parent_and_new_from_children(kinesis):
    kinesis.create_stream(StreamName="sp", ShardCount=1)
    before = [{"Data": f"old-{i}".encode(), "PartitionKey": f"k{i}"} for i in range(20)]
    kinesis.put_records(StreamName="sp", Records=before)
    it = kinesis.get_shard_iterator(StreamName="sp", ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    kinesis.split_shard(StreamName="sp", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(TWO_128 // 2))
    shards = kinesis.describe_stream(StreamName="sp")["StreamDescription"]["Shards"]
    parent, low, high = shards
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert low["ParentShardId"] == high["ParentShardId"] == "shardId-000000000000"
    assert (low["HashKeyRange"]["EndingHashKey"], high["HashKeyRange"]["StartingHashKey"]) == (
        str(TWO_128 // 2 - 1), str(TWO_128 // 2))

    after = [{"Data": f"new-{i}".encode(), "PartitionKey": f"k{i}"} for i in range(20)]
    placed = kinesis.put_records(StreamName="sp", Records=after)["Records"]
    assert {r["ShardId"] for r in placed} == {"shardId-000000000001", "shardId-000000000002"}

    page = kinesis.get_records(ShardIterator=it)
    assert [r["Data"] for r in page["Records"]] == [r["Data"] for r in before]
    end = kinesis.get_records(ShardIterator=page["NextShardIterator"]) if page.get("NextShardIterator") else page
    assert end.get("NextShardIterator") is None
    assert sorted(c["ShardId"] for c in end["ChildShards"]) == ["shardId-000000000001", "shardId-000000000002"]
    assert all(c["ParentShards"] == ["shardId-000000000000"] for c in end["ChildShards"])

    from_children = (read_shard(kinesis, "sp", "shardId-000000000001")
                     + read_shard(kinesis, "sp", "shardId-000000000002"))
    assert sorted(r["Data"] for r in from_children) == sorted(r["Data"] for r in after)
    with pytest.raises(ClientError) as excinfo:
        kinesis.split_shard(StreamName="sp", ShardToSplit="shardId-000000000000", NewStartingHashKey="5")
    assert _error(excinfo)[0] == "ResourceInUseException"


def test_split_with_bad_hash_key_is_rejected(kinesis):
    kinesis.create_stream(StreamName="bad", ShardCount=2)
    with pytest.raises(ClientError) as excinfo:
        kinesis.split_shard(StreamName="bad", ShardToSplit="shardId-000000000001", NewStartingHashKey="1")
    assert _error(excinfo)[0] == "InvalidArgumentException"
    assert len(kinesis.list_shards(StreamName="bad")["Shards"]) == 2


def test_merge_adjacent_shards(kinesis):
    kinesis.create_stream(StreamName="mg", ShardCount=3)
    kinesis.put_record(StreamName="mg", Data=b"before", PartitionKey="p", ExplicitHashKey="0")
    with pytest.raises(ClientError) as excinfo:
        kinesis.merge_shards(StreamName="mg", ShardToMerge="shardId-000000000000",
                             AdjacentShardToMerge="shardId-000000000002")
    assert _error(excinfo)[0] == "InvalidArgumentException"
    kinesis.merge_shards(StreamName="mg", ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000001")
    merged = kinesis.list_shards(StreamName="mg", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    child = next(s for s in merged if s["ShardId"] == "shardId-000000000003")
    assert child["ParentShardId"] == "shardId-000000000000"
    assert child["AdjacentParentShardId"] == "shardId-000000000001"
    assert child["HashKeyRange"]["StartingHashKey"] == "0"
    put = kinesis.put_record(StreamName="mg", Data=b"after", PartitionKey="p", ExplicitHashKey="0")
    assert put["ShardId"] == "shardId-000000000003"
    assert [r["Data"] for r in read_shard(kinesis, "mg", "shardId-000000000000")] == [b"before"]
    assert [r["Data"] for r in read_shard(kinesis, "mg", "shardId-000000000003")] == [b"after"]


def test_update_shard_count_uniform_scaling(kinesis):
    kinesis.create_stream(StreamName="sc", ShardCount=2)
    kinesis.put_records(StreamName="sc", Records=[{"Data": f"{i}".encode(), "PartitionKey": f"{i}"} for i in range(30)])
    out = kinesis.update_shard_count(StreamName="sc", TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    assert (out["CurrentShardCount"], out["TargetShardCount"]) == (2, 4)
    open_shards = kinesis.list_shards(StreamName="sc", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    width = TWO_128 // 4
    assert [int(s["HashKeyRange"]["StartingHashKey"]) for s in open_shards] == [i * width for i in range(4)]
    assert kinesis.describe_stream_summary(StreamName="sc")["StreamDescriptionSummary"]["OpenShardCount"] == 4
    old = read_shard(kinesis, "sc", "shardId-000000000000") + read_shard(kinesis, "sc", "shardId-000000000001")
    assert sorted(int(r["Data"]) for r in old) == list(range(30))
    with pytest.raises(ClientError) as excinfo:
        kinesis.update_shard_count(StreamName="sc", TargetShardCount=9, ScalingType="UNIFORM_SCALING")
    assert _error(excinfo) == ("LimitExceededException", "UpdateShardCount cannot scale up over double your current "
                                                         "open shard count. Current open shard count: 4 Target shard "
                                                         "count: 9")
    kinesis.update_shard_count(StreamName="sc", TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    assert len(kinesis.list_shards(StreamName="sc", ShardFilter={"Type": "AT_LATEST"})["Shards"]) == 3
