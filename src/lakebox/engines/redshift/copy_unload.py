"""COPY (lake files into a table) and UNLOAD (a query's rows into lake objects).

sqlglot does not parse COPY's and UNLOAD's options, so both statements are read here from the
tokens. COPY reads the bucket folder's files directly with DuckDB (read_parquet, read_csv, read_json):
a FROM prefix matches every object whose key starts with it, as in Redshift, or a MANIFEST lists the
objects. UNLOAD has DuckDB write the files into a temporary folder, then stores each one with
`lake.put_object` under the names Redshift gives them (`<prefix>0000_part_00`, `.parquet` ...), so
they are real S3 objects with metadata, not files that merely appear in a folder.

Imports duckdb, lakebox.storage (ObjectMeta, NoSuchBucketError) and this package.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Optional

import duckdb
from sqlglot.tokens import TokenType

from ...storage.api import ObjectMeta
from ...storage.errors import NoSuchBucketError
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


# -- UNLOAD ----------------------------------------------------------------------------------------

def unload(con, spec: UnloadSpec, lake, query_sql: str, work_dir: str) -> tuple[int, list]:
    """Write the rows of `query_sql` (DuckDB SQL) as objects under the target prefix; return the row
    count and the s3:// URLs written (the manifest last, when asked for)."""
    opts = spec.options
    bucket, prefix = split_url(spec.target)
    fmt = opts.get("FORMAT", "TEXT")
    if fmt not in ("TEXT", "CSV", "PARQUET", "JSON"):
        raise RedshiftError(f"UNLOAD to {fmt} is not supported", "0A000")
    if opts.get("CLEANPATH") or opts.get("COMPRESSION") in ("BZIP2", "LZOP"):
        raise RedshiftError("UNLOAD with CLEANPATH, BZIP2 or LZOP is not supported", "0A000")
    if fmt == "PARQUET" and (opts.get("COMPRESSION") or opts.get("HEADER") or opts.get("DELIMITER")):
        raise RedshiftError("PARQUET format can't be used with compression, HEADER or DELIMITER options", "42601")
    if not opts.get("ALLOWOVERWRITE") and list_prefix(lake, bucket, prefix):
        raise RedshiftError("Specified unload destination on S3 is not empty. Consider using a different bucket / "
                            "prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.",
                            "XX000")
    with tempfile.TemporaryDirectory(dir=work_dir) as folder:
        out = os.path.join(folder, "out")
        count = _write(con, query_sql, out, opts, fmt)
        written = _store(lake, bucket, prefix, out, opts, fmt)
    if opts.get("MANIFEST"):
        written.append(_write_manifest(lake, bucket, prefix, written, opts))
    return count, [url for url, _ in written]


def _write(con, query_sql: str, out: str, opts: Options, fmt: str) -> int:
    """DuckDB COPY into the folder `out`: one file, or several when partitioned or size-limited."""
    settings = []
    if fmt == "PARQUET":
        settings.append("FORMAT parquet")
    elif fmt == "JSON":
        settings.append("FORMAT json")
    else:
        quoted = fmt == "CSV" or opts.get("ADDQUOTES")
        settings += ["FORMAT csv", f"DELIMITER {_s(opts.get('DELIMITER', ',' if fmt == 'CSV' else '|'))}",
                     f"HEADER {'true' if opts.get('HEADER') else 'false'}", f"QUOTE {_s(chr(34) if quoted else '')}",
                     f"NULLSTR {_s(opts.get('NULL', ''))}"]
        if opts.get("ADDQUOTES"):
            settings.append("FORCE_QUOTE *")
    codec = _COMPRESSION.get(opts.get("COMPRESSION") or "", (None, ""))[0]
    if codec:
        settings.append(f"COMPRESSION {codec}")
    partition = opts.get("PARTITION BY")
    if partition:
        settings.append(f"PARTITION_BY ({', '.join(_q(c) for c in partition)})")
        if opts.get("INCLUDE"):
            settings.append("WRITE_PARTITION_COLUMNS true")
    if opts.get("MAXFILESIZE"):
        settings.append(f"FILE_SIZE_BYTES {int(opts.get('MAXFILESIZE') * 1024 * 1024)}")
    if partition or opts.get("MAXFILESIZE"):
        settings.append("FILENAME_PATTERN 'part_{i}'")
        target = out
    else:
        os.makedirs(out)
        target = os.path.join(out, "part_0")
    row = con.execute(f"COPY ({query_sql}) TO {_s(target)} ({', '.join(settings)})").fetchone()
    return int(row[0]) if row else 0


def _store(lake, bucket: str, prefix: str, out: str, opts: Options, fmt: str) -> list:
    """Put each written file as an object named as Redshift names it; return [(url, size)]."""
    folder_prefix, _, name_prefix = prefix.rpartition("/")
    folder_prefix = folder_prefix + "/" if folder_prefix else ""
    serial = opts.get("PARALLEL", True) is False and fmt != "PARQUET"
    extension = "." + opts.get("EXTENSION").lstrip(".") if opts.get("EXTENSION") else (
        ".parquet" if fmt == "PARQUET" else _COMPRESSION.get(opts.get("COMPRESSION") or "", (None, ""))[1])
    groups: dict = {}
    for root, dirs, files in os.walk(out):
        dirs.sort()
        for name in files:
            groups.setdefault(os.path.relpath(root, out), []).append(os.path.join(root, name))
    written = []
    for partition_dir in sorted(groups):
        paths = sorted(groups[partition_dir], key=_file_number)
        for number, path in enumerate(paths):
            name = f"{number:03d}" if serial else f"0000_part_{number:02d}"
            if partition_dir == ".":
                key = f"{prefix}{name}{extension}"
            else:
                key = f"{folder_prefix}{partition_dir.replace(os.sep, '/')}/{name_prefix}{name}{extension}"
            written.append((f"s3://{bucket}/{key}", _put(lake, bucket, key, path, fmt)))
    return written


def _file_number(path: str) -> int:
    match = re.search(r"(\d+)(?:\.\w+)*$", os.path.basename(path))
    return int(match.group(1)) if match else 0


def _put(lake, bucket: str, key: str, path: str, fmt: str) -> int:
    content_type = {"PARQUET": "application/octet-stream", "JSON": "application/json"}.get(fmt, "text/plain")
    with open(path, "rb") as body:
        try:
            lake.put_object(bucket, key, body, ObjectMeta(content_type=content_type))
        except NoSuchBucketError:
            raise RedshiftError(f"S3ServiceException:The specified bucket does not exist ({bucket})",
                                "XX000") from None
    return os.path.getsize(path)


def _write_manifest(lake, bucket: str, prefix: str, written: list, opts: Options) -> tuple[str, int]:
    entries = [{"url": url} for url, _ in written]
    if opts.get("VERBOSE"):
        for entry, (_, size) in zip(entries, written):
            entry["meta"] = {"content_length": size}
    body = json.dumps({"entries": entries}, indent=2).encode()
    key = f"{prefix}manifest"
    lake.put_object(bucket, key, body, ObjectMeta(content_type="application/json"))
    return f"s3://{bucket}/{key}", len(body)
