"""Clients, the guide's EMR calls, step builders and readers shared by the EMR integration tests."""

from __future__ import annotations

import gzip
import io
import os
import time
from typing import Iterable

import boto3
import pyarrow.parquet as pq
from botocore.config import Config

#: The guide's RunJobFlow, exactly as written there.
GUIDE_CLUSTER = dict(
    Name='spark-data-processing', ReleaseLabel='emr-6.10.0',
    Applications=[{'Name': 'Spark'}, {'Name': 'Hadoop'}, {'Name': 'Hive'}],
    Instances={'InstanceGroups': [
        {'Name': 'Master', 'InstanceRole': 'MASTER', 'InstanceType': 'm5.xlarge', 'InstanceCount': 1},
        {'Name': 'Core', 'InstanceRole': 'CORE', 'InstanceType': 'm5.xlarge', 'InstanceCount': 2},
        {'Name': 'Task', 'InstanceRole': 'TASK', 'InstanceType': 'm5.xlarge', 'InstanceCount': 3,
         'Market': 'SPOT', 'BidPrice': '0.10'}],
        'Ec2KeyName': 'my-key-pair', 'KeepJobFlowAliveWhenNoSteps': True},
    JobFlowRole='EMR_EC2_DefaultRole', ServiceRole='EMR_DefaultRole', VisibleToAllUsers=True,
    LogUri='s3://my-logs/emr/',
    BootstrapActions=[{'Name': 'Install Python packages',
                       'ScriptBootstrapAction': {'Path': 's3://my-bucket/bootstrap.sh'}}])

#: The guide's step, exactly as written there.
GUIDE_STEPS = [{'Name': 'process-data', 'ActionOnFailure': 'CONTINUE',
                'HadoopJarStep': {'Jar': 'command-runner.jar', 'Args': [
                    'spark-submit', '--deploy-mode', 'cluster', '--master', 'yarn', '--conf',
                    'spark.executor.memory=4g', '--conf', 'spark.executor.cores=2',
                    's3://my-bucket/scripts/process_data.py', '--input', 's3://my-bucket/input/', '--output',
                    's3://my-bucket/output/']}}]

#: A cluster that waits for steps, with one master instance: the smallest RunJobFlow.
SMALL = {"Instances": {"MasterInstanceType": "m5.xlarge", "KeepJobFlowAliveWhenNoSteps": True}}


def client(endpoint_url: str, service: str, *, validate: bool = True, region: str = "us-east-1"):
    return boto3.client(service, endpoint_url=endpoint_url, region_name=region, aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=validate))


def spark_step(name: str, script: str, *args: str, action: str = "CONTINUE") -> dict:
    return {"Name": name, "ActionOnFailure": action,
            "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["spark-submit", script, *args]}}


def missing_script_step(name: str, action: str) -> dict:
    """A step that fails before any JVM starts: its script is not in the lake."""
    return spark_step(name, f"s3://scripts/missing/{name}.py", action=action)


def run_cluster(emr, name: str = "test", steps: Iterable[dict] = (), **extra) -> str:
    kwargs = {"Name": name, **SMALL, **extra}
    if steps:
        kwargs["Steps"] = list(steps)
    return emr.run_job_flow(**kwargs)["JobFlowId"]


def wait_for(probe, done, timeout: float = 30.0, what: str = "state"):
    """Call `probe()` until `done(value)`; the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last: {value!r}")
        time.sleep(0.1)


def cluster_state(emr, cluster_id: str) -> str:
    return emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"]


def wait_cluster(emr, cluster_id: str, *states: str, timeout: float = 30.0) -> dict:
    return wait_for(lambda: emr.describe_cluster(ClusterId=cluster_id)["Cluster"],
                    lambda c: c["Status"]["State"] in states, timeout, f"cluster {cluster_id} in {states}")


def step_states(emr, cluster_id: str) -> list[str]:
    """The states of the cluster's steps, in the order they were added."""
    return [s["Status"]["State"] for s in reversed(emr.list_steps(ClusterId=cluster_id)["Steps"])]


def wait_step(emr, cluster_id: str, step_id: str, *states: str, timeout: float = 60.0) -> dict:
    return wait_for(lambda: emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"],
                    lambda s: s["Status"]["State"] in states, timeout, f"step {step_id} in {states}")


def gunzip_object(s3, bucket: str, key: str) -> str:
    return gzip.decompress(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).decode("utf-8")


def read_parquet_rows(s3, bucket: str, prefix: str) -> list[dict]:
    """Every row of the Parquet files under `prefix`, read through S3's API."""
    rows = []
    for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
        if item["Key"].endswith(".parquet"):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            rows += pq.read_table(io.BytesIO(body)).to_pylist()
    return rows


def error_of(call, **kwargs) -> dict:
    """The parsed error response of a call that must fail."""
    from botocore.exceptions import ClientError

    try:
        call(**kwargs)
    except ClientError as exc:
        return exc.response
    raise AssertionError(f"{call.__name__} did not fail")


def driver_processes(marker: str) -> list[int]:
    """Pids of live processes whose command line mentions `marker` (a step's run folder)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found
