"""`ClusterStore`: Redshift clusters as JSON documents in SQLite, one row per account and identifier.

A cluster's databases are DuckDB files under `<root>/<account>/<cluster>/`; deleting a cluster
removes them. Subnet groups, scheduled actions, table restores and snapshot copy grants are
documents too; events are rows appended in order (events.py). A manual snapshot is a copy of those files under `<root>/snapshots/<account>/<id>/`
with its own row, so it outlives its cluster (a final snapshot is how a deleted cluster's data is
kept, as on AWS). The master password is kept as a salted hash, since only the Postgres login
checks it.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Optional

from ...storage.sqlite_db import SqliteDatabase

SCHEMA_VERSION = 5
_SNAPSHOTS = """CREATE TABLE snapshots (
    account TEXT NOT NULL, identifier TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (account, identifier))"""
_PARAMETER_GROUPS = """CREATE TABLE parameter_groups (
    account TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (account, name))"""
#: Subnet groups, scheduled actions and table restores are documents keyed by name (or request id);
#: events are appended, numbered in order.
_NAMED = [f"""CREATE TABLE {table} (
    account TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (account, name))""" for table in ("subnet_groups", "scheduled_actions", "table_restores")]
_COPY_GRANTS = """CREATE TABLE snapshot_copy_grants (
    account TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (account, name))"""
_EVENTS = """CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, date TEXT NOT NULL, doc TEXT NOT NULL)"""
SCHEMA = ["""CREATE TABLE clusters (
    account TEXT NOT NULL, identifier TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (account, identifier))""", _SNAPSHOTS, _PARAMETER_GROUPS, *_NAMED, _EVENTS, _COPY_GRANTS]
UPGRADES = {1: [_SNAPSHOTS], 2: [_PARAMETER_GROUPS], 3: [*_NAMED, _EVENTS], 4: [_COPY_GRANTS]}


class DocTable:
    """One table of JSON documents keyed by (account, name): clusters, snapshots, parameter groups."""

    def __init__(self, db: SqliteDatabase, table: str, key_column: str, key_field: str):
        self.db, self.table, self.key_column, self.key_field = db, table, key_column, key_field

    def get(self, account: str, key: str) -> Optional[dict]:
        rows = self.db.read(f"SELECT doc FROM {self.table} WHERE account = ? AND {self.key_column} = ?", (account, key))
        return json.loads(rows[0]["doc"]) if rows else None

    def all(self, account: Optional[str] = None) -> list[dict]:
        if account is None:
            rows = self.db.read(f"SELECT doc FROM {self.table} ORDER BY account, {self.key_column}")
        else:
            rows = self.db.read(f"SELECT doc FROM {self.table} WHERE account = ? ORDER BY {self.key_column}", (account,))
        return [json.loads(row["doc"]) for row in rows]

    def put(self, account: str, doc: dict) -> None:
        with self.db.write() as db:
            db.execute(f"INSERT INTO {self.table} (account, {self.key_column}, doc) VALUES (?, ?, ?) ON CONFLICT "
                       f"(account, {self.key_column}) DO UPDATE SET doc = excluded.doc",
                       (account, doc[self.key_field], json.dumps(doc)))

    def delete(self, account: str, key: str) -> None:
        with self.db.write() as db:
            db.execute(f"DELETE FROM {self.table} WHERE account = ? AND {self.key_column} = ?", (account, key))


class ClusterStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.db = SqliteDatabase(self.root / "clusters.db")
        self.db.upgrade(UPGRADES, version=SCHEMA_VERSION)
        self.db.apply_schema(SCHEMA, version=SCHEMA_VERSION)
        self.lock = threading.RLock()
        self._clusters = DocTable(self.db, "clusters", "identifier", "ClusterIdentifier")
        self._snapshots = DocTable(self.db, "snapshots", "identifier", "SnapshotIdentifier")
        self._parameter_groups = DocTable(self.db, "parameter_groups", "name", "ParameterGroupName")
        self.subnet_groups = DocTable(self.db, "subnet_groups", "name", "ClusterSubnetGroupName")
        self.scheduled_actions = DocTable(self.db, "scheduled_actions", "name", "ScheduledActionName")
        self.table_restores = DocTable(self.db, "table_restores", "name", "TableRestoreRequestId")
        # Grant names are unique per Region: the key is `<region>/<name>`.
        self.copy_grants = DocTable(self.db, "snapshot_copy_grants", "name", "GrantKey")
        # A snapshot being written when the process was killed left only its staging folder.
        for staging in (self.root / "snapshots").glob("*/.tmp-*"):
            shutil.rmtree(staging, ignore_errors=True)

    def get(self, account: str, identifier: str) -> Optional[dict]:
        return self._clusters.get(account, identifier)

    def all(self, account: Optional[str] = None) -> list[dict]:
        return self._clusters.all(account)

    def put(self, account: str, doc: dict) -> None:
        self._clusters.put(account, doc)

    def delete(self, account: str, identifier: str) -> None:
        self._clusters.delete(account, identifier)
        shutil.rmtree(self.data_dir(account, identifier), ignore_errors=True)

    def data_dir(self, account: str, identifier: str) -> Path:
        return self.root / account / identifier

    # -- snapshots: a row per snapshot, its files under snapshot_dir ------------------------------

    def get_snapshot(self, account: str, identifier: str) -> Optional[dict]:
        return self._snapshots.get(account, identifier)

    def snapshots(self, account: str) -> list[dict]:
        return self._snapshots.all(account)

    def put_snapshot(self, account: str, doc: dict) -> None:
        self._snapshots.put(account, doc)

    def delete_snapshot(self, account: str, identifier: str) -> None:
        self._snapshots.delete(account, identifier)
        shutil.rmtree(self.snapshot_dir(account, identifier), ignore_errors=True)

    # -- parameter groups (custom ones; the default groups are not stored) -----------------------

    def get_parameter_group(self, account: str, name: str) -> Optional[dict]:
        return self._parameter_groups.get(account, name)

    def parameter_groups(self, account: str) -> list[dict]:
        return self._parameter_groups.all(account)

    def put_parameter_group(self, account: str, doc: dict) -> None:
        self._parameter_groups.put(account, doc)

    def delete_parameter_group(self, account: str, name: str) -> None:
        self._parameter_groups.delete(account, name)

    # -- events: appended, read in order ----------------------------------------------------------

    def add_event(self, account: str, doc: dict) -> None:
        with self.db.write() as db:
            db.execute("INSERT INTO events (account, date, doc) VALUES (?, ?, ?)", (account, doc["Date"], json.dumps(doc)))

    def events(self, account: str, since: str) -> list[tuple[int, dict]]:
        """The account's events dated `since` (an ISO time) or later, oldest first, with their numbers."""
        rows = self.db.read("SELECT seq, doc FROM events WHERE account = ? AND date >= ? ORDER BY seq", (account, since))
        return [(row["seq"], json.loads(row["doc"])) for row in rows]

    def forget_events(self, before: str) -> None:
        with self.db.write() as db:
            db.execute("DELETE FROM events WHERE date < ?", (before,))

    def snapshot_dir(self, account: str, identifier: str) -> Path:
        return self.root / "snapshots" / account / identifier

    def close(self) -> None:
        self.db.close()
