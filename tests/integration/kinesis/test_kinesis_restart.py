"""A restarted server over the same data folder has every stream, shard, setting and record."""

from __future__ import annotations

from kinesis_helpers import make_kinesis_client, read_shard

from lakebox.testing import InProcessServer


def test_restart_keeps_streams_shards_settings_and_records(tmp_path):
    first = InProcessServer(tmp_path).start()
    try:
        kinesis = make_kinesis_client(first.endpoint_url)
        kinesis.create_stream(StreamName="keep", ShardCount=2, Tags={"team": "data"})
        sent = kinesis.put_records(StreamName="keep", Records=[
            {"Data": f"r{i}".encode(), "PartitionKey": f"k{i}"} for i in range(50)])["Records"]
        kinesis.split_shard(StreamName="keep", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))
        kinesis.increase_stream_retention_period(StreamName="keep", RetentionPeriodHours=48)
        before = kinesis.describe_stream(StreamName="keep")["StreamDescription"]
    finally:
        first.stop()

    second = InProcessServer(tmp_path).start()
    try:
        kinesis = make_kinesis_client(second.endpoint_url)
        after = kinesis.describe_stream(StreamName="keep")["StreamDescription"]
        assert after["Shards"] == before["Shards"] and after["RetentionPeriodHours"] == 48
        assert kinesis.list_tags_for_stream(StreamName="keep")["Tags"] == [{"Key": "team", "Value": "data"}]
        for shard in ("shardId-000000000000", "shardId-000000000001"):
            got = read_shard(kinesis, "keep", shard)
            assert [r["SequenceNumber"] for r in got] == [r["SequenceNumber"] for r in sent if r["ShardId"] == shard]
        put = kinesis.put_record(StreamName="keep", Data=b"x", PartitionKey="p", ExplicitHashKey="0")
        assert put["ShardId"] == "shardId-000000000002"  # the closed parent stays closed
    finally:
        second.stop()
