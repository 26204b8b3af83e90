"""Databases: Create, Get, GetDatabases (paged), Update, and Delete, which takes its tables along."""

from __future__ import annotations

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import (
    MAX_DATABASES,
    arn,
    catalog_id,
    catalog_key,
    load_database,
    lower,
    page,
)
from .errors import already_exists, limit_exceeded
from .store import CatalogStore, decode, encode
from .tags import forget_tags, put_tags

#: What Glue gives a database created without CreateTableDefaultPermissions (Lake Formation's default).
_DEFAULT_PERMISSIONS = [{"Principal": {"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                         "Permissions": ["ALL"]}]

#: Every store table that holds things inside a database, by its database column.
_DATABASE_CONTENTS = ("tables", "table_versions", "partitions", "partition_indexes", "column_stats", "functions")


class DatabasesMixin:
    store: CatalogStore
    clock: ServiceClock

    def create_database(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        given = params["DatabaseInput"]
        name = lower(given["Name"])
        doc = {**given, "Name": name, "CreateTime": self.clock.now(), "CatalogId": catalog_id(ctx, params)}
        doc.setdefault("CreateTableDefaultPermissions", _DEFAULT_PERMISSIONS)
        with self.store.write() as db:
            if db.execute("SELECT 1 FROM databases WHERE catalog = ? AND name = ?", (catalog, name)).fetchone():
                raise already_exists("Database already exists.")
            count = db.execute("SELECT count(*) FROM databases WHERE catalog = ?", (catalog,)).fetchone()[0]
            if count >= MAX_DATABASES:
                raise limit_exceeded("Number of databases in the catalog exceeds the limit.")
            db.execute("INSERT INTO databases (catalog, name, doc) VALUES (?, ?, ?)", (catalog, name, encode(doc)))
            put_tags(db, arn(ctx, params, f"database/{name}"), params.get("Tags"))
        return {}

    def get_database(self, ctx: RequestContext, params: dict) -> dict:
        return {"Database": load_database(self.store.reader(), catalog_key(ctx, params), lower(params["Name"]))}

    def get_databases(self, ctx: RequestContext, params: dict) -> dict:
        rows = self.store.read("SELECT name, doc FROM databases WHERE catalog = ? ORDER BY name",
                               (catalog_key(ctx, params),))
        docs, token = page([(r["name"], r["doc"]) for r in rows], params.get("NextToken"),
                           params.get("MaxResults"), 100)
        return {"DatabaseList": [decode(d) for d in docs], "NextToken": token}

    def update_database(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        name = lower(params["Name"])
        with self.store.write() as db:
            old = load_database(db, catalog, name)
            # UpdateDatabase replaces the definition; the name, creation time and catalog stay.
            doc = {**params["DatabaseInput"], "Name": name, "CreateTime": old["CreateTime"],
                   "CatalogId": old["CatalogId"]}
            doc.setdefault("CreateTableDefaultPermissions", old.get("CreateTableDefaultPermissions"))
            db.execute("UPDATE databases SET doc = ? WHERE catalog = ? AND name = ?", (encode(doc), catalog, name))
        return {}

    def delete_database(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        name = lower(params["Name"])
        with self.store.write() as db:
            load_database(db, catalog, name)
            for table in _DATABASE_CONTENTS:
                db.execute(f"DELETE FROM {table} WHERE catalog = ? AND db = ?", (catalog, name))
            db.execute("DELETE FROM databases WHERE catalog = ? AND name = ?", (catalog, name))
            forget_tags(db, arn(ctx, params, f"database/{name}"))
            for kind in ("table", "userDefinedFunction"):
                forget_tags(db, arn(ctx, params, f"{kind}/{name}"), children=True)
        return {}
