"""information_schema and "<table>$partitions", answered from the Glue catalog through SQL."""

from __future__ import annotations

import functools

import pytest
from athena_helpers import result_rows, run_query

from lakebox.engines.sql.metadata_tables import trino_type

run = functools.partial(run_query, database="meta")


@pytest.fixture
def meta(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    for key in ("ev/dt=2024-01-02/n=7/a.csv", "ev/dt=2024-01-01/n=10/a.csv", "ev/dt=2024-01-01/n=9/a.csv"):
        s3.put_object(Bucket="lake", Key=key, Body=b"1\n")
    run(athena, "CREATE DATABASE meta", results)
    run(athena, "CREATE EXTERNAL TABLE ev (id int COMMENT 'the id', tags array<string>, "
                "who struct<name:string,age:int>) PARTITIONED BY (dt string, n int) "
                "LOCATION 's3://lake/ev/'", results)
    run(athena, "MSCK REPAIR TABLE ev", results)
    run(athena, "CREATE VIEW recent AS SELECT id FROM ev", results)
    return results


def test_information_schema_lists_schemata_tables_columns_and_views(athena, meta):
    qid, _ = run(athena, "SELECT schema_name FROM information_schema.schemata ORDER BY 1", meta)
    assert result_rows(athena, qid)[1:] == [["information_schema"], ["meta"]]
    qid, _ = run(athena, "SELECT table_name, table_type FROM information_schema.tables "
                         "WHERE table_schema = 'meta' ORDER BY 1", meta)
    assert result_rows(athena, qid)[1:] == [["ev", "BASE TABLE"], ["recent", "VIEW"]]
    qid, _ = run(athena, "SELECT column_name, ordinal_position, data_type, comment, extra_info "
                         "FROM information_schema.columns WHERE table_name = 'ev' ORDER BY ordinal_position", meta)
    assert result_rows(athena, qid)[1:] == [
        ["id", "1", "integer", "the id", None], ["tags", "2", "array(varchar)", None, None],
        ["who", "3", "row(name varchar, age integer)", None, None],
        ["dt", "4", "varchar", None, "partition key"], ["n", "5", "integer", None, "partition key"]]
    qid, _ = run(athena, "SELECT table_name, view_definition FROM information_schema.views", meta)
    assert result_rows(athena, qid)[1:] == [["recent", "SELECT id FROM ev"]]


def test_partitions_table_lists_typed_partition_values(athena, meta):
    qid, _ = run(athena, 'SELECT * FROM "ev$partitions" ORDER BY dt, n', meta)
    assert result_rows(athena, qid) == [["dt", "n"], ["2024-01-01", "9"], ["2024-01-01", "10"], ["2024-01-02", "7"]]
    columns = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [c["Type"] for c in columns] == ["varchar", "integer"]
    qid, _ = run(athena, 'SELECT max(n) FROM meta."ev$partitions" WHERE dt = \'2024-01-01\'', meta)
    assert result_rows(athena, qid)[1] == ["10"]


def test_missing_metadata_tables_are_table_not_found(athena, meta):
    _, execution = run(athena, "SELECT * FROM information_schema.nope", meta, state="FAILED")
    assert execution["Status"]["StateChangeReason"] == (
        "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.information_schema.nope' does not exist")
    run(athena, "CREATE EXTERNAL TABLE flat (id int) LOCATION 's3://lake/flat/'", meta)
    _, execution = run(athena, 'SELECT * FROM "flat$partitions"', meta, state="FAILED")
    assert execution["Status"]["StateChangeReason"] == (
        "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.meta.flat$partitions' does not exist")


@pytest.mark.parametrize("hive,trino", [
    ("string", "varchar"), ("int", "integer"), ("float", "real"), ("binary", "varbinary"),
    ("decimal(10, 2)", "decimal(10,2)"), ("varchar(20)", "varchar(20)"), ("map<string,bigint>", "map(varchar, bigint)"),
    ("array<struct<a:int,b:array<string>>>", "array(row(a integer, b array(varchar)))"),
])
def test_hive_types_are_spelled_as_athena_shows_them(hive, trino):
    assert trino_type(hive) == trino
