"""ModifyClusterIamRoles and CreateCluster's IamRoles: the roles a cluster may use, and its default."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError
from redshift_helpers import PASSWORD, client, run_sql

from lakebox.testing import running_lakebox

COPY_ROLE = "arn:aws:iam::000000000000:role/RedshiftCopyRole"
UNLOAD_ROLE = "arn:aws:iam::000000000000:role/RedshiftUnloadRole"
SPECTRUM_ROLE = "arn:aws:iam::000000000000:role/RedshiftSpectrumRole"


def _roles(redshift, cluster="my-dw-cluster") -> tuple[list[str], str]:
    found = redshift.describe_clusters(ClusterIdentifier=cluster)["Clusters"][0]
    return [r["IamRoleArn"] for r in found.get("IamRoles", [])], found.get("DefaultIamRoleArn")


def _error(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_roles_are_added_removed_and_a_default_is_set(redshift, cluster):
    assert _roles(redshift) == ([], None)
    answer = redshift.modify_cluster_iam_roles(ClusterIdentifier="my-dw-cluster",
                                               AddIamRoles=[COPY_ROLE, UNLOAD_ROLE, COPY_ROLE],
                                               DefaultIamRoleArn=COPY_ROLE)["Cluster"]
    assert answer["IamRoles"] == [{"IamRoleArn": COPY_ROLE, "ApplyStatus": "in-sync"},
                                  {"IamRoleArn": UNLOAD_ROLE, "ApplyStatus": "in-sync"}]
    assert answer["DefaultIamRoleArn"] == COPY_ROLE
    assert _roles(redshift) == ([COPY_ROLE, UNLOAD_ROLE], COPY_ROLE)

    redshift.modify_cluster_iam_roles(ClusterIdentifier="my-dw-cluster", AddIamRoles=[SPECTRUM_ROLE],
                                      RemoveIamRoles=[UNLOAD_ROLE])
    assert _roles(redshift) == ([COPY_ROLE, SPECTRUM_ROLE], COPY_ROLE)

    # Removing the default role clears the default.
    redshift.modify_cluster_iam_roles(ClusterIdentifier="my-dw-cluster", RemoveIamRoles=[COPY_ROLE])
    assert _roles(redshift) == ([SPECTRUM_ROLE], None)


def test_create_cluster_takes_roles_and_a_default(redshift):
    redshift.create_cluster(ClusterIdentifier="with-roles", NodeType="ra3.xlplus", ClusterType="single-node",
                            MasterUsername="admin", MasterUserPassword=PASSWORD,
                            IamRoles=[COPY_ROLE, UNLOAD_ROLE], DefaultIamRoleArn=UNLOAD_ROLE)
    assert _roles(redshift, "with-roles") == ([COPY_ROLE, UNLOAD_ROLE], UNLOAD_ROLE)


@pytest.mark.parametrize("params, code", [
    ({"AddIamRoles": ["not-an-arn"]}, "InvalidParameterValue"),
    ({"AddIamRoles": ["arn:aws:iam::000000000000:user/someone"]}, "InvalidParameterValue"),
    ({"DefaultIamRoleArn": UNLOAD_ROLE}, "InvalidParameterValue"),
    ({"AddIamRoles": [COPY_ROLE], "RemoveIamRoles": [COPY_ROLE]}, "InvalidParameterValue"),
    ({"AddIamRoles": [f"arn:aws:iam::000000000000:role/r{i}" for i in range(51)]},
     "ClusterQuotaForCustomerExceeded"),
])
def test_bad_changes_are_refused_and_change_nothing(redshift, cluster, params, code):
    redshift.modify_cluster_iam_roles(ClusterIdentifier="my-dw-cluster", AddIamRoles=[COPY_ROLE])
    with pytest.raises(ClientError) as info:
        redshift.modify_cluster_iam_roles(ClusterIdentifier="my-dw-cluster", **params)
    assert _error(info) == (code, 400)
    assert _roles(redshift) == ([COPY_ROLE], None)


def test_a_missing_cluster_and_a_bad_create(redshift):
    with pytest.raises(ClientError) as info:
        redshift.modify_cluster_iam_roles(ClusterIdentifier="nope", AddIamRoles=[COPY_ROLE])
    assert _error(info) == ("ClusterNotFound", 404)
    with pytest.raises(ClientError) as info:
        redshift.create_cluster(ClusterIdentifier="bad-default", NodeType="ra3.xlplus", ClusterType="single-node",
                                MasterUsername="admin", MasterUserPassword=PASSWORD,
                                IamRoles=[COPY_ROLE], DefaultIamRoleArn=UNLOAD_ROLE)
    assert _error(info) == ("InvalidParameterValue", 400)
    assert redshift.describe_clusters()["Clusters"] == []


def test_the_roles_survive_a_restart_and_copy_runs_with_the_default_role(tmp_path):
    with running_lakebox(tmp_path, set_env=False) as server:
        redshift = client(server, "redshift")
        redshift.create_cluster(ClusterIdentifier="my-dw-cluster", NodeType="ra3.xlplus", ClusterType="single-node",
                                MasterUsername="admin", MasterUserPassword=PASSWORD, DBName="analytics")
        redshift.modify_cluster_iam_roles(ClusterIdentifier="my-dw-cluster", AddIamRoles=[COPY_ROLE],
                                          DefaultIamRoleArn=COPY_ROLE)
    with running_lakebox(tmp_path, set_env=False) as server:
        redshift = client(server, "redshift")
        assert _roles(redshift) == ([COPY_ROLE], COPY_ROLE)
        s3 = client(server, "s3")
        s3.create_bucket(Bucket="my-bucket")
        buffer = io.BytesIO()
        pq.write_table(pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"]}), buffer)
        s3.put_object(Bucket="my-bucket", Key="roles/part-0.parquet", Body=buffer.getvalue())
        rows = run_sql(redshift, "CREATE TABLE t (id BIGINT, name VARCHAR(10))",
                       "COPY t FROM 's3://my-bucket/roles/' IAM_ROLE default FORMAT AS PARQUET",
                       "SELECT id, name FROM t ORDER BY id")
    assert rows == [[1, "a"], [2, "b"], [3, "c"]]
