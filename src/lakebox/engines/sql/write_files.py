"""Data files for CTAS, INSERT and UNLOAD: one format's files written into a lake folder from a DuckDB
relation, plus the Hive names of DuckDB types and Hive's partition folder names.

Every file is written under a hidden temporary name in its final folder and then renamed, so the
lake (and a reader) sees a file whole or not at all. Parquet, JSON and text go through DuckDB's COPY
(Parquet with timestamps, which Athena writes as INT96, through pyarrow); ORC through pyarrow; Avro
through fastavro (`write_avro`).

Imports duckdb (type objects), pyarrow and this package.
"""

from __future__ import annotations

import os
import random
import string
import time
import uuid
from dataclasses import dataclass, field
from typing import Optional

from . import bucketing, write_avro
from .errors import QueryError
from .reader import quote_ident, quote_str

PARQUET, ORC, JSON, TEXTFILE, AVRO = "PARQUET", "ORC", "JSON", "TEXTFILE", "AVRO"
FORMATS = (PARQUET, ORC, JSON, TEXTFILE, AVRO)
HIVE_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"

#: Athena's default write compression per format.
DEFAULT_COMPRESSION = {PARQUET: "GZIP", ORC: "ZLIB", JSON: "GZIP", TEXTFILE: "GZIP", AVRO: "DEFLATE"}

#: (format, Athena compression) -> the writer's codec name, and the file extension Athena gives it.
_CODECS = {
    PARQUET: {"SNAPPY": "snappy", "GZIP": "gzip", "ZSTD": "zstd", "LZ4": "lz4_raw", "NONE": "uncompressed"},
    ORC: {"SNAPPY": "SNAPPY", "ZLIB": "ZLIB", "ZSTD": "ZSTD", "LZ4": "LZ4", "NONE": "UNCOMPRESSED"},
    JSON: {"GZIP": "gzip", "ZSTD": "zstd", "NONE": "none"},
    TEXTFILE: {"GZIP": "gzip", "ZSTD": "zstd", "NONE": "none"},
}
_TEXT_EXTENSIONS = {"gzip": ".gz", "zstd": ".zst", "none": ""}

# Characters Hive escapes (as %XX) in a partition folder name.
_ESCAPED = set('"#%\'*/:=?\\\x7f{}[]^') | {chr(c) for c in range(1, 32)}

_HIVE_SCALARS = {
    "VARCHAR": "string", "BIGINT": "bigint", "INTEGER": "int", "SMALLINT": "smallint", "TINYINT": "tinyint",
    "DOUBLE": "double", "FLOAT": "float", "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp", "TIMESTAMP_MS": "timestamp", "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp", "BLOB": "binary", "UTINYINT": "smallint", "USMALLINT": "int",
    "UINTEGER": "bigint", "UBIGINT": "decimal(20,0)", "HUGEINT": "decimal(38,0)", "UUID": "string",
    "JSON": "string",
}


@dataclass
class FileFormat:
    """How to write one table's (or UNLOAD's) files."""
    name: str = PARQUET
    compression: Optional[str] = None          # Athena's name; None: the format's default
    delimiter: str = "\x01"                     # TEXTFILE
    quote: str = ""                             # TEXTFILE with OpenCSVSerde
    null: str = "\\N"                           # TEXTFILE with LazySimpleSerDe

    def codec(self) -> str:
        if self.name == AVRO:
            wanted = (self.compression or DEFAULT_COMPRESSION[AVRO]).upper()
            if wanted not in write_avro.CODECS:
                raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: compression {wanted} is not supported for AVRO")
            return wanted
        wanted = (self.compression or DEFAULT_COMPRESSION[self.name]).upper()
        codec = _CODECS[self.name].get(wanted)
        if codec is None:
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: compression {wanted} is not supported for {self.name}")
        return codec


@dataclass
class Written:
    files: list = field(default_factory=list)   # local paths, in write order
    rows: int = 0


def hive_type(duck_type) -> str:
    """The Glue (Hive) type of a DuckDB result column: `STRUCT(a INTEGER)[]` -> `array<struct<a:int>>`."""
    kind = getattr(duck_type, "id", "")
    if kind in ("list", "array"):
        return f"array<{hive_type(duck_type.child)}>"
    if kind == "map":
        return f"map<{hive_type(duck_type.key)},{hive_type(duck_type.value)}>"
    if kind == "struct":
        return "struct<" + ",".join(f"{n}:{hive_type(t)}" for n, t in duck_type.children) + ">"
    text = str(duck_type)
    if text.startswith("DECIMAL"):
        return text.lower().replace(" ", "")
    if text in _HIVE_SCALARS:
        return _HIVE_SCALARS[text]
    raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Unsupported Hive type: {text.lower()}")


def partition_folder(names: list[str], values: list[Optional[str]]) -> str:
    """`year=2024/city=S%2FP` as Hive names the folders; a NULL value is Hive's default partition."""
    parts = []
    for name, value in zip(names, values):
        text = HIVE_NULL_PARTITION if value is None else "".join(
            f"%{ord(c):02X}" if c in _ESCAPED else c for c in value)
        parts.append(f"{name}={text}")
    return "/".join(parts)


def folder_has_files(folder: str) -> bool:
    for _, _, files in os.walk(folder):
        if files:
            return True
    return False


def write_files(con, select_sql: str, fmt: FileFormat, folder: str, stem: str,
                bucket_by: Optional[list] = None, bucket_count: int = 0) -> Written:
    """Write the rows of `select_sql` into `folder`: one file named `<stem>_00000`, or one per bucket
    of `bucket_by` (Hive's bucketing hash, `bucketing`) named as Trino names them,
    `<presto query id>_bucket-<n>`; plus the compression's extension. Empty files are not written."""
    codec = fmt.codec()
    os.makedirs(folder, exist_ok=True)
    units = [(select_sql, 0)]
    name = f"{stem}_{{number:05d}}"
    if bucket_by and bucket_count > 0:
        relation = con.sql(select_sql)
        kinds = {c.lower(): t for c, t in zip(relation.columns, relation.types)}
        number_sql = bucketing.bucket_number_sql([(quote_ident(c), kinds.get(c.lower(), "")) for c in bucket_by],
                                                 bucket_count)
        if number_sql is None:  # a type without Hive's v1 hash here: DuckDB's hash, and no pruning reads them
            number_sql = f"hash({', '.join(quote_ident(c) for c in bucket_by)}) % {bucket_count}"
        units = [(f"SELECT * FROM ({select_sql}) AS __b WHERE {number_sql} = {i}", i) for i in range(bucket_count)]
        name = f"{_presto_query_id()}_bucket-{{number:05d}}"
    written = Written()
    for sql, number in units:
        count = con.execute(f"SELECT count(*) FROM ({sql}) AS __c").fetchall()[0][0]
        if not count:
            continue
        extension = _TEXT_EXTENSIONS[codec] if fmt.name in (JSON, TEXTFILE) else ""
        final = os.path.join(folder, name.format(number=number) + extension)
        temp = os.path.join(folder, f".{uuid.uuid4().hex}.tmp")
        try:
            _write_one(con, sql, fmt, codec, temp)
            os.replace(temp, final)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        written.files.append(final)
        written.rows += count
    return written


def _presto_query_id() -> str:
    """A query id in Trino's form (`20240101_120000_00042_ab1cd`), which starts the names of the
    bucket files Athena writes and lets readers tell each file's bucket from its name."""
    suffix = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(5))
    return f"{time.strftime('%Y%m%d_%H%M%S', time.gmtime())}_{random.randrange(100000):05d}_{suffix}"


def _optional_columns(con, sql: str) -> str:
    """`sql` with every column nullable. DuckDB writes a column it can prove never NULL (a constant, a
    scan with statistics) as a required Parquet field; Trino's writers make every field optional, and
    readers of the files' schema (pyarrow) see the difference. A UNION ALL with a row of typed NULLs
    that is never produced makes every column nullable, and keeps the rows' order."""
    types = con.sql(f"SELECT * FROM ({sql}) AS __t").types
    nulls = ", ".join(f"CAST(NULL AS {kind})" for kind in types)
    return f"SELECT * FROM ({sql}) AS __t UNION ALL SELECT * FROM (SELECT {nulls}) AS __n WHERE random() > 2"


#: DuckDB's Parquet codec names -> pyarrow's.
_ARROW_CODECS = {"lz4_raw": "lz4", "uncompressed": "none"}


def _write_int96_parquet(relation, path: str, codec: str) -> None:
    """Athena's Parquet writer stores timestamps as INT96, as Hive does (readers such as pyarrow see
    them as nanoseconds); DuckDB can only write them as INT64 micros, so such results go through
    pyarrow, a batch at a time so that a large result never sits in memory. Arrow fields from DuckDB
    are all nullable: every Parquet field is optional, as Trino writes."""
    import pyarrow.parquet as pq
    batches = relation.to_arrow_reader(_INT96_BATCH_ROWS)
    with pq.ParquetWriter(path, batches.schema, compression=_ARROW_CODECS.get(codec, codec),
                          use_deprecated_int96_timestamps=True) as writer:
        for batch in batches:
            writer.write_batch(batch)


#: Rows per batch of the INT96 writer (about a row group's worth).
_INT96_BATCH_ROWS = 122_880


def _write_one(con, sql: str, fmt: FileFormat, codec: str, path: str) -> None:
    if fmt.name == AVRO:
        write_avro.write_avro(con.sql(sql).to_arrow_table(), path, codec)
        return
    if fmt.name == ORC:
        from pyarrow import orc
        orc.write_table(con.sql(sql).to_arrow_table(), path, compression=codec)
        return
    if fmt.name == PARQUET:
        relation = con.sql(sql)
        if any("TIMESTAMP" in str(kind) for kind in relation.types):
            _write_int96_parquet(relation, path, codec)
            return
        options = f"FORMAT parquet, COMPRESSION {codec}"
        sql = _optional_columns(con, sql)
    elif fmt.name == JSON:
        options = f"FORMAT json, COMPRESSION {codec}"
    else:
        options = (f"FORMAT csv, HEADER false, DELIMITER {quote_str(fmt.delimiter)}, COMPRESSION {codec}, "
                   f"QUOTE {quote_str(fmt.quote)}, ESCAPE {quote_str(fmt.quote)}, NULLSTR {quote_str(fmt.null)}")
        if fmt.quote:
            options += ", FORCE_QUOTE *"
    con.execute(f"COPY ({sql}) TO {quote_str(path)} ({options})")
