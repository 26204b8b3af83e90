"""Redshift's answers where DuckDB would answer otherwise: rewrites of a parsed statement, and the
session macros the rewritten statements call.

DuckDB parses these constructs and runs them, but not with Redshift's meaning:
- AVG of an integer is a BIGINT, truncated (DuckDB: a DOUBLE), and SUM of integers a BIGINT
  (DuckDB: a HUGEINT, which clients see as a numeric); both become typed session macros, which pick
  their body by the argument's type when the statement is bound;
- SIMILAR TO takes a SQL regular expression (`%`, `_`, a backslash escape), DuckDB's a POSIX one;
- LIKE and ILIKE escape with a backslash when no ESCAPE clause is given, DuckDB's with nothing;
- RATIO_TO_REPORT (unknown to DuckDB) is the value over the SUM of its partition, a FLOAT8;
- a string literal where a date function takes a date or timestamp is cast, as Redshift casts it
  implicitly (DuckDB cannot choose between its overloads);
- ADD_MONTHS keeps a month's end at the month's end, MONTHS_BETWEEN counts the time of day in its
  fraction, DATEADD(year, ...) counts Feb 29's day from the month's start, DATE_PART_YEAR is the year;
- TO_NUMBER, CRC32, FNV_HASH, BPCHARCMP, QUOTE_IDENT, QUOTE_LITERAL, which DuckDB lacks, are session
  functions and macros;
- MERGE's `WHEN NOT MATCHED THEN INSERT VALUES (...)`, which sqlglot reads as a column list;
- a comparison (=, <>, <, <=, >, >=, BETWEEN, IN a list, CASE x WHEN ...) disregards trailing blanks of
  character values (AWS "Significance of trailing blanks"): of string literals, of the character columns
  of the statement's tables, of casts to a character type and of string functions' results; LIKE and the
  other pattern matches keep them;
- CAST of text to SMALLINT, INTEGER or BIGINT takes only an integer's digits ('1.5' is 22P02, where
  DuckDB rounds); a numeric value is still rounded, as Redshift rounds it;
- LEN, LENGTH and OCTET_LENGTH of a VARBYTE count its bytes (DuckDB has no LENGTH of a BLOB).
The division of DECIMAL values and AVG of a DECIMAL, which need the operands' types, are in
`numeric_types`.
Integer division is DuckDB's `integer_division` setting, made on every connection (database.py).

The rewrite runs children first, so a construct inside another one is rewritten too. Imports
sqlglot, the modules of the Python session functions and `character_types` (which values are text).
"""

from __future__ import annotations

import functools
from typing import Callable, Optional

from sqlglot import exp

from . import RedshiftError
from .character_types import is_text
from .datetime_format import to_char_time
from .datetime_types import timestamp_of_text
from .hashes import FNV_FUNCTIONS, FNV_SEED, crc32
from .number_format import template_scale, to_char_number, to_number
from .similar_to import similar_to_regex

#: Python functions the rewritten statements call, made on each session's connection (system_tables):
#: (name, function, argument types, result type).
SESSION_FUNCTIONS = [
    ("redshift_to_char_number", to_char_number, ["VARCHAR", "VARCHAR"], "VARCHAR"),
    ("redshift_to_char_time", to_char_time, ["TIMESTAMP", "VARCHAR"], "VARCHAR"),
    ("redshift_to_number", to_number, ["VARCHAR", "VARCHAR"], "VARCHAR"),
    ("redshift_similar_regex", similar_to_regex, ["VARCHAR", "VARCHAR"], "VARCHAR"),
    ("crc32", crc32, ["VARCHAR"], "VARCHAR"),
    *[(name, function, [kind, "BIGINT"], "BIGINT") for kind, (name, function) in FNV_FUNCTIONS.items()],
]

#: Integer types of a CAST, and the macro that casts to each, its DuckDB type and the word of its error.
_INTEGER_CASTS = {exp.DataType.Type.SMALLINT: ("redshift_text_to_int2", "SMALLINT", "integer"),
                  exp.DataType.Type.INT: ("redshift_text_to_int4", "INTEGER", "integer"),
                  exp.DataType.Type.BIGINT: ("redshift_text_to_int8", "BIGINT", "type bigint")}

#: The macros the rewritten statements call, made on each session's connection (system_tables). A
#: typed macro takes its first body for an argument that casts implicitly to BIGINT (any integer).
SESSION_MACROS = [
    "CREATE OR REPLACE TEMP MACRO redshift_sum(a BIGINT) AS CAST(sum(a) AS BIGINT), (a) AS sum(a)",
    "CREATE OR REPLACE TEMP MACRO redshift_sum_distinct(a BIGINT) AS CAST(sum(DISTINCT a) AS BIGINT), "
    "(a) AS sum(DISTINCT a)",
    "CREATE OR REPLACE TEMP MACRO redshift_avg(a BIGINT) AS CAST(trunc(avg(a)) AS BIGINT), (a) AS avg(a)",
    "CREATE OR REPLACE TEMP MACRO redshift_avg_distinct(a BIGINT) AS CAST(trunc(avg(DISTINCT a)) AS BIGINT), "
    "(a) AS avg(DISTINCT a)",
    # ADD_MONTHS: from a month's last day to the result month's last day, the time of day kept.
    "CREATE OR REPLACE TEMP MACRO redshift_add_months_ts(ts, n) AS CASE "
    "WHEN last_day(ts) = CAST(ts AS DATE) THEN CAST(last_day(ts + to_months(n)) AS TIMESTAMP) "
    "+ (ts - date_trunc('day', ts)) ELSE ts + to_months(n) END",
    "CREATE OR REPLACE TEMP MACRO redshift_add_months(ts, n) AS "
    "redshift_add_months_ts(CAST(ts AS TIMESTAMP), CAST(n AS INTEGER))",
    # MONTHS_BETWEEN: whole months from year and month; the fraction from the days and the time of
    # day over a 31-day month, unless both are the same day of the month or both a month's end.
    "CREATE OR REPLACE TEMP MACRO redshift_seconds_of_day(ts) AS epoch(ts) - epoch(date_trunc('day', ts))",
    "CREATE OR REPLACE TEMP MACRO redshift_months_between_ts(a, b) AS "
    "CAST((year(a) - year(b)) * 12 + month(a) - month(b) AS DOUBLE) + CASE "
    "WHEN day(a) = day(b) OR (last_day(a) = CAST(a AS DATE) AND last_day(b) = CAST(b AS DATE)) THEN 0 "
    "ELSE (day(a) - day(b) + (redshift_seconds_of_day(a) - redshift_seconds_of_day(b)) / 86400.0) / 31.0 END",
    "CREATE OR REPLACE TEMP MACRO redshift_months_between(a, b) AS "
    "redshift_months_between_ts(CAST(a AS TIMESTAMP), CAST(b AS TIMESTAMP))",
    # DATEADD(year, n, d): AWS's DATEADD page has dateadd(year, 1, '2016-02-29') = 2017-03-01 (the
    # day is counted from the month's start), where dateadd(month, 12, ...) gives 2017-02-28.
    "CREATE OR REPLACE TEMP MACRO redshift_add_years_ts(ts, n) AS "
    "date_trunc('month', ts) + to_years(n) + (ts - date_trunc('month', ts))",
    "CREATE OR REPLACE TEMP MACRO redshift_add_years(ts, n) AS "
    "redshift_add_years_ts(CAST(ts AS TIMESTAMP), CAST(n AS INTEGER))",
    # BPCHARCMP and its synonym BTTEXT_PATTERN_CMP: -1, 0 or 1, bytewise, CHAR's trailing blanks aside.
    *[f"CREATE OR REPLACE TEMP MACRO {name}(a, b) AS CASE WHEN rtrim(a) < rtrim(b) THEN -1 "
      "WHEN rtrim(a) > rtrim(b) THEN 1 WHEN a IS NOT NULL AND b IS NOT NULL THEN 0 END"
      for name in ("bpcharcmp", "bttext_pattern_cmp")],
    # QUOTE_IDENT quotes only a name that needs it; QUOTE_LITERAL doubles quotes and backslashes.
    r"""CREATE OR REPLACE TEMP MACRO quote_ident(s) AS CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') """
    r"""THEN s ELSE '"' || replace(s, '"', '""') || '"' END""",
    r"""CREATE OR REPLACE TEMP MACRO quote_literal(s) AS """
    r"""'''' || replace(replace(CAST(s AS VARCHAR), '\', '\\'), '''', '''''') || ''''""",
    # JSON_EXTRACT_ARRAY_ELEMENT_TEXT: '' for a position out of the array; with null_if_invalid, NULL
    # for text that is not JSON.
    "CREATE OR REPLACE TEMP MACRO json_extract_array_element_text(j, pos) AS CASE WHEN pos < 0 THEN '' "
    "ELSE coalesce(json_extract_string(j, '$[' || CAST(pos AS VARCHAR) || ']'), '') END, "
    "(j, pos, null_if_invalid) AS CASE WHEN null_if_invalid AND NOT json_valid(j) THEN NULL WHEN pos < 0 "
    "THEN '' ELSE coalesce(json_extract_string(j, '$[' || CAST(pos AS VARCHAR) || ']'), '') END",
    # TIMEOFDAY(): the current time as text, as Redshift shows it (the session runs in UTC).
    "CREATE OR REPLACE TEMP MACRO timeofday() AS strftime(now(), '%a %b %d %H:%M:%S.%f %Y UTC')",
    # Trailing blanks of a character value do not count in a comparison; other values compare as they
    # are. Only columns are passed (see _trailing_blanks): a column's type is bound when the macro is.
    "CREATE OR REPLACE TEMP MACRO redshift_blank_trim(a VARCHAR) AS rtrim(a), (a) AS a",
    # CAST(x AS SMALLINT | INTEGER | BIGINT): text must be an integer's digits (blanks around them
    # allowed); other values cast as DuckDB casts them. One untyped body that branches on typeof(): an
    # overloaded macro would take an aggregate's argument as VARCHAR (DuckDB binds aggregates later).
    *[f"CREATE OR REPLACE TEMP MACRO {name}(a) AS CASE WHEN typeof(a) = 'VARCHAR' AND NOT "
      rf"regexp_full_match(CAST(a AS VARCHAR), '\s*[+-]?[0-9]+\s*') THEN "
      f"""error('invalid input syntax for {word}: "' || CAST(a AS VARCHAR) || '"') ELSE CAST(a AS {kind}) END"""
      for name, kind, word in _INTEGER_CASTS.values()],
    # LEN / LENGTH and OCTET_LENGTH: a VARBYTE's bytes; a character value's characters and bytes.
    "CREATE OR REPLACE TEMP MACRO redshift_length(a) AS CASE WHEN typeof(a) = 'BLOB' "
    "THEN octet_length(CAST(a AS BLOB)) ELSE length(CAST(a AS VARCHAR)) END",
    "CREATE OR REPLACE TEMP MACRO redshift_octet_length(a) AS CASE WHEN typeof(a) = 'BLOB' "
    "THEN octet_length(CAST(a AS BLOB)) ELSE strlen(CAST(a AS VARCHAR)) END",
    # FNV_HASH(value [, seed]): the function for the value's binary form (hashes.py).
    "CREATE OR REPLACE TEMP MACRO fnv_hash" + ", ".join(
        [f"(v {kind}) AS {name}(v, {FNV_SEED})" for kind, (name, _) in FNV_FUNCTIONS.items()]
        + [f"(v {kind}, seed BIGINT) AS {name}(v, seed)" for kind, (name, _) in FNV_FUNCTIONS.items()]),
]

#: Date functions, and the argument of each that is a date or timestamp.
_DATE_ARGUMENTS = {exp.LastDay: "this", exp.TimestampTrunc: "this", exp.DateTrunc: "this",
                   exp.Extract: "expression", exp.NextDay: "this"}
#: Aggregates whose result type Redshift decides differently, and their macros (plain, DISTINCT).
_AGGREGATE_MACROS = {exp.Sum: ("redshift_sum", "redshift_sum_distinct"),
                     exp.Avg: ("redshift_avg", "redshift_avg_distinct")}


def apply(tree: exp.Expression, text_columns: frozenset = frozenset()) -> exp.Expression:
    """`tree` with every rule applied, children before their parents; the (possibly new) root.
    `text_columns`: the statement's character columns (see text_columns())."""
    rules = [functools.partial(rule, text_columns=text_columns) if rule is _trailing_blanks else rule
             for rule in _RULES]
    return rewritten_bottom_up(tree, lambda node: _rewrite(node, rules))


def rewritten_bottom_up(tree: exp.Expression,
                        rewrite: Callable[[exp.Expression], Optional[exp.Expression]]) -> exp.Expression:
    """`tree` with each node replaced by `rewrite(node)` (None or the node itself: kept), children
    before their parents; the (possibly new) root."""
    for node in reversed(list(tree.walk())):
        replacement = rewrite(node)
        if replacement is not None and replacement is not node:
            if node is tree:
                tree = replacement
            else:
                node.replace(replacement)
    return tree


def _rewrite(node: exp.Expression, rules: list) -> Optional[exp.Expression]:
    for rule in rules:
        replacement = rule(node)
        if replacement is not None:
            return replacement
    return None


def _aggregate(node: exp.Expression) -> Optional[exp.Expression]:
    macros = _AGGREGATE_MACROS.get(type(node))
    if macros is None:
        return None
    argument = node.this
    if isinstance(argument, exp.Distinct) and len(argument.expressions) == 1:
        return exp.Anonymous(this=macros[1], expressions=[argument.expressions[0]])
    return exp.Anonymous(this=macros[0], expressions=[argument])


def _date_literal(node: exp.Expression) -> Optional[exp.Expression]:
    key = _DATE_ARGUMENTS.get(type(node))
    value = node.args.get(key) if key else None
    if isinstance(value, exp.Literal) and value.is_string:
        node.set(key, timestamp_of_text(value))
        return node
    return None


def _date_functions(node: exp.Expression) -> Optional[exp.Expression]:
    if isinstance(node, exp.TsOrDsAdd) and node.text("unit").upper() == "YEAR":
        return exp.Anonymous(this="redshift_add_years", expressions=[node.this, node.expression])
    if isinstance(node, exp.AddMonths):
        return exp.Anonymous(this="redshift_add_months", expressions=[node.this, node.expression])
    if isinstance(node, exp.MonthsBetween):
        return exp.Anonymous(this="redshift_months_between", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "date_part_year" and len(node.expressions) == 1:
        return exp.Year(this=exp.cast(node.expressions[0], "DATE"))
    return None


def _to_number(node: exp.Expression) -> Optional[exp.Expression]:
    """TO_NUMBER(text, 'template'): a numeric with the template's scale (number_format)."""
    if not isinstance(node, exp.ToNumber):
        return None
    template = node.args.get("format")
    if not (isinstance(template, exp.Literal) and template.is_string):
        raise RedshiftError("TO_NUMBER needs a literal format template here", "0A000")
    text = exp.Anonymous(this="redshift_to_number", expressions=[exp.cast(node.this, "VARCHAR"), template])
    return exp.cast(text, exp.DataType.build(f"DECIMAL(38, {template_scale(template.this)})"))


def _integer_result(node: exp.Expression) -> Optional[exp.Expression]:
    """REGEXP_INSTR is an INTEGER in Redshift; sqlglot's DuckDB form of it is a numeric."""
    return exp.cast(node.copy(), "INT") if isinstance(node, exp.RegexpInstr) else None


def _similar_to(node: exp.Expression) -> Optional[exp.Expression]:
    """SIMILAR TO as a whole-string regular-expression match; its ESCAPE clause is read here too."""
    if isinstance(node, exp.Escape) and isinstance(node.this, exp.SimilarTo):
        return _regex_match(node.this, node.expression)
    if isinstance(node, exp.SimilarTo) and not isinstance(node.parent, exp.Escape):
        return _regex_match(node, exp.Literal.string("\\"))
    return None


def _regex_match(similar: exp.SimilarTo, escape: exp.Expression) -> exp.Expression:
    pattern = similar.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string and isinstance(escape, exp.Literal):
        regex: exp.Expression = exp.Literal.string(similar_to_regex(pattern.this, escape.this))
    else:
        regex = exp.Anonymous(this="redshift_similar_regex", expressions=[pattern, escape])
    return exp.Anonymous(this="regexp_full_match", expressions=[similar.this, regex])


def _like_escape(node: exp.Expression) -> Optional[exp.Expression]:
    """LIKE 'a\\_b': Redshift's LIKE escapes with a backslash by default, DuckDB's has no escape.
    Only patterns that may hold a backslash get the clause (a literal without one needs none)."""
    if not isinstance(node, (exp.Like, exp.ILike)) or isinstance(node.parent, exp.Escape):
        return None
    pattern = node.expression
    if isinstance(pattern, exp.Literal) and "\\" not in pattern.this:
        return None
    return exp.Escape(this=node.copy(), expression=exp.Literal.string("\\"))


def _ratio_to_report(node: exp.Expression) -> Optional[exp.Expression]:
    """RATIO_TO_REPORT(x) OVER (PARTITION BY p): x / SUM(x) OVER (PARTITION BY p), as FLOAT8."""
    if not (isinstance(node, exp.Window) and isinstance(node.this, exp.Anonymous)
            and node.this.name.lower() == "ratio_to_report"):
        return None
    if node.args.get("order") or node.args.get("spec") or len(node.this.expressions) != 1:
        raise RedshiftError("RATIO_TO_REPORT takes one argument and a window of PARTITION BY only", "42601")
    value = exp.cast(node.this.expressions[0], "DOUBLE")
    total = exp.Window(this=exp.Sum(this=value.copy()), partition_by=[p.copy() for p in node.args.get(
        "partition_by") or []], over="OVER")
    return exp.Div(this=value, expression=total)


def _merge_insert_values(node: exp.Expression) -> Optional[exp.Expression]:
    """`WHEN NOT MATCHED THEN INSERT VALUES (a, b)`: Redshift's tokenizer has no VALUES keyword, so
    sqlglot reads the VALUES list as a column list holding a function call named VALUES."""
    if not (isinstance(node, exp.Insert) and isinstance(node.parent, exp.When)
            and isinstance(node.this, exp.Tuple) and len(node.this.expressions) == 1 and not node.expression):
        return None
    values = node.this.expressions[0]
    if not (isinstance(values, exp.Anonymous) and values.name.upper() == "VALUES"):
        return None
    return exp.Insert(this=None, expression=exp.Tuple(expressions=values.expressions))


#: Comparisons in which trailing blanks do not count, and the arguments of each that are compared.
_COMPARISONS = {exp.EQ: ("this", "expression"), exp.NEQ: ("this", "expression"), exp.LT: ("this", "expression"),
                exp.LTE: ("this", "expression"), exp.GT: ("this", "expression"), exp.GTE: ("this", "expression"),
                exp.Between: ("this", "low", "high")}
#: String functions whose results compare without their trailing blanks (through the typed macro, which
#: leaves a VARBYTE that SUBSTRING or || gives as it is).
_STRING_RESULTS = (exp.Upper, exp.Lower, exp.Initcap, exp.Substring, exp.Left, exp.Right, exp.Pad, exp.Replace,
                   exp.DPipe)


def _trailing_blanks(node: exp.Expression, text_columns: frozenset) -> Optional[exp.Expression]:
    """`a = 'x  '` as `redshift_blank_trim(a) = 'x'` when `a` is a character column of the statement's
    tables (`text_columns`, lower-case names). Only such columns are wrapped: DuckDB binds an aggregate
    or an alias of one after the macro, which would then take it for text. String literals lose their
    trailing blanks, and so do casts to a character type and string functions' results, whose type is
    known. `x IN (SELECT ...)` and ANY/ALL comparisons are left as they are."""
    if node.find_ancestor(exp.ColumnDef):  # a CHECK or DEFAULT is kept by DuckDB, and the macros are a session's
        return None
    if isinstance(node, exp.EQ) and isinstance(node.parent, (exp.Update, exp.SetItem)) \
            and node.arg_key in ("expressions", "this"):
        return None  # an assignment: UPDATE ... SET a = b, SET name = value
    if isinstance(node, exp.Case) and node.this is not None:  # CASE x WHEN 'a' THEN ...: x = 'a'
        node.set("this", _blank_trimmed(node.this, text_columns))
        for branch in node.args.get("ifs") or []:
            branch.set("this", _blank_trimmed(branch.this, text_columns))
        return node
    if isinstance(node, exp.EQ):
        equal = _column_equals_text(node.this, node.expression, text_columns) \
            or _column_equals_text(node.expression, node.this, text_columns)
        if equal is not None:
            return equal
    keys = _COMPARISONS.get(type(node))
    if keys is None and isinstance(node, exp.In) and node.expressions and not node.args.get("query"):
        keys = ("this",)
        node.set("expressions", [_blank_trimmed(e, text_columns) for e in node.expressions])
    if keys is None or any(isinstance(node.args.get(key), (exp.Any, exp.All)) for key in keys):
        return None  # `x = ANY(...)`, `x > ALL (SELECT ...)`: left as they are
    for key in keys:
        if node.args.get(key) is not None:
            node.set(key, _blank_trimmed(node.args[key], text_columns))
    return node


def _blank_trimmed(operand: exp.Expression, text_columns: frozenset) -> exp.Expression:
    if isinstance(operand, exp.Literal):
        return exp.Literal.string(operand.this.rstrip(" ")) if operand.is_string else operand
    if is_text(operand):
        return exp.Anonymous(this="rtrim", expressions=[operand])
    if (isinstance(operand, exp.Column) and operand.name.lower() in text_columns) \
            or isinstance(operand, _STRING_RESULTS):
        return exp.Anonymous(this="redshift_blank_trim", expressions=[operand])
    return operand


def _column_equals_text(column: exp.Expression, literal: exp.Expression,
                        text_columns: frozenset) -> Optional[exp.Expression]:
    """`c = 'x  '` for a character column c, as `c >= 'x' AND c < 'x!' AND (c = 'x' OR rtrim(c) = 'x')`:
    the values that are 'x' and blanks sort in that range ('!' follows the blank), so DuckDB still
    filters the scan by the range (zone maps, compressed segments), and trims only the values left
    that are not 'x' itself."""
    if not (isinstance(column, exp.Column) and column.name.lower() in text_columns
            and isinstance(literal, exp.Literal) and literal.is_string):
        return None
    text = literal.this.rstrip(" ")
    exact = exp.EQ(this=column.copy(), expression=exp.Literal.string(text))
    trimmed = exp.EQ(this=_blank_trimmed(column, text_columns), expression=exp.Literal.string(text))
    return exp.paren(exp.and_(exp.GTE(this=column.copy(), expression=exp.Literal.string(text)),
                              exp.LT(this=column.copy(), expression=exp.Literal.string(text + "!")),
                              exp.or_(exact, trimmed)), copy=False)


def text_columns(tree: exp.Expression, column_types: Optional[Callable[[exp.Table], Optional[dict]]]) -> frozenset:
    """The lower-case names of the character columns of the tables a statement reads, less the names
    it gives its aggregates (`HAVING total > 1` names one), for _trailing_blanks. Empty when the
    statement compares nothing."""
    if column_types is None or not any(isinstance(n, (*_COMPARISONS, exp.In)) or (isinstance(n, exp.Case) and n.this)
                                       for n in tree.walk()):
        return frozenset()
    names: set = set()
    for table in tree.find_all(exp.Table):
        if table.name and isinstance(table.this, exp.Identifier) and not table.args.get("catalog"):
            for name, kind in (column_types(table) or {}).items():
                if str(kind).upper().startswith(("VARCHAR", "CHAR")):  # declared CHAR(n) too
                    names.add(name.lower())
    aggregates = {alias.alias.lower() for alias in tree.find_all(exp.Alias)
                  if alias.alias and alias.this.find(exp.AggFunc, exp.Window) is not None}
    return frozenset(names - aggregates)


def _integer_cast(node: exp.Expression) -> Optional[exp.Expression]:
    """CAST(x AS INTEGER) through the macro that refuses text that is not an integer (a number is rounded
    by DuckDB's own cast, as Redshift rounds it); a numeric literal needs no macro."""
    if not isinstance(node, exp.Cast) or isinstance(node, exp.TryCast) or node.find_ancestor(exp.ColumnDef):
        return None
    target = _INTEGER_CASTS.get(node.to.this)
    if target is None or (isinstance(node.this, exp.Literal) and not node.this.is_string):
        return None
    return exp.Anonymous(this=target[0], expressions=[node.this])


def _byte_length(node: exp.Expression) -> Optional[exp.Expression]:
    """LEN, LENGTH and OCTET_LENGTH through macros that count a VARBYTE's bytes."""
    if isinstance(node, exp.Length) and not node.args.get("binary"):
        return exp.Anonymous(this="redshift_length", expressions=[node.this])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "octet_length" and len(node.expressions) == 1:
        return exp.Anonymous(this="redshift_octet_length", expressions=node.expressions)
    return None


_RULES: list[Callable[..., Optional[exp.Expression]]] = [
    _aggregate, _date_literal, _date_functions, _to_number, _integer_result, _similar_to, _like_escape,
    _ratio_to_report, _merge_insert_values, _trailing_blanks, _integer_cast, _byte_length]
