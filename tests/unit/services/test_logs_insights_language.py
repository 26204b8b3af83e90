"""The Logs Insights language: one line per rule (query -> rows over a tiny dataset, or a SQL
fragment), one per refusal. Rows run for real on DuckDB through the same runner the service uses."""

from __future__ import annotations

import json

import duckdb
import pytest

from lakebox.services.logs.insights_language import QuerySyntaxError, parse_query
from lakebox.services.logs.insights_runner import EventBatch, discovered_fields, execute
from lakebox.services.logs.insights_sql import glob_regex, named_groups, translate_text

T0 = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC
EVENTS = [  # (ms after T0, stream, message)
    (0, "web", "GET /index 200 12ms"),
    (60_000, "web", "ERROR disk full user=bob"),
    (120_000, "api", json.dumps({"level": "ERROR", "status": 500, "req": {"path": "/a", "ms": 12.5},
                                 "tags": ["x", "y"]})),
    (180_000, "api", json.dumps({"level": "INFO", "status": 200, "req": {"path": "/b", "ms": 3}, "ok": True})),
    (400_000, "web", "user=alice, method:GET, latency := 17"),
]


@pytest.fixture(scope="module")
def run():
    batch = EventBatch()
    for i, (offset, stream, message) in enumerate(EVENTS):
        batch.add(i + 1, T0 + offset, T0 + offset + 5, message, stream, "000000000000:app", f"p{i}")
    con = duckdb.connect()

    def query(text: str, limit=None) -> list:
        outcome = execute(con, translate_text(text, "ev", limit), "ev", batch)
        return [{cell["field"]: cell["value"] for cell in row} for row in outcome.rows]
    yield query
    con.close()


def matched(text: str) -> int:
    batch = EventBatch()
    for i, (offset, stream, message) in enumerate(EVENTS):
        batch.add(i + 1, T0 + offset, T0, message, stream, "a:g", f"p{i}")
    return execute(duckdb.connect(), translate_text(text, "ev"), "ev", batch).matched


RULES = [
    # default output: @timestamp, @message (+ @ptr), newest first
    ("limit 2", [{"@timestamp": "2023-11-14 22:20:00.000", "@message": EVENTS[4][2], "@ptr": "p4"},
                 {"@timestamp": "2023-11-14 22:16:20.000", "@message": EVENTS[3][2], "@ptr": "p3"}]),
    ("fields @logStream, @log | limit 1", [{"@logStream": "web", "@log": "000000000000:app", "@ptr": "p4"}]),
    ("fields @ingestionTime | sort @timestamp asc | limit 1", [{"@ingestionTime": "2023-11-14 22:13:20.005",
                                                                "@ptr": "p0"}]),
    ("fields @message as m | filter m like 'disk'", [{"m": EVENTS[1][2], "@ptr": "p1"}]),
    # JSON discovery: dotted names, list indexes, booleans
    ("fields req.path, req.ms, tags.1, ok | filter ispresent(req.path) | sort req.ms",
     [{"req.path": "/b", "req.ms": "3", "@ptr": "p3", "ok": "true"},
      {"req.path": "/a", "req.ms": "12.5", "tags.1": "y", "@ptr": "p2"}]),
    ("fields `req.path` | filter status = 500", [{"req.path": "/a", "@ptr": "p2"}]),
    # comparisons: numbers compare numerically, text as text
    ("filter status >= 300 | fields status", [{"status": "500", "@ptr": "p2"}]),
    ("filter status < 300 | fields status", [{"status": "200", "@ptr": "p3"}]),
    ("filter status != 500 | fields status", [{"status": "200", "@ptr": "p3"}]),
    ("filter level = 'INFO' | fields level", [{"level": "INFO", "@ptr": "p3"}]),
    ("filter req.ms > status / 50 | fields req.ms", [{"req.ms": "12.5", "@ptr": "p2"}]),
    # like / =~ / not like / in / not in / and / or / not
    ("filter @message like /ERROR/ | fields @logStream", [{"@logStream": "api", "@ptr": "p2"},
                                                           {"@logStream": "web", "@ptr": "p1"}]),
    ("filter @message =~ /(?i)get/ | fields @logStream", [{"@logStream": "web", "@ptr": "p4"},
                                                           {"@logStream": "web", "@ptr": "p0"}]),
    ("filter @message not like /[{=]/ | fields @logStream", [{"@logStream": "web", "@ptr": "p0"}]),
    ("filter level in ['ERROR', 'WARN'] | fields level", [{"level": "ERROR", "@ptr": "p2"}]),
    ("filter status not in [500] and ispresent(status) | fields status", [{"status": "200", "@ptr": "p3"}]),
    ("filter status = 200 or @logStream = 'web' and @message like 'disk' | fields @ptr",
     [{"@ptr": "p3"}, {"@ptr": "p1"}]),
    ("filter not ispresent(level) and @logStream = 'api'", []),
    # string and number functions
    ("fields strlen(@message) as n, toupper(substr(@message, 0, 3)) as h | sort @timestamp asc | limit 1",
     [{"n": "19", "h": "GET", "@ptr": "p0"}]),
    ("fields concat(level, '-', status) as c, replace(level, 'ERR', 'err') as r | filter ispresent(level)",
     [{"c": "INFO-200", "r": "INFO", "@ptr": "p3"}, {"c": "ERROR-500", "r": "errOR", "@ptr": "p2"}]),
    ("filter strcontains(@message, 'alice') | fields abs(-2) * 3 + 1 as x, trim('  a ') as t",
     [{"x": "7", "t": "a", "@ptr": "p4"}]),
    ("filter isempty(level) and isblank(level) | fields @ptr | limit 1", [{"@ptr": "p4"}]),
    ("fields fromMillis(1700000000000) as t, toMillis(@timestamp) as ms | limit 1",
     [{"t": "2023-11-14 22:13:20.000", "ms": "1700000400000", "@ptr": "p4"}]),
    ("fields datefloor(@timestamp, 1h) as f, dateceil(@timestamp, 1h) as c | limit 1",
     [{"f": "2023-11-14 22:00:00.000", "c": "2023-11-14 23:00:00.000", "@ptr": "p4"}]),
    # stats: aggregates, by fields, bins (newest first), aliases, arithmetic over aggregates
    ("stats count(*)", [{"count(*)": "5"}]),
    ("stats count() as n, count(level) as l, count_distinct(@logStream) as s",
     [{"n": "5", "l": "2", "s": "2"}]),
    ("stats sum(status) as s, avg(req.ms) as a, min(req.ms) as lo, max(status) as hi",
     [{"s": "700", "a": "7.75", "lo": "3", "hi": "500"}]),
    ("stats count(*) by @logStream", [{"@logStream": "api", "count(*)": "2"}, {"@logStream": "web", "count(*)": "3"}]),
    ("stats count(*) by bin(5m)", [{"bin(5m)": "2023-11-14 22:20:00.000", "count(*)": "1"},
                                   {"bin(5m)": "2023-11-14 22:15:00.000", "count(*)": "2"},
                                   {"bin(5m)": "2023-11-14 22:10:00.000", "count(*)": "2"}]),
    ("stats count(*) as c by bin(1h) as hour", [{"hour": "2023-11-14 22:00:00.000", "c": "5"}]),
    ("stats sum(status) / count(status) as mean", [{"mean": "350"}]),
    ("stats earliest(@message) as first, latest(@logStream) as last", [{"first": EVENTS[0][2], "last": "web"}]),
    ("stats max(@timestamp) as newest", [{"newest": "2023-11-14 22:20:00.000"}]),
    ("stats count(*) as n by @logStream | sort n desc | limit 1", [{"@logStream": "web", "n": "3"}]),
    ("stats count(*) as n by @logStream | filter n > 2", [{"@logStream": "web", "n": "3"}]),
    # sort: numbers by value, text before numbers, desc reverses; limit; StartQuery's limit
    ("fields req.ms | filter ispresent(req.ms) | sort req.ms desc", [{"req.ms": "12.5", "@ptr": "p2"},
                                                                     {"req.ms": "3", "@ptr": "p3"}]),
    ("fields @logStream | sort @logStream asc, @timestamp asc | limit 2", [{"@logStream": "api", "@ptr": "p2"},
                                                                          {"@logStream": "api", "@ptr": "p3"}]),
    ("fields coalesce(level, 'none') as l | sort l asc | limit 1", [{"l": "ERROR", "@ptr": "p2"}]),
    # parse: glob (last * takes the rest) and regex named groups; non-matching events stay, without fields
    ('parse @message "user=*, method:*, latency := *" as user, method, latency | filter ispresent(user) '
     '| display user, method, latency', [{"user": "alice", "method": "GET", "latency": "17", "@ptr": "p4"}]),
    ('parse "GET * * *" as path, code, took | filter ispresent(path) | fields path, code, took',
     [{"path": "/index", "code": "200", "took": "12ms", "@ptr": "p0"}]),
    ("parse @message /user=(?<user>[a-z]+)/ | sort user asc | filter ispresent(user) | fields user",
     [{"user": "alice", "@ptr": "p4"}, {"user": "bob", "@ptr": "p1"}]),
    ("parse @message /(?<verb>[A-Z]+) (?<rest>.*)/ | filter verb = 'GET' | display rest",
     [{"rest": "/index 200 12ms", "@ptr": "p0"}]),
    ('parse @message "user=*," as u | stats count(*) by u', [{"u": "alice", "count(*)": "1"}, {"count(*)": "4"}]),
    # display picks the output; dedup keeps the first in sort order (nulls all kept)
    ("fields @message, level | display level | filter ispresent(level)", [{"level": "INFO", "@ptr": "p3"},
                                                                         {"level": "ERROR", "@ptr": "p2"}]),
    ("fields @logStream | dedup @logStream", [{"@logStream": "web", "@ptr": "p4"},
                                              {"@logStream": "api", "@ptr": "p3"}]),
    ("fields level | dedup level | limit 3", [{"@ptr": "p4"}, {"level": "INFO", "@ptr": "p3"},
                                              {"level": "ERROR", "@ptr": "p2"}]),
    # comments
    ("# first line\nfields @logStream # trailing\n| limit 1", [{"@logStream": "web", "@ptr": "p4"}]),
]


@pytest.mark.parametrize("text, rows", RULES, ids=[r[0] for r in RULES])
def test_rule(run, text, rows):
    assert run(text) == rows


def test_start_query_limit_applies_without_a_limit_command(run):
    assert len(run("fields @message", limit=3)) == 3


def test_limit_command_overrides_start_query_limit(run):
    assert len(run("fields @message | limit 2", limit=4)) == 2


@pytest.mark.parametrize("text, count", [
    ("fields @message", 5), ("filter @message like /ERROR/", 2), ("filter status > 0 | limit 1", 2),
    ("filter ispresent(level) | stats count(*) by level", 2), ("fields @message | dedup @logStream", 5),
])
def test_records_matched_counts_events_past_the_filters(text, count):
    assert matched(text) == count


SQL = [
    ("fields a.b", "\"__fields\"['a.b']"),
    ("filter x > 5", "(TRY_CAST(\"__fields\"['x'] AS DOUBLE) > 5)"),
    ("filter x = y", "CASE WHEN TRY_CAST(\"__fields\"['x'] AS DOUBLE) IS NOT NULL"),
    ("filter @message like 'a'", "coalesce(contains(\"@message\", 'a'), false)"),
    ("filter @message like /a(?<n>b)/", "regexp_matches(\"@message\", 'a(?P<n>b)')"),
    ("stats count(*) by bin(5m)", "make_timestamp((epoch_ms(\"@timestamp\") // 300000) * 300000000)"),
    ("stats count_distinct(x)", "count(DISTINCT \"__fields\"['x'])"),
    ("sort x desc", "(TRY_CAST(\"__fields\"['x'] AS DOUBLE) IS NOT NULL) DESC"),
    ("limit 7", "LIMIT 7"),
]


@pytest.mark.parametrize("text, fragment", SQL, ids=[s[0] for s in SQL])
def test_translation(text, fragment):
    assert fragment in translate_text(text, "ev").sql


REFUSALS = [
    ("", "empty"),
    ("fields", "expected a field"),
    ("fields @message |", "expected a command after '|'"),
    ("foo @message", "unknown command 'foo'"),
    ("unmask @message", "unmask command is not supported"),
    ("pattern @message", "pattern command is not supported"),
    ("fields @message | limit any 5", "limit any is not supported"),
    ("limit 0", "limit must be at least 1"),
    ("limit x", "expected a whole number"),
    ("filter @message like 5", "expected a string or a /regular expression/"),
    ("filter @message =~ 'a'", "expected a /regular expression/"),
    ("filter @message like /abc", "unterminated regular expression"),
    ("filter @message = 'abc", "unterminated string"),
    ("filter x = 1 y", "expected '|' or the end"),
    ("filter x", "expected a condition"),
    ("fields count(*)", "can only be used in stats"),
    ("stats count(*) by x | fields earliest(@message)", "can only be used in stats"),
    ("stats x", "stats needs an aggregate function"),
    ("stats sum(count(*))", "cannot be nested"),
    ("stats pct(x, 50)", "pct is not supported"),
    ("fields ipv4InSubnet(x, '10.0.0.0/8') as y", "ipv4InSubnet is not supported"),
    ("stats count(*) by bin(5 m)", "expected ')'"),
    ("stats count(*) by bin(5mo)", "unsupported time unit 'mo'"),
    ("stats count(*) by bin(x)", "expected a time period"),
    ("stats count(*) by @logStream | stats count(*) by bin(5m)", "bin needs @timestamp"),
    ('parse @message "a=* b=*" as a', "2 wildcards (*) but 1 names"),
    ("parse @message /no groups/", "needs named capturing groups"),
    ("parse @message /(?<a>x)/ as a", "not with 'as'"),
    ("parse @message logfmt", "parse logfmt is not supported"),
    ("fields @message | dedup @logStream | sort @timestamp", "only limit may follow dedup"),
    ("fields 5m as x", "a time period can only be an argument"),
    ("fields `abc", "unterminated quoted field name"),
    ("fields a ; b", "unexpected character ';'"),
    ("fields strlen(a, b) as c", "strlen takes 1 argument, got 2"),
]


@pytest.mark.parametrize("text, message", REFUSALS, ids=[r[0] or "<empty>" for r in REFUSALS])
def test_refusal(text, message):
    with pytest.raises(QuerySyntaxError) as err:
        translate_text(text, "ev")
    assert message in err.value.message


def test_refusal_carries_the_offsets_of_the_offending_text():
    with pytest.raises(QuerySyntaxError) as err:
        parse_query("fields @message | bogus x")
    assert (err.value.start, err.value.end) == (18, 23)


def test_named_groups_are_numbered_among_all_capturing_groups():
    assert named_groups(r"(a)(?:b)(?<x>c)[(](?<y>d)") == (r"(a)(?:b)(?P<x>c)[(](?P<y>d)", {"x": 2, "y": 3})


def test_glob_regex_escapes_text_and_makes_the_last_star_greedy():
    assert glob_regex("[*] *") == r"\[(.*?)\]\ (.*)"


def test_discovered_fields_flatten_json_objects_only():
    assert discovered_fields('{"a": {"b": [1, {"c": null, "d": 2.50}]}, "e": false}') == [
        ("a.b.0", "1"), ("a.b.1.d", "2.5"), ("e", "false")]
    assert discovered_fields("[1, 2]") == [] and discovered_fields("plain {text}") == []
    assert len(discovered_fields(json.dumps({f"k{i}": i for i in range(300)}))) == 200
