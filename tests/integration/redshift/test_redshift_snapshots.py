"""Cluster snapshots: a snapshot copies the cluster's tables and rows; restoring it makes a new cluster
that answers SQL from them; a final snapshot keeps a deleted cluster's data; reboots restart the
listener."""

from __future__ import annotations

from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import PASSWORD, run_sql

from lakebox.testing import running_lakebox


def _sql(redshift, identifier: str, *statements: str) -> list:
    return run_sql(redshift, *statements, cluster=identifier)


def _code(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def filled(redshift, cluster):
    _sql(redshift, "my-dw-cluster", "CREATE TABLE sales (id INT, amount DECIMAL(10,2))",
         "INSERT INTO sales VALUES (1, 10.50), (2, 20.25)",
         "CREATE VIEW big_sales AS SELECT id FROM sales WHERE amount > 15")
    return cluster


def test_restore_makes_a_cluster_with_the_snapshots_rows(redshift, filled):
    snapshot = redshift.create_cluster_snapshot(SnapshotIdentifier="before-change", ClusterIdentifier="my-dw-cluster",
                                                Tags=[{"Key": "team", "Value": "data"}])["Snapshot"]
    assert (snapshot["Status"], snapshot["SnapshotType"], snapshot["ClusterIdentifier"]) == \
        ("available", "manual", "my-dw-cluster")
    assert (snapshot["MasterUsername"], snapshot["DBName"], snapshot["NodeType"]) == ("admin", "analytics", "dc2.large")
    assert snapshot["TotalBackupSizeInMegaBytes"] > 0
    assert snapshot["SnapshotArn"].endswith(":snapshot:my-dw-cluster/before-change")
    _sql(redshift, "my-dw-cluster", "INSERT INTO sales VALUES (3, 99.00)")  # after the snapshot: not in it

    restored = redshift.restore_from_cluster_snapshot(ClusterIdentifier="restored", SnapshotIdentifier="before-change")
    # Answered as AWS answers a restore, `creating` with no endpoint yet; it is available by the next call.
    assert (restored["Cluster"]["ClusterStatus"], "Endpoint" in restored["Cluster"]) == ("creating", False)
    assert redshift.describe_clusters(ClusterIdentifier="restored")["Clusters"][0]["ClusterStatus"] == "available"
    assert restored["Cluster"]["RestoreStatus"]["Status"] == "completed"
    assert _sql(redshift, "restored", "SELECT id, amount FROM sales ORDER BY id") == [[1, Decimal("10.50")],
                                                                                       [2, Decimal("20.25")]]
    assert _sql(redshift, "restored", "SELECT id FROM big_sales") == [[2]]
    assert _sql(redshift, "my-dw-cluster", "SELECT count(*) FROM sales") == [[3]]
    # The two clusters are separate from here on.
    _sql(redshift, "restored", "DELETE FROM sales")
    assert _sql(redshift, "my-dw-cluster", "SELECT count(*) FROM sales") == [[3]]
    # A snapshot can be named by its ARN instead of its identifier.
    by_arn = redshift.restore_from_cluster_snapshot(ClusterIdentifier="by-arn", SnapshotArn=snapshot["SnapshotArn"])
    assert by_arn["Cluster"]["ClusterIdentifier"] == "by-arn"
    assert _sql(redshift, "by-arn", "SELECT count(*) FROM sales") == [[2]]


def test_describe_filters_and_delete(redshift, filled):
    redshift.create_cluster_snapshot(SnapshotIdentifier="snap-a", ClusterIdentifier="my-dw-cluster",
                                     Tags=[{"Key": "env", "Value": "ci"}])
    redshift.create_cluster_snapshot(SnapshotIdentifier="snap-b", ClusterIdentifier="my-dw-cluster")
    every = redshift.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]
    assert [s["SnapshotIdentifier"] for s in every] == ["snap-a", "snap-b"]
    assert [s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots(TagKeys=["env"])["Snapshots"]] == ["snap-a"]
    automated = redshift.describe_cluster_snapshots(SnapshotType="automated")["Snapshots"]
    assert [s["SnapshotIdentifier"][:len("rs:my-dw-cluster-")] for s in automated] == ["rs:my-dw-cluster-"]
    one = redshift.describe_cluster_snapshots(SnapshotIdentifier="snap-b")["Snapshots"]
    assert [s["SnapshotIdentifier"] for s in one] == ["snap-b"]
    deleted = redshift.delete_cluster_snapshot(SnapshotIdentifier="snap-a")["Snapshot"]
    assert deleted["Status"] == "deleted"
    assert [s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots(
        ClusterIdentifier="my-dw-cluster")["Snapshots"]] == [automated[0]["SnapshotIdentifier"], "snap-b"]
    with pytest.raises(ClientError) as info:
        redshift.describe_cluster_snapshots(SnapshotIdentifier="snap-a")
    assert _code(info) == ("ClusterSnapshotNotFound", 404)
    assert info.value.response["Error"]["Message"] == "Snapshot snap-a not found."


def test_final_snapshot_keeps_a_deleted_clusters_data(redshift, filled):
    redshift.delete_cluster(ClusterIdentifier="my-dw-cluster", FinalClusterSnapshotIdentifier="final")
    with pytest.raises(ClientError) as info:
        redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")
    assert _code(info)[0] == "ClusterNotFound"
    (final,) = redshift.describe_cluster_snapshots(ClusterIdentifier="my-dw-cluster")["Snapshots"]
    assert final["SnapshotIdentifier"] == "final"
    redshift.restore_from_cluster_snapshot(ClusterIdentifier="my-dw-cluster", SnapshotIdentifier="final")
    assert _sql(redshift, "my-dw-cluster", "SELECT count(*) FROM sales") == [[2]]


def test_bad_snapshot_requests(redshift, filled):
    redshift.create_cluster_snapshot(SnapshotIdentifier="taken", ClusterIdentifier="my-dw-cluster")
    cases = [
        (lambda: redshift.create_cluster_snapshot(SnapshotIdentifier="taken", ClusterIdentifier="my-dw-cluster"),
         ("ClusterSnapshotAlreadyExists", 400)),
        (lambda: redshift.create_cluster_snapshot(SnapshotIdentifier="x", ClusterIdentifier="no-such-cluster"),
         ("ClusterNotFound", 404)),
        (lambda: redshift.create_cluster_snapshot(SnapshotIdentifier="Bad_Id", ClusterIdentifier="my-dw-cluster"),
         ("InvalidParameterValue", 400)),
        (lambda: redshift.delete_cluster_snapshot(SnapshotIdentifier="missing"), ("ClusterSnapshotNotFound", 404)),
        (lambda: redshift.restore_from_cluster_snapshot(ClusterIdentifier="new", SnapshotIdentifier="missing"),
         ("ClusterSnapshotNotFound", 404)),
        (lambda: redshift.restore_from_cluster_snapshot(ClusterIdentifier="my-dw-cluster", SnapshotIdentifier="taken"),
         ("ClusterAlreadyExists", 400)),
        (lambda: redshift.restore_from_cluster_snapshot(ClusterIdentifier="new"), ("InvalidParameterCombination", 400)),
        (lambda: redshift.restore_from_cluster_snapshot(
            ClusterIdentifier="new", SnapshotArn="arn:aws:redshift:us-east-1:000000000000:snapshot:my-dw-cluster/missing"),
         ("ClusterSnapshotNotFound", 404)),
        (lambda: redshift.delete_cluster(ClusterIdentifier="my-dw-cluster", FinalClusterSnapshotIdentifier="taken"),
         ("ClusterSnapshotAlreadyExists", 400)),
        (lambda: redshift.delete_cluster(ClusterIdentifier="my-dw-cluster"), ("InvalidParameterCombination", 400)),
        (lambda: redshift.delete_cluster(ClusterIdentifier="my-dw-cluster", SkipFinalClusterSnapshot=True,
                                         FinalClusterSnapshotIdentifier="both"), ("InvalidParameterCombination", 400)),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as info:
            call()
        assert _code(info) == expected
    # None of them changed anything: the cluster is still there, with its one snapshot.
    assert redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0]["ClusterStatus"] == "available"
    assert [s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]] == [
        "taken"]
    assert redshift.describe_cluster_snapshots(ClusterIdentifier="no-such-cluster")["Snapshots"] == []


def test_snapshot_of_a_paused_cluster(redshift, filled):
    redshift.pause_cluster(ClusterIdentifier="my-dw-cluster")
    redshift.create_cluster_snapshot(SnapshotIdentifier="paused-copy", ClusterIdentifier="my-dw-cluster")
    redshift.restore_from_cluster_snapshot(ClusterIdentifier="copy", SnapshotIdentifier="paused-copy")
    assert _sql(redshift, "copy", "SELECT count(*) FROM sales") == [[2]]


def test_reboot_restarts_the_listener_and_keeps_the_data(redshift, filled):
    rebooted = redshift.reboot_cluster(ClusterIdentifier="my-dw-cluster")["Cluster"]
    assert rebooted["ClusterStatus"] == "available"
    assert _sql(redshift, "my-dw-cluster", "SELECT count(*) FROM sales") == [[2]]
    redshift.pause_cluster(ClusterIdentifier="my-dw-cluster")
    with pytest.raises(ClientError) as info:
        redshift.reboot_cluster(ClusterIdentifier="my-dw-cluster")
    assert _code(info) == ("InvalidClusterState", 400)


def test_snapshots_survive_a_restart(tmp_path):
    from redshift_helpers import client

    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        redshift.create_cluster(ClusterIdentifier="dw", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword=PASSWORD, DBName="analytics", ClusterType="single-node")
        _sql(redshift, "dw", "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (7)")
        redshift.delete_cluster(ClusterIdentifier="dw", FinalClusterSnapshotIdentifier="dw-final")
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        assert [s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots()["Snapshots"]] == ["dw-final"]
        redshift.restore_from_cluster_snapshot(ClusterIdentifier="dw", SnapshotIdentifier="dw-final")
        assert _sql(redshift, "dw", "SELECT x FROM t") == [[7]]
