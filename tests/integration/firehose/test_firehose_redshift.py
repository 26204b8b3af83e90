"""Firehose to Redshift: records staged in S3, then COPY into a lakebox cluster's table."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from firehose_helpers import ROLE, client, objects

PASSWORD = "SecurePass123!"


@pytest.fixture
def jdbc_url(lakebox_server, lake):
    redshift = client(lakebox_server, "redshift")
    redshift.create_cluster(ClusterIdentifier="dw", NodeType="dc2.large", ClusterType="single-node",
                            MasterUsername="admin", MasterUserPassword=PASSWORD, DBName="analytics")
    endpoint = redshift.describe_clusters(ClusterIdentifier="dw")["Clusters"][0]["Endpoint"]
    return f"jdbc:redshift://{endpoint['Address']}:{endpoint['Port']}/analytics"


def _sql(lakebox_server, sql: str) -> list:
    data = client(lakebox_server, "redshift-data")
    run = data.execute_statement(ClusterIdentifier="dw", Database="analytics", DbUser="admin", Sql=sql)
    for _ in range(300):
        described = data.describe_statement(Id=run["Id"])
        if described["Status"] in ("FINISHED", "FAILED"):
            break
    assert described["Status"] == "FINISHED", described
    if not described["HasResultSet"]:
        return []
    return [[list(f.values())[0] for f in row] for row in data.get_statement_result(Id=run["Id"])["Records"]]


def _destination(jdbc_url: str, **copy_command) -> dict:
    return {"RoleARN": ROLE, "ClusterJDBCURL": jdbc_url, "Username": "admin", "Password": PASSWORD,
            "CopyCommand": {"DataTableName": "events", "DataTableColumns": "user_id,event_type",
                            "CopyOptions": "json 'auto'", **copy_command},
            "S3Configuration": {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::lake", "Prefix": "staging/",
                                "ErrorOutputPrefix": "copy-errors/", "CompressionFormat": "GZIP",
                                "BufferingHints": {"IntervalInSeconds": 60}}}


def test_records_are_copied_into_the_table(firehose, s3, lakebox_server, jdbc_url):
    _sql(lakebox_server, "CREATE TABLE events (user_id BIGINT, event_type VARCHAR(32))")
    firehose.create_delivery_stream(DeliveryStreamName="to-dw", RedshiftDestinationConfiguration=_destination(jdbc_url))
    shown = firehose.describe_delivery_stream(DeliveryStreamName="to-dw")["DeliveryStreamDescription"][
        "Destinations"][0]["RedshiftDestinationDescription"]
    assert shown["ClusterJDBCURL"] == jdbc_url and "Password" not in shown
    assert shown["S3DestinationDescription"]["Prefix"] == "staging/"
    firehose.put_record_batch(DeliveryStreamName="to-dw", Records=[
        {"Data": json.dumps({"user_id": i, "event_type": ["view", "click"][i % 2]}) + "\n"} for i in range(10)])
    assert _sql(lakebox_server, "SELECT count(*) FROM events") == [[0]]
    lakebox_server.advance_clock("2m")
    assert _sql(lakebox_server, "SELECT event_type, count(*) FROM events GROUP BY 1 ORDER BY 1") == [
        ["click", 5], ["view", 5]]
    staged = objects(s3, prefix="staging/")
    assert len(staged) == 1 and next(iter(staged)).endswith(".gz")  # the intermediate object stays


def test_a_cluster_whose_port_was_taken_is_found_on_the_port_it_took(firehose, s3, lakebox_server, lake):
    """The port asked for is held by another program: the cluster listens on the next free one, and
    its Endpoint and the Firehose COPY both use that one."""
    import socket

    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    try:
        redshift = client(lakebox_server, "redshift")
        redshift.create_cluster(ClusterIdentifier="dw", NodeType="dc2.large", ClusterType="single-node",
                                MasterUsername="admin", MasterUserPassword=PASSWORD, DBName="analytics", Port=taken)
        endpoint = redshift.describe_clusters(ClusterIdentifier="dw")["Clusters"][0]["Endpoint"]
        assert endpoint["Port"] != taken
        jdbc_url = f"jdbc:redshift://{endpoint['Address']}:{endpoint['Port']}/analytics"
        _sql(lakebox_server, "CREATE TABLE events (user_id BIGINT, event_type VARCHAR(32))")
        firehose.create_delivery_stream(DeliveryStreamName="moved",
                                        RedshiftDestinationConfiguration=_destination(jdbc_url))
        firehose.put_record(DeliveryStreamName="moved", Record={"Data": json.dumps({"user_id": 7, "event_type": "x"})})
        lakebox_server.advance_clock("2m")
        assert _sql(lakebox_server, "SELECT user_id, event_type FROM events") == [[7, "x"]]
    finally:
        blocker.close()


def test_a_failed_copy_is_recorded_and_not_retried_twice(firehose, s3, lakebox_server, jdbc_url):
    firehose.create_delivery_stream(DeliveryStreamName="no-table",
                                    RedshiftDestinationConfiguration=_destination(jdbc_url))
    firehose.put_record(DeliveryStreamName="no-table", Record={"Data": json.dumps({"user_id": 1}) + "\n"})
    lakebox_server.advance_clock("2m")
    [(key, body)] = objects(s3, prefix="copy-errors/").items()
    error = json.loads(body)
    assert error["errorCode"] == "Redshift.CopyFailed" and 'relation "events" does not exist' in error["errorMessage"]
    assert key.startswith("copy-errors/no-table-1-")


@pytest.mark.parametrize("changes, message", [
    ({"ClusterJDBCURL": "jdbc:postgresql://x:1/db"}, "ClusterJDBCURL"),
    ({"Password": None}, "Username and Password"),
    ({"S3Configuration": {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::lake", "CompressionFormat": "Snappy"}},
     "UNCOMPRESSED or GZIP"),
])
def test_bad_redshift_configurations_are_refused(firehose, lake, changes, message):
    config = {**_destination("jdbc:redshift://127.0.0.1:5439/analytics"), **changes}
    config = {k: v for k, v in config.items() if v is not None}
    with pytest.raises(ClientError) as info:
        firehose.create_delivery_stream(DeliveryStreamName="bad", RedshiftDestinationConfiguration=config)
    assert info.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert message in info.value.response["Error"]["Message"]
