"""`KinesisStore`: stream metadata in SQLite, records in one `ShardLog` per shard (DESIGN D5).

A stream's metadata (shards, tags, consumers, settings) is one JSON document in one row, so every
change (a split, a tag, a retention change) is one transaction: it is built on a copy, committed,
and only then swapped in for readers. Puts and reads use the in-memory copy and touch SQLite never.

Account-level settings (the minimum throughput billing commitment) are one JSON document per
account and region in `account_settings`, written through like a stream's.

Records live under `<data>/.lakebox/kinesis/streams/<stream row id>/<shard number>/`. A shard closed
by resharding has its log sealed at a record count that the metadata keeps, and is sealed again at
every start, so the closed shard's end is the same after a restart.

Plain domain errors here; the provider turns them into AWS's.
"""

from __future__ import annotations

import copy
import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterable, Optional

from ...storage.shard_log import ShardLog
from ...storage.sqlite_db import SqliteDatabase
from .model import Consumer, Shard, Stream, uniform_ranges

_ACCOUNT_SETTINGS_TABLE = """CREATE TABLE account_settings (
        account TEXT NOT NULL, region TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (account, region))"""
SCHEMA_VERSION = 2
SCHEMA = [
    """CREATE TABLE streams (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        state TEXT NOT NULL,
        UNIQUE (account, region, name))""",
    _ACCOUNT_SETTINGS_TABLE,
]
#: What brings a file at version N (the key) to N + 1.
UPGRADES = {1: [_ACCOUNT_SETTINGS_TABLE]}


class StreamNotFound(Exception):
    pass


class StreamExists(Exception):
    pass


def _to_json(stream: Stream) -> str:
    state = asdict(stream)
    for shard in state["shards"]:
        shard["hash_start"], shard["hash_end"] = str(shard["hash_start"]), str(shard["hash_end"])
    return json.dumps(state)


def _from_json(text: str) -> Stream:
    state = json.loads(text)
    shards = [Shard(**{**s, "hash_start": int(s["hash_start"]), "hash_end": int(s["hash_end"])})
              for s in state.pop("shards")]
    consumers = {name: Consumer(**c) for name, c in state.pop("consumers").items()}
    return Stream(**state, shards=shards, consumers=consumers)


class KinesisStore:
    def __init__(self, root: Path, *, segment_bytes: int = 64 << 20):
        self.root = Path(root)
        self.db = SqliteDatabase(self.root / "kinesis.db")
        self.db.upgrade(UPGRADES, SCHEMA_VERSION)
        self.db.apply_schema(SCHEMA, version=SCHEMA_VERSION)
        self.segment_bytes = segment_bytes
        self._lock = threading.RLock()
        self._streams: dict[tuple[str, str, str], Stream] = {}
        self._logs: dict[tuple[int, int], ShardLog] = {}
        self._logs_lock = threading.Lock()
        #: fsyncs of the shards one PutRecords touched run side by side (fdatasync releases the GIL).
        self.sync_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="kinesis-fsync")
        for row in self.db.read("SELECT state FROM streams"):
            stream = _from_json(row["state"])
            self._streams[(stream.account, stream.region, stream.name)] = stream
        self._remove_orphan_logs()

    def _remove_orphan_logs(self) -> None:
        """Logs of streams whose deletion committed but whose files a crash left behind."""
        live = {str(s.id) for s in self._streams.values()}
        streams_dir = self.root / "streams"
        if streams_dir.is_dir():
            for child in streams_dir.iterdir():
                if child.name not in live:
                    shutil.rmtree(child, ignore_errors=True)

    # -- streams ------------------------------------------------------------------------------------

    def get(self, account: str, region: str, name: str) -> Stream:
        stream = self._streams.get((account, region, name))
        if stream is None:
            raise StreamNotFound(name)
        return stream

    def find(self, account: str, region: str, name: str) -> Optional[Stream]:
        return self._streams.get((account, region, name))

    def streams(self, account: str, region: str) -> list[Stream]:
        return sorted((s for (a, r, _), s in list(self._streams.items()) if (a, r) == (account, region)),
                      key=lambda s: s.name)

    def create(self, account: str, region: str, name: str, *, shard_count: int, mode: str, now_ms: int,
               tags: dict[str, str], max_record_kib: int = 1024, warm_mibps: Optional[int] = None) -> Stream:
        with self._lock:
            if (account, region, name) in self._streams:
                raise StreamExists(name)
            shards = [Shard(number=i, hash_start=lo, hash_end=hi, created_ms=now_ms)
                      for i, (lo, hi) in enumerate(uniform_ranges(shard_count))]
            stream = Stream(id=0, account=account, region=region, name=name, created_ms=now_ms, mode=mode,
                            status="CREATING", shards=shards, tags=dict(tags), max_record_kib=max_record_kib,
                            warm_mibps=warm_mibps)
            with self.db.write() as db:
                cursor = db.execute("INSERT INTO streams (account, region, name, state) VALUES (?, ?, ?, '{}')",
                                    (account, region, name))
                stream.id = cursor.lastrowid
                db.execute("UPDATE streams SET state = ? WHERE id = ?", (_to_json(stream), stream.id))
            self._streams[(account, region, name)] = stream
            return stream

    def update(self, stream: Stream, change: Callable[[Stream], object]) -> Stream:
        """Apply `change` to a copy of the stream, commit it, then publish it; returns the new copy.

        `change` may raise a domain error, in which case nothing changes.
        """
        with self._lock:
            current = self.get(stream.account, stream.region, stream.name)
            if current.id != stream.id:
                raise StreamNotFound(stream.name)
            changed = copy.deepcopy(current)
            changed.forget_routing()
            change(changed)
            with self.db.write() as db:
                db.execute("UPDATE streams SET state = ? WHERE id = ?", (_to_json(changed), changed.id))
            self._streams[(changed.account, changed.region, changed.name)] = changed
            return changed

    def delete(self, stream: Stream) -> None:
        with self._lock:
            with self.db.write() as db:
                db.execute("DELETE FROM streams WHERE id = ?", (stream.id,))
            self._streams.pop((stream.account, stream.region, stream.name), None)
            with self._logs_lock:
                for key in [k for k in self._logs if k[0] == stream.id]:
                    self._logs.pop(key).close()
        shutil.rmtree(self.root / "streams" / str(stream.id), ignore_errors=True)

    # -- account settings ---------------------------------------------------------------------------

    def account_settings(self, account: str, region: str) -> Optional[dict]:
        """The settings document last saved for an account and region, or None if there is none."""
        rows = self.db.read("SELECT state FROM account_settings WHERE account = ? AND region = ?", (account, region))
        return json.loads(rows[0]["state"]) if rows else None

    def save_account_settings(self, account: str, region: str, state: dict) -> None:
        with self.db.write() as db:
            db.execute("INSERT INTO account_settings (account, region, state) VALUES (?, ?, ?) "
                       "ON CONFLICT (account, region) DO UPDATE SET state = excluded.state",
                       (account, region, json.dumps(state)))

    # -- shard logs ---------------------------------------------------------------------------------

    def log(self, stream: Stream, shard: Shard) -> ShardLog:
        key = (stream.id, shard.number)
        found = self._logs.get(key)
        if found is not None:
            return found
        with self._logs_lock:
            found = self._logs.get(key)
            if found is None:
                found = ShardLog(self.root / "streams" / str(stream.id) / str(shard.number),
                                 segment_bytes=self.segment_bytes)
                if not shard.is_open:
                    found.seal()
                self._logs[key] = found
            return found

    def trim(self, streams: Iterable[Stream], now_ms: int) -> int:
        """Drop the segments every shard's retention has passed; returns how many went."""
        dropped = 0
        for stream in streams:
            cutoff = now_ms - stream.retention_hours * 3_600_000
            for shard in stream.shards:
                dropped += self.log(stream, shard).drop_before(cutoff)
        return dropped

    def all_streams(self) -> list[Stream]:
        return list(self._streams.values())

    def wait_durable(self, pending: list[tuple[ShardLog, int]]) -> None:
        """Wait until every (log, end offset) is on disk, fsyncing the logs in parallel."""
        if len(pending) == 1:
            pending[0][0].wait_durable(pending[0][1])
            return
        for future in [self.sync_pool.submit(log.wait_durable, end) for log, end in pending]:
            future.result()

    def close(self) -> None:
        self.sync_pool.shutdown(wait=True)
        with self._logs_lock:
            for found in self._logs.values():
                found.close()
            self._logs.clear()
        self.db.close()
