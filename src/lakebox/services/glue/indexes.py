"""Partition indexes: CreatePartitionIndex (or `PartitionIndexes` on CreateTable), GetPartitionIndexes
and DeletePartitionIndex. They are stored and reported ACTIVE; lookups do not need them to be fast."""

from __future__ import annotations

import sqlite3

from ...protocol.context import RequestContext
from .common import (
    MAX_PARTITION_INDEXES_PER_TABLE,
    catalog_key,
    load_table,
    lower,
    page,
)
from .errors import already_exists, entity_not_found, invalid_input, limit_exceeded
from .store import CatalogStore, decode, encode


def add_partition_index(db: sqlite3.Connection, catalog: str, table: dict, index: dict) -> None:
    """Record one index of `table` inside the caller's transaction."""
    database, name = table["DatabaseName"], table["Name"]
    key_types = {k["Name"]: k.get("Type") for k in table.get("PartitionKeys") or []}
    keys = index.get("Keys") or []
    if not keys:
        raise invalid_input("Partition index keys cannot be empty.")
    for key in keys:
        if key not in key_types:
            raise invalid_input(f"Partition index key {key} is not a partition key of table {name}.")
    index_name = index["IndexName"]
    if db.execute("SELECT 1 FROM partition_indexes WHERE catalog = ? AND db = ? AND tbl = ? AND name = ?",
                  (catalog, database, name, index_name)).fetchone():
        raise already_exists(f"Partition index {index_name} already exists.")
    count = db.execute("SELECT count(*) FROM partition_indexes WHERE catalog = ? AND db = ? AND tbl = ?",
                       (catalog, database, name)).fetchone()[0]
    if count >= MAX_PARTITION_INDEXES_PER_TABLE:
        raise limit_exceeded(f"A table can have at most {MAX_PARTITION_INDEXES_PER_TABLE} partition indexes.")
    doc = {"IndexName": index_name, "Keys": [{"Name": k, "Type": key_types[k]} for k in keys],
           "IndexStatus": "ACTIVE"}
    db.execute("INSERT INTO partition_indexes (catalog, db, tbl, name, doc) VALUES (?, ?, ?, ?, ?)",
               (catalog, database, name, index_name, encode(doc)))


class PartitionIndexesMixin:
    store: CatalogStore

    def create_partition_index(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        with self.store.write() as db:
            table = load_table(db, catalog, lower(params["DatabaseName"]), lower(params["TableName"]))
            add_partition_index(db, catalog, table, params["PartitionIndex"])
        return {}

    def get_partition_indexes(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database, name = lower(params["DatabaseName"]), lower(params["TableName"])
        load_table(self.store.reader(), catalog, database, name)
        rows = self.store.read("SELECT name, doc FROM partition_indexes WHERE catalog = ? AND db = ? AND tbl = ? "
                               "ORDER BY name", (catalog, database, name))
        docs, token = page([(r["name"], r["doc"]) for r in rows], params.get("NextToken"), None, 100)
        return {"PartitionIndexDescriptorList": [decode(d) for d in docs], "NextToken": token}

    def delete_partition_index(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database, name = lower(params["DatabaseName"]), lower(params["TableName"])
        with self.store.write() as db:
            load_table(db, catalog, database, name)
            deleted = db.execute("DELETE FROM partition_indexes WHERE catalog = ? AND db = ? AND tbl = ? AND name = ?",
                                 (catalog, database, name, params["IndexName"])).rowcount
            if not deleted:
                raise entity_not_found(f"Partition index {params['IndexName']} not found.")
        return {}
