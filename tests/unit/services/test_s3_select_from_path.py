"""S3 Select's `FROM S3Object[*].path`: how the path is read from the expression, and which values
it reaches in a record (S3's documented rules: a wildcard yields every item, and MISSING where a
step finds nothing, so that every root value yields at least one record)."""

from __future__ import annotations

import json

import pytest

from lakebox.services.s3.select_errors import SelectError
from lakebox.services.s3.select_from_path import (MISSING, EveryItem, EveryValue, Index, Name, derived_lines,
                                                  values_at)
from lakebox.services.s3.select_sql import SCALAR, json_record, split_from_path, translate

RULES = {"Rules": [{"id": "1"}, {"expr": "y > x"}, {"id": "2", "expr": "z = DEBUG"}]}


@pytest.mark.parametrize("expression,rest,steps", [
    ("SELECT * FROM S3Object[*].a.b s", "SELECT * FROM S3Object[*] s", (Name("a", False), Name("b", False))),
    ("SELECT id FROM S3Object[*].Rules[*].id", "SELECT id FROM S3Object[*]",
     (Name("Rules", False), EveryItem(), Name("id", False))),
    ("SELECT * FROM s3object[*][*].staff[2] AS s", "SELECT * FROM s3object[*] AS s",
     (EveryItem(), Name("staff", False), Index(2))),
    ("""SELECT * FROM S3Object[*]."Mixed Case"['x y'].*""", "SELECT * FROM S3Object[*]",
     (Name("Mixed Case", True), Name("x y", True), EveryValue())),
])
def test_split_from_path_cuts_the_path_and_reads_its_steps(expression, rest, steps):
    cut, path = split_from_path(expression)
    assert cut == rest
    assert path.steps == steps


@pytest.mark.parametrize("expression", ["SELECT * FROM S3Object", "SELECT * FROM S3Object[*] s",
                                        "SELECT s.a[*] FROM S3Object s"])
def test_split_from_path_leaves_expressions_without_a_path_alone(expression):
    assert split_from_path(expression) == (expression, None)


@pytest.mark.parametrize("expression", ["SELECT * FROM S3Object[*].a['x' || 'y']", "SELECT * FROM S3Object[*].a[-1]",
                                        "SELECT * FROM S3Object[*].a.1", "SELECT * FROM S3Object[*].a[x]"])
def test_split_from_path_refuses_a_path_component_that_is_no_name_index_or_wildcard(expression):
    with pytest.raises(SelectError) as caught:
        split_from_path(expression)
    assert caught.value.code == "ParseInvalidPathComponent"


def test_implicit_alias_is_the_last_name_or_underscore_one_after_a_wildcard():
    assert split_from_path("SELECT price FROM S3Object[*].books[*].price")[1].implicit_alias == "price"
    assert split_from_path("SELECT _1.price FROM S3Object[*].books[*]")[1].implicit_alias == "_1"


@pytest.mark.parametrize("steps,expected", [
    ((Name("Rules", False), EveryItem(), Name("id", False)), ["1", MISSING, "2"]),
    ((Name("rules", False), Index(1)), [{"expr": "y > x"}]),
    ((Name("rules", True),), [MISSING]),  # a quoted name matches exactly
    ((Name("Rules", False), Index(3)), [MISSING]),
    ((EveryItem(),), [MISSING]),  # the root is an object, not an array
    ((EveryValue(),), [RULES["Rules"]]),
    ((Name("nope", False), EveryItem(), EveryItem()), [MISSING]),  # a wildcard over MISSING is one MISSING
])
def test_values_at_follows_each_step(steps, expected):
    assert values_at(RULES, steps) == expected


def test_wildcards_over_empty_containers_yield_one_missing_value():
    assert values_at({"a": [], "b": {}}, (Name("a", False), EveryItem())) == [MISSING]
    assert values_at({"a": [], "b": {}}, (Name("b", False), EveryValue())) == [MISSING]


def test_derived_lines_wrap_each_value_and_write_missing_as_an_empty_record():
    lines = list(derived_lines([json.dumps(RULES), '{"created": "June 27"}'],
                               (Name("Rules", False), EveryItem(), Name("id", False))))
    assert lines == [b'{"v":"1"}\n', b"{}\n", b'{"v":"2"}\n', b"{}\n"]
    assert json.loads(b"".join(derived_lines(['{"a": {"\u00e9": 1.5}}'], (Name("a", False),)))) == {"v": {"\u00e9": 1.5}}


def test_without_an_alias_the_last_path_name_names_the_record_and_its_output():
    record = json_record(SCALAR)
    translation = translate("SELECT id FROM S3Object[*].Rules[*].id", record)
    assert translation.sql == 'SELECT record AS "o1" FROM s3object'
    assert [o.name for o in translation.outputs] == ["id"]
    with_alias = translate("SELECT r FROM S3Object[*].Rules[*].id r", record)
    assert [o.name for o in with_alias.outputs] == ["_1"]  # as `SELECT s FROM S3Object s`
