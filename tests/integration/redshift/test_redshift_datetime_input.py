"""Redshift's date and time spellings and edge values through redshift_connector, under each result
protocol it asks for: MDY dates, month names, zone abbreviations and names, 24:00:00, BC dates, years
past Python's 9999 (which the driver reads as its maximum), and the obsolete ABSTIME (OID 702, 4
bytes of seconds)."""

from __future__ import annotations

import datetime as dt

import pytest
import redshift_connector
from redshift_helpers import PASSWORD

UTC = dt.timezone.utc
ABSTIME = 702


@pytest.fixture(params=[0, 1, 2], ids=["text", "extended-metadata", "binary"])
def protocol_cursor(request, cluster):
    endpoint = cluster["Endpoint"]
    with redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="analytics",
                                    user="admin", password=PASSWORD, ssl=False,
                                    client_protocol_version=request.param) as conn:
        conn.autocommit = True
        yield conn.cursor()


def test_dates_in_redshifts_spellings_are_stored_and_read_back(protocol_cursor):
    cursor = protocol_cursor
    cursor.execute("CREATE TABLE days (c1 varchar, c2 date)")
    cursor.execute("INSERT INTO days VALUES ('mdy', '01-06-2020'), ('dots', '01.20.2020'), ('iso', '2020-01-06'), "
                   "('name', 'Jan-31-2000'), ('year 4713', '4713-01-12'), ('far', '294276-01-02'), "
                   "('feb 29', '02-29-2020')")
    cursor.execute("SELECT c1, c2 FROM days")
    assert [list(r) for r in cursor.fetchall()] == [
        ["mdy", dt.date(2020, 1, 6)], ["dots", dt.date(2020, 1, 20)], ["iso", dt.date(2020, 1, 6)],
        ["name", dt.date(2000, 1, 31)], ["year 4713", dt.date(4713, 1, 12)], ["far", dt.date.max],
        ["feb 29", dt.date(2020, 2, 29)]]


def test_timestamps_read_their_zone_or_ignore_it_by_type(protocol_cursor):
    cursor = protocol_cursor
    cursor.execute("CREATE TABLE moments (c1 varchar, ts timestamp, tz timestamptz)")
    cursor.execute("INSERT INTO moments VALUES ('est', 'Jun 1,2008  09:59:59 EST', 'Jun 1,2008  09:59:59 EST'), "
                   "('pacific', 'Dec 31,2008 18:20 US/Pacific', 'Dec 31,2008 18:20 US/Pacific'), "
                   "('far', '294276-01-02 23:59:59', '294276-01-02 23:59:59 UTC')")
    cursor.execute("SELECT c1, ts, tz FROM moments")
    assert [list(r) for r in cursor.fetchall()] == [
        ["est", dt.datetime(2008, 6, 1, 9, 59, 59), dt.datetime(2008, 6, 1, 14, 59, 59, tzinfo=UTC)],
        ["pacific", dt.datetime(2008, 12, 31, 18, 20), dt.datetime(2009, 1, 1, 2, 20, tzinfo=UTC)],
        ["far", dt.datetime.max, dt.datetime.max]]   # past Python's years: the driver's maximum


def test_times_of_24_00_are_midnight_and_timetz_is_utc(protocol_cursor):
    cursor = protocol_cursor
    cursor.execute("CREATE TABLE clocks (c1 varchar, t time, tz timetz)")
    cursor.execute("INSERT INTO clocks VALUES ('end', '24:00:00', '24:00:00 WET'), "
                   "('est', '00:00:00', '00:00:00 EST'), ('wdt', '12:30:10', '12:30:10 WDT')")
    cursor.execute("SELECT c1, t, tz FROM clocks")
    assert [list(r) for r in cursor.fetchall()] == [
        ["end", dt.time(0, 0), dt.time(0, 0, tzinfo=UTC)],
        ["est", dt.time(0, 0), dt.time(5, 0, tzinfo=UTC)],
        ["wdt", dt.time(12, 30, 10), dt.time(3, 30, 10, tzinfo=UTC)]]


def test_abstime_casts_answer_oid_702_seconds(protocol_cursor):
    cursor = protocol_cursor
    cursor.execute("SELECT 'infinity'::abstime, CAST('-infinity' AS abstime) AS early, "
                   "'2022-06-10'::abstime AS day, DATE '2022-06-10'::abstime AS from_date")
    assert [d[1] for d in cursor.description] == [ABSTIME] * 4
    assert cursor.description[0][0] == "abstime"
    assert list(cursor.fetchone()) == [dt.datetime(2038, 1, 19, 3, 14, 4, tzinfo=UTC),
                                       dt.datetime(1901, 12, 13, 20, 45, 52, tzinfo=UTC),
                                       dt.datetime(2022, 6, 10, tzinfo=UTC), dt.datetime(2022, 6, 10, tzinfo=UTC)]


def test_bc_dates_reach_the_driver_which_reads_them_as_its_minimum(protocol_cursor):
    protocol_cursor.execute("SELECT '4713-01-12 BC'::date, '2020-01-06'::date")
    assert list(protocol_cursor.fetchone()) == [dt.date.min, dt.date(2020, 1, 6)]


def test_a_date_that_is_no_date_is_refused(cursor):
    with pytest.raises(redshift_connector.ProgrammingError):
        cursor.execute("SELECT '02-30-2021'::date")
