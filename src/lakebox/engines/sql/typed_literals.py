"""Trino typed literals whose type comes from their text, made explicit before sqlglot parses them.

`DECIMAL '0.00000000001'` is a decimal(11,11) in Trino: the precision counts the digits (leading zeros
of the integral part left out, at least 1) and the scale the digits after the point. sqlglot reads it
as a cast to a bare DECIMAL, which DuckDB takes as decimal(18,3) and rounds the value to 0.000. The
literal is therefore rewritten as `CAST('<text>' AS DECIMAL(p,s))` in the statement text.

Bare decimal literals (`0.33`) are doubles in Athena: `doubles_for_bare_decimals` types them so in
the parsed tree.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

# Trino's Decimals.parse: optional sign, integral digits (leading zeros not counted), fraction digits.
_DECIMAL_TEXT = re.compile(r"\s*[+-]?0*(\d*)(?:\.(\d*))?\s*")


def decimal_type(text: str):
    """(precision, scale) of a DECIMAL literal's text, or None when Trino would refuse the text."""
    match = _DECIMAL_TEXT.fullmatch(text)
    if match is None or not re.search(r"\d", text):
        return None
    integral, fraction = match.group(1), match.group(2) or ""
    precision = max(len(integral) + len(fraction), 1)
    return (precision, len(fraction)) if precision <= 38 else None


def explicit_decimal_literals(sql: str) -> str:
    """`sql` with every `DECIMAL '<digits>'` literal written as a cast to its exact decimal type."""
    if "decimal" not in sql.lower():
        return sql
    try:
        tokens = list(sqlglot.tokenize(sql, read="trino"))
    except Exception:  # untokenizable text: the parser reports it
        return sql
    pieces, done = [], 0
    for keyword, literal in zip(tokens, tokens[1:]):
        if keyword.token_type != TokenType.DECIMAL or literal.token_type != TokenType.STRING:
            continue
        kind = decimal_type(literal.text)
        if kind is None:
            continue
        text = sql[literal.start:literal.end + 1]
        pieces.append(sql[done:keyword.start])
        pieces.append("CAST(%s AS DECIMAL(%d,%d))" % (text, *kind))
        done = literal.end + 1
    if not pieces:
        return sql
    return "".join(pieces) + sql[done:]


def doubles_for_bare_decimals(tree: exp.Expression) -> None:
    """Type every bare decimal literal (`0.33`, not `DECIMAL '0.33'`) as DOUBLE, in place.

    Athena parses a literal with a point and no type as a double (Presto's
    `parse_decimal_literals_as_double`, kept by Athena for compatibility: its docs ask for
    `DECIMAL '0.12'` to get a decimal, and `SELECT 0.33` reads back as a float in the drivers), where
    DuckDB makes it a DECIMAL. A literal cast straight to a DECIMAL keeps DuckDB's exact reading,
    which the double would round to the same value; one in a TABLESAMPLE or naming approx_percentile's
percentage stays as written (DuckDB wants a constant there, and its value is the same).
    """
    for literal in list(tree.find_all(exp.Literal)):
        text = literal.this
        if literal.is_string or "." not in text or "e" in text.lower():
            continue
        parent = literal.parent
        if isinstance(parent, exp.Neg):
            literal, parent = parent, parent.parent
        if isinstance(parent, (exp.TableSample, exp.ApproxQuantile)) or (
                isinstance(parent, exp.Cast) and parent.to.this in exp.DataType.NUMERIC_TYPES
                and parent.to.this not in (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT)):
            continue
        literal.replace(exp.Cast(this=literal.copy(), to=exp.DataType.build("DOUBLE")))
