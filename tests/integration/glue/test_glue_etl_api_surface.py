"""A data engineer's Glue ETL script, run twice as a bookmarked glueetl job, over the breadth of the
`awsglue` API: S3 and catalog reads (recurse, exclusions, push-down predicates, samples), the
DynamicFrame transforms and their transform classes, error records, a catalog-updating sink, csv and
partitioned Parquet writes, purge_s3_path, getResolvedOptions and Job bookmarks.

Two Spark runs in all (a JVM each): the second run sees only the orders file added after the first,
and its sink adds a partition to the table the first run created. The script prints one `REPORT`
JSON line of what it saw; the assertions read that line, the catalog and the files the job wrote.
"""

from __future__ import annotations

import io
import json

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from glue_job_helpers import BUCKET, log_lines, put_script, read_parquet_rows, wait_run

from lakebox.engines.spark import unavailable_reason

pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))

SCRIPT = """
import sys, json
from awsglue.utils import getResolvedOptions
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection, ResolveOption
from awsglue.transforms import *
from pyspark.context import SparkContext
from pyspark.sql.types import DoubleType

args = getResolvedOptions(sys.argv, ["JOB_NAME", "landing", "curated", "min_amount"])
glueContext = GlueContext(SparkContext.getOrCreate())
job = Job(glueContext)
job.init(args["JOB_NAME"], args)
report = {}

# -- sources ---------------------------------------------------------------------------------------
orders = glueContext.create_dynamic_frame.from_options(
    connection_type="s3", format="csv",
    connection_options={"paths": [args["landing"] + "orders/"], "recurse": True, "groupFiles": "inPartition",
                        "exclusions": "[\\"**.txt\\"]"},
    format_options={"withHeader": True, "separator": ",", "quoteChar": '"'}, transformation_ctx="orders_src")
report["orders_read"] = orders.count()
customers = glueContext.create_dynamic_frame_from_options(
    "s3", {"paths": [args["landing"] + "customers/"]}, format="json")
cities = glueContext.create_dynamic_frame.from_catalog(
    database="ref", table_name="cities", push_down_predicate="continent = 'europe'",
    additional_options={"groupFiles": "inPartition"})
report["cities"] = cities.count()
report["sample"] = glueContext.create_sample_dynamic_frame_from_catalog("ref", "cities", num=1).count()
report["cities_schema"] = glueContext.get_catalog_schema_as_spark_schema("ref", "cities").simpleString()

# -- orders ----------------------------------------------------------------------------------------
orders = ApplyMapping.apply(frame=orders, transformation_ctx="map_orders", mappings=[
    ("order_id", "int", "order_id", "long"), ("customer_id", "int", "customer_id", "int"),
    ("amount", "double", "amount", "decimal(10,2)"), ("status", "string", "status", "string"),
    ("order_date", "string", "order_date", "string"), ("`order.note`", "string", "note", "string")])
orders = orders.resolveChoice(specs=("customer_id", "cast:long"))
orders = Filter.apply(frame=orders, f=lambda r: r["status"] != "cancelled")

def cents(rec):
    rec["amount_cents"] = int(rec["amount"] * 100)   # a missing amount fails: an error record
    return rec

orders = Map.apply(frame=orders, f=cents, transformation_ctx="cents")
report["order_errors"] = orders.errorsCount()
report["error_ids"] = [json.loads(r.record)["order_id"] for r in orders.errorsAsDynamicFrame().toDF().collect()]

# -- customers: nested JSON --------------------------------------------------------------------------
customers = Unbox.apply(frame=customers, path="prefs", format="json")
customers = customers.rename_field("profile.name", "profile.full_name")
emails = Relationalize.apply(frame=customers.select_fields(["id", "emails"]), staging_path=args["TempDir"],
                             name="cust")
report["relationalized"] = sorted(emails.keys())
report["emails"] = emails.select("cust_emails").count()
report["no_such_frame"] = SelectFromCollection.apply(dfc=emails, key="cust_phones").count()
flat = customers.apply_mapping([
    ("id", "long", "cust_id", "long"), ("profile.full_name", "string", "customer", "string"),
    ("profile.address.city", "string", "city", "string"), ("prefs.newsletter", "boolean", "newsletter", "boolean")])

# -- joins, splits, unions -----------------------------------------------------------------------------
cities = cities.rename_field("city", "c_city").drop_fields(["continent"])
joined = Join.apply(frame1=orders, frame2=flat, keys1=["customer_id"], keys2=["cust_id"]).drop_fields(["cust_id"])
joined = joined.join(["city"], ["c_city"], cities).drop_fields("c_city")
report["columns"] = joined.toDF().columns
split = joined.split_rows({"amount": {">=": float(args["min_amount"])}}, "big", "small")
report["big"], report["small"] = split["big"].count(), split["small"].count()
both = Union.apply(frame1=split.select("big"), frame2=split.select("small"))
report["union"] = both.count()
report["collection"] = sorted(DynamicFrameCollection([split["big"], split["small"]], glueContext).keys())
both = Coalesce.apply(frame=Repartition.apply(frame=both, num_partitions=3), num_partitions=1)
report["partitions"] = both.getNumPartitions()
report["projected"] = dict(both.toDF([ResolveOption("amount", "Project", DoubleType())]).dtypes)["amount"]
report["ingest"] = glueContext.add_ingestion_time_columns(both.applyMapping([("order_id", "long", "id", "long")]),
                                                          "day").toDF().columns
both.toDF().createOrReplaceTempView("orders_today")
report["sql_total_cents"] = glueContext.sql("SELECT SUM(amount_cents) AS c FROM orders_today").first().c

# -- sinks -------------------------------------------------------------------------------------------
Spigot.apply(frame=both, path=args["curated"] + "samples/", options={"topk": 2})
glueContext.write_dynamic_frame.from_options(
    frame=split["big"], connection_type="s3", format="parquet", format_options={"compression": "snappy"},
    connection_options={"path": args["curated"] + "big_orders/", "partitionKeys": ["country"]},
    transformation_ctx="big_sink")
glueContext.write_dynamic_frame.from_options(
    frame=both.select_fields(["order_id", "customer"]), connection_type="s3", format="csv",
    connection_options={"path": args["curated"] + "export/"}, format_options={"separator": "|", "quoteChar": -1})
sink = glueContext.getSink(path=args["curated"] + "orders/", connection_type="s3",
                           updateBehavior="UPDATE_IN_DATABASE", partitionKeys=["order_date"],
                           enableUpdateCatalog=True, transformation_ctx="orders_sink")
sink.setCatalogInfo(catalogDatabase="curated", catalogTableName="orders")
sink.setFormat("glueparquet", compression="snappy")
sink.writeFrame(both)
report["catalog_rows"] = glueContext.create_data_frame_from_catalog(database="curated", table_name="orders").count()
glueContext.write_dynamic_frame.from_options(frame=both, connection_type="s3", format="json",
                                             connection_options={"path": args["TempDir"] + "staging/"})
glueContext.purge_s3_path(args["TempDir"], {"retentionPeriod": 0})

print("REPORT " + json.dumps(report, default=str))
job.commit()
"""

ORDERS_1 = (b"order_id,customer_id,amount,status,order_date,order.note\n"
            b"1,10,120.5,paid,2024-05-01,\"gift, wrapped\"\n"
            b"2,11,15.25,paid,2024-05-01,\n"
            b"3,10,99.0,cancelled,2024-05-01,\n"
            b"4,12,,paid,2024-05-01,missing amount\n"
            b"5,13,300.0,paid,2024-05-01,\n")
ORDERS_2 = (b"order_id,customer_id,amount,status,order_date,order.note\n"
            b"6,11,250.0,paid,2024-05-02,\n"
            b"7,10,5.5,paid,2024-05-02,\n")
CUSTOMERS = [
    {"id": 10, "profile": {"name": "Ann", "address": {"city": "Lisbon"}}, "emails": ["ann@a.pt", "ann@b.pt"],
     "prefs": '{"newsletter": true}'},
    {"id": 11, "profile": {"name": "Bob", "address": {"city": "Paris"}}, "emails": ["bob@c.fr"],
     "prefs": '{"newsletter": false}'},
    {"id": 12, "profile": {"name": "Cy", "address": {"city": "Porto"}}, "emails": [], "prefs": '{"newsletter": true}'},
    {"id": 13, "profile": {"name": "Di", "address": {"city": "Tokyo"}}, "emails": ["di@d.jp"],
     "prefs": '{"newsletter": false}'},
]
CITIES = {"europe": [("Lisbon", "PT"), ("Paris", "FR"), ("Porto", "PT")], "asia": [("Tokyo", "JP")]}


def _client(server, service):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def _seed(s3, glue) -> None:
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="landing/orders/2024/05/01/orders-1.csv", Body=ORDERS_1)
    s3.put_object(Bucket=BUCKET, Key="landing/orders/2024/05/01/manifest.txt", Body=b"not,a,csv\n")
    s3.put_object(Bucket=BUCKET, Key="landing/customers/customers.json",
                  Body="".join(json.dumps(c) + "\n" for c in CUSTOMERS).encode())
    glue.create_database(DatabaseInput={"Name": "ref"})
    glue.create_database(DatabaseInput={"Name": "curated"})
    glue.create_table(DatabaseName="ref", TableInput={
        "Name": "cities", "Parameters": {"classification": "parquet"},
        "PartitionKeys": [{"Name": "continent", "Type": "string"}],
        "StorageDescriptor": {"Location": f"s3://{BUCKET}/ref/cities/",
                              "Columns": [{"Name": "city", "Type": "string"}, {"Name": "country", "Type": "string"}],
                              "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                              "SerdeInfo": {"SerializationLibrary":
                                            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
    for continent, rows in CITIES.items():
        buffer = io.BytesIO()
        pq.write_table(pa.table({"city": [c for c, _ in rows], "country": [k for _, k in rows]}), buffer)
        s3.put_object(Bucket=BUCKET, Key=f"ref/cities/continent={continent}/part-0.parquet", Body=buffer.getvalue())
        glue.batch_create_partition(DatabaseName="ref", TableName="cities", PartitionInputList=[
            {"Values": [continent], "StorageDescriptor": {"Location": f"s3://{BUCKET}/ref/cities/continent={continent}/"}}])


def _run(glue, logs) -> dict:
    run_id = glue.start_job_run(JobName="orders-curation")["JobRunId"]
    run = wait_run(glue, "orders-curation", run_id, timeout=300)
    lines = log_lines(logs, "/aws-glue/jobs/output", run_id)
    assert run["JobRunState"] == "SUCCEEDED", (run.get("ErrorMessage"), lines[-20:])
    return json.loads(next(line for line in lines if line.startswith("REPORT "))[len("REPORT "):])


def _keys(s3, prefix: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]


def test_bookmarked_curation_job_over_the_awsglue_api(lakebox_server):
    s3, glue, logs = (_client(lakebox_server, name) for name in ("s3", "glue", "logs"))
    _seed(s3, glue)
    location = put_script(s3, "scripts/orders_curation.py", SCRIPT)
    glue.create_job(Name="orders-curation", Role="arn:aws:iam::000000000000:role/Glue", GlueVersion="4.0",
                    Command={"Name": "glueetl", "ScriptLocation": location},
                    DefaultArguments={"--job-bookmark-option": "job-bookmark-enable",
                                      "--landing": f"s3://{BUCKET}/landing/", "--curated": f"s3://{BUCKET}/curated/",
                                      "--TempDir": f"s3://{BUCKET}/tmp/", "--min_amount": "100"})

    first = _run(glue, logs)
    # Order 3 is cancelled (filtered out), order 4 has no amount (the map's one error record).
    assert first["orders_read"] == 5 and first["order_errors"] == 1 and first["error_ids"] == [4]
    assert (first["cities"], first["sample"]) == (3, 1)
    assert first["cities_schema"] == "struct<city:string,country:string,continent:string>"
    assert first["relationalized"] == ["cust", "cust_emails"] and first["emails"] == 4
    assert first["no_such_frame"] == 0
    # Customer 13 lives in Tokyo, which the push-down predicate left out: the inner join drops order 5.
    assert first["columns"] == ["order_id", "customer_id", "amount", "status", "order_date", "note", "amount_cents",
                                "customer", "city", "newsletter", "country"]
    assert (first["big"], first["small"], first["union"]) == (1, 1, 2)
    assert first["collection"] == ["big", "small"] and first["partitions"] == 1
    assert first["projected"] == "double" and first["ingest"] == ["id", "ingest_year", "ingest_month", "ingest_day"]
    assert first["sql_total_cents"] == 12050 + 1525 and first["catalog_rows"] == 2

    big = read_parquet_rows(s3, "curated/big_orders/")
    assert [(r["order_id"], r["customer"], r["note"]) for r in big] == [(1, "Ann", "gift, wrapped")]
    assert any("/country=PT/" in key for key in _keys(s3, "curated/big_orders/"))
    export = b"".join(s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in _keys(s3, "curated/export/")
                      if k.endswith(".csv"))
    assert sorted(set(export.decode().splitlines())) == ["1|Ann", "2|Bob", "order_id|customer"]
    samples = [k for k in _keys(s3, "curated/samples/") if k.endswith(".json")]
    assert sum(len(s3.get_object(Bucket=BUCKET, Key=k)["Body"].read().splitlines()) for k in samples) == 2
    assert _keys(s3, "tmp/") == []  # purge_s3_path with retentionPeriod 0 emptied the temp folder

    table = glue.get_table(DatabaseName="curated", Name="orders")["Table"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["order_date"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]][:3] == ["order_id", "customer_id", "amount"]

    # The second run reads only the file added since the first (the bookmark of `orders_src`).
    s3.put_object(Bucket=BUCKET, Key="landing/orders/2024/05/02/orders-2.csv", Body=ORDERS_2)
    second = _run(glue, logs)
    assert second["orders_read"] == 2 and second["order_errors"] == 0
    assert (second["big"], second["small"]) == (1, 1)
    assert second["catalog_rows"] == 4
    partitions = glue.get_partitions(DatabaseName="curated", TableName="orders")["Partitions"]
    assert sorted(p["Values"] for p in partitions) == [["2024-05-01"], ["2024-05-02"]]
    rows = read_parquet_rows(s3, "curated/orders/")
    assert sorted((r["order_id"], r["amount_cents"]) for r in rows) == [(1, 12050), (2, 1525), (6, 25000), (7, 550)]
