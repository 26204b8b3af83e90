"""Cluster parameter groups: the default groups, custom groups and their values, a cluster's group,
and the values that change sessions (search_path here; enable_user_activity_logging is in the audit
logging tests)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import connect, run_sql


def _values(redshift, group: str, **filters) -> dict[str, tuple[str, str]]:
    parameters = redshift.describe_cluster_parameters(ParameterGroupName=group, **filters)["Parameters"]
    return {p["ParameterName"]: (p["ParameterValue"], p["Source"]) for p in parameters}


def _code(info) -> tuple[str, int]:
    return info.value.response["Error"]["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_default_groups_and_a_clusters_group(redshift, cluster):
    names = [g["ParameterGroupName"] for g in redshift.describe_cluster_parameter_groups()["ParameterGroups"]]
    assert names == ["default.redshift-1.0", "default.redshift-2.0"]
    assert cluster["ClusterParameterGroups"] == [{"ParameterGroupName": "default.redshift-2.0",
                                                  "ParameterApplyStatus": "in-sync"}]
    defaults = redshift.describe_default_cluster_parameters(ParameterGroupFamily="redshift-2.0")[
        "DefaultClusterParameters"]
    by_name = {p["ParameterName"]: p for p in defaults["Parameters"]}
    assert by_name["search_path"]["ParameterValue"] == "$user, public"
    assert by_name["enable_user_activity_logging"]["ParameterValue"] == "false"
    assert by_name["statement_timeout"]["DataType"] == "integer"
    assert {p["Source"] for p in defaults["Parameters"]} == {"engine-default"}


def test_custom_group_values_modify_and_reset(redshift, cluster):
    created = redshift.create_cluster_parameter_group(
        ParameterGroupName="etl-params", ParameterGroupFamily="redshift-2.0", Description="for ETL",
        Tags=[{"Key": "team", "Value": "data"}])["ClusterParameterGroup"]
    assert created == {"ParameterGroupName": "etl-params", "ParameterGroupFamily": "redshift-2.0",
                       "Description": "for ETL", "Tags": [{"Key": "team", "Value": "data"}]}
    status = redshift.modify_cluster_parameter_group(ParameterGroupName="etl-params", Parameters=[
        {"ParameterName": "statement_timeout", "ParameterValue": "60000"},
        {"ParameterName": "enable_user_activity_logging", "ParameterValue": "TRUE"}])
    assert status["ParameterGroupName"] == "etl-params" and "updated" in status["ParameterGroupStatus"]
    values = _values(redshift, "etl-params")
    assert values["statement_timeout"] == ("60000", "user")
    assert values["enable_user_activity_logging"] == ("true", "user")
    assert values["search_path"] == ("$user, public", "engine-default")
    assert set(_values(redshift, "etl-params", Source="user")) == {"statement_timeout", "enable_user_activity_logging"}
    redshift.reset_cluster_parameter_group(ParameterGroupName="etl-params",
                                           Parameters=[{"ParameterName": "statement_timeout"}])
    assert set(_values(redshift, "etl-params", Source="user")) == {"enable_user_activity_logging"}
    redshift.reset_cluster_parameter_group(ParameterGroupName="etl-params", ResetAllParameters=True)
    assert _values(redshift, "etl-params", Source="user") == {}
    tagged = redshift.describe_cluster_parameter_groups(TagKeys=["team"])["ParameterGroups"]
    assert [g["ParameterGroupName"] for g in tagged] == ["etl-params"]


def test_search_path_from_the_group_applies_to_new_sessions(redshift, cluster):
    run_sql(redshift, "CREATE SCHEMA staging", "CREATE TABLE staging.events (id INT)",
            "INSERT INTO staging.events VALUES (7)")
    redshift.create_cluster_parameter_group(ParameterGroupName="staging-first", ParameterGroupFamily="redshift-2.0",
                                            Description="staging first")
    redshift.modify_cluster_parameter_group(ParameterGroupName="staging-first", Parameters=[
        {"ParameterName": "search_path", "ParameterValue": "$user, staging, public, nosuchschema"}])
    modified = redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterParameterGroupName="staging-first")
    assert modified["Cluster"]["ClusterParameterGroups"][0]["ParameterGroupName"] == "staging-first"
    assert run_sql(redshift, "SELECT id FROM events") == [[7]]  # unqualified: found through the group's path


def test_a_group_in_use_or_a_default_group_cannot_be_deleted_or_changed(redshift, cluster):
    redshift.create_cluster_parameter_group(ParameterGroupName="in-use", ParameterGroupFamily="redshift-2.0",
                                            Description="x")
    redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterParameterGroupName="in-use")
    for call in (lambda: redshift.delete_cluster_parameter_group(ParameterGroupName="in-use"),
                 lambda: redshift.delete_cluster_parameter_group(ParameterGroupName="default.redshift-2.0"),
                 lambda: redshift.modify_cluster_parameter_group(ParameterGroupName="default.redshift-2.0", Parameters=[
                     {"ParameterName": "search_path", "ParameterValue": "x"}])):
        with pytest.raises(ClientError) as info:
            call()
        assert _code(info) == ("InvalidClusterParameterGroupState", 400)
    redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterParameterGroupName="default.redshift-2.0")
    redshift.delete_cluster_parameter_group(ParameterGroupName="in-use")
    with pytest.raises(ClientError) as info:
        redshift.describe_cluster_parameters(ParameterGroupName="in-use")
    assert _code(info) == ("ClusterParameterGroupNotFound", 404)


@pytest.mark.parametrize("call, code", [
    (lambda r: r.create_cluster_parameter_group(ParameterGroupName="g", ParameterGroupFamily="redshift-9.9",
                                                Description="x"), "InvalidParameterValue"),
    (lambda r: r.create_cluster_parameter_group(ParameterGroupName="bad--name", ParameterGroupFamily="redshift-2.0",
                                                Description="x"), "InvalidParameterValue"),
    (lambda r: r.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": "no_such_parameter", "ParameterValue": "1"}]), "InvalidParameterValue"),
    (lambda r: r.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": "auto_analyze", "ParameterValue": "maybe"}]), "InvalidParameterValue"),
    (lambda r: r.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=[
        {"ParameterName": "statement_timeout", "ParameterValue": "50"}]), "InvalidParameterValue"),
    (lambda r: r.modify_cluster_parameter_group(ParameterGroupName="missing", Parameters=[
        {"ParameterName": "auto_analyze", "ParameterValue": "true"}]), "ClusterParameterGroupNotFound"),
    (lambda r: r.create_cluster_parameter_group(ParameterGroupName="custom", ParameterGroupFamily="redshift-2.0",
                                                Description="again"), "ClusterParameterGroupAlreadyExists"),
    (lambda r: r.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterParameterGroupName="missing"),
     "ClusterParameterGroupNotFound"),
])
def test_bad_requests_change_nothing(redshift, cluster, call, code):
    redshift.create_cluster_parameter_group(ParameterGroupName="custom", ParameterGroupFamily="redshift-2.0",
                                            Description="x")
    with pytest.raises(ClientError) as info:
        call(redshift)
    assert info.value.response["Error"]["Code"] == code
    assert _values(redshift, "custom", Source="user") == {}
    assert redshift.describe_clusters(ClusterIdentifier="my-dw-cluster")["Clusters"][0][
        "ClusterParameterGroups"][0]["ParameterGroupName"] == "default.redshift-2.0"


def test_max_records_is_between_20_and_100_and_pages_follow_the_marker(redshift, cluster):
    for call in (redshift.describe_clusters, redshift.describe_cluster_snapshots,
                 redshift.describe_cluster_parameter_groups):
        for bad in (0, 19, 101):
            with pytest.raises(ClientError) as info:
                call(MaxRecords=bad)
            assert _code(info) == ("InvalidParameterValue", 400)
    for i in range(22):
        redshift.create_cluster_parameter_group(ParameterGroupName=f"g-{i:02d}", ParameterGroupFamily="redshift-2.0",
                                                Description="paging")
    first = redshift.describe_cluster_parameter_groups(MaxRecords=20)
    second = redshift.describe_cluster_parameter_groups(MaxRecords=20, Marker=first["Marker"])
    names = [g["ParameterGroupName"] for g in first["ParameterGroups"] + second["ParameterGroups"]]
    assert len(names) == 24 and len(set(names)) == 24 and "Marker" not in second


def test_a_parameter_change_needs_a_name_and_a_value(raw_redshift, cluster):
    raw_redshift.create_cluster_parameter_group(ParameterGroupName="custom", ParameterGroupFamily="redshift-2.0",
                                                Description="x")
    for parameters in ([{"ParameterValue": "true"}], [{"ParameterName": "auto_analyze"}]):
        with pytest.raises(ClientError) as info:
            raw_redshift.modify_cluster_parameter_group(ParameterGroupName="custom", Parameters=parameters)
        assert _code(info) == ("InvalidParameterValue", 400)


def test_statement_timeout_cancels_long_statements(redshift, cluster):
    import redshift_connector

    long_query = "SELECT count(*) FROM (SELECT a.n FROM generate_series(1, 100000) a(n), generate_series(1, 100000) b(m)) x"
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute("SET statement_timeout TO 200")
        with pytest.raises(redshift_connector.ProgrammingError) as info:
            cursor.execute(long_query)
        assert info.value.args[0]["C"] == "57014"
        assert "statement timeout" in info.value.args[0]["M"]
        conn.rollback()
        cursor.execute("SELECT 1")  # the session goes on
        assert [list(row) for row in cursor.fetchall()] == [[1]]
    finally:
        conn.close()
    redshift.create_cluster_parameter_group(ParameterGroupName="short", ParameterGroupFamily="redshift-2.0",
                                            Description="short statements")
    redshift.modify_cluster_parameter_group(ParameterGroupName="short", Parameters=[
        {"ParameterName": "statement_timeout", "ParameterValue": "200"}])
    redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterParameterGroupName="short")
    with pytest.raises(redshift_connector.ProgrammingError) as info:
        run_sql(redshift, long_query)
    assert info.value.args[0]["C"] == "57014"
    assert run_sql(redshift, "SELECT 2") == [[2]]
