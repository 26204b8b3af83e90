"""Dynamic DQDL conditions resolved over a metric's earlier values (most recent first), one line per case."""

from __future__ import annotations

import pytest

from lakebox.services.glue.dq_conditions import Unsupported
from lakebox.services.glue.dq_dynamic import history_of, resolved, rule_history
from lakebox.services.glue.dqdl import parse_ruleset

METRIC = "Dataset.*.RowCount"


def _bounds(condition_text: str, earlier: list[float]) -> list:
    rule = parse_ruleset(f"Rules = [ RowCount {condition_text} ]").rules[0]
    with rule_history(lambda metric: earlier if metric == METRIC else []):
        return [o.value for o in resolved(rule.condition, METRIC).operands]


@pytest.mark.parametrize("condition, earlier, expected", [
    ("> last()", [5.0, 3.0], [5.0]),
    ("> last(1)", [], [0.0]),                       # no earlier value: 0.0
    ("> avg(last(3))", [], [0.0]),
    ("> avg(last(3))", [6.0, 3.0], [4.5]),          # fewer than k: all of them
    ("> avg(last(2))", [6.0, 2.0, 100.0], [4.0]),
    ("> median(last(3))", [1.0, 9.0, 4.0], [4.0]),
    ("> min(last(3))", [1.0, 9.0, 4.0], [1.0]),
    ("> max(last(3))", [1.0, 9.0, 4.0], [9.0]),
    ("> sum(last(3))", [1.0, 9.0, 4.0], [14.0]),
    ("> std(last(2))", [2.0, 4.0], [1.0]),          # the population's
    ("> abs(index(last(3), 1) - 10)", [1.0, 4.0], [6.0]),
    ("> avg(last(10)) * 0.8", [10.0, 10.0], [8.0]),
    ("between min(last(10)) - 1 and max(last(10)) + 1", [3.0, 5.0], [2.0, 6.0]),
    ("= index(last(3), 0)", [7.0, 8.0], [7.0]),
    ("> 4", [1.0], [4.0]),                           # nothing dynamic
])
def test_dynamic_operand_value(condition, earlier, expected):
    assert _bounds(condition, earlier) == pytest.approx(expected)


@pytest.mark.parametrize("condition, earlier, message", [
    ("> last(3)", [1.0, 2.0], "Rule threshold results in list"),
    ("= index(last(3), 3)", [1.0, 2.0, 3.0], "out of bounds"),
    ("> last(0)", [1.0], "natural number"),
    ("> mode(last(3))", [1.0], "Unknown function"),
])
def test_dynamic_operand_error(condition, earlier, message):
    with pytest.raises(Unsupported, match=message):
        _bounds(condition, earlier)


def test_history_of_reads_the_rule_by_its_text_and_inside_composites():
    earlier = [
        {"RuleResults": [{"Description": "RowCount > 1", "EvaluatedMetrics": {METRIC: 9.0}},
                         {"Description": "RowCount > avg(last(3))", "EvaluatedMetrics": {METRIC: 5.0}}]},
        {"RuleResults": [{"Description": "(RowCount > avg(last(3))) and (IsComplete \"a\")",
                          "EvaluatedMetrics": {METRIC: 4.0, "Column.a.Completeness": 1.0}}]},
        {"RuleResults": [{"Description": "RowCount > avg(last(3))", "Result": "ERROR", "EvaluatedMetrics": {}}]},
    ]
    assert history_of(earlier, "RowCount > avg(last(3))")(METRIC) == [5.0, 4.0]
    assert history_of(earlier, "RowCount > 2")(METRIC) == []
