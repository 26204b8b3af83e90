"""Automated snapshots: the backups Redshift takes of a cluster by itself, as real copies of its
databases like manual ones (snapshots.py).

As on AWS:
- a cluster whose AutomatedSnapshotRetentionPeriod is above 0 (1 by default) gets one as soon as it
  is available, then one every 8 hours, named `rs:<cluster>-YYYY-MM-DD-HH-MM-SS`;
- each is kept for the retention period in days, then deleted; a period of 0 stops them and
  deletes those there are;
- they never carry the cluster's tags, cannot be deleted by the user (copying one makes a manual
  snapshot that can), and are deleted with their cluster.

Time is the service clock, so advancing it (`lakebox.testing`'s advance_clock) brings the next
snapshot and the expiry. lakebox has no scheduler thread for this: the schedule is caught up
whenever snapshots are looked at (DescribeClusterSnapshots and the calls that find one snapshot),
which is the only time the difference can be seen.
"""

from __future__ import annotations

import datetime as dt

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

#: How often Redshift takes an automated snapshot (or after 5 GB of changes, which lakebox does not count).
INTERVAL = dt.timedelta(hours=8)
#: AWS's bounds for AutomatedSnapshotRetentionPeriod, in days.
MAX_RETENTION = 35


def check_automated_retention(days: int) -> None:
    if not 0 <= days <= MAX_RETENTION:
        raise AwsError("InvalidParameterValue", f"Automated snapshot retention period must be between 0 and "
                                                f"{MAX_RETENTION} days.", 400)


def only_manual_deleted(identifier: str) -> AwsError:
    return AwsError("InvalidClusterSnapshotState", f"Cannot delete the snapshot {identifier} because only "
                                                        "manual snapshots may be deleted", 400)


def _taken_at(doc: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(doc["SnapshotCreateTime"])


class AutomatedSnapshotsMixin:
    """Needs the provider's store, config (its service clock) and SnapshotsMixin's `_take_snapshot`
    and `_delete_snapshot`."""

    def _automated_of(self, account: str, cluster_id: str) -> list[dict]:
        """The cluster's own automated snapshots (not their copies in another Region)."""
        return [d for d in self.store.snapshots(account) if d["SnapshotType"] == "automated"
                and d["ClusterIdentifier"] == cluster_id and not d.get("SourceRegion")]

    def _take_automated_snapshot(self, ctx: RequestContext, cluster: dict, when: dt.datetime) -> None:
        """One automated snapshot of `cluster` at `when`; the caller holds the store's lock."""
        identifier = f"rs:{cluster['ClusterIdentifier']}-{when:%Y-%m-%d-%H-%M-%S}"
        if self.store.get_snapshot(ctx.account_id, identifier) is None:
            self._take_snapshot(ctx, cluster, identifier, None, [], automated_at=when)

    def _catch_up_automated(self, ctx: RequestContext) -> None:
        """Bring every cluster of the Region up to date: expire automated snapshots past their
        retention, and take the one that is due (one, however long the clock jumped: the databases
        between the missed times are not known)."""
        now = self.config.clock.now()
        with self.store.lock:
            self._expire_copies(ctx, now)
            for cluster in self.store.all(ctx.account_id):
                if cluster["Region"] != ctx.region:
                    continue
                retention = cluster.get("AutomatedSnapshotRetentionPeriod", 1)
                kept = []
                for doc in self._automated_of(ctx.account_id, cluster["ClusterIdentifier"]):
                    if now - _taken_at(doc) >= dt.timedelta(days=retention):
                        self._delete_snapshot(ctx, doc)
                    else:
                        kept.append(doc)
                due = retention > 0 and cluster["ClusterStatus"] in ("available", "paused") and (
                    not kept or now - max(_taken_at(d) for d in kept) >= INTERVAL)
                if due:
                    self._take_automated_snapshot(ctx, cluster, now)

    def _drop_automated(self, ctx: RequestContext, cluster_id: str) -> None:
        """Delete a cluster's automated snapshots, as deleting the cluster does; under the store's lock."""
        for doc in self._automated_of(ctx.account_id, cluster_id):
            self._delete_snapshot(ctx, doc)
