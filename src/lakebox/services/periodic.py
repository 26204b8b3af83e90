"""A background thread that runs one pass every `interval` seconds until stopped.

Why shared: the S3 lifecycle and inventory workers and the Glue schedulers all run a pass on a
timer of wall time, must survive a pass that fails (logged, then the next one runs), and must stop
promptly at shutdown. Clock jumps are not `PeriodicPass`'s business: their owners run a pass
synchronously then; `ClockedWorker` is that owner for workers whose pass is all they do.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Optional


class PeriodicPass:
    def __init__(self, name: str, interval: float, run: Callable[[], object], log: logging.Logger):
        self.name, self.interval, self._run, self._log = name, interval, run, log
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._run()
            except Exception:  # noqa: BLE001 - the thread must outlive one bad pass
                self._log.exception("%s: pass failed", self.name)


class ClockedWorker:
    """A worker whose `run_once` runs every `interval` seconds of wall time and, synchronously, when
    the service clock jumps (subscribe `on_clock_jump`), so a clock call returns with its effects."""

    def __init__(self, name: str, interval: float, log: logging.Logger):
        self._timer = PeriodicPass(name, interval, self.run_once, log)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def on_clock_jump(self, now: object) -> None:
        self.run_once()

    def run_once(self) -> object:  # pragma: no cover - interface
        raise NotImplementedError
