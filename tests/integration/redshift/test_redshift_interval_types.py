"""Redshift's INTERVAL YEAR TO MONTH and INTERVAL DAY TO SECOND through redshift_connector: the wire
types (OIDs 1188 and 1190, months and microseconds), casts from Redshift's interval text, columns of
both types, bound parameters, arithmetic with dates and timestamps, text output and the catalog."""

from __future__ import annotations

import datetime as dt

import pytest
import redshift_connector
from redshift_connector.interval import IntervalDayToSecond, IntervalYearToMonth
from redshift_helpers import rows

INTERVALY2M, INTERVALD2S = 1188, 1190


def _type_oids(cursor) -> list:
    return [column[1] for column in cursor.description]


@pytest.mark.parametrize("literal, months", [
    ("'37 months'", 37), ("'1-1'", 13), ("'-178956970-8'", -(2 ** 31)), ("'178956970-7'", 2 ** 31 - 1),
])
def test_cast_to_intervaly2m_returns_months_as_interval_year_to_month(cursor, literal, months):
    cursor.execute(f"SELECT {literal}::intervaly2m")
    assert _type_oids(cursor) == [INTERVALY2M]
    assert cursor.description[0][0] == "intervaly2m"
    value = cursor.fetchall()[0][0]
    assert isinstance(value, IntervalYearToMonth)
    assert value == IntervalYearToMonth(months)


@pytest.mark.parametrize("literal, micros", [
    ("'10 days 48 hours'", 12 * 86400 * 10 ** 6),
    ("'10 23:59:59.999999'", 11 * 86400 * 10 ** 6 - 1),
    ("'-106751991 -04:00:54.775808'", -(2 ** 63)),
    ("'106751991 04:00:54.775807'", 2 ** 63 - 1),
])
def test_cast_to_intervald2s_returns_microseconds_as_interval_day_to_second(cursor, literal, micros):
    cursor.execute(f"SELECT {literal}::intervald2s")
    assert _type_oids(cursor) == [INTERVALD2S]
    value = cursor.fetchall()[0][0]
    assert isinstance(value, IntervalDayToSecond)
    assert value == IntervalDayToSecond(micros)


def test_qualified_interval_casts_follow_the_qualifier(cursor):
    cursor.execute("SELECT CAST('1 year 2 months' AS INTERVAL YEAR TO MONTH), '13 months'::interval year, "
                   "'23'::interval month, '2:2'::interval minute to second, "
                   "'1 day 1 hour 1 minute 1.123 seconds'::interval day to minute")
    assert _type_oids(cursor) == [INTERVALY2M, INTERVALY2M, INTERVALY2M, INTERVALD2S, INTERVALD2S]
    assert list(cursor.fetchall()[0]) == [IntervalYearToMonth(14), IntervalYearToMonth(12), IntervalYearToMonth(23),
                                          IntervalDayToSecond(122 * 10 ** 6),
                                          IntervalDayToSecond((86400 + 3600 + 60) * 10 ** 6)]


def test_interval_columns_keep_their_types_through_insert_and_select(cursor):
    cursor.execute("CREATE TABLE iv_cols (id varchar(10), y2m interval year to month, d2s interval day to second (4), "
                   "y intervaly2m)")
    cursor.execute("INSERT INTO iv_cols VALUES ('a', '1-2', '1 2:3:4.5678', '37 months'), "
                   "('b', '-3 months', '-10 days', NULL)")
    cursor.execute("SELECT id, y2m, d2s, y FROM iv_cols ORDER BY id")
    assert _type_oids(cursor)[1:] == [INTERVALY2M, INTERVALD2S, INTERVALY2M]
    assert [list(r) for r in cursor.fetchall()] == [
        ["a", IntervalYearToMonth(14), IntervalDayToSecond(((86400 + 2 * 3600 + 3 * 60 + 4) * 10 ** 6) + 567800),
         IntervalYearToMonth(37)],
        ["b", IntervalYearToMonth(-3), IntervalDayToSecond(-10 * 86400 * 10 ** 6), None],
    ]
    cursor.execute("SELECT * FROM iv_cols WHERE id = 'a'")
    assert _type_oids(cursor)[1:] == [INTERVALY2M, INTERVALD2S, INTERVALY2M]
    assert rows(cursor, "SELECT max(y2m), min(d2s) FROM iv_cols") == [
        [IntervalYearToMonth(14), IntervalDayToSecond(-10 * 86400 * 10 ** 6)]]


def test_bound_interval_parameters_are_stored_exactly(cursor):
    cursor.execute("CREATE TABLE iv_params (id text, v1 intervaly2m, v2 intervald2s)")
    cursor.execute("INSERT INTO iv_params VALUES (%s, %s, %s)",
                   ("max", IntervalYearToMonth(2 ** 31 - 1), IntervalDayToSecond(2 ** 63 - 1)))
    cursor.execute("INSERT INTO iv_params VALUES (%s, %s, %s)",
                   ("min", IntervalYearToMonth(-(2 ** 31)), IntervalDayToSecond(-(2 ** 63))))
    assert rows(cursor, "SELECT id, v1, v2 FROM iv_params ORDER BY id") == [
        ["max", IntervalYearToMonth(2 ** 31 - 1), IntervalDayToSecond(2 ** 63 - 1)],
        ["min", IntervalYearToMonth(-(2 ** 31)), IntervalDayToSecond(-(2 ** 63))],
    ]


def test_interval_arithmetic_with_dates_and_timestamps(cursor):
    cursor.execute("CREATE TABLE iv_math (d date, ts timestamp, y2m interval year to month, "
                   "d2s interval day to second)")
    cursor.execute("INSERT INTO iv_math VALUES ('2020-01-31', '2020-01-01 10:00:00', '1 month', '1 day 02:00:00')")
    assert rows(cursor, "SELECT d + y2m, d - y2m, ts + d2s, ts - d2s, y2m + y2m, d2s * 2 FROM iv_math") == [
        [dt.date(2020, 2, 29), dt.date(2019, 12, 31), dt.datetime(2020, 1, 2, 12), dt.datetime(2019, 12, 31, 8),
         IntervalYearToMonth(2), IntervalDayToSecond(2 * 26 * 3600 * 10 ** 6)]]


def test_intervals_cast_to_text_in_postgres_style(cursor):
    assert rows(cursor, "SELECT '1-2'::intervaly2m::text, '1 2:3:4.5678'::intervald2s::text, "
                        "'-14 months'::intervaly2m::varchar, '2 years'::intervaly2m::text") == [
        ["1 year 2 mons", "1 day 02:03:04.5678", "-1 years -2 mons", "2 years"]]


def test_bad_interval_text_is_refused_as_redshift_refuses_it(cursor):
    with pytest.raises(redshift_connector.ProgrammingError, match="invalid input syntax for type interval"):
        cursor.execute("SELECT 'soon'::intervaly2m")
    with pytest.raises(redshift_connector.ProgrammingError, match="cannot contain year-month parts"):
        cursor.execute("SELECT '1 year 1 day'::interval day to second")


def test_interval_columns_in_the_catalog(cursor):
    cursor.execute("CREATE TABLE iv_catalog (y2m interval year to month, d2s interval day to second)")
    assert rows(cursor, "SELECT \"column\", type FROM pg_table_def WHERE tablename = 'iv_catalog'") == [
        ["y2m", "interval year to month"], ["d2s", "interval day to second"]]
    assert rows(cursor, "SELECT column_name, data_type FROM svv_columns WHERE table_name = 'iv_catalog' "
                        "ORDER BY ordinal_position") == [
        ["y2m", "interval year to month"], ["d2s", "interval day to second"]]


def test_aws_interval_column_examples_update_and_delete_by_qualified_literals(cursor):
    """AWS's "Examples of interval data type": an INTERVAL HOUR TO MINUTE column drops the seconds."""
    cursor.execute("CREATE TABLE sample_intervals (y2m interval month, h2m interval hour to minute)")
    cursor.execute("INSERT INTO sample_intervals VALUES (interval '20' month, "
                   "interval '2 days 1:1:1.123456' day to second)")
    assert rows(cursor, "SELECT y2m::text, h2m::text FROM sample_intervals") == [["1 year 8 mons", "2 days 01:01:00"]]
    cursor.execute("UPDATE sample_intervals SET y2m = interval '2' year WHERE y2m = interval '1-8' year to month")
    assert rows(cursor, "SELECT y2m::text FROM sample_intervals") == [["2 years"]]
    cursor.execute("DELETE FROM sample_intervals WHERE h2m = interval '2 1:1:0' day to second")
    assert rows(cursor, "SELECT count(*) FROM sample_intervals") == [[0]]
