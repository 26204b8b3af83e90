"""STL_CONNECTION_LOG: the authentication attempts, connections and disconnections a cluster sees.

The cluster's runtime (services/redshift/runtime.py) makes one `ConnectionEvent` per event, from what
the Postgres endpoint learnt of the client (its address, its TLS, and the startup packet's
application_name, driver_version, os_version and plugin_name, which redshift_connector and the JDBC
and ODBC drivers send), and hands the same event to the audit log's connectionlog
(services/redshift/audit_logging.py) and to this log. Events, as AWS names them:
`authentication failure`, `authenticated`, `initiating session`, `disconnecting session`.

Where the events are kept, and why: in memory (the last `KEEP`) and appended, one JSON line each, to
a file in the cluster's folder next to its databases, read back when the cluster starts. On AWS the
STL views come from logs persisted to disk and keep seven days, so a restart must not empty them;
yet they are not data: a line is appended without fsync (a `kill -9` keeps what was written, only a
power loss can drop the last lines), and the file is not a database file, so, as AWS says of
system tables, snapshots leave it out. Writing it into a database file instead would cost a
connection a write to DuckDB under another session's transaction, and would copy it into
snapshots. Events older than `KEEP_DAYS` are dropped when the log is read back; the file is
rewritten (temp file, then rename) once it holds twice `KEEP` lines.

Imports pyarrow, sqlglot's expressions and the standard library.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import json
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Optional

import pyarrow as pa
from sqlglot import exp

log = logging.getLogger("lakebox.redshift")

#: Events remembered per cluster.
KEEP = 10000
#: Days an event is kept, as AWS keeps its STL logs.
KEEP_DAYS = 7
_TEXT, _INT, _TIME = pa.string(), pa.int32(), pa.timestamp("us")
_INT_MAX = 2 ** 31 - 1


@dataclasses.dataclass(frozen=True)
class ConnectionEvent:
    """One row of STL_CONNECTION_LOG, its fields in AWS's order (also the connectionlog line's)."""

    event: str
    recordtime: dt.datetime  # UTC, naive, as Redshift's timestamps are
    remotehost: str = ""
    remoteport: str = ""
    pid: int = 0
    dbname: str = ""
    username: str = ""
    authmethod: str = "password"
    duration: int = 0  # microseconds, for `disconnecting session`
    sslversion: str = ""
    sslcipher: str = ""
    mtu: int = 0
    sslcompression: str = ""
    sslexpansion: str = ""
    iamauthguid: str = ""
    application_name: str = ""
    os_version: str = ""
    driver_version: str = ""
    plugin_name: str = ""
    protocol_version: int = 0
    sessionid: str = ""
    compression: str = ""

    def as_json(self) -> dict:
        return {**dataclasses.asdict(self), "recordtime": self.recordtime.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> "ConnectionEvent":
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["recordtime"] = dt.datetime.fromisoformat(values["recordtime"])
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class ClientInfo:
    """What a session's events say of its client: from the Postgres endpoint's `client` dict
    (pg_connection.py: the startup packet's parameters, the peer's address, the TLS in use)."""

    remotehost: str = ""
    remoteport: str = ""
    sslversion: str = ""
    sslcipher: str = ""
    application_name: str = ""
    os_version: str = ""
    driver_version: str = ""
    plugin_name: str = ""
    protocol_version: int = 0
    sessionid: str = ""

    @classmethod
    def from_endpoint(cls, client: Optional[dict]) -> "ClientInfo":
        client = client or {}
        startup = client.get("startup") or {}
        host, port = (client.get("address") or ("", ""))[:2]
        version, cipher = client.get("tls") or ("", "")
        return cls(remotehost=str(host or ""), remoteport=str(port or ""), sslversion=version or "",
                   sslcipher=cipher or "", application_name=startup.get("application_name", "")[:250],
                   os_version=startup.get("os_version", "")[:64], driver_version=startup.get("driver_version", "")[:64],
                   plugin_name=startup.get("plugin_name", "")[:32],
                   protocol_version=int(client.get("protocol") or 0), sessionid=str(uuid.uuid4()))

    def event(self, event: str, pid: int, dbname: str, username: str, duration_us: int = 0) -> ConnectionEvent:
        return ConnectionEvent(event=event, recordtime=_utcnow(), pid=pid, dbname=dbname, username=username,
                               duration=min(duration_us, _INT_MAX), **dataclasses.asdict(self))


class ConnectionLog:
    """A cluster's recent connection events, kept in memory and in a JSON-lines file (see above)."""

    def __init__(self, path: Optional[Path], keep: int = KEEP):
        self.path, self.keep = (Path(path) if path is not None else None), keep
        self._lock = threading.Lock()
        self._events: collections.deque = collections.deque(maxlen=keep)
        self._lines = 0  # lines in the file, kept or not
        if self.path is not None and self.path.exists():
            self._load()

    def _load(self) -> None:
        oldest = _utcnow() - dt.timedelta(days=KEEP_DAYS)
        with open(self.path, encoding="utf-8") as file:
            for line in file:
                self._lines += 1
                try:
                    event = ConnectionEvent.from_json(json.loads(line))
                except (ValueError, KeyError, TypeError):
                    continue  # the last line of a write the process was killed in
                if event.recordtime >= oldest:
                    self._events.append(event)
        if self._lines > len(self._events) + self.keep:
            self._rewrite()

    def record(self, event: ConnectionEvent) -> None:
        with self._lock:
            self._events.append(event)
            if self.path is None:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as file:
                    file.write(json.dumps(event.as_json(), ensure_ascii=False) + "\n")
                self._lines += 1
                if self._lines >= 2 * self.keep:
                    self._rewrite()
            except OSError as exc:  # the event stays in memory; the session goes on
                log.warning("redshift connection log %s not written: %s", self.path, exc)

    def _rewrite(self) -> None:
        """Keep only the remembered events in the file: a temp file renamed over it."""
        staging = self.path.with_name(self.path.name + ".tmp")
        with open(staging, "w", encoding="utf-8") as file:
            for event in self._events:
                file.write(json.dumps(event.as_json(), ensure_ascii=False) + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(staging, self.path)
        self._lines = len(self._events)

    def events(self) -> list[ConnectionEvent]:
        with self._lock:
            return list(self._events)


# -- the view -------------------------------------------------------------------------------------

_COLUMNS = [("event", _TEXT), ("recordtime", _TIME), ("remotehost", _TEXT), ("remoteport", _TEXT), ("pid", _INT),
            ("dbname", _TEXT), ("username", _TEXT), ("authmethod", _TEXT), ("duration", _INT),
            ("sslversion", _TEXT), ("sslcipher", _TEXT), ("mtu", _INT), ("sslcompression", _TEXT),
            ("sslexpansion", _TEXT), ("iamauthguid", _TEXT), ("application_name", _TEXT), ("os_version", _TEXT),
            ("driver_version", _TEXT), ("plugin_name", _TEXT), ("protocol_version", _INT), ("sessionid", _TEXT),
            ("compression", _TEXT)]
VIEW_NAME = "stl_connection_log"


def system_view(db, table: exp.Table, views: list) -> Optional[exp.Expression]:
    """STL_CONNECTION_LOG as a relation for one statement of `db` (a RedshiftDatabase), or None when
    `table` names something else. The events are the cluster's (`db.cluster.connection_log`), from
    every database; a database without a cluster has none."""
    if table.catalog or table.db.lower() not in ("", "pg_catalog") or table.name.lower() != VIEW_NAME:
        return None
    found = getattr(getattr(db, "cluster", None), "connection_log", None)
    rows = [dataclasses.asdict(e) for e in found.events()] if found is not None else []
    view = f"__system_{next(db._views)}"
    db._con.register(view, pa.Table.from_pylist(rows, schema=pa.schema(_COLUMNS)))
    views.append((view, [view]))
    return exp.Table(this=exp.to_identifier(view), alias=exp.TableAlias(this=exp.to_identifier(table.alias or VIEW_NAME)))


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
