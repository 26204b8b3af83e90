"""CloudWatch Logs query definitions, resource policies, metric filters and export tasks through boto3."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sqlite3
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from logs_helpers import make_logs_client

from lakebox.services.logs.store import SCHEMA_VERSION, LogsStore
from lakebox.testing import running_lakebox

APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534'
APACHE_404 = '10.0.0.7 - - [10/Oct/2000:13:26:01 -0700] "GET /missing HTTP/1.0" 404 209'


def error_of(excinfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def s3_client(endpoint_url: str):
    return boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def put(logs, group, stream, events):
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": ts, "message": m} for ts, m in events])


def transformation(name="Errors", namespace="App", value="1", **extra):
    return [{"metricName": name, "metricNamespace": namespace, "metricValue": value, **extra}]


# -- query definitions ------------------------------------------------------------------------------

def test_put_describe_update_delete_query_definition(logs):
    created = logs.put_query_definition(name="errors/recent", queryString="fields @message | filter @message like /ERROR/",
                                        logGroupNames=["/app/web"])
    definition_id = created["queryDefinitionId"]
    assert str(uuid.UUID(definition_id)) == definition_id
    [found] = logs.describe_query_definitions()["queryDefinitions"]
    assert found["queryDefinitionId"] == definition_id and found["name"] == "errors/recent"
    assert found["logGroupNames"] == ["/app/web"] and found["lastModified"] > 1_600_000_000_000
    updated = logs.put_query_definition(queryDefinitionId=definition_id, name="errors/all", queryString="fields @x")
    assert updated["queryDefinitionId"] == definition_id
    [found] = logs.describe_query_definitions()["queryDefinitions"]
    assert (found["name"], found["queryString"]) == ("errors/all", "fields @x")
    assert logs.delete_query_definition(queryDefinitionId=definition_id)["success"] is True
    assert logs.describe_query_definitions()["queryDefinitions"] == []


def test_describe_query_definitions_filters_by_prefix_and_pages(logs):
    for name in ["ops/b", "ops/a", "sales/x", "ops/c"]:
        logs.put_query_definition(name=name, queryString="fields @message")
    page = logs.describe_query_definitions(queryDefinitionNamePrefix="ops/", maxResults=2)
    assert [d["name"] for d in page["queryDefinitions"]] == ["ops/a", "ops/b"]
    rest = logs.describe_query_definitions(queryDefinitionNamePrefix="ops/", maxResults=2, nextToken=page["nextToken"])
    assert [d["name"] for d in rest["queryDefinitions"]] == ["ops/c"] and "nextToken" not in rest


def test_delete_unknown_query_definition_raises_resource_not_found(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.delete_query_definition(queryDefinitionId=str(uuid.uuid4()))
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 400)
    with pytest.raises(ClientError) as excinfo:
        logs.put_query_definition(queryDefinitionId=str(uuid.uuid4()), name="n", queryString="fields @x")
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 400)


# -- resource policies ------------------------------------------------------------------------------

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"},
                                                            "Action": ["logs:PutLogEvents"], "Resource": "*"}]})


def test_put_describe_delete_resource_policy(logs):
    out = logs.put_resource_policy(policyName="route53", policyDocument=POLICY)
    assert out["resourcePolicy"]["policyName"] == "route53" and out["resourcePolicy"]["policyDocument"] == POLICY
    assert out["resourcePolicy"]["lastUpdatedTime"] > 1_600_000_000_000
    [policy] = logs.describe_resource_policies()["resourcePolicies"]
    assert (policy["policyName"], policy["policyDocument"], policy["policyScope"]) == ("route53", POLICY, "ACCOUNT")
    logs.put_resource_policy(policyName="route53", policyDocument="{}")
    [policy] = logs.describe_resource_policies()["resourcePolicies"]
    assert policy["policyDocument"] == "{}"
    logs.delete_resource_policy(policyName="route53")
    assert logs.describe_resource_policies()["resourcePolicies"] == []


def test_put_resource_policy_with_invalid_json_raises_invalid_parameter(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.put_resource_policy(policyName="bad", policyDocument="{not json")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)
    assert logs.describe_resource_policies()["resourcePolicies"] == []


def test_eleventh_resource_policy_raises_limit_exceeded(logs):
    for i in range(10):
        logs.put_resource_policy(policyName=f"p{i}", policyDocument=POLICY)
    logs.put_resource_policy(policyName="p3", policyDocument="{}")  # replacing one is not an eleventh
    with pytest.raises(ClientError) as excinfo:
        logs.put_resource_policy(policyName="p10", policyDocument=POLICY)
    assert error_of(excinfo) == ("LimitExceededException", 400, "Resource limit exceeded.")
    assert len(logs.describe_resource_policies()["resourcePolicies"]) == 10


def test_delete_unknown_resource_policy_raises_resource_not_found(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.delete_resource_policy(policyName="nope")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "Policy with name [nope] does not exist.")


# -- metric filters ---------------------------------------------------------------------------------

def test_put_describe_delete_metric_filter(logs):
    logs.create_log_group(logGroupName="/app/web")
    logs.put_metric_filter(logGroupName="/app/web", filterName="errors", filterPattern='"ERROR"',
                           metricTransformations=transformation(defaultValue=0.0, unit="Count"))
    [found] = logs.describe_metric_filters(logGroupName="/app/web")["metricFilters"]
    assert found["filterName"] == "errors" and found["filterPattern"] == '"ERROR"'
    assert found["logGroupName"] == "/app/web" and found["creationTime"] > 1_600_000_000_000
    assert found["metricTransformations"] == transformation(defaultValue=0.0, unit="Count")
    assert logs.describe_log_groups()["logGroups"][0]["metricFilterCount"] == 1
    logs.put_metric_filter(logGroupName="/app/web", filterName="errors", filterPattern="{ $.level = \"ERROR\" }",
                           metricTransformations=transformation())
    [found] = logs.describe_metric_filters(logGroupName="/app/web")["metricFilters"]
    assert found["filterPattern"] == '{ $.level = "ERROR" }'
    logs.delete_metric_filter(logGroupName="/app/web", filterName="errors")
    assert logs.describe_metric_filters()["metricFilters"] == []
    assert logs.describe_log_groups()["logGroups"][0]["metricFilterCount"] == 0


def test_describe_metric_filters_filters_and_pages(logs):
    for group in ["/a", "/b"]:
        logs.create_log_group(logGroupName=group)
    logs.put_metric_filter(logGroupName="/a", filterName="err-1", filterPattern="ERROR",
                           metricTransformations=transformation("Errors", "App"))
    logs.put_metric_filter(logGroupName="/a", filterName="err-2", filterPattern="FATAL",
                           metricTransformations=transformation("Fatal", "App"))
    logs.put_metric_filter(logGroupName="/a", filterName="lat", filterPattern="{ $.latency > 0 }",
                           metricTransformations=transformation("Latency", "App", "$.latency"))
    logs.put_metric_filter(logGroupName="/b", filterName="err-1", filterPattern="ERROR",
                           metricTransformations=transformation("Errors", "App"))

    def names(out):
        return [(f["logGroupName"], f["filterName"]) for f in out["metricFilters"]]

    assert names(logs.describe_metric_filters(logGroupName="/a", filterNamePrefix="err")) == [("/a", "err-1"),
                                                                                            ("/a", "err-2")]
    assert names(logs.describe_metric_filters(metricName="Errors", metricNamespace="App")) == [("/a", "err-1"),
                                                                                             ("/b", "err-1")]
    # Sorted by filter name, then group.
    page = logs.describe_metric_filters(limit=3)
    assert names(page) == [("/a", "err-1"), ("/b", "err-1"), ("/a", "err-2")]
    rest = logs.describe_metric_filters(limit=3, nextToken=page["nextToken"])
    assert names(rest) == [("/a", "lat")] and "nextToken" not in rest


def test_metric_filters_are_deleted_with_their_group(logs):
    logs.create_log_group(logGroupName="/gone")
    logs.put_metric_filter(logGroupName="/gone", filterName="f", filterPattern="x", metricTransformations=transformation())
    logs.delete_log_group(logGroupName="/gone")
    assert logs.describe_metric_filters()["metricFilters"] == []


def test_put_metric_filter_bad_input_errors(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.put_metric_filter(logGroupName="/missing", filterName="f", filterPattern="x",
                               metricTransformations=transformation())
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")
    logs.create_log_group(logGroupName="/g")
    for bad in ["{ $.level = }", "[ip, user", "%[unclosed%", "[a > abc]"]:
        with pytest.raises(ClientError) as excinfo:
            logs.put_metric_filter(logGroupName="/g", filterName="f", filterPattern=bad,
                                   metricTransformations=transformation())
        assert error_of(excinfo)[:2] == ("InvalidParameterException", 400), bad
    assert logs.describe_metric_filters()["metricFilters"] == []
    with pytest.raises(ClientError) as excinfo:
        logs.delete_metric_filter(logGroupName="/g", filterName="nope")
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 400)


def test_hundred_and_first_metric_filter_raises_limit_exceeded(logs):
    logs.create_log_group(logGroupName="/g")
    for i in range(100):
        logs.put_metric_filter(logGroupName="/g", filterName=f"f{i:03d}", filterPattern="x",
                               metricTransformations=transformation())
    logs.put_metric_filter(logGroupName="/g", filterName="f000", filterPattern="y", metricTransformations=transformation())
    with pytest.raises(ClientError) as excinfo:
        logs.put_metric_filter(logGroupName="/g", filterName="f100", filterPattern="x",
                               metricTransformations=transformation())
    assert error_of(excinfo) == ("LimitExceededException", 400, "Resource limit exceeded.")


def test_test_metric_filter_quoted_terms(logs):
    messages = ["ERROR Out of memory in worker", "INFO all good", "WARN Out of disk", "ERROR Out of memory again"]
    out = logs.test_metric_filter(filterPattern='"Out of memory"', logEventMessages=messages)
    assert out["matches"] == [
        {"eventNumber": 0, "eventMessage": messages[0], "extractedValues": {}},
        {"eventNumber": 3, "eventMessage": messages[3], "extractedValues": {}},
    ]
    out = logs.test_metric_filter(filterPattern="?WARN ?INFO -good", logEventMessages=messages)
    assert [m["eventNumber"] for m in out["matches"]] == [2]


def test_test_metric_filter_json_pattern(logs):
    messages = [json.dumps({"level": "ERROR", "latency": 250}), json.dumps({"level": "INFO", "latency": 5}),
                "ERROR but not json", json.dumps({"level": "ERROR", "latency": 3})]
    out = logs.test_metric_filter(filterPattern='{ $.level = "ERROR" }', logEventMessages=messages)
    assert out["matches"] == [
        {"eventNumber": 0, "eventMessage": messages[0], "extractedValues": {"$.level": "ERROR"}},
        {"eventNumber": 3, "eventMessage": messages[3], "extractedValues": {"$.level": "ERROR"}},
    ]
    out = logs.test_metric_filter(filterPattern='{ $.level = "ERROR" && $.latency > 100 }', logEventMessages=messages)
    assert out["matches"] == [{"eventNumber": 0, "eventMessage": messages[0],
                               "extractedValues": {"$.level": "ERROR", "$.latency": "250"}}]


def test_test_metric_filter_space_delimited_pattern(logs):
    messages = [APACHE, APACHE_404, "too short"]
    out = logs.test_metric_filter(filterPattern="[ip, identity, user, timestamp, request, status_code, size]",
                                  logEventMessages=messages)
    assert out["matches"][0] == {"eventNumber": 0, "eventMessage": APACHE, "extractedValues": {
        "$ip": "127.0.0.1", "$identity": "-", "$user": "frank", "$timestamp": "10/Oct/2000:13:25:15 -0700",
        "$request": "GET /apache_pb.gif HTTP/1.0", "$status_code": "200", "$size": "1534"}}
    assert [m["eventNumber"] for m in out["matches"]] == [0, 1]
    out = logs.test_metric_filter(filterPattern="[ip, user, ..., status_code = 4*, size]", logEventMessages=messages)
    assert out["matches"] == [{"eventNumber": 1, "eventMessage": APACHE_404, "extractedValues": {
        "$ip": "10.0.0.7", "$user": "-", "$status_code": "404", "$size": "209"}}]
    out = logs.test_metric_filter(filterPattern="[..., size > 1000]", logEventMessages=messages)
    assert [(m["eventNumber"], m["extractedValues"]) for m in out["matches"]] == [(0, {"$size": "1534"})]


def test_test_metric_filter_bad_pattern_raises_invalid_parameter(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.test_metric_filter(filterPattern="{ $.a = ", logEventMessages=["x"])
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


# -- export tasks -----------------------------------------------------------------------------------

def stamp(ms: int) -> str:
    """The ISO 8601 UTC timestamp, with milliseconds, that starts an exported line."""
    return f"{dt.datetime.fromtimestamp(ms // 1000, dt.timezone.utc):%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def gunzipped(s3, bucket, key) -> list[str]:
    return gzip.decompress(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).decode("utf-8").splitlines()


def test_export_task_writes_gzipped_streams_to_s3(lakebox_server, logs, now_ms):
    s3 = s3_client(lakebox_server.endpoint_url)
    s3.create_bucket(Bucket="log-archive")
    logs.create_log_group(logGroupName="/app/web")
    base = now_ms - now_ms % 1000 - 60_000  # a whole second, a minute ago
    for stream in ["web-1", "web-2", "worker"]:
        logs.create_log_stream(logGroupName="/app/web", logStreamName=stream)
    put(logs, "/app/web", "web-1", [(base, "first"), (base + 1500, "second"), (base + 40_000, "after the window")])
    put(logs, "/app/web", "web-2", [(base + 7, "other stream")])
    put(logs, "/app/web", "worker", [(base + 1, "not in the prefix")])
    task_id = logs.create_export_task(taskName="nightly", logGroupName="/app/web", logStreamNamePrefix="web-",
                                      fromTime=base, to=base + 1500, destination="log-archive",
                                      destinationPrefix="exports/web")["taskId"]
    [task] = logs.describe_export_tasks(taskId=task_id)["exportTasks"]
    assert task["status"] == {"code": "COMPLETED", "message": "Completed successfully"}
    assert (task["taskName"], task["logGroupName"], task["from"], task["to"]) == ("nightly", "/app/web", base, base + 1500)
    assert task["destination"] == "log-archive" and task["destinationPrefix"] == "exports/web"
    assert task["executionInfo"]["completionTime"] >= task["executionInfo"]["creationTime"]
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="log-archive")["Contents"])
    assert keys == sorted(["aws-logs-write-test", f"exports/web/{task_id}/web-1/000000.gz",
                           f"exports/web/{task_id}/web-2/000000.gz"])
    assert gunzipped(s3, "log-archive", f"exports/web/{task_id}/web-1/000000.gz") == [
        f"{stamp(base)} first", f"{stamp(base + 1500)} second"]
    assert gunzipped(s3, "log-archive", f"exports/web/{task_id}/web-2/000000.gz") == [f"{stamp(base + 7)} other stream"]
    head = s3.head_object(Bucket="log-archive", Key=f"exports/web/{task_id}/web-1/000000.gz", ChecksumMode="ENABLED")
    assert head["ETag"] and head.get("ChecksumCRC64NVME")


def test_export_task_default_prefix_and_status_filter(lakebox_server, logs, now_ms):
    s3 = s3_client(lakebox_server.endpoint_url)
    s3.create_bucket(Bucket="archive")
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    put(logs, "g", "s", [(now_ms, "hello")])
    task_id = logs.create_export_task(logGroupName="g", fromTime=0, to=now_ms + 1, destination="archive")["taskId"]
    assert gunzipped(s3, "archive", f"exportedlogs/{task_id}/s/000000.gz")[0].endswith("Z hello")
    assert [t["taskId"] for t in logs.describe_export_tasks(statusCode="COMPLETED")["exportTasks"]] == [task_id]
    assert logs.describe_export_tasks(statusCode="RUNNING")["exportTasks"] == []


def test_export_task_bad_input_errors(lakebox_server, logs):
    s3_client(lakebox_server.endpoint_url).create_bucket(Bucket="archive")
    with pytest.raises(ClientError) as excinfo:
        logs.create_export_task(logGroupName="/missing", fromTime=0, to=1, destination="archive")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        logs.create_export_task(logGroupName="g", fromTime=0, to=1, destination="no-such-bucket")
    assert error_of(excinfo) == ("InvalidParameterException", 400,
                                  "The given bucket does not exist. Please make sure the bucket is valid.")
    with pytest.raises(ClientError) as excinfo:
        logs.create_export_task(logGroupName="g", fromTime=10, to=1, destination="archive")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)
    assert logs.describe_export_tasks()["exportTasks"] == []


def test_cancel_export_task_errors(lakebox_server, logs):
    s3_client(lakebox_server.endpoint_url).create_bucket(Bucket="archive")
    logs.create_log_group(logGroupName="g")
    task_id = logs.create_export_task(logGroupName="g", fromTime=0, to=1, destination="archive")["taskId"]
    with pytest.raises(ClientError) as excinfo:
        logs.cancel_export_task(taskId=task_id)
    assert error_of(excinfo) == ("InvalidOperationException", 400, "The specified export task has already finished")
    bucket = s3_client(lakebox_server.endpoint_url).get_object(Bucket="archive", Key="aws-logs-write-test")
    assert bucket["Body"].read() == b"Permission Check Successful"  # at the root, whatever the prefix
    with pytest.raises(ClientError) as excinfo:
        logs.cancel_export_task(taskId=str(uuid.uuid4()))
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "The specified export task does not exist.")


# -- persistence ------------------------------------------------------------------------------------

def test_definitions_policies_filters_and_exports_survive_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        logs = make_logs_client(server.endpoint_url)
        s3_client(server.endpoint_url).create_bucket(Bucket="archive")
        logs.create_log_group(logGroupName="g")
        definition_id = logs.put_query_definition(name="q", queryString="fields @message")["queryDefinitionId"]
        logs.put_resource_policy(policyName="p", policyDocument=POLICY)
        logs.put_metric_filter(logGroupName="g", filterName="f", filterPattern="[ip, ...]",
                               metricTransformations=transformation())
        task_id = logs.create_export_task(logGroupName="g", fromTime=0, to=1, destination="archive")["taskId"]
    with running_lakebox(data, set_env=False) as server:
        logs = make_logs_client(server.endpoint_url)
        assert [d["queryDefinitionId"] for d in logs.describe_query_definitions()["queryDefinitions"]] == [definition_id]
        assert [p["policyDocument"] for p in logs.describe_resource_policies()["resourcePolicies"]] == [POLICY]
        assert [f["filterPattern"] for f in logs.describe_metric_filters()["metricFilters"]] == ["[ip, ...]"]
        [task] = logs.describe_export_tasks()["exportTasks"]
        assert task["taskId"] == task_id and task["status"]["code"] == "COMPLETED"


def test_schema_2_database_is_upgraded_in_place(tmp_path):
    path = tmp_path / "logs.db"
    LogsStore(path).close()
    with sqlite3.connect(path) as db:  # make it look like a file written by schema 2
        for table in ["metric_filters", "query_definitions", "resource_policies", "export_tasks",
                      "subscription_filters", "destinations"]:
            db.execute(f"DROP TABLE {table}")
        db.execute("INSERT INTO log_groups (account, region, name, created_ms) VALUES ('1', 'r', 'kept', 5)")
        db.execute("PRAGMA user_version=2")
    store = LogsStore(path)
    try:
        assert store.read("PRAGMA user_version")[0][0] == SCHEMA_VERSION == 5
        group = store.get_group("1", "r", "kept")
        assert group.created_ms == 5 and group.metric_filter_count == 0
        assert store.read("SELECT COUNT(*) FROM export_tasks")[0][0] == 0
        assert store.read("SELECT COUNT(*) FROM destinations")[0][0] == 0
    finally:
        store.close()
