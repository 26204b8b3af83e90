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

SCHEMA_VERSION = 3

# Catalog names are unique per account and region regardless of case: queries name catalogs in any case.
DATA_CATALOGS = """
CREATE TABLE data_catalogs (scope TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, doc TEXT NOT NULL,
    PRIMARY KEY (scope, name))
"""

# A reservation's doc is its CapacityReservation structure plus its CapacityAssignments (kept after a
# cancellation, for reference); `expires` (epoch seconds) is when a cancelled one leaves the account.
# A workgroup is in at most one live reservation: capacity_assignments' key says so, and a reservation's
# rows go when it is cancelled. IF NOT EXISTS: a step may meet a file that already has them (a v3 file
# whose version was set back by hand, as the upgrade tests do).
CAPACITY_RESERVATIONS = """
CREATE TABLE IF NOT EXISTS capacity_reservations (scope TEXT NOT NULL, name TEXT NOT NULL,
    doc TEXT NOT NULL, expires REAL, PRIMARY KEY (scope, name))
"""
CAPACITY_ASSIGNMENTS = """
CREATE TABLE IF NOT EXISTS capacity_assignments (scope TEXT NOT NULL, workgroup TEXT NOT NULL,
    reservation TEXT NOT NULL, PRIMARY KEY (scope, workgroup))
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
""" + DATA_CATALOGS + ";" + CAPACITY_RESERVATIONS + ";" + CAPACITY_ASSIGNMENTS

#: What turns a file of an older schema version into the next one, keyed by the old version.
UPGRADES = {
    1: [DATA_CATALOGS],
    2: [CAPACITY_RESERVATIONS, CAPACITY_ASSIGNMENTS],
}


class AthenaStore(CatalogStore):
    def __init__(self, path: Path):
        super().__init__(path)

    def _create_schema(self) -> None:
        self.upgrade(UPGRADES, SCHEMA_VERSION)
        self.apply_schema(_without_comments(SCHEMA).split(";"), SCHEMA_VERSION)

