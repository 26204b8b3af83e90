"""Firehose to Iceberg tables: appends, upserts and deletes as Iceberg commits that Athena reads."""

from __future__ import annotations

import base64
import json
import time

import pytest
from botocore.exceptions import ClientError
from firehose_helpers import ROLE, client, objects

CATALOG = {"CatalogARN": "arn:aws:glue:us-east-1:000000000000:catalog"}
S3_CONFIGURATION = {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::lake", "ErrorOutputPrefix": "ice-errors/"}
ROUTING = {"Enabled": True, "Processors": [{"Type": "MetadataExtraction", "Parameters": [
    {"ParameterName": "MetadataExtractionQuery",
     "ParameterValue": '{destinationDatabaseName: .db, destinationTableName: .table, operation: .op}'},
    {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]}


def _query(athena, sql: str) -> list[list]:
    run = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": "lakedb"},
                                       ResultConfiguration={"OutputLocation": "s3://lake/results/"})
    while True:
        status = athena.get_query_execution(QueryExecutionId=run["QueryExecutionId"])["QueryExecution"]["Status"]
        if status["State"] not in ("QUEUED", "RUNNING"):
            break
        time.sleep(0.05)
    assert status["State"] == "SUCCEEDED", status
    rows = athena.get_query_results(QueryExecutionId=run["QueryExecutionId"])["ResultSet"]["Rows"]
    return [[c.get("VarCharValue") for c in r["Data"]] for r in rows[1:]]


@pytest.fixture
def athena(lakebox_server, lake):
    athena = client(lakebox_server, "athena")
    client(lakebox_server, "glue").create_database(DatabaseInput={"Name": "lakedb"})
    for name in ("users", "orders"):
        _query(athena, f"CREATE TABLE {name} (id bigint, name string, ts timestamp) "
                       f"LOCATION 's3://lake/iceberg/{name}/' TBLPROPERTIES ('table_type'='ICEBERG')")
    return athena


def test_records_are_appended_to_the_one_table(firehose, s3, athena, lakebox_server):
    firehose.create_delivery_stream(DeliveryStreamName="ice", IcebergDestinationConfiguration={
        "RoleARN": ROLE, "CatalogConfiguration": CATALOG, "S3Configuration": S3_CONFIGURATION,
        "DestinationTableConfigurationList": [{"DestinationDatabaseName": "lakedb", "DestinationTableName": "users"}]})
    shown = firehose.describe_delivery_stream(DeliveryStreamName="ice")["DeliveryStreamDescription"]["Destinations"][0]
    iceberg = shown["IcebergDestinationDescription"]
    assert iceberg["S3DestinationDescription"]["BucketARN"] == "arn:aws:s3:::lake"
    assert (iceberg["S3BackupMode"], iceberg["BufferingHints"]) == ("FailedDataOnly", {"SizeInMBs": 5,
                                                                                        "IntervalInSeconds": 300})
    firehose.put_record_batch(DeliveryStreamName="ice", Records=[
        {"Data": json.dumps({"ID": i, "name": f"u{i}", "ts": 1705314600 + i})} for i in range(3)] +
        [{"Data": json.dumps({"id": "not a number"})}, {"Data": b"not json"}])
    assert _query(athena, "SELECT count(*) FROM users") == [["0"]]  # buffered until the interval
    lakebox_server.advance_clock("6m")
    assert _query(athena, "SELECT id, name, ts FROM users ORDER BY id") == [
        ["0", "u0", "2024-01-15 10:30:00.000"], ["1", "u1", "2024-01-15 10:30:01.000"],
        ["2", "u2", "2024-01-15 10:30:02.000"]]
    assert _query(athena, 'SELECT count(*) FROM "users$snapshots"') == [["1"]]  # one commit
    errors = [json.loads(line) for body in objects(s3, prefix="ice-errors/").values() for line in body.splitlines()]
    assert sorted(e["errorCode"] for e in errors) == ["Iceberg.InvalidRecord", "Iceberg.InvalidRecord"]


def test_routing_upserts_and_deletes_by_unique_keys(firehose, s3, athena, lakebox_server):
    firehose.create_delivery_stream(DeliveryStreamName="cdc", IcebergDestinationConfiguration={
        "RoleARN": ROLE, "CatalogConfiguration": CATALOG, "S3Configuration": S3_CONFIGURATION,
        "BufferingHints": {"IntervalInSeconds": 60}, "ProcessingConfiguration": ROUTING, "S3BackupMode": "AllData",
        "DestinationTableConfigurationList": [
            {"DestinationDatabaseName": "lakedb", "DestinationTableName": "users", "UniqueKeys": ["id"]},
            {"DestinationDatabaseName": "lakedb", "DestinationTableName": "orders", "UniqueKeys": ["id"],
             "S3ErrorOutputPrefix": "orders-errors/"}]})

    def put(*events):
        firehose.put_record_batch(DeliveryStreamName="cdc", Records=[{"Data": json.dumps(e)} for e in events])
        lakebox_server.advance_clock("2m")

    put(*[{"db": "lakedb", "table": "users", "op": "insert", "id": i, "name": f"u{i}"} for i in range(3)],
        {"db": "lakedb", "table": "orders", "op": "insert", "id": 7, "name": "o7"},
        {"db": "lakedb", "table": "nowhere", "op": "insert", "id": 1})
    put({"db": "lakedb", "table": "users", "op": "update", "id": 1, "name": "changed"},
        {"db": "lakedb", "table": "users", "op": "update", "id": 5, "name": "new"},
        {"db": "lakedb", "table": "users", "op": "delete", "id": 2},
        {"db": "lakedb", "table": "orders", "op": "insert", "id": "x"})
    assert _query(athena, "SELECT id, name FROM users ORDER BY id") == [["0", "u0"], ["1", "changed"], ["5", "new"]]
    assert _query(athena, "SELECT id, name FROM orders") == [["7", "o7"]]
    assert [k for k in objects(s3, prefix="orders-errors/")], "the orders table's error prefix is used"
    failed = [json.loads(line) for body in objects(s3, prefix="ice-errors/").values() for line in body.splitlines()]
    assert [(e["errorCode"], json.loads(base64.b64decode(e["rawData"]))["table"]) for e in failed] == [
        ("Iceberg.InvalidTableName", "nowhere")]
    backup = b"".join(body for key, body in objects(s3).items() if "/cdc-1-" in key and not key.startswith(
        ("ice-errors/", "orders-errors/", "iceberg/", "results/")))
    assert backup.count(b'"op"') == 9  # AllData: every record, as it arrived


@pytest.mark.parametrize("config, message", [
    ({"CatalogConfiguration": {"CatalogARN": "arn:aws:s3:::x"}}, "Glue Data Catalog ARN"),
    ({"DestinationTableConfigurationList": []}, "at least one table"),
    ({"ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": []}]}}, "Lambda"),
])
def test_bad_iceberg_configurations_are_refused(firehose, lake, config, message):
    full = {"RoleARN": ROLE, "CatalogConfiguration": CATALOG, "S3Configuration": S3_CONFIGURATION,
            "DestinationTableConfigurationList": [{"DestinationDatabaseName": "d", "DestinationTableName": "t"}],
            **config}
    with pytest.raises(ClientError) as info:
        firehose.create_delivery_stream(DeliveryStreamName="bad", IcebergDestinationConfiguration=full)
    assert info.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert message in info.value.response["Error"]["Message"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
