"""Shared setup for the real-client tests (pyathena, awswrangler, the AWS CLI): a small sales table
written as Parquet with pyarrow into the lake, declared with Athena DDL, and the answers computed
from that same pyarrow table, independently of lakebox.

The table is partitioned by region (Hive folders `region=<r>/`), so the tests can check that a
filter on the partition column reads fewer bytes.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from athena_helpers import make_client, wait_for

LAKE = "client-lake"
RESULTS = "client-results"
OUTPUT = f"s3://{RESULTS}/queries/"
DATABASE = "shop"

SALES = pa.table({
    "id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
    "customer": pa.array(["ana", "bob", None, "dan", "eve", "fay"], pa.string()),
    "amount": pa.array([10.5, 3.25, 1.5, 2.0, 7.75, 4.0], pa.float64()),
    "price": pa.array([Decimal("1.10"), Decimal("2.20"), Decimal("3.30"), Decimal("4.40"), Decimal("5.50"),
                       Decimal("6.60")], pa.decimal128(10, 2)),
    "day": pa.array([datetime.date(2024, 1, d) for d in (1, 2, 3, 4, 5, 6)], pa.date32()),
    "region": ["eu", "us", "eu", "ap", "eu", "us"],
})

SALES_DDL = (f"CREATE EXTERNAL TABLE {DATABASE}.sales (id bigint, customer string, amount double, "
             "price decimal(10,2), day date) PARTITIONED BY (region string) STORED AS PARQUET "
             f"LOCATION 's3://{LAKE}/sales/'")


def sales_rows(region=None) -> list[dict]:
    """The rows of SALES as dicts, ordered by id, optionally for one region only."""
    rows = sorted(SALES.to_pylist(), key=lambda r: r["id"])
    return [r for r in rows if region is None or r["region"] == region]


def put_sales(s3) -> None:
    """Create the lake and results buckets and write one Parquet file per region (no region column
    inside the files: Hive partition values come from the folder names)."""
    s3.create_bucket(Bucket=LAKE)
    s3.create_bucket(Bucket=RESULTS)
    for region in sorted(set(SALES.column("region").to_pylist())):
        part = SALES.filter(pc.equal(SALES.column("region"), region)).drop_columns(["region"])
        buffer = io.BytesIO()
        pq.write_table(part, buffer)
        s3.put_object(Bucket=LAKE, Key=f"sales/region={region}/part-0.parquet", Body=buffer.getvalue())


def run(athena, sql: str, database: str = DATABASE, state: str = "SUCCEEDED") -> dict:
    """Run one statement through the Athena API and wait for it; returns the execution."""
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": database},
                                       ResultConfiguration={"OutputLocation": OUTPUT})["QueryExecutionId"]
    execution = wait_for(athena, qid)
    assert execution["Status"]["State"] == state, execution["Status"]
    return execution


def create_sales_table(endpoint_url: str) -> None:
    """The sales data in the lake and its table in Glue, declared with Athena DDL and MSCK REPAIR."""
    put_sales(make_client("s3", endpoint_url))
    athena = make_client("athena", endpoint_url)
    run(athena, f"CREATE DATABASE {DATABASE}", database="default")
    run(athena, SALES_DDL)
    run(athena, f"MSCK REPAIR TABLE {DATABASE}.sales")
