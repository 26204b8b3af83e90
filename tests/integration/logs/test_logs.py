"""CloudWatch Logs through boto3 and the AWS CLI against a running lakebox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from logs_helpers import make_logs_client

from lakebox.testing import running_lakebox

HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS


def error_of(excinfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def put(logs, group, stream, events):
    return logs.put_log_events(logGroupName=group, logStreamName=stream,
                               logEvents=[{"timestamp": ts, "message": m} for ts, m in events])


def make_stream(logs, group="/app/web", stream="s1"):
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    return group, stream


# -- groups -----------------------------------------------------------------------------------------

def test_create_describe_delete_log_group(logs):
    logs.create_log_group(logGroupName="/aws-glue/crawlers", tags={"team": "data"})
    [group] = logs.describe_log_groups()["logGroups"]
    assert group["logGroupName"] == "/aws-glue/crawlers"
    assert group["arn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/aws-glue/crawlers:*"
    assert group["storedBytes"] == 0 and group["creationTime"] > 0 and "retentionInDays" not in group
    logs.delete_log_group(logGroupName="/aws-glue/crawlers")
    assert logs.describe_log_groups()["logGroups"] == []


def test_create_log_group_twice_raises_resource_already_exists(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName="g")
    assert error_of(excinfo) == ("ResourceAlreadyExistsException", 400, "The specified log group already exists")


def test_delete_missing_log_group_raises_resource_not_found(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_group(logGroupName="nope")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")


def test_create_log_group_with_bad_name_raises_invalid_parameter(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName="bad name!")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_describe_log_groups_prefix_pattern_and_pagination(logs):
    names = [f"/app/{i:02d}" for i in range(7)] + ["/other/x", "/APP-upper"]
    for name in names:
        logs.create_log_group(logGroupName=name)
    prefixed = logs.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]
    assert [g["logGroupName"] for g in prefixed] == names[:7]
    matched = logs.describe_log_groups(logGroupNamePattern="app")["logGroups"]
    assert {g["logGroupName"] for g in matched} == set(names[:7])  # case-sensitive, as on AWS
    seen, token = [], None
    while True:
        page = logs.describe_log_groups(limit=2, **({"nextToken": token} if token else {}))
        assert len(page["logGroups"]) <= 2
        seen += [g["logGroupName"] for g in page["logGroups"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == sorted(names)
    paginated = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 3})
    assert [g["logGroupName"] for page in paginated for g in page["logGroups"]] == sorted(names)


def test_describe_log_groups_limit_over_50_raises_invalid_parameter(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_groups(limit=51)
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_describe_log_groups_prefix_and_pattern_together_raise_invalid_parameter(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_groups(logGroupNamePrefix="a", logGroupNamePattern="b")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_retention_policy_put_and_delete(logs):
    logs.create_log_group(logGroupName="g")
    logs.put_retention_policy(logGroupName="g", retentionInDays=30)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 30
    logs.delete_retention_policy(logGroupName="g")
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]


def test_retention_policy_with_unlisted_value_raises_invalid_parameter(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        logs.put_retention_policy(logGroupName="g", retentionInDays=2)
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_retention_policy_on_missing_group_raises_resource_not_found(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.put_retention_policy(logGroupName="nope", retentionInDays=7)
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 400)


def test_tags_by_arn_and_legacy_operations(logs):
    logs.create_log_group(logGroupName="g", tags={"a": "1"})
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    logs.tag_log_group(logGroupName="g", tags={"c": "3"})
    assert logs.list_tags_log_group(logGroupName="g")["tags"] == {"b": "2", "c": "3"}


# -- streams ----------------------------------------------------------------------------------------

def test_create_describe_delete_log_streams_with_prefix_and_pagination(logs):
    logs.create_log_group(logGroupName="g")
    names = [f"2024/01/{i:02d}" for i in range(5)] + ["other"]
    for name in names:
        logs.create_log_stream(logGroupName="g", logStreamName=name)
    got = logs.describe_log_streams(logGroupName="g", logStreamNamePrefix="2024/")["logStreams"]
    assert [s["logStreamName"] for s in got] == names[:5]
    assert got[0]["arn"] == "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:2024/01/00"
    seen, token = [], None
    while True:
        page = logs.describe_log_streams(logGroupName="g", limit=2, descending=True,
                                         **({"nextToken": token} if token else {}))
        seen += [s["logStreamName"] for s in page["logStreams"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == sorted(names, reverse=True)
    logs.delete_log_stream(logGroupName="g", logStreamName="other")
    assert len(logs.describe_log_streams(logGroupName="g")["logStreams"]) == 5


def test_describe_log_streams_ordered_by_last_event_time(logs, now_ms):
    logs.create_log_group(logGroupName="g")
    for name, offset in [("a", 3), ("b", 1), ("c", 2)]:
        logs.create_log_stream(logGroupName="g", logStreamName=name)
        put(logs, "g", name, [(now_ms - offset * 1000, name)])
    got = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", descending=True)["logStreams"]
    assert [s["logStreamName"] for s in got] == ["b", "c", "a"]
    assert got[0]["firstEventTimestamp"] == got[0]["lastEventTimestamp"] == now_ms - 1000
    assert got[0]["lastIngestionTime"] >= now_ms
    paginated = logs.get_paginator("describe_log_streams").paginate(
        logGroupName="g", orderBy="LastEventTime", PaginationConfig={"PageSize": 1})
    assert [s["logStreamName"] for page in paginated for s in page["logStreams"]] == ["a", "c", "b"]


def test_describe_log_streams_last_event_time_with_prefix_raises_invalid_parameter(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", logStreamNamePrefix="a")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


@pytest.mark.parametrize("order", ["", "sth", "LogStreamname"])
def test_describe_log_streams_refuses_an_unknown_order(logs, order):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName="g", orderBy=order)
    assert error_of(excinfo) == ("InvalidParameterException", 400, (
        f"1 validation error detected: Value '{order}' at 'orderBy' failed to satisfy constraint: "
        "Member must satisfy enum value set: [LogStreamName, LastEventTime]"))


def test_create_log_stream_in_missing_group_raises_resource_not_found(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName="nope", logStreamName="s")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")


def test_create_log_stream_twice_raises_resource_already_exists(logs):
    make_stream(logs, "g", "s")
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName="g", logStreamName="s")
    assert error_of(excinfo)[:2] == ("ResourceAlreadyExistsException", 400)


# -- put / get events -------------------------------------------------------------------------------

def test_put_log_events_to_missing_stream_raises_resource_not_found(logs, now_ms):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        put(logs, "g", "nope", [(now_ms, "x")])
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "The specified log stream does not exist.")


def test_put_log_events_out_of_order_raises_invalid_parameter(logs, now_ms):
    make_stream(logs, "g", "s")
    with pytest.raises(ClientError) as excinfo:
        put(logs, "g", "s", [(now_ms, "b"), (now_ms - 1, "a")])
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)
    assert logs.get_log_events(logGroupName="g", logStreamName="s")["events"] == []


def test_put_log_events_spanning_more_than_24h_raises_invalid_parameter(logs, now_ms):
    make_stream(logs, "g", "s")
    with pytest.raises(ClientError) as excinfo:
        put(logs, "g", "s", [(now_ms - DAY_MS - 1, "a"), (now_ms, "b")])
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_put_log_events_over_one_mebibyte_raises_invalid_parameter(logs, now_ms):
    make_stream(logs, "g", "s")
    message = "x" * (1_048_576 // 2)
    with pytest.raises(ClientError) as excinfo:
        put(logs, "g", "s", [(now_ms, message), (now_ms, message)])
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_put_log_events_reports_too_old_and_too_new_events(logs, now_ms):
    make_stream(logs, "g", "s")
    events = [(now_ms - 14 * DAY_MS - 2 * HOUR_MS, "old"), (now_ms - 14 * DAY_MS - HOUR_MS, "old2"),
              (now_ms - 14 * DAY_MS + HOUR_MS, "kept")]
    result = put(logs, "g", "s", events)
    assert result["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2}  # exclusive, as on AWS
    result = put(logs, "g", "s", [(now_ms, "now"), (now_ms + 3 * HOUR_MS, "future")])
    assert result["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    got = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in got] == ["kept", "now"]


def test_put_log_events_reports_expired_events_and_follows_the_service_clock(lakebox_server, logs, now_ms):
    make_stream(logs, "g", "s")
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    minute = 60 * 1000
    result = put(logs, "g", "s", [(now_ms - DAY_MS - 10 * minute, "expired"), (now_ms - 20 * minute, "fresh")])
    assert result["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    # A day later the "fresh" event has outlived the retention too, and is no longer read.
    lakebox_server.advance_clock("1d")
    assert logs.get_log_events(logGroupName="g", logStreamName="s")["events"] == []
    # Three hours ahead of the old clock is now within the 2 h future limit.
    assert "rejectedLogEventsInfo" not in put(logs, "g", "s", [(now_ms + 3 * HOUR_MS, "later")])


def test_put_log_events_ignores_sequence_tokens_and_returns_the_next(logs, now_ms):
    make_stream(logs, "g", "s")
    first = put(logs, "g", "s", [(now_ms, "a")])["nextSequenceToken"]
    second = logs.put_log_events(logGroupName="g", logStreamName="s", sequenceToken="bogus",
                                 logEvents=[{"timestamp": now_ms, "message": "b"}])["nextSequenceToken"]
    assert first != second
    assert logs.describe_log_streams(logGroupName="g")["logStreams"][0]["uploadSequenceToken"] == second


def test_get_log_events_forward_paging_until_the_token_repeats(logs, now_ms):
    make_stream(logs, "g", "s")
    put(logs, "g", "s", [(now_ms - 100 + i // 2, f"m{i}") for i in range(25)])
    seen, token = [], None
    for _ in range(20):
        kwargs = {"nextToken": token} if token else {}
        page = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True, limit=10, **kwargs)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == [f"m{i}" for i in range(25)]
    # New events show up behind the last forward token.
    put(logs, "g", "s", [(now_ms, "late")])
    page = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=token, startFromHead=True)
    assert [e["message"] for e in page["events"]] == ["late"]


def test_get_log_events_defaults_to_the_newest_and_pages_backward(logs, now_ms):
    make_stream(logs, "g", "s")
    put(logs, "g", "s", [(now_ms - 100 + i, f"m{i}") for i in range(7)])
    page = logs.get_log_events(logGroupName="g", logStreamName="s", limit=3)
    assert [e["message"] for e in page["events"]] == ["m4", "m5", "m6"]
    seen, token = [], page["nextBackwardToken"]
    while True:
        page = logs.get_log_events(logGroupName="g", logStreamName="s", limit=3, nextToken=token)
        seen = [e["message"] for e in page["events"]] + seen
        if page["nextBackwardToken"] == token:
            break
        token = page["nextBackwardToken"]
    assert seen == ["m0", "m1", "m2", "m3"]


def test_get_log_events_time_window(logs, now_ms):
    make_stream(logs, "g", "s")
    put(logs, "g", "s", [(now_ms - 10 + i, f"m{i}") for i in range(10)])
    page = logs.get_log_events(logGroupName="g", logStreamName="s", startTime=now_ms - 8, endTime=now_ms - 5,
                               startFromHead=True)
    assert [e["message"] for e in page["events"]] == ["m2", "m3", "m4"]


def test_get_log_events_with_bad_token_raises_invalid_parameter(logs):
    make_stream(logs, "g", "s")
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName="g", logStreamName="s", nextToken="garbage")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_get_log_events_missing_stream_raises_resource_not_found(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName="g", logStreamName="nope")
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "The specified log stream does not exist.")


# -- filter -----------------------------------------------------------------------------------------

MESSAGES = [
    "INFO service started",
    "ERROR Out of memory in worker",
    "WARN disk almost full",
    "ERROR timeout calling db",
    json.dumps({"level": "ERROR", "latency": 250, "user": {"id": 7}}),
    json.dumps({"level": "INFO", "latency": 20, "user": {"id": 8}}),
]


@pytest.fixture
def filled(logs, now_ms):
    logs.create_log_group(logGroupName="g")
    for stream in ("app-1", "app-2", "batch"):
        logs.create_log_stream(logGroupName="g", logStreamName=stream)
    for i, message in enumerate(MESSAGES):
        put(logs, "g", ["app-1", "app-2", "batch"][i % 3], [(now_ms - 100 + i, message)])
    return "g"


@pytest.mark.parametrize("pattern, expected", [
    ("", list(range(6))),
    ("ERROR", [1, 3, 4]),
    ("ERROR memory", [1]),
    ('"Out of memory"', [1]),
    ("?WARN ?timeout", [2, 3]),
    ("ERROR -timeout", [1, 4]),
    ("%ERR[O]R +Out%", [1]),
    ('{ $.level = "ERROR" }', [4]),
    ("{ $.latency > 100 }", [4]),
    ("{ $.user.id = 8 || $.latency >= 250 }", [4, 5]),
    ('{ ($.level = "INF*") && $.latency < 100 }', [5]),
    ("{ $.missing NOT EXISTS }", [4, 5]),
])
def test_filter_log_events_patterns(logs, filled, pattern, expected):
    events = logs.filter_log_events(logGroupName=filled, filterPattern=pattern)["events"]
    assert [e["message"] for e in events] == [MESSAGES[i] for i in expected]


def test_filter_log_events_interleaves_streams_in_time_order_with_stream_names(logs, filled):
    events = logs.filter_log_events(logGroupName=filled, logStreamNamePrefix="app")["events"]
    assert [e["logStreamName"] for e in events] == ["app-1", "app-2", "app-1", "app-2"]
    events = logs.filter_log_events(logGroupName=filled, logStreamNames=["batch"])["events"]
    assert [e["message"] for e in events] == [MESSAGES[2], MESSAGES[5]]


def test_filter_log_events_paginates_with_next_token(logs, filled):
    paginated = logs.get_paginator("filter_log_events").paginate(logGroupName=filled,
                                                                  PaginationConfig={"PageSize": 2})
    pages = list(paginated)
    assert [e["message"] for page in pages for e in page["events"]] == MESSAGES
    assert len(pages) == 3
    assert all(page["searchedLogStreams"] == [] for page in pages)  # deprecated: AWS answers []


def test_filter_log_events_time_window(logs, filled, now_ms):
    events = logs.filter_log_events(logGroupName=filled, startTime=now_ms - 99, endTime=now_ms - 97)["events"]
    assert [e["message"] for e in events] == MESSAGES[1:4]


def test_filter_log_events_names_and_prefix_together_raise_invalid_parameter(logs, filled):
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName=filled, logStreamNames=["batch"], logStreamNamePrefix="a")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_filter_log_events_bad_pattern_raises_invalid_parameter(logs, filled):
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName=filled, filterPattern="{ $.a = }")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


# -- lakebox's own writers, persistence, the CLI ----------------------------------------------------

def test_write_events_helper_creates_group_and_stream(lakebox_server, logs, now_ms):
    lakebox_server.app.providers["logs"].write_events("000000000000", "us-east-1", "/aws-glue/crawlers", "orders",
                          [(now_ms + 1, "second"), (now_ms, "first")])
    page = logs.get_log_events(logGroupName="/aws-glue/crawlers", logStreamName="orders", startFromHead=True)
    assert [e["message"] for e in page["events"]] == ["first", "second"]


def test_log_state_persists_across_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        logs = make_logs_client(server.endpoint_url)
        now = server.config.clock.now_ns() // 1_000_000
        make_stream(logs, "g", "s")
        logs.put_retention_policy(logGroupName="g", retentionInDays=7)
        put(logs, "g", "s", [(now, "survives")])
    with running_lakebox(data, set_env=False) as server:
        logs = make_logs_client(server.endpoint_url)
        [group] = logs.describe_log_groups()["logGroups"]
        assert group["retentionInDays"] == 7 and group["storedBytes"] == len("survives")
        page = logs.get_log_events(logGroupName="g", logStreamName="s")
        assert [e["message"] for e in page["events"]] == ["survives"]


def test_aws_cli_v1_reads_what_boto3_wrote(lakebox_server, logs, now_ms):
    make_stream(logs, "/app/cli", "s")
    put(logs, "/app/cli", "s", [(now_ms, "hello from boto3"), (now_ms + 1, "second line")])
    aws = Path(sys.executable).with_name("aws")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("AWS_ENDPOINT_URL", None)
    base = [str(aws), "--endpoint-url", lakebox_server.endpoint_url, "--output", "json", "logs"]
    out = subprocess.run([*base, "get-log-events", "--log-group-name", "/app/cli", "--log-stream-name", "s",
                          "--start-from-head"], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert [e["message"] for e in json.loads(out.stdout)["events"]] == ["hello from boto3", "second line"]
    out = subprocess.run([*base, "filter-log-events", "--log-group-name", "/app/cli", "--filter-pattern", "second"],
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    assert [e["message"] for e in json.loads(out.stdout)["events"]] == ["second line"]
    out = subprocess.run([*base, "describe-log-groups"], env=env, capture_output=True, text=True, timeout=120,
                         check=True)
    assert [g["logGroupName"] for g in json.loads(out.stdout)["logGroups"]] == ["/app/cli"]
