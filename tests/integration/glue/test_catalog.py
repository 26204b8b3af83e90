"""Databases and tables through boto3: round-trips, pagination, GetTables expressions, versions,
batch deletes, cascades, errors, and persistence across a restart."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from glue_helpers import ORDER_KEYS, error_of, make_glue, storage

from lakebox.testing import running_lakebox


def _all_pages(call, key, **kwargs):
    items, token = [], None
    while True:
        response = call(**kwargs, **({"NextToken": token} if token else {}))
        items += response[key]
        token = response.get("NextToken")
        if not token:
            return items


# -- databases -------------------------------------------------------------------------------------

def test_create_and_get_database_round_trips_and_lowercases_name(glue):
    glue.create_database(DatabaseInput={"Name": "Raw_Data", "Description": "bronze", "LocationUri": "s3://lake/raw",
                                        "Parameters": {"owner": "data-eng"}})
    db = glue.get_database(Name="RAW_DATA")["Database"]
    assert db["Name"] == "raw_data"
    assert db["Description"] == "bronze"
    assert db["LocationUri"] == "s3://lake/raw"
    assert db["Parameters"] == {"owner": "data-eng"}
    assert db["CatalogId"] == "000000000000"
    assert isinstance(db["CreateTime"], dt.datetime)


def test_create_database_twice_raises_already_exists(glue):
    glue.create_database(DatabaseInput={"Name": "dup"})
    with pytest.raises(ClientError) as exc:
        glue.create_database(DatabaseInput={"Name": "DUP"})
    assert error_of(exc) == (400, "AlreadyExistsException", "Database already exists.")


def test_get_missing_database_raises_entity_not_found(glue):
    with pytest.raises(ClientError) as exc:
        glue.get_database(Name="nope")
    assert error_of(exc) == (400, "EntityNotFoundException", "Database nope not found.")


def test_get_databases_pages_through_every_database(glue):
    names = [f"db_{i:02d}" for i in range(7)]
    for name in names:
        glue.create_database(DatabaseInput={"Name": name})
    first = glue.get_databases(MaxResults=3)
    assert len(first["DatabaseList"]) == 3 and first["NextToken"]
    assert [d["Name"] for d in _all_pages(glue.get_databases, "DatabaseList", MaxResults=3)] == names
    paginated = [d["Name"] for p in glue.get_paginator("get_databases").paginate(PaginationConfig={"PageSize": 2})
                 for d in p["DatabaseList"]]
    assert paginated == names


def test_update_database_replaces_definition_and_keeps_create_time(glue):
    glue.create_database(DatabaseInput={"Name": "upd", "Description": "old", "Parameters": {"a": "1"}})
    created = glue.get_database(Name="upd")["Database"]["CreateTime"]
    glue.update_database(Name="upd", DatabaseInput={"Name": "upd", "Description": "new"})
    db = glue.get_database(Name="upd")["Database"]
    assert db["Description"] == "new"
    assert "Parameters" not in db
    assert db["CreateTime"] == created


def test_delete_database_cascades_to_tables_and_partitions(glue, orders):
    glue.create_partition(DatabaseName="raw_data", TableName="orders", PartitionInput={"Values": ["2024", "01", "15"]})
    glue.delete_database(Name="raw_data")
    with pytest.raises(ClientError) as exc:
        glue.get_table(DatabaseName="raw_data", Name="orders")
    assert error_of(exc)[1] == "EntityNotFoundException"
    # A new database of the same name starts empty: nothing of the old tables or partitions is left.
    glue.create_database(DatabaseInput={"Name": "raw_data"})
    assert glue.get_tables(DatabaseName="raw_data")["TableList"] == []
    glue.create_table(DatabaseName="raw_data", TableInput={"Name": "orders", "PartitionKeys": ORDER_KEYS})
    assert glue.get_partitions(DatabaseName="raw_data", TableName="orders")["Partitions"] == []
    assert len(glue.get_table_versions(DatabaseName="raw_data", TableName="orders")["TableVersions"]) == 1


# -- tables ----------------------------------------------------------------------------------------

def test_guide_get_table_example_prints_columns(glue, orders):
    response = glue.get_table(DatabaseName='raw_data', Name='orders')
    assert response['Table']['StorageDescriptor']['Columns'][0] == {'Name': 'order_id', 'Type': 'bigint'}


def test_create_and_get_table_round_trips_storage_descriptor(glue, orders):
    table = glue.get_table(DatabaseName="RAW_DATA", Name="Orders")["Table"]
    assert table["Name"] == "orders"
    assert table["DatabaseName"] == "raw_data"
    assert table["CatalogId"] == "000000000000"
    assert table["StorageDescriptor"] == storage("s3://my-data-lake/bronze/orders/")
    assert table["PartitionKeys"] == ORDER_KEYS
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"] == {"classification": "json"}
    assert table["IsRegisteredWithLakeFormation"] is False
    assert table["VersionId"] == "0"
    assert isinstance(table["CreateTime"], dt.datetime) and table["UpdateTime"] == table["CreateTime"]


def test_create_table_in_missing_database_raises_entity_not_found(glue):
    with pytest.raises(ClientError) as exc:
        glue.create_table(DatabaseName="ghost", TableInput={"Name": "t"})
    assert error_of(exc) == (400, "EntityNotFoundException", "Database ghost not found.")


def test_create_table_twice_raises_already_exists(glue, orders):
    with pytest.raises(ClientError) as exc:
        glue.create_table(DatabaseName="raw_data", TableInput={"Name": "ORDERS"})
    assert error_of(exc) == (400, "AlreadyExistsException", "Table already exists.")


def test_get_missing_table_raises_entity_not_found(glue, orders):
    with pytest.raises(ClientError) as exc:
        glue.get_table(DatabaseName="raw_data", Name="nope")
    assert error_of(exc) == (400, "EntityNotFoundException", "Table nope not found.")


def test_view_keeps_original_and_expanded_text(glue, orders):
    glue.create_table(DatabaseName="raw_data", TableInput={
        "Name": "big_orders", "TableType": "VIRTUAL_VIEW", "ViewOriginalText": "/* Presto View: abc */",
        "ViewExpandedText": "/* Presto View */", "StorageDescriptor": {"Columns": [{"Name": "order_id", "Type": "bigint"}]}})
    view = glue.get_table(DatabaseName="raw_data", Name="big_orders")["Table"]
    assert view["TableType"] == "VIRTUAL_VIEW"
    assert view["ViewOriginalText"] == "/* Presto View: abc */"
    assert view["ViewExpandedText"] == "/* Presto View */"


def test_get_tables_pages_and_filters_by_expression(glue):
    glue.create_database(DatabaseInput={"Name": "many"})
    names = [f"sales_{i:02d}" for i in range(5)] + ["orders", "orders_2024", "customers"]
    for name in names:
        glue.create_table(DatabaseName="many", TableInput={"Name": name})
    assert [t["Name"] for t in _all_pages(glue.get_tables, "TableList", DatabaseName="many", MaxResults=3)] == sorted(names)

    def matching(expression):
        return [t["Name"] for t in _all_pages(glue.get_tables, "TableList", DatabaseName="many", Expression=expression,
                                              MaxResults=2)]

    assert matching("sales_.*") == [f"sales_{i:02d}" for i in range(5)]
    assert matching("sales_*") == [f"sales_{i:02d}" for i in range(5)]  # Hive-style wildcard
    assert matching("orders") == ["orders"]  # the whole name must match
    assert matching("orders|customers") == ["customers", "orders"]
    assert matching("ORDERS.*") == ["orders", "orders_2024"]
    assert matching("sales_0[13]") == ["sales_01", "sales_03"]


def test_get_tables_of_missing_database_raises_entity_not_found(glue):
    with pytest.raises(ClientError) as exc:
        glue.get_tables(DatabaseName="ghost")
    assert error_of(exc)[:2] == (400, "EntityNotFoundException")


def test_bad_table_expression_raises_invalid_input(glue, orders):
    with pytest.raises(ClientError) as exc:
        glue.get_tables(DatabaseName="raw_data", Expression="(unclosed")
    assert error_of(exc)[:2] == (400, "InvalidInputException")


def test_update_table_archives_versions_and_skip_archive_replaces_current(glue, orders):
    def update(description, **kwargs):
        glue.update_table(DatabaseName="raw_data", TableInput={
            "Name": "orders", "Description": description, "PartitionKeys": ORDER_KEYS,
            "StorageDescriptor": storage("s3://my-data-lake/bronze/orders/")}, **kwargs)

    update("v1")
    update("v2")
    table = glue.get_table(DatabaseName="raw_data", Name="orders")["Table"]
    assert table["VersionId"] == "2" and table["Description"] == "v2"
    assert table["UpdateTime"] >= table["CreateTime"]
    versions = glue.get_table_versions(DatabaseName="raw_data", TableName="orders")["TableVersions"]
    assert [(v["VersionId"], v["Table"].get("Description")) for v in versions] == [("0", None), ("1", "v1"), ("2", "v2")]

    update("v2-fixed", SkipArchive=True)
    versions = glue.get_table_versions(DatabaseName="raw_data", TableName="orders")["TableVersions"]
    assert [(v["VersionId"], v["Table"].get("Description")) for v in versions] == [("0", None), ("1", "v1"),
                                                                                  ("2", "v2-fixed")]
    one = glue.get_table_version(DatabaseName="raw_data", TableName="orders", VersionId="1")["TableVersion"]
    assert one["Table"]["Description"] == "v1"
    assert glue.get_table_version(DatabaseName="raw_data", TableName="orders")["TableVersion"]["VersionId"] == "2"


def test_update_table_with_stale_version_id_raises_concurrent_modification(glue, orders):
    glue.update_table(DatabaseName="raw_data", TableInput={"Name": "orders", "PartitionKeys": ORDER_KEYS})
    with pytest.raises(ClientError) as exc:
        glue.update_table(DatabaseName="raw_data", VersionId="0", TableInput={"Name": "orders"})
    assert error_of(exc)[:2] == (400, "ConcurrentModificationException")


def test_update_table_without_table_input_is_invalid_input_and_changes_nothing(glue, orders):
    """The current model leaves TableInput optional (for Iceberg updates); boto3 then sends none."""
    with pytest.raises(ClientError) as exc:
        glue.update_table(DatabaseName="raw_data", Name="orders")
    assert error_of(exc)[:2] == (400, "InvalidInputException")
    table = glue.get_table(DatabaseName="raw_data", Name="orders")["Table"]
    assert table["VersionId"] == "0" and table["StorageDescriptor"]["Location"] == "s3://my-data-lake/bronze/orders/"


def test_delete_table_versions_one_and_in_batch(glue, orders):
    for i in range(3):
        glue.update_table(DatabaseName="raw_data", TableInput={"Name": "orders", "Description": str(i)})
    glue.delete_table_version(DatabaseName="raw_data", TableName="orders", VersionId="0")
    errors = glue.batch_delete_table_version(DatabaseName="raw_data", TableName="orders",
                                             VersionIds=["1", "9", "3"])["Errors"]
    assert [(e["VersionId"], e["ErrorDetail"]["ErrorCode"]) for e in errors] == [
        ("9", "EntityNotFoundException"), ("3", "InvalidInputException")]
    versions = glue.get_table_versions(DatabaseName="raw_data", TableName="orders")["TableVersions"]
    assert [v["VersionId"] for v in versions] == ["2", "3"]
    with pytest.raises(ClientError) as exc:
        glue.get_table_version(DatabaseName="raw_data", TableName="orders", VersionId="0")
    assert error_of(exc)[:2] == (400, "EntityNotFoundException")


def test_table_versions_page(glue, orders):
    for i in range(5):
        glue.update_table(DatabaseName="raw_data", TableInput={"Name": "orders", "Description": str(i)})
    versions = _all_pages(glue.get_table_versions, "TableVersions", DatabaseName="raw_data", TableName="orders",
                          MaxResults=2)
    assert [v["VersionId"] for v in versions] == ["0", "1", "2", "3", "4", "5"]


def test_delete_table_removes_partitions(glue, orders):
    glue.create_partition(DatabaseName="raw_data", TableName="orders", PartitionInput={"Values": ["2024", "01", "15"]})
    glue.delete_table(DatabaseName="raw_data", Name="orders")
    with pytest.raises(ClientError) as exc:
        glue.delete_table(DatabaseName="raw_data", Name="orders")
    assert error_of(exc) == (400, "EntityNotFoundException", "Table orders not found.")
    glue.create_table(DatabaseName="raw_data", TableInput={"Name": "orders", "PartitionKeys": ORDER_KEYS})
    assert glue.get_partitions(DatabaseName="raw_data", TableName="orders")["Partitions"] == []


def test_batch_delete_table_reports_missing_and_deletes_the_rest(glue, orders):
    glue.create_table(DatabaseName="raw_data", TableInput={"Name": "other"})
    errors = glue.batch_delete_table(DatabaseName="raw_data", TablesToDelete=["orders", "ghost", "other"])["Errors"]
    assert errors == [{"TableName": "ghost", "ErrorDetail": {"ErrorCode": "EntityNotFoundException",
                                                              "ErrorMessage": "Table ghost not found."}}]
    assert glue.get_tables(DatabaseName="raw_data")["TableList"] == []


def test_catalog_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        glue.create_database(DatabaseInput={"Name": "raw_data"})
        glue.create_table(DatabaseName="raw_data", TableInput={
            "Name": "orders", "StorageDescriptor": storage("s3://lake/orders/"), "PartitionKeys": ORDER_KEYS})
        glue.update_table(DatabaseName="raw_data", TableInput={
            "Name": "orders", "Description": "v1", "StorageDescriptor": storage("s3://lake/orders/"),
            "PartitionKeys": ORDER_KEYS})
        glue.create_partition(DatabaseName="raw_data", TableName="orders", PartitionInput={
            "Values": ["2024", "01", "15"], "StorageDescriptor": storage("s3://lake/orders/year=2024/month=01/day=15/")})
        before = glue.get_table(DatabaseName="raw_data", Name="orders")["Table"]
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        assert glue.get_table(DatabaseName="raw_data", Name="orders")["Table"] == before
        assert [v["VersionId"] for v in glue.get_table_versions(DatabaseName="raw_data",
                                                                TableName="orders")["TableVersions"]] == ["0", "1"]
        partition = glue.get_partition(DatabaseName="raw_data", TableName="orders",
                                       PartitionValues=["2024", "01", "15"])["Partition"]
        assert partition["StorageDescriptor"]["Location"] == "s3://lake/orders/year=2024/month=01/day=15/"
