"""DQDL conditions as judgements and as SQL: what `> 0.9`, `between 1 and 5`, `in ["a","b"]` or
`matches "[a-z]+"` mean for a measured value (`holds`) and for each row (`*_predicate`, Trino SQL run
by the Athena engine).

The meanings are AWS's (awslabs/dqdl's NumberBasedCondition and deequ's DQDL rules): `between` is
exclusive at both ends; `=` is exact; a NULL value fails every row-level comparison unless the
condition names NULL (`in [NULL, 1]`, `= NULL`) or is negated (`!= 3`, `not in [...]`, where NULL
passes); `matches` must match the whole value. Values are printed as Java prints a double (`4.0`,
`0.75`, `1.0E7`), since that is how Glue's messages show them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from .dqdl_model import Arithmetic, Call, Condition, DateExpr, Duration, Keyword, Number, Parenthesized, Text


class Unsupported(Exception):
    """A rule that lakebox cannot evaluate: its result is ERROR with this message."""


def java_double(value: float) -> str:
    """`value` as Java's Double.toString prints it: plain between 1e-3 and 1e7, else `1.0E7`."""
    value = float(value)
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(value)
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{len(digits) - 1 + exponent}"


def failed_message(value: float) -> str:
    return f"Value: {java_double(value)} does not meet the constraint requirement!"


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- numbers ---------------------------------------------------------------------------------------

def number_value(expr) -> Optional[float]:
    """A constant number expression's value (None for NULL)."""
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Parenthesized):
        return number_value(expr.inner)
    if isinstance(expr, Arithmetic):
        left, right = number_value(expr.left), number_value(expr.right)
        if left is None or right is None:
            return None
        if expr.op == "/":
            return left / right if right else None
        return {"+": left + right, "-": left - right, "*": left * right}[expr.op]
    if isinstance(expr, Call):
        # Dynamic values are resolved against a measured metric's history (dq_dynamic.py); a row-level
        # condition has no metric to take them from.
        raise Unsupported(f"A dynamic value ({expr}) compares a measured metric; it cannot judge each row")
    raise Unsupported(f"{expr} is not a number")


def holds(condition: Condition, value: float) -> bool:
    """Whether a measured value meets a number condition, as DQDL's NumberBasedCondition decides."""
    operands = [number_value(o) for o in condition.operands]
    op = condition.operator
    if op == "=":
        return value == operands[0]
    if op == "!=":
        return value != operands[0]
    if op in ("in", "not in"):
        return (value in operands) == (op == "in")
    if None in operands:
        return False
    if op == "between":
        return operands[0] < value < operands[1]
    if op == "not between":
        return value <= operands[0] or value >= operands[1]
    return {">": value > operands[0], ">=": value >= operands[0], "<": value < operands[0],
            "<=": value <= operands[0]}[op]


# -- row-level predicates ------------------------------------------------------------------------------

def compare_predicate(x: str, operator: str, literals: list[Optional[str]]) -> str:
    """SQL that is true for the rows whose `x` meets `operator` over SQL `literals` (None: NULL)."""
    values = [lit for lit in literals if lit is not None]
    has_null = len(values) < len(literals)
    if operator in ("in", "not in"):
        return _set_predicate(x, operator == "not in", values, has_null)
    if operator == "=" and has_null:
        return f"{x} IS NULL"
    if operator == "!=":
        return f"{x} IS NOT NULL" if has_null else f"({x} IS NULL OR {x} <> {values[0]})"
    if has_null:
        return "FALSE"
    if operator == "between":
        return f"({x} IS NOT NULL AND {x} > {values[0]} AND {x} < {values[1]})"
    if operator == "not between":
        return f"({x} IS NOT NULL AND ({x} <= {values[0]} OR {x} >= {values[1]}))"
    return f"({x} IS NOT NULL AND {x} {operator} {values[0]})"


def _set_predicate(x: str, negated: bool, values: list[str], has_null: bool) -> str:
    listed = ", ".join(values)
    if not negated:
        parts = [f"({x} IS NOT NULL AND {x} IN ({listed}))"] if values else []
        parts += [f"{x} IS NULL"] if has_null else []
        return "(" + " OR ".join(parts) + ")" if parts else "FALSE"
    parts = [f"({x} IS NULL OR {x} NOT IN ({listed}))"] if values else []
    parts += [f"{x} IS NOT NULL"] if has_null else []
    return "(" + " AND ".join(parts) + ")" if parts else "TRUE"


def number_literal(expr) -> Optional[str]:
    value = number_value(expr)
    return None if value is None else repr(value)


def number_predicate(x: str, condition: Condition) -> str:
    return compare_predicate(x, condition.operator, [number_literal(o) for o in condition.operands])


def date_literal(expr: DateExpr, now: dt.datetime) -> Optional[str]:
    """A DQDL date as a SQL DATE; `now()` is the service clock's day, as Glue compares whole days."""
    if expr.date is not None:
        return f"DATE {sql_string(expr.date)}"
    if not expr.now:
        return None
    moment = now
    if expr.offset is not None:
        sign, duration = expr.offset
        moment += dt.timedelta(hours=duration.hours) * (1 if sign == "+" else -1)
    return f"DATE {sql_string(moment.date().isoformat())}"


def date_predicate(x: str, condition: Condition, now: dt.datetime) -> str:
    return compare_predicate(x, condition.operator, [date_literal(o, now) for o in condition.operands])


def duration_predicate(hours: str, condition: Condition) -> str:
    literals = [repr(o.hours) if isinstance(o, Duration) else None for o in condition.operands]
    return compare_predicate(hours, condition.operator, literals)


def string_predicate(x: str, condition: Condition) -> str:
    """Rows whose text `x` meets a string condition; EMPTY is '', WHITESPACES_ONLY is blanks only."""
    op = condition.operator
    if op in ("matches", "not matches"):
        pattern = sql_string("^(?:" + condition.operands[0].value + ")$")
        match = f"regexp_like({x}, {pattern})"
        return match if op == "matches" else f"({x} IS NOT NULL AND NOT {match})"
    negated = op in ("!=", "not in")
    texts = [sql_string(o.value) for o in condition.operands if isinstance(o, Text)]
    keywords = {o.name for o in condition.operands if isinstance(o, Keyword)}
    parts = []
    if "NULL" in keywords:
        parts.append(f"{x} IS NOT NULL" if negated else f"{x} IS NULL")
    if "EMPTY" in keywords:
        parts.append(f"{x} <> ''" if negated else f"{x} = ''")
    if "WHITESPACES_ONLY" in keywords:
        parts.append(f"(length(trim({x})) > 0 OR length({x}) = 0)" if negated
                     else f"(length(trim({x})) = 0 AND length({x}) > 0)")
    if texts:
        listed = ", ".join(texts)
        parts.append(f"({x} IS NULL OR {x} NOT IN ({listed}))" if negated
                     else f"({x} IS NOT NULL AND {x} IN ({listed}))")
    if not parts:
        return "TRUE" if negated else "FALSE"
    return "(" + (" AND " if negated else " OR ").join(parts) + ")"


def ratio_sql(predicate: str) -> str:
    """How many rows meet `predicate`, as a SQL aggregate (a NULL predicate does not)."""
    return f"sum(CASE WHEN {predicate} THEN 1 ELSE 0 END)"
