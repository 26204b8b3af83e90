"""Interrupting the DuckDB connection of a query whose execution was cancelled, from one shared thread.

StopQueryExecution and the workgroup's bytes-scanned cutoff set the execution's cancel event; the
connection running its query must then be interrupted. One thread watches the events of every
running query (every 20 ms, and not at all while nothing runs), so that starting a query does not
start a thread: that cost about 2 ms of each query's time, more on a busy machine.

Imports nothing of lakebox.
"""

from __future__ import annotations

import threading
import time
from typing import Any

POLL_S = 0.02


class CancelWatcher:
    def __init__(self, poll_s: float = POLL_S):
        self._poll_s = poll_s
        self._changed = threading.Condition()
        self._watched: dict[int, tuple[threading.Event, Any]] = {}
        self._last_key = 0
        self._thread: threading.Thread | None = None

    def watch(self, cancel: threading.Event, con: Any) -> int:
        """Interrupt `con` once `cancel` is set, until `unwatch` with the returned key."""
        with self._changed:
            self._last_key += 1
            self._watched[self._last_key] = (cancel, con)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sql-cancel-watch", daemon=True)
                self._thread.start()
            self._changed.notify()
            return self._last_key

    def unwatch(self, key: int) -> None:
        with self._changed:
            self._watched.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._watched:
                    self._changed.wait()
                # Interrupted again at every pass until unwatched: an interrupt that lands just before
                # the query starts is lost.
                connections = [con for cancel, con in self._watched.values() if cancel.is_set()]
            for con in connections:
                try:
                    con.interrupt()
                except Exception:  # the connection already closed: the query had finished
                    pass
            time.sleep(self._poll_s)


WATCHER = CancelWatcher()
