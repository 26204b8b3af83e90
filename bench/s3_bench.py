"""S3 benchmark: lakebox against moto's server and a bare uvicorn app, in one run, on this machine.

Why one run: absolute numbers depend on the machine, so the targets of issue 2 are ratios measured
side by side with the same client code:
- 4 KiB PUT and GET ops/s, 16 client threads (one boto3 client each): target >= 5x moto. boto3
  costs ~3 ms of client CPU per call, which caps it near ~250 ops/s on a 2-core machine whatever
  the server (the bare app row shows that ceiling), so the same ops are also driven over raw
  keep-alive HTTP, where the server sets the pace;
- 256 MiB PUT (one put_object with a file body; upload_file with 64 MiB parts) and a streaming GET
  read in 1 MiB chunks, in MiB/s;
- a full list_objects_v2 listing of 10,000 keys, in seconds;
- the lakebox GET against a minimal uvicorn app streaming the same file: target >= 0.5. Like S3,
  the app sends the file's CRC32 when asked (boto3 asks by default), so the client does the same
  checking work against both servers;
- lakebox's peak RSS while it streams the 256 MiB objects: target < 300 MiB;
- the ceiling of durable small PUTs in Python on this machine: the bare app's PUT writes a temp
  file, fsyncs, renames and records a SQLite row, as lakebox does, and nothing else. When 5x moto
  is above that ceiling, no Python server that keeps acknowledged writes can meet the target here.

Every server runs as a subprocess (`lakebox serve`, `python -m moto.server`, and this file with
`--serve-baseline`). Clients use boto3 defaults apart from the pool size, as a user would. Results
are checked (sizes, ETags, bodies) so a fast wrong answer cannot score. No assertions on timings.

    .venv/bin/pip install 'moto[server]==5.2.1'      # the bench extra
    .venv/bin/python bench/s3_bench.py [--quick] [--only lakebox|moto] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MiB = 1 << 20
THREADS = 16
BUCKET = "bench"
VERSIONED = "bench-versioned"
SMALL = bytes(range(256)) * 16  # 4 KiB, the same in the bench and the baseline process


# ---------------------------------------------------------------- servers under test

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server subprocess; `ready_line` waits for lakebox's announcement, else HTTP is polled."""

    def __init__(self, name: str, cmd: list[str], port: int, log: Path, ready_line: str = ""):
        self.name, self.port = name, port
        self.endpoint = f"http://127.0.0.1:{port}"
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if ready_line else self._log,
                                     stderr=self._log, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 60
        if ready_line:
            for raw in self.proc.stdout:
                if ready_line in raw.decode(errors="replace"):
                    # keep draining stdout so the server can never block on a full pipe
                    threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                    return
            raise RuntimeError(f"{name} exited before it was ready; see {log}")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited (rc={self.proc.returncode}); see {log}")
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=1).read()
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer means it is serving
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{name} did not start; see {log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def start_lakebox(tmp: Path) -> Server:
    exe = Path(sys.executable).with_name("lakebox")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "lakebox"]
    port = free_port()
    return Server("lakebox", [*cmd, "serve", "--port", str(port), "--data", str(tmp / "lakebox-data")],
                  port, tmp / "lakebox.log", ready_line="lakebox ready on")


def start_moto(tmp: Path) -> Server:
    port = free_port()
    return Server("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                  port, tmp / "moto.log")


def start_baseline(tmp: Path, path: Path) -> Server:
    port = free_port()
    return Server("uvicorn", [sys.executable, __file__, "--serve-baseline", str(port), str(path)],
                  port, tmp / "baseline.log")


class DurablePuts:
    """The least a PUT can do and still be durable as lakebox's are: the body to a temp file,
    fsync, rename into place, and a row in SQLite (WAL, synchronous=NORMAL), on 8 worker threads
    like lakebox's. No auth, parsing, validation or XML: the ceiling of durable PUTs in Python here."""

    def __init__(self, root: Path):
        import sqlite3
        from concurrent.futures import ThreadPoolExecutor

        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.pool = ThreadPoolExecutor(8)
        self._db = sqlite3.connect(root / "meta.db", isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, etag TEXT, size INTEGER)")
        self._lock = threading.Lock()

    def put(self, target: str, body: bytes) -> str:
        final = self.root / target.strip("/").replace("/", "_")
        tmp = self.root / f".tmp-{os.urandom(8).hex()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        etag = hashlib.md5(body).hexdigest()
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?)", (target, etag, len(body)))
        return etag


def serve_baseline(port: int, path: str) -> None:
    """The floor to compare against: the smallest ASGI app that streams one file, on uvicorn/httptools."""
    import uvicorn

    import base64
    import zlib

    size = os.path.getsize(path)
    # Like S3, it answers a GET that asks for checksums (boto3 does by default) with the object's
    # CRC32, so the client checks 256 MiB here too: without it the client skips work for this
    # server that it does for lakebox, and the ratio would measure the client.
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(MiB):
            crc = zlib.crc32(chunk, crc)
    checksum = [(b"x-amz-checksum-crc32", base64.b64encode(crc.to_bytes(4, "big"))),
                (b"x-amz-checksum-type", b"FULL_OBJECT")]

    durable = DurablePuts(Path(path).parent / "baseline-puts")

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        target = scope["path"]
        if scope["method"] == "PUT":
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            etag = await asyncio.get_running_loop().run_in_executor(durable.pool, durable.put, target, body)
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"etag", f'"{etag}"'.encode()), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        if target != f"/{BUCKET}/large/single":  # readiness probes, HEAD and the small objects
            body = SMALL if target.startswith((f"/{BUCKET}/small/", f"/{BUCKET}/raw/")) else b"ok"
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return
        asks = any(k == b"x-amz-checksum-mode" and v.upper() == b"ENABLED" for k, v in scope["headers"])
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/octet-stream"), (b"content-length", str(size).encode()),
            *(checksum if asks else [])]})
        with open(path, "rb") as f:
            while chunk := f.read(MiB):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    uvicorn.run(app, host="127.0.0.1", port=port, http="httptools", log_level="warning")


# ---------------------------------------------------------------- measurements

def client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                        region_name="us-east-1", config=Config(max_pool_connections=32))


class RssSampler:
    """Samples a process's VmRSS every few ms; `peak` is the highest seen while running."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def read(self, field: str = "VmRSS") -> int:
        try:
            for line in open(f"/proc/{self.pid}/status"):
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.read())

    def __enter__(self) -> "RssSampler":
        self.peak = self.read()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def parallel(endpoint: str, n: int, op) -> float:
    """Run op(client, i) for i in range(n) on THREADS threads, one boto3 client each; return ops/s."""
    clients = [client(endpoint) for _ in range(THREADS)]
    for c in clients:  # warm the connection pools outside the timed part
        c.head_bucket(Bucket=BUCKET)
    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda t: [op(clients[t], i) for i in range(t, n, THREADS)], range(THREADS)))
    return n / (time.perf_counter() - start)


def raw_ops(endpoint: str, n: int, method: str, bucket: str = BUCKET) -> float:
    """4 KiB PUT or GET over plain keep-alive http.client, 16 threads: what the server can do.

    boto3 spends ~3 ms of CPU per call, so on a small machine it, not the server, sets the pace
    (the client ceiling line shows it). Here one SigV4 header set, signed once, is reused for every
    key: servers that accept any key (lakebox --auth open, moto) parse it but do not check it.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = SMALL if method == "PUT" else b""
    req = AWSRequest(method=method, url=f"{endpoint}/{bucket}/raw/000000", data=body,
                     headers={"x-amz-content-sha256": hashlib.sha256(body).hexdigest()})
    SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(req)
    headers = {k: v for k, v in req.headers.items()}
    host, port = endpoint.split("//", 1)[1].split(":")

    def work(t: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        for i in range(t, n, THREADS):
            conn.request(method, f"/{bucket}/raw/{i:06d}", body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            if resp.status != 200 or (method == "GET" and data != SMALL):
                raise AssertionError(f"raw {method} raw/{i:06d}: {resp.status} {data[:200]!r}")
        conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(THREADS)))
    return n / (time.perf_counter() - start)


def small_put(c, i):
    c.put_object(Bucket=BUCKET, Key=f"small/{i:06d}", Body=SMALL)


def small_get(c, i):
    body = c.get_object(Bucket=BUCKET, Key=f"small/{i:06d}")["Body"].read()
    if body != SMALL:
        raise AssertionError(f"small/{i:06d}: wrong body ({len(body)} bytes)")


def list_put(c, i):
    c.put_object(Bucket=BUCKET, Key=f"list/{i:06d}", Body=b"x")


def stream_get(c, key: str, size: int) -> float:
    """GET in 1 MiB reads; MiB/s. The same code measures lakebox, moto and the bare app."""
    start = time.perf_counter()
    body = c.get_object(Bucket=BUCKET, Key=key)["Body"]
    got = 0
    while chunk := body.read(MiB):
        got += len(chunk)
    elapsed = time.perf_counter() - start
    if got != size:
        raise AssertionError(f"GET {key}: {got} bytes, expected {size}")
    return size / MiB / elapsed


def best(fn, repeat: int) -> float:
    return max(fn() for _ in range(repeat))


def measure(server: Server, args, big: Path, big_md5: str) -> dict:
    from boto3.s3.transfer import TransferConfig

    size = big.stat().st_size
    c = client(server.endpoint)
    c.create_bucket(Bucket=BUCKET)
    r: dict = {}
    print(f"[{server.name}] {args.ops} x 4 KiB PUT/GET on {THREADS} threads", flush=True)
    r["put_4k_ops"] = parallel(server.endpoint, args.ops, small_put)
    r["get_4k_ops"] = parallel(server.endpoint, args.ops, small_get)
    r["raw_put_4k_ops"] = raw_ops(server.endpoint, args.ops * 2, "PUT")
    r["raw_get_4k_ops"] = raw_ops(server.endpoint, args.ops * 2, "GET")
    # Overwrites of existing keys, unversioned and versioned: a versioned PUT also keeps the old object.
    c.create_bucket(Bucket=VERSIONED)
    c.put_bucket_versioning(Bucket=VERSIONED, VersioningConfiguration={"Status": "Enabled"})
    raw_ops(server.endpoint, args.ops, "PUT", VERSIONED)
    r["raw_put_4k_overwrite_ops"] = raw_ops(server.endpoint, args.ops * 2, "PUT")
    r["raw_put_4k_versioned_ops"] = raw_ops(server.endpoint, args.ops * 2, "PUT", VERSIONED)

    def put_single() -> float:
        start = time.perf_counter()
        with open(big, "rb") as f:
            etag = c.put_object(Bucket=BUCKET, Key="large/single", Body=f)["ETag"]
        elapsed = time.perf_counter() - start
        if etag.strip('"') != big_md5:
            raise AssertionError(f"single PUT ETag {etag} != md5 {big_md5}")
        return size / MiB / elapsed

    part = 64 * MiB
    transfer = TransferConfig(multipart_threshold=part, multipart_chunksize=part)

    def put_multipart() -> float:
        start = time.perf_counter()
        c.upload_file(str(big), BUCKET, "large/multipart", Config=transfer)
        elapsed = time.perf_counter() - start
        head = c.head_object(Bucket=BUCKET, Key="large/multipart")
        if head["ContentLength"] != size or not head["ETag"].rstrip('"').endswith(f"-{-(-size // part)}"):
            raise AssertionError(f"multipart object is {head['ContentLength']} bytes, ETag {head['ETag']}")
        return size / MiB / elapsed

    mib = size // MiB
    print(f"[{server.name}] {mib} MiB PUT single / multipart, GET (best of {args.repeat})", flush=True)
    r["put_large_single_mibs"] = best(put_single, args.repeat)
    r["put_large_multipart_mibs"] = best(put_multipart, args.repeat)
    r["get_large_mibs"] = best(lambda: stream_get(c, "large/single", size), args.repeat + 1)
    # memory is sampled on separate passes, so the sampler thread never slows a timed one
    with RssSampler(server.proc.pid) as rss_put:
        put_single()
        put_multipart()
    with RssSampler(server.proc.pid) as rss_get:
        stream_get(c, "large/single", size)
    r["rss_peak_put_mib"] = rss_put.peak / MiB
    r["rss_peak_get_mib"] = rss_get.peak / MiB
    r["vm_hwm_mib"] = rss_get.read("VmHWM") / MiB

    print(f"[{server.name}] listing {args.list_keys} keys", flush=True)
    r["list_fill_ops"] = parallel(server.endpoint, args.list_keys, list_put)
    start = time.perf_counter()
    pages = c.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="list/")
    count = sum(len(p.get("Contents", [])) for p in pages)
    r["list_seconds"] = time.perf_counter() - start
    if count != args.list_keys:
        raise AssertionError(f"listed {count} keys, expected {args.list_keys}")
    return r


def measure_baseline(server: Server, big: Path, args) -> dict:
    """The same client code against the bare app: the ceiling this machine and client allow."""
    c = client(server.endpoint)
    size = big.stat().st_size
    print(f"[uvicorn] {args.ops} x 4 KiB GET and durable PUT on {THREADS} threads; {size // MiB} MiB GET", flush=True)
    return {"get_4k_ops": parallel(server.endpoint, args.ops, small_get),
            "raw_get_4k_ops": raw_ops(server.endpoint, args.ops * 2, "GET"),
            "raw_put_4k_ops": raw_ops(server.endpoint, args.ops * 2, "PUT"),
            "get_large_mibs": best(lambda: stream_get(c, "large/single", size), args.repeat + 1)}


# ---------------------------------------------------------------- report

ROWS = [  # key, label, unit, higher is better
    ("put_4k_ops", "4 KiB PUT, boto3, 16 threads", "ops/s", True),
    ("get_4k_ops", "4 KiB GET, boto3, 16 threads", "ops/s", True),
    ("raw_put_4k_ops", "4 KiB PUT, raw HTTP, 16 threads", "ops/s", True),
    ("raw_get_4k_ops", "4 KiB GET, raw HTTP, 16 threads", "ops/s", True),
    ("raw_put_4k_overwrite_ops", "4 KiB overwrite PUT, raw HTTP", "ops/s", True),
    ("raw_put_4k_versioned_ops", "4 KiB PUT, versioned bucket, raw HTTP", "ops/s", True),
    ("put_large_single_mibs", "{mib} MiB PUT, single put_object", "MiB/s", True),
    ("put_large_multipart_mibs", "{mib} MiB PUT, multipart 64 MiB parts", "MiB/s", True),
    ("get_large_mibs", "{mib} MiB GET, streamed 1 MiB reads", "MiB/s", True),
    ("list_seconds", "list {keys} keys (ListObjectsV2 pages)", "s", False),
    ("rss_peak_put_mib", "server RSS peak during large PUTs", "MiB", False),
    ("rss_peak_get_mib", "server RSS peak during large GET", "MiB", False),
]


def file_create_micros(folder: Path, n: int = 400) -> float:
    """Wall time to create (and close) one new empty file in `folder`, in microseconds.

    Every durable PUT of a new object creates a file (the bare app's as well as lakebox's), so
    this bounds small PUTs from below on this machine's filesystem, before any fsync or Python.
    """
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for i in range(n):
        os.close(os.open(folder / f"f{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    return (time.perf_counter() - start) / n * 1e6


def report(results: dict, args, mib: int) -> list[str]:
    lb, moto, base = (results.get(k) or {} for k in ("lakebox", "moto", "uvicorn"))
    fmt = lambda key, v: "-" if v is None else (f"{v:.3f}" if key == "list_seconds" else f"{v:.0f}")
    lines = [f"{'metric':<42} {'unit':>6} {'lakebox':>9} {'moto':>9} {'uvicorn':>9} {'lakebox/moto':>13}",
             "-" * 93]
    for key, label, unit, higher in ROWS:
        a, b = lb.get(key), moto.get(key)
        ratio = f"{(a / b if higher else b / a):.2f}x" if a and b else ""
        lines.append(f"{label.format(mib=mib, keys=args.list_keys):<42} {unit:>6} {fmt(key, a):>9} "
                     f"{fmt(key, b):>9} {fmt(key, base.get(key)):>9} {ratio:>13}")
    lines.append("lakebox/moto > 1 means lakebox is better (for seconds and RSS it is moto/lakebox).")
    lines.append("uvicorn = a bare ASGI app answering with the same bytes: the ceiling of this machine and client.")
    lines.append("  Its PUT is the least durable write (temp file, fsync, rename, SQLite row) with no S3 work at all.")
    if lb and moto:
        for kind, put, get in (("boto3", "put_4k_ops", "get_4k_ops"), ("raw HTTP", "raw_put_4k_ops", "raw_get_4k_ops")):
            worst = min(lb[put] / moto[put], lb[get] / moto[get])
            lines.append(f"target small ops >= 5x moto ({kind}): {worst:.2f}x  {'OK' if worst >= 5 else 'MISSED'}")
    if lb and moto and base.get("raw_put_4k_ops"):
        ceiling = base["raw_put_4k_ops"]
        lines.append(f"ceiling: the bare durable PUT does {ceiling:.0f} ops/s = {ceiling / moto['raw_put_4k_ops']:.2f}x moto; "
                     f"lakebox reaches {lb['raw_put_4k_ops'] / ceiling:.2f} of it")
    if results.get("file_create_us"):
        lines.append(f"filesystem: creating one empty file takes {results['file_create_us']:.0f} us here "
                     f"(every new object needs one; moto keeps objects in memory)")
    if lb:
        ratio = lb["raw_put_4k_versioned_ops"] / lb["raw_put_4k_overwrite_ops"]
        lines.append(f"target versioned PUT within 1.5x of unversioned: {ratio:.2f} of the unversioned rate "
                     f"(slowdown {1 / ratio:.2f}x)  {'OK' if ratio >= 1 / 1.5 else 'MISSED'}")
    if lb and base:
        ratio = lb["get_large_mibs"] / base["get_large_mibs"]
        lines.append(f"target {mib} MiB GET >= 0.5 x bare uvicorn: {lb['get_large_mibs']:.0f} / "
                     f"{base['get_large_mibs']:.0f} MiB/s = {ratio:.2f}  {'OK' if ratio >= 0.5 else 'MISSED'}")
    if lb:
        peak = max(lb["rss_peak_put_mib"], lb["rss_peak_get_mib"])
        lines.append(f"target lakebox RSS < 300 MiB streaming {mib} MiB: peak {peak:.0f} MiB "
                     f"(VmHWM {lb['vm_hwm_mib']:.0f})  {'OK' if peak < 300 else 'MISSED'}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts and a 64 MiB object")
    parser.add_argument("--only", choices=("lakebox", "moto"), help="measure one server (lakebox runs the baseline too)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--ops", type=int, help="4 KiB ops per phase (default 3000, quick 600)")
    parser.add_argument("--large-mib", type=int, help="large object size (default 256, quick 64)")
    parser.add_argument("--list-keys", type=int, help="keys to list (default 10000, quick 2000)")
    parser.add_argument("--repeat", type=int, help="best of N for large transfers (default 2, quick 1)")
    args = parser.parse_args(argv)
    args.ops = args.ops or (600 if args.quick else 3000)
    args.list_keys = args.list_keys or (2000 if args.quick else 10000)
    args.repeat = args.repeat or (1 if args.quick else 2)
    mib = args.large_mib or (64 if args.quick else 256)
    targets = ["lakebox", "moto"] if not args.only else [args.only]

    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="s3bench-") as tmpdir:
        tmp = Path(tmpdir)
        big, md5 = tmp / "large.bin", hashlib.md5()
        with open(big, "wb") as f:
            for _ in range(mib // 16 or 1):
                chunk = os.urandom(16 * MiB if mib >= 16 else mib * MiB)
                md5.update(chunk)
                f.write(chunk)
        results["file_create_us"] = file_create_micros(tmp / "create-probe")
        for name in targets:
            server = (start_lakebox if name == "lakebox" else start_moto)(tmp)
            try:
                results[name] = measure(server, args, big, md5.hexdigest())
            finally:
                server.stop()
            if name == "lakebox":
                results["lakebox"]["exit_code"] = server.proc.returncode
        if "lakebox" in targets:
            base = start_baseline(tmp, big)
            try:
                results["uvicorn"] = measure_baseline(base, big, args)
            finally:
                base.stop()

    lines = report(results, args, mib)
    print("\n" + "\n".join(lines))
    if args.json:
        meta = {"quick": args.quick, "ops": args.ops, "large_mib": mib, "list_keys": args.list_keys,
                "threads": THREADS, "repeat": args.repeat, "cpus": os.cpu_count()}
        Path(args.json).write_text(json.dumps({"params": meta, "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-baseline":
        serve_baseline(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(main())
