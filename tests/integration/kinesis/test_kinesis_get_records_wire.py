"""GetRecords end to end through boto3: awkward partition keys, empty and 1 MiB data, and an
encrypted stream come back exactly as they were acknowledged."""

from __future__ import annotations

import random

from kinesis_helpers import read_shard

KEYS = ['a"quote', "back\\slash", "ctl\x01\x1f", "tab\tnew\nline", "ünïcødé 日本 \U0001F600", "line\u2028sep", "k" * 256]


def test_awkward_keys_and_sizes_read_back_as_acknowledged(kinesis):
    kinesis.create_stream(StreamName="wire", ShardCount=1)
    rng = random.Random(5)
    sent = [(key, rng.randbytes(size)) for key in KEYS for size in (0, 1, 2, 3, 1000)]
    acked = kinesis.put_records(StreamName="wire", Records=[{"PartitionKey": k, "Data": d} for k, d in sent])
    assert acked["FailedRecordCount"] == 0
    big = rng.randbytes((1 << 20) - 3)
    big_seq = kinesis.put_record(StreamName="wire", PartitionKey="big", Data=big)["SequenceNumber"]
    got = read_shard(kinesis, "wire", "shardId-000000000000")
    assert [(r["PartitionKey"], r["Data"]) for r in got] == [*sent, ("big", big)]
    assert [r["SequenceNumber"] for r in got] == [r["SequenceNumber"] for r in acked["Records"]] + [big_seq]
    assert all("EncryptionType" not in r for r in got)
    stamps = {r["ApproximateArrivalTimestamp"] for r in got[:-1]}
    assert len(stamps) == 1 and stamps.pop().microsecond % 1000 == 0  # one put, one time, in ms


def test_encrypted_stream_records_say_kms(kinesis):
    kinesis.create_stream(StreamName="secret", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="secret", WaiterConfig={"Delay": 0.1})
    kinesis.start_stream_encryption(StreamName="secret", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    kinesis.put_records(StreamName="secret", Records=[{"PartitionKey": 'q"', "Data": b""},
                                                      {"PartitionKey": "p", "Data": b"x"}])
    got = read_shard(kinesis, "secret", "shardId-000000000000")
    assert [(r["PartitionKey"], r["Data"], r["EncryptionType"]) for r in got] == [('q"', b"", "KMS"),
                                                                                 ("p", b"x", "KMS")]
