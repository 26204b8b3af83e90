"""Glue crawlers over Delta Lake and Iceberg tables (DeltaTargets, IcebergTargets): the tables written by
delta-rs and pyiceberg through lakebox's S3 are found by their metadata, registered with their
schema, and then read by Athena with the rows that were written, not the files of older versions."""

from __future__ import annotations

import datetime as dt
import time

import pyarrow as pa
import pytest
from crawler_helpers import columns, crawl

deltalake = pytest.importorskip("deltalake")
pyiceberg_catalog = pytest.importorskip("pyiceberg.catalog")


def athena_rows(lakebox_server, sql: str, database: str) -> list:
    import boto3

    athena = boto3.client("athena", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": database},
                                       ResultConfiguration={"OutputLocation": "s3://lake/athena/"})["QueryExecutionId"]
    deadline = time.monotonic() + 30
    while True:
        status = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if status["State"] not in ("QUEUED", "RUNNING"):
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert status["State"] == "SUCCEEDED", status
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"][1:]
    return [[d.get("VarCharValue") for d in row["Data"]] for row in rows]


@pytest.fixture
def delta_table(lakebox_server, s3):
    """s3://lake/delta/sales: three rows, then an overwrite to two (the old file stays in the folder)."""
    options = {"aws_endpoint_url": lakebox_server.endpoint_url, "aws_access_key_id": "test",
               "aws_secret_access_key": "test", "aws_region": "us-east-1", "aws_allow_http": "true",
               "conditional_put": "etag"}
    day = dt.date(2024, 5, 1)
    first = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "sku": ["a", "b", "c"], "day": [day] * 3})
    deltalake.write_deltalake("s3://lake/delta/sales", first, storage_options=options, partition_by=["day"])
    deltalake.write_deltalake("s3://lake/delta/sales", first.slice(0, 2), storage_options=options,
                              partition_by=["day"], mode="overwrite")
    return "s3://lake/delta/sales/"


@pytest.fixture
def iceberg_table(lakebox_server, s3, glue):
    """An Iceberg table under s3://lake/iceberg/events, written by pyiceberg (registered in `staging`)."""
    catalog = pyiceberg_catalog.load_catalog("lakebox", **lakebox_server.iceberg_catalog_properties())
    catalog.create_namespace("staging")
    schema = pa.schema([("id", pa.int64()), ("tags", pa.list_(pa.string()))])
    table = catalog.create_table("staging.events", schema=schema, location="s3://lake/iceberg/events")
    table.append(pa.table({"id": pa.array([1, 2], pa.int64()), "tags": [["x"], ["y", "z"]]}, schema=schema))
    table.append(pa.table({"id": pa.array([3], pa.int64()), "tags": [[]]}, schema=schema))
    return "s3://lake/iceberg/"


def test_a_delta_target_becomes_a_native_delta_table(lakebox_server, glue, delta_table):
    glue.create_crawler(Name="delta-crawler", Role="r", DatabaseName="lakehouse",
                        Targets={"DeltaTargets": [{"DeltaTables": [delta_table], "CreateNativeDeltaTable": True}]})
    crawler = crawl(glue, "delta-crawler")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"

    table = glue.get_table(DatabaseName="lakehouse", Name="sales")["Table"]
    assert table["Parameters"]["table_type"] == "delta"
    assert table["StorageDescriptor"]["Location"] == delta_table
    assert columns(table) == [("id", "bigint"), ("sku", "string"), ("day", "date")]
    assert athena_rows(lakebox_server, "SELECT id, sku FROM sales ORDER BY id", "lakehouse") == [["1", "a"], ["2", "b"]]


def test_an_iceberg_target_finds_the_tables_below_it(lakebox_server, glue, iceberg_table):
    glue.create_crawler(Name="iceberg-crawler", Role="r", DatabaseName="lakehouse",
                        Targets={"IcebergTargets": [{"Paths": [iceberg_table], "MaximumTraversalDepth": 2}]})
    crawler = crawl(glue, "iceberg-crawler")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"

    table = glue.get_table(DatabaseName="lakehouse", Name="events")["Table"]
    registered = glue.get_table(DatabaseName="staging", Name="events")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert table["Parameters"]["metadata_location"] == registered["Parameters"]["metadata_location"]
    assert columns(table) == [("id", "bigint"), ("tags", "array<string>")]
    assert athena_rows(lakebox_server, "SELECT id, cardinality(tags) FROM events ORDER BY id", "lakehouse") == [
        ["1", "1"], ["2", "2"], ["3", "0"]]


def test_a_folder_that_is_no_delta_table_is_logged_not_registered(lakebox_server, glue, s3):
    s3.put_object(Bucket="lake", Key="plain/data.csv", Body=b"a,b\n1,2\n")
    glue.create_crawler(Name="wrong-crawler", Role="r", DatabaseName="lakehouse",
                        Targets={"DeltaTargets": [{"DeltaTables": ["s3://lake/plain/"]}]})
    crawler = crawl(glue, "wrong-crawler")

    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_tables(DatabaseName="lakehouse")["TableList"] == []


def test_target_paths_outside_the_lake_are_skipped(lakebox_server, glue, delta_table):
    glue.create_crawler(Name="mixed-crawler", Role="r", DatabaseName="lakehouse", Targets={
        "DeltaTargets": [{"DeltaTables": ["hdfs://elsewhere/t", "s3://A_Bad_Bucket/t", delta_table]}]})
    crawler = crawl(glue, "mixed-crawler")

    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    assert [t["Name"] for t in glue.get_tables(DatabaseName="lakehouse")["TableList"]] == ["sales"]
