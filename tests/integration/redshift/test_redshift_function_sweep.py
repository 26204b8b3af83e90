"""Redshift's SQL functions as the examples of AWS's function pages give them, through the cluster's
endpoint with redshift_connector: one (statement, expected row) per example, for the functions DuckDB
lacks or answers otherwise (function_rules): date parts as Redshift spells them, DATEDIFF by week,
TO_DATE and TO_TIMESTAMP templates, REGEXP_REPLACE and REGEXP_SUBSTR parameters, SUBSTRING before the
first character, SOUNDEX, DIFFERENCE, OCTETINDEX, INTERVAL_CMP, SHA2, MURMUR3_32_HASH, COLLATE,
STRTOL of '0x' text, JSON_EXTRACT_PATH_TEXT and JSON_ARRAY_LENGTH with null_if_invalid."""

from __future__ import annotations

import datetime as dt

import pytest
from redshift_helpers import rows as _rows

_UTC = dt.timezone.utc

CASES = [
    # DATE_PART, DATE_TRUNC, DATEDIFF with AWS's date part abbreviations; PGDATE_PART is DATE_PART.
    ("select date_part(yearday, timestamp '20220502 04:05:06.789')", [122]),
    ("select date_part(dayofweek, timestamp '20220502 04:05:06.789')", [1]),
    ("select date_part(millennium, timestamp '20220502 04:05:06.789')", [3]),
    ("select pgdate_part(month, date '2008-01-04')", [1]),
    ("select date_trunc('qtr', timestamp '20220430 04:05:06.789')", [dt.datetime(2022, 4, 1)]),
    ("select date_trunc('week', timestamp '20220430 04:05:06.789')", [dt.datetime(2022, 4, 25)]),
    ("select datediff(week, '2009-01-01', '2009-12-31')", [52]),
    ("select datediff(w, '2023-01-07', '2023-01-08'), datediff(w, '2023-01-08', '2023-01-09')", [0, 1]),
    ("select datediff(qtr, '2008-12-31', '2009-01-01')", [1]),
    # TO_DATE and TO_TIMESTAMP: Postgres templates, days and hours past their range carried over.
    ("select to_date('02 Oct 2001', 'DD Mon YYYY')", [dt.date(2001, 10, 2)]),
    ("select to_date('20010631', 'YYYYMMDD')", [dt.date(2001, 7, 1)]),
    ("select to_date('JUN 30 2001', 'MON DD YYYY'), to_date('2001-181', 'YYYY-DDD')",
     [dt.date(2001, 6, 30), dt.date(2001, 6, 30)]),
    ("select to_timestamp('05 Dec 2000', 'DD Mon YYYY')", [dt.datetime(2000, 12, 5, tzinfo=_UTC)]),
    ("select to_timestamp('2011-12-18 24:38:15', 'YYYY-MM-DD HH24:MI:SS')",
     [dt.datetime(2011, 12, 19, 0, 38, 15, tzinfo=_UTC)]),
    ("select to_timestamp('1,000 01 01', 'Y,YYY MM DD')", [dt.datetime(1000, 1, 1, tzinfo=_UTC)]),
    ("select to_timestamp('2020-03-04 01:02:03 PM', 'YYYY-MM-DD HH12:MI:SS AM')",
     [dt.datetime(2020, 3, 4, 13, 2, 3, tzinfo=_UTC)]),
    # Comparisons of intervals and of TIMESTAMPTZ values.
    ("select interval_cmp('3 days', '1 year'), interval_cmp('7 days', '1 week'), interval_cmp('1 year', '3 days')",
     [-1, 0, 1]),
    ("select date_cmp_timestamptz('2008-01-05'::date, '2008-01-04 00:00:00+00'::timestamptz)", [1]),
    # Strings.
    ("select soundex('Amazon Redshift'), soundex('Robert'), soundex('Ashcraft'), soundex('+-*/%')",
     ["A525", "R163", "A261", ""]),
    ("select difference('Amazon', 'Amazing'), difference('Amazon', '+-*/%')", [4, 0]),
    ("select octetindex('q', 'Amazon Redshift'), octetindex('Red', 'Amazon Redshift'), "
     "octetindex('Redshift', 'Άμαζον Amazon Redshift')", [0, 8, 21]),
    ("select substring('caterpillar', -2, 6), substring('caterpillar', 0, 2), substring('caterpillar', -8, 3)",
     ["cat", "c", ""]),
    ("select strtol('0xf', 16), strtol('abcd1234', 16), strtol('110', 2)", [15, 2882343476, 6]),
    ("select collate('AbC', 'case_insensitive') = 'abc', collate('AbC', 'case_sensitive') = 'abc'", [True, False]),
    # REGEXP_REPLACE replaces every match, from a position, with its parameters.
    ("select regexp_replace('DonecFri@semperpretiumneque.ca', '@.*\\\\.(org|gov|com|edu|ca)$')", ["DonecFri"]),
    ("select regexp_replace('aaa', 'a', 'b'), regexp_replace('aaaa', 'a', 'b', 3)", ["bbb", "aabb"]),
    ("select regexp_replace('aaAa', 'a', 'b', 1, 'i'), regexp_replace('aaAa', 'a', 'b', 1, 'ic')", ["bbbb", "bbAb"]),
    ("select regexp_replace('the fox', 'FOX', 'quick brown fox', 1, 'ip')", ["the quick brown fox"]),
    ("select regexp_substr('This is a test', 'T(hi)s', 1, 1, 'e'), regexp_substr('This is a test', 'IS', 1, 2, 'i')",
     ["hi", "is"]),
    # Hashes.
    ("select sha2('Amazon Redshift', 256), sha2('Amazon Redshift', 0)",
     ["15013dc10bc5b293f1f66ea28d818387f191cafeb26f89639fae0b4acf9c8772"] * 2),
    ("select length(sha2('Amazon Redshift', 224)), length(sha2('Amazon Redshift', 384)), "
     "length(sha2('Amazon Redshift', 512))", [56, 96, 128]),
    ("select murmur3_32_hash(1), murmur3_32_hash('Amazon Redshift')", [1392991556, -1563580564]),
    ("select murmur3_32_hash('abcd'), murmur3_32_hash('cd', murmur3_32_hash('ab'))", [1139631978, 1711522338]),
    # JSON with null_if_invalid; a path that is not there is ''.
    ("""select json_extract_path_text('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}}', 'f4', 'f6')""", ["star"]),
    ("""select json_extract_path_text('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"', 'f4', 'f6', true)""", [None]),
    ("""select json_extract_path_text('{"a":1}', 'b'), json_extract_path_text('{"a":null}', 'a')""", ["", None]),
    ("select json_array_length('[11,12,13,{\"f1\":21,\"f2\":[25,26]},14]'), json_array_length('[11,12', true)",
     [5, None]),
]


@pytest.mark.parametrize("sql, expected", CASES, ids=[sql[7:60] for sql, _ in CASES])
def test_function_gives_the_documented_value(cursor, sql, expected):
    assert _rows(cursor, sql) == [expected]


def test_regexp_replace_and_substring_take_columns(cursor):
    cursor.execute("create table sweep_words (w varchar(20), n int)")
    cursor.execute("insert into sweep_words values ('banana', 2), ('abc', -1)")
    assert _rows(cursor, "select regexp_replace(w, 'a', '_'), substring(w, n, 3) from sweep_words order by n") == [
        ["_bc", "a"], ["b_n_n_", "ana"]]


def test_sha2_of_another_bit_length_is_an_error(cursor):
    import redshift_connector

    with pytest.raises(redshift_connector.ProgrammingError):
        cursor.execute("select sha2('Amazon Redshift', 100)")


def test_extract_gives_the_part_alone_and_date_part_the_whole_seconds(cursor):
    """AWS's "Date parts" page: EXTRACT returns only the part asked for (an INTEGER, named date_part;
    a DOUBLE PRECISION from a TIMESTAMPTZ), DATE_PART the whole seconds field in the unit asked for (a
    DOUBLE PRECISION, named pgdate_part)."""
    cursor.execute("create table seconds (micro timestamp, zoned timestamptz)")
    cursor.execute("insert into seconds values ('2009-09-21 11:10:03.189717', '2009-09-21 11:10:03.189717+02')")
    cursor.execute("select extract(sec from micro), extract(ms from micro), extract(microsec from micro), "
                   "date_part(sec, micro), date_part(ms, micro), date_part(us, micro), extract(hour from zoned) "
                   "from seconds")
    assert [list(r) for r in cursor.fetchall()] == [[3, 189, 717, 3.189717, 3189.717, 3189717.0, 9]]
    assert [d[0] for d in cursor.description] == ["date_part"] * 3 + ["pgdate_part"] * 3 + ["date_part"]
    assert [d[1] for d in cursor.description[:4]] == [23, 23, 23, 701]
    cursor.execute("select extract(ms from timestamp '2009-09-09 12:08:43.101'), "
                   "extract(year from timestamptz '1.12.1997 07:37:16.00 PST'), "
                   "extract(hour from timestamptz '2024-03-05 10:11:12+02'), "
                   "date_part(minute, '20230104 04:05:06.789')")
    assert [list(r) for r in cursor.fetchall()] == [[101, 1997.0, 8.0, 5.0]]
    assert [d[1] for d in cursor.description] == [23, 701, 701, 701]
