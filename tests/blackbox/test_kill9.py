"""An acknowledged PUT survives `kill -9`, and a crash never leaves a torn object behind.

DESIGN promise 3 and D2: a write goes to a temp file, is fsynced, renamed into place, and only then
committed and acknowledged. This test checks the outcome, not the mechanism. A separate writer
process (this file run as a script) does 500 PUTs of seeded random sizes and logs every attempt and
every 200. After ~200 acknowledgements, timed to land while a multi-MiB body is in flight, the
server gets SIGKILL. On restart over the same data folder:
- every acknowledged key reads back byte-identical (by sha256), in the API and in the lake folder;
- every listed key is one the writer sent, and reads back whole: md5(body) == ETag, and the body is
  exactly the one the writer meant for it (so an un-acknowledged PUT is all or nothing);
- the server still takes writes.
"""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from writer_log import WriterLog

pytestmark = [pytest.mark.blackbox, pytest.mark.timeout(300)]

BUCKET = "kill9"
TOTAL = 500
KILL_AFTER_ACKS = 200
LARGE_AT = {201, 202, 203, 57, 140, 260, 330, 470}  # 2–8 MiB bodies; three right where the kill lands


def build_plan(seed: int) -> list[dict]:
    rng = random.Random(seed)
    plan = []
    for i in range(TOTAL):
        size = rng.randint(2 << 20, 8 << 20) if i in LARGE_AT else rng.randint(0, 256 << 10)
        plan.append({"key": f"obj/{i:04d}-{size}", "size": size, "seed": rng.getrandbits(64)})
    return plan


def body_for(entry: dict) -> bytes:
    return random.Random(entry["seed"]).randbytes(entry["size"])


def writer_main(endpoint: str, plan_path: str, log_path: str) -> None:
    """The writer process: one PUT at a time, each attempt and each 200 logged (flushed) before moving on."""
    import boto3
    from botocore.config import Config

    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                      region_name="us-east-1",
                      config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=60))
    plan = json.loads(Path(plan_path).read_text())
    failures_in_a_row = 0
    with open(log_path, "a", buffering=1) as log:
        for entry in plan:
            body = body_for(entry)
            log.write(json.dumps({"event": "begin", "key": entry["key"], "size": entry["size"]}) + "\n")
            try:
                resp = s3.put_object(Bucket=BUCKET, Key=entry["key"], Body=body)
            except Exception as exc:  # the server is gone: record it, stop after a few
                log.write(json.dumps({"event": "error", "key": entry["key"], "error": type(exc).__name__}) + "\n")
                failures_in_a_row += 1
                if failures_in_a_row >= 3:
                    return
                continue
            failures_in_a_row = 0
            if resp["ResponseMetadata"]["HTTPStatusCode"] == 200:
                log.write(json.dumps({"event": "ack", "key": entry["key"], "etag": resp["ETag"],
                                      "sha256": hashlib.sha256(body).hexdigest()}) + "\n")


def _events(log_path: Path) -> list[dict]:
    if not log_path.exists():
        return []
    lines = log_path.read_text().splitlines()
    return [json.loads(l) for l in lines if l.endswith("}")]


def test_kill9_keeps_every_acknowledged_put_and_tears_nothing(serve_factory, tmp_path):
    import boto3
    from botocore.config import Config

    data_dir = tmp_path / "data"
    server = serve_factory.start(data_dir)

    def client(endpoint):
        return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                            region_name="us-east-1", config=Config(retries={"total_max_attempts": 2}))

    client(server.endpoint).create_bucket(Bucket=BUCKET)
    seed = int(time.time())
    print(f"plan seed {seed}")  # shown on failure, to replay the same sizes with build_plan(seed)
    plan = build_plan(seed)
    by_key = {e["key"]: e for e in plan}
    plan_path, log_path = tmp_path / "plan.json", tmp_path / "writer.log"
    plan_path.write_text(json.dumps(plan))
    writer = subprocess.Popen([sys.executable, __file__, "--writer", server.endpoint, str(plan_path), str(log_path)],
                              stderr=subprocess.PIPE, text=True)

    # Kill once ~200 PUTs are acknowledged and a large body is in flight, so the crash hits a write.
    log = WriterLog(log_path)
    deadline = time.monotonic() + 120  # a guard against a hung writer, not a speed check
    while True:
        events = log.poll()
        acks = sum(e["event"] == "ack" for e in events)
        last = log.last
        in_flight_large = last.get("event") == "begin" and last["size"] >= 2 << 20
        if acks >= KILL_AFTER_ACKS and (in_flight_large or acks >= KILL_AFTER_ACKS + 15):
            time.sleep(random.uniform(0.005, 0.05))
            break
        assert writer.poll() is None, f"writer ended before the kill: {writer.stderr.read()}"
        assert time.monotonic() < deadline, f"only {acks} acks in 120 s"
        time.sleep(0.002)
    server.kill9()
    writer.wait(60)
    events = _events(log_path)
    acked = {e["key"]: e for e in events if e["event"] == "ack"}
    begun = [e["key"] for e in events if e["event"] == "begin"]
    assert KILL_AFTER_ACKS <= len(acked) < TOTAL, "the kill did not land mid-run"
    assert any(e["event"] == "error" for e in events), "the writer never noticed the kill"

    server = serve_factory.start(data_dir)
    s3 = client(server.endpoint)

    # 1. every acknowledged PUT, byte-identical, in the API and in the lake folder
    for key, ack in acked.items():
        got = s3.get_object(Bucket=BUCKET, Key=key)
        body = got["Body"].read()
        assert hashlib.sha256(body).hexdigest() == ack["sha256"], f"acknowledged {key} came back different"
        assert got["ETag"] == ack["etag"]
        assert hashlib.sha256((data_dir / "s3" / BUCKET / key).read_bytes()).hexdigest() == ack["sha256"]

    # 2. nothing listed is torn or foreign
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
    listed = {o["Key"]: o for page in pages for o in page.get("Contents", [])}
    assert set(acked) <= set(listed), f"acknowledged but not listed: {sorted(set(acked) - set(listed))[:5]}"
    assert set(listed) <= set(begun), f"listed but never sent: {sorted(set(listed) - set(begun))[:5]}"
    for key, obj in listed.items():
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert len(body) == obj["Size"] == by_key[key]["size"], f"{key}: torn ({len(body)} bytes)"
        assert hashlib.md5(body).hexdigest() == obj["ETag"].strip('"'), f"{key}: body does not match its ETag"
        assert body == body_for(by_key[key]), f"{key}: not the body the writer sent"

    # 3. the recovered server still takes writes
    s3.put_object(Bucket=BUCKET, Key="after-restart", Body=b"still here")
    assert s3.get_object(Bucket=BUCKET, Key="after-restart")["Body"].read() == b"still here"


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--writer":
    writer_main(*sys.argv[2:])
