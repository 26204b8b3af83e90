"""Automated snapshots: Redshift backs a cluster up by itself when it is created and every 8 hours,
keeps each for AutomatedSnapshotRetentionPeriod days, never lets the user delete one, and drops them
with the cluster. Each is a real copy: restoring one gives the rows the cluster had then."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import PASSWORD, run_sql


def _automated(redshift, cluster: str = "my-dw-cluster") -> list[dict]:
    return redshift.describe_cluster_snapshots(ClusterIdentifier=cluster, SnapshotType="automated")["Snapshots"]


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_new_cluster_gets_one_untagged_automated_snapshot(redshift):
    created = redshift.create_cluster(ClusterIdentifier="tagged", NodeType="dc2.large", MasterUsername="admin",
                                      MasterUserPassword=PASSWORD, ClusterType="single-node",
                                      Tags=[{"Key": "team", "Value": "data"}])["Cluster"]
    assert created["AutomatedSnapshotRetentionPeriod"] == 1
    assert created["ClusterSecurityGroups"] == []
    [snapshot] = redshift.describe_cluster_snapshots(ClusterIdentifier="tagged")["Snapshots"]
    assert snapshot["SnapshotType"] == "automated"
    assert snapshot["SnapshotIdentifier"].startswith("rs:tagged-")
    assert len(snapshot["SnapshotIdentifier"]) == len("rs:tagged-2026-01-01-00-00-00")
    assert snapshot["Tags"] == []
    assert "ManualSnapshotRetentionPeriod" not in snapshot
    assert (snapshot["NodeType"], snapshot["MasterUsername"], snapshot["Status"]) == ("dc2.large", "admin", "available")
    # The one it names by SnapshotIdentifier, and only under its own type.
    by_id = redshift.describe_cluster_snapshots(SnapshotIdentifier=snapshot["SnapshotIdentifier"],
                                                SnapshotType="automated")["Snapshots"]
    assert [s["SnapshotIdentifier"] for s in by_id] == [snapshot["SnapshotIdentifier"]]
    assert redshift.describe_cluster_snapshots(ClusterIdentifier="tagged", SnapshotType="manual")["Snapshots"] == []
    with pytest.raises(ClientError) as info:  # named, but not of the type asked for
        redshift.describe_cluster_snapshots(SnapshotIdentifier=snapshot["SnapshotIdentifier"], SnapshotType="manual")
    assert _error(info) == ("ClusterSnapshotNotFound", 404)
    assert info.value.response["Error"]["Message"] == f"Snapshot {snapshot['SnapshotIdentifier']} not found."


def test_no_automated_snapshots_with_a_retention_of_zero(redshift):
    redshift.create_cluster(ClusterIdentifier="none", NodeType="dc2.large", MasterUsername="admin",
                            MasterUserPassword=PASSWORD, ClusterType="single-node", AutomatedSnapshotRetentionPeriod=0)
    assert _automated(redshift, "none") == []


def test_only_manual_snapshots_may_be_deleted(redshift, cluster):
    [snapshot] = _automated(redshift)
    identifier = snapshot["SnapshotIdentifier"]
    with pytest.raises(ClientError) as info:
        redshift.delete_cluster_snapshot(SnapshotIdentifier=identifier)
    assert _error(info) == ("InvalidClusterSnapshotState", 400)
    assert info.value.response["Error"]["Message"] == (
        f"Cannot delete the snapshot {identifier} because only manual snapshots may be deleted")
    batch = redshift.batch_delete_cluster_snapshots(Identifiers=[{"SnapshotIdentifier": identifier}])
    assert batch["Resources"] == []
    assert [(e["SnapshotIdentifier"], e["FailureCode"]) for e in batch["Errors"]] == [
        (identifier, "InvalidClusterSnapshotState")]
    # Copying it is how one is kept: the copy is manual, and can be deleted.
    copy = redshift.copy_cluster_snapshot(SourceSnapshotIdentifier=identifier, TargetSnapshotIdentifier="kept")
    assert copy["Snapshot"]["SnapshotType"] == "manual"
    assert redshift.delete_cluster_snapshot(SnapshotIdentifier="kept")["Snapshot"]["Status"] == "deleted"
    assert [s["SnapshotIdentifier"] for s in _automated(redshift)] == [identifier]


def test_every_eight_hours_a_new_one_and_each_restores_its_own_rows(redshift, cluster, lakebox_server):
    [first] = _automated(redshift)
    run_sql(redshift, "CREATE TABLE sales (id INT)", "INSERT INTO sales VALUES (1), (2), (3)")
    lakebox_server.advance_clock("7h")
    assert len(_automated(redshift)) == 1  # not due yet
    lakebox_server.advance_clock("1h")
    later = [s for s in _automated(redshift) if s["SnapshotIdentifier"] != first["SnapshotIdentifier"]]
    assert len(later) == 1
    assert later[0]["SnapshotCreateTime"] > first["SnapshotCreateTime"]

    redshift.restore_from_cluster_snapshot(ClusterIdentifier="from-later", SnapshotIdentifier=later[0]["SnapshotIdentifier"])
    assert run_sql(redshift, "SELECT count(*) FROM sales", cluster="from-later") == [[3]]
    redshift.restore_from_cluster_snapshot(ClusterIdentifier="from-first", SnapshotIdentifier=first["SnapshotIdentifier"])
    assert run_sql(redshift, "SELECT count(*) FROM pg_tables WHERE tablename = 'sales'", cluster="from-first") == [[0]]
    # A restored cluster gets its own first automated snapshot.
    assert len(_automated(redshift, "from-first")) == 1


def test_retention_expires_them_and_a_shorter_period_deletes_them(redshift, cluster, lakebox_server):
    [first] = _automated(redshift)
    lakebox_server.advance_clock("25h")  # one day of retention: the first is gone, a new one taken
    names = [s["SnapshotIdentifier"] for s in _automated(redshift)]
    assert first["SnapshotIdentifier"] not in names and len(names) == 1
    with pytest.raises(ClientError) as info:
        redshift.describe_cluster_snapshots(SnapshotIdentifier=first["SnapshotIdentifier"])
    assert _error(info) == ("ClusterSnapshotNotFound", 404)

    modified = redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", AutomatedSnapshotRetentionPeriod=0)["Cluster"]
    assert modified["AutomatedSnapshotRetentionPeriod"] == 0
    assert _automated(redshift) == []
    lakebox_server.advance_clock("9h")
    assert _automated(redshift) == []
    redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", AutomatedSnapshotRetentionPeriod=7)
    assert len(_automated(redshift)) == 1  # turned back on: one is taken


def test_retention_must_be_0_to_35_days(redshift, cluster):
    with pytest.raises(ClientError) as info:
        redshift.create_cluster(ClusterIdentifier="too-long", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword=PASSWORD, ClusterType="single-node",
                                AutomatedSnapshotRetentionPeriod=36)
    assert _error(info) == ("InvalidParameterValue", 400)
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == ["my-dw-cluster"]
    groups_before = redshift.describe_clusters()["Clusters"][0]["ClusterParameterGroups"]
    with pytest.raises(ClientError) as info:  # refused whole: the other change in the call is not made either
        redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", AutomatedSnapshotRetentionPeriod=-1,
                                ClusterParameterGroupName="default.redshift-1.0")
    assert _error(info) == ("InvalidParameterValue", 400)
    after = redshift.describe_clusters()["Clusters"][0]
    assert after["AutomatedSnapshotRetentionPeriod"] == 1
    assert after["ClusterParameterGroups"] == groups_before
    assert redshift.describe_events(SourceIdentifier="my-dw-cluster", SourceType="cluster")["Events"][-1][
        "EventId"] != "REDSHIFT-EVENT-1001"


def test_deleting_the_cluster_deletes_its_automated_snapshots_only(redshift, cluster):
    redshift.create_cluster_snapshot(SnapshotIdentifier="manual-one", ClusterIdentifier="my-dw-cluster")
    redshift.delete_cluster(ClusterIdentifier="my-dw-cluster", FinalClusterSnapshotIdentifier="final")
    left = redshift.describe_cluster_snapshots(ClusterIdentifier="my-dw-cluster")["Snapshots"]
    assert sorted((s["SnapshotIdentifier"], s["SnapshotType"]) for s in left) == [
        ("final", "manual"), ("manual-one", "manual")]
