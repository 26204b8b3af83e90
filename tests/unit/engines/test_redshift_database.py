"""RedshiftDatabase end to end on a temp DuckDB file: the guide's DDL, queries, COPY and UNLOAD over a
stand-in lake folder, Spectrum over a dict-backed Glue catalog, errors and persistence. Expected rows
come from the values the files were written from, never from the engine."""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from redshift_guide_sql import GUIDE_SALES_DDL

from lakebox.engines.redshift.database import Column, RedshiftDatabase, RedshiftError

PARQUET = {"InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
           "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}
CSV = {"InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
       "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                     "Parameters": {"field.delim": ","}}}
JSON_SD = {"InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
           "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}}


class FakeLake:
    """A bucket is a folder; put_object writes the file, as the real lake does."""

    def __init__(self, root):
        self.root = root
        self.puts = []

    def bucket_path(self, bucket):
        return os.path.join(self.root, "s3", bucket)

    def put_object(self, bucket, key, body, meta):
        path = os.path.join(self.bucket_path(bucket), key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(body if isinstance(body, bytes) else body.read())
        self.puts.append((bucket, key, meta.content_type))


class FakeGlue:
    def __init__(self):
        self.tables, self.partitions = {}, {}

    def get_table(self, account, region, db, name):
        return self.tables.get((db, name))

    def list_tables(self, account, region, db):
        return [t for (d, _), t in self.tables.items() if d == db]

    def get_partitions(self, account, region, db, table, expression=None):
        return self.partitions.get((db, table), [])

    def add(self, db, name, columns, storage, location, keys=None):
        self.tables[(db, name)] = {
            "Name": name, "DatabaseName": db, "PartitionKeys": [{"Name": n, "Type": t} for n, t in keys or []],
            "StorageDescriptor": {**storage, "Location": location,
                                  "Columns": [{"Name": n, "Type": t} for n, t in columns]}}


@pytest.fixture
def env(tmp_path):
    lake, glue = FakeLake(str(tmp_path)), FakeGlue()
    os.makedirs(lake.bucket_path("lake"))
    db = RedshiftDatabase(tmp_path / "cluster" / "dev.duckdb", lake=lake, glue_catalog=glue,
                          account="000000000000", region="us-east-1")
    yield db, lake, glue, tmp_path
    db.close()


def put_file(lake, key, data: bytes):
    path = os.path.join(lake.bucket_path("lake"), key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def one(db, sql):
    [result] = db.execute(sql)
    return result


def rows(db, sql):
    return one(db, sql).rows


# -- DDL -------------------------------------------------------------------------------------------

def test_guide_ddl_creates_tables_and_records_their_design(env):
    db, *_ = env
    results = db.execute(GUIDE_SALES_DDL + "CREATE TABLE dim_country (code CHAR(2), name VARCHAR(64)) DISTSTYLE ALL;"
                         "CREATE TABLE logs (ts TIMESTAMP, msg VARCHAR(256)) SORTKEY (ts);"
                         "CREATE TABLE t (order_id BIGINT ENCODE AZ64, status VARCHAR(20) ENCODE LZO) "
                         "COMPOUND SORTKEY (order_id, status);"
                         "VACUUM FULL sales; ANALYZE sales;")
    assert [r.command for r in results] == ["CREATE TABLE"] * 4 + ["VACUUM", "ANALYZE"]
    assert db.list_tables("public") == [("dim_country", "TABLE"), ("logs", "TABLE"), ("sales", "TABLE"), ("t", "TABLE")]
    assert db.describe_table("public", "sales") == [
        Column("sale_id", "bigint"), Column("order_date", "date"), Column("customer_id", "bigint"),
        Column("product_id", "bigint"), Column("quantity", "integer"), Column("amount", "numeric(10,2)")]
    assert db.describe_table("public", "dim_country") == [Column("code", "character(2)"),
                                                          Column("name", "character varying(64)")]
    assert set(db.table_design("public", "sales")) == {
        (None, "DISTKEY", "customer_id"), (None, "SORTKEY", "order_date"), ("sale_id", "IDENTITY", "1,1"),
        (None, "PRIMARY KEY", "sale_id")}
    assert (None, "COMPOUND SORTKEY", "order_id,status") in db.table_design("public", "t")


def test_identity_fills_in_and_primary_key_is_not_enforced(env):
    db, *_ = env
    db.execute(GUIDE_SALES_DDL)
    result = one(db, "INSERT INTO sales (order_date, customer_id, product_id, quantity, amount) VALUES "
                     "('2024-01-01', 7, 1, 2, 10.50), ('2024-01-02', 8, 1, 1, 3)")
    assert (result.command, result.rowcount) == ("INSERT 0 2", 2)
    # Redshift does not enforce PRIMARY KEY: an explicit duplicate goes in.
    db.execute("INSERT INTO sales VALUES (1, '2024-01-03', 9, 1, 1, 1)")
    assert rows(db, "SELECT sale_id, customer_id FROM sales ORDER BY customer_id") == [(1, 7), (2, 8), (1, 9)]


def test_drop_table_forgets_design_and_sequence(env):
    db, *_ = env
    db.execute(GUIDE_SALES_DDL)
    assert one(db, "DROP TABLE sales").command == "DROP TABLE"
    assert db.table_design("public", "sales") == []
    db.execute(GUIDE_SALES_DDL)  # the sequence was dropped too, so it starts again
    db.execute("INSERT INTO sales (order_date, customer_id, product_id) VALUES ('2024-01-01', 1, 1)")
    assert rows(db, "SELECT sale_id FROM sales") == [(1,)]


# -- queries ---------------------------------------------------------------------------------------

def test_select_returns_python_values_postgres_types_and_tags(env):
    db, *_ = env
    db.execute(GUIDE_SALES_DDL + "INSERT INTO sales (order_date, customer_id, product_id, quantity, amount) VALUES "
                           "('2024-01-01', 7, 1, 2, 10.50), ('2024-01-31', 7, 2, 1, 3)")
    result = one(db, "SELECT customer_id, SUM(amount), COUNT(*), MAX(order_date), LISTAGG(product_id::varchar, ',') "
                     "WITHIN GROUP (ORDER BY product_id) AS products FROM sales GROUP BY customer_id")
    assert result.command == "SELECT 1" and result.rowcount == 1
    assert [c.name for c in result.columns] == ["customer_id", "sum", "count", "max", "products"]
    assert [c.type_name for c in result.columns] == ["bigint", "numeric(38,2)", "bigint", "date", "character varying"]
    assert result.rows == [(7, decimal.Decimal("13.50"), 2, dt.date(2024, 1, 31), "1,2")]


def test_redshift_functions_run(env):
    db, *_ = env
    db.execute("CREATE TABLE e (d DATE, ts TIMESTAMP, s VARCHAR(10), n INT)")
    db.execute("INSERT INTO e VALUES ('2024-01-31', '2024-03-05 10:11:12', 'Abc', NULL)")
    result = one(db, "SELECT TOP 1 DATEADD(month, 1, d), DATEDIFF(day, d, ts), NVL(n, -1), LEN(s), TRUNC(ts), "
                     "CONVERT(VARCHAR, n), s ILIKE 'a%', GETDATE() > '2020-01-01'::timestamp, d::varchar FROM e")
    assert result.rows == [(dt.datetime(2024, 2, 29), 34, -1, 3, dt.date(2024, 3, 5), None, True, True, "2024-01-31")]
    assert result.columns[4] == Column("trunc", "date")


def test_update_delete_and_transactions(env):
    db, *_ = env
    results = db.execute("BEGIN; CREATE TABLE k (a INT); INSERT INTO k VALUES (1), (2), (3); "
                         "UPDATE k SET a = a + 10 WHERE a > 1; DELETE FROM k WHERE a = 1; END;")
    assert [r.command for r in results] == ["BEGIN", "CREATE TABLE", "INSERT 0 3", "UPDATE 2", "DELETE 1", "COMMIT"]
    db.execute("BEGIN; INSERT INTO k VALUES (99); ROLLBACK;")
    assert rows(db, "SELECT a FROM k ORDER BY a") == [(12,), (13,)]
    assert one(db, "COMMIT").command == "COMMIT"  # outside a transaction: a warning in Postgres, not an error


# -- errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sql, sqlstate, message", [
    ("SELECT * FROM missing", "42P01", 'relation "missing" does not exist'),
    ("SELEC 1", "42601", None),
    ("SELECT nope FROM k", "42703", 'column "nope" does not exist'),
    ("CREATE TABLE k (a INT)", "42P07", 'relation "k" already exists'),
    ("SELECT 'abc'::int", "22P02", None),
    ("CREATE TABLE g (shape GEOMETRY)", "0A000", None),
])
def test_errors_carry_sqlstate(env, sql, sqlstate, message):
    db, *_ = env
    db.execute("CREATE TABLE k (a INT)")
    with pytest.raises(RedshiftError) as caught:
        db.execute(sql)
    assert caught.value.sqlstate == sqlstate
    if message:
        assert caught.value.message == message


def test_failing_statement_stops_a_multi_statement_string(env):
    db, *_ = env
    with pytest.raises(RedshiftError) as caught:
        db.execute("CREATE TABLE a (x INT); INSERT INTO a VALUES (1); SELECT * FROM nowhere; INSERT INTO a VALUES (2)")
    assert caught.value.sqlstate == "42P01"
    assert [r.command for r in caught.value.results] == ["CREATE TABLE", "INSERT 0 1"]
    assert rows(db, "SELECT x FROM a") == [(1,)]


# -- persistence -----------------------------------------------------------------------------------

def test_tables_rows_and_design_survive_reopening(env):
    db, lake, glue, tmp_path = env
    db.execute(GUIDE_SALES_DDL + "INSERT INTO sales (order_date, customer_id, product_id) VALUES ('2024-01-01', 1, 1);"
               "CREATE SCHEMA staging; CREATE TABLE staging.x (a INT); "
               "CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'raw_data' IAM_ROLE 'arn:aws:iam::1:role/r'")
    db.close()
    again = RedshiftDatabase(tmp_path / "cluster" / "dev.duckdb", lake=lake, glue_catalog=glue,
                             account="000000000000", region="us-east-1")
    try:
        again.execute("INSERT INTO sales (order_date, customer_id, product_id) VALUES ('2024-01-02', 2, 2)")
        assert rows(again, "SELECT sale_id, customer_id FROM sales ORDER BY 1") == [(1, 1), (2, 2)]
        assert again.list_schemas() == ["public", "spectrum", "staging"]
        assert (None, "DISTKEY", "customer_id") in again.table_design("public", "sales")
    finally:
        again.close()


# -- COPY ------------------------------------------------------------------------------------------

def test_copy_csv_with_header_fills_identity(env):
    db, lake, *_ = env
    db.execute(GUIDE_SALES_DDL)
    put_file(lake, "in/sales/part-1.csv", b"order_date,customer_id,product_id,quantity,amount\n"
                                          b"2024-01-01,1,10,2,5.50\n2024-01-02,2,11,,\"7\"\n")
    put_file(lake, "in/sales/part-2.csv", b"order_date,customer_id,product_id,quantity,amount\n2024-01-03,3,12,1,1\n")
    put_file(lake, "in/other.csv", b"not,matched\n")
    result = one(db, "COPY sales FROM 's3://lake/in/sales/part' IAM_ROLE 'arn:aws:iam::1:role/r' "
                     "FORMAT AS CSV DELIMITER ',' QUOTE '\"' IGNOREHEADER 1 REGION 'us-east-1' TIMEFORMAT 'auto'")
    assert (result.command, result.rowcount) == ("COPY 3", 3)
    assert rows(db, "SELECT * FROM sales ORDER BY sale_id") == [
        (1, dt.date(2024, 1, 1), 1, 10, 2, decimal.Decimal("5.50")),
        (2, dt.date(2024, 1, 2), 2, 11, None, decimal.Decimal("7.00")),
        (3, dt.date(2024, 1, 3), 3, 12, 1, decimal.Decimal("1.00"))]


def test_copy_default_pipe_text_gzip_and_column_list(env):
    db, lake, *_ = env
    db.execute("CREATE TABLE logs (ts TIMESTAMP, msg VARCHAR(256), level INT)")
    put_file(lake, "logs/a.txt.gz", gzip.compress(b"2024-01-01 10:00:00|hello, world\n2024-01-01 11:00:00|bye\n"))
    result = one(db, "COPY logs (ts, msg) FROM 's3://lake/logs/' "
                     "CREDENTIALS 'aws_access_key_id=x;aws_secret_access_key=y' GZIP DATEFORMAT 'auto'")
    assert result.command == "COPY 2"
    assert rows(db, "SELECT * FROM logs ORDER BY ts") == [(dt.datetime(2024, 1, 1, 10), "hello, world", None),
                                                        (dt.datetime(2024, 1, 1, 11), "bye", None)]


def test_copy_parquet_by_column_name(env):
    db, lake, *_ = env
    db.execute(GUIDE_SALES_DDL)
    table = pa.table({"order_date": [dt.date(2024, 5, 1)], "customer_id": [4], "product_id": [5],
                      "quantity": [6], "amount": [decimal.Decimal("1.25")]})
    pq.write_table(table, put_file(lake, "pq/sales.parquet", b""))
    assert one(db, "COPY sales FROM 's3://lake/pq/' IAM_ROLE 'r' FORMAT AS PARQUET").command == "COPY 1"
    assert rows(db, "SELECT * FROM sales") == [(1, dt.date(2024, 5, 1), 4, 5, 6, decimal.Decimal("1.25"))]


def test_copy_json_auto_and_manifest(env):
    db, lake, *_ = env
    db.execute("CREATE TABLE ev (id INT, name VARCHAR(20), at TIMESTAMP)")
    put_file(lake, "js/1.json", b'{"id": 1, "name": "a", "at": "2024-01-01 00:00:00"}\n{"id": 2, "NAME": "b"}\n')
    put_file(lake, "js/2.json", b'{"id": 3, "name": "c", "extra": true}\n')
    put_file(lake, "js/skip.json", b'{"id": 99}\n')
    manifest = {"entries": [{"url": "s3://lake/js/1.json", "mandatory": True},
                            {"url": "s3://lake/js/2.json", "mandatory": True},
                            {"url": "s3://lake/js/gone.json", "mandatory": False}]}
    put_file(lake, "js/load.manifest", json.dumps(manifest).encode())
    result = one(db, "COPY ev FROM 's3://lake/js/load.manifest' IAM_ROLE 'r' FORMAT AS JSON 'auto' MANIFEST")
    assert result.command == "COPY 3"
    # 'auto' matches keys to column names case-sensitively, as Redshift does: "NAME" is not "name".
    assert rows(db, "SELECT id, name, at FROM ev ORDER BY id") == [(1, "a", dt.datetime(2024, 1, 1)), (2, None, None),
                                                                  (3, "c", None)]


def test_copy_missing_prefix_raises_like_redshift(env):
    db, *_ = env
    db.execute("CREATE TABLE k (a INT)")
    with pytest.raises(RedshiftError) as caught:
        db.execute("COPY k FROM 's3://lake/nothing/here' IAM_ROLE 'r' CSV")
    assert caught.value.message == "The specified S3 prefix 'nothing/here' does not exist"


def test_copy_into_missing_table_is_42p01(env):
    db, *_ = env
    with pytest.raises(RedshiftError) as caught:
        db.execute("COPY nope FROM 's3://lake/x' IAM_ROLE 'r' CSV")
    assert caught.value.sqlstate == "42P01"


# -- UNLOAD ----------------------------------------------------------------------------------------

def test_unload_parquet_parallel_off_with_manifest(env):
    db, lake, *_ = env
    db.execute("CREATE TABLE k (a INT, b VARCHAR(5)); INSERT INTO k VALUES (1, 'x'), (2, 'y')")
    result = one(db, "UNLOAD ('select * from k where b = ''x''') TO 's3://lake/out/k_' IAM_ROLE 'r' "
                     "FORMAT AS PARQUET PARALLEL OFF MANIFEST")
    assert (result.command, result.rowcount) == ("UNLOAD", 1)
    assert [key for _, key, _ in lake.puts] == ["out/k_0000_part_00.parquet", "out/k_manifest"]
    assert pq.read_table(os.path.join(lake.bucket_path("lake"), "out/k_0000_part_00.parquet")).to_pylist() == [
        {"a": 1, "b": "x"}]
    manifest = json.load(open(os.path.join(lake.bucket_path("lake"), "out/k_manifest")))
    assert manifest == {"entries": [{"url": "s3://lake/out/k_0000_part_00.parquet"}]}


def test_unload_default_text_is_pipe_delimited(env):
    db, lake, *_ = env
    db.execute("CREATE TABLE k (a INT, b VARCHAR(5)); INSERT INTO k VALUES (1, 'x'), (2, NULL)")
    db.execute("UNLOAD ('select * from k order by a') TO 's3://lake/txt/k_' IAM_ROLE 'r'")
    assert [key for _, key, _ in lake.puts] == ["txt/k_0000_part_00"]
    assert open(os.path.join(lake.bucket_path("lake"), "txt/k_0000_part_00")).read() == "1|x\n2|\n"
    # Without ALLOWOVERWRITE a second UNLOAD to the same prefix fails, as in Redshift.
    with pytest.raises(RedshiftError, match="not empty"):
        db.execute("UNLOAD ('select * from k') TO 's3://lake/txt/k_' IAM_ROLE 'r'")
    db.execute("UNLOAD ('select * from k') TO 's3://lake/txt/k_' IAM_ROLE 'r' ALLOWOVERWRITE")


def test_unload_csv_header_gzip_serial_and_partitioned_parquet(env):
    db, lake, *_ = env
    db.execute("CREATE TABLE k (a INT, b VARCHAR(5)); INSERT INTO k VALUES (1, 'x,y'), (2, 'z')")
    db.execute("UNLOAD ('select * from k order by a') TO 's3://lake/csv/k_' IAM_ROLE 'r' "
               "FORMAT CSV HEADER GZIP PARALLEL OFF")
    assert gzip.decompress(open(os.path.join(lake.bucket_path("lake"), "csv/k_000.gz"), "rb").read()) == \
        b'a,b\n1,"x,y"\n2,z\n'
    db.execute("UNLOAD ('select * from k') TO 's3://lake/part/' IAM_ROLE 'r' PARQUET PARTITION BY (b)")
    keys = sorted(key for _, key, _ in lake.puts if key.startswith("part/"))
    # Partition values are escaped in folder names (DuckDB's Hive-style writer escapes the comma).
    assert keys == ["part/b=x%2Cy/0000_part_00.parquet", "part/b=z/0000_part_00.parquet"]


# -- Spectrum --------------------------------------------------------------------------------------

def test_spectrum_tables_are_readable_and_joinable(env):
    db, lake, glue, _ = env
    pq.write_table(pa.table({"customer_id": [1, 2], "event": ["view", "buy"]}),
                   put_file(lake, "raw/events/part-0.parquet", b""))
    glue.add("raw_data", "events", [("customer_id", "bigint"), ("event", "string")], PARQUET, "s3://lake/raw/events/")
    put_file(lake, "raw/countries/c.csv", b"DE,Germany\nFR,France\n")
    glue.add("raw_data", "countries", [("code", "string"), ("name", "string")], CSV, "s3://lake/raw/countries/")
    put_file(lake, "raw/clicks/dt=2024-01-01/a.json", b'{"id": 1}\n{"id": 2}\n')
    put_file(lake, "raw/clicks/dt=2024-01-02/a.json", b'{"id": 3}\n')
    glue.add("raw_data", "clicks", [("id", "int")], JSON_SD, "s3://lake/raw/clicks/", keys=[("dt", "string")])
    glue.partitions[("raw_data", "clicks")] = [
        {"Values": [day], "StorageDescriptor": {"Location": f"s3://lake/raw/clicks/dt={day}/"}}
        for day in ("2024-01-01", "2024-01-02")]
    assert one(db, "CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'raw_data' "
                   "IAM_ROLE 'arn:aws:iam::1:role/r' CREATE EXTERNAL DATABASE IF NOT EXISTS").command == "CREATE SCHEMA"
    db.execute(GUIDE_SALES_DDL + "INSERT INTO sales (order_date, customer_id, product_id, amount) VALUES "
                           "('2024-01-01', 1, 1, 5), ('2024-01-01', 2, 1, 7)")
    assert rows(db, "SELECT r.customer_id, r.amount, e.event FROM sales r JOIN spectrum.events e "
                    "ON r.customer_id = e.customer_id ORDER BY 1") == [(1, decimal.Decimal("5.00"), "view"),
                                                                       (2, decimal.Decimal("7.00"), "buy")]
    assert rows(db, "SELECT name FROM spectrum.countries WHERE code = 'FR'") == [("France",)]
    assert rows(db, "SELECT dt, COUNT(*) FROM spectrum.clicks GROUP BY dt ORDER BY dt") == [("2024-01-01", 2),
                                                                                           ("2024-01-02", 1)]
    assert "spectrum" in db.list_schemas()
    assert db.list_tables("spectrum") == [("clicks", "EXTERNAL TABLE"), ("countries", "EXTERNAL TABLE"),
                                          ("events", "EXTERNAL TABLE")]
    assert db.describe_table("spectrum", "clicks") == [Column("id", "integer"), Column("dt", "character varying")]
    with pytest.raises(RedshiftError) as caught:
        db.execute("SELECT * FROM spectrum.nope")
    assert (caught.value.sqlstate, caught.value.message) == ("42P01", 'relation "spectrum.nope" does not exist')


def test_unload_reads_spectrum_tables(env):
    db, lake, glue, _ = env
    put_file(lake, "raw/countries/c.csv", b"DE,Germany\n")
    glue.add("raw_data", "countries", [("code", "string"), ("name", "string")], CSV, "s3://lake/raw/countries/")
    db.execute("CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'raw_data' IAM_ROLE 'r'")
    db.execute("UNLOAD ('select * from spectrum.countries') TO 's3://lake/u/c_' IAM_ROLE 'r' CSV")
    assert open(os.path.join(lake.bucket_path("lake"), "u/c_0000_part_00")).read() == "DE,Germany\n"


def test_copy_with_explicit_date_and_time_formats(env):
    db, lake, *_ = env
    db.execute("CREATE TABLE f (d DATE, ts TIMESTAMP)")
    put_file(lake, "fmt/a.csv", b"31/01/2024,2024.01.31 13:14:15\n")
    db.execute("COPY f FROM 's3://lake/fmt/' IAM_ROLE 'r' CSV DATEFORMAT 'DD/MM/YYYY' TIMEFORMAT 'YYYY.MM.DD HH24:MI:SS'")
    assert rows(db, "SELECT * FROM f") == [(dt.date(2024, 1, 31), dt.datetime(2024, 1, 31, 13, 14, 15))]


def test_execute_is_safe_from_several_threads(env):
    import threading

    db, *_ = env
    db.execute("CREATE TABLE c (n INT)")
    threads = [threading.Thread(target=lambda: [db.execute("INSERT INTO c VALUES (1)") for _ in range(20)])
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rows(db, "SELECT COUNT(*) FROM c") == [(80,)]
