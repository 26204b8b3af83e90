"""Data catalogs: Create, Get, List, Update, Delete, and which catalogs a query may read.

`AwsDataCatalog` is built in: it is the account's Glue Data Catalog, always listed, and can be neither
created, updated nor deleted. A created catalog is a registration only: a name, a type and the
parameters that say where its metadata lives. One kind of registration points back at data lakebox
holds: a GLUE catalog whose `catalog-id` is the caller's own account is another name for the same Glue
catalog, so queries (and the metadata views) read it exactly like AwsDataCatalog. Every other catalog
(a Lambda connector, a Hive metastore, another account's Glue catalog) names data that is not here,
and a query that reads it FAILS saying so rather than answering from the wrong catalog.

LAMBDA, GLUE and HIVE catalogs are created synchronously (CREATE_COMPLETE), as on AWS. A FEDERATED
catalog needs AWS to build a CloudFormation stack, a Lambda connector and a Glue connection; lakebox
can build none of them, so the catalog is recorded as CREATE_FAILED with the reason in `Error`, as AWS
reports a federated catalog whose resources could not be made.
"""

from __future__ import annotations

import re
from typing import Optional

from ...engines.sql.errors import QueryError
from ...protocol.context import RequestContext
from .common import arn, forget_tags, page, put_tags, scope
from .errors import invalid_request
from .store import AthenaStore, decode, encode

CATALOG = "AwsDataCatalog"
TYPES = ("LAMBDA", "GLUE", "HIVE", "FEDERATED")
#: The documented name rule: at most 127 alphanumeric, underscore, at sign or hyphen characters.
_NAME = re.compile(r"[A-Za-z0-9_@-]{1,127}")
FEDERATED_ERROR = ("lakebox cannot create the CloudFormation stack, Lambda connector and Glue connection "
                   "that a FEDERATED catalog needs")


def _not_found(name: str):
    return invalid_request(f"DataCatalog {name} was not found", "INVALID_INPUT")


def _check_parameters(kind: str, parameters: dict) -> None:
    """The parameters each type requires (CreateDataCatalog's Parameters documentation)."""
    if kind not in TYPES:
        raise invalid_request(f"1 validation error detected: Value '{kind}' at 'type' failed to satisfy "
                              f"constraint: Member must satisfy enum value set: [{', '.join(TYPES)}]")
    has = {key for key, value in parameters.items() if value}
    if kind == "GLUE" and "catalog-id" not in has:
        raise invalid_request("catalog-id is required in Parameters for a GLUE data catalog")
    if kind == "HIVE" and "metadata-function" not in has:
        raise invalid_request("metadata-function is required in Parameters for a HIVE data catalog")
    if kind == "LAMBDA":
        split = {"metadata-function", "record-function"}
        if "function" in has and has & split:
            raise invalid_request("Specify either function, or metadata-function and record-function, in "
                                  "Parameters for a LAMBDA data catalog, but not both")
        if "function" not in has and not split <= has:
            raise invalid_request("A LAMBDA data catalog requires Parameters function, or both "
                                  "metadata-function and record-function")
    if kind == "FEDERATED":
        by_connection = "connection-arn" in has
        new_connection = {"connection-type", "connection-properties"} & has
        if by_connection and new_connection:
            raise invalid_request("Specify either connection-arn, or connection-type and connection-properties, "
                                  "in Parameters for a FEDERATED data catalog, but not both")
        if not by_connection and len(new_connection) < 2:
            raise invalid_request("A FEDERATED data catalog requires Parameters connection-arn, or both "
                                  "connection-type and connection-properties")


def _reserved(name: str, action: str) -> None:
    if name.lower() == CATALOG.lower():
        raise invalid_request(f"Cannot {action} the default data catalog {CATALOG}")


def _summary(doc: dict) -> dict:
    return {"CatalogName": doc["Name"], **{k: doc[k] for k in ("Type", "Status", "ConnectionType", "Error")
                                           if k in doc}}


def _load(db, scope_key: str, name: str) -> Optional[dict]:
    row = db.execute("SELECT doc FROM data_catalogs WHERE scope = ? AND name = ?", (scope_key, name)).fetchone()
    return decode(row["doc"]) if row else None


def check_query_catalog(store: AthenaStore, scope_key: str, name: Optional[str]) -> None:
    """Raise the QueryError a query that reads catalog `name` fails with, unless `name` is this
    account's Glue catalog: AwsDataCatalog, or a GLUE data catalog registered for the own account."""
    if not name or name.lower() == CATALOG.lower():
        return
    account = scope_key.split(":", 1)[0]
    doc = _load(store.reader(), scope_key, name)
    if doc is None:
        raise QueryError("CATALOG_NOT_FOUND", f"CATALOG_NOT_FOUND: Catalog '{name}' does not exist")
    if doc["Type"] == "GLUE" and doc.get("Parameters", {}).get("catalog-id") == account:
        return
    if doc["Type"] == "GLUE":
        what = f"the Glue Data Catalog of account {doc.get('Parameters', {}).get('catalog-id')}"
    else:
        what = f"a {doc['Type']} data catalog"
    raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Catalog '{name}' is {what}; lakebox can query only this "
                                      f"account's Glue Data Catalog ({CATALOG}, or a GLUE data catalog whose "
                                      f"catalog-id is {account})")


class DataCatalogsMixin:
    store: AthenaStore

    def create_data_catalog(self, ctx: RequestContext, params: dict) -> dict:
        name, kind = params["Name"], params["Type"]
        _reserved(name, "create")
        if not _NAME.fullmatch(name):
            raise invalid_request(f"Invalid catalog name {name}: a catalog name can use a maximum of 127 "
                                  "alphanumeric, underscore, at sign, or hyphen characters")
        parameters = dict(params.get("Parameters") or {})
        _check_parameters(kind, parameters)
        doc = {"Name": name, "Type": kind, "Parameters": parameters, "Status": "CREATE_COMPLETE"}
        if params.get("Description"):
            doc["Description"] = params["Description"]
        if kind == "FEDERATED":
            doc.update({"Status": "CREATE_FAILED", "Error": FEDERATED_ERROR})
            if parameters.get("connection-type"):
                doc["ConnectionType"] = parameters["connection-type"]
        with self.store.write() as db:
            if _load(db, scope(ctx), name) is not None:
                raise invalid_request(f"DataCatalog {name} already exists", "ALREADY_EXISTS")
            db.execute("INSERT INTO data_catalogs (scope, name, doc) VALUES (?, ?, ?)", (scope(ctx), name, encode(doc)))
            put_tags(db, arn(ctx, f"datacatalog/{name}"), params.get("Tags"))
        return {"DataCatalog": doc}

    def get_data_catalog(self, ctx: RequestContext, params: dict) -> dict:
        if params.get("WorkGroup"):
            self.workgroup(ctx, params["WorkGroup"])
        name = params["Name"]
        if name == CATALOG:
            return {"DataCatalog": {"Name": CATALOG, "Description": "AWS Glue Data Catalog", "Type": "GLUE",
                                    "Parameters": {"catalog-id": ctx.account_id}}}
        doc = _load(self.store.reader(), scope(ctx), name)
        if doc is None:
            raise _not_found(name)
        return {"DataCatalog": doc}

    def list_data_catalogs(self, ctx: RequestContext, params: dict) -> dict:
        if params.get("WorkGroup"):
            self.workgroup(ctx, params["WorkGroup"])
        rows = self.store.read("SELECT doc FROM data_catalogs WHERE scope = ? ORDER BY name", (scope(ctx),))
        summaries = [{"CatalogName": CATALOG, "Type": "GLUE"}] + [_summary(decode(r["doc"])) for r in rows]
        chunk, token = page(summaries, params.get("NextToken"), params.get("MaxResults"), 50)
        return {"DataCatalogsSummary": chunk, "NextToken": token}

    def update_data_catalog(self, ctx: RequestContext, params: dict) -> dict:
        name, kind = params["Name"], params["Type"]
        _reserved(name, "update")
        if kind == "FEDERATED":
            raise invalid_request("UpdateDataCatalog cannot make a catalog FEDERATED")
        with self.store.write() as db:
            doc = _load(db, scope(ctx), name)
            if doc is None:
                raise _not_found(name)
            if doc["Type"] == "FEDERATED":
                raise invalid_request(f"DataCatalog {doc['Name']} is FEDERATED and cannot be updated")
            parameters = dict(params["Parameters"]) if "Parameters" in params else doc.get("Parameters", {})
            _check_parameters(kind, parameters)
            doc.update({"Type": kind, "Parameters": parameters})
            if "Description" in params:
                doc["Description"] = params["Description"]
            db.execute("UPDATE data_catalogs SET doc = ? WHERE scope = ? AND name = ?",
                       (encode(doc), scope(ctx), doc["Name"]))
        return {}

    def delete_data_catalog(self, ctx: RequestContext, params: dict) -> dict:
        name = params["Name"]
        _reserved(name, "delete")
        with self.store.write() as db:
            doc = _load(db, scope(ctx), name)
            if doc is None:
                raise _not_found(name)
            if params.get("DeleteCatalogOnly") and doc["Type"] != "FEDERATED":
                raise invalid_request("DeleteCatalogOnly can be used only with FEDERATED data catalogs")
            db.execute("DELETE FROM data_catalogs WHERE scope = ? AND name = ?", (scope(ctx), doc["Name"]))
            forget_tags(db, arn(ctx, f"datacatalog/{doc['Name']}"))
        doc.pop("Error", None)
        return {"DataCatalog": {**doc, "Status": "DELETE_COMPLETE"}}
