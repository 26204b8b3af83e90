"""The catalog views Athena gives of Glue: ListDatabases, GetDatabase, ListTableMetadata,
GetTableMetadata. They read `AwsDataCatalog`, the account's Glue Data Catalog (or a GLUE data catalog
registered for the own account, another name for it: see data_catalogs), through the Glue provider's
own operations, so both services always agree. Like a query, they make Athena's `default` database
there on first use.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from ...engines.sql.errors import QueryError
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import page, scope
from .data_catalogs import check_query_catalog
from .errors import metadata_error
from .store import AthenaStore


class MetadataMixin:
    glue: Any
    store: AthenaStore

    def _check_catalog(self, ctx: RequestContext, name: str) -> None:
        """Refuse a catalog these views cannot read. Reading the own Glue catalog through Athena is a
        use of Athena, which makes the `default` database there as a first query would: Athena
        lists `default` on a fresh account."""
        try:
            check_query_catalog(self.store, scope(ctx), name)
        except QueryError as exc:
            missing = exc.error_type == "CATALOG_NOT_FOUND"
            raise metadata_error(f"Catalog {name} not found." if missing else exc.message.partition(": ")[2]) from None
        self._ensure_default_database(ctx)

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
                # Athena passes Glue's error on inside its own, with the service, status and code that
                # clients look for (pyathena reads the code to tell a missing table from other failures).
                raise metadata_error(f"{exc.message} (Service: AmazonDataCatalog; Status Code: 400; "
                                     f"Error Code: EntityNotFoundException; Request ID: {uuid.uuid4()}; "
                                     "Proxy: null)") from None
            raise

    def list_databases(self, ctx: RequestContext, params: dict) -> dict:
        self._check_catalog(ctx, params["CatalogName"])
        databases = [_database(d) for d in self._glue_all(ctx, "get_databases", "DatabaseList", {})]
        chunk, token = page(databases, params.get("NextToken"), params.get("MaxResults"), 50)
        return {"DatabaseList": chunk, "NextToken": token}

    def get_database(self, ctx: RequestContext, params: dict) -> dict:
        self._check_catalog(ctx, params["CatalogName"])
        return {"Database": _database(self._glue(ctx, "get_database", {"Name": params["DatabaseName"]})["Database"])}

    def list_table_metadata(self, ctx: RequestContext, params: dict) -> dict:
        self._check_catalog(ctx, params["CatalogName"])
        self._glue(ctx, "get_database", {"Name": params["DatabaseName"]})
        query = {"DatabaseName": params["DatabaseName"]}
        if params.get("Expression"):
            query["Expression"] = params["Expression"]
        tables = [_table(t) for t in self._glue_all(ctx, "get_tables", "TableList", query)]
        chunk, token = page(tables, params.get("NextToken"), params.get("MaxResults"), 50)
        return {"TableMetadataList": chunk, "NextToken": token}

    def get_table_metadata(self, ctx: RequestContext, params: dict) -> dict:
        self._check_catalog(ctx, params["CatalogName"])
        table = self._glue(ctx, "get_table", {"DatabaseName": params["DatabaseName"], "Name": params["TableName"]})
        return {"TableMetadata": _table(table["Table"])}


_SPACES = re.compile(r" {2,}")


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
    if doc.get("Description"):  # the table's COMMENT, a Hive table parameter, its whitespace squashed
        params.setdefault("comment", " ".join(doc["Description"].split()))
    if storage.get("Location"):
        # Athena shows the location as a Hadoop Path: no trailing slash, except a bucket's own.
        location = storage["Location"]
        trimmed = location.rstrip("/")
        params.setdefault("location", trimmed if "/" in trimmed.partition("://")[2] else location)
    if storage.get("InputFormat"):
        params.setdefault("inputformat", storage["InputFormat"])
    if storage.get("OutputFormat"):
        params.setdefault("outputformat", storage["OutputFormat"])
    serde = storage.get("SerdeInfo") or {}
    if serde.get("SerializationLibrary"):
        params.setdefault("serde.serialization.lib", serde["SerializationLibrary"])
    for key, value in (serde.get("Parameters") or {}).items():
        # Athena gives a SerDe parameter back with each run of spaces squashed to one (an Avro schema
        # literal's indentation, for one); line breaks are kept.
        params.setdefault(f"serde.param.{key}", _SPACES.sub(" ", value) if isinstance(value, str) else value)
    out = {"Name": doc["Name"], "TableType": doc.get("TableType", "EXTERNAL_TABLE"),
           "Columns": _columns(storage.get("Columns")), "PartitionKeys": _columns(doc.get("PartitionKeys")),
           "Parameters": params}
    if doc.get("CreateTime"):
        out["CreateTime"] = doc["CreateTime"]
    if doc.get("LastAccessTime"):
        out["LastAccessTime"] = doc["LastAccessTime"]
    return out
