"""One SQLite database file the way every lakebox store uses it: WAL, one writer, a reader per thread.

Why one class: the S3 metadata, the Glue catalog, the crawler state, CloudWatch Logs and Athena each
keep their state in their own SQLite file, and each needs the same rules (DESIGN D7, and
datasette's pattern): WAL so that readers never wait for the writer; `synchronous=NORMAL`, which
keeps a commit through `kill -9`; every write one `BEGIN IMMEDIATE` transaction behind a single
lock, rolled back when the block raises; and a read connection per thread in autocommit, so each
read sees the latest commit and no snapshot outlives a call.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator


class SqliteDatabase:
    def __init__(self, path, *, foreign_keys: bool = False):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self._foreign_keys = foreign_keys
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._writer = self._connect()
        mode = self._writer.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise RuntimeError(f"SQLite refused WAL mode for {path} (got {mode})")

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False only so that close() can close every reader; each reader is still
        # used by the one thread that opened it.
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=60)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA synchronous=NORMAL")
        if self._foreign_keys:
            conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def reader(self) -> sqlite3.Connection:
        """This thread's read connection (autocommit: each statement sees the latest commit)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def read(self, sql: str, args: Iterable = ()) -> list[sqlite3.Row]:
        # fetchall() ends the statement, so no read snapshot outlives the call.
        return self.reader().execute(sql, tuple(args)).fetchall()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the single writer lock; rolled back if the block raises."""
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def apply_schema(self, statements: Iterable[str], version: int) -> None:
        """Create the schema once: run `statements` and set `PRAGMA user_version`, in one
        transaction, unless the file is already at `version`."""
        with self.write() as db:
            if db.execute("PRAGMA user_version").fetchone()[0] >= version:
                return
            for statement in statements:
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={version}")

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.close()
