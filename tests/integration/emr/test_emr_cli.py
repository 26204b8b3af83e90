"""The AWS CLI's `aws emr` commands against a real lakebox server, configured only by environment:
create-cluster, the waiters, add-steps with `Type=Spark` (which the CLI turns into command-runner.jar
spark-submit), list-steps and terminate-clusters. The step fails before any JVM starts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from emr_helpers import wait_for


@pytest.fixture
def aws(lakebox_server):
    """`aws(*args)`: the AWS CLI installed next to this interpreter, run against the test server; its
    JSON output parsed."""
    exe = Path(sys.executable).with_name("aws")
    cmd = [str(exe)] if exe.exists() else [shutil.which("aws") or "aws"]
    env = {**os.environ, "AWS_ENDPOINT_URL": lakebox_server.endpoint_url, "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""}

    def run(*args: str):
        result = subprocess.run([*cmd, *args], check=False, env=env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout) if result.stdout.strip() else None

    return run


def test_aws_emr_cli_creates_runs_steps_and_terminates(aws, s3):
    cluster_id = aws("emr", "create-cluster", "--name", "cli", "--release-label", "emr-6.10.0", "--applications",
                     "Name=Spark", "--instance-type", "m5.xlarge", "--instance-count", "3", "--use-default-roles",
                     "--log-uri", "s3://logs/emr/")["ClusterId"]
    aws("emr", "wait", "cluster-running", "--cluster-id", cluster_id)
    cluster = aws("emr", "describe-cluster", "--cluster-id", cluster_id)["Cluster"]
    assert cluster["Status"]["State"] == "WAITING" and cluster["AutoTerminate"] is False
    assert len(aws("emr", "list-instances", "--cluster-id", cluster_id)["Instances"]) == 3

    step_id = aws("emr", "add-steps", "--cluster-id", cluster_id, "--steps",
                  "Type=Spark,Name=etl,ActionOnFailure=CONTINUE,Args=[s3://scripts/etl.py,--day,2024-01-01]")[
        "StepIds"][0]
    step = wait_for(lambda: aws("emr", "describe-step", "--cluster-id", cluster_id, "--step-id", step_id)["Step"],
                    lambda s: s["Status"]["State"] == "FAILED", what="the step to fail")
    assert step["Config"]["Jar"] == "command-runner.jar"
    assert step["Config"]["Args"][0] == "spark-submit" and step["Config"]["Args"][-3:] == [
        "s3://scripts/etl.py", "--day", "2024-01-01"]
    assert step["Status"]["FailureDetails"]["Message"] == \
        "s3://scripts/etl.py does not exist: there is no bucket scripts."
    assert [s["Id"] for s in aws("emr", "list-steps", "--cluster-id", cluster_id)["Steps"]] == [step_id]

    aws("emr", "terminate-clusters", "--cluster-ids", cluster_id)
    aws("emr", "wait", "cluster-terminated", "--cluster-id", cluster_id)
    assert aws("emr", "list-clusters", "--terminated")["Clusters"][0]["Id"] == cluster_id
