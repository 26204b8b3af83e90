"""Cross-Region snapshot copy: EnableSnapshotCopy, DisableSnapshotCopy and
ModifySnapshotCopyRetentionPeriod, and the copies themselves.

While copy is on for a cluster, every snapshot taken of it (manual, final or automated) is copied
to the destination Region as a real copy of its files, named `copy:<snapshot>` there, with
SourceRegion set; a cluster restored from it in that Region answers SQL from those files. As on
AWS, copied automated snapshots are kept RetentionPeriod days (7 by default, 1 to 35) in the
destination, copied manual ones ManualSnapshotRetentionPeriod days (-1, for ever, by default), and
the copies stay when copy is turned off. A KMS-encrypted cluster needs a snapshot copy grant, which
must exist in the destination Region (the key itself is recorded, not used).
"""

from __future__ import annotations

import datetime as dt

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...regions import is_region
from .snapshot_copy_grants import grant_not_found
from .snapshots import check_retention, copy_database_files, write_snapshot_files

#: Days a copied automated snapshot is kept in the destination Region unless told otherwise.
DEFAULT_COPY_RETENTION = 7


def _check_copy_retention(days: int) -> None:
    if not 1 <= days <= 35:
        raise AwsError("InvalidRetentionPeriodFault", "The retention period for copied automated snapshots must be "
                                                      "between 1 and 35 days.", 400)


def copy_identifier(identifier: str) -> str:
    return f"copy:{identifier}"


class SnapshotCopyMixin:
    """Needs the provider's store, `_cluster`, `_output`, `_snapshot_output` and SnapshotsMixin."""

    def enable_snapshot_copy(self, ctx: RequestContext, params: dict) -> dict:
        destination = params["DestinationRegion"]
        with self.store.lock:
            doc = self._cluster(ctx, params["ClusterIdentifier"])
            if doc.get("ClusterSnapshotCopyStatus"):
                raise AwsError("SnapshotCopyAlreadyEnabledFault", "The cluster already has cross-region snapshot "
                                                                  "copy enabled.", 400)
            if destination == ctx.region or not is_region(destination):
                raise AwsError("UnknownSnapshotCopyRegionFault", f"Invalid region {destination}", 404)
            retention = params.get("RetentionPeriod", DEFAULT_COPY_RETENTION)
            _check_copy_retention(retention)
            manual = params.get("ManualSnapshotRetentionPeriod", -1)
            check_retention(manual)
            grant = params.get("SnapshotCopyGrantName")
            if doc.get("Encrypted") and not grant:
                raise AwsError("InvalidParameterValue", "SnapshotCopyGrantName is required for Snapshot Copy on KMS "
                                                        "encrypted clusters.", 400)
            if grant and self.store.copy_grants.get(ctx.account_id, f"{destination}/{grant}") is None:
                raise grant_not_found(grant)
            doc["ClusterSnapshotCopyStatus"] = {"DestinationRegion": destination, "RetentionPeriod": retention,
                                                "ManualSnapshotRetentionPeriod": manual,
                                                **({"SnapshotCopyGrantName": grant} if grant else {})}
            self.store.put(ctx.account_id, doc)
        return {"Cluster": self._output(ctx, doc)}

    def disable_snapshot_copy(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._cluster(ctx, params["ClusterIdentifier"])
            if not doc.pop("ClusterSnapshotCopyStatus", None):
                raise AwsError("SnapshotCopyAlreadyDisabledFault", "The cluster already has cross-region snapshot "
                                                                   "copy disabled.", 400)
            self.store.put(ctx.account_id, doc)
        return {"Cluster": self._output(ctx, doc)}

    def modify_snapshot_copy_retention_period(self, ctx: RequestContext, params: dict) -> dict:
        days = params["RetentionPeriod"]
        with self.store.lock:
            doc = self._cluster(ctx, params["ClusterIdentifier"])
            status = doc.get("ClusterSnapshotCopyStatus")
            if not status:
                raise AwsError("SnapshotCopyDisabledFault", "Cross-region snapshot copy is not enabled for the "
                                                            "cluster.", 400)
            if params.get("Manual"):
                check_retention(days)
                status["ManualSnapshotRetentionPeriod"] = days
            else:
                _check_copy_retention(days)
                status["RetentionPeriod"] = days
            self.store.put(ctx.account_id, doc)
        return {"Cluster": self._output(ctx, doc)}

    # -- the copies -----------------------------------------------------------------------------

    def _copy_to_destination(self, ctx: RequestContext, cluster: dict, snapshot: dict) -> None:
        """Copy a snapshot just taken to the cluster's destination Region, if copy is on; under the lock."""
        status = cluster.get("ClusterSnapshotCopyStatus")
        if not status:
            return
        target = copy_identifier(snapshot["SnapshotIdentifier"])
        if self.store.get_snapshot(ctx.account_id, target) is not None:
            return
        origin = self.store.snapshot_dir(ctx.account_id, snapshot["SnapshotIdentifier"])
        write_snapshot_files(self.store.snapshot_dir(ctx.account_id, target),
                             lambda staging: copy_database_files(origin, staging))
        automated = snapshot["SnapshotType"] == "automated"
        doc = {**snapshot, "SnapshotIdentifier": target, "Region": status["DestinationRegion"],
               "SourceRegion": ctx.region, "Tags": [], "AccountsWithRestoreAccess": [],
               "AvailabilityZone": f"{status['DestinationRegion']}a",
               "ManualSnapshotRetentionPeriod": None if automated else status["ManualSnapshotRetentionPeriod"]}
        if automated:
            doc["CopyRetentionPeriod"] = status["RetentionPeriod"]
        doc.pop("RetentionStartTime", None)
        self.store.put_snapshot(ctx.account_id, doc)

    def _expire_copies(self, ctx: RequestContext, now: dt.datetime) -> None:
        """Delete the automated copies in this Region kept past their retention; under the lock."""
        for doc in self.store.snapshots(ctx.account_id):
            days = doc.get("CopyRetentionPeriod")
            if doc["Region"] == ctx.region and days is not None and \
                    now - dt.datetime.fromisoformat(doc["SnapshotCreateTime"]) >= dt.timedelta(days=days):
                self._delete_snapshot(ctx, doc)
