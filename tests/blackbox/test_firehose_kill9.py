"""Acknowledged Firehose records survive `kill -9` and are delivered after the restart (DESIGN D5).

PutRecord and PutRecordBatch answer only once the records are fsynced into the stream's buffer, so
a record the server acknowledged must reach S3 even if the server dies before delivering it.

A writer process (this file run as a script) sends PutRecordBatch calls of 100 records each, until
the server is gone (at most 1,000 calls), to a DirectPut stream whose buffer is far from due
(128 MiB, 900 s): each record has a unique id, a random length of up to ~2 KiB derived from that
id, and ends with a newline. The writer logs each
batch before sending it and each acknowledgement after. Once 100 batches are acknowledged,
and while the next one is in flight, the server gets SIGKILL. After a restart on the same data
folder, nothing is delivered until the service clock moves; `/_lakebox/clock` then advances 20
minutes (past the 900 s interval) and every delivered object is read back. What must hold:
- no object is torn: every object is whole newline-terminated records, each byte-equal to the record
  the writer built for its id;
- every acknowledged record is delivered, exactly once;
- nothing the writer never sent appears, nor any record of the batches it began after the kill
  (their connections were refused);
- the 100 records of the one batch in flight at the kill (sent, never acknowledged) may each be
  there or not, and they are the only ones allowed more than once (at-least-once delivery). Nothing
  else can be duplicated here: the writer never retries, and no delivery runs before the kill.
A second advance delivers nothing again, and the restarted server still takes and delivers writes.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from writer_log import WriterLog

pytestmark = [pytest.mark.blackbox, pytest.mark.timeout(120)]

STREAM = "kill9"
BUCKET = "kill9-lake"
BATCH = 100
BATCHES = 1000  # the writer's limit (about 100 MB, under the 128 MiB buffer); the kill comes at 100
KILL_AFTER_BATCHES = 100
ALPHABET = (string.ascii_letters + string.digits).encode()


def record_data(i: int) -> bytes:
    """Record `i`: `rec-<id>:` then 0 to 2,000 random letters (a function of the id), then a newline."""
    rng = random.Random(i)
    body = bytes(rng.choices(ALPHABET, k=rng.randint(0, 2000)))
    return f"rec-{i:06d}:".encode() + body + b"\n"


def _client(endpoint: str, **config):
    import boto3
    from botocore.config import Config

    return boto3.client("firehose", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                        region_name="us-east-1", config=Config(**config) if config else None)


def writer_main(endpoint: str, log_path: str) -> None:
    firehose = _client(endpoint, retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=60)
    failures = 0
    with open(log_path, "a", buffering=1) as log:
        for start in range(0, BATCH * BATCHES, BATCH):
            indexes = list(range(start, start + BATCH))
            log.write(json.dumps({"event": "begin", "first": start}) + "\n")
            try:
                resp = firehose.put_record_batch(DeliveryStreamName=STREAM,
                                                 Records=[{"Data": record_data(i)} for i in indexes])
            except Exception as exc:  # noqa: BLE001 - the server is gone: note it, stop after a few
                log.write(json.dumps({"event": "error", "first": start, "error": type(exc).__name__}) + "\n")
                failures += 1
                if failures >= 3:
                    return
                continue
            acked = [i for i, r in zip(indexes, resp["RequestResponses"])
                     if r.get("RecordId") and not r.get("ErrorCode")]
            log.write(json.dumps({"event": "ack", "first": start, "records": acked,
                                  "failed": resp["FailedPutCount"]}) + "\n")


def _events(log_path: Path) -> list[dict]:
    if not log_path.exists():
        return []
    return [json.loads(line) for line in log_path.read_text().splitlines() if line.endswith("}")]


def _advance(endpoint: str, duration: str) -> None:
    request = urllib.request.Request(endpoint + "/_lakebox/clock", data=json.dumps({"advance": duration}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as resp:
        assert resp.status == 200


def _delivered(s3) -> dict[str, bytes]:
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
            for o in page.get("Contents", [])]
    return {key: s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys}


def _records(key: str, body: bytes) -> list[int]:
    """The ids in one object, asserting that it is whole records, each exactly as the writer built it."""
    assert body.endswith(b"\n"), f"{key} ends mid-record"
    ids = []
    for line in body[:-1].split(b"\n"):
        assert line.startswith(b"rec-") and line[10:11] == b":", f"{key}: torn record {line[:40]!r}"
        i = int(line[4:10])
        assert line + b"\n" == record_data(i), f"{key}: record {i} is torn or altered"
        ids.append(i)
    return ids


def test_kill9_delivers_every_acknowledged_firehose_record(serve_factory, tmp_path):
    import boto3

    data_dir = tmp_path / "data"
    server = serve_factory.start(data_dir)

    def s3_client(endpoint):
        return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                            region_name="us-east-1")

    s3_client(server.endpoint).create_bucket(Bucket=BUCKET)
    _client(server.endpoint).create_delivery_stream(
        DeliveryStreamName=STREAM, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/FirehoseRole", "BucketARN": f"arn:aws:s3:::{BUCKET}",
            "Prefix": "raw/", "ErrorOutputPrefix": "errors/",
            "BufferingHints": {"SizeInMBs": 128, "IntervalInSeconds": 900}, "CompressionFormat": "UNCOMPRESSED"})

    log_path = tmp_path / "writer.log"
    writer = subprocess.Popen([sys.executable, __file__, "--writer", server.endpoint, str(log_path)],
                              stderr=subprocess.PIPE, text=True)
    log = WriterLog(log_path)
    deadline = time.monotonic() + 60  # a guard against a hung writer, not a speed check
    while True:
        events = log.poll()
        acked_batches = sum(1 for e in events if e["event"] == "ack")
        if acked_batches >= KILL_AFTER_BATCHES and log.last.get("event") == "begin":
            in_flight = set(range(log.last["first"], log.last["first"] + BATCH))
            break  # a batch is in flight right now
        assert writer.poll() is None, f"writer ended before the kill: {writer.stderr.read()}"
        assert time.monotonic() < deadline, f"only {acked_batches} batches acknowledged in 60 s"
        time.sleep(0.001)
    server.kill9()
    writer.wait(60)

    events = _events(log_path)
    acked = {i for e in events if e["event"] == "ack" for i in e["records"]}
    assert all(e["failed"] == 0 for e in events if e["event"] == "ack")
    assert acked == set(range(min(in_flight))), "acknowledged records are not every batch before the kill"
    assert KILL_AFTER_BATCHES * BATCH <= len(acked) < BATCHES * BATCH, "the kill did not land mid-run"
    assert any(e["event"] == "error" for e in events), "the writer never noticed the kill"

    server = serve_factory.start(data_dir)
    s3 = s3_client(server.endpoint)
    assert _delivered(s3) == {}, "delivered before the buffer was due"

    _advance(server.endpoint, "20m")
    objects = _delivered(s3)
    assert objects, "nothing delivered after the clock passed the 900 s interval"
    assert all(key.startswith("raw/") for key in objects), sorted(objects)  # no error output
    counts = Counter(i for key, body in objects.items() for i in _records(key, body))

    missing = sorted(acked - set(counts))
    assert not missing, f"{len(missing)} acknowledged records lost, first {missing[:5]}"
    unexpected = sorted(set(counts) - acked - in_flight)
    assert not unexpected, f"records never sent, or sent after the kill: {unexpected[:5]}"
    twice = sorted(i for i, n in counts.items() if n > 1 and i not in in_flight)
    assert not twice, f"{len(twice)} acknowledged records delivered more than once, first {twice[:5]}"

    # Delivered is delivered: the next interval finds an empty buffer.
    _advance(server.endpoint, "20m")
    assert set(_delivered(s3)) == set(objects)

    # The restarted server still takes writes, and delivers them.
    after = [BATCH * BATCHES + n for n in range(3)]
    firehose = _client(server.endpoint)
    resp = firehose.put_record_batch(DeliveryStreamName=STREAM, Records=[{"Data": record_data(i)} for i in after])
    assert resp["FailedPutCount"] == 0
    _advance(server.endpoint, "20m")
    new = {k: v for k, v in _delivered(s3).items() if k not in objects}
    assert sorted(i for key, body in new.items() for i in _records(key, body)) == after


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--writer":
    writer_main(*sys.argv[2:])
