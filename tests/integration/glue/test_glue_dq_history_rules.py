"""Glue Data Quality rules that read earlier runs — dynamic rules (`RowCount > avg(last(3))`) and
DetectAnomalies — and composite rules judged row by row (CompositeRuleEvaluationMethod ROW)."""

from __future__ import annotations

import pytest
from crawler_helpers import make_s3
from data_quality_helpers import evaluated, outcomes, parquet_table, put_table_file
from glue_helpers import make_glue

from lakebox.testing import running_lakebox

DB, TABLE = "dqhist", "events"
COLUMNS = [("event_id", "bigint"), ("amount", "double"), ("code", "bigint")]
EVENTS = {"event_id": [1, 2, 3, 4], "amount": [10.0, 20.0, 30.0, 40.0], "code": [10, 20, 30, 99]}


@pytest.fixture
def lake(lakebox_server):
    endpoint = lakebox_server.endpoint_url
    s3 = make_s3(endpoint)
    s3.create_bucket(Bucket="lake")
    glue = make_glue(endpoint)
    glue.create_database(DatabaseInput={"Name": DB})
    parquet_table(endpoint, glue, DB, TABLE, COLUMNS, EVENTS)
    return glue, s3


def _add_rows(s3, name: str, count: int) -> None:
    """Another Parquet file in the table's folder: the next run reads `count` more rows."""
    rows = {"event_id": list(range(100, 100 + count)), "amount": [5.0] * count, "code": [1] * count}
    put_table_file(s3, "lake", f"{DB}/{TABLE}/{name}.parquet", COLUMNS, rows)


def _run(glue, ruleset: str, **options) -> list[tuple[str, dict, str]]:
    return outcomes(evaluated(glue, DB, TABLE, ruleset, **options))


# -- dynamic rules -------------------------------------------------------------------------------------

DYNAMIC = [
    "RowCount > avg(last(3))",
    "RowCount >= max(last(2))",
    "RowCount = index(last(3), 0)",
    "RowCount > last(3)",
    'Sum "amount" between min(last(5)) - 1 and max(last(5)) + 1',
    "RowCount <= std(last(3)) + 10",
]


def test_dynamic_rules_compare_with_the_earlier_runs_of_the_ruleset(lake):
    glue, s3 = lake
    glue.create_data_quality_ruleset(Name="trend", Ruleset="Rules = [ " + ", ".join(DYNAMIC) + " ]")

    # No earlier run: last(k) is 0.0.
    first = _run(glue, "trend")
    assert [r for r, _, _ in first] == ["PASS", "PASS", "FAIL", "PASS", "FAIL", "PASS"]
    assert first[0][1] == {"Dataset.*.RowCount": 4.0}
    assert first[2][2] == "Value: 4.0 does not meet the constraint requirement!"

    # One earlier run (4 rows, sum 100): the same data is not above its average.
    second = _run(glue, "trend")
    assert [r for r, _, _ in second] == ["FAIL", "PASS", "PASS", "FAIL", "PASS", "PASS"]
    assert second[4][1] == {"Column.amount.Sum": 100.0}

    # Two earlier runs: last(3) is a list of two values, which a comparison cannot take.
    _add_rows(s3, "more", 2)
    third = _run(glue, "trend")
    assert [r for r, _, _ in third] == ["PASS", "PASS", "FAIL", "ERROR", "FAIL", "PASS"]
    assert third[0][1] == {"Dataset.*.RowCount": 6.0}
    assert third[3][2].startswith("Rule threshold results in list, and a single value is expected.")


def test_dynamic_rules_read_only_their_own_rulesets_history(lake):
    glue, _ = lake
    glue.create_data_quality_ruleset(Name="one", Ruleset="Rules = [ RowCount > avg(last(3)) ]")
    glue.create_data_quality_ruleset(Name="two", Ruleset="Rules = [ RowCount > avg(last(3)) ]")
    assert _run(glue, "one")[0][0] == "PASS"
    assert _run(glue, "one")[0][0] == "FAIL"  # 4 is not above the earlier 4
    assert _run(glue, "two")[0][0] == "PASS"  # ruleset two has no history yet


def test_the_history_of_dynamic_rules_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        make_s3(server.endpoint_url).create_bucket(Bucket="lake")
        glue.create_database(DatabaseInput={"Name": DB})
        parquet_table(server.endpoint_url, glue, DB, TABLE, COLUMNS, EVENTS)
        glue.create_data_quality_ruleset(Name="kept", Ruleset="Rules = [ RowCount = index(last(3), 0) ]")
        assert _run(glue, "kept")[0][0] == "FAIL"  # no history: 4 is not 0.0

    with running_lakebox(data, set_env=False) as server:
        assert _run(make_glue(server.endpoint_url), "kept")[0] == ("PASS", {"Dataset.*.RowCount": 4.0}, "")


def test_dynamic_rule_with_an_unknown_function_ends_in_error(lake):
    glue, _ = lake
    glue.create_data_quality_ruleset(Name="bad", Ruleset="Rules = [ RowCount > mode(last(3)), RowCount > 1 ]")
    found = _run(glue, "bad")
    assert found[0][0] == "ERROR" and "mode" in found[0][2]
    assert found[1][0] == "PASS"


# -- DetectAnomalies -----------------------------------------------------------------------------------

def test_detect_anomalies_gathers_history_then_fails_on_an_outlier(lake):
    glue, s3 = lake
    glue.create_data_quality_ruleset(Name="anomalies", Ruleset=(
        'Rules = [ DetectAnomalies "RowCount", DetectAnomalies "Completeness" "amount" ]'))

    for _ in range(3):  # too few earlier values to judge: passes, and records the metrics
        found = _run(glue, "anomalies")
        assert found == [("PASS", {"Dataset.*.RowCount": 4.0}, ""), ("PASS", {"Column.amount.Completeness": 1.0}, "")]

    _add_rows(s3, "burst", 20)
    result = evaluated(glue, DB, TABLE, "anomalies")
    found = outcomes(result)
    assert found[0][:2] == ("FAIL", {"Dataset.*.RowCount": 24.0})
    assert "Dataset.*.RowCount" in found[0][2] and "24.0" in found[0][2]
    assert found[1] == ("PASS", {"Column.amount.Completeness": 1.0}, "")
    observation = result["Observations"][0]["MetricBasedObservation"]
    assert observation["MetricName"] == "Dataset.*.RowCount"
    assert observation["MetricValues"] == {"ActualValue": 24.0, "ExpectedValue": 4.0, "LowerLimit": 4.0,
                                           "UpperLimit": 4.0}


def test_detect_anomalies_of_an_unsupported_rule_type_ends_in_error(lake):
    glue, _ = lake
    glue.create_data_quality_ruleset(Name="odd", Ruleset='Rules = [ DetectAnomalies "IsComplete" "amount" ]')
    found = _run(glue, "odd")
    assert found[0][0] == "ERROR" and "IsComplete" in found[0][2]


# -- composite rules by ROW ----------------------------------------------------------------------------

COMPOSITES = [
    # every row has amount > 25 or code < 25, though neither column alone meets its rule
    '(ColumnValues "amount" > 25) or (ColumnValues "code" < 25)',
    '(ColumnValues "amount" > 25) and (ColumnValues "code" < 25)',
    '(RowCount = 4) and ((ColumnValues "code" in [10, 20, 30]) or (ColumnLength "event_id" = 1))',
    '(Completeness "amount" > 0.5) or (RowCount > 1)',
    '(IsComplete "amount") and (ColumnValues "amount" between 0 and 35 where "code < 50")',
    '(ColumnDataType "code" = "INTEGER") and (ColumnLength "event_id" > 1)',
]


def test_composite_rules_are_judged_per_column_by_default(lake):
    glue, _ = lake
    glue.create_data_quality_ruleset(Name="composites", Ruleset="Rules = [ " + ", ".join(COMPOSITES) + " ]")
    assert [r for r, _, _ in _run(glue, "composites")] == ["FAIL", "FAIL", "PASS", "PASS", "PASS", "FAIL"]


def test_composite_rules_are_judged_per_row_with_the_row_method(lake):
    glue, _ = lake
    glue.create_data_quality_ruleset(Name="composites", Ruleset="Rules = [ " + ", ".join(COMPOSITES) + " ]")

    found = _run(glue, "composites", AdditionalRunOptions={"CompositeRuleEvaluationMethod": "ROW"})

    assert found[0] == ("PASS", {}, "")
    assert found[1] == ("FAIL", {}, "Value: 0.0 does not meet the constraint requirement!")  # no row meets both
    assert found[2] == ("PASS", {}, "")
    assert found[3][0] == "ERROR" and "relies on ratios" in found[3][2]
    assert found[4] == ("PASS", {}, "")
    assert found[5] == ("FAIL", {}, "Value: 0.0 does not meet the constraint requirement!")  # ids are 1 digit
