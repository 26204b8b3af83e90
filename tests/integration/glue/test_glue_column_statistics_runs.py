"""Column statistics task runs on a real lakebox: a run reads the table's Parquet data through the SQL
engine and stores what it measured as the table's column statistics; runs are listed per table and
per account, one runs at a time per table, stopping one that is not running is an error, and runs
survive a restart."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import threading
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE, make_s3
from data_quality_helpers import PARQUET_FORMAT
from glue_helpers import make_glue

from lakebox.engines.sql.engine import SqlEngine
from lakebox.engines.sql.errors import QueryError
from lakebox.testing import running_lakebox

DATABASE, TABLE = "shop", "orders"
COLUMNS = [("order_id", "bigint"), ("customer", "string"), ("amount", "double"), ("price", "decimal(10,2)"),
           ("day", "date"), ("paid", "boolean"), ("blob", "binary"), ("tags", "array<string>"),
           ("created_at", "timestamp")]
ROWS = pa.table({
    "order_id": pa.array([1, 2, 3, 3, None], pa.int64()),
    "customer": pa.array(["ann", "bob", None, "ann", "christina"]),
    "amount": pa.array([10.5, -2.0, 30.0, None, 4.0]),
    "price": pa.array([decimal.Decimal("1.50"), decimal.Decimal("-300.25"), None, decimal.Decimal("99.99"),
                       decimal.Decimal("1.50")], pa.decimal128(10, 2)),
    "day": pa.array([dt.date(2024, 3, 1), dt.date(2023, 12, 31), None, None, dt.date(2024, 1, 15)]),
    "paid": pa.array([True, False, True, None, True]),
    "blob": pa.array([b"\x00\x01", b"", None, b"abcd", b"x"]),
    "tags": pa.array([["a"], [], None, ["b", "c"], ["d"]]),
    "created_at": pa.array([dt.datetime(2024, 1, 1)] * 5),
})


def _table_input() -> dict:
    return {"Name": TABLE, "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {"Columns": [{"Name": n, "Type": t} for n, t in COLUMNS],
                                  "Location": "s3://lake/stats/orders/", **PARQUET_FORMAT}}


def _make_table(endpoint: str) -> None:
    s3 = make_s3(endpoint)
    s3.create_bucket(Bucket="lake")
    sink = io.BytesIO()
    pq.write_table(ROWS, sink)
    s3.put_object(Bucket="lake", Key="stats/orders/part-0.parquet", Body=sink.getvalue())
    glue = make_glue(endpoint)
    glue.create_database(DatabaseInput={"Name": DATABASE})
    glue.create_table(DatabaseName=DATABASE, TableInput=_table_input())


@pytest.fixture
def glue(lakebox_server):
    _make_table(lakebox_server.endpoint_url)
    return make_glue(lakebox_server.endpoint_url)


def _wait(glue, run_id: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = glue.get_column_statistics_task_run(ColumnStatisticsTaskRunId=run_id)["ColumnStatisticsTaskRun"]
        if run["Status"] not in ("STARTING", "RUNNING"):
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"column statistics run {run_id} still {run['Status']} after {timeout}s")
        time.sleep(0.05)


def _statistics(glue, *names: str) -> dict:
    found = glue.get_column_statistics_for_table(DatabaseName=DATABASE, TableName=TABLE, ColumnNames=list(names))
    assert found["Errors"] == []
    return {s["ColumnName"]: s["StatisticsData"] for s in found["ColumnStatisticsList"]}


def test_a_run_measures_every_supported_column_from_the_data(glue):
    run_id = glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE,
                                                   Role=ROLE)["ColumnStatisticsTaskRunId"]
    run = _wait(glue, run_id)

    assert run["Status"] == "SUCCEEDED", run.get("ErrorMessage")
    assert run["ColumnNameList"] == ["order_id", "customer", "amount", "price", "day", "paid", "blob"]
    assert run["DatabaseName"] == DATABASE and run["TableName"] == TABLE and run["SampleSize"] == 100.0
    assert run["CustomerId"] == run["CatalogID"] == "000000000000" and run["Role"] == ROLE
    assert run["CreationTime"] <= run["StartTime"] <= run["EndTime"]
    stats = _statistics(glue, *run["ColumnNameList"])
    assert stats["order_id"] == {"Type": "LONG", "LongColumnStatisticsData": {
        "MinimumValue": 1, "MaximumValue": 3, "NumberOfNulls": 1, "NumberOfDistinctValues": 3}}
    assert stats["customer"] == {"Type": "STRING", "StringColumnStatisticsData": {
        "MaximumLength": 9, "AverageLength": 4.5, "NumberOfNulls": 1, "NumberOfDistinctValues": 3}}
    assert stats["amount"] == {"Type": "DOUBLE", "DoubleColumnStatisticsData": {
        "MinimumValue": -2.0, "MaximumValue": 30.0, "NumberOfNulls": 1, "NumberOfDistinctValues": 4}}
    price = stats["price"]["DecimalColumnStatisticsData"]
    assert price["MinimumValue"] == {"UnscaledValue": (-30025).to_bytes(2, "big", signed=True), "Scale": 2}
    assert price["MaximumValue"] == {"UnscaledValue": (9999).to_bytes(2, "big", signed=True), "Scale": 2}
    assert (price["NumberOfNulls"], price["NumberOfDistinctValues"]) == (1, 3)
    day = stats["day"]["DateColumnStatisticsData"]
    assert (day["MinimumValue"].date(), day["MaximumValue"].date()) == (dt.date(2023, 12, 31), dt.date(2024, 3, 1))
    assert (day["NumberOfNulls"], day["NumberOfDistinctValues"]) == (2, 3)
    assert stats["paid"] == {"Type": "BOOLEAN", "BooleanColumnStatisticsData": {
        "NumberOfTrues": 3, "NumberOfFalses": 1, "NumberOfNulls": 1}}
    assert stats["blob"] == {"Type": "BINARY", "BinaryColumnStatisticsData": {
        "MaximumLength": 4, "AverageLength": 1.75, "NumberOfNulls": 1}}
    missing = glue.get_column_statistics_for_table(DatabaseName=DATABASE, TableName=TABLE,
                                                   ColumnNames=["tags", "created_at"])
    assert [e["ColumnName"] for e in missing["Errors"]] == ["tags", "created_at"]   # no statistics shape


def test_a_run_of_named_columns_replaces_only_theirs_and_sees_new_data(glue, lakebox_server):
    _wait(glue, glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE,
                                                      ColumnNameList=["order_id", "paid"])["ColumnStatisticsTaskRunId"])
    sink = io.BytesIO()
    pq.write_table(ROWS.slice(0, 1).set_column(0, "order_id", pa.array([50], pa.int64())), sink)
    make_s3(lakebox_server.endpoint_url).put_object(Bucket="lake", Key="stats/orders/part-1.parquet",
                                                    Body=sink.getvalue())
    run = _wait(glue, glue.start_column_statistics_task_run(
        DatabaseName=DATABASE, TableName=TABLE, Role=ROLE, ColumnNameList=["ORDER_ID"])["ColumnStatisticsTaskRunId"])

    assert run["Status"] == "SUCCEEDED" and run["ColumnNameList"] == ["ORDER_ID"]
    stats = _statistics(glue, "order_id", "paid")
    assert stats["order_id"]["LongColumnStatisticsData"]["MaximumValue"] == 50
    assert stats["paid"]["BooleanColumnStatisticsData"]["NumberOfTrues"] == 3   # the first run's, kept
    assert glue.get_column_statistics_for_table(DatabaseName=DATABASE, TableName=TABLE,
                                                ColumnNames=["customer"])["Errors"][0]["ColumnName"] == "customer"


def test_runs_are_listed_latest_first_per_table_and_per_account(glue):
    first = glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE,
                                                  Role=ROLE)["ColumnStatisticsTaskRunId"]
    _wait(glue, first)
    second = glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE,
                                                   SampleSize=50.0)["ColumnStatisticsTaskRunId"]
    assert _wait(glue, second)["SampleSize"] == 50.0

    runs = glue.get_column_statistics_task_runs(DatabaseName=DATABASE, TableName=TABLE)["ColumnStatisticsTaskRuns"]
    assert [r["ColumnStatisticsTaskRunId"] for r in runs] == [second, first]
    page = glue.get_column_statistics_task_runs(DatabaseName=DATABASE, TableName=TABLE, MaxResults=1)
    assert [r["ColumnStatisticsTaskRunId"] for r in page["ColumnStatisticsTaskRuns"]] == [second]
    rest = glue.get_column_statistics_task_runs(DatabaseName=DATABASE, TableName=TABLE, NextToken=page["NextToken"])
    assert [r["ColumnStatisticsTaskRunId"] for r in rest["ColumnStatisticsTaskRuns"]] == [first]
    assert glue.list_column_statistics_task_runs()["ColumnStatisticsTaskRunIds"] == [second, first]
    assert glue.get_column_statistics_task_runs(DatabaseName=DATABASE,
                                                TableName="other")["ColumnStatisticsTaskRuns"] == []


def _code(exc) -> str:
    return exc.value.response["Error"]["Code"]


def test_bad_starts_and_stops_are_refused(glue):
    with pytest.raises(ClientError) as exc:
        glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName="nope", Role=ROLE)
    assert _code(exc) == "EntityNotFoundException"
    with pytest.raises(ClientError) as exc:
        glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE,
                                              ColumnNameList=["order_id", "discount"])
    assert _code(exc) == "InvalidInputException" and "discount" in exc.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as exc:
        glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE,
                                              ColumnNameList=["tags"])
    assert _code(exc) == "InvalidInputException"
    with pytest.raises(ClientError) as exc:
        glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE, SampleSize=150.0)
    assert _code(exc) == "InvalidInputException"
    assert glue.list_column_statistics_task_runs()["ColumnStatisticsTaskRunIds"] == []   # nothing was started
    with pytest.raises(ClientError) as exc:
        glue.stop_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE)
    assert _code(exc) == "ColumnStatisticsTaskNotRunningException"
    with pytest.raises(ClientError) as exc:
        glue.get_column_statistics_task_run(ColumnStatisticsTaskRunId="no-such-run")
    assert _code(exc) == "EntityNotFoundException"


def test_a_running_run_stops_and_stores_nothing(glue, monkeypatch):
    reading = threading.Event()

    def slow_scan(self, sql, database, *, cancel=None, **options):
        reading.set()   # the run's query is in flight until the run is stopped
        cancel.wait(60)
        raise QueryError("USER_CANCELLED", "Query was cancelled")

    monkeypatch.setattr(SqlEngine, "execute", slow_scan)
    run_id = glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE,
                                                   Role=ROLE)["ColumnStatisticsTaskRunId"]
    assert reading.wait(30)
    with pytest.raises(ClientError) as exc:
        glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE)
    assert _code(exc) == "ColumnStatisticsTaskRunningException"

    glue.stop_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE)

    assert _wait(glue, run_id)["Status"] == "STOPPED"
    assert len(glue.get_column_statistics_for_table(DatabaseName=DATABASE, TableName=TABLE,
                                                    ColumnNames=["order_id"])["Errors"]) == 1
    with pytest.raises(ClientError) as exc:
        glue.stop_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE)
    assert _code(exc) == "ColumnStatisticsTaskNotRunningException"


def test_runs_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        _make_table(server.endpoint_url)
        glue = make_glue(server.endpoint_url)
        run_id = glue.start_column_statistics_task_run(DatabaseName=DATABASE, TableName=TABLE,
                                                       Role=ROLE)["ColumnStatisticsTaskRunId"]
        _wait(glue, run_id)
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        run = glue.get_column_statistics_task_run(ColumnStatisticsTaskRunId=run_id)["ColumnStatisticsTaskRun"]
        assert run["Status"] == "SUCCEEDED"
        assert _statistics(glue, "order_id")["order_id"]["LongColumnStatisticsData"]["MaximumValue"] == 3


# -- task settings and schedules ---------------------------------------------------------------------------

def _settings(glue) -> dict:
    return glue.get_column_statistics_task_settings(DatabaseName=DATABASE,
                                                    TableName=TABLE)["ColumnStatisticsTaskSettings"]


def test_settings_are_created_read_updated_and_deleted(glue):
    glue.create_column_statistics_task_settings(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE,
                                                Schedule="cron(0 2 * * ? *)", ColumnNameList=["order_id"],
                                                SampleSize=25.0)
    assert _settings(glue) == {
        "DatabaseName": DATABASE, "TableName": TABLE, "CatalogID": "000000000000", "Role": ROLE,
        "ColumnNameList": ["order_id"], "SampleSize": 25.0, "SettingSource": "TABLE", "ScheduleType": "CRON",
        "Schedule": {"ScheduleExpression": "cron(0 2 * * ? *)", "State": "SCHEDULED"}}
    with pytest.raises(ClientError) as exc:
        glue.create_column_statistics_task_settings(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE)
    assert _code(exc) == "AlreadyExistsException"

    glue.update_column_statistics_task_settings(DatabaseName=DATABASE, TableName=TABLE, SampleSize=80.0,
                                                Schedule="cron(30 4 ? * MON *)")
    glue.stop_column_statistics_task_run_schedule(DatabaseName=DATABASE, TableName=TABLE)
    settings = _settings(glue)
    assert settings["SampleSize"] == 80.0 and settings["ColumnNameList"] == ["order_id"]
    assert settings["Schedule"] == {"ScheduleExpression": "cron(30 4 ? * MON *)", "State": "NOT_SCHEDULED"}
    glue.start_column_statistics_task_run_schedule(DatabaseName=DATABASE, TableName=TABLE)
    assert _settings(glue)["Schedule"]["State"] == "SCHEDULED"

    glue.delete_column_statistics_task_settings(DatabaseName=DATABASE, TableName=TABLE)
    for call in (glue.get_column_statistics_task_settings, glue.delete_column_statistics_task_settings,
                 glue.start_column_statistics_task_run_schedule):
        with pytest.raises(ClientError) as exc:
            call(DatabaseName=DATABASE, TableName=TABLE)
        assert _code(exc) == "EntityNotFoundException"


def test_bad_settings_are_refused_and_store_nothing(glue):
    for bad in ({"Schedule": "cron(61 2 * * ? *)"}, {"Schedule": "rate(1 day)"}, {"ColumnNameList": ["tags"]},
                {"ColumnNameList": ["nope"]}):
        with pytest.raises(ClientError) as exc:
            glue.create_column_statistics_task_settings(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE, **bad)
        assert _code(exc) == "InvalidInputException", bad
    with pytest.raises(ClientError) as exc:
        glue.create_column_statistics_task_settings(DatabaseName=DATABASE, TableName="nope", Role=ROLE)
    assert _code(exc) == "EntityNotFoundException"
    with pytest.raises(ClientError) as exc:
        _settings(glue)
    assert _code(exc) == "EntityNotFoundException"
    glue.create_column_statistics_task_settings(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE)
    with pytest.raises(ClientError) as exc:   # nothing to schedule
        glue.start_column_statistics_task_run_schedule(DatabaseName=DATABASE, TableName=TABLE)
    assert _code(exc) == "InvalidInputException"
    assert "Schedule" not in _settings(glue)


def test_a_schedule_starts_runs_when_the_service_clock_reaches_it(glue, lakebox_server):
    glue.create_column_statistics_task_settings(DatabaseName=DATABASE, TableName=TABLE, Role=ROLE,
                                                Schedule="cron(0 2 * * ? *)", ColumnNameList=["paid"])
    time.sleep(0.2)
    assert glue.list_column_statistics_task_runs()["ColumnStatisticsTaskRunIds"] == []

    lakebox_server.advance_clock("1d")

    attempt = _settings(glue)["LastExecutionAttempt"]
    assert attempt["Status"] == "STARTED"
    run = _wait(glue, attempt["ColumnStatisticsTaskRunId"])
    assert run["Status"] == "SUCCEEDED" and run["ColumnNameList"] == ["paid"]
    assert _statistics(glue, "paid")["paid"]["BooleanColumnStatisticsData"]["NumberOfFalses"] == 1

    glue.stop_column_statistics_task_run_schedule(DatabaseName=DATABASE, TableName=TABLE)
    lakebox_server.advance_clock("1d")
    assert glue.list_column_statistics_task_runs()["ColumnStatisticsTaskRunIds"] == [run["ColumnStatisticsTaskRunId"]]
