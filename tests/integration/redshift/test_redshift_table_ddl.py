"""The table statements of Redshift's ETL scripts: the staged upsert (CREATE TEMP TABLE ... (LIKE),
COPY into it, DELETE USING, INSERT), ALTER TABLE APPEND, growing a VARCHAR, changing distribution and
sort keys, dropping several tables at once, and a few Redshift functions DuckDB names otherwise."""

from __future__ import annotations

import pytest
from redshift_helpers import client, run_sql
from redshift_helpers import rows as _rows


def test_the_staged_upsert_pattern(cursor, lakebox_server):
    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="etl")
    s3.put_object(Bucket="etl", Key="customers/day2.csv", Body=b"2,Bia Souza,bia@x.com\n3,Caio,caio@x.com\n")
    cursor.execute("create table customers (id int not null, name varchar(20), email varchar(40)) "
                   "distkey(id) sortkey(id)")
    cursor.execute("insert into customers values (1, 'Ana', 'ana@x.com'), (2, 'Bia', 'bia@old.com')")
    cursor.execute("create temp table stage (like customers)")
    cursor.execute("copy stage from 's3://etl/customers/' iam_role 'arn:aws:iam::1:role/r' format as csv")
    cursor.execute("begin")
    cursor.execute("delete from customers using stage where customers.id = stage.id")
    cursor.execute("insert into customers select * from stage")
    cursor.execute("end")
    assert _rows(cursor, "select * from customers order by id") == [
        [1, "Ana", "ana@x.com"], [2, "Bia Souza", "bia@x.com"], [3, "Caio", "caio@x.com"]]
    cursor.execute("create table archive (like customers)")
    assert _rows(cursor, "select \"column\", type, distkey, sortkey, \"notnull\" from pg_table_def "
                         "where tablename = 'archive'") == [
        ["id", "integer", True, 1, True], ["name", "character varying(20)", False, 0, False],
        ["email", "character varying(40)", False, 0, False]]


def test_append_moves_the_rows(cursor):
    import redshift_connector

    cursor.execute("create table sales (id int, amount int)")
    cursor.execute("create table sales_new (id int, amount int, note varchar(5))")
    cursor.execute("insert into sales values (1, 10)")
    cursor.execute("insert into sales_new values (2, 20, 'x'), (3, 30, 'y')")
    with pytest.raises(redshift_connector.ProgrammingError) as extra:
        cursor.execute("alter table sales append from sales_new")
    assert extra.value.args[0]["C"] == "42804"
    cursor.execute("alter table sales append from sales_new ignoreextra")
    assert _rows(cursor, "select * from sales order by id") == [[1, 10], [2, 20], [3, 30]]
    assert _rows(cursor, "select count(*) from sales_new") == [[0]]
    cursor.execute("begin")
    with pytest.raises(redshift_connector.ProgrammingError) as in_block:
        cursor.execute("alter table sales append from sales_new ignoreextra")
    assert in_block.value.args[0]["C"] == "25001"


def test_a_varchar_grows_and_keeps_its_rows(cursor):
    import redshift_connector

    cursor.execute("create table notes (id bigint identity(1, 1), body varchar(5) not null)")
    cursor.execute("insert into notes (body) values ('short')")
    with pytest.raises(redshift_connector.ProgrammingError):
        cursor.execute("insert into notes (body) values ('much longer')")
    with pytest.raises(redshift_connector.ProgrammingError) as shrink:
        cursor.execute("alter table notes alter column body type varchar(3)")
    assert shrink.value.args[0]["C"] == "22001"
    cursor.execute("alter table notes alter column body type varchar(20)")
    cursor.execute("insert into notes (body) values ('much longer')")
    # The identity keeps counting (the refused insert took a value, as Redshift's may).
    assert _rows(cursor, "select body from notes order by id") == [["short"], ["much longer"]]
    assert _rows(cursor, "select min(id) < max(id) from notes") == [[True]]
    assert _rows(cursor, "select type from pg_table_def where tablename = 'notes' and \"column\" = 'body'") == [
        ["character varying(20)"]]
    with pytest.raises(redshift_connector.ProgrammingError) as too_long:
        cursor.execute("insert into notes (body) values ('x' || repeat('y', 20))")
    assert too_long.value.args[0]["M"] == "value too long for type character varying(20)"


def test_distribution_and_sort_keys_change_and_create_if_not_exists_keeps_them(cursor):
    cursor.execute("create table events (id int, kind varchar(10), at timestamp) distkey(id) sortkey(at)")
    cursor.execute("alter table events alter distkey kind")
    cursor.execute("alter table events alter compound sortkey (kind, at)")
    cursor.execute("create table if not exists events (other int)")
    assert _rows(cursor, "select \"column\", distkey, sortkey from pg_table_def where tablename = 'events'") == [
        ["id", False, 0], ["kind", True, 1], ["at", False, 2]]
    cursor.execute("alter table events alter diststyle all")
    cursor.execute("insert into events values (1, 'click', '2024-01-01')")
    assert _rows(cursor, "select diststyle, sortkey1 from svv_table_info where \"table\" = 'events'") == [
        ["ALL", "kind"]]


def test_drop_several_tables_and_redshift_functions(redshift, cluster):
    run_sql(redshift, "create table a (x int)", "create table b (x int)", "drop table if exists a, b, c cascade")
    assert run_sql(redshift, "select count(*) from svv_tables where table_name in ('a', 'b')") == [[0]]
    assert run_sql(redshift, "select strtol('ff', 16), strtol('0101', 2), replicate('ab', 2), "
                             "is_valid_json('{\"a\": 1}'), is_valid_json('nope'), is_valid_json_array('[1]')") == [
        [255, 5, "abab", True, False, True]]
    assert run_sql(redshift, "select octet_length('héllo'), date_cmp('2024-01-01', '2024-01-02'), "
                             "timestamp_cmp('2024-01-02 00:00', '2024-01-01'), "
                             "json_serialize(json_parse('{\"a\": 1}'))") == [[6, -1, 1, '{"a":1}']]


def test_listagg_as_redshift_concatenates(redshift, cluster):
    run_sql(redshift, "create table tags (id int, tag varchar(5))",
            "insert into tags values (1, 'a'), (1, 'b'), (1, 'b'), (2, 'c')")
    assert run_sql(redshift, "select listagg(tag) within group (order by tag) from tags") == [["abbc"]]
    assert run_sql(redshift, "select listagg(distinct tag, ',') within group (order by tag) from tags") == [["a,b,c"]]
    assert run_sql(redshift, "select distinct id, listagg(distinct tag, '|') within group (order by tag) "
                             "over (partition by id) from tags order by id") == [[1, "a|b"], [2, "c"]]


def test_to_char_formats_numbers_and_dates(redshift, cluster):
    run_sql(redshift, "create table amounts (n decimal(10,2), i int, d date)",
            "insert into amounts values (1234.5, -42, '2024-03-15')")
    assert run_sql(redshift, "select to_char(n, 'FM9,999.00'), to_char(n, '99999D99'), to_char(i, '999S'), "
                             "to_char(i, '999PR'), to_char(d, 'YYYY-MM-DD') from amounts") == [
        ["1,234.50", "  1234.50", " 42-", " <42>", "2024-03-15"]]
