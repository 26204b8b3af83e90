"""GetLogGroupFields: the fields Logs Insights discovers in a group's recent events, with the share of
events that have each."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def group(logs, now_ms):
    logs.create_log_group(logGroupName="app")
    logs.create_log_stream(logGroupName="app", logStreamName="web")
    logs.put_log_events(logGroupName="app", logStreamName="web", logEvents=[
        {"timestamp": now_ms - 60_000, "message": json.dumps({"level": "INFO", "user": {"id": 1}})},
        {"timestamp": now_ms - 50_000, "message": json.dumps({"level": "ERROR", "error": None})},
        {"timestamp": now_ms - 40_000, "message": "not json"},
        {"timestamp": now_ms - 30_000, "message": json.dumps({"level": "INFO", "tags": ["a", "b"]})}])
    return "app"


def test_fields_and_their_share_most_frequent_first(logs, group):
    fields = logs.get_log_group_fields(logGroupName=group)["logGroupFields"]
    assert fields == [
        {"name": "@ingestionTime", "percent": 100}, {"name": "@log", "percent": 100},
        {"name": "@logStream", "percent": 100}, {"name": "@message", "percent": 100},
        {"name": "@timestamp", "percent": 100}, {"name": "level", "percent": 75},
        {"name": "tags.0", "percent": 25}, {"name": "tags.1", "percent": 25}, {"name": "user.id", "percent": 25}]


def test_time_centres_a_sixteen_minute_window(logs, group, now_ms):
    an_hour_ago = (now_ms - 3_600_000) // 1000
    assert logs.get_log_group_fields(logGroupName=group, time=an_hour_ago)["logGroupFields"] == []
    around = logs.get_log_group_fields(logGroupIdentifier=group, time=now_ms // 1000)["logGroupFields"]
    assert {"name": "level", "percent": 75} in around


def test_a_missing_group(logs):
    with pytest.raises(ClientError) as info:
        logs.get_log_group_fields(logGroupName="missing")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
