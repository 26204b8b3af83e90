"""Firehose S3 key prefixes: Java DateTimeFormatter patterns, namespaces, defaults and AWS's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from lakebox.services.firehose import prefixes

# 2018-08-27 10:30:05.123 UTC, the moment of AWS's own prefix examples.
ARRIVAL = int(dt.datetime(2018, 8, 27, 10, 30, 5, 123000, tzinfo=dt.timezone.utc).timestamp() * 1000)
UTC = dt.timezone.utc


@pytest.mark.parametrize("pattern, expected", [
    ("yyyy", "2018"), ("yy", "18"), ("MM", "08"), ("M", "8"), ("dd", "27"), ("d", "27"), ("HH", "10"),
    ("mm", "30"), ("ss", "05"), ("yyyy-MM-dd", "2018-08-27"), ("yyyy'-'MM'-'dd", "2018-08-27"),
    ("'year='yyyy", "year=2018"), ("SSS", "123"), ("MMM", "Aug"), ("EEE", "Mon"), ("DDD", "239"),
])
def test_timestamp_patterns_follow_java(pattern, expected):
    assert prefixes.evaluate(f"p/!{{timestamp:{pattern}}}/", ARRIVAL, UTC) == f"p/{expected}/"


def test_no_prefix_is_the_hourly_default():
    assert prefixes.evaluate(None, ARRIVAL, UTC) == "2018/08/27/10/"
    assert prefixes.evaluate("", ARRIVAL, UTC) == "2018/08/27/10/"


def test_a_prefix_without_expressions_gets_the_default_appended():
    assert prefixes.evaluate("myPrefix/", ARRIVAL, UTC) == "myPrefix/2018/08/27/10/"


def test_expressions_replace_the_default():
    prefix = "myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
    assert prefixes.evaluate(prefix, ARRIVAL, UTC) == "myPrefix/year=2018/month=08/day=27/hour=10/"


def test_error_prefix_names_the_failure_and_defaults_per_type():
    assert prefixes.evaluate(None, ARRIVAL, UTC, error_type="processing-failed") == \
        "processing-failed/2018/08/27/10/"
    assert prefixes.evaluate("err/!{firehose:error-output-type}/!{timestamp:yyyy}/", ARRIVAL, UTC,
                             error_type="format-conversion-failed") == "err/format-conversion-failed/2018/"


def test_random_string_is_eleven_characters_and_partition_keys_fill_in():
    key = prefixes.evaluate("r/!{firehose:random-string}/t=!{partitionKeyFromQuery:type}/", ARRIVAL, UTC,
                            partition_keys={"type": "click"})
    first, random_part, rest, _ = key.split("/")
    assert first == "r" and len(random_part) == 11 and random_part.isalnum() and rest == "t=click"


def test_custom_time_zone_moves_the_hour():
    tokyo = prefixes.zone("Asia/Tokyo")
    assert prefixes.evaluate(None, ARRIVAL, tokyo) == "2018/08/27/19/"
    with pytest.raises(prefixes.PrefixError):
        prefixes.zone("Mars/Olympus")


def test_object_suffix_is_stream_version_time_uuid_extension():
    suffix = prefixes.object_suffix("events", 3, ARRIVAL, UTC, ".gz")
    head, uid = suffix[: len("events-3-2018-08-27-10-30-05-")], suffix[len("events-3-2018-08-27-10-30-05-"):]
    assert head == "events-3-2018-08-27-10-30-05-"
    assert uid.endswith(".gz") and len(uid) == 36 + 3 and uid.count("-") == 4


@pytest.mark.parametrize("prefix, error_prefix, partitioning, message", [
    ("a/!{firehose:error-output-type}/", False, False, "only allowed in ErrorOutputPrefix"),
    ("a/!{timestamp:yyyy-QQQ}/", False, False, "not a valid DateTimeFormatter"),
    ("a/!{nope:x}/", False, False, "Unknown namespace"),
    ("a/!{firehose:uuid}/", False, False, "has no value"),
    ("a/!{partitionKeyFromQuery:k}/", False, False, "dynamic partitioning is enabled"),
    ("a/!{partitionKeyFromQuery:k}/", True, True, "ErrorOutputPrefix cannot use"),
    ("a/!{timestamp:yyyy/", False, False, "not of the form"),
    ("a/!{partitionKeyFromLambda:k}/", False, True, "Lambda"),
])
def test_refused_prefixes(prefix, error_prefix, partitioning, message):
    with pytest.raises(prefixes.PrefixError, match=message):
        prefixes.check_prefix(prefix, error_prefix=error_prefix, dynamic_partitioning=partitioning)


def test_accepted_prefixes():
    prefixes.check_prefix("a/!{timestamp:yyyy}/!{firehose:random-string}/", error_prefix=False,
                          dynamic_partitioning=False)
    prefixes.check_prefix("e/!{firehose:error-output-type}/!{timestamp:yyyy}/", error_prefix=True,
                          dynamic_partitioning=False)
    prefixes.check_prefix("a/!{partitionKeyFromQuery:k}/", error_prefix=False, dynamic_partitioning=True)
