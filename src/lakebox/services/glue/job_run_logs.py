"""A job run's driver output, shipped to CloudWatch Logs as Glue ships it, while the run goes on.

Why tailing: Glue's logs show up during a run, not only after it, so the run's watcher calls `pump()`
every few tenths of a second; each complete new line of a driver file becomes one event, stamped with
the service clock, in `<group>/output` (stdout) or `<group>/error` (stderr), stream = the JobRunId.
The group is `/aws-glue/jobs` for Spark jobs and `/aws-glue/python-jobs` for Python shell jobs. The
last `pump(final=True)` also sends a last line that has no newline.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

log = logging.getLogger("lakebox.glue.jobs")

#: CloudWatch Logs' largest event is 256 KiB, 26 bytes of which are overhead.
MAX_EVENT_BYTES = 262_118
#: Bytes read from one file in one pump, so a chatty driver cannot hold the watcher for long.
MAX_READ = 4 * 1024 * 1024


class _Tail:
    def __init__(self, path: str):
        self.path, self.offset, self.partial = path, 0, b""

    def read_lines(self, final: bool) -> list[str]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                data = handle.read(MAX_READ)
        except FileNotFoundError:
            return []
        self.offset += len(data)
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = lines.pop()
        if final and self.partial:
            lines.append(self.partial)
            self.partial = b""
        # CloudWatch Logs has no empty events: blank lines are left out.
        return [line.rstrip(b"\r")[:MAX_EVENT_BYTES].decode("utf-8", "replace") for line in lines if line.strip()]


class DriverLogs:
    """The run's two log streams; files are attached once the driver has them."""

    def __init__(self, logs: Any, key: str, group: str, run_id: str, now_ms: Callable[[], int]):
        self.logs, self.run_id, self.now_ms = logs, run_id, now_ms
        self.region, _, self.account = key.partition(":")
        self.output, self.error = f"{group}/output", f"{group}/error"
        self._tails: list[tuple[str, _Tail]] = []
        self._notes: list[tuple[str, str]] = []

    def attach(self, group: str, path: str) -> None:
        self._tails.append((group, _Tail(path)))

    def note(self, text: str, *, error: bool = True) -> None:
        """A line from lakebox itself (why a run could not start, say), sent with the next pump."""
        self._notes.append((self.error if error else self.output, text))

    def pump(self, final: bool = False) -> None:
        events: dict[str, list[tuple[int, str]]] = {}
        stamp = self.now_ms()
        for group, text in self._notes:
            events.setdefault(group, []).append((stamp, text))
        self._notes = []
        for group, tail in self._tails:
            for line in tail.read_lines(final):
                events.setdefault(group, []).append((stamp, line))
        if self.logs is None:
            return
        for group, batch in events.items():
            try:
                self.logs.write_events(self.account, self.region, group, self.run_id, batch)
            except Exception:  # noqa: BLE001 - a log write must not end the run; logged once per pump
                log.exception("could not write %d log events of job run %s to %s", len(batch), self.run_id, group)
