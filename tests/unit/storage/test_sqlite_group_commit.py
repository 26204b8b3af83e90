"""Group commit of SQLite writes (storage/sqlite_db.py `write_grouped`): callers that arrive while
a batch is being written share the next transaction, and one caller's failure undoes no one else's
write."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from lakebox.storage.sqlite_db import SqliteDatabase


@pytest.fixture
def db(tmp_path):
    database = SqliteDatabase(tmp_path / "t.sqlite")
    database.apply_schema(["CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"], 1)
    yield database
    database.close()


def insert(key: str, value):
    def work(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO t VALUES (?, ?)", (key, value))
        return key
    return work


def rows(db: SqliteDatabase) -> dict:
    return {r["k"]: r["v"] for r in db.read("SELECT k, v FROM t")}


def test_a_lone_caller_gets_its_result_and_its_row_is_committed(db):
    assert db.write_grouped(insert("a", 1)) == "a"
    assert rows(db) == {"a": 1}


def test_callers_waiting_behind_a_batch_share_the_next_transaction(db):
    """The first batch is held open; the callers queued meanwhile are written together, each row
    is there, and each caller got back its own result."""
    entered, release = threading.Event(), threading.Event()
    commits = []
    db._writer.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)

    def held(conn):
        entered.set()
        release.wait(10)
        conn.execute("INSERT INTO t VALUES ('first', 0)")
        return "first"

    results: dict[int, object] = {}
    leader = threading.Thread(target=lambda: results.__setitem__(-1, db.write_grouped(held)))
    leader.start()
    assert entered.wait(10)
    followers = [threading.Thread(target=lambda i=i: results.__setitem__(i, db.write_grouped(insert(f"k{i}", i))))
                 for i in range(8)]
    for t in followers:
        t.start()
    while len(db._group_queue) < 8:
        threading.Event().wait(0.01)
    release.set()
    for t in [leader, *followers]:
        t.join(10)
    assert results == {-1: "first", **{i: f"k{i}" for i in range(8)}}
    assert rows(db) == {"first": 0, **{f"k{i}": i for i in range(8)}}
    assert len(commits) == 2  # the held batch, then all eight followers in one transaction


def test_a_failing_piece_raises_in_its_own_caller_and_the_others_still_commit(db):
    db.write_grouped(insert("taken", 0))
    entered, release = threading.Event(), threading.Event()

    def held(conn):
        entered.set()
        release.wait(10)
        return None

    outcomes: dict[str, object] = {}

    def call(name, work):
        try:
            outcomes[name] = db.write_grouped(work)
        except Exception as exc:  # noqa: BLE001 - the test looks at what each caller got
            outcomes[name] = exc

    leader = threading.Thread(target=call, args=("leader", held))
    leader.start()
    assert entered.wait(10)
    pieces = {"a": insert("a", 1), "dup": insert("taken", 2), "b": insert("b", 3)}
    threads = []
    for name, work in pieces.items():  # queued in this order, so "dup" fails between two good ones
        threads.append(threading.Thread(target=call, args=(name, work)))
        threads[-1].start()
        while len(db._group_queue) < len(threads):
            threading.Event().wait(0.01)
    release.set()
    for t in [leader, *threads]:
        t.join(10)
    assert outcomes["a"] == "a" and outcomes["b"] == "b"
    assert isinstance(outcomes["dup"], sqlite3.IntegrityError)
    assert rows(db) == {"taken": 0, "a": 1, "b": 3}


def test_a_lone_failure_leaves_nothing_behind(db):
    def half_then_fail(conn):
        conn.execute("INSERT INTO t VALUES ('half', 1)")
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        db.write_grouped(half_then_fail)
    assert rows(db) == {}
    assert db.write_grouped(insert("after", 2)) == "after"
    assert rows(db) == {"after": 2}
