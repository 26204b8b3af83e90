"""Redshift audit logging: connections and statements logged to S3 (gzip objects named as AWS names
them) or to CloudWatch Logs, and the logging status."""

from __future__ import annotations

import gzip

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import client, connect, run_sql


def _run(redshift, *statements: str) -> None:
    run_sql(redshift, *statements)


@pytest.fixture
def activity_logging(redshift, cluster):
    """The cluster on a parameter group with enable_user_activity_logging on, as AWS needs for the
    useractivitylog."""
    redshift.create_cluster_parameter_group(ParameterGroupName="audited", ParameterGroupFamily="redshift-2.0",
                                            Description="user activity logging on")
    redshift.modify_cluster_parameter_group(ParameterGroupName="audited", Parameters=[
        {"ParameterName": "enable_user_activity_logging", "ParameterValue": "true"}])
    redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterParameterGroupName="audited")
    return cluster


def _logs(s3, bucket: str, prefix: str) -> dict[str, list[str]]:
    """log type -> its lines, from every object under the prefix."""
    found: dict[str, list[str]] = {}
    for obj in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
        text = gzip.decompress(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()).decode()
        kind = obj["Key"].rsplit("_", 2)[-2]
        found.setdefault(kind, []).extend(text.splitlines())
    return found


def test_logging_is_off_until_enabled(redshift, cluster):
    status = redshift.describe_logging_status(ClusterIdentifier="my-dw-cluster")
    status.pop("ResponseMetadata")
    assert status == {"LoggingEnabled": False}


def test_s3_audit_logs_hold_the_sessions_and_statements(redshift, activity_logging, lakebox_server):
    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="audit")
    status = redshift.enable_logging(ClusterIdentifier="my-dw-cluster", BucketName="audit", S3KeyPrefix="dw/")
    assert status["LoggingEnabled"] is True and status["BucketName"] == "audit" and status["S3KeyPrefix"] == "dw/"
    assert status["LogDestinationType"] == "s3"
    assert sorted(status["LogExports"]) == ["connectionlog", "useractivitylog", "userlog"]
    _run(redshift, "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (1)", "CREATE USER analyst PASSWORD 'Secret123'")
    with pytest.raises(Exception):
        connect(redshift, password="WrongPass1")
    redshift.disable_logging(ClusterIdentifier="my-dw-cluster")  # delivers what is buffered

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="audit")["Contents"]]
    assert all(k.startswith("dw/AWSLogs/000000000000/redshift/us-east-1/") and k.endswith(".gz") for k in keys)
    assert any("_redshift_us-east-1_my-dw-cluster_connectionlog_" in k for k in keys)
    logs = _logs(s3, "audit", "dw/")
    events = [line.split("|")[0] for line in logs["connectionlog"]]
    assert events == ["authenticated", "initiating session", "disconnecting session", "authentication failure"]
    first = logs["connectionlog"][0].split("|")
    assert (first[5], first[6]) == ("analytics", "admin")
    activity = logs["useractivitylog"]
    assert any(line.endswith("LOG: CREATE TABLE t (x INT)") and "db=analytics user=admin" in line for line in activity)
    assert any(line.endswith("LOG: INSERT INTO t VALUES (1)") for line in activity)
    (user_line,) = logs["userlog"]
    assert user_line.split("|")[1:4] == ["analyst", " ", "create"]

    status = redshift.describe_logging_status(ClusterIdentifier="my-dw-cluster")
    assert status["LoggingEnabled"] is False and "LastSuccessfulDeliveryTime" in status
    # Logging off: nothing more is written.
    _run(redshift, "SELECT 1")
    assert len(s3.list_objects_v2(Bucket="audit")["Contents"]) == len(keys)


def test_without_the_parameter_there_is_no_user_activity_log(redshift, cluster, lakebox_server):
    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="audit")
    redshift.enable_logging(ClusterIdentifier="my-dw-cluster", BucketName="audit",
                            LogExports=["connectionlog", "useractivitylog"])
    _run(redshift, "SELECT 1")
    redshift.disable_logging(ClusterIdentifier="my-dw-cluster")
    assert set(_logs(s3, "audit", "")) == {"connectionlog"}


def test_log_exports_choose_the_logs(redshift, activity_logging, lakebox_server):
    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="audit")
    redshift.enable_logging(ClusterIdentifier="my-dw-cluster", BucketName="audit", LogExports=["connectionlog"])
    _run(redshift, "SELECT 1")
    redshift.disable_logging(ClusterIdentifier="my-dw-cluster")
    assert set(_logs(s3, "audit", "")) == {"connectionlog"}


def test_cloudwatch_destination_writes_log_groups_at_once(redshift, activity_logging, lakebox_server):
    logs = client(lakebox_server, "logs")
    redshift.enable_logging(ClusterIdentifier="my-dw-cluster", LogDestinationType="cloudwatch",
                            LogExports=["connectionlog", "useractivitylog"])
    _run(redshift, "SELECT 42")
    activity = logs.get_log_events(logGroupName="/aws/redshift/cluster/my-dw-cluster/useractivitylog",
                                   logStreamName="my-dw-cluster")["events"]
    assert any(e["message"].endswith("LOG: SELECT 42") for e in activity)
    connections = logs.get_log_events(logGroupName="/aws/redshift/cluster/my-dw-cluster/connectionlog",
                                      logStreamName="my-dw-cluster")["events"]
    assert [e["message"].split("|")[0] for e in connections][:2] == ["authenticated", "initiating session"]
    status = redshift.describe_logging_status(ClusterIdentifier="my-dw-cluster")
    assert status["LogDestinationType"] == "cloudwatch" and "BucketName" not in status


def test_data_api_statements_are_user_activity(redshift, activity_logging, lakebox_server):
    logs = client(lakebox_server, "logs")
    redshift.enable_logging(ClusterIdentifier="my-dw-cluster", LogDestinationType="cloudwatch",
                            LogExports=["useractivitylog"])
    data = client(lakebox_server, "redshift-data")
    run = data.execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin",
                                 Sql="SELECT 7")
    for _ in range(200):
        if data.describe_statement(Id=run["Id"])["Status"] == "FINISHED":
            break
    activity = logs.get_log_events(logGroupName="/aws/redshift/cluster/my-dw-cluster/useractivitylog",
                                   logStreamName="my-dw-cluster")["events"]
    assert any(e["message"].endswith("LOG: SELECT 7") for e in activity)


@pytest.mark.parametrize("params, code", [
    ({"BucketName": "no-such-bucket"}, "BucketNotFoundFault"),
    ({"BucketName": "Bad_Bucket"}, "InvalidS3BucketNameFault"),
    ({}, "InvalidParameterValue"),
    ({"LogDestinationType": "cloudwatch", "BucketName": "audit"}, "InvalidParameterCombination"),
    ({"BucketName": "audit", "LogExports": ["querylog"]}, "InvalidParameterValue"),
])
def test_bad_logging_requests_change_nothing(redshift, cluster, lakebox_server, params, code):
    client(lakebox_server, "s3").create_bucket(Bucket="audit")
    with pytest.raises(ClientError) as info:
        redshift.enable_logging(ClusterIdentifier="my-dw-cluster", **params)
    assert info.value.response["Error"]["Code"] == code
    assert redshift.describe_logging_status(ClusterIdentifier="my-dw-cluster")["LoggingEnabled"] is False


def test_unknown_cluster(redshift):
    for call in (redshift.describe_logging_status, redshift.disable_logging):
        with pytest.raises(ClientError) as info:
            call(ClusterIdentifier="nope")
        assert info.value.response["Error"]["Code"] == "ClusterNotFound"
