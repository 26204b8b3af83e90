"""Kinesis behaviours checked against AWS's API reference: resharding is for provisioned streams only."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ON_DEMAND = "Stream od under account 000000000000 is in ON_DEMAND capacity mode; this operation is only " \
            "supported for data streams in PROVISIONED capacity mode."


@pytest.fixture
def on_demand(kinesis):
    kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    return kinesis


@pytest.mark.parametrize("operation,kwargs", [
    ("update_shard_count", {"TargetShardCount": 3, "ScalingType": "UNIFORM_SCALING"}),
    ("split_shard", {"ShardToSplit": "shardId-000000000000", "NewStartingHashKey": "1000"}),
    ("merge_shards", {"ShardToMerge": "shardId-000000000000", "AdjacentShardToMerge": "shardId-000000000001"}),
])
def test_resharding_an_on_demand_stream_raises_validation_exception(on_demand, operation, kwargs):
    with pytest.raises(ClientError) as exc:
        getattr(on_demand, operation)(StreamName="od", **kwargs)
    assert exc.value.response["Error"] == {"Code": "ValidationException", "Message": ON_DEMAND}
    shards = on_demand.list_shards(StreamName="od")["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-{i:012d}" for i in range(4)]


def test_resharding_is_allowed_again_after_switching_to_provisioned(on_demand):
    arn = on_demand.describe_stream_summary(StreamName="od")["StreamDescriptionSummary"]["StreamARN"]
    on_demand.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    out = on_demand.update_shard_count(StreamName="od", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    assert (out["CurrentShardCount"], out["TargetShardCount"]) == (4, 2)
    assert on_demand.describe_stream_summary(StreamName="od")["StreamDescriptionSummary"]["OpenShardCount"] == 2
