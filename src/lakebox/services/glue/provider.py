"""The Glue provider: one class composed of the catalog's area mixins, over one `CatalogStore`.

All state lives in `<data>/.lakebox/glue/catalog.db`, never in memory here, so a restart or
`kill -9` loses nothing. Crawlers, jobs and the other Glue areas join as further mixins.

Crawlers read the lake through the S3 provider's `LakeStore` (`lake`) and log through the CloudWatch
Logs provider (`logs`); their definitions and history are in `<data>/.lakebox/glue/crawlers.db`, and
their crawls and schedules run on the `CrawlWorker`'s threads, stopped in `close()`.

Job runs (`<data>/.lakebox/glue/job_runs.db`) run their scripts on the Spark engine from the
`JobRunWorker`'s threads: the drivers read scripts from the lake, log to CloudWatch Logs and call back
into this server at its endpoint; `close()` stops them. Triggers and workflow runs hear of crawls' and
job runs' ends through the `TriggerEngine`.

Interactive sessions (`<data>/.lakebox/glue/sessions.db`) each keep a Spark driver running
statements, watched by the `SessionWorker`'s threads; `close()` stops them.

Data Quality rulesets, evaluation runs and results (`<data>/.lakebox/glue/data_quality.db`) evaluate
DQDL against the catalog's tables on the `DataQualityRunner`'s threads, through the Athena SQL engine
over the lake; `close()` stops them.
"""

from __future__ import annotations

from typing import Any

from ...engines.spark import status as spark_status
from ..base import Provider
from ..job_drivers import driver_environment, server_endpoint
from .catalog_settings import CatalogSettingsMixin
from .classifiers import ClassifiersMixin
from .column_stats import ColumnStatisticsMixin
from .column_stats_runs import ColumnStatisticsTaskRunsMixin
from .column_stats_settings import ColumnStatisticsSettingsMixin, StatsScheduler
from .connections import ConnectionsMixin
from .crawler_run import CrawlEnv, run_crawl
from .crawler_store import CrawlerStore
from .crawler_worker import CrawlWorker
from .crawlers import CrawlersMixin
from .data_quality import DataQualityMixin
from .databases import DatabasesMixin
from .functions import FunctionsMixin
from .indexes import PartitionIndexesMixin
from .job_run_worker import JobRunEnv, JobRunWorker
from .job_runs import JobRunsMixin
from .jobs import JobsMixin
from .partition_batch import PartitionBatchMixin
from .partitions import PartitionsMixin
from .schema_registry import SchemaRegistryMixin
from .search import SearchTablesMixin
from .session_store import SessionStore
from .session_worker import SessionEnv, SessionWorker
from .sessions import SessionsMixin
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
    ColumnStatisticsTaskRunsMixin,
    ColumnStatisticsSettingsMixin,
    FunctionsMixin,
    ConnectionsMixin,
    TagsMixin,
    CrawlersMixin,
    ClassifiersMixin,
    CatalogSettingsMixin,
    JobsMixin,
    JobRunsMixin,
    SessionsMixin,
    SchemaRegistryMixin,
    TriggersMixin,
    WorkflowsMixin,
    DataQualityMixin,
    Provider,
):
    service_name = "glue"

    def __init__(self, config: Any, *, lake: Any = None, logs: Any = None):
        super().__init__(config)
        self.clock = config.clock
        self.lake = lake
        self.store = CatalogStore(config.data_dir / ".lakebox" / "glue" / "catalog.db")
        # Data Quality runs read the catalog's tables through the Athena SQL engine over the lake.
        self.start_data_quality()
        self.start_column_statistics()   # its runs are kept beside Data Quality's, and read the same way
        self.stats_scheduler = StatsScheduler(self, self.dq_store, self.clock)
        self.crawler_store = CrawlerStore(config.data_dir / ".lakebox" / "glue" / "crawlers.db")
        env = CrawlEnv(lake=lake, catalog=self, logs=logs, crawler_store=self.crawler_store, clock=self.clock)
        self.crawl_worker = CrawlWorker(self.crawler_store, self.clock.now,
                                        lambda key, doc, crawl: run_crawl(env, key, doc, crawl))
        self.job_runner = JobRunWorker(JobRunEnv(
            store=self.job_run_store, job_store=self.job_store, clock=self.clock, data_dir=config.data_dir,
            lake=lake, logs=logs, endpoint=lambda: server_endpoint(config),
            identity=lambda account, region: driver_environment(config, account, region),
            spark_master=config.spark_master))
        self.job_runner.recover()
        self.session_store = SessionStore(config.data_dir / ".lakebox" / "glue" / "sessions.db")
        self.session_worker = SessionWorker(SessionEnv(
            store=self.session_store, clock=self.clock, data_dir=config.data_dir, lake=lake,
            endpoint=lambda: server_endpoint(config),
            identity=lambda account, region: driver_environment(config, account, region),
            spark_master=config.spark_master))
        self.session_worker.recover()
        # Triggers and workflows (workflows.db) fire crawls and job runs through the workers and hear
        # of their ends.
        self.trigger_engine = TriggerEngine(self.workflow_store, self.crawler_store, self.crawl_worker,
                                            self.job_runner, self.clock)
        self.crawl_worker.on_crawl_end = self.trigger_engine.crawl_ended
        self.job_runner.on_run_end = self.trigger_engine.job_ended
        self.crawl_worker.start()
        self.clock.subscribe(self.crawl_worker.on_clock_jump)
        self.trigger_engine.start()
        self.stats_scheduler.start()
        self.clock.subscribe(self.stats_scheduler.on_clock_jump)

    def state(self) -> dict:
        return {"state": "running", "catalog": self.store.path, "crawlers": self.crawler_store.path,
                "jobs": self.job_store.path, "job_runs": self.job_run_store.path, "sessions": self.session_store.path,
                "workflows": self.workflow_store.path, "settings": self.settings_store.path,
                "schemas": self.schema_store.path, "data_quality": self.dq_store.path, "spark": spark_status()}

    def close(self) -> None:
        # Schedules, then job runs and crawls: a stopping run or crawl still writes its end to every store.
        self.trigger_engine.close()
        self.stats_scheduler.stop()
        self.stats_runner.close()
        self.close_data_quality()
        self.job_runner.close()
        self.session_worker.close()
        self.crawl_worker.close()
        self.workflow_store.close()
        self.crawler_store.close()
        self.job_run_store.close()
        self.session_store.close()
        self.job_store.close()
        self.settings_store.close()
        self.schema_store.close()
        self.store.close()
