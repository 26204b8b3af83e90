"""User-defined functions: Create, Get, GetUserDefinedFunctions (Pattern, paged), Update, Delete."""

from __future__ import annotations

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import arn, catalog_id, catalog_key, load_database, lower, page
from .errors import already_exists, entity_not_found, invalid_input
from .store import CatalogStore, decode, encode
from .tables import name_pattern
from .tags import forget_tags


def _function_not_found(name: str) -> Exception:
    return entity_not_found(f"Function {name} not found.")


class FunctionsMixin:
    store: CatalogStore
    clock: ServiceClock

    def create_user_defined_function(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database = lower(params["DatabaseName"])
        given = params["FunctionInput"]
        if not given.get("FunctionName"):
            # The model leaves every FunctionInput member optional; a function still needs a name.
            raise invalid_input("FunctionInput.FunctionName is required.")
        name = lower(given["FunctionName"])
        doc = {**given, "FunctionName": name, "DatabaseName": database, "CreateTime": self.clock.now(),
               "CatalogId": catalog_id(ctx, params)}
        with self.store.write() as db:
            load_database(db, catalog, database)
            if db.execute("SELECT 1 FROM functions WHERE catalog = ? AND db = ? AND name = ?",
                          (catalog, database, name)).fetchone():
                raise already_exists("Function already exists.")
            db.execute("INSERT INTO functions (catalog, db, name, doc) VALUES (?, ?, ?, ?)",
                       (catalog, database, name, encode(doc)))
        return {}

    def get_user_defined_function(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database, name = lower(params["DatabaseName"]), lower(params["FunctionName"])
        conn = self.store.reader()
        load_database(conn, catalog, database)
        row = conn.execute("SELECT doc FROM functions WHERE catalog = ? AND db = ? AND name = ?",
                           (catalog, database, name)).fetchone()
        if row is None:
            raise _function_not_found(name)
        return {"UserDefinedFunction": decode(row["doc"])}

    def get_user_defined_functions(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        if params.get("DatabaseName"):
            database = lower(params["DatabaseName"])
            load_database(self.store.reader(), catalog, database)
            rows = self.store.read("SELECT db, name, doc FROM functions WHERE catalog = ? AND db = ? "
                                   "ORDER BY db, name", (catalog, database))
        else:
            rows = self.store.read("SELECT db, name, doc FROM functions WHERE catalog = ? ORDER BY db, name",
                                   (catalog,))
        pattern = name_pattern(params.get("Pattern") or "*")
        function_type = params.get("FunctionType")
        items = []
        for row in rows:
            if not pattern.fullmatch(row["name"]):
                continue
            doc = decode(row["doc"])
            if function_type and doc.get("FunctionType") != function_type:
                continue
            items.append((f"{row['db']}\x00{row['name']}", doc))
        chosen, token = page(items, params.get("NextToken"), params.get("MaxResults"), 100)
        return {"UserDefinedFunctions": chosen, "NextToken": token}

    def update_user_defined_function(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database, name = lower(params["DatabaseName"]), lower(params["FunctionName"])
        with self.store.write() as db:
            load_database(db, catalog, database)
            row = db.execute("SELECT doc FROM functions WHERE catalog = ? AND db = ? AND name = ?",
                             (catalog, database, name)).fetchone()
            if row is None:
                raise _function_not_found(name)
            old = decode(row["doc"])
            doc = {**params["FunctionInput"], "FunctionName": name, "DatabaseName": database,
                   "CreateTime": old["CreateTime"], "CatalogId": old["CatalogId"]}
            db.execute("UPDATE functions SET doc = ? WHERE catalog = ? AND db = ? AND name = ?",
                       (encode(doc), catalog, database, name))
        return {}

    def delete_user_defined_function(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database, name = lower(params["DatabaseName"]), lower(params["FunctionName"])
        with self.store.write() as db:
            load_database(db, catalog, database)
            if not db.execute("DELETE FROM functions WHERE catalog = ? AND db = ? AND name = ?",
                              (catalog, database, name)).rowcount:
                raise _function_not_found(name)
            forget_tags(db, arn(ctx, params, f"userDefinedFunction/{database}/{name}"))
        return {}
