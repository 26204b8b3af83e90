"""The parsing of COPY and UNLOAD, and the lake objects a COPY reads (loading.py runs COPY,
unloading.py runs UNLOAD).

sqlglot does not parse COPY's and UNLOAD's options, so both statements are read here from the
tokens. A FROM prefix matches every object whose key starts with it, as in Redshift, or a MANIFEST
lists the objects.

Imports sqlglot's tokenizer and this package.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Optional

from sqlglot.tokens import TokenType

from . import RedshiftError
from .translate import tokenize

#: The columnar formats: loaded by column, with few options (Redshift's COPY from columnar data formats).
COLUMNAR = ("PARQUET", "ORC")
_COMPRESSION = {"GZIP": ("gzip", ".gz"), "ZSTD": ("zstd", ".zst"), "BZIP2": (None, ".bz2"), "LZOP": (None, ".lzo")}
#: Options that take no value. Those loading.py and load_checks.py read (EMPTYASNULL, BLANKSASNULL,
#: TRIMBLANKS, TRUNCATECOLUMNS, ROUNDEC, FILLRECORD, NOLOAD, IGNOREALLERRORS, EXPLICIT_IDS, MANIFEST ...)
#: act; the others are accepted and change nothing here.
_FLAGS = {"ESCAPE", "REMOVEQUOTES", "EMPTYASNULL", "BLANKSASNULL", "TRIMBLANKS", "TRUNCATECOLUMNS",
          "ACCEPTANYDATE", "ROUNDEC", "IGNOREBLANKLINES", "SERIALIZETOJSON", "WITH", "EXPLICIT_IDS",
          "FILLRECORD", "NOLOAD", "MANIFEST", "HEADER", "ADDQUOTES", "ALLOWOVERWRITE", "CLEANPATH",
          "VERBOSE", "INCLUDE", "ENCRYPTED", "IGNOREALLERRORS"}
#: Options followed by one value that is accepted and ignored (credentials, tuning).
_IGNORED_VALUES = {"IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "REGION",
                   "MASTER_SYMMETRIC_KEY", "KMS_KEY_ID", "ENCODING", "COMPUPDATE", "STATUPDATE"}


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
#: What a Parquet or ORC COPY accepts besides FROM and the credentials (Redshift's COPY from columnar
#: formats).
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
    if options.values.get("FORMAT") in COLUMNAR:
        refused = sorted(set(options.values) - _PARQUET_OPTIONS)
        if refused:
            raise RedshiftError(f"{refused[0]} argument is not supported for {options.values['FORMAT']} based COPY",
                                "0A000")
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
            if word in ("JSON", "AVRO", "FIXEDWIDTH"):
                if cur.peek() == "AS":  # JSON [AS] 'json_option'
                    cur.skip_as()
                    options.values["FORMAT_ARG"] = cur.string()
                elif cur.is_string():
                    options.values["FORMAT_ARG"] = cur.string()
        elif word in _COMPRESSION:
            options.values["COMPRESSION"] = word
        elif word in ("DELIMITER", "QUOTE", "DATEFORMAT", "TIMEFORMAT", "NULL", "EXTENSION"):
            cur.skip_as()
            options.values[word] = cur.string()
        elif word == "MAXERROR":
            cur.skip_as()
            options.values[word] = int(float(cur.next().text))
        elif word == "ACCEPTINVCHARS":
            # The replacement character is optional and defaults to '?'.
            cur.skip_as()
            options.values[word] = cur.string() if cur.is_string() else "?"
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
    return [path for _, path in source_objects(lake, spec)]


def source_objects(lake, spec: CopySpec) -> list[tuple[str, str]]:
    """(s3:// URL, local path) of every non-empty object a COPY reads, in the order it reads them:
    the URL is what Redshift's load logs name, the path is what DuckDB reads."""
    bucket, key = split_url(spec.source)
    if not spec.options.get("MANIFEST"):
        found = list_prefix(lake, bucket, key)
        if not found:
            raise RedshiftError(f"The specified S3 prefix '{key}' does not exist", "XX000")
        return [(f"s3://{bucket}/{object_key}", path) for object_key, path in found if os.path.getsize(path) > 0]
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
        if spec.options.get("FORMAT") in COLUMNAR and "content_length" not in (entry.get("meta") or {}):
            raise RedshiftError(f"The manifest entry for '{entry.get('url')}' has no meta.content_length, which a "
                                "COPY from Parquet or ORC requires", "XX000")
        entry_bucket, entry_key = split_url(entry["url"])
        path = os.path.join(lake.bucket_path(entry_bucket), entry_key)
        if os.path.isfile(path):
            files.append((entry["url"], path))
        elif entry.get("mandatory"):
            raise RedshiftError(f"S3 file '{entry['url']}' does not exist, and its manifest entry is mandatory",
                                "XX000")
    return [(url, path) for url, path in files if os.path.getsize(path) > 0]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _s(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


