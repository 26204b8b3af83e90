"""CHAR and VARCHAR values as Redshift gives them, over the cluster's endpoint with redshift_connector:
casts to VARCHAR(n) and CHAR(n) cut (and pad), values longer than their column only by blanks are cut
to it, CHAR values are padded with blanks, trailing blanks do not count in comparisons, LEN leaves out a
CHAR's trailing blanks, and CONCAT is NULL when an argument is. Expected values are those of AWS's
pages: "Character types" (its "Significance of trailing blanks"), "Examples with character types",
LEN, OCTET_LENGTH and CONCAT."""

from __future__ import annotations

import pytest
from redshift_helpers import rows as _rows


def _error(cursor, sql: str) -> tuple:
    import redshift_connector

    with pytest.raises(redshift_connector.ProgrammingError) as error:
        cursor.execute(sql)
    return error.value.args[0]["C"], error.value.args[0]["M"]


def test_casts_to_varchar_n_and_char_n_keep_the_first_n_bytes(cursor):
    assert _rows(cursor, "select 'abcdef'::varchar(3), cast('abcdef' as char(3)), convert(varchar(3), 'abcdef'), "
                         "'abcdef'::varchar, 'x'::char(4), cast(null as varchar(2))") == [
        ["abc", "abc", "abc", "abcdef", "x   ", None]]
    # Lengths are bytes: a two-byte character is kept whole or not at all.
    assert _rows(cursor, "select 'héllo'::varchar(2), 'héllo'::varchar(3), 'ab'::varchar(max)") == [["h", "hé", "ab"]]
    # AWS's ADDRESS example: the value is too long for CHAR(20) unless cast to it first.
    cursor.execute("create table address_cast (city_name char(20))")
    assert _error(cursor, "insert into address_cast values ('City of South San Francisco')") == (
        "22001", "value too long for type character(20)")
    cursor.execute("insert into address_cast values ('City of South San Francisco'::char(20))")
    assert _rows(cursor, "select city_name from address_cast") == [["City of South San Fr"]]


def test_len_leaves_out_a_chars_trailing_blanks_and_octet_length_counts_them(cursor):
    # AWS's LEN and OCTET_LENGTH examples.
    assert _rows(cursor, "select len('cat'), len('cat   '), len(cast('cat   ' as char(6))), "
                         "len(cast('cat   ' as varchar(6)))") == [[3, 6, 3, 6]]
    assert _rows(cursor, "select octet_length(cast('francais   ' as char(15))), "
                         "octet_length(cast('francais   ' as varchar(15)))") == [[15, 11]]
    # "A value of Augusta in the CITY_NAME column, which is a CHAR column, would always return a length
    # of 7 characters"; the VARCHAR keeps its blanks.
    cursor.execute("create table address_len (address1 varchar(100), city_name char(20))")
    cursor.execute("insert into address_len values ('9516 Magnolia Boulevard  ', 'Augusta'), "
                   "('9516 Magnolia Boulevard', 'Augusta   ')")
    assert _rows(cursor, "select length(address1), len(city_name), char_length(city_name), "
                         "octet_length(city_name) from address_len order by 1") == [[23, 7, 7, 20], [25, 7, 7, 20]]


def test_char_values_are_stored_and_returned_padded_with_blanks(cursor):
    cursor.execute("create table codes_char (code char(4), note varchar(10), n int)")
    cursor.execute("insert into codes_char values ('x', 'x', 1), ('x  ', 'x  ', 2)")
    cursor.execute("insert into codes_char (code, n) select note, n + 10 from codes_char")
    cursor.execute("update codes_char set code = 'ab' where n = 12")
    assert _rows(cursor, "select code, note, n from codes_char order by n") == [
        ["x   ", "x", 1], ["x   ", "x  ", 2], ["x   ", None, 11], ["ab  ", None, 12]]
    # Equal CHAR values group together; cast to VARCHAR a CHAR value loses its trailing blanks.
    assert _rows(cursor, "select code, count(*) from codes_char group by code order by code") == [
        ["ab  ", 1], ["x   ", 3]]
    assert _rows(cursor, "select count(distinct code), max(code::varchar) from codes_char") == [[2, "x"]]
    assert _rows(cursor, "select code::varchar || '|' from codes_char where n = 1") == [["x|"]]


def test_a_value_longer_than_its_column_only_by_blanks_is_cut_to_it(cursor):
    cursor.execute("create table sized (v varchar(3), c char(3), n int)")
    cursor.execute("insert into sized values ('ab     ', 'abc   ', 1)")
    cursor.execute("insert into sized (n, v, c) values (2, 'é  ', 'a')")
    cursor.execute("insert into sized (v, c, n) select v || '   ', c || '  ', 3 from sized where n = 1")
    cursor.execute("update sized set v = 'xyz    ' where n = 2")
    assert _rows(cursor, "select v, octet_length(v), c, n from sized order by n") == [
        ["ab ", 3, "abc", 1], ["xyz", 3, "a  ", 2], ["ab ", 3, "abc", 3]]
    for sql, kind in (("insert into sized (v) values ('abcd')", "character varying(3)"),
                      ("insert into sized (v) values ('ab  x')", "character varying(3)"),
                      ("insert into sized (v) values ('éé')", "character varying(3)"),
                      ("update sized set c = 'abcd' where n = 1", "character(3)"),
                      ("insert into sized (c) select v || 'xy' from sized", "character(3)")):
        assert _error(cursor, sql) == ("22001", f"value too long for type {kind}"), sql


def test_merge_and_a_default_store_character_values_as_the_column_does(cursor):
    cursor.execute("create table merged (id int, c char(3) default 'k', v varchar(4))")
    cursor.execute("create table incoming (id int, s varchar(10))")
    cursor.execute("insert into incoming values (1, 'a'), (2, 'bb      ')")
    cursor.execute("insert into merged (id) values (1)")
    cursor.execute("merge into merged using incoming on merged.id = incoming.id "
                   "when matched then update set v = incoming.s "
                   "when not matched then insert (id, c, v) values (incoming.id, incoming.s, incoming.s)")
    assert _rows(cursor, "select id, c, v from merged order by id") == [[1, "k  ", "a"], [2, "bb ", "bb  "]]


def test_trailing_blanks_do_not_count_in_comparisons(cursor):
    assert _rows(cursor, "select 'a '::varchar = 'a', 'a'::varchar(3) = 'a  ', 'a'::char(3) = 'a', "
                         "'a '::varchar <> 'a', 'b '::varchar > 'b', 'a' || ' ' = 'a', upper('a  ') = 'A'") == [
        [True, True, True, False, False, True, True]]
    cursor.execute("create table blanks (v varchar(10), c char(5), n int)")
    cursor.execute("insert into blanks values ('ab', 'ab', 1), ('ab  ', 'ab ', 2), ('abc', 'abc', 3)")
    assert _rows(cursor, "select n from blanks where v = c order by n") == [[1], [2], [3]]
    assert _rows(cursor, "select n from blanks where v::varchar(10) = 'ab' order by n") == [[1], [2]]
    assert _rows(cursor, "select n from blanks where lower(v) in ('ab ', 'x') order by n") == [[1], [2]]
    assert _rows(cursor, "select n, case v when 'ab' then 'two' else 'three' end, "
                         "case when c = 'ab    ' then 1 else 0 end from blanks order by n") == [
        [1, "two", 1], [2, "two", 1], [3, "three", 0]]
    assert _rows(cursor, "select count(*) from blanks a join blanks b on a.v = b.c") == [[5]]
    # LIKE keeps them: 'ab  ' does not match 'ab'.
    assert _rows(cursor, "select n from blanks where v like 'ab' order by n") == [[1]]


def test_concat_is_null_when_either_argument_is(cursor):
    # AWS: "if one or both expressions is null, the result of the concatenation is null".
    assert _rows(cursor, "select concat('December 25, ', '2008'), concat('a', null), concat(null, 'b'), "
                         "concat(concat('a', 'b'), 'c'), 'a' || null") == [
        ["December 25, 2008", None, None, "abc", None]]
    cursor.execute("create table people_concat (first varchar(10), last varchar(10))")
    cursor.execute("insert into people_concat values ('Ann', 'Lee'), ('Bo', null)")
    assert _rows(cursor, "select concat(first, last) from people_concat order by first") == [["AnnLee"], [None]]
