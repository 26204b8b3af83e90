"""Athena managed query results through boto3 on a real lakebox server: a workgroup with
ManagedQueryResultsConfiguration.Enabled needs no OutputLocation; its executions show none, and
GetQueryResults pages over results kept in Athena-owned storage (never in a bucket), across restarts.
Managed results and an S3 OutputLocation together are refused, for a workgroup and for a query."""

from __future__ import annotations

import pytest
from athena_helpers import error_of, make_client, result_rows, wait_for
from botocore.exceptions import ClientError

from lakebox.testing import running_lakebox

MANAGED = {"ManagedQueryResultsConfiguration": {"Enabled": True}, "EnforceWorkGroupConfiguration": True}
BOTH_REFUSED = "ManagedQueryResultsConfiguration and ResultConfiguration cannot be set together."


def run(athena, sql, workgroup="managed", **params):
    qid = athena.start_query_execution(QueryString=sql, WorkGroup=workgroup, **params)["QueryExecutionId"]
    execution = wait_for(athena, qid)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    return qid, execution


def test_managed_workgroup_query_has_no_output_location_and_pages_results(athena, s3):
    athena.create_work_group(Name="managed", Configuration=MANAGED)
    workgroup = athena.get_work_group(WorkGroup="managed")["WorkGroup"]
    assert workgroup["Configuration"]["ManagedQueryResultsConfiguration"] == {"Enabled": True}

    qid, execution = run(athena, "SELECT x, CAST(x * 2 AS varchar) AS y FROM UNNEST(sequence(1, 2500)) AS t(x)")
    assert "OutputLocation" not in execution["ResultConfiguration"]
    assert execution["ManagedQueryResultsConfiguration"] == {"Enabled": True}

    pages = athena.get_paginator("get_query_results").paginate(QueryExecutionId=qid)
    rows = [[d.get("VarCharValue") for d in r["Data"]] for page in pages for r in page["ResultSet"]["Rows"]]
    assert rows[0] == ["x", "y"]
    assert len(rows) == 2501
    assert rows[1:3] == [["1", "2"], ["2", "4"]] and rows[-1] == ["2500", "5000"]
    # Athena-owned storage is no bucket of the account.
    assert s3.list_buckets()["Buckets"] == []


def test_managed_empty_result_keeps_its_columns(athena):
    athena.create_work_group(Name="managed", Configuration=MANAGED)
    qid, _ = run(athena, "SELECT CAST(NULL AS BIGINT) AS c WHERE 1 = 0")
    result = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]
    assert [c["Name"] for c in result["ResultSetMetadata"]["ColumnInfo"]] == ["c"]
    assert [[d.get("VarCharValue") for d in r["Data"]] for r in result["Rows"]] == [["c"]]


def test_managed_results_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data) as server:
        athena = make_client("athena", server.endpoint_url)
        athena.create_work_group(Name="managed", Configuration=MANAGED)
        qid, _ = run(athena, "SELECT 'kept' AS v")
    with running_lakebox(data) as server:
        athena = make_client("athena", server.endpoint_url)
        assert result_rows(athena, qid) == [["v"], ["kept"]]


def test_create_work_group_with_managed_results_and_output_location_is_refused(athena, results):
    config = {"ManagedQueryResultsConfiguration": {"Enabled": True}, "ResultConfiguration": {"OutputLocation": results}}
    with pytest.raises(ClientError) as exc:
        athena.create_work_group(Name="both", Configuration=config)
    assert error_of(exc) == ("InvalidRequestException", BOTH_REFUSED)
    names = [w["Name"] for w in athena.list_work_groups()["WorkGroups"]]
    assert "both" not in names


def test_update_work_group_switches_between_managed_and_s3_results(athena, results):
    athena.create_work_group(Name="wg", Configuration={"ResultConfiguration": {"OutputLocation": results}})
    with pytest.raises(ClientError) as exc:
        athena.update_work_group(WorkGroup="wg", ConfigurationUpdates={
            "ManagedQueryResultsConfigurationUpdates": {"Enabled": True}})
    assert error_of(exc) == ("InvalidRequestException", BOTH_REFUSED)

    key = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    athena.update_work_group(WorkGroup="wg", ConfigurationUpdates={
        "ResultConfigurationUpdates": {"RemoveOutputLocation": True},
        "ManagedQueryResultsConfigurationUpdates": {"Enabled": True, "EncryptionConfiguration": {"KmsKey": key}}})
    config = athena.get_work_group(WorkGroup="wg")["WorkGroup"]["Configuration"]
    assert config["ManagedQueryResultsConfiguration"] == {"Enabled": True, "EncryptionConfiguration": {"KmsKey": key}}
    assert "OutputLocation" not in config["ResultConfiguration"]
    _, execution = run(athena, "SELECT 1 AS one", workgroup="wg")
    assert "OutputLocation" not in execution["ResultConfiguration"]

    athena.update_work_group(WorkGroup="wg", ConfigurationUpdates={
        "ManagedQueryResultsConfigurationUpdates": {"Enabled": False, "RemoveEncryptionConfiguration": True},
        "ResultConfigurationUpdates": {"OutputLocation": results}})
    config = athena.get_work_group(WorkGroup="wg")["WorkGroup"]["Configuration"]
    assert config["ManagedQueryResultsConfiguration"] == {"Enabled": False}
    qid, execution = run(athena, "SELECT 1 AS one", workgroup="wg")
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{results}{qid}.csv"


def test_query_output_location_in_unenforced_managed_workgroup_is_refused(athena, results):
    athena.create_work_group(Name="loose", Configuration={"ManagedQueryResultsConfiguration": {"Enabled": True},
                                                           "EnforceWorkGroupConfiguration": False})
    with pytest.raises(ClientError) as exc:
        athena.start_query_execution(QueryString="SELECT 1", WorkGroup="loose",
                                     ResultConfiguration={"OutputLocation": results})
    assert error_of(exc) == ("InvalidRequestException", BOTH_REFUSED)
    # Without a client-side location the query runs on managed storage.
    _, execution = run(athena, "SELECT 1", workgroup="loose")
    assert "OutputLocation" not in execution["ResultConfiguration"]


def test_enforced_managed_workgroup_overrides_a_client_output_location(athena, results):
    athena.create_work_group(Name="managed", Configuration=MANAGED)
    _, execution = run(athena, "SELECT 1", ResultConfiguration={"OutputLocation": results})
    assert "OutputLocation" not in execution["ResultConfiguration"]


def test_no_output_location_anywhere_is_refused_with_aws_wording(athena):
    with pytest.raises(ClientError) as exc:
        athena.start_query_execution(QueryString="SELECT 1")
    code, message = error_of(exc)
    assert code == "InvalidRequestException"
    assert message.startswith("No output location provided.") and "managed query results" in message

