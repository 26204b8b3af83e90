"""COPY's error handling as AWS documents it: bad rows found row by row, MAXERROR, the message and
SQLSTATE of a failed load, the declared VARCHAR/CHAR lengths in UTF-8 bytes, the empty/blank field
options, and the load log read back through STL_LOAD_ERRORS, SYS_LOAD_ERROR_DETAIL,
STL_LOAD_COMMITS and SYS_LOAD_HISTORY. Expected rows and errors come from the files' contents."""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from redshift_copy_helpers import copy_ids, failed_copy, new_database, put_file, rows, view, view_columns

from lakebox.engines.redshift.database import RedshiftDatabase

FAILED = "Load into table '{}' failed.  Check 'stl_load_errors' system table for details."
ERRORS = "filename, line_number, colname, err_code, err_reason"


@pytest.fixture
def env(tmp_path):
    db, lake = new_database(tmp_path)
    yield db, lake
    db.close()


# -- MAXERROR --------------------------------------------------------------------------------------

def test_bad_rows_within_maxerror_are_skipped_and_logged_with_line_and_reason(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, name VARCHAR(5))")
    put_file(lake, "in/a.txt", b"id|name\n1|ann\nx2|bob\n3|charlotte\n4|dan\n")
    result = db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' IGNOREHEADER 1 MAXERROR 2")[0]
    assert (result.command, result.rowcount) == ("COPY 2", 2)
    assert rows(db, "SELECT * FROM t ORDER BY id") == [(1, "ann"), (4, "dan")]
    assert view(db, "stl_load_errors", ERRORS + ", raw_line, raw_field_value, type, col_length, position",
                order="line_number") == [
        ("s3://lake/in/a.txt", 3, "id", 1207, "Invalid digit, Value 'x', Pos 0, Type: Integer", "x2|bob", "x2",
         "int4", "0", 0),
        ("s3://lake/in/a.txt", 4, "name", 1204, "String length exceeds DDL length", "3|charlotte", "charlotte",
         "varchar", "5", 5)]


def test_maxerror_n_tolerates_n_bad_rows_and_one_more_fails_loading_nothing(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT)")
    put_file(lake, "in/a.txt", b"1\nx\n2\ny\n3\n")
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' MAXERROR AS 2")[0].rowcount == 3
    error = failed_copy(db, "COPY t FROM 's3://lake/in/' IAM_ROLE 'r' MAXERROR 1")
    assert (error.message, error.sqlstate) == (FAILED.format("t"), "XX000")
    assert rows(db, "SELECT id FROM t ORDER BY id") == [(1,), (2,), (3,)]
    # The failed COPY's errors are kept as well as the successful one's.
    first, second = copy_ids(db)
    assert view(db, "stl_load_errors", "query, line_number, raw_field_value", order="query, line_number") == [
        (first, 2, "x"), (first, 4, "y"), (second, 2, "x"), (second, 4, "y")]
    assert view(db, "sys_load_history", "query_id, status, loaded_rows, error_count", order="query_id") == [
        (first, "completed", 3, 2), (second, "aborted", 0, 2)]


def test_maxerror_defaults_to_zero_and_ignoreallerrors_lifts_the_limit(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT)")
    put_file(lake, "in/a.txt", b"1\nnope\n2\n")
    assert failed_copy(db, "COPY t FROM 's3://lake/in/' IAM_ROLE 'r'").message == FAILED.format("t")
    assert rows(db, "SELECT count(*) FROM t") == [(0,)]
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' IGNOREALLERRORS")[0].command == "COPY 2"


def test_errors_of_a_failed_copy_survive_the_rollback_of_its_transaction(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT)")
    put_file(lake, "in/a.txt", b"1\nbad\n")
    db.execute("BEGIN")
    failed_copy(db, "COPY t FROM 's3://lake/in/' IAM_ROLE 'r'")
    db.execute("ROLLBACK")
    assert view(db, "stl_load_errors", "line_number, raw_field_value") == [(2, "bad")]
    assert view(db, "sys_load_history", "status") == [("aborted",)]


def test_noload_checks_the_files_without_loading_them(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT)")
    put_file(lake, "good/a.txt", b"1\n2\n")
    put_file(lake, "bad/a.txt", b"1\nx\n")
    assert db.execute("COPY t FROM 's3://lake/good/' IAM_ROLE 'r' NOLOAD")[0].command == "COPY 0"
    assert failed_copy(db, "COPY t FROM 's3://lake/bad/' IAM_ROLE 'r' NOLOAD").message == FAILED.format("t")
    assert rows(db, "SELECT count(*) FROM t") == [(0,)]


# -- what makes a row bad --------------------------------------------------------------------------

def test_field_errors_carry_redshifts_codes_and_reasons(env):
    db, lake = env
    db.execute("CREATE TABLE t (i SMALLINT, b BIGINT, n DECIMAL(5,2), d DATE, ts TIMESTAMP, f BOOLEAN, "
               "k INT NOT NULL)")
    put_file(lake, "in/a.txt", b"\n".join([
        b"1|2|3.5|2024-01-02|2024-01-02 03:04:05|t|1",
        b"1.5|2|3|2024-01-02||t|1",
        b"1|2|12a|2024-01-02||t|1",
        b"1|2|3|2024-1|||1",
        b"1|2|3|2024-01-02|noon||1",
        b"1|2|3||||",
        b"70000|2|3|||f|1",
        b"1|9999999999999999999|3|||f|1",
        b"1|2|3|||maybe|1"]) + b"\n")
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' MAXERROR 10")[0].command == "COPY 1"
    assert rows(db, "SELECT * FROM t") == [
        (1, 2, decimal.Decimal("3.50"), dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5), True, 1)]
    assert view(db, "stl_load_errors", "line_number, colname, type, err_code, err_reason, position",
                order="line_number") == [
        (2, "i", "int2", 1207, "Invalid digit, Value '.', Pos 1, Type: Short", 1),
        (3, "n", "numeric", 1207, "Invalid digit, Value 'a', Pos 2, Type: Decimal", 2),
        (4, "d", "date", 1205, "Invalid Date Format - length must be 10 or more", 0),
        (5, "ts", "timestamp", 1206, "Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]", 0),
        (6, "k", "int4", 1213, "Missing data for not-null field", 0),
        (7, "i", "int2", 1222, "Integer value overflow, Value '70000', Type: Short", 0),
        (8, "b", "int8", 1222, "Integer value overflow, Value '9999999999999999999', Type: Long", 0),
        (9, "f", "bool", 1210, "BOOLEAN data type format error, Value 'maybe'", 0)]


def test_decimals_are_truncated_to_the_scale_unless_roundec(env):
    db, lake = env
    db.execute("CREATE TABLE t (n DECIMAL(6,2))")
    put_file(lake, "in/a.txt", b"20.259\n-1.999\n")
    db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r'")
    db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' ROUNDEC")
    assert [r[0] for r in rows(db, "SELECT n FROM t ORDER BY rowid")] == [decimal.Decimal(v) for v in
                                                          ("20.25", "-1.99", "20.26", "-2.00")]


def test_lines_are_numbered_per_file_counting_the_header_and_lines_that_do_not_split(env):
    db, lake = env
    db.execute("CREATE TABLE t (a INT, b VARCHAR(10))")
    put_file(lake, "in/1.csv", b"a,b\n1,x\n2\n3,y,z\nq,w\n5,v\n")
    put_file(lake, "in/2.csv", b"a,b\nbad,r\n")
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' CSV IGNOREHEADER 1 MAXERROR 9")[0].rowcount == 2
    assert rows(db, "SELECT * FROM t ORDER BY a") == [(1, "x"), (5, "v")]
    assert view(db, "stl_load_errors", ERRORS + ", raw_line", order="filename, line_number") == [
        ("s3://lake/in/1.csv", 3, "", 1214, "Delimiter not found", "2"),
        ("s3://lake/in/1.csv", 4, "", 1214, "Extra column(s) found", "3,y,z"),
        ("s3://lake/in/1.csv", 5, "a", 1207, "Invalid digit, Value 'q', Pos 0, Type: Integer", "q,w"),
        ("s3://lake/in/2.csv", 2, "a", 1207, "Invalid digit, Value 'b', Pos 0, Type: Integer", "bad,r")]


# -- character lengths and the string options ------------------------------------------------------

def test_varchar_and_char_lengths_count_utf8_bytes(env):
    db, lake = env
    db.execute("CREATE TABLE t (v VARCHAR(4), c CHAR(2), t TEXT)")
    long_text = "x" * 257
    put_file(lake, "in/a.txt", "\n".join(["héé|ab|ok", "hé|ab  |ok", "abcd|é|ok", f"a|b|{long_text}"]).encode())
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' MAXERROR 5")[0].command == "COPY 1"
    # CHAR(2) from "ab  ": the extra characters are blanks, so the value is cut to the length.
    assert rows(db, "SELECT * FROM t") == [("hé", "ab", "ok")]
    assert view(db, "stl_load_errors", "line_number, colname, type, col_length, err_code, err_reason, raw_line",
                order="line_number") == [
        (1, "v", "varchar", "4", 1204, "String length exceeds DDL length", "h..|ab|ok"),
        (3, "c", "char", "2", 1220, "Multibyte character not supported for CHAR (Hint: Try using VARCHAR). "
                                    "Invalid char: c3a9", "abcd|.|ok"),
        (4, "t", "varchar", "256", 1204, "String length exceeds DDL length", f"a|b|{long_text}")]


def test_blanks_past_the_length_are_cut_and_char_values_are_padded_as_insert_stores_them(env):
    """AWS: a longer string fails "unless the extra characters are all spaces (blanks), in which case
    the string is truncated to the maximum length"; CHAR values are padded with blanks. A CHAR value
    loaded by COPY and the same one inserted are one value (one group)."""
    db, lake = env
    db.execute("CREATE TABLE t (v VARCHAR(3), c CHAR(3))")
    put_file(lake, "in/a.txt", b"abc     |x\nab|xy   \nabcd|z\n")
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' MAXERROR 5")[0].command == "COPY 2"
    assert rows(db, "SELECT v, c, octet_length(v), octet_length(c) FROM t ORDER BY v") == [
        ("ab", "xy ", 2, 3), ("abc", "x  ", 3, 3)]
    db.execute("INSERT INTO t VALUES ('q', 'x')")
    assert rows(db, "SELECT c, count(*) FROM t GROUP BY c ORDER BY c") == [("x  ", 2), ("xy ", 1)]
    assert view(db, "stl_load_errors", "line_number, colname, err_code") == [(3, "v", 1204)]


def test_truncatecolumns_cuts_to_the_declared_bytes_without_splitting_a_character(env):
    db, lake = env
    db.execute("CREATE TABLE t (v VARCHAR(4), c CHAR(2))")
    put_file(lake, "in/a.txt", "aéé|xyz\nabcdef|ab\n€€|a\n".encode())
    assert db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r' TRUNCATECOLUMNS")[0].command == "COPY 3"
    assert rows(db, "SELECT * FROM t ORDER BY rowid") == [("aé", "xy"), ("abcd", "ab"), ("€", "a ")]
    assert view(db, "stl_load_errors") == []


def test_empty_and_blank_fields_by_default_and_with_the_null_options(env):
    db, lake = env
    db.execute("CREATE TABLE t (s VARCHAR(10), n INT, tag VARCHAR(10))")
    put_file(lake, "in/a.txt", b"||x\n   |  |y\nab   |1|z\n\\N|\\N|w\n")
    for options in ("", "EMPTYASNULL", "BLANKSASNULL", "TRIMBLANKS"):
        db.execute(f"COPY t FROM 's3://lake/in/' IAM_ROLE 'r' {options}")
    loaded = rows(db, "SELECT s, n, tag FROM t ORDER BY rowid")
    assert loaded[0:4] == [("", None, "x"), ("   ", None, "y"), ("ab   ", 1, "z"), (None, None, "w")]
    assert loaded[4:8] == [(None, None, "x"), ("   ", None, "y"), ("ab   ", 1, "z"), (None, None, "w")]
    assert loaded[8:12] == [("", None, "x"), (None, None, "y"), ("ab   ", 1, "z"), (None, None, "w")]
    assert loaded[12:16] == [("", None, "x"), ("", None, "y"), ("ab", 1, "z"), (None, None, "w")]


def test_acceptinvchars_replaces_each_invalid_byte(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, name VARCHAR(10))")
    put_file(lake, "plain/a.txt", b"1|ab\xff\xfec\n2|ok\n")
    put_file(lake, "zipped/a.txt.gz", gzip.compress(b"3|x\xffy\n"))
    assert failed_copy(db, "COPY t FROM 's3://lake/plain/' IAM_ROLE 'r'").message == FAILED.format("t")
    assert view(db, "stl_load_errors", "line_number, colname, err_code, err_reason") == [
        (1, "name", 1220, "String contains invalid or unsupported UTF8 codepoints")]
    db.execute("COPY t FROM 's3://lake/plain/' IAM_ROLE 'r' ACCEPTINVCHARS AS '^'")
    db.execute("COPY t FROM 's3://lake/zipped/' IAM_ROLE 'r' GZIP ACCEPTINVCHARS")
    assert rows(db, "SELECT * FROM t ORDER BY id") == [(1, "ab^^c"), (2, "ok"), (3, "x?y")]


# -- JSON and Parquet ------------------------------------------------------------------------------

def test_json_and_parquet_rows_are_checked_too(env):
    db, lake = env
    db.execute("CREATE TABLE t (id INT, name VARCHAR(3))")
    put_file(lake, "js/1.json", b'{"id": 1, "name": "abc"}\n{"id": "x", "name": "a"}\n{"id": 3, "name": "abcd"}\n')
    assert db.execute("COPY t FROM 's3://lake/js/' IAM_ROLE 'r' JSON 'auto' MAXERROR 2")[0].command == "COPY 1"
    pq.write_table(pa.table({"id": [7, 8], "name": ["ok", "toolong"]}), put_file(lake, "pq/a.parquet", b""))
    assert failed_copy(db, "COPY t FROM 's3://lake/pq/' IAM_ROLE 'r' FORMAT AS PARQUET").sqlstate == "XX000"
    assert rows(db, "SELECT * FROM t") == [(1, "abc")]
    assert view(db, "stl_load_errors", ERRORS + ", raw_line", order="query, line_number") == [
        ("s3://lake/js/1.json", 2, "id", 1207, "Invalid digit, Value 'x', Pos 0, Type: Integer",
         json.dumps({"id": "x", "name": "a"}, separators=(",", ":"))),
        ("s3://lake/js/1.json", 3, "name", 1204, "String length exceeds DDL length",
         json.dumps({"id": "3", "name": "abcd"}, separators=(",", ":"))),
        ("s3://lake/pq/a.parquet", 2, "name", 1204, "String length exceeds DDL length",
         json.dumps({"id": 8, "name": "toolong"}, separators=(",", ":")))]


# -- the load views --------------------------------------------------------------------------------

def test_load_views_have_the_columns_aws_documents(env):
    db, _ = env
    assert view_columns(db, "stl_load_errors") == [
        "userid", "slice", "tbl", "starttime", "session", "query", "filename", "line_number", "colname", "type",
        "col_length", "position", "raw_line", "raw_field_value", "err_code", "err_reason"]
    assert view_columns(db, "sys_load_error_detail") == [
        "user_id", "query_id", "transaction_id", "session_id", "database_name", "table_id", "start_time",
        "file_name", "line_number", "column_name", "column_type", "column_length", "position", "error_code",
        "error_message"]
    assert view_columns(db, "stl_load_commits") == [
        "userid", "query", "slice", "name", "filename", "byte_offset", "lines_scanned", "errors", "curtime",
        "status", "file_format", "is_partial", "start_offset", "copy_job_id"]
    assert view_columns(db, "sys_load_history") == [
        "user_id", "query_id", "transaction_id", "session_id", "database_name", "status", "table_name",
        "start_time", "end_time", "duration", "data_source", "file_format", "loaded_rows", "loaded_bytes",
        "source_file_count", "source_file_bytes", "file_count_scanned", "file_bytes_scanned", "error_count",
        "copy_job_id"]


def test_each_copy_is_in_the_history_and_its_files_in_the_commits(env):
    db, lake = env
    db.execute("CREATE TABLE sales (id INT, note VARCHAR(3))")
    first = put_file(lake, "in/part-1.txt", b"1|a\n2|b\n")
    second = put_file(lake, "in/part-2.txt", b"3|c\nx|d\n")
    db.execute("COPY sales FROM 's3://lake/in/part' IAM_ROLE 'r' MAXERROR 1", user="etl")
    size = sum(len(open(path, "rb").read()) for path in (first, second))
    (query,) = copy_ids(db)
    assert view(db, "sys_load_history", "query_id, status, table_name, data_source, file_format, loaded_rows, "
                                        "source_file_count, source_file_bytes, error_count, database_name") == [
        (query, "completed", "sales", "s3://lake/in/part", "txt", 3, 2, size, 1, "dev")]
    assert view(db, "stl_load_commits", "query, name, filename, lines_scanned, errors, file_format",
                order="filename") == [
        (query, "sales", "s3://lake/in/part-1.txt", 2, 0, "Text"),
        (query, "sales", "s3://lake/in/part-2.txt", 2, 1, "Text")]
    detail = view(db, "sys_load_error_detail", "query_id, file_name, line_number, column_name, column_type, "
                                               "error_code, error_message, database_name")
    assert detail == [(query, "s3://lake/in/part-2.txt", 2, "id", "int4", 1207,
                       "Invalid digit, Value 'x', Pos 0, Type: Integer", "dev")]
    table_oid = db._con.execute("SELECT table_oid FROM duckdb_tables() WHERE table_name = 'sales'").fetchone()[0]
    assert view(db, "stl_load_errors", "tbl, query") == [(table_oid, query)]


def test_query_ids_are_unique_across_sessions_and_survive_a_reopen(env, tmp_path):
    db, lake = env
    db.execute("CREATE TABLE t (id INT)")
    put_file(lake, "in/a.txt", b"1\n")
    other = db.session()
    db.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r'")
    other.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r'")
    other.close()
    db.close()
    reopened = RedshiftDatabase(tmp_path / "cluster" / "dev.duckdb", lake=lake, glue_catalog=db.glue_catalog,
                     account="000000000000", region="us-east-1")
    try:
        reopened.execute("COPY t FROM 's3://lake/in/' IAM_ROLE 'r'")
        history = view(reopened, "sys_load_history", "query_id, loaded_rows")
        # Every statement takes an id; COPY's are unique and keep increasing across the reopen.
        assert [rows for _, rows in history] == [1, 1, 1]
        ids = [query for query, _ in history]
        assert ids == sorted(ids) and len(set(ids)) == 3
    finally:
        reopened.close()
