"""SearchTables, column statistics, user-defined functions, connections and tags through boto3."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from glue_helpers import ORDER_KEYS, error_of, make_glue, storage

DB = "raw_data"


def test_search_tables_matches_text_filters_sorts_and_pages(glue, orders):
    glue.create_database(DatabaseInput={"Name": "silver"})
    glue.create_table(DatabaseName="silver", TableInput={
        "Name": "orders_clean", "Description": "cleaned orders", "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": storage("s3://lake/silver/orders/", columns=(("customer_id", "bigint"),))})
    glue.create_table(DatabaseName="silver", TableInput={"Name": "customers", "Parameters": {"classification": "parquet"}})

    def names(**kwargs):
        return [(t["DatabaseName"], t["Name"]) for t in glue.search_tables(**kwargs)["TableList"]]

    assert names(SearchText="orders") == [("raw_data", "orders"), ("silver", "orders_clean")]
    assert names(SearchText="customer_id") == [("silver", "orders_clean")]  # a column name
    assert names(SearchText="parquet") == [("silver", "customers")]  # a parameter value
    assert names(SearchText='"orders"') == [("raw_data", "orders")]  # quoted: exact
    assert names(Filters=[{"Key": "DatabaseName", "Value": "silver"}]) == [("silver", "customers"),
                                                                         ("silver", "orders_clean")]
    assert names(Filters=[{"Key": "classification", "Value": "json", "Comparator": "EQUALS"}]) == [("raw_data", "orders")]
    assert names(SortCriteria=[{"FieldName": "Name", "Sort": "DESC"}]) == [
        ("silver", "orders_clean"), ("raw_data", "orders"), ("silver", "customers")]
    first = glue.search_tables(MaxResults=2)
    assert len(first["TableList"]) == 2
    second = glue.search_tables(MaxResults=2, NextToken=first["NextToken"])
    assert len(second["TableList"]) == 1 and "NextToken" not in second


def _stats(column, count):
    return {"ColumnName": column, "ColumnType": "bigint", "AnalyzedTime": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
            "StatisticsData": {"Type": "LONG", "LongColumnStatisticsData": {
                "MinimumValue": 1, "MaximumValue": count, "NumberOfNulls": 0, "NumberOfDistinctValues": count}}}


def test_column_statistics_for_table_round_trip(glue, orders):
    errors = glue.update_column_statistics_for_table(DatabaseName=DB, TableName="orders", ColumnStatisticsList=[
        _stats("order_id", 100), _stats("ghost", 1)])["Errors"]
    assert [(e["ColumnStatistics"]["ColumnName"], e["Error"]["ErrorCode"]) for e in errors] == [
        ("ghost", "EntityNotFoundException")]
    response = glue.get_column_statistics_for_table(DatabaseName=DB, TableName="orders",
                                                    ColumnNames=["order_id", "amount"])
    assert response["ColumnStatisticsList"] == [_stats("order_id", 100)]
    assert [e["ColumnName"] for e in response["Errors"]] == ["amount"]
    glue.delete_column_statistics_for_table(DatabaseName=DB, TableName="orders", ColumnName="order_id")
    with pytest.raises(ClientError) as exc:
        glue.delete_column_statistics_for_table(DatabaseName=DB, TableName="orders", ColumnName="order_id")
    assert error_of(exc)[:2] == (400, "EntityNotFoundException")


def test_column_statistics_for_partition_round_trip(glue, orders):
    values = ["2024", "01", "15"]
    glue.create_partition(DatabaseName=DB, TableName="orders", PartitionInput={"Values": values})
    assert glue.update_column_statistics_for_partition(DatabaseName=DB, TableName="orders", PartitionValues=values,
                                                       ColumnStatisticsList=[_stats("order_id", 7)])["Errors"] == []
    got = glue.get_column_statistics_for_partition(DatabaseName=DB, TableName="orders", PartitionValues=values,
                                                   ColumnNames=["order_id"])["ColumnStatisticsList"]
    assert got == [_stats("order_id", 7)]
    # The table's own statistics are separate from the partition's.
    assert glue.get_column_statistics_for_table(DatabaseName=DB, TableName="orders",
                                                ColumnNames=["order_id"])["ColumnStatisticsList"] == []
    with pytest.raises(ClientError) as exc:
        glue.get_column_statistics_for_partition(DatabaseName=DB, TableName="orders",
                                                 PartitionValues=["2030", "01", "01"], ColumnNames=["order_id"])
    assert error_of(exc) == (400, "EntityNotFoundException", "Cannot find partition.")
    glue.delete_column_statistics_for_partition(DatabaseName=DB, TableName="orders", PartitionValues=values,
                                                ColumnName="order_id")


def test_user_defined_functions_round_trip(glue, orders):
    function = {"FunctionName": "To_Cents", "ClassName": "com.example.ToCents", "OwnerName": "data-eng",
                "OwnerType": "USER", "ResourceUris": [{"ResourceType": "JAR", "Uri": "s3://lake/udf.jar"}]}
    glue.create_user_defined_function(DatabaseName=DB, FunctionInput=function)
    got = glue.get_user_defined_function(DatabaseName=DB, FunctionName="to_cents")["UserDefinedFunction"]
    assert got["FunctionName"] == "to_cents" and got["ClassName"] == "com.example.ToCents"
    assert got["ResourceUris"] == function["ResourceUris"] and got["DatabaseName"] == DB
    with pytest.raises(ClientError) as exc:
        glue.create_user_defined_function(DatabaseName=DB, FunctionInput=function)
    assert error_of(exc)[:2] == (400, "AlreadyExistsException")
    glue.create_user_defined_function(DatabaseName=DB, FunctionInput={**function, "FunctionName": "other"})
    listed = glue.get_user_defined_functions(DatabaseName=DB, Pattern="to_*")["UserDefinedFunctions"]
    assert [f["FunctionName"] for f in listed] == ["to_cents"]
    glue.update_user_defined_function(DatabaseName=DB, FunctionName="to_cents",
                                      FunctionInput={**function, "ClassName": "com.example.V2"})
    assert glue.get_user_defined_function(DatabaseName=DB, FunctionName="to_cents")[
        "UserDefinedFunction"]["ClassName"] == "com.example.V2"
    glue.delete_user_defined_function(DatabaseName=DB, FunctionName="to_cents")
    with pytest.raises(ClientError) as exc:
        glue.get_user_defined_function(DatabaseName=DB, FunctionName="to_cents")
    assert error_of(exc)[:2] == (400, "EntityNotFoundException")


def test_user_defined_function_without_a_name_is_invalid_input(glue, orders):
    with pytest.raises(ClientError) as exc:
        glue.create_user_defined_function(DatabaseName=DB, FunctionInput={"ClassName": "com.example.ToCents"})
    assert error_of(exc)[:2] == (400, "InvalidInputException")
    assert glue.get_user_defined_functions(DatabaseName=DB, Pattern="*")["UserDefinedFunctions"] == []


def test_connections_round_trip_and_batch_delete(glue):
    connection = {"Name": "warehouse", "ConnectionType": "JDBC", "MatchCriteria": ["pg"],
                  "ConnectionProperties": {"JDBC_CONNECTION_URL": "jdbc:postgresql://h:5432/db", "USERNAME": "u",
                                           "PASSWORD": "secret"}}
    assert glue.create_connection(ConnectionInput=connection)["CreateConnectionStatus"] == "READY"
    with pytest.raises(ClientError) as exc:
        glue.create_connection(ConnectionInput=connection)
    assert error_of(exc)[:2] == (400, "AlreadyExistsException")
    got = glue.get_connection(Name="warehouse")["Connection"]
    assert got["ConnectionProperties"]["PASSWORD"] == "secret" and isinstance(got["CreationTime"], dt.datetime)
    hidden = glue.get_connection(Name="warehouse", HidePassword=True)["Connection"]
    assert "PASSWORD" not in hidden["ConnectionProperties"]
    glue.create_connection(ConnectionInput={"Name": "net", "ConnectionType": "NETWORK", "ConnectionProperties": {}})
    assert [c["Name"] for c in glue.get_connections(Filter={"ConnectionType": "JDBC"})["ConnectionList"]] == ["warehouse"]
    assert [c["Name"] for c in glue.get_connections()["ConnectionList"]] == ["net", "warehouse"]
    glue.update_connection(Name="warehouse", ConnectionInput={**connection, "Description": "prod"})
    assert glue.get_connection(Name="warehouse")["Connection"]["Description"] == "prod"
    response = glue.batch_delete_connection(ConnectionNameList=["warehouse", "ghost"])
    assert response["Succeeded"] == ["warehouse"]
    assert response["Errors"]["ghost"]["ErrorCode"] == "EntityNotFoundException"
    glue.delete_connection(ConnectionName="net")
    assert glue.get_connections()["ConnectionList"] == []


def test_tags_on_databases_and_tables(glue):
    glue.create_database(DatabaseInput={"Name": "tagged"}, Tags={"team": "data"})
    db_arn = "arn:aws:glue:us-east-1:000000000000:database/tagged"
    assert glue.get_tags(ResourceArn=db_arn)["Tags"] == {"team": "data"}
    glue.create_table(DatabaseName="tagged", TableInput={"Name": "t", "PartitionKeys": ORDER_KEYS})
    table_arn = "arn:aws:glue:us-east-1:000000000000:table/tagged/t"
    glue.tag_resource(ResourceArn=table_arn, TagsToAdd={"a": "1", "b": "2"})
    glue.untag_resource(ResourceArn=table_arn, TagsToRemove=["a"])
    assert glue.get_tags(ResourceArn=table_arn)["Tags"] == {"b": "2"}
    with pytest.raises(ClientError) as exc:
        glue.get_tags(ResourceArn="arn:aws:glue:us-east-1:000000000000:table/tagged/ghost")
    assert error_of(exc)[:2] == (400, "EntityNotFoundException")
    with pytest.raises(ClientError) as exc:
        glue.get_tags(ResourceArn="not-an-arn")
    assert error_of(exc)[:2] == (400, "InvalidInputException")
    # Tags go with their resource: a table re-created under the same name starts untagged.
    glue.delete_database(Name="tagged")
    glue.create_database(DatabaseInput={"Name": "tagged"})
    glue.create_table(DatabaseName="tagged", TableInput={"Name": "t"})
    assert glue.get_tags(ResourceArn=db_arn)["Tags"] == {}
    assert glue.get_tags(ResourceArn=table_arn)["Tags"] == {}


def test_catalogs_are_separate_per_region(lakebox_server, glue):
    glue.create_database(DatabaseInput={"Name": "east_only"})
    west = make_glue(lakebox_server.endpoint_url, region="us-west-2")
    assert west.get_databases()["DatabaseList"] == []
