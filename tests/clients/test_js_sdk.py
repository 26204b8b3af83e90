"""The AWS SDK for JavaScript v3 against a running lakebox: S3, Kinesis (HTTP/2), Glue, Athena, STS.

Node users test their pipelines with this SDK exactly as Python users do with boto3. Each script in
`js/` runs its steps against the server and prints what came back as JSON; the assertions here are
on that data. The SDK is installed once from the pinned `js/package-lock.json` with `npm ci`.
Where Node.js or npm is missing, or the npm registry cannot be reached, the tests are skipped with
the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).parent / "js"


@pytest.fixture(scope="session")
def js_sdk() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are needed for the JavaScript SDK tests")
    marker = JS_DIR / "node_modules" / ".lakebox-installed"
    lock = (JS_DIR / "package-lock.json").read_bytes()
    if not marker.exists() or marker.read_bytes() != lock:
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS_DIR,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.skip(f"npm ci failed (is the npm registry reachable?): {done.stderr.strip()[-500:]}")
        marker.write_bytes(lock)
    return JS_DIR


def run_script(js_sdk: Path, name: str, endpoint: str) -> dict:
    env = {**os.environ, "LAKEBOX_ENDPOINT": endpoint, "NODE_NO_WARNINGS": "1"}
    done = subprocess.run(["node", name], cwd=js_sdk, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def ok(results: dict, step: str):
    result = results[step]
    assert result["ok"], f"{step}: {result}"
    return result["value"]


def test_s3(js_sdk, lakebox_server):
    r = run_script(js_sdk, "s3.mjs", lakebox_server.endpoint_url)
    assert ok(r, "create_bucket") == "/js-sdk"
    put = ok(r, "put_string")
    assert put == {"etag": '"bdd652476daa86d137696456c43b2bcc"', "crc32": "kUBQVg==", "sse": "AES256"}  # md5/crc32 of "hello js"
    assert ok(r, "put_sha256") == "JMHDnXzAArb642Vt/y5tX5uRKlqFxKsrqdKl5XetvHg="
    assert ok(r, "put_stream") == '"25dcd547e87d7d42dd3c6bcea50938c3"'
    assert ok(r, "get") == "chunk1-chunk2"
    assert ok(r, "get_checksum") == {"length": 10000, "sha256": "JMHDnXzAArb642Vt/y5tX5uRKlqFxKsrqdKl5XetvHg="}
    assert ok(r, "get_range") == {"body": "hello", "range": "bytes 0-4/8"}
    assert (r["head_missing"]["ok"], r["head_missing"]["status"], r["head_missing"]["error"]) == (False, 404, "NotFound")
    assert (r["get_missing"]["status"], r["get_missing"]["error"]) == (404, "NoSuchKey")
    assert ok(r, "list") == [["a.txt", 8], ["b.bin", 10000], ["c.txt", 13]]
    assert ok(r, "copy") == put["etag"]
    assert ok(r, "tagging") == [{"Key": "k", "Value": "v"}]
    assert ok(r, "attributes") == {"size": 10000, "sha256": "JMHDnXzAArb642Vt/y5tX5uRKlqFxKsrqdKl5XetvHg="}
    assert ok(r, "multipart").endswith('-3"')
    read = ok(r, "multipart_read")
    expected = bytearray(12 << 20)
    for i in range(0, len(expected), 4):
        expected[i:i + 4] = (i & 0xFFFFFFFF).to_bytes(4, "little")
    assert read == {"md5": hashlib.md5(expected).hexdigest(), "length": 12 << 20}
    assert ok(r, "presigned_get") == {"status": 200, "body": "hello js"}
    assert ok(r, "presigned_put") == {"status": 200, "body": "presigned"}
    assert ok(r, "delete_objects") == ["a-copy.txt", "p.txt"]
    assert ok(r, "versions") == {"versions": 2, "markers": 1}
    assert ok(r, "select") == "1\n3\n"


def test_kinesis_over_http2(js_sdk, lakebox_server):
    r = run_script(js_sdk, "kinesis.mjs", lakebox_server.endpoint_url)
    assert ok(r, "create_stream") == "created"
    assert ok(r, "wait_active") == "SUCCESS"
    assert ok(r, "put_record") is True
    assert ok(r, "parallel_puts") == 100
    assert ok(r, "put_records_large") == 0
    assert ok(r, "summary") == 2
    read = ok(r, "read_all")
    assert read["count"] == 1 + 100 + 4
    assert read["small"] == sorted(["hello"] + [f"r{i}" for i in range(100)])
    assert read["large"] == 4
    assert ok(r, "subscribe") == ["live"]


def test_glue_athena_sts(js_sdk, lakebox_server):
    r = run_script(js_sdk, "analytics.mjs", lakebox_server.endpoint_url)
    assert ok(r, "data") == "ok"
    assert ok(r, "glue_get_table") == ["id:int", "category:string", "amount:double"]
    assert (r["glue_missing"]["status"], r["glue_missing"]["error"]) == (400, "EntityNotFoundException")
    assert ok(r, "athena") == [["category", "total", "n"], ["books", "20.0", "2"], ["games", "30.0", "1"]]
    assert ok(r, "sts_identity") == {"account": "000000000000", "arn": "arn:aws:iam::000000000000:root"}
    assert ok(r, "sts_assume") == "arn:aws:sts::000000000000:assumed-role/etl/js-session"
