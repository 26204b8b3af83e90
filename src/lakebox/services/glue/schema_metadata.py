"""Schema version metadata: PutSchemaVersionMetadata, QuerySchemaVersionMetadata and
RemoveSchemaVersionMetadata.

Glue keeps key/value pairs on a version, at most 10 pairs per version ("A maximum of 10 key value pairs
will be allowed per schema version"); one key may hold several values, so the limit counts pairs, and a
pair put twice is AlreadyExistsException. A query answers, per key, the newest value as `MetadataValue`
and the others in `OtherMetadataValueList`. A version is named by SchemaVersionId, or by SchemaId plus
SchemaVersionNumber (schema_ids.py). Pairs live in schemas.db's `metadata` and go with their version.
"""

from __future__ import annotations

from typing import Optional

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import page
from .errors import already_exists, entity_not_found, invalid_input, limit_exceeded
from .schema_ids import check_metadata_pair, load_version, timestamp
from .schema_store import SchemaStore

MAX_METADATA_PER_VERSION = 10
DEFAULT_QUERY_PAGE_SIZE = 50


def _answer(schema: dict, row, key: str, value: str) -> dict:
    return {"SchemaArn": schema["SchemaArn"], "SchemaName": schema["SchemaName"],
            "RegistryName": schema["RegistryName"], "LatestVersion": row["number"] == schema.get("LatestSchemaVersion"),
            "VersionNumber": row["number"], "SchemaVersionId": row["id"], "MetadataKey": key, "MetadataValue": value}


def _pair(params: dict) -> tuple[str, str]:
    key, value = check_metadata_pair(params["MetadataKeyValue"])
    if not value:
        raise invalid_input("Metadata value is required.")
    return key, value


class SchemaMetadataMixin:
    schema_store: SchemaStore
    clock: ServiceClock

    def put_schema_version_metadata(self, ctx: RequestContext, params: dict) -> dict:
        key, value = _pair(params)
        with self.schema_store.write() as db:
            _, schema, row = load_version(self.schema_store, db, ctx, params)
            pairs = self.schema_store.metadata(db, row["id"])
            if any(p["key"] == key and p["value"] == value for p in pairs):
                raise already_exists(f"Resource already exist for schema version id: {row['id']}, metadata key: "
                                     f"{key}, metadata value: {value}")
            if len(pairs) >= MAX_METADATA_PER_VERSION:
                raise limit_exceeded("Your resource limits for Schema Version Metadata have been exceeded.")
            self.schema_store.put_metadata(db, row["id"], key, value, timestamp(self.clock.now()))
        return _answer(schema, row, key, value)

    def query_schema_version_metadata(self, ctx: RequestContext, params: dict) -> dict:
        wanted: list[tuple[str, Optional[str]]] = [check_metadata_pair(p) for p in params.get("MetadataList") or []]
        with self.schema_store.write() as db:
            _, _, row = load_version(self.schema_store, db, ctx, params)
            pairs = self.schema_store.metadata(db, row["id"])
        infos: dict[str, dict] = {}
        for pair in pairs:  # newest first within a key
            if wanted and not any(pair["key"] == k and (v is None or pair["value"] == v) for k, v in wanted):
                continue
            info = infos.get(pair["key"])
            if info is None:
                infos[pair["key"]] = {"MetadataValue": pair["value"], "CreatedTime": pair["created"],
                                      "OtherMetadataValueList": []}
            else:
                info["OtherMetadataValueList"].append({"MetadataValue": pair["value"], "CreatedTime": pair["created"]})
        chunk, token = page([(k, (k, v)) for k, v in sorted(infos.items())], params.get("NextToken"),
                            params.get("MaxResults"), DEFAULT_QUERY_PAGE_SIZE)
        return {"MetadataInfoMap": dict(chunk), "SchemaVersionId": row["id"], "NextToken": token}

    def remove_schema_version_metadata(self, ctx: RequestContext, params: dict) -> dict:
        key, value = _pair(params)
        with self.schema_store.write() as db:
            _, schema, row = load_version(self.schema_store, db, ctx, params)
            if not self.schema_store.delete_metadata(db, row["id"], key, value):
                raise entity_not_found(f"Metadata not found for schema version id: {row['id']}, metadata key: "
                                       f"{key}, metadata value: {value}")
        return _answer(schema, row, key, value)

