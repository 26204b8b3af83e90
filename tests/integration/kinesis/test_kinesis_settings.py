"""Retention (and real trimming on the service clock), tags, encryption, monitoring and consumers."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from kinesis_helpers import read_shard


def _error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def stream(kinesis):
    kinesis.create_stream(StreamName="st", ShardCount=1)
    return "st"


def test_retention_drops_old_records_after_clock_advance(kinesis, stream, lakebox_server):
    kinesis.put_records(StreamName=stream, Records=[{"Data": b"old", "PartitionKey": "k"}] * 3)
    lakebox_server.advance_clock("20h")
    kinesis.put_record(StreamName=stream, Data=b"newer", PartitionKey="k")
    assert [r["Data"] for r in read_shard(kinesis, stream, "shardId-000000000000")] == [b"old"] * 3 + [b"newer"]
    lakebox_server.advance_clock("5h")
    assert [r["Data"] for r in read_shard(kinesis, stream, "shardId-000000000000")] == [b"newer"]
    segments = list((lakebox_server.data_dir / ".lakebox" / "kinesis" / "streams").rglob("*.seg"))
    data = b"".join(p.read_bytes() for p in segments)
    assert b"old" not in data and b"newer" in data  # trimmed on disk, not only hidden
    lakebox_server.advance_clock("25h")
    assert read_shard(kinesis, stream, "shardId-000000000000") == []


def test_retention_increase_and_decrease_check_direction_and_range(kinesis, raw_kinesis, stream, lakebox_server):
    kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=48)
    assert kinesis.describe_stream(StreamName=stream)["StreamDescription"]["RetentionPeriodHours"] == 48
    with pytest.raises(ClientError) as excinfo:
        kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=24)
    assert _error(excinfo)[0] == "InvalidArgumentException" and "DecreaseRetentionPeriod" in _error(excinfo)[1]
    with pytest.raises(ClientError) as excinfo:
        kinesis.decrease_stream_retention_period(StreamName=stream, RetentionPeriodHours=72)
    assert _error(excinfo)[0] == "InvalidArgumentException" and "IncreaseRetentionPeriod" in _error(excinfo)[1]
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=8761)
    assert _error(excinfo)[0] == "InvalidArgumentException"
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.decrease_stream_retention_period(StreamName=stream, RetentionPeriodHours=23)
    assert _error(excinfo)[0] == "InvalidArgumentException"

    kinesis.put_record(StreamName=stream, Data=b"kept", PartitionKey="k")
    lakebox_server.advance_clock("30h")
    assert [r["Data"] for r in read_shard(kinesis, stream, "shardId-000000000000")] == [b"kept"]
    kinesis.decrease_stream_retention_period(StreamName=stream, RetentionPeriodHours=24)
    assert read_shard(kinesis, stream, "shardId-000000000000") == []


def test_tags_by_stream_and_by_arn(kinesis, stream):
    kinesis.add_tags_to_stream(StreamName=stream, Tags={"team": "data", "env": "dev"})
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.tag_resource(ResourceARN=arn, Tags={"cost": "42"})
    listed = kinesis.list_tags_for_stream(StreamName=stream)
    assert listed["Tags"] == [{"Key": "cost", "Value": "42"}, {"Key": "env", "Value": "dev"},
                              {"Key": "team", "Value": "data"}]
    assert listed["HasMoreTags"] is False
    page = kinesis.list_tags_for_stream(StreamName=stream, Limit=1, ExclusiveStartTagKey="cost")
    assert page["Tags"] == [{"Key": "env", "Value": "dev"}] and page["HasMoreTags"] is True
    kinesis.remove_tags_from_stream(StreamName=stream, TagKeys=["env"])
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["cost"])
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "data"}]
    with pytest.raises(ClientError) as excinfo:
        kinesis.add_tags_to_stream(StreamName=stream, Tags={f"k{i}": "v" for i in range(50)})
    assert _error(excinfo)[0] == "InvalidArgumentException"


def test_create_stream_with_tags(kinesis):
    kinesis.create_stream(StreamName="tagged", ShardCount=1, Tags={"a": "1"})
    assert kinesis.list_tags_for_stream(StreamName="tagged")["Tags"] == [{"Key": "a", "Value": "1"}]


def test_encryption_is_recorded_and_marks_records(kinesis, stream):
    kinesis.start_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    desc = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
    assert (desc["EncryptionType"], desc["KeyId"]) == ("KMS", "alias/aws/kinesis")
    assert kinesis.put_record(StreamName=stream, Data=b"secret", PartitionKey="k")["EncryptionType"] == "KMS"
    record = read_shard(kinesis, stream, "shardId-000000000000")[0]
    assert (record["Data"], record["EncryptionType"]) == (b"secret", "KMS")
    kinesis.stop_stream_encryption(StreamName=stream, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    assert kinesis.describe_stream(StreamName=stream)["StreamDescription"]["EncryptionType"] == "NONE"


def test_enhanced_monitoring_is_recorded(kinesis, stream):
    out = kinesis.enable_enhanced_monitoring(StreamName=stream, ShardLevelMetrics=["IncomingBytes", "OutgoingRecords"])
    assert out["CurrentShardLevelMetrics"] == []
    assert out["DesiredShardLevelMetrics"] == ["IncomingBytes", "OutgoingRecords"]
    desc = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
    assert desc["EnhancedMonitoring"] == [{"ShardLevelMetrics": ["IncomingBytes", "OutgoingRecords"]}]
    out = kinesis.disable_enhanced_monitoring(StreamName=stream, ShardLevelMetrics=["IncomingBytes"])
    assert out["DesiredShardLevelMetrics"] == ["OutgoingRecords"]
    everything = kinesis.enable_enhanced_monitoring(StreamName=stream, ShardLevelMetrics=["ALL"])
    assert len(everything["DesiredShardLevelMetrics"]) == 7


def test_consumers_register_describe_list_deregister(kinesis, stream):
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app-1")["Consumer"]
    assert consumer["ConsumerARN"].startswith(arn + "/consumer/app-1:")
    kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app-2")
    with pytest.raises(ClientError) as excinfo:
        kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app-1")
    assert _error(excinfo)[0] == "ResourceInUseException"
    by_arn = kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
    by_name = kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName="app-1")["ConsumerDescription"]
    assert by_arn == by_name and by_arn["StreamARN"] == arn and by_arn["ConsumerStatus"] == "ACTIVE"
    page = kinesis.list_stream_consumers(StreamARN=arn, MaxResults=1)
    assert [c["ConsumerName"] for c in page["Consumers"]] == ["app-1"]
    rest = kinesis.list_stream_consumers(StreamARN=arn, NextToken=page["NextToken"])
    assert [c["ConsumerName"] for c in rest["Consumers"]] == ["app-2"]
    assert kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["ConsumerCount"] == 2
    kinesis.deregister_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    with pytest.raises(ClientError) as excinfo:
        kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_resource_policy_round_trip(kinesis, stream):
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    policy = '{"Version":"2012-10-17","Statement":[]}'
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == policy
    kinesis.delete_resource_policy(ResourceARN=arn)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"


def test_closed_shard_leaves_listings_once_retention_has_passed(kinesis, stream, lakebox_server):
    kinesis.put_record(StreamName=stream, Data=b"in parent", PartitionKey="k")
    kinesis.split_shard(StreamName=stream, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    assert len(kinesis.list_shards(StreamName=stream)["Shards"]) == 3
    lakebox_server.advance_clock("25h")
    listed = [s["ShardId"] for s in kinesis.list_shards(StreamName=stream)["Shards"]]
    assert listed == ["shardId-000000000001", "shardId-000000000002"]
    described = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["Shards"]
    assert [s["ShardId"] for s in described] == listed
    assert described[0]["ParentShardId"] == "shardId-000000000000"  # lineage is kept, as on AWS
