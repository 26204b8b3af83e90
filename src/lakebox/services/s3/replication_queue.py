"""The durable list of replications still to do: `<data>/.lakebox/replication.db`.

Why a database of its own: a write to a bucket with replication rules is acknowledged only after
its replication is recorded here (DESIGN "Nothing is lost"), so a restart, even after `kill -9`,
resumes every replication that was pending. One row per (source bucket, key, version, destination
bucket); it goes when the copy is made (or has nothing left to copy), and stays with its attempt
count and next attempt time while the destination refuses. The object metadata lives in the lake's
own meta.db; keeping this one apart leaves that schema to storage alone.

SQLite in WAL mode, one connection behind a lock: rows are few and small, and the writers are
request threads (one insert per replicated write) and the one replication worker.

May import the standard library only.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from typing import Optional

OBJECT = "object"
DELETE_MARKER = "delete_marker"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    version_id TEXT NOT NULL,          -- "null" for the null version
    destination TEXT NOT NULL,
    kind TEXT NOT NULL,                -- object | delete_marker
    storage_class TEXT,                -- the rule's Destination.StorageClass; NULL keeps the source's
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,   -- wall-clock seconds of the next attempt
    last_error TEXT,
    PRIMARY KEY (bucket, key, version_id, destination)
);
CREATE INDEX IF NOT EXISTS pending_by_time ON pending (next_at);
"""


@dataclass(frozen=True)
class Job:
    bucket: str
    key: str
    version_id: str
    destination: str
    kind: str = OBJECT
    storage_class: Optional[str] = None
    attempts: int = 0

    @property
    def source(self) -> tuple[str, str, str]:
        """The source version the job replicates (one version may go to several destinations)."""
        return self.bucket, self.key, self.version_id


class ReplicationQueue:
    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=60)
        mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise RuntimeError(f"SQLite refused WAL mode for {path} (got {mode})")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._lock:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, jobs: list[Job]) -> None:
        """Record jobs, due now, in one commit; a job already pending stays as it is."""
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO pending (bucket, key, version_id, destination, kind, storage_class) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(j.bucket, j.key, j.version_id, j.destination, j.kind, j.storage_class) for j in jobs])

    def due(self, now: float, limit: int = 100) -> list[Job]:
        """The jobs whose next attempt time has come, oldest attempt time first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT bucket, key, version_id, destination, kind, storage_class, attempts FROM pending "
                "WHERE next_at <= ? ORDER BY next_at, rowid LIMIT ?", (now, limit)).fetchall()
        return [Job(*row) for row in rows]

    def next_at(self) -> Optional[float]:
        """When the earliest job is due; None when nothing is pending."""
        with self._lock:
            row = self._db.execute("SELECT MIN(next_at) FROM pending").fetchone()
        return row[0]

    def done(self, job: Job) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM pending WHERE bucket = ? AND key = ? AND version_id = ? AND destination = ?",
                             (job.bucket, job.key, job.version_id, job.destination))

    def retry(self, job: Job, error: str, next_at: float) -> None:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE pending SET attempts = attempts + 1, next_at = ?, last_error = ? "
                "WHERE bucket = ? AND key = ? AND version_id = ? AND destination = ?",
                (next_at, error, job.bucket, job.key, job.version_id, job.destination))

    def remaining(self, bucket: str, key: str, version_id: str) -> list[Job]:
        """The jobs still pending for one source version."""
        with self._lock:
            rows = self._db.execute(
                "SELECT bucket, key, version_id, destination, kind, storage_class, attempts FROM pending "
                "WHERE bucket = ? AND key = ? AND version_id = ?", (bucket, key, version_id)).fetchall()
        return [Job(*row) for row in rows]

    def resume(self) -> int:
        """Make every pending job due now (at start: the backoff of a previous run does not carry
        over); returns how many there are."""
        with self._lock, self._db:
            return self._db.execute("UPDATE pending SET next_at = 0").rowcount
