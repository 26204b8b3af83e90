"""COPY (lake files into a table), and the parsing of COPY and UNLOAD (unloading.py runs UNLOAD).

sqlglot does not parse COPY's and UNLOAD's options, so both statements are read here from the
tokens. COPY reads the bucket folder's files directly with DuckDB (read_parquet, read_csv, read_json):
a FROM prefix matches every object whose key starts with it, as in Redshift, or a MANIFEST lists the
objects.

Imports duckdb, lakebox.storage (ObjectMeta, NoSuchBucketError) and this package.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Optional

import duckdb
from sqlglot.tokens import TokenType

from . import RedshiftError
from .translate import tokenize

_COMPRESSION = {"GZIP": ("gzip", ".gz"), "ZSTD": ("zstd", ".zst"), "BZIP2": (None, ".bz2"), "LZOP": (None, ".lzo")}
#: Options that take no value and change nothing here.
_FLAGS = {"ESCAPE", "REMOVEQUOTES", "EMPTYASNULL", "BLANKSASNULL", "TRIMBLANKS", "TRUNCATECOLUMNS",
          "ACCEPTANYDATE", "ROUNDEC", "IGNOREBLANKLINES", "SERIALIZETOJSON", "WITH", "EXPLICIT_IDS",
          "FILLRECORD", "NOLOAD", "MANIFEST", "HEADER", "ADDQUOTES", "ALLOWOVERWRITE", "CLEANPATH",
          "VERBOSE", "INCLUDE", "ENCRYPTED"}
#: Options followed by one value that is accepted and ignored (credentials, tuning).
_IGNORED_VALUES = {"IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "REGION",
                   "MASTER_SYMMETRIC_KEY", "KMS_KEY_ID", "ENCODING", "MAXERROR", "COMPUPDATE", "STATUPDATE",
                   "ACCEPTINVCHARS"}
#: Redshift datetime format elements -> strftime.
_FORMAT_ELEMENTS = [("YYYY", "%Y"), ("YY", "%y"), ("MONTH", "%B"), ("MON", "%b"), ("MM", "%m"), ("DD", "%d"),
                    ("HH24", "%H"), ("HH12", "%I"), ("HH", "%H"), ("MI", "%M"), ("SS", "%S"), ("AM", "%p"),
                    ("PM", "%p"), (".US", ".%f"), (".MS", ".%g")]


@dataclass
class Options:
    """The options of a COPY or UNLOAD, by upper-case name; a flag's value is True."""
    values: dict = field(default_factory=dict)

    def get(self, name: str, default=None):
        return self.values.get(name, default)


@dataclass
class CopySpec:
    schema: Optional[str]
    table: str
    columns: list
    source: str
    options: Options


@dataclass
class UnloadSpec:
    query: str
    target: str
    options: Options


# -- parsing ---------------------------------------------------------------------------------------

#: Blank space and SQL comments before a statement's first keyword (as scripts and the guide write them).
_LEADING_COMMENTS = r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*"
#: What a Parquet COPY accepts besides FROM and the credentials (Redshift's COPY from columnar formats).
_PARQUET_OPTIONS = {"FORMAT", "FORMAT_ARG", "MANIFEST", "ACCEPTINVCHARS", "FILLRECORD", "EXPLICIT_IDS", "STATUPDATE",
                    "IAM_ROLE", "CREDENTIALS", "REGION", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN",
                    "SERIALIZETOJSON"}


class _Reader:
    """A cursor over the statement's tokens after its leading keyword (cut off first: sqlglot's
    tokenizer reads the rest of an UNLOAD, which it knows only as a command, as one string)."""

    def __init__(self, sql: str, keyword: str):
        match = re.match(rf"{_LEADING_COMMENTS}{keyword}\b", sql, re.IGNORECASE)
        if match is None:
            raise RedshiftError(f"syntax error: expected {keyword}", "42601")
        self.tokens = tokenize(sql[match.end():])
        self.i = 0

    def peek(self) -> Optional[str]:
        return self.tokens[self.i].text.upper() if self.i < len(self.tokens) else None

    def next(self):
        if self.i >= len(self.tokens):
            raise RedshiftError("syntax error at end of input", "42601")
        self.i += 1
        return self.tokens[self.i - 1]

    def word(self, *expected: str) -> str:
        token = self.next()
        if expected and token.text.upper() not in expected:
            raise RedshiftError(f'syntax error at or near "{token.text}"', "42601")
        return token.text.upper()

    def string(self) -> str:
        token = self.next()
        if token.token_type not in (TokenType.STRING, TokenType.HEREDOC_STRING):
            raise RedshiftError(f'syntax error at or near "{token.text}"', "42601")
        return token.text

    def name(self) -> str:
        token = self.next()
        return token.text if token.token_type == TokenType.IDENTIFIER else token.text.lower()

    def skip_as(self) -> None:
        if self.peek() == "AS":
            self.i += 1

    def is_string(self) -> bool:
        return self.i < len(self.tokens) and self.tokens[self.i].token_type == TokenType.STRING


def parse_copy(sql: str) -> CopySpec:
    cur = _Reader(sql, "COPY")
    schema, table = None, cur.name()
    if cur.peek() == ".":
        cur.next()
        schema, table = table, cur.name()
    columns = []
    if cur.peek() == "(":
        cur.next()
        while cur.peek() != ")":
            columns.append(cur.name())
            if cur.peek() == ",":
                cur.next()
        cur.next()
    cur.word("FROM")
    source = cur.string()
    options = _options(cur)
    if options.values.get("FORMAT") == "PARQUET":
        refused = sorted(set(options.values) - _PARQUET_OPTIONS)
        if refused:
            raise RedshiftError(f"{refused[0]} argument is not supported for PARQUET based COPY", "0A000")
    return CopySpec(schema, table, columns, source, options)


def parse_unload(sql: str) -> UnloadSpec:
    cur = _Reader(sql, "UNLOAD")
    cur.word("(")
    query = cur.string()
    cur.word(")")
    cur.word("TO")
    target = cur.string()
    return UnloadSpec(query, target, _options(cur))


def _options(cur: _Reader) -> Options:
    options = Options()
    while cur.peek() is not None:
        word = cur.word()
        if word in ("FORMAT",):
            cur.skip_as()
            word = cur.word()
        if word in ("CSV", "PARQUET", "JSON", "AVRO", "ORC", "FIXEDWIDTH", "SHAPEFILE"):
            options.values["FORMAT"] = word
            if word in ("JSON", "AVRO", "FIXEDWIDTH") and cur.is_string():
                options.values["FORMAT_ARG"] = cur.string()
        elif word in _COMPRESSION:
            options.values["COMPRESSION"] = word
        elif word in ("DELIMITER", "QUOTE", "DATEFORMAT", "TIMEFORMAT", "NULL", "EXTENSION"):
            cur.skip_as()
            options.values[word] = cur.string()
        elif word in ("IGNOREHEADER", "MAXFILESIZE", "ROWGROUPSIZE"):
            cur.skip_as()
            number = float(cur.next().text)
            if word != "IGNOREHEADER" and cur.peek() in ("MB", "GB"):
                number *= 1024 if cur.word() == "GB" else 1
            options.values[word] = number
        elif word == "PARALLEL":
            options.values[word] = cur.peek() not in ("OFF", "FALSE")
            if cur.peek() in ("ON", "OFF", "TRUE", "FALSE"):
                cur.next()
        elif word in ("PARTITION", "PARTITION BY"):  # sqlglot's tokenizer may read both words as one
            if word == "PARTITION":
                cur.word("BY")
            cur.word("(")
            names = []
            while cur.peek() != ")":
                names.append(cur.name())
                if cur.peek() == ",":
                    cur.next()
            cur.next()
            options.values["PARTITION BY"] = names
        elif word in _IGNORED_VALUES:
            cur.skip_as()
            if word == "ACCEPTINVCHARS" and not cur.is_string():
                continue
            if cur.peek() is not None:
                cur.next()
        elif word in _FLAGS:
            options.values[word] = True
        else:
            raise RedshiftError(f'syntax error at or near "{word.lower()}"', "42601")
    return options


# -- the lake --------------------------------------------------------------------------------------

def split_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise RedshiftError(f"Invalid S3 URL '{url}': only s3:// locations are supported", "XX000")
    bucket, _, key = url[len("s3://"):].partition("/")
    return bucket, key


def list_prefix(lake, bucket: str, prefix: str) -> list[tuple[str, str]]:
    """(key, local path) of every object whose key starts with `prefix`, sorted by key."""
    root = lake.bucket_path(bucket)
    start = os.path.join(root, os.path.dirname(prefix))
    found = []
    if os.path.isdir(start):
        for folder, dirs, files in os.walk(start):
            dirs.sort()
            for name in files:
                path = os.path.join(folder, name)
                key = os.path.relpath(path, root).replace(os.sep, "/")
                if key.startswith(prefix):
                    found.append((key, path))
    return sorted(found)


def source_files(lake, spec: CopySpec) -> list[str]:
    """The local files a COPY reads: every non-empty object under the prefix, or the manifest's."""
    bucket, key = split_url(spec.source)
    if not spec.options.get("MANIFEST"):
        found = list_prefix(lake, bucket, key)
        if not found:
            raise RedshiftError(f"The specified S3 prefix '{key}' does not exist", "XX000")
        return [path for _, path in found if os.path.getsize(path) > 0]
    manifest = os.path.join(lake.bucket_path(bucket), key)
    if not os.path.isfile(manifest):
        raise RedshiftError(f"Manifest file '{spec.source}' does not exist", "XX000")
    with open(manifest, "rb") as handle:
        try:
            entries = json.load(handle)["entries"]
        except (ValueError, KeyError, TypeError):
            raise RedshiftError(f"Manifest file '{spec.source}' is not valid JSON with \"entries\"", "XX000") from None
    files = []
    for entry in entries:
        if spec.options.get("FORMAT") == "PARQUET" and "content_length" not in (entry.get("meta") or {}):
            raise RedshiftError(f"The manifest entry for '{entry.get('url')}' has no meta.content_length, which a "
                                "Parquet COPY requires", "XX000")
        entry_bucket, entry_key = split_url(entry["url"])
        path = os.path.join(lake.bucket_path(entry_bucket), entry_key)
        if os.path.isfile(path):
            files.append(path)
        elif entry.get("mandatory"):
            raise RedshiftError(f"S3 file '{entry['url']}' does not exist, and its manifest entry is mandatory",
                                "XX000")
    return [path for path in files if os.path.getsize(path) > 0]


# -- COPY ------------------------------------------------------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _s(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_into(con, spec: CopySpec, lake, table_columns: list, identity: set) -> int:
    """Load the files into the table; return the rows loaded. `table_columns` is [(name, DuckDB type)]
    of the target; `identity` names its IDENTITY columns, which get sequence values unless the
    statement lists them (or says EXPLICIT_IDS)."""
    opts = spec.options
    fmt = opts.get("FORMAT", "TEXT")
    if fmt in ("AVRO", "ORC", "FIXEDWIDTH", "SHAPEFILE"):
        raise RedshiftError(f"COPY from {fmt} is not supported", "0A000")
    if opts.get("COMPRESSION") in ("BZIP2", "LZOP"):
        raise RedshiftError(f"COPY with {opts.get('COMPRESSION')} is not supported", "0A000")
    types = dict(table_columns)
    if spec.columns:
        unknown = [c for c in spec.columns if c not in types]
        if unknown:
            raise RedshiftError(f'column "{unknown[0]}" of relation "{spec.table}" does not exist', "42703")
        targets = spec.columns
    else:
        explicit = opts.get("EXPLICIT_IDS")
        targets = [name for name, _ in table_columns if explicit or name not in identity]
    files = source_files(lake, spec)
    if not files or opts.get("NOLOAD"):
        return 0
    listed = "[" + ", ".join(_s(path) for path in files) + "]"
    if fmt == "PARQUET":
        source = f"read_parquet({listed}, union_by_name=true)"
        targets, exprs = _match_columns(con, source, targets, types, by_position_allowed=not spec.columns)
    elif fmt == "JSON":
        if opts.get("FORMAT_ARG", "auto").lower() not in ("auto", "auto ignorecase"):
            raise RedshiftError("COPY with a JSONPaths file or 'noshred' is not supported", "0A000")
        source = f"read_json({listed}, format='auto', union_by_name=true{_compression(opts)})"
        targets, exprs = _match_columns(con, source, targets, types, by_position_allowed=False)
    else:
        source, fields = _delimited_source(listed, opts, len(targets))
        exprs = [_from_text(field_name, types[name], opts) for field_name, name in zip(fields, targets)]
    table = _q(spec.table) if not spec.schema else f"{_q(spec.schema)}.{_q(spec.table)}"
    sql = (f"INSERT INTO {table} ({', '.join(_q(t) for t in targets)}) "
           f"SELECT {', '.join(exprs)} FROM {source}")
    try:
        return con.execute(sql).fetchone()[0]
    except (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.ConstraintException) as error:
        raise RedshiftError(f"Load into table '{spec.table}' failed. Check 'sys_load_error_detail' system table "
                            f"for details. ({str(error).splitlines()[0]})", "XX000") from None


def _compression(opts: Options) -> str:
    codec = _COMPRESSION.get(opts.get("COMPRESSION") or "", (None, ""))[0]
    return f", compression='{codec}'" if codec else ""


def _delimited_source(listed: str, opts: Options, count: int) -> tuple[str, list]:
    """read_csv over the files, every field a string: CSV quotes fields, Redshift's default text
    format (pipe-delimited) does not."""
    csv = opts.get("FORMAT") == "CSV"
    delimiter = opts.get("DELIMITER", "," if csv else "|")
    quote = opts.get("QUOTE", '"') if csv else ""
    fields = [f"f{i}" for i in range(count)]
    columns = "{" + ", ".join(f"'{f}': 'VARCHAR'" for f in fields) + "}"
    null = opts.get("NULL", "")
    escape = quote if csv else ""
    source = (f"read_csv({listed}, columns={columns}, header=false, skip={int(opts.get('IGNOREHEADER', 0))}, "
              f"delim={_s(delimiter)}, quote={_s(quote)}, escape={_s(escape)}, auto_detect=false, "
              f"nullstr={_s(null)}, null_padding={'true' if opts.get('FILLRECORD') else 'false'}"
              f"{_compression(opts)})")
    return source, fields


def _from_text(field_name: str, duck_type: str, opts: Options) -> str:
    """A text field as the column's type, with DATEFORMAT / TIMEFORMAT when they name a format."""
    value = _q(field_name)
    upper = duck_type.upper()
    if upper == "DATE" and opts.get("DATEFORMAT", "auto").lower() != "auto":
        return f"CAST(strptime({value}, {_s(_strftime(opts.get('DATEFORMAT')))}) AS DATE)"
    if upper.startswith("TIMESTAMP") and opts.get("TIMEFORMAT", "auto").lower() != "auto":
        form = opts.get("TIMEFORMAT").lower()
        if form == "epochsecs":
            return f"CAST(to_timestamp(CAST({value} AS DOUBLE)) AS {duck_type})"
        if form == "epochmillisecs":
            return f"CAST(epoch_ms(CAST({value} AS BIGINT)) AS {duck_type})"
        return f"CAST(strptime({value}, {_s(_strftime(opts.get('TIMEFORMAT')))}) AS {duck_type})"
    return f"CAST({value} AS {duck_type})"


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


def _match_columns(con, source: str, targets: list, types: dict, by_position_allowed: bool) -> tuple[list, list]:
    """Columns of a self-describing file (Parquet, JSON) matched to the table's: by name when every
    field names a column of the table (case-insensitive), else by position as Redshift maps Parquet."""
    fields = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    kinds = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})").fetchall())
    lower = {f.lower(): f for f in fields}
    if all(f.lower() in types for f in fields) or not by_position_allowed:
        chosen = [t for t in targets if t.lower() in lower] or targets
        exprs = [_cast_field(lower[t.lower()], kinds[lower[t.lower()]], types[t]) if t.lower() in lower
                 else f"CAST(NULL AS {types[t]})" for t in chosen]
        return chosen, exprs
    if len(fields) != len(targets):
        raise RedshiftError(f"Load failed: the file has {len(fields)} columns, the table has {len(targets)} "
                            "to load (columns are matched by position)", "XX000")
    return targets, [_cast_field(f, kinds[f], types[t]) for f, t in zip(fields, targets)]


def _cast_field(field_name: str, file_type: str, duck_type: str) -> str:
    nested = file_type.startswith(("STRUCT", "MAP")) or file_type.endswith("]")
    if nested and duck_type.upper() in ("VARCHAR", "JSON"):
        return f"CAST(to_json({_q(field_name)}) AS {duck_type})"
    return f"CAST({_q(field_name)} AS {duck_type})"
