"""EMR's state: clusters and their steps, and each account's settings and security configurations,
in one SQLite file, `<data>/.lakebox/emr/emr.db`.

Built like every lakebox store (`SqliteDatabase`: WAL, one writer, write-through). Each cluster and
each step is one JSON document, rewritten whole when it changes; timestamps in them are epoch seconds
of the service clock, which the JSON serializer sends as they are. A change that touches several
documents (a failed step that terminates its cluster and cancels the steps behind it) happens inside
one `write()` transaction, so a crash never leaves half of it: the worker threads and the API
handlers both go through `write()`, and its lock orders them.

Rows keep the columns that lookups filter on (owner, creation time, step order); the rest is in `doc`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Optional

from ...storage.sqlite_db import SqliteDatabase

SCHEMA_VERSION = 2
#: Version 2: an account's settings (block public access) and its security configurations.
ACCOUNT_TABLES = [
    """CREATE TABLE settings (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (account, region, name))""",
    """CREATE TABLE security_configurations (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, created REAL NOT NULL,
        body TEXT NOT NULL, PRIMARY KEY (account, region, name))""",
]
SCHEMA = [
    """CREATE TABLE clusters (
        id TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, created REAL NOT NULL,
        doc TEXT NOT NULL)""",
    "CREATE INDEX clusters_by_owner ON clusters (account, region, created)",
    """CREATE TABLE steps (
        id TEXT PRIMARY KEY, cluster_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL)""",
    "CREATE UNIQUE INDEX steps_by_cluster ON steps (cluster_id, seq)",
    *ACCOUNT_TABLES,
]
#: What turns a file of an older schema version into the next one, keyed by the old version.
UPGRADES = {1: ACCOUNT_TABLES}


def _dump(doc: dict) -> str:
    return json.dumps(doc, separators=(",", ":"))


class EmrStore(SqliteDatabase):
    def __init__(self, root: Path):
        super().__init__(Path(root) / "emr.db")
        self.upgrade(UPGRADES, SCHEMA_VERSION)
        self.apply_schema(SCHEMA, SCHEMA_VERSION)

    # -- reads (each sees the latest commit) ----------------------------------------------------------

    def cluster(self, cluster_id: str) -> Optional[dict]:
        rows = self.read("SELECT doc FROM clusters WHERE id = ?", (cluster_id,))
        return json.loads(rows[0]["doc"]) if rows else None

    def clusters(self, account: str, region: str) -> list[dict]:
        """The owner's clusters, newest first (the order ListClusters returns)."""
        # rowid breaks ties in creation order: clusters made in the same instant keep theirs.
        rows = self.read("SELECT doc FROM clusters WHERE account = ? AND region = ? "
                         "ORDER BY created DESC, rowid DESC", (account, region))
        return [json.loads(r["doc"]) for r in rows]

    def live_clusters(self) -> list[dict]:
        rows = self.read("SELECT doc FROM clusters")
        docs = [json.loads(r["doc"]) for r in rows]
        return [d for d in docs if d["State"] not in ("TERMINATED", "TERMINATED_WITH_ERRORS")]

    def steps(self, cluster_id: str) -> list[dict]:
        """The cluster's steps in the order they were added."""
        rows = self.read("SELECT doc FROM steps WHERE cluster_id = ? ORDER BY seq", (cluster_id,))
        return [json.loads(r["doc"]) for r in rows]

    def setting(self, account: str, region: str, name: str) -> Optional[dict]:
        rows = self.read("SELECT doc FROM settings WHERE account = ? AND region = ? AND name = ?",
                         (account, region, name))
        return json.loads(rows[0]["doc"]) if rows else None

    def security_configurations(self, account: str, region: str) -> list[dict]:
        """{"Name", "Created", "Body"} of the owner's security configurations, oldest first."""
        rows = self.read("SELECT name, created, body FROM security_configurations WHERE account = ? AND region = ? "
                         "ORDER BY created, name", (account, region))
        return [{"Name": r["name"], "Created": r["created"], "Body": r["body"]} for r in rows]

    # -- inside a write() transaction -------------------------------------------------------------------

    @staticmethod
    def clusters_in(db: sqlite3.Connection, account: str, region: str) -> list[dict]:
        rows = db.execute("SELECT doc FROM clusters WHERE account = ? AND region = ? ORDER BY created DESC, rowid DESC",
                          (account, region)).fetchall()
        return [json.loads(r["doc"]) for r in rows]

    @staticmethod
    def put_setting(db: sqlite3.Connection, account: str, region: str, name: str, doc: dict) -> None:
        db.execute("INSERT INTO settings (account, region, name, doc) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (account, region, name) DO UPDATE SET doc = excluded.doc",
                   (account, region, name, _dump(doc)))

    @staticmethod
    def insert_security_configuration(db: sqlite3.Connection, account: str, region: str, name: str, created: float,
                                      body: str) -> bool:
        """False when the owner already has a configuration of that name."""
        cursor = db.execute("INSERT INTO security_configurations (account, region, name, created, body) "
                            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", (account, region, name, created, body))
        return cursor.rowcount == 1

    @staticmethod
    def delete_security_configuration(db: sqlite3.Connection, account: str, region: str, name: str) -> bool:
        cursor = db.execute("DELETE FROM security_configurations WHERE account = ? AND region = ? AND name = ?",
                            (account, region, name))
        return cursor.rowcount == 1

    @staticmethod
    def load_cluster(db: sqlite3.Connection, cluster_id: str) -> Optional[dict]:
        row = db.execute("SELECT doc FROM clusters WHERE id = ?", (cluster_id,)).fetchone()
        return json.loads(row["doc"]) if row else None

    @staticmethod
    def load_steps(db: sqlite3.Connection, cluster_id: str) -> list[dict]:
        rows = db.execute("SELECT doc FROM steps WHERE cluster_id = ? ORDER BY seq", (cluster_id,)).fetchall()
        return [json.loads(r["doc"]) for r in rows]

    @staticmethod
    def insert_cluster(db: sqlite3.Connection, doc: dict) -> None:
        db.execute("INSERT INTO clusters (id, account, region, created, doc) VALUES (?, ?, ?, ?, ?)",
                   (doc["Id"], doc["Account"], doc["Region"], doc["Created"], _dump(doc)))

    @staticmethod
    def save_cluster(db: sqlite3.Connection, doc: dict) -> None:
        db.execute("UPDATE clusters SET doc = ? WHERE id = ?", (_dump(doc), doc["Id"]))

    @staticmethod
    def save_steps(db: sqlite3.Connection, steps: list[dict]) -> None:
        """Insert new steps and rewrite changed ones."""
        db.executemany("INSERT INTO steps (id, cluster_id, seq, doc) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                       [(s["Id"], s["ClusterId"], s["Seq"], _dump(s)) for s in steps])
