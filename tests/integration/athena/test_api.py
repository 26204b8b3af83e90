"""Athena's API on a real lakebox server, through boto3: executions, result files, paging, errors,
workgroups, named queries, prepared statements, catalog views, tags and persistence."""

from __future__ import annotations

import json

import pytest
from athena_helpers import ScriptedEngine, error_of, make_client, use_engine, wait_for
from botocore.exceptions import ClientError

from lakebox.testing import running_lakebox


def start(athena, sql, output, **extra):
    return athena.start_query_execution(QueryString=sql, ResultConfiguration={"OutputLocation": output},
                                        **extra)["QueryExecutionId"]


# --- executions and results --------------------------------------------------------------------------

def test_select_1_round_trip_writes_csv_and_metadata(athena, results, lakebox_server):
    qid = start(athena, "SELECT 1 AS one, 'a' AS letter", results)
    execution = wait_for(athena, qid)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{results}{qid}.csv"
    assert execution["StatementType"] == "DML"
    assert execution["WorkGroup"] == "primary"
    assert set(execution["Statistics"]) >= {"EngineExecutionTimeInMillis", "TotalExecutionTimeInMillis",
                                            "QueryQueueTimeInMillis", "DataScannedInBytes"}
    assert execution["Status"]["CompletionDateTime"] >= execution["Status"]["SubmissionDateTime"]
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]
    assert [[d.get("VarCharValue") for d in r["Data"]] for r in rows["Rows"]] == [["one", "letter"], ["1", "a"]]
    assert [c["Name"] for c in rows["ResultSetMetadata"]["ColumnInfo"]] == ["one", "letter"]
    folder = lakebox_server.data_dir / "s3" / "athena-results" / "queries"
    assert (folder / f"{qid}.csv").read_bytes() == b'"one","letter"\n"1","a"\n'
    assert json.loads((folder / f"{qid}.csv.metadata").read_text())["RowCount"] == 1


def test_result_csv_quotes_every_value_and_leaves_null_empty(athena, results, lakebox_server, monkeypatch):
    use_engine(monkeypatch, ScriptedEngine(rows=[['say "hi"', None, "a,b\nc"]]))
    qid = start(athena, "SELECT x", results)
    status = wait_for(athena, qid)["Status"]
    assert status["State"] == "SUCCEEDED", status
    path = lakebox_server.data_dir / "s3" / "athena-results" / "queries" / f"{qid}.csv"
    assert path.read_bytes() == b'"c0","c1","c2"\n"say ""hi""",,"a,b\nc"\n'
    data = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"][1]["Data"]
    assert data == [{"VarCharValue": 'say "hi"'}, {}, {"VarCharValue": "a,b\nc"}]


def test_get_query_results_pages_with_header_only_first(athena, results, monkeypatch):
    use_engine(monkeypatch, ScriptedEngine())
    qid = start(athena, "ROWS 25", results)
    wait_for(athena, qid)
    pages, token = [], None
    while True:
        answer = athena.get_query_results(QueryExecutionId=qid, MaxResults=10, **({"NextToken": token} if token else {}))
        pages.append([r["Data"][0]["VarCharValue"] for r in answer["ResultSet"]["Rows"]])
        token = answer.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [10, 10, 6]
    assert pages[0][0] == "n" and sum(pages, [])[1:] == [str(i) for i in range(25)]


def test_get_query_results_max_results_over_1000_is_invalid_request(athena, results, monkeypatch):
    use_engine(monkeypatch, ScriptedEngine())
    qid = start(athena, "SELECT 1", results)
    wait_for(athena, qid)
    with pytest.raises(ClientError) as exc:
        athena.get_query_results(QueryExecutionId=qid, MaxResults=1001)
    assert error_of(exc)[0] == "InvalidRequestException"


def test_start_without_output_location_is_invalid_request(athena):
    with pytest.raises(ClientError) as exc:
        athena.start_query_execution(QueryString="SELECT 1")
    code, message = error_of(exc)
    assert code == "InvalidRequestException" and "output location" in message.lower()


def test_failed_query_has_athena_error(athena, results):
    qid = start(athena, "SELECT * FROM no_such_table_anywhere", results,
                QueryExecutionContext={"Database": "default"})
    status = wait_for(athena, qid)["Status"]
    assert status["State"] == "FAILED"
    assert status["AthenaError"]["ErrorCategory"] == 2 and status["AthenaError"]["Retryable"] is False
    assert status["StateChangeReason"]
    with pytest.raises(ClientError) as exc:
        athena.get_query_results(QueryExecutionId=qid)
    assert error_of(exc)[0] == "InvalidRequestException"


def test_stop_cancels_a_running_query_and_its_engine_work(athena, results, monkeypatch):
    engine = ScriptedEngine()
    use_engine(monkeypatch, engine)
    qid = start(athena, "WAIT", results)
    assert engine.started.wait(10)
    wait_for(athena, qid, states=("RUNNING",))
    with pytest.raises(ClientError) as exc:
        athena.get_query_results(QueryExecutionId=qid)
    assert error_of(exc) == ("InvalidRequestException", "Query has not yet finished. Current state: RUNNING")
    athena.stop_query_execution(QueryExecutionId=qid)
    assert wait_for(athena, qid)["Status"]["State"] == "CANCELLED"
    assert engine.saw_cancel.wait(10)


def test_a_poll_of_a_running_query_waits_for_its_end(athena, results, monkeypatch):
    """GetQueryExecution holds a poll of a running execution and answers with the end once it comes."""
    import threading

    from lakebox.services.athena import executions

    monkeypatch.setattr(executions, "POLL_HOLD_SECONDS", 30.0)
    engine = ScriptedEngine()
    use_engine(monkeypatch, engine)
    qid = start(athena, "HOLD", results)
    assert engine.started.wait(10)
    answer = {}
    poll = threading.Thread(target=lambda: answer.update(athena.get_query_execution(QueryExecutionId=qid)))
    poll.start()
    poll.join(0.5)
    assert poll.is_alive()  # still held: the query has not ended
    engine.release.set()
    poll.join(10)
    assert answer["QueryExecution"]["Status"]["State"] == "SUCCEEDED"
    assert athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"][1]["Data"] == [{"VarCharValue": "1"}]


def test_client_request_token_makes_start_idempotent(athena, results, monkeypatch):
    use_engine(monkeypatch, ScriptedEngine())
    token = "t" * 40
    first = start(athena, "SELECT 1", results, ClientRequestToken=token)
    assert start(athena, "SELECT 1", results, ClientRequestToken=token) == first
    assert start(athena, "SELECT 1", results) != first


def test_batch_get_and_list_newest_first(athena, results, monkeypatch):
    use_engine(monkeypatch, ScriptedEngine())
    ids = [start(athena, f"SELECT {i}", results) for i in range(3)]
    listed = athena.list_query_executions(WorkGroup="primary")["QueryExecutionIds"]
    assert listed == ids[::-1]
    page = athena.list_query_executions(MaxResults=2)
    assert page["QueryExecutionIds"] == ids[:0:-1] and page["NextToken"]
    answer = athena.batch_get_query_execution(QueryExecutionIds=[ids[0], "nope"])
    assert [e["QueryExecutionId"] for e in answer["QueryExecutions"]] == [ids[0]]
    assert answer["UnprocessedQueryExecutionIds"][0]["QueryExecutionId"] == "nope"


def test_execution_parameters_reach_the_engine(athena, results, monkeypatch):
    engine = ScriptedEngine()
    use_engine(monkeypatch, engine)
    qid = start(athena, "SELECT ? + ?", results, ExecutionParameters=["1", "2"])
    wait_for(athena, qid)
    assert engine.calls == [("SELECT ? + ?", ["1", "2"])]


# --- workgroups --------------------------------------------------------------------------------------

def test_workgroup_lifecycle_and_primary(athena):
    assert [w["Name"] for w in athena.list_work_groups()["WorkGroups"]] == ["primary"]
    athena.create_work_group(Name="etl", Description="jobs", Configuration={
        "ResultConfiguration": {"OutputLocation": "s3://athena-results/etl/"}, "EnforceWorkGroupConfiguration": True})
    with pytest.raises(ClientError) as exc:
        athena.create_work_group(Name="etl")
    assert error_of(exc)[0] == "InvalidRequestException"
    got = athena.get_work_group(WorkGroup="etl")["WorkGroup"]
    assert got["State"] == "ENABLED" and got["Configuration"]["ResultConfiguration"]["OutputLocation"] == "s3://athena-results/etl/"
    athena.update_work_group(WorkGroup="etl", State="DISABLED",
                             ConfigurationUpdates={"BytesScannedCutoffPerQuery": 10_000_000})
    got = athena.get_work_group(WorkGroup="etl")["WorkGroup"]
    assert got["State"] == "DISABLED" and got["Configuration"]["BytesScannedCutoffPerQuery"] == 10_000_000
    with pytest.raises(ClientError) as exc:
        athena.start_query_execution(QueryString="SELECT 1", WorkGroup="etl")
    assert error_of(exc)[0] == "InvalidRequestException"
    with pytest.raises(ClientError) as exc:
        athena.delete_work_group(WorkGroup="primary")
    assert error_of(exc)[0] == "InvalidRequestException"
    athena.delete_work_group(WorkGroup="etl")
    assert [w["Name"] for w in athena.list_work_groups()["WorkGroups"]] == ["primary"]


def test_workgroup_output_location_is_used_and_enforced(athena, results, monkeypatch):
    use_engine(monkeypatch, ScriptedEngine())
    athena.create_work_group(Name="etl", Configuration={
        "ResultConfiguration": {"OutputLocation": "s3://athena-results/etl/"}, "EnforceWorkGroupConfiguration": True})
    qid = athena.start_query_execution(QueryString="SELECT 1", WorkGroup="etl")["QueryExecutionId"]
    assert wait_for(athena, qid)["ResultConfiguration"]["OutputLocation"] == f"s3://athena-results/etl/{qid}.csv"
    qid = start(athena, "SELECT 1", "s3://athena-results/mine/", WorkGroup="etl")
    assert wait_for(athena, qid)["ResultConfiguration"]["OutputLocation"].startswith("s3://athena-results/etl/")


def test_expected_bucket_owner_must_own_the_output_bucket(athena, s3, results, monkeypatch):
    use_engine(monkeypatch, ScriptedEngine())
    owner = {"OutputLocation": results, "ExpectedBucketOwner": "000000000000"}
    qid = athena.start_query_execution(QueryString="SELECT 1", ResultConfiguration=owner)["QueryExecutionId"]
    assert wait_for(athena, qid)["Status"]["State"] == "SUCCEEDED"
    other = {"OutputLocation": results, "ExpectedBucketOwner": "111122223333"}
    qid = athena.start_query_execution(QueryString="SELECT 1", ResultConfiguration=other)["QueryExecutionId"]
    status = wait_for(athena, qid)["Status"]
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"].startswith(f"Access denied when writing output to url: {results}")
    assert status["AthenaError"]["ErrorCategory"] == 2
    listed = s3.list_objects_v2(Bucket="athena-results").get("Contents", [])
    assert not any(qid in item["Key"] for item in listed)  # nothing was written for the refused execution


def test_bytes_scanned_cutoff_cancels_query_and_small_cutoff_is_invalid(athena, results, monkeypatch,
                                                                      lakebox_server):
    use_engine(monkeypatch, ScriptedEngine())
    unchecked = make_client("athena", lakebox_server.endpoint_url, validate=False)  # botocore checks the minimum
    with pytest.raises(ClientError) as exc:
        unchecked.create_work_group(Name="tiny", Configuration={"BytesScannedCutoffPerQuery": 1000})
    assert error_of(exc)[0] == "InvalidRequestException"
    athena.create_work_group(Name="capped", Configuration={"BytesScannedCutoffPerQuery": 10_000_000})
    qid = start(athena, "SCAN 20000000", results, WorkGroup="capped")
    status = wait_for(athena, qid)["Status"]
    assert status["State"] == "CANCELLED"
    assert status["StateChangeReason"] == "Query cancelled! Bytes scanned limit was exceeded"
    assert wait_for(athena, start(athena, "SCAN 5", results, WorkGroup="capped"))["Status"]["State"] == "SUCCEEDED"


# --- named queries, prepared statements --------------------------------------------------------------

def test_named_queries_lifecycle(athena):
    nid = athena.create_named_query(Name="daily", Database="analytics", QueryString="SELECT 1")["NamedQueryId"]
    assert athena.get_named_query(NamedQueryId=nid)["NamedQuery"]["QueryString"] == "SELECT 1"
    athena.update_named_query(NamedQueryId=nid, Name="daily2", QueryString="SELECT 2")
    assert athena.get_named_query(NamedQueryId=nid)["NamedQuery"]["Name"] == "daily2"
    assert athena.list_named_queries()["NamedQueryIds"] == [nid]
    batch = athena.batch_get_named_query(NamedQueryIds=[nid, "missing"])
    assert [q["NamedQueryId"] for q in batch["NamedQueries"]] == [nid]
    assert batch["UnprocessedNamedQueryIds"][0]["NamedQueryId"] == "missing"
    athena.delete_named_query(NamedQueryId=nid)
    with pytest.raises(ClientError) as exc:
        athena.get_named_query(NamedQueryId=nid)
    assert error_of(exc)[0] == "InvalidRequestException"


def test_prepared_statement_runs_with_execute_using(athena, results, monkeypatch):
    engine = ScriptedEngine()
    use_engine(monkeypatch, engine)
    athena.create_prepared_statement(StatementName="by_id", WorkGroup="primary",
                                     QueryStatement="SELECT * FROM t WHERE id = ? AND s = ?")
    assert athena.get_prepared_statement(StatementName="by_id", WorkGroup="primary")["PreparedStatement"][
        "QueryStatement"].startswith("SELECT")
    assert [p["StatementName"] for p in athena.list_prepared_statements(WorkGroup="primary")["PreparedStatements"]] == ["by_id"]
    qid = start(athena, "EXECUTE by_id USING 7, 'a,b'", results)
    status = wait_for(athena, qid)["Status"]
    assert status["State"] == "SUCCEEDED", status
    assert engine.calls[-1] == ("SELECT * FROM t WHERE id = ? AND s = ?", ["7", "'a,b'"])
    athena.update_prepared_statement(StatementName="by_id", WorkGroup="primary", QueryStatement="SELECT ?")
    athena.delete_prepared_statement(StatementName="by_id", WorkGroup="primary")
    with pytest.raises(ClientError) as exc:
        athena.get_prepared_statement(StatementName="by_id", WorkGroup="primary")
    assert error_of(exc)[0] == "ResourceNotFoundException"
    failed = wait_for(athena, start(athena, "EXECUTE by_id USING 1", results))["Status"]
    assert failed["State"] == "FAILED" and "by_id" in failed["StateChangeReason"]


def test_prepare_and_deallocate_statements_manage_the_workgroups_prepared_statements(athena, results, monkeypatch):
    engine = ScriptedEngine()
    use_engine(monkeypatch, engine)
    done = wait_for(athena, start(athena, "PREPARE by_day FROM SELECT * FROM t WHERE day = ?", results))
    assert (done["Status"]["State"], done["StatementType"], done["SubstatementType"]) == ("SUCCEEDED", "UTILITY", "PREPARE")
    stored = athena.get_prepared_statement(StatementName="by_day", WorkGroup="primary")["PreparedStatement"]
    assert stored["QueryStatement"] == "SELECT * FROM t WHERE day = ?"
    wait_for(athena, start(athena, "PREPARE by_day FROM SELECT 2 WHERE ? > 0", results))  # replaces it
    assert wait_for(athena, start(athena, "EXECUTE by_day USING 5", results))["Status"]["State"] == "SUCCEEDED"
    assert engine.calls[-1] == ("SELECT 2 WHERE ? > 0", ["5"])
    assert wait_for(athena, start(athena, "DEALLOCATE PREPARE by_day", results))["Status"]["State"] == "SUCCEEDED"
    assert athena.list_prepared_statements(WorkGroup="primary")["PreparedStatements"] == []
    failed = wait_for(athena, start(athena, "DEALLOCATE PREPARE by_day", results))["Status"]
    assert failed["State"] == "FAILED" and "by_day" in failed["StateChangeReason"]


# --- catalog views and tags --------------------------------------------------------------------------

def test_catalog_views_read_glue(athena, lakebox_server):
    glue = make_client("glue", lakebox_server.endpoint_url)
    glue.create_database(DatabaseInput={"Name": "analytics", "Description": "gold"})
    glue.create_table(DatabaseName="analytics", TableInput={
        "Name": "orders", "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}], "Location": "s3://lake/orders/"},
        "PartitionKeys": [{"Name": "year", "Type": "string"}]})
    assert athena.list_data_catalogs()["DataCatalogsSummary"][0]["CatalogName"] == "AwsDataCatalog"
    assert athena.get_data_catalog(Name="AwsDataCatalog")["DataCatalog"]["Type"] == "GLUE"
    names = [d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]]
    assert "analytics" in names
    assert athena.get_database(CatalogName="AwsDataCatalog", DatabaseName="analytics")["Database"]["Description"] == "gold"
    table = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="analytics",
                                      TableName="orders")["TableMetadata"]
    assert table["Columns"] == [{"Name": "id", "Type": "bigint"}]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "string"}]
    listed = athena.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="analytics")["TableMetadataList"]
    assert [t["Name"] for t in listed] == ["orders"]
    with pytest.raises(ClientError) as exc:
        athena.get_database(CatalogName="AwsDataCatalog", DatabaseName="nope")
    assert error_of(exc)[0] == "MetadataException"


def test_tags_on_workgroups(athena):
    athena.create_work_group(Name="tagged", Tags=[{"Key": "team", "Value": "data"}])
    arn = "arn:aws:athena:us-east-1:000000000000:workgroup/tagged"
    athena.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    assert athena.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "data"}]
    athena.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert athena.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    # The same name in another account's or region's ARN is not this workgroup.
    for foreign in ("arn:aws:athena:us-east-1:123456789012:workgroup/tagged",
                    "arn:aws:athena:eu-west-1:000000000000:workgroup/tagged"):
        for call, extra in ((athena.list_tags_for_resource, {}),
                            (athena.tag_resource, {"Tags": [{"Key": "x", "Value": "y"}]})):
            with pytest.raises(ClientError) as exc:
                call(ResourceARN=foreign, **extra)
            assert error_of(exc)[0] == "ResourceNotFoundException"


def test_a_tag_without_a_key_is_refused_and_creates_nothing(athena):
    with pytest.raises(ClientError) as exc:
        athena.create_work_group(Name="keyless", Tags=[{"Key": "ok", "Value": "1"}, {"Value": "no key"}])
    code, message = error_of(exc)[:2]
    assert code == "InvalidRequestException"
    assert "'tags.2.member.key' failed to satisfy constraint: Member must not be null" in message
    assert "keyless" not in [w["Name"] for w in athena.list_work_groups()["WorkGroups"]]


# --- persistence ------------------------------------------------------------------------------------

def test_executions_and_results_survive_restart_and_running_ones_end_failed(tmp_path, monkeypatch):
    engine = ScriptedEngine()
    use_engine(monkeypatch, engine)
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        make_client("s3", server.endpoint_url).create_bucket(Bucket="athena-results")
        done = start(athena, "SELECT 1", "s3://athena-results/q/")
        wait_for(athena, done)
        running = start(athena, "WAIT", "s3://athena-results/q/")
        wait_for(athena, running, states=("RUNNING",))
    with running_lakebox(data, set_env=False) as server:
        athena = make_client("athena", server.endpoint_url)
        assert athena.get_query_execution(QueryExecutionId=done)["QueryExecution"]["Status"]["State"] == "SUCCEEDED"
        rows = athena.get_query_results(QueryExecutionId=done)["ResultSet"]["Rows"]
        assert [r["Data"][0]["VarCharValue"] for r in rows] == ["c0", "1"]
        status = athena.get_query_execution(QueryExecutionId=running)["QueryExecution"]["Status"]
        assert status["State"] == "FAILED" and status["AthenaError"]["ErrorCategory"] == 1


def test_create_database_is_visible_as_soon_as_start_returns(athena, results):
    """A fast DDL statement has ended when StartQueryExecution answers, so code that reads the
    catalog right away (without polling) sees the change."""
    qid = start(athena, "CREATE DATABASE quick_db", results)
    assert athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"] == "SUCCEEDED"
    database = athena.get_database(CatalogName="AwsDataCatalog", DatabaseName="quick_db")["Database"]
    assert database["Name"] == "quick_db"
    start(athena, "DROP DATABASE quick_db", results)
    with pytest.raises(ClientError) as exc:
        athena.get_database(CatalogName="AwsDataCatalog", DatabaseName="quick_db")
    assert exc.value.response["Error"]["Code"] == "MetadataException"
