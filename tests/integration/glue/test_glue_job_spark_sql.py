"""A Glue ETL job's spark.sql names Data Catalog tables, as with `--enable-glue-datacatalog` on AWS.

One glueetl run (one JVM): the script aggregates a catalog table with spark.sql and writes the result
with `INSERT OVERWRITE` into a second catalog table, which is read back from S3. The switch itself
(`--enable-glue-datacatalog false` turns it off) is a pure function, checked without a JVM.
"""

from __future__ import annotations

import io

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from glue_job_helpers import BUCKET, log_lines, put_script, read_parquet_rows, wait_run

from lakebox.engines.spark import unavailable_reason
from lakebox.services.glue.job_run_app import uses_glue_catalog

SCRIPT = """
import sys
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext

args = getResolvedOptions(sys.argv, ["JOB_NAME"])
spark = GlueContext(SparkContext.getOrCreate()).spark_session
totals = spark.sql("SELECT region, SUM(amount) AS total, COUNT(*) AS orders FROM shop.sales GROUP BY region")
totals.createOrReplaceTempView("totals")
spark.sql("INSERT OVERWRITE TABLE shop.region_totals SELECT region, total, orders FROM totals")
print("regions:", spark.table("shop.region_totals").count())
"""


def test_the_switch_is_on_unless_set_to_false():
    assert uses_glue_catalog({}) and uses_glue_catalog({"--enable-glue-datacatalog": "true"})
    assert uses_glue_catalog({"--enable-glue-datacatalog": ""})
    assert not uses_glue_catalog({"--enable-glue-datacatalog": "false"})
    assert not uses_glue_catalog({"--enable-glue-datacatalog": " FALSE "})


@pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
def test_spark_sql_in_a_glue_job_reads_and_writes_catalog_tables(lakebox_server):
    def client(service):
        return boto3.client(service, endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")

    s3, glue, logs = client("s3"), client("glue"), client("logs")
    s3.create_bucket(Bucket=BUCKET)
    buffer = io.BytesIO()
    pq.write_table(pa.table({"region": ["north", "south", "north"], "amount": [1.5, 2.0, 3.0]}), buffer)
    s3.put_object(Bucket=BUCKET, Key="sales/part-0.parquet", Body=buffer.getvalue())
    glue.create_database(DatabaseInput={"Name": "shop"})
    for name, columns in (("sales", [("region", "string"), ("amount", "double")]),
                          ("region_totals", [("region", "string"), ("total", "double"), ("orders", "bigint")])):
        glue.create_table(DatabaseName="shop", TableInput={
            "Name": name, "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {"Location": f"s3://{BUCKET}/{name}/",
                                  "Columns": [{"Name": c, "Type": t} for c, t in columns]}})
    location = put_script(s3, "scripts/totals.py", SCRIPT)
    glue.create_job(Name="totals", Role="arn:aws:iam::000000000000:role/Glue",
                    Command={"Name": "glueetl", "ScriptLocation": location},
                    DefaultArguments={"--enable-glue-datacatalog": "true"})
    run = wait_run(glue, "totals", glue.start_job_run(JobName="totals")["JobRunId"], timeout=240)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert "regions: 2" in log_lines(logs, "/aws-glue/jobs/output", run["Id"])[-1]
    rows = sorted(read_parquet_rows(s3, "region_totals/"), key=lambda r: r["region"])
    assert rows == [{"region": "north", "total": 4.5, "orders": 2}, {"region": "south", "total": 2.0, "orders": 1}]
