"""Helpers for the Athena integration tests: clients, polling with a deadline, and a scripted engine
that stands in for the SQL engine where a test needs a slow query or exact rows."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Optional

import boto3
from botocore.config import Config

REGION = "us-east-1"
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


def make_client(service: str, endpoint_url: str, validate: bool = True):
    """`validate=False` lets a request botocore would refuse reach the server."""
    return boto3.client(service, endpoint_url=endpoint_url, region_name=REGION, aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=validate))


def wait_for(athena, execution_id: str, states=TERMINAL, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
        if execution["Status"]["State"] in states:
            return execution
        assert time.monotonic() < deadline, f"query {execution_id} still {execution['Status']['State']}"
        time.sleep(0.05)


def run_query(athena, sql: str, output: str, state: str = "SUCCEEDED", *, database: str) -> tuple[str, dict]:
    """Start `sql` in `database`, wait for it, check it ended in `state`; returns (id, execution)."""
    qid = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": database},
                                       ResultConfiguration={"OutputLocation": output})["QueryExecutionId"]
    execution = wait_for(athena, qid)
    assert execution["Status"]["State"] == state, execution["Status"]
    return qid, execution


def result_rows(athena, qid: str) -> list[list[Optional[str]]]:
    """The first page of results as lists of values, header row included."""
    result = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    return [[d.get("VarCharValue") for d in r["Data"]] for r in result]


def first_row_and_types(athena, sql: str, output: str, *, database: str) -> tuple[list, list]:
    """Run `sql`; the values of its first result row and the columns' Athena types."""
    qid, _ = run_query(athena, sql, output, database=database)
    result = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in result["Rows"]]
    return rows[1], [c["Type"] for c in result["ResultSetMetadata"]["ColumnInfo"]]


def error_of(exc) -> tuple[str, str]:
    return exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]


@dataclass
class Outcome:
    statement_type: str = "DML"
    substatement_type: Optional[str] = "SELECT"
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    data_scanned_bytes: int = 0
    update_count: int = 0


def varchar(name: str) -> dict:
    return {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
            "Type": "varchar", "Precision": 2147483647, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": True}


class ScriptedEngine:
    """Answers by the query text: `WAIT` blocks until cancelled, `HOLD` until `release` is set,
    `SCAN <n>` reports n bytes scanned,
    `ROWS <n>` gives n one-column rows; anything else gives `rows` (default one row). Every call is
    recorded as (sql, parameters)."""

    def __init__(self, rows=None, columns=None):
        self.calls: list[tuple[str, Optional[list]]] = []
        self.rows = rows if rows is not None else [["1"]]
        self.columns = columns or [varchar(f"c{i}") for i in range(len(self.rows[0]) if self.rows else 1)]
        self.started = threading.Event()
        self.saw_cancel = threading.Event()
        self.release = threading.Event()

    def execute(self, sql, database, *, parameters=None, cancel=None, output_location=None, query_id=None):
        self.calls.append((sql, parameters))
        self.started.set()
        words = sql.split()
        if words[0] == "WAIT":
            if cancel.wait(20):
                self.saw_cancel.set()
            return Outcome()
        if words[0] == "HOLD":
            self.release.wait(20)
            return Outcome(columns=self.columns, rows=self.rows)
        if words[0] == "SCAN":
            return Outcome(columns=[varchar("c0")], rows=[["x"]], data_scanned_bytes=int(words[1]))
        if words[0] == "ROWS":
            return Outcome(columns=[varchar("n")], rows=[[str(i)] for i in range(int(words[1]))])
        return Outcome(columns=self.columns, rows=self.rows)


def use_engine(monkeypatch, engine) -> None:
    """Make every Athena query of servers started in this test run on `engine`."""
    from lakebox.services.athena.provider import AthenaProvider

    monkeypatch.setattr(AthenaProvider, "_new_engine", lambda self, account, region: engine)
