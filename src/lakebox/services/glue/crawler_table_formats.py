"""A crawler's Delta Lake and Iceberg targets (`DeltaTargets`, `IcebergTargets`): tables found by their
own metadata, not by sampling files.

Why separate from the S3 crawl: a table-format folder holds the files of many versions, so sampling
them would describe rows that are gone. Glue's crawlers read the format's metadata instead:
- a Delta target names table roots (`DeltaTables`); each becomes a native Delta table
  (`table_type=delta`, the columns of the transaction log's schema), which Athena reads through the
  log. lakebox always writes native tables: the symlink-manifest kind (CreateNativeDeltaTable
  false, WriteManifest) is not made, and the log says so;
- an Iceberg target's `Paths` are searched, down to MaximumTraversalDepth folders (10 by default),
  for folders holding `metadata/*.metadata.json`; each becomes an Iceberg table whose
  `metadata_location` is the newest metadata file and whose columns are the current schema's.

The table is named after its folder. Writes go through the same CatalogWriter as every crawl, so the
SchemaChangePolicy and DeleteBehavior apply alike.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable, Iterator

from ...engines.sql import delta
from ...engines.sql.iceberg import iceberg_hive_type
from ...engines.sql.errors import QueryError
from ...engines.sql.reader import location_path
from ...storage.errors import StorageError
from .crawler_catalog import CRAWLER_PARAMETER

_PARQUET_SERDE = {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                  "Parameters": {"serialization.format": "1"}}
_PARQUET_IN = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
_PARQUET_OUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
_METADATA_FILE = re.compile(r"^(?:v?(\d+)[-.].*)?\.?metadata\.json$")
DEFAULT_DEPTH = 10


def format_tables(lake: Any, targets: dict, crawler: str, log: Callable[[str], None]) -> list[dict]:
    """The TableInputs the Delta and Iceberg targets describe (one per table found)."""
    tables = []
    readable = _readable_paths(lake, log)
    for target in targets.get("DeltaTargets") or []:
        if target.get("CreateNativeDeltaTable") is False or target.get("WriteManifest"):
            log("WARN : lakebox writes native Delta tables only (CreateNativeDeltaTable); no symlink manifest "
                "is written")
        for path in readable(target.get("DeltaTables")):
            table = _delta_table(lake, path, crawler, log)
            if table is not None:
                tables.append(table)
    for target in targets.get("IcebergTargets") or []:
        depth = int(target.get("MaximumTraversalDepth") or DEFAULT_DEPTH)
        for path in readable(target.get("Paths")):
            for root in _iceberg_roots(lake, path, depth):
                table = _iceberg_table(lake, root, crawler, log)
                if table is not None:
                    tables.append(table)
    return tables


def _readable_paths(lake: Any, log: Callable[[str], None]) -> Callable[[Any], list]:
    """A filter of target paths: those that name a folder of the lake; the others are logged."""
    def readable(paths) -> list:
        kept = []
        for path in paths or []:
            try:
                location_path(lake, path)
            except QueryError as error:
                log(f"WARN : Target {path} is skipped: {error.message}")
                continue
            except StorageError:
                log(f"WARN : Target {path} is skipped: its bucket name is not valid")
                continue
            kept.append(path)
        return kept
    return readable


def _name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].lower().replace("-", "_")


def _parameters(crawler: str, extra: dict) -> dict:
    return {**extra, CRAWLER_PARAMETER: crawler, "CrawlerSchemaSerializerVersion": "1.0",
            "CrawlerSchemaDeserializerVersion": "1.0"}


def _table(name: str, location: str, columns: list, parameters: dict) -> dict:
    return {"Name": name, "Owner": "owner", "Retention": 0, "TableType": "EXTERNAL_TABLE", "Parameters": parameters,
            "PartitionKeys": [],
            "StorageDescriptor": {"Columns": columns, "Location": location, "InputFormat": _PARQUET_IN,
                                  "OutputFormat": _PARQUET_OUT, "Compressed": False, "NumberOfBuckets": -1,
                                  "SerdeInfo": json.loads(json.dumps(_PARQUET_SERDE)), "BucketColumns": [],
                                  "SortColumns": [], "Parameters": {}, "StoredAsSubDirectories": False}}


# -- Delta Lake ------------------------------------------------------------------------------------

def _delta_table(lake: Any, path: str, crawler: str, log: Callable[[str], None]) -> dict | None:
    location = path.rstrip("/") + "/"
    try:
        snapshot = delta.snapshot(location, lambda url: location_path(lake, url))
    except QueryError as error:
        log(f"WARN : {path} is not a Delta table lakebox can read: {error.message}")
        return None
    columns = [{"Name": name, "Type": kind} for name, kind in snapshot.hive_columns]
    parameters = _parameters(crawler, {"classification": "delta", "table_type": "delta",
                                       "spark.sql.sources.provider": "delta", "delta.version": str(snapshot.version)})
    log(f"INFO : Found Delta table at {location} (version {snapshot.version}, {len(snapshot.files)} live files)")
    return _table(_name(location), location, columns, parameters)


# -- Iceberg ---------------------------------------------------------------------------------------

def _iceberg_roots(lake: Any, path: str, depth: int) -> Iterator[str]:
    """The s3:// roots of the Iceberg tables under `path` (a folder holding metadata/*.metadata.json)."""
    start = location_path(lake, path.rstrip("/"))
    base = path.rstrip("/")
    if not os.path.isdir(start):
        return
    for folder, dirs, _ in os.walk(start):
        relative = os.path.relpath(folder, start)
        level = 0 if relative == "." else relative.count(os.sep) + 1
        if _newest_metadata(os.path.join(folder, "metadata")) is not None:
            dirs[:] = []
            yield base if relative == "." else f"{base}/{relative.replace(os.sep, '/')}"
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_"))) if level < depth else []


def _newest_metadata(folder: str) -> str | None:
    try:
        names = [n for n in os.listdir(folder) if n.endswith(".metadata.json")]
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not names:
        return None

    def order(name: str) -> tuple:
        match = _METADATA_FILE.match(name)
        number = int(match.group(1)) if match and match.group(1) else -1
        return number, os.stat(os.path.join(folder, name)).st_mtime_ns
    return max(names, key=order)


def _iceberg_table(lake: Any, root: str, crawler: str, log: Callable[[str], None]) -> dict | None:
    newest = _newest_metadata(os.path.join(location_path(lake, root), "metadata"))
    metadata_location = f"{root}/metadata/{newest}"
    try:
        with open(location_path(lake, metadata_location), "rb") as handle:
            metadata = json.load(handle)
        schema = next(s for s in metadata.get("schemas") or [metadata.get("schema")]
                      if s and s.get("schema-id", 0) == metadata.get("current-schema-id", 0))
        columns = [{"Name": f["name"], "Type": iceberg_hive_type(f["type"])} for f in schema.get("fields") or ()]
    except (OSError, ValueError, StopIteration, KeyError) as error:
        log(f"WARN : {root} is not an Iceberg table lakebox can read: {error}")
        return None
    parameters = _parameters(crawler, {"table_type": "ICEBERG", "metadata_location": metadata_location,
                                       "classification": "iceberg"})
    log(f"INFO : Found Iceberg table at {root} (metadata {newest})")
    return _table(_name(root), metadata.get("location") or root, columns, parameters)

