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
    #: The schema's top-level columns: lower-cased name -> Iceberg field id.
    field_ids: dict[str, int] = field(default_factory=dict)
    #: Time travel to a snapshot written under an earlier schema: that schema's columns as Glue
    #: spells them ({"Name", "Type"}), which the query sees instead of the table's current ones.
    #: None when the snapshot's schema is the current one (or the metadata does not say).
    snapshot_columns: Optional[list[dict]] = None


_ICEBERG_PRIMITIVES = {"boolean": "boolean", "int": "int", "long": "bigint", "float": "float", "double": "double",
                       "date": "date", "time": "string", "timestamp": "timestamp", "timestamptz": "timestamp",
                       "timestamp_ns": "timestamp", "timestamptz_ns": "timestamp", "string": "string",
                       "uuid": "string", "binary": "binary"}


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
    metadata = load_metadata(table, local_path)
    snapshot = _snapshot(metadata, snapshot_id)
    files = IcebergFiles(field_ids=_field_ids(metadata))
    if snapshot_id is not None and snapshot is not None:
        # Trino (so Athena) reads a time-travelled snapshot with the schema it was written with:
        # columns added since are absent, dropped ones present, renamed ones under their old names.
        old_schema = _schema(metadata, snapshot.get("schema-id"))
        if old_schema is not None and snapshot.get("schema-id") != metadata.get("current-schema-id"):
            files.field_ids = _ids_of(old_schema)
            files.snapshot_columns = [{"Name": f["name"], "Type": iceberg_hive_type(f["type"])}
                                      for f in old_schema.get("fields") or ()]
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


def current_columns(columns: list[dict]) -> list[dict]:
    """An Iceberg table's Glue columns less the entries of earlier schemas: Iceberg's Glue catalog
    keeps a dropped or renamed column's old entry with `iceberg.field.current` false, and that is no
    column of the table."""
    return [c for c in columns
            if str((c.get("Parameters") or {}).get("iceberg.field.current", "true")).lower() != "false"]


def field_id_schema(columns: list[tuple[str, str]], field_ids: dict[str, int]) -> Optional[str]:
    """read_parquet's `schema` argument that reads each of `columns` ((name, DuckDB type)) by its
    Iceberg field id, as Iceberg readers do: a renamed column's older files hold it under its old
    name, a dropped and re-added one's hold other data under the same name. None when a column has
    no field id (a table whose metadata does not match its Glue columns is read by name)."""
    if not columns or any(name not in field_ids for name, _ in columns):
        return None
    entries = ", ".join(f"{field_ids[name]}: {{name: {_sql_str(name)}, type: {_sql_str(kind)}, default_value: NULL}}"
                        for name, kind in columns)
    return f"MAP {{{entries}}}"


def iceberg_hive_type(kind) -> str:
    """An Iceberg schema type as Glue spells it for Athena (`long` is `bigint`, a struct `struct<…>`)."""
    if isinstance(kind, str):
        if kind.startswith(("decimal", "fixed")):
            return kind.replace(" ", "") if kind.startswith("decimal") else "binary"
        return _ICEBERG_PRIMITIVES.get(kind, "string")
    if kind.get("type") == "list":
        return f"array<{iceberg_hive_type(kind['element'])}>"
    if kind.get("type") == "map":
        return f"map<{iceberg_hive_type(kind['key'])},{iceberg_hive_type(kind['value'])}>"
    fields = ",".join(f"{f['name']}:{iceberg_hive_type(f['type'])}" for f in kind.get("fields") or ())
    return f"struct<{fields}>"


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _field_ids(metadata: dict) -> dict[str, int]:
    wanted = metadata.get("current-schema-id")
    schemas = metadata.get("schemas") or ([metadata["schema"]] if metadata.get("schema") else [])
    schema = next((s for s in schemas if s.get("schema-id") == wanted), schemas[-1] if schemas else {})
    return _ids_of(schema)


def _ids_of(schema: dict) -> dict[str, int]:
    return {f["name"].lower(): f["id"] for f in schema.get("fields") or () if "id" in f and "name" in f}


def _schema(metadata: dict, schema_id: Optional[int]) -> Optional[dict]:
    """The schema `schema_id` names among the metadata's schemas (None when it names none)."""
    if schema_id is None:
        return None
    return next((s for s in metadata.get("schemas") or () if s.get("schema-id") == schema_id), None)


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
