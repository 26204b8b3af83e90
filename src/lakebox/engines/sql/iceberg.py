"""Iceberg tables (a Glue table with `table_type=ICEBERG`): which files hold the current snapshot's rows.

Why plan from the metadata rather than list the folder: an Iceberg table's folder also holds the
files of older snapshots, of failed writes and of rows deleted since. The table's state is its
`metadata_location` document (Glue's parameter, updated by every commit): the current snapshot names
a manifest list, which names manifests, which name the live data files (entries whose status is not
DELETED). Athena reads exactly those, as this module does, and so does any Iceberg engine.

Row-level deletes of format v2: position delete files (rows of `file_path`, `pos`) are applied by
the reader, row numbers against the data file they name. Equality deletes and data files in ORC or
Avro answer NOT_SUPPORTED, as do the manifests of format v1 tables that list no manifest list.

Files are read from the lake folder: every `s3://` path in the metadata maps to its local file.
Imports fastavro and this package.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Callable, Optional

from .errors import QueryError

#: Manifest entry status and data file content codes of the Iceberg spec.
_DELETED = 2
_DATA, _POSITION_DELETES, _EQUALITY_DELETES = 0, 1, 2


@dataclass
class IcebergFiles:
    """The live files of one snapshot: data files, and the position deletes that apply to each."""
    data: list[str] = field(default_factory=list)  # s3:// paths, in manifest order
    position_deletes: list[str] = field(default_factory=list)  # s3:// paths of position delete files
    #: Every live manifest entry's `data_file` record, data and deletes alike (the `$files` table).
    records: list[dict] = field(default_factory=list)


def is_iceberg(table: dict) -> bool:
    return str((table.get("Parameters") or {}).get("table_type", "")).upper() == "ICEBERG"


def metadata_location(table: dict) -> str:
    location = (table.get("Parameters") or {}).get("metadata_location")
    if not location:
        raise QueryError("ICEBERG_INVALID_METADATA", "ICEBERG_INVALID_METADATA: the Iceberg table "
                         f"{table.get('Name', '')} has no metadata_location parameter")
    return location


def live_files(table: dict, local_path: Callable[[str], str], snapshot_id: Optional[int] = None,
               reading: bool = True) -> IcebergFiles:
    """The files of the table's current snapshot (or of `snapshot_id`). `local_path` maps an s3://
    path to the lake folder's file. `reading`: refuse what the reader cannot apply (equality deletes,
    files that are not Parquet); False only lists the files."""
    snapshot = _snapshot(load_metadata(table, local_path), snapshot_id)
    files = IcebergFiles()
    if snapshot is None:
        return files  # a table created but never written
    manifest_list = snapshot.get("manifest-list")
    if not manifest_list:
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Iceberg snapshots without a manifest list "
                                          "(format v1 inline manifests) are not supported")
    for manifest in _avro_records(local_path(manifest_list), manifest_list):
        for entry in _avro_records(local_path(manifest["manifest_path"]), manifest["manifest_path"]):
            if entry.get("status") == _DELETED:
                continue
            _add(files, entry["data_file"], reading)
    return files


def load_metadata(table: dict, local_path: Callable[[str], str]) -> dict:
    """The table's current metadata document (its schemas, snapshots and their log)."""
    location = metadata_location(table)
    return _read_json(local_path(location), location)


def snapshot_as_of(metadata: dict, timestamp_ms: int, table_name: str = "") -> int:
    """The id of the snapshot that was current at `timestamp_ms` (FOR TIMESTAMP AS OF): the last
    entry of the snapshot log at or before it."""
    current = None
    for entry in sorted(metadata.get("snapshot-log") or (), key=lambda e: e.get("timestamp-ms", 0)):
        if entry.get("timestamp-ms", 0) <= timestamp_ms:
            current = entry.get("snapshot-id")
    if current is None:
        moment = dt.datetime.fromtimestamp(timestamp_ms / 1000, dt.timezone.utc).isoformat(timespec="milliseconds")
        raise QueryError("INVALID_ARGUMENTS", f"INVALID_ARGUMENTS: No version history table {table_name} at or "
                                              f"before {moment.replace('+00:00', 'Z')}")
    return current


def _add(files: IcebergFiles, data_file: dict, reading: bool) -> None:
    files.records.append(data_file)
    if not reading:
        return
    content = data_file.get("content") or _DATA
    path = data_file["file_path"]
    if content == _EQUALITY_DELETES:
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: reading Iceberg tables with equality delete "
                                          f"files is not supported ({path})")
    file_format = str(data_file.get("file_format") or "PARQUET").upper()
    if file_format != "PARQUET":
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: reading Iceberg {file_format} files is not "
                                          f"supported ({path})")
    (files.position_deletes if content == _POSITION_DELETES else files.data).append(path)


def _snapshot(metadata: dict, snapshot_id: Optional[int]) -> Optional[dict]:
    wanted = metadata.get("current-snapshot-id") if snapshot_id is None else snapshot_id
    if wanted is None or wanted == -1:
        return None
    for snapshot in metadata.get("snapshots") or ():
        if snapshot.get("snapshot-id") == wanted:
            return snapshot
    raise QueryError("INVALID_ARGUMENTS", f"INVALID_ARGUMENTS: Iceberg snapshot ID does not exists: {wanted}")


def _read_json(path: str, location: str) -> dict:
    try:
        with open(path, "rb") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise _missing(location) from None
    except ValueError as error:
        raise QueryError("ICEBERG_INVALID_METADATA", f"ICEBERG_INVALID_METADATA: {location}: {error}") from None


def _avro_records(path: str, location: str) -> list[dict]:
    import fastavro

    try:
        with open(path, "rb") as handle:
            return list(fastavro.reader(handle))
    except FileNotFoundError:
        raise _missing(location) from None
    except (ValueError, EOFError) as error:
        raise QueryError("ICEBERG_INVALID_METADATA", f"ICEBERG_INVALID_METADATA: {location}: {error}") from None


def _missing(location: str) -> QueryError:
    return QueryError("ICEBERG_MISSING_METADATA", f"ICEBERG_MISSING_METADATA: Metadata not found in metadata "
                                                  f"location for table: {location}")
