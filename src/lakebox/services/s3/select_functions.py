"""S3 Select's functions and types, as DuckDB runs them: which pass through, which are rewritten,
and the macros the rewrites call.

Why tables: each function S3 Select documents is one entry (`SCALAR_FUNCTIONS` and `AGGREGATES`
pass through, `REWRITES` and `NAMED_FUNCTIONS` say how one becomes DuckDB, `CAST_TYPES` maps
S3 Select's types), and a function that is in none of them is refused with UnsupportedFunction
rather than run by DuckDB under the same name and a different meaning.

Imports sqlglot and select_errors only.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Callable

from sqlglot import exp

from .select_errors import SelectError

#: S3 Select's functions that sqlglot would read as its own (DATE_ADD(part, n, ts) is not sqlglot's
#: DATE_ADD): the dialect's tokenizer renames them with this prefix, so they parse as written.
OWN_PREFIX = "S3SELECT_"
OWN_FUNCTIONS = frozenset({"DATE_ADD", "DATE_DIFF", "TO_STRING", "TO_TIMESTAMP", "UTCNOW"})

#: DuckDB macros the rewritten SQL may call; create them on the connection first.
MACROS = (
    # An Ion timestamp text (`2007T`, `2007-02T`, `2007-02-23T`, `2007-02-23T12:14:33.079-08:00`)
    # or any timestamp, as TIMESTAMPTZ: DuckDB reads the ISO forms but not the short Ion ones.
    r"""CREATE OR REPLACE TEMP MACRO s3select_timestamp(x) AS CAST(CASE
        WHEN regexp_full_match(CAST(x AS VARCHAR), '\d{4}T') THEN left(CAST(x AS VARCHAR), 4) || '-01-01'
        WHEN regexp_full_match(CAST(x AS VARCHAR), '\d{4}-\d{2}T') THEN left(CAST(x AS VARCHAR), 7) || '-01'
        WHEN regexp_full_match(CAST(x AS VARCHAR), '\d{4}-\d{2}-\d{2}T') THEN left(CAST(x AS VARCHAR), 10)
        ELSE CAST(x AS VARCHAR) END AS TIMESTAMPTZ)""",
    # SQL's SUBSTRING, as S3 Select documents it: positions before 1 count toward the length.
    # DuckDB's substring counts a negative start from the end of the string instead.
    "CREATE OR REPLACE TEMP MACRO s3select_substring(s, start) AS substring(s, greatest(start, 1))",
    """CREATE OR REPLACE TEMP MACRO s3select_substring_for(s, start, len) AS CASE
        WHEN start >= 1 THEN substring(s, start, len)
        WHEN start + len - 1 <= 0 THEN ''
        ELSE substring(s, 1, start + len - 1) END""",
)


def own_name(node: exp.Anonymous) -> str:
    """An S3 Select function's name as written (without the tokenizer's prefix)."""
    name = node.name.upper()
    return name[len(OWN_PREFIX):] if name.startswith(OWN_PREFIX) else name


#: Functions DuckDB runs as S3 Select defines them (CHAR_LENGTH parses as Length, CASE's WHEN as If).
SCALAR_FUNCTIONS = frozenset({exp.Lower, exp.Upper, exp.Length, exp.Trim, exp.Coalesce, exp.Nullif, exp.Case,
                              exp.If})
#: Operators sqlglot models as functions.
OPERATORS = frozenset({exp.And, exp.Or})
#: S3 Select's aggregates: one argument each (COUNT also takes *).
AGGREGATES = frozenset({exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max})

#: S3 Select's types -> DuckDB's. INT is 8 bytes and FLOAT 8-byte floating point in S3 Select;
#: DECIMAL ignores a given precision and scale, so one wide enough for any value is used.
CAST_TYPES: dict[exp.DataType.Type, str] = {
    exp.DataType.Type.BOOLEAN: "BOOLEAN",
    exp.DataType.Type.INT: "BIGINT",
    exp.DataType.Type.BIGINT: "BIGINT",
    exp.DataType.Type.TEXT: "VARCHAR",
    exp.DataType.Type.VARCHAR: "VARCHAR",
    exp.DataType.Type.FLOAT: "DOUBLE",
    exp.DataType.Type.DOUBLE: "DOUBLE",
    exp.DataType.Type.DECIMAL: "DECIMAL(38, 9)",
}

#: DATE_ADD, DATE_DIFF and EXTRACT's date parts.
DATE_PARTS = ("year", "month", "day", "hour", "minute", "second")
EXTRACT_PARTS = DATE_PARTS + ("timezone_hour", "timezone_minute")


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _timestamp(value: exp.Expression) -> exp.Expression:
    return _call("s3select_timestamp", value)


def _cast(node: exp.Cast, now: datetime) -> exp.Expression:
    kind = node.to.this
    if kind in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ):
        return _timestamp(node.this)
    target = CAST_TYPES.get(kind)
    if target is None:
        raise SelectError("InvalidDataType", node.to.sql())
    return exp.Cast(this=node.this, to=exp.DataType.build(target, dialect="duckdb"))


def _substring(node: exp.Substring, now: datetime) -> exp.Expression:
    start = node.args.get("start")
    if start is None:
        raise SelectError("EvaluatorInvalidArguments", "SUBSTRING needs a start")
    length = node.args.get("length")
    if length is None:
        return _call("s3select_substring", node.this, start)
    return _call("s3select_substring_for", node.this, start, length)


def _extract(node: exp.Extract, now: datetime) -> exp.Expression:
    part = node.this.name.lower()
    if part not in EXTRACT_PARTS:
        raise SelectError("ParseExpectedDatePart", part)
    return exp.Extract(this=exp.var(part.upper()), expression=node.expression)


def _date_part(argument: exp.Expression) -> str:
    name = argument.name.lower() if isinstance(argument, (exp.Column, exp.Var)) else ""
    if name not in DATE_PARTS:
        raise SelectError("ParseExpectedDatePart", argument.sql())
    return name


def _arity(args: list, count: int, name: str) -> None:
    if len(args) != count:
        raise SelectError("EvaluatorInvalidArguments", f"{name} takes {count} arguments")


def _date_add(args: list, now: datetime) -> exp.Expression:
    """DATE_ADD(part, quantity, ts): ts moved by quantity parts (to_years(n) ... are intervals)."""
    _arity(args, 3, "DATE_ADD")
    part, quantity, stamp = args
    return exp.Add(this=stamp, expression=_call(f"to_{_date_part(part)}s", quantity))


def _date_diff(args: list, now: datetime) -> exp.Expression:
    """DATE_DIFF(part, ts1, ts2): whole parts between them (a day is 24 hours apart, as S3 Select
    documents), which is DuckDB's date_sub rather than its boundary-counting date_diff."""
    _arity(args, 3, "DATE_DIFF")
    part, first, second = args
    return _call("date_sub", exp.Literal.string(_date_part(part)), first, second)


def _utcnow(args: list, now: datetime) -> exp.Expression:
    _arity(args, 0, "UTCNOW")
    moment = now.astimezone(timezone.utc).isoformat()
    return exp.Cast(this=exp.Literal.string(moment), to=exp.DataType.build("TIMESTAMPTZ", dialect="duckdb"))


def _to_timestamp(args: list, now: datetime) -> exp.Expression:
    _arity(args, 1, "TO_TIMESTAMP")
    return _timestamp(args[0])


def _to_string(args: list, now: datetime) -> exp.Expression:
    _arity(args, 2, "TO_STRING")
    stamp, pattern = args
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        raise SelectError("IllegalSqlFunctionArgument", "TO_STRING's format must be a string literal")
    return _call("strftime", stamp, exp.Literal.string(strftime_format(pattern.this)))


#: How sqlglot's function expressions become DuckDB.
REWRITES: dict[type, Callable[[exp.Expression, datetime], exp.Expression]] = {
    exp.Cast: _cast,
    exp.Substring: _substring,
    exp.Extract: _extract,
}

#: S3 Select's functions sqlglot does not know (parsed as written), by name.
NAMED_FUNCTIONS: dict[str, Callable[[list, datetime], exp.Expression]] = {
    "DATE_ADD": _date_add,
    "DATE_DIFF": _date_diff,
    "UTCNOW": _utcnow,
    "TO_TIMESTAMP": _to_timestamp,
    "TO_STRING": _to_string,
}


def rewrite_post_order(node: exp.Expression, rule: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """Apply `rule` to every node, children first, so a rewritten node holds rewritten arguments."""
    for child in list(node.iter_expressions()):
        rewrite_post_order(child, rule)
    new = rule(node)
    if new is not node and node.parent is not None:
        node.replace(new)
    return new


def rewrite_function(node: exp.Expression, now: datetime) -> exp.Expression:
    """One node as DuckDB runs it; S3's error for a function S3 Select does not have. Column
    references are left for the caller to resolve."""
    if isinstance(node, exp.RawString):  # `2007T`
        return _timestamp(exp.Literal.string(node.this))
    if isinstance(node, exp.Is) and _is_missing(node.expression):
        # IS MISSING: lakebox reads an absent value as NULL, so MISSING is NULL here.
        return exp.Is(this=node.this, expression=exp.Null())
    if isinstance(node, exp.Anonymous):
        rule = NAMED_FUNCTIONS.get(own_name(node))
        if rule is None:
            raise SelectError("UnsupportedFunction", own_name(node))
        return rule(list(node.expressions), now)
    kind = type(node)
    if kind in AGGREGATES:
        _check_aggregate(node)
        return node
    if kind in REWRITES:
        return REWRITES[kind](node, now)
    if kind in SCALAR_FUNCTIONS or kind in OPERATORS or not isinstance(node, exp.Func):
        return node
    raise SelectError("UnsupportedFunction", node.sql_name() if hasattr(node, "sql_name") else kind.__name__)


def _is_missing(node: exp.Expression) -> bool:
    return isinstance(node, exp.Column) and not node.table and isinstance(node.this, exp.Identifier) \
        and not node.this.args.get("quoted") and node.name.upper() == "MISSING"


def _check_aggregate(node: exp.Expression) -> None:
    args = [node.this, *node.expressions] if node.this is not None else list(node.expressions)
    if isinstance(node, exp.Count) and len(args) == 1 and isinstance(args[0], exp.Star):
        return
    if any(isinstance(a, exp.Star) for a in args):
        raise SelectError("ParseUnsupportedCallWithStar")
    if len(args) != 1 or isinstance(args[0], exp.Distinct):
        raise SelectError("ParseNonUnaryAgregateFunctionCall")


# -- TO_STRING's format patterns -----------------------------------------------------------------

#: Java-style time format symbols (as S3 Select's TO_STRING takes them) -> strftime. Offsets are
#: written for UTC: lakebox keeps timestamps in UTC, so the offset is always zero.
PATTERN_SYMBOLS: dict[str, str] = {
    "y": "%Y", "yy": "%y", "yyy": "%Y", "yyyy": "%Y",
    "M": "%-m", "MM": "%m", "MMM": "%b", "MMMM": "%B",
    "d": "%-d", "dd": "%d",
    "a": "%p",
    "h": "%-I", "hh": "%I", "H": "%-H", "HH": "%H",
    "m": "%-M", "mm": "%M", "s": "%-S", "ss": "%S",
    "S": "%g", "SS": "%g", "SSS": "%g", "SSSS": "%f", "SSSSS": "%f", "SSSSSS": "%f", "n": "%n",
    "X": "Z", "XX": "Z", "XXX": "Z", "XXXX": "Z", "XXXXX": "Z",
    "x": "+00", "xx": "+0000", "xxx": "+00:00", "xxxx": "+0000", "xxxxx": "+00:00",
}
_PATTERN_TOKEN = re.compile(r"'((?:[^']|'')*)'|([A-Za-z])\2*|.", re.DOTALL)


def strftime_format(pattern: str) -> str:
    """A TO_STRING pattern as a DuckDB strftime format; quoted text ('T') stays literal."""
    out = []
    for match in _PATTERN_TOKEN.finditer(pattern):
        quoted, letter, text = match.group(1), match.group(2), match.group(0)
        if quoted is not None:
            out.append((quoted.replace("''", "'") or "'").replace("%", "%%"))
        elif letter is not None:
            symbol = PATTERN_SYMBOLS.get(text)
            if symbol is None:
                raise SelectError("EvaluatorInvalidTimestampFormatPatternSymbol", text)
            out.append(symbol)
        else:
            out.append(text.replace("%", "%%"))
    return "".join(out)
