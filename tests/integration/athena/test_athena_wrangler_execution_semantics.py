"""Athena execution semantics that awswrangler relies on, through boto3 on a real lakebox server:
ExecutionParameters (a bare word is a varchar), EXECUTE of a quoted statement name and `USING ?`,
random(n) refusing a bound that is not positive, the column checks of a CTAS (repeated name, type
unknown, a body that is no query), and the files a CTAS leaves in the output location."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from athena_helpers import result_rows, wait_for


@pytest.fixture
def cities(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    _run(athena, "CREATE DATABASE geo", results, database="default")
    _run(athena, "CREATE TABLE geo.cities WITH (external_location = 's3://lake/cities/') AS "
                 "SELECT * FROM (VALUES (1, 'Washington', DATE '2020-01-01'), (2, 'Seattle', DATE '2020-01-02'), "
                 "(3, 'New York', DATE '2020-01-03')) AS t(id, name, day)", results)
    return results


def _start(athena, sql: str, output: str, database: str = "geo", **extra) -> str:
    return athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": database},
                                        ResultConfiguration={"OutputLocation": output}, **extra)["QueryExecutionId"]


def _run(athena, sql: str, output: str, state: str = "SUCCEEDED", database: str = "geo", **extra) -> tuple[str, dict]:
    qid = _start(athena, sql, output, database, **extra)
    execution = wait_for(athena, qid)
    assert execution["Status"]["State"] == state, execution["Status"]
    return qid, execution


def _ids(athena, qid: str) -> list[str]:
    return [row[0] for row in result_rows(athena, qid)[1:]]


@pytest.mark.parametrize("column,value,expected", [
    ("name", "Washington", ["1"]),          # a bare word: the varchar it spells
    ("name", "'Seattle'", ["2"]),           # a quoted string literal
    ("name", "New York", ["3"]),            # words that are no expression: still the text
    ("id", "1", ["1"]),
    ("day", "DATE '2020-01-02'", ["2"]),
    ("day", "CAST('2020-01-03' AS DATE)", ["3"]),
])
def test_execution_parameter_binds_literal_or_bare_text(athena, cities, column, value, expected):
    qid, _ = _run(athena, f"SELECT id FROM cities WHERE {column} = ? ORDER BY id", cities,
                  ExecutionParameters=[value])
    assert _ids(athena, qid) == expected


def test_execution_parameters_bind_in_ctas_and_unload(athena, s3, cities):
    qid, _ = _run(athena, "CREATE TABLE picked WITH (format = 'PARQUET') AS SELECT id FROM cities WHERE name = ?",
                  cities, ExecutionParameters=["Washington"])
    assert athena.get_query_results(QueryExecutionId=qid)["UpdateCount"] == 1
    qid, _ = _run(athena, "UNLOAD (SELECT id FROM cities WHERE name = ?) TO 's3://lake/unloaded/' "
                          "WITH (format = 'PARQUET')", cities, ExecutionParameters=["Seattle"])
    assert s3.list_objects_v2(Bucket="lake", Prefix="unloaded/")["KeyCount"] == 1


def test_execute_quoted_statement_name_with_using_literal(athena, cities):
    athena.create_prepared_statement(StatementName="by_name", WorkGroup="primary",
                                     QueryStatement="SELECT id FROM cities WHERE name = ?")
    qid, _ = _run(athena, "EXECUTE \"by_name\" USING 'Seattle'", cities)
    assert _ids(athena, qid) == ["2"]


def test_execute_takes_execution_parameters_alone_or_for_using_placeholders(athena, cities):
    athena.create_prepared_statement(StatementName="by_two", WorkGroup="primary",
                                     QueryStatement="SELECT id FROM cities WHERE name = ? OR id = ? ORDER BY id")
    qid, _ = _run(athena, 'EXECUTE "by_two"', cities, ExecutionParameters=["Washington", "3"])
    assert _ids(athena, qid) == ["1", "3"]
    qid, _ = _run(athena, "EXECUTE by_two USING ?, 2", cities, ExecutionParameters=["Washington"])
    assert _ids(athena, qid) == ["1", "2"]
    _, failed = _run(athena, "EXECUTE by_two USING ?, ?", cities, "FAILED", ExecutionParameters=["Washington"])
    assert "Incorrect number of parameters: expected 2 but found 1" in failed["Status"]["StateChangeReason"]


def test_random_with_a_bound_that_is_not_positive_fails(athena, cities):
    _, failed = _run(athena, "SELECT random(-1)", cities, "FAILED")
    assert failed["Status"]["StateChangeReason"] == "INVALID_FUNCTION_ARGUMENT: bound must be positive"
    qid, _ = _run(athena, "SELECT random(5) AS r", cities)
    assert 0 <= int(result_rows(athena, qid)[1][0]) < 5


@pytest.mark.parametrize("sql,reason", [
    ("SELECT 1 AS foo, 2 AS foo", "DUPLICATE_COLUMN_NAME: line 1:1: Column name 'foo' specified more than once"),
    ("SELECT 1 AS foo, 2 AS FOO", "DUPLICATE_COLUMN_NAME: line 1:1: Column name 'foo' specified more than once"),
    ("SELECT NULL AS my_null", "COLUMN_TYPE_UNKNOWN: line 1:1: Column type is unknown: my_null"),
    ("SELECT 1", "MISSING_COLUMN_NAME: line 1:1: Column name not specified at position 1"),
])
def test_ctas_refuses_columns_as_trino_checks_them(athena, cities, sql, reason):
    _, failed = _run(athena, f"CREATE TABLE bad WITH (format = 'PARQUET') AS {sql}", cities, "FAILED")
    assert failed["Status"]["StateChangeReason"] == reason


def test_iceberg_ctas_refuses_a_repeated_column_name(athena, s3, cities):
    s3.create_bucket(Bucket="iceberg-wh")
    _, failed = _run(athena, "CREATE TABLE bad WITH (table_type = 'ICEBERG', is_external = false, "
                             "location = 's3://iceberg-wh/bad/') AS SELECT 1 AS foo, 2 AS foo", cities, "FAILED")
    assert failed["Status"]["StateChangeReason"] == ("DUPLICATE_COLUMN_NAME: line 1:1: Column name 'foo' specified "
                                                     "more than once")


def test_ctas_whose_body_is_no_query_is_refused_when_submitted(athena, cities):
    """awswrangler's ctas_approach wraps an ALTER TABLE this way; Athena's parser refuses it in the call."""
    with pytest.raises(ClientError) as info:
        athena.start_query_execution(
            QueryString="CREATE TABLE bad\nWITH (format = 'PARQUET')\nAS ALTER TABLE cities SET LOCATION "
                        "'s3://lake/elsewhere/'",
            QueryExecutionContext={"Database": "geo"}, ResultConfiguration={"OutputLocation": cities})
    assert info.value.response["Error"]["Code"] == "InvalidRequestException"
    assert info.value.response["Error"]["Message"] == ("line 3:4: mismatched input 'ALTER'. "
                                                       "Expecting: '(', 'SELECT', 'TABLE', 'VALUES', 'WITH'")


def test_ctas_leaves_only_its_metadata_and_manifest_in_the_output_location(athena, s3, cities):
    qid, execution = _run(athena, "CREATE TABLE copied WITH (format = 'PARQUET', "
                                  "external_location = 's3://lake/copied/') AS SELECT id, name FROM cities", cities)
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{cities}{qid}"
    assert execution["Statistics"]["DataManifestLocation"] == f"{cities}{qid}-manifest.csv"
    listed = s3.list_objects_v2(Bucket="athena-results", Prefix=f"queries/{qid}")["Contents"]
    assert sorted(o["Key"] for o in listed) == [f"queries/{qid}-manifest.csv", f"queries/{qid}.metadata"]
    answer = athena.get_query_results(QueryExecutionId=qid)
    assert answer["UpdateCount"] == 3
    assert answer["ResultSet"]["Rows"] == []
    assert [c["Name"] for c in answer["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]] == ["rows"]
