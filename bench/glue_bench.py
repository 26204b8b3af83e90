"""Glue benchmark: the Data Catalog against moto's server, and a crawler over 10,000 files.

Catalog (lakebox and moto, same client code, same run):
- BatchCreatePartition of 1,000 partitions (10 calls of 100), in partitions/s;
- GetPartitions of all of them (paginated), and with an Expression selecting one month, in seconds;
- GetTable on 8 threads, in ops/s.
Results are checked (partition counts, the table name), so a fast wrong answer cannot score.

Column statistics (lakebox against DuckDB reading the same Parquet files in this process: moto's
StartColumnStatisticsTaskRun reads no data): one task run over the crawled Parquet table, from
StartColumnStatisticsTaskRun to SUCCEEDED, checked against the known data.

Crawler (lakebox only: moto's StartCrawler changes a state field and never reads a file, so there
is nothing to compare): 10,000 files in 1,000 Hive partitions, half Parquet and half JSON lines,
written straight into the lake folder, then one crawl. Issue 4's targets: under 30 s on 2 cores
and under 500 MiB of server memory. The crawl must produce the two tables with 500 partitions each.

    .venv/bin/python bench/glue_bench.py [--quick] [--only lakebox|moto]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from s3_bench import RssSampler, start_lakebox, start_moto  # noqa: E402

DB = "bench_db"
PARTITIONS = 1000
THREADS = 8


def client(service: str, endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(max_pool_connections=THREADS))


def _table_input(name: str) -> dict:
    return {
        "Name": name,
        "PartitionKeys": [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"},
                          {"Name": "day", "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "amount", "Type": "double"}],
            "Location": f"s3://bench/{name}/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
        "TableType": "EXTERNAL_TABLE",
    }


def _values(i: int) -> list[str]:
    return [str(2020 + i // 336), f"{(i // 28) % 12 + 1:02d}", f"{i % 28 + 1:02d}"]


def measure_catalog(endpoint: str, partitions: int) -> dict:
    glue = client("glue", endpoint)
    glue.create_database(DatabaseInput={"Name": DB})
    glue.create_table(DatabaseName=DB, TableInput=_table_input("sales"))
    start = time.perf_counter()
    for first in range(0, partitions, 100):
        batch = [{"Values": _values(i), "StorageDescriptor": {"Location": f"s3://bench/sales/{i}/"}}
                 for i in range(first, min(first + 100, partitions))]
        errors = glue.batch_create_partition(DatabaseName=DB, TableName="sales", PartitionInputList=batch)
        if errors.get("Errors"):
            raise AssertionError(f"batch_create_partition: {errors['Errors'][:2]}")
    r = {"create_partitions_per_s": partitions / (time.perf_counter() - start)}

    pages = glue.get_paginator("get_partitions")
    start = time.perf_counter()
    count = sum(len(p["Partitions"]) for p in pages.paginate(DatabaseName=DB, TableName="sales"))
    r["get_all_partitions_s"] = time.perf_counter() - start
    if count != partitions:
        raise AssertionError(f"got {count} partitions, expected {partitions}")

    expected = sum(1 for i in range(partitions) if _values(i)[:2] == ["2020", "03"])
    start = time.perf_counter()
    count = sum(len(p["Partitions"]) for p in pages.paginate(
        DatabaseName=DB, TableName="sales", Expression="year = '2020' AND month = '03'"))
    r["get_partitions_expression_s"] = time.perf_counter() - start
    if count != expected:
        raise AssertionError(f"expression selected {count} partitions, expected {expected}")

    clients = [client("glue", endpoint) for _ in range(THREADS)]
    n = 400

    def work(t: int) -> None:
        for _ in range(t, n, THREADS):
            if clients[t].get_table(DatabaseName=DB, Name="sales")["Table"]["Name"] != "sales":
                raise AssertionError("get_table answered another table")

    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(THREADS)))
    r["get_table_ops"] = n / (time.perf_counter() - start)
    return r


def write_lake(data_dir: Path, partitions: int, files_per_partition: int) -> int:
    """Half the partitions of Parquet, half of JSON lines, straight into the lake folder."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = data_dir / "s3" / "bench-lake" / "raw"
    table = pa.table({"id": pa.array(range(100), pa.int64()), "amount": pa.array([i * 0.5 for i in range(100)]),
                      "customer": pa.array([f"c{i % 7}" for i in range(100)])})
    lines = "".join(json.dumps({"id": i, "event": "click", "ms": i * 3}) + "\n" for i in range(100))
    written = 0
    for p in range(partitions):
        kind = "events_parquet" if p % 2 == 0 else "events_json"
        folder = root / kind / f"dt=2024-{p // 2 // 28 % 12 + 1:02d}-{p // 2 % 28 + 1:02d}-{p // 2}"
        folder.mkdir(parents=True, exist_ok=True)
        for f in range(files_per_partition):
            if kind == "events_parquet":
                pq.write_table(table, folder / f"part-{f:03d}.parquet")
            else:
                (folder / f"part-{f:03d}.json").write_text(lines)
            written += 1
    return written


def measure_crawler(server, data_dir: Path, partitions: int, files_per_partition: int) -> dict:
    s3 = client("s3", server.endpoint)
    s3.create_bucket(Bucket="bench-lake")
    files = write_lake(data_dir, partitions, files_per_partition)
    glue = client("glue", server.endpoint)
    glue.create_database(DatabaseInput={"Name": "lake"})
    glue.create_crawler(Name="bench", Role="arn:aws:iam::000000000000:role/glue", DatabaseName="lake",
                        Targets={"S3Targets": [{"Path": "s3://bench-lake/raw/"}]})
    print(f"[lakebox] crawling {files} files in {partitions} partitions", flush=True)
    with RssSampler(server.proc.pid) as rss:
        start = time.perf_counter()
        glue.start_crawler(Name="bench")
        while True:
            crawler = glue.get_crawler(Name="bench")["Crawler"]
            if crawler["State"] == "READY" and crawler.get("LastCrawl"):
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
    if crawler["LastCrawl"]["Status"] != "SUCCEEDED":
        raise AssertionError(f"crawl ended {crawler['LastCrawl']}")
    tables = {t["Name"] for t in glue.get_tables(DatabaseName="lake")["TableList"]}
    if tables != {"events_parquet", "events_json"}:
        raise AssertionError(f"crawl made tables {sorted(tables)}")
    pages = glue.get_paginator("get_partitions")
    for name in tables:
        count = sum(len(p["Partitions"]) for p in pages.paginate(DatabaseName="lake", TableName=name))
        if count != partitions // 2:
            raise AssertionError(f"{name}: {count} partitions, expected {partitions // 2}")
    return {"crawl_s": elapsed, "crawl_files": files, "crawl_rss_peak_mib": rss.peak / (1 << 20)}


def measure_column_stats(server, data_dir: Path) -> dict:
    """A column statistics task run over the crawled Parquet table, and the same aggregates in DuckDB."""
    import duckdb

    glue = client("glue", server.endpoint)
    print("[lakebox] column statistics of lake.events_parquet", flush=True)
    start = time.perf_counter()
    run_id = glue.start_column_statistics_task_run(DatabaseName="lake", TableName="events_parquet",
                                                   Role="arn:aws:iam::000000000000:role/glue")["ColumnStatisticsTaskRunId"]
    while True:
        run = glue.get_column_statistics_task_run(ColumnStatisticsTaskRunId=run_id)["ColumnStatisticsTaskRun"]
        if run["Status"] not in ("STARTING", "RUNNING"):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if run["Status"] != "SUCCEEDED":
        raise AssertionError(f"column statistics run ended {run['Status']}: {run.get('ErrorMessage')}")
    stats = glue.get_column_statistics_for_table(DatabaseName="lake", TableName="events_parquet",
                                                 ColumnNames=["id", "customer"])["ColumnStatisticsList"]
    found = {s["ColumnName"]: s["StatisticsData"] for s in stats}
    if found["id"]["LongColumnStatisticsData"]["MaximumValue"] != 99 or \
            found["customer"]["StringColumnStatisticsData"]["NumberOfDistinctValues"] != 7:
        raise AssertionError(f"column statistics {found}")
    files = str(data_dir / "s3" / "bench-lake" / "raw" / "events_parquet" / "*" / "*.parquet")
    start = time.perf_counter()
    duckdb.connect().execute(
        "SELECT count(*), count(id), count(DISTINCT id), min(id), max(id), count(amount), count(DISTINCT amount), "
        "min(amount), max(amount), count(customer), max(length(customer)), avg(length(customer)), "
        f"count(DISTINCT customer) FROM read_parquet('{files}')").fetchall()
    return {"stats_s": elapsed, "stats_duckdb_s": time.perf_counter() - start}


ROWS = [
    ("create_partitions_per_s", "BatchCreatePartition, 100 per call", "part/s", True),
    ("get_all_partitions_s", "GetPartitions, all (paginated)", "s", False),
    ("get_partitions_expression_s", "GetPartitions with an Expression", "s", False),
    ("get_table_ops", f"GetTable, {THREADS} threads", "ops/s", True),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 catalog partitions, 2,000 crawled files")
    parser.add_argument("--only", choices=("lakebox", "moto"))
    args = parser.parse_args(argv)
    partitions = 200 if args.quick else PARTITIONS
    crawl_partitions, per_partition = (200, 10) if args.quick else (1000, 10)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="lakebox-glue-bench-") as tmp:
        tmp_path = Path(tmp)
        for name, start in (("lakebox", start_lakebox), ("moto", start_moto)):
            if args.only and args.only != name:
                continue
            server = start(tmp_path)
            try:
                print(f"[{name}] catalog: {partitions} partitions", flush=True)
                results[name] = measure_catalog(server.endpoint, partitions)
                if name == "lakebox":
                    results[name].update(measure_crawler(server, tmp_path / "lakebox-data", crawl_partitions,
                                                         per_partition))
                    results[name].update(measure_column_stats(server, tmp_path / "lakebox-data"))
            finally:
                server.stop()
    lb, moto = results.get("lakebox", {}), results.get("moto", {})
    print(f"\n{'metric':<40} {'unit':>7} {'lakebox':>9} {'moto':>9} {'lakebox/moto':>13}")
    print("-" * 82)
    for key, label, unit, higher in ROWS:
        a, b = lb.get(key), moto.get(key)
        ratio = f"{(a / b if higher else b / a):.2f}x" if a and b else ""
        fmt = (lambda v: "-" if v is None else (f"{v:.3f}" if unit == "s" else f"{v:.0f}"))
        print(f"{label:<40} {unit:>7} {fmt(a):>9} {fmt(b):>9} {ratio:>13}")
    print("lakebox/moto > 1 means lakebox is better (for seconds it is moto/lakebox).")
    if "crawl_s" in lb:
        print(f"crawler: {lb['crawl_files']} files in {crawl_partitions} partitions in {lb['crawl_s']:.1f} s "
              f"(target < 30 s: {'OK' if lb['crawl_s'] < 30 else 'MISSED'}), server RSS peak "
              f"{lb['crawl_rss_peak_mib']:.0f} MiB (target < 500 MiB: "
              f"{'OK' if lb['crawl_rss_peak_mib'] < 500 else 'MISSED'}); moto's crawler reads no files")
    if "stats_s" in lb:
        print(f"column statistics run: {lb['stats_s']:.2f} s from start to SUCCEEDED; DuckDB alone on the same "
              f"files {lb['stats_duckdb_s']:.2f} s (lakebox/DuckDB {lb['stats_s'] / lb['stats_duckdb_s']:.1f}x); "
              "moto's run reads no data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
