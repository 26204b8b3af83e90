"""Redshift functions DuckDB lacks, or has with another meaning, as rewrites of a parsed statement and
the session functions and macros the rewrites call.

Each rule is one function of a node, returning its replacement or None; `apply` runs them children
first. The expected values are those of the examples of AWS's pages for each function:
- date parts spelled as Redshift spells them (`yearday`, `qtr`, `mils` ...) in DATE_TRUNC, DATE_PART,
  EXTRACT, DATEADD and DATEDIFF; DATEDIFF(week, ...) counts the Mondays crossed, as
  DATE_TRUNC('week') starts a week;
- EXTRACT gives the part alone (an INTEGER; a DOUBLE PRECISION from a TIMESTAMPTZ), DATE_PART (and
  its synonym PGDATE_PART) the whole seconds field in the unit asked for, a DOUBLE PRECISION;
- TO_DATE and TO_TIMESTAMP read a Postgres template (datetime_parse), out-of-range days and hours
  carried over as Redshift carries them; TO_TIMESTAMP is a TIMESTAMPTZ;
- REGEXP_REPLACE replaces every match (DuckDB's only the first), from a position, with the `i`, `c`
  and `p` parameters; REGEXP_SUBSTR with the `e` parameter gives the first subexpression;
- SUBSTRING with a start before the first character counts the characters before it in its length;
- SOUNDEX, DIFFERENCE, OCTETINDEX, INTERVAL_CMP, the TIMESTAMPTZ comparisons, SHA2 of 224, 384 and
  512 bits, MURMUR3_32_HASH, COLLATE(s, 'case_insensitive');
- JSON_EXTRACT_PATH_TEXT gives '' for a path that is not there and, with null_if_invalid, NULL for text
  that is not JSON; so does JSON_ARRAY_LENGTH.

Imports sqlglot, `datetime_parse` (the template reader) and `semantics` (the bottom-up rewrite).
"""

from __future__ import annotations

import hashlib
import struct
from typing import Optional

import mmh3
from sqlglot import exp
from sqlglot.dialects.redshift import Redshift
from sqlglot.time import format_time
from sqlglot.tokens import TokenType

from ..soundex import code as soundex_code
from . import RedshiftError
from .datetime_parse import to_timestamp
from .datetime_types import timestamp_of_text
from .semantics import rewritten_bottom_up


# -- Python session functions ----------------------------------------------------------------------

def soundex(text: Optional[str]) -> Optional[str]:
    """American Soundex of the ASCII letters of `text` ('' when it has none), as AWS's SOUNDEX page says;
    other characters are left out."""
    if text is None:
        return None
    return soundex_code("".join(c for c in text.upper() if "A" <= c <= "Z"))


def difference(a: Optional[str], b: Optional[str]) -> Optional[int]:
    """How many of the four SOUNDEX characters of two strings agree, place by place (0 when either has
    no ASCII letter)."""
    if a is None or b is None:
        return None
    first, second = soundex(a), soundex(b)
    if not first or not second:
        return 0
    return sum(x == y for x, y in zip(first, second))


_SHA2 = {0: "sha256", 224: "sha224", 256: "sha256", 384: "sha384", 512: "sha512"}


def sha2(text: Optional[str], bits: Optional[int]) -> Optional[str]:
    if text is None or bits is None:
        return None
    if bits not in _SHA2:
        raise ValueError(f"SHA2 bit length {bits} is not one of 0, 224, 256, 384, 512")
    return hashlib.new(_SHA2[bits], text.encode()).hexdigest()


def murmur3_32(data: bytes, seed: int) -> int:
    """The 32-bit Murmur3 (x86_32) hash of `data`, signed, as Iceberg specifies it (mmh3's; a negative
    seed is its 32-bit two's complement)."""
    return mmh3.hash(data, seed & 0xFFFFFFFF, signed=True)


def _murmur(pack):
    return lambda value, seed: None if value is None or seed is None else murmur3_32(pack(value), seed)


#: The binary forms Iceberg's Murmur3 spec hashes: integers (and booleans) as 8-byte longs, floats as
#: doubles, text as UTF-8.
MURMUR3_FUNCTIONS = {
    "BIGINT": ("redshift_murmur3_int8", _murmur(lambda v: struct.pack("<q", v))),
    "DOUBLE": ("redshift_murmur3_float8", _murmur(lambda v: struct.pack("<d", v))),
    "BOOLEAN": ("redshift_murmur3_bool", _murmur(lambda v: struct.pack("<q", int(v)))),
    "VARCHAR": ("redshift_murmur3_text", _murmur(lambda v: v.encode())),
}

SESSION_FUNCTIONS = [
    ("redshift_soundex", soundex, ["VARCHAR"], "VARCHAR"),
    ("redshift_difference", difference, ["VARCHAR", "VARCHAR"], "INTEGER"),
    ("redshift_sha2", sha2, ["VARCHAR", "INTEGER"], "VARCHAR"),
    ("redshift_to_timestamp", to_timestamp, ["VARCHAR", "VARCHAR"], "TIMESTAMP"),
    *[(name, function, [kind, "INTEGER"], "INTEGER") for kind, (name, function) in MURMUR3_FUNCTIONS.items()],
]

_CMP = ("CASE WHEN CAST(a AS {0}) < CAST(b AS {0}) THEN -1 WHEN CAST(a AS {0}) > CAST(b AS {0}) THEN 1 "
        "WHEN a IS NOT NULL AND b IS NOT NULL THEN 0 END")

SESSION_MACROS = [
    # OCTETINDEX: the byte position of the first occurrence (0 when there is none).
    "CREATE OR REPLACE TEMP MACRO octetindex(needle, haystack) AS CASE WHEN strpos(haystack, needle) = 0 THEN 0 "
    "ELSE strlen(substr(haystack, 1, strpos(haystack, needle) - 1)) + 1 END",
    "CREATE OR REPLACE TEMP MACRO interval_cmp(a, b) AS " + _CMP.format("INTERVAL"),
    *[f"CREATE OR REPLACE TEMP MACRO {name}(a, b) AS " + _CMP.format("TIMESTAMPTZ")
      for name in ("date_cmp_timestamptz", "timestamptz_cmp", "timestamptz_cmp_date", "timestamptz_cmp_timestamp",
                   "timestamp_cmp_timestamptz")],
    "CREATE OR REPLACE TEMP MACRO murmur3_32_hash" + ", ".join(
        [f"(v {kind}) AS {name}(v, 0)" for kind, (name, _) in MURMUR3_FUNCTIONS.items()]
        + [f"(v {kind}, seed INTEGER) AS {name}(v, seed)" for kind, (name, _) in MURMUR3_FUNCTIONS.items()]),
    # JSON_ARRAY_LENGTH(text [, null_if_invalid]).
    "CREATE OR REPLACE TEMP MACRO redshift_json_array_length(j, null_if_invalid) AS CASE WHEN null_if_invalid "
    "AND NOT coalesce(json_valid(j), false) THEN NULL ELSE CAST(json_array_length(j) AS INTEGER) END",
    # JSON_EXTRACT_PATH_TEXT: '' for a path that is not there, NULL for a JSON null.
    "CREATE OR REPLACE TEMP MACRO redshift_json_path_text(j, path, null_if_invalid) AS CASE WHEN null_if_invalid "
    "AND NOT coalesce(json_valid(j), false) THEN NULL WHEN json_exists(j, path) THEN json_extract_string(j, path) "
    "WHEN j IS NOT NULL THEN '' END",
]


# -- rewrites --------------------------------------------------------------------------------------

#: Date part spellings of AWS's "Date parts for date or timestamp functions" page -> the name DuckDB knows.
_DATE_PARTS = {
    **dict.fromkeys(("MILLENNIUM", "MILLENNIA", "MIL", "MILS"), "MILLENNIUM"),
    **dict.fromkeys(("CENTURY", "CENTURIES", "C", "CENT", "CENTS"), "CENTURY"),
    **dict.fromkeys(("DECADE", "DECADES", "DEC", "DECS"), "DECADE"),
    **dict.fromkeys(("YEAR", "YEARS", "Y", "YR", "YRS"), "YEAR"),
    **dict.fromkeys(("QUARTER", "QUARTERS", "QTR", "QTRS"), "QUARTER"),
    **dict.fromkeys(("MONTH", "MONTHS", "MON", "MONS"), "MONTH"),
    **dict.fromkeys(("WEEK", "WEEKS", "W"), "WEEK"),
    **dict.fromkeys(("DAYOFWEEK", "DOW", "DW", "WEEKDAY"), "DOW"),
    **dict.fromkeys(("DAYOFYEAR", "DOY", "DY", "YEARDAY"), "DOY"),
    **dict.fromkeys(("DAY", "DAYS", "D"), "DAY"),
    **dict.fromkeys(("HOUR", "HOURS", "H", "HR", "HRS"), "HOUR"),
    **dict.fromkeys(("MINUTE", "MINUTES", "M", "MIN", "MINS"), "MINUTE"),
    **dict.fromkeys(("SECOND", "SECONDS", "S", "SEC", "SECS"), "SECOND"),
    **dict.fromkeys(("MILLISECOND", "MILLISECONDS", "MS", "MSEC", "MSECS", "MSECOND", "MSECONDS", "MILLISEC",
                     "MILLISECS", "MILLISECON"), "MILLISECOND"),
    **dict.fromkeys(("MICROSECOND", "MICROSECONDS", "MICROSEC", "MICROSECS", "USECOND", "USECONDS", "US", "USEC",
                     "USECS"), "MICROSECOND"),
}
_UNIT_KEYS = {exp.Extract: "this", exp.TimestampTrunc: "unit", exp.DateTrunc: "unit", exp.TsOrDsAdd: "unit",
              exp.TsOrDsDiff: "unit", exp.DateAdd: "unit", exp.DateDiff: "unit", exp.TimestampAdd: "unit",
              exp.TimestampDiff: "unit"}


def _date_part_names(node: exp.Expression) -> Optional[exp.Expression]:
    key = _UNIT_KEYS.get(type(node))
    unit = node.args.get(key) if key else None
    if unit is None:
        return None
    written = unit.name.upper()
    canonical = _DATE_PARTS.get(written)
    if canonical is None or canonical == written:
        return None
    node.set(key, exp.Var(this=canonical) if isinstance(unit, (exp.Var, exp.Column)) else exp.Literal.string(canonical))
    return node


def spell_date_part(sql: str, tokens: list) -> str:
    """DATE_PART(...) calls spelled PGDATE_PART(...), its synonym. sqlglot reads DATE_PART and EXTRACT
    as one node, but Redshift answers them differently (`_date_part`, `_extract`): the other name
    keeps the call apart through parsing."""
    pieces, at = [], 0
    for token, following in zip(tokens, tokens[1:]):
        if (token.token_type == TokenType.VAR and token.text.upper() == "DATE_PART"
                and following.token_type == TokenType.L_PAREN):
            pieces += [sql[at:token.start], "PGDATE_PART"]
            at = token.end + 1
    return "".join(pieces) + sql[at:] if pieces else sql


def _utc_timestamp(value: exp.Expression) -> exp.Expression:
    """The value to take date parts of: a literal read as a timestamp, a TIMESTAMPTZ as its UTC
    wall time (the session's time zone is UTC, as Redshift's is)."""
    if isinstance(value, exp.Literal) and value.is_string:
        return timestamp_of_text(value)
    if isinstance(value, exp.Literal) or value.is_type(exp.DataType.Type.TIMESTAMPTZ):
        return exp.cast(value, "TIMESTAMP")
    return value


def _part(part: exp.Expression) -> str:
    return _DATE_PARTS.get(part.name.upper(), part.name.upper())


def _date_part(node: exp.Expression) -> Optional[exp.Expression]:
    """DATE_PART(part, value), a DOUBLE PRECISION: seconds, milliseconds and microseconds are the
    whole seconds field in that unit (`date_part(sec, '...03.189717')` is 3.189717), as AWS's
    "Date parts" page shows; other parts as EXTRACT has them."""
    if not (isinstance(node, exp.Anonymous) and node.name.lower() == "pgdate_part" and len(node.expressions) == 2):
        return None
    part, value = node.expressions
    name, value = _part(part), _utc_timestamp(value)
    micros = exp.Extract(this=exp.Var(this="MICROSECOND"), expression=value)
    divisor = {"SECOND": 1_000_000, "MILLISECOND": 1000, "MICROSECOND": 1}.get(name)
    if divisor is not None:
        return exp.Div(this=exp.cast(micros, "DOUBLE"), expression=exp.Literal.number(divisor))
    return exp.cast(exp.Extract(this=exp.Var(this=name), expression=value), "DOUBLE")


def _extract(node: exp.Expression) -> Optional[exp.Expression]:
    """EXTRACT(part FROM value): the part alone, an INTEGER (a DOUBLE PRECISION from a TIMESTAMPTZ), as
    AWS's EXTRACT page has it; seconds leave out the fraction, milliseconds the seconds and the
    microseconds (`extract(ms from '...43.101')` is 101), microseconds the seconds and milliseconds.
    EPOCH keeps its fraction."""
    if not isinstance(node, exp.Extract) or node.meta.get("redshift_extract"):
        return None
    name, value = _part(node.this), node.expression
    with_zone = value.is_type(exp.DataType.Type.TIMESTAMPTZ)
    extracted = exp.Extract(this=exp.Var(this=name), expression=_utc_timestamp(value))
    extracted.meta["redshift_extract"] = True
    if name == "EPOCH":
        return extracted
    if name in ("MILLISECOND", "MICROSECOND"):
        extracted = exp.Mod(this=exp.paren(extracted), expression=exp.Literal.number(1000))
    # A number already: TRY_CAST, which the text-to-integer rule of `semantics` leaves alone.
    return exp.TryCast(this=extracted, to=exp.DataType.build("DOUBLE" if with_zone else "INTEGER"))


def _week_difference(node: exp.Expression) -> Optional[exp.Expression]:
    """DATEDIFF(week, a, b): the week boundaries (Mondays) crossed; DuckDB counts whole 7-day spans."""
    if not (isinstance(node, exp.TsOrDsDiff) and node.text("unit").upper() == "WEEK"):
        return None
    def monday(value: exp.Expression) -> exp.Expression:
        return exp.Anonymous(this="date_trunc", expressions=[exp.Literal.string("week"), exp.cast(value, "TIMESTAMP")])
    days = exp.Anonymous(this="date_diff", expressions=[exp.Literal.string("day"), monday(node.expression),
                                                         monday(node.this)])
    return exp.cast(exp.Div(this=days, expression=exp.Literal.number(7)), "BIGINT")


def _template(node: exp.Expression) -> Optional[str]:
    fmt = node.args.get("format")
    if not (isinstance(fmt, exp.Literal) and fmt.is_string):
        return None
    return format_time(fmt.this, Redshift.INVERSE_TIME_MAPPING, Redshift.INVERSE_TIME_TRIE)


def _to_date_time(node: exp.Expression) -> Optional[exp.Expression]:
    """TO_DATE(text, template) and TO_TIMESTAMP(text, template) through the Postgres template reader."""
    if not isinstance(node, (exp.StrToDate, exp.StrToTime)):
        return None
    template = _template(node)
    if template is None:
        return None
    parsed = exp.Anonymous(this="redshift_to_timestamp", expressions=[exp.cast(node.this, "VARCHAR"),
                                                                      exp.Literal.string(template)])
    return exp.cast(parsed, "DATE" if isinstance(node, exp.StrToDate) else "TIMESTAMPTZ")


def _regexp_flags(parameters: Optional[exp.Expression], allowed: str) -> str:
    if parameters is None:
        return ""
    if not (isinstance(parameters, exp.Literal) and parameters.is_string):
        raise RedshiftError("regular expression parameters must be a string literal here", "0A000")
    text = parameters.this
    unknown = set(text) - set(allowed)
    if unknown:
        raise RedshiftError(f"invalid regular expression parameter: {''.join(sorted(unknown))}", "22023")
    # Redshift reads the last of c and i; p (Perl syntax) is what RE2 reads anyway.
    last = max(text.rfind("i"), text.rfind("c"))
    return "i" if last >= 0 and text[last] == "i" else ""


def _regexp_replace(node: exp.Expression) -> Optional[exp.Expression]:
    """REGEXP_REPLACE(source, pattern [, replacement [, position [, parameters]]]): every match replaced."""
    if not isinstance(node, exp.RegexpReplace):
        return None
    flags = "g" + _regexp_flags(node.args.get("modifiers"), "icp")
    replacement = node.args.get("replacement") or exp.Literal.string("")
    source, position = node.this, node.args.get("position")
    if position is not None and not (isinstance(position, exp.Literal) and position.this == "1"):
        head = exp.Substring(this=source.copy(), start=exp.Literal.number(1),
                             length=exp.Sub(this=position.copy(), expression=exp.Literal.number(1)))
        tail = exp.Substring(this=source.copy(), start=position.copy())
        replaced = exp.Anonymous(this="regexp_replace", expressions=[tail, node.expression, replacement,
                                                                      exp.Literal.string(flags)])
        return exp.DPipe(this=head, expression=replaced, safe=True)
    return exp.Anonymous(this="regexp_replace", expressions=[source, node.expression, replacement,
                                                             exp.Literal.string(flags)])


def _regexp_substr(node: exp.Expression) -> Optional[exp.Expression]:
    """REGEXP_SUBSTR with parameters: `i` and `c` for case, `e` for the first subexpression's text."""
    if not (isinstance(node, exp.RegexpExtract) and node.args.get("parameters") is not None):
        return None
    parameters = node.args["parameters"]
    flags = _regexp_flags(parameters, "icpe")
    group = 1 if "e" in parameters.this else 0
    source, pattern = node.this, node.expression
    if node.args.get("position") is not None:
        source = exp.Substring(this=source, start=node.args["position"])
    if flags:
        pattern = exp.DPipe(this=exp.Literal.string("(?i)"), expression=pattern, safe=True)
    matches = exp.Anonymous(this="regexp_extract_all", expressions=[source, pattern, exp.Literal.number(group)])
    occurrence = node.args.get("occurrence") or exp.Literal.number(1)
    return exp.Coalesce(this=exp.Anonymous(this="list_extract", expressions=[matches, occurrence]),
                        expressions=[exp.Literal.string("")])


def _substring_start(node: exp.Expression) -> Optional[exp.Expression]:
    """SUBSTRING(s, start, length) with start < 1: the characters before the first count in the
    length (Postgres); DuckDB counts a negative start from the end."""
    if not isinstance(node, exp.Substring) or node.args.get("start") is None:
        return None
    start = node.args["start"]
    value = _int_literal(start)
    if value is not None and value >= 1:
        return None
    length = node.args.get("length")
    if value is not None:
        node.set("start", exp.Literal.number(1))
        if length is not None:
            node.set("length", exp.Anonymous(this="greatest", expressions=[
                exp.Sub(this=exp.Paren(this=length), expression=exp.Literal.number(1 - value)), exp.Literal.number(0)]))
        return node
    if isinstance(start, (exp.Column, exp.Paren, exp.Binary, exp.Func)) and length is not None:
        first = exp.Anonymous(this="greatest", expressions=[start.copy(), exp.Literal.number(1)])
        kept = exp.Sub(this=exp.Paren(this=length.copy()),
                       expression=exp.Paren(this=exp.Sub(this=first.copy(), expression=exp.Paren(this=start.copy()))))
        node.set("start", first)
        node.set("length", exp.Anonymous(this="greatest", expressions=[kept, exp.Literal.number(0)]))
        return node
    return None


def _int_literal(node: exp.Expression) -> Optional[int]:
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and node.this.is_int:
        return -int(node.this.this)
    if isinstance(node, exp.Literal) and node.is_int:
        return int(node.this)
    return None


def _named_functions(node: exp.Expression) -> Optional[exp.Expression]:
    if isinstance(node, exp.Soundex):
        return exp.Anonymous(this="redshift_soundex", expressions=[exp.cast(node.this, "VARCHAR")])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "difference" and len(node.expressions) == 2:
        return exp.Anonymous(this="redshift_difference", expressions=[exp.cast(e, "VARCHAR") for e in node.expressions])
    if isinstance(node, exp.SHA2) and node.args.get("length") is not None:
        return exp.Anonymous(this="redshift_sha2", expressions=[exp.cast(node.this, "VARCHAR"),
                                                                exp.cast(node.args["length"], "INTEGER")])
    if isinstance(node, exp.Collate) and isinstance(node.expression, exp.Literal) and node.expression.is_string:
        # COLLATE(s, 'case_insensitive' | 'case_sensitive'), the function form.
        kind = node.expression.this.lower()
        if kind == "case_sensitive":
            return node.this
        if kind == "case_insensitive":
            return exp.Collate(this=node.this, expression=exp.Var(this="NOCASE"))
        raise RedshiftError(f"collation {node.expression.this} is not supported", "0A000")
    if isinstance(node, exp.Anonymous) and node.name.lower() == "json_array_length" and len(node.expressions) == 2:
        return exp.Anonymous(this="redshift_json_array_length", expressions=node.expressions)
    return None


def _json_path_text(node: exp.Expression) -> Optional[exp.Expression]:
    """JSON_EXTRACT_PATH_TEXT(json, key [, key ...] [, null_if_invalid]) as a JSON path lookup."""
    if not isinstance(node, exp.JSONExtractScalar):
        return None
    first = node.expression
    if isinstance(first, exp.JSONPath):  # one key is read as a JSON path
        parts = first.expressions[1:]
        if not (first.expressions and isinstance(first.expressions[0], exp.JSONPathRoot)
                and all(isinstance(p, exp.JSONPathKey) and isinstance(p.this, str) for p in parts)):
            return None
        first = [exp.Literal.string(p.this) for p in parts]
    elif isinstance(first, exp.Literal) and first.is_string:
        first = [first]
    else:
        return None
    keys = [*first, *(node.args.get("expressions") or [])]
    null_if_invalid: exp.Expression = exp.false()
    if keys and isinstance(keys[-1], exp.Boolean):
        null_if_invalid = keys.pop()
    if not all(isinstance(k, exp.Literal) and k.is_string for k in keys):
        return None
    path = "$" + "".join('."' + k.this.replace("\\", "\\\\").replace('"', '\\"') + '"' for k in keys)
    return exp.Anonymous(this="redshift_json_path_text", expressions=[exp.cast(node.this, "VARCHAR"),
                                                                      exp.Literal.string(path), null_if_invalid])


_RULES = [_date_part, _extract, _date_part_names, _week_difference, _to_date_time, _regexp_replace, _regexp_substr,
          _substring_start, _named_functions, _json_path_text]


def apply(tree: exp.Expression) -> exp.Expression:
    """`tree` with every rule applied, children before their parents; the (possibly new) root."""
    def rewrite(node: exp.Expression) -> Optional[exp.Expression]:
        for rule in _RULES:
            replacement = rule(node)
            if replacement is not None:
                return replacement
        return None

    return rewritten_bottom_up(tree, rewrite)
