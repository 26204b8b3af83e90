"""Spark SQL over the Glue Data Catalog in a driver (glue_lib/lakebox_glue_catalog.py).

One driver run (one JVM) against an in-process lakebox: a partitioned Parquet table and a CSV table
with a header are created in the Glue catalog with boto3, and the driver queries them by name with
spark.sql, spark.table and spark.read.table, inserts into one, and asks for a table nobody has.
"""

from __future__ import annotations

import io
import json
import sys
import textwrap
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakebox.engines.spark import SparkApp, SparkLauncher, unavailable_reason
from lakebox.testing import running_lakebox

sys.path.insert(0, str(Path(__file__).parents[3] / "src" / "lakebox" / "engines" / "spark" / "glue_lib"))
from lakebox_glue_catalog import relation_parts  # noqa: E402

DRIVER = textwrap.dedent('''
    import json
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.getOrCreate()
    out = {}
    out["join"] = [list(r) for r in spark.sql("""
        SELECT c.region, o.year, SUM(o.amount) AS total
        FROM sales.orders o JOIN sales.customers c ON o.customer_id = c.customer_id
        GROUP BY c.region, o.year ORDER BY c.region, o.year""").collect()]
    out["table"] = spark.table("sales.customers").count()
    spark.sql("USE sales")
    out["read_table"] = sorted(r.year for r in spark.read.table("orders").select("year").distinct().collect())
    spark.sql("INSERT INTO sales.orders PARTITION (year='2025') SELECT 9, 'c1', 1000.0")
    out["after_insert"] = spark.sql("SELECT COUNT(*) FROM sales.orders WHERE year = '2025'").collect()[0][0]
    try:
        spark.sql("SELECT * FROM sales.nowhere")
        out["missing"] = "found"
    except Exception as exc:
        out["missing"] = exc.getErrorClass()
    print("RESULT " + json.dumps(out))
''')


def _client(server, service: str):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def _run_driver(server, tmp_path: Path, source: str, name: str) -> dict:
    """Run `source` as a driver with the Glue catalog on; the JSON it printed after `RESULT `."""
    script = tmp_path / f"{name}.py"
    script.write_text(source)
    process = SparkLauncher(server.data_dir, server.endpoint_url).start(SparkApp(
        name=name, script=str(script), log_dir=str(tmp_path / name), glue_catalog=True))
    code = process.wait(300)
    stdout = open(process.stdout_path).read()
    assert code == 0, stdout[-3000:] + open(process.stderr_path).read()[-3000:]
    return json.loads(next(line for line in stdout.splitlines() if line.startswith("RESULT "))[7:])


def test_relation_names_split_into_database_and_table():
    assert relation_parts("`raw_data`.`orders`") == ["raw_data", "orders"]
    assert relation_parts("`spark_catalog`.`db`.`t`") == ["db", "t"]
    assert relation_parts("`odd``name`") == ["odd`name"]
    assert relation_parts("plain") == ["plain"]


@pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
def test_spark_sql_reads_and_writes_glue_catalog_tables_by_name(tmp_path):
    with running_lakebox(tmp_path / "data", set_env=False) as server:
        s3, glue = _client(server, "s3"), _client(server, "glue")
        s3.create_bucket(Bucket="lake")
        for year, rows in (("2023", [(1, "c1", 10.0), (2, "c2", 5.5)]), ("2024", [(3, "c1", 2.5)])):
            buffer = io.BytesIO()
            pq.write_table(pa.table({"order_id": [r[0] for r in rows], "customer_id": [r[1] for r in rows],
                                     "amount": [r[2] for r in rows]}), buffer)
            s3.put_object(Bucket="lake", Key=f"orders/year={year}/part-0.parquet", Body=buffer.getvalue())
        s3.put_object(Bucket="lake", Key="customers/customers.csv", Body=b"customer_id,region\nc1,north\nc2,south\n")
        glue.create_database(DatabaseInput={"Name": "sales"})
        parquet = {"InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                   "SerdeInfo": {"SerializationLibrary":
                                 "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}
        glue.create_table(DatabaseName="sales", TableInput={
            "Name": "orders", "PartitionKeys": [{"Name": "year", "Type": "string"}],
            "StorageDescriptor": {"Location": "s3://lake/orders/", **parquet, "Columns": [
                {"Name": "order_id", "Type": "bigint"}, {"Name": "customer_id", "Type": "string"},
                {"Name": "amount", "Type": "double"}]}})
        glue.create_table(DatabaseName="sales", TableInput={
            "Name": "customers", "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
            "StorageDescriptor": {"Location": "s3://lake/customers/", "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                "Parameters": {"field.delim": ","}},
                "Columns": [{"Name": "customer_id", "Type": "string"}, {"Name": "region", "Type": "string"}]}})
        result = _run_driver(server, tmp_path, DRIVER, "glue-catalog-sql")

        assert result["join"] == [["north", "2023", 10.0], ["north", "2024", 2.5], ["south", "2023", 5.5]]
        assert result["table"] == 2
        assert result["read_table"] == ["2023", "2024"]
        assert result["after_insert"] == 1
        assert result["missing"] == "TABLE_OR_VIEW_NOT_FOUND"
        # The inserted row is a Parquet file in the table's location, in its partition folder.
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix="orders/year=2025/")["Contents"]]
        rows = [r for k in keys for r in pq.read_table(io.BytesIO(
            s3.get_object(Bucket="lake", Key=k)["Body"].read())).to_pylist()]
        assert rows == [{"order_id": 9, "customer_id": "c1", "amount": 1000.0}]


WRITE_BACK_DRIVER = textwrap.dedent('''
    import json
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.getOrCreate()
    rows = [("p1", 10.0, "north"), ("p2", 5.5, "south"), ("p3", 2.5, "north")]
    df = spark.createDataFrame(rows, "product string, total double, region string")
    df.write.mode("overwrite").partitionBy("region").format("parquet").saveAsTable("analytics.sales_summary")
    spark.sql("CREATE TABLE analytics.top_regions USING parquet AS "
              "SELECT region, SUM(total) AS total FROM analytics.sales_summary GROUP BY region")
    spark.sql("INSERT INTO analytics.sales_summary VALUES ('p4', 1.0, 'west')")
    spark.sql("CREATE DATABASE staging LOCATION 's3://lake/staging/'")
    spark.sql("CREATE TABLE staging.scratch (x INT) USING parquet")
    spark.sql("DROP TABLE staging.scratch")
    print("RESULT " + json.dumps({"done": True}))
''')


@pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
def test_tables_spark_creates_are_written_back_to_the_glue_catalog(tmp_path):
    with running_lakebox(tmp_path / "data", set_env=False) as server:
        s3, glue = _client(server, "s3"), _client(server, "glue")
        s3.create_bucket(Bucket="lake")
        glue.create_database(DatabaseInput={"Name": "analytics", "LocationUri": "s3://lake/analytics/"})
        assert _run_driver(server, tmp_path, WRITE_BACK_DRIVER, "glue-catalog-write-back") == {"done": True}

        summary = glue.get_table(DatabaseName="analytics", Name="sales_summary")["Table"]
        storage = summary["StorageDescriptor"]
        assert storage["Location"].rstrip("/") == "s3://lake/analytics/sales_summary"
        assert [(c["Name"], c["Type"]) for c in storage["Columns"]] == [("product", "string"), ("total", "double")]
        assert summary["PartitionKeys"] == [{"Name": "region", "Type": "string"}]
        assert storage["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
        partitions = glue.get_partitions(DatabaseName="analytics", TableName="sales_summary")["Partitions"]
        assert sorted(p["Values"][0] for p in partitions) == ["north", "south", "west"]
        north = next(p for p in partitions if p["Values"] == ["north"])["StorageDescriptor"]["Location"]
        assert north.rstrip("/") == "s3://lake/analytics/sales_summary/region=north"
        # The files are in the lake, where the catalog says.
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix="analytics/sales_summary/region=north/")[
            "Contents"] if o["Key"].endswith(".parquet")]
        rows = sorted(r["product"] for k in keys for r in pq.read_table(io.BytesIO(
            s3.get_object(Bucket="lake", Key=k)["Body"].read())).to_pylist())
        assert rows == ["p1", "p3"]

        top = glue.get_table(DatabaseName="analytics", Name="top_regions")["Table"]
        assert top["StorageDescriptor"]["Location"].rstrip("/") == "s3://lake/analytics/top_regions"
        assert [c["Name"] for c in top["StorageDescriptor"]["Columns"]] == ["region", "total"]

        assert glue.get_database(Name="staging")["Database"]["LocationUri"] == "s3://lake/staging/"
        with pytest.raises(glue.exceptions.EntityNotFoundException):
            glue.get_table(DatabaseName="staging", Name="scratch")
