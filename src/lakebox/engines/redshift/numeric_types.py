"""Redshift's DECIMAL results where DuckDB's are DOUBLE: the division of numeric values and AVG of a
DECIMAL, typed and computed as AWS's "Computations with numeric values" and AVG pages say.

- A division with a DECIMAL operand (an integer one counts as DECIMAL(5,0), (10,0) or (19,0)) is a
  DECIMAL with scale max(4, s1 + p2 - s2 + 1) and precision p1 - s1 + s2 + scale; past precision 38 the
  precision is 38 and the scale max(38 + scale - precision, 4). Its value is the exact quotient,
  rounded half away from zero at that scale, computed on 128-bit integers (`redshift_div_round`).
- AVG of a DECIMAL(p, s) is a DECIMAL(38, s): SUM over COUNT, divided the same way.
Addition, subtraction and multiplication keep DuckDB's values and scales (the same as Redshift's);
only the precision DuckDB reports can differ by a digit.

The operands' types come from the rules here over sqlglot's tree: literals, casts, arithmetic,
aggregates, and columns, whose types sqlglot's optimizer resolves (on a copy of the statement) from
the catalog the caller describes. Where an operand's type is not known the division is left to DuckDB.
Imports sqlglot only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from .semantics import rewritten_bottom_up

#: A table's columns and their DuckDB types ({"price": "DECIMAL(8,2)"}), or None when it is not known.
ColumnTypes = Callable[[exp.Table], Optional[dict]]

#: The macros the rewritten statements call (made on each session, with semantics.SESSION_MACROS):
#: a value as a 128-bit integer of its unscaled digits, and a quotient rounded half away from zero.
SESSION_MACROS = [
    "CREATE OR REPLACE TEMP MACRO redshift_unscaled(x, k) AS "
    "CAST(trunc(x) AS HUGEINT) * k + CAST((x - trunc(x)) * k AS HUGEINT)",
    "CREATE OR REPLACE TEMP MACRO redshift_div_round(n, d) AS "
    "n // d + CASE WHEN 2 * abs(n % d) >= abs(d) THEN sign(n) * sign(d) ELSE 0 END",
]

_MAX_PRECISION = 38
_T = exp.DataType.Type
_INTEGER_PRECISION = {_T.TINYINT: 5, _T.SMALLINT: 5, _T.INT: 10, _T.BIGINT: 19}
_FLOATS = {_T.FLOAT, _T.DOUBLE}
_META_KEY = "redshift_column"


@dataclass(frozen=True)
class Numeric:
    """A numeric type: an integer (precision 5, 10 or 19, scale 0), a DECIMAL(precision, scale), or a float."""
    kind: str  # "integer", "decimal" or "float"
    precision: int = 0
    scale: int = 0


_FLOAT = Numeric("float")


def division_type(left: Numeric, right: Numeric) -> Numeric:
    """The type of left / right (AWS's table of return types, and its rule for DECIMAL results)."""
    if _FLOAT in (left, right):
        return _FLOAT
    if left.kind == right.kind == "integer":
        return Numeric("integer", max(left.precision, right.precision))
    scale = max(4, left.scale + right.precision - right.scale + 1)
    precision = left.precision - left.scale + right.scale + scale
    if precision > _MAX_PRECISION:
        scale, precision = max(_MAX_PRECISION + scale - precision, 4), _MAX_PRECISION
    return Numeric("decimal", precision, scale)


def _arithmetic_type(node: exp.Expression, left: Numeric, right: Numeric) -> Numeric:
    if _FLOAT in (left, right):
        return _FLOAT
    if left.kind == right.kind == "integer":
        return Numeric("integer", max(left.precision, right.precision))
    if isinstance(node, exp.Mul):
        scale, precision = left.scale + right.scale, left.precision + right.precision + 1
    else:
        scale = max(left.scale, right.scale)
        precision = max(left.precision - left.scale, right.precision - right.scale) + 1 + scale
    return Numeric("decimal", min(precision, _MAX_PRECISION), min(scale, _MAX_PRECISION))


def apply(tree: exp.Expression, column_types: Optional[ColumnTypes], default_schema: str) -> exp.Expression:
    """`tree` with each numeric division and AVG of a DECIMAL computed as Redshift computes it."""
    if tree.find(exp.Div, exp.Avg) is None:
        return tree
    typer = _Typer(_column_types(tree, column_types, default_schema) if column_types else {})
    return rewritten_bottom_up(tree, lambda node: _rewrite(node, typer))


def _rewrite(node: exp.Expression, typer: "_Typer") -> Optional[exp.Expression]:
    if isinstance(node, exp.Div):
        left, right = typer.of(node.this), typer.of(node.expression)
        if left and right and "decimal" in (left.kind, right.kind) and _FLOAT not in (left, right):
            return _exact_division(node.this, left, node.expression, right)
    if isinstance(node, exp.Avg) and not isinstance(node.parent, exp.Window):
        return _decimal_average(node, typer, None)
    if isinstance(node, exp.Window) and isinstance(node.this, exp.Avg):
        # AVG(x) OVER (...): SUM(x) OVER (...) over COUNT(x) OVER (...).
        return _decimal_average(node.this, typer, node)
    return None


def _decimal_average(node: exp.Avg, typer: "_Typer", window: Optional[exp.Window]) -> Optional[exp.Expression]:
    """AVG of a DECIMAL(p, s): a DECIMAL(38, s), SUM over COUNT, each in the AVG's window if it has one."""
    argument = node.this
    distinct = isinstance(argument, exp.Distinct) and len(argument.expressions) == 1
    value = argument.expressions[0] if distinct else argument
    kind = typer.of(value)
    if kind is None or kind.kind != "decimal":
        return None

    def aggregate(function) -> exp.Expression:
        inner = exp.Distinct(expressions=[value.copy()]) if distinct else value.copy()
        made = function(this=inner)
        if window is None:
            return made
        windowed = window.copy()
        windowed.set("this", made)
        return windowed

    total_type = Numeric("decimal", _MAX_PRECISION, kind.scale)
    return _divided(aggregate(exp.Sum), total_type, aggregate(exp.Count), Numeric("integer", 19), total_type)


def _exact_division(left: exp.Expression, left_type: Numeric, right: exp.Expression,
                    right_type: Numeric) -> exp.Expression:
    return _divided(left.copy(), left_type, right.copy(), right_type, division_type(left_type, right_type))


def _divided(left: exp.Expression, left_type: Numeric, right: exp.Expression, right_type: Numeric,
             result: Numeric) -> exp.Expression:
    """left / right rounded at the result's scale: both as unscaled 128-bit integers, the numerator
    scaled so that the integer quotient has the result's scale, then that quotient shifted back."""
    shift = result.scale + right_type.scale - left_type.scale
    if abs(shift) > _MAX_PRECISION:
        # 10^shift is past a 128-bit integer (a scale cut back to 4 at precision 38): through a DOUBLE.
        quotient = exp.Div(this=exp.cast(left, "DOUBLE"), expression=right)
        return exp.cast(quotient, exp.DataType.build(f"DECIMAL({result.precision}, {result.scale})"))
    numerator = _times_power(_unscaled(left, left_type), max(shift, 0))
    denominator = _times_power(_unscaled(right, right_type), max(-shift, 0))
    quotient = exp.Anonymous(this="redshift_div_round", expressions=[numerator, denominator])
    unit = exp.cast(exp.Literal.string(f"{10 ** -result.scale:.{result.scale}f}" if result.scale else "1"),
                    exp.DataType.build(f"DECIMAL({max(result.scale, 1)}, {result.scale})"))
    shifted = exp.Mul(this=exp.cast(quotient, exp.DataType.build(f"DECIMAL({_MAX_PRECISION}, 0)")), expression=unit)
    return exp.cast(shifted, exp.DataType.build(f"DECIMAL({result.precision}, {result.scale})"))


def _unscaled(value: exp.Expression, kind: Numeric) -> exp.Expression:
    if kind.kind == "integer" or kind.scale == 0:
        return exp.cast(exp.Paren(this=value), "HUGEINT")
    return exp.Anonymous(this="redshift_unscaled", expressions=[value, _power(kind.scale)])


def _times_power(value: exp.Expression, exponent: int) -> exp.Expression:
    return value if exponent == 0 else exp.Mul(this=value, expression=_power(exponent))


def _power(exponent: int) -> exp.Expression:
    return exp.cast(exp.Literal.number(10 ** exponent), "HUGEINT")


class _Typer:
    """The Redshift numeric type of an expression, or None when it is not known."""

    def __init__(self, columns: dict):
        self._columns = columns

    def of(self, node: exp.Expression) -> Optional[Numeric]:
        if isinstance(node, (exp.Paren, exp.Neg, exp.Abs, exp.Min, exp.Max, exp.Nullif, exp.Alias)):
            return self.of(node.this)
        if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select) and len(node.this.expressions) == 1:
            return self.of(node.this.expressions[0])  # a scalar subquery: its one value
        if isinstance(node, exp.Distinct) and len(node.expressions) == 1:
            return self.of(node.expressions[0])
        if isinstance(node, exp.Window):
            return self.of(node.this)
        if isinstance(node, exp.Literal):
            return None if node.is_string else _literal_type(node.this)
        if isinstance(node, exp.Cast):
            return _declared(node.to)
        if isinstance(node, exp.Column):
            return self._columns.get(node.meta.get(_META_KEY))
        if isinstance(node, exp.Count):
            return Numeric("integer", 19)
        if isinstance(node, (exp.Sum, exp.Avg)):
            argument = self.of(node.this)
            if argument is None or argument.kind != "decimal":
                return Numeric("integer", 19) if argument and argument.kind == "integer" else argument
            return Numeric("decimal", _MAX_PRECISION, argument.scale)
        if isinstance(node, exp.Div):
            left, right = self.of(node.this), self.of(node.expression)
            return division_type(left, right) if left and right else None
        if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
            left, right = self.of(node.this), self.of(node.expression)
            return _arithmetic_type(node, left, right) if left and right else None
        return None


def _literal_type(text: str) -> Optional[Numeric]:
    """1 is an INTEGER (a BIGINT when it needs one), 1.50 a DECIMAL(3,2), 1e5 a float."""
    if "e" in text.lower():
        return _FLOAT
    whole, _, fraction = text.lstrip("+-").partition(".")
    if not fraction and "." not in text:
        value = int(whole or "0")
        if value < 2 ** 31:
            return Numeric("integer", 10)
        return Numeric("integer", 19) if value < 2 ** 63 else Numeric("decimal", len(whole.lstrip("0")), 0)
    digits = len(whole.lstrip("0")) + len(fraction)
    return Numeric("decimal", max(digits, len(fraction), 1), len(fraction))


def _declared(kind: exp.DataType) -> Optional[Numeric]:
    if kind.this in _INTEGER_PRECISION:
        return Numeric("integer", _INTEGER_PRECISION[kind.this])
    if kind.this in _FLOATS:
        return _FLOAT
    if kind.this == _T.DECIMAL:
        params = [int(p.name) for p in kind.expressions if p.name.isdigit()]
        # Redshift's DECIMAL without a precision is DECIMAL(18, 0).
        precision = params[0] if params else 18
        return Numeric("decimal", precision, params[1] if len(params) > 1 else 0)
    if kind.this in (_T.INT128, _T.UBIGINT):
        return Numeric("decimal", _MAX_PRECISION, 0)
    return None


def _column_types(tree: exp.Expression, column_types: ColumnTypes, default_schema: str) -> dict:
    """{marker: Numeric} for the statement's columns whose numeric types the catalog tells.

    sqlglot's optimizer qualifies and types a copy of the statement; each column of the original
    carries a marker in its meta, which the copy keeps, to find its type there. A statement the
    optimizer cannot resolve (an unknown table or column) leaves its columns untyped, and DuckDB's
    own error or answer stands."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    mapping: dict = {}
    for table in tree.find_all(exp.Table):
        if not table.name or table.name in ctes or table.args.get("catalog") or not isinstance(table.this,
                                                                                               exp.Identifier):
            continue
        columns = column_types(table)
        if columns:
            mapping.setdefault(table.db or default_schema, {})[table.name] = columns
    if not mapping:
        return {}
    for index, column in enumerate(tree.find_all(exp.Column)):
        column.meta[_META_KEY] = index
    try:
        schema = MappingSchema(mapping, dialect="duckdb", normalize=False)
        typed = qualify(tree.copy(), schema=schema, db=default_schema, dialect="redshift", quote_identifiers=False,
                        validate_qualify_columns=False, identify=False)
        annotate_types(typed, schema=schema, dialect="duckdb")
    except SqlglotError:
        return {}
    found = {}
    for column in typed.find_all(exp.Column):
        marker = column.meta.get(_META_KEY)
        kind = _declared(column.type) if column.type is not None and marker is not None else None
        if kind is not None:
            found[marker] = kind
    return found
