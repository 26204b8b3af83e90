"""Redshift's numeric result types (numeric_types.py) and the comparison, CAST and length rules
(semantics.py): AWS's formulas and examples for the types, one line per translation rule, and the
values the rewritten SQL gives on a DuckDB connection set up as a session's. The rows through
redshift_connector are in tests/integration/redshift/test_redshift_numeric_semantics.py."""

from __future__ import annotations

import decimal

import duckdb
import pytest

from lakebox.engines.redshift.errors import duck_error
from lakebox.engines.redshift.numeric_types import SESSION_MACROS as NUMERIC_MACROS
from lakebox.engines.redshift.numeric_types import Numeric, division_type
from lakebox.engines.redshift.semantics import SESSION_FUNCTIONS, SESSION_MACROS
from lakebox.engines.redshift.translate import translate

COLUMNS = {"t": {"p": "DECIMAL(8,2)", "c": "DECIMAL(8,2)", "q": "SMALLINT", "i": "INTEGER", "f": "DOUBLE",
                 "s": "VARCHAR"}}


def _columns(table):
    return COLUMNS.get(table.name)


def _decimal(precision, scale):
    return Numeric("decimal", precision, scale)


@pytest.mark.parametrize("left, right, result", [
    # AWS's example: PRICEPAID / COMMISSION, both DECIMAL(8,2), is a DECIMAL(17,9).
    (_decimal(8, 2), _decimal(8, 2), _decimal(17, 9)),
    # An INTEGER counts as DECIMAL(10,0), a SMALLINT as DECIMAL(5,0), a BIGINT as DECIMAL(19,0).
    (_decimal(8, 2), Numeric("integer", 10), _decimal(19, 13)),
    (Numeric("integer", 5), _decimal(8, 2), _decimal(14, 7)),
    # The scale is at least 4.
    (_decimal(10, 0), _decimal(1, 0), _decimal(14, 4)),
    # Past precision 38: precision 38, scale max(38 + scale - precision, 4).
    (_decimal(38, 2), Numeric("integer", 19), _decimal(38, 4)),
    (_decimal(38, 10), _decimal(10, 2), _decimal(38, 8)),
    (Numeric("integer", 10), Numeric("integer", 10), Numeric("integer", 10)),
    (_decimal(8, 2), Numeric("float"), Numeric("float")),
])
def test_division_types_follow_awss_rule(left, right, result):
    assert division_type(left, right) == result


RULES = [
    ("SELECT p / c FROM t",
     'SELECT CAST(CAST(REDSHIFT_DIV_ROUND(REDSHIFT_UNSCALED(p, CAST(100 AS INT128)) * CAST(1000000000 AS INT128), '
     "REDSHIFT_UNSCALED(c, CAST(100 AS INT128))) AS DECIMAL(38, 0)) * CAST('0.000000001' AS DECIMAL(9, 9)) "
     'AS DECIMAL(17, 9)) AS "?column?" FROM t'),
    ("SELECT i / 4 FROM t", 'SELECT i / 4 AS "?column?" FROM t'),
    ("SELECT f / p FROM t", 'SELECT f / p AS "?column?" FROM t'),
    ("SELECT AVG(p) FROM t",
     "SELECT CAST(CAST(REDSHIFT_DIV_ROUND(REDSHIFT_UNSCALED(REDSHIFT_SUM(p), CAST(100 AS INT128)), "
     "CAST((COUNT(p)) AS INT128)) AS DECIMAL(38, 0)) * CAST('0.01' AS DECIMAL(2, 2)) AS DECIMAL(38, 2)) "
     'AS "avg" FROM t'),
    ("SELECT AVG(q) FROM t", 'SELECT REDSHIFT_AVG(q) AS "avg" FROM t'),
    ("SELECT a FROM t WHERE s = 'abc  ' AND s <> x",
     "SELECT a FROM t WHERE (s >= 'abc' AND s < 'abc!' AND (s = 'abc' OR REDSHIFT_BLANK_TRIM(s) = 'abc')) "
     "AND REDSHIFT_BLANK_TRIM(s) <> x"),
    # Only character columns are trimmed: DuckDB binds an aggregate, or an alias of one, after the macro.
    ("SELECT s, COUNT(*) AS s FROM t GROUP BY 1 HAVING COUNT(*) >= 2 AND s > 1 AND i > 0",
     'SELECT s, COUNT(*) AS s FROM t GROUP BY 1 HAVING COUNT(*) >= 2 AND s > 1 AND i > 0'),
    ("SELECT a FROM t WHERE s IN ('a ', 'b') AND s BETWEEN 'a ' AND 'c'",
     "SELECT a FROM t WHERE REDSHIFT_BLANK_TRIM(s) IN ('a', 'b') AND REDSHIFT_BLANK_TRIM(s) BETWEEN 'a' AND 'c'"),
    ("SELECT a FROM t WHERE s LIKE 'abc ' AND s IN (SELECT x FROM u)",
     "SELECT a FROM t WHERE s LIKE 'abc ' AND s IN (SELECT x FROM u)"),
    ("UPDATE t SET s = 'a ' WHERE s = 'b '",
     "UPDATE t SET s = 'a ' WHERE (s >= 'b' AND s < 'b!' AND (s = 'b' OR REDSHIFT_BLANK_TRIM(s) = 'b'))"),
    ("SELECT CAST(s AS INT), s::SMALLINT, s::BIGINT, 1.5::INT FROM t",
     'SELECT REDSHIFT_TEXT_TO_INT4(s) AS "s", REDSHIFT_TEXT_TO_INT2(s) AS "s", REDSHIFT_TEXT_TO_INT8(s) AS "s", '
     'CAST(1.5 AS INT) AS "int4" FROM t'),
    ("SELECT LEN(s), LENGTH(s), OCTET_LENGTH(s) FROM t",
     'SELECT REDSHIFT_LENGTH(s) AS "length", REDSHIFT_LENGTH(s) AS "length", '
     'REDSHIFT_OCTET_LENGTH(s) AS "octet_length" FROM t'),
]


@pytest.mark.parametrize("redshift, duckdb_sql", RULES)
def test_numeric_and_comparison_rule(redshift, duckdb_sql):
    assert translate(redshift, column_types=_columns).statements[-1] == duckdb_sql


def test_a_column_of_unknown_type_leaves_the_division_to_duckdb():
    assert translate("SELECT x / 2.5 FROM u", column_types=_columns).statements[-1] == \
        'SELECT x / 2.5 AS "?column?" FROM u'


def _session():
    con = duckdb.connect()
    con.execute("SET integer_division = true")
    for name, function, arguments, result in SESSION_FUNCTIONS:
        con.create_function(name, function, arguments, result)
    for sql in SESSION_MACROS + NUMERIC_MACROS:
        con.execute(sql)
    con.execute("CREATE TABLE t (p DECIMAL(8,2), c DECIMAL(8,2), q SMALLINT, i INTEGER, f DOUBLE, s VARCHAR)")
    con.execute("INSERT INTO t VALUES (10.00, 3.00, 3, 7, 0.5, 'abc  '), (-2.50, 0.75, 2, 8, 0.5, 'abc'), "
                "(2.51, 1.00, 4, 9, 0.5, 'ab')")
    return con


def _run(con, sql):
    return con.execute(translate(sql, column_types=_columns).statements[-1])


def test_decimal_division_is_exact_and_rounded_half_away_from_zero():
    con = _session()
    cursor = _run(con, "SELECT p / c, p / q, 2 / 3.0 FROM t ORDER BY p")
    assert [d[1] for d in cursor.description] == ["DECIMAL(17,9)", "DECIMAL(14,8)", "DECIMAL(15,4)"]
    assert cursor.fetchall() == [
        (decimal.Decimal("-3.333333333"), decimal.Decimal("-1.25000000"), decimal.Decimal("0.6667")),
        (decimal.Decimal("2.510000000"), decimal.Decimal("0.62750000"), decimal.Decimal("0.6667")),
        (decimal.Decimal("3.333333333"), decimal.Decimal("3.33333333"), decimal.Decimal("0.6667"))]


def test_operands_typed_through_nullif_and_a_scalar_subquery_and_a_scale_cut_back_to_4():
    con = _session()
    cursor = _run(con, "SELECT p / NULLIF(c, 0), (SELECT max(p) FROM t) / 3, 1 / 3::DECIMAL(38,37) FROM t "
                       "WHERE q = 3")
    assert [d[1] for d in cursor.description] == ["DECIMAL(17,9)", "DECIMAL(19,13)", "DECIMAL(38,4)"]
    assert cursor.fetchall() == [(decimal.Decimal("3.333333333"), decimal.Decimal("3.3333333333333"),
                                  decimal.Decimal("0.3333"))]


def test_avg_of_a_decimal_keeps_its_scale_at_precision_38():
    con = _session()
    cursor = _run(con, "SELECT AVG(p), AVG(DISTINCT c), AVG(q) FROM t")
    assert [d[1] for d in cursor.description] == ["DECIMAL(38,2)", "DECIMAL(38,2)", "BIGINT"]
    # (10.00 - 2.50 + 2.51) / 3 = 3.33666...; (3.00 + 0.75 + 1.00) / 3 = 1.58333...
    assert cursor.fetchall() == [(decimal.Decimal("3.34"), decimal.Decimal("1.58"), 3)]
    assert _run(con, "SELECT AVG(p) FROM t WHERE false").fetchall() == [(None,)]


def test_decimal_division_by_zero_is_redshifts_error():
    con = _session()
    with pytest.raises(duckdb.Error) as error:
        _run(con, "SELECT p / (c - c) FROM t").fetchall()
    assert duck_error(error.value).sqlstate == "22012"


def test_trailing_blanks_do_not_count_in_comparisons_but_do_in_like():
    con = _session()
    assert _run(con, "SELECT count(*) FROM t WHERE s = 'abc'").fetchall() == [(2,)]
    assert _run(con, "SELECT count(*) FROM t a JOIN t b ON a.s = b.s").fetchall() == [(5,)]
    assert _run(con, "SELECT count(*) FROM t WHERE s LIKE 'abc'").fetchall() == [(1,)]
    assert _run(con, "SELECT count(*) FROM t WHERE i = 7 AND p > 1").fetchall() == [(1,)]


def test_text_cast_to_integer_refuses_a_fraction_and_a_number_is_rounded():
    con = _session()
    assert _run(con, "SELECT ' 12 '::INT, '-3'::BIGINT, CAST(1.5 AS INT), p::INT FROM t ORDER BY p").fetchall() == [
        (12, -3, 2, -3), (12, -3, 2, 3), (12, -3, 2, 10)]
    for sql, message in (("SELECT CAST('1.5' AS INT)", 'invalid input syntax for integer: "1.5"'),
                         ("SELECT 'abc'::BIGINT", 'invalid input syntax for type bigint: "abc"')):
        with pytest.raises(duckdb.Error) as error:
            _run(con, sql).fetchall()
        assert (duck_error(error.value).message, duck_error(error.value).sqlstate) == (message, "22P02")


def test_length_of_varbyte_counts_bytes():
    con = _session()
    assert _run(con, "SELECT LEN(from_hex('AABBCC')), LENGTH(from_hex('AA')), OCTET_LENGTH(from_hex('AABB')), "
                     "LEN('héllo'), OCTET_LENGTH('héllo')").fetchall() == [(3, 1, 2, 5, 6)]


def test_an_integer_cast_in_a_column_default_is_left_to_duckdb():
    sql = translate("CREATE TABLE d (a INT DEFAULT CAST('5' AS INT))").statements[-1]
    assert "REDSHIFT_" not in sql.upper()

