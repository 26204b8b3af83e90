"""CTAS, INSERT and UNLOAD through boto3 on a real lakebox server: data files in the lake (read back
with SQL, with pyarrow from the folder and with S3), the table in Glue, the manifest and
DataManifestLocation, and HIVE_PATH_ALREADY_EXISTS."""

from __future__ import annotations

import functools

import pyarrow.parquet as pq
import pytest
from athena_helpers import make_client, result_rows, run_query

run = functools.partial(run_query, database="shop")


rows = result_rows


@pytest.fixture
def shop(athena, s3, results):
    s3.create_bucket(Bucket="lake")
    run(athena, "CREATE DATABASE shop", results)
    run(athena, "CREATE TABLE shop.src WITH (external_location = 's3://lake/src/') AS "
                "SELECT * FROM (VALUES (1, 'eu', 10.5), (2, 'us', 3.0), (3, 'eu', 1.5), (4, 'ap', 2.0)) "
                "AS t(id, region, amount)", results)
    return results


def manifest_lines(s3, location):
    bucket, _, key = location[len("s3://"):].partition("/")
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()


def test_ctas_partitioned_parquet_default_location_and_manifest(athena, s3, shop, lakebox_server):
    qid, execution = run(athena, "CREATE TABLE by_region WITH (format = 'PARQUET', write_compression = 'SNAPPY', "
                                 "partitioned_by = ARRAY['region']) AS SELECT id, amount, region FROM src", shop)
    assert execution["StatementType"] == "DDL"
    assert execution["SubstatementType"] == "CREATE_TABLE_AS_SELECT"
    assert athena.get_query_results(QueryExecutionId=qid)["UpdateCount"] == 4
    manifest = execution["Statistics"]["DataManifestLocation"]
    assert manifest == f"{shop}{qid}-manifest.csv"
    files = manifest_lines(s3, manifest)
    assert len(files) == 3
    assert all(f.startswith(f"{shop}tables/{qid}/region=") for f in files)
    listed = s3.list_objects_v2(Bucket="athena-results", Prefix=f"queries/tables/{qid}/")["Contents"]
    assert sorted(f"s3://athena-results/{o['Key']}" for o in listed) == sorted(files)
    folder = lakebox_server.data_dir / "s3" / "athena-results" / "queries" / "tables" / qid / "region=eu"
    table = pq.read_table(next(folder.iterdir()))
    assert sorted(table.column("id").to_pylist()) == [1, 3]
    glue = make_client("glue", lakebox_server.endpoint_url)
    described = glue.get_table(DatabaseName="shop", Name="by_region")["Table"]
    assert described["StorageDescriptor"]["Location"] == f"{shop}tables/{qid}"
    assert described["PartitionKeys"] == [{"Name": "region", "Type": "string"}]
    assert len(glue.get_partitions(DatabaseName="shop", TableName="by_region")["Partitions"]) == 3
    select, _ = run(athena, "SELECT region, sum(amount) AS total FROM by_region GROUP BY region ORDER BY region", shop)
    assert rows(athena, select) == [["region", "total"], ["ap", "2.0"], ["eu", "12.0"], ["us", "3.0"]]


def test_ctas_unpartitioned_reads_back_with_pyarrow(athena, shop, lakebox_server):
    run(athena, "CREATE TABLE copy WITH (external_location = 's3://lake/copy/') AS SELECT id, region FROM src", shop)
    folder = lakebox_server.data_dir / "s3" / "lake" / "copy"
    table = pq.read_table(next(folder.iterdir()))
    assert sorted(table.column("id").to_pylist()) == [1, 2, 3, 4]


def test_ctas_into_non_empty_location_fails(athena, shop):
    _, execution = run(athena, "CREATE TABLE again WITH (external_location = 's3://lake/src/') AS SELECT 1 AS x",
                         shop, state="FAILED")
    assert execution["Status"]["StateChangeReason"].startswith("HIVE_PATH_ALREADY_EXISTS: Target directory")
    assert execution["Status"]["AthenaError"]["ErrorCategory"] == 2


def test_insert_appends_and_writes_manifest(athena, s3, shop):
    qid, execution = run(athena, "INSERT INTO src VALUES (5, 'eu', 7.0), (6, 'us', 1.0)", shop)
    assert (execution["StatementType"], execution["SubstatementType"]) == ("DML", "INSERT")
    assert athena.get_query_results(QueryExecutionId=qid)["UpdateCount"] == 2
    [url] = manifest_lines(s3, execution["Statistics"]["DataManifestLocation"])
    assert url.startswith("s3://lake/src/")
    assert len(s3.list_objects_v2(Bucket="lake", Prefix="src/")["Contents"]) == 2
    count, _ = run(athena, "SELECT count(*), sum(amount) FROM src", shop)
    assert rows(athena, count)[1] == ["6", "25.0"]


def test_unload_writes_files_and_manifest(athena, s3, shop):
    _, execution = run(athena, "UNLOAD (SELECT id, region FROM src WHERE amount > 1.5) TO 's3://lake/out/' "
                                 "WITH (format = 'JSON', compression = 'NONE')", shop)
    assert (execution["StatementType"], execution["SubstatementType"]) == ("DML", "UNLOAD")
    [url] = manifest_lines(s3, execution["Statistics"]["DataManifestLocation"])
    body = s3.get_object(Bucket="lake", Key=url[len("s3://lake/"):])["Body"].read().decode()
    assert sorted(body.splitlines()) == ['{"id":1,"region":"eu"}', '{"id":2,"region":"us"}', '{"id":4,"region":"ap"}']
    _, again = run(athena, "UNLOAD (SELECT 1) TO 's3://lake/out/' WITH (format = 'JSON')", shop, state="FAILED")
    assert "HIVE_PATH_ALREADY_EXISTS" in again["Status"]["StateChangeReason"]


def test_ctas_and_insert_write_avro_files_that_read_back(athena, s3, shop, lakebox_server):
    import io

    import fastavro

    run(athena, "CREATE TABLE av WITH (format = 'AVRO', external_location = 's3://lake/av/') AS "
                "SELECT id, region, CAST(amount AS decimal(10,2)) AS amount, DATE '2024-01-15' AS d, "
                "ARRAY[id, id * 10] AS ids, MAP(ARRAY['k'], ARRAY[region]) AS tags FROM src", shop)
    glue = make_client("glue", lakebox_server.endpoint_url)
    sd = glue.get_table(DatabaseName="shop", Name="av")["Table"]["StorageDescriptor"]
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.avro.AvroSerDe"
    run(athena, "INSERT INTO av VALUES (9, 'sa', 4.25, DATE '2024-02-01', ARRAY[9], MAP(ARRAY['k'], ARRAY['x']))", shop)
    listed = s3.list_objects_v2(Bucket="lake", Prefix="av/")["Contents"]
    assert len(listed) == 2
    records = []
    for item in listed:
        body = s3.get_object(Bucket="lake", Key=item["Key"])["Body"].read()
        assert body[:4] == b"Obj\x01"  # an Avro container file
        records += list(fastavro.reader(io.BytesIO(body)))
    assert sorted(r["id"] for r in records) == [1, 2, 3, 4, 9]
    qid, _ = run(athena, "SELECT id, region, amount, d, ids, element_at(tags, 'k') FROM av ORDER BY id", shop)
    assert rows(athena, qid)[1:] == [
        ["1", "eu", "10.50", "2024-01-15", "[1, 10]", "eu"], ["2", "us", "3.00", "2024-01-15", "[2, 20]", "us"],
        ["3", "eu", "1.50", "2024-01-15", "[3, 30]", "eu"], ["4", "ap", "2.00", "2024-01-15", "[4, 40]", "ap"],
        ["9", "sa", "4.25", "2024-02-01", "[9]", "x"]]


def test_insert_into_a_regex_table_is_not_supported(athena, s3, shop):
    run(athena, "CREATE EXTERNAL TABLE logs (line string) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe' "
                "WITH SERDEPROPERTIES ('input.regex' = '(.*)') LOCATION 's3://lake/logs/'", shop)
    _, execution = run(athena, "INSERT INTO logs VALUES ('a')", shop, state="FAILED")
    assert execution["Status"]["StateChangeReason"].startswith("NOT_SUPPORTED:")
    assert "Contents" not in s3.list_objects_v2(Bucket="lake", Prefix="logs/")
