"""What ran: SYS_QUERY_HISTORY, STL_QUERY, SVL_QLOG, SVL_STATEMENTTEXT and STV_RECENTS, from every
statement the database's sessions run (the Postgres endpoint's and the Data API's); and who is
connected: STV_SESSIONS, from the sessions the database has open.

Each statement gets a query id when it starts, from one counter per database that COPY's load log
shares, so `stl_load_errors.query` and `stl_query.query` name the same COPY. The counter starts above
the highest id the load log kept, so ids stay unique across restarts.

The history itself is kept in memory, the last `KEEP` statements of the database: AWS keeps its
STL/SYS logs for days and lakebox keeps them until the server stops, since writing the database
file on every SELECT would cost each query a disk write. Running statements show in STV_RECENTS
as 'Running'.

Imports pyarrow and this package.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import threading
from dataclasses import dataclass, field
from typing import Optional

import pyarrow as pa

from .spectrum import META

#: The statement kinds STL_QUERY and SVL_QLOG keep.
_QUERY_TYPES = ("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "UNLOAD")
#: Statements remembered per database.
KEEP = 10000
_TEXT, _INT, _BIG, _TIME = pa.string(), pa.int32(), pa.int64(), pa.timestamp("us")
#: First words -> SYS_QUERY_HISTORY.query_type.
_TYPES = {"SELECT": "SELECT", "WITH": "SELECT", "INSERT": "INSERT", "UPDATE": "UPDATE", "DELETE": "DELETE",
          "MERGE": "MERGE", "COPY": "COPY", "UNLOAD": "UNLOAD", "CREATE": "DDL", "DROP": "DDL", "ALTER": "DDL",
          "TRUNCATE": "DDL", "GRANT": "DDL", "REVOKE": "DDL", "COMMENT": "DDL"}


@dataclass
class QueryRecord:
    query: int
    user_name: str
    pid: int
    database: str
    text: str
    query_type: str
    start: dt.datetime
    end: Optional[dt.datetime] = None
    status: str = "running"
    error: str = ""
    rows: int = 0
    xid: int = 0
    extra: dict = field(default_factory=dict)


class QueryLog:
    """The database's statement counter and its recent statements; shared by all its sessions."""

    def __init__(self, start_after: int):
        self._ids = itertools.count(start_after + 1)
        self._lock = threading.Lock()
        self._records: collections.deque = collections.deque(maxlen=KEEP)

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def begin(self, user: Optional[str], pid: int, database: str, text: str, words: list) -> QueryRecord:
        record = QueryRecord(self.next_id(), user or "rdsdb", pid, database, text,
                             _TYPES.get(words[0] if words else "", "UTILITY"), _now())
        with self._lock:
            self._records.append(record)
        return record

    def records(self) -> list:
        with self._lock:
            return list(self._records)


def highest_logged_query(con) -> int:
    """The highest query id the database file kept (COPY's load history), 0 when none."""
    return con.execute(f"SELECT coalesce(max(query), 0) FROM {META}.load_history").fetchall()[0][0]


def finish(record: QueryRecord, rows: int = 0, error: Optional[str] = None) -> None:
    record.end = _now()
    record.rows = max(rows, 0)
    if error is not None:
        record.status, record.error = ("canceled" if "statement timeout" in error else "failed"), error[:512]
    else:
        record.status = "success"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _micros(record: QueryRecord) -> int:
    return int(((record.end or _now()) - record.start).total_seconds() * 1_000_000)


# -- the views -----------------------------------------------------------------------------------

def sys_query_history(db) -> tuple:
    rows = [{"user_id": 100, "query_id": r.query, "transaction_id": r.xid, "session_id": r.pid,
             "database_name": r.database, "query_type": r.query_type, "status": r.status,
             "result_cache_hit": False, "start_time": r.start, "end_time": r.end, "elapsed_time": _micros(r),
             "queue_time": 0, "execution_time": _micros(r), "error_message": r.error or None,
             "returned_rows": r.rows if r.query_type == "SELECT" else 0, "query_text": r.text[:4000],
             "user_name": r.user_name, "compute_type": "primary", "query_priority": "Normal"}
            for r in db.query_log.records()]
    return ([("user_id", _INT), ("query_id", _BIG), ("transaction_id", _BIG), ("session_id", _INT),
             ("database_name", _TEXT), ("query_type", _TEXT), ("status", _TEXT), ("result_cache_hit", pa.bool_()),
             ("start_time", _TIME), ("end_time", _TIME), ("elapsed_time", _BIG), ("queue_time", _BIG),
             ("execution_time", _BIG), ("error_message", _TEXT), ("returned_rows", _BIG), ("query_text", _TEXT),
             ("user_name", _TEXT), ("compute_type", _TEXT), ("query_priority", _TEXT)], rows)


def stl_query(db) -> tuple:
    rows = [{"userid": 100, "query": r.query, "label": "default", "xid": r.xid, "pid": r.pid,
             "database": r.database, "querytxt": r.text[:4000], "starttime": r.start, "endtime": r.end,
             "aborted": 0 if r.status == "success" else 1, "insert_pristine": 0, "concurrency_scaling_status": 0}
            for r in _finished_queries(db)]
    return ([("userid", _INT), ("query", _INT), ("label", _TEXT), ("xid", _BIG), ("pid", _INT), ("database", _TEXT),
             ("querytxt", _TEXT), ("starttime", _TIME), ("endtime", _TIME), ("aborted", _INT),
             ("insert_pristine", _INT), ("concurrency_scaling_status", _INT)], rows)


def svl_qlog(db) -> tuple:
    """SVL_QLOG: STL_QUERY's queries, with their elapsed microseconds and first 60 characters."""
    rows = [{"userid": 100, "query": r.query, "xid": r.xid, "pid": r.pid, "starttime": r.start, "endtime": r.end,
             "elapsed": _micros(r), "aborted": 0 if r.status == "success" else 1, "label": "default",
             "substring": r.text[:60], "source_query": None,
             "concurrency_scaling_status_txt": "Ran on the main cluster", "from_sp_call": None}
            for r in _finished_queries(db)]
    return ([("userid", _INT), ("query", _INT), ("xid", _BIG), ("pid", _INT), ("starttime", _TIME),
             ("endtime", _TIME), ("elapsed", _BIG), ("aborted", _INT), ("label", _TEXT), ("substring", _TEXT),
             ("source_query", _INT), ("concurrency_scaling_status_txt", _TEXT), ("from_sp_call", _INT)], rows)


def stv_sessions(db) -> tuple:
    """STV_SESSIONS: the sessions open on the database (the Postgres endpoint's connections); a
    session's user is known from its first statement on."""
    rows = [{"starttime": s.started, "process": s.pid, "user_name": s._user or "", "db_name": s.path.stem,
             "timeout_sec": 0} for s in db.open_sessions()]
    return ([("starttime", _TIME), ("process", _INT), ("user_name", _TEXT), ("db_name", _TEXT),
             ("timeout_sec", _INT)], rows)


def _finished_queries(db) -> list:
    """The statements STL_QUERY keeps (queries, not DDL or utility statements) that have ended."""
    return [r for r in db.query_log.records() if r.query_type in _QUERY_TYPES and r.end is not None]


def svl_statementtext(db) -> tuple:
    """Every statement's text in pieces of 200 characters, as SVL_STATEMENTTEXT splits it."""
    rows = []
    for r in db.query_log.records():
        kind = "QUERY" if r.query_type in _QUERY_TYPES \
            else r.query_type if r.query_type == "DDL" else "UTILITY"
        for sequence, start in enumerate(range(0, max(len(r.text), 1), 200)):
            rows.append({"userid": 100, "xid": r.xid, "pid": r.pid, "label": "default", "starttime": r.start,
                         "endtime": r.end, "sequence": sequence, "type": kind, "text": r.text[start:start + 200]})
    return ([("userid", _INT), ("xid", _BIG), ("pid", _INT), ("label", _TEXT), ("starttime", _TIME),
             ("endtime", _TIME), ("sequence", _INT), ("type", _TEXT), ("text", _TEXT)], rows)


def stv_recents(db) -> tuple:
    rows = [{"userid": 100, "status": "Running" if r.end is None else "Done", "starttime": r.start,
             "duration": _micros(r), "user_name": r.user_name, "db_name": r.database, "query": r.text[:600],
             "pid": r.pid}
            for r in db.query_log.records()[-100:]]
    return ([("userid", _INT), ("status", _TEXT), ("starttime", _TIME), ("duration", _BIG), ("user_name", _TEXT),
             ("db_name", _TEXT), ("query", _TEXT), ("pid", _INT)], rows)


VIEWS = {"sys_query_history": sys_query_history, "stl_query": stl_query, "svl_statementtext": svl_statementtext,
         "stv_recents": stv_recents, "svl_qlog": svl_qlog, "stv_sessions": stv_sessions}
