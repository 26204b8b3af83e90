"""Kinesis writes and reads: hash-key routing, order, every iterator type, limits and their errors."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from botocore.exceptions import ClientError
from kinesis_helpers import read_shard

TWO_128 = 2**128


def _error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def _expected_shard(key: str, count: int) -> str:
    value = int.from_bytes(hashlib.md5(key.encode()).digest(), "big")
    return f"shardId-{min(value // (TWO_128 // count), count - 1):012d}"


@pytest.fixture
def stream5(kinesis):
    kinesis.create_stream(StreamName="user-events", ShardCount=5)
    return "user-events"


def test_key_12345_lands_on_shard_2_of_5(kinesis, stream5):
    put = kinesis.put_record(StreamName=stream5, Data=b'{"user_id": 12345}', PartitionKey="12345")
    assert put["ShardId"] == "shardId-000000000002"
    assert len(put["SequenceNumber"]) == 56 and put["SequenceNumber"].isdigit()
    assert read_shard(kinesis, stream5, "shardId-000000000000") == []
    got = read_shard(kinesis, stream5, "shardId-000000000002")
    assert [(r["Data"], r["PartitionKey"], r["SequenceNumber"]) for r in got] == [
        (b'{"user_id": 12345}', "12345", put["SequenceNumber"])]
    assert isinstance(got[0]["ApproximateArrivalTimestamp"], dt.datetime)


def test_same_partition_key_always_lands_on_same_shard(kinesis, stream5):
    keys = [f"user-{i}" for i in range(40)]
    first = {k: kinesis.put_record(StreamName=stream5, Data=b"a", PartitionKey=k)["ShardId"] for k in keys}
    batch = kinesis.put_records(StreamName=stream5, Records=[{"Data": b"b", "PartitionKey": k} for k in keys])
    assert batch["FailedRecordCount"] == 0
    assert [r["ShardId"] for r in batch["Records"]] == [first[k] for k in keys]
    assert all(first[k] == _expected_shard(k, 5) for k in keys)
    assert len(set(first.values())) == 5


def test_records_come_back_in_order_per_shard_with_increasing_sequence_numbers(kinesis, stream5):
    sent = [{"Data": f"event-{i}".encode(), "PartitionKey": f"k{i % 7}"} for i in range(300)]
    results = kinesis.put_records(StreamName=stream5, Records=sent[:150])["Records"]
    results += kinesis.put_records(StreamName=stream5, Records=sent[150:])["Records"]
    total = 0
    for shard in (f"shardId-{i:012d}" for i in range(5)):
        got = read_shard(kinesis, stream5, shard)
        expected = [s["Data"] for s, r in zip(sent, results) if r["ShardId"] == shard]
        assert [r["Data"] for r in got] == expected
        seqs = [int(r["SequenceNumber"]) for r in got]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        total += len(got)
    assert total == 300


def test_explicit_hash_key_overrides_partition_key(kinesis, stream5):
    put = kinesis.put_record(StreamName=stream5, Data=b"x", PartitionKey="12345", ExplicitHashKey=str(TWO_128 - 1))
    assert put["ShardId"] == "shardId-000000000004"
    batch = kinesis.put_records(StreamName=stream5,
                                Records=[{"Data": b"y", "PartitionKey": "12345", "ExplicitHashKey": "0"}])
    assert batch["Records"][0]["ShardId"] == "shardId-000000000000"
    assert [r["Data"] for r in read_shard(kinesis, stream5, "shardId-000000000000")] == [b"y"]


def test_trim_horizon_and_latest(kinesis, stream5):
    shard = "shardId-000000000002"
    kinesis.put_record(StreamName=stream5, Data=b"old", PartitionKey="12345")
    latest = kinesis.get_shard_iterator(StreamName=stream5, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    empty = kinesis.get_records(ShardIterator=latest)
    assert empty["Records"] == [] and empty["MillisBehindLatest"] == 0
    kinesis.put_record(StreamName=stream5, Data=b"new", PartitionKey="12345")
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=empty["NextShardIterator"])["Records"]] == [b"new"]
    assert [r["Data"] for r in read_shard(kinesis, stream5, shard)] == [b"old", b"new"]


def test_at_and_after_sequence_number(kinesis, stream5):
    seqs = [kinesis.put_record(StreamName=stream5, Data=f"{i}".encode(), PartitionKey="12345")["SequenceNumber"]
            for i in range(5)]
    shard = "shardId-000000000002"
    at = read_shard(kinesis, stream5, shard, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
    assert [r["Data"] for r in at] == [b"2", b"3", b"4"]
    after = read_shard(kinesis, stream5, shard, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
    assert [r["Data"] for r in after] == [b"3", b"4"]
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_shard_iterator(StreamName=stream5, ShardId="shardId-000000000001",
                                   ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[0])
    code, message = _error(excinfo)
    assert code == "InvalidArgumentException" and "It encodes shardId-000000000002" in message


def test_at_timestamp_starts_at_first_record_not_older(kinesis, stream5):
    shard = "shardId-000000000002"
    for i in range(3):
        kinesis.put_record(StreamName=stream5, Data=f"a{i}".encode(), PartitionKey="12345")
    records = read_shard(kinesis, stream5, shard)
    cut = records[1]["ApproximateArrivalTimestamp"]
    got = read_shard(kinesis, stream5, shard, "AT_TIMESTAMP", Timestamp=cut)
    assert [r["Data"] for r in got][0] in (b"a0", b"a1")  # same-millisecond arrivals may share a stamp
    assert [r["Data"] for r in got][-1] == b"a2"
    past = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)
    assert len(read_shard(kinesis, stream5, shard, "AT_TIMESTAMP", Timestamp=past)) == 3


def test_get_records_limit_and_millis_behind(kinesis, stream5):
    kinesis.put_records(StreamName=stream5,
                        Records=[{"Data": f"{i}".encode(), "PartitionKey": "12345"} for i in range(10)])
    it = kinesis.get_shard_iterator(StreamName=stream5, ShardId="shardId-000000000002",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = kinesis.get_records(ShardIterator=it, Limit=4)
    assert [r["Data"] for r in page["Records"]] == [b"0", b"1", b"2", b"3"]
    assert page["MillisBehindLatest"] >= 0
    rest = kinesis.get_records(ShardIterator=page["NextShardIterator"], Limit=100)
    assert [r["Data"] for r in rest["Records"]] == [f"{i}".encode() for i in range(4, 10)]
    assert rest["MillisBehindLatest"] == 0


def test_iterator_expires_after_five_minutes_on_service_clock(kinesis, stream5, lakebox_server):
    it = kinesis.get_shard_iterator(StreamName=stream5, ShardId="shardId-000000000000",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    fresh = kinesis.get_records(ShardIterator=it)["NextShardIterator"]
    lakebox_server.advance_clock("301s")
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_records(ShardIterator=fresh)
    code, message = _error(excinfo)
    assert code == "ExpiredIteratorException"
    assert message.startswith("Iterator expired. The iterator was created at time ")
    assert message.endswith("which is further in the future than the tolerated delay of 300000 milliseconds.")


def test_bad_iterator_and_missing_shard_errors(kinesis, raw_kinesis, stream5):
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_records(ShardIterator="not-an-iterator")
    assert _error(excinfo) == ("InvalidArgumentException", "Invalid ShardIterator.")
    with pytest.raises(ClientError) as excinfo:
        kinesis.get_shard_iterator(StreamName=stream5, ShardId="shardId-000000000009", ShardIteratorType="LATEST")
    assert _error(excinfo) == ("ResourceNotFoundException",
                               ("Shard shardId-000000000009 in stream user-events under account 000000000000 "
                                "does not exist"))
    it = kinesis.get_shard_iterator(StreamName=stream5, ShardId="shardId-000000000000",
                                    ShardIteratorType="LATEST")["ShardIterator"]
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.get_records(ShardIterator=it, Limit=10_001)
    assert _error(excinfo) == ("ValidationException", "1 validation error detected: Value '10001' at 'limit' failed "
                                                      "to satisfy constraint: Member must have value less than or "
                                                      "equal to 10000")


def test_partition_key_limits(raw_kinesis, stream5):
    for key in ("", "k" * 257):
        with pytest.raises(ClientError) as excinfo:
            raw_kinesis.put_record(StreamName=stream5, Data=b"x", PartitionKey=key)
        bound = "greater than or equal to 1" if not key else "less than or equal to 256"
        assert _error(excinfo) == ("ValidationException", f"1 validation error detected: Value '{key}' at "
                                   f"'partitionKey' failed to satisfy constraint: Member must have length {bound}")
    assert raw_kinesis.put_record(StreamName=stream5, Data=b"x", PartitionKey="k" * 256)["ShardId"]


def test_record_size_limit_and_update_max_record_size(kinesis, stream5):
    too_big = b"x" * (1024 * 1024)  # data alone is 1 MiB; with the key it is over
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName=stream5, Data=too_big, PartitionKey="k")
    assert _error(excinfo)[0] == "InvalidArgumentException"
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_records(StreamName=stream5, Records=[{"Data": too_big, "PartitionKey": "k"}])
    assert _error(excinfo)[0] == "InvalidArgumentException"
    arn = kinesis.describe_stream_summary(StreamName=stream5)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
    assert kinesis.describe_stream_summary(StreamName=stream5)["StreamDescriptionSummary"]["MaxRecordSizeInKiB"] == 2048
    shard = kinesis.put_record(StreamName=stream5, Data=too_big, PartitionKey="12345")["ShardId"]
    assert read_shard(kinesis, stream5, shard)[-1]["Data"] == too_big


def test_put_records_request_limits(kinesis, raw_kinesis, stream5):
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName=stream5, Records=[{"Data": b"x", "PartitionKey": "k"}] * 501)
    code, message = _error(excinfo)
    assert code == "ValidationException" and message.startswith("1 validation error detected: Value '[")
    assert message.endswith("]' at 'records' failed to satisfy constraint: Member must have length less than or equal "
                            "to 500")
    mib = b"x" * (1024 * 1024 - 10)
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_records(StreamName=stream5, Records=[{"Data": mib, "PartitionKey": f"k{i}"} for i in range(11)])
    assert _error(excinfo)[0] == "InvalidArgumentException"
    assert sum(len(read_shard(kinesis, stream5, f"shardId-{i:012d}")) for i in range(5)) == 0
    with pytest.raises(ClientError) as excinfo:
        kinesis.put_record(StreamName=stream5, Data=b"x", PartitionKey="k", ExplicitHashKey=str(TWO_128))
    assert _error(excinfo) == ("InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the "
                                                           f"range: [0, 2^128-1]. Specified value was {TWO_128}")


def test_get_records_stops_at_ten_mib(kinesis, stream5):
    chunk = b"z" * (900 * 1024)
    for _ in range(3):
        kinesis.put_records(StreamName=stream5, Records=[{"Data": chunk, "PartitionKey": "12345"}] * 5)
    it = kinesis.get_shard_iterator(StreamName=stream5, ShardId="shardId-000000000002",
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = kinesis.get_records(ShardIterator=it)
    assert len(page["Records"]) == 11  # 11 x 900 KiB fits in 10 MiB, 12 does not
    assert page["MillisBehindLatest"] >= 0
    assert len(kinesis.get_records(ShardIterator=page["NextShardIterator"])["Records"]) == 4


def test_forged_tokens_and_iterators_get_invalid_argument_not_500(kinesis, stream5):
    import base64
    import json

    def forged(value) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()

    arn = kinesis.describe_stream_summary(StreamName=stream5)["StreamDescriptionSummary"]["StreamARN"]
    calls = [
        lambda: kinesis.list_streams(NextToken="garbage!"),
        lambda: kinesis.list_streams(NextToken=forged(["streams", 5, 0])),
        lambda: kinesis.list_shards(NextToken=forged(["shards", {"a": 1}, 0])),
        lambda: kinesis.list_shards(NextToken=forged(["shards", ["x", "y", None], 0])),
        lambda: kinesis.list_stream_consumers(StreamARN=arn, NextToken=forged(["consumers", [], 0])),
        lambda: kinesis.get_records(ShardIterator=base64.b64encode(b'[1, "s", 0, 0, "x"]').decode()),
        lambda: kinesis.put_record(StreamName=stream5, Data=b"x", PartitionKey="k", ExplicitHashKey="\u00b2"),
        lambda: kinesis.split_shard(StreamName=stream5, ShardToSplit="shardId-000000000000",
                                    NewStartingHashKey="\u0663"),
        lambda: kinesis.get_shard_iterator(StreamName=stream5, ShardId="shardId-000000000000",
                                           ShardIteratorType="AT_SEQUENCE_NUMBER",
                                           StartingSequenceNumber="\u00b2" * 56),
    ]
    for index, call in enumerate(calls):
        with pytest.raises(ClientError) as excinfo:
            call()
        # The last three break the model's ASCII-digit patterns, which AWS refuses as a ValidationException.
        expected = "ValidationException" if index >= len(calls) - 3 else "InvalidArgumentException"
        assert _error(excinfo)[0] == expected, _error(excinfo)
