"""Numeric results, text comparisons, integer casts and VARBYTE lengths as Redshift gives them, over the
cluster's endpoint with redshift_connector. The expected types and values are those of AWS's pages:
"Computations with numeric values" (DECIMAL division's precision and scale, INTEGER operands as
DECIMAL(5|10|19,0)), AVG (a DECIMAL(p,s) argument gives DECIMAL(38,s)), "Examples with numeric types"
(1.5 into an INTEGER is 2), CAST (109.652 as DECIMAL(4,1) is 109.7), "Significance of trailing blanks"
and VARBYTE's LEN."""

from __future__ import annotations

import decimal

import pytest
from redshift_helpers import rows as _rows

D = decimal.Decimal


def _error(cursor, sql: str) -> tuple:
    import redshift_connector

    with pytest.raises(redshift_connector.ProgrammingError) as error:
        cursor.execute(sql)
    return error.value.args[0]["C"], error.value.args[0]["M"]


@pytest.fixture
def sales(cursor):
    cursor.execute("create table sales_numeric (pricepaid decimal(8,2), commission decimal(8,2), qtysold smallint, "
                   "seats int, big bigint)")
    cursor.execute("insert into sales_numeric values (728.00, 109.20, 4, 7, 10), (76.00, 11.40, 2, 3, 3), "
                   "(350.00, 52.50, 1, 2, 7)")
    return cursor


def _result_types(cursor, sql: str) -> tuple:
    cursor.execute(sql)
    result = [list(r) for r in cursor.fetchall()]
    oids = [d[1] for d in cursor.description]
    return result, oids


NUMERIC_OID = 1700


def test_decimal_division_has_awss_precision_and_scale(sales):
    # AWS's example: PRICEPAID / COMMISSION, both DECIMAL(8,2), is a DECIMAL(17,9).
    result, oids = _result_types(sales, "select pricepaid / commission, commission / pricepaid from sales_numeric "
                                        "order by pricepaid")
    assert oids == [NUMERIC_OID, NUMERIC_OID]
    assert result == [[D("6.666666667"), D("0.150000000")], [D("6.666666667"), D("0.150000000")],
                      [D("6.666666667"), D("0.150000000")]]
    assert all(value.as_tuple().exponent == -9 for row in result for value in row)


def test_decimal_divided_by_an_integer_is_a_decimal(sales):
    # DECIMAL(8,2) / SMALLINT (DECIMAL(5,0)): scale max(4, 2 + 5 - 0 + 1) = 8;
    # DECIMAL(8,2) / INTEGER (DECIMAL(10,0)): scale 13; SMALLINT / DECIMAL(8,2): scale max(4, 0 + 8 - 2 + 1) = 7.
    result, oids = _result_types(sales, "select pricepaid / qtysold, pricepaid / seats, qtysold / commission "
                                        "from sales_numeric where seats = 3")
    assert oids == [NUMERIC_OID] * 3
    assert result == [[D("38.00000000"), D("25.3333333333333"), D("0.1754386")]]
    assert [v.as_tuple().exponent for v in result[0]] == [-8, -13, -7]


def test_decimal_division_rounds_at_its_scale(cursor):
    # 2 / 3.0: INTEGER over DECIMAL(2,1), scale max(4, 0 + 2 - 1 + 1) = 4; 10 / 3.0 likewise.
    assert _rows(cursor, "select 2 / 3.0, -2 / 3.0, 10 / 3.0, 1.00 / 8") == [
        [D("0.6667"), D("-0.6667"), D("3.3333"), D("0.1250000000000")]]


def test_integer_division_stays_integer_and_float_division_float(sales):
    result, oids = _result_types(sales, "select seats / qtysold, big / seats, pricepaid / 2::float8 "
                                        "from sales_numeric where seats = 7")
    assert result == [[1, 1, 364.0]]
    assert oids[:2] == [23, 20] and isinstance(result[0][2], float)


def test_multiplication_and_addition_keep_decimal_scales(sales):
    result, _ = _result_types(sales, "select pricepaid * commission, pricepaid + commission, pricepaid - 1 "
                                     "from sales_numeric where seats = 3")
    assert result == [[D("866.4000"), D("87.40"), D("75.00")]]
    assert [v.as_tuple().exponent for v in result[0]] == [-4, -2, -2]


def test_avg_of_a_decimal_is_a_decimal_38_with_its_scale(sales):
    # (728.00 + 76.00 + 350.00) / 3 = 384.666...; AVG of an integer stays a truncated BIGINT.
    assert _rows(sales, "select avg(pricepaid), avg(qtysold), avg(distinct commission) from sales_numeric") == [
        [D("384.67"), 2, D("57.70")]]
    sales.execute("select avg(pricepaid) from sales_numeric")
    sales.fetchall()
    assert sales.description[0][1] == NUMERIC_OID
    assert _rows(sales, "select avg(pricepaid) over (partition by qtysold > 1) from sales_numeric "
                        "order by 1") == [[D("350.00")], [D("402.00")], [D("402.00")]]


def test_text_cast_to_integer_refuses_a_fraction(cursor):
    assert _error(cursor, "select cast('1.5' as int)") == ("22P02", 'invalid input syntax for integer: "1.5"')
    assert _error(cursor, "select '1.5'::integer") == ("22P02", 'invalid input syntax for integer: "1.5"')
    assert _error(cursor, "select 'abc'::bigint")[0] == "22P02"
    assert _rows(cursor, "select '42'::int, ' -7 '::smallint, '9000000000'::bigint") == [[42, -7, 9000000000]]


def test_numeric_cast_to_integer_rounds(cursor):
    # AWS: 1.5 into an INTEGER column is 2; CAST(109.652 AS DECIMAL(4,1)) is 109.7.
    assert _rows(cursor, "select cast(1.5 as int), 2.5::integer, (-1.5)::int, cast(109.652 as decimal(4,1))") == [
        [2, 3, -2, D("109.7")]]
    cursor.execute("create table film_numeric (language_id smallint, rate decimal(8,2))")
    cursor.execute("insert into film_numeric values (1.5, 162.49)")
    assert _rows(cursor, "select language_id, rate::integer from film_numeric") == [[2, 162]]


def test_trailing_blanks_are_insignificant_in_comparisons(cursor):
    # AWS's ADDRESS example: both inserted addresses match the one without trailing blanks.
    cursor.execute("create table address_blanks (address1 varchar(100), city_name char(20))")
    cursor.execute("insert into address_blanks values ('9516 Magnolia Boulevard', 'Augusta'), "
                   "('9516 Magnolia Boulevard ', 'Augusta  ')")
    assert _rows(cursor, "select count(*) from address_blanks where address1 = '9516 Magnolia Boulevard'") == [[2]]
    assert _rows(cursor, "select count(*) from address_blanks where address1 = '9516 Magnolia Boulevard   '") == [[2]]
    assert _rows(cursor, "select count(*) from address_blanks where city_name = 'Augusta'") == [[2]]
    assert _rows(cursor, "select count(*) from address_blanks a join address_blanks b "
                         "on a.address1 = b.address1") == [[4]]
    assert _rows(cursor, "select count(*) from address_blanks where address1 in ('9516 Magnolia Boulevard')") == [[2]]
    assert _rows(cursor, "select count(*) from address_blanks where address1 > '9516 Magnolia Boulevard'") == [[0]]
    # LENGTH counts a VARCHAR's trailing blanks, and LIKE matches them.
    assert _rows(cursor, "select length(address1) from address_blanks order by 1") == [[23], [24]]
    assert _rows(cursor, "select count(*) from address_blanks where address1 like '9516 Magnolia Boulevard'") == [[1]]


def test_len_of_varbyte_counts_its_bytes(cursor):
    cursor.execute("create table blobs_len (v varbyte(16))")
    cursor.execute("insert into blobs_len values (from_hex('aabbcc')), ('ab'::varbyte), (NULL)")
    assert _rows(cursor, "select len(v), length(v), octet_length(v) from blobs_len order by 1") == [
        [2, 2, 2], [3, 3, 3], [None, None, None]]
    assert _rows(cursor, "select len('héllo'), octet_length('héllo')") == [[5, 6]]


def test_comparisons_and_casts_of_aggregates_keep_their_types(sales):
    # An aggregate, or an alias of one, is bound after the rules' macros: it must still compare and cast
    # as a number.
    assert _rows(sales, "select qtysold, count(*) from sales_numeric group by qtysold having count(*) >= 1 "
                        "order by qtysold") == [[1, 1], [2, 1], [4, 1]]
    assert _rows(sales, "select seats > 2 as wide, sum(pricepaid) as total from sales_numeric group by 1 "
                        "having total > 400 order by 1") == [[True, D("804.00")]]
    assert _rows(sales, "select cast(sum(pricepaid) as int), sum(commission)::bigint "
                        "from sales_numeric") == [[1154, 173]]
    assert _rows(sales, "select cast(max(pricepaid) over () as integer) from sales_numeric limit 1") == [[728]]
    assert _rows(sales, "select len(max(cast(qtysold as varchar))), octet_length(min('ab  ')) "
                        "from sales_numeric") == [[1, 4]]
    assert _rows(sales, "select count(*) from sales_numeric where pricepaid > 100 and qtysold >= 1") == [[2]]


def test_equality_ignores_trailing_blanks_but_not_other_trailing_characters(cursor):
    cursor.execute("create table codes (code varchar(8), n int)")
    cursor.execute("insert into codes values ('abc', 1), ('abc  ', 2), ('abc' || chr(9), 3), ('abd', 4), (null, 5)")
    assert _rows(cursor, "select n from codes where code = 'abc' order by n") == [[1], [2]]
    assert _rows(cursor, "select n from codes where code = 'abc ' order by n") == [[1], [2]]
    assert _rows(cursor, "select n from codes where code <> 'abc' order by n") == [[3], [4]]
    assert _rows(cursor, "select a.n, b.n from codes a join codes b on a.code = b.code "
                         "where a.n < b.n order by 1, 2") == [[1, 2]]
