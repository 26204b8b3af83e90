"""Snapshot copies, batch deletes and retention, sharing, single-table restores that really copy the
rows back, and scheduled actions that really pause and resume a cluster on the service clock."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import PASSWORD, client, run_sql

from lakebox.testing import running_lakebox

ROLE = "arn:aws:iam::000000000000:role/scheduler"


def _code(info) -> str:
    return info.value.response["Error"]["Code"]


@pytest.fixture
def filled(redshift, cluster):
    run_sql(redshift, "CREATE TABLE sales (id INT, amount DECIMAL(10,2)) DISTKEY (id)",
            "INSERT INTO sales VALUES (1, 10.50), (2, 20.25)")
    redshift.create_cluster_snapshot(SnapshotIdentifier="base", ClusterIdentifier="my-dw-cluster")
    return cluster


def _wait_restore(redshift, request_id: str) -> dict:
    deadline = time.monotonic() + 30
    while True:
        (status,) = redshift.describe_table_restore_status(TableRestoreRequestId=request_id)["TableRestoreStatusDetails"]
        if status["Status"] in ("SUCCEEDED", "FAILED") or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_copy_is_a_snapshot_of_its_own(redshift, filled):
    copy = redshift.copy_cluster_snapshot(SourceSnapshotIdentifier="base", TargetSnapshotIdentifier="base-copy",
                                          ManualSnapshotRetentionPeriod=7)["Snapshot"]
    assert (copy["SnapshotIdentifier"], copy["ClusterIdentifier"], copy["SnapshotType"]) == \
        ("base-copy", "my-dw-cluster", "manual")
    assert (copy["ManualSnapshotRetentionPeriod"], copy["ManualSnapshotRemainingDays"]) == (7, 7)
    with pytest.raises(ClientError) as info:
        redshift.copy_cluster_snapshot(SourceSnapshotIdentifier="base", TargetSnapshotIdentifier="base-copy")
    assert _code(info) == "ClusterSnapshotAlreadyExists"
    with pytest.raises(ClientError) as info:
        redshift.copy_cluster_snapshot(SourceSnapshotIdentifier="nope", TargetSnapshotIdentifier="x")
    assert _code(info) == "ClusterSnapshotNotFound"
    redshift.delete_cluster_snapshot(SnapshotIdentifier="base")
    redshift.restore_from_cluster_snapshot(ClusterIdentifier="from-copy", SnapshotIdentifier="base-copy")
    assert run_sql(redshift, "SELECT id, amount FROM sales ORDER BY id", cluster="from-copy") == \
        [[1, Decimal("10.50")], [2, Decimal("20.25")]]


def test_batch_delete_and_retention(redshift, filled, lakebox_server):
    redshift.create_cluster_snapshot(SnapshotIdentifier="second", ClusterIdentifier="my-dw-cluster")
    modified = redshift.modify_cluster_snapshot(SnapshotIdentifier="second", ManualSnapshotRetentionPeriod=10)["Snapshot"]
    assert modified["ManualSnapshotRetentionPeriod"] == 10
    with pytest.raises(ClientError) as info:
        redshift.modify_cluster_snapshot(SnapshotIdentifier="second", ManualSnapshotRetentionPeriod=0)
    assert _code(info) == "InvalidRetentionPeriodFault"
    lakebox_server.advance_clock("3d")
    assert redshift.describe_cluster_snapshots(SnapshotIdentifier="second")["Snapshots"][0][
        "ManualSnapshotRemainingDays"] == 7
    with pytest.raises(ClientError) as info:  # kept 3 days already: 2 needs Force
        redshift.modify_cluster_snapshot(SnapshotIdentifier="second", ManualSnapshotRetentionPeriod=2)
    assert _code(info) == "InvalidRetentionPeriodFault"
    redshift.modify_cluster_snapshot(SnapshotIdentifier="second", ManualSnapshotRetentionPeriod=2, Force=True)

    batch = redshift.batch_modify_cluster_snapshots(SnapshotIdentifierList=["base", "ghost"],
                                                    ManualSnapshotRetentionPeriod=30)
    assert batch["Resources"] == ["base"]
    assert [(e["SnapshotIdentifier"], e["FailureCode"]) for e in batch["Errors"]] == [("ghost", "ClusterSnapshotNotFound")]

    deleted = redshift.batch_delete_cluster_snapshots(Identifiers=[{"SnapshotIdentifier": "base"},
                                                                   {"SnapshotIdentifier": "ghost"},
                                                                   {"SnapshotIdentifier": "second"}])
    assert deleted["Resources"] == ["base", "second"]
    assert [(e["SnapshotIdentifier"], e["FailureCode"]) for e in deleted["Errors"]] == [("ghost", "ClusterSnapshotNotFound")]
    assert redshift.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"] == []


def test_authorize_and_revoke_restore_access(redshift, filled):
    shared = redshift.authorize_snapshot_access(SnapshotIdentifier="base",
                                                AccountWithRestoreAccess="111122223333")["Snapshot"]
    assert shared["AccountsWithRestoreAccess"] == [{"AccountId": "111122223333"}]
    with pytest.raises(ClientError) as info:
        redshift.authorize_snapshot_access(SnapshotIdentifier="base", AccountWithRestoreAccess="111122223333")
    assert _code(info) == "AuthorizationAlreadyExists"
    arn = shared["SnapshotArn"]
    revoked = redshift.revoke_snapshot_access(SnapshotArn=arn, AccountWithRestoreAccess="111122223333")["Snapshot"]
    assert revoked.get("AccountsWithRestoreAccess", []) == []
    with pytest.raises(ClientError) as info:
        redshift.revoke_snapshot_access(SnapshotIdentifier="base", AccountWithRestoreAccess="111122223333")
    assert _code(info) == "AuthorizationNotFound"


def test_restore_table_copies_the_snapshots_rows(redshift, filled):
    run_sql(redshift, "DELETE FROM sales WHERE id = 1")
    answer = redshift.restore_table_from_cluster_snapshot(
        ClusterIdentifier="my-dw-cluster", SnapshotIdentifier="base", SourceDatabaseName="analytics",
        SourceSchemaName="public", SourceTableName="sales", NewTableName="sales_back")["TableRestoreStatus"]
    assert answer["Status"] in ("PENDING", "IN_PROGRESS", "SUCCEEDED")
    assert (answer["TargetDatabaseName"], answer["TargetSchemaName"]) == ("analytics", "public")
    done = _wait_restore(redshift, answer["TableRestoreRequestId"])
    assert done["Status"] == "SUCCEEDED", done
    assert run_sql(redshift, "SELECT id, amount FROM sales_back ORDER BY id") == [[1, Decimal("10.50")],
                                                                                   [2, Decimal("20.25")]]
    assert run_sql(redshift, "SELECT id FROM sales") == [[2]]

    again = redshift.restore_table_from_cluster_snapshot(
        ClusterIdentifier="my-dw-cluster", SnapshotIdentifier="base", SourceDatabaseName="analytics",
        SourceTableName="sales", NewTableName="sales_back")["TableRestoreStatus"]
    failed = _wait_restore(redshift, again["TableRestoreRequestId"])
    assert failed["Status"] == "FAILED" and "already exists" in failed["Message"]
    assert len(redshift.describe_table_restore_status(ClusterIdentifier="my-dw-cluster")["TableRestoreStatusDetails"]) == 2

    with pytest.raises(ClientError) as info:
        redshift.restore_table_from_cluster_snapshot(
            ClusterIdentifier="my-dw-cluster", SnapshotIdentifier="base", SourceDatabaseName="analytics",
            SourceTableName="no_such_table", NewTableName="x")
    assert _code(info) == "InvalidTableRestoreArgument"
    with pytest.raises(ClientError) as info:
        redshift.describe_table_restore_status(TableRestoreRequestId="no-such-request")
    assert _code(info) == "TableRestoreNotFoundFault"


def test_scheduled_pause_and_resume_fire_on_the_service_clock(redshift, cluster, lakebox_server):
    now = dt.datetime.now(dt.timezone.utc)
    pause_at = (now + dt.timedelta(days=1)).replace(microsecond=0)
    made = redshift.create_scheduled_action(
        ScheduledActionName="nightly-pause", TargetAction={"PauseCluster": {"ClusterIdentifier": "my-dw-cluster"}},
        Schedule=f"at({pause_at:%Y-%m-%dT%H:%M:%S})", IamRole=ROLE)
    assert made["State"] == "ACTIVE" and made["NextInvocations"] == [pause_at]
    redshift.create_scheduled_action(
        ScheduledActionName="morning-resume", TargetAction={"ResumeCluster": {"ClusterIdentifier": "my-dw-cluster"}},
        Schedule="cron(0 8 * * ? *)", IamRole=ROLE)
    resume = redshift.describe_scheduled_actions(ScheduledActionName="morning-resume")["ScheduledActions"][0]
    assert len(resume["NextInvocations"]) == 10
    assert all(t.hour == 8 and t.minute == 0 for t in resume["NextInvocations"])
    assert [a["ScheduledActionName"] for a in redshift.describe_scheduled_actions(
        TargetActionType="PauseCluster")["ScheduledActions"]] == ["nightly-pause"]
    assert len(redshift.describe_scheduled_actions(
        Filters=[{"Name": "cluster-identifier", "Values": ["my-dw-cluster"]}])["ScheduledActions"]) == 2

    # Nothing happens before the time; once the clock passes it the cluster is paused.
    redshift.modify_scheduled_action(ScheduledActionName="morning-resume", Enable=False)
    lakebox_server.advance_clock("23h")
    assert redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0]["ClusterStatus"] == "available"
    lakebox_server.advance_clock("2h")
    assert redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0]["ClusterStatus"] == "paused"
    assert redshift.describe_scheduled_actions(ScheduledActionName="nightly-pause")["ScheduledActions"][0][
        "NextInvocations"] == []

    redshift.modify_scheduled_action(ScheduledActionName="morning-resume", Enable=True)
    lakebox_server.advance_clock("1d")
    assert redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0]["ClusterStatus"] == "available"
    assert run_sql(redshift, "SELECT 1") == [[1]]
    events = [e["EventId"] for e in redshift.describe_events(SourceIdentifier="my-dw-cluster", SourceType="cluster",
                                                             Duration=3 * 24 * 60)["Events"]]
    assert events[-4:] == ["REDSHIFT-EVENT-3618", "REDSHIFT-EVENT-3619", "REDSHIFT-EVENT-3620", "REDSHIFT-EVENT-3621"]


def test_scheduled_action_errors_and_delete(redshift, cluster):
    with pytest.raises(ClientError) as info:
        redshift.create_scheduled_action(ScheduledActionName="bad", Schedule="cron(0 8 * * * *)", IamRole=ROLE,
                                         TargetAction={"PauseCluster": {"ClusterIdentifier": "my-dw-cluster"}})
    assert _code(info) == "InvalidSchedule"
    with pytest.raises(ClientError) as info:
        redshift.create_scheduled_action(ScheduledActionName="bad", Schedule="cron(0 8 * * ? *)", IamRole=ROLE,
                                         TargetAction={"PauseCluster": {"ClusterIdentifier": "ghost"}})
    assert _code(info) == "ClusterNotFound"
    redshift.create_scheduled_action(ScheduledActionName="grow", Schedule="cron(0 1 ? * MON *)", IamRole=ROLE,
                                     TargetAction={"ResizeCluster": {"ClusterIdentifier": "my-dw-cluster",
                                                                     "NumberOfNodes": 4}})
    with pytest.raises(ClientError) as info:
        redshift.create_scheduled_action(ScheduledActionName="grow", Schedule="cron(0 1 ? * MON *)", IamRole=ROLE,
                                         TargetAction={"PauseCluster": {"ClusterIdentifier": "my-dw-cluster"}})
    assert _code(info) == "ScheduledActionAlreadyExists"
    redshift.delete_scheduled_action(ScheduledActionName="grow")
    with pytest.raises(ClientError) as info:
        redshift.delete_scheduled_action(ScheduledActionName="grow")
    assert _code(info) == "ScheduledActionNotFound"
    with pytest.raises(ClientError) as info:
        redshift.describe_scheduled_actions(ScheduledActionName="grow")
    assert _code(info) == "ScheduledActionNotFound"


def test_scheduled_resize_and_restores_survive_a_restart(tmp_path):
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        redshift.create_cluster(ClusterIdentifier="dw", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword=PASSWORD, DBName="analytics", ClusterType="single-node")
        run_sql(redshift, "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (7)", cluster="dw")
        redshift.create_cluster_snapshot(SnapshotIdentifier="s", ClusterIdentifier="dw")
        redshift.copy_cluster_snapshot(SourceSnapshotIdentifier="s", TargetSnapshotIdentifier="s-copy")
        request = redshift.restore_table_from_cluster_snapshot(
            ClusterIdentifier="dw", SnapshotIdentifier="s", SourceDatabaseName="analytics", SourceTableName="t",
            NewTableName="t2")["TableRestoreStatus"]["TableRestoreRequestId"]
        assert _wait_restore(redshift, request)["Status"] == "SUCCEEDED"
        redshift.create_scheduled_action(ScheduledActionName="grow", Schedule="cron(0 1 * * ? *)", IamRole=ROLE,
                                         TargetAction={"ResizeCluster": {"ClusterIdentifier": "dw",
                                                                         "NumberOfNodes": 3}})
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        assert _wait_restore(redshift, request)["Status"] == "SUCCEEDED"
        assert [s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots(SnapshotType="manual")[
            "Snapshots"]] == ["s", "s-copy"]
        assert run_sql(redshift, "SELECT x FROM t2", cluster="dw") == [[7]]
        server.advance_clock("1d")
        resized = redshift.describe_clusters(ClusterIdentifier="dw")["Clusters"][0]
        assert resized["NumberOfNodes"] == 3
        assert [e["EventId"] for e in redshift.describe_events(SourceIdentifier="dw", SourceType="cluster")["Events"]] \
            == ["REDSHIFT-EVENT-2006", "REDSHIFT-EVENT-3002"]
