"""The batch partition operations. As on AWS they are not atomic: each item that fails is reported
in `Errors` (or, for reads, left out) and changes nothing, and every other item is applied, all in
one transaction."""

from __future__ import annotations

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .errors import AwsError, error_detail
from .partitions import (
    delete_partition,
    insert_partition,
    load_partition,
    update_partition,
)
from .store import CatalogStore


class PartitionBatchMixin:
    store: CatalogStore
    clock: ServiceClock

    def batch_create_partition(self, ctx: RequestContext, params: dict) -> dict:
        errors = []
        with self.store.write() as db:
            catalog, table = self._table(db, ctx, params)
            now = self.clock.now()
            for given in params["PartitionInputList"]:
                try:
                    insert_partition(db, catalog, table, given, now)
                except AwsError as error:
                    errors.append({"PartitionValues": given.get("Values") or [], "ErrorDetail": error_detail(error)})
        return {"Errors": errors}

    def batch_get_partition(self, ctx: RequestContext, params: dict) -> dict:
        conn = self.store.reader()
        catalog, table = self._table(conn, ctx, params)
        partitions = []
        for wanted in params["PartitionsToGet"]:
            try:
                partitions.append(load_partition(conn, catalog, table, wanted["Values"]))
            except AwsError as error:
                if error.code != "EntityNotFoundException":
                    raise
        # Missing partitions are simply absent; UnprocessedKeys is for throttled keys, which lakebox has none of.
        return {"Partitions": partitions, "UnprocessedKeys": []}

    def batch_update_partition(self, ctx: RequestContext, params: dict) -> dict:
        errors = []
        with self.store.write() as db:
            catalog, table = self._table(db, ctx, params)
            for entry in params["Entries"]:
                try:
                    update_partition(db, catalog, table, entry["PartitionValueList"], entry["PartitionInput"])
                except AwsError as error:
                    errors.append({"PartitionValueList": entry["PartitionValueList"],
                                   "ErrorDetail": error_detail(error)})
        return {"Errors": errors}

    def batch_delete_partition(self, ctx: RequestContext, params: dict) -> dict:
        errors = []
        with self.store.write() as db:
            catalog, table = self._table(db, ctx, params)
            for wanted in params["PartitionsToDelete"]:
                try:
                    delete_partition(db, catalog, table, wanted["Values"])
                except AwsError as error:
                    errors.append({"PartitionValues": wanted["Values"], "ErrorDetail": error_detail(error)})
        return {"Errors": errors}
