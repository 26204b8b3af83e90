"""Redshift's SUPER values over the cluster's endpoint with redshift_connector: PartiQL navigation
(0-based subscripts, paths that lead nowhere are NULL), unnesting arrays in FROM (with AT positions),
UNPIVOT of objects, dynamic typing in comparisons and casts, and the SUPER functions. Expected values
are those of AWS's pages on semi-structured data and the SUPER functions."""

from __future__ import annotations

import datetime as dt

import pytest
from redshift_helpers import rows as _rows

CUSTOMERS = ('{"name":"ana","orders":[{"id":10,"status":"P","date":"2024-01-05"},'
             '{"id":11,"status":"F","date":"2024-02-01"}],"tags":{"tier":"gold","since":2019}}')


@pytest.fixture
def customers(cursor):
    cursor.execute("create table customers (cid int, doc super)")
    cursor.execute(f"insert into customers values (1, json_parse('{CUSTOMERS}')), "
                   """(2, json_parse('{"name":"bia","orders":[],"tags":[1,2]}')), (3, null)""")
    return cursor


def test_navigation_reads_objects_and_arrays_with_zero_based_subscripts(customers):
    assert _rows(customers, "select c.doc.name, c.doc.orders[0].id, c.doc.orders[1].status, c.doc.orders[2], "
                            "c.doc.tags.tier, c.doc.missing from customers c order by cid") == [
        ['"ana"', "10", '"F"', None, '"gold"', None],
        ['"bia"', None, None, None, None, None],
        [None, None, None, None, None, None]]
    # A subscript on a SUPER column directly, and on a SUPER value a function returns.
    assert _rows(customers, "select doc.tags[0], doc.tags[1] from customers where cid = 2") == [["1", "2"]]
    assert _rows(customers, """select json_parse('[10,20,30]')[2], json_parse('{"a":[1,{"b":"x"}]}').a[1].b""") == [
        ["30", '"x"']]


def test_from_clause_unnests_arrays_and_unpivots_objects(customers):
    assert _rows(customers, "select c.cid, o.id, o.status from customers c, c.doc.orders as o order by o.id") == [
        [1, "10", '"P"'], [1, "11", '"F"']]
    # AT gives each element's 0-based position; a value that is not an array gives no rows.
    assert _rows(customers, "select c.cid, o.id, i from customers c, c.doc.orders as o at i order by i") == [
        [1, "10", 0], [1, "11", 1]]
    assert _rows(customers, "select cid, t from customers c, c.doc.tags as t order by t") == [[2, "1"], [2, "2"]]
    assert _rows(customers, "select k, v from customers c, unpivot c.doc.tags as v at k order by k") == [
        ["since", "2019"], ["tier", '"gold"']]
    assert _rows(customers, "select count(*) from customers c, c.doc.orders o at i where i = 1") == [[1]]


def test_dynamic_typing_compares_and_casts_scalars_by_their_values(customers):
    # A SUPER string equals text of its characters; a number equals a number.
    assert _rows(customers, "select c.cid, o.id from customers c, c.doc.orders o where o.status = 'P'") == [[1, "10"]]
    assert _rows(customers, "select cid from customers where doc.name = 'bia'") == [[2]]
    assert _rows(customers, "select cid from customers c where c.doc.tags.since = 2019") == [[1]]
    assert _rows(customers, "select o.date::date, o.id::int + 1, o.status::varchar, c.doc.name::varchar(10) "
                            "from customers c, c.doc.orders o order by 2") == [
        [dt.date(2024, 1, 5), 11, "P", "ana"], [dt.date(2024, 2, 1), 12, "F", "ana"]]


def test_super_functions(cursor):
    assert _rows(cursor, "select json_typeof(json_parse('{}')), json_typeof(json_parse('[]')), "
                         "json_typeof(json_parse('1.5')), json_typeof(json_parse('\"x\"')), "
                         "json_typeof(json_parse('null')), json_typeof(json_parse('true'))") == [
        ["object", "array", "number", "string", "null", "boolean"]]
    assert _rows(cursor, """select json_serialize(json_parse('{"a": [1, 2]}')), """
                         """json_size(json_parse('{"a": [1, 2]}'))""") == [['{"a":[1,2]}', 11]]
    assert _rows(cursor, "select is_array(json_parse('[1]')), is_object(json_parse('[1]')), "
                         "is_scalar(json_parse('1')), is_varchar(json_parse('\"a\"')), is_boolean(json_parse('1')), "
                         "is_integer(json_parse('1')), is_integer(json_parse('5000000000')), "
                         "is_bigint(json_parse('5000000000')), is_smallint(json_parse('70000'))") == [
        [True, False, True, True, False, True, False, True, False]]
    assert _rows(cursor, "select array(1, 'a', null), object('k', 1, 'j', 'v'), "
                         "get_array_length(json_parse('[1,2,3]')), get_array_length(json_parse('{}')), "
                         "subarray(json_parse('[1,2,3,4]'), 1, 2), "
                         "array_concat(json_parse('[1]'), json_parse('[2,3]')), "
                         "array_flatten(json_parse('[1,[2,[3]],4]'))") == [
        ['[1,"a",null]', '{"k":1,"j":"v"}', 3, None, "[2,3]", "[1,2,3]", "[1,2,3,4]"]]
    assert _rows(cursor, "select can_json_parse('{x'), can_json_parse('{\"x\":1}')") == [[False, True]]
    # JSON_SERIALIZE always answers JSON text: 'null' for a NULL.
    assert _rows(cursor, "select json_serialize(null::super), json_serialize(json_parse('[10001,10002,\"abc\"]'))") == [
        ["null", '[10001,10002,"abc"]']]
