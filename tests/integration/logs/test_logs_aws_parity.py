"""CloudWatch Logs answers checked against responses recorded from real AWS.

Each test pins a field, code or message that AWS was seen to return (error wording, which members a
response carries, index conventions), so that a boto3 user sees the same thing here.
"""

from __future__ import annotations

import sqlite3

import boto3
import pytest
from botocore.exceptions import ClientError

from lakebox.testing import running_lakebox

DAY_MS = 24 * 3600 * 1000
ACCOUNT = "000000000000"


def error_of(excinfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def group_arn(name: str) -> str:
    return f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"


# -- groups -----------------------------------------------------------------------------------------

def test_describe_log_groups_by_prefix_returns_aws_members(logs):
    logs.create_log_group(logGroupName="test-prefix-1")
    [group] = logs.describe_log_groups(logGroupNamePrefix="test-prefix")["logGroups"]
    del group["creationTime"]
    assert group == {"logGroupName": "test-prefix-1", "arn": group_arn("test-prefix-1") + ":*",
                     "logGroupArn": group_arn("test-prefix-1"), "logGroupClass": "STANDARD",
                     "metricFilterCount": 0, "storedBytes": 0, "deletionProtectionEnabled": False}


def test_describe_log_groups_by_pattern_omits_stored_bytes_and_deletion_protection(logs):
    logs.create_log_group(logGroupName="test-pattern-abc")
    [group] = logs.describe_log_groups(logGroupNamePattern="abc")["logGroups"]
    assert set(group) == {"logGroupName", "creationTime", "arn", "logGroupArn", "logGroupClass",
                          "metricFilterCount"}


def test_describe_log_groups_pattern_is_case_sensitive(logs):
    for name in ("DataLogs", "aws/DataLogs", "datalogs", "Groupdata"):
        logs.create_log_group(logGroupName=name)
    found = logs.describe_log_groups(logGroupNamePattern="DataLogs")["logGroups"]
    assert [g["logGroupName"] for g in found] == ["DataLogs", "aws/DataLogs"]


def test_describe_log_groups_prefix_and_pattern_raise_aws_message(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_groups(logGroupNamePrefix="abc", logGroupNamePattern="abc")
    assert error_of(excinfo) == ("InvalidParameterException", 400,
                                 "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")


def test_describe_log_groups_filters_by_class_and_identifiers_before_paging(logs):
    for name in ("a-std", "b-std", "c-std"):
        logs.create_log_group(logGroupName=name)
    logs.create_log_group(logGroupName="d-ia", logGroupClass="INFREQUENT_ACCESS")
    by_class = logs.describe_log_groups(logGroupClass="INFREQUENT_ACCESS")["logGroups"]
    assert [g["logGroupName"] for g in by_class] == ["d-ia"]
    page = logs.describe_log_groups(logGroupIdentifiers=["c-std", group_arn("d-ia")], limit=1)
    assert [g["logGroupName"] for g in page["logGroups"]] == ["c-std"]
    rest = logs.describe_log_groups(logGroupIdentifiers=["c-std", group_arn("d-ia")], limit=1,
                                    nextToken=page["nextToken"])
    assert [g["logGroupName"] for g in rest["logGroups"]] == ["d-ia"] and "nextToken" not in rest


def test_list_log_groups_returns_summaries_and_matches_patterns(logs):
    for name in ("/aws/lambda/f1", "/other/discovery", "/other/plain", "Discovery-upper"):
        logs.create_log_group(logGroupName=name)
    assert logs.list_log_groups(logGroupNamePattern="no-such-group")["logGroups"] == []
    [summary] = logs.list_log_groups(logGroupNamePattern="^/aws/lambda")["logGroups"]
    assert summary == {"logGroupName": "/aws/lambda/f1", "logGroupArn": group_arn("/aws/lambda/f1"),
                       "logGroupClass": "STANDARD"}
    either = logs.list_log_groups(logGroupNamePattern="^/aws/lambda|discovery")["logGroups"]
    assert [g["logGroupName"] for g in either] == ["/aws/lambda/f1", "/other/discovery"]


def test_list_log_groups_pages_and_filters_by_class_and_tags(logs):
    for i in range(5):
        logs.create_log_group(logGroupName=f"g{i}", tags={"env": "prod" if i % 2 else "dev"})
    logs.create_log_group(logGroupName="ia", logGroupClass="INFREQUENT_ACCESS")
    names, token = [], None
    while True:
        page = logs.list_log_groups(limit=2, **({"nextToken": token} if token else {}))
        names += [g["logGroupName"] for g in page["logGroups"]]
        token = page.get("nextToken")
        if not token:
            break
    assert names == ["g0", "g1", "g2", "g3", "g4", "ia"]
    assert [g["logGroupName"] for g in logs.list_log_groups(logGroupClass="INFREQUENT_ACCESS")["logGroups"]] == ["ia"]
    tagged = logs.list_log_groups(logGroupTags=[{"key": "env", "values": ["prod"]}])["logGroups"]
    assert [g["logGroupName"] for g in tagged] == ["g1", "g3"]


def test_deletion_protection_blocks_delete_until_disabled(logs):
    logs.create_log_group(logGroupName="kept", deletionProtectionEnabled=True)
    [group] = logs.describe_log_groups(logGroupNamePrefix="kept")["logGroups"]
    assert group["deletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_group(logGroupName="kept")
    assert error_of(excinfo)[:2] == ("ValidationException", 400)
    logs.put_log_group_deletion_protection(logGroupIdentifier=group_arn("kept"), deletionProtectionEnabled=False)
    assert logs.describe_log_groups(logGroupNamePrefix="kept")["logGroups"][0]["deletionProtectionEnabled"] is False
    logs.delete_log_group(logGroupName="kept")
    assert logs.describe_log_groups()["logGroups"] == []


def test_deletion_protection_on_missing_group_raises_resource_not_found(logs):
    with pytest.raises(ClientError) as excinfo:
        logs.put_log_group_deletion_protection(logGroupIdentifier="nope", deletionProtectionEnabled=True)
    assert error_of(excinfo) == ("ResourceNotFoundException", 400, "The specified log group does not exist.")


def test_tags_agree_between_legacy_and_arn_operations(logs):
    logs.create_log_group(logGroupName="tagged", tags={"env": "testing1"})
    arn = logs.describe_log_groups(logGroupNamePrefix="tagged")["logGroups"][0]["arn"].rstrip(":*")
    logs.tag_resource(resourceArn=arn, tags={"test1": "val1", "test2": "val2"})
    logs.tag_log_group(logGroupName="tagged", tags={"test3": "val3"})
    expected = {"env": "testing1", "test1": "val1", "test2": "val2", "test3": "val3"}
    assert logs.list_tags_log_group(logGroupName="tagged")["tags"] == expected
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == expected
    logs.untag_log_group(logGroupName="tagged", tags=["test3"])
    logs.untag_resource(resourceArn=arn, tagKeys=["env", "test1"])
    assert logs.list_tags_log_group(logGroupName="tagged")["tags"] == {"test2": "val2"}
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"test2": "val2"}


def test_database_of_the_first_schema_is_upgraded_on_start(tmp_path):
    db_path = tmp_path / ".lakebox" / "logs" / "logs.db"
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as db:
        db.executescript("""
            CREATE TABLE log_groups (id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
                name TEXT NOT NULL, created_ms INTEGER NOT NULL, retention_days INTEGER, kms_key_id TEXT,
                log_group_class TEXT NOT NULL DEFAULT 'STANDARD', tags TEXT NOT NULL DEFAULT '{}',
                UNIQUE (account, region, name));
            CREATE TABLE log_streams (id INTEGER PRIMARY KEY,
                group_id INTEGER NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE, name TEXT NOT NULL,
                created_ms INTEGER NOT NULL, first_event_ms INTEGER, last_event_ms INTEGER,
                last_ingestion_ms INTEGER, stored_bytes INTEGER NOT NULL DEFAULT 0,
                sequence INTEGER NOT NULL DEFAULT 0, UNIQUE (group_id, name));
            CREATE TABLE log_events (id INTEGER PRIMARY KEY,
                stream_id INTEGER NOT NULL REFERENCES log_streams(id) ON DELETE CASCADE,
                group_id INTEGER NOT NULL, ts INTEGER NOT NULL, ingestion_ms INTEGER NOT NULL, message TEXT NOT NULL);
            INSERT INTO log_groups (account, region, name, created_ms) VALUES ('000000000000', 'us-east-1', 'old', 1);
            PRAGMA user_version=1;
        """)
    with running_lakebox(tmp_path) as server:
        logs = boto3.client("logs", endpoint_url=server.endpoint_url, region_name="us-east-1")
        [group] = logs.describe_log_groups()["logGroups"]
        assert group["logGroupName"] == "old" and group["deletionProtectionEnabled"] is False
        logs.delete_log_group(logGroupName="old")


# -- streams ----------------------------------------------------------------------------------------

def test_new_log_stream_has_no_upload_sequence_token(logs):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    [stream] = logs.describe_log_streams(logGroupName="g")["logStreams"]
    del stream["creationTime"]
    assert stream == {"logStreamName": "s", "arn": group_arn("g") + ":log-stream:s", "storedBytes": 0}


def test_log_group_name_and_identifier_together_raise_validation_exception(logs):
    logs.create_log_group(logGroupName="g")
    for call in (lambda: logs.describe_log_streams(logGroupName="g", logGroupIdentifier="g"),
                 lambda: logs.get_log_events(logGroupName="g", logGroupIdentifier="g", logStreamName="s"),
                 lambda: logs.filter_log_events(logGroupName="g", logGroupIdentifier="g")):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("ValidationException", 400,
                                     "LogGroup name and LogGroup ARN are mutually exclusive parameters.")


# -- events -----------------------------------------------------------------------------------------

def test_put_log_events_too_old_end_index_is_exclusive(logs, now_ms):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    result = logs.put_log_events(logGroupName="g", logStreamName="s",
                                 logEvents=[{"timestamp": now_ms - 30 * DAY_MS, "message": "Old message"}])
    assert result["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    assert "nextSequenceToken" in result
    # Nothing was stored, so the stream still has no token.
    assert "uploadSequenceToken" not in logs.describe_log_streams(logGroupName="g")["logStreams"][0]


def test_put_log_events_too_new_start_index_is_inclusive(logs, now_ms):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    result = logs.put_log_events(logGroupName="g", logStreamName="s",
                                 logEvents=[{"timestamp": now_ms + DAY_MS, "message": "Future message"}])
    assert result["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 0}


def test_filter_log_events_searched_log_streams_is_empty(logs, now_ms):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    logs.put_log_events(logGroupName="g", logStreamName="s",
                        logEvents=[{"timestamp": now_ms + i, "message": f"m{i}"} for i in range(3)])
    first = logs.filter_log_events(logGroupName="g", limit=2)
    assert first["searchedLogStreams"] == [] and len(first["events"]) == 2
    rest = logs.filter_log_events(logGroupName="g", limit=2, nextToken=first["nextToken"])
    assert [e["message"] for e in rest["events"]] == ["m2"] and "nextToken" not in rest
    assert rest["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"


@pytest.mark.parametrize("call", ["get_log_events", "filter_log_events"])
def test_invalid_next_token_and_limit_raise_aws_messages(logs, call):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    kwargs = {"logGroupName": "g", **({"logStreamName": "s"} if call == "get_log_events" else {})}
    with pytest.raises(ClientError) as excinfo:
        getattr(logs, call)(nextToken="invalid-token", **kwargs)
    assert error_of(excinfo) == ("InvalidParameterException", 400, "The specified nextToken is invalid.")
    with pytest.raises(ClientError) as excinfo:
        getattr(logs, call)(limit=10001, **kwargs)
    assert error_of(excinfo) == ("InvalidParameterException", 400,
                                 "1 validation error detected: Value '10001' at 'limit' failed to satisfy "
                                 "constraint: Member must have value less than or equal to 10000")
