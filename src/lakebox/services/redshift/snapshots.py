"""Manual cluster snapshots: CreateClusterSnapshot, DescribeClusterSnapshots, DeleteClusterSnapshot,
RestoreFromClusterSnapshot, and the final snapshot of DeleteCluster.

A snapshot is a real copy of the cluster's databases (RedshiftDatabase.copy_to, one transaction's
view of each) taken while clients go on working; restoring it makes a new cluster with those tables
and rows. Its files are written in a temp folder, fsynced, and renamed into place before the
snapshot's row is committed, so a snapshot that is listed is whole, and survives `kill -9`.
Manual snapshots outlive their cluster; automated ones (automated_snapshots.py) go with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage.atomic import fsync_dir
from .automated_snapshots import only_manual_deleted

log = logging.getLogger("lakebox.redshift")

#: Cluster settings a snapshot remembers, and a restore gives the new cluster unless told otherwise.
_CLUSTER_FIELDS = ("NodeType", "NumberOfNodes", "ClusterType", "MasterUsername", "DBName", "PasswordHash",
                   "Encrypted", "KmsKeyId", "EnhancedVpcRouting", "ClusterVersion", "AvailabilityZone", "Users",
                   "Databases")
_SHOWN = ("SnapshotIdentifier", "ClusterIdentifier", "Status", "Port", "AvailabilityZone", "MasterUsername",
          "ClusterVersion", "SnapshotType", "NodeType", "NumberOfNodes", "DBName", "Encrypted", "KmsKeyId",
          "EncryptedWithHSM", "OwnerAccount", "TotalBackupSizeInMegaBytes", "ActualIncrementalBackupSizeInMegaBytes",
          "BackupProgressInMegaBytes", "CurrentBackupRateInMegaBytesPerSecond", "EstimatedSecondsToCompletion",
          "ElapsedTimeInSeconds", "SourceRegion", "Tags", "EnhancedVpcRouting", "ManualSnapshotRetentionPeriod",
          "ManualSnapshotRemainingDays", "AccountsWithRestoreAccess")
_SNAPSHOT_ID_RULES = ("The snapshot identifier must be 1 to 255 lowercase letters, digits or hyphens, start with a "
                      "letter, and contain no two consecutive hyphens nor end with one.")


def snapshot_not_found(identifier: str) -> AwsError:
    return AwsError("ClusterSnapshotNotFound", f"Snapshot {identifier} not found.", 404)


def _valid_snapshot_id(identifier: str) -> bool:
    return (0 < len(identifier) <= 255 and identifier[0].isalpha() and not identifier.endswith("-")
            and "--" not in identifier and all(c.islower() or c.isdigit() or c == "-" for c in identifier))


def check_retention(days: int) -> None:
    if days != -1 and not 1 <= days <= 3653:
        raise AwsError("InvalidRetentionPeriodFault", "The retention period must be -1 (indefinitely) or between "
                                                      "1 and 3653 days.", 400)


def write_snapshot_files(final: Path, fill) -> None:
    """Make a snapshot's folder whole or not at all: `fill(staging)` writes the files into a temp
    folder, which is fsynced and renamed to `final`."""
    staging = final.parent / f".tmp-{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        fill(staging)
        for path in staging.iterdir():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(str(staging))
        os.rename(staging, final)
        fsync_dir(str(final.parent))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def copy_database_files(source: Path, staging: Path) -> None:
    """Copy a cluster's or snapshot's database files (nobody has them open) into `staging`."""
    for path in source.glob("*.duckdb"):
        shutil.copyfile(path, staging / path.name)


def _size_mib(folder: Path) -> float:
    total = sum(f.stat().st_size for f in folder.glob("*.duckdb"))
    return round(total / (1 << 20), 3)


class SnapshotsMixin:
    """Needs the provider's store, runtimes, `_cluster`, `_output` and `_start`."""

    # -- taking one -------------------------------------------------------------------------------

    def _take_snapshot(self, ctx: RequestContext, cluster: dict, identifier: str, retention: Optional[int],
                       tags: list, final_of: bool = False, automated_at: Optional[dt.datetime] = None) -> dict:
        """Copy the cluster's databases into a new snapshot; the caller holds the store's lock.

        An automated snapshot (`automated_at`, the service clock's time it is taken at) is named by
        Redshift, not checked against the rules for user-given names, and records no events."""
        automated = automated_at is not None
        if not automated and not _valid_snapshot_id(identifier):
            raise AwsError("InvalidParameterValue", _SNAPSHOT_ID_RULES, 400)
        if self.store.get_snapshot(ctx.account_id, identifier) is not None:
            raise AwsError("ClusterSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the "
                                                           f"identifier {identifier} already exists.", 400)
        if not automated:
            check_retention(retention)
        final = self.store.snapshot_dir(ctx.account_id, identifier)
        started = automated_at or dt.datetime.now(dt.timezone.utc)
        kind = "final" if final_of else "user"
        if not automated:
            self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-2012" if final_of else "REDSHIFT-EVENT-2009",
                              identifier, f"The {kind} snapshot '{identifier}' for Amazon Redshift cluster "
                                          f"'{cluster['ClusterIdentifier']}' was started at {{at}}.")

        def fill(staging: Path) -> None:
            runtime = self.runtime(ctx.account_id, cluster["ClusterIdentifier"])
            if runtime is not None:
                runtime.snapshot_to(staging)
            else:  # a paused cluster: nobody has its files open
                copy_database_files(self.store.data_dir(ctx.account_id, cluster["ClusterIdentifier"]), staging)

        write_snapshot_files(final, fill)
        elapsed = (dt.datetime.now(dt.timezone.utc) - started).total_seconds() if not automated else 0
        size = _size_mib(final)
        doc = {
            "SnapshotIdentifier": identifier, "ClusterIdentifier": cluster["ClusterIdentifier"],
            "SnapshotCreateTime": started.isoformat(), "ClusterCreateTime": cluster["ClusterCreateTime"],
            "Status": "available", "Port": cluster["Endpoint"]["Port"],
            "SnapshotType": "automated" if automated else "manual",
            "OwnerAccount": ctx.account_id, "Region": ctx.region, "EncryptedWithHSM": False,
            "TotalBackupSizeInMegaBytes": size, "ActualIncrementalBackupSizeInMegaBytes": size,
            "BackupProgressInMegaBytes": size, "CurrentBackupRateInMegaBytesPerSecond": 0.0,
            "EstimatedSecondsToCompletion": 0, "ElapsedTimeInSeconds": int(elapsed),
            "ManualSnapshotRetentionPeriod": retention,
            "Tags": [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags or []],
            **{k: cluster.get(k) for k in _CLUSTER_FIELDS},
        }
        self.store.put_snapshot(ctx.account_id, doc)
        self._copy_to_destination(ctx, cluster, doc)
        if automated:
            log.info("redshift automated snapshot %s of cluster %s taken (%.3f MiB)", identifier,
                     cluster["ClusterIdentifier"], size)
            return doc
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-3005" if final_of else "REDSHIFT-EVENT-3004",
                          identifier, f"The {kind} snapshot '{identifier}' for Amazon Redshift cluster "
                                      f"'{cluster['ClusterIdentifier']}' completed successfully at {{at}}.")
        log.info("redshift snapshot %s of cluster %s taken (%.3f MiB)", identifier, cluster["ClusterIdentifier"], size)
        return doc

    def _snapshot_output(self, doc: dict) -> dict:
        out = {k: doc[k] for k in _SHOWN if doc.get(k) is not None}
        out["SnapshotCreateTime"] = dt.datetime.fromisoformat(doc["SnapshotCreateTime"])
        out["ClusterCreateTime"] = dt.datetime.fromisoformat(doc["ClusterCreateTime"])
        out["SnapshotRetentionStartTime"] = out["SnapshotCreateTime"]
        retention = doc.get("ManualSnapshotRetentionPeriod", -1)
        if retention is not None and retention != -1:
            started = dt.datetime.fromisoformat(doc.get("RetentionStartTime") or doc["SnapshotCreateTime"])
            out["ManualSnapshotRemainingDays"] = max(0, retention - (self.config.clock.now() - started).days)
        out["SnapshotArn"] = (f"arn:aws:redshift:{doc['Region']}:{doc['OwnerAccount']}:snapshot:"
                              f"{doc['ClusterIdentifier']}/{doc['SnapshotIdentifier']}")
        return out

    def _snapshot(self, ctx: RequestContext, identifier: str) -> dict:
        self._catch_up_automated(ctx)
        doc = self.store.get_snapshot(ctx.account_id, identifier)
        if doc is None or doc["Region"] != ctx.region:
            raise snapshot_not_found(identifier)
        return doc

    # -- the operations ---------------------------------------------------------------------------

    def create_cluster_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            cluster = self._cluster(ctx, params["ClusterIdentifier"])
            doc = self._take_snapshot(ctx, cluster, params["SnapshotIdentifier"],
                                      params.get("ManualSnapshotRetentionPeriod", -1), params.get("Tags") or [])
        return {"Snapshot": self._snapshot_output(doc)}

    def describe_cluster_snapshots(self, ctx: RequestContext, params: dict) -> dict:
        cluster_id, snapshot_id = params.get("ClusterIdentifier"), params.get("SnapshotIdentifier")
        if snapshot_id:
            docs = [self._snapshot(ctx, snapshot_id)]
        else:
            self._catch_up_automated(ctx)
            docs = [d for d in self.store.snapshots(ctx.account_id) if d["Region"] == ctx.region]
        if cluster_id:  # a filter: a cluster long deleted still has its final snapshot listed
            docs = [d for d in docs if d["ClusterIdentifier"] == cluster_id]
        kind = params.get("SnapshotType")
        if kind is not None and kind not in ("manual", "automated"):
            raise AwsError("InvalidParameterValue", f"Invalid snapshot type: {kind}. Valid values are "
                                                    "manual and automated.", 400)
        if kind is not None:
            if snapshot_id and docs[0]["SnapshotType"] != kind:  # the one named is not of that type
                raise snapshot_not_found(snapshot_id)
            docs = [d for d in docs if d["SnapshotType"] == kind]
        start, end = params.get("StartTime"), params.get("EndTime")
        if start is not None:
            docs = [d for d in docs if dt.datetime.fromisoformat(d["SnapshotCreateTime"]) >= start]
        if end is not None:
            docs = [d for d in docs if dt.datetime.fromisoformat(d["SnapshotCreateTime"]) <= end]
        keys, values = set(params.get("TagKeys") or []), set(params.get("TagValues") or [])
        if keys or values:
            docs = [d for d in docs if any((not keys or t["Key"] in keys) and (not values or t["Value"] in values)
                                           for t in d.get("Tags", []))]
        from .provider import page

        docs.sort(key=lambda d: d["SnapshotIdentifier"])  # the Marker is an identifier: pages follow its order
        return page(docs, params, "SnapshotIdentifier", "Snapshots", self._snapshot_output)

    def delete_cluster_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._snapshot(ctx, params["SnapshotIdentifier"])
            if params.get("SnapshotClusterIdentifier") and params["SnapshotClusterIdentifier"] != doc["ClusterIdentifier"]:
                raise snapshot_not_found(params["SnapshotIdentifier"])
            if doc["SnapshotType"] == "automated":
                raise only_manual_deleted(doc["SnapshotIdentifier"])
            self._delete_snapshot(ctx, doc)
        doc["Status"] = "deleted"
        return {"Snapshot": self._snapshot_output(doc)}

    def _delete_snapshot(self, ctx: RequestContext, doc: dict) -> None:
        self.store.delete_snapshot(ctx.account_id, doc["SnapshotIdentifier"])
        if doc["SnapshotType"] == "automated":  # Redshift's own housekeeping: no event
            log.info("redshift automated snapshot %s deleted", doc["SnapshotIdentifier"])
            return
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-2011", doc["SnapshotIdentifier"],
                          f"The cluster snapshot '{doc['SnapshotIdentifier']}' for Amazon Redshift cluster "
                          f"'{doc['ClusterIdentifier']}' was deleted at {{at}}.")
        log.info("redshift snapshot %s deleted", doc["SnapshotIdentifier"])

    def restore_from_cluster_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        from .provider import (DEFAULT_PORT, NODE_TYPES, as_being_created, check_cluster_identifier, invalid,
                               requested_settings)

        identifier = params["ClusterIdentifier"]
        check_cluster_identifier(identifier)
        with self.store.lock:
            # By SnapshotIdentifier or SnapshotArn (the ARN form is how a shared snapshot is named).
            snapshot = self._shared_snapshot(ctx, params)
            if self.store.get(ctx.account_id, identifier) is not None:
                raise AwsError("ClusterAlreadyExists", "Cluster already exists", 400)
            node_type = params.get("NodeType") or snapshot["NodeType"]
            if node_type not in NODE_TYPES:
                raise invalid(f"Invalid node type: {node_type}")
            target = self.store.data_dir(ctx.account_id, identifier)
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(self.store.snapshot_dir(ctx.account_id, snapshot["SnapshotIdentifier"]), target)
            now = dt.datetime.now(dt.timezone.utc).isoformat()
            doc = {
                "Account": ctx.account_id, "Region": ctx.region, "ClusterIdentifier": identifier,
                **{k: snapshot.get(k) for k in _CLUSTER_FIELDS}, "NodeType": node_type,
                "NumberOfNodes": params.get("NumberOfNodes") or snapshot["NumberOfNodes"],
                "ClusterStatus": "available", "ClusterAvailabilityStatus": "Available",
                "Endpoint": {"Address": self.config.host, "Port": params.get("Port") or snapshot.get("Port") or DEFAULT_PORT},
                "ClusterCreateTime": now,
                **requested_settings(params, snapshot.get("AvailabilityZone") or f"{ctx.region}a"),
                "ClusterParameterGroupName": self._resolve_group_name(ctx, params.get("ClusterParameterGroupName")),
                "RestoredFromSnapshot": snapshot["SnapshotIdentifier"],
            }
            self.store.put(ctx.account_id, doc)
            try:
                self._start(doc)
            except Exception:
                self.store.delete(ctx.account_id, identifier)
                raise
            if doc["AutomatedSnapshotRetentionPeriod"] > 0:
                self._take_automated_snapshot(ctx, doc, self.config.clock.now())
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-3003", identifier,
                          f"Amazon Redshift cluster '{identifier}' was successfully created from snapshot "
                          f"'{snapshot['SnapshotIdentifier']}' and is available for use.")
        log.info("redshift cluster %s restored from snapshot %s", identifier, snapshot["SnapshotIdentifier"])
        return {"Cluster": self._output(ctx, as_being_created(self.store.get(ctx.account_id, identifier)))}
