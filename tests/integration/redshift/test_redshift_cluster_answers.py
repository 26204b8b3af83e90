"""Redshift answers as AWS gives them, found by running moto's Redshift tests against lakebox:
CreateCluster's `creating` answer, AutoCreate's IAMA: users, resizing by cluster type, tags on every
taggable resource, and the order of DeleteCluster's checks."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import PASSWORD, run_sql

ACCOUNT = "000000000000"


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_answers_creating_and_the_next_call_finds_it_available(redshift):
    made = redshift.create_cluster(ClusterIdentifier="fresh", NodeType="dc2.large", ClusterType="single-node",
                                   MasterUsername="admin", MasterUserPassword=PASSWORD)["Cluster"]
    assert (made["ClusterStatus"], made["ClusterAvailabilityStatus"]) == ("creating", "Modifying")
    assert "Endpoint" not in made and made["NumberOfNodes"] == 1
    described = redshift.describe_clusters(ClusterIdentifier="fresh")["Clusters"][0]
    assert described["ClusterStatus"] == "available" and described["Endpoint"]["Port"] >= 5439
    redshift.get_waiter("cluster_available").wait(ClusterIdentifier="fresh", WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    deleted = redshift.delete_cluster(ClusterIdentifier="fresh", SkipFinalClusterSnapshot=True)["Cluster"]
    assert deleted["ClusterStatus"] == "deleting" and deleted["Endpoint"] == described["Endpoint"]


def test_auto_created_users_are_iama_and_log_in(redshift, cluster):
    auto = redshift.get_cluster_credentials(ClusterIdentifier="my-dw-cluster", DbUser="newcomer", AutoCreate=True)
    assert auto["DbUser"] == "IAMA:newcomer"
    assert run_sql(redshift, "SELECT current_user", user=auto["DbUser"], password=auto["DbPassword"]) == [
        ["IAMA:newcomer"]]
    existing = redshift.get_cluster_credentials(ClusterIdentifier="my-dw-cluster", DbUser="admin", AutoCreate=False)
    assert existing["DbUser"] == "IAM:admin"


def test_modify_cluster_resizes_by_cluster_type(redshift, cluster):
    assert cluster["NumberOfNodes"] == 2
    redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterType="single-node")
    assert redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0]["NumberOfNodes"] == 1
    redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterType="multi-node", NumberOfNodes=4)
    assert redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0]["NumberOfNodes"] == 4
    for changes, code in [({"ClusterType": "multi-node", "NumberOfNodes": 1}, "InvalidParameterCombination"),
                          ({"ClusterType": "single-node", "NumberOfNodes": 3}, "InvalidParameterCombination"),
                          ({"ClusterType": "huge", "NumberOfNodes": 1}, "InvalidParameterValue")]:
        with pytest.raises(ClientError) as info:
            redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", **changes)
        assert _error(info) == (code, 400)
    # A refused change leaves the cluster as it was.
    assert redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0]["NumberOfNodes"] == 4
    with pytest.raises(ClientError) as info:
        redshift.create_cluster(ClusterIdentifier="odd", NodeType="dc2.large", ClusterType="huge",
                                MasterUsername="admin", MasterUserPassword=PASSWORD)
    assert _error(info) == ("InvalidParameterValue", 400)


def test_delete_of_an_unknown_cluster_is_cluster_not_found_first(redshift):
    with pytest.raises(ClientError) as info:
        redshift.delete_cluster(ClusterIdentifier="non-existent")
    assert _error(info) == ("ClusterNotFound", 404)
    assert info.value.response["Error"]["Message"] == "Cluster non-existent not found."


def test_tags_on_snapshots_parameter_groups_and_subnet_groups(redshift, cluster):
    prefix = f"arn:aws:redshift:us-east-1:{ACCOUNT}"
    redshift.create_cluster_snapshot(SnapshotIdentifier="snap", ClusterIdentifier="my-dw-cluster",
                                     Tags=[{"Key": "made", "Value": "at-create"}])
    redshift.create_cluster_parameter_group(ParameterGroupName="pg", ParameterGroupFamily="redshift-2.0",
                                            Description="d")
    redshift.create_cluster_subnet_group(ClusterSubnetGroupName="sg", Description="d",
                                         SubnetIds=["subnet-0123abcd"])
    arns = {"cluster": f"{prefix}:cluster:my-dw-cluster", "snapshot": f"{prefix}:snapshot:my-dw-cluster/snap",
            "parametergroup": f"{prefix}:parametergroup:pg", "subnetgroup": f"{prefix}:subnetgroup:sg"}
    for kind, arn in arns.items():
        redshift.create_tags(ResourceName=arn, Tags=[{"Key": "kind", "Value": kind}])
    everything = redshift.describe_tags()["TaggedResources"]
    assert sorted((t["ResourceType"], t["ResourceName"], t["Tag"]["Key"], t["Tag"]["Value"]) for t in everything) == [
        ("cluster", arns["cluster"], "kind", "cluster"),
        ("parametergroup", arns["parametergroup"], "kind", "parametergroup"),
        ("snapshot", arns["snapshot"], "kind", "snapshot"), ("snapshot", arns["snapshot"], "made", "at-create"),
        ("subnetgroup", arns["subnetgroup"], "kind", "subnetgroup")]
    # The tags are the resources' own: each one's Describe call shows them.
    snapshot = redshift.describe_cluster_snapshots(SnapshotIdentifier="snap")["Snapshots"][0]
    assert {t["Key"]: t["Value"] for t in snapshot["Tags"]} == {"made": "at-create", "kind": "snapshot"}
    group = redshift.describe_cluster_parameter_groups(ParameterGroupName="pg")["ParameterGroups"][0]
    assert group["Tags"] == [{"Key": "kind", "Value": "parametergroup"}]
    subnets = redshift.describe_cluster_subnet_groups(ClusterSubnetGroupName="sg")["ClusterSubnetGroups"][0]
    assert subnets["Tags"] == [{"Key": "kind", "Value": "subnetgroup"}]
    # By type (the API reference's names, any case) or by ARN; tag key and value filters.
    by_type = redshift.describe_tags(ResourceType="Snapshot", TagKeys=["made"])["TaggedResources"]
    assert [(t["ResourceName"], t["Tag"]["Value"]) for t in by_type] == [(arns["snapshot"], "at-create")]
    by_group = redshift.describe_tags(ResourceType="Parameter group")["TaggedResources"]
    assert [t["ResourceName"] for t in by_group] == [arns["parametergroup"]]
    assert [t["Tag"]["Key"] for t in redshift.describe_tags(ResourceName=arns["snapshot"], TagValues=["snapshot"])[
        "TaggedResources"]] == ["kind"]
    redshift.delete_tags(ResourceName=arns["snapshot"], TagKeys=["made", "kind"])
    assert redshift.describe_tags(ResourceName=arns["snapshot"])["TaggedResources"] == []


def test_describe_tags_refuses_bad_filters(redshift, cluster):
    arn = f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:my-dw-cluster"
    with pytest.raises(ClientError) as both:
        redshift.describe_tags(ResourceName=arn, ResourceType="cluster")
    assert _error(both) == ("InvalidParameterValue", 400)
    assert "using either an ARN or a resource type" in both.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as bad_type:
        redshift.describe_tags(ResourceType="teapot")
    assert _error(bad_type) == ("InvalidParameterValue", 400)
    for missing in (f"arn:aws:redshift:us-east-1:{ACCOUNT}:snapshot:my-dw-cluster/nope",
                    f"arn:aws:redshift:eu-west-1:{ACCOUNT}:cluster:my-dw-cluster",
                    f"arn:aws:redshift:us-east-1:{ACCOUNT}:parametergroup:nope"):
        with pytest.raises(ClientError) as info:
            redshift.create_tags(ResourceName=missing, Tags=[{"Key": "k", "Value": "v"}])
        assert _error(info) == ("ResourceNotFoundFault", 404)
    with pytest.raises(ClientError) as info:
        redshift.create_tags(ResourceName="arn:aws:redshift:us-east-1:000000000000:teapot:x",
                             Tags=[{"Key": "k", "Value": "v"}])
    assert _error(info) == ("InvalidTagFault", 400)
    assert redshift.describe_tags()["TaggedResources"] == []


def test_snapshot_copy_grants(redshift):
    made = redshift.create_snapshot_copy_grant(SnapshotCopyGrantName="dr-grant", KmsKeyId="alias/dr-key",
                                               Tags=[{"Key": "use", "Value": "dr"}])["SnapshotCopyGrant"]
    assert made == {"SnapshotCopyGrantName": "dr-grant", "KmsKeyId": "alias/dr-key",
                    "Tags": [{"Key": "use", "Value": "dr"}]}
    default = redshift.create_snapshot_copy_grant(SnapshotCopyGrantName="plain")["SnapshotCopyGrant"]
    assert default["KmsKeyId"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/redshift"
    listed = redshift.describe_snapshot_copy_grants()["SnapshotCopyGrants"]
    assert [g["SnapshotCopyGrantName"] for g in listed] == ["dr-grant", "plain"]
    assert [g["SnapshotCopyGrantName"] for g in redshift.describe_snapshot_copy_grants(TagKeys=["use"])[
        "SnapshotCopyGrants"]] == ["dr-grant"]
    arn = f"arn:aws:redshift:us-east-1:{ACCOUNT}:snapshotcopygrant:plain"
    redshift.create_tags(ResourceName=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert [t["ResourceName"] for t in redshift.describe_tags(ResourceType="Snapshot copy grant")[
        "TaggedResources"] if t["Tag"]["Key"] == "k"] == [arn]
    with pytest.raises(ClientError) as info:
        redshift.create_snapshot_copy_grant(SnapshotCopyGrantName="dr-grant")
    assert _error(info) == ("SnapshotCopyGrantAlreadyExistsFault", 400)
    with pytest.raises(ClientError) as info:
        redshift.create_snapshot_copy_grant(SnapshotCopyGrantName="Bad_Name")
    assert _error(info) == ("InvalidParameterValue", 400)
    # Grant names are per Region: another Region has none of these.
    import boto3
    west = boto3.client("redshift", endpoint_url=redshift.meta.endpoint_url, region_name="us-west-2",
                        aws_access_key_id="test", aws_secret_access_key="test")
    assert west.describe_snapshot_copy_grants()["SnapshotCopyGrants"] == []
    west.create_snapshot_copy_grant(SnapshotCopyGrantName="dr-grant")
    for name in ("more-1", "more-2", "more-3"):
        redshift.create_snapshot_copy_grant(SnapshotCopyGrantName=name)
    with pytest.raises(ClientError) as info:  # five grants in a Region at most
        redshift.create_snapshot_copy_grant(SnapshotCopyGrantName="more-4")
    assert _error(info) == ("SnapshotCopyGrantQuotaExceededFault", 400)
    redshift.delete_snapshot_copy_grant(SnapshotCopyGrantName="dr-grant")
    with pytest.raises(ClientError) as info:
        redshift.describe_snapshot_copy_grants(SnapshotCopyGrantName="dr-grant")
    assert _error(info) == ("SnapshotCopyGrantNotFoundFault", 400)
    assert [g["SnapshotCopyGrantName"] for g in west.describe_snapshot_copy_grants()["SnapshotCopyGrants"]] == [
        "dr-grant"]
    with pytest.raises(ClientError) as info:
        redshift.delete_snapshot_copy_grant(SnapshotCopyGrantName="dr-grant")
    assert _error(info) == ("SnapshotCopyGrantNotFoundFault", 400)
