"""A background thread that runs one pass every `interval` seconds until stopped.

Why shared: the S3 lifecycle worker and the Glue crawler scheduler both run a pass on a timer of
wall time, must survive a pass that fails (logged, then the next one runs), and must stop promptly
at shutdown. Clock jumps are not its business: their owners run a pass synchronously then.
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
