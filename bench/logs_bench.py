"""CloudWatch Logs benchmark: lakebox against moto's server, in one run, with the same client code.

- PutLogEvents: 20 batches of 1,000 events (the shape a Glue job or crawler writes), in events/s;
- GetLogEvents: read the whole stream from the head, following nextForwardToken, in seconds;
- FilterLogEvents: a term that matches 1 event in 10, over the whole group, in seconds.
Every read is checked (event counts and order), so a fast wrong answer cannot score.

    .venv/bin/python bench/logs_bench.py [--quick] [--only lakebox|moto]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from s3_bench import start_lakebox, start_moto  # noqa: E402

GROUP, STREAM = "/bench/logs", "stream-1"


def client(endpoint: str):
    import boto3

    return boto3.client("logs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def measure(endpoint: str, batches: int, per_batch: int) -> dict:
    logs = client(endpoint)
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
    base = int(time.time() * 1000) - 60_000
    total = batches * per_batch
    start = time.perf_counter()
    for b in range(batches):
        events = [{"timestamp": base + (b * per_batch + i) // 100,
                   "message": f"event {b * per_batch + i} {'ERROR disk full' if i % 10 == 0 else 'INFO ok'}"}
                  for i in range(per_batch)]
        logs.put_log_events(logGroupName=GROUP, logStreamName=STREAM, logEvents=events)
    r = {"put_events_per_s": total / (time.perf_counter() - start)}

    start = time.perf_counter()
    seen, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName=GROUP, logStreamName=STREAM, **kwargs)
        seen += page["events"]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    r["get_all_s"] = time.perf_counter() - start
    if len(seen) != total or seen[0]["message"].split()[1] != "0":
        raise AssertionError(f"read {len(seen)} events, expected {total}")

    start = time.perf_counter()
    matched, token = 0, None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = logs.filter_log_events(logGroupName=GROUP, filterPattern="ERROR", **kwargs)
        matched += len(page["events"])
        token = page.get("nextToken")
        if not token:
            break
    r["filter_s"] = time.perf_counter() - start
    if matched != total // 10:
        raise AssertionError(f"filter matched {matched}, expected {total // 10}")
    return r


ROWS = [("put_events_per_s", "PutLogEvents, 1,000 per call", "ev/s", True),
        ("get_all_s", "GetLogEvents, whole stream", "s", False),
        ("filter_s", "FilterLogEvents, 1 in 10 match", "s", False)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 batches instead of 20")
    parser.add_argument("--only", choices=("lakebox", "moto"))
    args = parser.parse_args(argv)
    batches = 5 if args.quick else 20
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="lakebox-logs-bench-") as tmp:
        for name, start in (("lakebox", start_lakebox), ("moto", start_moto)):
            if args.only and args.only != name:
                continue
            server = start(Path(tmp))
            try:
                print(f"[{name}] {batches} x 1,000 events", flush=True)
                results[name] = measure(server.endpoint, batches, 1000)
            finally:
                server.stop()
    lb, moto = results.get("lakebox", {}), results.get("moto", {})
    print(f"\n{'metric':<34} {'unit':>6} {'lakebox':>9} {'moto':>9} {'lakebox/moto':>13}")
    print("-" * 75)
    for key, label, unit, higher in ROWS:
        a, b = lb.get(key), moto.get(key)
        ratio = f"{(a / b if higher else b / a):.2f}x" if a and b else ""
        fmt = (lambda v: "-" if v is None else (f"{v:.3f}" if unit == "s" else f"{v:.0f}"))
        print(f"{label:<34} {unit:>6} {fmt(a):>9} {fmt(b):>9} {ratio:>13}")
    print("lakebox/moto > 1 means lakebox is better (for seconds it is moto/lakebox).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
