"""Cluster subnet groups (recorded, no EC2 behind them), the cluster versions and options lakebox
accepts, and the Redshift events its clusters and snapshots really go through."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import PASSWORD, client

from lakebox.testing import running_lakebox


def _code(info) -> str:
    return info.value.response["Error"]["Code"]


def _events(redshift, **filters) -> list[tuple[str, str, str]]:
    return [(e["EventId"], e["SourceIdentifier"], e["Message"]) for e in redshift.describe_events(**filters)["Events"]]


def test_subnet_group_lifecycle_and_errors(redshift):
    made = redshift.create_cluster_subnet_group(
        ClusterSubnetGroupName="My-Subnets", Description="two subnets",
        SubnetIds=["subnet-0123abcd", "subnet-0123456789abcdef0"], Tags=[{"Key": "env", "Value": "ci"}])["ClusterSubnetGroup"]
    assert made["ClusterSubnetGroupName"] == "my-subnets"
    assert made["SubnetGroupStatus"] == "Complete" and made["VpcId"].startswith("vpc-")
    assert [s["SubnetIdentifier"] for s in made["Subnets"]] == ["subnet-0123abcd", "subnet-0123456789abcdef0"]
    assert all(s["SubnetAvailabilityZone"]["Name"].startswith("us-east-1") for s in made["Subnets"])

    with pytest.raises(ClientError) as info:
        redshift.create_cluster_subnet_group(ClusterSubnetGroupName="my-subnets", Description="again",
                                             SubnetIds=["subnet-0123abcd"])
    assert _code(info) == "ClusterSubnetGroupAlreadyExists"
    with pytest.raises(ClientError) as info:
        redshift.create_cluster_subnet_group(ClusterSubnetGroupName="bad", Description="x", SubnetIds=["sn-1"])
    assert _code(info) == "InvalidSubnet"

    redshift.create_cluster_subnet_group(ClusterSubnetGroupName="other", Description="o", SubnetIds=["subnet-aaaabbbb"])
    assert [g["ClusterSubnetGroupName"] for g in redshift.describe_cluster_subnet_groups()["ClusterSubnetGroups"]] == \
        ["my-subnets", "other"]
    assert [g["ClusterSubnetGroupName"] for g in
            redshift.describe_cluster_subnet_groups(TagKeys=["env"])["ClusterSubnetGroups"]] == ["my-subnets"]
    first = redshift.describe_cluster_subnet_groups(MaxRecords=20)
    assert "Marker" not in first

    changed = redshift.modify_cluster_subnet_group(ClusterSubnetGroupName="other", Description="changed",
                                                   SubnetIds=["subnet-ccccdddd"])["ClusterSubnetGroup"]
    assert (changed["Description"], [s["SubnetIdentifier"] for s in changed["Subnets"]]) == ("changed", ["subnet-ccccdddd"])

    redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="other")
    with pytest.raises(ClientError) as info:
        redshift.describe_cluster_subnet_groups(ClusterSubnetGroupName="other")
    assert _code(info) == "ClusterSubnetGroupNotFoundFault"
    with pytest.raises(ClientError) as info:
        redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="other")
    assert _code(info) == "ClusterSubnetGroupNotFoundFault"


def test_a_subnet_group_in_use_cannot_be_deleted(redshift):
    redshift.create_cluster_subnet_group(ClusterSubnetGroupName="dw-subnets", Description="d",
                                         SubnetIds=["subnet-0123abcd"])
    redshift.create_cluster(ClusterIdentifier="dw", NodeType="dc2.large", MasterUsername="admin",
                            MasterUserPassword=PASSWORD, ClusterType="single-node", ClusterSubnetGroupName="dw-subnets")
    with pytest.raises(ClientError) as info:
        redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="dw-subnets")
    assert _code(info) == "InvalidClusterSubnetGroupStateFault"
    redshift.delete_cluster(ClusterIdentifier="dw", SkipFinalClusterSnapshot=True)
    redshift.delete_cluster_subnet_group(ClusterSubnetGroupName="dw-subnets")


def test_guide_cluster_keeps_its_unmade_subnet_group(cluster):
    assert cluster["ClusterSubnetGroupName"] == "my-subnet-group"


def test_versions_and_orderable_options_are_what_create_cluster_accepts(redshift):
    (version,) = redshift.describe_cluster_versions()["ClusterVersions"]
    assert (version["ClusterVersion"], version["ClusterParameterGroupFamily"]) == ("1.0", "redshift-2.0")
    assert redshift.describe_cluster_versions(ClusterParameterGroupFamily="redshift-9.9")["ClusterVersions"] == []
    options = redshift.describe_orderable_cluster_options(NodeType="dc2.large")["OrderableClusterOptions"]
    assert sorted(o["ClusterType"] for o in options) == ["multi-node", "single-node"]
    assert {z["Name"] for z in options[0]["AvailabilityZones"]} == {"us-east-1a", "us-east-1b", "us-east-1c"}
    every = redshift.get_paginator("describe_orderable_cluster_options").paginate(
        PaginationConfig={"PageSize": 20}).build_full_result()["OrderableClusterOptions"]
    node_types = {o["NodeType"] for o in every}
    assert {"dc2.large", "ra3.4xlarge"} <= node_types
    made = redshift.create_cluster(ClusterIdentifier="opt", NodeType=sorted(node_types)[-1], MasterUsername="admin",
                                   MasterUserPassword=PASSWORD, ClusterType="single-node")["Cluster"]
    assert made["NodeType"] == sorted(node_types)[-1]
    categories = redshift.describe_event_categories(SourceType="cluster")["EventCategoriesMapList"]
    assert [m["SourceType"] for m in categories] == ["cluster"]
    assert "REDSHIFT-EVENT-2000" in {e["EventId"] for e in categories[0]["Events"]}
    with pytest.raises(ClientError) as info:
        redshift.describe_event_categories(SourceType="nothing")
    assert _code(info) == "InvalidParameterValue"


def test_events_follow_what_a_cluster_goes_through(redshift, lakebox_server):
    redshift.create_cluster(ClusterIdentifier="ev", NodeType="dc2.large", MasterUsername="admin",
                            MasterUserPassword=PASSWORD, ClusterType="single-node")
    redshift.reboot_cluster(ClusterIdentifier="ev")
    redshift.pause_cluster(ClusterIdentifier="ev")
    redshift.resume_cluster(ClusterIdentifier="ev")
    redshift.create_cluster_snapshot(SnapshotIdentifier="ev-snap", ClusterIdentifier="ev")
    redshift.delete_cluster(ClusterIdentifier="ev", FinalClusterSnapshotIdentifier="ev-final")
    redshift.delete_cluster_snapshot(SnapshotIdentifier="ev-snap")

    cluster_events = _events(redshift, SourceIdentifier="ev", SourceType="cluster")
    assert [e[0] for e in cluster_events] == ["REDSHIFT-EVENT-2000", "REDSHIFT-EVENT-3000", "REDSHIFT-EVENT-3618",
                                              "REDSHIFT-EVENT-3619", "REDSHIFT-EVENT-3620", "REDSHIFT-EVENT-3621",
                                              "REDSHIFT-EVENT-2001"]
    created = cluster_events[0][2]
    assert created.startswith("Amazon Redshift cluster 'ev' has been created at ")
    assert created.endswith(" UTC and is ready for use.")
    assert cluster_events[-1][2].endswith("A final snapshot was saved.")
    snapshot_events = _events(redshift, SourceType="cluster-snapshot")
    assert [(e[0], e[1]) for e in snapshot_events] == [
        ("REDSHIFT-EVENT-2009", "ev-snap"), ("REDSHIFT-EVENT-3004", "ev-snap"),
        ("REDSHIFT-EVENT-2012", "ev-final"), ("REDSHIFT-EVENT-3005", "ev-final"), ("REDSHIFT-EVENT-2011", "ev-snap")]
    assert snapshot_events[-1][2].startswith("The cluster snapshot 'ev-snap' for Amazon Redshift cluster 'ev' was "
                                             "deleted at ")
    one = redshift.describe_events(SourceIdentifier="ev", SourceType="cluster")["Events"][0]
    assert one["EventCategories"] == ["management"] and one["Severity"] == "INFO"

    with pytest.raises(ClientError) as info:
        redshift.describe_events(SourceIdentifier="ev")
    assert _code(info) == "InvalidParameterCombination"
    # The last hour by default: two hours on, nothing; a Duration or a StartTime reaches back.
    lakebox_server.advance_clock("2h")
    assert redshift.describe_events(SourceType="cluster")["Events"] == []
    assert len(_events(redshift, SourceType="cluster", Duration=180)) == 7
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    assert len(_events(redshift, SourceType="cluster", StartTime=start)) == 7
    assert _events(redshift, SourceType="cluster", StartTime=start, EndTime=start + dt.timedelta(minutes=1)) == []


def test_events_page_in_order(redshift):
    for n in range(11):  # 2 events each: 22
        redshift.create_cluster(ClusterIdentifier=f"p{n}", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword=PASSWORD, ClusterType="single-node")
        redshift.delete_cluster(ClusterIdentifier=f"p{n}", SkipFinalClusterSnapshot=True)
    first = redshift.describe_events(SourceType="cluster", MaxRecords=20)
    assert len(first["Events"]) == 20 and first["Marker"]
    rest = redshift.describe_events(SourceType="cluster", MaxRecords=20, Marker=first["Marker"])
    assert [e["SourceIdentifier"] for e in rest["Events"]] == ["p10", "p10"] and "Marker" not in rest


def test_subnet_groups_and_events_survive_a_restart(tmp_path):
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        redshift.create_cluster_subnet_group(ClusterSubnetGroupName="kept", Description="k",
                                             SubnetIds=["subnet-0123abcd"])
        redshift.create_cluster(ClusterIdentifier="dw", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword=PASSWORD, ClusterType="single-node")
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        assert [g["ClusterSubnetGroupName"] for g in redshift.describe_cluster_subnet_groups()["ClusterSubnetGroups"]] \
            == ["kept"]
        assert [e[0] for e in _events(redshift, SourceIdentifier="dw", SourceType="cluster")] == ["REDSHIFT-EVENT-2000"]
