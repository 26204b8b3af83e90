"""Kinesis benchmark: lakebox against moto's server, in one run, with the same client code.

- put: PutRecords in batches of 500 x 1 KiB records, one client, in records/s with p50/p99 latency,
  and the rate in each fifth of the run (it should stay flat as the stream grows);
- read: every shard from TRIM_HORIZON with GetRecords (Limit 10,000), a reader thread per shard,
  in records/s;
- concurrent: 4 writer threads at once, then every acknowledged record must be read back (records
  are identified by their data, so two records acknowledged under one sequence number count).
Each is measured twice: with boto3 end to end (what a Python producer sees; on 2 shared cores
botocore's own validation, serialization and parsing take much of the time), and with requests that
botocore serialized before the clock starts, sent over keep-alive HTTP and read with `orjson.loads`
(what the server itself sustains). Every read is checked against the acknowledged sequence
numbers, so a fast wrong answer cannot score.
lakebox runs with durability on (each acknowledged put is fsynced).

    .venv/bin/python bench/kinesis_bench.py [--quick] [--only lakebox|moto]
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import base64
import http.client
import json
from urllib.parse import urlparse

import orjson
from s3_bench import start_lakebox, start_moto  # noqa: E402

SHARDS = 4
RECORD = 1024
BATCH = 500


def client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client("kinesis", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 0}, read_timeout=300, max_pool_connections=16))


def make_stream(kinesis, name: str) -> None:
    kinesis.create_stream(StreamName=name, ShardCount=SHARDS)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})


def batch(seed: int) -> list[dict]:
    payload = random.Random(seed).randbytes(RECORD - 16)
    return [{"Data": f"{seed:08d}{i:08d}".encode() + payload, "PartitionKey": f"pk-{seed}-{i}"} for i in range(BATCH)]


def put_batches(kinesis, name: str, seeds: range, acked: list, latencies: list) -> None:
    raw = isinstance(kinesis, RawKinesis)
    for seed in seeds:
        records = None if raw else batch(seed)
        start = time.perf_counter()
        resp = kinesis.put_batch(name, seed) if raw else kinesis.put_records(StreamName=name, Records=records)
        latencies.append(time.perf_counter() - start)
        for i, r in enumerate(resp["Records"]):
            if "SequenceNumber" in r:
                acked.append(((seed, i), (r["ShardId"], r["SequenceNumber"])))


def read_shard(kinesis, name: str, shard_id: str) -> set:
    seen = set()
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
        for r in page["Records"]:
            data = r["Data"] if isinstance(r["Data"], bytes) else base64.b64decode(r["Data"][:24])
            seen.add((int(data[:8]), int(data[8:16])))
        if not page["Records"] and page.get("MillisBehindLatest", 0) == 0:
            break
        iterator = page.get("NextShardIterator")
    return seen


def read_all(make, endpoint: str, name: str) -> set:
    """Every shard from TRIM_HORIZON, one reader thread (and connection) per shard, as a KCL worker
    reads them."""
    shards = [s["ShardId"] for s in make(endpoint).list_shards(StreamName=name)["Shards"]]
    found: list[set] = [set() for _ in shards]

    def read(i: int) -> None:
        found[i] = read_shard(make(endpoint), name, shards[i])

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(shards))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return set().union(*found)


@functools.lru_cache(maxsize=1)
def _service_model():
    import botocore.session

    return botocore.session.get_session().get_service_model("kinesis")


class RawKinesis:
    """The same calls over one keep-alive HTTP connection, bodies serialized ahead by botocore.

    Only `put_records`, `get_shard_iterator`, `get_records` and `list_shards` are needed; results
    are plain `orjson.loads` output (Data stays base64, which is all the check needs)."""

    def __init__(self, endpoint: str):
        from botocore.serialize import create_serializer

        # The model is loaded once per run: a reader made inside a timed phase then costs only its
        # connection, rather than a fixed ~5 ms of botocore per client that weighs most on the
        # faster server's short read phase.
        self._model = _service_model()
        self._serializer = create_serializer("json")
        url = urlparse(endpoint)
        self._url = endpoint
        self._conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
        self.prepared: dict[int, bytes] = {}

    def body(self, operation: str, params: dict) -> bytes:
        return self._serializer.serialize_to_request(params, self._model.operation_model(operation))["body"]

    def call(self, operation: str, body: bytes) -> dict:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        request = AWSRequest("POST", self._url + "/", data=body, headers={
            "X-Amz-Target": f"Kinesis_20131202.{operation}", "Content-Type": "application/x-amz-json-1.1"})
        SigV4Auth(Credentials("test", "test"), "kinesis", "us-east-1").add_auth(request)
        self._conn.request("POST", "/", body, dict(request.headers.items()))
        response = self._conn.getresponse()
        payload = orjson.loads(response.read())
        if response.status != 200:
            raise RuntimeError(f"{operation}: {response.status} {payload}")
        return payload

    def put_batch(self, name: str, seed: int) -> dict:
        body = self.prepared.pop(seed, None) or self.body("PutRecords", {"StreamName": name, "Records": batch(seed)})
        return self.call("PutRecords", body)

    def list_shards(self, **params) -> dict:
        return self.call("ListShards", self.body("ListShards", params))

    def get_shard_iterator(self, **params) -> dict:
        return self.call("GetShardIterator", self.body("GetShardIterator", params))

    def get_records(self, **params) -> dict:
        return self.call("GetRecords", json.dumps(params).encode())


def prepare(raw: RawKinesis, name: str, seeds: range) -> None:
    for seed in seeds:
        raw.prepared[seed] = raw.body("PutRecords", {"StreamName": name, "Records": batch(seed)})


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: a measure that a busy shared machine disturbs
    far less than wall-clock rates."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(endpoint: str, batches: int, mode: str, pid: int) -> dict:
    make = client if mode == "boto3" else RawKinesis
    kinesis = make(endpoint)
    make_stream(client(endpoint), "bench")
    if mode == "raw":
        prepare(kinesis, "bench", range(batches))
    acked: list = []
    latencies: list[float] = []
    start, cpu = time.perf_counter(), cpu_seconds(pid)
    put_batches(kinesis, "bench", range(batches), acked, latencies)
    elapsed = time.perf_counter() - start
    put_cpu = cpu_seconds(pid) - cpu
    total = batches * BATCH
    fifth = max(batches // 5, 1)
    r = {"put_per_s": total / elapsed, "put_p50_ms": statistics.median(latencies) * 1000,
         "put_p99_ms": sorted(latencies)[min(int(len(latencies) * 0.99), len(latencies) - 1)] * 1000,
         "put_fifths": [BATCH * len(latencies[i:i + fifth]) / sum(latencies[i:i + fifth])
                        for i in range(0, fifth * 5, fifth)]}
    r["put_cpu_per_s"] = batches * BATCH / put_cpu if put_cpu else None
    start, cpu = time.perf_counter(), cpu_seconds(pid)
    seen = read_all(make, endpoint, "bench")
    r["read_per_s"] = len(seen) / (time.perf_counter() - start)
    read_cpu = cpu_seconds(pid) - cpu
    r["read_cpu_per_s"] = len(seen) / read_cpu if read_cpu else None
    r["lost"] = len({record for record, _ in acked} - seen)
    if len(acked) != total:
        raise AssertionError(f"only {len(acked)} of {total} records acknowledged")

    make_stream(client(endpoint), "bench-4w")
    acked4: list = []
    lat4: list[float] = []
    per = max(batches // 4, 1)
    clients = [make(endpoint) for _ in range(4)]
    if mode == "raw":
        for w, c in enumerate(clients):
            prepare(c, "bench-4w", range(w * per, (w + 1) * per))
    threads = [threading.Thread(target=put_batches,
                                args=(clients[w], "bench-4w", range(w * per, (w + 1) * per), acked4, lat4))
               for w in range(4)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    r["put4_per_s"] = 4 * per * BATCH / (time.perf_counter() - start)
    seen4 = read_all(make, endpoint, "bench-4w")
    r["acked4"], r["lost4"] = len(acked4), len({record for record, _ in acked4} - seen4)
    r["dup_seq4"] = len(acked4) - len({seq for _, seq in acked4})
    return r


ROWS = [("put_per_s", "PutRecords 500 x 1 KiB", "rec/s", True),
        ("put_p50_ms", "  latency p50", "ms", False),
        ("put_p99_ms", "  latency p99", "ms", False),
        ("put_cpu_per_s", "  per second of server CPU", "rec/s", True),
        ("read_per_s", "GetRecords read-back", "rec/s", True),
        ("read_cpu_per_s", "  per second of server CPU", "rec/s", True),
        ("put4_per_s", "PutRecords, 4 writers", "rec/s", True),
        ("lost", "acknowledged but not read back", "rec", False),
        ("lost4", "  the same, 4 writers", "rec", False)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 batches instead of 100")
    parser.add_argument("--batches", type=int)
    parser.add_argument("--only", choices=("lakebox", "moto"))
    args = parser.parse_args(argv)
    batches = args.batches or (20 if args.quick else 100)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="lakebox-kinesis-bench-") as tmp:
        for name, start in (("lakebox", start_lakebox), ("moto", start_moto)):
            if args.only and args.only != name:
                continue
            for mode in ("raw", "boto3"):
                server = start(Path(tmp))
                try:
                    print(f"[{name}, {mode}] {batches} x {BATCH} records of {RECORD} bytes", flush=True)
                    results[f"{name}/{mode}"] = measure(server.endpoint, batches, mode, server.proc.pid)
                finally:
                    server.stop()
                    shutil.rmtree(Path(tmp) / "lakebox-data", ignore_errors=True)
    for mode in ("raw", "boto3"):
        lb, moto = results.get(f"lakebox/{mode}", {}), results.get(f"moto/{mode}", {})
        print(f"\n[{mode} client] {'metric':<25} {'unit':>6} {'lakebox':>9} {'moto':>9} {'lakebox/moto':>13}")
        print("-" * 79)
        for key, label, unit, higher in ROWS:
            a, b = lb.get(key), moto.get(key)
            ratio = f"{(a / b if higher else b / a):.2f}x" if a and b else ""
            print(f"{label:<38} {unit:>6} {'-' if a is None else f'{a:.1f}':>9} "
                  f"{'-' if b is None else f'{b:.1f}':>9} {ratio:>13}")
    print()
    for name, r in results.items():
        print(f"{name} put rate by fifth of the run (rec/s): " + ", ".join(f"{v:.0f}" for v in r["put_fifths"]))
        print(f"{name} 4 writers: {r['acked4']} acknowledged, {r['lost4']} not read back, "
              f"{r['dup_seq4']} acknowledged under a sequence number already given to another record")
    print("lakebox/moto > 1 means lakebox is better (for ms and lost records it is moto/lakebox).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
