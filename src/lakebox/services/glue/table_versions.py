"""Table versions: GetTableVersions (paged, oldest first), GetTableVersion, DeleteTableVersion and
BatchDeleteTableVersion. UpdateTable writes them (tables.py)."""

from __future__ import annotations

import sqlite3

from ...protocol.context import RequestContext
from .common import catalog_key, load_table, lower, page
from .errors import AwsError, entity_not_found, error_detail, invalid_input
from .store import CatalogStore, decode
from .tables import version_key


def _version_number(version_id: str) -> int:
    """A VersionId is the text of an integer; any other text is bad input, not a missing version."""
    if not version_id.isdigit():
        raise invalid_input(f"Version id {version_id} is not a valid version number.")
    return int(version_id)


def _version_not_found(version_id: str, table: str) -> AwsError:
    return entity_not_found(f"Version {version_id} of table {table} not found.")


def _delete_version(db: sqlite3.Connection, catalog: str, table: dict, version_id: str) -> None:
    if version_id == table["VersionId"]:
        # lakebox keeps the current version: it is the table's definition, not an archive of it.
        raise invalid_input(f"Version {version_id} is the current version of table {table['Name']}; "
                            "it cannot be deleted.")
    number = _version_number(version_id)
    deleted = db.execute(
        "DELETE FROM table_versions WHERE catalog = ? AND db = ? AND tbl = ? AND version = ?",
        (catalog, table["DatabaseName"], table["Name"], number)).rowcount
    if not deleted:
        raise _version_not_found(version_id, table["Name"])


class TableVersionsMixin:
    store: CatalogStore

    def get_table_versions(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database, name = lower(params["DatabaseName"]), lower(params["TableName"])
        load_table(self.store.reader(), catalog, database, name)
        rows = self.store.read("SELECT version, doc FROM table_versions WHERE catalog = ? AND db = ? AND tbl = ? "
                               "ORDER BY version", (catalog, database, name))
        items = [(version_key(r["version"]), (r["version"], r["doc"])) for r in rows]
        chosen, token = page(items, params.get("NextToken"), params.get("MaxResults"), 100)
        return {"TableVersions": [{"Table": decode(doc), "VersionId": str(v)} for v, doc in chosen],
                "NextToken": token}

    def get_table_version(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        database, name = lower(params["DatabaseName"]), lower(params["TableName"])
        table = load_table(self.store.reader(), catalog, database, name)
        version_id = params.get("VersionId") or table["VersionId"]
        number = _version_number(version_id)
        rows = self.store.read(
            "SELECT doc FROM table_versions WHERE catalog = ? AND db = ? AND tbl = ? AND version = ?",
            (catalog, database, name, number))
        if not rows:
            raise _version_not_found(version_id, name)
        return {"TableVersion": {"Table": decode(rows[0]["doc"]), "VersionId": str(number)}}

    def delete_table_version(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        with self.store.write() as db:
            table = load_table(db, catalog, lower(params["DatabaseName"]), lower(params["TableName"]))
            _delete_version(db, catalog, table, params["VersionId"])
        return {}

    def batch_delete_table_version(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        errors = []
        with self.store.write() as db:
            table = load_table(db, catalog, lower(params["DatabaseName"]), lower(params["TableName"]))
            for version_id in params["VersionIds"]:
                try:
                    _delete_version(db, catalog, table, version_id)
                except AwsError as error:
                    errors.append({"TableName": table["Name"], "VersionId": version_id,
                                   "ErrorDetail": error_detail(error)})
        return {"Errors": errors}
