"""Behaviours of Athena that PyAthena's integration suite, run with the driver of its own version,
relies on, through boto3 on a real lakebox server: INT96 timestamps in the Parquet files UNLOAD and
CTAS write; CAST of a string to JSON giving a JSON string; the OutputFormat of an OpenX JSON table
created without STORED AS; SerDe parameters in GetTableMetadata with runs of spaces squashed."""

from __future__ import annotations

import datetime
import functools
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from athena_helpers import result_rows, run_query

run = functools.partial(run_query, database="gaps")


@pytest.fixture
def gaps(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE gaps", results)
    return results


def parquet_files(s3, prefix):
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix=prefix).get("Contents", [])]
    return [pq.ParquetFile(io.BytesIO(s3.get_object(Bucket="lake", Key=k)["Body"].read())) for k in keys]


def test_unload_parquet_writes_timestamps_as_int96(athena, s3, gaps):
    run(athena, "UNLOAD (SELECT TIMESTAMP '2024-03-01 12:34:56.789' AS ts, ARRAY[1, 2] AS nums, 7 AS n) "
                "TO 's3://lake/unloaded/' WITH (format = 'PARQUET')", gaps)
    [parquet] = parquet_files(s3, "unloaded/")
    assert parquet.schema.column(0).physical_type == "INT96"
    table = parquet.read()
    assert table.schema.field("ts").type == pa.timestamp("ns")
    assert table.schema.field("ts").nullable and table.schema.field("n").nullable
    assert table.to_pylist() == [{"ts": datetime.datetime(2024, 3, 1, 12, 34, 56, 789000), "nums": [1, 2], "n": 7}]


def test_unload_parquet_without_timestamps_keeps_int64_columns(athena, s3, gaps):
    run(athena, "UNLOAD (SELECT 1 AS n, 'x' AS s) TO 's3://lake/plain/' WITH (format = 'PARQUET')", gaps)
    [parquet] = parquet_files(s3, "plain/")
    assert parquet.read().to_pylist() == [{"n": 1, "s": "x"}]


def test_ctas_parquet_timestamps_read_back_as_written(athena, s3, gaps):
    run(athena, "CREATE TABLE stamped WITH (format = 'PARQUET', external_location = 's3://lake/stamped/') AS "
                "SELECT TIMESTAMP '2020-01-02 03:04:05.006' AS ts, 'a' AS tag", gaps)
    [parquet] = parquet_files(s3, "stamped/")
    assert parquet.schema.column(0).physical_type == "INT96"
    qid, _ = run(athena, "SELECT ts, tag FROM stamped", gaps)
    assert result_rows(athena, qid)[1] == ["2020-01-02 03:04:05.006", "a"]


def test_cast_of_a_string_to_json_is_a_json_string(athena, gaps):
    qid, _ = run(athena, """SELECT CAST('{"name": "x", "n": 1}' AS JSON) AS as_cast, """
                         """json_parse('{"n":1}') AS parsed, CAST(ARRAY[1, 2] AS JSON) AS arr""", gaps)
    assert result_rows(athena, qid)[1] == ['"{\\"name\\": \\"x\\", \\"n\\": 1}"', '{"n":1}', "[1,2]"]


def table_parameters(athena, name):
    table = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="gaps", TableName=name)
    return table["TableMetadata"]["Parameters"]


def test_openx_json_table_without_stored_as_gets_ignore_key_output_format(athena, gaps):
    run(athena, "CREATE EXTERNAL TABLE events (id int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                "LOCATION 's3://lake/events/'", gaps)
    run(athena, "CREATE EXTERNAL TABLE stored (id int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                "STORED AS TEXTFILE LOCATION 's3://lake/stored/'", gaps)
    run(athena, "CREATE EXTERNAL TABLE csvs (id int) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' "
                "LOCATION 's3://lake/csvs/'", gaps)
    assert table_parameters(athena, "events")["outputformat"] == \
        "org.apache.hadoop.hive.ql.io.IgnoreKeyTextOutputFormat"
    assert table_parameters(athena, "stored")["outputformat"] == \
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    assert table_parameters(athena, "csvs")["outputformat"] == \
        "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"


def test_table_metadata_squashes_runs_of_spaces_in_serde_parameters(athena, gaps):
    literal = '{\n  "type" : "record",\n    "name" : "r"\n}'
    run(athena, "CREATE EXTERNAL TABLE spaced (id int) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.avro.AvroSerDe' "
                f"WITH SERDEPROPERTIES ('avro.schema.literal' = '{literal}', 'plain' = 'a b') "
                "STORED AS AVRO LOCATION 's3://lake/spaced/'", gaps)
    params = table_parameters(athena, "spaced")
    assert params["serde.param.avro.schema.literal"] == '{\n "type" : "record",\n "name" : "r"\n}'
    assert params["serde.param.plain"] == "a b"
