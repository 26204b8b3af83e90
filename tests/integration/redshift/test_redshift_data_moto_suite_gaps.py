"""Redshift Data API answers checked while running moto's redshift-data suite against a cluster.

A parameter that the SQL never names is refused before anything runs, with the message the Data
API gives ("Parameters list contains unused parameters. Unused parameters: [id]"), naming each one.
A statement with neither DbUser nor SecretArn runs (AWS takes the caller's IAM identity).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from redshift_helpers import client


@pytest.fixture
def data(lakebox_server, cluster):
    return client(lakebox_server, "redshift-data")


def _execute(data, sql: str, **extra) -> dict:
    return data.execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin", Sql=sql,
                                  **extra)


def _finished(data, statement_id: str) -> dict:
    for _ in range(300):
        described = data.describe_statement(Id=statement_id)
        if described["Status"] in ("FINISHED", "FAILED", "ABORTED"):
            return described
    raise AssertionError(f"statement {statement_id} did not end")


def test_an_unused_parameter_is_named_in_a_validation_exception(data):
    with pytest.raises(ClientError) as info:
        _execute(data, "SELECT 1 AS one", Parameters=[{"name": "id", "value": "7"}])
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ValidationException", "Parameters list contains unused parameters. Unused parameters: [id]")
    assert data.list_statements()["Statements"] == []


def test_every_unused_parameter_is_listed_in_the_order_given(data):
    with pytest.raises(ClientError) as info:
        _execute(data, "SELECT :used AS v", Parameters=[{"name": "zeta", "value": "1"}, {"name": "used", "value": "2"},
                                                        {"name": "alpha", "value": "3"}])
    assert info.value.response["Error"]["Message"] == (
        "Parameters list contains unused parameters. Unused parameters: [zeta, alpha]")


def test_parameters_the_sql_names_still_bind(data):
    started = _execute(data, "SELECT :word AS w, :n AS n", Parameters=[{"name": "word", "value": "it's"},
                                                                        {"name": "n", "value": "3"}])
    assert _finished(data, started["Id"])["Status"] == "FINISHED"
    records = data.get_statement_result(Id=started["Id"])["Records"]
    assert records == [[{"stringValue": "it's"}, {"stringValue": "3"}]]


def test_a_statement_without_db_user_or_secret_runs_as_the_callers_iam_identity(data):
    """AWS authenticates such a call with the caller's IAM identity (GetClusterCredentialsWithIAM),
    as awswrangler's `data_api.redshift.connect(cluster_id=..., database=...)` does."""
    started = data.execute_statement(ClusterIdentifier="my-dw-cluster", Database="analytics", Sql="SELECT 41 + 1 AS n")
    assert "DbUser" not in started and "SecretArn" not in started
    assert _finished(data, started["Id"])["Status"] == "FINISHED"
    assert data.get_statement_result(Id=started["Id"])["Records"] == [[{"longValue": 42}]]
