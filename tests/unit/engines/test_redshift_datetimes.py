"""Redshift's date and time input (datetime_input.py), its translation rules (datetime_types.py), one line
per rule, and the wire encodings of the values DuckDB hands over as text (years past 9999, BC, 24:00:00)
and of ABSTIME. The values through redshift_connector are in
tests/integration/redshift/test_redshift_datetime_input.py."""

from __future__ import annotations

import struct

import pytest

from lakebox.engines.redshift import RedshiftError, datetime_input, pg_types
from lakebox.engines.redshift.datetime_input import AbsTime
from lakebox.engines.redshift.translate import translate

COLUMNS = {"t": {"c1": "VARCHAR", "d": "DATE", "ts": "TIMESTAMP", "tz": "TIMESTAMP WITH TIME ZONE",
                 "tm": "TIME", "ttz": "TIME WITH TIME ZONE"}}


def _columns(table):
    return COLUMNS.get(table.name)


def _duckdb(sql: str) -> list:
    return translate(sql, column_types=_columns).statements


@pytest.mark.parametrize("text, kind, expected", [
    # AWS's "Date, time, and timestamp literals", DateStyle MDY.
    ("January 8, 1999", "DATE", "1999-01-08"),
    ("1999-01-08", "DATE", "1999-01-08"),
    ("1/8/1999", "DATE", "1999-01-08"),
    ("01/02/00", "DATE", "2000-01-02"),
    ("2000-Jan-31", "DATE", "2000-01-31"),
    ("Jan-31-2000", "DATE", "2000-01-31"),
    ("31-Jan-2000", "DATE", "2000-01-31"),
    ("20080215", "DATE", "2008-02-15"),
    ("080215", "DATE", "2008-02-15"),
    ("2008.366", "DATE", "2008-12-31"),
    ("20080215 04:05:06.789", "TIMESTAMP", "2008-02-15 04:05:06.789000"),
    ("20080215 040506", "TIMESTAMP", "2008-02-15 04:05:06"),
    ("20080215 04:05 AM", "TIMESTAMP", "2008-02-15 04:05:00"),
    ("20080215 04:05 PM", "TIMESTAMP", "2008-02-15 16:05:00"),
    ("17 Dec 07:37:16 1997 PST", "TIMESTAMPTZ", "1997-12-17 15:37:16+00"),
    ("12/17/1997 07:37:16.00 US/Pacific", "TIMESTAMPTZ", "1997-12-17 15:37:16+00"),
    ("2016-10-21T00:00:00+09:00", "TIMESTAMPTZ", "2016-10-20 15:00:00+00"),
    ("20161020T000000+0900", "TIMESTAMPTZ", "2016-10-19 15:00:00+00"),
    ("2016-10-21T09:00:00Z", "TIMESTAMPTZ", "2016-10-21 09:00:00+00"),
    # redshift_connector's datatype suite, loaded with psql.
    ("01-06-2020", "DATE", "2020-01-06"),
    ("01.20.2020", "DATE", "2020-01-20"),
    ("4713-01-12", "DATE", "4713-01-12"),
    ("294276-01-02", "DATE", "294276-01-02"),
    ("Jun 1,2008  09:59:59", "TIMESTAMP", "2008-06-01 09:59:59"),
    ("Dec 31,2008 18:20", "TIMESTAMP", "2008-12-31 18:20:00"),
    ("Jun 1,2008  09:59:59 EST", "TIMESTAMPTZ", "2008-06-01 14:59:59+00"),
    ("Dec 31,2008 18:20 US/Pacific", "TIMESTAMPTZ", "2009-01-01 02:20:00+00"),
    ("12:30:10 WDT", "TIMETZ", "03:30:10+00"),
    ("22:44:54.18 CET", "TIMETZ", "21:44:54.180000+00"),
])
def test_canonical_reads_redshift_datetime_text(text, kind, expected):
    assert datetime_input.canonical(text, kind) == expected


def test_a_timestamp_ignores_a_zone_in_its_text():
    assert datetime_input.canonical("2020-01-01 10:00:00+05:30", "TIMESTAMP") == "2020-01-01 10:00:00"


def test_a_time_of_24_00_is_midnight_and_a_timestamp_at_24_00_the_next_day():
    assert datetime_input.canonical("24:00:00", "TIME") == "00:00:00"
    assert datetime_input.canonical("24:00:00 WET", "TIMETZ") == "00:00:00+00"
    assert datetime_input.canonical("2020-02-28 24:00", "TIMESTAMP") == "2020-02-29 00:00:00"
    assert datetime_input.canonical("24:00:01", "TIME") is None


def test_bc_dates_are_written_as_duckdb_reads_them():
    assert datetime_input.canonical("4713-01-12 BC", "DATE") == "4713-01-12 (BC)"
    assert datetime_input.canonical("0001-01-01 BC 10:00", "TIMESTAMP") == "0001-01-01 (BC) 10:00:00"


def test_a_timestamp_past_duckdbs_last_but_within_redshifts_range_is_duckdbs_last():
    assert datetime_input.canonical("294276-01-02 23:59:59", "TIMESTAMP") == "294247-01-10 04:00:54.775806"
    assert datetime_input.canonical("294276-12-31 23:59:59.999999 UTC", "TIMESTAMPTZ") \
        == "294247-01-10 04:00:54.775806+00"
    assert datetime_input.canonical("294277-01-01", "TIMESTAMP") == "294277-01-01 00:00:00"  # DuckDB refuses it


@pytest.mark.parametrize("text, kind", [
    ("infinity", "DATE"), ("epoch", "TIMESTAMP"), ("2020-13-01", "DATE"), ("02-30-2021", "DATE"),
    ("12:00", "DATE"), ("2020-01-01", "TIME"), ("13:00 PM", "TIME"), ("noon", "TIME"),
])
def test_text_it_does_not_read_is_left_to_duckdb(text, kind):
    assert datetime_input.canonical(text, kind) is None


@pytest.mark.parametrize("year, month, day", [(1970, 1, 1), (2000, 1, 1), (1, 1, 1), (-4712, 1, 1),
                                              (294276, 12, 31), (2024, 2, 29), (1582, 10, 4)])
def test_the_calendar_round_trips(year, month, day):
    assert datetime_input.civil_from_days(datetime_input.days_from_civil(year, month, day)) == (year, month, day)


@pytest.mark.parametrize("text, seconds, printed", [
    ("infinity", 0x7FFFFFFC, "infinity"),
    ("-infinity", -(1 << 31), "-infinity"),
    ("2022-06-10", 1654819200, "2022-06-10 00:00:00+00"),
    ("2022-06-10 12:00:00 EST", 1654880400, "2022-06-10 17:00:00+00"),
])
def test_abstime_reads_its_words_and_timestamps(text, seconds, printed):
    assert datetime_input.abstime_seconds(text) == seconds
    assert str(AbsTime(seconds)) == printed


def test_abstime_outside_its_32_bits_is_not_read():
    assert datetime_input.abstime_seconds("2040-01-01") is None
    assert datetime_input.abstime_seconds("yesterday-ish") is None


# -- the wire --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, oid, binary, printed", [
    # 4713-01-12 BC is Julian day 49, and 2000-01-01 Julian day 2451545.
    ("4713-01-12 (BC)", pg_types.DATE, struct.pack("!i", 49 - 2451545), "4713-01-12 BC"),
    ("4713-01-12 (BC) 00:00:00", pg_types.TIMESTAMP, struct.pack("!q", (49 - 2451545) * 86_400_000_000),
     "4713-01-12 00:00:00 BC"),
    ("294247-01-10 04:00:54.775806", pg_types.TIMESTAMP, struct.pack("!q", (1 << 63) - 2 - 946684800 * 10 ** 6),
     "294247-01-10 04:00:54.775806"),
    ("294247-01-10 04:00:54.775806+00", pg_types.TIMESTAMPTZ,
     struct.pack("!q", (1 << 63) - 2 - 946684800 * 10 ** 6), "294247-01-10 04:00:54.775806+00"),
    ("24:00:00", pg_types.TIME, struct.pack("!q", 0), "00:00:00"),
    ("24:00:00+01", pg_types.TIMETZ, struct.pack("!qi", 0, -3600), "00:00:00+01"),
])
def test_values_duckdb_hands_over_as_text_are_sent_as_postgres_sends_them(text, oid, binary, printed):
    assert pg_types.encode_binary(text, oid) == binary
    assert pg_types.encode_text(text, oid).decode() == printed


def test_the_far_date_is_counted_from_2000():
    days = datetime_input.days_from_civil(294276, 1, 2) - datetime_input.days_from_civil(2000, 1, 1)
    assert pg_types.encode_binary("294276-01-02", pg_types.DATE) == struct.pack("!i", days)
    assert pg_types.encode_text("294276-01-02", pg_types.DATE) == b"294276-01-02"


@pytest.mark.parametrize("day", ["0001-01-01", "1582-10-15", "1970-01-01", "2000-02-29", "9999-12-31"])
def test_the_calendar_agrees_with_pythons_where_python_has_one(day):
    import datetime as dt
    date = dt.date.fromisoformat(day)
    assert datetime_input.days_from_civil(date.year, date.month, date.day) \
        == (date - dt.date(1970, 1, 1)).days


def test_abstime_travels_as_4_bytes_of_oid_702():
    assert pg_types.column_type("abstime") == pg_types.ColumnType(702, 4, -1)
    assert pg_types.encode_binary(AbsTime(0x7FFFFFFC), pg_types.ABSTIME) == struct.pack("!i", 0x7FFFFFFC)
    assert pg_types.encode_text(AbsTime(-(1 << 31)), pg_types.ABSTIME) == b"-infinity"


def test_a_timetz_prints_its_zone():
    import datetime as dt
    assert pg_types.encode_text(dt.time(5, 0, tzinfo=dt.timezone.utc), pg_types.TIMETZ) == b"05:00:00+00"
    zone = dt.timezone(dt.timedelta(hours=5, minutes=30))
    assert pg_types.encode_text(dt.time(5, 0, 1, 500000, tzinfo=zone), pg_types.TIMETZ) == b"05:00:01.5+05:30"


# -- translation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("redshift, duckdb", [
    ("SELECT '01-06-2020'::date AS d", "SELECT CAST('2020-01-06' AS DATE) AS d"),
    ("SELECT DATE 'Jan-31-2000' AS d", "SELECT CAST('2000-01-31' AS DATE) AS d"),
    ("SELECT CAST('Jun 1,2008 09:59:59 EST' AS timestamptz) AS t",
     "SELECT CAST('2008-06-01 14:59:59+00' AS TIMESTAMPTZ) AS t"),
    ("SELECT '24:00:00'::time AS t", "SELECT CAST('00:00:00' AS TIME) AS t"),
    ("SELECT '2020-01-06'::date AS d", "SELECT CAST('2020-01-06' AS DATE) AS d"),
    ("SELECT 'infinity'::date AS d", "SELECT CAST('infinity' AS DATE) AS d"),
    ("INSERT INTO t (c1, d, tz) VALUES ('01-06-2020', '01-06-2020', 'Dec 31,2008 18:20 US/Pacific')",
     "INSERT INTO t (c1, d, tz) VALUES ('01-06-2020', '2020-01-06', '2009-01-01 02:20:00+00')"),
    ("INSERT INTO t VALUES ('x', '01.20.2020', NULL, NULL, '24:00:00', '00:00:00 EST')",
     "INSERT INTO t VALUES ('x', '2020-01-20', NULL, NULL, '00:00:00', '05:00:00+00')"),
    ("UPDATE t SET ts = 'Jun 1,2008 09:59:59', c1 = '01-06-2020'",
     "UPDATE t SET ts = '2008-06-01 09:59:59', c1 = '01-06-2020'"),
    ("SELECT 'infinity'::abstime", 'SELECT 2147483644 AS "abstime"'),
    ("SELECT CAST('2022-06-10' AS abstime) AS a", "SELECT 1654819200 AS a"),
    ("SELECT d::abstime AS a FROM t", "SELECT FLOOR(EPOCH(CAST(d AS TIMESTAMPTZ))) AS a FROM t"),
    ("SELECT DATE '2022-06-10'::abstime AS a",
     "SELECT FLOOR(EPOCH(CAST(CAST('2022-06-10' AS DATE) AS TIMESTAMPTZ))) AS a"),
    ("SELECT (c1)::varchar::abstime AS a FROM t",
     "SELECT FLOOR(EPOCH(CAST(CAST((c1) AS TEXT) AS TIMESTAMPTZ))) AS a FROM t"),
])
def test_translation_rule(redshift, duckdb):
    assert _duckdb(redshift) == [duckdb]


def test_abstime_result_columns_are_reported():
    assert translate("SELECT 1 AS n, 'infinity'::abstime, abstime('epoch') AS e").abstime_columns == {1, 2}
    assert translate("SELECT 'x' WHERE '2022-06-10'::abstime > 0").abstime_columns == set()


def test_abstime_text_it_cannot_read_is_22007():
    with pytest.raises(RedshiftError) as info:
        translate("SELECT 'not a time'::abstime")
    assert info.value.sqlstate == "22007"
