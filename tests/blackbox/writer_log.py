"""Tail the JSON-lines log that a kill -9 test's writer process keeps.

The kill tests poll the log every millisecond until the writer is mid-batch. Re-reading the whole
file on each poll grows with the log and, on a slow machine, let the writer finish its run between
two polls; this reader parses only the lines added since the last poll.
"""

from __future__ import annotations

import json
from pathlib import Path


class WriterLog:
    """The events a writer has logged so far; `poll()` adds the complete lines written since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.events: list[dict] = []
        self._offset = 0

    def poll(self) -> list[dict]:
        if not self.path.exists():
            return self.events
        with open(self.path, "rb") as log:
            log.seek(self._offset)
            chunk = log.read()
        complete = chunk[:chunk.rfind(b"\n") + 1]  # a line still being written waits for the next poll
        self._offset += len(complete)
        self.events += [json.loads(line) for line in complete.splitlines() if line.strip()]
        return self.events

    @property
    def last(self) -> dict:
        return self.events[-1] if self.events else {}
