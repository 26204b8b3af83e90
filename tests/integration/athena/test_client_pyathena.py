"""pyathena (the DB API 2.0 driver for Athena) against a real lakebox server.

The default cursor reads rows through GetQueryResults; PandasCursor and ArrowCursor read the
`<id>.csv` result file from S3 (or, with `unload=True`, the Parquet files of an UNLOAD). pyathena
takes Athena's endpoint as `endpoint_url=` (passed to the boto3 client) and S3's from the
environment (`AWS_ENDPOINT_URL`, which the `lakebox_server` fixture sets). The data is a Parquet
table written with pyarrow and declared with Athena DDL; every answer is compared with that table.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pandas as pd
import pyathena
import pytest
from athena_helpers import make_client
from client_helpers import (
    DATABASE,
    LAKE,
    OUTPUT,
    SALES,
    SALES_DDL,
    create_sales_table,
    put_sales,
    sales_rows,
)
from pyathena.arrow.cursor import ArrowCursor
from pyathena.arrow.result_set import AthenaArrowResultSetMetadataReader
from pyathena.async_cursor import AsyncCursor
from pyathena.error import DatabaseError, OperationalError
from pyathena.pandas.cursor import PandasCursor

# The client itself still uses pandas APIs that pandas 3.1 deprecates.
pytestmark = [pytest.mark.filterwarnings("ignore:engine='auto' is deprecated")]


def _use_s3_filesystem(implementation) -> None:
    import fsspec
    for protocol in ("s3", "s3a"):
        fsspec.register_implementation(protocol, implementation, clobber=True)


# Importing pyathena.pandas replaces fsspec's "s3" protocol with pyathena's own filesystem, for the
# whole process. Other test modules (pandas through s3fs) expect s3fs, so s3fs is put back at once
# and pyathena's filesystem is used only while this module's tests run.
_PYATHENA_FS = __import__("fsspec").registry["s3"]
_use_s3_filesystem(__import__("s3fs").S3FileSystem)


@pytest.fixture(scope="module", autouse=True)
def pyathena_filesystem():
    import s3fs
    _use_s3_filesystem(_PYATHENA_FS)
    yield
    _use_s3_filesystem(s3fs.S3FileSystem)

COLUMNS = "id, customer, amount, price, day, region"


def connect(endpoint_url: str, **kwargs):
    return pyathena.connect(s3_staging_dir=OUTPUT, region_name="us-east-1", schema_name=DATABASE,
                            endpoint_url=endpoint_url, poll_interval=0.05, **kwargs)


def as_tuples(rows: list[dict]) -> list[tuple]:
    return [tuple(r[c.strip()] for c in COLUMNS.split(",")) for r in rows]


@pytest.fixture
def sales(lakebox_server):
    create_sales_table(lakebox_server.endpoint_url)
    return lakebox_server


def test_cursor_fetches_typed_rows_and_describes_columns(sales):
    cursor = connect(sales.endpoint_url).cursor()
    cursor.execute(f"SELECT {COLUMNS} FROM sales ORDER BY id")
    expected = as_tuples(sales_rows())
    assert cursor.fetchone() == expected[0]
    assert cursor.fetchmany(2) == expected[1:3]
    assert cursor.fetchall() == expected[3:]
    assert cursor.fetchone() is None
    described = [(d[0], d[1], d[4], d[5]) for d in cursor.description]
    assert described == [("id", "bigint", 19, 0), ("customer", "varchar", 2147483647, 0),
                         ("amount", "double", 17, 0), ("price", "decimal", 10, 2), ("day", "date", 0, 0),
                         ("region", "varchar", 2147483647, 0)]
    # pyathena converts by Athena's type names: decimal -> Decimal, date -> date.
    assert expected[0][3] == Decimal("1.10") and isinstance(expected[0][4], datetime.date)
    assert cursor.rowcount == -1
    assert cursor.state == "SUCCEEDED"
    assert cursor.output_location == f"{OUTPUT}{cursor.query_id}.csv"
    # Each phase that took any time reports at least 1 ms (pyathena's suite expects them non-zero).
    assert cursor.query_queue_time_in_millis >= 1 and cursor.engine_execution_time_in_millis >= 1
    assert cursor.total_execution_time_in_millis >= cursor.engine_execution_time_in_millis


def test_cursor_iterates_and_aggregates(sales):
    cursor = connect(sales.endpoint_url).cursor()
    cursor.execute("SELECT region, count(*) AS n, sum(amount) AS total FROM sales GROUP BY region ORDER BY region")
    got = list(cursor)
    expected = {}
    for row in sales_rows():
        n, total = expected.get(row["region"], (0, 0.0))
        expected[row["region"]] = (n + 1, total + row["amount"])
    assert got == [(r, n, t) for r, (n, t) in sorted(expected.items())]


def test_pyformat_parameters_are_formatted_by_the_client(sales):
    cursor = connect(sales.endpoint_url).cursor()
    cursor.execute("SELECT id, customer FROM sales WHERE region = %(region)s AND amount > %(min)s ORDER BY id",
                   {"region": "eu", "min": 2.0})
    assert cursor.fetchall() == [(r["id"], r["customer"]) for r in sales_rows("eu") if r["amount"] > 2.0]


def test_qmark_parameters_go_to_athena_as_execution_parameters(sales):
    cursor = connect(sales.endpoint_url).cursor()
    # With qmark, pyathena sends the values as ExecutionParameters; Athena pastes them in as SQL literals.
    cursor.execute("SELECT id FROM sales WHERE region = ? AND id > ? ORDER BY id", ["'us'", "1"], paramstyle="qmark")
    assert cursor.fetchall() == [(r["id"],) for r in sales_rows("us") if r["id"] > 1]


def test_ddl_through_the_cursor(lakebox_server):
    put_sales(make_client("s3", lakebox_server.endpoint_url))
    cursor = connect(lakebox_server.endpoint_url).cursor()
    cursor.execute(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
    cursor.execute(SALES_DDL)
    assert cursor.fetchall() == []
    cursor.execute("MSCK REPAIR TABLE sales")
    cursor.execute("SHOW TABLES")
    assert cursor.fetchall() == [("sales",)]
    cursor.execute("SHOW PARTITIONS sales")
    assert sorted(cursor.fetchall()) == [("region=ap",), ("region=eu",), ("region=us",)]
    assert cursor.output_location.endswith(f"{cursor.query_id}.txt")
    cursor.execute("SELECT count(*) AS n FROM sales")
    assert cursor.fetchall() == [(SALES.num_rows,)]
    cursor.execute("DROP TABLE sales")
    cursor.execute("SHOW TABLES")
    assert cursor.fetchall() == []


def test_ctas_and_insert_report_their_row_counts(sales):
    cursor = connect(sales.endpoint_url).cursor()
    cursor.execute(f"CREATE TABLE big WITH (external_location = 's3://{LAKE}/big/', format = 'PARQUET') AS "
                   "SELECT id, amount FROM sales WHERE amount > 3")
    big = [r for r in sales_rows() if r["amount"] > 3]
    assert cursor.rowcount == len(big)
    # As Athena answers a CTAS (and pyathena's own suite checks): one bigint column `rows`, no row.
    assert cursor.description == [("rows", "bigint", None, None, 19, 0, "UNKNOWN")]
    assert cursor.fetchone() is None
    cursor.execute("INSERT INTO big SELECT id, amount FROM sales WHERE amount <= 3")
    assert cursor.rowcount == SALES.num_rows - len(big)
    assert cursor.description is None
    cursor.execute("SELECT id, amount FROM big ORDER BY id")
    assert cursor.fetchall() == [(r["id"], r["amount"]) for r in sales_rows()]


def test_partition_filter_scans_fewer_bytes(sales):
    cursor = connect(sales.endpoint_url).cursor()
    cursor.execute("SELECT sum(amount) AS total FROM sales")
    full = cursor.data_scanned_in_bytes
    cursor.execute("SELECT sum(amount) AS total FROM sales WHERE region = 'ap'")
    assert cursor.fetchall() == [(sum(r["amount"] for r in sales_rows("ap")),)]
    assert 0 < cursor.data_scanned_in_bytes < full


def test_failed_query_raises_with_athenas_reason(sales):
    cursor = connect(sales.endpoint_url).cursor()
    with pytest.raises(DatabaseError) as raised:
        cursor.execute("SELECT * FROM no_such_table")
    assert isinstance(raised.value, OperationalError)
    assert "TABLE_NOT_FOUND" in str(raised.value)


def test_endpoint_from_the_environment_alone(sales):
    # No endpoint_url: boto3 takes AWS_ENDPOINT_URL, as for any other AWS client.
    cursor = pyathena.connect(s3_staging_dir=OUTPUT, region_name="us-east-1", poll_interval=0.05).cursor()
    cursor.execute(f"SELECT count(*) FROM {DATABASE}.sales")
    assert cursor.fetchall() == [(SALES.num_rows,)]
    assert cursor.description[0][0] == "_col0"


def test_pandas_cursor_reads_the_csv_result_file(sales):
    cursor = connect(sales.endpoint_url).cursor(PandasCursor)
    frame = cursor.execute("SELECT id, customer, amount, day, region FROM sales ORDER BY id").as_pandas()
    expected = sales_rows()
    assert frame["id"].tolist() == [r["id"] for r in expected]
    assert frame["amount"].tolist() == [r["amount"] for r in expected]
    assert frame["region"].tolist() == [r["region"] for r in expected]
    # The CSV writes NULL as an empty unquoted field; pandas reads it back as missing.
    assert [None if pd.isna(v) else v for v in frame["customer"]] == [r["customer"] for r in expected]
    assert [pd.Timestamp(v).date() for v in frame["day"]] == [r["day"] for r in expected]


def test_pandas_cursor_with_unload_reads_parquet(sales):
    cursor = connect(sales.endpoint_url).cursor(PandasCursor, unload=True)
    frame = cursor.execute("SELECT id, amount, region FROM sales WHERE region <> 'us'").as_pandas()
    got = sorted(zip(frame["id"].tolist(), frame["amount"].tolist(), frame["region"].tolist()))
    assert got == [(r["id"], r["amount"], r["region"]) for r in sales_rows() if r["region"] != "us"]


def test_arrow_cursor_reads_the_csv_result_file(sales, monkeypatch):
    # pyathena builds ArrowCursor's pyarrow S3FileSystem from the region and keys only, and pyarrow
    # ignores AWS_ENDPOINT_URL: give that filesystem the test server's address.
    from pyarrow import fs

    host = sales.endpoint_url.split("://", 1)[1]
    monkeypatch.setattr(AthenaArrowResultSetMetadataReader, "_create_s3_file_system",
                        lambda self: fs.S3FileSystem(region="us-east-1", access_key="test", secret_key="test",
                                                     scheme="http", endpoint_override=host))
    cursor = connect(sales.endpoint_url).cursor(ArrowCursor)
    table = cursor.execute("SELECT id, customer, amount, price, region FROM sales ORDER BY id").as_arrow()
    assert table.column_names == ["id", "customer", "amount", "price", "region"]
    expected = sales_rows()
    assert table.column("id").to_pylist() == [r["id"] for r in expected]
    # ArrowCursor reads NULL strings as "" (pyathena's documented CSV behaviour, on AWS too).
    assert table.column("customer").to_pylist() == [r["customer"] or "" for r in expected]
    assert table.column("price").to_pylist() == [str(r["price"]) for r in expected]  # pyathena keeps decimals as text
    assert table.column("amount").to_pylist() == [r["amount"] for r in expected]
    assert table.column("region").to_pylist() == [r["region"] for r in expected]


def test_async_cursor_returns_a_future_of_the_result_set(sales):
    cursor = connect(sales.endpoint_url).cursor(AsyncCursor)
    query_id, future = cursor.execute("SELECT id FROM sales WHERE region = 'eu' ORDER BY id")
    result = future.result(timeout=60)
    assert result.query_id == query_id
    assert result.fetchall() == [(r["id"],) for r in sales_rows("eu")]


def test_result_reuse_answers_from_the_previous_execution(sales):
    cursor = connect(sales.endpoint_url, result_reuse_enable=True, result_reuse_minutes=5).cursor()
    cursor.execute("SELECT id, amount FROM sales ORDER BY id")
    first = cursor.query_id
    assert cursor.reused_previous_result is False
    cursor.execute("SELECT id, amount FROM sales ORDER BY id")
    assert cursor.query_id != first
    assert cursor.reused_previous_result is True
    assert cursor.fetchall() == [(r["id"], r["amount"]) for r in sales_rows()]


def test_executemany_runs_one_insert_per_parameter_set(sales):
    cursor = connect(sales.endpoint_url).cursor()
    cursor.execute(f"CREATE TABLE ids WITH (external_location = 's3://{LAKE}/ids/') AS SELECT 1 AS id")
    cursor.executemany("INSERT INTO ids VALUES (%(id)d)", [{"id": 5}, {"id": 6}])
    cursor.execute("SELECT id FROM ids ORDER BY id")
    assert cursor.fetchall() == [(1,), (5,), (6,)]
