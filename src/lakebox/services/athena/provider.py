"""The Athena provider: one class composed of the area mixins, over one `AthenaStore`.

Executions run on the `QueryRunner`'s threads through the SQL engine, which reads the lake (`lake`,
the S3 provider's `LakeStore`) and the Glue catalog (`catalog`, a `GlueCatalog`); the catalog views
(ListDatabases ...) call the Glue provider (`glue`) directly. All state is in
`<data>/.lakebox/athena/athena.db`, written through on every change.
"""

from __future__ import annotations

from typing import Any, Optional

from ..base import Provider
from .capacity_reservations import CapacityReservationsMixin
from .data_catalogs import DataCatalogsMixin, check_query_catalog
from .executions import ExecutionsMixin
from .metadata import MetadataMixin
from .named_queries import NamedQueriesMixin
from .prepared import PreparedStatementsMixin
from .result_storage import ResultStorage
from .runner import QueryRunner
from .store import AthenaStore
from .tags import TagsMixin
from .workgroups import WorkGroupsMixin


class AthenaProvider(
    ExecutionsMixin,
    WorkGroupsMixin,
    NamedQueriesMixin,
    PreparedStatementsMixin,
    DataCatalogsMixin,
    CapacityReservationsMixin,
    MetadataMixin,
    TagsMixin,
    Provider,
):
    service_name = "athena"

    def __init__(self, config: Any, *, lake: Any, glue: Any, catalog: Optional[Any] = None):
        super().__init__(config)
        self.clock = config.clock
        self.lake = lake
        self.glue = glue
        self.catalog = catalog
        self.store = AthenaStore(config.data_dir / ".lakebox" / "athena" / "athena.db")
        # Result files: the lake for S3 output locations, a private folder for managed query results.
        self.results = ResultStorage(lake, str(config.data_dir / ".lakebox" / "athena" / "managed-results"))
        self.runner = QueryRunner(self.store, self.results, lambda account, region: self._new_engine(account, region),
                                  self.clock.now)
        self.runner.fail_interrupted()

    def _new_engine(self, account: str, region: str):
        # Imported here: the engine (DuckDB, sqlglot) loads on the first query, not at server start.
        from ...engines.sql.engine import SqlEngine

        if self.catalog is None:
            from ..glue.catalog_api import GlueCatalog

            self.catalog = GlueCatalog(self.glue)
        return SqlEngine(self.lake, self.catalog, account, region,
                         catalogs=lambda name: check_query_catalog(self.store, f"{account}:{region}", name))

    def state(self) -> dict:
        return {"state": "running", "store": self.store.path}

    def close(self) -> None:
        self.runner.close()
        self.store.close()
