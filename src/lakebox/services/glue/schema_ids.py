"""How Schema Registry requests name things: RegistryId, SchemaId, SchemaVersionId/SchemaVersionNumber,
resolved to stored rows inside the caller's write transaction, with the errors Glue gives.

Why here and not in each operation: every one of the twenty registry operations names a registry, a
schema or a version the same few ways, and each rule (one of name or ARN, never both; the default
registry when none is named; a version by id or by schema plus number) must answer the same everywhere.
Names and ARNs keep their case (registry names are case-sensitive, unlike catalog names). The model
layer checks lengths; the patterns and enums, which it deliberately skips, are checked here.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timezone
from typing import Optional

from ...protocol.context import RequestContext
from .common import owner_key
from .errors import entity_not_found, invalid_input
from .schema_store import SchemaStore

DEFAULT_REGISTRY = "default-registry"
DATA_FORMATS = ("AVRO", "JSON", "PROTOBUF")
COMPATIBILITIES = ("NONE", "DISABLED", "BACKWARD", "BACKWARD_ALL", "FORWARD", "FORWARD_ALL", "FULL", "FULL_ALL")

_NAME = re.compile(r"[A-Za-z0-9\-_$#.]+")
_VERSION_ID = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}")
#: The model's `[a-zA-Z0-9+-=._./@]+`: `+-=` is the range from '+' to '=' (+ , - . / 0-9 : ; < =).
_METADATA = re.compile(r"[A-Za-z0-9+,\-./:;<=_@]+")
_ARN = re.compile(r"arn:aws(?:-cn|-us-gov|-iso(?:-[bef])?)?:glue:([a-z0-9-]+):(\d{12}):(registry|schema)/(.+)")


def not_valid(parameter: str) -> Exception:
    return invalid_input(f"The parameter value contains one or more characters that are not valid. "
                         f"Parameter Name: {parameter}")


def check_name(value: str, parameter: str) -> None:
    if not _NAME.fullmatch(value):
        raise not_valid(parameter)


def check_metadata_pair(pair: dict) -> tuple[str, str]:
    key, value = pair.get("MetadataKey"), pair.get("MetadataValue")
    if not key:
        raise invalid_input("Metadata key is required.")
    if not _METADATA.fullmatch(key):
        raise not_valid("key")
    if value is not None and not _METADATA.fullmatch(value):
        raise not_valid("value")
    return key, value


def timestamp(moment: datetime) -> str:
    """Registry timestamps are strings in the model; Glue writes ISO 8601 in UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def registry_arn(catalog: str, name: str) -> str:
    region, account = catalog.split(":", 1)
    return f"arn:aws:glue:{region}:{account}:registry/{name}"


def schema_arn(catalog: str, registry: str, name: str) -> str:
    region, account = catalog.split(":", 1)
    return f"arn:aws:glue:{region}:{account}:schema/{registry}/{name}"


def _parse_arn(arn: str, kind: str, parameter: str) -> tuple[str, list[str]]:
    match = _ARN.fullmatch(arn)
    parts = match.group(4).split("/") if match else []
    if not match or match.group(3) != kind or len(parts) != (1 if kind == "registry" else 2):
        raise not_valid(parameter)
    for part in parts:
        check_name(part, parameter)
    return f"{match.group(1)}:{match.group(2)}", parts


def registry_ref(ctx: RequestContext, registry_id: Optional[dict], *, default: bool) -> tuple[str, Optional[str]]:
    """(catalog, registry name) a RegistryId names; the default registry (or None) when it names none."""
    registry_id = registry_id or {}
    name, arn = registry_id.get("RegistryName"), registry_id.get("RegistryArn")
    if name and arn:
        raise invalid_input("One of registryName or registryArn has to be provided, both cannot be provided.")
    if arn:
        catalog, (name,) = _parse_arn(arn, "registry", "registryArn")
        return catalog, name
    if name:
        check_name(name, "registryName")
        return owner_key(ctx), name
    return owner_key(ctx), (DEFAULT_REGISTRY if default else None)


def load_registry(store: SchemaStore, db: sqlite3.Connection, catalog: str, name: str) -> dict:
    doc = store.load_registry(db, catalog, name)
    if doc is None:
        raise entity_not_found(f"Registry is not found. RegistryName: {name}")
    return doc


def schema_ref(ctx: RequestContext, schema_id: Optional[dict]) -> tuple[str, str, str, str]:
    """(catalog, registry, schema, how it was named) of a SchemaId; the default registry when only a name."""
    schema_id = schema_id or {}
    arn, name, registry = schema_id.get("SchemaArn"), schema_id.get("SchemaName"), schema_id.get("RegistryName")
    if arn and (name or registry):
        raise invalid_input("One of (registryName and schemaName) or schemaArn has to be provided, "
                            "both cannot be provided.")
    if arn:
        catalog, (registry, name) = _parse_arn(arn, "schema", "schemaArn")
        return catalog, registry, name, f"RegistryName: null, SchemaName: null, SchemaArn: {arn}"
    if not name:
        raise invalid_input("At least one of (registryName and schemaName) or schemaArn has to be provided.")
    check_name(name, "schemaName")
    registry = registry or DEFAULT_REGISTRY
    check_name(registry, "registryName")
    return owner_key(ctx), registry, name, f"RegistryName: {registry}, SchemaName: {name}, SchemaArn: null"


def load_schema(store: SchemaStore, db: sqlite3.Connection, ctx: RequestContext,
                schema_id: Optional[dict]) -> tuple[str, dict]:
    """(catalog, schema document) a SchemaId names; EntityNotFoundException when there is none."""
    catalog, registry, name, described = schema_ref(ctx, schema_id)
    doc = store.load_schema(db, catalog, registry, name)
    if doc is None:
        raise entity_not_found(f"Schema is not found. {described}")
    return catalog, doc


def version_number(number: Optional[dict]) -> Optional[int]:
    """The version a SchemaVersionNumber asks for; None for LatestVersion."""
    number = number or {}
    latest, value = number.get("LatestVersion"), number.get("VersionNumber")
    if latest and value is not None:
        raise invalid_input("Only one of VersionNumber or LatestVersion is required.")
    if not latest and value is None:
        raise invalid_input("One of version number (or) latest version is required.")
    return None if latest else value


def version_not_found() -> Exception:
    return entity_not_found("Schema version is not found.")


def pick_version(rows: list[sqlite3.Row], schema: dict, number: Optional[dict]) -> sqlite3.Row:
    """The version row a SchemaVersionNumber picks among the schema's `rows`."""
    wanted = version_number(number)
    if wanted is None:
        wanted = schema.get("LatestSchemaVersion")
    for row in rows:
        if row["number"] == wanted:
            return row
    raise version_not_found()


def load_version(store: SchemaStore, db: sqlite3.Connection, ctx: RequestContext,
                 params: dict) -> tuple[str, dict, sqlite3.Row]:
    """(catalog, schema document, version row) named by SchemaVersionId, or SchemaId + SchemaVersionNumber."""
    version_id = params.get("SchemaVersionId")
    if version_id is not None:
        if params.get("SchemaId") or params.get("SchemaVersionNumber"):
            raise invalid_input("No other input parameters can be specified when fetching by SchemaVersionId.")
        if not _VERSION_ID.fullmatch(version_id):
            raise not_valid("SchemaVersionId")
        row = store.version_by_id(db, version_id)
        if row is None:
            raise version_not_found()
        schema = store.load_schema(db, row["catalog"], row["registry"], row["schema"])
        return row["catalog"], schema, row
    catalog, schema = load_schema(store, db, ctx, params.get("SchemaId"))
    rows = store.versions(db, catalog, schema["RegistryName"], schema["SchemaName"])
    return catalog, schema, pick_version(rows, schema, params.get("SchemaVersionNumber"))

