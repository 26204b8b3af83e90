'''The guide's Athena examples, as written, against `lakebox serve`: the DDL, MSCK, ALTER TABLE ADD
PARTITION and GROUP BY query of "Queries Básicas", the CTAS statements of "Otimizações Athena" and the
Python `query_athena` helper.

Each SQL statement of a guide block is sent on its own, comments included, through
StartQueryExecution with an OutputLocation and polled, as the console or a script does it.

Setup the guide leaves implicit (see tests/guide/FIXES.md, "Athena"): Parquet orders under
`s3://my-data-lake/silver/orders/year=2024/month=01/` and `month=02/`, the `athena-results` bucket
for the helper's output, and an `orders_csv` table (CSV copies of the same orders) for the first CTAS.

The answers are computed with pandas on the same files. The guide registers January twice: MSCK
finds the folder `month=01` (partition value '01') and ADD PARTITION (month=1) adds '1' over the same
folder. Both are month 1 as INT, so Athena counts January's orders twice, and so must lakebox.
'''

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal
from typing import Optional

import boto3
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.blackbox

RESULTS = "s3://athena-results/guide/"
# guide: "Queries Básicas" (verbatim)
BASIC_QUERIES = """-- Criar database
CREATE DATABASE IF NOT EXISTS analytics;

-- Criar external table
CREATE EXTERNAL TABLE analytics.orders (
    order_id BIGINT,
    customer_id BIGINT,
    order_date DATE,
    total_amount DECIMAL(10,2),
    status STRING
)
PARTITIONED BY (year INT, month INT)
STORED AS PARQUET
LOCATION 's3://my-data-lake/silver/orders/';

-- Adicionar partições
MSCK REPAIR TABLE analytics.orders;

-- ou manualmente
ALTER TABLE analytics.orders ADD IF NOT EXISTS
PARTITION (year=2024, month=1)
LOCATION 's3://my-data-lake/silver/orders/year=2024/month=01/';

-- Query
SELECT 
    year,
    month,
    COUNT(*) as order_count,
    SUM(total_amount) as total_revenue
FROM analytics.orders
WHERE year = 2024
GROUP BY year, month;"""

CTAS_PARQUET = """-- 1. Usar Parquet/ORC (90% menos scan)
CREATE TABLE orders_parquet
WITH (format='PARQUET', parquet_compression='SNAPPY')
AS SELECT * FROM orders_csv;"""

CTAS_SUMMARY = """-- 3. Usar CTAS (Create Table As Select) para pré-agregar
CREATE TABLE sales_summary
WITH (format='PARQUET')
AS
SELECT 
    DATE_TRUNC('day', order_date) as date,
    SUM(total_amount) as daily_revenue,
    COUNT(*) as order_count
FROM orders
GROUP BY DATE_TRUNC('day', order_date);"""

PROJECTION = """-- 4. Columnar projection (apenas colunas necessárias)
SELECT order_id, total_amount  -- Não SELECT *
FROM orders
WHERE year = 2024;"""
# end guide


def _orders(month: int, count: int, first_id: int) -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": [first_id + i for i in range(count)],
        "customer_id": [100 + (i % 4) for i in range(count)],
        "order_date": [dt.date(2024, month, 1 + (i % 5)) for i in range(count)],
        "total_amount": [Decimal(f"{10 + i * 7.25 + month:.2f}") for i in range(count)],
        "status": [("paid", "new", "shipped")[i % 3] for i in range(count)],
    })


ORDERS = {1: _orders(1, 9, 1), 2: _orders(2, 6, 100)}
SCHEMA = pa.schema([("order_id", pa.int64()), ("customer_id", pa.int64()), ("order_date", pa.date32()),
                    ("total_amount", pa.decimal128(10, 2)), ("status", pa.string())])


def _parquet(frame: pd.DataFrame) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, schema=SCHEMA, preserve_index=False), sink)
    return sink.getvalue()


@pytest.fixture(scope="module")
def lake(lakebox_endpoint):
    s3 = boto3.client("s3")
    for bucket in ("my-data-lake", "athena-results"):
        s3.create_bucket(Bucket=bucket)
    for month, frame in ORDERS.items():
        s3.put_object(Bucket="my-data-lake", Key=f"silver/orders/year=2024/month={month:02d}/part-0.parquet",
                      Body=_parquet(frame))
        s3.put_object(Bucket="my-data-lake", Key=f"raw/orders_csv/orders-{month:02d}.csv",
                      Body=frame.to_csv(index=False, header=False).encode())
    return s3


def statements(block: str) -> list[str]:
    """A guide block as the statements a user runs one by one: split after each `;` at a line end."""
    return [s.strip() + ";" for s in block.strip().split(";\n") if s.strip().rstrip(";")]


def run(athena, sql: str, database: Optional[str] = None) -> dict:
    request = {"QueryString": sql, "ResultConfiguration": {"OutputLocation": RESULTS}}
    if database:
        request["QueryExecutionContext"] = {"Database": database}
    query_id = athena.start_query_execution(**request)["QueryExecutionId"]
    deadline = time.monotonic() + 120
    while True:
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return execution
        assert time.monotonic() < deadline, f"still {execution['Status']['State']}: {sql}"
        time.sleep(0.05)


def result_rows(athena, query_id: str) -> list[list[str]]:
    rows = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        rows += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
    return rows


def _as_athena_sees_it() -> pd.DataFrame:
    """Every order once per partition that covers its file: January twice (see the module doc)."""
    return pd.concat([ORDERS[1], ORDERS[1], ORDERS[2]]).assign(
        month=[1] * (2 * len(ORDERS[1])) + [2] * len(ORDERS[2]))


@pytest.fixture(scope="module")
def basic_queries(lake):
    athena = boto3.client("athena")
    return athena, [(sql, run(athena, sql)) for sql in statements(BASIC_QUERIES)]


def test_guide_basic_ddl_succeeds(basic_queries):
    _, executed = basic_queries
    assert len(executed) == 5
    for sql, execution in executed:
        assert execution["Status"]["State"] == "SUCCEEDED", (sql, execution["Status"])
    assert [e["StatementType"] for _, e in executed] == ["DDL", "DDL", "DDL", "DDL", "DML"]
    glue = boto3.client("glue")
    table = glue.get_table(DatabaseName="analytics", Name="orders")["Table"]
    assert [(k["Name"], k["Type"]) for k in table["PartitionKeys"]] == [("year", "int"), ("month", "int")]
    values = sorted(tuple(p["Values"]) for p in glue.get_partitions(DatabaseName="analytics",
                                                                     TableName="orders")["Partitions"])
    assert values == [("2024", "01"), ("2024", "02"), ("2024", "1")]


def test_guide_group_by_counts_and_sums_match_pandas(basic_queries):
    athena, executed = basic_queries
    _, execution = executed[-1]
    rows = result_rows(athena, execution["QueryExecutionId"])
    assert rows[0] == ["year", "month", "order_count", "total_revenue"]
    expected = _as_athena_sees_it().groupby("month").agg(n=("order_id", "count"), total=("total_amount", "sum"))
    assert sorted(rows[1:]) == sorted([["2024", str(m), str(n), str(total)]
                                       for m, n, total in zip(expected.index, expected.n, expected.total)])
    assert execution["Statistics"]["DataScannedInBytes"] > 0


def test_guide_projection_query(basic_queries):
    athena, _ = basic_queries
    execution = run(athena, statements(PROJECTION)[0], "analytics")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    rows = result_rows(athena, execution["QueryExecutionId"])
    expected = _as_athena_sees_it()
    assert rows[0] == ["order_id", "total_amount"]
    assert sorted(rows[1:]) == sorted([[str(i), str(a)] for i, a in zip(expected.order_id, expected.total_amount)])


def test_guide_ctas_to_parquet_from_csv(basic_queries):
    athena, _ = basic_queries
    # Setup the guide leaves implicit: the CSV table it converts.
    setup = run(athena, "CREATE EXTERNAL TABLE orders_csv (order_id bigint, customer_id bigint, order_date date, "
                        "total_amount decimal(10,2), status string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
                        "STORED AS TEXTFILE LOCATION 's3://my-data-lake/raw/orders_csv/'", "analytics")
    assert setup["Status"]["State"] == "SUCCEEDED", setup["Status"]
    execution = run(athena, statements(CTAS_PARQUET)[0], "analytics")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    check = run(athena, "SELECT count(*), sum(total_amount) FROM orders_parquet", "analytics")
    both = pd.concat(ORDERS.values())
    assert result_rows(athena, check["QueryExecutionId"])[1] == [str(len(both)), str(both.total_amount.sum())]
    location = boto3.client("glue").get_table(DatabaseName="analytics", Name="orders_parquet")["Table"][
        "StorageDescriptor"]["Location"]
    assert location.startswith(f"{RESULTS}tables/{execution['QueryExecutionId']}")


def test_guide_ctas_daily_summary(basic_queries):
    athena, _ = basic_queries
    execution = run(athena, statements(CTAS_SUMMARY)[0], "analytics")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    check = run(athena, "SELECT date, daily_revenue, order_count FROM sales_summary", "analytics")
    rows = result_rows(athena, check["QueryExecutionId"])
    assert rows[0] == ["date", "daily_revenue", "order_count"]
    expected = _as_athena_sees_it().groupby("order_date").agg(total=("total_amount", "sum"), n=("order_id", "count"))
    assert sorted(rows[1:]) == sorted([[d.isoformat(), str(t), str(n)]
                                       for d, t, n in zip(expected.index, expected.total, expected.n)])


def test_guide_python_helper(basic_queries):
    # guide: "Python com Athena" (verbatim)
    import boto3
    import time
    import pandas as pd

    athena = boto3.client('athena')

    def query_athena(query, database='analytics', s3_output='s3://athena-results/'):
        # Start query execution
        response = athena.start_query_execution(
            QueryString=query,
            QueryExecutionContext={'Database': database},
            ResultConfiguration={'OutputLocation': s3_output}
        )
        
        query_execution_id = response['QueryExecutionId']
        
        # Wait for completion
        while True:
            status = athena.get_query_execution(QueryExecutionId=query_execution_id)
            state = status['QueryExecution']['Status']['State']
            
            if state in ['SUCCEEDED', 'FAILED', 'CANCELLED']:
                break
            
            time.sleep(1)
        
        if state == 'SUCCEEDED':
            # Get results
            results = athena.get_query_results(QueryExecutionId=query_execution_id)
            
            # Convert to DataFrame
            columns = [col['Label'] for col in results['ResultSet']['ResultSetMetadata']['ColumnInfo']]
            data = [[field.get('VarCharValue', '') for field in row['Data']] 
                    for row in results['ResultSet']['Rows'][1:]]  # Skip header
            
            return pd.DataFrame(data, columns=columns)
        else:
            raise Exception(f"Query failed: {status['QueryExecution']['Status']['StateChangeReason']}")

    # Usage
    df = query_athena("SELECT * FROM orders WHERE year = 2024 LIMIT 1000")
    # end guide

    expected = _as_athena_sees_it()
    assert list(df.columns) == ["order_id", "customer_id", "order_date", "total_amount", "status", "year", "month"]
    assert len(df) == len(expected)
    assert sorted(df.order_id.astype(int)) == sorted(expected.order_id)
    assert set(df.year) == {"2024"} and sorted(set(df.month)) == ["1", "2"]
