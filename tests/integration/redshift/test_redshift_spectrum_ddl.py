"""Spectrum DDL from the cluster (CREATE EXTERNAL TABLE, ALTER TABLE ... ADD PARTITION, DROP TABLE)
writing the Glue catalog, and the system views scripts read: PG_TABLE_DEF, SVV_TABLE_INFO and the
SVV_EXTERNAL_* views. Driven with redshift_connector and checked through Glue and Athena too."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import time

import pytest
from redshift_helpers import GUIDE_DDL, client, connect


@pytest.fixture
def lake(lakebox_server):
    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="tickit")
    s3.put_object(Bucket="tickit", Key="spectrum/sales/part-0.txt",
                  Body=b"1\t10.50\t2008-01-05 10:00:00\n2\t20.25\t2008-02-01 11:30:00\n")
    s3.put_object(Bucket="tickit", Key="spectrum/sales_part/saledate=2008-01/a.txt", Body=b"1|5.00\n2|6.00\n")
    s3.put_object(Bucket="tickit", Key="spectrum/sales_part/saledate=2008-02/a.txt", Body=b"3|7.00\n")
    return s3


@pytest.fixture
def cursor(cluster, redshift, lake):
    conn = connect(redshift)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("""CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'spectrumdb'
IAM_ROLE 'arn:aws:iam::123456789012:role/mySpectrumRole' CREATE EXTERNAL DATABASE IF NOT EXISTS""")
    yield cur
    conn.close()


def _rows(cur, sql: str) -> list:
    cur.execute(sql)
    return [tuple(r) for r in cur.fetchall()]


_SALES = """create external table spectrum.sales(
salesid integer,
pricepaid decimal(8,2),
saletime timestamp)
row format delimited
fields terminated by '\\t'
stored as textfile
location 's3://tickit/spectrum/sales/'
table properties ('numRows'='172000')"""

_SALES_PART = """create external table spectrum.sales_part(
salesid integer,
pricepaid double precision)
partitioned by (saledate char(7))
row format delimited fields terminated by '|'
stored as textfile
location 's3://tickit/spectrum/sales_part/'"""


def test_create_external_table_writes_glue_and_reads_the_files(cursor, lakebox_server):
    cursor.execute(_SALES)
    assert _rows(cursor, "select salesid, pricepaid, saletime from spectrum.sales order by salesid") == [
        (1, decimal.Decimal("10.50"), dt.datetime(2008, 1, 5, 10, 0)),
        (2, decimal.Decimal("20.25"), dt.datetime(2008, 2, 1, 11, 30))]
    table = client(lakebox_server, "glue").get_table(DatabaseName="spectrumdb", Name="sales")["Table"]
    sd = table["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]] == [
        ("salesid", "int"), ("pricepaid", "decimal(8,2)"), ("saletime", "timestamp")]
    assert sd["Location"] == "s3://tickit/spectrum/sales/"
    assert sd["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert sd["SerdeInfo"]["Parameters"]["field.delim"] == "\t"
    assert table["Parameters"]["numRows"] == "172000" and table["TableType"] == "EXTERNAL_TABLE"


def test_the_table_is_athenas_too(cursor, lakebox_server):
    cursor.execute(_SALES)
    athena = client(lakebox_server, "athena")
    client(lakebox_server, "s3").create_bucket(Bucket="results")
    qid = athena.start_query_execution(
        QueryString="SELECT sum(pricepaid) FROM sales", QueryExecutionContext={"Database": "spectrumdb"},
        ResultConfiguration={"OutputLocation": "s3://results/"})["QueryExecutionId"]
    for _ in range(200):
        state = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"]
        if state not in ("QUEUED", "RUNNING"):
            break
        time.sleep(0.05)
    assert state == "SUCCEEDED"
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    assert rows[1]["Data"][0]["VarCharValue"] == "30.75"


def test_partitions_added_and_dropped_from_the_cluster(cursor, lakebox_server):
    cursor.execute(_SALES_PART)
    assert _rows(cursor, "select count(*) from spectrum.sales_part") == [(0,)]
    cursor.execute("alter table spectrum.sales_part add if not exists partition(saledate='2008-01') "
                   "location 's3://tickit/spectrum/sales_part/saledate=2008-01/'")
    cursor.execute("alter table spectrum.sales_part add partition(saledate='2008-02') "
                   "location 's3://tickit/spectrum/sales_part/saledate=2008-02/'")
    assert _rows(cursor, "select salesid, pricepaid, saledate from spectrum.sales_part order by salesid") == [
        (1, 5.0, "2008-01"), (2, 6.0, "2008-01"), (3, 7.0, "2008-02")]
    glue = client(lakebox_server, "glue")
    values = sorted(p["Values"][0] for p in glue.get_partitions(DatabaseName="spectrumdb",
                                                                  TableName="sales_part")["Partitions"])
    assert values == ["2008-01", "2008-02"]
    cursor.execute("alter table spectrum.sales_part drop partition(saledate='2008-02')")
    assert _rows(cursor, "select max(salesid) from spectrum.sales_part") == [(2,)]
    cursor.execute("alter table spectrum.sales_part set table properties ('numRows'='2')")
    assert glue.get_table(DatabaseName="spectrumdb", Name="sales_part")["Table"]["Parameters"]["numRows"] == "2"


def test_drop_external_table_and_its_errors(cursor, lakebox_server):
    import redshift_connector

    cursor.execute(_SALES)
    with pytest.raises(redshift_connector.ProgrammingError) as exists:
        cursor.execute(_SALES)
    assert exists.value.args[0]["C"] == "42P07" and 'relation "spectrum.sales" already exists' in str(exists.value)
    cursor.execute(_SALES.replace("create external table", "create external table if not exists"))
    with pytest.raises(redshift_connector.ProgrammingError) as local:
        cursor.execute("create external table public.sales(a int) location 's3://tickit/x/'")
    assert local.value.args[0]["C"] == "3F000"
    cursor.execute("drop table spectrum.sales")
    glue = client(lakebox_server, "glue")
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="spectrumdb", Name="sales")
    with pytest.raises(redshift_connector.ProgrammingError) as missing:
        cursor.execute("drop table spectrum.sales")
    assert missing.value.args[0]["C"] == "42P01"
    cursor.execute("drop table if exists spectrum.sales")
    with pytest.raises(redshift_connector.ProgrammingError) as unknown_type:
        cursor.execute("create external table spectrum.t(a notatype) location 's3://tickit/x/'")
    assert unknown_type.value.args[0]["C"] == "42704"
    assert glue.get_tables(DatabaseName="spectrumdb")["TableList"] == []


def test_svv_external_views_describe_the_catalog(cursor):
    cursor.execute(_SALES)
    cursor.execute(_SALES_PART)
    cursor.execute("alter table spectrum.sales_part add partition(saledate='2008-01') "
                   "location 's3://tickit/spectrum/sales_part/saledate=2008-01/'")
    assert _rows(cursor, "select schemaname, databasename, esoptions from svv_external_schemas") == [
        ("spectrum", "spectrumdb", json.dumps({"IAM_ROLE": "arn:aws:iam::123456789012:role/mySpectrumRole"}))]
    assert _rows(cursor, "select schemaname, tablename, location, compressed from svv_external_tables "
                         "order by tablename") == [
        ("spectrum", "sales", "s3://tickit/spectrum/sales/", 0),
        ("spectrum", "sales_part", "s3://tickit/spectrum/sales_part/", 0)]
    assert _rows(cursor, "select columnname, external_type, columnnum, part_key from svv_external_columns "
                         "where tablename = 'sales_part' order by columnnum") == [
        ("salesid", "int", 1, 0), ("pricepaid", "double", 2, 0), ("saledate", "char(7)", 3, 1)]
    assert _rows(cursor, "select tablename, values, location from svv_external_partitions") == [
        ("sales_part", '["2008-01"]', "s3://tickit/spectrum/sales_part/saledate=2008-01/")]
    assert _rows(cursor, "select databasename from svv_external_databases") == [("spectrumdb",)]


def test_pg_table_def_and_svv_table_info_describe_local_tables(cursor):
    cursor.execute(GUIDE_DDL)
    cursor.execute("create table dim_country (code char(2) encode zstd, name varchar(60)) diststyle all")
    cursor.execute("insert into sales (order_date, customer_id, product_id, quantity, amount) values "
                   "('2024-01-15', 7, 100, 2, 19.90), ('2024-01-16', 8, 101, 1, 5.00)")
    assert _rows(cursor, 'select "column", type, encoding, distkey, sortkey, "notnull" from pg_table_def '
                         "where tablename = 'sales'") == [
        ("sale_id", "bigint", "none", False, 0, False),
        ("order_date", "date", "none", False, 1, True),
        ("customer_id", "bigint", "none", True, 0, True),
        ("product_id", "bigint", "none", False, 0, True),
        ("quantity", "integer", "none", False, 0, False),
        ("amount", "numeric(10,2)", "none", False, 0, False)]
    assert _rows(cursor, "select type, encoding from pg_catalog.pg_table_def where tablename = 'dim_country'") == [
        ("character(2)", "zstd"), ("character varying(60)", "none")]
    # Empty tables are left out, as AWS documents.
    assert _rows(cursor, 'select "schema", "table", diststyle, sortkey1, sortkey_num, tbl_rows, '
                         "estimated_visible_rows from svv_table_info") == [
        ("public", "sales", "KEY(customer_id)", "order_date", 1, 2, 2)]
    cursor.execute("insert into dim_country values ('BR', 'Brasil')")
    assert _rows(cursor, 'select "table", diststyle, encoded, max_varchar, sortkey1 from svv_table_info '
                         'order by "table"') == [
        ("dim_country", "ALL", "Y", 60, "AUTO(SORTKEY)"),
        ("sales", "KEY(customer_id)", "Y, AUTO(ENCODE)", 0, "order_date")]


def test_character_lengths_are_enforced_in_bytes_as_redshift_does(cursor):
    import redshift_connector

    cursor.execute("create table customers (code char(3), name varchar(5), note text)")
    cursor.execute("insert into customers values ('ab ', 'abcde', 'x')")
    for value in ("'abcdef'", "'ééé'"):  # six characters; three characters of two bytes each
        with pytest.raises(redshift_connector.ProgrammingError) as error:
            cursor.execute(f"insert into customers (name) values ({value})")
        assert error.value.args[0]["C"] == "22001"
        assert error.value.args[0]["M"] == "value too long for type character varying(5)"
    with pytest.raises(redshift_connector.ProgrammingError) as char:
        cursor.execute("update customers set code = 'abcd'")
    assert char.value.args[0]["M"] == "value too long for type character(3)"
    with pytest.raises(redshift_connector.ProgrammingError) as text:  # TEXT is VARCHAR(256) in Redshift
        cursor.execute("insert into customers (note) values (repeat('x', 257))")
    assert text.value.args[0]["M"] == "value too long for type character varying(256)"
    cursor.execute("insert into customers (code, name) values ('abc   ', 'éé')")
    assert _rows(cursor, "select rtrim(code), name, note from customers order by name") == [
        ("ab", "abcde", "x"), ("abc", "éé", None)]


def test_create_external_table_as_select_writes_the_lake_and_glue(cursor, lakebox_server):
    import redshift_connector

    cursor.execute("create table src (id int, region varchar(10), amt decimal(10,2), d date)")
    cursor.execute("insert into src values (1, 'eu', 1.5, '2024-01-01'), (2, 'us', 2.5, '2024-01-02'), "
                   "(3, 'eu', 3.5, '2024-01-03')")
    cursor.execute("create external table spectrum.sales_by_region partitioned by (region) stored as parquet "
                   "location 's3://tickit/out/sales_by_region/' as select id, amt, d, region from src")
    assert _rows(cursor, "select id, amt, d, region from spectrum.sales_by_region order by id") == [
        (1, decimal.Decimal("1.50"), dt.date(2024, 1, 1), "eu"), (2, decimal.Decimal("2.50"), dt.date(2024, 1, 2), "us"),
        (3, decimal.Decimal("3.50"), dt.date(2024, 1, 3), "eu")]
    glue = client(lakebox_server, "glue")
    table = glue.get_table(DatabaseName="spectrumdb", Name="sales_by_region")["Table"]
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("id", "int"), ("amt", "decimal(10,2)"), ("d", "date")]
    assert table["PartitionKeys"] == [{"Name": "region", "Type": "string"}]
    partitions = glue.get_partitions(DatabaseName="spectrumdb", TableName="sales_by_region")["Partitions"]
    assert sorted((p["Values"], p["StorageDescriptor"]["Location"]) for p in partitions) == [
        (["eu"], "s3://tickit/out/sales_by_region/region=eu/"), (["us"], "s3://tickit/out/sales_by_region/region=us/")]
    keys = [o["Key"] for o in client(lakebox_server, "s3").list_objects_v2(
        Bucket="tickit", Prefix="out/sales_by_region/")["Contents"]]
    assert keys == ["out/sales_by_region/region=eu/0000_part_00.parquet",
                    "out/sales_by_region/region=us/0000_part_00.parquet"]
    cursor.execute("create external table spectrum.ids row format delimited fields terminated by ',' "
                   "stored as textfile location 's3://tickit/out/ids/' as select id, region from src where id < 3")
    body = client(lakebox_server, "s3").get_object(Bucket="tickit", Key="out/ids/0000_part_00")["Body"].read()
    assert sorted(body.decode().splitlines()) == ["1,eu", "2,us"]
    for sql, sqlstate in (
            ("create external table spectrum.ids stored as textfile location 's3://tickit/out/other/' as select 1 as a",
             "42P07"),
            ("create external table spectrum.again stored as textfile location 's3://tickit/out/ids/' as select 1 as a",
             "XX000")):
        with pytest.raises(redshift_connector.ProgrammingError) as error:
            cursor.execute(sql)
        assert error.value.args[0]["C"] == sqlstate
    assert "Contents" not in client(lakebox_server, "s3").list_objects_v2(Bucket="tickit", Prefix="out/other/")
