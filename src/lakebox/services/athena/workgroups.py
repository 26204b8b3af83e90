"""WorkGroups: Create, Get, List, Update, Delete, and ListEngineVersions. `primary` always exists; it is
made on first use. A workgroup may select only an engine version that ListEngineVersions offers, so the
two never disagree."""

from __future__ import annotations

from typing import Any

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import ENGINE_VERSION, ENGINE_VERSIONS, PRIMARY, arn, forget_tags, page, put_tags, scope
from .errors import invalid_request
from .result_storage import MANAGED_AND_OUTPUT
from .store import AthenaStore, decode, encode


class WorkGroupsMixin:
    store: AthenaStore
    clock: ServiceClock

    def workgroup(self, ctx: RequestContext, name: str | None) -> dict:
        """The named workgroup (`primary` if none), or InvalidRequestException."""
        name = name or PRIMARY
        self._ensure_primary(ctx)
        rows = self.store.read("SELECT doc FROM workgroups WHERE scope = ? AND name = ?", (scope(ctx), name))
        if not rows:
            raise invalid_request("WorkGroup is not found.")
        return decode(rows[0]["doc"])

    def _ensure_primary(self, ctx: RequestContext) -> None:
        if self.store.read("SELECT 1 FROM workgroups WHERE scope = ? AND name = ?", (scope(ctx), PRIMARY)):
            return
        # Unlike a workgroup made by CreateWorkGroup, primary does not enforce its settings.
        doc = _new_workgroup(PRIMARY, {"EnforceWorkGroupConfiguration": False}, "", self.clock.now())
        with self.store.write() as db:
            db.execute("INSERT OR IGNORE INTO workgroups (scope, name, doc) VALUES (?, ?, ?)",
                       (scope(ctx), PRIMARY, encode(doc)))

    def create_work_group(self, ctx: RequestContext, params: dict) -> dict:
        self._ensure_primary(ctx)
        name = params["Name"]
        doc = _new_workgroup(name, params.get("Configuration") or {}, params.get("Description"), self.clock.now())
        _check_result_storage(doc["Configuration"])
        with self.store.write() as db:
            if db.execute("SELECT 1 FROM workgroups WHERE scope = ? AND name = ?", (scope(ctx), name)).fetchone():
                raise invalid_request("WorkGroup is already created", "WORKGROUP_ALREADY_EXISTS")
            db.execute("INSERT INTO workgroups (scope, name, doc) VALUES (?, ?, ?)", (scope(ctx), name, encode(doc)))
            put_tags(db, arn(ctx, f"workgroup/{name}"), params.get("Tags"))
        return {}

    def get_work_group(self, ctx: RequestContext, params: dict) -> dict:
        return {"WorkGroup": self.workgroup(ctx, params["WorkGroup"])}

    def list_work_groups(self, ctx: RequestContext, params: dict) -> dict:
        self._ensure_primary(ctx)
        rows = self.store.read("SELECT doc FROM workgroups WHERE scope = ? ORDER BY name", (scope(ctx),))
        docs, token = page(rows, params.get("NextToken"), params.get("MaxResults"), 50)
        summaries = []
        for row in docs:
            doc = decode(row["doc"])
            summaries.append({k: doc[k] for k in ("Name", "State", "Description", "CreationTime") if k in doc}
                             | {"EngineVersion": doc["Configuration"].get("EngineVersion", ENGINE_VERSION)})
        return {"WorkGroups": summaries, "NextToken": token}

    def update_work_group(self, ctx: RequestContext, params: dict) -> dict:
        doc = self.workgroup(ctx, params["WorkGroup"])
        if "Description" in params:
            doc["Description"] = params["Description"]
        if "State" in params:
            doc["State"] = params["State"]
        _apply_updates(doc["Configuration"], params.get("ConfigurationUpdates") or {})
        _check_result_storage(doc["Configuration"])
        with self.store.write() as db:
            db.execute("UPDATE workgroups SET doc = ? WHERE scope = ? AND name = ?",
                       (encode(doc), scope(ctx), doc["Name"]))
        return {}

    def delete_work_group(self, ctx: RequestContext, params: dict) -> dict:
        name = params["WorkGroup"]
        if name == PRIMARY:
            raise invalid_request("Cannot delete primary workgroup")
        self.workgroup(ctx, name)
        with self.store.write() as db:
            has_named = db.execute("SELECT 1 FROM named_queries WHERE scope = ? AND workgroup = ?",
                                   (scope(ctx), name)).fetchone()
            if has_named and not params.get("RecursiveDeleteOption"):
                raise invalid_request("WorkGroup is not empty. Use RecursiveDeleteOption to delete it.")
            for table in ("named_queries", "prepared"):
                db.execute(f"DELETE FROM {table} WHERE scope = ? AND workgroup = ?", (scope(ctx), name))
            db.execute("DELETE FROM workgroups WHERE scope = ? AND name = ?", (scope(ctx), name))
            forget_tags(db, arn(ctx, f"workgroup/{name}"))
        return {}

    def list_engine_versions(self, ctx: RequestContext, params: dict) -> dict:
        chunk, token = page(ENGINE_VERSIONS, params.get("NextToken"), params.get("MaxResults"), 10)
        return {"EngineVersions": [dict(v) for v in chunk], "NextToken": token}


def _new_workgroup(name: str, configuration: dict, description: Any, now) -> dict:
    config = {"EnforceWorkGroupConfiguration": True, "PublishCloudWatchMetricsEnabled": False,
              "RequesterPaysEnabled": False, "EnableMinimumEncryptionConfiguration": False, **configuration}
    config.setdefault("ResultConfiguration", {})
    config["EngineVersion"] = _engine_version(configuration.get("EngineVersion"))
    doc = {"Name": name, "State": "ENABLED", "Configuration": config, "CreationTime": now}
    if description:
        doc["Description"] = description
    return doc


def _engine_version(asked: dict | None) -> dict:
    """The EngineVersion a workgroup gets for the one it asks for; EffectiveEngineVersion is Athena's to
    choose, so what the request says of it is ignored."""
    selected = (asked or {}).get("SelectedEngineVersion") or "AUTO"
    for version in ENGINE_VERSIONS:
        if version["SelectedEngineVersion"] == selected:
            return dict(version)
    offered = ", ".join(v["SelectedEngineVersion"] for v in ENGINE_VERSIONS)
    raise invalid_request(f"Invalid engine version {selected}. Valid engine versions are: {offered}")


def _apply_updates(config: dict, updates: dict) -> None:
    for key in ("EnforceWorkGroupConfiguration", "PublishCloudWatchMetricsEnabled", "RequesterPaysEnabled",
                "BytesScannedCutoffPerQuery", "AdditionalConfiguration", "ExecutionRole",
                "EnableMinimumEncryptionConfiguration"):
        if key in updates:
            config[key] = updates[key]
    if updates.get("RemoveBytesScannedCutoffPerQuery"):
        config.pop("BytesScannedCutoffPerQuery", None)
    if "EngineVersion" in updates:
        config["EngineVersion"] = _engine_version(updates["EngineVersion"])
    result = config.setdefault("ResultConfiguration", {})
    changes = updates.get("ResultConfigurationUpdates") or {}
    for key in ("OutputLocation", "EncryptionConfiguration", "ExpectedBucketOwner", "AclConfiguration"):
        if changes.get(f"Remove{key}"):
            result.pop(key, None)
        elif key in changes:
            result[key] = changes[key]
    managed_changes = updates.get("ManagedQueryResultsConfigurationUpdates")
    if managed_changes:
        managed = config.setdefault("ManagedQueryResultsConfiguration", {"Enabled": False})
        if "Enabled" in managed_changes:
            managed["Enabled"] = managed_changes["Enabled"]
        if managed_changes.get("RemoveEncryptionConfiguration"):
            managed.pop("EncryptionConfiguration", None)
        elif "EncryptionConfiguration" in managed_changes:
            managed["EncryptionConfiguration"] = managed_changes["EncryptionConfiguration"]


def _check_result_storage(config: dict) -> None:
    """Results go to Athena-owned storage (managed query results) or to an S3 OutputLocation, never
    both: "A workgroup cannot have the ResultConfiguration$OutputLocation parameter when you set this
    field to true" (ManagedQueryResultsConfiguration.Enabled)."""
    managed = (config.get("ManagedQueryResultsConfiguration") or {}).get("Enabled")
    if managed and (config.get("ResultConfiguration") or {}).get("OutputLocation"):
        raise invalid_request(MANAGED_AND_OUTPUT)
