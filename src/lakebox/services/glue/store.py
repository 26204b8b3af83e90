"""The catalog's state: one SQLite file (`<data>/.lakebox/glue/catalog.db`), one writer, many readers.

Like the S3 metadata DB: WAL mode lets readers run while the one writer commits, and
`synchronous=NORMAL` means an acknowledged commit is in the WAL and survives `kill -9`. Every
operation's writes happen inside one `write()` block, which is one `BEGIN IMMEDIATE` transaction
under the writer lock, so its checks (does the table exist?) and its changes see the same state.

Each entity is one JSON document shaped like the API's output structure (`Table`, `Partition` ...),
with datetimes and bytes tagged so they come back as the same Python types. Rows are keyed by
`catalog`, which is `<region>:<catalog id>`: a Glue Data Catalog belongs to one account in one region.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from ...storage.sqlite_db import SqliteDatabase

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE databases (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (catalog, name));
CREATE TABLE tables (catalog TEXT NOT NULL, db TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (catalog, db, name));
CREATE TABLE table_versions (catalog TEXT NOT NULL, db TEXT NOT NULL, tbl TEXT NOT NULL,
    version INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, db, tbl, version));
CREATE TABLE partitions (id INTEGER PRIMARY KEY AUTOINCREMENT, catalog TEXT NOT NULL, db TEXT NOT NULL,
    tbl TEXT NOT NULL, vkey TEXT NOT NULL, doc TEXT NOT NULL, UNIQUE (catalog, db, tbl, vkey));
CREATE INDEX partitions_by_table ON partitions (catalog, db, tbl, id);
CREATE TABLE partition_indexes (catalog TEXT NOT NULL, db TEXT NOT NULL, tbl TEXT NOT NULL,
    name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, db, tbl, name));
-- vkey is '' for a table's own statistics, the partition's key otherwise.
CREATE TABLE column_stats (catalog TEXT NOT NULL, db TEXT NOT NULL, tbl TEXT NOT NULL, vkey TEXT NOT NULL,
    col TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, db, tbl, vkey, col));
CREATE TABLE functions (catalog TEXT NOT NULL, db TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (catalog, db, name));
CREATE TABLE connections (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (catalog, name));
CREATE TABLE tags (arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));
"""


def encode(doc: Any) -> str:
    """A document as JSON, with datetimes and bytes tagged so `decode` restores their types."""
    return json.dumps(doc, separators=(",", ":"), default=_tag)


def decode(text: str) -> Any:
    return json.loads(text, object_hook=_untag)


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$ts": value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"{type(value).__name__} cannot be stored in the catalog")


def _untag(obj: dict) -> Any:
    if len(obj) == 1:
        if "$ts" in obj:
            return datetime.fromisoformat(obj["$ts"])
        if "$b64" in obj:
            return base64.b64decode(obj["$b64"])
    return obj


def values_key(values: Iterable[str]) -> str:
    """The key of a partition: its values as a JSON array (values may hold any character)."""
    return json.dumps(list(values), separators=(",", ":"))


class CatalogStore(SqliteDatabase):
    def __init__(self, path: Path):
        super().__init__(path)
        self._create_schema()

    def _create_schema(self) -> None:
        self.apply_schema(_without_comments(SCHEMA).split(";"), SCHEMA_VERSION)

    # Named documents: the `(catalog, name, doc)` tables of crawlers, jobs, triggers and workflows.
    # `table` is always one of this package's own table names, never request input.

    def named_doc(self, table: str, catalog: str, name: str) -> dict | None:
        rows = self.read(f"SELECT doc FROM {table} WHERE catalog = ? AND name = ?", (catalog, name))
        return decode(rows[0]["doc"]) if rows else None

    def named_docs(self, table: str, catalog: str) -> list[dict]:
        """Every document of one catalog, by name."""
        rows = self.read(f"SELECT doc FROM {table} WHERE catalog = ? ORDER BY name", (catalog,))
        return [decode(r["doc"]) for r in rows]

    def named_docs_with_catalog(self, table: str, catalog: str | None) -> list[tuple[str, dict]]:
        """(catalog, document) of every document, of one catalog or of all, by name."""
        if catalog is None:
            rows = self.read(f"SELECT catalog, doc FROM {table} ORDER BY catalog, name")
        else:
            rows = self.read(f"SELECT catalog, doc FROM {table} WHERE catalog = ? ORDER BY name", (catalog,))
        return [(r["catalog"], decode(r["doc"])) for r in rows]

    @staticmethod
    def load_named_doc(db, table: str, catalog: str, name: str) -> dict | None:
        """The document as the open write transaction `db` sees it."""
        row = db.execute(f"SELECT doc FROM {table} WHERE catalog = ? AND name = ?", (catalog, name)).fetchone()
        return decode(row["doc"]) if row else None

    @staticmethod
    def put_named_doc(db, table: str, catalog: str, doc: dict) -> None:
        db.execute(f"INSERT OR REPLACE INTO {table} (catalog, name, doc) VALUES (?, ?, ?)",
                   (catalog, doc["Name"], encode(doc)))

    @staticmethod
    def delete_named_doc(db, table: str, catalog: str, name: str) -> None:
        db.execute(f"DELETE FROM {table} WHERE catalog = ? AND name = ?", (catalog, name))


def _without_comments(script: str) -> str:
    return "\n".join(line for line in script.splitlines() if not line.strip().startswith("--"))
