"""Interactive sessions without Spark: how the driver turns code into a statement's output, and how a
restarted server ends the sessions (and kills the drivers) a dead process left open."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

from lakebox.clock import ServiceClock
from lakebox.services.glue import session_driver
from lakebox.services.glue.session_store import SessionStore
from lakebox.services.glue.session_worker import RESTART_MESSAGE, SessionEnv, SessionWorker, sessions_dir


def test_the_output_is_what_is_printed_then_the_last_expression():
    namespace: dict = {}
    assert session_driver.run_code("x = 2\nprint('x is', x)\nx * 21", namespace) == "x is 2\n42"
    assert session_driver.run_code("x + 1", namespace) == "3"  # the namespace carries over
    assert session_driver.run_code("y = x", namespace) == ""  # an assignment shows nothing
    assert session_driver.run_code("None", namespace) == ""
    assert session_driver.run_code("for i in range(2):\n    print(i)", namespace) == "0\n1\n"
    assert session_driver.run_code("'text'", namespace) == "'text'"


def test_an_exception_is_the_outputs_error(tmp_path, monkeypatch):
    monkeypatch.setattr(session_driver, "STATEMENTS", str(tmp_path))
    output = session_driver.output_of(1, "def f():\n    raise ValueError('bad rows')\nf()", {})
    assert (output["Status"], output["ErrorName"], output["ErrorValue"]) == ("error", "ValueError", "bad rows")
    assert output["Traceback"][0] == "Traceback (most recent call last):\n"
    assert all("session_driver" not in line for line in output["Traceback"])
    assert output["Traceback"][-1] == "ValueError: bad rows\n"
    syntax = session_driver.output_of(2, "def (:", {})
    assert (syntax["Status"], syntax["ErrorName"]) == ("error", "SyntaxError")


def test_recover_ends_open_sessions_and_kills_their_orphaned_drivers(tmp_path):
    store = SessionStore(tmp_path / "sessions.db")
    folder_name = "0123456789abcdef"
    folder = sessions_dir(tmp_path) / folder_name
    folder.mkdir(parents=True)
    # A stand-in for a driver left running by a killed server: its command line names the folder.
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", str(folder)],
                              start_new_session=True)
    (folder / "driver.pid").write_text(str(orphan.pid))
    # A driver left by a dead server has long been running: wait until this one shows its command line.
    deadline = time.monotonic() + 10
    while folder_name.encode() not in Path(f"/proc/{orphan.pid}/cmdline").read_bytes() and time.monotonic() < deadline:
        time.sleep(0.01)
    created = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with store.write() as db:
        for session_id, status in (("ready", "READY"), ("stopping", "STOPPING"), ("done", "STOPPED")):
            store.put_session(db, "us-east-1:000000000000", {
                "Id": session_id, "Status": status, "CreatedOn": created, "IdleTimeout": 2880, "_Timeout": 2880,
                "_Folder": folder_name if session_id == "ready" else session_id})
        store.put_statement(db, "us-east-1:000000000000", "ready", {"Id": 1, "Code": "1", "State": "RUNNING"})
    worker = SessionWorker(SessionEnv(store=store, clock=ServiceClock(), data_dir=tmp_path, lake=None,
                                      endpoint=lambda: "http://127.0.0.1:1"))
    worker.recover()
    try:
        assert orphan.wait(10) is not None
    finally:
        if orphan.poll() is None:
            orphan.kill()
    key = "us-east-1:000000000000"
    ready = store.session(key, "ready")
    assert (ready["Status"], ready["ErrorMessage"]) == ("FAILED", RESTART_MESSAGE)
    assert store.statement(key, "ready", 1)["State"] == "ERROR"
    assert store.session(key, "stopping")["Status"] == "STOPPED"
    assert store.session(key, "done")["Status"] == "STOPPED" and "CompletedOn" not in store.session(key, "done")
    store.close()
