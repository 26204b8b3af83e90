"""Glue interactive sessions over boto3: a real Spark driver runs each statement, as the Glue kernel
drives it (CreateSession, wait for READY, RunStatement, poll GetStatement).

Each session costs a JVM, so three tests start one; the others check bad input without Spark."""

from __future__ import annotations

import os
import time

import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE
from data_quality_helpers import parquet_table
from glue_helpers import error_of, make_glue
from glue_job_helpers import wait_for

from lakebox.services.glue import session_worker
from lakebox.testing import running_lakebox

FINAL = ("AVAILABLE", "CANCELLED", "ERROR")
SPARK = {"Name": "glueetl", "PythonVersion": "3"}


def _ready(glue, session_id: str) -> dict:
    return wait_for(lambda: (s := glue.get_session(Id=session_id)["Session"])["Status"] != "PROVISIONING" and s,
                    timeout=120)


def _run(glue, session_id: str, code: str) -> dict:
    statement_id = glue.run_statement(SessionId=session_id, Code=code)["Id"]
    return _finished(glue, session_id, statement_id)


def _finished(glue, session_id: str, statement_id: int) -> dict:
    return wait_for(lambda: (s := glue.get_statement(SessionId=session_id, Id=statement_id)["Statement"])["State"]
                    in FINAL and s, timeout=120)


def _error(call, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return error_of(exc)


def test_a_session_runs_pyspark_statements_in_one_namespace(lakebox_server, glue, s3):
    glue.create_database(DatabaseInput={"Name": "silver"})
    parquet_table(lakebox_server.endpoint_url, glue, "silver", "orders", [("id", "bigint"), ("amount", "double")],
                  {"id": [1, 2, 3, 4], "amount": [10.0, 25.5, 7.25, 40.0]})

    created = glue.create_session(Id="notebook", Role=ROLE, Command=SPARK, WorkerType="G.1X", NumberOfWorkers=2,
                                  Tags={"team": "data"})["Session"]
    assert (created["Status"], created["GlueVersion"], created["MaxCapacity"]) == ("PROVISIONING", "5.1", 2.0)
    assert _error(glue.create_session, Id="notebook", Role=ROLE, Command=SPARK)[:2] == (400, "AlreadyExistsException")
    # Statements wait for READY, as on Glue.
    assert _error(glue.run_statement, SessionId="notebook", Code="1")[:2] == (400, "IllegalSessionStateException")
    session = _ready(glue, "notebook")
    assert session["Status"] == "READY", session

    first = _run(glue, "notebook", "orders = spark.read.parquet('s3://lake/silver/orders/')\n"
                                   "print('rows', orders.count())\norders.agg({'amount': 'sum'}).first()[0]")
    assert first["Output"] == {"Data": {"TextPlain": "rows 4\n82.75"}, "ExecutionCount": 1, "Status": "ok"}
    assert first["Id"] == 1 and first["Progress"] == 1.0 and first["CompletedOn"] >= first["StartedOn"] > 0

    # The namespace carries over; the catalog's tables are Spark SQL tables; glueContext is defined.
    second = _run(glue, "notebook", "big = orders.filter('amount > 20').count()\n"
                                    "rows = spark.sql('SELECT id FROM silver.orders WHERE amount < 20 ORDER BY id')"
                                    ".collect()\n"
                                    "(big, [r.id for r in rows], type(glueContext).__name__)")
    assert second["Output"]["Data"]["TextPlain"] == "(2, [1, 3], 'GlueContext')"

    failed = _run(glue, "notebook", "undefined_name + 1")
    assert failed["State"] == "AVAILABLE"
    assert (failed["Output"]["Status"], failed["Output"]["ErrorName"]) == ("error", "NameError")
    assert failed["Output"]["ErrorValue"] == "name 'undefined_name' is not defined"
    assert failed["Output"]["Traceback"][-1] == "NameError: name 'undefined_name' is not defined\n"

    # A running statement is cancelled (its Spark jobs too); one still waiting is never run.
    slow = glue.run_statement(SessionId="notebook", Code="import time\nfor _ in range(600):\n    time.sleep(0.1)")["Id"]
    waiting = glue.run_statement(SessionId="notebook", Code="marker = 'should not run'")["Id"]
    wait_for(lambda: glue.get_statement(SessionId="notebook", Id=slow)["Statement"]["State"] == "RUNNING")
    glue.cancel_statement(SessionId="notebook", Id=waiting)
    glue.cancel_statement(SessionId="notebook", Id=slow)
    assert _finished(glue, "notebook", slow)["State"] == "CANCELLED"
    assert glue.get_statement(SessionId="notebook", Id=waiting)["Statement"]["State"] == "CANCELLED"
    after = _run(glue, "notebook", "'marker' in globals()")
    assert after["Output"]["Data"]["TextPlain"] == "False"
    assert _error(glue.cancel_statement, SessionId="notebook", Id=after["Id"])[:2] == \
        (400, "IllegalSessionStateException")

    listed = glue.list_statements(SessionId="notebook")["Statements"]
    assert [(s["Id"], s["State"]) for s in listed] == [
        (1, "AVAILABLE"), (2, "AVAILABLE"), (3, "AVAILABLE"), (4, "CANCELLED"), (5, "CANCELLED"), (6, "AVAILABLE")]
    assert glue.list_sessions(Tags={"team": "data"})["Ids"] == ["notebook"]
    assert glue.list_sessions(Tags={"team": "other"})["Ids"] == []
    assert glue.get_tags(ResourceArn="arn:aws:glue:us-east-1:000000000000:session/notebook")["Tags"] == \
        {"team": "data"}

    assert glue.stop_session(Id="notebook")["Id"] == "notebook"
    stopped = wait_for(lambda: (s := glue.get_session(Id="notebook")["Session"])["Status"] == "STOPPED" and s)
    assert stopped["CompletedOn"] >= stopped["CreatedOn"] and stopped["ExecutionTime"] > 0
    assert _error(glue.run_statement, SessionId="notebook", Code="1")[:2] == (400, "IllegalSessionStateException")
    assert _error(glue.stop_session, Id="notebook")[:2] == (400, "IllegalSessionStateException")
    assert glue.delete_session(Id="notebook")["Id"] == "notebook"
    assert glue.list_sessions()["Ids"] == []
    assert _error(glue.get_session, Id="notebook")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.get_tags, ResourceArn="arn:aws:glue:us-east-1:000000000000:session/notebook")[:2] == \
        (400, "EntityNotFoundException")


def test_an_idle_session_times_out(glue, monkeypatch):
    monkeypatch.setattr(session_worker, "SECONDS_PER_MINUTE", 1.0)
    glue.create_session(Id="idle", Role=ROLE, Command=SPARK, IdleTimeout=2)
    assert _ready(glue, "idle")["Status"] == "READY"
    assert _run(glue, "idle", "21 * 2")["Output"]["Data"]["TextPlain"] == "42"
    ended = wait_for(lambda: (s := glue.get_session(Id="idle")["Session"])["Status"] not in ("READY",) and s,
                     timeout=60)
    assert ended["Status"] == "TIMEOUT" and ended["IdleTimeout"] == 2


def test_a_restart_ends_open_sessions_and_their_drivers(tmp_path):
    with running_lakebox(tmp_path, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        glue.create_session(Id="before-restart", Role=ROLE, Command=SPARK)
        assert _ready(glue, "before-restart")["Status"] == "READY"
        _run(glue, "before-restart", "x = 1")
        pid_file = next((tmp_path / ".lakebox" / "glue" / "sessions").glob("*/driver.pid"))
        driver_pid = int(pid_file.read_text())
    # A clean stop ends the session FAILED and stops its driver.
    assert not _alive(driver_pid)
    with running_lakebox(tmp_path, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        session = glue.get_session(Id="before-restart")["Session"]
        assert session["Status"] == "FAILED"
        assert "shut down" in session["ErrorMessage"]
        assert glue.get_statement(SessionId="before-restart", Id=1)["Statement"]["State"] == "AVAILABLE"


def _alive(pid: int) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.parametrize("params, message", [
    ({"Command": {"Name": "glueray"}}, "Command name glueray"),
    ({"Command": {"Name": "pythonshell"}}, "Command name pythonshell"),
    ({"Command": SPARK, "GlueVersion": "1.0"}, "Glue version 1.0"),
    ({"Command": SPARK, "WorkerType": "G.1X", "NumberOfWorkers": 2, "MaxCapacity": 2.0}, "Max Capacity"),
    ({"Command": SPARK, "WorkerType": "G.1X"}, "both Worker Type and Number of Workers"),
])
def test_bad_sessions_are_refused_and_nothing_is_created(glue, params, message):
    status, code, text = _error(glue.create_session, Id="bad", Role=ROLE, **params)
    assert (status, code) == (400, "InvalidInputException") and message in text
    assert glue.list_sessions()["Ids"] == []


def test_missing_sessions_and_statements(glue):
    assert _error(glue.get_session, Id="nope")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.run_statement, SessionId="nope", Code="1")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.get_statement, SessionId="nope", Id=1)[:2] == (400, "EntityNotFoundException")
    assert _error(glue.list_statements, SessionId="nope")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.cancel_statement, SessionId="nope", Id=1)[:2] == (400, "EntityNotFoundException")
    assert _error(glue.stop_session, Id="nope")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.delete_session, Id="nope")[:2] == (400, "EntityNotFoundException")
