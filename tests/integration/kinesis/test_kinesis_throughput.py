"""Per-shard throughput limits, switched on: writes and reads over the limit are refused as on AWS."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from kinesis_helpers import read_shard


@pytest.fixture
def lakebox_settings():
    return {"kinesis_throughput_limits": True}


def test_put_records_over_one_mib_in_a_second_fail_per_record(kinesis):
    kinesis.create_stream(StreamName="tp", ShardCount=1)
    # One request of 500 x 2.5 KiB is more than the shard's 1 MiB for any second it lands in.
    records = [{"Data": f"{i:04d}".encode() + b"x" * 2556, "PartitionKey": "k"} for i in range(500)]
    results = kinesis.put_records(StreamName="tp", Records=records)["Records"]
    failed = [i for i, r in enumerate(results) if "ErrorCode" in r]
    assert failed and all(results[i]["ErrorCode"] == "ProvisionedThroughputExceededException" for i in failed)
    assert results[failed[0]]["ErrorMessage"] == ("Rate exceeded for shard shardId-000000000000 in stream tp under "
                                                  "account 000000000000.")
    ok = [i for i, r in enumerate(results) if "SequenceNumber" in r]
    assert len(ok) <= 1024 * 1024 // 2560 and len(ok) + len(failed) == 500
    assert kinesis.put_records(StreamName="tp", Records=records[:1])["FailedRecordCount"] in (0, 1)
    stored = [r["Data"][:4] for r in read_shard(kinesis, "tp", "shardId-000000000000")]
    assert stored[:len(ok)] == [f"{i:04d}".encode() for i in ok]  # exactly the accepted ones, in order


def test_put_record_over_the_limit_raises(kinesis):
    kinesis.create_stream(StreamName="tb", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        for _ in range(200):  # 600 KiB each: two in any one second are over 1 MiB
            kinesis.put_record(StreamName="tb", Data=b"x" * (600 * 1024), PartitionKey="k")
    assert excinfo.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_get_records_over_five_per_second_is_throttled(kinesis):
    kinesis.create_stream(StreamName="tr", ShardCount=1)
    it = kinesis.get_shard_iterator(StreamName="tr", ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    with pytest.raises(ClientError) as excinfo:
        for _ in range(500):  # throttled as soon as six calls fall within one second
            it = kinesis.get_records(ShardIterator=it)["NextShardIterator"]
    assert excinfo.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_limits_are_off_by_default(lakebox_server):
    from kinesis_helpers import make_kinesis_client

    from lakebox.testing import InProcessServer

    server = InProcessServer(lakebox_server.data_dir / "other").start()
    try:
        kinesis = make_kinesis_client(server.endpoint_url)
        kinesis.create_stream(StreamName="free", ShardCount=1)
        for _ in range(3):
            out = kinesis.put_records(StreamName="free", Records=[{"Data": b"x", "PartitionKey": "k"}] * 500)
            assert out["FailedRecordCount"] == 0
    finally:
        server.stop()


def test_ten_mib_get_records_throttles_the_shard_for_the_next_reads(tmp_path):
    from kinesis_helpers import make_kinesis_client

    from lakebox.testing import InProcessServer

    filler = InProcessServer(tmp_path).start()  # limits off while the shard is filled
    try:
        kinesis = make_kinesis_client(filler.endpoint_url)
        kinesis.create_stream(StreamName="big", ShardCount=1)
        chunk = b"z" * (1000 * 1024)
        for _ in range(2):
            kinesis.put_records(StreamName="big", Records=[{"Data": chunk, "PartitionKey": "k"}] * 6)
    finally:
        filler.stop()
    limited = InProcessServer(tmp_path, kinesis_throughput_limits=True).start()
    try:
        kinesis = make_kinesis_client(limited.endpoint_url)
        it = kinesis.get_shard_iterator(StreamName="big", ShardId="shardId-000000000000",
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        page = kinesis.get_records(ShardIterator=it)
        assert len(page["Records"]) == 10  # 10 x 1000 KiB: one more would pass 10 MiB
        with pytest.raises(ClientError) as excinfo:
            kinesis.get_records(ShardIterator=page["NextShardIterator"])
        assert excinfo.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    finally:
        limited.stop()
