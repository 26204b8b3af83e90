"""Delta Lake tables (a Glue table with `table_type=DELTA`): the table's schema and live files, from its
transaction log, as Athena reads Delta tables natively.

Why from the log, never the folder: a Delta table's folder keeps the files of every version until a
VACUUM, so a listing would return rows that were overwritten or deleted long ago. The table's state
at its latest version is its last checkpoint (Parquet, if any) plus the JSON commits after it, replayed
in order: an `add` makes a file live, a `remove` ends it, the last `metaData` gives the schema and the
partition columns. Partition values live in the log, not in the files.

What is refused with NOT_SUPPORTED, as lakebox cannot read it faithfully: deletion vectors, column
mapping (physical names), and v2 or multi-part checkpoints.

Imports pyarrow (checkpoints) and this package.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Callable, Optional
from urllib.parse import unquote

from .errors import QueryError

_COMMIT = re.compile(r"^(\d{20})\.json$")
_CHECKPOINT = re.compile(r"^(\d{20})\.checkpoint\.parquet$")
#: Reader features this module applies (or that change nothing for a reader).
_READABLE_FEATURES = frozenset({"timestampNtz", "typeWidening-preview", "typeWidening", "vacuumProtocolCheck",
                                "appendOnly", "invariants", "checkConstraints", "changeDataFeed",
                                "generatedColumns", "identityColumns", "domainMetadata", "rowTracking",
                                "inCommitTimestamp", "iceberg-compat-v1", "icebergCompatV2"})
_SCALARS = {"string": "VARCHAR", "long": "BIGINT", "integer": "INTEGER", "short": "SMALLINT", "byte": "TINYINT",
            "float": "REAL", "double": "DOUBLE", "boolean": "BOOLEAN", "binary": "BLOB", "date": "DATE",
            "timestamp": "TIMESTAMP", "timestamp_ntz": "TIMESTAMP"}


_HIVE_NAMES = {"long": "bigint", "integer": "int", "short": "smallint", "byte": "tinyint"}


@dataclass
class DeltaSnapshot:
    """A Delta table at its latest version: columns as (lower-cased name, DuckDB type), the partition
    columns among them, and the live files as (s3:// path, {partition column: value or None})."""
    version: int = -1
    columns: list = field(default_factory=list)
    hive_columns: list = field(default_factory=list)  # (name as written, Hive type), for DESCRIBE
    partition_columns: list = field(default_factory=list)
    files: list = field(default_factory=list)


def is_delta(table: dict) -> bool:
    return str((table.get("Parameters") or {}).get("table_type", "")).upper() == "DELTA"


def snapshot(location: str, local_path: Callable[[str], str]) -> DeltaSnapshot:
    """Replay the log of the table at `location` (its s3:// root)."""
    root = location.rstrip("/")
    log_dir = local_path(root + "/_delta_log")
    try:
        names = os.listdir(log_dir)
    except (FileNotFoundError, NotADirectoryError):
        raise QueryError("DELTA_LAKE_INVALID_SCHEMA", f"DELTA_LAKE_INVALID_SCHEMA: Metadata not found in "
                                                      f"transaction log for {location}") from None
    commits = sorted(int(m.group(1)) for m in map(_COMMIT.match, names) if m)
    checkpoints = sorted(int(m.group(1)) for m in map(_CHECKPOINT.match, names) if m)
    if any(".checkpoint." in name and not _CHECKPOINT.match(name) for name in names):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Delta Lake multi-part and v2 checkpoints are not supported")
    state = _State()
    start = checkpoints[-1] if checkpoints else -1
    if start >= 0:
        state.replay_checkpoint(os.path.join(log_dir, f"{start:020d}.checkpoint.parquet"))
    for version in (v for v in commits if v > start):
        with open(os.path.join(log_dir, f"{version:020d}.json"), "rb") as handle:
            for line in handle:
                if line.strip():
                    state.apply(json.loads(line))
    if state.metadata is None:
        raise QueryError("DELTA_LAKE_INVALID_SCHEMA", f"DELTA_LAKE_INVALID_SCHEMA: Metadata not found in "
                                                      f"transaction log for {location}")
    return state.result(root, max([start] + commits))


class _State:
    """The actions replayed so far: the last metaData and protocol, and the live adds by path."""

    def __init__(self) -> None:
        self.metadata: Optional[dict] = None
        self.protocol: dict = {}
        self.adds: dict[str, dict] = {}

    def apply(self, action: dict) -> None:
        if action.get("metaData"):
            self.metadata = action["metaData"]
        if action.get("protocol"):
            self.protocol = action["protocol"]
        if action.get("add"):
            add = action["add"]
            self.adds[add["path"]] = add
        if action.get("remove"):
            self.adds.pop(action["remove"]["path"], None)

    def replay_checkpoint(self, path: str) -> None:
        import pyarrow.parquet as pq

        for row in pq.read_table(path, columns=["add", "remove", "metaData", "protocol"]).to_pylist():
            action = {key: value for key, value in row.items() if value}
            # Parquet maps come back as (key, value) pairs; the JSON commits have objects.
            if "add" in action:
                action["add"]["partitionValues"] = _as_dict(action["add"].get("partitionValues"))
            if "metaData" in action:
                action["metaData"]["configuration"] = _as_dict(action["metaData"].get("configuration"))
            self.apply(action)

    def result(self, root: str, version: int) -> DeltaSnapshot:
        features = set(self.protocol.get("readerFeatures") or ()) - _READABLE_FEATURES
        if features:
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Delta Lake reader features {sorted(features)} "
                                              "are not supported")
        configuration = self.metadata.get("configuration") or {}
        if configuration.get("delta.columnMapping.mode", "none") != "none":
            raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Delta Lake column mapping is not supported")
        schema = json.loads(self.metadata.get("schemaString") or '{"fields": []}')
        columns = [(f["name"].lower(), duckdb_type(f["type"])) for f in schema.get("fields") or ()]
        hive_columns = [(f["name"], hive_type(f["type"])) for f in schema.get("fields") or ()]
        keys = [name.lower() for name in self.metadata.get("partitionColumns") or ()]
        files = []
        for path, add in self.adds.items():
            if add.get("deletionVector"):
                raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Delta Lake deletion vectors are not supported")
            values = {k.lower(): v for k, v in (add.get("partitionValues") or {}).items()}
            files.append((_absolute(root, path), values))
        return DeltaSnapshot(version, columns, hive_columns, keys, sorted(files, key=lambda f: f[0]))


def _as_dict(value) -> dict:
    return dict(value) if isinstance(value, list) else (value or {})


def _absolute(root: str, path: str) -> str:
    """A log path as an s3:// URL: relative ones are URL-encoded under the table's root."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", path):
        return path
    return f"{root}/{unquote(path)}"


def duckdb_type(kind) -> str:
    """A Delta (Spark) schema type as the DuckDB type that reads it."""
    if isinstance(kind, str):
        if kind in _SCALARS:
            return _SCALARS[kind]
        decimal = re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", kind)
        if decimal:
            return f"DECIMAL({decimal.group(1)},{decimal.group(2)})"
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Delta Lake type {kind} is not supported")
    if kind.get("type") == "array":
        return f"{duckdb_type(kind['elementType'])}[]"
    if kind.get("type") == "map":
        return f"MAP({duckdb_type(kind['keyType'])}, {duckdb_type(kind['valueType'])})"
    if kind.get("type") == "struct":
        fields = ", ".join(f'"{f["name"]}" {duckdb_type(f["type"])}' for f in kind.get("fields") or ())
        return f"STRUCT({fields})"
    raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Delta Lake type {kind} is not supported")


def hive_type(kind) -> str:
    """A Delta (Spark) schema type as Hive spells it (`long` is `bigint`), as DESCRIBE shows it."""
    if isinstance(kind, str):
        return _HIVE_NAMES.get(kind, kind)
    if kind.get("type") == "array":
        return f"array<{hive_type(kind['elementType'])}>"
    if kind.get("type") == "map":
        return f"map<{hive_type(kind['keyType'])},{hive_type(kind['valueType'])}>"
    fields = ",".join(f"{f['name']}:{hive_type(f['type'])}" for f in kind.get("fields") or ())
    return f"struct<{fields}>"
