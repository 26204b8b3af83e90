"""Cancelling a running query interrupts its DuckDB work (through the shared cancel watcher), and
queries that finish keep their answers: the shared database and its connections stay usable."""

from __future__ import annotations

import threading

import duckdb
import pytest

from lakebox.engines.sql import cancel_watch
from lakebox.engines.sql.engine import SqlEngine, connect
from lakebox.engines.sql.errors import QueryError

# Far more work than any test run waits for: only an interrupt ends it.
ENDLESS = "SELECT sum(hash(i)) FROM range(1000000000000) t(i)"


def _engine() -> SqlEngine:
    return SqlEngine(lake=None, catalog=None, account="000000000000", region="us-east-1")


@pytest.mark.timeout(60)
def test_cancel_event_interrupts_the_running_query():
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()

    with pytest.raises(QueryError) as error:
        _engine().execute(ENDLESS, None, cancel=cancel)

    assert error.value.error_type == "USER_CANCELLED"


@pytest.mark.timeout(60)
def test_queries_answer_after_a_cancelled_one_and_alongside_a_cancel_event():
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    with pytest.raises(QueryError):
        _engine().execute(ENDLESS, None, cancel=cancel)

    outcome = _engine().execute("SELECT 40 + 2 AS answer, 'x' AS tag", None, cancel=threading.Event())

    assert outcome.rows == [["42", "x"]]
    assert [c["Name"] for c in outcome.columns] == ["answer", "tag"]


@pytest.mark.timeout(60)
def test_watcher_interrupts_only_watched_connections():
    watcher = cancel_watch.CancelWatcher(poll_s=0.01)
    cancel = threading.Event()
    watched, unwatched = connect(), connect()
    try:
        key = watcher.watch(cancel, unwatched)
        watcher.unwatch(key)
        watcher.watch(cancel, watched)
        cancel.set()
        with pytest.raises(duckdb.InterruptException):
            watched.execute(ENDLESS).fetchall()
        assert unwatched.execute("SELECT 7").fetchall() == [(7,)]
    finally:
        watched.close()
        unwatched.close()
