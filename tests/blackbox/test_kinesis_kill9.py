"""Acknowledged Kinesis records survive `kill -9`, exactly once and in order (DESIGN D5).

A writer process (this file run as a script) puts records into a 4-shard stream with PutRecords,
250 at a time, until the server is gone (at most 99,000 records), and logs every batch it sends and every acknowledgement with the shard
and sequence number AWS-style that the server gave each record. Once about half are acknowledged the
server gets SIGKILL mid-run. After a restart on the same data folder, a TRIM_HORIZON read of every
shard must return:
- every acknowledged record, exactly once, under the sequence number and shard of its ack;
- per shard, in the order of the writes (sequence numbers strictly increasing);
- nothing the writer never sent, and no record twice (an unacknowledged batch may be there or not).
The restarted server then still takes writes, which continue after the recovered records.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from writer_log import WriterLog

pytestmark = [pytest.mark.blackbox, pytest.mark.timeout(300)]

STREAM = "kill9"
TOTAL = 99_000  # the writer's limit; the kill comes long before, once KILL_AFTER_ACKS are in
BATCH = 250
SHARDS = 4
KILL_AFTER_ACKS = 10_000


def record_data(i: int) -> bytes:
    return f"record-{i:05d}-".encode() + bytes([i % 251]) * (i % 700)


def partition_key(i: int) -> str:
    return f"user-{i % 97}"


def writer_main(endpoint: str, log_path: str) -> None:
    import boto3
    from botocore.config import Config

    kinesis = boto3.client("kinesis", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                           region_name="us-east-1",
                           config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=60))
    failures = 0
    with open(log_path, "a", buffering=1) as log:
        for start in range(0, TOTAL, BATCH):
            indexes = list(range(start, min(start + BATCH, TOTAL)))
            log.write(json.dumps({"event": "begin", "first": indexes[0]}) + "\n")
            try:
                resp = kinesis.put_records(StreamName=STREAM, Records=[
                    {"Data": record_data(i), "PartitionKey": partition_key(i)} for i in indexes])
            except Exception as exc:  # noqa: BLE001 - the server is gone: note it, stop after a few
                log.write(json.dumps({"event": "error", "first": indexes[0], "error": type(exc).__name__}) + "\n")
                failures += 1
                if failures >= 3:
                    return
                continue
            acked = [[i, r["ShardId"], r["SequenceNumber"]] for i, r in zip(indexes, resp["Records"])
                     if "SequenceNumber" in r]
            log.write(json.dumps({"event": "ack", "records": acked}) + "\n")


def _events(log_path: Path) -> list[dict]:
    if not log_path.exists():
        return []
    return [json.loads(line) for line in log_path.read_text().splitlines() if line.endswith("}")]


def _read_all(kinesis, shard_id: str) -> list[dict]:
    iterator = kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard_id,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = []
    while True:
        page = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
        records += page["Records"]
        iterator = page["NextShardIterator"]
        if not page["Records"]:
            return records


def test_kill9_keeps_every_acknowledged_record_exactly_once_in_order(serve_factory, tmp_path):
    import boto3

    data_dir = tmp_path / "data"
    server = serve_factory.start(data_dir)

    def client(endpoint):
        return boto3.client("kinesis", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                            region_name="us-east-1")

    client(server.endpoint).create_stream(StreamName=STREAM, ShardCount=SHARDS)
    log_path = tmp_path / "writer.log"
    writer = subprocess.Popen([sys.executable, __file__, "--writer", server.endpoint, str(log_path)],
                              stderr=subprocess.PIPE, text=True)
    log = WriterLog(log_path)
    deadline = time.monotonic() + 180  # a guard against a hung writer, not a speed check
    while True:
        events = log.poll()
        acks = sum(len(e["records"]) for e in events if e["event"] == "ack")
        if acks >= KILL_AFTER_ACKS and log.last.get("event") == "begin":
            break  # a batch is in flight right now
        assert writer.poll() is None, f"writer ended before the kill: {writer.stderr.read()}"
        assert time.monotonic() < deadline, f"only {acks} records acknowledged in 180 s"
        time.sleep(0.001)
    server.kill9()
    writer.wait(60)
    events = _events(log_path)
    acked = {i: (shard, seq) for e in events if e["event"] == "ack" for i, shard, seq in e["records"]}
    assert KILL_AFTER_ACKS <= len(acked) < TOTAL, "the kill did not land mid-run"
    assert any(e["event"] == "error" for e in events), "the writer never noticed the kill"

    server = serve_factory.start(data_dir)
    kinesis = client(server.endpoint)
    seen: dict[int, tuple[str, str]] = {}
    for n in range(SHARDS):
        shard_id = f"shardId-{n:012d}"
        records = _read_all(kinesis, shard_id)
        seqs = [int(r["SequenceNumber"]) for r in records]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), f"{shard_id}: out of order or repeated"
        indexes = []
        for r in records:
            i = int(r["Data"][7:12])
            assert r["Data"] == record_data(i) and r["PartitionKey"] == partition_key(i), f"record {i} is torn"
            assert i not in seen, f"record {i} read twice"
            seen[i] = (shard_id, r["SequenceNumber"])
            indexes.append(i)
        assert indexes == sorted(indexes), f"{shard_id}: records not in write order"
    missing = [i for i in acked if i not in seen]
    assert not missing, f"{len(missing)} acknowledged records lost, first {missing[:5]}"
    assert all(seen[i] == acked[i] for i in acked), "a record came back under another sequence number"
    assert max(seen) < len(acked) + BATCH * 2  # only the batches in flight may add unacknowledged records

    after = kinesis.put_record(StreamName=STREAM, Data=b"after restart", PartitionKey=partition_key(0))
    assert int(after["SequenceNumber"]) > max(int(s) for sh, s in seen.values() if sh == after["ShardId"])
    assert _read_all(kinesis, after["ShardId"])[-1]["Data"] == b"after restart"


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--writer":
    writer_main(*sys.argv[2:])
