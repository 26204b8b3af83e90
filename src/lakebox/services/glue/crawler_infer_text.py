"""The built-in JSON and CSV classifiers, on a bounded sample of the (already decompressed) text.

JSON is tried first, as on AWS: the first 1 MB, extended up to 10 MB when no complete record fits;
a top-level array is ONE record, a single column named `array`. CSV then: the first 1,000 records
or 1 MB, whichever comes first, with AWS's delimiter set, header heuristics and quote detection.

Imports: the standard library and `crawler_infer`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from typing import BinaryIO, Optional

from .crawler_infer import TEXT_INPUT_FORMAT, TEXT_OUTPUT_FORMAT, FileSchema, _widen, render_type, table_parameters

MB = 1024 * 1024
JSON_SAMPLE = 1 * MB
JSON_SAMPLE_MAX = 10 * MB
CSV_SAMPLE = 1 * MB
CSV_MAX_RECORDS = 1000

JSON_SERDE = "org.openx.data.jsonserde.JsonSerDe"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"

#: AWS's documented delimiters, in its order: comma, pipe, tab, semicolon, Ctrl-A.
CSV_DELIMITERS = [",", "|", "\t", ";", "\x01"]
#: A header value must be shorter than this (all but the last column).
HEADER_MAX_CHARS = 150


def infer_text(stream: BinaryIO, compression: str) -> Optional[FileSchema]:
    sample = _Sample(stream)
    return _infer_json(sample, compression) or _infer_csv(sample, compression)


class _Sample:
    """The file's first bytes, read once and grown on demand up to JSON's 10 MB bound."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream, self.data, self.eof = stream, b"", False

    def upto(self, n: int) -> bytes:
        while len(self.data) < n and not self.eof:
            chunk = self._stream.read(n - len(self.data))
            if not chunk:
                self.eof = True
            self.data += chunk
        return self.data[:n]

    def complete(self, n: int) -> bool:
        """Whether the first n bytes are the whole file."""
        self.upto(n + 1)
        return len(self.data) <= n


def _decode(data: bytes, final: bool) -> Optional[str]:
    """UTF-8 text of the sample (a multi-byte character cut at the bound is dropped), or None."""
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=final)
    except UnicodeDecodeError:
        return None


# --- JSON --------------------------------------------------------------------------------------

_WS = re.compile(r"\s*")


def _infer_json(sample: _Sample, compression: str) -> Optional[FileSchema]:
    bound = JSON_SAMPLE
    while True:
        data = sample.upto(bound)
        whole = sample.complete(bound)
        text = _decode(data, final=whole)
        if text is None:
            return None
        records = _json_records(text, whole)
        if records is None:
            return None
        if records or whole or bound >= JSON_SAMPLE_MAX:
            break
        bound = JSON_SAMPLE_MAX  # no complete record in 1 MB: AWS reads on, up to 10 MB
    if not records:
        return None
    tree: Optional[tuple] = None
    sample_bytes = 0
    for value, raw_len in records:
        if isinstance(value, list):  # the built-in classifier: a top-level array is one record
            record_tree = ("struct", [("array", _json_type(value))])
        else:
            record_tree = _json_type(value) if value else ("struct", [])
        tree = record_tree if tree is None else _widen(tree, record_tree)
        sample_bytes += raw_len
    fields = tree[1]
    columns = [{"Name": name.lower(), "Type": render_type(_null_to_string(t))} for name, t in fields]
    return FileSchema(
        classification="json",
        compression=compression,
        columns=columns,
        serde={"SerializationLibrary": JSON_SERDE, "Parameters": {"paths": ",".join(sorted(n for n, _ in fields))}},
        input_format=TEXT_INPUT_FORMAT,
        output_format=TEXT_OUTPUT_FORMAT,
        parameters=table_parameters("json", compression),
        record_count=len(records),
        sample_bytes=sample_bytes,
    )


def _json_records(text: str, whole: bool) -> Optional[list[tuple]]:
    """Complete top-level objects and arrays in `text`, with their UTF-8 lengths. None when the
    text is not JSON; a record cut by the sample bound is left out."""
    decoder = json.JSONDecoder()
    records = []
    pos = _WS.match(text, 0).end()
    while pos < len(text):
        if text[pos] not in "{[":
            return None
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            if whole:
                return None
            return records  # the record the bound cut in two
        records.append((value, len(text[pos:end].encode())))
        pos = _WS.match(text, end).end()
    return records


def _json_type(value) -> tuple | str:
    """The crawler's type of one JSON value; None (JSON null) leaves the type open as "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint" if -(2**63) <= value < 2**63 else "string"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        elem = None
        for item in value:
            t = _json_type(item)
            elem = t if elem is None else _widen(elem, t)
        return ("array", elem or "null")
    fields = []
    for name, item in value.items():
        fields.append((name, _json_type(item)))
    return ("struct", fields) if fields else "null"


def _null_to_string(t):
    """Types nothing but null was seen for become string, at any depth."""
    if t == "null":
        return "string"
    if isinstance(t, str):
        return t
    if t[0] == "array":
        return ("array", _null_to_string(t[1]))
    if t[0] == "map":
        return ("map", _null_to_string(t[1]), _null_to_string(t[2]))
    return ("struct", [(n, _null_to_string(ft)) for n, ft in t[1]])


# --- CSV ---------------------------------------------------------------------------------------

_BIGINT = re.compile(r"[+-]?\d+\Z")
_DOUBLE = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?\Z")
#: Glue's column-name pattern (a single-line string), which a header value must match.
_COLUMN_NAME = re.compile(r"[\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff\t]{1,255}\Z")


def csv_value_type(value: str) -> Optional[str]:
    """The type the CSV classifier gives one (trimmed) field; None for an empty field."""
    v = value.strip()
    if not v:
        return None
    if _BIGINT.match(v):
        return "bigint" if -(2**63) <= int(v) < 2**63 else "string"
    if _DOUBLE.match(v):
        return "double"
    if v.lower() in ("true", "false"):
        return "boolean"
    if _TIMESTAMP.match(v):
        return "timestamp"
    if _DATE.match(v):
        return "date"
    return "string"


def _infer_csv(sample: _Sample, compression: str) -> Optional[FileSchema]:
    data = sample.upto(CSV_SAMPLE)
    whole = sample.complete(CSV_SAMPLE)
    if b"\x00" in data:
        return None  # binary, not text
    if not whole:
        cut = data.rfind(b"\n")
        if cut < 0:
            return None
        data = data[: cut + 1]  # only whole lines within the 1 MB bound
    text = _decode(data, final=True)
    if text is None:
        return None
    best = None
    for delimiter in CSV_DELIMITERS:
        rows = _csv_rows(text, delimiter)
        if rows and (best is None or len(rows[0][0]) > len(best[1][0][0])):
            best = (delimiter, rows)
    if best is None:
        return None
    delimiter, rows = best
    fields = [r for r, _ in rows]
    header = _detect_header(fields)
    data_rows = rows[1:] if header else rows
    width = len(fields[0])
    types: list[Optional[str]] = [None] * width
    for row, _ in data_rows:
        for i, value in enumerate(row):
            t = csv_value_type(value)
            if t is not None:
                types[i] = t if types[i] is None else _widen(types[i], t)
    names = [h.strip().lower() or f"col{i}" for i, h in enumerate(fields[0])] if header else [f"col{i}" for i in range(width)]
    columns = [{"Name": n, "Type": t or "string"} for n, t in zip(names, types)]
    quoted = bool(re.search(r'(^|[%s])"' % re.escape(delimiter), text, re.M))
    if quoted:
        serde = {"SerializationLibrary": OPEN_CSV_SERDE, "Parameters": {"separatorChar": delimiter, "quoteChar": '"'}}
    else:
        serde = {"SerializationLibrary": LAZY_SIMPLE_SERDE, "Parameters": {"field.delim": delimiter}}
    extra = {"delimiter": delimiter, "areColumnsQuoted": str(quoted).lower(), "columnsOrdered": "true"}
    if header:
        extra["skip.header.line.count"] = "1"
    return FileSchema(
        classification="csv",
        compression=compression,
        columns=columns,
        serde=serde,
        input_format=TEXT_INPUT_FORMAT,
        output_format=TEXT_OUTPUT_FORMAT,
        parameters=table_parameters("csv", compression, **extra),
        record_count=len(data_rows),
        sample_bytes=sum(n for _, n in data_rows),
    )


def _csv_rows(text: str, delimiter: str) -> Optional[list[tuple[list[str], int]]]:
    """The first 1,000 records split on `delimiter`, each with its UTF-8 length; None unless every
    record has the same number of fields, at least two, and there are at least two records."""
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    consumed = 0
    try:
        for row in reader:
            if not row or row == [""]:
                continue  # blank line
            rows.append(row)
            if len(rows) >= CSV_MAX_RECORDS:
                break
    except csv.Error:
        return None
    if len(rows) < 2 or len(rows[0]) < 2 or any(len(r) != len(rows[0]) for r in rows):
        return None
    # Byte lengths: re-serialised lengths are close enough, and cheaper than tracking offsets.
    out = []
    for row in rows:
        n = len(delimiter.join(row).encode()) + 1
        consumed += n
        out.append((row, n))
    return out


def _detect_header(rows: list[list[str]]) -> bool:
    """AWS's built-in rules: every header value is a STRING (not empty, except that the last column
    may be empty throughout, for a trailing delimiter), under 150 characters except the last, a
    valid column name, unique; and at least one value of the other rows is not a STRING."""
    first, rest = rows[0], rows[1:]
    last = len(first) - 1
    trailing_empty = all(not r[last].strip() for r in rows)
    names = []
    for i, value in enumerate(first):
        v = value.strip()
        if i == last and trailing_empty:
            continue
        if csv_value_type(v) != "string" or not _COLUMN_NAME.match(v):
            return False
        if i != last and len(v) >= HEADER_MAX_CHARS:
            return False
        names.append(v.lower())
    if len(set(names)) != len(names):
        return False
    return any(csv_value_type(v) not in (None, "string") for r in rest for v in r)
