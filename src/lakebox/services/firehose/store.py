"""`FirehoseStore`: delivery streams in SQLite, and each DirectPut stream's buffer as a `ShardLog`.

Why a log for the buffer: a record is acknowledged only once it is durable (DESIGN D5), and a
buffer is written in order, read in order from the last delivered record, and dropped from the front
once delivered; that is exactly what the Kinesis shard log does, fsync group commit included.

A stream's settings are one JSON document in one row, rewritten whole on each change (as Kinesis
does). How far each source has been delivered is kept apart, in `progress`, one row per source
(`buffer` for DirectPut, `shard-N` for a Kinesis shard), because it changes on every delivery.
Delivery writes the object first and commits the progress after, so a crash in between delivers
those records again (at least once, as Firehose itself promises), and never loses them.
"""

from __future__ import annotations

import copy
import json
import shutil
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Optional

from ...storage.shard_log import ShardLog
from ...storage.sqlite_db import SqliteDatabase
from .model import DeliveryStream

SCHEMA_VERSION = 1
SCHEMA = [
    """CREATE TABLE streams (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        state TEXT NOT NULL,
        UNIQUE (account, region, name))""",
    """CREATE TABLE progress (
        stream_id INTEGER NOT NULL, source TEXT NOT NULL, next_offset INTEGER NOT NULL,
        PRIMARY KEY (stream_id, source))""",
]


class StreamExists(Exception):
    pass


class StreamGone(Exception):
    pass


class FirehoseStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.db = SqliteDatabase(self.root / "firehose.db")
        self.db.apply_schema(SCHEMA, version=SCHEMA_VERSION)
        self._lock = threading.RLock()
        self._streams: dict[tuple[str, str, str], DeliveryStream] = {}
        self._buffers: dict[int, ShardLog] = {}
        for row in self.db.read("SELECT id, state FROM streams"):
            stream = DeliveryStream(**json.loads(row["state"]))
            stream.id = row["id"]
            self._streams[(stream.account, stream.region, stream.name)] = stream
        self._remove_orphan_buffers()

    def _remove_orphan_buffers(self) -> None:
        """Buffers of streams whose deletion committed but whose files a crash left behind."""
        live = {str(s.id) for s in self._streams.values()}
        folder = self.root / "buffers"
        if folder.is_dir():
            for child in folder.iterdir():
                if child.name not in live:
                    shutil.rmtree(child, ignore_errors=True)

    # -- streams ------------------------------------------------------------------------------------

    def find(self, account: str, region: str, name: str) -> Optional[DeliveryStream]:
        return self._streams.get((account, region, name))

    def streams(self, account: str, region: str) -> list[DeliveryStream]:
        return sorted((s for (a, r, _), s in list(self._streams.items()) if (a, r) == (account, region)),
                      key=lambda s: s.name)

    def all_streams(self) -> list[DeliveryStream]:
        return list(self._streams.values())

    def create(self, stream: DeliveryStream, progress: dict[str, int]) -> DeliveryStream:
        """Commit a new stream and where each of its sources starts."""
        with self._lock:
            key = (stream.account, stream.region, stream.name)
            if key in self._streams:
                raise StreamExists(stream.name)
            with self.db.write() as db:
                cursor = db.execute("INSERT INTO streams (account, region, name, state) VALUES (?, ?, ?, '{}')",
                                    key)
                stream.id = cursor.lastrowid
                db.execute("UPDATE streams SET state = ? WHERE id = ?", (json.dumps(asdict(stream)), stream.id))
                db.executemany("INSERT INTO progress (stream_id, source, next_offset) VALUES (?, ?, ?)",
                               [(stream.id, source, offset) for source, offset in progress.items()])
            self._streams[key] = stream
            return stream

    def update(self, stream: DeliveryStream, change: Callable[[DeliveryStream], object]) -> DeliveryStream:
        """Apply `change` to a copy, commit it, then publish it. `change` may raise: nothing changes."""
        with self._lock:
            current = self._streams.get((stream.account, stream.region, stream.name))
            if current is None or current.id != stream.id:
                raise StreamGone(stream.name)
            changed = copy.deepcopy(current)
            change(changed)
            with self.db.write() as db:
                db.execute("UPDATE streams SET state = ? WHERE id = ?", (json.dumps(asdict(changed)), changed.id))
            self._streams[(changed.account, changed.region, changed.name)] = changed
            return changed

    def delete(self, stream: DeliveryStream) -> None:
        with self._lock:
            with self.db.write() as db:
                db.execute("DELETE FROM streams WHERE id = ?", (stream.id,))
                db.execute("DELETE FROM progress WHERE stream_id = ?", (stream.id,))
            self._streams.pop((stream.account, stream.region, stream.name), None)
            buffer = self._buffers.pop(stream.id, None)
        if buffer is not None:
            buffer.close()
        shutil.rmtree(self.root / "buffers" / str(stream.id), ignore_errors=True)

    def is_live(self, stream: DeliveryStream) -> bool:
        current = self._streams.get((stream.account, stream.region, stream.name))
        return current is not None and current.id == stream.id

    # -- buffers and progress -----------------------------------------------------------------------

    def buffer(self, stream: DeliveryStream) -> ShardLog:
        found = self._buffers.get(stream.id)
        if found is None:
            with self._lock:
                found = self._buffers.get(stream.id)
                if found is None:
                    found = ShardLog(self.root / "buffers" / str(stream.id), segment_bytes=16 << 20)
                    self._buffers[stream.id] = found
        return found

    def progress(self, stream: DeliveryStream) -> dict[str, int]:
        rows = self.db.read("SELECT source, next_offset FROM progress WHERE stream_id = ?", (stream.id,))
        return {row["source"]: row["next_offset"] for row in rows}

    def advance(self, stream: DeliveryStream, source: str, next_offset: int) -> None:
        """Record that every record of `source` below `next_offset` is delivered."""
        with self.db.write() as db:
            db.execute("INSERT INTO progress (stream_id, source, next_offset) VALUES (?, ?, ?) "
                       "ON CONFLICT (stream_id, source) DO UPDATE SET next_offset = excluded.next_offset",
                       (stream.id, source, next_offset))

    def close(self) -> None:
        with self._lock:
            for buffer in self._buffers.values():
                buffer.close()
            self._buffers.clear()
        self.db.close()
