"""The CloudWatch Logs provider: the operation modules over one `LogsStore`.

Other services write their logs with `write_events` (see events.py):

    logs = providers["logs"]
    logs.write_events(account, region, "/aws-glue/crawlers", crawler_name, [(now_ms, "Crawl started")])
"""

from __future__ import annotations

from typing import Any

from ..base import Provider
from .events import EventsMixin
from .groups import GroupsMixin
from .store import LogsStore


class LogsProvider(GroupsMixin, EventsMixin, Provider):
    service_name = "logs"

    def __init__(self, config: Any):
        super().__init__(config)
        self.store = LogsStore(config.data_dir / ".lakebox" / "logs" / "logs.db")

    def state(self) -> dict:
        return {"state": "running", "database": str(self.store.path)}

    def close(self) -> None:
        self.store.close()
