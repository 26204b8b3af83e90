"""The rule types that compare the primary dataset with a reference dataset: ReferentialIntegrity,
DatasetMatch, SchemaMatch, AggregateMatch and RowCountMatch.

A reference dataset is named by an alias: a key of the run's AdditionalDataSources, `primary` (the
dataset under evaluation), or, as in the Data Catalog's form, `<database>.<table>` of a catalog table.
`Dataset.source` resolves it (dq_runs.py builds it). Each rule runs its own queries over both tables,
through the same SQL engine, and returns its Outcome.

The meanings, metric names and messages are those of AWS's DQDL rules in deequ
(com.amazon.deequ.dqdl.execution.executors and com.amazon.deequ.comparison):
- ReferentialIntegrity: the share of primary rows whose column values (a NULL never matches) occur in
  the reference columns, `Column.<alias>.ReferentialIntegrity`;
- DatasetMatch: the share of primary rows that have a row with the same key in the reference and the
  same values in the compared columns (all non-key columns unless given), `Dataset.<alias>.DatasetMatch`;
  the keys must be unique on both sides;
- SchemaMatch: the share of primary columns whose name and type the reference has,
  `Dataset.<alias>.SchemaMatch`;
- AggregateMatch: the ratio of two aggregates, `sum(col)` or `avg(col)`, each over the primary or
  `alias.col`, `Column.<col>.AggregateMatch` (`<col1>,<col2>` when they differ);
- RowCountMatch: primary rows / reference rows, `Dataset.<alias>.RowCountMatch`.
A reference that cannot be found, or a column either side lacks, fails the rule with deequ's message.
"""

from __future__ import annotations

import re
from typing import Optional

from .dq_conditions import Unsupported, holds, java_double, sql_ident
from .dq_dynamic import resolved
from .dq_rules import Dataset, Handler, Outcome, Rows, RuleFails, failing_on_error
from .dqdl_model import Condition, Rule

PRIMARY = "primary"


def _constraint_message(value: float) -> str:
    return f"Value: {java_double(value)} does not meet the constraint requirement."


def _judge(metric: str, value: float, condition: Condition, message: Optional[str] = None) -> Outcome:
    metrics = {metric: value}
    if value == value and holds(resolved(condition, metric), value):
        return Outcome("PASS", None, metrics)
    return Outcome("FAIL", message or _constraint_message(value), metrics)


def _source(data: Dataset, alias: str, missing: str) -> Dataset:
    if alias.lower() == PRIMARY:
        return data
    found = data.source(alias)
    if found is None:
        raise RuleFails(missing.format(alias=alias))
    return found


def _column(data: Dataset, name: str, side: str) -> str:
    for column, _ in data.columns:
        if column.lower() == name.lower():
            return sql_ident(column)
    raise RuleFails(f"Column {name} does not exist in {side} data frame.")


def _count(data: Dataset, where: Optional[str] = None) -> float:
    return float(data.run_sql(f"SELECT count(*) FROM {Rows(data.relation, where).sql()}")[0][0])


def _columns_list(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


# -- ReferentialIntegrity ------------------------------------------------------------------------------

_BRACED = re.compile(r"(.+)\.\{(.+)\}")
_DOTTED = re.compile(r"(.+)\.([^.]+)")


def _referential_integrity(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    primary_names = _columns_list(rule.parameters[0])
    reference_text = rule.parameters[1]
    match = _BRACED.fullmatch(reference_text) or _DOTTED.fullmatch(reference_text)
    if match is None:
        raise Unsupported("Could not parse ReferenceDatasetColumns parameter")
    alias, reference_names = match.group(1), _columns_list(match.group(2))
    reference = _source(data, alias, "{alias} not found in additional sources")
    if not primary_names:
        raise RuleFails("Empty list provided for columns to check from the primary data frame.")
    if not reference_names:
        raise RuleFails("Empty list provided for columns to check from the reference data frame.")
    if len(primary_names) != len(reference_names):
        raise RuleFails("The number of columns to check from the primary data frame must equal the number of "
                      "columns to check from the reference data frame.")
    primary_columns = [_column(data, name, "primary") for name in primary_names]
    reference_columns = [_column(reference, name, "reference") for name in reference_names]
    total = _count(data)
    if not total:
        raise RuleFails("Primary data frame contains no data.")
    keys = ", ".join(f"{c} AS k{i}" for i, c in enumerate(reference_columns))
    joined = " AND ".join(f"p.{c} = r.k{i}" for i, c in enumerate(primary_columns))
    matched = data.run_sql(
        f"SELECT count(*) FROM {data.relation} AS p WHERE EXISTS "
        f"(SELECT 1 FROM (SELECT DISTINCT {keys} FROM {reference.relation}) AS r WHERE {joined})")[0][0]
    return _judge(f"Column.{alias}.ReferentialIntegrity", float(matched) / total, rule.condition)


# -- DatasetMatch ----------------------------------------------------------------------------------

def _mappings(text: str) -> list[tuple[str, str]]:
    pairs = []
    for part in text.split(","):
        names = [n.strip() for n in part.split("->")]
        if not names[0] or len(names) > 2:
            raise Unsupported(f"Could not parse the column mappings {text!r}")
        pairs.append((names[0], names[-1]))
    return pairs


def _dataset_match(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    alias = rule.parameters[0]
    keys = _mappings(rule.parameters[1])
    reference = _source(data, alias, "{alias} not found in additional sources")
    missing_primary = [p for p, _ in keys if not _has(data, p)]
    missing_reference = [r for _, r in keys if not _has(reference, r)]
    if missing_primary:
        raise RuleFails(f"The following key columns were not found in the first dataset: {', '.join(missing_primary)}")
    if missing_reference:
        raise RuleFails("The following key columns were not found in the second dataset: "
                      f"{', '.join(missing_reference)}")
    if len(rule.parameters) > 2:
        compared = _mappings(rule.parameters[2])
        absent = [p for p, _ in compared if not _has(data, p)]
        if absent:
            raise RuleFails(f"The following columns were not found in the first dataset: {', '.join(absent)}")
        absent = [r for _, r in compared if not _has(reference, r)]
        if absent:
            raise RuleFails(f"The following columns were not found in the second dataset: {', '.join(absent)}")
    else:
        key_names = {p.lower() for p, _ in keys}
        compared = [(name, name) for name, _ in data.columns if name.lower() not in key_names]
        if not all(_has(reference, name) for name, _ in compared):
            raise RuleFails("Non key columns in the given data frames do not match.")
    _check_unique_keys(data, reference, keys)
    total = _count(data)
    if not total:
        raise RuleFails("Cannot evaluate: primary DataFrame is empty")
    on = [f"p.{_column(data, p, 'primary')} = r.{_column(reference, r, 'reference')}" for p, r in keys]
    on += [f"p.{_column(data, p, 'primary')} IS NOT DISTINCT FROM r.{_column(reference, r, 'reference')}"
           for p, r in compared]
    matched = data.run_sql(f"SELECT count(*) FROM {data.relation} AS p WHERE EXISTS "
                           f"(SELECT 1 FROM {reference.relation} AS r WHERE {' AND '.join(on)})")[0][0]
    return _judge(f"Dataset.{alias}.DatasetMatch", float(matched) / total, rule.condition)


def _has(data: Dataset, name: str) -> bool:
    return any(column.lower() == name.lower() for column, _ in data.columns)


def _check_unique_keys(data: Dataset, reference: Dataset, keys: list[tuple[str, str]]) -> None:
    """DatasetMatch needs a key: as many distinct key values as rows, on both sides."""
    def counts(side: Dataset, names: list[str], label: str) -> tuple[int, int]:
        listed = ", ".join(_column(side, name, label) for name in names)
        row = side.run_sql(f"SELECT (SELECT count(*) FROM (SELECT DISTINCT {listed} FROM {side.relation}) AS d), "
                           f"count(*) FROM {side.relation}")[0]
        return int(row[0]), int(row[1])
    unique1, rows1 = counts(data, [p for p, _ in keys], "primary")
    unique2, rows2 = counts(reference, [r for _, r in keys], "reference")
    if unique1 != rows1 or unique2 != rows2:
        combo1 = ", ".join(p for p, _ in keys)
        combo2 = ", ".join(r for _, r in keys)
        raise RuleFails("The selected columns are not comparable due to duplicates present in the dataset."
                      "Comparison keys must be unique, but "
                      f"in Dataframe 1, there are {unique1} unique records and {rows1} rows, and "
                      f"in Dataframe 2, there are {unique2} unique records and {rows2} rows, "
                      f"based on the combination of keys {{{combo1}}} in Dataframe 1 and {{{combo2}}} in Dataframe 2")


# -- SchemaMatch, RowCountMatch ----------------------------------------------------------------------

def _schema_match(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    alias = rule.parameters[0]
    reference = _source(data, alias, "Reference dataset '{alias}' not found")
    metric = f"Dataset.{alias}.SchemaMatch"
    primary_types = {name: _type(kind) for name, kind in data.columns}
    reference_types = {name: _type(kind) for name, kind in reference.columns}
    if not primary_types or not reference_types:
        return Outcome("FAIL", "One or both DataFrames have no columns", {metric: 0.0})
    if len(primary_types) != len(reference_types):
        return Outcome("FAIL", "Column counts do not match", {metric: 0.0})
    matched = sum(1 for name, kind in primary_types.items() if reference_types.get(name) == kind)
    ratio = matched / len(primary_types)
    return _judge(metric, ratio, rule.condition, f"{ratio * 100:.2f}% of columns passed the threshold")


def _type(glue_type: str) -> str:
    """A Glue column type compared as the data's type: case and spaces do not matter."""
    return re.sub(r"\s+", "", glue_type).lower()


def _row_count_match(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    alias = rule.parameters[0]
    reference = _source(data, alias, "Reference dataset '{alias}' not found in additional data sources")
    primary, other = _count(data), _count(reference)
    ratio = primary / other if other else (float("nan") if not primary else float("inf"))
    return _judge(f"Dataset.{alias}.RowCountMatch", ratio, rule.condition)


# -- AggregateMatch ------------------------------------------------------------------------------------

_AGGREGATE = re.compile(r"(sum|avg|SUM|AVG)\((.*)\)")


def _aggregate(expression: str, data: Dataset) -> tuple[str, float]:
    """(column name, value) of `sum(col)` / `avg(alias.col)`; an empty or all-NULL column is 0.0."""
    match = _AGGREGATE.fullmatch(expression.strip())
    if match is None:
        raise Unsupported(f"Unsupported aggregate expression {expression!r}: AggregateMatch takes sum(col) or avg(col)")
    operation, operand = match.group(1).lower(), match.group(2).replace('"', "").strip()
    alias, _, name = operand.rpartition(".")
    source = _source(data, alias, "{alias} not found in additional sources") if alias else data
    column = _column(source, name, "primary" if source is data else "reference")
    value = source.run_sql(f"SELECT {operation}(CAST({column} AS double)) FROM {source.relation}")[0][0]
    return name, 0.0 if value is None else float(value)


def _aggregate_match(rule: Rule, data: Dataset, rows: Rows) -> Outcome:
    first_column, first = _aggregate(rule.parameters[0], data)
    second_column, second = _aggregate(rule.parameters[1], data)
    ratio = 1.0 if first == 0 and second == 0 else 0.0 if second == 0 else first / second
    instance = first_column if first_column == second_column else f"{first_column},{second_column}"
    return _judge(f"Column.{instance}.AggregateMatch", ratio, rule.condition)


REFERENCE_HANDLERS: dict[str, Handler] = {
    "ReferentialIntegrity": failing_on_error(_referential_integrity),
    "DatasetMatch": failing_on_error(_dataset_match),
    "SchemaMatch": failing_on_error(_schema_match),
    "AggregateMatch": failing_on_error(_aggregate_match),
    "RowCountMatch": failing_on_error(_row_count_match),
}

__all__ = ["PRIMARY", "REFERENCE_HANDLERS"]
