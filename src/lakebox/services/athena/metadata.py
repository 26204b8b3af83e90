"""Data catalogs and the catalog views Athena gives of Glue: ListDatabases, GetDatabase,
ListTableMetadata, GetTableMetadata. `AwsDataCatalog` is the only catalog; it is the account's Glue
Data Catalog, read through the Glue provider's own operations, so both services always agree.
"""

from __future__ import annotations

from typing import Any

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import page
from .errors import invalid_request, metadata_error

CATALOG = "AwsDataCatalog"


class MetadataMixin:
    glue: Any

    def _check_catalog(self, name: str) -> None:
        if name.lower() != CATALOG.lower():
            raise metadata_error(f"Catalog {name} not found.")

    def _glue_all(self, ctx: RequestContext, operation: str, key: str, params: dict) -> list[dict]:
        items, token = [], None
        while True:
            answer = getattr(self.glue, operation)(ctx, {**params, **({"NextToken": token} if token else {})})
            items += answer.get(key) or []
            token = answer.get("NextToken")
            if not token:
                return items

    def _glue(self, ctx: RequestContext, operation: str, params: dict) -> dict:
        try:
            return getattr(self.glue, operation)(ctx, params)
        except AwsError as exc:
            if exc.code == "EntityNotFoundException":
                raise metadata_error(exc.message) from None
            raise

    def list_data_catalogs(self, ctx: RequestContext, params: dict) -> dict:
        return {"DataCatalogsSummary": [{"CatalogName": CATALOG, "Type": "GLUE"}]}

    def get_data_catalog(self, ctx: RequestContext, params: dict) -> dict:
        if params["Name"] != CATALOG:
            raise invalid_request(f"Catalog {params['Name']} was not found", "INVALID_INPUT")
        return {"DataCatalog": {"Name": CATALOG, "Description": "AWS Glue Data Catalog", "Type": "GLUE",
                                "Parameters": {"catalog-id": ctx.account_id}}}

    def list_databases(self, ctx: RequestContext, params: dict) -> dict:
        self._check_catalog(params["CatalogName"])
        databases = [_database(d) for d in self._glue_all(ctx, "get_databases", "DatabaseList", {})]
        chunk, token = page(databases, params.get("NextToken"), params.get("MaxResults"), 50)
        return {"DatabaseList": chunk, "NextToken": token}

    def get_database(self, ctx: RequestContext, params: dict) -> dict:
        self._check_catalog(params["CatalogName"])
        return {"Database": _database(self._glue(ctx, "get_database", {"Name": params["DatabaseName"]})["Database"])}

    def list_table_metadata(self, ctx: RequestContext, params: dict) -> dict:
        self._check_catalog(params["CatalogName"])
        self._glue(ctx, "get_database", {"Name": params["DatabaseName"]})
        query = {"DatabaseName": params["DatabaseName"]}
        if params.get("Expression"):
            query["Expression"] = params["Expression"]
        tables = [_table(t) for t in self._glue_all(ctx, "get_tables", "TableList", query)]
        chunk, token = page(tables, params.get("NextToken"), params.get("MaxResults"), 50)
        return {"TableMetadataList": chunk, "NextToken": token}

    def get_table_metadata(self, ctx: RequestContext, params: dict) -> dict:
        self._check_catalog(params["CatalogName"])
        table = self._glue(ctx, "get_table", {"DatabaseName": params["DatabaseName"], "Name": params["TableName"]})
        return {"TableMetadata": _table(table["Table"])}


def _database(doc: dict) -> dict:
    out = {"Name": doc["Name"]}
    if doc.get("Description"):
        out["Description"] = doc["Description"]
    out["Parameters"] = dict(doc.get("Parameters") or {})
    if doc.get("LocationUri"):
        out["Parameters"].setdefault("location", doc["LocationUri"])
    return out


def _columns(columns: list[dict]) -> list[dict]:
    out = []
    for col in columns or []:
        item = {"Name": col["Name"], "Type": col.get("Type", "")}
        if col.get("Comment"):
            item["Comment"] = col["Comment"]
        out.append(item)
    return out


def _table(doc: dict) -> dict:
    storage = doc.get("StorageDescriptor") or {}
    params = dict(doc.get("Parameters") or {})
    if storage.get("Location"):
        params.setdefault("location", storage["Location"])
    if storage.get("InputFormat"):
        params.setdefault("inputformat", storage["InputFormat"])
    if storage.get("OutputFormat"):
        params.setdefault("outputformat", storage["OutputFormat"])
    serde = storage.get("SerdeInfo") or {}
    if serde.get("SerializationLibrary"):
        params.setdefault("serde.serialization.lib", serde["SerializationLibrary"])
    for key, value in (serde.get("Parameters") or {}).items():
        params.setdefault(f"serde.param.{key}", value)
    out = {"Name": doc["Name"], "TableType": doc.get("TableType", "EXTERNAL_TABLE"),
           "Columns": _columns(storage.get("Columns")), "PartitionKeys": _columns(doc.get("PartitionKeys")),
           "Parameters": params}
    if doc.get("CreateTime"):
        out["CreateTime"] = doc["CreateTime"]
    if doc.get("LastAccessTime"):
        out["LastAccessTime"] = doc["LastAccessTime"]
    return out
