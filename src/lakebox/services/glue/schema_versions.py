"""Schema versions: RegisterSchemaVersion, GetSchemaVersion, GetSchemaByDefinition, ListSchemaVersions,
DeleteSchemaVersions, CheckSchemaVersionValidity and GetSchemaVersionsDiff.

How a registration is decided (`add_version`, also used by CreateSchema for version 1):
- a definition that is not valid for the schema's data format is refused with InvalidInputException
  ("Schema definition of AVRO data format is invalid: ..."), and nothing is stored;
- under DISABLED a schema that has a version takes no other, not even an identical one
  (InvalidInputException, Glue's message);
- a definition canonically equal to an AVAILABLE version returns that version (Glue: "the schema ID of
  the existing schema is returned");
- otherwise the compatibility mode is applied (schema_formats.py): BACKWARD, FORWARD and FULL compare
  with the latest AVAILABLE version, the _ALL forms with every AVAILABLE version from the checkpoint on
  (the checkpoint is where the mode last changed, set by UpdateSchema). A version that breaks the mode
  is still stored, with status FAILURE, and takes its version number, as Glue records a failed
  evolution; it never becomes the latest version or a base for later checks. The reason is kept in the
  store and logged, since no Glue output has a member for it. Registering the same failing definition
  again returns that FAILURE version instead of adding another.
"""

from __future__ import annotations

import difflib
import logging
import re
import uuid
from typing import Any, Optional

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import page
from .errors import invalid_input, limit_exceeded
from .schema_formats import InvalidDefinition, canonical, compares_all, incompatibility, parse
from .schema_ids import DATA_FORMATS, load_schema, load_version, pick_version, timestamp, version_not_found
from .schema_store import SchemaStore, version_doc

log = logging.getLogger(__name__)

#: Glue's documented quota of versions per schema.
MAX_VERSIONS_PER_SCHEMA = 1000
DEFAULT_PAGE_SIZE = 25
_RANGE = re.compile(r"([1-9][0-9]*)(?:-([1-9][0-9]*))?")
_LIST_ITEM = ("SchemaArn", "SchemaVersionId", "VersionNumber", "Status", "CreatedTime")


def parse_definition(data_format: str, text: str) -> Any:
    try:
        return parse(data_format, text)
    except InvalidDefinition as exc:
        raise invalid_input(f"Schema definition of {data_format} data format is invalid: {exc}") from None


def _described(schema_id: Optional[dict]) -> str:
    schema_id = schema_id or {}
    parts = [f"{key}={schema_id.get(name) or 'null'}"
             for key, name in (("schemaArn", "SchemaArn"), ("schemaName", "SchemaName"), ("registryName", "RegistryName"))]
    return f"SchemaId({', '.join(parts)})"


def add_version(store: SchemaStore, db, catalog: str, schema: dict, text: str, parsed: Any, now: str,
                schema_id: Optional[dict] = None) -> dict:
    """Register `text` as the schema's next version (or find it); updates `schema` in place, not stored."""
    data_format, mode = schema["DataFormat"], schema["Compatibility"]
    canon = canonical(data_format, text)
    rows = store.versions(db, catalog, schema["RegistryName"], schema["SchemaName"])
    available = [r for r in rows if r["status"] == "AVAILABLE"]
    if mode == "DISABLED" and available:
        # Glue refuses before looking for an identical version (its message names the SchemaId as given).
        raise invalid_input(f"Compatibility DISABLED does not allow versioning. SchemaId: {_described(schema_id)}")
    for row in available:
        if row["canonical"] == canon:
            return version_doc(row)
    if len(rows) >= MAX_VERSIONS_PER_SCHEMA:
        raise limit_exceeded("More schema versions cannot be created. The maximum limit has been reached.")
    checkpoint = schema.get("SchemaCheckpoint") or 0
    bases = [r for r in available if r["number"] >= checkpoint] if compares_all(mode) else available[-1:]
    reason = incompatibility(data_format, mode, parsed,
                             [(r["number"], parse(data_format, version_doc(r)["SchemaDefinition"])) for r in bases])
    if reason is not None:
        for row in rows:
            if row["canonical"] == canon and row["status"] == "FAILURE":
                return version_doc(row)
    number = schema["NextSchemaVersion"]
    doc = {"SchemaVersionId": str(uuid.uuid4()), "SchemaDefinition": text, "DataFormat": data_format,
           "SchemaArn": schema["SchemaArn"], "VersionNumber": number,
           "Status": "FAILURE" if reason else "AVAILABLE", "CreatedTime": now}
    store.put_version(db, catalog, schema["RegistryName"], schema["SchemaName"], doc, canon, reason)
    schema["NextSchemaVersion"] = number + 1
    schema["UpdatedTime"] = now
    if reason:
        log.info("schema %s version %d failed its %s check: %s", schema["SchemaArn"], number, mode, reason)
    else:
        schema["LatestSchemaVersion"] = number
        schema.setdefault("SchemaCheckpoint", number)
    return doc


def parse_versions(text: str) -> list[int]:
    """The version numbers of DeleteSchemaVersions' `Versions`: "5", "5-8", or a list such as "1-3,5"."""
    numbers: set[int] = set()
    for part in text.split(","):
        match = _RANGE.fullmatch(part.strip())
        if not match:
            raise invalid_input(f"Invalid versions: {text}. Use a version number (5), a range (5-8) or a "
                                f"comma-separated list of them.")
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        if low > high or high > 100_000:
            raise invalid_input(f"Invalid version range: {part.strip()}")
        numbers.update(range(low, high + 1))
    return sorted(numbers)


class SchemaVersionsMixin:
    schema_store: SchemaStore
    clock: ServiceClock

    def register_schema_version(self, ctx: RequestContext, params: dict) -> dict:
        with self.schema_store.write() as db:
            catalog, schema = load_schema(self.schema_store, db, ctx, params["SchemaId"])
            parsed = parse_definition(schema["DataFormat"], params["SchemaDefinition"])
            doc = add_version(self.schema_store, db, catalog, schema, params["SchemaDefinition"], parsed,
                              timestamp(self.clock.now()), params["SchemaId"])
            self.schema_store.put_schema(db, catalog, schema)
        return {"SchemaVersionId": doc["SchemaVersionId"], "VersionNumber": doc["VersionNumber"],
                "Status": doc["Status"]}

    def get_schema_version(self, ctx: RequestContext, params: dict) -> dict:
        with self.schema_store.write() as db:
            _, _, row = load_version(self.schema_store, db, ctx, params)
        return version_doc(row)

    def get_schema_by_definition(self, ctx: RequestContext, params: dict) -> dict:
        with self.schema_store.write() as db:
            catalog, schema = load_schema(self.schema_store, db, ctx, params["SchemaId"])
            try:
                canon = canonical(schema["DataFormat"], params["SchemaDefinition"])
            except ValueError as exc:
                raise invalid_input(f"Schema definition of {schema['DataFormat']} data format is invalid: "
                                    f"{exc}") from None
            rows = self.schema_store.versions(db, catalog, schema["RegistryName"], schema["SchemaName"])
        matches = sorted((r for r in rows if r["canonical"] == canon), key=lambda r: r["status"] != "AVAILABLE")
        if not matches:
            raise AwsError("EntityNotFoundException", "Schema is not found.", 400)
        doc = version_doc(matches[0])
        return {k: doc[k] for k in ("SchemaVersionId", "SchemaArn", "DataFormat", "Status", "CreatedTime")}

    def list_schema_versions(self, ctx: RequestContext, params: dict) -> dict:
        with self.schema_store.write() as db:
            catalog, schema = load_schema(self.schema_store, db, ctx, params["SchemaId"])
            rows = self.schema_store.versions(db, catalog, schema["RegistryName"], schema["SchemaName"])
        items = [(f"{r['number']:09d}", {k: version_doc(r)[k] for k in _LIST_ITEM}) for r in rows]
        chunk, token = page(items, params.get("NextToken"), params.get("MaxResults"), DEFAULT_PAGE_SIZE)
        return {"Schemas": chunk, "NextToken": token}

    def delete_schema_versions(self, ctx: RequestContext, params: dict) -> dict:
        numbers = parse_versions(params["Versions"])
        errors = []
        with self.schema_store.write() as db:
            catalog, schema = load_schema(self.schema_store, db, ctx, params["SchemaId"])
            if schema.get("SchemaCheckpoint") in numbers:
                # Glue: "the API will return a 409 conflict and will not proceed with the deletion".
                raise AwsError("ConflictException", f"The checkpoint version {schema['SchemaCheckpoint']} cannot "
                                                    f"be deleted; move the checkpoint with UpdateSchema first.", 409)
            rows = {r["number"]: r for r in self.schema_store.versions(db, catalog, schema["RegistryName"],
                                                                         schema["SchemaName"])}
            for number in numbers:
                if number not in rows:
                    errors.append(_version_error(number, "EntityNotFoundException", "Schema version is not found."))
                elif number == 1:
                    errors.append(_version_error(number, "InvalidInputException", "The first schema version can "
                                                 "only be deleted with DeleteSchema."))
                else:
                    self.schema_store.delete_version(db, rows.pop(number)["id"])
            available = [n for n, r in rows.items() if r["status"] == "AVAILABLE"]
            if available:
                schema["LatestSchemaVersion"] = max(available)
            else:
                schema.pop("LatestSchemaVersion", None)
            schema["UpdatedTime"] = timestamp(self.clock.now())
            self.schema_store.put_schema(db, catalog, schema)
        return {"SchemaVersionErrors": errors}

    def check_schema_version_validity(self, ctx: RequestContext, params: dict) -> dict:
        data_format = params["DataFormat"]
        if data_format not in DATA_FORMATS:
            raise invalid_input("Data format is not valid.")
        try:
            parse(data_format, params["SchemaDefinition"])
        except InvalidDefinition as exc:
            return {"Valid": False, "Error": f"Schema definition of {data_format} data format is invalid: {exc}"[:5000]}
        return {"Valid": True}

    def get_schema_versions_diff(self, ctx: RequestContext, params: dict) -> dict:
        if params["SchemaDiffType"] != "SYNTAX_DIFF":
            raise invalid_input("SchemaDiffType is not valid. The only supported value is SYNTAX_DIFF.")
        with self.schema_store.write() as db:
            catalog, schema = load_schema(self.schema_store, db, ctx, params["SchemaId"])
            rows = self.schema_store.versions(db, catalog, schema["RegistryName"], schema["SchemaName"])
        if not rows:
            raise version_not_found()
        first = pick_version(rows, schema, params["FirstSchemaVersionNumber"])
        second = pick_version(rows, schema, params["SecondSchemaVersionNumber"])
        old, new = version_doc(first)["SchemaDefinition"], version_doc(second)["SchemaDefinition"]
        diff = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                    fromfile=f"version {first['number']}", tofile=f"version {second['number']}")
        return {"Diff": "".join(line if line.endswith("\n") else line + "\n" for line in diff)}


def _version_error(number: int, code: str, message: str) -> dict:
    return {"VersionNumber": number, "ErrorDetails": {"ErrorCode": code, "ErrorMessage": message}}
