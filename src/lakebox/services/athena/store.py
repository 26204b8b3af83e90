"""Athena's state: one SQLite file, `<data>/.lakebox/athena/athena.db`.

It reuses the Glue catalog's store (WAL, one writer, one reader per thread, atomic write-through
transactions) with Athena's own schema. Each row's `doc` is the API's output structure as JSON, with
datetimes tagged (Glue's `encode`/`decode`). Rows are keyed by `scope`, `<account>:<region>`: every
Athena resource belongs to one account in one region.

A file written by an older lakebox is brought up to SCHEMA_VERSION in place when it is opened
(`UPGRADES`, one transaction per step), so an existing data folder keeps all its state.
"""

from __future__ import annotations

from pathlib import Path

from ..glue.store import CatalogStore, _without_comments, decode, encode

__all__ = ["AthenaStore", "decode", "encode"]

SCHEMA_VERSION = 2

# Catalog names are unique per account and region regardless of case: queries name catalogs in any case.
DATA_CATALOGS = """
CREATE TABLE data_catalogs (scope TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, doc TEXT NOT NULL,
    PRIMARY KEY (scope, name))
"""

SCHEMA = """
-- seq orders executions by submission (ListQueryExecutions answers newest first).
CREATE TABLE executions (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL, workgroup TEXT NOT NULL, state TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX executions_by_workgroup ON executions (scope, workgroup, seq);
CREATE TABLE request_tokens (scope TEXT NOT NULL, kind TEXT NOT NULL, token TEXT NOT NULL,
    id TEXT NOT NULL, PRIMARY KEY (scope, kind, token));
CREATE TABLE workgroups (scope TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (scope, name));
CREATE TABLE named_queries (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL, workgroup TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE prepared (scope TEXT NOT NULL, workgroup TEXT NOT NULL, name TEXT NOT NULL,
    doc TEXT NOT NULL, PRIMARY KEY (scope, workgroup, name));
CREATE TABLE tags (arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (arn, key));
""" + DATA_CATALOGS

#: What turns a file of an older schema version into the next one, keyed by the old version.
UPGRADES = {
    1: [DATA_CATALOGS],
}


class AthenaStore(CatalogStore):
    def __init__(self, path: Path):
        super().__init__(path)

    def _create_schema(self) -> None:
        self._upgrade()
        self.apply_schema(_without_comments(SCHEMA).split(";"), SCHEMA_VERSION)

    def _upgrade(self) -> None:
        """Bring a file written by an older lakebox up to SCHEMA_VERSION, one step per transaction."""
        while True:
            with self.write() as db:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version == 0 or version >= SCHEMA_VERSION:
                    return  # a new file (apply_schema creates it) or an up-to-date one
                for statement in UPGRADES[version]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={version + 1}")
