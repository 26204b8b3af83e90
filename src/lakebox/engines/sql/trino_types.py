"""Trino's result types, worked out on the parsed statement so that the translation can cast DuckDB's
answers back to them: the types of unqualified columns (which sqlglot's annotation leaves unknown),
Trino's decimal arithmetic rules, and Trino's spelling of a type for `typeof()`.

Athena reports Trino's types, and DuckDB differs in places: decimal division and avg give a double in
DuckDB but a decimal in Trino; approx_percentile of integers is a double in some DuckDB versions.
Imports sqlglot only.
"""

from __future__ import annotations

import functools
from typing import Optional

from sqlglot import exp
from sqlglot.optimizer.scope import traverse_scope

T = exp.DataType.Type
MAX_PRECISION = 38

#: Integer types as the decimals Trino coerces them to in decimal arithmetic.
INTEGER_DECIMALS = {T.TINYINT: (3, 0), T.SMALLINT: (5, 0), T.INT: (10, 0), T.BIGINT: (19, 0)}
INTEGRAL = set(INTEGER_DECIMALS)


def build_type(text: str) -> exp.DataType:
    """`exp.DataType.build(text, dialect="duckdb")`, parsed once per distinct text: building a type from
    text is a sqlglot parse, and translating one query builds hundreds of the same few types."""
    return _parsed_type(text).copy()


@functools.lru_cache(maxsize=1024)
def _parsed_type(text: str) -> exp.DataType:
    return exp.DataType.build(text, dialect="duckdb")


def type_unqualified_columns(tree: exp.Expression, schema: dict) -> tuple[int, int]:
    """Give each column written without its table the type of the one table of its scope that has it,
    so that sqlglot's annotation (which only follows qualified columns) sees it. Returns how many
    columns come from a subquery or CTE whose output is not annotated yet (worth a second pass), and
    how many were typed (the expressions around them are then worth annotating again)."""
    lowered = {name.lower(): {c.lower(): t for c, t in columns.items()} for name, columns in schema.items()}
    try:
        scopes = list(traverse_scope(tree))
    except Exception:  # a statement sqlglot cannot scope keeps DuckDB's types
        return 0, 0
    pending = typed = 0
    for scope in scopes:
        for column in scope.columns:
            known = column.type is not None and column.type.this != T.UNKNOWN
            if column.table or known or _is_lambda_variable(column):
                continue
            owners = [source for source in scope.sources.values() if _has_column(source, column.name, lowered)]
            if len(owners) != 1:
                continue
            if not isinstance(owners[0], exp.Table):
                kind = _derived_type(owners[0], column.name)
                if kind is not None:
                    column.type = kind
                    typed += 1
                else:
                    pending += 1
                continue
            duck = lowered.get(owners[0].name.lower(), {}).get(column.name.lower())
            try:
                column.type = build_type(duck)
            except Exception:  # a type sqlglot cannot read stays unknown
                continue
            typed += 1
    return pending, typed


def _derived_type(source, name: str) -> Optional[exp.DataType]:
    """The type of a subquery's (or CTE's) output column, once a first annotation ran: Trino's decimal
    for decimal arithmetic (sqlglot's annotation does not widen it), else the annotated type."""
    query = getattr(source, "expression", None)
    if isinstance(query, exp.Values):
        return _values_type(query, query.alias_column_names, name)
    if isinstance(query, exp.Select) and isinstance(query.parent, exp.CTE) and query.is_star \
            and isinstance(query.args.get("from_") and query.args["from_"].this, exp.Values):
        # WITH t(x) AS (VALUES ...): sqlglot reads it as SELECT * FROM (VALUES ...), named by the CTE.
        return _values_type(query.args["from_"].this, query.parent.alias_column_names, name)
    for select in getattr(query, "selects", None) or []:
        if select.alias_or_name.lower() != name.lower():
            continue
        decimal = decimal_of(select) if is_decimal(select) else None
        if decimal is not None:
            return exp.DataType.build("DECIMAL(%d,%d)" % decimal)
        if select.type is not None and select.type.this != T.UNKNOWN:
            return select.type.copy()
    return None


def _values_type(values: exp.Values, names: list, name: str) -> Optional[exp.DataType]:
    """The type of a VALUES list's column `name` (of `names`): the one type its rows' values share,
    as annotated (NULLs aside); None when they differ (Trino would coerce them to a common type)."""
    lowered = [n.lower() for n in names]
    if name.lower() not in lowered:
        return None
    index = lowered.index(name.lower())
    kinds = set()
    for row in values.expressions:
        cells = row.expressions if isinstance(row, exp.Tuple) else [row]
        if index >= len(cells) or isinstance(cells[index], exp.Null):
            continue
        kind = cells[index].type
        if kind is None:
            return None
        if kind.this == T.NULL:
            continue
        if kind.this == T.UNKNOWN:
            return None
        kinds.add(kind.sql(dialect="duckdb"))
    return build_type(kinds.pop()) if len(kinds) == 1 else None


def _has_column(source, name: str, schema: dict) -> bool:
    if isinstance(source, exp.Table):
        return name.lower() in schema.get(source.name.lower(), {})
    selects = getattr(getattr(source, "expression", None), "named_selects", None)
    return selects is None or name.lower() in {s.lower() for s in selects} or "*" in selects


def _is_lambda_variable(column: exp.Column) -> bool:
    lam = column.find_ancestor(exp.Lambda)
    while lam is not None:
        if column.name.lower() in {v.name.lower() for v in lam.expressions}:
            return True
        lam = lam.find_ancestor(exp.Lambda)
    return False


#: Nodes whose decimal type is their argument's (sum widens it to precision 38).
_SAME_DECIMAL = (exp.Paren, exp.Alias, exp.Neg)
_DECIMAL_AGGREGATES = (exp.Sum, exp.Avg, exp.Min, exp.Max)


def decimal_of(node: exp.Expression) -> Optional[tuple[int, int]]:
    """(precision, scale) of a decimal-typed node; integers as Trino coerces them; else None.
    Worked out through parentheses, arithmetic, aggregates and CASE, whose annotated types are
    sqlglot's rather than Trino's (sum(decimal(p,s)) is decimal(38,s) in Trino)."""
    if isinstance(node, _SAME_DECIMAL):
        return decimal_of(node.this)
    if isinstance(node, _ARITHMETIC):
        if _floating_operand(node):
            return None
        computed = arithmetic_decimal(node)
        if computed is not None:
            return computed
    if isinstance(node, _DECIMAL_AGGREGATES) and is_decimal(node.this):
        inner = decimal_of(node.this)
        if inner is not None:
            return (MAX_PRECISION, inner[1]) if isinstance(node, exp.Sum) else inner
    if isinstance(node, (exp.Case, exp.If)):
        common = _common_decimal(node)
        if common is not None:
            return common
    if isinstance(node, exp.Literal) and node.is_number:
        text = node.this.lstrip("-+")
        if "e" in text.lower():
            return None
        if "." in text:
            whole, fraction = text.split(".", 1)
            digits = len((whole + fraction).lstrip("0")) or 1
            return max(digits, len(fraction)), len(fraction)
    kind = node.type
    if kind is None:
        return None
    if kind.this == T.DECIMAL:
        params = [p.this for p in kind.expressions]
        try:
            numbers = [int(p.this if isinstance(p, exp.Expression) else p) for p in params]
        except (TypeError, ValueError):
            return None
        if len(numbers) == 2:
            return numbers[0], numbers[1]
        if len(numbers) == 1:
            return numbers[0], 0
        return None
    return INTEGER_DECIMALS.get(kind.this)


def _branches(node: exp.Expression) -> list[exp.Expression]:
    """The result expressions of a CASE or IF, NULLs left out."""
    if isinstance(node, exp.Case):
        branches = [branch.args.get("true") for branch in node.args.get("ifs") or []]
        branches.append(node.args.get("default"))
    else:
        branches = [node.args.get("true"), node.args.get("false")]
    return [b for b in branches if b is not None and not isinstance(b, exp.Null)]


def _common_decimal(node: exp.Expression) -> Optional[tuple[int, int]]:
    """Trino's common type of CASE / IF branches when one is a decimal: the largest scale and the
    largest count of integer digits (`ELSE 0` keeps decimal(31,4))."""
    branches = _branches(node)
    if not any(is_decimal(b) for b in branches):
        return None
    kinds = [decimal_of(b) for b in branches]
    if any(k is None for k in kinds):
        return None
    scale = max(s for _, s in kinds)
    return min(MAX_PRECISION, max(p - s for p, s in kinds) + scale), scale


#: Arithmetic: a double or real operand makes the result a double (real), whatever sqlglot annotated.
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_FLOATING = {T.DOUBLE, T.FLOAT}


def _floating_operand(node: exp.Expression) -> bool:
    """Whether + - * / % has a double or real operand (sqlglot types decimal * double as a decimal)."""
    for side in (node.this, node.expression):
        while isinstance(side, _SAME_DECIMAL):
            side = side.this
        if isinstance(side, _ARITHMETIC) and _floating_operand(side):
            return True
        if side is not None and side.type is not None and side.type.this in _FLOATING:
            return True
    return False


def is_decimal(node: exp.Expression) -> bool:
    if isinstance(node, _ARITHMETIC) and _floating_operand(node):
        return False
    if isinstance(node, _SAME_DECIMAL + _DECIMAL_AGGREGATES):
        return is_decimal(node.this)
    if isinstance(node, (exp.Case, exp.If)) and any(is_decimal(b) for b in _branches(node)):
        return True
    if isinstance(node, exp.Literal) and node.is_number:
        return "." in node.this and "e" not in node.this.lower()
    return node.type is not None and node.type.this == T.DECIMAL


def arithmetic_decimal(node: exp.Expression) -> Optional[tuple[int, int]]:
    """Trino's result decimal(p,s) for + - * / % of two decimals (or a decimal and an integer)."""
    left, right = node.this, node.expression
    if not (is_decimal(left) or is_decimal(right)):
        return None
    a, b = decimal_of(left), decimal_of(right)
    if a is None or b is None:
        return None
    (p1, s1), (p2, s2) = a, b
    if isinstance(node, (exp.Add, exp.Sub)):
        scale = max(s1, s2)
        return min(MAX_PRECISION, max(p1 - s1, p2 - s2) + scale + 1), scale
    if isinstance(node, exp.Mul):
        return min(MAX_PRECISION, p1 + p2), s1 + s2
    if isinstance(node, exp.Div):
        return min(MAX_PRECISION, p1 + s2 + max(s2 - s1, 0)), max(s1, s2)
    if isinstance(node, exp.Mod):
        scale = max(s1, s2)
        return min(MAX_PRECISION, min(p2 - s2, p1 - s1) + scale), scale
    return None


#: DuckDB scalar type (as sqlglot writes it for DuckDB) -> Trino's name in typeof().
_TRINO_NAMES = {
    "TINYINT": "tinyint", "SMALLINT": "smallint", "INTEGER": "integer", "INT": "integer", "BIGINT": "bigint",
    "HUGEINT": "bigint", "INT128": "bigint", "DOUBLE": "double", "REAL": "real", "FLOAT": "real",
    "BOOLEAN": "boolean", "VARCHAR": "varchar", "TEXT": "varchar", "DATE": "date", "TIMESTAMP": "timestamp(3)",
    "TIMESTAMPTZ": "timestamp(3) with time zone", "TIMESTAMP WITH TIME ZONE": "timestamp(3) with time zone",
    "TIME": "time(3)", "BLOB": "varbinary", "JSON": "json", "UUID": "uuid", "INTERVAL": "interval day to second",
    "NULL": "unknown", "UNKNOWN": "unknown",
    # DuckDB's runtime typeof of a timestamp literal without a fraction, or with one to three digits,
    # and of a nanosecond column: lakebox shows them all with milliseconds.
    "TIMESTAMP_S": "timestamp(3)", "TIMESTAMP_MS": "timestamp(3)", "TIMESTAMP_NS": "timestamp(3)",
}


def trino_name(kind: exp.DataType) -> Optional[str]:
    """A sqlglot type as Trino names it in typeof(): `decimal(10,2)`, `array(integer)`, `row(a bigint)`."""
    if kind.this == T.UNKNOWN:
        return None
    if kind.this == T.ARRAY and kind.expressions:
        inner = trino_name(kind.expressions[0])
        return f"array({inner})" if inner else None
    if kind.this == T.MAP and len(kind.expressions) == 2:
        key, value = (trino_name(k) for k in kind.expressions)
        return f"map({key}, {value})" if key and value else None
    if kind.this == T.STRUCT:
        fields = []
        for field in kind.expressions:
            inner = trino_name(field.args.get("kind")) if isinstance(field, exp.ColumnDef) else None
            if inner is None:
                return None
            fields.append(f"{field.name} {inner}")
        return f"row({', '.join(fields)})"
    if kind.this == T.DECIMAL:
        params = [p.this.sql() if isinstance(p.this, exp.Expression) else str(p.this) for p in kind.expressions]
        return f"decimal({','.join(params)})" if params else "decimal(18,3)"
    if kind.this == T.TIME:
        return f"time({time_precision(kind)})"
    if kind.this in (T.TIMESTAMP, T.TIMESTAMPNTZ) and time_precision(kind) > DEFAULT_TIME_PRECISION:
        return f"timestamp({time_precision(kind)})"  # as the result prints it (timestamp_output_precisions)
    return _TRINO_NAMES.get(kind.sql("duckdb").upper())


@functools.lru_cache(maxsize=256)
def runtime_name(duckdb_type: str) -> str:
    """DuckDB's runtime `typeof()` text as Trino names the type: `STRUCT(a INTEGER)[]` is
    `array(row(a integer))`. For a value whose type the translation could not work out; a type
    with no Trino name keeps DuckDB's, in lower case."""
    try:
        name = trino_name(exp.DataType.build(duckdb_type, dialect="duckdb"))
    except Exception:  # noqa: BLE001 - a type sqlglot cannot parse keeps DuckDB's spelling
        name = None
    return name or duckdb_type.lower()


#: Trino's precision of `time` written without one, as in CAST(x AS time).
DEFAULT_TIME_PRECISION = 3


def time_precision(kind: exp.DataType) -> int:
    """The fractional digits of a `time(p)` type. A TIME literal has as many as it is written with
    (`TIME '13:24:11'` is time(0)); sqlglot's Trino parser records that as the type's parameter."""
    if kind.expressions:
        param = kind.expressions[0].this
        text = param.this if isinstance(param, exp.Literal) else param
        if str(text).isdigit():
            return int(text)
    return DEFAULT_TIME_PRECISION


def _output_casts(tree: exp.Expression) -> list[tuple[int, exp.Cast]]:
    """(result position, CAST) of the result columns that are a CAST (a typed literal is one), where
    the positions are known: not after a `*`."""
    while isinstance(tree, exp.SetOperation):
        tree = tree.left
    while isinstance(tree, exp.Subquery):
        tree = tree.this
    if not isinstance(tree, exp.Select) or any(isinstance(e, exp.Star) or
                                                (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))
                                                for e in tree.expressions):
        return []
    return [(position, item.unalias()) for position, item in enumerate(tree.expressions)
            if isinstance(item.unalias(), exp.Cast)]


def time_output_precisions(tree: exp.Expression) -> dict:
    """{result position: p} of the result columns that are a `time(p)` other than time(3): a TIME
    literal or a cast to time(p). Trino prints such a value with p fractional digits ('13:24:11' for
    time(0)), where DuckDB's TIME carries microseconds and the renderer writes milliseconds."""
    found = {}
    for position, cast in _output_casts(tree):
        if cast.to.this == T.TIME:
            precision = time_precision(cast.to)
            if precision != DEFAULT_TIME_PRECISION:
                found[position] = precision
    return found


def timestamp_output_precisions(tree: exp.Expression) -> dict:
    """{result position: p} of the result columns that are a `timestamp(p)` of more than 3 fractional
    digits: a TIMESTAMP literal written with them (`TIMESTAMP '2020-01-01 00:00:00.123456'` is
    timestamp(6)) or a cast to timestamp(p). Trino prints p digits, the renderer milliseconds."""
    found = {}
    for position, cast in _output_casts(tree):
        if cast.to.this in (T.TIMESTAMP, T.TIMESTAMPNTZ):
            precision = time_precision(cast.to)
            if precision > DEFAULT_TIME_PRECISION:
                found[position] = precision
    return found
