"""What Glue's built-in classifiers say about ONE file of the lake: its classification, compression,
columns, SerDe and table parameters. A pure engine: it reads a local file and returns a `FileSchema`.

Formats are tried in AWS's documented order (Avro, ORC, Parquet, JSON, CSV); the first that matches
wins. Columnar formats are read from their header or footer only (`crawler_infer_columnar`); text
formats from a bounded sample (`crawler_infer_text`), after undoing gzip, bzip2, single-file zip,
lz4 (frame) or snappy (framed or Hadoop block) compression. This module also owns Glue's type
strings and how the crawler widens them across records and files.

Imports: the standard library, pyarrow, fastavro, lz4 and cramjam; nothing else of lakebox.
"""

from __future__ import annotations

import bz2
import gzip
import io
import logging
import struct
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO, Optional, Union

log = logging.getLogger(__name__)

#: Hive/Glue InputFormat and OutputFormat of text tables (JSON and CSV).
TEXT_INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"


@dataclass
class FileSchema:
    classification: str
    compression: str
    columns: list[dict]
    serde: dict
    input_format: str
    output_format: str
    parameters: dict = field(default_factory=dict)
    record_count: int = 0
    sample_bytes: int = 0


def infer_file(path: str, size: int) -> Optional[FileSchema]:
    """The built-in classifiers' verdict on the file at `path`; None when none of them matches."""
    from . import crawler_infer_columnar, crawler_infer_text

    if size == 0:
        return None
    with open(path, "rb") as f:
        head = f.read(16)
    columnar = crawler_infer_columnar.infer_columnar(path, head, size)
    if columnar is not None:
        return columnar
    compression = detect_compression(path, head)
    try:
        with open_decompressed(path, compression) as stream:
            return crawler_infer_text.infer_text(stream, compression)
    except _CORRUPT_STREAM_ERRORS as exc:
        # A stream that does not decompress matches no classifier: AWS files it as UNKNOWN too.
        log.info("crawler: %s does not decompress as %s: %s", path, compression, exc)
        return None


# --- Compression -------------------------------------------------------------------------------

try:
    from cramjam import DecompressionError as _SnappyError
except ImportError:  # pragma: no cover - cramjam is a declared dependency
    _SnappyError = ValueError

#: What gzip, bz2, zipfile, lz4 (RuntimeError) and cramjam raise on a corrupt or truncated stream.
_CORRUPT_STREAM_ERRORS = (OSError, EOFError, ValueError, RuntimeError, struct.error, zipfile.BadZipFile, _SnappyError)

_SNAPPY_FRAMED_MAGIC = b"\xff\x06\x00\x00sNaPpY"


def detect_compression(path: str, head: bytes) -> str:
    """The compression of a file by its magic bytes; Hadoop snappy has none, so by its extension."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 3 and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\x04\x22\x4d\x18"):
        return "lz4"
    if head.startswith(_SNAPPY_FRAMED_MAGIC):
        return "snappy"
    if path.lower().endswith(".snappy") and _looks_like_hadoop_snappy(head):
        return "snappy"
    return "none"


def open_decompressed(path: str, compression: str) -> BinaryIO:
    """A binary stream of the file's uncompressed bytes, decompressed lazily as it is read."""
    if compression == "gzip":
        return gzip.open(path, "rb")
    if compression == "bzip2":
        return bz2.open(path, "rb")
    if compression == "zip":
        return _open_single_zip_member(path)
    if compression == "lz4":
        import lz4.frame

        return lz4.frame.open(path, "rb")
    if compression == "snappy":
        raw = open(path, "rb")
        head = raw.read(len(_SNAPPY_FRAMED_MAGIC))
        raw.seek(0)
        chunks = _snappy_framed_chunks(raw) if head == _SNAPPY_FRAMED_MAGIC else _hadoop_snappy_chunks(raw)
        return _ChunkStream(chunks, raw)
    return open(path, "rb")


def _open_single_zip_member(path: str) -> BinaryIO:
    """AWS classifies a zip only when it holds a single file; anything else reads as empty."""
    archive = zipfile.ZipFile(path)
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) != 1:
        archive.close()
        return io.BytesIO(b"")
    return _ClosingWith(archive.open(members[0]), archive)


class _ClosingWith(io.RawIOBase):
    """A readable stream that also closes its owner (the zip archive, the raw snappy file)."""

    def __init__(self, inner: BinaryIO, owner) -> None:
        self._inner, self._owner = inner, owner

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        return self._inner.read(n)

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
            self._owner.close()
        super().close()


class _ChunkStream(io.RawIOBase):
    """A readable stream over an iterator of decompressed chunks."""

    def __init__(self, chunks, owner) -> None:
        self._chunks, self._owner, self._buffer = chunks, owner, b""

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buffer) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if n < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def close(self) -> None:
        if not self.closed:
            self._owner.close()
        super().close()


def _snappy_framed_chunks(raw: BinaryIO):
    """The snappy framing format: typed chunks, each compressed (0x00) or stored (0x01) on its own."""
    import cramjam

    while True:
        header = raw.read(4)
        if len(header) < 4:
            return
        kind, length = header[0], int.from_bytes(header[1:4], "little")
        body = raw.read(length)
        if kind == 0x00:
            yield bytes(cramjam.snappy.decompress_raw(body[4:]))  # 4 bytes of masked CRC first
        elif kind == 0x01:
            yield body[4:]
        elif kind < 0x80 and kind != 0xFF:
            raise ValueError("unskippable snappy chunk")


def _hadoop_snappy_chunks(raw: BinaryIO):
    """Hadoop's block format: per block a big-endian uncompressed length, then length-prefixed
    raw snappy chunks until that length is reached."""
    import cramjam

    while True:
        header = raw.read(4)
        if len(header) < 4:
            return
        (block_len,) = struct.unpack(">I", header)
        produced = 0
        while produced < block_len:
            (chunk_len,) = struct.unpack(">I", raw.read(4))
            chunk = bytes(cramjam.snappy.decompress_raw(raw.read(chunk_len)))
            produced += len(chunk)
            yield chunk


def _looks_like_hadoop_snappy(head: bytes) -> bool:
    if len(head) < 9:
        return False
    block_len, chunk_len = struct.unpack(">II", head[:8])
    return 0 < chunk_len and 0 < block_len < 1 << 30


# --- Glue types --------------------------------------------------------------------------------
# A parsed type is a str for a primitive ("bigint", "decimal(10,2)") or a tuple:
# ("array", elem), ("map", key, value), ("struct", [(name, type), ...]).

TypeTree = Union[str, tuple]

_INTEGERS = ["tinyint", "smallint", "int", "bigint"]
_DECIMAL_DIGITS = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 19}


def parse_type(text: str) -> TypeTree:
    tree, rest = _parse(text.strip().replace(" ", ""))
    if rest:
        raise ValueError(f"unparsed type text: {rest!r}")
    return tree


def _parse(s: str) -> tuple[TypeTree, str]:
    for kind in ("array", "map", "struct"):
        if s.startswith(kind + "<"):
            s = s[len(kind) + 1 :]
            break
    else:
        end = 0
        depth = 0
        while end < len(s) and (depth or s[end] not in ",>"):
            depth += {"(": 1, ")": -1}.get(s[end], 0)
            end += 1
        return s[:end], s[end:]
    if kind == "array":
        elem, s = _parse(s)
        return ("array", elem), s[1:]
    if kind == "map":
        key, s = _parse(s)
        value, s = _parse(s[1:])
        return ("map", key, value), s[1:]
    fields = []
    while not s.startswith(">"):
        name, s = s.split(":", 1)
        ftype, s = _parse(s)
        fields.append((name, ftype))
        s = s[1:] if s.startswith(",") else s
    return ("struct", fields), s[1:]


def render_type(tree: TypeTree) -> str:
    if isinstance(tree, str):
        return tree
    if tree[0] == "array":
        return f"array<{render_type(tree[1])}>"
    if tree[0] == "map":
        return f"map<{render_type(tree[1])},{render_type(tree[2])}>"
    return "struct<" + ",".join(f"{n}:{render_type(t)}" for n, t in tree[1]) + ">"


def widen_type(a: str, b: str) -> str:
    """The type the crawler keeps when two records or files disagree: the wider number, the union
    of struct fields, element-wise for arrays and maps, and string for anything incompatible."""
    return render_type(_widen(parse_type(a), parse_type(b)))


def _widen(a: TypeTree, b: TypeTree) -> TypeTree:
    # "null" is the open type of a JSON field seen only as null so far: the other side wins.
    if a == b or b == "null":
        return a
    if a == "null":
        return b
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0]:
        if a[0] == "array":
            return ("array", _widen(a[1], b[1]))
        if a[0] == "map":
            return ("map", _widen(a[1], b[1]), _widen(a[2], b[2]))
        return ("struct", _merge_fields(a[1], b[1]))
    if isinstance(a, str) and isinstance(b, str):
        return _widen_primitive(a, b)
    return "string"


def _merge_fields(a: list, b: list) -> list:
    merged = {name.lower(): (name, t) for name, t in a}
    for name, t in b:
        key = name.lower()
        merged[key] = (merged[key][0], _widen(merged[key][1], t)) if key in merged else (name, t)
    return list(merged.values())


def _widen_primitive(a: str, b: str) -> str:
    if a in _INTEGERS and b in _INTEGERS:
        return max(a, b, key=_INTEGERS.index)
    numeric = set(_INTEGERS) | {"float", "double"}
    if a in numeric and b in numeric:
        return "double"
    if a.startswith("decimal") or b.startswith("decimal"):
        da, db = _as_decimal(a), _as_decimal(b)
        if da and db:
            scale = max(da[1], db[1])
            digits = max(da[0] - da[1], db[0] - db[1])
            return f"decimal({min(38, digits + scale)},{scale})"
        if {a, b} & {"float", "double"} and (da or db):
            return "double"
    if {a, b} == {"date", "timestamp"}:
        return "timestamp"
    return "string"


def _as_decimal(t: str) -> Optional[tuple[int, int]]:
    if t in _DECIMAL_DIGITS:
        return (_DECIMAL_DIGITS[t], 0)
    if t.startswith("decimal(") and t.endswith(")"):
        precision, _, scale = t[8:-1].partition(",")
        return (int(precision), int(scale or 0))
    return None


def merge_columns(a: list[dict], b: list[dict]) -> list[dict]:
    """Union of two column lists by (case-insensitive) name, a's order first, types widened."""
    merged: dict[str, dict] = {}
    for column in a:
        merged[column["Name"].lower()] = dict(column)
    for column in b:
        key = column["Name"].lower()
        if key in merged:
            merged[key]["Type"] = widen_type(merged[key]["Type"], column["Type"])
        else:
            merged[key] = dict(column)
    return list(merged.values())


def table_parameters(classification: str, compression: str, **extra: str) -> dict:
    """The table Parameters every crawled table carries, plus the format's own."""
    return {"classification": classification, "compressionType": compression, "typeOfData": "file", **extra}
