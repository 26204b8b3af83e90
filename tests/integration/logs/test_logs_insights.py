"""Logs Insights queries through boto3: StartQuery, GetQueryResults, StopQuery, DescribeQueries.

Events are put into two groups (plain text and JSON messages), queries run in lakebox's worker
threads on DuckDB, and the tests poll GetQueryResults until Complete, as a client does."""

from __future__ import annotations

import datetime as dt
import json
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from logs_helpers import make_logs_client

from lakebox.services.logs.insights_store import InsightsStore
from lakebox.testing import running_lakebox

WEB, API = "/app/web", "/app/api"
FIVE_MINUTES = 300_000


def stamp(ms: int) -> str:
    moment = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}"


@pytest.fixture
def base(now_ms):
    """A five-minute boundary half an hour ago: the first event's time."""
    return (now_ms - 1_800_000) // FIVE_MINUTES * FIVE_MINUTES


@pytest.fixture
def loaded(logs, base):
    logs.create_log_group(logGroupName=WEB)
    logs.create_log_stream(logGroupName=WEB, logStreamName="text")
    logs.create_log_stream(logGroupName=WEB, logStreamName="json")
    logs.create_log_group(logGroupName=API)
    logs.create_log_stream(logGroupName=API, logStreamName="main")
    logs.put_log_events(logGroupName=WEB, logStreamName="text", logEvents=[
        {"timestamp": base, "message": "INFO start user=alice"},
        {"timestamp": base + 60_000, "message": "ERROR disk full user=bob"},
        {"timestamp": base + 310_000, "message": "ERROR timeout user=carol"},
    ])
    logs.put_log_events(logGroupName=WEB, logStreamName="json", logEvents=[
        {"timestamp": base + 120_000, "message": json.dumps({"level": "ERROR", "http": {"status": 503, "ms": 80}})},
        {"timestamp": base + 320_000, "message": json.dumps({"level": "INFO", "http": {"status": 200, "ms": 5}})},
    ])
    logs.put_log_events(logGroupName=API, logStreamName="main", logEvents=[
        {"timestamp": base + 30_000, "message": json.dumps({"level": "ERROR", "http": {"status": 500, "ms": 12}})},
    ])
    return base


def window(base: int) -> dict:
    return {"startTime": base // 1000 - 60, "endTime": base // 1000 + 600}


def wait(logs, query_id: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = logs.get_query_results(queryId=query_id)
        if response["status"] not in ("Scheduled", "Running") or time.monotonic() > deadline:
            return response
        time.sleep(0.02)


def run(logs, query: str, base: int, **params) -> dict:
    if not any(k in params for k in ("logGroupName", "logGroupNames", "logGroupIdentifiers")):
        params["logGroupName"] = WEB
    query_id = logs.start_query(queryString=query, **window(base), **params)["queryId"]
    response = wait(logs, query_id)
    assert response["status"] == "Complete", response
    return response


def rows(response: dict) -> list:
    return [{cell["field"]: cell["value"] for cell in row} for row in response["results"]]


def without_ptr(response: dict) -> list:
    out = rows(response)
    for row in out:
        assert row.pop("@ptr")
    return out


def test_filter_fields_sort_limit_returns_the_matching_events(logs, loaded):
    response = run(logs, "filter @message like /ERROR/ | fields @timestamp, @message, @logStream "
                         "| sort @timestamp asc | limit 2", loaded)
    assert without_ptr(response) == [
        {"@timestamp": stamp(loaded + 60_000), "@message": "ERROR disk full user=bob", "@logStream": "text"},
        {"@timestamp": stamp(loaded + 120_000), "@message": '{"level": "ERROR", "http": {"status": 503, "ms": 80}}',
         "@logStream": "json"},
    ]
    web_bytes = sum(len(m.encode()) for m in ["INFO start user=alice", "ERROR disk full user=bob",
                                              "ERROR timeout user=carol",
                                              '{"level": "ERROR", "http": {"status": 503, "ms": 80}}',
                                              '{"level": "INFO", "http": {"status": 200, "ms": 5}}'])
    assert response["statistics"]["recordsScanned"] == 5.0
    assert response["statistics"]["recordsMatched"] == 3.0
    assert response["statistics"]["bytesScanned"] == float(web_bytes)
    assert "encryptionKey" not in response and response["queryLanguage"] == "CWLI"


def test_default_query_output_is_timestamp_and_message_newest_first(logs, loaded):
    response = run(logs, "limit 2", loaded)
    assert [list(cell["field"] for cell in row) for row in response["results"]] == [
        ["@timestamp", "@message", "@ptr"]] * 2
    assert [row["@timestamp"] for row in rows(response)] == [stamp(loaded + 320_000), stamp(loaded + 310_000)]


def test_stats_count_by_bin_counts_each_five_minutes(logs, loaded):
    response = run(logs, "stats count(*) by bin(5m)", loaded)
    assert rows(response) == [{"bin(5m)": stamp(loaded + FIVE_MINUTES), "count(*)": "2"},
                              {"bin(5m)": stamp(loaded), "count(*)": "3"}]
    assert response["statistics"]["recordsMatched"] == 5.0


def test_stats_by_stream_over_two_groups(logs, loaded):
    response = run(logs, "filter level = 'ERROR' or @message like 'ERROR' | stats count(*) as errors, "
                         "max(http.ms) as slowest by @log", loaded, logGroupNames=[WEB, API])
    assert rows(response) == [{"@log": f"000000000000:{API}", "errors": "1", "slowest": "12"},
                              {"@log": f"000000000000:{WEB}", "errors": "3", "slowest": "80"}]
    assert response["statistics"]["recordsScanned"] == 6.0


def test_parse_glob_extracts_fields(logs, loaded):
    response = run(logs, 'parse @message "* * user=*" as level, what, user | filter ispresent(user) '
                         '| sort @timestamp asc | display user, what', loaded)
    assert without_ptr(response) == [{"user": "alice", "what": "start"}, {"user": "bob", "what": "disk full"},
                                     {"user": "carol", "what": "timeout"}]


def test_parse_regex_named_groups_extract_fields(logs, loaded):
    response = run(logs, r"parse @message /(?<level>[A-Z]+) .*user=(?<user>\w+)/ | filter level = 'ERROR' "
                         "| stats count(*) by user", loaded)
    assert rows(response) == [{"user": "bob", "count(*)": "1"}, {"user": "carol", "count(*)": "1"}]


def test_json_fields_are_discovered_with_dotted_names(logs, loaded):
    response = run(logs, "filter http.status >= 500 | fields level, http.status, http.ms", loaded,
                   logGroupIdentifiers=[WEB, f"arn:aws:logs:us-east-1:000000000000:log-group:{API}"])
    assert without_ptr(response) == [{"level": "ERROR", "http.status": "503", "http.ms": "80"},
                                     {"level": "ERROR", "http.status": "500", "http.ms": "12"}]


def test_start_query_limit_caps_the_rows(logs, loaded):
    assert len(run(logs, "fields @message", loaded, limit=2)["results"]) == 2


def test_ptr_identifies_each_event(logs, loaded):
    response = run(logs, "fields @message", loaded)
    pointers = [row["@ptr"] for row in rows(response)]
    assert len(set(pointers)) == 5


def test_get_log_record_returns_the_whole_event_behind_a_ptr(logs, loaded):
    response = run(logs, "filter http.status >= 500 | fields @timestamp", loaded, logGroupNames=[WEB, API])
    records = sorted((logs.get_log_record(logRecordPointer=row["@ptr"])["logRecord"] for row in rows(response)),
                     key=lambda r: r["@log"])
    assert records == [
        {"@ingestionTime": records[0]["@ingestionTime"], "@log": f"000000000000:{API}", "@logStream": "main",
         "@message": json.dumps({"level": "ERROR", "http": {"status": 500, "ms": 12}}),
         "@timestamp": str(loaded + 30_000), "level": "ERROR", "http.status": "500", "http.ms": "12"},
        {"@ingestionTime": records[1]["@ingestionTime"], "@log": f"000000000000:{WEB}", "@logStream": "json",
         "@message": json.dumps({"level": "ERROR", "http": {"status": 503, "ms": 80}}),
         "@timestamp": str(loaded + 120_000), "level": "ERROR", "http.status": "503", "http.ms": "80"},
    ]
    assert all(int(r["@ingestionTime"]) >= loaded for r in records)
    text = rows(run(logs, "filter @message like /disk/ | fields @message", loaded))[0]
    assert logs.get_log_record(logRecordPointer=text["@ptr"])["logRecord"]["@message"] == "ERROR disk full user=bob"


def test_get_log_record_refuses_pointers_it_did_not_give(logs, loaded):
    for pointer in ("not-a-pointer", "bGFrZWJveDo5OTk6OTk5"):  # the second names no event
        with pytest.raises(ClientError) as exc:
            logs.get_log_record(logRecordPointer=pointer)
        assert exc.value.response["Error"]["Code"] == (
            "InvalidParameterException" if pointer == "not-a-pointer" else "ResourceNotFoundException")
    other_region = boto3.client("logs", endpoint_url=logs.meta.endpoint_url, region_name="eu-west-1",
                                aws_access_key_id="test", aws_secret_access_key="test")
    pointer = rows(run(logs, "fields @message", loaded))[0]["@ptr"]
    with pytest.raises(ClientError) as exc:
        other_region.get_log_record(logRecordPointer=pointer)
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_time_window_includes_both_ends_in_whole_seconds(logs, loaded):
    response = run(logs, "fields @message", loaded, logGroupName=WEB)
    start = (loaded + 60_000) // 1000
    query_id = logs.start_query(logGroupName=WEB, startTime=start, endTime=start + 60,
                                queryString="sort @timestamp asc | fields @message")["queryId"]
    assert [row["@message"] for row in rows(wait(logs, query_id))] == [
        "ERROR disk full user=bob", '{"level": "ERROR", "http": {"status": 503, "ms": 80}}']
    assert response["statistics"]["recordsScanned"] == 5.0


def test_describe_queries_lists_newest_first_with_source_prefix(logs, loaded):
    first = logs.start_query(logGroupName=WEB, queryString="fields @message", **window(loaded))["queryId"]
    wait(logs, first)
    second = logs.start_query(logGroupName=API, queryString="stats count(*)", **window(loaded))["queryId"]
    wait(logs, second)
    queries = logs.describe_queries()["queries"]
    assert [q["queryId"] for q in queries] == [second, first]
    start, end = window(loaded)["startTime"], window(loaded)["endTime"]
    assert queries[1] == {"queryId": first, "queryLanguage": "CWLI", "status": "Complete",
                          "queryString": f'SOURCE "{WEB}" START={start}000 END={end}999 | fields @message',
                          "createTime": queries[1]["createTime"], "logGroupName": WEB}
    assert [q["queryId"] for q in logs.describe_queries(logGroupName=API)["queries"]] == [second]
    assert logs.describe_queries(logGroupName=API, status="Scheduled")["queries"] == []
    page = logs.describe_queries(maxResults=1)
    assert [q["queryId"] for q in page["queries"]] == [second]
    assert [q["queryId"] for q in logs.describe_queries(maxResults=1, nextToken=page["nextToken"])["queries"]] == [
        first]


def test_get_query_results_pages_with_max_items(logs, loaded):
    query_id = logs.start_query(logGroupName=WEB, queryString="fields @message", **window(loaded))["queryId"]
    wait(logs, query_id)
    page = logs.get_query_results(queryId=query_id, maxItems=3)
    rest = logs.get_query_results(queryId=query_id, maxItems=3, nextToken=page["nextToken"])
    assert len(page["results"]) == 3 and len(rest["results"]) == 2 and "nextToken" not in rest


@pytest.mark.parametrize("query, message", [
    ("fields @message | bogus", "unknown command 'bogus'"),
    ("stats pct(x, 50)", "the function pct is not supported by lakebox"),
    ("filter @message like /(?=lookahead)/", "the query cannot run"),
])
def test_malformed_query_is_refused_with_compile_error(logs, loaded, query, message):
    with pytest.raises(ClientError) as err:
        logs.start_query(logGroupName=WEB, queryString=query, **window(loaded))
    assert err.value.response["Error"]["Code"] == "MalformedQueryException"
    assert message in err.value.response["Error"]["Message"]
    assert message in err.value.response["queryCompileError"]["message"]


def test_malformed_query_reports_where(logs, loaded):
    with pytest.raises(ClientError) as err:
        logs.start_query(logGroupName=WEB, queryString="fields @message | bogus", **window(loaded))
    assert err.value.response["queryCompileError"]["location"] == {"startCharOffset": 18, "endCharOffset": 23}


def test_unknown_group_raises_resource_not_found(logs, loaded):
    with pytest.raises(ClientError) as err:
        logs.start_query(logGroupNames=[WEB, "/nope"], queryString="fields @message", **window(loaded))
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert err.value.response["Error"]["Message"].startswith(
        "Log group '/nope' does not exist for account ID '000000000000'")


@pytest.mark.parametrize("params, message", [
    ({}, "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers"),
    ({"logGroupName": WEB, "logGroupNames": [API]}, "Exactly one of"),
    ({"logGroupNames": [f"/g{i}" for i in range(51)]}, "at most 50 log groups"),
])
def test_group_selection_errors_are_invalid_parameter(logs, loaded, params, message):
    with pytest.raises(ClientError) as err:
        logs.start_query(queryString="fields @message", **window(loaded), **params)
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    assert message in err.value.response["Error"]["Message"]


def test_end_before_start_is_invalid_parameter(logs, loaded):
    with pytest.raises(ClientError) as err:
        logs.start_query(logGroupName=WEB, queryString="fields @message", startTime=200, endTime=100)
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"


def test_other_query_languages_are_refused(logs, loaded):
    with pytest.raises(ClientError) as err:
        logs.start_query(logGroupName=WEB, queryString="SELECT 1", queryLanguage="SQL", **window(loaded))
    assert err.value.response["Error"]["Code"] == "MalformedQueryException"


@pytest.mark.parametrize("call", ["get_query_results", "stop_query"])
def test_unknown_query_id_raises_resource_not_found(logs, call):
    with pytest.raises(ClientError) as err:
        getattr(logs, call)(queryId="00000000-0000-0000-0000-000000000000")
    assert err.value.response["Error"] == {"Code": "ResourceNotFoundException", "Message": "Query does not exist"}


def test_stop_query_on_a_finished_query_is_invalid(logs, loaded):
    query_id = logs.start_query(logGroupName=WEB, queryString="fields @message", **window(loaded))["queryId"]
    wait(logs, query_id)
    with pytest.raises(ClientError) as err:
        logs.stop_query(queryId=query_id)
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    # The words clients match (awswrangler's test_query_cancelled retries on them).
    assert err.value.response["Error"]["Message"] == f"Query {query_id} is not in Running or Scheduled state"


def test_stop_query_cancels_a_waiting_query(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEBOX_LOGS_INSIGHTS_WORKERS", "1")
    with running_lakebox(tmp_path / "data", set_env=False) as server:
        logs = make_logs_client(server.endpoint_url)
        now = server.config.clock.now_ns() // 1_000_000
        logs.create_log_group(logGroupName="big")
        logs.create_log_stream(logGroupName="big", logStreamName="s")
        for chunk in range(4):
            logs.put_log_events(logGroupName="big", logStreamName="s", logEvents=[
                {"timestamp": now - 600_000 + chunk * 10_000 + i, "message": json.dumps({"i": i, "pad": "x" * 40})}
                for i in range(10_000)])
        params = {"logGroupName": "big", "startTime": now // 1000 - 3600, "endTime": now // 1000 + 60}
        busy = logs.start_query(queryString="stats count(*) by i", **params)["queryId"]
        waiting = logs.start_query(queryString="fields @message", **params)["queryId"]
        assert logs.stop_query(queryId=waiting)["success"] is True
        assert logs.get_query_results(queryId=waiting)["status"] == "Cancelled"
        assert [q["queryId"] for q in logs.describe_queries(status="Cancelled")["queries"]] == [waiting]
        done = wait(logs, busy, timeout=60)
        assert done["status"] == "Complete" and len(done["results"]) == 10_000
        assert done["statistics"]["recordsScanned"] == 40_000.0
        assert wait(logs, waiting)["status"] == "Cancelled"


def test_queries_survive_a_restart_and_interrupted_ones_fail(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        logs = make_logs_client(server.endpoint_url)
        now = server.config.clock.now_ns() // 1_000_000
        logs.create_log_group(logGroupName="g")
        logs.create_log_stream(logGroupName="g", logStreamName="s")
        logs.put_log_events(logGroupName="g", logStreamName="s",
                            logEvents=[{"timestamp": now - 1000, "message": "hello"}])
        query_id = logs.start_query(logGroupName="g", startTime=now // 1000 - 60, endTime=now // 1000 + 60,
                                    queryString="fields @message")["queryId"]
        before = wait(logs, query_id)
    # A query that was running when lakebox stopped (written as a crash would leave it).
    store = InsightsStore(data / ".lakebox" / "logs" / "insights.db")
    store.insert("interrupted", "000000000000", "us-east-1", "CWLI", "fields @message", ["g"], 0, 1, None, 1)
    store.move("interrupted", "Running", only_from=("Scheduled",))
    store.close()
    with running_lakebox(data, set_env=False) as server:
        logs = make_logs_client(server.endpoint_url)
        after = logs.get_query_results(queryId=query_id)
        assert after["status"] == "Complete" and after["results"] == before["results"]
        assert [cell["value"] for cell in after["results"][0] if cell["field"] == "@message"] == ["hello"]
        assert logs.get_query_results(queryId="interrupted")["status"] == "Failed"
        assert {q["queryId"] for q in logs.describe_queries()["queries"]} == {query_id, "interrupted"}
