"""The AWS CLI's `aws athena` commands against a real lakebox server, configured only by environment
variables (AWS_ENDPOINT_URL and dummy keys), asserting on the JSON the CLI prints.

The CLI is its own process with its own botocore, so this checks the wire format end to end:
start-query-execution, get-query-execution, get-query-results (paginated by the CLI through
NextToken), JMESPath over the results, and AWS's errors as the CLI reports them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from client_helpers import DATABASE, OUTPUT, SALES, create_sales_table, sales_rows


@pytest.fixture
def aws(lakebox_server):
    """`aws(*args)` runs the AWS CLI installed next to this interpreter against the test server."""
    exe = Path(sys.executable).with_name("aws")
    cmd = [str(exe)] if exe.exists() else [shutil.which("aws") or "aws"]
    env = {**os.environ, "AWS_ENDPOINT_URL": lakebox_server.endpoint_url, "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""}

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([*cmd, *args], check=False, env=env, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    return run


@pytest.fixture
def sales(lakebox_server):
    create_sales_table(lakebox_server.endpoint_url)


def start(aws, sql: str, *extra: str) -> str:
    out = aws("athena", "start-query-execution", "--query-string", sql,
              "--query-execution-context", f"Database={DATABASE}",
              "--result-configuration", f"OutputLocation={OUTPUT}", *extra)
    return json.loads(out.stdout)["QueryExecutionId"]


def wait(aws, qid: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        execution = json.loads(aws("athena", "get-query-execution", "--query-execution-id", qid).stdout)
        execution = execution["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return execution
        assert time.monotonic() < deadline, f"query {qid} still {execution['Status']['State']}"
        time.sleep(0.1)


def test_start_get_execution_and_results(aws, sales):
    qid = start(aws, "SELECT id, customer, amount FROM sales WHERE region = 'eu' ORDER BY id")
    execution = wait(aws, qid)
    assert execution["Status"]["State"] == "SUCCEEDED"
    assert execution["StatementType"] == "DML"
    assert execution["QueryExecutionContext"] == {"Database": DATABASE}
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{OUTPUT}{qid}.csv"
    assert execution["Statistics"]["DataScannedInBytes"] > 0

    results = json.loads(aws("athena", "get-query-results", "--query-execution-id", qid).stdout)
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in results["ResultSet"]["Rows"]]
    assert rows[0] == ["id", "customer", "amount"]
    assert rows[1:] == [[str(r["id"]), r["customer"], str(r["amount"])] for r in sales_rows("eu")]
    columns = results["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in columns] == [("id", "bigint"), ("customer", "varchar"),
                                                         ("amount", "double")]


def test_results_paginate_through_next_token(aws, sales):
    qid = start(aws, "SELECT id FROM sales ORDER BY id")
    assert wait(aws, qid)["Status"]["State"] == "SUCCEEDED"
    # --page-size 2: the CLI asks for 2 rows at a time and follows NextToken to the end.
    out = aws("athena", "get-query-results", "--query-execution-id", qid, "--page-size", "2",
              "--query", "ResultSet.Rows[].Data[0].VarCharValue", "--output", "json")
    assert json.loads(out.stdout) == ["id"] + [str(r["id"]) for r in sales_rows()]
    # --max-items 3: one page, and the CLI prints the token to go on from.
    first = json.loads(aws("athena", "get-query-results", "--query-execution-id", qid, "--max-items", "3").stdout)
    assert [r["Data"][0]["VarCharValue"] for r in first["ResultSet"]["Rows"]] == ["id", "1", "2"]
    rest = json.loads(aws("athena", "get-query-results", "--query-execution-id", qid,
                          "--starting-token", first["NextToken"]).stdout)
    assert [r["Data"][0]["VarCharValue"] for r in rest["ResultSet"]["Rows"]] == [str(r["id"]) for r in sales_rows()][2:]


def test_aggregate_read_with_text_output(aws, sales):
    qid = start(aws, "SELECT region, count(*) AS n FROM sales GROUP BY region ORDER BY region")
    assert wait(aws, qid)["Status"]["State"] == "SUCCEEDED"
    out = aws("athena", "get-query-results", "--query-execution-id", qid,
              "--query", "ResultSet.Rows[1:].Data[].VarCharValue", "--output", "text")
    counts = {}
    for row in sales_rows():
        counts[row["region"]] = counts.get(row["region"], 0) + 1
    assert out.stdout.split() == [v for region, n in sorted(counts.items()) for v in (region, str(n))]


def test_ddl_and_execution_parameters(aws, lakebox_server):
    create_sales_table(lakebox_server.endpoint_url)
    qid = start(aws, "SHOW PARTITIONS sales")
    execution = wait(aws, qid)
    # A SHOW statement is UTILITY (AWS's API reference), its result a .txt file as for DDL.
    assert execution["StatementType"] == "UTILITY"
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{OUTPUT}{qid}.txt"
    out = aws("athena", "get-query-results", "--query-execution-id", qid,
              "--query", "ResultSet.Rows[].Data[0].VarCharValue", "--output", "json")
    assert sorted(json.loads(out.stdout)) == ["region=ap", "region=eu", "region=us"]

    qid = start(aws, "SELECT count(*) AS n FROM sales WHERE amount > ?", "--execution-parameters", "3")
    assert wait(aws, qid)["Status"]["State"] == "SUCCEEDED"
    out = aws("athena", "get-query-results", "--query-execution-id", qid,
              "--query", "ResultSet.Rows[1].Data[0].VarCharValue", "--output", "text")
    assert out.stdout.strip() == str(sum(1 for r in sales_rows() if r["amount"] > 3))


def test_failed_query_shows_athena_error(aws, sales):
    qid = start(aws, "SELECT nope FROM sales")
    execution = wait(aws, qid)
    assert execution["Status"]["State"] == "FAILED"
    assert execution["Status"]["StateChangeReason"].startswith("COLUMN_NOT_FOUND: line 1:8: ")
    assert execution["Status"]["AthenaError"]["ErrorCategory"] == 2
    failed = aws("athena", "get-query-results", "--query-execution-id", qid, check=False)
    assert failed.returncode != 0
    assert "InvalidRequestException" in failed.stderr and "FAILED" in failed.stderr


def test_start_without_output_location_is_refused(aws, sales):
    out = aws("athena", "start-query-execution", "--query-string", "SELECT 1", check=False)
    assert out.returncode != 0
    assert "InvalidRequestException" in out.stderr
    assert out.stdout == ""


def test_list_and_batch_get_executions(aws, sales):
    ids = [start(aws, f"SELECT count(*) AS n FROM sales WHERE id > {i}") for i in (0, SALES.num_rows - 1)]
    for qid in ids:
        assert wait(aws, qid)["Status"]["State"] == "SUCCEEDED"
    listed = json.loads(aws("athena", "list-query-executions").stdout)["QueryExecutionIds"]
    assert set(ids) <= set(listed)
    batch = json.loads(aws("athena", "batch-get-query-execution", "--query-execution-ids", *ids).stdout)
    assert sorted(e["Query"] for e in batch["QueryExecutions"]) == sorted(
        f"SELECT count(*) AS n FROM sales WHERE id > {i}" for i in (0, SALES.num_rows - 1))
    assert batch["UnprocessedQueryExecutionIds"] == []
