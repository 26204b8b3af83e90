"""The threads behind interactive sessions: one watcher thread per session, from CreateSession to its end.

A session is one Spark driver (session_driver.py) that lives as long as the session. The watcher
fetches the session's code (`--extra-py-files`, `--additional-python-modules`, `--extra-jars`),
starts the driver, and marks the session READY once Spark is up. While the session lives it moves
each statement along as the driver reports it (WAITING, RUNNING, then AVAILABLE or CANCELLED), and
ends the session:
- StopSession -> STOPPING, the driver's process group is stopped -> STOPPED;
- IdleTimeout minutes with no statement running, or Timeout minutes in all -> TIMEOUT;
- a driver that ends by itself (a failed start, a crash) -> FAILED with its last error line, as does
  one that has not started Spark after `START_TIMEOUT` seconds.
Statements still open when a session ends are CANCELLED (ERROR when the session failed).

Minutes are real time (`SECONDS_PER_MINUTE` each; tests shorten it). Shutdown (`close`) stops every
driver and ends its session FAILED; a session a dead process left open ends FAILED at the next
start (`recover`), and its orphaned driver is killed.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

from ...clock import ServiceClock
from ...engines.spark import SparkApp, SparkLauncher, SparkUnavailable, kill_orphan
from .job_run_app import RunSetupError, fetch, jar_conf, uris, uses_glue_catalog
from .python_modules import InstallError, prepare_modules
from .session_store import OPEN_STATEMENT_STATES, SessionStore

log = logging.getLogger("lakebox.glue.sessions")

SECONDS_PER_MINUTE = 60.0
POLL_INTERVAL = 0.1
JOIN_TIMEOUT = 30.0
#: Seconds a driver has to start Spark before its session ends FAILED.
START_TIMEOUT = 600.0
DRIVER = Path(__file__).with_name("session_driver.py")
DRIVER_NAME = "_lakebox_glue_session.py"
RESTART_MESSAGE = "lakebox stopped while the session was running"
SHUTDOWN_MESSAGE = "lakebox was shut down while the session was running"


@dataclasses.dataclass
class SessionEnv:
    store: SessionStore
    clock: ServiceClock
    data_dir: Path
    lake: Any
    endpoint: Callable[[], str]
    identity: Callable[[str, str], dict[str, str]] = lambda account, region: {}
    spark_master: str = "local[*]"


@dataclasses.dataclass
class _Live:
    thread: Optional[threading.Thread] = None
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)
    #: Why the watcher is stopping: "stop" (StopSession), "delete" (DeleteSession) or "shutdown".
    reason: str = ""


def sessions_dir(data_dir: Path) -> Path:
    return Path(data_dir) / ".lakebox" / "glue" / "sessions"


class SessionWorker:
    def __init__(self, env: SessionEnv):
        self.env = env
        self._lock = threading.Lock()
        self._live: dict[tuple[str, str], _Live] = {}
        self._launcher: Optional[SparkLauncher] = None

    def folder(self, doc: dict) -> Path:
        return sessions_dir(self.env.data_dir) / doc["_Folder"]

    # ------------------------------------------------------------------ lifecycle

    def start(self, catalog: str, doc: dict) -> None:
        live = _Live()
        live.thread = threading.Thread(target=self._watch, args=(catalog, doc["Id"], live),
                                       name=f"glue-session-{doc['Id'][:40]}", daemon=True)
        with self._lock:
            self._live[(catalog, doc["Id"])] = live
        live.thread.start()

    def stop(self, catalog: str, session_id: str, reason: str) -> bool:
        """Ask the watcher to end the session; False when no watcher runs it."""
        with self._lock:
            live = self._live.get((catalog, session_id))
        if live is None:
            return False
        live.reason = live.reason or reason
        live.stop.set()
        return True

    def wait(self, catalog: str, session_id: str, timeout: float = JOIN_TIMEOUT) -> None:
        with self._lock:
            live = self._live.get((catalog, session_id))
        if live is not None and live.thread is not None:
            live.thread.join(timeout)

    def recover(self) -> None:
        """End the sessions a dead process left open, and kill their drivers."""
        for catalog, doc in self.env.store.live_sessions():
            kill_orphan(_driver_pid(self.folder(doc)), doc["_Folder"])
            status = "STOPPED" if doc["Status"] == "STOPPING" else "FAILED"
            self._end(catalog, doc["Id"], status, None if status == "STOPPED" else RESTART_MESSAGE)

    def close(self) -> None:
        with self._lock:
            lives = list(self._live.values())
        for live in lives:
            live.reason = live.reason or "shutdown"
            live.stop.set()
        for live in lives:
            if live.thread is not None:
                live.thread.join(JOIN_TIMEOUT)

    # ------------------------------------------------------------------ statements

    def submit(self, doc: dict, statement_id: int, code: str) -> None:
        """Hand a recorded statement's code to the session's driver."""
        _write_whole(self.folder(doc) / "statements" / f"{statement_id}.py", code)

    def cancel(self, doc: dict, statement_id: int, running: bool) -> None:
        """Ask the driver to skip (WAITING) or interrupt (RUNNING) a statement."""
        folder = self.folder(doc)
        _write_whole(folder / "statements" / f"{statement_id}.cancel", "")
        pid = _driver_pid(folder)
        if running and pid and _is_driver(pid, doc["_Folder"]):
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    # ------------------------------------------------------------------ the watcher

    def _watch(self, catalog: str, session_id: str, live: _Live) -> None:
        try:
            self._run(catalog, session_id, live)
        except Exception as exc:  # noqa: BLE001 - a watcher must always record the session's end
            log.exception("glue session %s: the watcher failed", session_id)
            self._end(catalog, session_id, "FAILED", f"lakebox could not run the session: {exc}")
        finally:
            with self._lock:
                if self._live.get((catalog, session_id)) is live:
                    del self._live[(catalog, session_id)]

    def _run(self, catalog: str, session_id: str, live: _Live) -> None:
        doc = self.env.store.session(catalog, session_id)
        if doc is None:
            return
        folder = self.folder(doc)
        try:
            app = self._app(catalog, doc, folder)
            if self._launcher is None:
                self._launcher = SparkLauncher(self.env.data_dir, self.env.endpoint(),
                                               master=self.env.spark_master)
            process = self._launcher.start(app)
        except (RunSetupError, SparkUnavailable) as exc:
            self._end(catalog, session_id, "FAILED", str(exc))
            return
        log.info("glue session %s: driver started (pid %d)", session_id, process.pid)
        ready_at: Optional[float] = None
        started = idle_since = time.monotonic()
        status, message = "", None
        while not live.stop.is_set():
            if process.poll() is not None:
                status, message = "FAILED", process.error_summary() or "The session's driver ended"
                break
            if ready_at is None and (folder / "ready").exists():
                ready_at = idle_since = time.monotonic()
                self._update(catalog, session_id, Status="READY")
                log.info("glue session %s is ready", session_id)
            if ready_at is None and time.monotonic() - started > START_TIMEOUT:
                status = "FAILED"
                message = f"The session's Spark driver did not start within {START_TIMEOUT:.0f} seconds"
                break
            if ready_at is not None:
                if self._sync_statements(catalog, session_id, folder):
                    idle_since = time.monotonic()
                now = time.monotonic()
                if now - idle_since > doc["IdleTimeout"] * SECONDS_PER_MINUTE or \
                        now - ready_at > doc["_Timeout"] * SECONDS_PER_MINUTE:
                    status, message = "TIMEOUT", None
                    break
            live.stop.wait(POLL_INTERVAL)
        if not status:  # StopSession has recorded STOPPING already
            status = {"stop": "STOPPED", "shutdown": "FAILED"}.get(live.reason, "")
            message = SHUTDOWN_MESSAGE if live.reason == "shutdown" else None
        process.stop()
        if ready_at is not None:
            self._sync_statements(catalog, session_id, folder)
        if status:
            self._end(catalog, session_id, status, message)
        log.info("glue session %s ended %s", session_id, status or "(deleted)")

    def _app(self, catalog: str, doc: dict, folder: Path) -> SparkApp:
        arguments = dict(doc.get("DefaultArguments") or {})
        code = folder / "code"
        code.mkdir(parents=True, exist_ok=True)
        (folder / "statements").mkdir(exist_ok=True)
        lake = self.env.lake
        py_files = [fetch(lake, uri, code / f"py{i}", "--extra-py-files file")
                    for i, uri in enumerate(uris(arguments.get("--extra-py-files")))]
        try:
            modules = prepare_modules(self.env.data_dir, arguments,
                                      lambda uri, where: fetch(lake, uri, where, "--additional-python-modules wheel"))
        except InstallError as exc:
            raise RunSetupError(str(exc)) from None
        driver = folder / DRIVER_NAME
        shutil.copyfile(DRIVER, driver)
        region, account = catalog.split(":", 1)
        return SparkApp(name=f"glue session {doc['Id']}", script=str(driver), args=[str(folder)],
                        log_dir=str(folder), conf=jar_conf(lake, code, arguments), py_files=py_files,
                        env=self.env.identity(account, region), glue_libs=True, spark=True,
                        glue_catalog=uses_glue_catalog(arguments), python_path=modules)

    def _sync_statements(self, catalog: str, session_id: str, folder: Path) -> bool:
        """Move open statements along from the driver's files; True if any is running or just ended."""
        store = self.env.store
        active = False
        for statement in store.statements(catalog, session_id):
            if statement["State"] not in OPEN_STATEMENT_STATES:
                continue
            base = folder / "statements" / str(statement["Id"])
            result = _read_json(base.with_suffix(".json"))
            started = _read_int(base.with_suffix(".started"))
            if result is None and (started is None or statement["State"] != "WAITING"):
                active = active or started is not None
                continue
            changes: dict[str, Any] = {}
            if started is not None:
                changes.update(StartedOn=started, State="RUNNING", Progress=0.0)
            if result is not None:
                changes["CompletedOn"] = result.pop("CompletedOn", None)
                changes["Progress"] = 1.0
                if result.pop("Cancelled", False):
                    changes["State"] = "CANCELLED"
                else:
                    changes["State"] = "AVAILABLE"
                    changes["Output"] = {**result, "ExecutionCount": statement["Id"]}
            active = True
            with store.write() as db:
                current = store.load_statement(db, catalog, session_id, statement["Id"])
                if current is None or current["State"] not in OPEN_STATEMENT_STATES:
                    continue
                if current["State"] == "CANCELLING" and changes.get("State") == "RUNNING":
                    changes["State"] = "CANCELLING"
                current.update({k: v for k, v in changes.items() if v is not None})
                store.put_statement(db, catalog, session_id, current)
        return active

    def _update(self, catalog: str, session_id: str, **changes: Any) -> None:
        store = self.env.store
        with store.write() as db:
            doc = store.load_session(db, catalog, session_id)
            if doc is not None:
                doc.update(changes)
                store.put_session(db, catalog, doc)

    def _end(self, catalog: str, session_id: str, status: str, message: Optional[str]) -> None:
        store = self.env.store
        with store.write() as db:
            doc = store.load_session(db, catalog, session_id)
            if doc is None:
                return
            doc["Status"] = status
            if message:
                doc["ErrorMessage"] = message[:2048]
            now = self.env.clock.now()
            doc["CompletedOn"] = now
            doc["ExecutionTime"] = max(0.0, (now - doc["CreatedOn"]).total_seconds())
            store.put_session(db, catalog, doc)
            left = "ERROR" if status == "FAILED" else "CANCELLED"
            for statement in store.load_statements(db, catalog, session_id):
                if statement["State"] not in OPEN_STATEMENT_STATES:
                    continue
                statement["State"] = left
                store.put_statement(db, catalog, session_id, statement)
        if status == "FAILED":
            log.warning("glue session %s failed: %s", session_id, message)


def _write_whole(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(path.name + ".part")
    with open(staged, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staged, path)


def _read_json(path: Path) -> Optional[dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_int(path: Path) -> Optional[int]:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _driver_pid(folder: Path) -> Optional[int]:
    return _read_int(folder / "driver.pid")


def _is_driver(pid: int, marker: str) -> bool:
    """Whether `pid` is still this session's driver (a pid may be reused once it has ended)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return marker in handle.read().decode("utf-8", "replace")
    except OSError:
        return False

