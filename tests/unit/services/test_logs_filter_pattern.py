"""CloudWatch Logs filter patterns: one line per rule."""

from __future__ import annotations

import json

import pytest

from lakebox.services.logs.filter_pattern import FilterPatternError, compile_pattern

DOC = json.dumps({"level": "ERROR", "latency": 250, "ok": False, "gone": None, "user": {"id": 7},
                  "tags": ["a", "b"], "path": "/api/v1/orders"})


@pytest.mark.parametrize("pattern, message, expected", [
    ("", "anything", True),
    ("   ", "anything", True),
    ("ERROR", "an ERROR here", True),
    ("ERROR", "an error here", False),
    ("ERROR disk", "ERROR: disk full", True),
    ("ERROR disk", "ERROR: memory", False),
    ('"disk full"', "ERROR: disk full", True),
    ('"disk full"', "full disk", False),
    ("?WARN ?ERROR", "a WARN line", True),
    ("?WARN ?ERROR", "an INFO line", False),
    ("ERROR -retry", "ERROR will retry", False),
    ("ERROR -retry", "ERROR fatal", True),
    ("%ERR[0-9]+%", "code ERR42", True),
    ("%ERR[0-9]+%", "code ERR", False),
    ('{ $.level = "ERROR" }', DOC, True),
    ("{ $.level = ERROR }", DOC, True),
    ('{ $.level != "ERROR" }', DOC, False),
    ('{ $.level = "ERR*" }', DOC, True),
    ('{ $.path = "/api/*/orders" }', DOC, True),
    ("{ $.latency > 100 }", DOC, True),
    ("{ $.latency <= 100 }", DOC, False),
    ("{ $.latency = 250 }", DOC, True),
    ("{ $.user.id = 7 && $.latency >= 250 }", DOC, True),
    ("{ $.user.id = 8 || $.latency < 10 }", DOC, False),
    ('{ ($.user.id = 8 || $.level = "ERROR") && $.latency > 1 }', DOC, True),
    ('{ $.tags[1] = "b" }', DOC, True),
    ("{ $.ok IS FALSE }", DOC, True),
    ("{ $.gone IS NULL }", DOC, True),
    ("{ $.nothere NOT EXISTS }", DOC, True),
    ("{ $.level NOT EXISTS }", DOC, False),
    ("{ $.level = %ERR.R% }", DOC, True),
    ('{ $.level = "ERROR" }', "not json", False),
    ("[]", "any line at all", True),  # accepted by AWS (a recorded PutSubscriptionFilter)
    ("[ ]", "", True),
])
def test_filter_pattern(pattern, message, expected):
    assert compile_pattern(pattern)(message) is expected


@pytest.mark.parametrize("pattern", [
    "{ $.a = }",
    "{ $.a > abc }",
    "{ $.a = 1",
    "{ $.a IS MAYBE }",
    "[ip, user",
    "%[unclosed%",
])
def test_filter_pattern_that_cannot_compile_raises(pattern):
    with pytest.raises(FilterPatternError):
        compile_pattern(pattern)
