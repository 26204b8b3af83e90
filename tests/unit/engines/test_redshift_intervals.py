"""Redshift's INTERVAL YEAR TO MONTH and INTERVAL DAY TO SECOND: reading interval text (intervals.py),
printing it in the `postgres` IntervalStyle, the wire encodings, and the translation rules
(interval_types.py), one line per rule. The values through redshift_connector are in
tests/integration/redshift/test_redshift_interval_types.py."""

from __future__ import annotations

import struct

import pytest

from lakebox.engines.redshift import intervals, pg_types
from lakebox.engines.redshift.intervals import DayToSecond, IntervalError, YearToMonth
from lakebox.engines.redshift.translate import translate

DAY, HOUR, MINUTE, SECOND = 86_400_000_000, 3_600_000_000, 60_000_000, 1_000_000
COLUMNS = {"t": {"y": "INTERVAL YEAR TO MONTH", "d": "INTERVAL DAY TO SECOND", "day": "DATE", "s": "VARCHAR"}}


def _columns(table):
    return COLUMNS.get(table.name)


@pytest.mark.parametrize("text, qualifier, months", [
    ("37 months", "YEAR TO MONTH", 37),
    ("1-1", "YEAR TO MONTH", 13),
    ("-178956970-8", "YEAR TO MONTH", -(2 ** 31)),
    ("178956970-7", "YEAR TO MONTH", 2 ** 31 - 1),
    ("1 year 2 months", "YEAR TO MONTH", 14),
    # AWS: '23' MONTH is 1 year 11 months, '1-2' MONTH 1 year 2 months, '13 months' YEAR 1 year.
    ("23", "MONTH", 23),
    ("1-2", "MONTH", 14),
    ("13 months", "YEAR", 12),
    ("1", "YEAR", 12),
    ("@ 2 years ago", "YEAR TO MONTH", -24),
])
def test_year_to_month_reads_redshift_interval_text(text, qualifier, months):
    assert intervals.year_to_month(text, qualifier) == months


@pytest.mark.parametrize("text, qualifier, micros", [
    ("10 days 48 hours", "DAY TO SECOND", 12 * DAY),
    ("10 23:59:59.999999", "DAY TO SECOND", 11 * DAY - 1),
    ("-106751991 -04:00:54.775808", "DAY TO SECOND", -(2 ** 63)),
    ("106751991 04:00:54.775807", "DAY TO SECOND", 2 ** 63 - 1),
    # AWS's literal examples: '-2' DAY, '2:2' MINUTE TO SECOND and HOUR TO MINUTE, '5s' SECOND, '5 h' HOUR,
    # and MINUTE dropping the seconds.
    ("-2", "DAY", -2 * DAY),
    ("2:2", "MINUTE TO SECOND", 2 * MINUTE + 2 * SECOND),
    ("2:2", "HOUR TO MINUTE", 2 * HOUR + 2 * MINUTE),
    ("5s", "SECOND", 5 * SECOND),
    ("5 h", "HOUR", 5 * HOUR),
    ("1 day 1 hour 1 minute 1.123 seconds", "MINUTE", DAY + HOUR + MINUTE),
    ("13 day 1 hour 1 minute 1.123 seconds", "SECOND", 13 * DAY + HOUR + MINUTE + 1_123_000),
])
def test_day_to_second_reads_redshift_interval_text(text, qualifier, micros):
    assert intervals.day_to_second(text, qualifier) == micros


@pytest.mark.parametrize("call, sqlstate", [
    (lambda: intervals.year_to_month("soon"), "22P02"),
    (lambda: intervals.day_to_second("1 fortnight"), "22P02"),
    (lambda: intervals.day_to_second("1 year 1 day"), "22007"),
    (lambda: intervals.year_to_month("1 year 1 day"), "22007"),
    (lambda: intervals.year_to_month("178956970-8"), "22008"),
    (lambda: intervals.day_to_second("106751991 04:00:54.775808"), "22008"),
])
def test_interval_text_that_redshift_refuses_raises_with_its_sqlstate(call, sqlstate):
    with pytest.raises(IntervalError) as error:
        call()
    assert error.value.sqlstate == sqlstate


@pytest.mark.parametrize("value, text", [
    (YearToMonth(14), "1 year 2 mons"),
    (YearToMonth(24), "2 years"),
    (YearToMonth(-14), "-1 years -2 mons"),
    (YearToMonth(0), "00:00:00"),
    (DayToSecond(DAY + 2 * HOUR + 3 * MINUTE + 4_567_800), "1 day 02:03:04.5678"),
    (DayToSecond(2 * DAY + HOUR + MINUTE), "2 days 01:01:00"),
    (DayToSecond(-(DAY + HOUR)), "-1 days -01:00:00"),
    (DayToSecond(-HOUR), "-01:00:00"),
    (DayToSecond(-(2 ** 63)), "-106751991 days -04:00:54.775808"),
])
def test_intervals_print_in_the_postgres_interval_style(value, text):
    assert str(value) == text


def test_wire_types_are_months_and_microseconds():
    assert pg_types.column_type("interval year to month").oid == pg_types.INTERVALY2M
    assert pg_types.column_type("intervald2s") == pg_types.ColumnType(pg_types.INTERVALD2S, 8, -1)
    assert pg_types.encode_binary(YearToMonth(-5), pg_types.INTERVALY2M) == struct.pack("!i", -5)
    assert pg_types.encode_binary(DayToSecond(2 ** 63 - 1), pg_types.INTERVALD2S) == struct.pack("!q", 2 ** 63 - 1)
    assert pg_types.encode_text(YearToMonth(37), pg_types.INTERVALY2M) == b"3 years 1 mon"
    bound = pg_types.decode_param(struct.pack("!q", -DAY), pg_types.INTERVALD2S, True)
    assert pg_types.sql_literal(bound) == "CAST('-1 days' AS INTERVAL DAY TO SECOND)"


@pytest.mark.parametrize("redshift, duckdb", [
    ("SELECT '1-2'::intervaly2m",
     "SELECT (DATEPART('year', TO_MONTHS(REDSHIFT_INTERVAL_MONTHS(CAST('1-2' AS TEXT), 'YEAR TO MONTH'))) * 12 "
     "+ DATEPART('month', TO_MONTHS(REDSHIFT_INTERVAL_MONTHS(CAST('1-2' AS TEXT), 'YEAR TO MONTH')))) "
     "AS \"intervaly2m\""),
    ("SELECT d FROM t",
     "SELECT EPOCH_US(d) AS \"d\" FROM t"),
    ("INSERT INTO t (y) VALUES ('1-1')",
     "INSERT INTO t (y) VALUES (TO_MONTHS(REDSHIFT_INTERVAL_MONTHS(CAST('1-1' AS TEXT), 'YEAR TO MONTH')))"),
    ("SELECT y::text AS v FROM t",
     "SELECT CAST(REDSHIFT_INTERVAL_MONTHS_TEXT((DATEPART('year', y) * 12 + DATEPART('month', y))) AS TEXT) "
     "AS v FROM t"),
    ("SELECT s FROM t WHERE day + y > DATE '2020-01-01'",
     "SELECT s FROM t WHERE CAST(day + y AS DATE) > CAST('2020-01-01' AS DATE)"),
])
def test_translation_rules(redshift, duckdb):
    assert translate(redshift, column_types=_columns).statements[-1] == duckdb


def test_result_columns_of_interval_types_are_reported_by_position():
    plan = translate("SELECT s, y, d, d * 2 AS twice, day + y AS later FROM t", column_types=_columns)
    assert plan.interval_columns == {1: intervals.Y2M, 2: intervals.D2S, 3: intervals.D2S}
