"""The crawler's pure rules: AWS cron expressions on the service clock, and exclusion globs."""

from __future__ import annotations

import datetime as dt

import pytest

from lakebox.services.glue.crawler_cron import CronError, parse_cron
from lakebox.services.glue.crawler_files import excluded, glob_regex


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("expression, after, expected", [
    ("cron(0 2 * * ? *)", "2024-01-15T03:00", "2024-01-16T02:00"),
    ("cron(0 2 * * ? *)", "2024-01-15T01:59", "2024-01-15T02:00"),
    ("cron(15 * * * ? *)", "2024-01-15T10:15", "2024-01-15T11:15"),
    ("cron(0/20 * * * ? *)", "2024-01-15T10:41", "2024-01-15T11:00"),
    ("cron(0 8-17 ? * MON-FRI *)", "2024-01-13T09:00", "2024-01-15T08:00"),  # Saturday -> Monday
    ("cron(0 0 ? * 1 *)", "2024-01-15T00:00", "2024-01-21T00:00"),  # 1 is Sunday
    ("cron(0 0 L * ? *)", "2024-02-01T00:00", "2024-02-29T00:00"),
    ("cron(0 0 LW * ? *)", "2024-03-01T00:00", "2024-03-29T00:00"),  # the 31st is a Sunday
    ("cron(0 0 15W * ? *)", "2024-06-01T00:00", "2024-06-14T00:00"),  # the 15th is a Saturday
    ("cron(0 0 ? * 6L *)", "2024-01-01T00:00", "2024-01-26T00:00"),  # last Friday
    ("cron(0 0 ? * 3#2 *)", "2024-01-01T00:00", "2024-01-09T00:00"),  # second Tuesday
    ("cron(0 12 1 JAN,JUL ? *)", "2024-01-02T00:00", "2024-07-01T12:00"),
    ("cron(0 0 1 1 ? 2030)", "2024-01-02T00:00", "2030-01-01T00:00"),
])
def test_next_firing(expression, after, expected):
    assert parse_cron(expression).next_after(_at(after)) == _at(expected)


def test_a_schedule_in_the_past_never_fires_again():
    assert parse_cron("cron(0 0 1 1 ? 2020)").next_after(_at("2024-01-01T00:00")) is None


@pytest.mark.parametrize("expression", [
    "rate(5 minutes)", "cron(0 2 * * *)", "cron(0 2 * * * *)", "cron(0 2 ? * ? *)", "cron(60 * * * ? *)",
    "cron(0 24 * * ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 ? FOO * *)", "cron(5-1 * * * ? *)",
])
def test_invalid_expressions(expression):
    with pytest.raises(CronError):
        parse_cron(expression)


@pytest.mark.parametrize("pattern, key, hit", [
    ("*.csv", "a.csv", True),
    ("*.csv", "dir/a.csv", False),  # * stays within one level
    ("**.csv", "dir/a.csv", True),
    ("**/*.csv", "a.csv", True),
    ("tmp/**", "tmp/x/y.json", True),
    ("tmp/**", "keep/y.json", False),
    ("year=202?/**", "year=2023/a.json", True),
    ("[!a]*.json", "a.json", False),
    ("[!a]*.json", "b.json", True),
    ("{tmp,scratch}/**", "scratch/a", True),
    ("departments", "departments/hr/a.json", True),  # a matching folder excludes all below it
    ("\\*.json", "*.json", True),
])
def test_exclusion_globs(pattern, key, hit):
    assert excluded(key, [glob_regex(pattern)]) is hit
