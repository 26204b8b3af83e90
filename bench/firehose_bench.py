"""Firehose benchmark: lakebox against moto's server and a bare engine floor, in one run, on this machine.

Why one run: absolute numbers depend on the machine, so the results are ratios measured side by
side with the same boto3 client code (one client per thread, as a producer fleet would have):
- PutRecordBatch: batches of 500 JSON lines of 1 KiB from 4 client threads, in records/s and MiB/s;
- PutRecord: one record per call from 16 client threads, in ops/s (boto3's ~3 ms of client CPU per
  call caps this near a few hundred ops/s on 2 cores, whatever the server);
- end to end: a GZIP stream whose Prefix has a `!{timestamp:yyyy}` expression; M records are put,
  delivery is made to happen (lakebox: `POST /_lakebox/clock {"advance": "6m"}`, which delivers
  the 300-second buffer before it returns; moto delivers inside each put), and the time from the last
  acknowledgement until every record has been listed, fetched and gunzipped from S3 is measured.
  The same again with IntervalInSeconds 0, where nobody touches the clock;
- the engine floor: the same records appended to a file with an fsync per batch, then gzipped and
  written out with an fsync. That is the least a server must do to acknowledge durably and deliver
  compressed objects, with no HTTP, auth, JSON or base64 at all.
Every result is checked, so a fast wrong answer cannot score: each put must be acknowledged record
by record; what is delivered is read back and must be exactly the records sent (as a multiset);
the end-to-end objects must gunzip and their keys must start with the evaluated prefix. A server
that fails a check shows `wrong` in the table, and the reason is printed under it. lakebox runs with
durability on (each acknowledged put is fsynced). No assertions on timings.

    .venv/bin/pip install 'moto[server]==5.2.1'      # the bench extra
    .venv/bin/python bench/firehose_bench.py [--quick] [--only lakebox|moto] [--json out.json]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from kinesis_bench import cpu_seconds  # noqa: E402
from s3_bench import Server, start_lakebox, start_moto  # noqa: E402

MiB = 1 << 20
RECORD = 1024
BATCH = 500
BATCH_THREADS = 4
SINGLE_THREADS = 16
BUCKET = "firehose-bench"
E2E_PREFIX = "e2e/year=!{timestamp:yyyy}/"
ERROR_PREFIX = "e2e-errors/!{firehose:error-output-type}/"
DELIVERY_TIMEOUT = 60.0


# ---------------------------------------------------------------- records

def record(tag: str, n: int, rng: random.Random) -> bytes:
    """One JSON line of exactly RECORD bytes, unique by (tag, n). The padding is random hex, so it
    compresses about as well as real log text does: a repeated pad would make gzip look free."""
    head = f'{{"tag":"{tag}","n":{n},"pad":"'
    pad = RECORD - len(head) - len('"}\n')
    return (head + rng.randbytes(pad // 2 + 1).hex()[:pad] + '"}\n').encode()


def make_batches(tag: str, count: int, size: int = BATCH) -> list[list[bytes]]:
    """Built before any clock starts, so the timed part measures the put and not the generator."""
    rng = random.Random(tag)
    return [[record(tag, b * size + i, rng) for i in range(size)] for b in range(count)]


# ---------------------------------------------------------------- clients and streams

def boto(service: str, endpoint: str):
    import boto3
    from botocore.config import Config

    # No retries: a throttled or failed call must surface, not be hidden inside a slower rate.
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 0}, read_timeout=300, max_pool_connections=32))


def create_stream(firehose, name: str, prefix: str, **destination) -> None:
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"RoleARN": "arn:aws:iam::123456789012:role/firehose-bench",
                                            "BucketARN": f"arn:aws:s3:::{BUCKET}", "Prefix": prefix,
                                            **destination})
    deadline = time.monotonic() + 30
    while firehose.describe_delivery_stream(DeliveryStreamName=name)[
            "DeliveryStreamDescription"]["DeliveryStreamStatus"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise RuntimeError(f"delivery stream {name} did not become ACTIVE")
        time.sleep(0.1)


def put_batches(firehose, name: str, batches: list[list[bytes]]) -> list[str]:
    """PutRecordBatch each batch; every record must come back with its own RecordId."""
    ids: list[str] = []
    for batch in batches:
        resp = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": d} for d in batch])
        answers = resp["RequestResponses"]
        if resp["FailedPutCount"] or len(answers) != len(batch) or not all(a.get("RecordId") for a in answers):
            raise AssertionError(f"PutRecordBatch to {name}: FailedPutCount {resp['FailedPutCount']}, "
                                 f"{len(answers)} answers for {len(batch)} records")
        ids += [a["RecordId"] for a in answers]
    return ids


def put_singles(firehose, name: str, datas: list[bytes]) -> list[str]:
    ids = []
    for data in datas:
        record_id = firehose.put_record(DeliveryStreamName=name, Record={"Data": data}).get("RecordId")
        if not record_id:
            raise AssertionError(f"PutRecord to {name} answered without a RecordId")
        ids.append(record_id)
    return ids


def on_threads(server: Server, work, shares: list) -> tuple[list, float, float]:
    """Run work(i, share) for each share on its own thread; (results, wall seconds, server CPU seconds).

    The server's CPU time is kept too because on 2 shared cores the boto3 threads take much of the
    machine: work per CPU second is what a busy machine disturbs least. Exceptions propagate."""
    start, cpu = time.perf_counter(), cpu_seconds(server.proc.pid)
    with ThreadPoolExecutor(len(shares)) as pool:
        results = list(pool.map(work, range(len(shares)), shares))
    return results, time.perf_counter() - start, cpu_seconds(server.proc.pid) - cpu


def deal(items: list, hands: int) -> list[list]:
    """Round-robin shares, one per client thread."""
    return [items[i::hands] for i in range(hands)]


# ---------------------------------------------------------------- delivery and read-back

def service_year(server: Server) -> int:
    """The year `!{timestamp:yyyy}` should give: lakebox's service clock, or moto's wall clock."""
    if server.name != "lakebox":
        return dt.datetime.now(dt.timezone.utc).year
    with urllib.request.urlopen(server.endpoint + "/_lakebox/clock", timeout=30) as resp:
        return int(json.loads(resp.read())["now"][:4])


def deliver_now(server: Server) -> None:
    """Make buffered records due. moto has no buffer (each put writes its object), so nothing to do."""
    if server.name != "lakebox":
        return
    request = urllib.request.Request(server.endpoint + "/_lakebox/clock", data=b'{"advance": "6m"}',
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as resp:
        resp.read()


class Delivered:
    """The objects under a prefix, each fetched and decoded once; `lines` are the records found.

    Records are JSON lines that end in a newline and Firehose concatenates them as they are, so an
    object's records are its lines. `problems` collects what a correct delivery would not show."""

    def __init__(self, s3, prefix: str, gzipped: bool):
        self.s3, self.prefix, self.gzipped = s3, prefix, gzipped
        self.keys: list[str] = []
        self.lines: collections.Counter = collections.Counter()
        self.unreadable: list[str] = []

    def refresh(self) -> int:
        """Read the objects not read yet; return how many records have been found in all."""
        seen = set(self.keys)
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=self.prefix):
            for key in (o["Key"] for o in page.get("Contents", [])):
                if key not in seen:
                    self.keys.append(key)
                    self._read(key)
        return sum(self.lines.values())

    def _read(self, key: str) -> None:
        body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        if self.gzipped:
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as exc:
                self.unreadable.append(f"{key} ({exc}; it starts {body[:16]!r})")
                return
        self.lines.update(body.splitlines(keepends=True))

    def wait_for(self, count: int, timeout: float = DELIVERY_TIMEOUT) -> bool:
        """Poll until `count` records are readable, an object is wrong, or the timeout passes."""
        deadline = time.monotonic() + timeout
        while self.refresh() < count and not self.unreadable:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return not self.unreadable

    @property
    def problems(self) -> list[str]:
        if not self.unreadable:
            return []
        return [f"{len(self.unreadable)} of {len(self.keys)} object(s) do not gunzip, e.g. {self.unreadable[0]}"]


def compare(sent: list[bytes], delivered: Delivered) -> dict:
    """How many acknowledged records never arrived, and how many arrived that were not sent (or twice)."""
    want = collections.Counter(sent)
    return {"lost": sum((want - delivered.lines).values()), "extra": sum((delivered.lines - want).values())}


# ---------------------------------------------------------------- measurements

def measure_batches(server: Server, batches: list[list[bytes]]) -> dict:
    clients = [boto("firehose", server.endpoint) for _ in range(BATCH_THREADS)]
    create_stream(clients[0], "bench-batch", "batch/")
    ids, elapsed, cpu = on_threads(server, lambda i, share: put_batches(clients[i], "bench-batch", share),
                                   deal(batches, BATCH_THREADS))
    records = sum(len(b) for b in batches)
    return {"batch_per_s": records / elapsed, "batch_mibs": records * RECORD / MiB / elapsed,
            "batch_cpu_per_s": records / cpu if cpu else None, "batch_ids": len({i for part in ids for i in part})}


def measure_singles(server: Server, datas: list[bytes]) -> dict:
    clients = [boto("firehose", server.endpoint) for _ in range(SINGLE_THREADS)]
    create_stream(clients[0], "bench-single", "single/")
    ids, elapsed, cpu = on_threads(server, lambda i, share: put_singles(clients[i], "bench-single", share),
                                   deal(datas, SINGLE_THREADS))
    return {"single_per_s": len(datas) / elapsed, "single_cpu_per_s": len(datas) / cpu if cpu else None,
            "single_ids": len({i for part in ids for i in part})}


def check_throughput_streams(server: Server, batches: list[list[bytes]], singles: list[bytes]) -> dict:
    """Everything the two throughput streams acknowledged must reach S3, once (untimed)."""
    deliver_now(server)
    s3 = boto("s3", server.endpoint)
    out = {}
    for key, prefix, sent in (("batch", "batch/", [d for b in batches for d in b]), ("single", "single/", singles)):
        delivered = Delivered(s3, prefix, gzipped=False)
        delivered.wait_for(len(sent), timeout=10)
        found = compare(sent, delivered)
        out[f"{key}_lost"], out[f"{key}_extra"] = found["lost"], found["extra"]
    return out


def measure_delivery(server: Server, name: str, batches: list[list[bytes]], hints: dict) -> dict:
    """Put the records into a GZIP stream with a timestamp prefix, make them due, and time how long
    after the last acknowledgement they are all readable; then check them. `problems` lists every
    way the result is wrong; the timing counts only if there is none."""
    firehose, s3 = boto("firehose", server.endpoint), boto("s3", server.endpoint)
    prefix = E2E_PREFIX.replace("e2e/", f"{name}/")
    create_stream(firehose, name, prefix, ErrorOutputPrefix=ERROR_PREFIX.replace("e2e-", f"{name}-"),
                  CompressionFormat="GZIP", BufferingHints=hints)
    years = {service_year(server)}
    start = time.perf_counter()
    put_batches(firehose, name, batches)
    acked = time.perf_counter()
    years.add(service_year(server))
    if hints.get("IntervalInSeconds") != 0:
        deliver_now(server)
    sent = [d for b in batches for d in b]
    delivered = Delivered(s3, f"{name}/", gzipped=True)
    complete = delivered.wait_for(len(sent))
    done = time.perf_counter()
    problems = list(delivered.problems)
    if not complete and not problems:
        problems.append(f"only {delivered.refresh()} of {len(sent)} records readable after {DELIVERY_TIMEOUT:.0f} s")
    evaluated = {prefix.replace("!{timestamp:yyyy}", str(year)) for year in years}
    problems += check_delivery(s3, name, sent, delivered, evaluated)
    ok = not problems
    return {"put_s": acked - start, "delivery_s": done - acked if ok else None,
            "e2e_per_s": len(sent) / (done - start) if ok else None,
            "objects": len(delivered.keys), "problems": problems}


def check_delivery(s3, name: str, sent: list[bytes], delivered: Delivered, prefixes: set[str]) -> list[str]:
    """What is wrong with a delivery: lost or extra records, keys outside the evaluated prefix, error objects."""
    problems = []
    found = compare(sent, delivered)
    if found["lost"] or found["extra"]:
        problems.append(f"{found['lost']} record(s) sent but not found in the readable objects, {found['extra']} "
                        f"found but not sent (or twice)")
    stray = [k for k in delivered.keys if not k.startswith(tuple(prefixes))]
    if stray:
        problems.append(f"{len(stray)} of {len(delivered.keys)} key(s) do not start with "
                        f"{' or '.join(sorted(prefixes))}, e.g. {stray[0]}")
    errors = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{name}-errors/").get("KeyCount", 0)
    if errors:
        problems.append(f"{errors} object(s) under the ErrorOutputPrefix, though every record is valid")
    return problems


def measure(server: Server, work: dict) -> dict:
    boto("s3", server.endpoint).create_bucket(Bucket=BUCKET)
    records = sum(len(b) for b in work["batches"])
    print(f"[{server.name}] PutRecordBatch: {records} records in batches of {BATCH}, {BATCH_THREADS} threads",
          flush=True)
    r = measure_batches(server, work["batches"])
    print(f"[{server.name}] PutRecord: {len(work['singles'])} records, {SINGLE_THREADS} threads", flush=True)
    r.update(measure_singles(server, work["singles"]))
    r.update(check_throughput_streams(server, work["batches"], work["singles"]))
    e2e = sum(len(b) for b in work["e2e"])
    print(f"[{server.name}] end to end: {e2e} records, GZIP, prefix {E2E_PREFIX}", flush=True)
    r["e2e"] = measure_delivery(server, "bench-e2e", work["e2e"], {"SizeInMBs": 128, "IntervalInSeconds": 300})
    r["e2e_zero"] = measure_delivery(server, "bench-e2e-zero", work["e2e_zero"], {"IntervalInSeconds": 0})
    return r


def engine_floor(folder: Path, batches: list[list[bytes]]) -> dict:
    """The same records, appended with an fsync per batch, then gzipped (level 9, as gzip.compress
    and lakebox use) and written with an fsync: no server, so nothing below it is reachable."""
    folder.mkdir(parents=True, exist_ok=True)
    log, out = folder / "buffer.log", folder / "object.gz"
    start = time.perf_counter()
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for batch in batches:
            os.write(fd, b"".join(batch))
            os.fsync(fd)
    finally:
        os.close(fd)
    appended = time.perf_counter()
    body = gzip.compress(log.read_bytes(), mtime=0)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, body)
        os.fsync(fd)
    finally:
        os.close(fd)
    done = time.perf_counter()
    if gzip.decompress(out.read_bytes()) != b"".join(d for b in batches for d in b):
        raise AssertionError("the floor's own gzip object does not hold the records")
    records = sum(len(b) for b in batches)
    return {"batch_per_s": records / (appended - start), "batch_mibs": records * RECORD / MiB / (appended - start),
            "delivery_s": done - appended, "e2e_per_s": records / (done - start),
            "gzip_ratio": len(body) / (records * RECORD)}


# ---------------------------------------------------------------- report

ROWS = [  # key, label, unit, higher is better
    ("batch_per_s", "PutRecordBatch 500 x 1 KiB, 4 threads", "rec/s", True),
    ("batch_mibs", "  the same in MiB/s", "MiB/s", True),
    ("batch_cpu_per_s", "  per second of server CPU", "rec/s", True),
    ("single_per_s", "PutRecord, 16 threads", "ops/s", True),
    ("single_cpu_per_s", "  per second of server CPU", "ops/s", True),
    ("batch_lost", "acknowledged, not delivered (batch)", "rec", False),
    ("single_lost", "acknowledged, not delivered (single)", "rec", False),
    ("e2e.e2e_per_s", "end to end, GZIP + prefix, put..readable", "rec/s", True),
    ("e2e.delivery_s", "  last ack to all readable (clock +6m)", "s", False),
    ("e2e_zero.delivery_s", "  the same, IntervalInSeconds 0", "s", False),
]


#: The rates that count only if their stream's acknowledged records all reached S3, once.
CHECKED_BY = {"batch_per_s": "batch", "batch_mibs": "batch", "batch_cpu_per_s": "batch",
              "single_per_s": "single", "single_cpu_per_s": "single"}


def lookup(result: dict, key: str):
    """A row's value; 'wrong' when its check failed, so a fast wrong answer shows no number."""
    if "." not in key:
        stream = CHECKED_BY.get(key)
        if stream and (result.get(f"{stream}_lost") or result.get(f"{stream}_extra")):
            return "wrong"
        return result.get(key)
    part, field = key.split(".")
    section = result.get(part)
    if section is None:
        return None
    return "wrong" if section["problems"] else section.get(field)


def floor_value(floor: dict, key: str):
    mapping = {"batch_per_s": "batch_per_s", "batch_mibs": "batch_mibs", "e2e.e2e_per_s": "e2e_per_s",
               "e2e.delivery_s": "delivery_s"}
    return floor.get(mapping[key]) if key in mapping else None


def cell(v, unit: str) -> str:
    if v is None or isinstance(v, str):
        return v or "-"
    return f"{v:.3f}" if unit == "s" else f"{v:.1f}" if unit == "MiB/s" else f"{v:.0f}"


def ratio(a, b, higher: bool) -> str:
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or not a or not b:
        return ""
    return f"{(a / b if higher else b / a):.2f}x"


def report(results: dict, floor: dict) -> list[str]:
    lb, moto = results.get("lakebox", {}), results.get("moto", {})
    lines = [f"{'metric':<42} {'unit':>6} {'lakebox':>9} {'moto':>9} {'floor':>9} {'lakebox/moto':>13}", "-" * 93]
    for key, label, unit, higher in ROWS:
        a, b = lookup(lb, key), lookup(moto, key)
        lines.append(f"{label:<42} {unit:>6} {cell(a, unit):>9} {cell(b, unit):>9} "
                     f"{cell(floor_value(floor, key), unit):>9} {ratio(a, b, higher):>13}")
    lines.append("lakebox/moto > 1 means lakebox is better (for seconds and lost records it is moto/lakebox).")
    lines.append("floor = the records appended to a file with an fsync per batch, then gzipped and fsynced: "
                 f"no server (gzip keeps {floor['gzip_ratio']:.0%} of the bytes).")
    lines += ratio_lines(lb, moto, floor)
    lines += problem_lines(results)
    return lines


def ratio_lines(lb: dict, moto: dict, floor: dict) -> list[str]:
    """One line per ratio; Firehose has no target yet, so none says OK or MISSED."""
    out = []
    for label, a, b, higher in (
            ("PutRecordBatch rec/s, lakebox/moto", lookup(lb, "batch_per_s"), lookup(moto, "batch_per_s"), True),
            ("PutRecord ops/s, lakebox/moto", lookup(lb, "single_per_s"), lookup(moto, "single_per_s"), True),
            ("end to end rec/s, lakebox/moto", lookup(lb, "e2e.e2e_per_s"), lookup(moto, "e2e.e2e_per_s"), True),
            ("PutRecordBatch rec/s, lakebox/floor", lookup(lb, "batch_per_s"), floor.get("batch_per_s"), True),
            ("end to end rec/s, lakebox/floor", lookup(lb, "e2e.e2e_per_s"), floor.get("e2e_per_s"), True),
            ("last ack to readable, floor/lakebox", lookup(lb, "e2e.delivery_s"), floor.get("delivery_s"), False)):
        shown = ratio(a, b, higher)
        out.append(f"ratio {label}: {shown or 'n/a (a side is missing or wrong)'} (no target)")
    return out


def problem_lines(results: dict) -> list[str]:
    out = []
    for name, r in results.items():
        for part in ("e2e", "e2e_zero"):
            section = r[part]
            out.append(f"{name} {part}: {section['objects']} object(s), put took {section['put_s']:.2f} s; "
                       + ("checked OK" if not section["problems"] else "WRONG: " + "; ".join(section["problems"])))
        ids = (r["batch_ids"], r["single_ids"])
        out.append(f"{name}: distinct RecordIds {ids[0]} (batch), {ids[1]} (single); "
                   f"delivered twice or unsent: {r['batch_extra']} (batch), {r['single_extra']} (single)")
    return out


# ---------------------------------------------------------------- main

def moto_available() -> bool:
    try:
        import moto.server  # noqa: F401
    except ImportError as exc:
        print(f"moto's server is not importable ({exc}); measuring lakebox only. "
              "Install the bench extra: .venv/bin/pip install 'moto[server]==5.2.1'", flush=True)
        return False
    return True


def workload(args) -> dict:
    """Every record of the run, built once: both servers and the floor get the same bytes."""
    e2e = make_batches("e2e", args.records // BATCH)
    return {"batches": make_batches("batch", args.batches),
            "singles": [d for b in make_batches("single", 1, args.singles) for d in b],
            "e2e": e2e, "e2e_zero": make_batches("e2e-zero", max(len(e2e) // 4, 1))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (well under 30 s on 2 cores)")
    parser.add_argument("--only", choices=("lakebox", "moto"), help="measure one server (the floor always runs)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--batches", type=int, help="PutRecordBatch calls of 500 records (default 160, quick 20)")
    parser.add_argument("--singles", type=int, help="PutRecord calls (default 3000, quick 400)")
    parser.add_argument("--records", type=int,
                        help="end-to-end records, in batches of 500 (default 40000, quick 5000)")
    args = parser.parse_args(argv)
    args.batches = args.batches or (20 if args.quick else 160)
    args.singles = args.singles or (400 if args.quick else 3000)
    args.records = max((args.records or (5000 if args.quick else 40000)) // BATCH, 1) * BATCH
    targets = [args.only] if args.only else ["lakebox", "moto"]
    if "moto" in targets and not moto_available():
        targets.remove("moto")

    work = workload(args)
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="lakebox-firehose-bench-") as tmpdir:
        tmp = Path(tmpdir)
        floor = engine_floor(tmp / "floor", work["e2e"])
        for name in targets:
            server = (start_lakebox if name == "lakebox" else start_moto)(tmp)
            try:
                results[name] = measure(server, work)
            finally:
                server.stop()
                shutil.rmtree(tmp / "lakebox-data", ignore_errors=True)

    print("\n" + "\n".join(report(results, floor)))
    if args.json:
        meta = {"quick": args.quick, "batches": args.batches, "singles": args.singles, "records": args.records,
                "record_bytes": RECORD, "cpus": os.cpu_count()}
        Path(args.json).write_text(json.dumps({"params": meta, "results": results, "floor": floor}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
