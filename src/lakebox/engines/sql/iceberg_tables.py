"""An Iceberg table's metadata tables, as Athena (Trino) answers them: `"t$snapshots"`,
`"t$history"`, `"t$files"` and `"t$partitions"`, read from the table's metadata document and manifests.

Why: after a pipeline writes an Iceberg table, the snapshot ids that time travel needs
(`FOR VERSION AS OF`) and the files a snapshot holds are looked up with these queries. The columns
are Trino's, in its order; `$files` carries the columns that need no per-column statistics.

Imports pyarrow and this package.
"""

from __future__ import annotations

from typing import Callable, Optional

import pyarrow as pa

from . import iceberg

SNAPSHOTS, HISTORY, FILES, PARTITIONS = "$snapshots", "$history", "$files", "$partitions"
SUFFIXES = (SNAPSHOTS, HISTORY, FILES, PARTITIONS)
_WHEN = pa.timestamp("ms", tz="UTC")


def suffix_of(name: str) -> Optional[str]:
    return next((suffix for suffix in SUFFIXES if name.endswith(suffix)), None)


def build(table: dict, suffix: str, local_path: Callable[[str], str]) -> pa.Table:
    metadata = iceberg.load_metadata(table, local_path)
    if suffix == SNAPSHOTS:
        return _snapshots(metadata)
    if suffix == HISTORY:
        return _history(metadata)
    records = iceberg.live_files(table, local_path, reading=False).records
    if suffix == PARTITIONS:
        return _partitions(records)
    return _files(records)


def _snapshots(metadata: dict) -> pa.Table:
    snapshots = sorted(metadata.get("snapshots") or (), key=lambda s: s.get("timestamp-ms", 0))
    return pa.table({
        "committed_at": pa.array([s.get("timestamp-ms") for s in snapshots], _WHEN),
        "snapshot_id": pa.array([s.get("snapshot-id") for s in snapshots], pa.int64()),
        "parent_id": pa.array([s.get("parent-snapshot-id") for s in snapshots], pa.int64()),
        "operation": pa.array([(s.get("summary") or {}).get("operation") for s in snapshots], pa.string()),
        "manifest_list": pa.array([s.get("manifest-list") for s in snapshots], pa.string()),
        "summary": pa.array([sorted((k, str(v)) for k, v in (s.get("summary") or {}).items()) for s in snapshots],
                            pa.map_(pa.string(), pa.string())),
    })


def _history(metadata: dict) -> pa.Table:
    parents = {s.get("snapshot-id"): s.get("parent-snapshot-id") for s in metadata.get("snapshots") or ()}
    ancestors, current = set(), metadata.get("current-snapshot-id")
    while current is not None and current != -1 and current not in ancestors:
        ancestors.add(current)
        current = parents.get(current)
    log = sorted(metadata.get("snapshot-log") or (), key=lambda e: e.get("timestamp-ms", 0))
    return pa.table({
        "made_current_at": pa.array([e.get("timestamp-ms") for e in log], _WHEN),
        "snapshot_id": pa.array([e.get("snapshot-id") for e in log], pa.int64()),
        "parent_id": pa.array([parents.get(e.get("snapshot-id")) for e in log], pa.int64()),
        "is_current_ancestor": pa.array([e.get("snapshot-id") in ancestors for e in log], pa.bool_()),
    })


def _files(records: list) -> pa.Table:
    return pa.table({
        "content": pa.array([r.get("content") or 0 for r in records], pa.int32()),
        "file_path": pa.array([r.get("file_path") for r in records], pa.string()),
        "file_format": pa.array([str(r.get("file_format") or "PARQUET").upper() for r in records], pa.string()),
        "record_count": pa.array([r.get("record_count") for r in records], pa.int64()),
        "file_size_in_bytes": pa.array([r.get("file_size_in_bytes") for r in records], pa.int64()),
    })


def _partitions(records: list) -> pa.Table:
    """One row per partition of the live data files (delete files aside): its values after the
    transforms (a `row`, absent for an unpartitioned table) and the files' counts and sizes."""
    groups: dict = {}
    for record in records:
        if record.get("content") or 0:
            continue
        values = record.get("partition") or {}
        key = tuple(sorted(values.items(), key=lambda item: item[0]))
        group = groups.setdefault(key, {"partition": dict(values), "record_count": 0, "file_count": 0,
                                        "total_size": 0})
        group["record_count"] += record.get("record_count") or 0
        group["file_count"] += 1
        group["total_size"] += record.get("file_size_in_bytes") or 0
    rows = list(groups.values())
    columns = {}
    if any(row["partition"] for row in rows):
        columns["partition"] = pa.array([row["partition"] for row in rows])
    for name in ("record_count", "file_count", "total_size"):
        columns[name] = pa.array([row[name] for row in rows], pa.int64())
    if not rows:
        return pa.table({name: pa.array([], pa.int64()) for name in ("record_count", "file_count", "total_size")})
    return pa.table(columns)
