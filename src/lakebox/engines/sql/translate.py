"""Athena (Trino) SQL -> DuckDB SQL, by sqlglot plus a table of rules where sqlglot's own Trino->DuckDB
mapping is missing or gives DuckDB's semantics instead of Trino's.

`RULES` maps an expression class (or, for functions sqlglot does not know, a lower-case function
name) to a builder `(node, types) -> node`. Builders may look at the argument types sqlglot's type
annotation found (`node.args[...].type`), so that Trino's result types survive: date_trunc on a
date is a date, integer division stays integral. Trino functions with no translation are listed in
`UNSUPPORTED` and fail with NOT_SUPPORTED instead of reaching DuckDB under the same name and
meaning something else.

Imports sqlglot and this package's errors only.
"""

from __future__ import annotations

from typing import Callable, Optional

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.optimizer.annotate_types import annotate_types

from .errors import QueryError

Builder = Callable[[exp.Expression], exp.Expression]

_INTEGRAL = {exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.INT,
             exp.DataType.Type.BIGINT}


def _type_of(node: Optional[exp.Expression]) -> Optional[exp.DataType.Type]:
    if node is None or node.type is None:
        return None
    return node.type.this


def _cast(node: exp.Expression, to: str) -> exp.Expression:
    return exp.Cast(this=node, to=exp.DataType.build(to))


def _template(sql: str, **parts: exp.Expression) -> exp.Expression:
    """Build a DuckDB expression from `sql`, where `:name` placeholders take the given nodes."""
    tree = sqlglot.parse_one(sql, read="duckdb")

    def fill(node):
        if isinstance(node, exp.Column) and not node.table and node.name.startswith("__p_"):
            return parts[node.name[4:]].copy()
        return node

    return tree.transform(fill)


def _keep_date(node: exp.Expression) -> exp.Expression:
    """date_trunc / date_add on a date give a date in Trino; DuckDB widens them to a timestamp."""
    if _type_of(node.this) == exp.DataType.Type.DATE:
        unit = (node.text("unit") or "").lower()
        if unit not in ("hour", "minute", "second", "millisecond"):
            return _cast(node, "DATE")
    return node


def _div(node: exp.Div) -> exp.Expression:
    """Trino divides integers as integers; DuckDB's `//` truncates toward zero and fails on zero, as Trino does."""
    if _type_of(node.this) in _INTEGRAL and _type_of(node.expression) in _INTEGRAL:
        return exp.IntDiv(this=node.this, expression=node.expression)
    return node


def _reduce(node: exp.Reduce) -> exp.Expression:
    """Trino's reduce(array, initial, (s, x) -> ..., s -> finish): DuckDB's list_reduce has no finish
    step, so the finish lambda is applied through a one-element list_transform."""
    finish = node.args.get("finish")
    if finish is None:
        return node
    node.set("finish", None)
    return exp.Anonymous(this="LIST_EXTRACT", expressions=[
        exp.Anonymous(this="LIST_TRANSFORM", expressions=[exp.Array(expressions=[node.copy()]), finish]),
        exp.Literal.number(1)])


def _format(node: exp.Format) -> exp.Expression:
    """Trino's format is Java's String.format, whose common patterns printf understands."""
    return exp.Anonymous(this="PRINTF", expressions=[node.this, *node.expressions])


def _typeof(node: exp.Typeof) -> exp.Expression:
    from .types import athena_type
    arg = node.this
    if arg.type is not None and arg.type.this != exp.DataType.Type.UNKNOWN:
        import duckdb
        try:
            return exp.Literal.string(athena_type(duckdb.sqltype(arg.type.sql("duckdb"))))
        except Exception:  # a type DuckDB cannot name falls back to its own spelling
            pass
    return exp.Lower(this=node)


def _map_agg(node: exp.Anonymous) -> exp.Expression:
    key, value = node.expressions
    return _template("MAP(LIST(__p_k), LIST(__p_v))", k=key, v=value)


def _count_if(node: exp.Expression) -> exp.Expression:
    return _cast(node, "BIGINT")


def _unsupported(name: str) -> Builder:
    def build(node):
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: function {name} is not supported by lakebox's engine")
    return build


#: expression class -> builder. sqlglot's Trino->DuckDB generator already maps these correctly and
#: they are covered by tests: DateDiff, StrToTime (date_parse), TimeToStr (date_format),
#: FromISO8601Timestamp, UnixToTime, TimeToUnix, StrSplit, RegexpLike, RegexpExtract, RegexpReplace,
#: ConcatWs, Pad, Trim, JSONExtract, JSONExtractScalar, ParseJSON, JSONFormat, Unnest with ordinality,
#: Transform, ArrayFilter, Bracket (element_at), ArraySize, ArrayAgg, ArrayContains,
#: ApproxDistinct, ApproxQuantile, ArgMax, ArgMin, AnyValue, Try, TryCast.
RULES: dict = {
    exp.TimestampTrunc: _keep_date,
    exp.DateTrunc: _keep_date,
    exp.DateAdd: _keep_date,
    exp.Div: _div,
    exp.Reduce: _reduce,
    exp.Format: _format,
    exp.Typeof: _typeof,
    exp.CountIf: _count_if,
    "map_agg": _map_agg,
}

#: Trino functions that reach the generator unchanged but mean something else (or nothing) in DuckDB.
UNSUPPORTED = {"ngrams", "url_extract_host", "url_extract_path", "url_extract_parameter", "to_iso8601",
               "from_utf8", "to_utf8", "xxhash64", "murmur3", "hamming_distance", "geometric_mean",
               "map_union", "multimap_agg", "numeric_histogram", "set_agg", "set_union", "qdigest_agg",
               "tdigest_agg", "approx_set", "merge", "classify", "learn_classifier"}

for _name in UNSUPPORTED:
    RULES[_name] = _unsupported(_name)


def parse(sql: str) -> exp.Expression:
    """Parse one Trino statement; a syntax error becomes Athena's SYNTAX_ERROR with its position."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="trino") if s is not None]
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        line, col = first.get("line", 1), first.get("col", 1)
        detail = first.get("description", str(error)).split("\n")[0]
        token = first.get("highlight") or ""
        where = f"mismatched input '{token}'. " if token else ""
        raise QueryError("SYNTAX_ERROR",
                         f"SYNTAX_ERROR: line {line}:{max(col - len(token), 0) + 1}: {where}{detail}") from None
    if len(statements) != 1:
        raise QueryError("SYNTAX_ERROR", "SYNTAX_ERROR: line 1:1: only one statement may be run at a time")
    return statements[0]


def to_duckdb(tree: exp.Expression, schema: Optional[dict] = None) -> str:
    """Apply the rules to a parsed (and table-resolved) statement and write it as DuckDB SQL.

    `schema` maps a relation name to {column: DuckDB type}, for the type annotation the rules use."""
    try:
        annotate_types(tree, schema=schema or {}, dialect="duckdb")
    except Exception:  # annotation is best effort: rules then see unknown types and keep DuckDB's
        pass

    def apply(node):
        rule = RULES.get(type(node))
        if rule is None and isinstance(node, exp.Anonymous):
            rule = RULES.get(node.name.lower())
        return rule(node) if rule else node

    tree = tree.transform(apply, copy=False)
    try:
        return tree.sql(dialect="duckdb", unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.UnsupportedError as error:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {error}") from None


def transpile(sql: str) -> str:
    """Trino SQL text -> DuckDB SQL text, for statements that name no catalog table."""
    return to_duckdb(parse(sql))
