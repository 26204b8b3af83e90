"""One SQLite database file the way every lakebox store uses it: WAL, one writer, a reader per thread.

Why one class: the S3 metadata, the Glue catalog, the crawler state, CloudWatch Logs and Athena each
keep their state in their own SQLite file, and each needs the same rules (DESIGN D7, and
datasette's pattern): WAL so that readers never wait for the writer; `synchronous=NORMAL`, which
keeps a commit through `kill -9`; every write one `BEGIN IMMEDIATE` transaction behind a single
lock, rolled back when the block raises; and a read connection per thread in autocommit, so each
read sees the latest commit and no snapshot outlives a call.

`write_grouped` is the group commit for hot paths such as an S3 PUT's row: many threads committing at
once share one transaction. Each commit used to hold the writer lock through four statements, and
each statement lets go of the GIL and waits to get it back, so under load the lock became the queue
that every PUT stood in.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")


class _GroupedWork:
    """One caller's part of a grouped transaction, and what came of it."""

    __slots__ = ("work", "done", "result", "error")

    def __init__(self, work: Callable[[sqlite3.Connection], object]):
        self.work = work
        self.done = False
        self.result: object = None
        self.error: Optional[BaseException] = None


class SqliteDatabase:
    def __init__(self, path, *, foreign_keys: bool = False):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self._foreign_keys = foreign_keys
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._group_cond = threading.Condition()
        self._group_queue: list[_GroupedWork] = []
        self._group_leading = False
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

    def write_grouped(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(conn)` in a write transaction, possibly shared with other threads' work, and
        return its result once that transaction has committed.

        Leader and followers: a caller that finds no batch being written takes every queued piece
        of work and commits it as one transaction; callers arriving meanwhile queue up for the next
        one. If any piece raises, the whole batch is rolled back and each piece is run again in a
        transaction of its own, so one failure never undoes another caller's write. `work` must
        therefore touch only the database, and be safe to run a second time after a rollback.
        """
        item = _GroupedWork(work)
        with self._group_cond:
            self._group_queue.append(item)
            while not item.done and self._group_leading:
                self._group_cond.wait()
            if not item.done:
                self._group_leading = True
                batch, self._group_queue = self._group_queue, []
        if not item.done:
            try:
                self._write_batch(batch)
            finally:
                with self._group_cond:
                    self._group_leading = False
                    self._group_cond.notify_all()
        if item.error is not None:
            raise item.error
        return item.result  # type: ignore[return-value]

    def _write_batch(self, batch: list[_GroupedWork]) -> None:
        completed = False
        try:
            try:
                with self.write() as conn:
                    results = [piece.work(conn) for piece in batch]
                for piece, result in zip(batch, results):
                    piece.result = result
            except Exception as exc:  # noqa: BLE001 - handed to the caller(s) it belongs to
                if len(batch) == 1:
                    batch[0].error = exc
                else:
                    for piece in batch:
                        try:
                            with self.write() as conn:
                                piece.result = piece.work(conn)
                        except Exception as own:  # noqa: BLE001
                            piece.error = own
            completed = True
        finally:
            for piece in batch:
                if not completed and piece.error is None:
                    # The leader was interrupted (KeyboardInterrupt, SystemExit): whether a piece
                    # was committed is not known, so no follower may report success.
                    piece.error = RuntimeError("the grouped write was interrupted")
                piece.done = True

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

    def upgrade(self, steps: dict[int, Iterable[str]], version: int) -> None:
        """Bring a file written by an older lakebox up to `version`, one step per transaction:
        `steps[v]` are the statements that take a file from v to v + 1. A new file (user_version 0,
        which `apply_schema` then creates whole) and an up-to-date one are left alone, and a crash
        between steps resumes at the step that did not commit."""
        while True:
            with self.write() as db:
                current = db.execute("PRAGMA user_version").fetchone()[0]
                if current == 0 or current >= version:
                    return
                for statement in steps[current]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={current + 1}")

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        with self._write_lock:
            self._writer.close()
