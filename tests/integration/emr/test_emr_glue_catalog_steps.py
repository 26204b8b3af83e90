"""A cluster's Configurations reach its Spark steps: spark-defaults, and the Glue Data Catalog as metastore.

One Spark step (one JVM) on a cluster whose `spark-hive-site` names the Glue client factory and whose
`spark-defaults` sets two properties: the step queries a Glue table by name with spark.sql and
prints the Spark settings it runs with; the step's stdout.gz under LogUri is read back. The same
script on a cluster without the classification cannot see the table (no JVM needed to show that the
flag is off: the pure function says so).
"""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from emr_helpers import client, gunzip_object, run_cluster, spark_step, wait_step

from lakebox.engines.spark import unavailable_reason
from lakebox.services.emr.configurations import spark_defaults, uses_glue_catalog

GLUE_METASTORE = {"Classification": "spark-hive-site", "Properties": {
    "hive.metastore.client.factory.class": "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory"}}
SPARK_DEFAULTS = {"Classification": "spark-defaults", "Properties": {
    "spark.sql.shuffle.partitions": "3", "spark.lakebox.marker": "from-cluster"}}

SCRIPT = b'''
import json
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
rows = spark.sql("SELECT region, SUM(amount) AS total FROM shop.sales GROUP BY region ORDER BY region").collect()
print("RESULT " + json.dumps({"rows": [[r.region, r.total] for r in rows],
                              "partitions": spark.conf.get("spark.sql.shuffle.partitions"),
                              "marker": spark.conf.get("spark.lakebox.marker"),
                              "step_conf": spark.conf.get("spark.lakebox.step")}))
'''


def test_configurations_are_read_through_nested_classifications():
    nested = {"Extra": {"Configurations": [{"Classification": "spark", "Configurations": [SPARK_DEFAULTS]},
                                           GLUE_METASTORE]}}
    assert spark_defaults(nested) == {"spark.sql.shuffle.partitions": "3", "spark.lakebox.marker": "from-cluster"}
    assert uses_glue_catalog(nested)
    assert not uses_glue_catalog({"Extra": {"Configurations": [SPARK_DEFAULTS]}})
    assert not uses_glue_catalog({})


@pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
def test_a_step_queries_glue_tables_by_name_with_the_clusters_spark_defaults(lakebox_server):
    s3, glue, emr = (client(lakebox_server.endpoint_url, s) for s in ("s3", "glue", "emr"))
    for bucket in ("shop", "logs"):
        s3.create_bucket(Bucket=bucket)
    buffer = io.BytesIO()
    pq.write_table(pa.table({"region": ["north", "south", "north"], "amount": [1.5, 2.0, 3.0]}), buffer)
    s3.put_object(Bucket="shop", Key="sales/part-0.parquet", Body=buffer.getvalue())
    s3.put_object(Bucket="shop", Key="scripts/report.py", Body=SCRIPT)
    glue.create_database(DatabaseInput={"Name": "shop"})
    columns = [{"Name": "region", "Type": "string"}, {"Name": "amount", "Type": "double"}]
    glue.create_table(DatabaseName="shop", TableInput={
        "Name": "sales", "Parameters": {"classification": "parquet"},
        "StorageDescriptor": {"Location": "s3://shop/sales/", "Columns": columns}})
    step = spark_step("report", "s3://shop/scripts/report.py")
    step["HadoopJarStep"]["Args"][1:1] = ["--conf", "spark.lakebox.step=from-step"]
    cluster_id = run_cluster(emr, "glue-metastore", [step], LogUri="s3://logs/emr/",
                             Configurations=[GLUE_METASTORE, SPARK_DEFAULTS])
    step_id = emr.list_steps(ClusterId=cluster_id)["Steps"][0]["Id"]
    done = wait_step(emr, cluster_id, step_id, "COMPLETED", "FAILED", timeout=240)
    stdout = gunzip_object(s3, "logs", f"emr/{cluster_id}/steps/{step_id}/stdout.gz")
    assert done["Status"]["State"] == "COMPLETED", (done["Status"], stdout[-2000:])
    result = json.loads(next(line for line in stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert result == {"rows": [["north", 4.5], ["south", 2.0]], "partitions": "3", "marker": "from-cluster",
                      "step_conf": "from-step"}
