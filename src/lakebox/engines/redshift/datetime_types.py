"""Dates, times and ABSTIME in statements: what DuckDB runs for them, and which result columns are
ABSTIME.

DuckDB reads only ISO text as a date or a time; Redshift reads many more spellings (`01-06-2020`,
`Jun 1,2008 09:59:59 EST`, `24:00:00`, see `datetime_input`). So a string literal that is made a
DATE, TIMESTAMP, TIMESTAMPTZ, TIME or TIMETZ is rewritten in DuckDB's form, when `datetime_input`
reads it:
- a cast of a literal (`'01-06-2020'::date`, `CAST(... AS timestamptz)`, `date '...'`);
- a literal INSERT ... VALUES or UPDATE ... SET gives a column of one of these types.

ABSTIME, Postgres' old seconds-since-1970 type, is no type sqlglot reads nor one DuckDB has; Redshift
still casts to it (`'infinity'::abstime`) and sends it as 4 bytes (OID 702). `X::abstime` and
`CAST(X AS abstime)` are spelled as the call `abstime(X)`, which becomes the seconds: a literal is
read here (its `infinity` is 2038-01-19 03:14:04), anything else is DuckDB's epoch of it as a
TIMESTAMPTZ. The result columns that are ABSTIME are reported, and the database sends their
values as `datetime_input.AbsTime`.

Imports sqlglot and this package.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from sqlglot import exp
from sqlglot.dialects.redshift import Redshift
from sqlglot.tokens import TokenType

from . import RedshiftError, datetime_input
from .datetime_input import AbsTime
from .results import Column

_T = exp.DataType.Type
#: sqlglot's types -> the kind `datetime_input` reads a literal as.
_CAST_KINDS = {_T.DATE: datetime_input.DATE, _T.TIMESTAMP: datetime_input.TIMESTAMP,
               _T.TIMESTAMPTZ: datetime_input.TIMESTAMPTZ, _T.TIME: datetime_input.TIME,
               _T.TIMETZ: datetime_input.TIMETZ}
#: DuckDB's column types -> the same kinds.
_COLUMN_KINDS = {"DATE": datetime_input.DATE, "TIMESTAMP": datetime_input.TIMESTAMP,
                 "TIMESTAMP WITH TIME ZONE": datetime_input.TIMESTAMPTZ, "TIME": datetime_input.TIME,
                 "TIME WITH TIME ZONE": datetime_input.TIMETZ}
_ABSTIME = "abstime"
_MARK = "redshift_abstime"
_FUNCTION_TOKENS = Redshift.parser_class.FUNC_TOKENS
_TYPE_TOKENS = Redshift.parser_class.TYPE_TOKENS


# -- ABSTIME's spelling ------------------------------------------------------------------------------

def spell_abstime(sql: str, tokens: list) -> str:
    """`X::abstime` and `CAST(X AS abstime)` as `abstime(X)`, which sqlglot reads (as a function)."""
    edits = []   # (start, end, text): the text replaces sql[start:end + 1]
    for i, token in enumerate(tokens):
        if token.text.lower() != _ABSTIME or token.token_type == TokenType.STRING or i < 2:
            continue
        before = tokens[i - 1]
        if before.token_type == TokenType.DCOLON:
            start = _operand_start(tokens, i - 2)
            edits.append((tokens[start].start, tokens[start].start - 1, "abstime("))
            edits.append((before.start, token.end, ")"))
        elif before.token_type == TokenType.ALIAS and i + 1 < len(tokens) \
                and tokens[i + 1].token_type == TokenType.R_PAREN:
            opening = _matching_open(tokens, i + 1)
            if opening > 0 and tokens[opening - 1].text.upper() == "CAST":
                edits.append((tokens[opening - 1].start, tokens[opening - 1].end, "abstime"))
                edits.append((before.start, token.end, ""))
    for start, end, text in sorted(edits, reverse=True):
        sql = sql[:start] + text + sql[end + 1:]
    return sql


def _operand_start(tokens: list, end: int) -> int:
    """The first token of the operand a postfix `::` applies to, which ends at token `end`: a literal
    (perhaps typed), a (qualified) name, a parenthesized expression or a call, with any casts of its own."""
    i = end
    while True:
        if tokens[i].token_type == TokenType.R_PAREN:
            i = _matching_open(tokens, i)
            if i > 0 and tokens[i - 1].token_type in _FUNCTION_TOKENS:
                i -= 1
        elif tokens[i].token_type == TokenType.STRING and i > 0 and tokens[i - 1].token_type in _TYPE_TOKENS:
            i -= 1   # a typed literal: DATE '2022-06-10'
        while i >= 2 and tokens[i - 1].token_type == TokenType.DOT:
            i -= 2
        if i >= 2 and tokens[i - 1].token_type == TokenType.DCOLON:
            i -= 2
            continue
        return max(i, 0)


def _matching_open(tokens: list, closing: int) -> int:
    depth = 0
    for j in range(closing, -1, -1):
        if tokens[j].token_type == TokenType.R_PAREN:
            depth += 1
        elif tokens[j].token_type == TokenType.L_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return 0


# -- the statement ---------------------------------------------------------------------------------

def apply(tree: exp.Expression, column_types: Optional[Callable[[exp.Table], Optional[dict]]]
          ) -> tuple[exp.Expression, set]:
    """The statement with its datetime literals in DuckDB's form and its ABSTIME casts made
    integers, and the indexes of the result columns that are ABSTIME."""
    for cast in list(tree.find_all(exp.Cast)):
        kind = _CAST_KINDS.get(cast.to.this)
        if kind is not None:
            _rewrite_literal(cast.this, kind)
    if isinstance(tree, exp.Insert) and column_types is not None:
        _inserted_values(tree, column_types)
    if isinstance(tree, exp.Update) and column_types is not None and isinstance(tree.this, exp.Table):
        types = column_types(tree.this) or {}
        for assignment in tree.expressions:
            if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
                _rewrite_literal(assignment.expression, _COLUMN_KINDS.get(types.get(assignment.this.name, "")))
    calls = [node for node in tree.find_all(exp.Anonymous)
             if node.name.lower() == _ABSTIME and len(node.expressions) == 1]
    if not calls:
        return tree, set()
    for call in reversed(calls):   # the innermost first
        replacement = _abstime(call.expressions[0])
        if call is tree:
            return replacement, set()
        call.replace(replacement)
    return tree, _abstime_columns(tree)


def timestamp_of_text(value: exp.Literal) -> exp.Expression:
    """A text literal that a date function reads as a TIMESTAMP, cast in DuckDB's form: the casts a
    rewrite adds after `apply` has read the statement's own."""
    text = datetime_input.canonical(value.this, datetime_input.TIMESTAMP)
    return exp.cast(exp.Literal.string(value.this if text is None else text), "TIMESTAMP")


def _rewrite_literal(value: exp.Expression, kind: Optional[str]) -> None:
    if kind is None or not isinstance(value, exp.Literal) or not value.is_string:
        return
    text = datetime_input.canonical(value.this, kind)
    if text is not None and text != value.this:
        value.replace(exp.Literal.string(text))


def _inserted_values(tree: exp.Insert, column_types: Callable) -> None:
    target = tree.this
    table = target.this if isinstance(target, exp.Schema) else target
    values = tree.expression
    if not isinstance(table, exp.Table) or not isinstance(values, exp.Values):
        return
    types = column_types(table) or {}
    names = [c.name for c in target.expressions] if isinstance(target, exp.Schema) and target.expressions \
        else list(types)
    kinds = [_COLUMN_KINDS.get(types.get(name, "")) for name in names]
    if not any(kinds):
        return
    for row in values.expressions:
        if isinstance(row, exp.Tuple):
            for value, kind in zip(list(row.expressions), kinds):
                _rewrite_literal(value, kind)


def _abstime(value: exp.Expression) -> exp.Expression:
    if isinstance(value, exp.Literal) and value.is_string:
        seconds = datetime_input.abstime_seconds(value.this)
        if seconds is None:
            raise RedshiftError(f'invalid input syntax for type abstime: "{value.this}"', "22007")
        made: exp.Expression = exp.Literal.number(seconds)
    else:  # seconds as a DOUBLE, made an integer with the result (abstime_results)
        epoch = exp.Anonymous(this="epoch", expressions=[exp.cast(value.copy(), "TIMESTAMPTZ")])
        made = exp.Floor(this=epoch)
    made.meta[_MARK] = True
    return made


def _abstime_columns(tree: exp.Expression) -> set:
    select = tree
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return set()
    return {index for index, projection in enumerate(select.expressions)
            if (projection.this if isinstance(projection, exp.Alias) else projection).meta.get(_MARK)}


def abstime_results(columns: list, rows: list, indexes: set) -> tuple[list, list]:
    """The ABSTIME columns of a result (DuckDB's integers) as values of that type."""
    indexes = {i for i in indexes if i < len(columns)}
    columns = [Column(c.name, _ABSTIME) if i in indexes else c for i, c in enumerate(columns)]
    rows = [tuple(AbsTime(int(v)) if i in indexes and v is not None else v for i, v in enumerate(row)) for row in rows]
    return columns, rows


def mentions_abstime(sql: str) -> bool:
    return re.search(r"(?i)\babstime\b", sql) is not None
