"""Eight writers on one key of a versioned bucket: every PUT is a version, in one consistent order,
and `kill -9` in the middle loses no acknowledged version.

Each body names its writer and its sequence number, so the listing can be checked against what
each writer did: a writer's later PUT must be a newer version than its earlier one, whatever the
interleaving with the others. After the kill, every acknowledged version id reads back its own
bytes from the restarted server.
"""

from __future__ import annotations

import hashlib
import threading
import time

import boto3
import pytest
from botocore.config import Config

pytestmark = [pytest.mark.blackbox, pytest.mark.timeout(300)]

WRITERS = 8
TOTAL = 1000
KEY = "events/latest.json"


def _client(endpoint: str, attempts: int = 2):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                        region_name="us-east-1",
                        config=Config(retries={"total_max_attempts": attempts}, max_pool_connections=WRITERS,
                                      connect_timeout=2, read_timeout=30))


def _body(writer: int, seq: int) -> bytes:
    return f'{{"writer": {writer}, "seq": {seq}}}'.encode() + b" " * (seq % 97)


def _versions(s3, bucket: str) -> list[dict]:
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 300})
    return [v for page in pages for v in page.get("Versions", [])]


def _run_writers(s3, bucket: str, per_writer: int, acked: dict, stop: threading.Event) -> list[threading.Thread]:
    lock = threading.Lock()

    def write(writer: int) -> None:
        for seq in range(per_writer):
            if stop.is_set():
                return
            body = _body(writer, seq)
            try:
                version = s3.put_object(Bucket=bucket, Key=KEY, Body=body)["VersionId"]
            except Exception:  # the server was killed: this PUT was never acknowledged
                return
            with lock:
                acked[version] = (writer, seq, hashlib.sha256(body).hexdigest())

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    return threads


def test_eight_writers_make_exactly_1000_versions_in_one_order(serve_factory, tmp_path):
    server = serve_factory.start(tmp_path / "data")
    s3 = _client(server.endpoint)
    s3.create_bucket(Bucket="versions")
    s3.put_bucket_versioning(Bucket="versions", VersioningConfiguration={"Status": "Enabled"})
    acked: dict = {}
    for thread in _run_writers(s3, "versions", TOTAL // WRITERS, acked, threading.Event()):
        thread.join()
    assert len(acked) == TOTAL

    listed = _versions(s3, "versions")
    assert len(listed) == TOTAL
    assert {v["VersionId"] for v in listed} == set(acked)
    assert [v["IsLatest"] for v in listed].count(True) == 1 and listed[0]["IsLatest"]
    times = [v["LastModified"] for v in listed]
    assert times == sorted(times, reverse=True)
    # Newest first: each writer's sequence numbers must come out descending.
    last_seen: dict[int, int] = {}
    for version in listed:
        writer, seq, _ = acked[version["VersionId"]]
        assert seq < last_seen.get(writer, TOTAL), f"writer {writer}: version order breaks its own order"
        last_seen[writer] = seq
    newest_writer, newest_seq, digest = acked[listed[0]["VersionId"]]
    assert hashlib.sha256(s3.get_object(Bucket="versions", Key=KEY)["Body"].read()).hexdigest() == digest
    assert (tmp_path / "data" / "s3" / "versions" / KEY).read_bytes() == _body(newest_writer, newest_seq)


def test_kill9_loses_no_acknowledged_version(serve_factory, tmp_path):
    data_dir = tmp_path / "data"
    server = serve_factory.start(data_dir)
    s3 = _client(server.endpoint, attempts=1)
    s3.create_bucket(Bucket="versions")
    s3.put_bucket_versioning(Bucket="versions", VersioningConfiguration={"Status": "Enabled"})
    acked: dict = {}
    stop = threading.Event()
    threads = _run_writers(s3, "versions", TOTAL // WRITERS, acked, stop)
    deadline = time.monotonic() + 120  # a guard against a hung server, not a speed check
    while len(acked) < TOTAL // 3:
        assert time.monotonic() < deadline, f"only {len(acked)} versions acknowledged in 120 s"
        time.sleep(0.002)
    server.kill9()
    stop.set()
    for thread in threads:
        thread.join()
    assert TOTAL // 3 <= len(acked) < TOTAL, "the kill did not land mid-run"

    server = serve_factory.start(data_dir)
    s3 = _client(server.endpoint)
    listed = _versions(s3, "versions")
    ids = [v["VersionId"] for v in listed]
    assert len(ids) == len(set(ids)), "a version is listed twice"
    assert set(acked) <= set(ids), f"acknowledged versions lost: {sorted(set(acked) - set(ids))[:3]}"
    assert len(ids) <= len(acked) + WRITERS, "more versions than PUTs that could have landed"
    for version, (_, _, digest) in acked.items():
        body = s3.get_object(Bucket="versions", Key=KEY, VersionId=version)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == digest
    assert [v["IsLatest"] for v in listed].count(True) == 1
    # Still takes versioned writes.
    new = s3.put_object(Bucket="versions", Key=KEY, Body=b"after")["VersionId"]
    assert _versions(s3, "versions")[0]["VersionId"] == new
