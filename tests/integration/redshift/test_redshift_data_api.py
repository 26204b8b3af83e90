"""The Redshift Data API on a cluster: statements that run for real, typed results, batches, errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import GUIDE_DDL, client



@pytest.fixture
def data(lakebox_server, cluster):
    return client(lakebox_server, "redshift-data")


def run(data, sql: str, **extra) -> dict:
    started = data.execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin",
                                     Sql=sql, **extra)
    for _ in range(300):
        described = data.describe_statement(Id=started["Id"])
        if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            return described
    raise AssertionError(f"{sql} did not end")


def test_ddl_inserts_and_typed_results(data):
    assert run(data, GUIDE_DDL)["Status"] == "FINISHED"
    inserted = run(data, "INSERT INTO sales (order_date, customer_id, product_id, quantity, amount) VALUES "
                         "('2024-01-15', 7, 100, 2, 19.90), ('2024-02-01', 8, 101, NULL, 5.00)")
    assert (inserted["Status"], inserted["ResultRows"], inserted["HasResultSet"]) == ("FINISHED", 2, False)
    selected = run(data, "SELECT sale_id, order_date, customer_id, quantity, amount, amount > 10 AS big "
                         "FROM sales ORDER BY sale_id")
    assert selected["HasResultSet"] and selected["ResultRows"] == 2
    result = data.get_statement_result(Id=selected["Id"])
    assert [c["name"] for c in result["ColumnMetadata"]] == ["sale_id", "order_date", "customer_id", "quantity",
                                                            "amount", "big"]
    assert [c["typeName"] for c in result["ColumnMetadata"]][:3] == ["int8", "date", "int8"]
    assert result["TotalNumRows"] == 2
    assert result["Records"][0] == [{"longValue": 1}, {"stringValue": "2024-01-15"}, {"longValue": 7},
                                    {"longValue": 2}, {"stringValue": "19.90"}, {"booleanValue": True}]
    assert result["Records"][1][3] == {"isNull": True}


def test_parameters_bind_by_name(data):
    run(data, "CREATE TABLE people (id INT, name VARCHAR(20))")
    run(data, "INSERT INTO people VALUES (1, 'ana'), (2, 'bo''b')")
    found = run(data, "SELECT name FROM people WHERE id = :id", Parameters=[{"name": "id", "value": "2"}])
    assert data.get_statement_result(Id=found["Id"])["Records"] == [[{"stringValue": "bo'b"}]]


def test_a_failed_statement_says_why(data):
    failed = run(data, "SELECT * FROM no_such_table")
    assert failed["Status"] == "FAILED" and 'relation "no_such_table" does not exist' in failed["Error"]
    with pytest.raises(ClientError) as info:
        data.get_statement_result(Id=failed["Id"])
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_batches_run_in_order_and_stop_at_the_first_failure(data):
    started = data.batch_execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin",
                                           Sqls=["CREATE TABLE b (x INT)", "INSERT INTO b VALUES (1), (2)",
                                                 "SELECT sum(x) AS s FROM b"])
    for _ in range(300):
        described = data.describe_statement(Id=started["Id"])
        if described["Status"] in ("FINISHED", "FAILED"):
            break
    assert described["Status"] == "FINISHED"
    assert [s["Status"] for s in described["SubStatements"]] == ["FINISHED"] * 3
    assert data.get_statement_result(Id=f"{started['Id']}:3")["Records"] == [[{"longValue": 3}]]
    broken = data.batch_execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin",
                                          Sqls=["SELECT nope FROM b", "INSERT INTO b VALUES (3)"])
    for _ in range(300):
        described = data.describe_statement(Id=broken["Id"])
        if described["Status"] in ("FINISHED", "FAILED"):
            break
    assert described["Status"] == "FAILED"
    assert [s["Status"] for s in described["SubStatements"]] == ["FAILED", "ABORTED"]


def test_catalog_calls(data):
    run(data, "CREATE TABLE events (id BIGINT, kind VARCHAR(10))")
    base = {"ClusterIdentifier": "my-dw-cluster", "DbUser": "admin"}
    assert "analytics" in data.list_databases(Database="analytics", **base)["Databases"]
    assert "public" in data.list_schemas(Database="analytics", **base)["Schemas"]
    tables = data.list_tables(Database="analytics", SchemaPattern="public", TablePattern="ev%", **base)["Tables"]
    assert [(t["name"], t["schema"]) for t in tables] == [("events", "public")]
    columns = data.describe_table(Database="analytics", Table="events", **base)["ColumnList"]
    assert [(c["name"], c["typeName"]) for c in columns] == [("id", "int8"), ("kind", "varchar")]


def test_requests_aws_refuses(lakebox_server, cluster):
    data = client(lakebox_server, "redshift-data")
    cases = [
        (dict(ClusterIdentifier="none", Database="dev", DbUser="admin", Sql="select 1"), "ValidationException"),
        (dict(WorkgroupName="my-workgroup", Database="dev", Sql="select 1"), "ResourceNotFoundException"),
    ]
    for params, code in cases:
        with pytest.raises(ClientError) as info:
            data.execute_statement(**params)
        assert info.value.response["Error"]["Code"] == code
    with pytest.raises(ClientError) as info:
        data.describe_statement(Id="00000000-0000-0000-0000-000000000000")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert info.value.response["Error"]["Message"] == "Query does not exist."
    for call in (data.describe_statement, data.get_statement_result, data.cancel_statement):
        with pytest.raises(ClientError) as info:
            call(Id="not-a-statement-id")
        assert info.value.response["Error"]["Code"] == "ValidationException"
        assert info.value.response["Error"]["Message"].startswith("id must satisfy regex pattern: ")


def test_csv_results_come_through_get_statement_result_v2(data):
    run(data, "CREATE TABLE notes (id INT, note VARCHAR(40), seen BOOLEAN)")
    run(data, "INSERT INTO notes VALUES (1, 'plain', true), (2, 'comma, and \"quote\"', false), (3, NULL, NULL)")
    done = run(data, "SELECT id, note, seen FROM notes ORDER BY id", ResultFormat="CSV")
    assert (done["ResultFormat"], done["ResultRows"]) == ("CSV", 3)
    result = data.get_statement_result_v2(Id=done["Id"])
    assert result["ResultFormat"] == "CSV" and result["TotalNumRows"] == 3
    assert [c["name"] for c in result["ColumnMetadata"]] == ["id", "note", "seen"]
    assert result["Records"] == [{"CSVRecords": 'id,note,seen\n1,plain,true\n2,"comma, and ""quote""",false\n3,,\n'}]
    # Each format has its own call; the other one is refused.
    with pytest.raises(ClientError) as info:
        data.get_statement_result(Id=done["Id"])
    assert info.value.response["Error"]["Code"] == "ValidationException"
    as_json = run(data, "SELECT id FROM notes ORDER BY id")
    assert as_json["ResultFormat"] == "JSON"
    with pytest.raises(ClientError) as info:
        data.get_statement_result_v2(Id=as_json["Id"])
    assert info.value.response["Error"]["Code"] == "ValidationException"
    listed = {s["Id"]: s["ResultFormat"] for s in data.list_statements()["Statements"]}
    assert (listed[done["Id"]], listed[as_json["Id"]]) == ("CSV", "JSON")


def test_csv_results_page_by_a_thousand_rows(data):
    run(data, "CREATE TABLE n AS SELECT generate_series AS v FROM generate_series(1, 2500)")
    done = run(data, "SELECT v FROM n ORDER BY v", ResultFormat="CSV")
    pages = list(data.get_paginator("get_statement_result_v2").paginate(Id=done["Id"]))
    texts = [record["CSVRecords"] for page in pages for record in page["Records"]]
    assert len(texts) == 3 and all(t.startswith("v\n") for t in texts)
    values = [int(line) for t in texts for line in t.splitlines()[1:]]
    assert values == list(range(1, 2501))
    # A batch's statements keep the batch's format.
    batch = data.batch_execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin",
                                         Sqls=["SELECT 1 AS one", "SELECT 'x' AS two"], ResultFormat="CSV")
    for _ in range(300):
        if data.describe_statement(Id=batch["Id"])["Status"] == "FINISHED":
            break
    assert data.get_statement_result_v2(Id=f"{batch['Id']}:2")["Records"] == [{"CSVRecords": "two\nx\n"}]


def _finished(data, started: dict) -> dict:
    for _ in range(300):
        described = data.describe_statement(Id=started["Id"])
        if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            return described
    raise AssertionError("the statement did not end")


def test_a_session_keeps_temporary_tables_across_calls(data):
    first = data.execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin",
                                   Sql="CREATE TEMP TABLE scratch AS SELECT 41 AS v", SessionKeepAliveSeconds=60)
    session = first["SessionId"]
    assert _finished(data, first)["SessionId"] == session
    # Only the SessionId is needed from now on: the session knows its cluster, database and user.
    second = data.execute_statement(SessionId=session, Sql="INSERT INTO scratch VALUES (42)")
    assert (second["SessionId"], second["ClusterIdentifier"], second["Database"]) == (
        session, "my-dw-cluster", "analytics")
    assert _finished(data, second)["Status"] == "FINISHED"
    batch = data.batch_execute_statement(SessionId=session, Sqls=["SELECT count(*) FROM scratch",
                                                                   "SELECT max(v) AS top FROM scratch"])
    assert _finished(data, batch)["Status"] == "FINISHED"
    assert data.get_statement_result(Id=f"{batch['Id']}:2")["Records"] == [[{"longValue": 42}]]
    assert {s["Id"]: s.get("SessionId") for s in data.list_statements()["Statements"]}[first["Id"]] == session
    # Another session (or none) does not see the temporary table.
    elsewhere = run(data, "SELECT * FROM scratch")
    assert elsewhere["Status"] == "FAILED" and "scratch" in elsewhere["Error"]


def test_a_session_keeps_an_open_transaction_across_calls(data):
    run(data, "CREATE TABLE ledger (id INT)")
    first = data.execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin",
                                   Sql="BEGIN", SessionKeepAliveSeconds=60)
    _finished(data, first)
    session = first["SessionId"]
    assert _finished(data, data.execute_statement(SessionId=session, Sql="INSERT INTO ledger VALUES (1)"))[
        "Status"] == "FINISHED"
    inside = data.execute_statement(SessionId=session, Sql="SELECT count(*) FROM ledger")
    _finished(data, inside)
    assert data.get_statement_result(Id=inside["Id"])["Records"] == [[{"longValue": 1}]]
    outside = run(data, "SELECT count(*) FROM ledger")  # not committed: nobody else sees the row
    assert data.get_statement_result(Id=outside["Id"])["Records"] == [[{"longValue": 0}]]
    _finished(data, data.execute_statement(SessionId=session, Sql="ROLLBACK"))
    after = run(data, "SELECT count(*) FROM ledger")
    assert data.get_statement_result(Id=after["Id"])["Records"] == [[{"longValue": 0}]]


def test_sessions_refuse_what_aws_refuses(data):
    started = data.execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin",
                                     Sql="SELECT 1", SessionKeepAliveSeconds=1)
    _finished(data, started)
    session = started["SessionId"]
    with pytest.raises(ClientError) as info:  # the session's settings cannot be changed
        data.execute_statement(SessionId=session, Database="dev", Sql="SELECT 1")
    assert info.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as info:  # no session opens on a database the cluster lacks
        data.execute_statement(ClusterIdentifier="my-dw-cluster", Database="nowhere", DbUser="admin", Sql="SELECT 1",
                               SessionKeepAliveSeconds=60)
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert 'database "nowhere" does not exist' in info.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as info:  # an id no session has
        data.execute_statement(SessionId="00000000-0000-0000-0000-000000000000", Sql="SELECT 1")
    assert info.value.response["Error"]["Code"] == "ValidationException"
    import time
    time.sleep(1.5)  # the keep-alive is over: the session is closed
    with pytest.raises(ClientError) as info:
        data.execute_statement(SessionId=session, Sql="SELECT 1")
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "expired" in info.value.response["Error"]["Message"]


def test_a_busy_session_runs_one_statement_at_a_time(data):
    run(data, "CREATE TABLE big AS SELECT generate_series AS v FROM generate_series(1, 3000000)")
    started = data.execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin",
                                     Sql="SELECT count(*) FROM big a, big b WHERE a.v = b.v + 1",
                                     SessionKeepAliveSeconds=30)
    refused = 0
    for _ in range(5):
        try:
            queued = data.execute_statement(SessionId=started["SessionId"], Sql="SELECT 1")
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "ActiveStatementsExceededException"
            refused += 1
        else:  # the first statement had already ended: the session takes the next one
            assert _finished(data, queued)["Status"] == "FINISHED"
            break
    assert _finished(data, started)["Status"] == "FINISHED"
    assert refused >= 1
