"""Glue Data Quality rule recommendation runs on a real lakebox: the run reads the table's data and
recommends DQDL rules it meets (RUNNING -> SUCCEEDED), optionally stored as a ruleset; and evaluation
runs that read only the rows a DataSource's pushDownPredicate selects."""

from __future__ import annotations


import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE
from data_quality_helpers import evaluated, glue_source, outcomes, parquet_table, wait_for_run
from glue_helpers import error_of

from lakebox.testing import running_lakebox

DATABASE = "dq"
COLUMNS = [("id", "bigint"), ("status", "string"), ("amount", "double"), ("note", "string"), ("grade", "string")]
ROWS = {
    "id": list(range(1, 41)),
    "status": ["NEW", "SHIPPED"] * 20,
    "amount": [float(i) for i in range(1, 41)],
    "note": [None if i % 4 == 0 else f"note-{i}" for i in range(1, 41)],
    "grade": [None if i % 4 == 0 else "ABC"[i % 3] for i in range(1, 41)],
}


@pytest.fixture
def table(glue, s3, lakebox_server):
    glue.create_database(DatabaseInput={"Name": DATABASE})
    parquet_table(lakebox_server.endpoint_url, glue, DATABASE, "orders", COLUMNS, ROWS)
    return "orders"


def wait_for_recommendation(glue, run_id: str, timeout: float = 60.0) -> dict:
    return wait_for_run(glue, run_id, timeout, recommendation=True)


def recommended(glue, table: str, **params) -> dict:
    run_id = glue.start_data_quality_rule_recommendation_run(
        DataSource=glue_source(DATABASE, table), Role=ROLE, **params)["RunId"]
    run = wait_for_recommendation(glue, run_id)
    assert run["Status"] == "SUCCEEDED", run.get("ErrorString")
    return run


def rules_of(ruleset: str) -> list[str]:
    body = ruleset.strip()
    assert body.startswith("Rules = [") and body.endswith("]")
    return [line.strip().rstrip(",") for line in body[len("Rules = ["):-1].strip().splitlines()]


def test_recommendation_run_recommends_rules_from_the_data(glue, table):
    run = recommended(glue, table)
    assert run["CompletedOn"] >= run["StartedOn"] and run["ExecutionTime"] >= 0
    assert "CreatedRulesetName" not in run
    rules = rules_of(run["RecommendedRuleset"])
    assert rules[0] == "RowCount between 20 and 80"
    assert 'IsComplete "id"' in rules and 'Uniqueness "id" > 0.95' in rules
    assert 'ColumnValues "id" <= 40' in rules and 'ColumnValues "id" >= 0' in rules
    assert 'ColumnValues "status" in ["NEW", "SHIPPED"]' in rules
    assert not any(rule.startswith('ColumnLength "status"') for rule in rules)  # its values are listed
    assert 'ColumnLength "note" between 5 and 8' in rules
    # A quarter of the notes are missing: completeness is kept at its 95% lower bound, not required.
    assert 'IsComplete "note"' not in rules
    assert 'Completeness "note" >= 0.61' in rules
    assert 'Uniqueness "note" > 0.95' not in rules
    assert 'ColumnValues "grade" in ["A", "B", "C", NULL]' in rules
    assert any(rule.startswith('StandardDeviation "amount" between ') for rule in rules)


def test_recommended_rules_all_pass_when_evaluated_on_the_same_data(glue, table):
    run = recommended(glue, table, CreatedRulesetName="orders-recommended")
    assert run["CreatedRulesetName"] == "orders-recommended"
    ruleset = glue.get_data_quality_ruleset(Name="orders-recommended")
    assert ruleset["Ruleset"] == run["RecommendedRuleset"]
    assert ruleset["RecommendationRunId"] == run["RunId"]
    assert ruleset["TargetTable"] == {"DatabaseName": DATABASE, "TableName": table}
    result = evaluated(glue, DATABASE, table, "orders-recommended")
    assert [outcome for outcome, _, _ in outcomes(result)] == ["PASS"] * len(rules_of(run["RecommendedRuleset"]))


def test_created_ruleset_name_already_taken_fails_the_run(glue, table):
    glue.create_data_quality_ruleset(Name="taken", Ruleset="Rules = [ RowCount > 0 ]")
    run_id = glue.start_data_quality_rule_recommendation_run(
        DataSource=glue_source(DATABASE, table), Role=ROLE, CreatedRulesetName="taken")["RunId"]
    run = wait_for_recommendation(glue, run_id)
    assert run["Status"] == "FAILED" and "taken" in run["ErrorString"]
    assert glue.get_data_quality_ruleset(Name="taken")["Ruleset"] == "Rules = [ RowCount > 0 ]"


def test_missing_table_is_entity_not_found(glue, table):
    with pytest.raises(ClientError) as exc:
        glue.start_data_quality_rule_recommendation_run(DataSource=glue_source(DATABASE, "nope"), Role=ROLE)
    assert error_of(exc)[1] == "EntityNotFoundException"


def test_unknown_run_is_entity_not_found(glue):
    for call in (glue.get_data_quality_rule_recommendation_run, glue.cancel_data_quality_rule_recommendation_run):
        with pytest.raises(ClientError) as exc:
            call(RunId="dqrun-0000")
        assert error_of(exc)[1] == "EntityNotFoundException"


def test_list_recommendation_runs_latest_first_and_by_table(glue, table, lakebox_server):
    parquet_table(lakebox_server.endpoint_url, glue, DATABASE, "other", COLUMNS, ROWS)
    first = recommended(glue, table)["RunId"]
    second = recommended(glue, "other")["RunId"]
    runs = glue.list_data_quality_rule_recommendation_runs()["Runs"]
    assert [r["RunId"] for r in runs] == [second, first]
    assert set(runs[0]) == {"RunId", "Status", "StartedOn", "DataSource"}
    only = glue.list_data_quality_rule_recommendation_runs(Filter={"DataSource": glue_source(DATABASE, table)})
    assert [r["RunId"] for r in only["Runs"]] == [first]
    # Recommendation runs are not evaluation runs.
    assert glue.list_data_quality_ruleset_evaluation_runs()["Runs"] == []


def test_same_client_token_answers_with_the_same_run(glue, table):
    params = {"DataSource": glue_source(DATABASE, table), "Role": ROLE, "ClientToken": "token-1"}
    first = glue.start_data_quality_rule_recommendation_run(**params)["RunId"]
    assert glue.start_data_quality_rule_recommendation_run(**params)["RunId"] == first
    assert "ClientToken" not in wait_for_recommendation(glue, first)


def test_recommendation_run_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data) as server:
        from crawler_helpers import make_s3
        from glue_helpers import make_glue

        make_s3(server.endpoint_url).create_bucket(Bucket="lake")
        glue = make_glue(server.endpoint_url)
        glue.create_database(DatabaseInput={"Name": DATABASE})
        parquet_table(server.endpoint_url, glue, DATABASE, "orders", COLUMNS, ROWS)
        run = recommended(glue, "orders")
    with running_lakebox(data) as server:
        from glue_helpers import make_glue

        again = make_glue(server.endpoint_url).get_data_quality_rule_recommendation_run(RunId=run["RunId"])
        assert again["RecommendedRuleset"] == run["RecommendedRuleset"] and again["Status"] == "SUCCEEDED"


# -- pushDownPredicate ---------------------------------------------------------------------------------

def partitioned_table(glue, s3, endpoint: str, key_type: str = "string") -> None:
    """dq.parts partitioned by c2 (of `key_type`): two rows in c2=0, two in c2=1."""
    from data_quality_helpers import PARQUET_FORMAT, put_table_file

    glue.create_database(DatabaseInput={"Name": DATABASE})
    for part, values in (("0", [0, 1]), ("1", [2, 3])):
        put_table_file(s3, "lake", f"dq/parts/c2={part}/part-0.parquet", [("c0", "bigint")], {"c0": values})
    glue.create_table(DatabaseName=DATABASE, TableInput={
        "Name": "parts", "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
        "PartitionKeys": [{"Name": "c2", "Type": key_type}],
        "StorageDescriptor": {"Columns": [{"Name": "c0", "Type": "bigint"}], "Location": "s3://lake/dq/parts/",
                              **PARQUET_FORMAT}})
    for part in ("0", "1"):
        glue.create_partition(DatabaseName=DATABASE, TableName="parts", PartitionInput={
            "Values": [part], "StorageDescriptor": {"Columns": [{"Name": "c0", "Type": "bigint"}],
                                                    "Location": f"s3://lake/dq/parts/c2={part}/", **PARQUET_FORMAT}})


@pytest.mark.parametrize("key_type", ["string", "bigint"])
def test_push_down_predicate_selects_the_rows_evaluated(glue, s3, lakebox_server, key_type):
    # Spark compares an int partition with the string '0' by casting the string, as Glue's reader does.
    partitioned_table(glue, s3, lakebox_server.endpoint_url, key_type)
    glue.create_data_quality_ruleset(Name="few", Ruleset='Rules = [ RowCount between 1 and 3, ColumnValues "c0" <= 1 ]')
    source = {"GlueTable": {"DatabaseName": DATABASE, "TableName": "parts",
                            "AdditionalOptions": {"pushDownPredicate": "(c2 == '0')"}}}
    run_id = glue.start_data_quality_ruleset_evaluation_run(DataSource=source, Role=ROLE, RulesetNames=["few"])["RunId"]
    run = wait_for_run(glue, run_id)
    assert run["Status"] == "SUCCEEDED", run.get("ErrorString")
    result = glue.get_data_quality_result(ResultId=run["ResultIds"][0])
    assert [(o, m) for o, m, _ in outcomes(result)] == [
        ("PASS", {"Dataset.*.RowCount": 2.0}), ("PASS", {"Column.c0.Maximum": 1.0})]
    # Without the predicate all four rows count.
    whole = evaluated(glue, DATABASE, "parts", "few")
    assert [o for o, _, _ in outcomes(whole)] == ["FAIL", "FAIL"]


def test_invalid_push_down_predicate_fails_the_run(glue, s3, lakebox_server):
    partitioned_table(glue, s3, lakebox_server.endpoint_url)
    glue.create_data_quality_ruleset(Name="few", Ruleset="Rules = [ RowCount > 0 ]")
    source = {"GlueTable": {"DatabaseName": DATABASE, "TableName": "parts",
                            "AdditionalOptions": {"pushDownPredicate": "c2 == == '0'"}}}
    run_id = glue.start_data_quality_ruleset_evaluation_run(DataSource=source, Role=ROLE, RulesetNames=["few"])["RunId"]
    run = wait_for_run(glue, run_id)
    assert run["Status"] == "FAILED" and "pushDownPredicate" in run["ErrorString"]
