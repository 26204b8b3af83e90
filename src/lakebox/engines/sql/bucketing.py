"""Bucket pruning for Hive-bucketed tables (`CLUSTERED BY (c, ...) INTO n BUCKETS`), as Athena's
Trino does it: when the query pins every bucket column to constants (`c = v`, `c IN (...)`), only the
files of the buckets those values hash to are read, and only their bytes are scanned.

The hash is Hive's bucketing version 1 (Trino's HiveBucketingV1), which Athena uses for tables
without `'bucketing_format'='spark'`: per column a Java hash of the value (the int itself, a bigint
folded to 32 bits, the UTF-8 bytes of a string, 1/0 for a boolean, the days of a date; other types are not pruned), combined as
`h = 31 * h + hash`, and bucket `(h & 0x7fffffff) % n`. A file's bucket comes from its name when
every name has one (Hive's `000003_0`, Hive ACID's `bucket_00003`, Presto's `..._bucket-00003`);
otherwise, when the folder has exactly n files, the i-th name in sorted order is bucket i. Anything
else (Spark's murmur3 bucketing, types without a v1 hash here, files that cannot be matched to
buckets) reads every file.

Imports this package's type mapping only; constants are evaluated by the caller's DuckDB connection.
"""

from __future__ import annotations

import itertools
import os
import re
from typing import Optional

from .types import HiveTypeError, hive_to_duckdb

#: Trino's BackgroundHiveSplitLoader patterns for a bucket number in a file name.
_BUCKET_NAMES = (
    re.compile(r"\d{8}_\d{6}_\d{5}_[a-z0-9]{5}_bucket-(\d+)(?:[-_.].*)?"),
    re.compile(r"(0\d+)_\d+(?:\.\w+)?"),
    re.compile(r"bucket_(\d+)(?:_\d+)?"),
)
#: More value combinations than this and every file is read (Trino bounds the enumeration too).
MAX_COMBINATIONS = 1000
_INT_TYPES = {"tinyint", "smallint", "int", "integer"}


def bucket_spec(table: dict) -> Optional[tuple[list, list, int]]:
    """([bucket column], [their Hive types], bucket count) of a table that Hive-v1 pruning applies
    to, or None."""
    sd = table.get("StorageDescriptor") or {}
    names = [c.lower() for c in sd.get("BucketColumns") or []]
    count = sd.get("NumberOfBuckets") or 0
    params = {k.lower(): str(v).lower() for k, v in (table.get("Parameters") or {}).items()}
    if not names or count <= 0 or params.get("bucketing_format", "hive") != "hive" \
            or params.get("bucketing_version", "1") != "1":
        return None
    types = {c["Name"].lower(): (c.get("Type") or "string").lower() for c in sd.get("Columns") or []}
    if any(n not in types for n in names):
        return None
    return names, [types[n] for n in names], count


def wanted_buckets(con, spec: tuple[list, list, int], pinned: dict) -> Optional[set]:
    """The bucket numbers that rows matching the pinned constants ({column: [DuckDB SQL constant]})
    can be in; None when some bucket column is not pinned or a value cannot be hashed."""
    names, types, count = spec
    if any(n not in pinned for n in names):
        return None
    per_column = []
    for name, hive_type in zip(names, types):
        try:
            duck_type = hive_to_duckdb(hive_type)
        except HiveTypeError:
            return None
        values = []
        for constant in pinned[name]:
            try:
                (value,) = con.execute(f"SELECT TRY_CAST({constant} AS {duck_type})").fetchone()
            except Exception:  # a constant DuckDB cannot evaluate alone: no pruning, the query decides
                return None
            if value is None:
                continue  # `c = NULL` matches no row
            hashed = _hash(value, hive_type)
            if hashed is None:
                return None
            values.append(hashed)
        per_column.append(values)
    total = 1
    for values in per_column:
        total *= max(len(values), 1)
    if total > MAX_COMBINATIONS:
        return None
    buckets = set()
    for combination in itertools.product(*per_column):
        h = 0
        for value_hash in combination:
            h = _int32(31 * h + value_hash)
        buckets.add((h & 0x7FFFFFFF) % count)
    return buckets


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def _hash(value, hive_type: str) -> Optional[int]:
    """Hive's ObjectInspectorUtils.hashCode of one value (bucketing version 1)."""
    import datetime as dt
    kind = hive_type.split("(")[0].strip()
    if kind == "boolean":
        return 1 if value else 0
    if kind in _INT_TYPES:
        return _int32(int(value))
    if kind == "bigint":
        v = int(value) & 0xFFFFFFFFFFFFFFFF
        return _int32((v >> 32) ^ v)
    if kind in ("string", "varchar", "char"):
        h = 0
        for byte in str(value).encode("utf-8"):
            h = _int32(31 * h + (byte - 256 if byte > 127 else byte))
        return h
    if kind == "date" and isinstance(value, dt.date):
        return _int32((value - dt.date(1970, 1, 1)).days)
    # float, double, decimal, timestamp: no pruning (the writer has no SQL form of their hash either).
    return None


def file_buckets(files: list, count: int) -> Optional[dict]:
    """{path: bucket number} for one folder's files, or None when they cannot be matched to buckets."""
    found = {}
    for path, _ in files:
        name = os.path.basename(path)
        for pattern in _BUCKET_NAMES:
            match = pattern.fullmatch(name)
            if match:
                found[path] = int(match.group(1))
                break
        else:
            break
    if len(found) == len(files):
        return found if all(b < count for b in found.values()) else None
    if len(files) == count:
        return {path: number for number, (path, _) in enumerate(sorted(files))}
    return None


# -- writing: the same hash in DuckDB SQL ----------------------------------------------------------

_MASK32 = "4294967295"


def _field_hash_sql(column: str, duck_type: str) -> Optional[str]:
    """DuckDB SQL of Hive's v1 hash of one column, as an unsigned 32-bit BIGINT (NULL hashes to 0)."""
    kind = duck_type.upper()
    if kind == "BOOLEAN":
        return f"CASE WHEN {column} THEN 1 ELSE 0 END"
    if kind in ("TINYINT", "SMALLINT", "INTEGER"):
        return f"(COALESCE(CAST({column} AS BIGINT), 0) & {_MASK32})"
    if kind == "BIGINT":
        return f"(COALESCE(xor({column} >> 32, {column}), 0) & {_MASK32})"
    if kind == "DATE":
        return f"(COALESCE(CAST(date_diff('day', DATE '1970-01-01', {column}) AS BIGINT), 0) & {_MASK32})"
    if kind == "VARCHAR":
        # Java's 31 * h + b over the UTF-8 bytes, each a signed byte, modulo 2^32.
        data = f"encode({column})"
        return (f"COALESCE(list_reduce(list_prepend(0::BIGINT, list_transform(range(0, octet_length({data})), "
                f"lambda i: ('0x' || substr(hex({data}), 2 * i + 1, 2))::BIGINT)), "
                f"lambda h, b: (h * 31 + CASE WHEN b > 127 THEN b - 256 ELSE b END) & {_MASK32}), 0)")
    return None


def bucket_number_sql(columns: list, count: int) -> Optional[str]:
    """DuckDB SQL of the Hive-v1 bucket number of a row, for [(quoted column, DuckDB type)] bucket
    columns; None when a column's type has no v1 hash here."""
    combined = "0::BIGINT"
    for column, duck_type in columns:
        field = _field_hash_sql(column, str(duck_type))
        if field is None:
            return None
        combined = f"(({combined}) * 31 + {field}) & {_MASK32}"
    return f"((({combined}) & 2147483647) % {count})"
