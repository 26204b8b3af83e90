"""Evaluate a parsed ruleset over a catalog table: rule results in GetDataQualityResult's shape, and the
score.

Why batched: most rules are a few aggregates over the same rows, so the plans of all rules that read
the same rows (the table, or one `where` subset) run as one `SELECT agg, agg, ... FROM "db"."table"`,
one scan. If that query fails (a rule's SQL the engine refuses, a bad `where`), each of its rules is run
alone, so that only the rule at fault ends in ERROR. A composite rule is judged as Glue's default
(COLUMN) method does: each nested rule on the whole dataset, then `and` / `or` of their results; with
the ROW method, row by row (dq_row_composite.py).

The rule types are dq_rules.py's, plus those that compare with reference datasets (dq_reference.py),
those about the table's files (dq_files.py) and DetectAnomalies (dq_anomalies.py). Each rule is
planned and judged with its own history, the earlier results of the same ruleset on the same table,
which dynamic conditions and DetectAnomalies read (dq_dynamic.py).
"""

from __future__ import annotations

from typing import Optional

from .dq_anomalies import ANOMALY_HANDLERS
from .dq_conditions import Unsupported
from .dq_dynamic import History, history_of, no_history, rule_history
from .dq_files import FILE_HANDLERS
from .dq_reference import REFERENCE_HANDLERS
from .dq_row_composite import row_outcome
from .dq_rules import HANDLERS, Dataset, Handler, Outcome, Plan, QueryFailed, Rows, plan_rule
from .dqdl_model import AnyRule, Composite, Rule, Ruleset, leaves

#: Every rule type lakebox evaluates, and its handler.
ALL_HANDLERS: dict[str, Handler] = {**HANDLERS, **REFERENCE_HANDLERS, **ANOMALY_HANDLERS, **FILE_HANDLERS}


class Cancelled(Exception):
    """The run was cancelled (or timed out) while a query ran; no result is kept."""


def evaluate(ruleset: Ruleset, data: Dataset, earlier: Optional[list[dict]] = None,
             composite_method: str = "COLUMN") -> dict:
    """`RuleResults`, `Score`, `AggregatedMetrics` (and `Observations`, when DetectAnomalies found
    any) of the ruleset over the dataset. `earlier`: the results of earlier runs of this ruleset on
    this table, the most recent first."""
    unique: dict[Rule, None] = {}
    for rule in ruleset.rules:
        unique.update((leaf, None) for leaf in leaves(rule))
    earlier = earlier or []
    histories = {rule: history_of(earlier, str(rule)[:2048]) for rule in unique}
    outcomes = measure(list(unique), data, histories)
    final = [_outcome(rule, data, outcomes, composite_method) for rule in ruleset.rules]
    results = [rule_result(number, rule, outcome)
               for number, (rule, outcome) in enumerate(zip(ruleset.rules, final), 1)]
    passed = sum(1 for r in results if r["Result"] == "PASS")
    answer: dict = {"RuleResults": results, "AggregatedMetrics": {
        "TotalRulesProcessed": float(len(results)), "TotalRulesPassed": float(passed),
        "TotalRulesFailed": float(len(results) - passed)}}
    if results:
        answer["Score"] = passed / len(results)
    observations = [o for outcome in final for o in outcome.observations]
    if observations:
        answer["Observations"] = observations
    return answer


def _outcome(rule: AnyRule, data: Dataset, outcomes: dict[Rule, Outcome], method: str) -> Outcome:
    if method == "ROW" and isinstance(rule, Composite):
        return row_outcome(rule, data, outcomes)
    return combined(rule, outcomes)


def measure(rules: list[Rule], data: Dataset, histories: Optional[dict[Rule, History]] = None) -> dict[Rule, Outcome]:
    """Each plain rule's outcome; the plans of the rules that read the same rows share one query."""
    histories = histories or {}
    outcomes: dict[Rule, Outcome] = {}
    groups: dict[Optional[str], list[tuple[Rule, Plan]]] = {}
    for rule in rules:
        with rule_history(histories.get(rule, no_history)):
            plan = plan_rule(rule, data, ALL_HANDLERS)
        if isinstance(plan, Outcome):
            outcomes[rule] = plan
        else:
            groups.setdefault(rule.where, []).append((rule, plan))
    for where, group in groups.items():
        outcomes.update(_run_group(group, data, Rows(data.relation, where), histories))
    return outcomes


def _run_group(group: list[tuple[Rule, Plan]], data: Dataset, rows: Rows,
               histories: dict[Rule, History]) -> dict[Rule, Outcome]:
    aliases = [{name: f"r{i}_{name}" for name in plan.measures} for i, (_, plan) in enumerate(group)]
    select = ", ".join(f"{sql} AS {aliases[i][name]}" for i, (_, plan) in enumerate(group)
                       for name, sql in plan.measures.items())
    try:
        row = data.run_sql(f"SELECT {select} FROM {rows.sql()}")[0]
    except QueryFailed as error:
        if len(group) == 1:
            return {group[0][0]: Outcome("ERROR", str(error))}
        return {rule: outcome for one in group for rule, outcome in _run_group([one], data, rows, histories).items()}
    values = iter(row)
    outcomes = {}
    for i, (rule, plan) in enumerate(group):
        measured = {name: _number(next(values)) for name in aliases[i]}
        try:
            with rule_history(histories.get(rule, no_history)):
                outcomes[rule] = plan.judge(measured)
        except Unsupported as error:
            outcomes[rule] = Outcome("ERROR", str(error))
    return outcomes


def _number(value) -> Optional[float]:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise QueryFailed(f"expected a number, got {value!r}") from None


def combined(rule: AnyRule, outcomes: dict[Rule, Outcome]) -> Outcome:
    """A plain rule's outcome, or a composite's: `and` passes when all nested rules pass, `or` when one
    does; a failing composite with a nested ERROR is an ERROR. Metrics and messages are gathered."""
    if isinstance(rule, Rule):
        return outcomes[rule]
    nested = [combined(r, outcomes) for r in rule.rules]
    passes = [o.result == "PASS" for o in nested]
    ok = all(passes) if rule.operator == "and" else any(passes)
    metrics = {k: v for o in nested for k, v in o.metrics.items()}
    observations = [x for o in nested for x in o.observations]
    if ok:
        return Outcome("PASS", None, metrics, observations)
    result = "ERROR" if any(o.result == "ERROR" for o in nested) else "FAIL"
    return Outcome(result, "\n".join(o.message for o in nested if o.message) or None, metrics, observations)


def rule_result(number: int, rule: AnyRule, outcome: Outcome) -> dict:
    """One `DataQualityRuleResult`: named Rule_1, Rule_2 ... in ruleset order, described by its text."""
    doc = {"Name": f"Rule_{number}", "Description": str(rule)[:2048], "Result": outcome.result,
           "EvaluatedMetrics": dict(outcome.metrics)}
    if outcome.message and outcome.result != "PASS":
        doc["EvaluationMessage"] = outcome.message[:2048]
    if isinstance(rule, Rule) and rule.labels:
        doc["Labels"] = dict(rule.labels)
    return doc


__all__ = ["ALL_HANDLERS", "Cancelled", "evaluate"]
