"""CloudWatch Logs subscription filters delivering to Kinesis Data Streams, through boto3.

Messages and shapes are the ones AWS answers (LocalStack's AWS-validated snapshots of
test_logs_subscription_filters.py, and the Kinesis record format of the CloudWatch Logs guide).
"""

from __future__ import annotations

import gzip
import json
import sqlite3

import boto3
import pytest
from botocore.exceptions import ClientError
from logs_helpers import make_logs_client

from lakebox.services.logs.store import SCHEMA_VERSION, LogsStore
from lakebox.testing import running_lakebox

ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/cwl-to-kinesis"
KINESIS_UNREACHABLE = ("Could not deliver test message to specified Kinesis stream. "
                       "Check if the given kinesis stream is in ACTIVE state.")
FIREHOSE_UNREACHABLE = ("Could not deliver test message to specified Firehose stream. "
                        "Check if the given Firehose stream is in ACTIVE state.")
LAMBDA_CROSS_ACCOUNT = ("Cross-account lambda invocation passing is not allowed. "
                        "You must use DestinationPolicies to create cross account lambda triggers.")
LAMBDA_UNREACHABLE = ("Could not execute the lambda function. "
                      "Make sure you have given CloudWatch Logs permission to execute your function.")
CONTROL = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
           "subscriptionFilters": []}


def kinesis_client(endpoint_url: str):
    return boto3.client("kinesis", endpoint_url=endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


@pytest.fixture
def kinesis(lakebox_server):
    return kinesis_client(lakebox_server.endpoint_url)


def error_of(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def make_stream(kinesis, name="dest", shards=1) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    return kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamARN"]


def records_of(kinesis, name="dest") -> list[dict]:
    """Every record of every shard, in shard then sequence order, with its data unzipped and parsed."""
    out = []
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for record in kinesis.get_records(ShardIterator=iterator)["Records"]:
            out.append({"key": record["PartitionKey"], "data": json.loads(gzip.decompress(record["Data"]))})
    return out


def data_records(kinesis, name="dest") -> list[dict]:
    return [r for r in records_of(kinesis, name) if r["data"]["messageType"] == "DATA_MESSAGE"]


def put(logs, events, group="app", stream="web-1"):
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": ts, "message": m} for ts, m in events])


def make_group(logs, group="app", stream="web-1"):
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)


def subscribe(logs, arn, name="errors", pattern="ERROR", group="app", **extra):
    logs.put_subscription_filter(logGroupName=group, filterName=name, filterPattern=pattern,
                                 destinationArn=arn, roleArn=ROLE, **extra)


# -- delivery ---------------------------------------------------------------------------------------

def test_matching_events_are_delivered_as_one_gzipped_data_message(logs, kinesis, now_ms):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn)
    put(logs, [(now_ms - 3, "ERROR disk full"), (now_ms - 2, "INFO all good"), (now_ms - 1, "ERROR again")])
    control, data = records_of(kinesis)
    assert control["data"]["logEvents"][0]["message"] == \
        "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."
    assert control["data"]["logEvents"][0]["id"] == ""
    assert {k: v for k, v in control["data"].items() if k != "logEvents"} == CONTROL
    ids = [e["eventId"] for e in logs.filter_log_events(logGroupName="app", filterPattern="ERROR")["events"]]
    assert data["data"] == {
        "messageType": "DATA_MESSAGE", "owner": ACCOUNT, "logGroup": "app", "logStream": "web-1",
        "subscriptionFilters": ["errors"],
        "logEvents": [{"id": ids[0], "timestamp": now_ms - 3, "message": "ERROR disk full"},
                      {"id": ids[1], "timestamp": now_ms - 1, "message": "ERROR again"}]}
    assert all(len(i) == 56 and i.isdigit() for i in ids)


def test_batch_without_matches_sends_no_record_and_each_batch_sends_its_own(logs, kinesis, now_ms):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn)
    put(logs, [(now_ms, "INFO quiet")])
    assert data_records(kinesis) == []
    put(logs, [(now_ms, "ERROR one")])
    put(logs, [(now_ms, "ERROR two")])
    assert [[e["message"] for e in r["data"]["logEvents"]] for r in data_records(kinesis)] == \
        [["ERROR one"], ["ERROR two"]]


def test_empty_pattern_delivers_every_event(logs, kinesis, now_ms):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn, pattern="")
    put(logs, [(now_ms, "test"), (now_ms, "test 2")])
    [record] = data_records(kinesis)
    assert [e["message"] for e in record["data"]["logEvents"]] == ["test", "test 2"]


def test_two_filters_each_get_a_record_naming_themselves(logs, kinesis, now_ms):
    arn = make_stream(kinesis)
    other = make_stream(kinesis, "audit")
    make_group(logs)
    subscribe(logs, arn, name="errors", pattern="ERROR")
    subscribe(logs, other, name="everything", pattern="")
    put(logs, [(now_ms, "ERROR x"), (now_ms, "INFO y")])
    [errors] = data_records(kinesis)
    [everything] = data_records(kinesis, "audit")
    assert errors["data"]["subscriptionFilters"] == ["errors"]
    assert [e["message"] for e in errors["data"]["logEvents"]] == ["ERROR x"]
    assert everything["data"]["subscriptionFilters"] == ["everything"]
    assert [e["message"] for e in everything["data"]["logEvents"]] == ["ERROR x", "INFO y"]


def test_json_pattern_filters_structured_events(logs, kinesis, now_ms):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn, pattern='{ $.level = "error" }')
    put(logs, [(now_ms, '{"level": "error", "n": 1}'), (now_ms, '{"level": "info", "n": 2}'), (now_ms, "plain")])
    [record] = data_records(kinesis)
    assert [e["message"] for e in record["data"]["logEvents"]] == ['{"level": "error", "n": 1}']


def test_by_log_stream_keeps_one_partition_key_per_stream_and_random_varies(logs, kinesis, now_ms):
    arn = make_stream(kinesis, shards=4)
    make_group(logs)
    logs.create_log_stream(logGroupName="app", logStreamName="web-2")
    subscribe(logs, arn, pattern="")
    for stream in ("web-1", "web-2", "web-1", "web-2"):
        put(logs, [(now_ms, f"from {stream}")], stream=stream)
    keys = {}
    for record in data_records(kinesis):
        keys.setdefault(record["data"]["logStream"], set()).add(record["key"])
    assert {s: len(k) for s, k in keys.items()} == {"web-1": 1, "web-2": 1}
    assert keys["web-1"] != keys["web-2"]

    subscribe(logs, arn, pattern="", distribution="Random")
    for _ in range(3):
        put(logs, [(now_ms, "scattered")])
    random_keys = {r["key"] for r in data_records(kinesis) if r["data"]["logEvents"][0]["message"] == "scattered"}
    assert len(random_keys) == 3


def test_services_writing_logs_deliver_too(lakebox_server, logs, kinesis, now_ms):
    arn = make_stream(kinesis)
    logs.create_log_group(logGroupName="/aws-glue/crawlers")
    subscribe(logs, arn, group="/aws-glue/crawlers", pattern="")
    lakebox_server.app.providers["logs"].write_events(ACCOUNT, "us-east-1", "/aws-glue/crawlers", "orders",
                                                      [(now_ms, "Crawl started")])
    [record] = data_records(kinesis)
    assert record["data"]["logStream"] == "orders"
    assert [e["message"] for e in record["data"]["logEvents"]] == ["Crawl started"]


def test_deleted_stream_does_not_fail_put_log_events(logs, kinesis, now_ms):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn)
    kinesis.delete_stream(StreamName="dest")
    put(logs, [(now_ms, "ERROR nobody listens")])
    assert [e["message"] for e in logs.get_log_events(logGroupName="app", logStreamName="web-1")["events"]] == \
        ["ERROR nobody listens"]


def test_deleted_filter_stops_delivery(logs, kinesis, now_ms):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn)
    logs.delete_subscription_filter(logGroupName="app", filterName="errors")
    put(logs, [(now_ms, "ERROR after delete")])
    assert data_records(kinesis) == []


def test_filters_survive_restart_and_keep_delivering(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        logs, kinesis = make_logs_client(server.endpoint_url), kinesis_client(server.endpoint_url)
        now = server.config.clock.now_ns() // 1_000_000
        arn = make_stream(kinesis)
        make_group(logs)
        subscribe(logs, arn)
        put(logs, [(now, "ERROR before restart")])
    with running_lakebox(data, set_env=False) as server:
        logs, kinesis = make_logs_client(server.endpoint_url), kinesis_client(server.endpoint_url)
        now = server.config.clock.now_ns() // 1_000_000
        [described] = logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"]
        assert (described["filterName"], described["destinationArn"]) == ("errors", arn)
        put(logs, [(now, "ERROR after restart"), (now, "INFO no")])
        assert [[e["message"] for e in r["data"]["logEvents"]] for r in data_records(kinesis)] == \
            [["ERROR before restart"], ["ERROR after restart"]]


# -- the API ----------------------------------------------------------------------------------------

def test_describe_shows_filter_with_aws_defaults(logs, kinesis):
    arn = make_stream(kinesis)
    make_group(logs)
    assert logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"] == []
    subscribe(logs, arn, pattern="[level, ...]")
    [described] = logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"]
    assert isinstance(described.pop("creationTime"), int)
    assert described == {"filterName": "errors", "logGroupName": "app", "filterPattern": "[level, ...]",
                         "destinationArn": arn, "roleArn": ROLE, "distribution": "ByLogStream",
                         "applyOnTransformedLogs": False}


def test_put_with_same_name_replaces_and_third_filter_exceeds_limit(logs, kinesis):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn, name="a", pattern="ERROR")
    subscribe(logs, arn, name="b", pattern="")
    subscribe(logs, arn, name="a", pattern="WARN", distribution="Random")
    with pytest.raises(ClientError) as excinfo:
        subscribe(logs, arn, name="c")
    assert error_of(excinfo) == ("LimitExceededException", "Resource limit exceeded.")
    described = logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"]
    assert [(f["filterName"], f["filterPattern"], f["distribution"]) for f in described] == \
        [("a", "WARN", "Random"), ("b", "", "ByLogStream")]


def test_describe_pages_and_filters_by_prefix(logs, kinesis):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn, name="alpha")
    subscribe(logs, arn, name="beta")
    page = logs.describe_subscription_filters(logGroupName="app", limit=1)
    assert [f["filterName"] for f in page["subscriptionFilters"]] == ["alpha"]
    rest = logs.describe_subscription_filters(logGroupName="app", limit=1, nextToken=page["nextToken"])
    assert [f["filterName"] for f in rest["subscriptionFilters"]] == ["beta"] and "nextToken" not in rest
    by_prefix = logs.describe_subscription_filters(logGroupName="app", filterNamePrefix="be")
    assert [f["filterName"] for f in by_prefix["subscriptionFilters"]] == ["beta"]


def test_delete_and_missing_filter_or_group_errors(logs, kinesis):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn)
    logs.delete_subscription_filter(logGroupName="app", filterName="errors")
    assert logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"] == []
    with pytest.raises(ClientError) as excinfo:
        logs.delete_subscription_filter(logGroupName="app", filterName="errors")
    assert error_of(excinfo) == ("ResourceNotFoundException", "The specified subscription filter does not exist.")
    for call in (lambda: logs.delete_subscription_filter(logGroupName="nope", filterName="errors"),
                 lambda: logs.describe_subscription_filters(logGroupName="nope"),
                 lambda: subscribe(logs, arn, group="nope")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("ResourceNotFoundException", "The specified log group does not exist.")


def test_filters_are_deleted_with_their_group(logs, kinesis):
    arn = make_stream(kinesis)
    make_group(logs)
    subscribe(logs, arn)
    logs.delete_log_group(logGroupName="app")
    logs.create_log_group(logGroupName="app")
    assert logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"] == []


def test_bad_pattern_is_invalid_parameter(logs, kinesis):
    arn = make_stream(kinesis)
    make_group(logs)
    with pytest.raises(ClientError) as excinfo:
        subscribe(logs, arn, pattern='{ $.level = "error" ')
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"] == []


def test_destinations_lakebox_cannot_reach_are_refused_as_aws_refuses_them(logs, kinesis):
    make_group(logs)
    cases = [
        (f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/missing", ROLE, ("InvalidParameterException", KINESIS_UNREACHABLE)),
        ("arn:aws:kinesis:us-east-1:123456789012:stream/unknown-stream", None,
         ("InvalidParameterException", "destinationArn for vendor kinesis cannot be used without roleArn")),
        (f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/f", ROLE,
         ("InvalidParameterException", FIREHOSE_UNREACHABLE)),
        ("arn:aws:lambda:us-east-1:123456789012:function:test", None,
         ("AccessDeniedException", LAMBDA_CROSS_ACCOUNT)),
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:test", None,
         ("InvalidParameterException", LAMBDA_UNREACHABLE)),
    ]
    for arn, role, expected in cases:
        extra = {"roleArn": role} if role else {}
        with pytest.raises(ClientError) as excinfo:
            logs.put_subscription_filter(logGroupName="app", filterName="f", filterPattern="",
                                         destinationArn=arn, **extra)
        assert error_of(excinfo) == expected, arn
    # AWS checks a Lambda destination's account before the log group.
    with pytest.raises(ClientError) as excinfo:
        logs.put_subscription_filter(logGroupName="nope", filterName="f", filterPattern="",
                                     destinationArn="arn:aws:lambda:us-east-1:123456789012:function:test")
    assert error_of(excinfo)[0] == "AccessDeniedException"
    assert logs.describe_subscription_filters(logGroupName="app")["subscriptionFilters"] == []


# -- storage ----------------------------------------------------------------------------------------

def test_schema_3_database_is_upgraded_in_place(tmp_path):
    path = tmp_path / "logs.db"
    LogsStore(path).close()
    with sqlite3.connect(path) as db:  # make it look like a file written by schema 3
        db.execute("DROP TABLE subscription_filters")
        db.execute("DROP TABLE destinations")
        db.execute("INSERT INTO log_groups (account, region, name, created_ms) VALUES ('1', 'r', 'kept', 5)")
        db.execute("PRAGMA user_version=3")
    store = LogsStore(path)
    try:
        assert store.read("PRAGMA user_version")[0][0] == SCHEMA_VERSION == 5
        group = store.get_group("1", "r", "kept")
        assert store.subscription_filters(group) == []
        store.put_subscription_filter(group, "f", pattern="", destination_arn="arn", role_arn=None,
                                      distribution="ByLogStream", created_ms=1, options={}, max_filters=2)
        assert [f.name for f in store.subscription_filters(group)] == ["f"]
    finally:
        store.close()


def test_batch_too_big_for_one_record_is_split_in_order():
    from lakebox.services.logs.subscription_delivery import _chunks

    events = [(i, 1000 + i, f"event {i} " + "x" * 200 + str(i * 7919 % 104729)) for i in range(1, 41)]
    chunks = _chunks(ACCOUNT, "g", "s", "f", events, limit=600)
    assert len(chunks) > 1 and all(len(c) + 32 <= 600 for c in chunks)
    sent = [e for c in chunks for e in json.loads(gzip.decompress(c))["logEvents"]]
    assert [(int(e["id"]), e["timestamp"], e["message"]) for e in sent] == events
