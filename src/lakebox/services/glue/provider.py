"""The Glue provider: one class composed of the catalog's area mixins, over one `CatalogStore`.

All state lives in `<data>/.lakebox/glue/catalog.db`, never in memory here, so a restart or
`kill -9` loses nothing. Crawlers, jobs and the other Glue areas join as further mixins.

Crawlers read the lake through the S3 provider's `LakeStore` (`lake`) and log through the CloudWatch
Logs provider (`logs`); their definitions and history are in `<data>/.lakebox/glue/crawlers.db`, and
their crawls and schedules run on the `CrawlWorker`'s threads, stopped in `close()`.
"""

from __future__ import annotations

from typing import Any

from ..base import Provider
from .catalog_settings import CatalogSettingsMixin
from .classifiers import ClassifiersMixin
from .column_stats import ColumnStatisticsMixin
from .connections import ConnectionsMixin
from .crawler_run import CrawlEnv, run_crawl
from .crawler_store import CrawlerStore
from .crawler_worker import CrawlWorker
from .crawlers import CrawlersMixin
from .databases import DatabasesMixin
from .functions import FunctionsMixin
from .indexes import PartitionIndexesMixin
from .jobs import JobsMixin
from .partition_batch import PartitionBatchMixin
from .partitions import PartitionsMixin
from .schema_registry import SchemaRegistryMixin
from .search import SearchTablesMixin
from .store import CatalogStore
from .table_versions import TableVersionsMixin
from .tables import TablesMixin
from .tags import TagsMixin
from .trigger_fire import TriggerEngine
from .triggers import TriggersMixin
from .workflows import WorkflowsMixin


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
    CrawlersMixin,
    ClassifiersMixin,
    CatalogSettingsMixin,
    JobsMixin,
    SchemaRegistryMixin,
    TriggersMixin,
    WorkflowsMixin,
    Provider,
):
    service_name = "glue"

    def __init__(self, config: Any, *, lake: Any = None, logs: Any = None):
        super().__init__(config)
        self.clock = config.clock
        self.store = CatalogStore(config.data_dir / ".lakebox" / "glue" / "catalog.db")
        self.crawler_store = CrawlerStore(config.data_dir / ".lakebox" / "glue" / "crawlers.db")
        env = CrawlEnv(lake=lake, catalog=self, logs=logs, crawler_store=self.crawler_store, clock=self.clock)
        self.crawl_worker = CrawlWorker(self.crawler_store, self.clock.now,
                                        lambda key, doc, crawl: run_crawl(env, key, doc, crawl))
        # Triggers and workflows (workflows.db) fire crawls through the worker and hear of their ends.
        self.trigger_engine = TriggerEngine(self.workflow_store, self.crawler_store, self.crawl_worker,
                                            self.job_store, self.clock)
        self.crawl_worker.on_crawl_end = self.trigger_engine.crawl_ended
        self.crawl_worker.start()
        self.clock.subscribe(self.crawl_worker.on_clock_jump)
        self.trigger_engine.start()

    def state(self) -> dict:
        return {"state": "running", "catalog": self.store.path, "crawlers": self.crawler_store.path,
                "jobs": self.job_store.path,
                "workflows": self.workflow_store.path, "settings": self.settings_store.path,
                "schemas": self.schema_store.path}

    def close(self) -> None:
        # Schedules, then crawls: a stopping crawl still writes its end to every store.
        self.trigger_engine.close()
        self.crawl_worker.close()
        self.workflow_store.close()
        self.crawler_store.close()
        self.job_store.close()
        self.settings_store.close()
        self.schema_store.close()
        self.store.close()
