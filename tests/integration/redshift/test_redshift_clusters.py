"""Redshift clusters: the control plane's answers, and an endpoint that really listens."""

from __future__ import annotations

import socket
from datetime import datetime, timezone

import boto3

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import PASSWORD, client, run_sql

from lakebox.testing import running_lakebox


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_the_guides_cluster_is_available_with_a_listening_endpoint(redshift, cluster):
    assert (cluster["ClusterStatus"], cluster["NodeType"], cluster["NumberOfNodes"]) == ("available", "dc2.large", 2)
    assert (cluster["MasterUsername"], cluster["DBName"], cluster["Encrypted"]) == ("admin", "analytics", True)
    assert cluster["ClusterSubnetGroupName"] == "my-subnet-group"
    assert cluster["VpcSecurityGroups"] == [{"VpcSecurityGroupId": "sg-12345678", "Status": "active"}]
    endpoint = cluster["Endpoint"]
    assert endpoint["Address"] == "127.0.0.1" and endpoint["Port"] >= 5439
    with socket.create_connection((endpoint["Address"], endpoint["Port"]), timeout=5):
        pass  # a real listener
    redshift.get_waiter("cluster_available").wait(ClusterIdentifier="my-dw-cluster",
                                                  WaiterConfig={"Delay": 1, "MaxAttempts": 2})


def test_two_clusters_get_two_ports(redshift, cluster):
    redshift.create_cluster(ClusterIdentifier="second", NodeType="ra3.xlplus", ClusterType="single-node",
                            MasterUsername="admin", MasterUserPassword=PASSWORD)
    second = redshift.describe_clusters(ClusterIdentifier="second")["Clusters"][0]
    assert second["Endpoint"]["Port"] != cluster["Endpoint"]["Port"] and second["DBName"] == "dev"
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == ["my-dw-cluster", "second"]


@pytest.mark.parametrize("changes, code", [
    ({"MasterUserPassword": "short"}, "InvalidParameterValue"),
    ({"MasterUserPassword": "alllowercase1"}, "InvalidParameterValue"),
    ({"ClusterIdentifier": "Bad_Name"}, "InvalidParameterValue"),
    ({"NodeType": "m5.large"}, "InvalidParameterValue"),
    ({"ClusterType": "single-node", "NumberOfNodes": 2}, "InvalidParameterValue"),
])
def test_bad_clusters_are_refused_and_nothing_is_created(redshift, changes, code):
    params = {"ClusterIdentifier": "c1", "NodeType": "dc2.large", "MasterUsername": "admin",
              "MasterUserPassword": PASSWORD, **changes}
    with pytest.raises(ClientError) as info:
        redshift.create_cluster(**params)
    assert _error(info) == (code, 400)
    assert redshift.describe_clusters()["Clusters"] == []


def test_errors_for_missing_and_duplicate_clusters(redshift, cluster):
    with pytest.raises(ClientError) as info:
        redshift.describe_clusters(ClusterIdentifier="nope")
    assert _error(info) == ("ClusterNotFound", 404)
    assert info.value.response["Error"]["Message"] == "Cluster nope not found."
    with pytest.raises(ClientError) as info:
        redshift.create_cluster(ClusterIdentifier="my-dw-cluster", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword=PASSWORD)
    assert _error(info) == ("ClusterAlreadyExists", 400)
    with pytest.raises(ClientError) as info:
        redshift.delete_cluster(ClusterIdentifier="my-dw-cluster")  # a final snapshot is required by default
    assert _error(info) == ("InvalidParameterCombination", 400)


def test_pause_resume_tags_and_delete(redshift, cluster):
    port = cluster["Endpoint"]["Port"]
    paused = redshift.pause_cluster(ClusterIdentifier="my-dw-cluster")["Cluster"]
    # A paused cluster keeps its address, as on AWS; nothing listens on it until it resumes.
    assert paused["ClusterStatus"] == "paused" and paused["Endpoint"]["Port"] == port
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(ClientError) as info:
        redshift.pause_cluster(ClusterIdentifier="my-dw-cluster")
    assert _error(info)[0] == "InvalidClusterState"
    resumed = redshift.resume_cluster(ClusterIdentifier="my-dw-cluster")["Cluster"]
    assert resumed["ClusterStatus"] == "available"
    arn = "arn:aws:redshift:us-east-1:000000000000:cluster:my-dw-cluster"
    redshift.create_tags(ResourceName=arn, Tags=[{"Key": "team", "Value": "dw"}])
    assert [t["Tag"] for t in redshift.describe_tags(ResourceName=arn)["TaggedResources"]] == [
        {"Key": "team", "Value": "dw"}]
    assert redshift.describe_clusters(TagKeys=["team"])["Clusters"][0]["ClusterIdentifier"] == "my-dw-cluster"
    redshift.delete_tags(ResourceName=arn, TagKeys=["team"])
    assert redshift.describe_tags(ResourceName=arn)["TaggedResources"] == []
    redshift.delete_cluster(ClusterIdentifier="my-dw-cluster", SkipFinalClusterSnapshot=True)
    assert redshift.describe_clusters()["Clusters"] == []


def test_get_cluster_credentials(redshift, cluster):
    creds = redshift.get_cluster_credentials(ClusterIdentifier="my-dw-cluster", DbUser="analyst",
                                             DbName="analytics", DurationSeconds=900)
    assert creds["DbUser"] == "IAM:analyst" and len(creds["DbPassword"]) >= 20


def test_temporary_credentials_log_in_as_the_iam_user(redshift, cluster):
    creds = redshift.get_cluster_credentials(ClusterIdentifier="my-dw-cluster", DbUser="analyst")
    assert run_sql(redshift, "SELECT current_user", user=creds["DbUser"], password=creds["DbPassword"]) == [
        ["IAM:analyst"]]


def test_credentials_with_iam_name_the_callers_identity(lakebox_server, redshift, cluster):
    """The database user is the caller's own IAM identity: IAMR:<role> for a role's session."""
    own = redshift.get_cluster_credentials_with_iam(ClusterIdentifier="my-dw-cluster", DurationSeconds=1800)
    assert own["DbUser"] == "IAM:root"
    assert 1790 <= (own["Expiration"] - datetime.now(timezone.utc)).total_seconds() <= 1800
    session = client(lakebox_server, "sts").assume_role(RoleArn="arn:aws:iam::000000000000:role/etl-loader",
                                                RoleSessionName="nightly")["Credentials"]
    as_role = boto3.client("redshift", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                           aws_access_key_id=session["AccessKeyId"], aws_secret_access_key=session["SecretAccessKey"],
                           aws_session_token=session["SessionToken"])
    creds = as_role.get_cluster_credentials_with_iam(ClusterIdentifier="my-dw-cluster", DbName="analytics")
    assert creds["DbUser"] == "IAMR:etl-loader"
    assert run_sql(redshift, "SELECT current_user", user=creds["DbUser"], password=creds["DbPassword"]) == [
        ["IAMR:etl-loader"]]
    with pytest.raises(ClientError) as missing:
        redshift.get_cluster_credentials_with_iam(ClusterIdentifier="nope")
    assert _error(missing) == ("ClusterNotFound", 404)
    with pytest.raises(ClientError) as too_long:
        redshift.get_cluster_credentials_with_iam(ClusterIdentifier="my-dw-cluster", DurationSeconds=7200)
    assert _error(too_long)[0] == "InvalidParameterValue"


def test_clusters_and_their_data_survive_a_restart(tmp_path):
    with running_lakebox(tmp_path, set_env=False) as server:
        redshift, data = client(server, "redshift"), client(server, "redshift-data")
        redshift.create_cluster(ClusterIdentifier="kept", NodeType="dc2.large", ClusterType="single-node",
                                MasterUsername="admin", MasterUserPassword=PASSWORD)
        done = data.execute_statement(ClusterIdentifier="kept", Database="dev", DbUser="admin",
                                      Sql="CREATE TABLE t AS SELECT 42 AS answer")
        _wait(data, done["Id"])
    with running_lakebox(tmp_path, set_env=False) as server:
        redshift, data = client(server, "redshift"), client(server, "redshift-data")
        assert redshift.describe_clusters()["Clusters"][0]["ClusterStatus"] == "available"
        run = data.execute_statement(ClusterIdentifier="kept", Database="dev", DbUser="admin", Sql="SELECT answer FROM t")
        assert _wait(data, run["Id"])["Status"] == "FINISHED"
        assert data.get_statement_result(Id=run["Id"])["Records"] == [[{"longValue": 42}]]


def _wait(data, statement_id: str) -> dict:
    for _ in range(200):
        described = data.describe_statement(Id=statement_id)
        if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            return described
    raise AssertionError("statement did not end")


def test_cluster_security_groups_are_refused_as_on_a_vpc_by_default_account(redshift):
    """EC2-Classic is retired: AWS refuses every cluster security group operation this way."""
    for call, kwargs in [(redshift.create_cluster_security_group, {"ClusterSecurityGroupName": "g", "Description": "d"}),
                         (redshift.describe_cluster_security_groups, {}),
                         (redshift.authorize_cluster_security_group_ingress,
                          {"ClusterSecurityGroupName": "g", "CIDRIP": "10.0.0.1/32"})]:
        with pytest.raises(ClientError) as info:
            call(**kwargs)
        assert _error(info) == ("InvalidParameterValue", 400)
        assert info.value.response["Error"]["Message"] == "VPC-by-Default customers cannot use cluster security groups"
