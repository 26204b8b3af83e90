"""Partitions: Create, Get, GetPartitions (NextToken, MaxResults, Segment, Expression), Update and
Delete. The batch forms are in partition_batch.py and share the one-item helpers here.

A partition is keyed by its values (`values_key`); `id` is its insertion order, which pages follow,
so a page token stays valid while partitions are added or removed.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from typing import Callable, Optional

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import (
    catalog_key,
    check_partition_values,
    load_table,
    lower,
    make_token,
    read_token,
)
from .errors import already_exists, invalid_input, invalid_state, partition_not_found
from .partition_expression import ExpressionError, PartitionValueError, compile_filter
from .store import CatalogStore, decode, encode, values_key

_DEFAULT_PAGE = 1000
#: Rows read from SQLite at a time while filtering a page.
_SCAN_BATCH = 500


def insert_partition(db: sqlite3.Connection, catalog: str, table: dict, given: dict, now) -> None:
    values = list(given.get("Values") or [])
    check_partition_values(table, values)
    key = values_key(values)
    if _find(db, catalog, table, key) is not None:
        raise already_exists("Partition already exists.")
    doc = {**given, "Values": values, "DatabaseName": table["DatabaseName"], "TableName": table["Name"],
           "CatalogId": table["CatalogId"], "CreationTime": now}
    db.execute("INSERT INTO partitions (catalog, db, tbl, vkey, doc) VALUES (?, ?, ?, ?, ?)",
               (catalog, table["DatabaseName"], table["Name"], key, encode(doc)))


def update_partition(db: sqlite3.Connection, catalog: str, table: dict, values: list[str], given: dict) -> None:
    check_partition_values(table, values)
    key = values_key(values)
    row = _find(db, catalog, table, key)
    if row is None:
        raise partition_not_found()
    if given.get("Values") is not None and list(given["Values"]) != values:
        # AWS: "The Values property can't be changed"; a partition moves by delete and create.
        raise invalid_input("The Values property of a partition can't be changed; delete and recreate "
                            "the partition to change its values.")
    old = decode(row["doc"])
    doc = {**given, "Values": values, "DatabaseName": table["DatabaseName"], "TableName": table["Name"],
           "CatalogId": table["CatalogId"], "CreationTime": old["CreationTime"]}
    db.execute("UPDATE partitions SET doc = ? WHERE id = ?", (encode(doc), row["id"]))


def delete_partition(db: sqlite3.Connection, catalog: str, table: dict, values: list[str]) -> None:
    check_partition_values(table, values)
    key = values_key(values)
    deleted = db.execute("DELETE FROM partitions WHERE catalog = ? AND db = ? AND tbl = ? AND vkey = ?",
                         (catalog, table["DatabaseName"], table["Name"], key)).rowcount
    if not deleted:
        raise partition_not_found()
    db.execute("DELETE FROM column_stats WHERE catalog = ? AND db = ? AND tbl = ? AND vkey = ?",
               (catalog, table["DatabaseName"], table["Name"], key))


def load_partition(conn: sqlite3.Connection, catalog: str, table: dict, values: list[str]) -> dict:
    check_partition_values(table, values)
    row = _find(conn, catalog, table, values_key(values))
    if row is None:
        raise partition_not_found()
    return decode(row["doc"])


def _find(conn: sqlite3.Connection, catalog: str, table: dict, key: str) -> Optional[sqlite3.Row]:
    return conn.execute("SELECT id, doc FROM partitions WHERE catalog = ? AND db = ? AND tbl = ? AND vkey = ?",
                        (catalog, table["DatabaseName"], table["Name"], key)).fetchone()


def _expression_filter(expression: str, table: dict) -> Callable[[list[str]], bool]:
    try:
        return compile_filter(expression, table.get("PartitionKeys") or [])
    except ExpressionError as exc:
        raise invalid_input(getattr(exc, "message", None) or str(exc)) from None


def _segment_filter(segment: Optional[dict]) -> Callable[[str], bool]:
    if not segment:
        return lambda key: True
    number, total = segment["SegmentNumber"], segment["TotalSegments"]
    if not 0 <= number < total:
        raise invalid_input("SegmentNumber must be less than TotalSegments.")
    # A stable hash of the values: the same partition is in the same segment on every call.
    return lambda key: zlib.crc32(key.encode("utf-8")) % total == number


def _kept(matches: Optional[Callable[[list[str]], bool]], key: str) -> bool:
    if matches is None:
        return True
    try:
        return matches(json.loads(key))
    except PartitionValueError as exc:
        # The request is fine but a stored value does not fit its key's type: AWS's InvalidStateException.
        raise invalid_state(str(exc)) from None


class PartitionsMixin:
    store: CatalogStore
    clock: ServiceClock

    def _table(self, conn: sqlite3.Connection, ctx: RequestContext, params: dict) -> tuple[str, dict]:
        catalog = catalog_key(ctx, params)
        return catalog, load_table(conn, catalog, lower(params["DatabaseName"]), lower(params["TableName"]))

    def create_partition(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            catalog, table = self._table(db, ctx, params)
            insert_partition(db, catalog, table, params["PartitionInput"], self.clock.now())
        return {}

    def get_partition(self, ctx: RequestContext, params: dict) -> dict:
        conn = self.store.reader()
        catalog, table = self._table(conn, ctx, params)
        return {"Partition": load_partition(conn, catalog, table, params["PartitionValues"])}

    def update_partition(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            catalog, table = self._table(db, ctx, params)
            update_partition(db, catalog, table, params["PartitionValueList"], params["PartitionInput"])
        return {}

    def delete_partition(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            catalog, table = self._table(db, ctx, params)
            delete_partition(db, catalog, table, params["PartitionValues"])
        return {}

    def get_partitions(self, ctx: RequestContext, params: dict) -> dict:
        conn = self.store.reader()
        catalog, table = self._table(conn, ctx, params)
        in_segment = _segment_filter(params.get("Segment"))
        expression = (params.get("Expression") or "").strip()
        matches = _expression_filter(expression, table) if expression else None
        after = read_token(params.get("NextToken"))
        if after is not None and not isinstance(after, int):
            raise invalid_input("Invalid pagination token.")
        limit = params.get("MaxResults") or _DEFAULT_PAGE
        found: list[tuple[int, str]] = []
        more = False
        position = after or 0
        while not more:
            rows = self.store.read("SELECT id, vkey, doc FROM partitions WHERE catalog = ? AND db = ? AND tbl = ? "
                                   "AND id > ? ORDER BY id LIMIT ?",
                                   (catalog, table["DatabaseName"], table["Name"], position, _SCAN_BATCH))
            for row in rows:
                if not in_segment(row["vkey"]) or not _kept(matches, row["vkey"]):
                    continue
                if len(found) == limit:
                    more = True  # one more match exists: this page ends with a token
                    break
                found.append((row["id"], row["doc"]))
            if len(rows) < _SCAN_BATCH:
                break
            position = rows[-1]["id"]
        partitions = [decode(doc) for _, doc in found]
        if params.get("ExcludeColumnSchema"):
            for partition in partitions:
                (partition.get("StorageDescriptor") or {}).pop("Columns", None)
        return {"Partitions": partitions, "NextToken": make_token(found[-1][0]) if more else None}
