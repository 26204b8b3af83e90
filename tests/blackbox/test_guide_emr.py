"""The guide's EMR examples, as written, against `lakebox serve`: a cluster, then a Spark step.

Setup the guide leaves implicit: the buckets it names, the step's script `process_data.py` (the
guide shows its spark-submit line, not the script; this one reads CSV from --input and writes
Parquet to --output), and input data. `run_job_flow` and `add_job_flow_steps` then run verbatim;
the step runs on Spark (locally: `--master yarn --deploy-mode cluster` name AWS's cluster), and the
Parquet it wrote is read back and checked row by row, as are the step's logs under LogUri.
"""

from __future__ import annotations

import gzip
import io

import boto3
import pyarrow.parquet as pq
import pytest

from lakebox.engines.spark import unavailable_reason

pytestmark = [pytest.mark.blackbox, pytest.mark.timeout(600),
              pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))]

PROCESS_DATA = b'''\
import argparse
from pyspark.sql import SparkSession, functions as F

parser = argparse.ArgumentParser()
parser.add_argument("--input")
parser.add_argument("--output")
args = parser.parse_args()
spark = SparkSession.builder.appName("process-data").getOrCreate()
sales = spark.read.option("header", True).option("inferSchema", True).csv(args.input)
totals = sales.groupBy("region").agg(F.sum("amount").alias("total"), F.count("*").alias("orders"))
totals.write.mode("overwrite").parquet(args.output)
print("wrote", totals.count(), "regions")
'''

SALES = b"region,amount\nnorth,10\nsouth,5\nnorth,2.5\neast,7\nsouth,1\n"


@pytest.fixture(scope="module")
def guide_buckets(lakebox_endpoint):
    s3 = boto3.client("s3")
    for bucket in ("my-bucket", "my-logs"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="my-bucket", Key="scripts/process_data.py", Body=PROCESS_DATA)
    s3.put_object(Bucket="my-bucket", Key="input/sales.csv", Body=SALES)
    s3.put_object(Bucket="my-bucket", Key="bootstrap.sh", Body=b"#!/bin/bash\npip install pandas\n")
    return s3


def test_guide_emr_cluster_and_spark_step(guide_buckets):
    s3 = guide_buckets

    # guide: "Criar Cluster EMR" (verbatim)
    import boto3

    emr = boto3.client('emr')

    # Criar cluster
    response = emr.run_job_flow(
        Name='spark-data-processing',
        ReleaseLabel='emr-6.10.0',  # Latest version
        Applications=[
            {'Name': 'Spark'},
            {'Name': 'Hadoop'},
            {'Name': 'Hive'}
        ],
        Instances={
            'InstanceGroups': [
                {
                    'Name': 'Master',
                    'InstanceRole': 'MASTER',
                    'InstanceType': 'm5.xlarge',
                    'InstanceCount': 1
                },
                {
                    'Name': 'Core',
                    'InstanceRole': 'CORE',
                    'InstanceType': 'm5.xlarge',
                    'InstanceCount': 2
                },
                {
                    'Name': 'Task',
                    'InstanceRole': 'TASK',
                    'InstanceType': 'm5.xlarge',
                    'InstanceCount': 3,
                    'Market': 'SPOT',  # Use spot instances
                    'BidPrice': '0.10'
                }
            ],
            'Ec2KeyName': 'my-key-pair',
            'KeepJobFlowAliveWhenNoSteps': True
        },
        JobFlowRole='EMR_EC2_DefaultRole',
        ServiceRole='EMR_DefaultRole',
        VisibleToAllUsers=True,
        LogUri='s3://my-logs/emr/',
        BootstrapActions=[{
            'Name': 'Install Python packages',
            'ScriptBootstrapAction': {
                'Path': 's3://my-bucket/bootstrap.sh'
            }
        }]
    )

    cluster_id = response['JobFlowId']
    # end guide

    emr.get_waiter("cluster_running").wait(ClusterId=cluster_id, WaiterConfig={"Delay": 1, "MaxAttempts": 120})

    # guide: "Submit Spark Job" (verbatim)
    # Add Spark step
    emr.add_job_flow_steps(
        JobFlowId=cluster_id,
        Steps=[{
            'Name': 'process-data',
            'ActionOnFailure': 'CONTINUE',
            'HadoopJarStep': {
                'Jar': 'command-runner.jar',
                'Args': [
                    'spark-submit',
                    '--deploy-mode', 'cluster',
                    '--master', 'yarn',
                    '--conf', 'spark.executor.memory=4g',
                    '--conf', 'spark.executor.cores=2',
                    's3://my-bucket/scripts/process_data.py',
                    '--input', 's3://my-bucket/input/',
                    '--output', 's3://my-bucket/output/'
                ]
            }
        }]
    )
    # end guide

    step = emr.list_steps(ClusterId=cluster_id)["Steps"][0]
    emr.get_waiter("step_complete").wait(ClusterId=cluster_id, StepId=step["Id"],
                                         WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    step = emr.describe_step(ClusterId=cluster_id, StepId=step["Id"])["Step"]
    assert step["Status"]["State"] == "COMPLETED"
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] == "WAITING"

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="my-bucket", Prefix="output/")["Contents"]]
    rows = []
    for key in keys:
        rows += pq.read_table(io.BytesIO(s3.get_object(Bucket="my-bucket", Key=key)["Body"].read())).to_pylist()
    assert sorted((r["region"], r["total"], r["orders"]) for r in rows) == \
        [("east", 7.0, 1), ("north", 12.5, 2), ("south", 6.0, 2)]

    stdout = s3.get_object(Bucket="my-logs", Key=f"emr/{cluster_id}/steps/{step['Id']}/stdout.gz")["Body"].read()
    assert b"wrote 3 regions" in gzip.decompress(stdout)

    emr.terminate_job_flows(JobFlowIds=[cluster_id])
    emr.get_waiter("cluster_terminated").wait(ClusterId=cluster_id, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
