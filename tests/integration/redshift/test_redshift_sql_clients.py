"""SQL over the cluster's endpoint, as users connect: psql and redshift_connector, with the guide's
DDL, COPY from the lake, UNLOAD to it, and Spectrum over the Glue catalog."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import os
import shutil
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from redshift_helpers import GUIDE_DDL, PASSWORD, client



@pytest.fixture
def connection(cluster):
    import redshift_connector

    endpoint = cluster["Endpoint"]
    conn = redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="analytics",
                                      user="admin", password=PASSWORD, ssl=False)
    yield conn
    conn.close()


def _parquet(s3, bucket: str, key: str, table: pa.Table) -> None:
    out = io.BytesIO()
    pq.write_table(table, out)
    s3.put_object(Bucket=bucket, Key=key, Body=out.getvalue())


def test_psql_runs_the_guides_ddl_and_queries(cluster):
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed (Debian: apt-get install postgresql-client)")
    endpoint = cluster["Endpoint"]
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    base = ["psql", "-h", endpoint["Address"], "-p", str(endpoint["Port"]), "-U", "admin", "-d", "analytics", "-At"]
    created = subprocess.run([*base, "-c", GUIDE_DDL], env=env, capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    subprocess.run([*base, "-c", "INSERT INTO sales (order_date, customer_id, product_id, quantity, amount) "
                                 "VALUES ('2024-01-15', 7, 100, 2, 19.90)"], env=env, check=True, timeout=60)
    out = subprocess.run([*base, "-c", "SELECT sale_id, customer_id, amount FROM sales"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "1|7|19.90"
    bad = subprocess.run([*base, "-c", "SELECT * FROM missing"], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and 'relation "missing" does not exist' in bad.stderr
    wrong = subprocess.run(base + ["-c", "select 1"], env={**os.environ, "PGPASSWORD": "Wrong1234"},
                           capture_output=True, text=True, timeout=60)
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr


def test_copy_from_the_lake_then_unload_back(connection, lakebox_server):
    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="my-bucket")
    for month in (1, 2):
        _parquet(s3, "my-bucket", f"sales/part-{month}.parquet", pa.table({
            "order_date": [dt.date(2024, month, 15)], "customer_id": pa.array([month], pa.int64()),
            "product_id": pa.array([10 * month], pa.int64()), "quantity": pa.array([month], pa.int32()),
            "amount": pa.array([decimal.Decimal("10.50") * month], pa.decimal128(10, 2))}))
    cursor = connection.cursor()
    cursor.execute(GUIDE_DDL)
    cursor.execute("""COPY sales (order_date, customer_id, product_id, quantity, amount)
FROM 's3://my-bucket/sales/'
IAM_ROLE 'arn:aws:iam::123456789:role/RedshiftCopyRole'
FORMAT AS PARQUET""")
    cursor.execute("SELECT sale_id, order_date, customer_id, amount FROM sales ORDER BY order_date")
    rows = cursor.fetchall()
    assert [tuple(r) for r in rows] == [(1, dt.date(2024, 1, 15), 1, decimal.Decimal("10.50")),
                                       (2, dt.date(2024, 2, 15), 2, decimal.Decimal("21.00"))]
    assert [d[0] for d in cursor.description] == ["sale_id", "order_date", "customer_id", "amount"]
    cursor.execute("""UNLOAD ('SELECT * FROM sales WHERE customer_id = 2')
TO 's3://my-bucket/exports/sales_2024_'
IAM_ROLE 'arn:aws:iam::123456789:role/RedshiftUnloadRole'
FORMAT PARQUET""")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="my-bucket", Prefix="exports/sales_2024_")["Contents"]]
    assert keys
    unloaded = pa.concat_tables([pq.read_table(io.BytesIO(s3.get_object(Bucket="my-bucket", Key=k)["Body"].read()))
                                 for k in keys])
    assert unloaded.column("customer_id").to_pylist() == [2]
    connection.commit()


def test_spectrum_joins_a_local_table_with_a_glue_table(connection, lakebox_server):
    s3, glue = client(lakebox_server, "s3"), client(lakebox_server, "glue")
    s3.create_bucket(Bucket="my-data-lake")
    _parquet(s3, "my-data-lake", "silver/events/part-0.parquet", pa.table({
        "customer_id": pa.array([1, 1, 2], pa.int64()), "event_count": pa.array([3, 4, 5], pa.int64())}))
    glue.create_database(DatabaseInput={"Name": "raw_data"})
    glue.create_table(DatabaseName="raw_data", TableInput={
        "Name": "events", "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {
            "Columns": [{"Name": "customer_id", "Type": "bigint"}, {"Name": "event_count", "Type": "bigint"}],
            "Location": "s3://my-data-lake/silver/events/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE sales (customer_id BIGINT, total_amount DECIMAL(10,2), order_date DATE)")
    cursor.execute("INSERT INTO sales VALUES (1, 10.00, '2024-02-01'), (2, 20.00, '2023-12-31')")
    cursor.execute("""CREATE EXTERNAL SCHEMA spectrum
FROM DATA CATALOG
DATABASE 'raw_data'
IAM_ROLE 'arn:aws:iam::123456789:role/RedshiftSpectrumRole'""")
    cursor.execute("""SELECT
    r.customer_id,
    r.total_amount,
    e.event_count
FROM sales r
JOIN spectrum.events e
    ON r.customer_id = e.customer_id
WHERE r.order_date >= '2024-01-01'
ORDER BY e.event_count""")
    assert [tuple(r) for r in cursor.fetchall()] == [(1, decimal.Decimal("10.00"), 3), (1, decimal.Decimal("10.00"), 4)]


def test_redshift_connector_parameters_and_errors(connection):
    import redshift_connector

    cursor = connection.cursor()
    cursor.execute("CREATE TABLE people (id INT, name VARCHAR(20), active BOOLEAN)")
    cursor.execute("INSERT INTO people VALUES (%s, %s, %s)", (1, "ana", True))
    cursor.execute("SELECT name, active FROM people WHERE id = %s", (1,))
    assert [tuple(r) for r in cursor.fetchall()] == [("ana", True)]
    with pytest.raises(redshift_connector.ProgrammingError) as info:
        cursor.execute("SELECT * FROM nowhere")
    assert "does not exist" in str(info.value)


def test_each_connection_has_its_own_transaction(cluster):
    import redshift_connector

    endpoint = cluster["Endpoint"]

    def connect():
        return redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="analytics",
                                          user="admin", password=PASSWORD, ssl=False)

    a, b = connect(), connect()
    try:
        first, second = a.cursor(), b.cursor()
        first.execute("CREATE TABLE t (x INT)")
        a.commit()
        first.execute("INSERT INTO t VALUES (1)")  # not committed yet
        second.execute("SELECT count(*) FROM t")
        assert second.fetchall()[0][0] == 0  # another session does not see it
        second.execute("INSERT INTO t VALUES (2)")
        b.commit()
        a.rollback()  # undoes only a's insert
        second.execute("SELECT x FROM t ORDER BY x")
        assert [r[0] for r in second.fetchall()] == [2]
        first.execute("SELECT current_user")
        assert first.fetchall()[0][0] == "admin"
    finally:
        a.close()
        b.close()
