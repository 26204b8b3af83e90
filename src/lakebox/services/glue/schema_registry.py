"""The Glue Schema Registry's registries and schemas: Create/Get/List/Update/DeleteRegistry and
Create/Get/List/Update/DeleteSchema, with their tags; versions are in schema_versions.py and version
metadata in schema_metadata.py, all kept in `<data>/.lakebox/glue/schemas.db` (schema_store.py).

Why the mixin opens its own store in `__init__`: the provider composes areas by inheritance, and this
area's state is a file of its own, so it joins with one line in provider.py (as catalog_settings.py
does); the provider closes the store with the others.

Deletes are synchronous: Glue answers DeleteRegistry and DeleteSchema with status DELETING and removes
the resource in the background; here it is already gone when the answer is sent, which a client
polling GetSchema/GetRegistry for EntityNotFoundException sees at once. A schema named without a
registry lands in `default-registry`, which CreateSchema creates when it does not exist yet, as Glue does.
Tags (registry ARN `arn:aws:glue:<region>:<account>:registry/<name>`, schema ARN
`...:schema/<registry>/<name>`) live in the catalog store's `tags`, like every Glue resource's.
"""

from __future__ import annotations

from typing import Any

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import owner_key, page
from .errors import already_exists, invalid_input, limit_exceeded
from .schema_ids import (COMPATIBILITIES, DATA_FORMATS, DEFAULT_REGISTRY, check_name, load_registry, load_schema,
                         pick_version, registry_arn, registry_ref, schema_arn, timestamp)
from .schema_metadata import SchemaMetadataMixin
from .schema_store import SchemaStore
from .schema_versions import SchemaVersionsMixin, add_version, parse_definition
from .store import CatalogStore
from .tags import forget_tags, put_tags

#: Glue's documented Schema Registry quotas per account and region.
MAX_REGISTRIES = 100
MAX_SCHEMAS = 10_000
#: ListRegistries and ListSchemas return this many when MaxResults is not given.
DEFAULT_PAGE_SIZE = 25

_REGISTRY_ITEM = ("RegistryName", "RegistryArn", "Description", "Status", "CreatedTime", "UpdatedTime")
_SCHEMA_ITEM = ("RegistryName", "SchemaName", "SchemaArn", "Description", "SchemaStatus", "CreatedTime",
                "UpdatedTime")


def _pick(doc: dict, keys: tuple[str, ...]) -> dict:
    return {k: doc[k] for k in keys if doc.get(k) is not None}


class SchemaRegistryMixin(SchemaVersionsMixin, SchemaMetadataMixin):
    store: CatalogStore
    clock: ServiceClock

    def __init__(self, config: Any, *args: Any, **kwargs: Any):
        super().__init__(config, *args, **kwargs)
        self.schema_store = SchemaStore(config.data_dir / ".lakebox" / "glue" / "schemas.db")

    # -- registries ------------------------------------------------------------------------------------

    def _new_registry(self, db, catalog: str, name: str, description: str | None) -> dict:
        if self.schema_store.count_registries(db, catalog) >= MAX_REGISTRIES:
            raise limit_exceeded("More registries cannot be created. The maximum limit has been reached.")
        now = timestamp(self.clock.now())
        doc = {"RegistryName": name, "RegistryArn": registry_arn(catalog, name), "Description": description,
               "Status": "AVAILABLE", "CreatedTime": now, "UpdatedTime": now}
        self.schema_store.put_registry(db, catalog, {k: v for k, v in doc.items() if v is not None})
        return doc

    def create_registry(self, ctx: RequestContext, params: dict) -> dict:
        name = params["RegistryName"]
        check_name(name, "registryName")
        catalog = owner_key(ctx)
        with self.schema_store.write() as db:
            if self.schema_store.load_registry(db, catalog, name) is not None:
                raise already_exists(f"Registry already exists. RegistryName: {name}")
            doc = self._new_registry(db, catalog, name, params.get("Description"))
        if params.get("Tags"):
            with self.store.write() as db:
                put_tags(db, doc["RegistryArn"], params["Tags"])
        return {**_pick(doc, ("RegistryArn", "RegistryName", "Description")), "Tags": params.get("Tags") or {}}

    def _registry(self, db, ctx: RequestContext, params: dict) -> tuple[str, dict]:
        catalog, name = registry_ref(ctx, params.get("RegistryId"), default=False)
        if name is None:
            raise invalid_input("One of registryName or registryArn has to be provided.")
        return catalog, load_registry(self.schema_store, db, catalog, name)

    def get_registry(self, ctx: RequestContext, params: dict) -> dict:
        with self.schema_store.write() as db:
            _, doc = self._registry(db, ctx, params)
        return _pick(doc, _REGISTRY_ITEM)

    def list_registries(self, ctx: RequestContext, params: dict) -> dict:
        docs = [(d["RegistryName"], _pick(d, _REGISTRY_ITEM)) for d in self.schema_store.registries(owner_key(ctx))]
        chunk, token = page(docs, params.get("NextToken"), params.get("MaxResults"), DEFAULT_PAGE_SIZE)
        return {"Registries": chunk, "NextToken": token}

    def update_registry(self, ctx: RequestContext, params: dict) -> dict:
        with self.schema_store.write() as db:
            catalog, doc = self._registry(db, ctx, params)
            doc.update(Description=params["Description"], UpdatedTime=timestamp(self.clock.now()))
            self.schema_store.put_registry(db, catalog, doc)
        return {"RegistryName": doc["RegistryName"], "RegistryArn": doc["RegistryArn"]}

    def delete_registry(self, ctx: RequestContext, params: dict) -> dict:
        with self.schema_store.write() as db:
            catalog, doc = self._registry(db, ctx, params)
            schemas = self.schema_store.delete_registry(db, catalog, doc["RegistryName"])
        with self.store.write() as db:
            forget_tags(db, doc["RegistryArn"])
            for name in schemas:
                forget_tags(db, schema_arn(catalog, doc["RegistryName"], name))
        return {"RegistryName": doc["RegistryName"], "RegistryArn": doc["RegistryArn"], "Status": "DELETING"}

    # -- schemas ---------------------------------------------------------------------------------------

    def create_schema(self, ctx: RequestContext, params: dict) -> dict:
        name, data_format = params["SchemaName"], params["DataFormat"]
        check_name(name, "schemaName")
        if data_format not in DATA_FORMATS:
            raise invalid_input("Data format is not valid.")
        compatibility = params.get("Compatibility") or "BACKWARD"
        if compatibility not in COMPATIBILITIES:
            raise invalid_input("Compatibility is not valid.")
        text = params.get("SchemaDefinition")
        parsed = parse_definition(data_format, text) if text is not None else None
        catalog, registry = registry_ref(ctx, params.get("RegistryId"), default=True)
        with self.schema_store.write() as db:
            registry_doc = self.schema_store.load_registry(db, catalog, registry)
            if registry_doc is None:
                if registry != DEFAULT_REGISTRY:
                    load_registry(self.schema_store, db, catalog, registry)  # raises EntityNotFoundException
                registry_doc = self._new_registry(db, catalog, registry, None)
            if self.schema_store.load_schema(db, catalog, registry, name) is not None:
                raise already_exists(f"Schema already exists. SchemaName: {name}, RegistryName: {registry}")
            if self.schema_store.count_schemas(db, catalog) >= MAX_SCHEMAS:
                raise limit_exceeded("More schemas cannot be created. The maximum limit has been reached.")
            now = timestamp(self.clock.now())
            doc = {"RegistryName": registry, "RegistryArn": registry_doc["RegistryArn"], "SchemaName": name,
                   "SchemaArn": schema_arn(catalog, registry, name), "Description": params.get("Description"),
                   "DataFormat": data_format, "Compatibility": compatibility, "NextSchemaVersion": 1,
                   "SchemaStatus": "AVAILABLE", "CreatedTime": now, "UpdatedTime": now}
            doc = {k: v for k, v in doc.items() if v is not None}
            version = add_version(self.schema_store, db, catalog, doc, text, parsed, now) if text is not None else {}
            self.schema_store.put_schema(db, catalog, doc)
        if params.get("Tags"):
            with self.store.write() as db:
                put_tags(db, doc["SchemaArn"], params["Tags"])
        out = {k: v for k, v in doc.items() if k not in ("CreatedTime", "UpdatedTime")}
        out["Tags"] = params.get("Tags") or {}
        if version:
            out.update(SchemaVersionId=version["SchemaVersionId"], SchemaVersionStatus=version["Status"])
        return out

    def get_schema(self, ctx: RequestContext, params: dict) -> dict:
        with self.schema_store.write() as db:
            _, doc = load_schema(self.schema_store, db, ctx, params["SchemaId"])
        return doc

    def list_schemas(self, ctx: RequestContext, params: dict) -> dict:
        catalog, registry = registry_ref(ctx, params.get("RegistryId"), default=False)
        if registry is not None:
            with self.schema_store.write() as db:
                load_registry(self.schema_store, db, catalog, registry)
        docs = [(f"{d['RegistryName']}/{d['SchemaName']}", _pick(d, _SCHEMA_ITEM))
                for d in self.schema_store.schemas(catalog, registry)]
        chunk, token = page(docs, params.get("NextToken"), params.get("MaxResults"), DEFAULT_PAGE_SIZE)
        return {"Schemas": chunk, "NextToken": token}

    def update_schema(self, ctx: RequestContext, params: dict) -> dict:
        number, compatibility = params.get("SchemaVersionNumber"), params.get("Compatibility")
        description = params.get("Description")
        if number is None and compatibility is None and description is None:
            raise invalid_input("At least one of SchemaVersionNumber, Compatibility or Description has to be "
                                "provided.")
        if compatibility is not None:
            if compatibility not in COMPATIBILITIES:
                raise invalid_input("Compatibility is not valid.")
            if number is None:
                # Glue: "If the value for Compatibility is provided, the VersionNumber (a checkpoint) is also
                # required."
                raise invalid_input("SchemaVersionNumber (the checkpoint) is required when Compatibility is "
                                    "updated.")
        with self.schema_store.write() as db:
            catalog, doc = load_schema(self.schema_store, db, ctx, params["SchemaId"])
            if number is not None:
                rows = self.schema_store.versions(db, catalog, doc["RegistryName"], doc["SchemaName"])
                row = pick_version(rows, doc, number)
                if row["status"] != "AVAILABLE":
                    raise invalid_input(f"Schema version {row['number']} is {row['status']} and cannot be the "
                                        f"checkpoint.")
                doc["SchemaCheckpoint"] = row["number"]
            if compatibility is not None:
                doc["Compatibility"] = compatibility
            if description is not None:
                doc["Description"] = description
            doc["UpdatedTime"] = timestamp(self.clock.now())
            self.schema_store.put_schema(db, catalog, doc)
        return {"SchemaArn": doc["SchemaArn"], "SchemaName": doc["SchemaName"], "RegistryName": doc["RegistryName"]}

    def delete_schema(self, ctx: RequestContext, params: dict) -> dict:
        with self.schema_store.write() as db:
            catalog, doc = load_schema(self.schema_store, db, ctx, params["SchemaId"])
            self.schema_store.delete_schema(db, catalog, doc["RegistryName"], doc["SchemaName"])
        with self.store.write() as db:
            forget_tags(db, doc["SchemaArn"])
        return {"SchemaArn": doc["SchemaArn"], "SchemaName": doc["SchemaName"], "Status": "DELETING"}
