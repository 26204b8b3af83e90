"""Column statistics of tables and partitions: Update, Get and Delete, stored as given.

Statistics are kept per column name, case-insensitively (Glue's column names are case-insensitive);
a table's own statistics have the partition key '' (`vkey`), a partition's its values key.
"""

from __future__ import annotations

import sqlite3
from typing import Optional

from ...protocol.context import RequestContext
from .common import catalog_key, load_table, lower
from .errors import AwsError, entity_not_found, error_detail
from .partitions import load_partition
from .store import CatalogStore, decode, encode, values_key


def _column_not_found(name: str) -> AwsError:
    return entity_not_found(f"Column {name} not found.")


def _columns(table: dict) -> set[str]:
    columns = (table.get("StorageDescriptor") or {}).get("Columns") or []
    return {c["Name"].lower() for c in columns}


def store_statistics(db: sqlite3.Connection, catalog: str, table: dict, key: str, stats: dict) -> None:
    """Keep one column's statistics (of the table, `key` '', or of a partition), replacing any earlier."""
    db.execute("INSERT OR REPLACE INTO column_stats (catalog, db, tbl, vkey, col, doc) VALUES (?, ?, ?, ?, ?, ?)",
               (catalog, table["DatabaseName"], table["Name"], key, stats["ColumnName"].lower(), encode(stats)))


class ColumnStatisticsMixin:
    store: CatalogStore

    def _stats_target(self, conn: sqlite3.Connection, ctx: RequestContext, params: dict,
                      partition: bool) -> tuple[str, dict, str]:
        catalog = catalog_key(ctx, params)
        table = load_table(conn, catalog, lower(params["DatabaseName"]), lower(params["TableName"]))
        key = ""
        if partition:
            load_partition(conn, catalog, table, params["PartitionValues"])
            key = values_key(params["PartitionValues"])
        return catalog, table, key

    def _update_stats(self, ctx: RequestContext, params: dict, partition: bool) -> dict:
        errors = []
        with self.store.write() as db:
            catalog, table, key = self._stats_target(db, ctx, params, partition)
            known = _columns(table)
            for stats in params["ColumnStatisticsList"]:
                column = stats["ColumnName"]
                if column.lower() not in known:
                    errors.append({"ColumnStatistics": stats, "Error": error_detail(_column_not_found(column))})
                    continue
                store_statistics(db, catalog, table, key, stats)
        return {"Errors": errors}

    def _get_stats(self, ctx: RequestContext, params: dict, partition: bool) -> dict:
        conn = self.store.reader()
        catalog, table, key = self._stats_target(conn, ctx, params, partition)
        found, errors = [], []
        for column in params["ColumnNames"]:
            row = conn.execute("SELECT doc FROM column_stats WHERE catalog = ? AND db = ? AND tbl = ? AND vkey = ? "
                               "AND col = ?", (catalog, table["DatabaseName"], table["Name"], key,
                                               column.lower())).fetchone()
            if row is None:
                errors.append({"ColumnName": column, "Error": error_detail(_column_not_found(column))})
            else:
                found.append(decode(row["doc"]))
        return {"ColumnStatisticsList": found, "Errors": errors}

    def _delete_stats(self, ctx: RequestContext, params: dict, partition: bool) -> dict:
        with self.store.write() as db:
            catalog, table, key = self._stats_target(db, ctx, params, partition)
            column: Optional[str] = params["ColumnName"]
            deleted = db.execute("DELETE FROM column_stats WHERE catalog = ? AND db = ? AND tbl = ? AND vkey = ? "
                                 "AND col = ?", (catalog, table["DatabaseName"], table["Name"], key,
                                                 column.lower())).rowcount
            if not deleted:
                raise entity_not_found(f"Column statistics of column {column} not found.")
        return {}

    def update_column_statistics_for_table(self, ctx: RequestContext, params: dict) -> dict:
        return self._update_stats(ctx, params, partition=False)

    def update_column_statistics_for_partition(self, ctx: RequestContext, params: dict) -> dict:
        return self._update_stats(ctx, params, partition=True)

    def get_column_statistics_for_table(self, ctx: RequestContext, params: dict) -> dict:
        return self._get_stats(ctx, params, partition=False)

    def get_column_statistics_for_partition(self, ctx: RequestContext, params: dict) -> dict:
        return self._get_stats(ctx, params, partition=True)

    def delete_column_statistics_for_table(self, ctx: RequestContext, params: dict) -> dict:
        return self._delete_stats(ctx, params, partition=False)

    def delete_column_statistics_for_partition(self, ctx: RequestContext, params: dict) -> dict:
        return self._delete_stats(ctx, params, partition=True)
