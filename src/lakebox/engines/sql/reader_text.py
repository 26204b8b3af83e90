"""Text tables read as Hive reads them: LazySimpleSerDe (ROW FORMAT DELIMITED, with arrays, maps and
structs split on Hive's nested control-character delimiters), OpenCSVSerde, and RegexSerDe.

Delimited and CSV files are read by DuckDB's `read_csv` with every field a string; the strings are then
turned into the Glue types by SQL expressions, so a bad value becomes NULL as in Hive. RegexSerDe lines
are matched in Python (`re` is much closer to Java's regex syntax than DuckDB's RE2: look-arounds,
possessive quantifiers) and handed to DuckDB as an Arrow table of strings.

Imports duckdb's SQL dialect (as text), pyarrow (RegexSerDe) and this package's type helpers.
"""

from __future__ import annotations

import bz2
import gzip
import os
import re
from typing import Optional

from .errors import QueryError
from .hive_text import parse_hive_type, text_expr

OPEN_CSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
LAZY_SIMPLE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
REGEX = "org.apache.hadoop.hive.serde2.RegexSerDe"
#: The old contrib class name, still seen in DDL copied from Hive tutorials.
REGEX_CONTRIB = "org.apache.hadoop.hive.contrib.serde2.RegexSerDe"

# Hive's default separators by nesting level: fields, collection items, map keys, then \x04 ... \x08.
_DEFAULT_SEPARATORS = ["\x01", "\x02", "\x03", "\x04", "\x05", "\x06", "\x07", "\x08"]


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def hive_byte(value: Optional[str], default: str) -> str:
    """A delimiter as Hive's LazySerDeParameters.getByte reads it: a number is a byte value ("1" is
    \\x01, "9" is a tab), anything else is its first character."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        return value[0]
    if -128 <= number <= 127:
        return chr(number & 0xFF)
    return value[0]


def separators(serde: dict) -> list[str]:
    fields = serde.get("field.delim", serde.get("serialization.format"))
    seps = list(_DEFAULT_SEPARATORS)
    seps[0] = hive_byte(fields, "\x01")
    seps[1] = hive_byte(serde.get("collection.delim", serde.get("colelction.delim")), "\x02")
    seps[2] = hive_byte(serde.get("mapkey.delim"), "\x03")
    return seps


def read_delimited(files_sql: str, lib: str, serde: dict, skip: int, columns: list,
                   paths: Optional[list] = None) -> tuple[str, list]:
    """(FROM source, data column expressions) for a LazySimpleSerDe or OpenCSVSerde table.
    `columns` is [(name, DuckDB type, Hive type)]; `paths` the files, whose empty lines are rows."""
    if lib == OPEN_CSV:
        delim = serde.get("separatorChar", ",")
        quote = serde.get("quoteChar", '"')
        escape = serde.get("escapeChar", "\\")
        null_format = None
    else:
        seps = separators(serde)
        delim = seps[0]
        quote, escape = "", serde.get("escape.delim", "")
        null_format = serde.get("serialization.null.format", "\\N")
    spec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(columns))) + "}"
    # A LazySimpleSerDe empty field is an empty string, not NULL; only the null format is NULL.
    null_opt = f", nullstr={quote_str(null_format)}" if null_format else ""
    source = (f"read_csv({files_sql}, delim={quote_str(delim)}, quote={quote_str(quote)}, "
              f"escape={quote_str(escape)}, header=false, skip={skip}, columns={spec}, auto_detect=false, "
              f"null_padding=true, strict_mode=false{null_opt})")
    blanks = blank_lines(paths) if lib != OPEN_CSV and paths else 0
    if blanks:
        # DuckDB skips empty lines; Hive reads each as a row whose first field is "" and the rest NULL.
        fill = ", ".join(["'' AS c0"] + [f"NULL AS c{i}" for i in range(1, len(columns))])
        source = f"(SELECT * FROM {source} UNION ALL SELECT {fill} FROM range({blanks})) AS __lines"
    out = []
    for i, (name, duck_type, hive_type) in enumerate(columns):
        field = f"c{i}"
        if lib == OPEN_CSV:
            # OpenCSVSerde reads every column as a string; other declared types are cast, "" is NULL.
            expr = field if duck_type == "VARCHAR" else f"TRY_CAST(NULLIF({field}, '') AS {duck_type})"
        else:
            expr = text_expr(field, parse_hive_type(hive_type), 1, seps, null_format or "")
        out.append(f"{expr} AS {quote_ident(name)}")
    return source, out


_BLANK_LINE = re.compile(rb"\n(?=\r?\n)")
_BLANKS_SEEN: dict = {}


def blank_lines(paths: list) -> int:
    """How many empty lines the files have (kept per file version, so a table read again costs a stat)."""
    total = 0
    for path in paths:
        info = os.stat(path)
        key = (path, info.st_size, info.st_mtime_ns)
        if key not in _BLANKS_SEEN:
            if len(_BLANKS_SEEN) > 4096:
                _BLANKS_SEEN.clear()
            _BLANKS_SEEN[key] = _count_blank_lines(path)
        total += _BLANKS_SEEN[key]
    return total


def _count_blank_lines(path: str) -> int:
    count, previous = 0, b"\n"  # a file that starts with a newline starts with an empty line
    with _open_text(path) as handle:
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                return count
            if previous == b"\n" and (chunk[:1] == b"\n" or chunk[:2] == b"\r\n"):
                count += 1
            count += len(_BLANK_LINE.findall(chunk))
            previous = chunk[-1:]


# -- RegexSerDe ----------------------------------------------------------------------------------

_JAVA_NAMED_GROUP = re.compile(r"\(\?<(?![=!])")


def compile_regex(serde: dict, column_count: int) -> re.Pattern:
    pattern = serde.get("input.regex")
    if not pattern:
        raise QueryError("HIVE_INVALID_METADATA", "HIVE_INVALID_METADATA: This table does not have serde property "
                                                  "\"input.regex\"!")
    flags = re.IGNORECASE if str(serde.get("input.regex.case.insensitive", "false")).lower() == "true" else 0
    try:
        compiled = re.compile(_JAVA_NAMED_GROUP.sub("(?P<", pattern), flags)
    except re.error as error:
        raise QueryError("HIVE_INVALID_METADATA", f"HIVE_INVALID_METADATA: invalid input.regex: {error}") from None
    if compiled.groups != column_count:
        raise QueryError("HIVE_INVALID_METADATA",
                         f"HIVE_INVALID_METADATA: Number of matching groups doesn't match the number of columns "
                         f"({compiled.groups} groups, {column_count} columns)")
    return compiled


def _open_text(path: str):
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.endswith(".bz2"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def regex_rows(paths: list[str], pattern: re.Pattern, column_count: int, skip: int):
    """An Arrow table of string columns c0..cN-1: each line matched against the whole regex, a line
    that does not match is a row of NULLs, as Hive's RegexSerDe gives it."""
    import pyarrow as pa
    values: list[list] = [[] for _ in range(column_count)]
    nothing = (None,) * column_count
    for path in paths:
        with _open_text(path) as handle:
            data = handle.read().decode("utf-8", errors="replace")
        lines = data.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for line in lines[skip:]:
            match = pattern.fullmatch(line.removesuffix("\r"))
            groups = match.groups() if match else nothing
            for column, value in zip(values, groups):
                column.append(value)
    return pa.table({f"c{i}": pa.array(v, type=pa.string()) for i, v in enumerate(values)})


def regex_columns(columns: list) -> list:
    """Capture group i, a string, cast to column i's declared type (a bad value is NULL)."""
    out = []
    for i, (name, duck_type, _) in enumerate(columns):
        expr = f"c{i}" if duck_type == "VARCHAR" else f"TRY_CAST(c{i} AS {duck_type})"
        out.append(f"{expr} AS {quote_ident(name)}")
    return out

