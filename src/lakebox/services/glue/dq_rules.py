"""Each DQDL rule type as SQL: what it measures over the table's rows, and how it judges the measures.

A rule type's handler returns a `Plan` — named SQL aggregates (Trino SQL over `Rows`, the table or its
`where` subset) and a `judge` that turns their values into an `Outcome` — or, for the rules that need
no aggregate over the rows (ColumnExists, ColumnCount, CustomSql ...), the `Outcome` itself.
dq_evaluate.py runs the plans of a ruleset in as few queries as it can.

Metric names, and which rules measure what, follow AWS's DQDL rules in deequ (awslabs/deequ,
com.amazon.deequ.dqdl): `Dataset.*.RowCount`, `Column.<col>.Completeness`, `Column.<col>.Uniqueness`
(`Multicolumn.<a>,<b>.Uniqueness` for several columns), `Column.<col>.ColumnValues.Compliance` ...
Statistics are deequ's too: StandardDeviation and Variance are the population's, Uniqueness is the
share of rows whose value occurs once, and DistinctValuesCount counts NULL as one more value (deequ's
histogram bins).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from .dq_conditions import (
    Unsupported, date_predicate, duration_predicate, failed_message, holds, number_predicate,
    ratio_sql, sql_ident, sql_string, string_predicate,
)
from .dq_dynamic import resolved
from .dqdl_model import Condition, Number, Rule


@dataclass
class Outcome:
    result: str  # PASS, FAIL or ERROR
    message: Optional[str] = None
    metrics: dict = field(default_factory=dict)
    observations: list = field(default_factory=list)  # DataQualityObservation shapes (DetectAnomalies)


class MissingColumn(Exception):
    """The rule names a column the table does not have."""


class QueryFailed(Exception):
    """The SQL engine refused or failed a query; the message is the engine's."""


class RuleFails(Exception):
    """The check cannot be made on this data (no files, a missing reference column ...): the rule
    FAILs with this message rather than ending in ERROR, as AWS's rules do."""


def failing_on_error(handler: "Handler") -> "Handler":
    """`handler`, with a RuleFails it raises turned into the rule's FAIL outcome."""
    def run(rule: Rule, data: "Dataset", rows: "Rows") -> "Union[Plan, Outcome]":
        try:
            return handler(rule, data, rows)
        except RuleFails as failure:
            return Outcome("FAIL", str(failure))
    return run


def _no_source(alias: str) -> Optional["Dataset"]:
    return None


@dataclass
class Dataset:
    """The table a run evaluates: its name, its columns (data columns, then partition keys, with their
    Glue types), the service clock's time, `run_sql` (Trino SQL -> rows of rendered values, raising
    QueryFailed), `source` (a reference dataset by its alias, None if the run has no such alias;
    dq_reference.py reads them), and the table's Location and the lake's files (dq_files.py)."""

    database: str
    table: str
    columns: list[tuple[str, str]]
    now: dt.datetime
    run_sql: Callable[[str], list[list]]
    source: Callable[[str], Optional["Dataset"]] = _no_source
    location: Optional[str] = None  # the table's S3 Location (file rules read its objects)
    files: Any = None  # dq_files.LakeFiles, when the lake can be read
    #: Trino SQL selecting the rows the run reads (the DataSource's pushDownPredicate), None for all.
    predicate: Optional[str] = None

    @property
    def relation(self) -> str:
        """What rules read FROM: the table, or the rows of it that the predicate selects (a subquery
        with no alias of its own, so that a rule can still alias it)."""
        table = f"{sql_ident(self.database)}.{sql_ident(self.table)}"
        return f"(SELECT * FROM {table} WHERE {self.predicate})" if self.predicate else table

    def column(self, name: str) -> str:
        """The quoted column a rule names; Glue's column names are case-insensitive."""
        for column, _ in self.columns:
            if column.lower() == name.lower():
                return sql_ident(column)
        raise MissingColumn(name)


@dataclass(frozen=True)
class Rows:
    """The rows a rule reads: the table, or the part its `where` clause selects."""

    relation: str
    where: Optional[str] = None

    def sql(self, extra: Optional[str] = None) -> str:
        conditions = [f"({c})" for c in (self.where, extra) if c]
        return self.relation + (" WHERE " + " AND ".join(conditions) if conditions else "")


Values = dict[str, Optional[float]]


@dataclass
class Plan:
    measures: dict[str, str]
    judge: Callable[[Values], Outcome]


Handler = Callable[[Rule, Dataset, Rows], Union[Plan, Outcome]]

IS_ONE = Condition("NUMBER", "=", (Number("1.0", 1.0),))

# -- judging -----------------------------------------------------------------------------------------


def ratio(part: Optional[float], whole: Optional[float]) -> Optional[float]:
    return None if not whole or part is None else part / whole


def judged(metric: str, value: Optional[float], condition: Condition) -> Outcome:
    """PASS when the measured value meets the condition; FAIL with Glue's message otherwise. A dynamic
    condition (`> avg(last(3))`) is first resolved over the metric's earlier values (dq_dynamic.py)."""
    if value is None:
        return Outcome("FAIL", f"Empty state for {metric}: there were no values to measure.")
    metrics = {metric: value}
    if holds(resolved(condition, metric), value):
        return Outcome("PASS", None, metrics)
    return Outcome("FAIL", failed_message(value), metrics)


def all_judged(checks: list[tuple[str, Optional[float], Condition]]) -> Outcome:
    """Every check must pass; the metrics of all, and the message of the first that fails."""
    outcomes = [judged(metric, value, condition) for metric, value, condition in checks]
    metrics = {k: v for o in outcomes for k, v in o.metrics.items()}
    failed = next((o for o in outcomes if o.result != "PASS"), None)
    return Outcome("PASS" if failed is None else "FAIL", failed and failed.message, metrics)


def compliance(metric: str, rule: Rule) -> Callable[[Values], Outcome]:
    """Judge the share of rows that comply (measures `ok` of `n`): all of them, or the threshold."""
    return lambda v: judged(metric, ratio(v["ok"], v["n"]), rule.threshold or IS_ONE)


def _compliance_plan(rule: Rule, metric: str, predicate: str) -> Plan:
    return Plan({"n": "count(*)", "ok": ratio_sql(predicate)}, compliance(metric, rule))


def _column_metric(rule: Rule, name: str) -> str:
    return f"Column.{rule.parameters[0]}.{name}"


def _columns_metric(names: tuple[str, ...], name: str) -> str:
    return f"Column.{names[0]}.{name}" if len(names) == 1 else f"Multicolumn.{','.join(names)}.{name}"


# -- dataset rules ---------------------------------------------------------------------------------

def _row_count(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    return Plan({"n": "count(*)"}, lambda v: judged("Dataset.*.RowCount", v["n"], rule.condition))


def _column_count(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    return judged("Dataset.*.ColumnCount", float(len(data.columns)), rule.condition)


def _column_exists(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    data.column(rule.parameters[0])
    return Outcome("PASS")


def _column_names_match_pattern(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    try:
        pattern = re.compile(rule.parameters[0])
    except re.error as error:
        raise Unsupported(f"The pattern {rule.parameters[0]!r} is not a valid regular expression: {error}") from None
    matched = sum(1 for name, _ in data.columns if pattern.fullmatch(name))
    return judged("Dataset.*.ColumnNamesPatternMatchRatio", ratio(matched, len(data.columns)), IS_ONE)


def _custom_sql(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    """With a condition: the statement's one numeric value, judged. Without: the share of the table's
    rows the statement returns (row-level CustomSql), all of them or the threshold."""
    statement = primary_replaced(rule.parameters[0], data)
    if rule.condition is None:
        returned = data.run_sql(f"SELECT count(*) FROM ({statement}) AS returned")[0][0]
        total = data.run_sql(f"SELECT count(*) FROM {rows.sql()}")[0][0]
        return judged("Dataset.*.CustomSQL.Compliance", ratio(float(returned), float(total)),
                      rule.threshold or IS_ONE)
    answer = data.run_sql(statement)
    if len(answer) != 1 or len(answer[0]) != 1:
        return Outcome("FAIL", "Custom SQL statement must return exactly 1 row with 1 column")
    try:
        value = float(answer[0][0])
    except (TypeError, ValueError):
        return Outcome("FAIL", f"Custom SQL response is not a number: {answer[0][0]}")
    return judged("Dataset.*.CustomSQL", value, rule.condition)


def primary_replaced(statement: str, data: Dataset) -> str:
    """The statement with the table `primary` (Glue's name for the dataset under evaluation) read as
    the catalog table, keeping `primary` as its alias."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(statement, read="trino")
    except sqlglot.errors.ParseError as error:
        raise QueryFailed(f"Custom SQL statement is not valid SQL: {error}") from None
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        if not table.db and table.name.lower() == "primary" and "primary" not in ctes:
            table.replace(exp.Table(this=exp.to_identifier(data.table, quoted=True),
                                    db=exp.to_identifier(data.database, quoted=True),
                                    alias=exp.TableAlias(this=exp.to_identifier(table.alias or "primary"))))
    return tree.sql(dialect="trino")


# -- column statistics -----------------------------------------------------------------------------

def _completeness(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    column = data.column(rule.parameters[0])
    condition = rule.condition or IS_ONE  # IsComplete: all of them
    return Plan({"n": "count(*)", "k": f"count({column})"},
                lambda v: judged(_column_metric(rule, "Completeness"), ratio(v["k"], v["n"]), condition))


def _unique_count_sql(columns: list[str], rows: Rows) -> str:
    """How many (non-NULL) values occur exactly once, as a scalar subquery."""
    listed = ", ".join(columns)
    present = " OR ".join(f"{c} IS NOT NULL" for c in columns)
    return (f"(SELECT count(*) FROM (SELECT {listed} FROM {rows.sql(present)} GROUP BY {listed} "
            f"HAVING count(*) = 1) AS once)")


def _uniqueness(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    columns = [data.column(name) for name in rule.parameters]
    condition = rule.condition or IS_ONE  # IsUnique: all of them
    metric = _columns_metric(rule.parameters, "Uniqueness")
    return Plan({"n": "count(*)", "u": _unique_count_sql(columns, rows)},
                lambda v: judged(metric, ratio(v["u"], v["n"]), condition))


def _is_primary_key(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    columns = [data.column(name) for name in rule.parameters]
    measures = {"n": "count(*)", "u": _unique_count_sql(columns, rows)}
    measures.update({f"k{i}": f"count({c})" for i, c in enumerate(columns)})

    def judge(v: Values) -> Outcome:
        checks = [(_columns_metric(rule.parameters, "Uniqueness"), ratio(v["u"], v["n"]), IS_ONE)]
        checks += [(f"Column.{name}.Completeness", ratio(v[f"k{i}"], v["n"]), IS_ONE)
                   for i, name in enumerate(rule.parameters)]
        return all_judged(checks)
    return Plan(measures, judge)


def _unique_value_ratio(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    column = data.column(rule.parameters[0])
    return Plan({"u": _unique_count_sql([column], rows), "d": f"count(DISTINCT {column})"},
                lambda v: judged(_column_metric(rule, "UniqueValueRatio"), ratio(v["u"], v["d"]), rule.condition))


def _distinct_values_count(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    column = data.column(rule.parameters[0])
    count = f"count(DISTINCT {column}) + CASE WHEN count({column}) < count(*) THEN 1 ELSE 0 END"
    return Plan({"d": count}, lambda v: judged(_column_metric(rule, "DistinctValuesCount"), v["d"], rule.condition))


def _statistic(function: str, name: str) -> Handler:
    def handler(rule: Rule, data: Dataset, rows: Rows) -> Plan:
        column = data.column(rule.parameters[0])
        return Plan({"x": f"{function}(CAST({column} AS double))"},
                    lambda v: judged(_column_metric(rule, name), v["x"], rule.condition))
    return handler


def _entropy(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    column = data.column(rule.parameters[0])
    shares = (f"SELECT count(*) * 1.0 / (SELECT count(*) FROM {rows.sql()}) AS p "
              f"FROM {rows.sql(f'{column} IS NOT NULL')} GROUP BY {column}")
    return Plan({"e": f"(SELECT -sum(p * ln(p)) FROM ({shares}) AS shares)"},
                lambda v: judged(_column_metric(rule, "Entropy"), v["e"], rule.condition))


def _column_correlation(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    first, second = (data.column(name) for name in rule.parameters)
    metric = _columns_metric(rule.parameters, "ColumnCorrelation")
    return Plan({"c": f"corr(CAST({first} AS double), CAST({second} AS double))"},
                lambda v: judged(metric, v["c"], rule.condition))


# -- row-level rules -------------------------------------------------------------------------------

_MIN_MAX = {">": ("min",), ">=": ("min",), "<": ("max",), "<=": ("max",), "=": ("min", "max"),
            "!=": ("min", "max"), "between": ("min", "max")}


def _column_length(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    """Comparisons judge the shortest and longest value (NULLs ignored); sets, `not between` and a
    threshold judge each row's length (a NULL's is 0) as LengthCompliance."""
    length = f"length(CAST({data.column(rule.parameters[0])} AS varchar))"
    condition = rule.condition
    if rule.threshold is not None or condition.operator not in _MIN_MAX:
        predicate = number_predicate(f"coalesce({length}, 0)", condition)
        return _compliance_plan(rule, _column_metric(rule, "LengthCompliance"), predicate)
    ends = _MIN_MAX[condition.operator]
    labels = {"min": "MinimumLength", "max": "MaximumLength"}
    return Plan({end: f"{end}({length})" for end in ends},
                lambda v: all_judged([(_column_metric(rule, labels[end]), v[end], condition) for end in ends]))


def _column_values(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    """A number compared without a threshold judges the column's minimum or maximum, and every row
    must have a value; every other condition judges the share of rows that meet it (Compliance)."""
    column = data.column(rule.parameters[0])
    condition = rule.condition
    metric = _column_metric(rule, "ColumnValues.Compliance")
    if condition.kind == "STRING":
        return _compliance_plan(rule, metric, string_predicate(f"CAST({column} AS varchar)", condition))
    if condition.kind == "DATE":
        return _compliance_plan(rule, metric, date_predicate(f"TRY_CAST({column} AS date)", condition, data.now))
    number = f"TRY_CAST({column} AS double)"
    equals_null = condition.operator == "=" and condition.operands[0] == Number("NULL", None)
    plain = condition.operator in (">", ">=", "<", "<=") or (condition.operator == "=" and not equals_null)
    if rule.threshold is not None or not plain:
        return _compliance_plan(rule, metric, number_predicate(number, condition))
    ends = _MIN_MAX[condition.operator]
    labels = {"min": "Minimum", "max": "Maximum"}
    measures = {end: f"{end}({number})" for end in ends}
    measures.update(n="count(*)", k=f"count({number})")

    def judge(v: Values) -> Outcome:
        checks = [(_column_metric(rule, labels[end]), v[end], condition) for end in ends]
        outcome = all_judged(checks)
        complete = ratio(v["k"], v["n"])
        if outcome.result == "PASS" and complete != 1.0:
            return Outcome("FAIL", failed_message(complete) if complete is not None else None, outcome.metrics)
        return outcome
    return Plan(measures, judge)


#: DQDL's type names -> the SQL type a value must cast to (lakebox also takes STRING and the Spark
#: names SHORT and BYTE).
_DATA_TYPES = {"BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp", "INTEGER": "integer",
               "DOUBLE": "double", "FLOAT": "real", "LONG": "bigint", "SHORT": "smallint", "BYTE": "tinyint",
               "STRING": "varchar"}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def data_type_predicate(rule: Rule, data: Dataset) -> str:
    """Rows whose value casts to the ColumnDataType rule's type (`=`) or does not (`!=`); NULL never casts."""
    column = data.column(rule.parameters[0])
    if rule.condition.operator not in ("=", "!=") or len(rule.condition.operands) != 1:
        raise Unsupported("ColumnDataType rule only supports EQUALS (=) or NOT_EQUALS (!=) operators")
    if rule.tags:
        raise Unsupported("ColumnDataType tags (such as a date format) are not supported by lakebox")
    name = str(getattr(rule.condition.operands[0], "value", "")).upper()
    decimal = _DECIMAL.fullmatch(name)
    sql_type = f"decimal({decimal.group(1)},{decimal.group(2)})" if decimal else _DATA_TYPES.get(name)
    if sql_type is None:
        raise Unsupported(f"Unrecognized data type: {name}")
    casts = f"TRY_CAST({column} AS {sql_type}) IS NOT NULL"
    return f"({casts})" if rule.condition.operator == "=" else f"(NOT ({casts}))"


def _column_data_type(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    return _compliance_plan(rule, _column_metric(rule, "ColumnDataType.Compliance"), data_type_predicate(rule, data))


def freshness_predicate(rule: Rule, data: Dataset) -> str:
    """Rows whose time is within the DataFreshness rule's age, in hours before the service clock's now
    (rounded to hundredths, as Glue does)."""
    column = data.column(rule.parameters[0])
    now = data.now.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    hours = (f"round(date_diff('second', TRY_CAST({column} AS timestamp), TIMESTAMP {sql_string(now)}) "
             f"/ 3600.0, 2)")
    return duration_predicate(hours, rule.condition)


def _data_freshness(rule: Rule, data: Dataset, rows: Rows) -> Plan:
    """The share of rows that are fresh enough; every row must be."""
    return _compliance_plan(rule, _column_metric(rule, "DataFreshness.Compliance"), freshness_predicate(rule, data))


HANDLERS: dict[str, Handler] = {
    "RowCount": _row_count,
    "ColumnCount": _column_count,
    "ColumnExists": _column_exists,
    "ColumnNamesMatchPattern": _column_names_match_pattern,
    "CustomSql": _custom_sql,
    "Completeness": _completeness,
    "IsComplete": _completeness,
    "Uniqueness": _uniqueness,
    "IsUnique": _uniqueness,
    "IsPrimaryKey": _is_primary_key,
    "UniqueValueRatio": _unique_value_ratio,
    "DistinctValuesCount": _distinct_values_count,
    "Mean": _statistic("avg", "Mean"),
    "Sum": _statistic("sum", "Sum"),
    "StandardDeviation": _statistic("stddev_pop", "StandardDeviation"),
    "Variance": _statistic("var_pop", "Variance"),
    "Entropy": _entropy,
    "ColumnCorrelation": _column_correlation,
    "ColumnLength": _column_length,
    "ColumnValues": _column_values,
    "ColumnDataType": _column_data_type,
    "DataFreshness": _data_freshness,
}


def plan_rule(rule: Rule, data: Dataset, handlers: Optional[dict[str, Handler]] = None) -> Union[Plan, Outcome]:
    """The rule's plan, or its outcome when it needs no aggregate (or cannot be evaluated). `handlers`:
    the rule types' table (HANDLERS, unless the evaluator adds the rule types of other modules)."""
    handler = (HANDLERS if handlers is None else handlers).get(rule.rule_type)
    try:
        if handler is None:
            raise Unsupported(f"Rule type {rule.rule_type} is not supported by lakebox's Data Quality evaluation")
        return handler(rule, data, Rows(data.relation, rule.where))
    except MissingColumn as missing:
        return Outcome("FAIL", f"Input data does not include column {missing}!")
    except (Unsupported, QueryFailed) as error:
        return Outcome("ERROR", str(error))


__all__ = ["HANDLERS", "Dataset", "Handler", "MissingColumn", "Outcome", "Plan", "QueryFailed", "Rows",
           "data_type_predicate", "freshness_predicate", "judged", "plan_rule"]
