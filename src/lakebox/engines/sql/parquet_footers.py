"""What the SQL reader needs from a Parquet file's footer, read once per version of the file.

For each data file a query reads, the reader needs its columns (names as written, and their DuckDB
types, to skip a CAST where the file already holds the Glue type) and, for Athena's
DataScannedInBytes, the compressed bytes of each column's chunks over all row groups and the size of
the footer itself. Footers are kept in a bounded LRU keyed by (path, size, modification time), so a
rewritten file is read again and a table of many small files costs one stat per file per query.

Imports pyarrow only.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

#: Arrow type (as `str(type)`) -> the DuckDB type read_parquet gives that column, for the types whose
#: reading is exact. Anything else (timestamps of other units, nested types, binary) keeps its CAST.
_ARROW_TO_DUCKDB = {
    "int8": "TINYINT", "int16": "SMALLINT", "int32": "INTEGER", "int64": "BIGINT", "float": "REAL",
    "double": "DOUBLE", "string": "VARCHAR", "large_string": "VARCHAR", "bool": "BOOLEAN",
    "date32[day]": "DATE", "timestamp[us]": "TIMESTAMP",
}


@dataclass(frozen=True)
class Footer:
    #: lower-cased top-level column name -> (name as written in the file, DuckDB type or None)
    columns: dict
    #: lower-cased top-level column name -> compressed bytes of its column chunks, all row groups
    column_bytes: dict
    #: the footer (Thrift metadata) plus the 8-byte tail (its length and the `PAR1` magic)
    footer_bytes: int
    #: every top-level column carries a field id (as Iceberg writers write them)
    field_ids: bool = False


def duckdb_type(arrow_type) -> Optional[str]:
    """The DuckDB type read_parquet gives an Arrow column type, where it is one the Glue types name."""
    import pyarrow as pa

    if pa.types.is_decimal(arrow_type):
        return f"DECIMAL({arrow_type.precision},{arrow_type.scale})"
    return _ARROW_TO_DUCKDB.get(str(arrow_type))


class _Footers:
    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str) -> Footer:
        stat = os.stat(path)
        key = (path, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        footer = _read(path)
        with self._lock:
            self._entries[key] = footer
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return footer


def _read(path: str) -> Footer:
    import pyarrow.parquet as pq

    metadata = pq.read_metadata(path)
    schema = metadata.schema.to_arrow_schema()
    columns = {}
    for field_ in schema:
        columns.setdefault(field_.name.lower(), (field_.name, duckdb_type(field_.type)))
    column_bytes: dict = {}
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            chunk = row_group.column(index)
            top = chunk.path_in_schema.split(".", 1)[0].lower()
            column_bytes[top] = column_bytes.get(top, 0) + chunk.total_compressed_size
    field_ids = len(schema) > 0 and all(b"PARQUET:field_id" in (field_.metadata or {}) for field_ in schema)
    return Footer(columns, column_bytes, metadata.serialized_size + 8, field_ids)


FOOTERS = _Footers()


def footer(path: str) -> Footer:
    return FOOTERS.get(path)
