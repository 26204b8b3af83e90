"""Tables: Create, Get, GetTables (paged, `Expression` on the name), Update (archives the previous
version unless SkipArchive), Delete and BatchDelete, which take partitions, indexes and statistics along.

A table's current document is in `tables`; every version, the current one included, is in
`table_versions` under its integer VersionId, so GetTableVersions lists them all.
"""

from __future__ import annotations

import re
import sqlite3

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import (
    MAX_TABLE_VERSIONS_PER_TABLE,
    MAX_TABLES_PER_DATABASE,
    arn,
    catalog_id,
    catalog_key,
    load_database,
    load_table,
    lower,
    page,
)
from .errors import (
    already_exists,
    concurrent_modification,
    error_detail,
    invalid_input,
    limit_exceeded,
    table_not_found,
)
from .indexes import add_partition_index
from .java_maps import hash_map_order
from .store import CatalogStore, decode, encode
from .table_iceberg_input import create_iceberg_table
from .tags import forget_tags

#: Store tables that hold a table's parts, all keyed by (catalog, db, tbl).
_TABLE_CONTENTS = ("table_versions", "partitions", "partition_indexes", "column_stats")


def table_document(given: dict, name: str, database: str, catalog: str, account: str, *, created,
                   updated, version: int) -> dict:
    """The `Table` output structure for a `TableInput`, with what Glue adds itself."""
    doc = {**given, "Name": name, "DatabaseName": database, "CreateTime": created, "UpdateTime": updated,
           "CatalogId": catalog, "VersionId": str(version), "IsRegisteredWithLakeFormation": False,
           "IsMultiDialectView": False, "CreatedBy": f"arn:aws:iam::{account}:root"}
    doc.setdefault("PartitionKeys", [])
    doc.setdefault("Retention", 0)
    if isinstance(doc.get("Parameters"), dict):
        doc["Parameters"] = hash_map_order(doc["Parameters"])
    return doc


def name_pattern(expression: str) -> "re.Pattern[str]":
    """GetTables' `Expression`, read as the Hive metastore reads table patterns (Glue keeps that):
    a regular expression matched against the whole name, case-insensitively, in which a `*` that
    does not follow `.` (or a backslash) stands for any run of characters, so `sales_*` works too."""
    translated = re.sub(r"(?<![.\\])\*", ".*", expression)
    try:
        return re.compile(translated, re.IGNORECASE)
    except re.error as exc:
        raise invalid_input(f"Invalid regular expression {expression!r}: {exc}") from None


def version_key(version: int) -> str:
    # Page tokens compare strings: zero-padding keeps version 10 after version 9.
    return f"{version:010d}"


class TablesMixin:
    store: CatalogStore
    clock: ServiceClock

    def create_table(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database = lower(params["DatabaseName"])
        given = params.get("TableInput")
        if given is None:
            raise invalid_input("TableInput is required.")
        name = lower(params.get("Name") or given["Name"])
        iceberg = (params.get("OpenTableFormatInput") or {}).get("IcebergInput")
        if iceberg is not None:
            # Glue writes the table's Iceberg metadata and registers it (table_iceberg_input.py).
            with self.store.write() as db:
                load_database(db, catalog, database)
                if db.execute("SELECT 1 FROM tables WHERE catalog = ? AND db = ? AND name = ?",
                              (catalog, database, name)).fetchone():
                    raise already_exists("Table already exists.")
            create_iceberg_table(self, getattr(self, "lake", None), ctx, database, name, given, iceberg)
            return {}
        now = self.clock.now()
        doc = table_document(given, name, database, catalog_id(ctx, params), ctx.account_id,
                             created=now, updated=now, version=0)
        with self.store.write() as db:
            load_database(db, catalog, database)
            if db.execute("SELECT 1 FROM tables WHERE catalog = ? AND db = ? AND name = ?",
                          (catalog, database, name)).fetchone():
                raise already_exists("Table already exists.")
            count = db.execute("SELECT count(*) FROM tables WHERE catalog = ? AND db = ?",
                               (catalog, database)).fetchone()[0]
            if count >= MAX_TABLES_PER_DATABASE:
                raise limit_exceeded("Number of tables in the database exceeds the limit.")
            self._write_table(db, catalog, doc)
            for index in params.get("PartitionIndexes") or []:
                add_partition_index(db, catalog, doc, index)
        return {}

    def get_table(self, ctx: RequestContext, params: dict) -> dict:
        return {"Table": load_table(self.store.reader(), catalog_key(ctx, params),
                                    lower(params["DatabaseName"]), lower(params["Name"]))}

    def get_tables(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database = lower(params["DatabaseName"])
        load_database(self.store.reader(), catalog, database)
        rows = self.store.read("SELECT name, doc FROM tables WHERE catalog = ? AND db = ? ORDER BY name",
                               (catalog, database))
        items = [(r["name"], r["doc"]) for r in rows]
        if params.get("Expression"):
            pattern = name_pattern(params["Expression"])
            items = [item for item in items if pattern.fullmatch(item[0])]
        docs, token = page(items, params.get("NextToken"), params.get("MaxResults"), 100)
        return {"TableList": [decode(d) for d in docs], "NextToken": token}

    def update_table(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database = lower(params["DatabaseName"])
        given = params.get("TableInput")
        if given is None:
            # Newer models make TableInput optional for UpdateOpenTableFormatInput (Iceberg
            # metadata updates), which lakebox's catalog does not take: a table needs its input.
            raise invalid_input("TableInput is required.")
        name = lower(params.get("Name") or given["Name"])
        with self.store.write() as db:
            old = load_table(db, catalog, database, name)
            expected = params.get("VersionId")
            if expected is not None and expected != old["VersionId"]:
                raise concurrent_modification("Update table failed due to concurrent modifications.")
            skip_archive = bool(params.get("SkipArchive"))
            # SkipArchive: the new definition takes the current version's place instead of archiving it.
            version = int(old["VersionId"]) + (0 if skip_archive else 1)
            if not skip_archive:
                count = db.execute("SELECT count(*) FROM table_versions WHERE catalog = ? AND db = ? AND tbl = ?",
                                   (catalog, database, name)).fetchone()[0]
                if count >= MAX_TABLE_VERSIONS_PER_TABLE:
                    raise limit_exceeded("Number of table versions exceeds the limit.")
            doc = table_document(given, name, database, old["CatalogId"], ctx.account_id,
                                 created=old["CreateTime"], updated=self.clock.now(), version=version)
            doc["CreatedBy"] = old.get("CreatedBy", doc["CreatedBy"])
            self._write_table(db, catalog, doc)
        return {}

    def delete_table(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database = lower(params["DatabaseName"])
        name = lower(params["Name"])
        with self.store.write() as db:
            load_table(db, catalog, database, name)
            self._drop_table(db, catalog, database, name, arn(ctx, params, f"table/{database}/{name}"))
        return {}

    def batch_delete_table(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database = lower(params["DatabaseName"])
        errors = []
        with self.store.write() as db:
            load_database(db, catalog, database)
            for given in params["TablesToDelete"]:
                name = lower(given)
                if not db.execute("SELECT 1 FROM tables WHERE catalog = ? AND db = ? AND name = ?",
                                  (catalog, database, name)).fetchone():
                    errors.append({"TableName": given, "ErrorDetail": error_detail(table_not_found(name))})
                    continue
                self._drop_table(db, catalog, database, name, arn(ctx, params, f"table/{database}/{name}"))
        return {"Errors": errors}

    # -- shared with versions and the other areas ---------------------------------------------------

    def _write_table(self, db: sqlite3.Connection, catalog: str, doc: dict) -> None:
        """Make `doc` the table's current definition and record it as its version."""
        database, name = doc["DatabaseName"], doc["Name"]
        text = encode(doc)
        db.execute("INSERT OR REPLACE INTO tables (catalog, db, name, doc) VALUES (?, ?, ?, ?)",
                   (catalog, database, name, text))
        db.execute("INSERT OR REPLACE INTO table_versions (catalog, db, tbl, version, doc) VALUES (?, ?, ?, ?, ?)",
                   (catalog, database, name, int(doc["VersionId"]), text))

    def _drop_table(self, db: sqlite3.Connection, catalog: str, database: str, name: str, table_arn: str) -> None:
        for table in _TABLE_CONTENTS:
            db.execute(f"DELETE FROM {table} WHERE catalog = ? AND db = ? AND tbl = ?", (catalog, database, name))
        db.execute("DELETE FROM tables WHERE catalog = ? AND db = ? AND name = ?", (catalog, database, name))
        forget_tags(db, table_arn)
