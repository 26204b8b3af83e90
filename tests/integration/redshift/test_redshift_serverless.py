"""Redshift Serverless over boto3: namespaces and workgroups, whose endpoint runs the same SQL engine as
a cluster's, reached by the Data API (WorkgroupName), redshift_connector and GetCredentials."""

from __future__ import annotations

import io
import time
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import redshift_connector
from botocore.exceptions import ClientError
from redshift_helpers import PASSWORD, client

from lakebox.testing import running_lakebox


@pytest.fixture
def serverless(lakebox_server):
    return client(lakebox_server, "redshift-serverless")


@pytest.fixture
def data_api(lakebox_server):
    return client(lakebox_server, "redshift-data")


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _make(serverless, namespace="analytics", workgroup="etl", **extra) -> dict:
    serverless.create_namespace(namespaceName=namespace, adminUsername="admin", adminUserPassword=PASSWORD,
                                dbName="analytics", tags=[{"key": "env", "value": "dev"}])
    return serverless.create_workgroup(workgroupName=workgroup, namespaceName=namespace, **extra)["workgroup"]


def _sql(data_api, sql: str, workgroup: str = "etl", database: str = "analytics") -> dict:
    statement_id = data_api.execute_statement(WorkgroupName=workgroup, Database=database, Sql=sql)["Id"]
    while (described := data_api.describe_statement(Id=statement_id))["Status"] not in (
            "FINISHED", "FAILED", "ABORTED"):
        time.sleep(0.05)
    assert described["Status"] == "FINISHED", described.get("Error")
    assert described["WorkgroupName"] == workgroup and "ClusterIdentifier" not in described
    return data_api.get_statement_result(Id=statement_id) if described["HasResultSet"] else described


def _connect(workgroup: dict, user: str = "admin", password: str = PASSWORD):
    endpoint = workgroup["endpoint"]
    return redshift_connector.connect(host=endpoint["address"], port=endpoint["port"], database="analytics",
                                      user=user, password=password, ssl=False)


def test_a_workgroup_serves_sql_to_the_data_api_and_to_drivers(serverless, data_api):
    workgroup = _make(serverless, baseCapacity=32)
    assert (workgroup["status"], workgroup["baseCapacity"], workgroup["namespaceName"]) == \
        ("AVAILABLE", 32, "analytics")
    assert workgroup["endpoint"]["port"] >= 5439 and workgroup["workgroupArn"].startswith(
        "arn:aws:redshift-serverless:us-east-1:000000000000:workgroup/")

    _sql(data_api, "CREATE TABLE sales (id INT, amount DECIMAL(10,2))")
    _sql(data_api, "INSERT INTO sales VALUES (1, 10.50), (2, 4.25), (3, 7.00)")
    result = _sql(data_api, "SELECT count(*), sum(amount) FROM sales")
    assert result["Records"] == [[{"longValue": 3}, {"stringValue": "21.75"}]]
    assert data_api.list_databases(WorkgroupName="etl", Database="analytics")["Databases"] == ["analytics", "dev"]
    listed = data_api.list_statements(WorkgroupName="etl")["Statements"]
    assert len(listed) == 3

    with _connect(workgroup) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT id FROM sales WHERE amount > 5 ORDER BY id")
        assert cursor.fetchall() == ([1], [3])

    # GetCredentials logs the caller's IAM identity in with a temporary password.
    credentials = serverless.get_credentials(workgroupName="etl", dbName="analytics", durationSeconds=900)
    assert credentials["dbUser"] == "IAM:root"
    assert 800 < (credentials["expiration"] - datetime.now(timezone.utc)).total_seconds() <= 900
    with _connect(workgroup, credentials["dbUser"], credentials["dbPassword"]) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT current_user")
        assert cursor.fetchall() == (["IAM:root"],)
    with pytest.raises(redshift_connector.ProgrammingError, match="28P01"):
        _connect(workgroup, "admin", "WrongPass123")


def test_namespaces_and_workgroups_are_described_updated_tagged_and_deleted(serverless):
    _make(serverless)
    namespace = serverless.get_namespace(namespaceName="analytics")["namespace"]
    assert (namespace["status"], namespace["adminUsername"], namespace["dbName"]) == ("AVAILABLE", "admin", "analytics")
    assert "adminUserPassword" not in namespace and "PasswordHash" not in str(namespace)
    assert [n["namespaceName"] for n in serverless.list_namespaces()["namespaces"]] == ["analytics"]
    assert [w["workgroupName"] for w in serverless.list_workgroups()["workgroups"]] == ["etl"]

    updated = serverless.update_workgroup(workgroupName="etl", baseCapacity=64, publiclyAccessible=True)["workgroup"]
    assert (updated["baseCapacity"], updated["publiclyAccessible"]) == (64, True)
    role = "arn:aws:iam::000000000000:role/RedshiftCopyRole"
    assert serverless.update_namespace(namespaceName="analytics", iamRoles=[role],
                                       defaultIamRoleArn=role)["namespace"]["iamRoles"] == [role]

    arn = namespace["namespaceArn"]
    serverless.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "data"}])
    serverless.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert serverless.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "data"}]

    with pytest.raises(ClientError) as info:
        serverless.delete_namespace(namespaceName="analytics")
    assert _error(info) == ("ConflictException", 400)
    assert serverless.delete_workgroup(workgroupName="etl")["workgroup"]["status"] == "DELETING"
    assert serverless.delete_namespace(namespaceName="analytics")["namespace"]["status"] == "DELETING"
    assert serverless.list_namespaces()["namespaces"] == [] and serverless.list_workgroups()["workgroups"] == []
    with pytest.raises(ClientError) as info:
        serverless.get_workgroup(workgroupName="etl")
    assert _error(info) == ("ResourceNotFoundException", 400)


def test_a_workgroups_data_survives_a_restart_and_copy_reads_the_lake(tmp_path):
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": [1, 2], "city": ["Lisboa", "Porto"]}), buffer)
    with running_lakebox(tmp_path, set_env=False) as server:
        serverless, data_api = client(server, "redshift-serverless"), client(server, "redshift-data")
        s3 = client(server, "s3")
        s3.create_bucket(Bucket="lake")
        s3.put_object(Bucket="lake", Key="cities/part-0.parquet", Body=buffer.getvalue())
        _make(serverless)
        _sql(data_api, "CREATE TABLE cities (id BIGINT, city VARCHAR(20))")
        _sql(data_api, "COPY cities FROM 's3://lake/cities/' IAM_ROLE default FORMAT AS PARQUET")
    with running_lakebox(tmp_path, set_env=False) as server:
        serverless, data_api = client(server, "redshift-serverless"), client(server, "redshift-data")
        assert _sql(data_api, "SELECT city FROM cities ORDER BY id")["Records"] == [
            [{"stringValue": "Lisboa"}], [{"stringValue": "Porto"}]]
        with _connect(serverless.get_workgroup(workgroupName="etl")["workgroup"]) as conn:
            cursor = conn.cursor()
            cursor.execute("SELECT count(*) FROM cities")
            assert cursor.fetchall() == ([2],)


@pytest.mark.parametrize("call, params, code", [
    ("create_namespace", {"namespaceName": "Bad_Name"}, "ValidationException"),
    ("create_namespace", {"namespaceName": "weak", "adminUsername": "admin", "adminUserPassword": "short"},
     "ValidationException"),
    ("create_namespace", {"namespaceName": "half", "adminUsername": "admin"}, "ValidationException"),
    ("create_workgroup", {"workgroupName": "wg1", "namespaceName": "missing"}, "ResourceNotFoundException"),
    ("get_namespace", {"namespaceName": "missing"}, "ResourceNotFoundException"),
    ("delete_workgroup", {"workgroupName": "missing"}, "ResourceNotFoundException"),
    ("get_credentials", {"workgroupName": "missing"}, "ResourceNotFoundException"),
])
def test_bad_requests_get_serverless_errors(serverless, call, params, code):
    with pytest.raises(ClientError) as info:
        getattr(serverless, call)(**params)
    assert _error(info) == (code, 400)
    assert serverless.list_namespaces()["namespaces"] == []


def test_conflicts_capacity_and_ports_are_checked(serverless, data_api):
    _make(serverless)
    for call, params, code in [
        ("create_namespace", {"namespaceName": "analytics"}, "ConflictException"),
        ("create_workgroup", {"workgroupName": "second", "namespaceName": "analytics"}, "ConflictException"),
        ("update_workgroup", {"workgroupName": "etl", "baseCapacity": 12}, "ValidationException"),
        ("update_workgroup", {"workgroupName": "etl", "port": 1234}, "ValidationException"),
    ]:
        with pytest.raises(ClientError) as info:
            getattr(serverless, call)(**params)
        assert _error(info) == (code, 400), call
    assert [w["workgroupName"] for w in serverless.list_workgroups()["workgroups"]] == ["etl"]
    with pytest.raises(ClientError) as info:
        data_api.execute_statement(WorkgroupName="missing", Database="dev", Sql="SELECT 1")
    assert _error(info) == ("ResourceNotFoundException", 400)
    with pytest.raises(ClientError) as info:
        data_api.execute_statement(WorkgroupName="etl", ClusterIdentifier="c", Database="dev", Sql="SELECT 1")
    assert _error(info) == ("ValidationException", 400)


def test_snapshots_copy_a_namespace_and_a_restore_puts_its_data_back(serverless, data_api):
    _make(serverless)
    _sql(data_api, "CREATE TABLE facts (id INT)")
    _sql(data_api, "INSERT INTO facts VALUES (1), (2)")
    snapshot = serverless.create_snapshot(namespaceName="analytics", snapshotName="before",
                                          retentionPeriod=7)["snapshot"]
    assert (snapshot["status"], snapshot["namespaceName"], snapshot["snapshotRetentionPeriod"]) == \
        ("AVAILABLE", "analytics", 7)
    assert snapshot["totalBackupSizeInMegaBytes"] > 0 and snapshot["snapshotRemainingDays"] == 7

    _sql(data_api, "INSERT INTO facts VALUES (3)")
    _sql(data_api, "CREATE TABLE later (x INT)")
    assert _sql(data_api, "SELECT count(*) FROM facts")["Records"] == [[{"longValue": 3}]]
    restored = serverless.restore_from_snapshot(namespaceName="analytics", workgroupName="etl",
                                                snapshotName="before")
    assert (restored["snapshotName"], restored["namespace"]["namespaceName"]) == ("before", "analytics")
    assert _sql(data_api, "SELECT id FROM facts ORDER BY id")["Records"] == [[{"longValue": 1}], [{"longValue": 2}]]
    statement_id = data_api.execute_statement(WorkgroupName="etl", Database="analytics",
                                              Sql="SELECT * FROM later")["Id"]
    while (described := data_api.describe_statement(Id=statement_id))["Status"] not in ("FINISHED", "FAILED"):
        time.sleep(0.05)
    assert described["Status"] == "FAILED" and "later" in described["Error"]

    listed = serverless.list_snapshots(namespaceName="analytics")["snapshots"]
    assert [s["snapshotName"] for s in listed] == ["before"]
    assert serverless.update_snapshot(snapshotName="before", retentionPeriod=-1)["snapshot"][
        "snapshotRetentionPeriod"] == -1
    assert serverless.get_snapshot(snapshotArn=snapshot["snapshotArn"])["snapshot"]["snapshotName"] == "before"
    for call, params, code in [
        (serverless.create_snapshot, {"namespaceName": "analytics", "snapshotName": "before"}, "ConflictException"),
        (serverless.create_snapshot, {"namespaceName": "missing", "snapshotName": "snap2"},
         "ResourceNotFoundException"),
        (serverless.create_snapshot, {"namespaceName": "analytics", "snapshotName": "snap3", "retentionPeriod": 0},
         "ValidationException"),
        (serverless.get_snapshot, {"snapshotName": "missing"}, "ResourceNotFoundException"),
    ]:
        with pytest.raises(ClientError) as info:
            call(**params)
        assert _error(info) == (code, 400)

    # Deleting the namespace with a final snapshot keeps its data in that snapshot.
    serverless.delete_workgroup(workgroupName="etl")
    serverless.delete_namespace(namespaceName="analytics", finalSnapshotName="final")
    assert sorted(s["snapshotName"] for s in serverless.list_snapshots()["snapshots"]) == ["before", "final"]
    assert serverless.delete_snapshot(snapshotName="before")["snapshot"]["status"] == "DELETED"
    assert [s["snapshotName"] for s in serverless.list_snapshots()["snapshots"]] == ["final"]
