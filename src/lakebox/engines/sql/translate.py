"""Athena (Trino) SQL -> DuckDB SQL, by sqlglot plus a table of rules where sqlglot's own Trino->DuckDB
mapping is missing or gives DuckDB's semantics instead of Trino's.

`RULES` maps an expression class (or, for functions sqlglot does not know, a lower-case function
name) to a builder `(node, types) -> node`. Builders may look at the argument types sqlglot's type
annotation found (`node.args[...].type`), so that Trino's result types survive: date_trunc on a
date is a date, integer division stays integral. Trino functions with no translation are listed in
`UNSUPPORTED` and fail with NOT_SUPPORTED instead of reaching DuckDB under the same name and
meaning something else.

Result columns get Athena's names (`_col0`, `_col1`, ... for items that are neither aliased nor a column
reference), and the result types are cast back to Trino's where DuckDB's differ (decimal arithmetic,
avg, approx_percentile, AT TIME ZONE; see `trino_types`).

Imports sqlglot and this package only.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.optimizer.annotate_types import annotate_types

from . import lambda_types, syntax_errors, trino_types, typed_literals
from .function_rules import FUNCTION_RULES
from .text_number_rules import TEXT_NUMBER_RULES
from .scalar_rules import SCALAR_RULES
from .sql_template import template
from .errors import QueryError

Builder = Callable[[exp.Expression], exp.Expression]

_INTEGRAL = {exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.INT,
             exp.DataType.Type.BIGINT}


def _type_of(node: Optional[exp.Expression]) -> Optional[exp.DataType.Type]:
    if node is None or node.type is None:
        return None
    return node.type.this


def _cast(node: exp.Expression, to: str) -> exp.Expression:
    """`CAST(node AS to)`, already annotated with its type so that the rules of enclosing nodes see it."""
    kind = trino_types.build_type(to)
    cast = exp.Cast(this=node, to=kind)
    cast.type = kind.copy()
    return cast


def _keep_date(node: exp.Expression) -> exp.Expression:
    """date_trunc / date_add on a date give a date in Trino; DuckDB widens them to a timestamp."""
    if _type_of(node.this) == exp.DataType.Type.DATE:
        unit = (node.text("unit") or "").lower()
        if unit not in ("hour", "minute", "second", "millisecond"):
            return _cast(node, "DATE")
    return node


def _div(node: exp.Div) -> exp.Expression:
    """Trino divides integers as integers; DuckDB's `//` truncates toward zero and fails on zero, as Trino does.
    Decimals divide into Trino's decimal(p,s), where DuckDB answers a double."""
    if _type_of(node.this) in _INTEGRAL and _type_of(node.expression) in _INTEGRAL:
        return exp.IntDiv(this=node.this, expression=node.expression)
    decimal = trino_types.arithmetic_decimal(node)
    if decimal is not None:
        divisor = template("CASE WHEN __p_b = 0 THEN error('Division by zero') ELSE CAST(__p_b AS DOUBLE) END",
                            b=node.expression)
        quotient = exp.Div(this=_cast(node.this, "DOUBLE"), expression=divisor)
        return _cast(quotient, "DECIMAL(%d,%d)" % decimal)
    return node


def _decimal_arithmetic(node: exp.Expression) -> exp.Expression:
    """+ - * % of decimals take Trino's precision and scale; a date plus or minus a day, month or year
    interval stays a date (DuckDB widens it to a timestamp)."""
    if isinstance(node, (exp.Add, exp.Sub)) and _type_of(node.this) == exp.DataType.Type.DATE \
            and isinstance(node.expression, exp.Interval):
        unit = (node.expression.text("unit") or "").lower()
        if unit in ("day", "week", "month", "quarter", "year"):
            return _cast(node, "DATE")
    decimal = trino_types.arithmetic_decimal(node)
    if decimal is None:
        return node
    cast = _cast(node, "DECIMAL(%d,%d)" % decimal)
    if not isinstance(node, exp.Mod) and all(_plain_operand(side) for side in (node.this, node.expression)):
        cast.meta[_WIDENING] = decimal[1]
    return cast


#: Marks a CAST that `_decimal_arithmetic` put around + - * of plain operands (columns, literals,
#: CASTs): DuckDB computes that operation at the same scale as Trino (max(s1,s2) for + -, s1+s2 for *)
#: and at a precision no greater, so the CAST only widens the value, exactly. Its value is the scale.
_WIDENING = "lakebox_exact_widening"


def _plain_operand(node: exp.Expression) -> bool:
    """An operand whose DuckDB type is the type Trino gives it: a column of the Glue type, a numeric
    literal (same scale in both), or a CAST to an explicit type."""
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, (exp.Column, exp.Cast)) or (isinstance(node, exp.Literal) and not node.is_string)


def _avg(node: exp.Avg) -> exp.Expression:
    """avg of a decimal is a decimal of the same type in Trino, of a real a real; of integers a double."""
    decimal = trino_types.decimal_of(node.this) if trino_types.is_decimal(node.this) else None
    if decimal is not None:
        return _cast(node, "DECIMAL(%d,%d)" % decimal)
    if _type_of(node.this) == exp.DataType.Type.FLOAT:
        return _cast(node, "FLOAT")
    return _cast(node, "DOUBLE") if _type_of(node.this) in _INTEGRAL else node


def _sum(node: exp.Sum) -> exp.Expression:
    """sum of a real is a real in Trino; DuckDB answers a double.

    sum(CAST(a * b AS DECIMAL(p,s))), where the CAST only widens (see `_WIDENING`), becomes
    CAST(sum(a * b) AS DECIMAL(38,s)): a sum of decimals of scale s is a DECIMAL(38,s) in Trino and in
    DuckDB whatever their precision, and the exact sum of the same values is the same, so neither the
    value nor the type changes, while DuckDB adds 64-bit decimals instead of widening each row to
    128 bits first (TPC-H Q1's sum_disc_price)."""
    if _type_of(node.this) == exp.DataType.Type.FLOAT:
        return _cast(node, "FLOAT")
    argument = node.this
    if isinstance(argument, exp.Cast) and _WIDENING in argument.meta \
            and not isinstance(node.parent, (exp.Window, exp.Filter, exp.WithinGroup)):
        node.set("this", argument.this)
        return _cast(node, "DECIMAL(38,%d)" % argument.meta[_WIDENING])
    return node


def _approx_percentile(node: exp.ApproxQuantile) -> exp.Expression:
    """approx_percentile of integers is Trino's bigint variant (one percentile), not a double."""
    kind = node.this.type
    quantile = node.args.get("quantile")
    if kind is not None and kind.this in _INTEGRAL and not isinstance(quantile, exp.Array):
        return _cast(node, "BIGINT")
    return node


def _at_time_zone(node: exp.AtTimeZone) -> exp.Expression:
    """Trino's `ts AT TIME ZONE z` is the same instant seen in zone z. The wall-clock time in z is what
    nested functions (hour, date_format) must see; a result column of it is rendered with the zone
    (`engine` asks `zoned_outputs`). DuckDB's own AT TIME ZONE means the reverse for a timestamp, and
    its TIMEZONE() knows named zones only, so a fixed offset (`+05:30`) is added to UTC's clock.
    The instant rides along (`_INSTANT`) for what needs it rather than the clock: to_unixtime,
    comparisons, and an AT TIME ZONE of the result."""
    instant = _cast(_instant_of(node.this), "TIMESTAMPTZ")
    zone = node.args["zone"]
    offset = _OFFSET_ZONE.match(zone.this) if isinstance(zone, exp.Literal) and zone.is_string else None
    if offset:
        minutes = (int(offset.group(2)) * 60 + int(offset.group(3))) * (-1 if offset.group(1) == "-" else 1)
        utc = exp.Anonymous(this="TIMEZONE", expressions=[exp.Literal.string("UTC"), instant])
        local = exp.Add(this=utc, expression=exp.Interval(this=exp.Literal.string(str(minutes)),
                                                          unit=exp.var("MINUTE")))
    else:
        local = exp.Anonymous(this="TIMEZONE", expressions=[zone, instant])
    local.type = exp.DataType.build("TIMESTAMP")
    local.meta["trino_type"] = "timestamp(3) with time zone"
    local.meta[_INSTANT] = instant
    return local


#: The meta key of a translated `AT TIME ZONE` that holds the instant its wall-clock time shows.
_INSTANT = "zoned_instant"


def _instant_of(node: exp.Expression) -> exp.Expression:
    """The instant a translated `AT TIME ZONE` (or with_timezone) shows, else the node itself."""
    inner = node
    while isinstance(inner, exp.Paren):
        inner = inner.this
    instant = inner.meta.get(_INSTANT)
    return node if instant is None else instant.copy()


def _to_unixtime(node: exp.TimeToUnix) -> exp.Expression:
    node.set("this", _instant_of(node.this))
    return node


#: A time zone given as a fixed offset from UTC, as Trino writes one: `+05:30`, `-03:00`.
_OFFSET_ZONE = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _zone_forms(statement: exp.Expression) -> exp.Expression:
    """Trino's other spellings of "this instant, seen in a zone" as the one the rules know,
    `AT TIME ZONE`: `at_timezone(ts, zone)`, `with_timezone(ts, zone)` (the instant whose wall
    time in the zone is ts), and `from_unixtime(seconds, zone)` or `from_unixtime(seconds, hours,
    minutes)` (a fixed offset)."""
    for node in list(statement.find_all(exp.Anonymous, exp.UnixToTime)):
        if isinstance(node, exp.Anonymous):
            if node.name.lower() == "at_timezone" and len(node.expressions) == 2:
                node.replace(exp.AtTimeZone(this=node.expressions[0], zone=node.expressions[1]))
            elif node.name.lower() == "with_timezone" and len(node.expressions) == 2:
                wall, zone = node.expressions
                node.replace(exp.AtTimeZone(this=_instant_of_wall_time(wall, zone), zone=zone.copy()))
            continue
        zone, hours, minutes = (node.args.get(k) for k in ("zone", "hours", "minutes"))
        if zone is None and hours is not None:
            hours_value, minutes_value = (_integer_literal(v) for v in (hours, minutes or exp.Literal.number(0)))
            if hours_value is None or minutes_value is None:
                raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: from_unixtime's hours and minutes must be constants "
                                                  "in lakebox's engine")
            total = hours_value * 60 + minutes_value
            zone = exp.Literal.string(f"{'-' if total < 0 else '+'}{abs(total) // 60:02d}:{abs(total) % 60:02d}")
        if zone is not None:
            plain = exp.UnixToTime(this=node.this)
            node.replace(exp.AtTimeZone(this=plain, zone=zone))
    return statement


def _instant_of_wall_time(wall: exp.Expression, zone: exp.Expression) -> exp.Expression:
    """The TIMESTAMPTZ whose time in `zone` (a name, or a fixed offset such as `+05:30`) is `wall`."""
    local = exp.cast(wall, "TIMESTAMP")
    offset = _OFFSET_ZONE.match(zone.this) if isinstance(zone, exp.Literal) and zone.is_string else None
    if offset is None:
        return exp.Anonymous(this="TIMEZONE", expressions=[zone, local])
    minutes = (int(offset.group(2)) * 60 + int(offset.group(3))) * (-1 if offset.group(1) == "-" else 1)
    utc = exp.Sub(this=local, expression=exp.Interval(this=exp.Literal.string(str(minutes)), unit=exp.var("MINUTE")))
    return exp.Anonymous(this="TIMEZONE", expressions=[exp.Literal.string("UTC"), utc])


def _integer_literal(node: exp.Expression) -> Optional[int]:
    if isinstance(node, exp.Neg):
        inner = _integer_literal(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return int(node.this)
        except ValueError:
            return None
    return None


_STRICT_TYPES = _INTEGRAL | {exp.DataType.Type.DECIMAL, exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT,
                             exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.BOOLEAN}
_OPERATORS = {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}


def _comparison(node: exp.Expression) -> exp.Expression:
    """Trino does not turn a string into a number, date or timestamp to compare them (DuckDB does):
    `qty = '3'` is a TYPE_MISMATCH, pointed at the comparison's first operand."""
    node.set("this", _instant_of(node.this))  # a zoned value compares as the instant it is
    node.set("expression", _instant_of(node.expression))
    left, right = node.this, node.expression
    for typed, text in ((left, right), (right, left)):
        if isinstance(text, exp.Literal) and text.is_string and _type_of(typed) in _STRICT_TYPES:
            names = [trino_types.trino_name(typed.type) if side is typed else f"varchar({len(text.this)})"
                     for side in (left, right)]
            line, col = _start_of(left)
            raise QueryError("TYPE_MISMATCH", f"TYPE_MISMATCH: line {line}:{col}: Cannot apply operator: "
                                              f"{names[0]} {_OPERATORS[type(node)]} {names[1]}")
    return node


def _start_of(node: exp.Expression) -> tuple[int, int]:
    """1-based line and column where `node` starts in the user's SQL, as far as sqlglot kept it."""
    identifier = node.find(exp.Identifier)
    meta = identifier.meta if identifier is not None else {}
    if "line" not in meta:
        return 1, 1
    return meta["line"], max(meta["col"] - len(identifier.name) + 1 - (2 if identifier.quoted else 0), 1)


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


#: A Java format specifier: argument index, flags, width, precision, conversion.
_JAVA_SPECIFIER = re.compile(r"%(\d+\$)?[-#+ 0,(<]*\d*(?:\.\d+)?([tT]?[a-zA-Z%])")


def _format(node: exp.Format) -> exp.Expression:
    """Trino's format is Java's String.format, whose common patterns printf understands. Java's `%s`
    takes a value of any type as its text (String.valueOf: a NULL is 'null'), where printf's `%s`
    takes only strings: those arguments are cast to text first."""
    arguments = list(node.expressions)
    pattern = node.this
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        position = 0
        for match in _JAVA_SPECIFIER.finditer(pattern.this):
            conversion = match.group(2)
            if conversion in ("%", "n"):
                continue
            index = int(match.group(1)[:-1]) - 1 if match.group(1) else position
            if not match.group(1):
                position += 1
            if conversion in ("s", "S") and 0 <= index < len(arguments):
                text = "upper(coalesce(CAST(__p_x AS VARCHAR), 'null'))" if conversion == "S" else \
                    "coalesce(CAST(__p_x AS VARCHAR), 'null')"
                arguments[index] = template(text, x=arguments[index].copy())
        # `%S` is `%s` in upper case: the argument is upper-cased above.
        pattern = exp.Literal.string(_JAVA_SPECIFIER.sub(
            lambda m: m.group(0)[:-1] + "s" if m.group(2) == "S" else m.group(0), pattern.this))
    return exp.Anonymous(this="PRINTF", expressions=[pattern, *arguments])


def _array_kind(node: exp.Expression) -> Optional[bool]:
    """True for an array, False for a value whose type is known and is not one, None when unknown."""
    if isinstance(node, exp.Array):
        return True
    kind = node.type.this if node.type is not None else None
    if kind in (None, exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL):
        return None
    return kind == exp.DataType.Type.ARRAY


def _concatenation(node: exp.DPipe) -> exp.Expression:
    """Trino's `||` also adds an element to an array, at its end (`ARRAY[1] || 2`) or at its start
    (`0 || ARRAY[1]`); DuckDB's only joins two strings or two lists."""
    left, right = _array_kind(node.this), _array_kind(node.expression)
    if left and right is False:
        joined, array = template("list_append(__p_a, __p_e)", a=node.this, e=node.expression), node.this
    elif right and left is False:
        joined, array = template("list_prepend(__p_e, __p_a)", e=node.this, a=node.expression), node.expression
    else:
        return node
    joined.type = array.type or exp.DataType.build("ARRAY")  # so that a further `|| x` sees an array
    return joined


def _typeof(node: exp.Typeof) -> exp.Expression:
    """Trino's type names (`integer`, `varchar(3)`, `decimal(10,2)`, `timestamp(3)`): from the annotated
    type where known, else DuckDB's runtime typeof mapped to Trino's names."""
    arg = node.this
    if arg.meta.get("trino_type"):
        return exp.Literal.string(arg.meta["trino_type"])
    if isinstance(arg, exp.Literal) and arg.is_string:
        return exp.Literal.string(f"varchar({len(arg.this)})")
    if isinstance(arg, exp.Literal) and trino_types.is_decimal(arg):
        return exp.Literal.string("decimal(%d,%d)" % trino_types.decimal_of(arg))
    name = trino_types.trino_name(arg.type) if arg.type is not None else None
    if name:
        return exp.Literal.string(name)
    return template("lakebox_trino_type(typeof(__p_x))", x=arg)   # trino_types.runtime_name


def _map_agg(node: exp.Anonymous) -> exp.Expression:
    """Trino's map_agg skips NULL keys and keeps one value for a repeated key (the first it meets);
    DuckDB's MAP() refuses repeated keys, so the entries are filtered to each key's first place."""
    key, value = node.expressions
    entries = "LIST({'k': __p_k, 'v': __p_v}) FILTER (WHERE __p_k IS NOT NULL)"
    return template(f"map_from_entries(list_filter({entries}, (e, i) -> "
                    f"list_position(list_transform({entries}, y -> y.k), e.k) = i))", k=key, v=value)


def _cardinality(node: exp.ArraySize) -> exp.Expression:
    """Trino's cardinality counts an array's elements or a map's entries; sqlglot writes DuckDB's
    array_length, which refuses maps, while DuckDB's own cardinality takes both."""
    return _cast(exp.Anonymous(this="cardinality", expressions=[node.this]), "BIGINT")


def _count_if(node: exp.Expression) -> exp.Expression:
    return _cast(node, "BIGINT")


def _anonymous_row(node: exp.Expression) -> exp.Expression:
    """`ROW('Bob', 38)` has fields named field0, field1 ... as Athena shows them
    (`{field0=Bob, field1=38}`, and as JSON keys); sqlglot would name them _0, _1. Under a CAST to
    a ROW type the names are the target's, and sqlglot writes DuckDB's positional `ROW(...)` there:
    left alone."""
    if not node.expressions or any(isinstance(e, (exp.PropertyEQ, exp.Alias, exp.Slice)) for e in node.expressions):
        return node
    cast = node.find_ancestor(exp.Cast)
    if cast is not None and any(t.this == exp.DataType.Type.STRUCT for t in cast.to.find_all(exp.DataType)):
        return node
    node.set("expressions", [exp.PropertyEQ(this=exp.to_identifier(f"field{i}"), expression=e)
                             for i, e in enumerate(node.expressions)])
    return node


def _unsupported(name: str) -> Builder:
    def build(node):
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: function {name} is not supported by lakebox's engine")
    return build


#: expression class -> builder. sqlglot's Trino->DuckDB generator already maps these correctly and
#: they are covered by tests: DateDiff, StrToTime (date_parse), TimeToStr (date_format),
#: FromISO8601Timestamp, UnixToTime, TimeToUnix, StrSplit, RegexpLike, RegexpExtract, RegexpReplace,
#: ConcatWs, Pad, Trim, JSONExtract, JSONExtractScalar, ParseJSON, JSONFormat, Unnest with ordinality,
#: Transform, ArrayFilter, Bracket (element_at), ArrayAgg, ArrayContains,
#: ApproxDistinct, ApproxQuantile, ArgMax, ArgMin, AnyValue, Try, TryCast.
RULES: dict = {
    exp.TimestampTrunc: _keep_date,
    exp.DateTrunc: _keep_date,
    exp.DateAdd: _keep_date,
    exp.Div: _div,
    exp.Add: _decimal_arithmetic,
    exp.Sub: _decimal_arithmetic,
    exp.Mul: _decimal_arithmetic,
    exp.Mod: _decimal_arithmetic,
    exp.Avg: _avg,
    **{kind: _comparison for kind in _OPERATORS},
    exp.Sum: _sum,
    exp.ApproxQuantile: _approx_percentile,
    exp.AtTimeZone: _at_time_zone,
    exp.TimeToUnix: _to_unixtime,
    exp.Reduce: _reduce,
    exp.Format: _format,
    exp.DPipe: _concatenation,
    exp.Typeof: _typeof,
    exp.CountIf: _count_if,
    exp.ArraySize: _cardinality,
    exp.Struct: _anonymous_row,
    "map_agg": _map_agg,
    **FUNCTION_RULES,
    **SCALAR_RULES,
    **TEXT_NUMBER_RULES,
}

#: Trino functions that reach the generator unchanged but mean something else (or nothing) in DuckDB.
UNSUPPORTED = {"spooky_hash_v2_32", "spooky_hash_v2_64", "numeric_histogram", "qdigest_agg",
               "tdigest_agg", "approx_set", "merge", "classify", "learn_classifier"}

for _name in UNSUPPORTED:
    RULES[_name] = _unsupported(_name)


def parse(sql: str) -> exp.Expression:
    """Parse one Trino statement; a syntax error becomes Athena's SYNTAX_ERROR with its position."""
    try:
        explicit = typed_literals.explicit_decimal_literals(sql)
        try:
            statements = [s for s in sqlglot.parse(explicit, read="trino") if s is not None]
        except (ParseError, sqlglot.errors.TokenError):
            if explicit is sql:
                raise
            # Report the error at its place in the statement as written.
            statements = [s for s in sqlglot.parse(sql, read="trino") if s is not None]
    except ParseError as error:
        raise syntax_errors.position_error(sql, error) from None
    except sqlglot.errors.TokenError as error:
        raise QueryError("SYNTAX_ERROR", f"SYNTAX_ERROR: line 1:1: {error}") from None
    if len(statements) != 1:
        raise QueryError("SYNTAX_ERROR", "SYNTAX_ERROR: line 1:1: only one statement may be run at a time")
    statement = _zone_forms(statements[0])
    syntax_errors.refuse_dangling_commas(sql)
    if isinstance(statement, exp.Select) and not statement.expressions:
        raise syntax_errors.empty_select(sql)
    return statement


#: Where a parenthesised list is a value, and so a row: a result column, a function's argument, a
#: lambda's body, an array's element. Elsewhere (IN lists, VALUES and MERGE's INSERT rows, grouping
#: sets) it stays a list.
_ROW_PLACES = (exp.Select, exp.Alias, exp.Lambda, exp.Array, exp.Func)
_LIST_PLACES = (exp.In, exp.Values, exp.GroupingSets, exp.Cube, exp.Rollup, exp.Group)


def rows_for_tuples(tree: exp.Expression) -> exp.Expression:
    """Trino reads `(1, 'a')` as a row constructor, the same as `ROW(1, 'a')` (`{field0=1, field1=a}`),
    and a VALUES item that is one row as that row's columns: `VALUES ROW(1, 'a')` is `VALUES (1, 'a')`.
    sqlglot keeps the first as a tuple, which DuckDB would answer as a list."""
    def convert(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Tuple) and isinstance(node.parent, exp.Values) and len(node.expressions) == 1 \
                and isinstance(node.expressions[0], (exp.Struct, exp.Tuple)):
            node.set("expressions", list(node.expressions[0].expressions))
            return node
        if isinstance(node, exp.Tuple) and len(node.expressions) > 1 and isinstance(node.parent, _ROW_PLACES) \
                and not isinstance(node.parent, _LIST_PLACES):
            return exp.Struct(expressions=list(node.expressions))
        return node

    return tree.transform(convert, copy=False)


def to_duckdb(tree: exp.Expression, schema: Optional[dict] = None) -> str:
    """Apply the rules to a parsed (and table-resolved) statement and write it as DuckDB SQL.

    `schema` maps a relation name to {column: DuckDB type}, for the type annotation the rules use.
    Result columns get Athena's names first (`name_columns`)."""
    tree = rows_for_tuples(tree)
    name_columns(tree)
    typed_literals.doubles_for_bare_decimals(tree)
    # Twice: the second pass types columns of subqueries and CTEs from the first pass's answers.
    for attempt in range(2):
        pending, typed = trino_types.type_unqualified_columns(tree, schema or {})
        if attempt and not typed:
            break
        try:
            annotate_types(tree, schema=schema or {}, dialect="duckdb", overwrite_types=False)
        except Exception:  # annotation is best effort: rules then see unknown types and keep DuckDB's
            break
        if not pending:
            break
    # sqlglot types a CAST as it parses it and then leaves what it casts unannotated: the rules
    # that depend on the operand's type (a double cast to varchar) need it.
    for cast in list(tree.find_all(exp.Cast)):
        if cast.this.type is None:
            try:
                annotate_types(cast.this, schema=schema or {}, dialect="duckdb", overwrite_types=False)
            except Exception:  # as above: best effort
                pass
    # Lambda variables from the arrays they range over, nested lambdas one level per pass.
    for _ in range(3):
        if not lambda_types.type_variables(tree):
            break
        try:
            annotate_types(tree, schema=schema or {}, dialect="duckdb", overwrite_types=False)
        except Exception:  # as above: best effort
            break
    # Children before parents, so that a rule sees the (typed) translation of its arguments.
    for node in reversed(list(tree.walk(bfs=False))):
        rule = RULES.get(type(node))
        if rule is None and isinstance(node, exp.Anonymous):
            rule = RULES.get(node.name.lower())
        if rule is None:
            continue
        parent, key, index = node.parent, node.arg_key, node.index
        replacement = rule(node)  # may wrap `node` itself, so it is put in place through its old parent
        if replacement is not node:
            if parent is None:
                tree = replacement
            else:
                parent.set(key, replacement, index)
    try:
        # copy=False: the rules above already rewrote `tree` in place; copying it again costs about a
        # quarter of the translation.
        return tree.sql(dialect="duckdb", unsupported_level=sqlglot.ErrorLevel.RAISE, copy=False)
    except sqlglot.errors.UnsupportedError as error:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {error}") from None


#: The alias an unnamed result column gets while its position is not known yet (a `*` precedes it);
#: `output_names` turns it into `_col<position>`.
UNNAMED = "__lakebox_unnamed_"


def _named(item: exp.Expression) -> bool:
    return isinstance(item, (exp.Alias, exp.Column, exp.Star)) or (isinstance(item, exp.Dot) and item.name)


def name_columns(tree: exp.Expression) -> None:
    """Give every unnamed select item Athena's name, `_col<position>` (0-based), as Trino does for any
    item that is neither aliased nor a column reference. Idempotent."""
    for select in tree.find_all(exp.Select):
        items = select.expressions
        has_star = any(isinstance(i, exp.Star) or (isinstance(i, exp.Column) and i.is_star) for i in items)
        for position, item in enumerate(items):
            if isinstance(item, exp.Dot) and item.name:
                # A row field `expr.y` is named `y`, as Trino names it (DuckDB would use its text).
                item.replace(exp.alias_(item.copy(), item.name, quoted=True))
                continue
            if _named(item):
                continue
            alias = f"{UNNAMED}{position}" if has_star else f"_col{position}"
            item.replace(exp.alias_(item.copy(), alias, quoted=True))


def unnamed_position(tree: exp.Expression) -> Optional[int]:
    """The 1-based position of the first result column without a name, for CTAS and views, which
    Athena refuses ("Column name not specified at position 1"). Ask before `to_duckdb` names them."""
    select = _first_select(tree)
    if select is None:
        return None
    for position, item in enumerate(select.expressions, 1):
        if not _named(item):
            return position
    return None


def require_names(query: exp.Expression) -> None:
    """Athena refuses a view or CTAS whose query has a result column without a name."""
    position = unnamed_position(query)
    if position is not None:
        raise QueryError("MISSING_COLUMN_NAME",
                         f"MISSING_COLUMN_NAME: line 1:1: Column name not specified at position {position}")


def _first_select(tree: exp.Expression) -> Optional[exp.Select]:
    while isinstance(tree, exp.SetOperation):
        tree = tree.left
    if isinstance(tree, exp.Subquery):
        return _first_select(tree.this)
    return tree if isinstance(tree, exp.Select) else None


def zoned_outputs(tree: exp.Expression) -> dict:
    """{result column name: zone} of the result columns that are `... AT TIME ZONE '<zone>'`: Trino
    shows them as `timestamp(3) with time zone` values in that zone."""
    select = _first_select(tree)
    zones = {}
    for item in select.expressions if select is not None else []:
        inner = item.unalias()
        if isinstance(inner, exp.AtTimeZone) and isinstance(inner.args.get("zone"), exp.Literal):
            zones[item.alias_or_name.lower()] = inner.args["zone"].this
    return zones


def keep_written_names(tree: exp.Expression) -> None:
    """Alias each column a query's result shows by a name written with capitals (`SELECT ID`) to
    that text, in place: Trino names the result column as the query spells it, where DuckDB gives
    the table's spelling (`id`). Only the result's own select list (the first of a set operation)."""
    while isinstance(tree, exp.SetOperation):
        tree = tree.left
    while isinstance(tree, exp.Subquery):
        tree = tree.this
    if not isinstance(tree, exp.Select):
        return
    for item in list(tree.expressions):
        if isinstance(item, exp.Column) and not item.is_star and item.name != item.name.lower():
            item.replace(exp.alias_(item.copy(), item.name, quoted=True))


def output_names(names: list, values: bool = False, keep_case: bool = False) -> list:
    """DuckDB's result column names as Athena shows them: `_col<n>` for unnamed ones and for the
    columns of a bare VALUES (DuckDB says `col<n>`), others in lower case, or, with `keep_case`, as
    the query wrote them: a query's result names a column `ID` when it selects `ID` (Trino keeps an
    identifier's text), where the columns of a table or view made from it are lower case."""
    out = []
    for position, name in enumerate(names):
        if name.startswith(UNNAMED) or (values and name == f"col{position}"):
            out.append(f"_col{position}")
        else:
            out.append(name if keep_case else name.lower())
    return out


def transpile(sql: str) -> str:
    """Trino SQL text -> DuckDB SQL text, for statements that name no catalog table."""
    return to_duckdb(parse(sql))
