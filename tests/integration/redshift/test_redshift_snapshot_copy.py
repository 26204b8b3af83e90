"""Cross-Region snapshot copy: with copy on, each snapshot of the cluster is copied, files and all,
to the destination Region as copy:<snapshot>, where a cluster restored from it answers SQL; the
copy settings, their limits and their errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import PASSWORD, client, run_sql


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def west(lakebox_server):
    return client(lakebox_server, "redshift", region="us-west-2")


@pytest.fixture
def plain(redshift):
    redshift.create_cluster(ClusterIdentifier="dw", NodeType="dc2.large", MasterUsername="admin",
                            MasterUserPassword=PASSWORD, ClusterType="single-node", DBName="analytics")
    run_sql(redshift, "CREATE TABLE sales (id INT)", "INSERT INTO sales VALUES (1), (2)", cluster="dw")
    return "dw"


def test_snapshots_are_copied_and_restore_in_the_destination(redshift, west, plain):
    cluster = redshift.enable_snapshot_copy(ClusterIdentifier="dw", DestinationRegion="us-west-2")["Cluster"]
    assert cluster["ClusterSnapshotCopyStatus"] == {"DestinationRegion": "us-west-2", "RetentionPeriod": 7,
                                                    "ManualSnapshotRetentionPeriod": -1}
    redshift.create_cluster_snapshot(SnapshotIdentifier="nightly", ClusterIdentifier="dw")

    [copy] = west.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]
    assert (copy["SnapshotIdentifier"], copy["SourceRegion"], copy["ClusterIdentifier"]) == (
        "copy:nightly", "us-east-1", "dw")
    assert copy["SnapshotArn"].startswith("arn:aws:redshift:us-west-2:")
    # The source Region keeps its own snapshots only.
    assert [s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots(SnapshotType="manual")[
        "Snapshots"]] == ["nightly"]
    with pytest.raises(ClientError) as info:
        redshift.describe_cluster_snapshots(SnapshotIdentifier="copy:nightly")
    assert _error(info) == ("ClusterSnapshotNotFound", 404)

    west.restore_from_cluster_snapshot(ClusterIdentifier="dw-west", SnapshotIdentifier="copy:nightly")
    assert run_sql(west, "SELECT count(*) FROM sales", cluster="dw-west") == [[2]]


def test_automated_copies_keep_their_own_retention(redshift, west, plain, lakebox_server):
    redshift.enable_snapshot_copy(ClusterIdentifier="dw", DestinationRegion="us-west-2", RetentionPeriod=2)
    lakebox_server.advance_clock("8h")  # the next automated snapshot is taken, and copied
    [automated] = redshift.describe_cluster_snapshots(ClusterIdentifier="dw", SnapshotType="automated")["Snapshots"][-1:]
    copies = west.describe_cluster_snapshots(SnapshotType="automated")["Snapshots"]
    assert [c["SnapshotIdentifier"] for c in copies] == ["copy:" + automated["SnapshotIdentifier"]]
    lakebox_server.advance_clock("30h")  # past the source's 1 day, within the copy's 2 days
    assert [c["SnapshotIdentifier"] for c in west.describe_cluster_snapshots(SnapshotType="automated")[
        "Snapshots"]][:1] == ["copy:" + automated["SnapshotIdentifier"]]
    assert automated["SnapshotIdentifier"] not in [
        s["SnapshotIdentifier"] for s in redshift.describe_cluster_snapshots(SnapshotType="automated")["Snapshots"]]
    lakebox_server.advance_clock("20h")
    assert "copy:" + automated["SnapshotIdentifier"] not in [
        c["SnapshotIdentifier"] for c in west.describe_cluster_snapshots(SnapshotType="automated")["Snapshots"]]


def test_settings_change_and_copy_turns_off(redshift, west, plain):
    redshift.enable_snapshot_copy(ClusterIdentifier="dw", DestinationRegion="us-west-2", RetentionPeriod=3)
    status = redshift.modify_snapshot_copy_retention_period(ClusterIdentifier="dw", RetentionPeriod=5)[
        "Cluster"]["ClusterSnapshotCopyStatus"]
    assert status["RetentionPeriod"] == 5
    status = redshift.modify_snapshot_copy_retention_period(ClusterIdentifier="dw", RetentionPeriod=30, Manual=True)[
        "Cluster"]["ClusterSnapshotCopyStatus"]
    assert (status["RetentionPeriod"], status["ManualSnapshotRetentionPeriod"]) == (5, 30)
    redshift.create_cluster_snapshot(SnapshotIdentifier="kept", ClusterIdentifier="dw")
    assert west.describe_cluster_snapshots(SnapshotIdentifier="copy:kept")["Snapshots"][0][
        "ManualSnapshotRetentionPeriod"] == 30

    assert "ClusterSnapshotCopyStatus" not in redshift.disable_snapshot_copy(ClusterIdentifier="dw")["Cluster"]
    assert "ClusterSnapshotCopyStatus" not in redshift.describe_clusters(ClusterIdentifier="dw")["Clusters"][0]
    redshift.create_cluster_snapshot(SnapshotIdentifier="not-copied", ClusterIdentifier="dw")
    assert [s["SnapshotIdentifier"] for s in west.describe_cluster_snapshots(SnapshotType="manual")["Snapshots"]] == [
        "copy:kept"]  # earlier copies stay


def test_bad_copy_requests(redshift, west, plain):
    redshift.create_cluster(ClusterIdentifier="secret", NodeType="dc2.large", MasterUsername="admin",
                            MasterUserPassword=PASSWORD, ClusterType="single-node", Encrypted=True,
                            KmsKeyId="arn:aws:kms:us-east-1:000000000000:key/k")
    cases = [
        (lambda: redshift.enable_snapshot_copy(ClusterIdentifier="dw", DestinationRegion="us-east-1"),
         ("UnknownSnapshotCopyRegionFault", 404)),
        (lambda: redshift.enable_snapshot_copy(ClusterIdentifier="dw", DestinationRegion="mars-north-1"),
         ("UnknownSnapshotCopyRegionFault", 404)),
        (lambda: redshift.enable_snapshot_copy(ClusterIdentifier="dw", DestinationRegion="us-west-2", RetentionPeriod=36),
         ("InvalidRetentionPeriodFault", 400)),
        (lambda: redshift.enable_snapshot_copy(ClusterIdentifier="ghost", DestinationRegion="us-west-2"),
         ("ClusterNotFound", 404)),
        (lambda: redshift.enable_snapshot_copy(ClusterIdentifier="secret", DestinationRegion="us-west-2"),
         ("InvalidParameterValue", 400)),
        (lambda: redshift.enable_snapshot_copy(ClusterIdentifier="secret", DestinationRegion="us-west-2",
                                               SnapshotCopyGrantName="no-such-grant"),
         ("SnapshotCopyGrantNotFoundFault", 400)),
        (lambda: redshift.disable_snapshot_copy(ClusterIdentifier="dw"), ("SnapshotCopyAlreadyDisabledFault", 400)),
        (lambda: redshift.modify_snapshot_copy_retention_period(ClusterIdentifier="dw", RetentionPeriod=3),
         ("SnapshotCopyDisabledFault", 400)),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as info:
            call()
        assert _error(info) == expected
    assert all("ClusterSnapshotCopyStatus" not in c for c in redshift.describe_clusters()["Clusters"])

    # A grant made in the destination Region is what an encrypted cluster's copy needs.
    west.create_snapshot_copy_grant(SnapshotCopyGrantName="to-west", KmsKeyId="arn:aws:kms:us-west-2:000000000000:key/w")
    status = redshift.enable_snapshot_copy(ClusterIdentifier="secret", DestinationRegion="us-west-2",
                                           SnapshotCopyGrantName="to-west")["Cluster"]["ClusterSnapshotCopyStatus"]
    assert status["SnapshotCopyGrantName"] == "to-west"
    with pytest.raises(ClientError) as info:
        redshift.enable_snapshot_copy(ClusterIdentifier="secret", DestinationRegion="us-west-2",
                                      SnapshotCopyGrantName="to-west")
    assert _error(info) == ("SnapshotCopyAlreadyEnabledFault", 400)
    with pytest.raises(ClientError) as info:
        redshift.modify_snapshot_copy_retention_period(ClusterIdentifier="secret", RetentionPeriod=0)
    assert _error(info) == ("InvalidRetentionPeriodFault", 400)
