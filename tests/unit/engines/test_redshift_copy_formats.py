"""COPY from the two formats AWS documents beyond delimited text, Parquet and JSON 'auto': JSON mapped
by a JSONPaths file (bracket and dot notation, nested members, array indexes, one expression per
target column, values checked and logged like any other field's) and ORC (columns matched by name
like Parquet's, with Parquet's option restrictions). Expected rows and errors come from the files'
contents."""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import json

import pyarrow as pa
import pyarrow.orc as orc
import pytest
from redshift_copy_helpers import copy_ids, failed_copy, new_database, put_file, rows, view

from lakebox.engines.redshift.database import RedshiftError
from lakebox.engines.redshift.jsonpaths import parse

FAILED = "Load into table '{}' failed.  Check 'stl_load_errors' system table for details."
COUNT_MISMATCH = ("Number of jsonpaths and the number of columns should match. JSONPath size: {}, "
                  "Number of columns in table or column list: {}")


@pytest.fixture
def env(tmp_path):
    db, lake = new_database(tmp_path)
    yield db, lake
    db.close()


def put_paths(lake, key: str, *expressions: str) -> None:
    put_file(lake, key, json.dumps({"jsonpaths": list(expressions)}).encode())


def typed_rows(db, sql: str) -> list[tuple]:
    """Rows with each value's Python type next to it, so that a test states both."""
    return [tuple((value, type(value).__name__) for value in row) for row in rows(db, sql)]


# -- JSONPath expressions ------------------------------------------------------------------------

@pytest.mark.parametrize("expression, steps", [
    ("$['id']", ["id"]),
    ("$.id", ["id"]),
    ("$['store']['book']['title']", ["store", "book", "title"]),
    ("$.store.book.title", ["store", "book", "title"]),
    ("$['location'][0]", ["location", 0]),
    ("$.location[0]", ["location", 0]),
    ("$.friends[1].name", ["friends", 1, "name"]),
    ("$[0]", [0]),
    ("$['a b.c']", ["a b.c"]),
    ("$", []),
])
def test_jsonpath_notations_redshift_documents_parse_to_names_and_indexes(expression, steps):
    assert parse(expression) == steps


@pytest.mark.parametrize("expression", ["$.tags[*]", "$..id", "$.a[?(@.b)]", "$.a[0:2]", "$.a[-1]", "id", "$.",
                                        "$['']", "$.*"])
def test_jsonpath_wildcards_filters_slices_and_recursion_are_refused(expression):
    with pytest.raises(RedshiftError) as caught:
        parse(expression)
    assert (caught.value.sqlstate, caught.value.message.endswith(f": {expression}")) == ("XX000", True)


# -- JSONPaths files -----------------------------------------------------------------------------

def test_jsonpaths_map_nested_members_and_array_elements_to_the_columns_in_order(env):
    db, lake = env
    db.execute("CREATE TABLE people (id INT, name VARCHAR(20), city VARCHAR(20), first_tag VARCHAR(10), "
               "address VARCHAR(100), tags VARCHAR(100), friend VARCHAR(20), active BOOLEAN)")
    put_paths(lake, "paths/people.json", "$['id']", "$.name", "$.address.city", "$.tags[0]", "$['address']",
              "$.tags", "$.friends[1].name", "$.isActive")
    # Objects one per line, spread over lines, and back to back: a stream of JSON objects.
    put_file(lake, "people/1.json", b'{"id": 1, "name": "Ann", "address": {"city": "Oslo", "zip": "0150"}, '
                                    b'"tags": ["a", "b"], "friends": [{"name": "Bo"}, {"name": "Cy"}], '
                                    b'"isActive": true}\n'
                                    b'{\n  "id": 2,\n  "name": "Bob"\n}{"id": 3, "address": null, "tags": [],'
                                    b' "isActive": false, "extra": 1}\n')
    result = db.execute("COPY people FROM 's3://lake/people/' IAM_ROLE 'r' "
                        "FORMAT AS JSON 's3://lake/paths/people.json' MAXERROR 1")[0]
    assert (result.command, result.rowcount) == ("COPY 2", 2)
    assert typed_rows(db, "SELECT * FROM people ORDER BY id") == [
        ((1, "int"), ("Ann", "str"), ("Oslo", "str"), ("a", "str"), ('{"city":"Oslo","zip":"0150"}', "str"),
         ('["a","b"]', "str"), ("Cy", "str"), (True, "bool")),
        ((2, "int"), ("Bob", "str"), (None, "NoneType"), (None, "NoneType"), (None, "NoneType"),
         (None, "NoneType"), (None, "NoneType"), (None, "NoneType"))]
    # Record 3's tags array has no element 0: a load error of that row, as AWS documents.
    assert view(db, "stl_load_errors", "line_number, colname, err_code, err_reason, raw_line") == [
        (3, "first_tag", 1216, "Invalid JSONPath format: Not an array or index out of range.",
         '{"id":3,"address":null,"tags":[],"isActive":false,"extra":1}')]


def test_jsonpaths_follow_the_column_list_and_leave_identity_columns_to_their_sequence(env):
    db, lake = env
    db.execute("CREATE TABLE t (row_id INT IDENTITY(1,1), a INT, b VARCHAR(10), c VARCHAR(10))")
    put_paths(lake, "two.json", "$.x", "$.y")
    put_paths(lake, "three.json", "$.y", "$.x", "$.z")
    put_file(lake, "in/a.json", b'{"x": "first", "y": 7, "z": "zed"}\n')
    db.execute("COPY t (c, a) FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/two.json'")
    db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON AS 's3://lake/three.json'")
    assert rows(db, "SELECT row_id, a, b, c FROM t ORDER BY row_id") == [(1, 7, None, "first"),
                                                                       (2, 7, "first", "zed")]


def test_a_string_in_an_integer_column_is_a_1207_error_row_under_maxerror(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, name VARCHAR(3))")
    put_paths(lake, "p.json", "$.key.id", "$.key.name")
    put_file(lake, "in/a.json", b'{"key": {"id": 1, "name": "ab"}}\n{"key": {"id": "x2", "name": "cd"}}\n'
                                b'{"key": {"id": 3, "name": "long"}}\n{"key": {"id": 4, "name": "ef"}}\n')
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/p.json' MAXERROR 2")[0].rowcount == 2
    assert rows(db, "SELECT * FROM t ORDER BY id") == [(1, "ab"), (4, "ef")]
    assert db._con.execute(
        "SELECT query, filename, line_number, colname, type, col_length, position, raw_line, raw_field_value, "
        "err_code, err_reason FROM _lakebox.load_errors ORDER BY line_number").fetchall() == [
        (copy_ids(db)[0], "s3://lake/in/a.json", 2, "id", "int4", "0", 0, '{"key":{"id":"x2","name":"cd"}}', "x2",
         1207, "Invalid digit, Value 'x', Pos 0, Type: Integer"),
        (copy_ids(db)[0], "s3://lake/in/a.json", 3, "name", "varchar", "3", 3, '{"key":{"id":3,"name":"long"}}', "long", 1204,
         "String length exceeds DDL length")]
    # One bad row more than MAXERROR allows, and nothing is loaded.
    error = failed_copy(db, "COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/p.json' MAXERROR 1")
    assert (error.message, error.sqlstate) == (FAILED.format("t"), "XX000")
    assert rows(db, "SELECT count(*) FROM t") == [(2,)]
    assert view(db, "sys_load_history", "query_id, status, file_format, loaded_rows, error_count",
                order="query_id") == [(copy_ids(db)[0], "completed", "json", 2, 2),
                                      (copy_ids(db)[1], "aborted", "json", 0, 2)]


def test_a_member_of_something_that_is_not_an_object_is_a_load_error_and_a_missing_one_is_null(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, city VARCHAR(10))")
    put_paths(lake, "p.json", "$.id", "$.address.city")
    put_file(lake, "in/a.json", b'{"id": 1, "address": "Main St"}\n{"id": 2}\n{"id": 3, "address": {}}\n')
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/p.json' MAXERROR 1")[0].rowcount == 2
    assert rows(db, "SELECT * FROM t ORDER BY id") == [(2, None), (3, None)]
    assert view(db, "stl_load_errors", "line_number, colname, err_code, err_reason") == [
        (1, "city", 1216, "Invalid JSONPath format: Member is not an object.")]


def test_json_arrays_as_records_are_mapped_by_index(env):
    db, lake = env
    db.execute("CREATE TABLE t (id BIGINT, title VARCHAR(40), price DECIMAL(6,2))")
    put_paths(lake, "p.json", "$[0]", "$[1]", "$[2]")
    put_file(lake, "in/a.json", b'[1006410, "Amazon Redshift Database Developer Guide", 10.5]\n'
                                b'[\n  100540,\n  "Amazon S3 User Guide",\n  null\n]\n')
    db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/p.json'")
    assert rows(db, "SELECT * FROM t ORDER BY id") == [
        (100540, "Amazon S3 User Guide", None),
        (1006410, "Amazon Redshift Database Developer Guide", decimal.Decimal("10.50"))]


def test_objects_and_arrays_selected_into_a_super_column_stay_json(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, doc SUPER, tag SUPER)")
    put_paths(lake, "p.json", "$.id", "$.doc", "$.doc.tags[1]")
    put_file(lake, "in/a.json", b'{"id": 1, "doc": {"tags": ["x", "y"], "n": 2}}\n{"id": 2, "doc": null}\n')
    db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/p.json'")
    # A SUPER string cast to text is its characters (dynamic typing); an object its JSON.
    assert rows(db, "SELECT id, CAST(doc AS VARCHAR), CAST(tag AS VARCHAR), JSON_SERIALIZE(tag) FROM t ORDER BY id") == [
        (1, '{"tags":["x","y"],"n":2}', 'y', '"y"'), (2, None, None, "null")]


def test_json_noshred_loads_each_document_whole_into_the_one_super_column(env):
    """AWS: with 'noshred', COPY loads the entire JSON document into a single SUPER data column."""
    db, lake = env
    db.execute("CREATE TABLE docs (data SUPER)")
    put_file(lake, "in/a.json", b'{"id": 1, "doc": {"a": [1, 2]}}\n{"id": 2, "doc": "str"}\n[1, 2]\n')
    db.execute("COPY docs FROM 's3://lake/in/' IAM_ROLE 'r' FORMAT JSON 'noshred'")
    assert rows(db, "SELECT CAST(data AS VARCHAR) FROM docs") == [
        ('{"id":1,"doc":{"a":[1,2]}}',), ('{"id":2,"doc":"str"}',), ("[1,2]",)]
    db.execute("CREATE TABLE two (a SUPER, b SUPER)")
    with pytest.raises(RedshiftError, match="exactly one column, of type SUPER"):
        db.execute("COPY two FROM 's3://lake/in/' IAM_ROLE 'r' FORMAT JSON 'noshred'")
    db.execute("CREATE TABLE plain (a VARCHAR(100))")
    with pytest.raises(RedshiftError, match="exactly one column, of type SUPER"):
        db.execute("COPY plain FROM 's3://lake/in/' IAM_ROLE 'r' FORMAT JSON 'noshred'")


def test_gzip_json_loads_with_a_jsonpaths_file_and_with_auto_ignorecase(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, name VARCHAR(10))")
    put_paths(lake, "p.json", "$.Id", "$.Name")
    put_file(lake, "in/a.json.gz", gzip.compress(b'{"Id": 1, "Name": "ann"}\n{\n"Id": 2,\n"Name": "bob"\n}'))
    db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/p.json' GZIP")
    db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' FORMAT AS JSON 'auto ignorecase' GZIP")
    assert rows(db, "SELECT * FROM t ORDER BY id, rowid") == [(1, "ann"), (1, "ann"), (2, "bob"), (2, "bob")]


def test_json_auto_reads_objects_spread_over_lines_and_back_to_back(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, name VARCHAR(10))")
    put_file(lake, "in/a.json", b'{"id": 1, "name": "a"}\n{\n  "id": 2,\n  "name": "b"\n}{"id": 3, "name": "c"}')
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 'auto'")[0].rowcount == 3
    assert rows(db, "SELECT * FROM t ORDER BY id") == [(1, "a"), (2, "b"), (3, "c")]


def test_a_jsonpaths_file_naming_no_jsonpaths_loads_as_auto(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, name VARCHAR(10))")
    put_file(lake, "p.json", b'{"paths": ["$.nothing", "$.here"]}')
    put_file(lake, "in/a.json", b'{"id": 1, "name": "a"}\n')
    db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/p.json'")
    assert rows(db, "SELECT * FROM t") == [(1, "a")]


def test_more_or_fewer_jsonpaths_than_target_columns_fail_the_copy(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT IDENTITY(1,1), a INT, b INT)")
    put_paths(lake, "p.json", "$.a", "$.b", "$.c")
    put_file(lake, "in/a.json", b'{"a": 1, "b": 2}\n')
    error = failed_copy(db, "COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/p.json'")
    assert (error.message, error.sqlstate) == (COUNT_MISMATCH.format(3, 2), "XX000")
    error = failed_copy(db, "COPY t (a) FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/p.json'")
    assert error.message == COUNT_MISMATCH.format(3, 1)
    assert rows(db, "SELECT count(*) FROM t") == [(0,)]


def test_a_missing_or_malformed_jsonpaths_file_fails_the_copy(env):
    db, lake = env
    db.execute("CREATE TABLE t (a INT)")
    put_file(lake, "in/a.json", b'{"a": 1}\n')
    error = failed_copy(db, "COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/paths/none.json'")
    assert (error.message, error.sqlstate) == (
        "Problem reading JSONPaths file 's3://lake/paths/none.json' - S3ServiceException:The specified key does not "
        "exist.,Status 404,Error NoSuchKey", "XX000")
    put_file(lake, "two.json", b'{"jsonpaths": ["$.a"]}\n{"jsonpaths": ["$.a"]}')
    put_file(lake, "array.json", b'[{"jsonpaths": ["$.a"]}]')
    put_file(lake, "numbers.json", b'{"jsonpaths": [1]}')
    put_file(lake, "wildcard.json", b'{"jsonpaths": ["$.a[*]"]}')
    for key in ("two", "array", "numbers", "wildcard"):
        error = failed_copy(db, f"COPY t FROM 's3://lake/in/' IAM_ROLE 'r' JSON 's3://lake/{key}.json'")
        assert error.sqlstate == "XX000" and error.message.startswith(("Invalid JSONPaths file", "Invalid JSONPath"))
    assert rows(db, "SELECT count(*) FROM t") == [(0,)]


# -- ORC -----------------------------------------------------------------------------------------

def put_orc(lake, key: str, table: pa.Table) -> None:
    orc.write_table(table, put_file(lake, key, b""))


def test_orc_columns_are_loaded_by_name_whatever_their_order_in_the_file(env):
    db, lake = env
    db.execute("CREATE TABLE sales (id INT, item VARCHAR(10), price DECIMAL(8,2), qty BIGINT, ratio DOUBLE, "
               "sold DATE, at TIMESTAMP, paid BOOLEAN)")
    put_orc(lake, "orc/part-0.orc", pa.table({
        "paid": [True, False], "at": pa.array([dt.datetime(2024, 5, 1, 12, 30), None], pa.timestamp("us")),
        "sold": pa.array([dt.date(2024, 5, 1), dt.date(2024, 5, 2)], pa.date32()), "ratio": [0.5, 1.25],
        "qty": pa.array([3, 4], pa.int64()), "price": pa.array([decimal.Decimal("9.99"), None], pa.decimal128(8, 2)),
        "item": ["pen", "ink"], "id": pa.array([1, 2], pa.int32())}))
    put_orc(lake, "orc/part-1.orc", pa.table({"item": ["pad"], "id": pa.array([3], pa.int32())}))
    result = db.execute("COPY sales FROM 's3://lake/orc/' IAM_ROLE 'r' FORMAT AS ORC")[0]
    assert (result.command, result.rowcount) == ("COPY 3", 3)
    assert typed_rows(db, "SELECT * FROM sales ORDER BY id") == [
        ((1, "int"), ("pen", "str"), (decimal.Decimal("9.99"), "Decimal"), (3, "int"), (0.5, "float"),
         (dt.date(2024, 5, 1), "date"), (dt.datetime(2024, 5, 1, 12, 30), "datetime"), (True, "bool")),
        ((2, "int"), ("ink", "str"), (None, "NoneType"), (4, "int"), (1.25, "float"),
         (dt.date(2024, 5, 2), "date"), (None, "NoneType"), (False, "bool")),
        ((3, "int"), ("pad", "str"), (None, "NoneType"), (None, "NoneType"), (None, "NoneType"),
         (None, "NoneType"), (None, "NoneType"), (None, "NoneType"))]
    assert view(db, "sys_load_history", "status, file_format, loaded_rows, error_count") == [
        ("completed", "orc", 3, 0)]
    assert view(db, "stl_load_commits", "filename, lines_scanned", order="filename") == [
        ("s3://lake/orc/part-0.orc", 2), ("s3://lake/orc/part-1.orc", 1)]
    # The Arrow table the COPY read through is gone with it.
    assert db._con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '__lakebox_copy%'"
                           ).fetchall() == [(0,)]


def test_orc_columns_whose_names_are_not_the_tables_are_loaded_by_position(env):
    db, lake = env
    db.execute("CREATE TABLE t (a INT, b VARCHAR(10), c VARCHAR(40))")
    put_orc(lake, "orc/a.orc", pa.table({"_col0": pa.array([1], pa.int32()), "_col1": ["x"],
                                         "_col2": pa.array([{"k": 1}], pa.struct([("k", pa.int64())]))}))
    db.execute("COPY t FROM 's3://lake/orc/' IAM_ROLE 'r' FORMAT AS ORC")
    assert rows(db, "SELECT * FROM t") == [(1, "x", '{"k":1}')]


def test_orc_value_that_does_not_fit_fails_the_copy_and_is_logged(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, name VARCHAR(3))")
    put_orc(lake, "orc/a.orc", pa.table({"id": pa.array([1, 2], pa.int32()), "name": ["ok", "toolong"]}))
    error = failed_copy(db, "COPY t FROM 's3://lake/orc/' IAM_ROLE 'r' FORMAT AS ORC")
    assert (error.message, error.sqlstate) == (FAILED.format("t"), "XX000")
    assert rows(db, "SELECT count(*) FROM t") == [(0,)]
    assert view(db, "stl_load_errors", "filename, line_number, colname, err_code, err_reason, raw_line") == [
        ("s3://lake/orc/a.orc", 2, "name", 1204, "String length exceeds DDL length", '{"id":2,"name":"toolong"}')]
    assert db._con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE '__lakebox_copy%'"
                           ).fetchall() == [(0,)]


@pytest.mark.parametrize("option, refused", [("MAXERROR 5", "MAXERROR"), ("DELIMITER ','", "DELIMITER"),
                                             ("IGNOREHEADER 1", "IGNOREHEADER"), ("GZIP", "COMPRESSION")])
def test_orc_takes_the_options_a_parquet_copy_takes(env, option, refused):
    db, lake = env
    db.execute("CREATE TABLE t (id INT)")
    put_orc(lake, "orc/a.orc", pa.table({"id": pa.array([1], pa.int32())}))
    error = failed_copy(db, f"COPY t FROM 's3://lake/orc/' IAM_ROLE 'r' FORMAT AS ORC {option}")
    assert (error.message, error.sqlstate) == (f"{refused} argument is not supported for ORC based COPY", "0A000")
    assert db.execute("COPY t FROM 's3://lake/orc/' IAM_ROLE 'r' FORMAT AS ORC ACCEPTINVCHARS EXPLICIT_IDS "
                      "STATUPDATE ON")[0].rowcount == 1


def test_an_orc_manifest_needs_content_lengths_as_a_parquet_one_does(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT)")
    put_orc(lake, "orc/a.orc", pa.table({"id": pa.array([5], pa.int32())}))
    put_file(lake, "bare.manifest", json.dumps({"entries": [{"url": "s3://lake/orc/a.orc"}]}).encode())
    put_file(lake, "sized.manifest", json.dumps({"entries": [{"url": "s3://lake/orc/a.orc", "mandatory": True,
                                                              "meta": {"content_length": 1}}]}).encode())
    error = failed_copy(db, "COPY t FROM 's3://lake/bare.manifest' IAM_ROLE 'r' FORMAT AS ORC MANIFEST")
    assert (error.message, error.sqlstate) == ("The manifest entry for 's3://lake/orc/a.orc' has no "
                                               "meta.content_length, which a COPY from Parquet or ORC requires",
                                               "XX000")
    db.execute("COPY t FROM 's3://lake/sized.manifest' IAM_ROLE 'r' FORMAT AS ORC MANIFEST")
    assert rows(db, "SELECT id FROM t") == [(5,)]


def test_an_unreadable_orc_file_fails_the_copy(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT)")
    put_file(lake, "orc/a.orc", b"not an orc file")
    error = failed_copy(db, "COPY t FROM 's3://lake/orc/' IAM_ROLE 'r' FORMAT AS ORC")
    assert error.sqlstate == "XX000" and error.message.startswith("Failed to read ORC file 's3://lake/orc/a.orc'")
    assert view(db, "sys_load_history", "status") == [("aborted",)]
