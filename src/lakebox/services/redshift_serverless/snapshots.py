"""Redshift Serverless snapshots: CreateSnapshot, GetSnapshot, ListSnapshots, UpdateSnapshot,
DeleteSnapshot and RestoreFromSnapshot.

A snapshot is a copy of a namespace's databases (the DuckDB files, taken from the running workgroup
as a cluster snapshot is) under `<data>/.lakebox/redshift-serverless/snapshots/<account>/<name>/`,
written whole or not at all, with the namespace's logins and database settings in its row. It
outlives its namespace. RestoreFromSnapshot replaces a namespace's databases with the snapshot's
(the namespace must be served by the workgroup named), as on AWS; the workgroup's endpoint is back
once the files are in place.

AWS's rules kept: snapshot names are unique in the account (ConflictException), a retention period
is -1 (indefinite) or 1 to 3,653 days, and the namespace must exist.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path
from typing import Optional

from ...protocol.context import RequestContext
from ...storage.atomic import fsync_dir
from ..redshift.snapshots import write_snapshot_files
from ..redshift.store import DocTable

#: What a snapshot keeps of the namespace's runtime document, and gives back on a restore.
_KEPT = ("MasterUsername", "PasswordHash", "DBName", "Users", "Databases")


class ServerlessSnapshotsMixin:
    """Needs the provider's `snapshots` table, `root`, `lock`, `runtimes` and namespace helpers."""

    snapshots: DocTable
    root: Path

    def _snapshot_dir(self, account: str, name: str) -> Path:
        return self.root / "snapshots" / account / name

    def _snapshot_doc(self, ctx: RequestContext, name: Optional[str], arn: Optional[str] = None) -> dict:
        from .provider import not_found, validation

        if arn and not name:
            if ":snapshot/" not in arn:
                raise validation(f"{arn} is not a Redshift Serverless snapshot ARN.")
            name = next((d["snapshotName"] for d in self.snapshots.all(ctx.account_id) if d["snapshotArn"] == arn),
                        None)
            if name is None:
                raise not_found(f"Snapshot {arn} not found.")
        if not name:
            raise validation("snapshotName or snapshotArn must be given.")
        doc = self.snapshots.get(ctx.account_id, name)
        if doc is None or doc["_Region"] != ctx.region:
            raise not_found(f"Snapshot {name} not found.")
        return doc

    def _snapshot_out(self, doc: dict) -> dict:
        out = {k: v for k, v in doc.items() if not k.startswith("_")}
        created = dt.datetime.fromisoformat(doc["snapshotCreateTime"])
        out["snapshotCreateTime"] = out["snapshotRetentionStartTime"] = created
        retention = doc["snapshotRetentionPeriod"]
        if retention >= 0:
            left = retention - (dt.datetime.now(dt.timezone.utc) - created).days
            out["snapshotRemainingDays"] = max(0, left)
        return out

    def create_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        from .provider import _check_name, _tags, conflict

        name = params["snapshotName"]
        _check_name("Snapshot", name)
        retention = _retention(params.get("retentionPeriod"))
        with self.lock:
            namespace = self._namespace(ctx, params["namespaceName"])
            if self.snapshots.get(ctx.account_id, name) is not None:
                raise conflict(f"Snapshot {name} already exists.")
            started = dt.datetime.now(dt.timezone.utc)
            workgroup = next(iter(self._workgroups_of(ctx.account_id, namespace["namespaceName"])), None)
            runtime = self.runtime(ctx.account_id, workgroup["workgroupName"]) if workgroup else None

            def fill(staging: Path) -> None:
                if runtime is not None:
                    runtime.snapshot_to(staging)
                else:  # no workgroup: nobody has the files open
                    for path in (self.root / ctx.account_id / namespace["namespaceId"]).glob("*.duckdb"):
                        shutil.copyfile(path, staging / path.name)

            final = self._snapshot_dir(ctx.account_id, name)
            final.parent.mkdir(parents=True, exist_ok=True)
            write_snapshot_files(final, fill)
            size = round(sum(f.stat().st_size for f in final.glob("*.duckdb")) / (1 << 20), 3)
            cluster = runtime.doc if runtime is not None else namespace["_Cluster"]
            doc = {
                "snapshotName": name, "namespaceName": namespace["namespaceName"],
                "namespaceArn": namespace["namespaceArn"], "ownerAccount": ctx.account_id, "status": "AVAILABLE",
                "snapshotArn": f"arn:aws:redshift-serverless:{ctx.region}:{ctx.account_id}:snapshot/{uuid.uuid4()}",
                "snapshotCreateTime": started.isoformat(), "snapshotRetentionPeriod": retention,
                "totalBackupSizeInMegaBytes": size, "actualIncrementalBackupSizeInMegaBytes": size,
                "backupProgressInMegaBytes": size, "currentBackupRateInMegaBytesPerSecond": 0.0,
                "estimatedSecondsToCompletion": 0,
                "elapsedTimeInSeconds": int((dt.datetime.now(dt.timezone.utc) - started).total_seconds()),
                "accountsWithRestoreAccess": [], "accountsWithProvisionedRestoreAccess": [],
                "_Region": ctx.region, "_Tags": _tags(params.get("tags")),
                "_Cluster": {k: cluster.get(k) for k in _KEPT},
            }
            if namespace.get("adminUsername"):
                doc["adminUsername"] = namespace["adminUsername"]
            self.snapshots.put(ctx.account_id, doc)
        return {"snapshot": self._snapshot_out(doc)}

    def get_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        return {"snapshot": self._snapshot_out(self._snapshot_doc(ctx, params.get("snapshotName"),
                                                                  params.get("snapshotArn")))}

    def list_snapshots(self, ctx: RequestContext, params: dict) -> dict:
        from .provider import _page

        docs = [d for d in self.snapshots.all(ctx.account_id) if d["_Region"] == ctx.region]
        if params.get("namespaceName"):
            docs = [d for d in docs if d["namespaceName"] == params["namespaceName"]]
        if params.get("namespaceArn"):
            docs = [d for d in docs if d["namespaceArn"] == params["namespaceArn"]]
        for bound, keep in (("startTime", lambda t, b: t >= b), ("endTime", lambda t, b: t <= b)):
            if params.get(bound) is not None:
                docs = [d for d in docs if keep(dt.datetime.fromisoformat(d["snapshotCreateTime"]), params[bound])]
        chunk, token = _page(docs, "snapshotName", params)
        return {"snapshots": [self._snapshot_out(d) for d in chunk], "nextToken": token}

    def update_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        with self.lock:
            doc = self._snapshot_doc(ctx, params["snapshotName"])
            if params.get("retentionPeriod") is not None:
                doc["snapshotRetentionPeriod"] = _retention(params["retentionPeriod"])
            self.snapshots.put(ctx.account_id, doc)
        return {"snapshot": self._snapshot_out(doc)}

    def delete_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        with self.lock:
            doc = self._snapshot_doc(ctx, params["snapshotName"])
            self.snapshots.delete(ctx.account_id, doc["snapshotName"])
            shutil.rmtree(self._snapshot_dir(ctx.account_id, doc["snapshotName"]), ignore_errors=True)
        doc["status"] = "DELETED"
        return {"snapshot": self._snapshot_out(doc)}

    def restore_from_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        from .provider import shown, validation

        with self.lock:
            snapshot = self._snapshot_doc(ctx, params.get("snapshotName"), params.get("snapshotArn"))
            namespace = self._namespace(ctx, params["namespaceName"])
            workgroup = self._workgroup(ctx, params["workgroupName"])
            if workgroup["namespaceName"] != namespace["namespaceName"]:
                raise validation(f"Workgroup {workgroup['workgroupName']} does not serve namespace "
                                 f"{namespace['namespaceName']}.")
            self._stop(ctx.account_id, workgroup["workgroupName"])
            data = self.root / ctx.account_id / namespace["namespaceId"]
            staging, old = _restore_paths(data)
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(self._snapshot_dir(ctx.account_id, snapshot["snapshotName"]), staging)
            fsync_dir(str(staging))
            # Two renames swap the folders; finish_restores() completes a swap a kill interrupted.
            if data.exists():
                data.rename(old)
            staging.rename(data)
            fsync_dir(str(data.parent))
            shutil.rmtree(old, ignore_errors=True)
            namespace["_Cluster"].update({k: v for k, v in snapshot["_Cluster"].items() if v is not None})
            self.namespaces.put(ctx.account_id, namespace)
            self._start(workgroup, namespace)
        return {"snapshotName": snapshot["snapshotName"], "ownerAccount": ctx.account_id,
                "namespace": shown(namespace)}


def _restore_paths(data: Path) -> tuple[Path, Path]:
    """The staging folder of a restore into `data`, and where the replaced files wait meanwhile."""
    return data.parent / f".restore-{data.name}", data.parent / f".replaced-{data.name}"


def finish_restores(data: Path) -> None:
    """Complete or undo a restore into `data` that a killed process left half done: a copy that was
    whole before the swap began becomes the data; otherwise the replaced files come back."""
    staging, old = _restore_paths(data)
    if not data.exists():
        if staging.exists() and old.exists():
            staging.rename(data)  # the copy was complete: the swap had begun
        elif old.exists():
            old.rename(data)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def _retention(value: Optional[int]) -> int:
    from .provider import validation

    if value is None:
        return -1
    if value != -1 and not 1 <= value <= 3653:
        raise validation("retentionPeriod must be -1 (keep indefinitely) or 1 to 3,653 days.")
    return value

