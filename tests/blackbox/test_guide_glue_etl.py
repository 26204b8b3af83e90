"""The guide's Glue ETL job (PySpark), as written, run by StartJobRun against `lakebox serve`.

Setup the guide leaves implicit: JSON orders under `s3://my-data-lake/bronze/orders/year=/month=/day=/`
crawled into `raw_data.orders` (the guide's crawler section), the script uploaded to S3, and a job
created for it with the two arguments the script asks for (the guide shows the script, not the
CreateJob call). The script then runs verbatim on Spark: it reads the table through the Data
Catalog, cleans the rows, and writes Parquet partitioned by year and month, which is read back here
and checked row by row. The pipeline then goes on as the guide draws it: a crawler catalogs the
silver output and Athena answers from it.
"""

from __future__ import annotations

import io
import json
import time

import boto3
import pyarrow.parquet as pq
import pytest

from lakebox.engines.spark import unavailable_reason

pytestmark = [pytest.mark.blackbox, pytest.mark.timeout(600),
              pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))]

# The guide's "Glue ETL Job (PySpark)" script, verbatim.
GUIDE_SCRIPT = '''\
import sys
from awsglue.transforms import *
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from awsglue.context import GlueContext
from awsglue.job import Job
from pyspark.sql.functions import *

# Initialize
args = getResolvedOptions(sys.argv, ['JOB_NAME', 'input_path', 'output_path'])
sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args['JOB_NAME'], args)

# Read from Glue Catalog
datasource = glueContext.create_dynamic_frame.from_catalog(
    database="raw_data",
    table_name="orders"
)

# Transform to DataFrame
df = datasource.toDF()

# Transformations
df_clean = df \\
    .filter(col("order_id").isNotNull()) \\
    .withColumn("order_date", to_date(col("order_timestamp"))) \\
    .withColumn("year", year(col("order_date"))) \\
    .withColumn("month", month(col("order_date"))) \\
    .dropDuplicates(["order_id"])

# Write to S3 (partitioned Parquet)
df_clean.write \\
    .mode("overwrite") \\
    .partitionBy("year", "month") \\
    .parquet(args['output_path'])

job.commit()
'''

ORDERS = {
    "year=2024/month=01/day=15/orders.json": [
        {"order_id": 1, "customer_id": "c-17", "order_timestamp": "2024-01-15T10:12:00", "amount": 19.9},
        {"order_id": 2, "customer_id": "c-03", "order_timestamp": "2024-01-15T11:40:00", "amount": 5.0},
        {"order_id": 2, "customer_id": "c-03", "order_timestamp": "2024-01-15T11:40:00", "amount": 5.0},
        {"order_id": None, "customer_id": "c-99", "order_timestamp": "2024-01-15T12:00:00", "amount": 1.0},
    ],
    "year=2024/month=02/day=03/orders.json": [
        {"order_id": 3, "customer_id": "c-17", "order_timestamp": "2024-02-03T18:02:00", "amount": 120.25},
    ],
}


def _wait(poll, done, what: str, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while True:
        value = poll()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"{what} still not done: {value}"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def orders_table(lakebox_endpoint):
    s3, glue = boto3.client("s3"), boto3.client("glue")
    s3.create_bucket(Bucket="my-data-lake")
    for key, rows in ORDERS.items():
        body = "".join(json.dumps(row) + "\n" for row in rows).encode()
        s3.put_object(Bucket="my-data-lake", Key=f"bronze/orders/{key}", Body=body)
    glue.create_crawler(Name="orders-crawler", Role="arn:aws:iam::123456789:role/GlueServiceRole",
                        DatabaseName="raw_data", Targets={"S3Targets": [{"Path": "s3://my-data-lake/bronze/orders/"}]})
    glue.start_crawler(Name="orders-crawler")
    _wait(lambda: glue.get_crawler(Name="orders-crawler")["Crawler"],
          lambda c: c["State"] == "READY" and c.get("LastCrawl"), "crawl")
    return lakebox_endpoint


@pytest.fixture(scope="module")
def etl_run(orders_table) -> dict:
    """The guide's script run once by StartJobRun, to its end; the run."""
    s3, glue = boto3.client("s3"), boto3.client("glue")
    s3.put_object(Bucket="my-data-lake", Key="scripts/orders_etl.py", Body=GUIDE_SCRIPT.encode())
    glue.create_job(Name="orders-etl", Role="arn:aws:iam::123456789:role/GlueServiceRole", GlueVersion="4.0",
                    Command={"Name": "glueetl", "ScriptLocation": "s3://my-data-lake/scripts/orders_etl.py",
                             "PythonVersion": "3"},
                    DefaultArguments={"--input_path": "s3://my-data-lake/bronze/orders/",
                                      "--output_path": "s3://my-data-lake/silver/orders/"},
                    WorkerType="G.1X", NumberOfWorkers=2)
    run_id = glue.start_job_run(JobName="orders-etl")["JobRunId"]
    run = _wait(lambda: glue.get_job_run(JobName="orders-etl", RunId=run_id)["JobRun"],
                lambda r: r["JobRunState"] not in ("STARTING", "RUNNING", "STOPPING"), "job run")
    return run


def test_guide_glue_etl_job_runs_on_spark(etl_run):
    s3 = boto3.client("s3")
    assert etl_run["JobRunState"] == "SUCCEEDED", etl_run.get("ErrorMessage")

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="my-data-lake", Prefix="silver/orders/")["Contents"])
    assert keys and all(k.endswith(".parquet") for k in keys)
    assert {k.split("/")[2] + "/" + k.split("/")[3] for k in keys} == {"year=2024/month=1", "year=2024/month=2"}
    rows = []
    for key in keys:
        table = pq.read_table(io.BytesIO(s3.get_object(Bucket="my-data-lake", Key=key)["Body"].read()))
        month = int(key.split("/")[3].split("=")[1])
        rows += [(r["order_id"], r["customer_id"], str(r["order_date"]), month) for r in table.to_pylist()]
    assert sorted(rows) == [(1, "c-17", "2024-01-15", 1), (2, "c-03", "2024-01-15", 1), (3, "c-17", "2024-02-03", 2)]


def test_the_jobs_output_is_crawled_and_queried_with_athena(etl_run):
    """The guide's pipeline goes on: the silver Parquet that the job wrote is crawled into the catalog
    and Athena answers from it."""
    glue, athena = boto3.client("glue"), boto3.client("athena")
    assert etl_run["JobRunState"] == "SUCCEEDED", etl_run.get("ErrorMessage")
    glue.create_crawler(Name="silver-orders", Role="arn:aws:iam::123456789:role/GlueServiceRole",
                        DatabaseName="silver", Targets={"S3Targets": [{"Path": "s3://my-data-lake/silver/orders/"}]})
    glue.start_crawler(Name="silver-orders")
    _wait(lambda: glue.get_crawler(Name="silver-orders")["Crawler"],
          lambda c: c["State"] == "READY" and c.get("LastCrawl"), "crawl")
    table = glue.get_table(DatabaseName="silver", Name="orders")["Table"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month"]
    query_id = athena.start_query_execution(
        QueryString="SELECT month, COUNT(*) AS orders, SUM(amount) AS total FROM silver.orders GROUP BY month "
                    "ORDER BY month",
        ResultConfiguration={"OutputLocation": "s3://my-data-lake/athena-results/"})["QueryExecutionId"]
    state = _wait(lambda: athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"],
                  lambda s: s["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"), "query")
    assert state["State"] == "SUCCEEDED", state
    rows = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"]
    assert [[c.get("VarCharValue") for c in r["Data"]] for r in rows] == \
        [["month", "orders", "total"], ["1", "2", "24.9"], ["2", "1", "120.25"]]
