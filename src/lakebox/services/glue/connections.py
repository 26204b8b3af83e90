"""Connections: Create, Get (HidePassword), GetConnections (Filter, paged), Update, Delete and
BatchDelete. They are stored; lakebox makes no network connection with them."""

from __future__ import annotations

import sqlite3

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import arn, catalog_key, page
from .errors import AwsError, already_exists, entity_not_found, error_detail
from .store import CatalogStore, decode, encode
from .tags import forget_tags, put_tags

#: ConnectionInput members that steer the call itself and are not part of the stored connection.
_REQUEST_ONLY = ("ValidateCredentials", "ValidateForComputeEnvironments")
_PASSWORD_KEYS = ("PASSWORD", "ENCRYPTED_PASSWORD")


def _connection_not_found(name: str) -> AwsError:
    return entity_not_found(f"Connection {name} not found.")


def _load(conn: sqlite3.Connection, catalog: str, name: str) -> dict:
    row = conn.execute("SELECT doc FROM connections WHERE catalog = ? AND name = ?", (catalog, name)).fetchone()
    if row is None:
        raise _connection_not_found(name)
    return decode(row["doc"])


def _shown(doc: dict, hide_password: bool) -> dict:
    if hide_password and doc.get("ConnectionProperties"):
        doc["ConnectionProperties"] = {k: v for k, v in doc["ConnectionProperties"].items()
                                       if k not in _PASSWORD_KEYS}
    return doc


class ConnectionsMixin:
    store: CatalogStore
    clock: ServiceClock

    def _connection_document(self, ctx: RequestContext, given: dict, created) -> dict:
        now = self.clock.now()
        doc = {k: v for k, v in given.items() if k not in _REQUEST_ONLY}
        doc.update({"CreationTime": created or now, "LastUpdatedTime": now,
                    "LastUpdatedBy": f"arn:aws:iam::{ctx.account_id}:root", "Status": "READY"})
        return doc

    def create_connection(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        given = params["ConnectionInput"]
        name = given["Name"]
        with self.store.write() as db:
            if db.execute("SELECT 1 FROM connections WHERE catalog = ? AND name = ?", (catalog, name)).fetchone():
                raise already_exists("Connection already exists.")
            doc = self._connection_document(ctx, given, None)
            db.execute("INSERT INTO connections (catalog, name, doc) VALUES (?, ?, ?)", (catalog, name, encode(doc)))
            put_tags(db, arn(ctx, params, f"connection/{name}"), params.get("Tags"))
        return {"CreateConnectionStatus": "READY"}

    def get_connection(self, ctx: RequestContext, params: dict) -> dict:
        doc = _load(self.store.reader(), catalog_key(ctx, params), params["Name"])
        return {"Connection": _shown(doc, bool(params.get("HidePassword")))}

    def get_connections(self, ctx: RequestContext, params: dict) -> dict:
        rows = self.store.read("SELECT name, doc FROM connections WHERE catalog = ? ORDER BY name",
                               (catalog_key(ctx, params),))
        wanted = params.get("Filter") or {}
        items = []
        for row in rows:
            doc = decode(row["doc"])
            if wanted.get("ConnectionType") and doc.get("ConnectionType") != wanted["ConnectionType"]:
                continue
            if not set(wanted.get("MatchCriteria") or []) <= set(doc.get("MatchCriteria") or []):
                continue
            items.append((row["name"], doc))
        docs, token = page(items, params.get("NextToken"), params.get("MaxResults"), 100)
        hide = bool(params.get("HidePassword"))
        return {"ConnectionList": [_shown(d, hide) for d in docs], "NextToken": token}

    def update_connection(self, ctx: RequestContext, params: dict) -> dict:
        catalog = catalog_key(ctx, params)
        name = params["Name"]
        with self.store.write() as db:
            old = _load(db, catalog, name)
            doc = self._connection_document(ctx, {**params["ConnectionInput"], "Name": name}, old["CreationTime"])
            db.execute("UPDATE connections SET doc = ? WHERE catalog = ? AND name = ?", (encode(doc), catalog, name))
        return {}

    def delete_connection(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            self._delete_connection(db, ctx, params, params["ConnectionName"])
        return {}

    def batch_delete_connection(self, ctx: RequestContext, params: dict) -> dict:
        succeeded, errors = [], {}
        with self.store.write() as db:
            for name in params["ConnectionNameList"]:
                try:
                    self._delete_connection(db, ctx, params, name)
                    succeeded.append(name)
                except AwsError as error:
                    errors[name] = error_detail(error)
        return {"Succeeded": succeeded, "Errors": errors}

    def _delete_connection(self, db: sqlite3.Connection, ctx: RequestContext, params: dict, name: str) -> None:
        if not db.execute("DELETE FROM connections WHERE catalog = ? AND name = ?",
                          (catalog_key(ctx, params), name)).rowcount:
            raise _connection_not_found(name)
        forget_tags(db, arn(ctx, params, f"connection/{name}"))
