"""Rule recommendations: DQDL rules that a table's current data meets, computed from its statistics, as
StartDataQualityRuleRecommendationRun's RecommendedRuleset.

AWS Glue recommends with deequ's constraint suggestion rules (awslabs/deequ, `suggestions.rules`), and
writes them in DQDL. The rules here follow them:

- RowCount: `RowCount between <n/2> and <2n>` (DQDL's `between` excludes its bounds);
- CompleteIfComplete: `IsComplete "c"` when no value is NULL; RetainCompleteness: otherwise, when at
  least a fifth of the values are there, `Completeness "c" >= <the lower bound of the 95% confidence
  interval of the completeness>`;
- UniqueIfApproximatelyUnique: `Uniqueness "c" > 0.95` when every row has a value of its own;
- CategoricalRange: `ColumnValues "c" in [...]` for a string, integral or boolean column of at most 100
  distinct values making up at most a tenth of its values (NULL listed too when some values are
  missing: deequ's containment check lets NULL through, DQDL's counts it as outside the list);
- numbers: `ColumnValues "c" <= <max>` (and `>= 0` when no value is negative), and
  `StandardDeviation "c" between <sd - 5%> and <sd + 5%>` when the values vary;
- strings: `ColumnLength "c" = <n>` when every value has the same length, else
  `ColumnLength "c" between <shortest - 1> and <longest + 1>`.

The statistics take one pass over the table (one SQL query), plus one small query per categorical
column for its values. Every rule recommended holds on the data it was computed from.
"""

from __future__ import annotations

import math
import re
from typing import Optional

from .dq_rules import Dataset

#: deequ's CategoricalRangeRule: at most this many distinct values, at most this share of the values.
MAX_CATEGORIES = 100
MAX_CATEGORY_RATIO = 0.1
#: deequ's RetainCompletenessRule: completeness below this is not worth a rule.
MIN_COMPLETENESS = 0.2
_Z_95 = 1.96

_INTEGRAL = re.compile(r"^(tinyint|smallint|int|integer|bigint|long|short|byte)$")
_FRACTIONAL = re.compile(r"^(float|real|double|decimal(\(.*\))?)$")
_STRING = re.compile(r"^(string|varchar(\(.*\))?|char(\(.*\))?)$")


def _kind(glue_type: str) -> Optional[str]:
    t = glue_type.strip().lower()
    if _INTEGRAL.match(t):
        return "integral"
    if _FRACTIONAL.match(t):
        return "fractional"
    if _STRING.match(t):
        return "string"
    if t == "boolean":
        return "boolean"
    return None


def recommend(data: Dataset) -> str:
    """The recommended ruleset of the dataset's rows, as DQDL text."""
    columns = [(name, _kind(glue_type)) for name, glue_type in data.columns]
    measures = ["count(*)"]
    for name, kind in columns:
        col = data.column(name)
        measures += [f"count({col})", f"count(DISTINCT {col})"]
        if kind in ("integral", "fractional"):
            measures += [f"min(CAST({col} AS double))", f"max(CAST({col} AS double))",
                         f"stddev_pop(CAST({col} AS double))"]
        elif kind == "string":
            measures += [f"min(length({col}))", f"max(length({col}))"]
    values = [_number(v) for v in data.run_sql(f"SELECT {', '.join(measures)} FROM {data.relation}")[0]]
    rows = int(values[0] or 0)
    rules = [_row_count(rows)]
    at = 1
    for name, kind in columns:
        present, distinct = int(values[at] or 0), int(values[at + 1] or 0)
        at += 2
        stats = []
        if kind in ("integral", "fractional"):
            stats, at = values[at:at + 3], at + 3
        elif kind == "string":
            stats, at = values[at:at + 2], at + 2
        if rows == 0:
            continue
        quoted = _quoted(name)
        completeness = present / rows
        if present == rows:
            rules.append(f"IsComplete {quoted}")
        elif completeness >= MIN_COMPLETENESS:
            rules.append(f"Completeness {quoted} >= {_floor(_lower_bound(completeness, rows))}")
        if distinct == rows:
            rules.append(f"Uniqueness {quoted} > 0.95")
        if present and kind in ("integral", "string", "boolean") and distinct <= MAX_CATEGORIES \
                and distinct / present <= MAX_CATEGORY_RATIO:
            listed = _categories(data, name, kind) + (["NULL"] if present < rows else [])
            rules.append(f"ColumnValues {quoted} in [{', '.join(listed)}]")
        elif present and kind in ("integral", "fractional"):
            low, high, deviation = stats
            if low is not None and low >= 0:
                rules.append(f"ColumnValues {quoted} >= 0")
            rules.append(f"ColumnValues {quoted} <= {_literal(high)}")
            if deviation:
                rules.append(f"StandardDeviation {quoted} between {_floor(deviation * 0.95)} "
                             f"and {_ceil(deviation * 1.05)}")
        elif present and kind == "string":
            shortest, longest = int(stats[0]), int(stats[1])
            rules.append(f"ColumnLength {quoted} = {shortest}" if shortest == longest
                         else f"ColumnLength {quoted} between {max(shortest - 1, 0)} and {longest + 1}")
    return "Rules = [\n" + ",\n".join(f"    {rule}" for rule in rules) + "\n]"


def _row_count(rows: int) -> str:
    if rows == 0:
        return "RowCount = 0"
    return f"RowCount between {rows // 2} and {rows * 2}"


def _categories(data: Dataset, name: str, kind: str) -> list[str]:
    col = data.column(name)
    found = data.run_sql(f"SELECT DISTINCT CAST({col} AS varchar) FROM {data.relation} "
                         f"WHERE {col} IS NOT NULL ORDER BY 1 LIMIT {MAX_CATEGORIES + 1}")
    values = [row[0] for row in found]
    return [v if kind == "integral" else _quoted(v) for v in values]


def _lower_bound(p: float, n: int) -> float:
    """The lower end of the 95% (normal approximation) confidence interval of a proportion."""
    return max(p - _Z_95 * math.sqrt(p * (1 - p) / n), 0.0)


def _number(value) -> Optional[float]:
    return None if value is None else float(value)


def _floor(value: float) -> str:
    return _literal(math.floor(value * 100) / 100)


def _ceil(value: float) -> str:
    return _literal(math.ceil(value * 100) / 100)


def _literal(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(value, 6))


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

