"""The Glue provider: one class composed of the catalog's area mixins, over one `CatalogStore`.

All state lives in `<data>/.lakebox/glue/catalog.db`, never in memory here, so a restart or
`kill -9` loses nothing. Crawlers, jobs and the other Glue areas join as further mixins.
"""

from __future__ import annotations

from typing import Any

from ..base import Provider
from .column_stats import ColumnStatisticsMixin
from .connections import ConnectionsMixin
from .databases import DatabasesMixin
from .functions import FunctionsMixin
from .indexes import PartitionIndexesMixin
from .partition_batch import PartitionBatchMixin
from .partitions import PartitionsMixin
from .search import SearchTablesMixin
from .store import CatalogStore
from .table_versions import TableVersionsMixin
from .tables import TablesMixin
from .tags import TagsMixin


class GlueProvider(
    DatabasesMixin,
    TablesMixin,
    TableVersionsMixin,
    SearchTablesMixin,
    PartitionsMixin,
    PartitionBatchMixin,
    PartitionIndexesMixin,
    ColumnStatisticsMixin,
    FunctionsMixin,
    ConnectionsMixin,
    TagsMixin,
    Provider,
):
    service_name = "glue"

    def __init__(self, config: Any):
        super().__init__(config)
        self.clock = config.clock
        self.store = CatalogStore(config.data_dir / ".lakebox" / "glue" / "catalog.db")

    def state(self) -> dict:
        return {"state": "running", "catalog": self.store.path}

    def close(self) -> None:
        self.store.close()
