"""CloudWatch Logs state in SQLite (`<data>/.lakebox/logs/logs.db`).

Three tables: `log_groups` (keyed by account, region and name), `log_streams` and `log_events`;
schema 3 added `metric_filters` (deleted with their group), `query_definitions`,
`resource_policies` and `export_tasks`, whose SQL lives with their operations (metric_filters.py,
query_definitions.py, resource_policies.py, exports.py) over this store's `write()` and `read()`;
schema 4 added `subscription_filters` (deleted with their group), whose methods are here because
`append_events` reads a group's filters in the transaction that stores its events.
Events are ordered inside a stream by (timestamp, id): `id` is the insertion order, so two events
with the same timestamp keep the order they were put in, and the pair is what paging tokens carry.
`log_events.group_id` is redundant with the stream but lets FilterLogEvents walk one group in time
order over one index.

Same model as the lake's metadata DB: WAL, `synchronous=NORMAL` (a commit survives `kill -9`), one
writer connection behind a lock, one reader connection per thread. Every write is one transaction.
Raises the plain domain errors below; the provider turns them into AWS errors.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

from ...storage.sqlite_db import SqliteDatabase

SCHEMA_VERSION = 5
#: The tables schema 3 added: a new file gets them with SCHEMA, an older one through UPGRADES[2].
SCHEMA_3_TABLES = """
CREATE TABLE metric_filters (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    pattern TEXT NOT NULL,
    transformations TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    UNIQUE (group_id, name)
);
CREATE TABLE query_definitions (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    query_string TEXT NOT NULL,
    query_language TEXT NOT NULL,
    log_group_names TEXT NOT NULL DEFAULT '[]',
    parameters TEXT,
    last_modified_ms INTEGER NOT NULL
);
CREATE INDEX query_definitions_name ON query_definitions (account, region, name, id);
CREATE TABLE resource_policies (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    resource_arn TEXT NOT NULL DEFAULT '',
    document TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    revision_id TEXT NOT NULL,
    PRIMARY KEY (account, region, resource_arn, name)
);
CREATE TABLE export_tasks (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT,
    group_name TEXT NOT NULL,
    stream_prefix TEXT,
    from_ms INTEGER NOT NULL,
    to_ms INTEGER NOT NULL,
    destination TEXT NOT NULL,
    destination_prefix TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT,
    created_ms INTEGER NOT NULL,
    completed_ms INTEGER
);
CREATE INDEX export_tasks_created ON export_tasks (account, region, created_ms, id);
"""
#: The table schema 4 added: a new file gets it with SCHEMA, an older one through UPGRADES[3].
SCHEMA_4_TABLES = """
CREATE TABLE subscription_filters (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    pattern TEXT NOT NULL,
    destination_arn TEXT NOT NULL,
    role_arn TEXT,
    distribution TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    UNIQUE (group_id, name)
);
"""
#: The table schema 5 added: subscription destinations (PutDestination).
SCHEMA_5_TABLES = """
CREATE TABLE destinations (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    target_arn TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    access_policy TEXT,
    tags TEXT NOT NULL DEFAULT '{}',
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (account, region, name)
);
"""
SCHEMA = SCHEMA_3_TABLES + SCHEMA_4_TABLES + SCHEMA_5_TABLES + """
CREATE TABLE log_groups (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    retention_days INTEGER,
    kms_key_id TEXT,
    log_group_class TEXT NOT NULL DEFAULT 'STANDARD',
    tags TEXT NOT NULL DEFAULT '{}',
    deletion_protection INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account, region, name)
);
CREATE TABLE log_streams (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    first_event_ms INTEGER,
    last_event_ms INTEGER,
    last_ingestion_ms INTEGER,
    stored_bytes INTEGER NOT NULL DEFAULT 0,
    sequence INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, name)
);
CREATE TABLE log_events (
    id INTEGER PRIMARY KEY,
    stream_id INTEGER NOT NULL REFERENCES log_streams(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    ingestion_ms INTEGER NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX log_events_stream ON log_events (stream_id, ts, id);
CREATE INDEX log_events_group ON log_events (group_id, ts, id);
"""
#: What turns a database of an older schema version into the next one, keyed by the old version.
UPGRADES = {
    1: ["ALTER TABLE log_groups ADD COLUMN deletion_protection INTEGER NOT NULL DEFAULT 0"],
    2: [statement for statement in SCHEMA_3_TABLES.split(";") if statement.strip()],
    3: [statement for statement in SCHEMA_4_TABLES.split(";") if statement.strip()],
    4: [statement for statement in SCHEMA_5_TABLES.split(";") if statement.strip()],
}


class LogsStoreError(Exception):
    """Base of the store's domain errors."""


class GroupNotFound(LogsStoreError):
    pass


class GroupExists(LogsStoreError):
    pass


class StreamNotFound(LogsStoreError):
    pass


class StreamExists(LogsStoreError):
    pass


class TooManyTags(LogsStoreError):
    pass


class GroupProtected(LogsStoreError):
    """The group has deletion protection enabled."""


class SubscriptionFilterNotFound(LogsStoreError):
    pass


class TooManySubscriptionFilters(LogsStoreError):
    """The group already has the most subscription filters it may have."""


@dataclass
class GroupRow:
    id: int
    account: str
    region: str
    name: str
    created_ms: int
    retention_days: Optional[int]
    kms_key_id: Optional[str]
    log_group_class: str
    tags: dict[str, str] = field(default_factory=dict)
    stored_bytes: int = 0
    deletion_protection: bool = False
    metric_filter_count: int = 0


@dataclass
class StreamRow:
    id: int
    group_id: int
    name: str
    created_ms: int
    first_event_ms: Optional[int]
    last_event_ms: Optional[int]
    last_ingestion_ms: Optional[int]
    stored_bytes: int
    sequence: int


@dataclass
class EventRow:
    id: int
    stream_id: int
    ts: int
    ingestion_ms: int
    message: str


@dataclass
class SubscriptionFilterRow:
    group_name: str
    name: str
    pattern: str
    destination_arn: str
    role_arn: Optional[str]
    distribution: str
    created_ms: int
    #: Request members kept as given (applyOnTransformedLogs, fieldSelectionCriteria, emitSystemFields).
    options: dict = field(default_factory=dict)


@dataclass
class AppendResult:
    sequence: int
    #: RejectedLogEventsInfo members, empty when every event was accepted.
    rejected: dict[str, int]
    #: The group's subscription filters when the events were committed, and then the accepted events
    #: as (id, timestamp, message): what subscription delivery sends on. Empty without filters.
    subscriptions: list[SubscriptionFilterRow] = field(default_factory=list)
    accepted: list[tuple[int, int, str]] = field(default_factory=list)


#: `classify(timestamps, retention_days)` -> (first accepted index, end index, rejected info).
Classifier = Callable[[Sequence[int], Optional[int]], tuple[int, int, dict[str, int]]]


def _group_from(r: sqlite3.Row) -> GroupRow:
    return GroupRow(id=r["id"], account=r["account"], region=r["region"], name=r["name"],
                    created_ms=r["created_ms"], retention_days=r["retention_days"], kms_key_id=r["kms_key_id"],
                    log_group_class=r["log_group_class"], tags=json.loads(r["tags"]),
                    stored_bytes=r["stored_bytes"], deletion_protection=bool(r["deletion_protection"]),
                    metric_filter_count=r["metric_filter_count"])


def _stream_from(r: sqlite3.Row) -> StreamRow:
    return StreamRow(id=r["id"], group_id=r["group_id"], name=r["name"], created_ms=r["created_ms"],
                     first_event_ms=r["first_event_ms"], last_event_ms=r["last_event_ms"],
                     last_ingestion_ms=r["last_ingestion_ms"], stored_bytes=r["stored_bytes"],
                     sequence=r["sequence"])


def _subscription_from(r: sqlite3.Row) -> SubscriptionFilterRow:
    return SubscriptionFilterRow(group_name=r["group_name"], name=r["name"], pattern=r["pattern"],
                                 destination_arn=r["destination_arn"], role_arn=r["role_arn"],
                                 distribution=r["distribution"], created_ms=r["created_ms"],
                                 options=json.loads(r["options"]))


_SUBSCRIPTION_COLUMNS = "f.*, g.name AS group_name"


def _event_from(r: sqlite3.Row) -> EventRow:
    return EventRow(id=r["id"], stream_id=r["stream_id"], ts=r["ts"], ingestion_ms=r["ingestion_ms"],
                    message=r["message"])


_GROUP_COLUMNS = ("g.*, (SELECT COALESCE(SUM(s.stored_bytes), 0) FROM log_streams s WHERE s.group_id = g.id) "
                  "AS stored_bytes, (SELECT COUNT(*) FROM metric_filters f WHERE f.group_id = g.id) "
                  "AS metric_filter_count")


class LogsStore(SqliteDatabase):
    def __init__(self, path: Path):
        super().__init__(path, foreign_keys=True)
        self.upgrade(UPGRADES, SCHEMA_VERSION)
        self.apply_schema(SCHEMA.split(";"), SCHEMA_VERSION)

    # The names this store's methods use for the shared connection rules.
    _read = SqliteDatabase.read
    _write = SqliteDatabase.write

    # -- groups -------------------------------------------------------------------------------------

    def create_group(self, account: str, region: str, name: str, created_ms: int, *,
                     tags: Optional[dict[str, str]] = None, kms_key_id: Optional[str] = None,
                     log_group_class: str = "STANDARD", deletion_protection: bool = False) -> None:
        try:
            with self._write() as db:
                db.execute("INSERT INTO log_groups (account, region, name, created_ms, kms_key_id, log_group_class, "
                           "tags, deletion_protection) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (account, region, name, created_ms, kms_key_id, log_group_class, json.dumps(tags or {}),
                            int(deletion_protection)))
        except sqlite3.IntegrityError:
            raise GroupExists(name) from None

    def get_group(self, account: str, region: str, name: str) -> GroupRow:
        rows = self._read(f"SELECT {_GROUP_COLUMNS} FROM log_groups g WHERE account = ? AND region = ? AND name = ?",
                          (account, region, name))
        if not rows:
            raise GroupNotFound(name)
        return _group_from(rows[0])

    def delete_group(self, account: str, region: str, name: str) -> None:
        with self._write() as db:
            row = db.execute("SELECT deletion_protection FROM log_groups WHERE account = ? AND region = ? AND name = ?",
                             (account, region, name)).fetchone()
            if row is None:
                raise GroupNotFound(name)
            if row["deletion_protection"]:
                raise GroupProtected(name)
            db.execute("DELETE FROM log_groups WHERE account = ? AND region = ? AND name = ?", (account, region, name))

    def set_deletion_protection(self, account: str, region: str, name: str, enabled: bool) -> None:
        with self._write() as db:
            cur = db.execute("UPDATE log_groups SET deletion_protection = ? WHERE account = ? AND region = ? "
                             "AND name = ?", (int(enabled), account, region, name))
            if cur.rowcount == 0:
                raise GroupNotFound(name)

    def list_groups(self, account: str, region: str, *, prefix: Optional[str] = None,
                    patterns: Sequence[str] = (), names: Optional[Sequence[str]] = None,
                    log_group_class: Optional[str] = None, after: Optional[str] = None,
                    limit: int = 50) -> list[GroupRow]:
        """Groups in name order, `after` a name to start past.

        `patterns` are alternatives, all case-sensitive: `^text` matches names starting with `text`,
        plain `text` names containing it. `names` keeps only the groups named."""
        sql = f"SELECT {_GROUP_COLUMNS} FROM log_groups g WHERE account = ? AND region = ?"
        args: list = [account, region]
        if prefix:
            sql += " AND substr(name, 1, ?) = ?"
            args += [len(prefix), prefix]
        if patterns:
            tests = []
            for pattern in patterns:
                if pattern.startswith("^"):
                    tests.append("substr(name, 1, ?) = ?")
                    args += [len(pattern) - 1, pattern[1:]]
                else:
                    tests.append("instr(name, ?) > 0")  # instr compares bytes: case-sensitive
                    args.append(pattern)
            sql += f" AND ({' OR '.join(tests)})"
        if names is not None:
            sql += f" AND name IN ({', '.join('?' * len(names))})"
            args += list(names)
        if log_group_class:
            sql += " AND log_group_class = ?"
            args.append(log_group_class)
        if after is not None:
            sql += " AND name > ?"
            args.append(after)
        sql += " ORDER BY name LIMIT ?"
        args.append(limit)
        return [_group_from(r) for r in self._read(sql, args)]

    def set_retention(self, account: str, region: str, name: str, days: Optional[int]) -> None:
        with self._write() as db:
            cur = db.execute("UPDATE log_groups SET retention_days = ? WHERE account = ? AND region = ? AND name = ?",
                             (days, account, region, name))
            if cur.rowcount == 0:
                raise GroupNotFound(name)

    def update_tags(self, account: str, region: str, name: str, *, add: Optional[dict[str, str]] = None,
                    remove: Sequence[str] = (), max_tags: int = 50) -> dict[str, str]:
        """Merge `add` into the group's tags and drop `remove`, in one transaction; returns the result.

        Raises TooManyTags, changing nothing, when the group would end up with more than `max_tags`."""
        with self._write() as db:
            rows = db.execute("SELECT tags FROM log_groups WHERE account = ? AND region = ? AND name = ?",
                              (account, region, name)).fetchall()
            if not rows:
                raise GroupNotFound(name)
            tags = json.loads(rows[0]["tags"])
            tags.update(add or {})
            for key in remove:
                tags.pop(key, None)
            if len(tags) > max_tags:
                raise TooManyTags(name)
            db.execute("UPDATE log_groups SET tags = ? WHERE account = ? AND region = ? AND name = ?",
                       (json.dumps(tags), account, region, name))
            return tags

    # -- streams ------------------------------------------------------------------------------------

    def create_stream(self, group: GroupRow, name: str, created_ms: int) -> None:
        try:
            with self._write() as db:
                db.execute("INSERT INTO log_streams (group_id, name, created_ms) VALUES (?, ?, ?)",
                           (group.id, name, created_ms))
        except sqlite3.IntegrityError as exc:
            # The group may have been deleted since it was looked up: its id no longer exists.
            if "FOREIGN KEY" in str(exc):
                raise GroupNotFound(group.name) from None
            raise StreamExists(name) from None

    def get_stream(self, group: GroupRow, name: str) -> StreamRow:
        rows = self._read("SELECT * FROM log_streams WHERE group_id = ? AND name = ?", (group.id, name))
        if not rows:
            raise StreamNotFound(name)
        return _stream_from(rows[0])

    def delete_stream(self, group: GroupRow, name: str) -> None:
        with self._write() as db:
            cur = db.execute("DELETE FROM log_streams WHERE group_id = ? AND name = ?", (group.id, name))
            if cur.rowcount == 0:
                raise StreamNotFound(name)

    def list_streams(self, group: GroupRow, *, prefix: Optional[str] = None, by_last_event: bool = False,
                     descending: bool = False, after: Optional[tuple] = None, limit: int = 50) -> list[StreamRow]:
        """Streams ordered by name, or by (last event time, name); `after` is the sort key to start past."""
        columns = ["COALESCE(last_event_ms, 0)", "name"] if by_last_event else ["name"]
        direction = "DESC" if descending else "ASC"
        sql = "SELECT * FROM log_streams WHERE group_id = ?"
        args: list = [group.id]
        if prefix:
            sql += " AND substr(name, 1, ?) = ?"
            args += [len(prefix), prefix]
        if after is not None:
            sql += f" AND ({', '.join(columns)}) {'<' if descending else '>'} ({', '.join('?' * len(after))})"
            args += list(after)
        order = ", ".join(f"{column} {direction}" for column in columns)
        sql += f" ORDER BY {order} LIMIT ?"
        args.append(limit)
        return [_stream_from(r) for r in self._read(sql, args)]

    def streams_of(self, group: GroupRow, names: Optional[Sequence[str]] = None,
                   prefix: Optional[str] = None) -> list[StreamRow]:
        """The group's streams (in name order), narrowed to `names` or to a name prefix."""
        rows = self.list_streams(group, prefix=prefix, limit=-1)
        if names is not None:
            wanted = set(names)
            rows = [s for s in rows if s.name in wanted]
        return rows

    # -- events -------------------------------------------------------------------------------------

    def append_events(self, account: str, region: str, group_name: str, stream_name: str,
                      events: Sequence[tuple[int, str]], ingestion_ms: int, *,
                      classify: Optional[Classifier] = None, create_missing: bool = False) -> AppendResult:
        """Append `(timestamp_ms, message)` events (already in time order) to a stream in one transaction.

        `classify` sees the group's retention inside the transaction and picks the accepted slice;
        `create_missing` creates the group and stream first (lakebox's own services log this way).
        """
        with self._write() as db:
            group = db.execute("SELECT * FROM log_groups WHERE account = ? AND region = ? AND name = ?",
                               (account, region, group_name)).fetchone()
            if group is None:
                if not create_missing:
                    raise GroupNotFound(group_name)
                cur = db.execute("INSERT INTO log_groups (account, region, name, created_ms) VALUES (?, ?, ?, ?)",
                                 (account, region, group_name, ingestion_ms))
                group_id, retention = cur.lastrowid, None
            else:
                group_id, retention = group["id"], group["retention_days"]
            stream = db.execute("SELECT * FROM log_streams WHERE group_id = ? AND name = ?",
                                (group_id, stream_name)).fetchone()
            if stream is None:
                if not create_missing:
                    raise StreamNotFound(stream_name)
                cur = db.execute("INSERT INTO log_streams (group_id, name, created_ms) VALUES (?, ?, ?)",
                                 (group_id, stream_name, ingestion_ms))
                stream = db.execute("SELECT * FROM log_streams WHERE id = ?", (cur.lastrowid,)).fetchone()
            start, end, rejected = (0, len(events), {}) if classify is None else \
                classify([ts for ts, _ in events], retention)
            accepted = events[start:end]
            subscriptions: list[SubscriptionFilterRow] = []
            delivered: list[tuple[int, int, str]] = []
            if accepted:
                subscriptions = [_subscription_from(r) for r in db.execute(
                    f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscription_filters f JOIN log_groups g "
                    "ON g.id = f.group_id WHERE f.group_id = ? ORDER BY f.name", (group_id,))]
                if subscriptions:
                    highest = db.execute("SELECT COALESCE(MAX(id), 0) FROM log_events").fetchone()[0]
                db.executemany("INSERT INTO log_events (stream_id, group_id, ts, ingestion_ms, message) "
                               "VALUES (?, ?, ?, ?, ?)",
                               [(stream["id"], group_id, ts, ingestion_ms, message) for ts, message in accepted])
                if subscriptions:
                    # Under the writer lock, the ids past the highest one before are this batch's
                    # events, in the order they were put.
                    delivered = [(r["id"], r["ts"], r["message"]) for r in db.execute(
                        "SELECT id, ts, message FROM log_events WHERE id > ? ORDER BY id", (highest,))]
                first = min(ts for ts, _ in accepted)
                last = max(ts for ts, _ in accepted)
                size = sum(len(message.encode("utf-8")) for _, message in accepted)
                db.execute("UPDATE log_streams SET first_event_ms = MIN(COALESCE(first_event_ms, ?), ?), "
                           "last_event_ms = MAX(COALESCE(last_event_ms, ?), ?), last_ingestion_ms = ?, "
                           "stored_bytes = stored_bytes + ?, sequence = sequence + 1 WHERE id = ?",
                           (first, first, last, last, ingestion_ms, size, stream["id"]))
                sequence = stream["sequence"] + 1
            else:
                sequence = stream["sequence"]
            return AppendResult(sequence=sequence, rejected=rejected, subscriptions=subscriptions,
                                accepted=delivered)

    # -- subscription filters -----------------------------------------------------------------------

    def put_subscription_filter(self, group: GroupRow, name: str, *, pattern: str, destination_arn: str,
                                role_arn: Optional[str], distribution: str, created_ms: int, options: dict,
                                max_filters: int) -> None:
        """Create the filter, or replace the group's filter of that name (a new creation time, as a
        put is). Raises TooManySubscriptionFilters, changing nothing, for a new name past `max_filters`."""
        with self._write() as db:
            exists = db.execute("SELECT 1 FROM subscription_filters WHERE group_id = ? AND name = ?",
                                (group.id, name)).fetchone()
            if exists is None:
                count = db.execute("SELECT COUNT(*) FROM subscription_filters WHERE group_id = ?",
                                   (group.id,)).fetchone()[0]
                if count >= max_filters:
                    raise TooManySubscriptionFilters(group.name)
            try:
                db.execute("INSERT INTO subscription_filters (group_id, name, pattern, destination_arn, role_arn, "
                           "distribution, created_ms, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (group_id, name) DO UPDATE SET pattern = excluded.pattern, "
                           "destination_arn = excluded.destination_arn, role_arn = excluded.role_arn, "
                           "distribution = excluded.distribution, created_ms = excluded.created_ms, "
                           "options = excluded.options",
                           (group.id, name, pattern, destination_arn, role_arn, distribution, created_ms,
                            json.dumps(options)))
            except sqlite3.IntegrityError:
                raise GroupNotFound(group.name) from None  # deleted since it was looked up

    def subscription_filters(self, group: GroupRow, *, prefix: Optional[str] = None, after: Optional[str] = None,
                             limit: int = -1) -> list[SubscriptionFilterRow]:
        """The group's filters in name order, narrowed to a name prefix, from past the name `after`."""
        sql = (f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscription_filters f JOIN log_groups g ON g.id = f.group_id "
               "WHERE f.group_id = ?")
        args: list = [group.id]
        if prefix:
            sql += " AND substr(f.name, 1, ?) = ?"
            args += [len(prefix), prefix]
        if after is not None:
            sql += " AND f.name > ?"
            args.append(after)
        sql += " ORDER BY f.name LIMIT ?"
        args.append(limit)
        return [_subscription_from(r) for r in self._read(sql, args)]

    def delete_subscription_filter(self, group: GroupRow, name: str) -> None:
        with self._write() as db:
            cur = db.execute("DELETE FROM subscription_filters WHERE group_id = ? AND name = ?", (group.id, name))
            if cur.rowcount == 0:
                raise SubscriptionFilterNotFound(name)

    def stream_events(self, stream: StreamRow, *, after: Optional[tuple[int, int]] = None,
                      before: Optional[tuple[int, int]] = None, start: Optional[int] = None,
                      end: Optional[int] = None, newest_first: bool = False, limit: int = 10000) -> list[EventRow]:
        """A stream's events in (ts, id) order, strictly between the keys `after` and `before`,
        with `start <= ts < end`; the first `limit` of them, or the last `limit` when `newest_first`."""
        sql = "SELECT * FROM log_events WHERE stream_id = ?"
        args: list = [stream.id]
        sql, args = _window(sql, args, after, before, start, end)
        direction = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY ts {direction}, id {direction} LIMIT ?"
        args.append(limit)
        rows = [_event_from(r) for r in self._read(sql, args)]
        return rows[::-1] if newest_first else rows

    def event_by_id(self, group_id: int, event_id: int) -> Optional[tuple[GroupRow, str, EventRow]]:
        """One event with its group and its stream's name (for GetLogRecord); None when it is gone."""
        rows = self._read("SELECT e.*, s.name AS stream_name FROM log_events e "
                          "JOIN log_streams s ON s.id = e.stream_id WHERE e.id = ? AND e.group_id = ?",
                          (event_id, group_id))
        groups = self._read(f"SELECT {_GROUP_COLUMNS} FROM log_groups g WHERE g.id = ?", (group_id,)) if rows else []
        if not groups:
            return None
        return _group_from(groups[0]), rows[0]["stream_name"], _event_from(rows[0])

    def group_events(self, group: GroupRow, stream_ids: Optional[Sequence[int]], *,
                     after: Optional[tuple[int, int]] = None, start: Optional[int] = None,
                     end: Optional[int] = None, batch: int = 1000) -> Iterator[EventRow]:
        """All of a group's events (optionally only some streams) in (ts, id) order, read in batches."""
        stream_filter = ""
        if stream_ids is not None:
            if not stream_ids:
                return
            stream_filter = f" AND stream_id IN ({', '.join(str(int(i)) for i in stream_ids)})"
        while True:
            sql, args = _window("SELECT * FROM log_events WHERE group_id = ?" + stream_filter, [group.id],
                                after, None, start, end)
            rows = self._read(sql + " ORDER BY ts, id LIMIT ?", [*args, batch])
            for row in rows:
                yield _event_from(row)
            if len(rows) < batch:
                return
            after = (rows[-1]["ts"], rows[-1]["id"])


def _window(sql: str, args: list, after, before, start, end) -> tuple[str, list]:
    if after is not None:
        sql += " AND (ts, id) > (?, ?)"
        args += list(after)
    if before is not None:
        sql += " AND (ts, id) < (?, ?)"
        args += list(before)
    if start is not None:
        sql += " AND ts >= ?"
        args.append(start)
    if end is not None:
        sql += " AND ts < ?"
        args.append(end)
    return sql, args
