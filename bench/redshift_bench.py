"""Redshift benchmark: lakebox's cluster (Postgres endpoint and Data API) against DuckDB on a file, in one run.

lakebox runs Redshift SQL on DuckDB, one database file per cluster database, so DuckDB alone on a
file, on the same machine and the same Parquet files, is the floor: whatever lakebox adds (the
Postgres wire protocol or the Data API's HTTP calls, parsing COPY/UNLOAD, translating the SQL with
sqlglot, the casts of a COPY, storing UNLOAD's files as S3 objects) is the gap between the two.
Absolute numbers depend on the machine, so every measurement is a ratio taken side by side:

- COPY: a sales dataset (`--rows`, default 2 M; quick 200 k) as 8 Parquet files in the lake
  folder, loaded with `COPY sales FROM 's3://…/sales/' IAM_ROLE … FORMAT AS PARQUET` into a table
  with DISTKEY and SORTKEY, over redshift_connector and over the Data API (execute, then
  DescribeStatement until FINISHED), in rows/s. Floor: `INSERT INTO sales SELECT … FROM
  read_parquet([…])` into a DuckDB file. Each run loads a freshly created table (the DDL is untimed).
- Four analytic queries over it (group by month, a join with a customers table, a filtered group by,
  a HAVING over a filter), in seconds each: redshift_connector (execute + fetchall), the Data API
  (execute, DescribeStatement until FINISHED, every page of GetStatementResult) and DuckDB running
  the same SQL as sqlglot translates it from Redshift to DuckDB.
- UNLOAD of a join's result (`UNLOAD ('SELECT …') TO 's3://…' FORMAT PARQUET`), over
  redshift_connector and the Data API, in rows/s. Floor: DuckDB `COPY (query) TO 'file.parquet'`.
- A Data API round trip for a small query (ExecuteStatement, DescribeStatement polled every 10 ms
  until FINISHED, GetStatementResult): p50 and p95 over `--api-runs` (50; quick 15), next to the same
  query over redshift_connector and on DuckDB; and the same round trip on a Redshift Serverless
  workgroup (`WorkgroupName`) whose namespace COPYs the same customers.

Each figure is the median of `--runs` timed runs (5; quick 1) after one untimed run, alternating
the sides so that a noisy neighbour hurts both alike. Every answer is checked, so a fast wrong
answer cannot score: after each COPY the table's count and sums must equal DuckDB's; each query's
rows (through both paths) must equal DuckDB's value by value (integers, text and dates exactly,
decimals exactly, floats within 1e-9 relative); the UNLOAD files are listed through S3, read back with
pyarrow and must hold DuckDB's rows (count and per-column sums); the small query's answer too.
No assertions on timings and no targets: the ratios are reported.

The data is generated with numpy and pyarrow (outside the timings, seeded) and written straight into
the server's lake folder (`<data>/s3/<bucket>/<key>` are plain files, and COPY reads them there).

    .venv/bin/python bench/redshift_bench.py [--quick] [--rows N] [--runs N] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from s3_bench import start_lakebox  # noqa: E402

BUCKET = "redshift-bench"
CLUSTER, DATABASE, USER, PASSWORD = "bench-cluster", "analytics", "admin", "SecurePass123!"
ROLE = "arn:aws:iam::123456789012:role/RedshiftBenchRole"
FILES = 8
CUSTOMERS = 50_000
REGIONS = ("north", "south", "east", "west", "central")
POLL_S = 0.010

SALES_DDL = ("CREATE TABLE {name} (order_date DATE NOT NULL, customer_id BIGINT NOT NULL, product_id BIGINT NOT NULL, "
             "quantity INT, amount DECIMAL(10,2))")
REDSHIFT_SALES_DDL = SALES_DDL + " DISTKEY (customer_id) SORTKEY (order_date)"
CUSTOMERS_DDL = "CREATE TABLE customers (customer_id BIGINT, region VARCHAR(16), segment VARCHAR(16))"
SALES_COLUMNS = "order_date, customer_id, product_id, quantity, amount"

#: Redshift SQL, sent as written to lakebox; DuckDB gets sqlglot's translation.
QUERIES = {
    "q1 group by month": (
        "SELECT EXTRACT(year FROM order_date) AS yr, EXTRACT(month FROM order_date) AS mon, COUNT(*) AS orders, "
        "SUM(amount) AS revenue, SUM(quantity) AS units FROM sales GROUP BY 1, 2 ORDER BY 1, 2"),
    "q2 join customers": (
        "SELECT c.region, c.segment, COUNT(DISTINCT s.customer_id) AS buyers, SUM(s.amount * s.quantity) AS revenue "
        "FROM sales s JOIN customers c ON s.customer_id = c.customer_id GROUP BY c.region, c.segment "
        "ORDER BY revenue DESC, c.region, c.segment"),
    "q3 filter + group": (
        "SELECT product_id, SUM(quantity) AS units, MAX(amount) AS top_amount FROM sales "
        "WHERE order_date BETWEEN '2024-03-01' AND '2024-03-31' AND quantity >= 3 "
        "GROUP BY product_id ORDER BY units DESC, product_id LIMIT 50"),
    "q4 having": (
        "SELECT customer_id, COUNT(*) AS big_orders, SUM(amount) AS total FROM sales WHERE amount > 900 "
        "GROUP BY customer_id HAVING COUNT(*) >= 2 ORDER BY total DESC, customer_id LIMIT 100"),
}
UNLOAD_QUERY = ("SELECT s.order_date, s.customer_id, s.product_id, s.quantity, s.amount, c.region "
                "FROM sales s JOIN customers c ON s.customer_id = c.customer_id WHERE s.order_date >= ''2024-01-01''")
SMALL_QUERY = ("SELECT region, COUNT(*) AS customers FROM customers WHERE segment = 'retail' "
               "GROUP BY region ORDER BY region")


# ---------------------------------------------------------------- data

def _decimal_array(cents, precision: int = 10, scale: int = 2):
    """Non-negative int64 cents as a decimal128 array, built from its buffers (exact and fast)."""
    import numpy as np
    import pyarrow as pa

    words = np.zeros((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    return pa.Array.from_buffers(pa.decimal128(precision, scale), len(cents), [None, pa.py_buffer(words.tobytes())])


def generate(folder: Path, rows: int, seed: int = 7) -> dict:
    """`rows` sales in FILES Parquet files under folder/sales/, and the customers under folder/customers/."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    start = dt.date(2023, 1, 1)
    days = rng.integers(0, 730, rows, dtype=np.int32) + (start - dt.date(1970, 1, 1)).days
    table = pa.table({
        "order_date": pa.array(days, pa.int32()).cast(pa.date32()),
        "customer_id": pa.array(rng.integers(1, CUSTOMERS + 1, rows, dtype=np.int64)),
        "product_id": pa.array(rng.integers(1, 2001, rows, dtype=np.int64)),
        "quantity": pa.array(rng.integers(1, 11, rows, dtype=np.int32)),
        "amount": _decimal_array(rng.integers(100, 100_000, rows, dtype=np.int64)),
    })
    sales = []
    (folder / "sales").mkdir(parents=True, exist_ok=True)
    step = -(-rows // FILES)
    for i in range(FILES):
        path = folder / "sales" / f"part-{i:04d}.parquet"
        pq.write_table(table.slice(i * step, step), path)
        sales.append(path)
    ids = np.arange(1, CUSTOMERS + 1, dtype=np.int64)
    segments = ("retail", "business", "public")
    customers = pa.table({"customer_id": pa.array(ids),
                          "region": pa.array([REGIONS[i % len(REGIONS)] for i in range(CUSTOMERS)]),
                          "segment": pa.array([segments[(i * 7) % 3] for i in range(CUSTOMERS)])})
    (folder / "customers").mkdir(parents=True, exist_ok=True)
    pq.write_table(customers, folder / "customers" / "part-0000.parquet")
    return {"sales": sales, "customers": [folder / "customers" / "part-0000.parquet"]}


# ---------------------------------------------------------------- DuckDB, the floor

class Raw:
    """DuckDB on a database file, as lakebox keeps a cluster database: the same tables, the same
    Parquet files, the same queries (as sqlglot translates them)."""

    def __init__(self, path: Path, files: dict):
        import duckdb

        self.con = duckdb.connect(str(path))
        self.files = files
        self.con.execute(CUSTOMERS_DDL)
        self.con.execute(f"INSERT INTO customers SELECT * FROM read_parquet({self._list('customers')})")

    def _list(self, kind: str) -> str:
        return "[" + ", ".join(f"'{p}'" for p in self.files[kind]) + "]"

    def copy(self) -> int:
        self.con.execute("DROP TABLE IF EXISTS sales")
        self.con.execute(SALES_DDL.format(name="sales"))
        start = time.perf_counter()
        count = self.con.execute(f"INSERT INTO sales SELECT {SALES_COLUMNS} FROM read_parquet({self._list('sales')})"
                                 ).fetchone()[0]
        self.elapsed = time.perf_counter() - start
        return count

    @staticmethod
    def translate(redshift_sql: str) -> str:
        import sqlglot

        return sqlglot.transpile(redshift_sql, read="redshift", write="duckdb")[0]

    def query(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def unload(self, query_sql: str, target: Path) -> int:
        return self.con.execute(f"COPY ({query_sql}) TO '{target}' (FORMAT parquet)").fetchone()[0]

    def fingerprint(self, table: str = "sales") -> tuple:
        return self.con.execute(f"SELECT count(*), sum(amount), sum(customer_id), sum(quantity), "
                                f"min(order_date), max(order_date) FROM {table}").fetchone()


# ---------------------------------------------------------------- lakebox

def client(service: str, endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


class Lakebox:
    def __init__(self, endpoint: str):
        import redshift_connector

        self.redshift, self.data, self.s3 = (client(s, endpoint) for s in ("redshift", "redshift-data", "s3"))
        self.redshift.create_cluster(ClusterIdentifier=CLUSTER, NodeType="dc2.large", NumberOfNodes=2,
                                     MasterUsername=USER, MasterUserPassword=PASSWORD, DBName=DATABASE)
        cluster = self.redshift.describe_clusters(ClusterIdentifier=CLUSTER)["Clusters"][0]
        if cluster["ClusterStatus"] != "available":
            raise AssertionError(f"cluster is {cluster['ClusterStatus']}")
        address, port = cluster["Endpoint"]["Address"], cluster["Endpoint"]["Port"]
        self.conn = redshift_connector.connect(host=address, port=port, database=DATABASE, user=USER,
                                               password=PASSWORD, ssl=False)
        self.conn.autocommit = True

    # -- Postgres endpoint
    def pg(self, sql: str) -> list[tuple]:
        cursor = self.conn.cursor()
        cursor.execute(sql)
        return [tuple(r) for r in cursor.fetchall()] if cursor.description else []

    # -- Data API
    def api(self, sql: str, timeout: float = 600.0, workgroup: str = "") -> tuple[dict, list[list]]:
        """Execute, poll DescribeStatement every POLL_S until it ends, then every result page."""
        target = {"WorkgroupName": workgroup} if workgroup else {"ClusterIdentifier": CLUSTER, "DbUser": USER}
        sid = self.data.execute_statement(Database=DATABASE, Sql=sql, **target)["Id"]
        deadline = time.monotonic() + timeout
        while True:
            described = self.data.describe_statement(Id=sid)
            if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"statement still {described['Status']} after {timeout} s: {sql[:60]}")
            time.sleep(POLL_S)
        if described["Status"] != "FINISHED":
            raise AssertionError(f"Data API statement {described['Status']}: {described.get('Error')}\n{sql}")
        records: list[list] = []
        if described.get("HasResultSet"):
            kwargs: dict = {}
            while True:
                page = self.data.get_statement_result(Id=sid, **kwargs)
                records += page["Records"]
                if not page.get("NextToken"):
                    break
                kwargs = {"NextToken": page["NextToken"]}
        return described, records

    def fingerprint(self, table: str) -> tuple:
        return self.pg(f"SELECT count(*), sum(amount), sum(customer_id), sum(quantity), min(order_date), "
                       f"max(order_date) FROM {table}")[0]


# ---------------------------------------------------------------- checking answers

def _same(got, want) -> bool:
    if want is None or got is None:
        return got is None and want is None
    if isinstance(want, float) or isinstance(got, float):
        return abs(float(got) - float(want)) <= 1e-9 * max(abs(float(want)), 1.0)
    if isinstance(want, decimal.Decimal) or isinstance(got, decimal.Decimal):
        return decimal.Decimal(str(got)) == decimal.Decimal(str(want))
    return type(got) is type(want) and got == want


def _cell(field: dict):
    """A Data API field as the Python value it stands for (decimals and dates come as strings)."""
    if field.get("isNull"):
        return None
    for key in ("longValue", "doubleValue", "booleanValue"):
        if key in field:
            return field[key]
    return field.get("stringValue")


def _same_api(field: dict, want) -> bool:
    got = _cell(field)
    if isinstance(want, (dt.date, dt.datetime)) and isinstance(got, str):
        return got == (want.isoformat(sep=" ") if isinstance(want, dt.datetime) else want.isoformat())
    if isinstance(want, decimal.Decimal) and isinstance(got, str):
        try:
            return decimal.Decimal(got) == want
        except decimal.InvalidOperation:
            return False
    if isinstance(want, int) and isinstance(got, str):
        return got == str(want)
    return _same(got, want)


def check_rows(label: str, rows: list, want: list, api: bool = False) -> None:
    if len(rows) != len(want):
        raise AssertionError(f"{label}: {len(rows)} rows, DuckDB has {len(want)}")
    same = _same_api if api else _same
    for i, (got, expected) in enumerate(zip(rows, want)):
        if len(got) != len(expected) or not all(same(g, w) for g, w in zip(got, expected)):
            raise AssertionError(f"{label}: row {i} is {list(got)}, DuckDB has {list(expected)}")


def check_fingerprint(label: str, got: tuple, want: tuple) -> None:
    if len(got) != len(want) or not all(_same(g, w) for g, w in zip(got, want)):
        raise AssertionError(f"{label}: (count, sums, dates) {got}, DuckDB has {want}")


def parquet_fingerprint(tables: list) -> tuple:
    """(rows, sum(amount), sum(customer_id), sum(quantity), rows per region) of Parquet tables."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not tables:
        return (0, None, None, None, {})
    table = pa.concat_tables(tables)
    regions = dict(zip(*[c.to_pylist() for c in pc.value_counts(table.column("region")).flatten()]))
    return (table.num_rows, pc.sum(table.column("amount")).as_py(), pc.sum(table.column("customer_id")).as_py(),
            pc.sum(table.column("quantity")).as_py(), regions)


def read_unloaded(s3, prefix: str) -> tuple[list[str], tuple]:
    import pyarrow.parquet as pq

    keys, kwargs = [], {}
    while True:
        page = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix, **kwargs)
        keys += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            break
        kwargs = {"ContinuationToken": page["NextContinuationToken"]}
    tables = [pq.read_table(io.BytesIO(s3.get_object(Bucket=BUCKET, Key=k)["Body"].read())) for k in keys]
    return keys, parquet_fingerprint(tables)


# ---------------------------------------------------------------- the measurements

def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def measure_copy(lake: Lakebox, raw: Raw, rows: int, runs: int) -> dict:
    copy_sql = f"COPY {{name}} FROM 's3://{BUCKET}/sales/' IAM_ROLE '{ROLE}' FORMAT AS PARQUET"
    times: dict = {"duckdb": [], "pgwire": [], "data_api": []}
    want = None
    for run in range(runs + 1):  # the first run of each side is untimed
        count = raw.copy()
        if count != rows:
            raise AssertionError(f"DuckDB loaded {count} rows, {rows} were written")
        want = raw.fingerprint()
        for side, table in (("pgwire", "sales"), ("data_api", "sales_api")):
            lake.pg(f"DROP TABLE IF EXISTS {table}")
            lake.pg(REDSHIFT_SALES_DDL.format(name=table))
            if side == "pgwire":
                elapsed, _ = _timed(lambda: lake.pg(copy_sql.format(name=table)))
            else:
                elapsed, (described, _) = _timed(lambda: lake.api(copy_sql.format(name=table)))
            check_fingerprint(f"COPY over {side}", lake.fingerprint(table), want)
            if run:
                times[side].append(elapsed)
        if run:
            times["duckdb"].append(raw.elapsed)
    lake.pg("DROP TABLE sales_api")
    result = {side: {"s": statistics.median(t), "rows_per_s": rows / statistics.median(t), "runs_s": t}
              for side, t in times.items()}
    print(f"  COPY {rows} rows: DuckDB {result['duckdb']['rows_per_s']:,.0f} rows/s, lakebox pgwire "
          f"{result['pgwire']['rows_per_s']:,.0f} rows/s, Data API {result['data_api']['rows_per_s']:,.0f} rows/s",
          flush=True)
    return result


def measure_queries(lake: Lakebox, raw: Raw, runs: int) -> dict:
    results = {}
    for label, sql in QUERIES.items():
        duck_sql = raw.translate(sql)
        want = raw.query(duck_sql)
        times: dict = {"duckdb": [], "pgwire": [], "data_api": []}
        for run in range(runs + 1):
            elapsed, got = _timed(lambda: raw.query(duck_sql))
            check_rows(f"{label} (DuckDB)", got, want)
            times["duckdb"].append(elapsed)
            elapsed, got = _timed(lambda: lake.pg(sql))
            check_rows(f"{label} over pgwire", got, want)
            times["pgwire"].append(elapsed)
            elapsed, (_, records) = _timed(lambda: lake.api(sql))
            check_rows(f"{label} over the Data API", records, want, api=True)
            times["data_api"].append(elapsed)
        medians = {side: statistics.median(t[1:]) for side, t in times.items()}
        results[label] = {**{f"{side}_s": m for side, m in medians.items()}, "rows": len(want),
                          "runs_s": {side: t[1:] for side, t in times.items()}}
        print(f"  {label}: {len(want)} rows; DuckDB {medians['duckdb'] * 1000:.0f} ms, pgwire "
              f"{medians['pgwire'] * 1000:.0f} ms, Data API {medians['data_api'] * 1000:.0f} ms", flush=True)
    return results


def measure_unload(lake: Lakebox, raw: Raw, tmp: Path, runs: int) -> dict:
    import pyarrow.parquet as pq

    duck_sql = raw.translate(UNLOAD_QUERY.replace("''", "'"))
    times: dict = {"duckdb": [], "pgwire": [], "data_api": []}
    want = None
    for run in range(runs + 1):
        target = tmp / f"raw-unload-{run}.parquet"
        elapsed, count = _timed(lambda: raw.unload(duck_sql, target))
        want = parquet_fingerprint([pq.read_table(target)])
        if want[0] != count:
            raise AssertionError(f"DuckDB wrote {want[0]} rows, said {count}")
        times["duckdb"].append(elapsed)
        for side in ("pgwire", "data_api"):
            prefix = f"unload/{side}-{run}/sales_"
            sql = f"UNLOAD ('{UNLOAD_QUERY}') TO 's3://{BUCKET}/{prefix}' IAM_ROLE '{ROLE}' FORMAT PARQUET"
            elapsed, _ = _timed(lambda: lake.pg(sql) if side == "pgwire" else lake.api(sql))
            times[side].append(elapsed)
            keys, got = read_unloaded(lake.s3, prefix)
            if not keys or not all(k.endswith(".parquet") for k in keys):
                raise AssertionError(f"UNLOAD over {side} wrote {keys}")
            if got != want:
                raise AssertionError(f"UNLOAD over {side}: (rows, sums, regions) {got}, DuckDB wrote {want}")
        target.unlink()
    rows = want[0]
    result = {"rows": rows}
    for side, t in times.items():
        m = statistics.median(t[1:])
        result[side] = {"s": m, "rows_per_s": rows / m, "runs_s": t[1:]}
    print(f"  UNLOAD {rows} rows: DuckDB {result['duckdb']['rows_per_s']:,.0f} rows/s, pgwire "
          f"{result['pgwire']['rows_per_s']:,.0f} rows/s, Data API {result['data_api']['rows_per_s']:,.0f} rows/s",
          flush=True)
    return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def measure_round_trip(lake: Lakebox, raw: Raw, runs: int) -> dict:
    duck_sql = raw.translate(SMALL_QUERY)
    want = raw.query(duck_sql)
    lake.api(SMALL_QUERY)  # warm: the first statement starts the worker
    samples: dict = {"duckdb": [], "pgwire": [], "data_api": []}
    for _ in range(runs):
        elapsed, got = _timed(lambda: raw.query(duck_sql))
        check_rows("small query (DuckDB)", got, want)
        samples["duckdb"].append(elapsed * 1000)
        elapsed, got = _timed(lambda: lake.pg(SMALL_QUERY))
        check_rows("small query over pgwire", got, want)
        samples["pgwire"].append(elapsed * 1000)
        elapsed, (_, records) = _timed(lambda: lake.api(SMALL_QUERY))
        check_rows("small query over the Data API", records, want, api=True)
        samples["data_api"].append(elapsed * 1000)
    result = {side: {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)} for side, ms in samples.items()}
    result["runs"] = runs
    print(f"  small query x {runs}: Data API p50 {result['data_api']['p50_ms']:.1f} ms, p95 "
          f"{result['data_api']['p95_ms']:.1f} ms; pgwire p50 {result['pgwire']['p50_ms']:.1f} ms; "
          f"DuckDB p50 {result['duckdb']['p50_ms']:.2f} ms", flush=True)
    return result


def measure_serverless(lake: Lakebox, raw: Raw, endpoint: str, runs: int) -> dict:
    """The small query's Data API round trip on a Serverless workgroup holding the same customers."""
    serverless = client("redshift-serverless", endpoint)
    serverless.create_namespace(namespaceName="bench", adminUsername=USER, adminUserPassword=PASSWORD,
                                dbName=DATABASE)
    serverless.create_workgroup(workgroupName="bench", namespaceName="bench")
    lake.api(CUSTOMERS_DDL, workgroup="bench")
    lake.api(f"COPY customers FROM 's3://{BUCKET}/customers/' IAM_ROLE '{ROLE}' FORMAT AS PARQUET", workgroup="bench")
    want = raw.query(raw.translate(SMALL_QUERY))
    samples = []
    for _ in range(runs):
        elapsed, (_, records) = _timed(lambda: lake.api(SMALL_QUERY, workgroup="bench"))
        check_rows("small query on the Serverless workgroup", records, want, api=True)
        samples.append(elapsed * 1000)
    result = {"p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95)}
    print(f"  small query x {runs} on a Serverless workgroup: Data API p50 {result['p50_ms']:.1f} ms, "
          f"p95 {result['p95_ms']:.1f} ms", flush=True)
    return result


# ---------------------------------------------------------------- report

def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if a and b else "n/a"


def report(results: dict) -> list[str]:
    lines = [f"Redshift on lakebox vs DuckDB on a file: {results['rows']:,} sales rows in {FILES} Parquet files, "
             f"median of {results['runs']} run(s), {results['cpus']} CPU(s)",
             f"{'measurement':<24} {'unit':>7} {'DuckDB':>11} {'pgwire':>11} {'Data API':>11} "
             f"{'DuckDB/pgwire':>14} {'DuckDB/API':>11}", "-" * 95]
    for label, key in (("COPY Parquet -> table", "copy"), ("UNLOAD join -> Parquet", "unload")):
        r = results[key]
        d, p, a = r["duckdb"]["rows_per_s"], r["pgwire"]["rows_per_s"], r["data_api"]["rows_per_s"]
        lines.append(f"{label:<24} {'rows/s':>7} {d:>11,.0f} {p:>11,.0f} {a:>11,.0f} {_ratio(d, p):>14} "
                     f"{_ratio(d, a):>11}")
    for label, r in results["queries"].items():
        d, p, a = r["duckdb_s"], r["pgwire_s"], r["data_api_s"]
        lines.append(f"{label:<24} {'s':>7} {d:>11.3f} {p:>11.3f} {a:>11.3f} {_ratio(p, d):>14} {_ratio(a, d):>11}")
    rt = results["round_trip"]
    for stat in ("p50_ms", "p95_ms"):
        d, p, a = rt["duckdb"][stat], rt["pgwire"][stat], rt["data_api"][stat]
        lines.append(f"{'small query ' + stat[:3]:<24} {'ms':>7} {d:>11.2f} {p:>11.2f} {a:>11.2f} "
                     f"{_ratio(p, d):>14} {_ratio(a, d):>11}")
    if results.get("serverless"):
        sv = results["serverless"]
        lines.append(f"{'Serverless small p50':<24} {'ms':>7} {rt['duckdb']['p50_ms']:>11.2f} {'-':>11} "
                     f"{sv['p50_ms']:>11.2f} {'-':>14} {_ratio(sv['p50_ms'], rt['duckdb']['p50_ms']):>11}")
    lines += ["ratios are lakebox's cost over DuckDB's: rows/s DuckDB/lakebox, seconds lakebox/DuckDB (1.00x = "
              "no overhead).",
              f"COPY {results['copy']['pgwire']['rows_per_s'] / results['copy']['duckdb']['rows_per_s']:.0%} and "
              f"UNLOAD {results['unload']['pgwire']['rows_per_s'] / results['unload']['duckdb']['rows_per_s']:.0%} "
              "of DuckDB's rows/s over pgwire; every answer checked against DuckDB's (no targets, no timing "
              "assertions)."]
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 k rows, 1 run, 15 round trips (< 30 s)")
    parser.add_argument("--rows", type=int, help="sales rows (default 2,000,000; quick 200,000)")
    parser.add_argument("--runs", type=int, help="timed runs per measurement (default 5; quick 1)")
    parser.add_argument("--api-runs", type=int, help="small-query round trips (default 50; quick 15)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    rows = args.rows or (200_000 if args.quick else 2_000_000)
    runs = args.runs or (1 if args.quick else 5)
    api_runs = args.api_runs or (15 if args.quick else 50)
    results: dict = {"rows": rows, "runs": runs, "cpus": os.cpu_count(), "quick": args.quick}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lakebox-redshift-bench-") as tmpdir:
        tmp = Path(tmpdir)
        server = start_lakebox(tmp)
        try:
            lake_folder = tmp / "lakebox-data" / "s3" / BUCKET
            client("s3", server.endpoint).create_bucket(Bucket=BUCKET)
            start = time.perf_counter()
            files = generate(lake_folder, rows)
            results["generate_s"] = time.perf_counter() - start
            print(f"[setup] {rows:,} sales rows in {FILES} files + {CUSTOMERS:,} customers, generated in "
                  f"{results['generate_s']:.1f} s (untimed); lakebox at {server.endpoint}", flush=True)
            raw = Raw(tmp / "raw.duckdb", files)
            lake = Lakebox(server.endpoint)
            lake.pg(CUSTOMERS_DDL)
            lake.pg(f"COPY customers FROM 's3://{BUCKET}/customers/' IAM_ROLE '{ROLE}' FORMAT AS PARQUET")
            check_fingerprint("customers", lake.pg("SELECT count(*), count(DISTINCT region) FROM customers")[0],
                              raw.query("SELECT count(*), count(DISTINCT region) FROM customers")[0])
            print(f"[both] COPY, {runs} timed run(s) after one untimed", flush=True)
            results["copy"] = measure_copy(lake, raw, rows, runs)
            print(f"[both] {len(QUERIES)} queries", flush=True)
            results["queries"] = measure_queries(lake, raw, runs)
            print("[both] UNLOAD", flush=True)
            results["unload"] = measure_unload(lake, raw, tmp, runs)
            print("[both] small query round trips", flush=True)
            results["round_trip"] = measure_round_trip(lake, raw, api_runs)
            print("[both] small query round trips on a Serverless workgroup", flush=True)
            results["serverless"] = measure_serverless(lake, raw, server.endpoint, api_runs)
            lake.conn.close()
            raw.con.close()
        finally:
            server.stop()
    results["total_s"] = time.perf_counter() - began
    print("\n" + "\n".join(report(results)))
    print(f"(whole run {results['total_s']:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
