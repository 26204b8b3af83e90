"""Evaluate a parsed ruleset over a catalog table: rule results in GetDataQualityResult's shape, and the
score.

Why batched: most rules are a few aggregates over the same rows, so the plans of all rules that read
the same rows (the table, or one `where` subset) run as one `SELECT agg, agg, ... FROM "db"."table"`,
one scan. If that query fails (a rule's SQL the engine refuses, a bad `where`), each of its rules is run
alone, so that only the rule at fault ends in ERROR. A composite rule is judged as Glue's default
(COLUMN) method does: each nested rule on the whole dataset, then `and` / `or` of their results.
"""

from __future__ import annotations

from typing import Optional

from .dq_conditions import Unsupported
from .dq_rules import Dataset, Outcome, Plan, QueryFailed, Rows, plan_rule
from .dqdl_model import AnyRule, Rule, Ruleset, leaves


class Cancelled(Exception):
    """The run was cancelled (or timed out) while a query ran; no result is kept."""


def evaluate(ruleset: Ruleset, data: Dataset) -> dict:
    """`RuleResults`, `Score` and `AggregatedMetrics` of the ruleset over the dataset."""
    unique: dict[Rule, None] = {}
    for rule in ruleset.rules:
        unique.update((leaf, None) for leaf in leaves(rule))
    outcomes = measure(list(unique), data)
    results = [rule_result(number, rule, combined(rule, outcomes)) for number, rule in enumerate(ruleset.rules, 1)]
    passed = sum(1 for r in results if r["Result"] == "PASS")
    answer: dict = {"RuleResults": results, "AggregatedMetrics": {
        "TotalRulesProcessed": float(len(results)), "TotalRulesPassed": float(passed),
        "TotalRulesFailed": float(len(results) - passed)}}
    if results:
        answer["Score"] = passed / len(results)
    return answer


def measure(rules: list[Rule], data: Dataset) -> dict[Rule, Outcome]:
    """Each plain rule's outcome; the plans of the rules that read the same rows share one query."""
    outcomes: dict[Rule, Outcome] = {}
    groups: dict[Optional[str], list[tuple[Rule, Plan]]] = {}
    for rule in rules:
        plan = plan_rule(rule, data)
        if isinstance(plan, Outcome):
            outcomes[rule] = plan
        else:
            groups.setdefault(rule.where, []).append((rule, plan))
    for where, group in groups.items():
        outcomes.update(_run_group(group, data, Rows(data.relation, where)))
    return outcomes


def _run_group(group: list[tuple[Rule, Plan]], data: Dataset, rows: Rows) -> dict[Rule, Outcome]:
    aliases = [{name: f"r{i}_{name}" for name in plan.measures} for i, (_, plan) in enumerate(group)]
    select = ", ".join(f"{sql} AS {aliases[i][name]}" for i, (_, plan) in enumerate(group)
                       for name, sql in plan.measures.items())
    try:
        row = data.run_sql(f"SELECT {select} FROM {rows.sql()}")[0]
    except QueryFailed as error:
        if len(group) == 1:
            return {group[0][0]: Outcome("ERROR", str(error))}
        return {rule: outcome for one in group for rule, outcome in _run_group([one], data, rows).items()}
    values = iter(row)
    outcomes = {}
    for i, (rule, plan) in enumerate(group):
        measured = {name: _number(next(values)) for name in aliases[i]}
        try:
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
    if ok:
        return Outcome("PASS", None, metrics)
    result = "ERROR" if any(o.result == "ERROR" for o in nested) else "FAIL"
    return Outcome(result, "\n".join(o.message for o in nested if o.message) or None, metrics)


def rule_result(number: int, rule: AnyRule, outcome: Outcome) -> dict:
    """One `DataQualityRuleResult`: named Rule_1, Rule_2 ... in ruleset order, described by its text."""
    doc = {"Name": f"Rule_{number}", "Description": str(rule)[:2048], "Result": outcome.result,
           "EvaluatedMetrics": dict(outcome.metrics)}
    if outcome.message and outcome.result != "PASS":
        doc["EvaluationMessage"] = outcome.message[:2048]
    if isinstance(rule, Rule) and rule.labels:
        doc["Labels"] = dict(rule.labels)
    return doc


__all__ = ["Cancelled", "evaluate"]
