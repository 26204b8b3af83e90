"""What clients read to learn about the server and its tables: version(), CURRENT_USER, psql's \\dt,
\\dn and \\d, pg_tables and information_schema. lakebox's own bookkeeping schema and DuckDB's `main`
never show, since a Redshift database has neither."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from redshift_helpers import GUIDE_DDL, PASSWORD, connect, run_sql


@pytest.fixture
def psql(cluster):
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed (Debian: apt-get install postgresql-client)")
    endpoint = cluster["Endpoint"]
    base = ["psql", "-h", endpoint["Address"], "-p", str(endpoint["Port"]), "-U", "admin", "-d", "analytics",
            "-X", "-A", "-F", "|"]

    def run(*commands: str) -> str:
        args = [part for command in commands for part in ("-c", command)]
        done = subprocess.run([*base, *args], env={**os.environ, "PGPASSWORD": PASSWORD}, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def test_version_and_current_user_answer_as_redshift(redshift, cluster):
    assert run_sql(redshift, "select version()") == [[
        "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), "
        "Redshift 1.0.77467"]]
    import redshift_connector

    endpoint = cluster["Endpoint"]
    conn = redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="analytics",
                                      user="admin", password=PASSWORD, ssl=False)
    try:
        cursor = conn.cursor()
        cursor.execute("select current_user, pg_catalog.pg_get_userbyid(1)")
        assert [d[0] for d in cursor.description] == ["current_user", "pg_get_userbyid"]
        assert list(cursor.fetchone()) == ["admin", "rdsdb"]
    finally:
        conn.close()


def test_psql_lists_and_describes_tables(psql):
    psql(GUIDE_DDL, "create table notes (id int not null, body varchar(40))", "create view recent as select 1 as a")
    tables = psql("\\dt")
    assert "public|notes|table|admin" in tables and "public|sales|table|admin" in tables
    assert "_lakebox" not in tables and "main" not in tables
    schemas = psql("\\dn")
    assert "public|admin" in schemas and "_lakebox" not in schemas and "main|" not in schemas
    assert "public|recent|view|admin" in psql("\\dv")
    described = psql("\\d notes")
    assert 'Table "public.notes"' in described
    # psql words types with format_type, as Postgres names them.
    assert "id|integer||not null|" in described and "body|character varying(40)|||" in described
    assert "nextval('public.sales_sale_id_seq')" in psql("\\d sales")
    databases = psql("\\l")
    assert "analytics|admin|UTF8|" in databases and "dev|admin|UTF8|" in databases


def test_catalog_views_show_only_the_users_schemas(redshift, cluster):
    run_sql(redshift, "create table events (id int)")
    assert run_sql(redshift, "select schemaname, tablename, tableowner from pg_tables order by 2") == [
        ["public", "events", "admin"]]
    assert run_sql(redshift, "select table_schema, table_name from information_schema.tables") == [
        ["public", "events"]]
    assert run_sql(redshift, "select nspname from pg_namespace where nspname in ('public', '_lakebox', 'main')") == [
        ["public"]]


def test_pg_user_lists_the_clusters_users(redshift, cluster):
    run_sql(redshift, "create user etl_user password 'EtlPass123' createdb valid until '2030-01-01'")
    assert run_sql(redshift, "select usename, usesysid, usesuper, usecreatedb, valuntil from pg_user order by 2") == [
        ["rdsdb", 1, True, True, None], ["admin", 100, True, True, None],
        ["etl_user", 101, False, True, "2030-01-01 00:00:00"]]


def test_svv_tables_and_svv_columns_cover_local_and_external_tables(redshift, cluster, lakebox_server):
    from redshift_helpers import client

    glue = client(lakebox_server, "glue")
    glue.create_database(DatabaseInput={"Name": "lake"})
    glue.create_table(DatabaseName="lake", TableInput={
        "Name": "clicks", "TableType": "EXTERNAL_TABLE", "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        "StorageDescriptor": {"Columns": [{"Name": "url", "Type": "string"}], "Location": "s3://lake/clicks/"}})
    run_sql(redshift, "create table orders (id int not null, note varchar(20), amount decimal(10,2))",
            "create view big_orders as select id from orders where amount > 100",
            "create external schema ext from data catalog database 'lake' iam_role 'arn:aws:iam::1:role/r'")
    assert run_sql(redshift, "select table_schema, table_name, table_type from svv_tables order by 2") == [
        ["public", "big_orders", "VIEW"], ["ext", "clicks", "EXTERNAL TABLE"], ["public", "orders", "BASE TABLE"]]
    assert run_sql(redshift, "select table_name, column_name, ordinal_position, is_nullable, data_type, "
                             "character_maximum_length, numeric_precision, numeric_scale from svv_columns "
                             "where table_name in ('orders', 'clicks') order by 1, 3") == [
        ["clicks", "url", 1, "YES", "string", None, None, None],
        ["clicks", "dt", 2, "YES", "string", None, None, None],
        ["orders", "id", 1, "NO", "integer", None, 32, 0],
        ["orders", "note", 2, "YES", "character varying", 20, None, None],
        ["orders", "amount", 3, "YES", "numeric", None, 10, 2]]


def test_pg_last_copy_id_finds_a_failed_copys_errors(redshift, cluster, lakebox_server):
    import redshift_connector
    from redshift_helpers import client, connect

    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="loads")
    s3.put_object(Bucket="loads", Key="venue/part-0.txt", Body=b"1|Toyota Park\n2|x\nthree|RFK\n")
    conn = connect(redshift)
    conn.autocommit = True
    try:
        cursor = conn.cursor()
        cursor.execute("select pg_last_copy_id(), pg_last_copy_count()")
        assert list(cursor.fetchone()) == [-1, -1]
        cursor.execute("create table venue (venueid smallint, venuename varchar(12))")
        with pytest.raises(redshift_connector.ProgrammingError):
            cursor.execute("copy venue from 's3://loads/venue/' iam_role 'arn:aws:iam::1:role/r' delimiter '|'")
        cursor.execute("select line_number, colname, err_code, raw_field_value from stl_load_errors "
                       "where query = pg_last_copy_id()")
        assert [list(r) for r in cursor.fetchall()] == [[3, "venueid", 1207, "three"]]
        cursor.execute("select pg_last_copy_count()")
        assert cursor.fetchone()[0] == 0
        cursor.execute("copy venue from 's3://loads/venue/' iam_role 'arn:aws:iam::1:role/r' delimiter '|' maxerror 1")
        cursor.execute("select pg_last_copy_count(), (select count(*) from venue)")
        assert list(cursor.fetchone()) == [2, 2]
    finally:
        conn.close()


def test_show_commands_list_databases_schemas_tables_and_columns(redshift, cluster, lakebox_server):
    import redshift_connector
    from redshift_helpers import client

    client(lakebox_server, "glue").create_database(DatabaseInput={"Name": "lake"})
    run_sql(redshift, "create table orders (id int not null, note varchar(20))", "create table items (a int)",
            "create view v_orders as select id from orders",
            "create external schema ext from data catalog database 'lake' iam_role 'arn:aws:iam::1:role/r'")
    assert run_sql(redshift, "show databases") == [
        ["analytics", 100, "local", None, None, "Snapshot Isolation"],
        ["dev", 100, "local", None, None, "Snapshot Isolation"]]
    assert [r[1:4] + [r[5]] for r in run_sql(redshift, "show schemas from database analytics")] == [
        ["ext", 100, "external", "lake"], ["public", 100, "local", None]]
    assert run_sql(redshift, "show tables from schema analytics.public") == [
        ["analytics", "public", "items", "TABLE", None, None], ["analytics", "public", "orders", "TABLE", None, None],
        ["analytics", "public", "v_orders", "VIEW", None, None]]
    assert [r[2] for r in run_sql(redshift, "show tables from schema analytics.public like 'o%' limit 5")] == ["orders"]
    assert run_sql(redshift, "show columns from table analytics.public.orders") == [
        ["analytics", "public", "orders", "id", 1, None, "NO", "integer", None, 32, 0, None],
        ["analytics", "public", "orders", "note", 2, None, "YES", "character varying", 20, None, None, None]]
    assert run_sql(redshift, "show search_path") == [["public"]]
    # What does not exist is an empty listing, as the driver's suite (run against Redshift) expects.
    for sql in ("show tables from schema analytics.nope", "show columns from table analytics.public.nope",
                "show tables from schema nodb.public", "show schemas from database nodb"):
        assert run_sql(redshift, sql) == [], sql
    with pytest.raises(redshift_connector.ProgrammingError) as error:
        run_sql(redshift, "show nothing_like_it")
    assert error.value.args[0]["C"] == "42704"


def test_show_like_reads_the_literal_then_escapes_with_a_backslash(redshift, cluster):
    names = ["t_n", "t%n", "t\\_n", 't"q']
    run_sql(redshift, *[f'create schema "{name.replace(chr(34), chr(34) * 2)}"' for name in names],
            'create table "t\\_n"."a""b" (x int)')

    def schemas(pattern_literal: str) -> list:
        return [r[1] for r in run_sql(redshift, f"show schemas from database analytics like {pattern_literal}")]
    # The literal is read first ('\\' is one backslash), then LIKE's backslash makes the next character plain.
    assert schemas("'t_n'") == ["t%n", "t_n"]
    assert schemas(r"'t\_n'") == ["t%n", "t_n"]  # \_ in a literal is just _
    assert schemas(r"'t\\_n'") == ["t_n"]
    assert schemas(r"'t\\\\_n'") == ["t\\_n"]
    assert schemas(r"'t\\%n'") == ["t%n"]
    assert schemas("'t\"%'") == ['t"q']
    assert [r[2] for r in run_sql(redshift, 'show tables from schema analytics."t\\_n"')] == ['a"b']
    assert [r[3] for r in run_sql(redshift, 'show columns from table analytics."t\\_n"."a""b"')] == ["x"]

    conn = connect(redshift, "my-dw-cluster", "admin", PASSWORD)
    try:
        cursor = conn.cursor()
        assert cursor.supportSHOWDiscovery() >= 2  # the driver's metadata calls go through SHOW
        assert [row[0] for row in cursor.get_schemas("analytics", "t\\_n")] == ["t_n"]
        assert [row[2] for row in cursor.get_tables("analytics", "t\\\\_n", "a%")] == ['a"b']
    finally:
        conn.close()


def test_query_history_shows_what_ran_and_copy_ids_match(redshift, cluster, lakebox_server):
    import redshift_connector
    from redshift_helpers import client

    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="history")
    s3.put_object(Bucket="history", Key="in/a.txt", Body=b"1\n2\n")
    run_sql(redshift, "create table h (a int)", "insert into h values (1), (2)", "select * from h")
    with pytest.raises(redshift_connector.ProgrammingError):
        run_sql(redshift, "select * from nope")
    texts = ("create table h (a int)", "insert into h values (1), (2)", "select * from h", "select * from nope")
    listed = ", ".join("'" + t.replace("'", "''") + "'" for t in texts)
    assert run_sql(redshift, "select query_type, status, returned_rows, query_text, user_name, database_name "
                             f"from sys_query_history where query_text in ({listed}) order by query_id") == [
        ["DDL", "success", 0, texts[0], "admin", "analytics"], ["INSERT", "success", 0, texts[1], "admin", "analytics"],
        ["SELECT", "success", 2, texts[2], "admin", "analytics"], ["SELECT", "failed", 0, texts[3], "admin", "analytics"]]
    assert run_sql(redshift, f"select querytxt, aborted from stl_query where querytxt in ({listed}) order by query") == [
        [texts[1], 0], [texts[2], 0], [texts[3], 1]]
    copied = run_sql(redshift, "copy h from 's3://history/in/' iam_role 'arn:aws:iam::1:role/r'",
                     "select pg_last_copy_id(), (select max(query) from stl_query where querytxt like 'copy h%')")
    # The load log is written outside the session's transaction, so a later session reads it.
    assert copied[0][0] == copied[0][1] == run_sql(redshift, "select max(query_id) from sys_load_history")[0][0]
    assert run_sql(redshift, "select type, text from svl_statementtext where text = 'create table h (a int)'") == [
        ["DDL", "create table h (a int)"]]
    assert run_sql(redshift, "select status, query from stv_recents where query like 'select status, query from stv%'") == [
        ["Running", "select status, query from stv_recents where query like 'select status, query from stv%'"]]
