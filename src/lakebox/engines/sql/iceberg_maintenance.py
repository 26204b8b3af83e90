"""Athena's Iceberg maintenance statements: `OPTIMIZE t REWRITE DATA USING BIN_PACK [WHERE …]` and
`VACUUM t`.

- OPTIMIZE compacts: the table's rows are written again as one overwrite, so many small files and
  any delete files become a few data files (lakebox rewrites the whole table; the WHERE of BIN_PACK,
  which only narrows what Athena rewrites, changes no row). A table already in one data file with no
  delete files is left as it is.
- VACUUM expires the snapshots older than the table's `vacuum_max_snapshot_age_seconds` (default
  432,000: five days), always keeping the newest `vacuum_min_snapshots_to_keep` (default 1), then
  deletes the data and manifest files that no kept snapshot reaches, through the lake's own delete
  so that S3 no longer lists them. Metadata documents stay, as Iceberg keeps its metadata log.

Imports pyiceberg (through iceberg_writes) and this package.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any, Optional

from . import iceberg, iceberg_writes
from .errors import QueryError
from .reader import location_path

_OPTIMIZE = re.compile(r"^OPTIMIZE\s+(?P<table>[\w.\"`]+)\s+REWRITE\s+DATA\s+USING\s+BIN_PACK(?:\s+WHERE\s+.+)?$",
                       re.IGNORECASE | re.DOTALL)
_VACUUM = re.compile(r"^VACUUM\s+(?P<table>[\w.\"`]+)$", re.IGNORECASE)
DEFAULT_MAX_AGE_SECONDS = 432_000
DEFAULT_MIN_SNAPSHOTS = 1


def is_maintenance(text: str) -> bool:
    return bool(re.match(r"^\s*(OPTIMIZE|VACUUM)\s", text, re.IGNORECASE))


def run(write: Any, text: str) -> str:
    """Run an OPTIMIZE or VACUUM statement; the statement type Athena reports for it."""
    optimize, vacuum = _OPTIMIZE.match(text), _VACUUM.match(text)
    if optimize is None and vacuum is None:
        raise QueryError("SYNTAX_ERROR", "SYNTAX_ERROR: line 1:1: expected OPTIMIZE <table> REWRITE DATA USING "
                                         "BIN_PACK [WHERE <predicate>] or VACUUM <table>")
    db, name, catalog = _iceberg_table(write, (optimize or vacuum).group("table"))
    table = iceberg_writes.load(catalog, db, name)
    if optimize is not None:
        _optimize(write, table, db, name)
        return "OPTIMIZE"
    _vacuum(write, table)
    return "VACUUM"


def _iceberg_table(write: Any, reference: str) -> tuple[str, str, Any]:
    from . import iceberg_statements

    parts = [p.strip('"`').lower() for p in reference.split(".")]
    db, name = (parts[-2] if len(parts) > 1 else write.database), parts[-1]
    glue = write._catalog("get_table", db, name)
    if glue is None:
        raise QueryError("TABLE_NOT_FOUND", f"TABLE_NOT_FOUND: line 1:1: Table 'awsdatacatalog.{db}.{name}' "
                                            "does not exist")
    if not iceberg.is_iceberg(glue):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: OPTIMIZE and VACUUM are for Iceberg tables only")
    return db, name, iceberg_statements.catalog(write.engine)


def _optimize(write: Any, table, db: str, name: str) -> None:
    files = iceberg.live_files({"Parameters": {"metadata_location": table.metadata_location}, "Name": name},
                               lambda url: location_path(write.engine.lake, url))
    if len(files.data) <= 1 and not files.position_deletes:
        return
    rows = table.scan().to_arrow()
    iceberg_writes.overwrite(table, rows)


def _vacuum(write: Any, table) -> None:
    properties = table.properties
    max_age = int(properties.get("vacuum_max_snapshot_age_seconds") or DEFAULT_MAX_AGE_SECONDS)
    keep = max(1, int(properties.get("vacuum_min_snapshots_to_keep") or DEFAULT_MIN_SNAPSHOTS))
    cutoff_ms = int((dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=max_age)).timestamp() * 1000)
    newest_first = sorted(table.snapshots(), key=lambda s: s.timestamp_ms, reverse=True)
    expired = [s.snapshot_id for s in newest_first[keep:] if s.timestamp_ms < cutoff_ms]
    if expired:
        before = _reachable(write, table)
        table.maintenance.expire_snapshots().by_ids(expired).commit()
        table = table.refresh()
        for url in sorted(before - _reachable(write, table)):
            _delete(write.engine.lake, url)


def _reachable(write: Any, table) -> set[str]:
    """Every manifest list, manifest and data or delete file of the table's snapshots. A manifest
    entry of status DELETED (2) records a file the snapshot removed: it is needed only by the older
    snapshots that list it as added or existing."""
    import fastavro

    lake = write.engine.lake
    reached = set()
    for snapshot in table.snapshots():
        if not snapshot.manifest_list:
            continue
        reached.add(snapshot.manifest_list)
        with open(location_path(lake, snapshot.manifest_list), "rb") as handle:
            manifests = [m["manifest_path"] for m in fastavro.reader(handle)]
        for manifest in manifests:
            reached.add(manifest)
            with open(location_path(lake, manifest), "rb") as handle:
                reached.update(entry["data_file"]["file_path"] for entry in fastavro.reader(handle)
                               if entry["status"] != 2)
    return reached


def _delete(lake: Any, url: str) -> None:
    """Delete one unreachable file the way S3 would, so that listings stop showing it."""
    bucket, _, key = url.partition("://")[2].partition("/")
    remover: Optional[Any] = getattr(lake, "delete_object", None)
    if remover is not None:
        remover(bucket, key)
        return
    path = location_path(lake, url)
    if os.path.exists(path):
        os.remove(path)
