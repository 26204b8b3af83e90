"""lakebox's one service clock: real time plus an offset that users can only move forward.

Everything time-based (object timestamps, lifecycle, restores, and later stream retention, iterator
expiry and schedules) reads `ServiceClock.now()`, so `lakebox clock advance 31d` lets a 30-day
lifecycle rule be watched in seconds. Signature checks never use it: they use the wall clock, so
moving the service clock never locks a client out.

The offset is persisted in `<data>/.lakebox/clock.json` (temp file, fsync, rename), so a restart keeps
the service time where users left it. Listeners registered with `subscribe` run right after a jump.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Optional

log = logging.getLogger("lakebox.clock")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


class ClockError(ValueError):
    """A duration or time the clock cannot accept (the message says why)."""


def parse_duration(text: str) -> dt.timedelta:
    """`"31d"`, `"90m"`, `"1d12h"`, `"45s"` -> timedelta. Units: s, m, h, d."""
    text = (text or "").strip().lower().replace(" ", "")
    if not text:
        raise ClockError("empty duration; use a number and a unit s, m, h or d, like 31d")
    pos = 0
    seconds = 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        seconds += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text):
        raise ClockError(f"bad duration {text!r}; use a number and a unit s, m, h or d, like 31d or 1d12h")
    return dt.timedelta(seconds=seconds)


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time; naive times are taken as UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise ClockError(f"bad time {text!r}; use ISO 8601, like 2027-01-01T00:00:00Z") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def wall_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ServiceClock:
    def __init__(self, state_file: Optional[Path] = None):
        self._state_file = Path(state_file) if state_file else None
        self._lock = threading.Lock()
        self._listeners: list[Callable[[dt.datetime], None]] = []
        self._offset = dt.timedelta(0)
        if self._state_file and self._state_file.exists():
            try:
                saved = json.loads(self._state_file.read_text())
                self._offset = dt.timedelta(seconds=float(saved.get("offset_seconds", 0)))
            except (OSError, ValueError) as exc:
                log.warning("ignoring unreadable clock state %s: %s", self._state_file, exc)

    @property
    def offset(self) -> dt.timedelta:
        return self._offset

    def now(self) -> dt.datetime:
        return wall_now() + self._offset

    def now_ns(self) -> int:
        """The service time in nanoseconds since the epoch (what stored timestamps use)."""
        offset = self._offset
        return time.time_ns() + (offset.days * 86400 + offset.seconds) * 10**9 + offset.microseconds * 1000

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        if delta < dt.timedelta(0):
            raise ClockError("the service clock only moves forward")
        with self._lock:
            self._offset += delta
            self._save()
            now = self.now()
        log.info("service clock advanced by %s to %s", delta, now.isoformat())
        self._notify(now)
        return now

    def set(self, when: dt.datetime) -> dt.datetime:
        with self._lock:
            delta = when - self.now()
            if delta < dt.timedelta(0):
                raise ClockError(f"the service clock only moves forward; it is already {self.now().isoformat()}")
            self._offset += delta
            self._save()
            now = self.now()
        log.info("service clock set to %s", now.isoformat())
        self._notify(now)
        return now

    def subscribe(self, listener: Callable[[dt.datetime], None]) -> None:
        """Call `listener(now)` after every jump (lifecycle and retention workers react at once)."""
        self._listeners.append(listener)

    def describe(self) -> dict:
        now = self.now()
        return {"now": now.isoformat().replace("+00:00", "Z"), "offset_seconds": self._offset.total_seconds(),
                "wall": wall_now().isoformat().replace("+00:00", "Z")}

    def _notify(self, now: dt.datetime) -> None:
        for listener in list(self._listeners):
            try:
                listener(now)
            except Exception:  # noqa: BLE001 - one broken listener must not stop the others
                log.exception("clock listener %r failed", listener)

    def _save(self) -> None:
        if self._state_file is None:
            return
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"offset_seconds": self._offset.total_seconds()}).encode()
        fd, tmp = tempfile.mkstemp(dir=self._state_file.parent, prefix=".clock-")
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self._state_file)
