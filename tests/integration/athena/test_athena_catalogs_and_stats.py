"""Data catalogs, BatchGetPreparedStatement, GetQueryRuntimeStatistics and ListEngineVersions through
boto3 on a real lakebox server: catalogs round-trip, persist and are validated as AWS documents; a
GLUE catalog of the own account reads the real Glue tables while any other catalog fails the query;
runtime statistics are the figures of the run itself."""

from __future__ import annotations

import sqlite3

import boto3
import pytest
from athena_helpers import error_of, make_client, result_rows, run_query, wait_for
from botocore.exceptions import ClientError

from lakebox.services.athena.store import SCHEMA_VERSION
from lakebox.testing import running_lakebox

ACCOUNT = "000000000000"
ARN = f"arn:aws:athena:us-east-1:{ACCOUNT}:datacatalog/"
GLUE_OWN = {"catalog-id": ACCOUNT}
LAMBDA_FN = {"function": "arn:aws:lambda:us-east-1:000000000000:function:connector"}


def refused(call, **params) -> tuple[str, str, int, dict]:
    """Code, message, HTTP status and the whole error response of a call that must fail."""
    with pytest.raises(ClientError) as exc:
        call(**params)
    code, message = error_of(exc)
    return code, message, exc.value.response["ResponseMetadata"]["HTTPStatusCode"], exc.value.response


@pytest.fixture
def shop(athena, s3, results):
    """A Glue database `shop` with a real table `items` (three rows) in the lake."""
    s3.create_bucket(Bucket="lake")
    run_query(athena, "CREATE DATABASE shop", results, database="default")
    run_query(athena, "CREATE TABLE shop.items WITH (external_location = 's3://lake/items/') AS "
                      "SELECT * FROM (VALUES (1, 'apple'), (2, 'pear'), (3, 'plum')) AS t(id, name)",
              results, database="shop")
    return results


def start_in(athena, sql, output, catalog=None, database="shop") -> dict:
    context = {"Database": database, **({"Catalog": catalog} if catalog else {})}
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext=context,
                                       ResultConfiguration={"OutputLocation": output})["QueryExecutionId"]
    return wait_for(athena, qid)


# --- data catalogs: create, get, list, update, delete ----------------------------------------------

def test_created_catalog_round_trips_through_get_list_and_tags(athena):
    created = athena.create_data_catalog(Name="mirror", Type="GLUE", Description="same Glue catalog",
                                         Parameters=GLUE_OWN, Tags=[{"Key": "team", "Value": "data"}])
    expected = {"Name": "mirror", "Type": "GLUE", "Description": "same Glue catalog", "Parameters": GLUE_OWN,
                "Status": "CREATE_COMPLETE"}
    assert created["DataCatalog"] == expected
    assert athena.get_data_catalog(Name="mirror")["DataCatalog"] == expected
    athena.create_data_catalog(Name="hive_meta", Type="HIVE", Parameters={"metadata-function": "arn:fn:m"})
    athena.create_data_catalog(Name="conn", Type="LAMBDA", Parameters={"metadata-function": "arn:fn:m",
                                                                       "record-function": "arn:fn:r"})
    assert athena.list_data_catalogs()["DataCatalogsSummary"] == [
        {"CatalogName": "AwsDataCatalog", "Type": "GLUE"},
        {"CatalogName": "conn", "Type": "LAMBDA", "Status": "CREATE_COMPLETE"},
        {"CatalogName": "hive_meta", "Type": "HIVE", "Status": "CREATE_COMPLETE"},
        {"CatalogName": "mirror", "Type": "GLUE", "Status": "CREATE_COMPLETE"}]
    assert athena.list_tags_for_resource(ResourceARN=ARN + "mirror")["Tags"] == [{"Key": "team", "Value": "data"}]
    assert athena.get_data_catalog(Name="AwsDataCatalog")["DataCatalog"]["Parameters"] == GLUE_OWN


def test_list_data_catalogs_pages_with_max_results(athena):
    for name in ("c1", "c2", "c3"):
        athena.create_data_catalog(Name=name, Type="LAMBDA", Parameters=LAMBDA_FN)
    first = athena.list_data_catalogs(MaxResults=2)
    second = athena.list_data_catalogs(MaxResults=2, NextToken=first["NextToken"])
    assert [c["CatalogName"] for c in first["DataCatalogsSummary"]] == ["AwsDataCatalog", "c1"]
    assert [c["CatalogName"] for c in second["DataCatalogsSummary"]] == ["c2", "c3"]
    assert "NextToken" not in second


@pytest.mark.parametrize("params, fragment", [
    ({"Name": "x", "Type": "ICEBERG"}, "enum value set: [LAMBDA, GLUE, HIVE, FEDERATED]"),
    ({"Name": "x", "Type": "GLUE"}, "catalog-id"),
    ({"Name": "x", "Type": "GLUE", "Parameters": {"catalog-id": ""}}, "catalog-id"),
    ({"Name": "x", "Type": "LAMBDA"}, "function"),
    ({"Name": "x", "Type": "LAMBDA", "Parameters": {"metadata-function": "arn:fn:m"}}, "record-function"),
    ({"Name": "x", "Type": "LAMBDA", "Parameters": {**LAMBDA_FN, "record-function": "arn:fn:r"}}, "not both"),
    ({"Name": "x", "Type": "HIVE", "Parameters": {"sdk-version": "1"}}, "metadata-function"),
    ({"Name": "x", "Type": "FEDERATED", "Parameters": {"connection-type": "MYSQL"}}, "connection"),
    ({"Name": "AwsDataCatalog", "Type": "GLUE", "Parameters": GLUE_OWN}, "AwsDataCatalog"),
    ({"Name": "awsdatacatalog", "Type": "GLUE", "Parameters": GLUE_OWN}, "AwsDataCatalog"),
    ({"Name": "has space", "Type": "GLUE", "Parameters": GLUE_OWN}, "127 alphanumeric"),
    ({"Name": "x" * 128, "Type": "GLUE", "Parameters": GLUE_OWN}, "127 alphanumeric"),
])
def test_create_data_catalog_bad_input_is_invalid_request_and_creates_nothing(athena, params, fragment):
    code, message, status, _ = refused(athena.create_data_catalog, **params)
    assert (code, status) == ("InvalidRequestException", 400)
    assert fragment in message
    assert [c["CatalogName"] for c in athena.list_data_catalogs()["DataCatalogsSummary"]] == ["AwsDataCatalog"]


def test_duplicate_catalog_name_in_any_case_is_invalid_request(athena):
    athena.create_data_catalog(Name="mirror", Type="GLUE", Parameters=GLUE_OWN)
    for name in ("mirror", "MIRROR"):
        code, message, status, response = refused(athena.create_data_catalog, Name=name, Type="LAMBDA",
                                                  Parameters=LAMBDA_FN)
        assert (code, status) == ("InvalidRequestException", 400)
        assert message == f"DataCatalog {name} already exists"
        assert response.get("AthenaErrorCode") == "ALREADY_EXISTS"
    assert athena.get_data_catalog(Name="mirror")["DataCatalog"]["Type"] == "GLUE"


@pytest.mark.parametrize("operation, params", [
    ("get_data_catalog", {}),
    ("update_data_catalog", {"Type": "GLUE", "Parameters": GLUE_OWN}),
    ("delete_data_catalog", {}),
])
def test_unknown_catalog_is_invalid_request(athena, operation, params):
    code, message, status, response = refused(getattr(athena, operation), Name="nope", **params)
    assert (code, message, status) == ("InvalidRequestException", "DataCatalog nope was not found", 400)
    assert response.get("AthenaErrorCode") == "INVALID_INPUT"


@pytest.mark.parametrize("operation, params", [
    ("update_data_catalog", {"Type": "GLUE", "Parameters": GLUE_OWN, "Description": "mine"}),
    ("delete_data_catalog", {}),
])
def test_aws_data_catalog_cannot_be_updated_or_deleted(athena, operation, params):
    code, message, status, _ = refused(getattr(athena, operation), Name="AwsDataCatalog", **params)
    assert (code, status) == ("InvalidRequestException", 400) and "AwsDataCatalog" in message
    assert athena.get_data_catalog(Name="AwsDataCatalog")["DataCatalog"]["Description"] == "AWS Glue Data Catalog"


def test_update_replaces_type_parameters_and_description_and_bad_update_changes_nothing(athena):
    athena.create_data_catalog(Name="conn", Type="LAMBDA", Parameters=LAMBDA_FN, Description="old")
    code, _, status, _ = refused(athena.update_data_catalog, Name="conn", Type="HIVE", Description="broken")
    assert (code, status) == ("InvalidRequestException", 400)  # LAMBDA's parameters lack metadata-function
    assert athena.get_data_catalog(Name="conn")["DataCatalog"]["Description"] == "old"
    athena.update_data_catalog(Name="conn", Type="HIVE", Description="new",
                               Parameters={"metadata-function": "arn:fn:m", "sdk-version": "2"})
    assert athena.get_data_catalog(Name="conn")["DataCatalog"] == {
        "Name": "conn", "Type": "HIVE", "Description": "new", "Status": "CREATE_COMPLETE",
        "Parameters": {"metadata-function": "arn:fn:m", "sdk-version": "2"}}


def test_delete_answers_delete_complete_and_forgets_the_catalog_and_its_tags(athena):
    athena.create_data_catalog(Name="conn", Type="LAMBDA", Parameters=LAMBDA_FN, Tags=[{"Key": "k", "Value": "v"}])
    code, _, status, _ = refused(athena.delete_data_catalog, Name="conn", DeleteCatalogOnly=True)
    assert (code, status) == ("InvalidRequestException", 400)  # only for FEDERATED catalogs
    deleted = athena.delete_data_catalog(Name="conn")["DataCatalog"]
    assert deleted == {"Name": "conn", "Type": "LAMBDA", "Parameters": LAMBDA_FN, "Status": "DELETE_COMPLETE"}
    assert refused(athena.get_data_catalog, Name="conn")[0] == "InvalidRequestException"
    assert [c["CatalogName"] for c in athena.list_data_catalogs()["DataCatalogsSummary"]] == ["AwsDataCatalog"]
    code, _, status, _ = refused(athena.list_tags_for_resource, ResourceARN=ARN + "conn")
    assert (code, status) == ("ResourceNotFoundException", 400)
    athena.create_data_catalog(Name="conn", Type="GLUE", Parameters=GLUE_OWN)  # the name is free again
    assert athena.list_tags_for_resource(ResourceARN=ARN + "conn")["Tags"] == []


def test_federated_catalog_is_recorded_as_create_failed_with_the_reason(athena):
    created = athena.create_data_catalog(Name="fed", Type="FEDERATED", Parameters={
        "connection-type": "MYSQL", "connection-properties": '{"host": "db"}'})["DataCatalog"]
    assert created["Status"] == "CREATE_FAILED" and created["ConnectionType"] == "MYSQL"
    assert "Lambda" in created["Error"]
    summary = athena.list_data_catalogs()["DataCatalogsSummary"][1]
    assert summary == {"CatalogName": "fed", "Type": "FEDERATED", "Status": "CREATE_FAILED",
                       "ConnectionType": "MYSQL", "Error": created["Error"]}
    assert athena.delete_data_catalog(Name="fed", DeleteCatalogOnly=True)["DataCatalog"]["Status"] == "DELETE_COMPLETE"


def test_catalogs_belong_to_one_region(lakebox_server, athena):
    athena.create_data_catalog(Name="mirror", Type="GLUE", Parameters=GLUE_OWN)
    west = boto3.client("athena", endpoint_url=lakebox_server.endpoint_url, region_name="us-west-2",
                        aws_access_key_id="test", aws_secret_access_key="test")
    assert [c["CatalogName"] for c in west.list_data_catalogs()["DataCatalogsSummary"]] == ["AwsDataCatalog"]
    west.create_data_catalog(Name="mirror", Type="LAMBDA", Parameters=LAMBDA_FN)
    assert athena.get_data_catalog(Name="mirror")["DataCatalog"]["Type"] == "GLUE"


# --- persistence --------------------------------------------------------------------------------------

def test_catalogs_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        athena.create_data_catalog(Name="mirror", Type="GLUE", Parameters=GLUE_OWN, Description="d",
                                   Tags=[{"Key": "team", "Value": "data"}])
        athena.create_data_catalog(Name="gone", Type="LAMBDA", Parameters=LAMBDA_FN)
        athena.delete_data_catalog(Name="gone")
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        assert athena.get_data_catalog(Name="mirror")["DataCatalog"] == {
            "Name": "mirror", "Type": "GLUE", "Description": "d", "Parameters": GLUE_OWN,
            "Status": "CREATE_COMPLETE"}
        assert [c["CatalogName"] for c in athena.list_data_catalogs()["DataCatalogsSummary"]] == [
            "AwsDataCatalog", "mirror"]
        assert athena.list_tags_for_resource(ResourceARN=ARN + "mirror")["Tags"] == [{"Key": "team", "Value": "data"}]


def test_a_store_written_before_data_catalogs_is_upgraded_in_place(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        make_client("athena", server.endpoint_url).create_work_group(Name="kept", Description="from v1")
    # Make the file what a lakebox before data catalogs wrote: schema version 1, no data_catalogs table.
    path = data / ".lakebox" / "athena" / "athena.db"
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE data_catalogs")
        db.execute("PRAGMA user_version=1")
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        assert athena.get_work_group(WorkGroup="kept")["WorkGroup"]["Description"] == "from v1"
        athena.create_data_catalog(Name="mirror", Type="GLUE", Parameters=GLUE_OWN)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT name FROM data_catalogs").fetchall() == [("mirror",)]


# --- queries against catalogs -----------------------------------------------------------------------

def test_glue_catalog_of_the_own_account_reads_the_real_tables(athena, shop):
    athena.create_data_catalog(Name="mirror", Type="GLUE", Parameters=GLUE_OWN)
    by_context = start_in(athena, "SELECT id, name FROM items ORDER BY id", shop, catalog="mirror")
    assert by_context["Status"]["State"] == "SUCCEEDED", by_context["Status"]
    expected = [["id", "name"], ["1", "apple"], ["2", "pear"], ["3", "plum"]]
    assert result_rows(athena, by_context["QueryExecutionId"]) == expected
    by_name = start_in(athena, "SELECT id, name FROM MIRROR.shop.items ORDER BY id", shop)
    assert by_name["Status"]["State"] == "SUCCEEDED", by_name["Status"]
    assert result_rows(athena, by_name["QueryExecutionId"]) == expected
    assert by_name["Statistics"]["DataScannedInBytes"] > 0
    described = start_in(athena, "SHOW COLUMNS IN mirror.shop.items", shop, catalog="mirror")
    assert described["Status"]["State"] == "SUCCEEDED", described["Status"]
    names = [d["Name"] for d in athena.list_databases(CatalogName="mirror")["DatabaseList"]]
    assert "shop" in names


@pytest.mark.parametrize("catalog, kind, parameters, reason", [
    ("conn", "LAMBDA", LAMBDA_FN, "NOT_SUPPORTED: Catalog 'conn' is a LAMBDA data catalog"),
    ("other", "GLUE", {"catalog-id": "111122223333"},
     "NOT_SUPPORTED: Catalog 'other' is the Glue Data Catalog of account 111122223333"),
    ("missing", None, None, "CATALOG_NOT_FOUND: Catalog 'missing' does not exist"),
])
def test_a_query_of_any_other_catalog_fails_with_the_reason(athena, shop, catalog, kind, parameters, reason):
    if kind:
        athena.create_data_catalog(Name=catalog, Type=kind, Parameters=parameters)
    for execution in (start_in(athena, "SELECT id FROM items", shop, catalog=catalog),
                      start_in(athena, f"SELECT id FROM {catalog}.shop.items", shop),
                      start_in(athena, f"INSERT INTO {catalog}.shop.items VALUES (4, 'fig')", shop),
                      start_in(athena, f"DROP TABLE {catalog}.shop.items", shop)):
        status = execution["Status"]
        assert status["State"] == "FAILED", (execution["Query"], status)
        assert status["StateChangeReason"].startswith(reason), status
        assert status["AthenaError"]["ErrorCategory"] == 2
    # Nothing was read from, written to or dropped in the Glue catalog meanwhile.
    check = start_in(athena, "SELECT count(*) FROM items", shop)
    assert result_rows(athena, check["QueryExecutionId"]) == [["_col0"], ["3"]]


def test_metadata_views_of_a_lambda_catalog_are_a_metadata_exception(athena):
    athena.create_data_catalog(Name="conn", Type="LAMBDA", Parameters=LAMBDA_FN)
    code, message, status, _ = refused(athena.list_databases, CatalogName="conn")
    assert (code, status) == ("MetadataException", 400) and "LAMBDA" in message


# --- BatchGetPreparedStatement ---------------------------------------------------------------------

def test_batch_get_prepared_statement_splits_found_and_unprocessed(athena):
    athena.create_work_group(Name="wg")
    athena.create_prepared_statement(StatementName="by_id", WorkGroup="wg", QueryStatement="SELECT ?",
                                     Description="one")
    athena.create_prepared_statement(StatementName="two", WorkGroup="wg", QueryStatement="SELECT 2")
    athena.create_prepared_statement(StatementName="elsewhere", WorkGroup="primary", QueryStatement="SELECT 3")
    answer = athena.batch_get_prepared_statement(WorkGroup="wg",
                                                 PreparedStatementNames=["two", "missing", "by_id", "elsewhere",
                                                                         "bad name!"])
    found = answer["PreparedStatements"]
    assert [(s["StatementName"], s["QueryStatement"], s["WorkGroupName"]) for s in found] == [
        ("two", "SELECT 2", "wg"), ("by_id", "SELECT ?", "wg")]
    assert found[1]["Description"] == "one" and found[1]["LastModifiedTime"]
    assert found[1] == athena.get_prepared_statement(StatementName="by_id", WorkGroup="wg")["PreparedStatement"]
    assert answer["UnprocessedPreparedStatementNames"] == [
        {"StatementName": "missing", "ErrorCode": "STATEMENT_NOT_FOUND",
         "ErrorMessage": "Prepared statement missing was not found in workgroup wg."},
        {"StatementName": "elsewhere", "ErrorCode": "STATEMENT_NOT_FOUND",
         "ErrorMessage": "Prepared statement elsewhere was not found in workgroup wg."},
        {"StatementName": "bad name!", "ErrorCode": "INVALID_INPUT",
         "ErrorMessage": "Prepared statement name bad name! is not valid."}]


def test_batch_get_prepared_statement_unknown_workgroup_is_invalid_request(athena):
    code, message, status, _ = refused(athena.batch_get_prepared_statement, WorkGroup="nope",
                                       PreparedStatementNames=["a"])
    assert (code, message, status) == ("InvalidRequestException", "WorkGroup is not found.", 400)


# --- GetQueryRuntimeStatistics ----------------------------------------------------------------------

def test_runtime_statistics_are_the_figures_of_the_run(athena, s3, shop):
    execution = start_in(athena, "SELECT id, name FROM items WHERE id > 1", shop)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    qid = execution["QueryExecutionId"]
    returned = result_rows(athena, qid)[1:]
    stats = athena.get_query_runtime_statistics(QueryExecutionId=qid)["QueryRuntimeStatistics"]
    assert stats["Rows"]["OutputRows"] == len(returned) == 2
    assert stats["Rows"]["InputBytes"] == execution["Statistics"]["DataScannedInBytes"] > 0
    bucket, key = execution["ResultConfiguration"]["OutputLocation"][5:].split("/", 1)
    assert stats["Rows"]["OutputBytes"] == s3.head_object(Bucket=bucket, Key=key)["ContentLength"]
    assert "InputRows" not in stats["Rows"] and "OutputStage" not in stats  # not measured, so not reported
    timeline = stats["Timeline"]
    assert timeline == {key: execution["Statistics"][key] for key in timeline}
    assert set(timeline) == {"QueryQueueTimeInMillis", "ServicePreProcessingTimeInMillis",
                             "QueryPlanningTimeInMillis", "EngineExecutionTimeInMillis",
                             "ServiceProcessingTimeInMillis", "TotalExecutionTimeInMillis"}
    assert timeline["TotalExecutionTimeInMillis"] >= timeline["EngineExecutionTimeInMillis"] > 0


def test_runtime_statistics_of_an_empty_result_and_of_a_failed_query(athena, shop):
    empty = start_in(athena, "SELECT id FROM items WHERE id > 99", shop)
    assert result_rows(athena, empty["QueryExecutionId"]) == [["id"]]
    rows = athena.get_query_runtime_statistics(QueryExecutionId=empty["QueryExecutionId"])
    assert rows["QueryRuntimeStatistics"]["Rows"]["OutputRows"] == 0
    failed = start_in(athena, "SELECT nope FROM items", shop)
    assert failed["Status"]["State"] == "FAILED"
    stats = athena.get_query_runtime_statistics(QueryExecutionId=failed["QueryExecutionId"])["QueryRuntimeStatistics"]
    assert "Rows" not in stats and stats["Timeline"]["TotalExecutionTimeInMillis"] >= 0


def test_runtime_statistics_of_an_unknown_execution_is_invalid_request(athena):
    code, message, status, _ = refused(athena.get_query_runtime_statistics,
                                       QueryExecutionId="00000000-0000-0000-0000-000000000000")
    expected = refused(athena.get_query_execution, QueryExecutionId="00000000-0000-0000-0000-000000000000")
    assert (code, message, status) == expected[:3]
    assert code == "InvalidRequestException" and status == 400


# --- ListEngineVersions -----------------------------------------------------------------------------

def test_list_engine_versions_pages_and_matches_workgroups(athena):
    everything = athena.list_engine_versions()["EngineVersions"]
    assert everything == [
        {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
        {"SelectedEngineVersion": "Athena engine version 3", "EffectiveEngineVersion": "Athena engine version 3"}]
    first = athena.list_engine_versions(MaxResults=1)
    second = athena.list_engine_versions(MaxResults=1, NextToken=first["NextToken"])
    assert first["EngineVersions"] + second["EngineVersions"] == everything and "NextToken" not in second
    athena.create_work_group(Name="pinned", Configuration={
        "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"}})
    athena.create_work_group(Name="auto")
    for summary in athena.list_work_groups()["WorkGroups"]:
        assert summary["EngineVersion"] in everything
    assert athena.get_work_group(WorkGroup="pinned")["WorkGroup"]["Configuration"]["EngineVersion"] == everything[1]


def test_an_engine_version_not_offered_is_refused(athena):
    code, message, status, _ = refused(athena.create_work_group, Name="old", Configuration={
        "EngineVersion": {"SelectedEngineVersion": "Athena engine version 2"}})
    assert (code, status) == ("InvalidRequestException", 400) and "Athena engine version 2" in message
    assert "old" not in [w["Name"] for w in athena.list_work_groups()["WorkGroups"]]
    athena.create_work_group(Name="wg")
    code, _, status, _ = refused(athena.update_work_group, WorkGroup="wg", ConfigurationUpdates={
        "EngineVersion": {"SelectedEngineVersion": "Athena engine version 9"}})
    assert (code, status) == ("InvalidRequestException", 400)
    version = athena.get_work_group(WorkGroup="wg")["WorkGroup"]["Configuration"]["EngineVersion"]
    assert version == {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}
