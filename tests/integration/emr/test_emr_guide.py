"""The guide's EMR calls, as written, against lakebox: a cluster whose Spark step really reads CSV and
JSON from the lake and writes Parquet back, the boto3 waiters, a failing step's FailureDetails and its
stderr.gz log (that step also takes --py-files, --files and --name from S3), and what DescribeCluster
and the instance listings say about the guide's request.

Two Spark drivers run in this module (the guide's step and a step that raises), on one shared server.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import WaiterError
from emr_helpers import GUIDE_CLUSTER, GUIDE_STEPS, gunzip_object, read_parquet_rows

from lakebox.testing import running_lakebox

PROCESS_DATA = b'''
import argparse
from pyspark.sql import SparkSession, functions as F

parser = argparse.ArgumentParser()
parser.add_argument("--input")
parser.add_argument("--output")
args = parser.parse_args()

spark = SparkSession.builder.appName("process-data").getOrCreate()
csv = spark.read.option("header", True).option("pathGlobFilter", "*.csv").csv(args.input)
json = spark.read.option("pathGlobFilter", "*.json").json(args.input)
orders = csv.select("customer", F.col("amount").cast("double").alias("amount")).unionByName(
    json.select("customer", F.col("amount").cast("double").alias("amount")))
totals = orders.groupBy("customer").agg(F.sum("amount").alias("total"), F.count("*").alias("orders"))
totals.write.mode("overwrite").parquet(args.output)
print("customers written:", totals.count())
'''

FAILING = b'''
from pyspark import SparkFiles
from pyspark.sql import SparkSession
from checks import check_rows

spark = SparkSession.builder.getOrCreate()
print("app name:", spark.conf.get("spark.app.name"))
limit = int(open(SparkFiles.get("limit.txt")).read())
check_rows(spark.range(3).count(), limit)
'''

#: A module given with --py-files: the failure is raised from it.
CHECKS = b'''
def check_rows(count, limit):
    if count < limit:
        raise ValueError(f"bad input row {count + 4}")
'''

FAST = {"Delay": 1, "MaxAttempts": 120}


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    """A server with the guide's buckets and script, and the guide's cluster and step submitted as
    written in the guide (boto3 finds the server through AWS_ENDPOINT_URL)."""
    with running_lakebox(tmp_path_factory.mktemp("emr-guide") / "data") as server:
        s3 = boto3.client('s3')
        for bucket in ("my-bucket", "my-logs"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="my-bucket", Key="scripts/process_data.py", Body=PROCESS_DATA)
        s3.put_object(Bucket="my-bucket", Key="input/orders.csv",
                      Body=b"customer,amount\nada,10.5\nbob,3\nada,4.5\n")
        s3.put_object(Bucket="my-bucket", Key="input/orders.json",
                      Body=b'{"customer": "cy", "amount": 7}\n{"customer": "bob", "amount": 2}\n')

        # The guide's code, as written.
        emr = boto3.client('emr')
        response = emr.run_job_flow(**GUIDE_CLUSTER)
        cluster_id = response['JobFlowId']
        step = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=GUIDE_STEPS)
        yield server, emr, s3, cluster_id, step["StepIds"][0]


def test_guide_cluster_runs_and_its_step_writes_parquet_from_csv_and_json(guide):
    server, emr, s3, cluster_id, step_id = guide
    emr.get_waiter('cluster_running').wait(ClusterId=cluster_id, WaiterConfig=FAST)
    emr.get_waiter('step_complete').wait(ClusterId=cluster_id, StepId=step_id, WaiterConfig=FAST)

    rows = sorted(read_parquet_rows(s3, "my-bucket", "output/"), key=lambda r: r["customer"])
    assert rows == [{"customer": "ada", "total": 15.0, "orders": 2}, {"customer": "bob", "total": 5.0, "orders": 2},
                    {"customer": "cy", "total": 7.0, "orders": 1}]
    step = emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]
    assert step["Status"]["State"] == "COMPLETED"
    timeline = step["Status"]["Timeline"]
    assert timeline["CreationDateTime"] <= timeline["StartDateTime"] < timeline["EndDateTime"]
    assert step["Config"]["Args"] == GUIDE_STEPS[0]["HadoopJarStep"]["Args"]
    # The driver's logs are where EMR puts them under the LogUri.
    prefix = f"emr/{cluster_id}/steps/{step_id}/"
    assert "customers written: 3" in gunzip_object(s3, "my-logs", prefix + "stdout.gz")
    assert "Command exiting with ret '0'" in gunzip_object(s3, "my-logs", prefix + "stderr.gz")
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] == "WAITING"


def test_failing_step_reports_failure_details_and_its_stderr_log(guide):
    server, emr, s3, cluster_id, guide_step = guide
    s3.put_object(Bucket="my-bucket", Key="scripts/failing.py", Body=FAILING)
    s3.put_object(Bucket="my-bucket", Key="scripts/lib/checks.py", Body=CHECKS)
    s3.put_object(Bucket="my-bucket", Key="config/limit.txt", Body=b"10")
    step_id = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[{
        "Name": "failing", "ActionOnFailure": "CONTINUE", "HadoopJarStep": {"Jar": "command-runner.jar", "Args": [
            "spark-submit", "--name", "checker", "--py-files", "s3://my-bucket/scripts/lib/checks.py",
            "--files", "s3://my-bucket/config/limit.txt", "--executor-memory", "2g",
            "s3://my-bucket/scripts/failing.py"]}}])["StepIds"][0]

    with pytest.raises(WaiterError, match="FAILED"):
        emr.get_waiter('step_complete').wait(ClusterId=cluster_id, StepId=step_id, WaiterConfig=FAST)
    failure = emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]["Status"]["FailureDetails"]
    assert failure["Message"] == "ValueError: bad input row 7"
    assert "exited with code 1" in failure["Reason"]
    assert failure["LogFile"] == f"s3://my-logs/emr/{cluster_id}/steps/{step_id}/stderr.gz"
    stderr = gunzip_object(s3, "my-logs", f"emr/{cluster_id}/steps/{step_id}/stderr.gz")
    assert "Traceback (most recent call last)" in stderr
    assert "ValueError: bad input row 7" in stderr
    assert 'checks.py", line 4, in check_rows' in stderr  # raised in the --py-files module
    assert stderr.rstrip().endswith("Command exiting with ret '1'")
    assert "app name: checker" in gunzip_object(s3, "my-logs", f"emr/{cluster_id}/steps/{step_id}/stdout.gz")
    # CONTINUE: the cluster waits for more work.
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] == "WAITING"
    listed = emr.list_steps(ClusterId=cluster_id)["Steps"]
    assert [(s["Id"], s["Status"]["State"]) for s in listed] == [(step_id, "FAILED"), (guide_step, "COMPLETED")]
    assert [s["Id"] for s in emr.list_steps(ClusterId=cluster_id, StepStates=["FAILED"])["Steps"]] == [step_id]


def test_describe_cluster_reports_the_guide_request(guide):
    server, emr, s3, cluster_id, step_id = guide
    cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    assert cluster["Name"] == "spark-data-processing"
    assert cluster["ReleaseLabel"] == "emr-6.10.0"
    assert cluster["LogUri"] == "s3://my-logs/emr/"
    assert cluster["Applications"] == [{"Name": "Spark", "Version": "3.3.1"}, {"Name": "Hadoop", "Version": "3.3.3"},
                                       {"Name": "Hive", "Version": "3.1.3"}]
    assert cluster["Ec2InstanceAttributes"]["Ec2KeyName"] == "my-key-pair"
    assert cluster["Ec2InstanceAttributes"]["IamInstanceProfile"] == "EMR_EC2_DefaultRole"
    assert cluster["ServiceRole"] == "EMR_DefaultRole"
    assert cluster["VisibleToAllUsers"] is True and cluster["AutoTerminate"] is False
    assert cluster["TerminationProtected"] is False
    assert cluster["ClusterArn"] == f"arn:aws:elasticmapreduce:us-east-1:000000000000:cluster/{cluster_id}"
    assert cluster["InstanceCollectionType"] == "INSTANCE_GROUP"

    groups = emr.list_instance_groups(ClusterId=cluster_id)["InstanceGroups"]
    assert [(g["Name"], g["InstanceGroupType"], g["RequestedInstanceCount"], g["RunningInstanceCount"], g["Market"])
            for g in groups] == [("Master", "MASTER", 1, 1, "ON_DEMAND"), ("Core", "CORE", 2, 2, "ON_DEMAND"),
                                 ("Task", "TASK", 3, 3, "SPOT")]
    assert groups[2]["BidPrice"] == "0.10"
    instances = emr.list_instances(ClusterId=cluster_id)["Instances"]
    assert len(instances) == 6 and len({i["Id"] for i in instances}) == 6
    assert all(i["Status"]["State"] == "RUNNING" and i["Id"].startswith("ci-") for i in instances)
    task = emr.list_instances(ClusterId=cluster_id, InstanceGroupTypes=["TASK"])["Instances"]
    assert {i["InstanceGroupId"] for i in task} == {groups[2]["Id"]} and len(task) == 3
    actions = emr.list_bootstrap_actions(ClusterId=cluster_id)["BootstrapActions"]
    assert actions == [{"Name": "Install Python packages", "ScriptPath": "s3://my-bucket/bootstrap.sh", "Args": []}]
    flows = emr.describe_job_flows(JobFlowIds=[cluster_id])["JobFlows"]
    assert flows[0]["Instances"]["InstanceCount"] == 6
    assert flows[0]["Instances"]["KeepJobFlowAliveWhenNoSteps"] is True
    assert flows[0]["Steps"][0]["StepConfig"]["Name"] == "process-data"


def test_terminating_the_guide_cluster_ends_it_and_its_instances(guide):
    server, emr, s3, cluster_id, step_id = guide
    emr.terminate_job_flows(JobFlowIds=[cluster_id])
    emr.get_waiter('cluster_terminated').wait(ClusterId=cluster_id, WaiterConfig=FAST)
    status = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]
    assert status["StateChangeReason"] == {"Code": "USER_REQUEST", "Message": "Terminated by user request"}
    assert "EndDateTime" in status["Timeline"]
    assert {g["Status"]["State"] for g in emr.list_instance_groups(ClusterId=cluster_id)["InstanceGroups"]} == {
        "TERMINATED"}
    assert {i["Status"]["State"] for i in emr.list_instances(ClusterId=cluster_id)["Instances"]} == {"TERMINATED"}
    assert emr.describe_job_flows(JobFlowIds=[cluster_id])["JobFlows"][0]["ExecutionStatusDetail"]["State"] == \
        "TERMINATED"
