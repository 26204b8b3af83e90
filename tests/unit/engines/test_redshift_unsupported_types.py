"""CREATE TABLE with a PostgreSQL type Redshift does not support fails as on Redshift, before DuckDB
sees the statement; Redshift's own types, and the INTERVAL types with a qualifier, go on working.
Also the CREATE SCHEMA options and the FROM-clause function calls that drivers send."""

from __future__ import annotations

import pytest

from lakebox.engines.redshift import RedshiftError
from lakebox.engines.redshift.database import RedshiftDatabase
from lakebox.engines.redshift.translate import translate

# The types AWS lists as unsupported (redshift_connector's test_unsupported_datatypes.py), as written
# in a column definition -> the type named in the error.
UNSUPPORTED = [
    ("bytea", "bytea"), ("interval", "interval"), ("bit", "bit"), ("bit varying", "bit varying"),
    ("hstore", "hstore"), ("json", "json"), ("jsonb", "jsonb"), ("serial", "serial"), ("bigserial", "bigserial"),
    ("smallserial", "smallserial"), ("money", "money"), ("txid_snapshot", "txid_snapshot"), ("uuid", "uuid"),
    ("xml", "xml"), ("inet", "inet"), ("cidr", "cidr"), ("macaddr", "macaddr"), ("oid", "oid"),
    ("regproc", "regproc"), ("regclass", "regclass"), ("regtype", "regtype"), ("regnamespace", "regnamespace"),
    ("anyelement", "anyelement"), ("cstring", "cstring"), ("record", "record"), ("void", "void"),
    ("int4range", "int4range"), ("tstzrange", "tstzrange"), ("daterange", "daterange"), ("tsvector", "tsvector"),
    ("tsquery", "tsquery"), ('"char"', '"char"'), ("name", "name"), ("point", "point"),
    ("int[]", "integer[]"), ("int[][]", "integer[]"), ("varchar(10)[]", "character varying[]"),
]


@pytest.mark.parametrize("written, named", UNSUPPORTED)
def test_create_table_with_postgres_only_type_raises_unsupported_type(written, named):
    with pytest.raises(RedshiftError) as raised:
        translate(f"CREATE TEMPORARY TABLE t1 (id int, a {written} NOT NULL)")
    assert (raised.value.message, raised.value.sqlstate) == (f'Column "t1.a" has unsupported type "{named}"', "0A000")


def test_unsupported_type_names_the_table_without_its_schema_and_the_first_bad_column():
    with pytest.raises(RedshiftError) as raised:
        translate("CREATE TABLE IF NOT EXISTS dev.s.Events (id int, payload json, tags uuid)")
    assert raised.value.message == 'Column "events.payload" has unsupported type "json"'


def test_any_as_a_column_type_is_a_syntax_error():
    with pytest.raises(RedshiftError) as raised:
        translate("CREATE TABLE t1 (a any)")
    assert (raised.value.message, raised.value.sqlstate) == ('syntax error at or near "any"', "42601")


@pytest.fixture
def db(tmp_path):
    database = RedshiftDatabase(tmp_path / "dev.duckdb", lake=None, glue_catalog=None, account="000000000000",
                                region="us-east-1")
    yield database
    database.close()


@pytest.mark.parametrize("written, declared", [
    ("super", "super"), ("varbyte", "varbyte"), ("varbyte(16)", "varbyte(16)"), ("timetz", "time with time zone"),
    ("timestamptz", "timestamp with time zone"), ("interval year to month", None),
    ("interval day to second", None), ("character varying(5)", "character varying(5)"),
    ("double precision", "double precision"), ("bpchar", None),
])
def test_redshift_types_still_create_columns(db, written, declared):
    db.execute(f"CREATE TABLE t (a {written})")
    rows = db.execute("SELECT type FROM pg_table_def WHERE tablename = 't'")[-1].rows
    assert len(rows) == 1
    if declared is not None:
        assert rows == [(declared,)]


def test_cast_to_a_type_duckdb_lacks_is_type_does_not_exist(db):
    with pytest.raises(RedshiftError) as raised:
        db.execute("SELECT CAST('<a/>' AS xml)")
    assert (raised.value.message, raised.value.sqlstate) == ('type "xml" does not exist', "42704")


def test_failed_create_table_leaves_no_table(db):
    with pytest.raises(RedshiftError):
        db.execute("CREATE TABLE t1 (a int, b bytea)")
    assert db.execute("SELECT count(*) FROM svv_tables WHERE table_name = 't1'")[-1].rows == [(0,)]


@pytest.mark.parametrize("statement, duckdb", [
    ("create schema IF NOT EXISTS schema_test1 authorization awsuser", "CREATE SCHEMA IF NOT EXISTS schema_test1"),
    ("CREATE SCHEMA AUTHORIZATION etl", "CREATE SCHEMA etl"),
    ("CREATE SCHEMA sales QUOTA 50 GB", "CREATE SCHEMA sales"),
    ("CREATE SCHEMA sales AUTHORIZATION etl QUOTA UNLIMITED", "CREATE SCHEMA sales"),
    ("select current_database as TABLE_CAT FROM current_database() ORDER BY TABLE_CAT",
     'SELECT current_database AS table_cat FROM (SELECT CURRENT_DATABASE() AS "current_database") '
     "AS current_database ORDER BY table_cat"),
    ("SELECT * FROM current_schema()", 'SELECT * FROM (SELECT CURRENT_SCHEMA() AS "current_schema") AS current_schema'),
])
def test_driver_statement_translates(statement, duckdb):
    assert translate(statement).statements == [duckdb]


def test_interval_day_to_second_takes_its_fractional_digits(db):
    db.execute("CREATE TABLE t (d INTERVAL DAY TO SECOND (4), y INTERVAL YEAR TO MONTH)")
    db.execute("INSERT INTO t VALUES (INTERVAL '1 day 2 hours', INTERVAL '14 months')")
    assert db.execute("SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                      "JOIN pg_type t ON t.oid = a.atttypid WHERE c.relname = 't' ORDER BY a.attnum")[-1].rows == [
        ("d", "intervald2s"), ("y", "intervaly2m")]


def test_identity_sequences_are_not_relations_in_pg_class(db):
    db.execute("CREATE TABLE t (id BIGINT IDENTITY(1,1), name VARCHAR(5), PRIMARY KEY (id))")
    rows = db.execute("SELECT relname, relkind FROM pg_class WHERE relname IN ('t', 't_pkey', 't_id_seq') "
                      "ORDER BY 1")[-1].rows
    assert rows == [("t", "r"), ("t_pkey", "i")]
