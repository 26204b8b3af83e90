"""The CloudWatch Logs provider: the operation modules over one `LogsStore`.

`lake` is the S3 service's `LakeStore`, which export tasks write to (None: exports fail as if the
bucket did not exist).

Other services write their logs with `write_events` (see events.py):

    logs = providers["logs"]
    logs.write_events(account, region, "/aws-glue/crawlers", crawler_name, [(now_ms, "Crawl started")])
"""

from __future__ import annotations

from typing import Any

from ..base import Provider
from .deliveries import DeliveriesMixin
from .delivery_store import DeliveryStore
from .destinations import DestinationsMixin
from .events import EventsMixin
from .exports import ExportsMixin, fail_interrupted_exports
from .groups import GroupsMixin
from .input_errors import InputErrorsMixin
from .insights import InsightsMixin
from .metric_filters import MetricFiltersMixin
from .query_definitions import QueryDefinitionsMixin
from .resource_policies import ResourcePoliciesMixin
from .store import LogsStore
from .subscriptions import SubscriptionsMixin


class LogsProvider(GroupsMixin, EventsMixin, MetricFiltersMixin, QueryDefinitionsMixin, ResourcePoliciesMixin,
                   ExportsMixin, SubscriptionsMixin, DestinationsMixin, DeliveriesMixin, InsightsMixin,
                   InputErrorsMixin, Provider):
    service_name = "logs"

    def __init__(self, config: Any, *, lake: Any = None):
        super().__init__(config)
        self.lake = lake
        self.store = LogsStore(config.data_dir / ".lakebox" / "logs" / "logs.db")
        fail_interrupted_exports(self.store)
        self.delivery_store = DeliveryStore(config.data_dir / ".lakebox" / "logs" / "deliveries.db")
        self.open_insights(config.data_dir / ".lakebox" / "logs" / "insights.db")

    def state(self) -> dict:
        return {"state": "running", "database": str(self.store.path)}

    def close(self) -> None:
        self.close_insights()
        self.delivery_store.close()
        self.store.close()
