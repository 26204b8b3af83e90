"""How COPY turns one source field into a column value, and why a field is rejected: SQL
expressions that convert with TRY_CAST and, where the value does not fit, name the Redshift load
error (code and reason, as STL_LOAD_ERRORS shows them).

DuckDB ignores VARCHAR(n) lengths and would round `1.5` into an INTEGER column; Redshift rejects
both, so the checks work from the type CREATE TABLE declared (kept in `_lakebox.table_design`) and
read text fields strictly. A field goes through three steps, each a column of its own so that no
expression is written twice: the *prepared* text (EMPTYASNULL, BLANKSASNULL, TRIMBLANKS applied),
the *value* (converted, TRUNCATECOLUMNS applied) and the *error* (NULL, or a struct naming the load
error). Self-describing files (JSON, Parquet, ORC) bring typed values, which are only cast and
length-checked; values a JSONPaths file selects are read as text.

Error codes are those of AWS's load error reference; the reasons are worded as Redshift words them
where AWS shows the wording (1204, 1205 length, 1206, 1207, 1213, 1220), else after the code's
description in that reference.

Imports this package's option and quoting helpers only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .copy_unload import Options, _s

#: Redshift datetime format elements -> strftime.
_FORMAT_ELEMENTS = [("YYYY", "%Y"), ("YY", "%y"), ("MONTH", "%B"), ("MON", "%b"), ("MM", "%m"), ("DD", "%d"),
                    ("HH24", "%H"), ("HH12", "%I"), ("HH", "%H"), ("MI", "%M"), ("SS", "%S"), ("AM", "%p"),
                    ("PM", "%p"), (".US", ".%f"), (".MS", ".%g")]
#: DuckDB integer type -> the name STL_LOAD_ERRORS.type shows, and the Type an "Invalid digit" names.
_INTEGERS = {"TINYINT": ("int2", "Short"), "SMALLINT": ("int2", "Short"), "INTEGER": ("int4", "Integer"),
             "BIGINT": ("int8", "Long")}
#: Other DuckDB types -> (STL type name, kind).
_SIMPLE = {"FLOAT": ("float4", "float"), "DOUBLE": ("float8", "float"), "BOOLEAN": ("bool", "bool"),
           "DATE": ("date", "date"), "TIMESTAMP": ("timestamp", "timestamp"),
           "TIMESTAMP WITH TIME ZONE": ("timestamptz", "timestamp"), "JSON": ("super", "super")}
#: The struct every column's check yields, so that COALESCE can pick a row's first error.
ERROR_TYPE = ("STRUCT(colname VARCHAR, type VARCHAR, col_length VARCHAR, code INTEGER, reason VARCHAR, "
              "position INTEGER, raw VARCHAR)")
#: A character that is not ASCII: CHAR columns refuse it, and raw_line shows it as a period.
NOT_ASCII = r"[^\x01-\x7f]"
_INTEGER = r"\s*[+-]?[0-9]+\s*"
_DECIMAL = r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*"


@dataclass
class TargetColumn:
    """A column COPY fills: its DuckDB type, the Redshift type CREATE TABLE declared (None for a
    table whose design lakebox did not see) and whether it is NOT NULL."""
    name: str
    duck_type: str
    declared: Optional[str] = None
    not_null: bool = False

    @property
    def kind(self) -> str:
        upper = self.duck_type.upper()
        if upper == "VARCHAR":
            return "char" if (self.declared or "").startswith("character(") else "varchar"
        if upper in _INTEGERS:
            return "int"
        if upper.startswith("DECIMAL"):
            return "decimal"
        return _SIMPLE.get(upper, ("", "other"))[1]

    @property
    def length(self) -> Optional[int]:
        """The declared byte length of a CHAR / VARCHAR column (Redshift counts UTF-8 bytes)."""
        match = re.fullmatch(r"character(?: varying)?\((\d+|MAX)\)", self.declared or "", re.IGNORECASE)
        if match:
            return 65535 if match.group(1).upper() == "MAX" else int(match.group(1))
        # A length left unsaid: VARCHAR and TEXT are 256 bytes, BPCHAR (declared `character`) too.
        return {"character varying": 256, "character": 256}.get(self.declared or "")

    @property
    def redshift_type(self) -> str:
        upper = self.duck_type.upper()
        if upper == "VARCHAR":
            return self.kind
        if upper in _INTEGERS:
            return _INTEGERS[upper][0]
        if upper.startswith("DECIMAL"):
            return "numeric"
        return _SIMPLE.get(upper, (upper.lower(), ""))[0]

    @property
    def col_length(self) -> str:
        """STL_LOAD_ERRORS.col_length: a string type's length, a numeric's `p, s`, else 0."""
        match = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", self.duck_type.upper())
        if match:
            return f"{match.group(1)}, {match.group(2)}"
        return str(self.length or 0)


@dataclass
class Field:
    """Where a column's value comes from: a SQL expression over the staging table; `text` when it is
    a field of a delimited file (or a JSONPaths value), read as strictly as Redshift reads text.
    `refused` is SQL giving the reason a row has no value to give at all (a JSONPath that cannot be
    followed in it), else NULL: such a row is a load error before any conversion."""
    expr: str
    text: bool
    refused: Optional[str] = None


def prepared(field: Field, column: TargetColumn, opts: Options) -> str:
    """The field before conversion. A non-string column loads an empty or blank text field as NULL
    whatever the options say; a string column keeps it unless EMPTYASNULL / BLANKSASNULL say
    otherwise (NULL AS '' is EMPTYASNULL by another name)."""
    value = field.expr
    if column.kind not in ("varchar", "char"):
        return f"CASE WHEN regexp_full_match({value}, '\\s*') THEN NULL ELSE {value} END" if field.text else value
    if not field.text:
        return f"CAST({value} AS VARCHAR)"
    if opts.get("EMPTYASNULL") or opts.get("NULL") == "":
        value = f"NULLIF({value}, '')"
    if opts.get("BLANKSASNULL"):
        value = f"CASE WHEN regexp_full_match({value}, '\\s+') THEN NULL ELSE {value} END"
    if opts.get("TRIMBLANKS") and column.kind == "varchar":
        value = f"rtrim({value})"
    return value


def converted(prep: str, field: Field, column: TargetColumn, opts: Options) -> str:
    """The column value, or NULL where the field does not convert (error() then names why)."""
    kind, duck_type = column.kind, column.duck_type
    if kind in ("varchar", "char"):
        return _stored_text(prep, column, opts)
    if not field.text:
        return f"TRY_CAST({prep} AS {duck_type})"
    if kind == "int":
        return f"CASE WHEN regexp_full_match({prep}, '{_INTEGER}') THEN TRY_CAST({prep} AS {duck_type}) END"
    if kind == "decimal":
        scale = int(re.search(r",\s*(\d+)\)", duck_type).group(1))
        # Redshift truncates extra decimal places unless ROUNDEC; DuckDB's cast rounds them.
        text = prep if opts.get("ROUNDEC") else rf"regexp_replace(trim({prep}), '(\.[0-9]{{{scale}}})[0-9]+', '\1')"
        return f"CASE WHEN regexp_full_match({prep}, '{_DECIMAL}') THEN TRY_CAST({text} AS {duck_type}) END"
    if kind == "date" and opts.get("DATEFORMAT", "auto").lower() != "auto":
        return f"CAST(try_strptime({prep}, {_s(_strftime(opts.get('DATEFORMAT')))}) AS DATE)"
    if kind == "timestamp" and opts.get("TIMEFORMAT", "auto").lower() != "auto":
        form = opts.get("TIMEFORMAT").lower()
        if form == "epochsecs":
            return f"TRY_CAST(try(to_timestamp(TRY_CAST({prep} AS DOUBLE))) AS {duck_type})"
        if form == "epochmillisecs":
            return f"TRY_CAST(try(epoch_ms(TRY_CAST({prep} AS BIGINT))) AS {duck_type})"
        return f"TRY_CAST(try_strptime({prep}, {_s(_strftime(opts.get('TIMEFORMAT')))}) AS {duck_type})"
    return f"TRY_CAST({prep} AS {duck_type})"


def _stored_text(prep: str, column: TargetColumn, opts: Options) -> str:
    """The text a CHAR(n) or VARCHAR(n) column keeps. AWS: a longer string is an error "unless the
    extra characters are all spaces (blanks), in which case the string is truncated to the maximum
    length", and CHAR values shorter than n are padded with blanks (as INSERT stores them,
    character_types.py). TRUNCATECOLUMNS cuts any value to n bytes."""
    n = column.length
    if not n:
        return prep
    if opts.get("TRUNCATECOLUMNS"):
        cut = _truncated(prep, n)
        return f"rpad({cut}, {n}, ' ')" if column.kind == "char" else cut
    kept = f"rtrim({prep}, ' ')"
    if column.kind == "char":
        # A CHAR holds single-byte characters only (error() refuses others), so n bytes are n characters.
        return f"CASE WHEN strlen({kept}) <= {n} THEN rpad({kept}, {n}, ' ') ELSE {prep} END"
    return (f"CASE WHEN strlen({prep}) > {n} AND strlen({kept}) <= {n} "
            f"THEN {kept} || repeat(' ', {n} - strlen({kept})) ELSE {prep} END")


def error(prep: str, value: str, field: Field, column: TargetColumn, opts: Options) -> str:
    """NULL, or the struct (ERROR_TYPE) of the load error this column's field raises: the first
    that applies of a refused field, a conversion error, a multibyte character in a CHAR, a string
    too long, a NULL for a NOT NULL column."""
    cases = [(f"{field.refused} IS NOT NULL", "1216", field.refused, "0")] if field.refused else []
    cases.append((f"{prep} IS NOT NULL AND {value} IS NULL", *_conversion_error(prep, field, column, opts)))
    if column.kind == "char":
        first = f"regexp_extract({prep}, '{NOT_ASCII}')"
        cases.append((f"regexp_matches({prep}, '{NOT_ASCII}')", "1220",
                      "'Multibyte character not supported for CHAR (Hint: Try using VARCHAR). Invalid char: ' "
                      f"|| lower(hex(encode({first})))", "0"))
    if column.length and not opts.get("TRUNCATECOLUMNS"):
        # Blanks past the length are cut, not refused (`_stored_text`).
        measured = f"rtrim({prep}, ' ')" if column.kind in ("char", "varchar") else value
        cases.append((f"strlen({measured}) > {column.length}", "1204", "'String length exceeds DDL length'",
                      str(column.length)))
    if column.not_null:
        cases.append((f"{value} IS NULL", "1213", "'Missing data for not-null field'", "0"))
    whens = " ".join(
        f"WHEN {condition} THEN struct_pack(colname := {_s(column.name)}, type := {_s(column.redshift_type)}, "
        f"col_length := {_s(column.col_length)}, code := CAST({code} AS INTEGER), reason := {reason}, "
        f"position := CAST({position} AS INTEGER), raw := CAST({field.expr} AS VARCHAR))"
        for condition, code, reason, position in cases)
    return f"CAST(CASE {whens} END AS {ERROR_TYPE})"


def _conversion_error(prep: str, field: Field, column: TargetColumn, opts: Options) -> tuple[str, str, str]:
    """(code, reason, position) as SQL, for a field that does not convert to the column's type."""
    value = "'Value ''' || CAST(" + prep + " AS VARCHAR) || ''''"
    kind = column.kind
    if kind in ("int", "decimal") and field.text:
        label = _INTEGERS[column.duck_type.upper()][1] if kind == "int" else "Decimal"
        digits_ok = f"regexp_full_match({prep}, '{_INTEGER if kind == 'int' else _DECIMAL}')"
        prefix = r"^\s*[+-]?[0-9]*" if kind == "int" else r"^\s*[+-]?[0-9]*\.?[0-9]*"
        position = f"length(regexp_extract({prep}, '{prefix}'))"
        offending = f"regexp_extract({prep}, '{prefix}(.)', 1)"
        invalid = f"'Invalid digit, Value ''' || {offending} || ''', Pos ' || {position} || ', Type: {label}'"
        # Digits that still do not convert are out of the type's range.
        if kind == "int":
            overflow, code = f"'Integer value overflow, ' || {value} || ', Type: {label}'", 1222
        else:
            overflow, code = f"'Numeric data overflow, ' || {value} || ', Type: {column.duck_type.lower()}'", 1204
        return (f"CASE WHEN {digits_ok} THEN {code} ELSE 1207 END",
                f"CASE WHEN {digits_ok} THEN {overflow} ELSE {invalid} END",
                f"CASE WHEN {digits_ok} THEN 0 ELSE {position} END")
    if kind == "date":
        form = opts.get("DATEFORMAT")
        if form and form.lower() != "auto":
            return "1205", f"{_s(f'Invalid date format or value [{form}], ')} || {value}", "0"
        return "1205", (f"CASE WHEN length(trim(CAST({prep} AS VARCHAR))) < 10 THEN "
                        "'Invalid Date Format - length must be 10 or more' "
                        f"ELSE 'Invalid date format or value [YYYY-MM-DD], ' || {value} END"), "0"
    if kind == "timestamp":
        form = opts.get("TIMEFORMAT") or "YYYY-MM-DD HH24:MI:SS"
        return "1206", _s(f"Invalid timestamp format or value [{form}]"), "0"
    described = {"int": (1207, "Invalid digit"), "decimal": (1209, "DECIMAL data type format error"),
                 "float": (1208, "FLOAT data type format error"), "bool": (1210, "BOOLEAN data type format error"),
                 "super": (1224, "Input data is not a well-formed JSON")}
    code, words = described.get(kind, (1216, f"Invalid {column.redshift_type} value"))
    return str(code), f"'{words}, ' || {value}", "0"


def _truncated(value: str, length: int) -> str:
    """The first `length` UTF-8 bytes of a string, never splitting a character (which is at most
    four bytes long): the longest of the cuts that still decodes."""
    cuts = ", ".join(f"try(decode(unhex(left(hex(encode({value})), {2 * (length - back)}))))"
                     for back in range(4) if length - back >= 0)
    return f"CASE WHEN strlen({value}) <= {length} THEN {value} ELSE coalesce({cuts}) END"


def _strftime(redshift_format: str) -> str:
    out, i = "", 0
    while i < len(redshift_format):
        for element, code in _FORMAT_ELEMENTS:
            if redshift_format[i:i + len(element)].upper() == element:
                out, i = out + code, i + len(element)
                break
        else:
            out, i = out + redshift_format[i], i + 1
    return out
