"""Glue Data Quality on a real lakebox: rulesets (DQDL checked at create and update), evaluation runs
that read a catalog table's Parquet data through the SQL engine, their results, results written to
S3, and everything surviving a restart."""

from __future__ import annotations

import datetime as dt
import json
import math
import time

import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE, make_s3, put_parquet
from data_quality_helpers import glue_source, wait_for_run
from glue_helpers import error_of, make_glue

from lakebox.services.glue.dq_store import DataQualityStore
from lakebox.testing import running_lakebox

DATABASE, TABLE = "shop", "orders"
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)

#: Four orders: one customer missing (completeness 0.75), "LOST" outside the known statuses, two NEW.
ORDERS = {
    "order_id": [1, 2, 3, 4],
    "customer": ["ann", "bob", None, "dee"],
    "status": ["NEW", "SHIPPED", "NEW", "LOST"],
    "amount": [10.0, 20.0, 30.0, 40.0],
    "code": ["A1", "B22", "C3", "D4"],
    "created_at": [NOW - dt.timedelta(hours=1), NOW - dt.timedelta(hours=2), NOW - dt.timedelta(hours=30), None],
}
COLUMNS = [("order_id", "bigint"), ("customer", "string"), ("status", "string"), ("amount", "double"),
           ("code", "string"), ("created_at", "timestamp")]

#: rule text -> (Result, EvaluatedMetrics), in ruleset order.
EXPECTED = [
    ('RowCount = 4', "PASS", {"Dataset.*.RowCount": 4.0}),
    ('IsComplete "customer"', "FAIL", {"Column.customer.Completeness": 0.75}),
    ('Completeness "customer" > 0.7', "PASS", {"Column.customer.Completeness": 0.75}),
    ('IsUnique "order_id"', "PASS", {"Column.order_id.Uniqueness": 1.0}),
    ('Uniqueness "status" > 0.9', "FAIL", {"Column.status.Uniqueness": 0.5}),
    ('IsPrimaryKey "order_id"', "PASS", {"Column.order_id.Uniqueness": 1.0, "Column.order_id.Completeness": 1.0}),
    ('ColumnValues "status" in ["NEW","SHIPPED"]', "FAIL", {"Column.status.ColumnValues.Compliance": 0.75}),
    ('ColumnValues "status" in ["NEW","SHIPPED"] with threshold > 0.7', "PASS",
     {"Column.status.ColumnValues.Compliance": 0.75}),
    ('ColumnValues "amount" between 5 and 50', "PASS", {"Column.amount.ColumnValues.Compliance": 1.0}),
    ('ColumnValues "amount" > 15', "FAIL", {"Column.amount.Minimum": 10.0}),
    ('ColumnValues "code" matches "[A-D][0-9]+"', "PASS", {"Column.code.ColumnValues.Compliance": 1.0}),
    ('ColumnLength "code" between 1 and 4', "PASS", {"Column.code.MinimumLength": 2.0,
                                                     "Column.code.MaximumLength": 3.0}),
    ('Mean "amount" = 25', "PASS", {"Column.amount.Mean": 25.0}),
    ('Sum "amount" between 99 and 101', "PASS", {"Column.amount.Sum": 100.0}),
    ('StandardDeviation "amount" < 10', "FAIL", {"Column.amount.StandardDeviation": math.sqrt(125)}),
    ('DistinctValuesCount "status" = 3', "PASS", {"Column.status.DistinctValuesCount": 3.0}),
    ('UniqueValueRatio "status" > 0.5', "PASS", {"Column.status.UniqueValueRatio": 2 / 3}),
    ('ColumnExists "amount"', "PASS", {}),
    ('ColumnExists "discount"', "FAIL", {}),
    ('ColumnCount = 6', "PASS", {"Dataset.*.ColumnCount": 6.0}),
    ('ColumnDataType "order_id" = "INTEGER"', "PASS", {"Column.order_id.ColumnDataType.Compliance": 1.0}),
    ('ColumnDataType "code" = "INTEGER" with threshold > 0.5', "FAIL", {"Column.code.ColumnDataType.Compliance": 0.0}),
    ('CustomSql "select count(*) from primary where amount > 15" = 3', "PASS", {"Dataset.*.CustomSQL": 3.0}),
    ('DataFreshness "created_at" <= 24 hours', "FAIL", {"Column.created_at.DataFreshness.Compliance": 0.5}),
    ('Completeness "customer" > 0.9 where "amount > 15"', "FAIL", {"Column.customer.Completeness": 2 / 3}),
    ('(IsComplete "order_id") and (ColumnValues "amount" > 0)', "PASS",
     {"Column.order_id.Completeness": 1.0, "Column.amount.Minimum": 10.0}),
    ('(IsComplete "customer") or (RowCount > 100)', "FAIL",
     {"Column.customer.Completeness": 0.75, "Dataset.*.RowCount": 4.0}),
]
RULESET = "Rules = [\n    " + ",\n    ".join(text for text, _, _ in EXPECTED) + "\n]"
SMALL_RULESET = 'Rules = [ RowCount > 0, IsComplete "customer" ]'


def _table_input() -> dict:
    return {"Name": TABLE, "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {
                "Columns": [{"Name": n, "Type": t} for n, t in COLUMNS], "Location": "s3://lake/dq/orders/",
                "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}}


def _make_table(endpoint: str) -> None:
    s3 = make_s3(endpoint)
    s3.create_bucket(Bucket="lake")
    put_parquet(s3, "lake", "dq/orders/part-0.parquet", ORDERS)
    glue = make_glue(endpoint)
    glue.create_database(DatabaseInput={"Name": DATABASE})
    glue.create_table(DatabaseName=DATABASE, TableInput=_table_input())


def _source() -> dict:
    return glue_source(DATABASE, TABLE)


_wait = wait_for_run


@pytest.fixture
def glue(lakebox_server):
    _make_table(lakebox_server.endpoint_url)
    return make_glue(lakebox_server.endpoint_url)


def _evaluate(glue, *names: str, **options) -> dict:
    run_id = glue.start_data_quality_ruleset_evaluation_run(
        DataSource=_source(), Role=ROLE, RulesetNames=list(names), **options)["RunId"]
    run = _wait(glue, run_id)
    assert run["Status"] == "SUCCEEDED", run.get("ErrorString")
    return run


# -- evaluation ----------------------------------------------------------------------------------------

def test_evaluation_run_judges_each_rule_from_the_table_data(glue):
    glue.create_data_quality_ruleset(Name="orders-checks", Ruleset=RULESET,
                                     TargetTable={"DatabaseName": DATABASE, "TableName": TABLE})
    glue.create_data_quality_ruleset(Name="orders-small", Ruleset=SMALL_RULESET)

    run = _evaluate(glue, "orders-checks", "orders-small")

    assert run["RulesetNames"] == ["orders-checks", "orders-small"]
    assert run["CompletedOn"] >= run["StartedOn"] and run["ExecutionTime"] >= 0
    assert len(run["ResultIds"]) == 2
    result = glue.get_data_quality_result(ResultId=run["ResultIds"][0])
    assert result["RulesetName"] == "orders-checks" and result["RulesetEvaluationRunId"] == run["RunId"]
    assert result["DataSource"] == _source() and "JobName" not in result
    rules = result["RuleResults"]
    assert [r["Name"] for r in rules] == [f"Rule_{i}" for i in range(1, len(EXPECTED) + 1)]
    for rule, (text, outcome, metrics) in zip(rules, EXPECTED):
        assert rule["Description"] == text
        assert rule["Result"] == outcome, (text, rule)
        assert rule["EvaluatedMetrics"] == pytest.approx(metrics), text
        assert ("EvaluationMessage" in rule) == (outcome != "PASS"), text
    passed = sum(1 for _, outcome, _ in EXPECTED if outcome == "PASS")
    assert result["Score"] == pytest.approx(passed / len(EXPECTED))


def test_failed_rules_say_which_value_missed_the_constraint(glue):
    glue.create_data_quality_ruleset(Name="messages", Ruleset=(
        'Rules = [ IsComplete "customer", ColumnValues "amount" > 15, ColumnExists "discount", '
        'CustomSql "select nope from primary" > 0 ]'))

    result = glue.get_data_quality_result(ResultId=_evaluate(glue, "messages")["ResultIds"][0])

    messages = [(r["Result"], r.get("EvaluationMessage")) for r in result["RuleResults"]]
    assert messages[0] == ("FAIL", "Value: 0.75 does not meet the constraint requirement!")
    assert messages[1] == ("FAIL", "Value: 10.0 does not meet the constraint requirement!")
    assert messages[2] == ("FAIL", "Input data does not include column discount!")
    assert messages[3][0] == "ERROR" and "nope" in messages[3][1]
    assert result["Score"] == 0.0


def test_results_are_written_under_the_results_s3_prefix(glue, lakebox_server):
    glue.create_data_quality_ruleset(Name="small", Ruleset=SMALL_RULESET)

    run = _evaluate(glue, "small", AdditionalRunOptions={"CloudWatchMetricsEnabled": False,
                                                          "ResultsS3Prefix": "s3://lake/dq-results/"})

    result_id = run["ResultIds"][0]
    body = make_s3(lakebox_server.endpoint_url).get_object(Bucket="lake", Key=f"dq-results/{result_id}.json")["Body"]
    written = json.loads(body.read())
    assert written["ResultId"] == result_id and written["RulesetName"] == "small"
    assert [r["Result"] for r in written["RuleResults"]] == ["PASS", "FAIL"]


def test_results_are_listed_and_fetched_in_batches(glue):
    glue.create_data_quality_ruleset(Name="small", Ruleset=SMALL_RULESET)
    first, second = _evaluate(glue, "small"), _evaluate(glue, "small")
    ids = [second["ResultIds"][0], first["ResultIds"][0]]

    listed = glue.list_data_quality_results(Filter={"DataSource": _source()})["Results"]
    assert [r["ResultId"] for r in listed] == ids  # the latest first
    assert glue.list_data_quality_results(Filter={"StartedAfter": NOW + dt.timedelta(days=1)})["Results"] == []
    other = {"GlueTable": {"DatabaseName": DATABASE, "TableName": "other"}}
    assert glue.list_data_quality_results(Filter={"DataSource": other})["Results"] == []

    batch = glue.batch_get_data_quality_result(ResultIds=[*ids, "dqresult-missing"])
    assert sorted(r["ResultId"] for r in batch["Results"]) == sorted(ids)
    assert batch["ResultsNotFound"] == ["dqresult-missing"]
    runs = glue.list_data_quality_ruleset_evaluation_runs(Filter={"DataSource": _source()})["Runs"]
    assert [r["RunId"] for r in runs] == [second["RunId"], first["RunId"]]
    assert {r["Status"] for r in runs} == {"SUCCEEDED"}


def test_start_with_a_missing_table_or_ruleset_is_entity_not_found(glue):
    glue.create_data_quality_ruleset(Name="small", Ruleset=SMALL_RULESET)
    missing_table = {"GlueTable": {"DatabaseName": DATABASE, "TableName": "nope"}}
    with pytest.raises(ClientError) as exc:
        glue.start_data_quality_ruleset_evaluation_run(DataSource=missing_table, Role=ROLE, RulesetNames=["small"])
    assert error_of(exc) == (400, "EntityNotFoundException", "Table nope not found.")
    with pytest.raises(ClientError) as exc:
        glue.start_data_quality_ruleset_evaluation_run(DataSource=_source(), Role=ROLE, RulesetNames=["nope"])
    assert error_of(exc)[1] == "EntityNotFoundException"
    with pytest.raises(ClientError) as exc:
        glue.get_data_quality_ruleset_evaluation_run(RunId="dqrun-nope")
    assert error_of(exc)[1] == "EntityNotFoundException"


def test_cancelling_a_running_run_stops_its_query(glue):
    endless = ("select count(*) from primary cross join unnest(sequence(1, 10000)) a(x) "
               "cross join unnest(sequence(1, 10000)) b(y) cross join unnest(sequence(1, 10000)) c(z)")
    glue.create_data_quality_ruleset(Name="slow", Ruleset=f'Rules = [ CustomSql "{endless}" > 0 ]')
    run_id = glue.start_data_quality_ruleset_evaluation_run(DataSource=_source(), Role=ROLE,
                                                            RulesetNames=["slow"])["RunId"]
    deadline = time.monotonic() + 30
    while glue.get_data_quality_ruleset_evaluation_run(RunId=run_id)["Status"] == "STARTING":
        assert time.monotonic() < deadline
        time.sleep(0.05)

    glue.cancel_data_quality_ruleset_evaluation_run(RunId=run_id)

    run = _wait(glue, run_id, timeout=30)
    assert run["Status"] == "STOPPED" and "ResultIds" not in run


def test_cancelling_an_ended_run_leaves_it_as_it_ended(glue):
    glue.create_data_quality_ruleset(Name="small", Ruleset=SMALL_RULESET)
    run = _evaluate(glue, "small")
    glue.cancel_data_quality_ruleset_evaluation_run(RunId=run["RunId"])
    assert glue.get_data_quality_ruleset_evaluation_run(RunId=run["RunId"])["Status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as exc:
        glue.cancel_data_quality_ruleset_evaluation_run(RunId="dqrun-nope")
    assert error_of(exc)[1] == "EntityNotFoundException"


# -- rulesets ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Rules = [ IsComplet \"a\" ]",          # no such rule type
    "Rules = [ RowCount ]",                 # a number rule without its condition
    "Rules = [ IsComplete \"a\" > 0.5 ]",   # a boolean rule with one
    "Rules = [ ColumnValues \"a\" in [\"x\" ]",
    "Rules = [ ]",
    "IsComplete \"a\"",
])
def test_ruleset_that_is_not_valid_dqdl_is_invalid_input(glue, text):
    with pytest.raises(ClientError) as exc:
        glue.create_data_quality_ruleset(Name="bad", Ruleset=text)
    assert error_of(exc)[:2] == (400, "InvalidInputException")
    with pytest.raises(ClientError):
        glue.get_data_quality_ruleset(Name="bad")


def test_ruleset_create_get_update_delete(glue):
    glue.create_data_quality_ruleset(Name="r1", Ruleset=SMALL_RULESET, Description="first",
                                     TargetTable={"DatabaseName": DATABASE, "TableName": TABLE})
    got = glue.get_data_quality_ruleset(Name="r1")
    assert (got["Name"], got["Ruleset"], got["Description"]) == ("r1", SMALL_RULESET, "first")
    assert got["TargetTable"] == {"DatabaseName": DATABASE, "TableName": TABLE}
    assert got["CreatedOn"] == got["LastModifiedOn"]

    with pytest.raises(ClientError) as exc:
        glue.create_data_quality_ruleset(Name="r1", Ruleset=SMALL_RULESET)
    assert error_of(exc)[1] == "AlreadyExistsException"
    with pytest.raises(ClientError) as exc:
        glue.update_data_quality_ruleset(Name="r1", Ruleset="Rules = [ Nope ]")
    assert error_of(exc)[1] == "InvalidInputException"

    updated = glue.update_data_quality_ruleset(Name="r1", Ruleset="Rules = [ RowCount > 1 ]", Description="second")
    assert (updated["Ruleset"], updated["Description"]) == ("Rules = [ RowCount > 1 ]", "second")
    assert glue.get_data_quality_ruleset(Name="r1")["LastModifiedOn"] >= got["LastModifiedOn"]

    glue.delete_data_quality_ruleset(Name="r1")
    for call in (glue.get_data_quality_ruleset, glue.delete_data_quality_ruleset):
        with pytest.raises(ClientError) as exc:
            call(Name="r1")
        assert error_of(exc)[1] == "EntityNotFoundException"
    with pytest.raises(ClientError) as exc:
        glue.update_data_quality_ruleset(Name="r1", Description="x")
    assert error_of(exc)[1] == "EntityNotFoundException"


def test_list_rulesets_filters_and_pages(glue):
    target = {"DatabaseName": DATABASE, "TableName": TABLE}
    for i in range(5):
        glue.create_data_quality_ruleset(Name=f"r{i}", Ruleset=SMALL_RULESET, Tags={"team": "a" if i % 2 else "b"},
                                         **({"TargetTable": target} if i < 3 else {}))

    names, token = [], None
    while True:
        page = glue.list_data_quality_rulesets(MaxResults=2, **({"NextToken": token} if token else {}))
        names += [r["Name"] for r in page["Rulesets"]]
        token = page.get("NextToken")
        if not token:
            break
    assert names == ["r0", "r1", "r2", "r3", "r4"]
    aimed = glue.list_data_quality_rulesets(Filter={"TargetTable": target})["Rulesets"]
    assert [r["Name"] for r in aimed] == ["r0", "r1", "r2"]
    assert aimed[0]["RuleCount"] == 2 and aimed[0]["TargetTable"] == target
    assert [r["Name"] for r in glue.list_data_quality_rulesets(Filter={"Name": "r3"})["Rulesets"]] == ["r3"]
    assert [r["Name"] for r in glue.list_data_quality_rulesets(Tags={"team": "a"})["Rulesets"]] == ["r1", "r3"]


# -- durability ----------------------------------------------------------------------------------------

def test_rulesets_runs_and_results_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        _make_table(server.endpoint_url)
        glue = make_glue(server.endpoint_url)
        glue.create_data_quality_ruleset(Name="kept", Ruleset=SMALL_RULESET, Description="survives")
        run = _evaluate(glue, "kept")
        result = glue.get_data_quality_result(ResultId=run["ResultIds"][0])
    assert (data / ".lakebox" / "glue" / "data_quality.db").is_file()

    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        assert glue.get_data_quality_ruleset(Name="kept")["Description"] == "survives"
        assert glue.get_data_quality_ruleset_evaluation_run(RunId=run["RunId"])["Status"] == "SUCCEEDED"
        again = glue.get_data_quality_result(ResultId=run["ResultIds"][0])
        for key in ("Score", "RuleResults", "StartedOn", "CompletedOn", "RulesetName"):
            assert again[key] == result[key]


def test_a_run_that_a_crash_left_running_ends_failed_at_the_next_start(tmp_path):
    data = tmp_path / "data"
    started = dt.datetime.now(dt.timezone.utc)
    store = DataQualityStore(data / ".lakebox" / "glue" / "data_quality.db")
    with store.write() as db:  # what a process killed mid-run leaves behind
        store.put_run(db, "us-east-1:000000000000", {
            "RunId": "dqrun-crashed", "DataSource": _source(), "Role": ROLE, "Status": "RUNNING",
            "StartedOn": started, "LastModifiedOn": started, "RulesetNames": ["kept"]})
    store.close()

    with running_lakebox(data, set_env=False) as server:
        run = make_glue(server.endpoint_url).get_data_quality_ruleset_evaluation_run(RunId="dqrun-crashed")
    assert run["Status"] == "FAILED" and "stopped" in run["ErrorString"]
    assert run["CompletedOn"] >= run["StartedOn"]
