"""The CompressionFormat of an S3 destination, applied to a delivered object's bytes.

GZIP is a gzip member, ZIP an archive of one entry, Snappy the framing format (what Firehose writes
and `snappy -d`/`cramjam.snappy.decompress` read), HADOOP_SNAPPY Hadoop's block format (a big-endian
uncompressed length, then one length-prefixed raw snappy block), as Hadoop's SnappyCodec reads it.
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

import cramjam

EXTENSIONS = {"UNCOMPRESSED": "", "GZIP": ".gz", "ZIP": ".zip", "Snappy": ".snappy", "HADOOP_SNAPPY": ".hsnappy"}
CONTENT_TYPES = {"GZIP": "application/x-gzip", "ZIP": "application/zip"}


def compress(data: bytes, fmt: str, entry_name: str) -> bytes:
    if fmt == "GZIP":
        return gzip.compress(data, mtime=0)
    if fmt == "ZIP":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(entry_name, data)
        return out.getvalue()
    if fmt == "Snappy":
        return bytes(cramjam.snappy.compress(data))
    if fmt == "HADOOP_SNAPPY":
        block = bytes(cramjam.snappy.compress_raw(data))
        return struct.pack(">II", len(data), len(block)) + block
    return data
