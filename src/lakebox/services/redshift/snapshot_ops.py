"""What else is done to manual snapshots: CopyClusterSnapshot, BatchDeleteClusterSnapshots,
ModifyClusterSnapshot, BatchModifyClusterSnapshots, AuthorizeSnapshotAccess and RevokeSnapshotAccess.

A copy is a new manual snapshot with its own files (copied, fsynced and renamed into place as a
snapshot is, snapshots.write_snapshot_files), so deleting either leaves the other whole. AWS copies
only automated snapshots; lakebox takes none, so it copies manual ones too rather than refuse every
call. The accounts given restore access are recorded and shown (AccountsWithRestoreAccess); no other
account restores from them here, since a restore looks a snapshot up in the caller's own account.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .automated_snapshots import only_manual_deleted
from .snapshots import (_valid_snapshot_id, check_retention, copy_database_files, snapshot_not_found,
                        write_snapshot_files)

#: Snapshots one batch call may name.
BATCH_LIMIT = 100
#: Accounts one snapshot may be shared with.
MAX_AUTHORIZATIONS = 100
_ACCOUNT = re.compile(r"\d{12}|all")
_SNAPSHOT_ARN = re.compile(r"arn:aws[a-z-]*:redshift:([a-z0-9-]+):(\d{12}):snapshot:([^/]+)/(.+)")


class SnapshotOpsMixin:
    """Needs SnapshotsMixin's `_snapshot`, `_snapshot_output`, `_delete_snapshot` and the store."""

    def copy_cluster_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        target = params["TargetSnapshotIdentifier"]
        retention = params.get("ManualSnapshotRetentionPeriod", -1)
        with self.store.lock:
            source = self._snapshot(ctx, params["SourceSnapshotIdentifier"])
            cluster_id = params.get("SourceSnapshotClusterIdentifier")
            if cluster_id and cluster_id != source["ClusterIdentifier"]:
                raise snapshot_not_found(params["SourceSnapshotIdentifier"])
            if not _valid_snapshot_id(target):
                raise AwsError("InvalidParameterValue", "The parameter TargetSnapshotIdentifier must be 1 to 255 "
                                                        "lowercase letters, digits or hyphens, start with a letter, "
                                                        "and contain no two consecutive hyphens nor end with one.", 400)
            if self.store.get_snapshot(ctx.account_id, target) is not None:
                raise AwsError("ClusterSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with "
                                                               f"the identifier {target} already exists.", 400)
            check_retention(retention)
            origin = self.store.snapshot_dir(ctx.account_id, source["SnapshotIdentifier"])
            write_snapshot_files(self.store.snapshot_dir(ctx.account_id, target),
                                 lambda staging: copy_database_files(origin, staging))
            now = dt.datetime.now(dt.timezone.utc)
            doc = {**source, "SnapshotIdentifier": target, "SnapshotCreateTime": now.isoformat(),
                   "SnapshotType": "manual", "Status": "available", "ManualSnapshotRetentionPeriod": retention,
                   "ElapsedTimeInSeconds": 0, "Tags": [], "AccountsWithRestoreAccess": [],
                   "CopiedFrom": source["SnapshotIdentifier"]}
            doc.pop("RetentionStartTime", None)
            self.store.put_snapshot(ctx.account_id, doc)
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-3004", target,
                          f"The user snapshot '{target}' for Amazon Redshift cluster '{doc['ClusterIdentifier']}' "
                          "completed successfully at {at}.")
        return {"Snapshot": self._snapshot_output(doc)}

    def batch_delete_cluster_snapshots(self, ctx: RequestContext, params: dict) -> dict:
        identifiers = params["Identifiers"]
        if len(identifiers) > BATCH_LIMIT:
            raise AwsError("BatchDeleteRequestSizeExceeded", f"A batch can delete at most {BATCH_LIMIT} "
                                                             "snapshots.", 400)
        deleted, errors = [], []
        with self.store.lock:
            for item in identifiers:
                identifier, cluster_id = item["SnapshotIdentifier"], item.get("SnapshotClusterIdentifier")
                doc = self.store.get_snapshot(ctx.account_id, identifier)
                error = None
                if doc is None or doc["Region"] != ctx.region or (cluster_id and cluster_id != doc["ClusterIdentifier"]):
                    error = snapshot_not_found(identifier)
                elif doc["SnapshotType"] == "automated":
                    error = only_manual_deleted(identifier)
                if error is not None:
                    errors.append({"SnapshotIdentifier": identifier, "FailureCode": error.code,
                                   "FailureReason": error.message,
                                   **({"SnapshotClusterIdentifier": cluster_id} if cluster_id else {})})
                    continue
                self._delete_snapshot(ctx, doc)
                deleted.append(identifier)
        return {"Resources": deleted, "Errors": errors}

    def _retain(self, ctx: RequestContext, doc: dict, days: Optional[int], force: bool) -> None:
        """Give `doc` a new retention period, counted from its creation as on AWS; shortening it below
        the days already kept needs Force."""
        if days is None:
            return
        check_retention(days)
        if days != -1 and not force:
            kept = (self.config.clock.now() - dt.datetime.fromisoformat(doc["SnapshotCreateTime"])).days
            if kept >= days:
                raise AwsError("InvalidRetentionPeriodFault", f"The snapshot {doc['SnapshotIdentifier']} has been "
                                                              f"kept {kept} days already: a retention period of "
                                                              f"{days} days needs Force.", 400)
        doc["ManualSnapshotRetentionPeriod"] = days

    def modify_cluster_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._snapshot(ctx, params["SnapshotIdentifier"])
            self._retain(ctx, doc, params.get("ManualSnapshotRetentionPeriod"), bool(params.get("Force")))
            self.store.put_snapshot(ctx.account_id, doc)
        return {"Snapshot": self._snapshot_output(doc)}

    def batch_modify_cluster_snapshots(self, ctx: RequestContext, params: dict) -> dict:
        identifiers = params["SnapshotIdentifierList"]
        if len(identifiers) > BATCH_LIMIT:
            raise AwsError("BatchModifyClusterSnapshotsLimitExceededFault", f"A batch can modify at most "
                                                                            f"{BATCH_LIMIT} snapshots.", 400)
        days = params.get("ManualSnapshotRetentionPeriod")
        if days is not None:
            check_retention(days)
        modified, errors = [], []
        with self.store.lock:
            for identifier in identifiers:
                try:
                    doc = self._snapshot(ctx, identifier)
                    self._retain(ctx, doc, days, bool(params.get("Force")))
                except AwsError as error:
                    errors.append({"SnapshotIdentifier": identifier, "FailureCode": error.code,
                                   "FailureReason": error.message})
                    continue
                self.store.put_snapshot(ctx.account_id, doc)
                modified.append(identifier)
        return {"Resources": modified, "Errors": errors}

    # -- sharing ------------------------------------------------------------------------------------

    def _shared_snapshot(self, ctx: RequestContext, params: dict) -> dict:
        identifier, arn = params.get("SnapshotIdentifier"), params.get("SnapshotArn")
        cluster_id = params.get("SnapshotClusterIdentifier")
        if arn:
            match = _SNAPSHOT_ARN.fullmatch(arn)
            if match is None or match.group(2) != ctx.account_id:
                raise snapshot_not_found(arn)
            cluster_id, identifier = cluster_id or match.group(3), identifier or match.group(4)
        if not identifier:
            raise AwsError("InvalidParameterCombination", "Either SnapshotIdentifier or SnapshotArn must be "
                                                          "specified.", 400)
        doc = self._snapshot(ctx, identifier)
        if cluster_id and cluster_id != doc["ClusterIdentifier"]:
            raise snapshot_not_found(identifier)
        return doc

    def authorize_snapshot_access(self, ctx: RequestContext, params: dict) -> dict:
        account = params["AccountWithRestoreAccess"]
        if not _ACCOUNT.fullmatch(account):
            raise AwsError("InvalidParameterValue", f"Invalid account id: {account}. An account id is 12 digits.", 400)
        with self.store.lock:
            doc = self._shared_snapshot(ctx, params)
            granted = doc.get("AccountsWithRestoreAccess") or []
            if any(a["AccountId"] == account for a in granted):
                raise AwsError("AuthorizationAlreadyExists", f"The account {account} is already authorized to "
                                                             f"restore snapshot {doc['SnapshotIdentifier']}.", 400)
            if len(granted) >= MAX_AUTHORIZATIONS:
                raise AwsError("AuthorizationQuotaExceeded", "The snapshot is shared with as many accounts as "
                                                             "allowed.", 400)
            doc["AccountsWithRestoreAccess"] = granted + [{"AccountId": account}]
            self.store.put_snapshot(ctx.account_id, doc)
        return {"Snapshot": self._snapshot_output(doc)}

    def revoke_snapshot_access(self, ctx: RequestContext, params: dict) -> dict:
        account = params["AccountWithRestoreAccess"]
        with self.store.lock:
            doc = self._shared_snapshot(ctx, params)
            granted = doc.get("AccountsWithRestoreAccess") or []
            if not any(a["AccountId"] == account for a in granted):
                raise AwsError("AuthorizationNotFound", f"The account {account} is not authorized to restore "
                                                        f"snapshot {doc['SnapshotIdentifier']}.", 404)
            doc["AccountsWithRestoreAccess"] = [a for a in granted if a["AccountId"] != account]
            self.store.put_snapshot(ctx.account_id, doc)
        return {"Snapshot": self._snapshot_output(doc)}

