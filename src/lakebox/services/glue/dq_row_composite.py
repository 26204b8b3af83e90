"""Composite rules judged row by row: CompositeRuleEvaluationMethod ROW.

By default (COLUMN) each nested rule is judged over the whole dataset and the results are combined.
With ROW, as the DQDL reference describes it, `(ColumnValues "a" > 1) or (ColumnValues "b" > 2)` is one
rule that each row must meet: the nested rules' row-level conditions are joined by the same `and` / `or`
and the composite passes when every row meets the result. So a nested rule needs a row-level meaning:
- IsComplete, ColumnValues, ColumnLength (the row's length; NULL has none), ColumnDataType and
  DataFreshness without `with threshold`: their row-level condition (SQL, dq_conditions.py);
- rules over the whole dataset (RowCount, Mean, ColumnCount, CustomSql with a condition ...): their
  dataset-level result, the same for every row;
- rules that rest on ratios (Completeness, Uniqueness, IsUnique, IsPrimaryKey, DatasetMatch,
  ReferentialIntegrity) or on a threshold, and row-level CustomSql, have none: AWS does not support them
  here, and the composite ends in ERROR saying so.
A nested rule's `where` clause passes the rows it leaves out (AWS labels them Passed). A failing
composite reports the share of rows that met it in Glue's message.
"""

from __future__ import annotations

from typing import Optional

from .dq_conditions import Unsupported, date_predicate, failed_message, number_predicate, ratio_sql, string_predicate
from .dq_rules import Dataset, MissingColumn, Outcome, QueryFailed, data_type_predicate, freshness_predicate
from .dqdl_model import AnyRule, Composite, Rule

_RATIO_RULES = ("Completeness", "Uniqueness", "IsUnique", "IsPrimaryKey", "DatasetMatch", "ReferentialIntegrity")


def row_outcome(rule: Composite, data: Dataset, outcomes: dict[Rule, Outcome]) -> Outcome:
    """The composite judged row by row; `outcomes` are its nested rules' dataset-level outcomes."""
    try:
        predicate = _predicate(rule, data, outcomes)
        total, met = data.run_sql(f"SELECT count(*), {ratio_sql(predicate)} FROM {data.relation}")[0]
    except MissingColumn as missing:
        return Outcome("FAIL", f"Input data does not include column {missing}!")
    except (Unsupported, QueryFailed) as error:
        return Outcome("ERROR", str(error))
    total, met = float(total), float(met or 0)
    if met == total:
        return Outcome("PASS")
    return Outcome("FAIL", failed_message(met / total))


def _predicate(rule: AnyRule, data: Dataset, outcomes: dict[Rule, Outcome]) -> str:
    if isinstance(rule, Composite):
        joiner = " AND " if rule.operator == "and" else " OR "
        return "(" + joiner.join(_predicate(r, data, outcomes) for r in rule.rules) + ")"
    row_level = _row_level(rule, data)
    if row_level is None:
        outcome = outcomes[rule]
        if outcome.result == "ERROR":
            raise Unsupported(outcome.message or f"{rule} ended in ERROR")
        return "TRUE" if outcome.result == "PASS" else "FALSE"
    if rule.where:
        return f"(NOT coalesce(({rule.where}), FALSE) OR {row_level})"
    return row_level


def _row_level(rule: Rule, data: Dataset) -> Optional[str]:
    """The rule's condition on one row, as SQL; None for a rule over the whole dataset."""
    kind = rule.rule_type
    if kind in _RATIO_RULES:
        raise Unsupported(f"{kind} relies on ratios and is not supported when composite rules are evaluated by ROW")
    if rule.threshold is not None:
        raise Unsupported(f"{kind} with threshold is not supported when composite rules are evaluated by ROW")
    if kind == "CustomSql" and rule.condition is None:
        raise Unsupported("Row-level CustomSql is not supported when composite rules are evaluated by ROW")
    if kind == "IsComplete":
        return f"({data.column(rule.parameters[0])} IS NOT NULL)"
    if kind == "ColumnValues":
        return _column_values(rule, data)
    if kind == "ColumnLength":
        length = f"length(CAST({data.column(rule.parameters[0])} AS varchar))"
        return number_predicate(length, rule.condition)
    if kind == "ColumnDataType":
        return data_type_predicate(rule, data)
    if kind == "DataFreshness":
        return freshness_predicate(rule, data)
    return None


def _column_values(rule: Rule, data: Dataset) -> str:
    column = data.column(rule.parameters[0])
    condition = rule.condition
    if condition.kind == "STRING":
        return string_predicate(f"CAST({column} AS varchar)", condition)
    if condition.kind == "DATE":
        return date_predicate(f"TRY_CAST({column} AS date)", condition, data.now)
    return number_predicate(f"TRY_CAST({column} AS double)", condition)


__all__ = ["row_outcome"]
