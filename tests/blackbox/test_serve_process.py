"""`lakebox serve` as a process: the contract the README and issue 2 (section 2) promise.

Only a real subprocess can show these: the ready line on stdout, the health endpoint, one request
log line per request, a clean exit on SIGTERM/SIGINT, and state that survives a restart on the same
--data folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config

import lakebox

pytestmark = pytest.mark.blackbox

#: "<service> <Operation> <status> <ms>ms" somewhere in a request log line.
LOG_LINE = re.compile(r"\b(s3|sts|lakebox) ([A-Za-z0-9]+) (\d{3}) (\d+(?:\.\d+)?)ms\b")


def client(server):
    return boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id="test",
                        aws_secret_access_key="test", region_name="us-east-1",
                        config=Config(retries={"total_max_attempts": 1}))


def test_ready_line_and_health_json(serve_factory):
    server = serve_factory.start()
    assert any(l == f"lakebox ready on {server.endpoint}" for l in server.stdout_lines)
    with urllib.request.urlopen(f"{server.endpoint}/_lakebox/health", timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("application/json")
        health = json.loads(resp.read())
    assert health["version"] == lakebox.__version__
    assert health["data_dir"] == str(server.data_dir.resolve())
    assert "s3" in health["services"]
    assert isinstance(health["services"], dict)


def test_request_log_has_one_line_per_request(serve_factory):
    server = serve_factory.start()
    s3 = client(server)
    s3.create_bucket(Bucket="logged")
    s3.put_object(Bucket="logged", Key="a.txt", Body=b"hello")
    assert s3.get_object(Bucket="logged", Key="a.txt")["Body"].read() == b"hello"
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket="logged", Key="missing.txt")
    s3.list_objects_v2(Bucket="logged")
    expected = [("s3", "CreateBucket", 200), ("s3", "PutObject", 200), ("s3", "GetObject", 200),
                ("s3", "HeadObject", 404), ("s3", "ListObjectsV2", 200)]

    deadline = time.monotonic() + 5  # the line is written just after the response is sent
    while True:
        found = [m.groups() for m in map(LOG_LINE.search, server.log_text().splitlines()) if m]
        if len(found) >= len(expected) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [(svc, op, int(status)) for svc, op, status, _ in found] == expected, server.log_text()
    assert all(float(ms) >= 0 for *_, ms in found)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_shuts_down_cleanly_with_exit_zero(serve_factory, signum):
    server = serve_factory.start()
    s3 = client(server)
    s3.create_bucket(Bucket="bye")
    s3.put_object(Bucket="bye", Key="k", Body=b"v")
    server.proc.send_signal(signum)
    assert server.proc.wait(20) == 0
    log = server.log_text()
    assert "Traceback" not in log, log


def test_restart_on_same_data_keeps_objects_byte_identical(serve_factory, tmp_path):
    data_dir = tmp_path / "persist"
    server = serve_factory.start(data_dir)
    s3 = client(server)
    s3.create_bucket(Bucket="durable")
    objects = {
        "empty": b"",
        "small.txt": b"hello lake\n",
        "bronze/orders/2024/01/15/orders.csv": b"id,amount\n" + b"".join(b"%d,%d\n" % (i, i * 3) for i in range(5000)),
        "random/blob.bin": os.urandom(3 * 1024 * 1024 + 7),
        "spaces and ünicode/ñ.txt": "ção".encode(),
    }
    for key, body in objects.items():
        s3.put_object(Bucket="durable", Key=key, Body=body, ContentType="application/x-test",
                      Metadata={"sha256": hashlib.sha256(body).hexdigest()})
    before = s3.list_objects_v2(Bucket="durable")["Contents"]
    exit_code = server.terminate()

    again = serve_factory.start(data_dir)
    s3 = client(again)
    assert "durable" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    after = s3.list_objects_v2(Bucket="durable")["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"], o["LastModified"]) for o in after] == \
           [(o["Key"], o["Size"], o["ETag"], o["LastModified"]) for o in before]
    for key, body in objects.items():
        got = s3.get_object(Bucket="durable", Key=key)
        assert got["Body"].read() == body, key
        assert got["ContentType"] == "application/x-test"
        assert got["Metadata"] == {"sha256": hashlib.sha256(body).hexdigest()}
        assert got["ETag"].strip('"') == hashlib.md5(body).hexdigest()
        assert (data_dir / "s3" / "durable" / key).read_bytes() == body
    assert exit_code == 0, "SIGTERM did not end the first server cleanly"


def test_empty_put_then_put_on_the_same_connection_keeps_the_response(serve_factory):
    """boto3 sends `Expect: 100-continue` on every PutObject, even with an empty body. A server that
    answers that one without a 100 leaves botocore's connection expecting a final status line, and
    the NEXT response on the connection is then mis-parsed (its headers are lost: no ETag)."""
    server = serve_factory.start()
    s3 = client(server)
    s3.create_bucket(Bucket="expect")
    first = s3.put_object(Bucket="expect", Key="empty", Body=b"")
    second = s3.put_object(Bucket="expect", Key="next", Body=b"hello world")
    third = s3.put_object(Bucket="expect", Key="more", Body=b"x" * 70_000)
    assert first["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    assert second.get("ETag") == f'"{hashlib.md5(b"hello world").hexdigest()}"'
    assert third.get("ETag") == f'"{hashlib.md5(b"x" * 70_000).hexdigest()}"'
    assert s3.get_object(Bucket="expect", Key="next")["Body"].read() == b"hello world"
