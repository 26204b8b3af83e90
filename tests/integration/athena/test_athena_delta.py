"""Athena over a Delta Lake table that delta-rs (the `deltalake` package) writes through lakebox's S3,
registered in Glue with `table_type=DELTA` as a Glue crawler's Delta target registers it: appends, a
delete, a checkpoint and a later append, with partition values that live only in the log."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from athena_helpers import make_client, result_rows, run_query

deltalake = pytest.importorskip("deltalake")


@pytest.fixture
def sales(lakebox_server, s3):
    """s3://delta-lake/sales as delta-rs leaves it, and its Glue table in database `lake`."""
    s3.create_bucket(Bucket="delta-lake")
    options = {"aws_endpoint_url": lakebox_server.endpoint_url, "aws_access_key_id": "test",
               "aws_secret_access_key": "test", "aws_region": "us-east-1", "aws_allow_http": "true",
               "conditional_put": "etag"}
    uri = "s3://delta-lake/sales"
    day1, day2 = dt.date(2024, 1, 1), dt.date(2024, 1, 2)
    rows = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "amount": [1.5, 2.5, 3.5], "day": [day1, day1, day2]})
    deltalake.write_deltalake(uri, rows, storage_options=options, partition_by=["day"])
    deltalake.write_deltalake(uri, rows, storage_options=options, partition_by=["day"], mode="append")
    table = deltalake.DeltaTable(uri, storage_options=options)
    table.delete("id = 2")
    table.create_checkpoint()
    deltalake.write_deltalake(uri, rows.slice(2, 1), storage_options=options, partition_by=["day"], mode="append")

    glue = make_client("glue", lakebox_server.endpoint_url)
    glue.create_database(DatabaseInput={"Name": "lake"})
    glue.create_table(DatabaseName="lake", TableInput={
        "Name": "sales", "TableType": "EXTERNAL_TABLE", "Parameters": {"table_type": "DELTA"},
        "StorageDescriptor": {"Location": "s3://delta-lake/sales/", "Columns": [{"Name": "col", "Type": "array<string>"}]}})
    return deltalake.DeltaTable(uri, storage_options=options).to_pyarrow_table()


def query(athena, results, sql):
    qid, _ = run_query(athena, sql, results, database="lake")
    return result_rows(athena, qid)[1:]


def test_athena_reads_the_live_rows_delta_rs_wrote(athena, results, sales):
    assert sales.num_rows == 5  # 3 + 3, less the two id=2 rows, plus one
    # the same figures as delta-rs's own reading of the table
    ids, amounts = sales.column("id").to_pylist(), sales.column("amount").to_pylist()
    assert (sum(ids), sum(amounts)) == (11, 13.5)
    assert query(athena, results, "SELECT count(*), sum(id), sum(amount) FROM sales") == [["5", "11", "13.5"]]
    assert query(athena, results, "SELECT day, count(*) FROM sales GROUP BY day ORDER BY day") == [
        ["2024-01-01", "2"], ["2024-01-02", "3"]]
    assert query(athena, results, "SELECT * FROM sales WHERE id = 1 LIMIT 1") == [["1", "1.5", "2024-01-01"]]


def test_each_row_names_its_live_file(athena, results, sales):
    paths = query(athena, results, 'SELECT DISTINCT "$path" FROM sales ORDER BY 1')
    assert len(paths) == len({p[0] for p in paths}) >= 2
    assert all(p[0].startswith("s3://delta-lake/sales/day=2024-01-0") for p in paths)


def test_athena_does_not_write_delta_tables(athena, results, sales):
    _, execution = run_query(athena, "INSERT INTO sales VALUES (9, 9.5, date '2024-01-03')", results, "FAILED",
                             database="lake")
    assert execution["Status"]["StateChangeReason"] == "NOT_SUPPORTED: Athena does not write Delta Lake tables"
    assert query(athena, results, "SELECT count(*) FROM sales") == [["5"]]


def test_a_table_made_with_athenas_delta_ddl_reads_its_schema_from_the_log(athena, results, sales):
    # the statement of Athena's documentation: no columns, the log has them
    query(athena, results, "CREATE EXTERNAL TABLE sales_ddl LOCATION 's3://delta-lake/sales/' "
                           "TBLPROPERTIES ('table_type' = 'DELTA')")

    assert query(athena, results, "SELECT count(*) FROM sales_ddl WHERE day = date '2024-01-02'") == [["3"]]
    qid, _ = run_query(athena, "SHOW COLUMNS IN sales_ddl", results, database="lake")
    # DDL results have no header row; Hive's layout pads each name to 20 characters.
    assert result_rows(athena, qid) == [["id".ljust(20)], ["amount".ljust(20)], ["day".ljust(20)]]
