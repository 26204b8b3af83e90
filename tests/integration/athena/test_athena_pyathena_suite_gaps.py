"""Behaviours of Athena that PyAthena's own integration suite relies on, through boto3 on a real lakebox
server: the exact type of a DECIMAL literal; binary columns (base64 in the file) and empty lines of Hive
text tables; columns named `db.table.column`; quoted qualified names in DDL; the comment, location and
missing-table error of GetTableMetadata; nullable columns in UNLOAD's Parquet files."""

from __future__ import annotations

import base64
import functools
import io

import pyarrow.parquet as pq
import pytest
from athena_helpers import error_of, run_query
from botocore.exceptions import ClientError

run = functools.partial(run_query, database="suite")


def results_of(athena, qid):
    answer = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in answer["Rows"]]
    return rows, answer["ResultSetMetadata"]["ColumnInfo"]


@pytest.fixture
def suite(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE suite", results)
    return results


def test_decimal_literal_keeps_every_digit_of_its_text(athena, suite):
    qid, _ = run(athena, "SELECT DECIMAL '0.00000000001', DECIMAL '-012.50' AS d, "
                         "CAST('12.5' AS DECIMAL(3,1)) AS c", suite)
    rows, columns = results_of(athena, qid)
    assert rows[1] == ["0.00000000001", "-12.50", "12.5"]
    assert [(c["Type"], c["Precision"], c["Scale"]) for c in columns] == [
        ("decimal", 11, 11), ("decimal", 4, 2), ("decimal", 3, 1)]


def test_decimal_literal_inside_a_string_is_left_alone(athena, suite):
    qid, _ = run(athena, "SELECT 'DECIMAL ''1.5''' AS s", suite)
    assert results_of(athena, qid)[0][1] == ["DECIMAL '1.5'"]


def test_text_table_binary_column_is_decoded_from_base64(athena, s3, suite):
    payload = b"\x00\xffbytes"
    lines = [f"1\t{base64.b64encode(b'123').decode()}", f"2\t{base64.b64encode(payload).decode()}",
             "3\tnot base64!", "4\t\\N"]
    s3.put_object(Bucket="lake", Key="blobs/part-0", Body="\n".join(lines).encode())
    run(athena, "CREATE EXTERNAL TABLE blobs (id int, b binary) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' "
                "LOCATION 's3://lake/blobs/'", suite)
    qid, _ = run(athena, "SELECT id, b FROM blobs ORDER BY id", suite)
    rows, columns = results_of(athena, qid)
    # Athena shows varbinary as space-separated hex bytes.
    hexed = [" ".join(f"{byte:02x}" for byte in value) for value in (b"123", payload, b"not base64!")]
    assert rows[1:] == [["1", hexed[0]], ["2", hexed[1]], ["3", hexed[2]], ["4", None]]
    assert columns[1]["Type"] == "varbinary"


def test_text_table_empty_lines_are_rows_of_nulls(athena, s3, suite):
    s3.put_object(Bucket="lake", Key="flags/part-0", Body=b"true\tfalse\nfalse\n\n")
    s3.put_object(Bucket="lake", Key="names/part-0", Body=b"\nann\t1\n\n\nbob\t2\n")
    run(athena, "CREATE EXTERNAL TABLE flags (a boolean, b boolean) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' "
                "LOCATION 's3://lake/flags/'", suite)
    run(athena, "CREATE EXTERNAL TABLE names (name string, n int) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' "
                "LOCATION 's3://lake/names/'", suite)
    qid, _ = run(athena, "SELECT a, b FROM flags ORDER BY a DESC NULLS LAST", suite)
    assert results_of(athena, qid)[0][1:] == [["true", "false"], ["false", None], [None, None]]
    # A string column reads an empty line's first field as an empty string, not NULL.
    qid, _ = run(athena, "SELECT name, n FROM names ORDER BY name, n", suite)
    assert results_of(athena, qid)[0][1:] == [["", None], ["", None], ["", None], ["ann", "1"], ["bob", "2"]]


def test_columns_qualified_with_database_and_table(athena, s3, suite):
    s3.put_object(Bucket="lake", Key="nums/part-0", Body=b"1\tone\n2\ttwo\n")
    run(athena, "CREATE EXTERNAL TABLE nums (n int, word string) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' "
                "LOCATION 's3://lake/nums/'", suite)
    qid, _ = run(athena, "SELECT length(suite.nums.word) AS l, suite.nums.n FROM suite.nums "
                         "WHERE suite.nums.n > 1", suite)
    assert results_of(athena, qid)[0] == [["l", "n"], ["3", "2"]]


def test_ddl_accepts_quoted_qualified_names(athena, s3, suite):
    s3.put_object(Bucket="lake", Key="parts/k=1/part-0", Body=b"a\n")
    run(athena, "CREATE EXTERNAL TABLE parts (v string) PARTITIONED BY (k int) LOCATION 's3://lake/parts/'", suite)
    run(athena, "\nALTER TABLE `suite`.`parts`\nADD IF NOT EXISTS PARTITION (k=1) LOCATION 's3://lake/parts/k=1/'\n",
        suite)
    qid, _ = run(athena, "SELECT v, k FROM parts", suite)
    assert results_of(athena, qid)[0][1:] == [["a", "1"]]
    run(athena, "CREATE VIEW v_parts AS SELECT v FROM parts", suite)
    qid, _ = run(athena, 'SHOW CREATE VIEW "suite"."v_parts"', suite)
    assert [r[0] for r in results_of(athena, qid)[0]] == ["CREATE VIEW suite.v_parts AS", "SELECT v", "FROM",
                                                           "  parts"]


def test_table_metadata_has_the_comment_and_a_location_without_trailing_slash(athena, suite):
    run(athena, "CREATE EXTERNAL TABLE commented (n int) COMMENT 'table\n\n comment' "
                "ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' LOCATION 's3://lake/commented/'", suite)
    table = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="suite",
                                      TableName="commented")["TableMetadata"]
    assert table["Parameters"]["comment"] == "table comment"
    assert table["Parameters"]["location"] == "s3://lake/commented"


def test_missing_table_metadata_error_carries_the_glue_error_code(athena, suite):
    with pytest.raises(ClientError) as exc:
        athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="suite", TableName="nope")
    code, message = error_of(exc)
    assert code == "MetadataException"
    assert "(Service: AmazonDataCatalog; Status Code: 400; Error Code: EntityNotFoundException;" in message


def test_unload_parquet_columns_are_optional_even_for_constants(athena, s3, suite):
    _, execution = run(athena, "UNLOAD (SELECT 1 AS foobar, 'x' AS s) TO 's3://lake/unloaded/' "
                               "WITH (format = 'PARQUET')", suite)
    manifest = execution["Statistics"]["DataManifestLocation"]
    bucket, key = manifest[len("s3://"):].split("/", 1)
    [url] = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().split()
    body = s3.get_object(Bucket="lake", Key=url[len("s3://lake/"):])["Body"].read()
    table = pq.read_table(io.BytesIO(body))
    assert [(f.name, f.nullable) for f in table.schema] == [("foobar", True), ("s", True)]
    assert table.to_pylist() == [{"foobar": 1, "s": "x"}]
