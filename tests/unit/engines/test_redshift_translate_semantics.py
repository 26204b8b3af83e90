"""The rewrites that give Redshift's answers where DuckDB's differ (semantics.py), one line per rule,
and the Python session functions they call: SIMILAR TO patterns as regular expressions, TO_CHAR's
datetime templates, TO_NUMBER, CRC32 and FNV_HASH (AWS's examples), and the error words of a
division by zero. The rows they give on a running cluster are in test_redshift_sql_semantics.py."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from lakebox.engines.redshift import RedshiftError
from lakebox.engines.redshift.datetime_format import to_char_time
from lakebox.engines.redshift.errors import duck_error
from lakebox.engines.redshift.hashes import crc32
from lakebox.engines.redshift.number_format import template_scale, to_number
from lakebox.engines.redshift.semantics import SESSION_FUNCTIONS, SESSION_MACROS
from lakebox.engines.redshift.similar_to import similar_to_regex
from lakebox.engines.redshift.translate import translate

RULES = [
    ("SELECT AVG(x), SUM(DISTINCT x) FROM t", 'SELECT REDSHIFT_AVG(x) AS "avg", REDSHIFT_SUM_DISTINCT(x) AS "sum" FROM t'),
    ("SELECT SUM(x) OVER (PARTITION BY g) FROM t", 'SELECT REDSHIFT_SUM(x) OVER (PARTITION BY g) AS "sum" FROM t'),
    ("SELECT a FROM t WHERE s SIMILAR TO '%(b|c).x'", "SELECT a FROM t WHERE REGEXP_FULL_MATCH(s, '(?s).*(b|c)\\.x')"),
    ("SELECT a FROM t WHERE s NOT SIMILAR TO '%a^_%' ESCAPE '^'",
     "SELECT a FROM t WHERE NOT REGEXP_FULL_MATCH(s, '(?s).*a_.*')"),
    ("SELECT s SIMILAR TO p FROM t",
     "SELECT REGEXP_FULL_MATCH(s, REDSHIFT_SIMILAR_REGEX(p, '\\')) AS \"?column?\" FROM t"),
    ("SELECT a FROM t WHERE s LIKE 'x\\\\_y'", "SELECT a FROM t WHERE s LIKE 'x\\_y' ESCAPE '\\'"),
    ("SELECT a FROM t WHERE s LIKE p", "SELECT a FROM t WHERE s LIKE p ESCAPE '\\'"),
    ("SELECT a FROM t WHERE s ILIKE 'a%'", "SELECT a FROM t WHERE s ILIKE 'a%'"),
    ("SELECT RATIO_TO_REPORT(x) OVER (PARTITION BY g) FROM t",
     'SELECT CAST(x AS DOUBLE) / SUM(CAST(x AS DOUBLE)) OVER (PARTITION BY g) AS "ratio_to_report" FROM t'),
    ("SELECT LAST_DAY('2024-02-10')", "SELECT LAST_DAY(CAST('2024-02-10 00:00:00' AS TIMESTAMP)) AS \"last_day\""),
    ("SELECT EXTRACT(month FROM '2024-02-10')",
     "SELECT TRY_CAST(EXTRACT(MONTH FROM CAST('2024-02-10 00:00:00' AS TIMESTAMP)) AS INT) AS \"date_part\""),
    ("SELECT EXTRACT(ms FROM ts) FROM t",
     "SELECT TRY_CAST((EXTRACT(MILLISECOND FROM ts)) % 1000 AS INT) AS \"date_part\" FROM t"),
    ("SELECT DATE_PART(sec, ts) FROM t",
     "SELECT CAST(EXTRACT(MICROSECOND FROM ts) AS DOUBLE) / 1000000 AS \"pgdate_part\" FROM t"),
    ("SELECT date_part('month', ts) FROM t",
     "SELECT CAST(EXTRACT(MONTH FROM ts) AS DOUBLE) AS \"pgdate_part\" FROM t"),
    ("SELECT DATE_TRUNC('month', '2024-02-10')",
     "SELECT DATE_TRUNC('MONTH', CAST('2024-02-10 00:00:00' AS TIMESTAMP)) AS \"date_trunc\""),
    ("SELECT ADD_MONTHS(d, 1), DATEADD(month, 1, d), DATEADD(year, 1, d) FROM t",
     'SELECT REDSHIFT_ADD_MONTHS(d, 1) AS "add_months", CAST(d AS TIMESTAMP) + INTERVAL 1 MONTH AS "date_add", '
     'REDSHIFT_ADD_YEARS(d, 1) AS "date_add" FROM t'),
    ("SELECT MONTHS_BETWEEN(a, b) FROM t", 'SELECT REDSHIFT_MONTHS_BETWEEN(a, b) AS "months_between" FROM t'),
    ("SELECT DATE_PART_YEAR(d) FROM t", 'SELECT YEAR(CAST(d AS DATE)) AS "date_part_year" FROM t'),
    ("SELECT TO_CHAR(d, 'Mon YYYY') FROM t",
     "SELECT REDSHIFT_TO_CHAR_TIME(CAST(d AS TIMESTAMP), 'Mon YYYY') AS \"to_char\" FROM t"),
    ("SELECT TO_CHAR(n, '999D99') FROM t",
     "SELECT REDSHIFT_TO_CHAR_NUMBER(CAST(n AS TEXT), '999D99') AS \"to_char\" FROM t"),
    ("SELECT TO_NUMBER(s, '9,999.99') FROM t",
     "SELECT CAST(REDSHIFT_TO_NUMBER(CAST(s AS TEXT), '9,999.99') AS DECIMAL(38, 2)) AS \"to_number\" FROM t"),
    ("MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.x)",
     "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.x)"),
    ("SELECT APPROXIMATE COUNT(DISTINCT x), DEXP(1), DLOG10(x) FROM t",
     'SELECT APPROX_COUNT_DISTINCT(x) AS "count", EXP(1) AS "dexp", LOG10(x) AS "dlog10" FROM t'),
]


@pytest.mark.parametrize("redshift, duckdb_sql", RULES)
def test_semantic_rule(redshift, duckdb_sql):
    assert translate(redshift).statements[-1] == duckdb_sql


def test_ratio_to_report_refuses_an_ordered_window():
    with pytest.raises(RedshiftError) as error:
        translate("SELECT RATIO_TO_REPORT(x) OVER (PARTITION BY g ORDER BY y) FROM t")
    assert error.value.sqlstate == "42601"


def test_regexp_instr_is_an_integer():
    assert translate("SELECT REGEXP_INSTR(s, 'c') FROM t").statements[-1].startswith("SELECT CAST(")


@pytest.mark.parametrize("pattern, escape, matching, not_matching", [
    ("a%", "\\", ["a", "abc", "a\nb"], ["ba", "A"]),
    ("_b_", "\\", ["abc"], ["ab", "abcd"]),
    ("%(b|d)%", "\\", ["abc", "d"], ["ace"]),
    ("a.c", "\\", ["a.c"], ["abc"]),
    ("a^b$", "\\", ["a^b$"], ["ab"]),
    ("[a-c]{3}", "\\", ["abc", "cab"], ["abd", "ab"]),
    ("[^]x]", "\\", ["y"], ["]", "x"]),
    ("a+b?", "\\", ["aa", "aab"], ["b"]),
    ("%start\\_%", "\\", ["idle_start_time"], ["restarted"]),
    ("%start^_%", "^", ["idle_start_time"], ["restarted"]),
    ("100%", "", ["100", "1000"], ["10"]),
])
def test_similar_to_patterns_match_as_redshift_documents(pattern, escape, matching, not_matching):
    regex = similar_to_regex(pattern, escape)
    con = duckdb.connect()
    for text in matching:
        assert con.execute("SELECT regexp_full_match(?, ?)", [text, regex]).fetchone()[0], (pattern, text)
    for text in not_matching:
        assert not con.execute("SELECT regexp_full_match(?, ?)", [text, regex]).fetchone()[0], (pattern, text)


def test_similar_to_regex_of_null_is_null():
    assert similar_to_regex(None) is None


MOMENT = dt.datetime(2024, 2, 10, 13, 4, 5, 123456)  # a Saturday


@pytest.mark.parametrize("template, shown", [
    ("YYYY-MM-DD HH24:MI:SS", "2024-02-10 13:04:05"),
    ("yyyy-mm-dd", "2024-02-10"),
    ("Mon DD, YYYY", "Feb 10, 2024"),
    ("MON mon", "FEB feb"),
    ("Month|", "February |"),
    ("MONTH|FMMonth|", "FEBRUARY |February|"),
    ("Day|DY|Dy|dy", "Saturday |SAT|Sat|sat"),
    ("HH12:MI AM", "01:04 PM"),
    ("hh12 a.m.", "01 p.m."),
    ("Q W WW IW DDD D ID", "1 2 06 06 041 7 6"),
    ("MS US", "123 123456"),
    ("FMDD/FMMM/YY", "10/2/24"),
    ("Y,YYY CC J", "2,024 21 2460351"),
    ('"Quarter" Q', "Quarter 1"),
    ("RM", "II  "),
])
def test_to_char_datetime_templates(template, shown):
    assert to_char_time(MOMENT, template) == shown


def test_to_char_of_a_date_and_of_null():
    assert to_char_time(dt.date(2024, 1, 7), "D Day HH12 AM") == "1 Sunday    12 AM"
    assert to_char_time(None, "YYYY") is None


def test_to_number_and_its_scale():
    assert (to_number("1,234.50", "9,999.99"), template_scale("9,999.99")) == ("1234.50", 2)
    assert (to_number("$ 12,454.8-", "L 99G999D9S"), template_scale("L 99G999D9S")) == ("-12454.8", 1)
    assert (to_number("<42>", "999PR"), template_scale("999PR")) == ("-42", 0)
    assert to_number(None, "999") is None
    with pytest.raises(ValueError, match='invalid input syntax for type numeric: "abc"'):
        to_number("abc", "999")


def _session_connection():
    """A DuckDB connection set up as a Redshift session's is: integer division, the session functions."""
    con = duckdb.connect()
    con.execute("SET integer_division = true")
    for name, function, arguments, result in SESSION_FUNCTIONS:
        con.create_function(name, function, arguments, result)
    for sql in SESSION_MACROS:
        con.execute(sql)
    return con


def test_crc32_and_fnv_hash_give_awss_examples():
    con = _session_connection()
    assert crc32("Amazon Redshift") == "f2726906"
    assert con.execute("SELECT fnv_hash(1), fnv_hash('Amazon Redshift'), fnv_hash('Amazon Redshift', fnv_hash(1)), "
                       "fnv_hash(1::smallint), fnv_hash(1::bigint), fnv_hash('abcd'), "
                       "fnv_hash('cd', fnv_hash('ab'))").fetchall() == [
        (-5968735742475085980, 7783490368944507294, -2202602717770968555, 589727492704079044,
         -8517097267634966620, -281581062704388899, -281581062704388899)]


def test_session_macros_give_redshifts_aggregate_types():
    con = _session_connection()
    assert con.execute("SELECT redshift_avg(x), redshift_sum(x), typeof(redshift_sum(x)), redshift_avg(x / 2.0) "
                       "FROM (VALUES (1), (2), (4)) t(x)").fetchall() == [(2, 7, "BIGINT", 7 / 6)]


def test_division_by_zero_is_worded_as_redshift_words_it():
    con = duckdb.connect()
    con.execute("SET integer_division = true")
    with pytest.raises(duckdb.Error) as error:
        con.execute("SELECT 1 / 0")
    translated = duck_error(error.value)
    assert (translated.message, translated.sqlstate) == ("division by zero", "22012")
