"""The Glue Schema Registry's state: `<data>/.lakebox/glue/schemas.db`, beside the catalog and built the
same way (WAL, one writer, write-through; see store.py), so an acknowledged registration survives a
restart and `kill -9`.

Why a file of its own: the registry is a service of its own inside Glue (Kafka serializers call
GetSchemaByDefinition and RegisterSchemaVersion on every new producer), no catalog transaction ever
joins it, and keeping it apart lets its tables change without touching catalog.db.

- `registries`: each registry's document, shaped like GetRegistry's output;
- `schemas`: each schema's document, shaped like GetSchema's output;
- `versions`: each schema version's document (GetSchemaVersion's output), with its `canonical`
  definition (what "the same definition" compares) and, for a FAILURE version, the `reason`;
- `metadata`: the key/value pairs put on a version.
Rows are keyed by `catalog`, `<region>:<account>`. A registry's and a schema's tags are not here: they
live with every Glue resource's in the catalog store's `tags`.
"""

from __future__ import annotations

import sqlite3
from typing import Optional

from .store import CatalogStore, decode, encode

SCHEMA_REGISTRY_SCHEMA_VERSION = 1

SCHEMA_REGISTRY_SCHEMA = [
    ("CREATE TABLE registries (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY (catalog, name))"),
    ("CREATE TABLE schemas (catalog TEXT NOT NULL, registry TEXT NOT NULL, name TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY (catalog, registry, name))"),
    ("CREATE TABLE versions (id TEXT NOT NULL PRIMARY KEY, catalog TEXT NOT NULL, registry TEXT NOT NULL, "
     "schema TEXT NOT NULL, number INTEGER NOT NULL, status TEXT NOT NULL, canonical TEXT NOT NULL, "
     "reason TEXT, doc TEXT NOT NULL, UNIQUE (catalog, registry, schema, number))"),
    ("CREATE TABLE metadata (version_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
     "created TEXT NOT NULL, PRIMARY KEY (version_id, key, value))"),
]


class SchemaStore(CatalogStore):
    def _create_schema(self) -> None:
        self.apply_schema(SCHEMA_REGISTRY_SCHEMA, SCHEMA_REGISTRY_SCHEMA_VERSION)

    # -- registries ------------------------------------------------------------------------------------

    def load_registry(self, db: sqlite3.Connection, catalog: str, name: str) -> Optional[dict]:
        row = db.execute("SELECT doc FROM registries WHERE catalog = ? AND name = ?", (catalog, name)).fetchone()
        return decode(row["doc"]) if row else None

    def registries(self, catalog: str) -> list[dict]:
        rows = self.read("SELECT doc FROM registries WHERE catalog = ? ORDER BY name", (catalog,))
        return [decode(r["doc"]) for r in rows]

    def count_registries(self, db: sqlite3.Connection, catalog: str) -> int:
        return db.execute("SELECT count(*) FROM registries WHERE catalog = ?", (catalog,)).fetchone()[0]

    def put_registry(self, db: sqlite3.Connection, catalog: str, doc: dict) -> None:
        db.execute("INSERT OR REPLACE INTO registries (catalog, name, doc) VALUES (?, ?, ?)",
                   (catalog, doc["RegistryName"], encode(doc)))

    def delete_registry(self, db: sqlite3.Connection, catalog: str, name: str) -> list[str]:
        """Drop the registry with its schemas, versions and metadata; the names of the schemas dropped."""
        names = [r["name"] for r in db.execute("SELECT name FROM schemas WHERE catalog = ? AND registry = ?",
                                               (catalog, name))]
        for schema in names:
            self.delete_schema(db, catalog, name, schema)
        db.execute("DELETE FROM registries WHERE catalog = ? AND name = ?", (catalog, name))
        return names

    # -- schemas ---------------------------------------------------------------------------------------

    def load_schema(self, db: sqlite3.Connection, catalog: str, registry: str, name: str) -> Optional[dict]:
        row = db.execute("SELECT doc FROM schemas WHERE catalog = ? AND registry = ? AND name = ?",
                         (catalog, registry, name)).fetchone()
        return decode(row["doc"]) if row else None

    def schemas(self, catalog: str, registry: Optional[str]) -> list[dict]:
        """The schemas of one registry (or of all, with None), by registry then name."""
        if registry is None:
            rows = self.read("SELECT doc FROM schemas WHERE catalog = ? ORDER BY registry, name", (catalog,))
        else:
            rows = self.read("SELECT doc FROM schemas WHERE catalog = ? AND registry = ? ORDER BY name",
                             (catalog, registry))
        return [decode(r["doc"]) for r in rows]

    def count_schemas(self, db: sqlite3.Connection, catalog: str) -> int:
        return db.execute("SELECT count(*) FROM schemas WHERE catalog = ?", (catalog,)).fetchone()[0]

    def put_schema(self, db: sqlite3.Connection, catalog: str, doc: dict) -> None:
        db.execute("INSERT OR REPLACE INTO schemas (catalog, registry, name, doc) VALUES (?, ?, ?, ?)",
                   (catalog, doc["RegistryName"], doc["SchemaName"], encode(doc)))

    def delete_schema(self, db: sqlite3.Connection, catalog: str, registry: str, name: str) -> None:
        where = "catalog = ? AND registry = ? AND schema = ?"
        db.execute(f"DELETE FROM metadata WHERE version_id IN (SELECT id FROM versions WHERE {where})",
                   (catalog, registry, name))
        db.execute(f"DELETE FROM versions WHERE {where}", (catalog, registry, name))
        db.execute("DELETE FROM schemas WHERE catalog = ? AND registry = ? AND name = ?", (catalog, registry, name))

    # -- versions --------------------------------------------------------------------------------------

    def versions(self, db: sqlite3.Connection, catalog: str, registry: str, schema: str) -> list[sqlite3.Row]:
        """Every version row of the schema (id, number, status, canonical, reason, doc), by number."""
        return db.execute("SELECT * FROM versions WHERE catalog = ? AND registry = ? AND schema = ? "
                          "ORDER BY number", (catalog, registry, schema)).fetchall()

    def version_by_id(self, db: sqlite3.Connection, version_id: str) -> Optional[sqlite3.Row]:
        return db.execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()

    def put_version(self, db: sqlite3.Connection, catalog: str, registry: str, schema: str, doc: dict,
                    canonical: str, reason: Optional[str]) -> None:
        db.execute("INSERT OR REPLACE INTO versions (id, catalog, registry, schema, number, status, canonical, "
                   "reason, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (doc["SchemaVersionId"], catalog, registry, schema, doc["VersionNumber"], doc["Status"],
                    canonical, reason, encode(doc)))

    def delete_version(self, db: sqlite3.Connection, version_id: str) -> None:
        db.execute("DELETE FROM metadata WHERE version_id = ?", (version_id,))
        db.execute("DELETE FROM versions WHERE id = ?", (version_id,))

    # -- metadata --------------------------------------------------------------------------------------

    def metadata(self, db: sqlite3.Connection, version_id: str) -> list[sqlite3.Row]:
        """The version's (key, value, created) rows, newest first within a key."""
        return db.execute("SELECT key, value, created FROM metadata WHERE version_id = ? "
                          "ORDER BY key, created DESC, rowid DESC", (version_id,)).fetchall()

    def put_metadata(self, db: sqlite3.Connection, version_id: str, key: str, value: str, created: str) -> None:
        db.execute("INSERT INTO metadata (version_id, key, value, created) VALUES (?, ?, ?, ?)",
                   (version_id, key, value, created))

    def delete_metadata(self, db: sqlite3.Connection, version_id: str, key: str, value: str) -> bool:
        return db.execute("DELETE FROM metadata WHERE version_id = ? AND key = ? AND value = ?",
                          (version_id, key, value)).rowcount > 0


def version_doc(row: sqlite3.Row) -> dict:
    return decode(row["doc"])
