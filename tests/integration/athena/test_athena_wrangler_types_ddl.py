"""Athena's types, DDL text and text readers as awswrangler's suite sees them on the real service:
current_timestamp is a `timestamp(3) with time zone`, a TIME literal prints with its own precision,
SHOW CREATE TABLE names the table as the statement did and leaves out default SerDe properties, Glue
returns table parameters in Java HashMap order, a view keeps its text to the last character, bzip2 text
files are read, and a filter on every bucket column of a Hive-bucketed table reads only that bucket."""

from __future__ import annotations

import base64
import bz2
import functools
import json

import pytest
from athena_helpers import make_client, result_rows, run_query

run = functools.partial(run_query, database="typ")


@pytest.fixture
def glue(lakebox_server):
    return make_client("glue", lakebox_server.endpoint_url)


@pytest.fixture
def typ(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE typ", results)
    return results


def _csv_table(glue, name, location, columns, buckets=None, count=-1):
    glue.create_table(DatabaseName="typ", TableInput={
        "Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "csv"},
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in columns], "Location": location,
            "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "BucketColumns": buckets or [], "NumberOfBuckets": count,
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                          "Parameters": {"field.delim": ","}}}})


def test_current_timestamp_is_a_timestamp_with_time_zone(athena, typ):
    qid, _ = run(athena, "SELECT current_timestamp AS v, typeof(current_timestamp) AS t, typeof(now()) AS n", typ)
    columns = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert columns[0]["Type"] == "timestamp with time zone"
    value, kind, now_kind = result_rows(athena, qid)[1]
    assert kind == now_kind == "timestamp(3) with time zone"
    assert value.endswith(" UTC") and len(value) == len("2024-01-01 00:00:00.000 UTC")


def test_time_literal_prints_with_its_own_precision(athena, typ):
    qid, _ = run(athena, "SELECT time '13:24:11' AS a, time '13:24:11.5' AS b, CAST('13:24:11' AS time) AS c, "
                         "typeof(time '13:24:11') AS t", typ)
    assert result_rows(athena, qid)[1] == ["13:24:11", "13:24:11.5", "13:24:11.000", "time(0)"]


def test_show_create_table_names_the_table_as_written_without_default_serde_format(athena, glue, typ):
    glue.create_table(DatabaseName="typ", TableInput={
        "Name": "pq", "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {
            "Columns": [{"Name": "c0", "Type": "int"}], "Location": "s3://lake/pq/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "BucketColumns": ["c0"], "NumberOfBuckets": 4,
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                          "Parameters": {"serialization.format": "1"}}}})
    qid, _ = run(athena, "SHOW CREATE TABLE pq", typ)
    lines = [r[0] for r in result_rows(athena, qid)]
    assert lines[:8] == ["CREATE EXTERNAL TABLE `pq`(", "  `c0` int)", "CLUSTERED BY ( ", "  `c0`) ",
                         "INTO 4 BUCKETS", "ROW FORMAT SERDE ",
                         "  'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' ", "STORED AS INPUTFORMAT "]
    qid, _ = run(athena, "SHOW CREATE TABLE typ.pq", typ)
    assert result_rows(athena, qid)[0] == ["CREATE EXTERNAL TABLE `typ`.`pq`("]


def test_glue_returns_table_parameters_in_java_hash_map_order(glue, typ):
    glue.create_table(DatabaseName="typ", TableInput={
        "Name": "params", "StorageDescriptor": {"Columns": [{"Name": "c0", "Type": "int"}]},
        "Parameters": {"classification": "parquet", "compressionType": "none", "typeOfData": "file",
                       "projection.enabled": "false"}})
    table = glue.get_table(DatabaseName="typ", Name="params")["Table"]
    assert list(table["Parameters"]) == ["compressionType", "classification", "projection.enabled", "typeOfData"]


def test_view_keeps_its_text_to_the_end_of_the_statement(athena, glue, typ):
    run(athena, 'CREATE OR REPLACE VIEW "v" AS \nSELECT 1 AS col0\n\n', typ)
    text = glue.get_table(DatabaseName="typ", Name="v")["Table"]["ViewOriginalText"]
    payload = text[len("/* Presto View: "):-len(" */")]
    assert json.loads(base64.b64decode(payload))["originalSql"] == "SELECT 1 AS col0\n\n"
    qid, _ = run(athena, "SELECT col0 FROM v", typ)
    assert result_rows(athena, qid) == [["col0"], ["1"]]


def test_bzip2_text_files_are_read_and_scanned_compressed(athena, glue, s3, typ):
    body = bz2.compress("".join(f"{i},name{i}\n" for i in range(1000)).encode())
    s3.put_object(Bucket="lake", Key="bz/part-0.csv.bz2", Body=body)
    s3.put_object(Bucket="lake", Key="bz/part-1.csv", Body=b"1000,plain\n")
    _csv_table(glue, "bz", "s3://lake/bz/", [("id", "int"), ("name", "string")])
    qid, execution = run(athena, "SELECT count(*), sum(id), max(name) FROM bz", typ)
    assert result_rows(athena, qid)[1] == ["1001", str(sum(range(1001))), "plain"]
    assert execution["Statistics"]["DataScannedInBytes"] == len(body) + len(b"1000,plain\n")
    # A new version of the object is read, not the copy decompressed before.
    s3.put_object(Bucket="lake", Key="bz/part-0.csv.bz2", Body=bz2.compress(b"7,seven\n"))
    qid, _ = run(athena, "SELECT id, name FROM bz ORDER BY id", typ)
    assert result_rows(athena, qid)[1:] == [["7", "seven"], ["1000", "plain"]]


def test_corrupt_bzip2_file_fails_the_query(athena, glue, s3, typ):
    s3.put_object(Bucket="lake", Key="badbz/x.csv.bz2", Body=b"BZh9 not really bzip2")
    _csv_table(glue, "badbz", "s3://lake/badbz/", [("id", "int")])
    _, execution = run(athena, "SELECT * FROM badbz", typ, state="FAILED")
    assert execution["Status"]["StateChangeReason"].startswith("HIVE_CURSOR_ERROR")


def _hive_bucket(value: int, count: int) -> int:
    return (value & 0x7FFFFFFF) % count


def test_filter_on_the_bucket_column_reads_only_its_bucket(athena, glue, s3, typ):
    files = {}
    for bucket in range(4):
        rows = "".join(f"{i},{i % 7}\n" for i in range(200) if _hive_bucket(i, 4) == bucket)
        key = f"bk/0123abcd_bucket-{bucket:05d}.csv"
        s3.put_object(Bucket="lake", Key=key, Body=rows.encode())
        files[bucket] = len(rows)
    _csv_table(glue, "bk", "s3://lake/bk/", [("c0", "bigint"), ("c1", "int")], ["c0"], 4)
    qid, execution = run(athena, "SELECT c0, c1 FROM bk WHERE c0 = 10", typ)
    assert result_rows(athena, qid)[1:] == [["10", "3"]]
    assert execution["Statistics"]["DataScannedInBytes"] == files[2]
    qid, execution = run(athena, "SELECT count(*) FROM bk WHERE c0 IN (1, 5, 2)", typ)
    assert result_rows(athena, qid)[1] == ["3"]
    assert execution["Statistics"]["DataScannedInBytes"] == files[1] + files[2]
    # A filter that does not pin the bucket column reads every file.
    qid, execution = run(athena, "SELECT count(*) FROM bk WHERE c0 > 100", typ)
    assert result_rows(athena, qid)[1] == ["99"]
    assert execution["Statistics"]["DataScannedInBytes"] == sum(files.values())


def test_bucketed_ctas_writes_hive_buckets_that_pruning_finds(athena, s3, typ):
    run(athena, "CREATE TABLE cb WITH (format = 'TEXTFILE', external_location = 's3://lake/cb/', "
                "bucketed_by = ARRAY['k', 's'], bucket_count = 5) AS "
                "SELECT CAST(x AS bigint) AS k, chr(97 + CAST(x % 3 AS integer)) AS s, x AS v "
                "FROM UNNEST(sequence(1, 60)) AS t(x)", typ)
    objects = s3.list_objects_v2(Bucket="lake", Prefix="cb/")["Contents"]
    assert len(objects) > 1 and all("_bucket-0000" in o["Key"] for o in objects)
    sizes = sorted(o["Size"] for o in objects)
    for k in (1, 2, 30, 59):
        qid, execution = run(athena, f"SELECT v FROM cb WHERE k = {k} AND s = chr(97 + {k % 3})", typ)
        assert result_rows(athena, qid)[1:] == [[str(k)]]
        assert execution["Statistics"]["DataScannedInBytes"] in sizes  # one bucket's file
    qid, _ = run(athena, "SELECT count(*) FROM cb", typ)
    assert result_rows(athena, qid)[1] == ["60"]
