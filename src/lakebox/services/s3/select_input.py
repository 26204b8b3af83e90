"""S3 Select's InputSerialization: which bytes of the object DuckDB reads, and how it reads them.

Why a module of its own: the object is the lake file itself when it can be (DuckDB reads the plain
file, so a large object never passes through Python), and a spooled copy when S3 Select's rules
need bytes DuckDB cannot read in place: a BZIP2 or GZIP object (decompressed once, which also
counts BytesProcessed), a ScanRange (only the records that start in the range, plus the CSV
header), comment lines (S3 drops a record that starts with the Comments character; DuckDB's
own comment option also cuts lines at it), a record delimiter DuckDB does not take, or an object
whose bytes are not a plain file (SSE-C, or a key kept in the lake's hidden store).

`InputFormat` is the validated request; `prepare` makes the `Source`; `relation` is the DuckDB
relation over it with the `Record` the SQL translation resolves names against.

Imports sqlglot (for literals) and the select_* modules; its few probes run on the DuckDB cursor
the caller passes in.
"""

from __future__ import annotations

import bz2
import json
import os
import tempfile
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional

from sqlglot import exp

from .select_errors import SelectError
from .select_from_path import VALUE_KEY, FromPath, derived_lines
from .select_sql import RAW_RECORD_COLUMN, RECORD_COLUMN, SCALAR, JSON_VALUE, Record, ValueType, csv_record, json_record, parquet_record

CSV, JSON, PARQUET = "CSV", "JSON", "Parquet"
NONE, GZIP, BZIP2 = "NONE", "GZIP", "BZIP2"
USE, IGNORE = "USE", "IGNORE"
DOCUMENT, LINES = "DOCUMENT", "LINES"

#: Record delimiters DuckDB's CSV reader takes as they are; others are rewritten to "\n" in a copy.
_NATIVE_NEWLINES = {"\n": None, "\r\n": "\\r\\n", "\r": "\\r"}
#: Marks a CSV value as NULL for DuckDB: a character no text holds, so that an empty field stays
#: the empty string it is in S3 Select, and only a field a short row lacks is NULL (MISSING).
_NO_NULL_TEXT = "\x01"
_CHUNK = 1 << 20
#: The largest JSON record DuckDB reads (its default is 16 MB; S3 Select's limit is 1 MB).
_MAX_JSON_RECORD = 1 << 30
#: Root-level JSON values fetched from DuckDB at a time, to walk a FROM path through them.
_ROOTS_PER_FETCH = 2048

#: Reads the object's bytes [start, end] (end None: to the end), as an iterator of chunks.
ByteReader = Callable[[int, Optional[int]], Iterable[bytes]]


@dataclass(frozen=True)
class CsvInput:
    header: str = "NONE"
    field_delimiter: str = ","
    quote: str = '"'
    escape: str = '"'
    record_delimiter: str = "\n"
    comments: str = "#"
    allow_quoted_record_delimiter: bool = False


@dataclass(frozen=True)
class InputFormat:
    kind: str
    compression: str = NONE
    csv: Optional[CsvInput] = None
    json_type: str = DOCUMENT


def _enum(value: Optional[str], default: str, allowed: tuple[str, ...], code: str) -> str:
    """An enumerated request value; S3 takes them in any case (awswrangler sends "Use", "Document")."""
    text = (value or default).upper()
    for choice in allowed:
        if text == choice.upper():
            return choice
    raise SelectError(code, str(value))


def _character(value: Optional[str], default: str, name: str) -> str:
    if value is None or value == "":
        return default
    if len(value.encode("utf-8")) > 4:  # DuckDB's limit; S3 documents single characters
        raise SelectError("InvalidRequestParameter", name)
    return value


def input_format(serialization: dict) -> InputFormat:
    """The validated InputSerialization."""
    formats = [kind for kind in (CSV, JSON, PARQUET) if serialization.get(kind) is not None]
    if len(formats) > 1:
        raise SelectError("ObjectSerializationConflict")
    if not formats:
        raise SelectError("MissingRequiredParameter", "InputSerialization")
    kind = formats[0]
    compression = _enum(serialization.get("CompressionType"), NONE, (NONE, GZIP, BZIP2), "InvalidCompressionFormat")
    if kind == PARQUET:
        if compression != NONE:
            # S3 reads Parquet's own column compression, never a compressed Parquet file.
            raise SelectError("InvalidCompressionFormat", "Parquet objects take CompressionType NONE")
        return InputFormat(kind)
    if kind == JSON:
        json_type = _enum(serialization[JSON].get("Type"), DOCUMENT, (DOCUMENT, LINES), "InvalidJsonType")
        return InputFormat(kind, compression, json_type=json_type)
    given = serialization[CSV]
    csv = CsvInput(
        header=_enum(given.get("FileHeaderInfo"), "NONE", (USE, IGNORE, "NONE"), "InvalidFileHeaderInfo"),
        field_delimiter=_character(given.get("FieldDelimiter"), ",", "FieldDelimiter"),
        quote=_character(given.get("QuoteCharacter"), '"', "QuoteCharacter"),
        escape=_character(given.get("QuoteEscapeCharacter"), '"', "QuoteEscapeCharacter"),
        record_delimiter=given.get("RecordDelimiter") or "\n",
        comments=_character(given.get("Comments"), "#", "Comments"),
        allow_quoted_record_delimiter=bool(given.get("AllowQuotedRecordDelimiter")),
    )
    return InputFormat(kind, compression, csv=csv)


def scan_range(given: Optional[dict], fmt: InputFormat, size: int) -> Optional[tuple[int, int]]:
    """ScanRange as the inclusive bytes [start, end] of the object, or None for all of it.

    Only Start: from Start to the end. Only End: the last End bytes, as the API documents.
    """
    if not given:
        return None
    start, end = given.get("Start"), given.get("End")
    if start is None and end is None:
        raise SelectError("InvalidScanRange")
    if fmt.compression != NONE or (fmt.kind == JSON and fmt.json_type == DOCUMENT) or \
            (fmt.csv is not None and fmt.csv.allow_quoted_record_delimiter):
        raise SelectError("UnsupportedScanRangeInput")
    if (start is not None and start < 0) or (end is not None and end < 0):
        raise SelectError("InvalidScanRange")
    if start is None:
        return max(size - end, 0), size - 1
    if end is None:
        return start, size - 1
    if end < start:
        raise SelectError("InvalidScanRange")
    return start, min(end, size - 1)


# -- the bytes DuckDB reads ----------------------------------------------------------------------


@dataclass
class Source:
    """The file DuckDB reads, and S3's counts: BytesScanned (bytes of the object read) and
    BytesProcessed (after decompression). `parquet_range`: the byte range whose row groups the
    query reads (Parquet's ScanRange). `tmp_dir`: where copies go; a spooled copy, and any file
    derived from the source (`derive`), is removed by `close`."""

    path: str
    scanned: int
    processed: int
    tmp_dir: str
    spooled: bool = False
    parquet_range: Optional[tuple[int, int]] = None
    derived: list[str] = field(default_factory=list)

    def derive(self, chunks: Iterable[bytes]) -> str:
        """Spool `chunks` (records computed from this source) beside it; removed with it."""
        path = _spool(chunks, self.tmp_dir)
        self.derived.append(path)
        return path

    def close(self) -> None:
        removed, self.derived = self.derived, []
        if self.spooled:
            removed.append(self.path)
            self.spooled = False
        for path in removed:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


class _Counter:
    """Counts the bytes that pass through it."""

    def __init__(self, chunks: Iterable[bytes]):
        self.chunks, self.total = chunks, 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.total += len(chunk)
            yield chunk


def prepare(fmt: InputFormat, size: int, plain_path: Optional[str], read: ByteReader, tmp_dir: str,
            byte_range: Optional[tuple[int, int]]) -> Source:
    """The bytes to query: the lake file itself when DuckDB can read it as it is, else a copy.

    `plain_path` is the object's plain file (None when its bytes are not one); `read` reads the
    object's bytes; copies go to `tmp_dir`, named so that a restart removes any left behind.
    """
    if fmt.kind == PARQUET:
        scanned = size if byte_range is None else max(byte_range[1] - byte_range[0] + 1, 0)
        if plain_path is not None:
            return Source(plain_path, scanned, scanned, tmp_dir, parquet_range=byte_range)
        raw = _Counter(read(0, None))
        return Source(_spool(raw, tmp_dir), scanned, scanned, tmp_dir, spooled=True, parquet_range=byte_range)

    delimiter = (fmt.csv.record_delimiter if fmt.csv else "\n").encode("utf-8")
    comments = fmt.csv.comments if fmt.csv else ""
    native = fmt.csv is None or fmt.csv.record_delimiter in _NATIVE_NEWLINES
    if plain_path is not None and byte_range is None and fmt.compression == NONE and native \
            and not _has_comment_lines(plain_path, delimiter, comments):
        return Source(plain_path, size, size, tmp_dir)
    if byte_range is not None:
        with_header = fmt.csv is not None and fmt.csv.header != "NONE"
        raw = _Counter(_ranged_records(read, size, byte_range, delimiter, with_header))
    else:
        raw = _Counter(read(0, None))
    decompressed = _Counter(_decompressed(raw, fmt.compression))
    data: Iterable[bytes] = decompressed
    if fmt.csv is not None:
        data = _csv_records(decompressed, delimiter, comments.encode("utf-8"), delimiter if native else b"\n")
    path = _spool(data, tmp_dir)
    return Source(path, raw.total, decompressed.total, tmp_dir, spooled=True)


def _spool(chunks: Iterable[bytes], tmp_dir: str) -> str:
    """Write `chunks` to a new file under `tmp_dir`; its name starts with the pid, so the lake
    removes it at the next start should this process die before `Source.close`."""
    fd, path = tempfile.mkstemp(prefix=f"{os.getpid()}-select-", suffix=".tmp", dir=tmp_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
    except BaseException:
        os.unlink(path)
        raise
    return path


def _decompressed(chunks: Iterable[bytes], compression: str) -> Iterator[bytes]:
    """The bytes of a GZIP or BZIP2 object, every member (or stream) of it; S3's TruncatedInput
    when they do not decompress or end inside a member."""
    if compression == NONE:
        yield from chunks
        return
    new = (lambda: zlib.decompressobj(wbits=47)) if compression == GZIP else bz2.BZ2Decompressor
    decoder, inside = new(), False
    try:
        for chunk in chunks:
            while chunk:
                inside = True
                yield decoder.decompress(chunk)
                if not decoder.eof:
                    break
                chunk, decoder, inside = decoder.unused_data, new(), False  # the next member
        if inside:
            raise SelectError("TruncatedInput", "the object ends inside a compressed member")
    except (OSError, zlib.error, EOFError, ValueError) as error:
        raise SelectError("TruncatedInput", str(error)) from None


def _csv_records(chunks: Iterable[bytes], delimiter: bytes, comment: bytes, out_delimiter: bytes) -> Iterator[bytes]:
    """CSV records without the comment lines (a record that starts with `comment`), separated by
    `out_delimiter` ("\\n" when the object's delimiter is one DuckDB does not read)."""
    carry = b""
    marker = delimiter + comment
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(delimiter)
        if cut < 0:
            carry = data
            continue
        complete, carry = data[:cut + len(delimiter)], data[cut + len(delimiter):]
        if comment and (complete.startswith(comment) or marker in complete):
            records = complete.split(delimiter)[:-1]
            complete = b"".join(r + delimiter for r in records if not r.startswith(comment))
        if out_delimiter != delimiter:
            complete = complete.replace(delimiter, out_delimiter)
        yield complete
    if carry and not (comment and carry.startswith(comment)):
        yield carry.replace(delimiter, out_delimiter) if out_delimiter != delimiter else carry


def _has_comment_lines(path: str, delimiter: bytes, comment: str) -> bool:
    """Whether a CSV file has a record that starts with the comment character (a fast scan)."""
    if not comment:
        return False
    mark = comment.encode("utf-8")
    marker = delimiter + mark
    tail = b""
    with open(path, "rb") as handle:
        first = True
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                return False
            if first and chunk.startswith(mark):
                return True
            first = False
            if marker in tail + chunk[:len(marker)] or marker in chunk:
                return True
            tail = chunk[-len(marker):]


# -- ScanRange -----------------------------------------------------------------------------------


def _next_record_start(read: ByteReader, size: int, position: int, delimiter: bytes) -> Optional[int]:
    """Where the first record that starts at or after `position` starts (None: none does)."""
    if position <= 0:
        return 0
    offset = max(position - len(delimiter), 0)
    buffer = b""
    chunks = read(offset, None)
    try:
        for chunk in chunks:
            buffer += chunk
            found = buffer.find(delimiter)
            if found >= 0:
                start = offset + found + len(delimiter)
                return start if start < size else None
            keep = len(delimiter) - 1
            offset += len(buffer) - keep
            buffer = buffer[len(buffer) - keep:] if keep else b""
    finally:
        _close(chunks)
    return None


def _records_between(read: ByteReader, first: int, end: int, delimiter: bytes) -> Iterator[bytes]:
    """The bytes from `first` (a record start) to the end of the record that holds byte `end`."""
    search_from = max(end - len(delimiter) + 1, first)
    offset, pending = first, b""
    chunks = read(first, None)
    try:
        for chunk in chunks:
            if offset + len(chunk) <= search_from:
                offset += len(chunk)
                yield chunk
                continue
            head = max(search_from - offset, 0)
            if head:
                yield chunk[:head]
            pending += chunk[head:]
            offset += len(chunk)
            found = pending.find(delimiter)
            if found >= 0:
                yield pending[:found + len(delimiter)]
                return
        if pending:
            yield pending
    finally:
        _close(chunks)


def _ranged_records(read: ByteReader, size: int, byte_range: tuple[int, int], delimiter: bytes,
                    with_header: bool) -> Iterator[bytes]:
    """The records whose first byte is in `byte_range` (as S3 scans a range), after the CSV header
    record when the file has one: every range of the object is read with the same column names."""
    start, end = byte_range
    body_start = 0
    if with_header:
        body_start = _next_record_start(read, size, 1, delimiter)
        body_start = size if body_start is None else body_start
        yield from _records_between(read, 0, 0, delimiter)
    first = _next_record_start(read, size, max(start, body_start), delimiter)
    if first is None or first > end or size == 0:
        return
    yield from _records_between(read, first, end, delimiter)


def _close(chunks) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


# -- the DuckDB relation -------------------------------------------------------------------------


def _literal(value) -> str:
    """A DuckDB literal for a table function option (quoted and escaped by sqlglot)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return exp.Literal.string(str(value)).sql(dialect="duckdb")


def _options(**options) -> str:
    return ", ".join(f"{name}={_literal(value)}" for name, value in options.items() if value is not None)


def value_type(duck_type) -> ValueType:
    """A DuckDB type as the shape paths walk (struct fields, list items, JSON)."""
    if str(duck_type) == "JSON":
        return JSON_VALUE
    kind = duck_type.id
    if kind == "struct":
        return ValueType("struct", tuple((name, value_type(child)) for name, child in duck_type.children))
    if kind in ("list", "array"):
        return ValueType("list", item=value_type(duck_type.children[0][1]))
    return SCALAR


def json_structure(duck_type) -> Any:
    """A DuckDB type in the form json_transform takes: objects for structs, one-item lists for
    lists, type names for the rest."""
    kind = duck_type.id
    if kind == "struct" and str(duck_type) != "JSON":
        return {name: json_structure(child) for name, child in duck_type.children}
    if kind in ("list", "array"):
        return [json_structure(duck_type.children[0][1])]
    return str(duck_type)


def relation(con, fmt: InputFormat, source: Source, path: Optional[FromPath] = None) -> tuple[str, Record]:
    """The DuckDB SELECT that reads `source` as S3 Select's records, and their `Record`.

    Runs small probes on `con` (the CSV header, the JSON and Parquet types); errors of DuckDB's
    readers reach the caller as DuckDB raises them. `path` (FROM S3Object[*].path, JSON only)
    makes the values it reaches the records, written first to a file beside `source`.
    """
    path_sql = _literal(source.path)
    if fmt.kind == CSV:
        return _csv_relation(con, fmt.csv, path_sql)
    if fmt.kind == JSON:
        options = (_options(format="newline_delimited" if fmt.json_type == LINES else "unstructured",
                            records=False, compression="none") + f", maximum_object_size={_MAX_JSON_RECORD}")
        if path is not None:
            return _path_relation(con, f"read_json({path_sql}, {options}, columns={{'json': 'JSON'}})", path, source)
        # The type of every record, from all of them (so no key is missed), found once: the query
        # then reads with that type rather than working it out again.
        record_type = con.sql(f"SELECT json FROM read_json({path_sql}, {options}, sample_size=-1, "
                              "map_inference_threshold=-1) LIMIT 0").types[0]
        # Each record is read as its JSON text and typed from it (a key it lacks is null there), so
        # that both forms are at hand: the typed one for paths, the text for `SELECT *`.
        structure = _literal(json.dumps(json_structure(record_type)))
        sql = (f"SELECT json_transform(json, {structure}) AS {RECORD_COLUMN}, json AS {RAW_RECORD_COLUMN} "
               f"FROM read_json({path_sql}, {options}, columns={{'json': 'JSON'}})")
        return sql, json_record(value_type(record_type))
    sql = f"SELECT * FROM read_parquet({path_sql})"
    described = con.sql(f"{sql} LIMIT 0")
    columns = [(name, value_type(kind)) for name, kind in zip(described.columns, described.types)]
    if source.parquet_range is not None:
        sql = _row_groups_in_range(con, path_sql, source.parquet_range)
    return sql, parquet_record(columns)


def _path_relation(con, roots: str, path: FromPath, source: Source) -> tuple[str, Record]:
    """Records of `FROM S3Object[*].path`: the values the path reaches in each root-level value
    (read with DuckDB's `roots`), spooled as `{"v": value}` lines (`{}` for MISSING) and typed
    from all of them; a MISSING record's value is NULL."""
    cursor = con.execute(f"SELECT json FROM {roots}")
    texts = (row[0] for batch in iter(lambda: cursor.fetchmany(_ROOTS_PER_FETCH), []) for row in batch)
    derived = _literal(source.derive(derived_lines(texts, path.steps)))
    lines = f"read_json({derived}, format='newline_delimited', maximum_object_size={_MAX_JSON_RECORD}"
    described = con.sql(f"SELECT * FROM {lines}, records='auto', sample_size=-1, map_inference_threshold=-1) LIMIT 0")
    types = dict(zip(described.columns, described.types))
    value_sql = f"json->'{VALUE_KEY}'"
    if VALUE_KEY in types:
        structure = _literal(json.dumps(json_structure(types[VALUE_KEY])))
        record_type = value_type(types[VALUE_KEY])
        typed = f"json_transform({value_sql}, {structure})"
    else:  # every record is MISSING
        record_type, typed = JSON_VALUE, value_sql
    sql = (f"SELECT {typed} AS {RECORD_COLUMN}, {value_sql} AS {RAW_RECORD_COLUMN} "
           f"FROM {lines}, records=false, columns={{'json': 'JSON'}})")
    return sql, json_record(record_type)


def _csv_relation(con, csv: CsvInput, path: str) -> tuple[str, Record]:
    common = _options(delim=csv.field_delimiter, quote=csv.quote, escape=csv.escape, all_varchar=True,
                      null_padding=True, strict_mode=False, nullstr=_NO_NULL_TEXT, comment="",
                      compression="none", new_line=_NATIVE_NEWLINES.get(csv.record_delimiter))
    probe = con.execute(f"SELECT * FROM read_csv({path}, header=false, {common}) LIMIT 1")
    count = len(probe.description)
    first = probe.fetchone()
    header = first if csv.header == USE and first else ()
    # A column the header row does not name (a longer row further down) goes by its position.
    names = [f"_{i}" if i > len(header) or header[i - 1] is None else header[i - 1] for i in range(1, count + 1)]
    columns = [f"c{i}" for i in range(1, len(names) + 1)]
    has_header = csv.header != "NONE"
    sql = (f"SELECT {', '.join(columns)} FROM read_csv({path}, header={_literal(has_header)}, "
           f"names={_literal(columns)}, {common})")
    return sql, csv_record(names)


def _row_groups_in_range(con, path: str, byte_range: tuple[int, int]) -> str:
    """Parquet's ScanRange: the rows of the row groups that start in the range."""
    groups = con.execute(
        "SELECT row_group_id, any_value(row_group_num_rows), "
        "min(CASE WHEN dictionary_page_offset > 0 THEN dictionary_page_offset ELSE data_page_offset END) "
        f"FROM parquet_metadata({path}) GROUP BY row_group_id ORDER BY row_group_id").fetchall()
    first_row, windows = 0, []
    for _, rows, start in groups:
        if byte_range[0] <= start <= byte_range[1]:
            windows.append(f"file_row_number BETWEEN {first_row} AND {first_row + rows - 1}")
        first_row += rows
    condition = " OR ".join(windows) or "false"
    return (f"SELECT * EXCLUDE (file_row_number) FROM read_parquet({path}, file_row_number=true) "
            f"WHERE {condition}")
