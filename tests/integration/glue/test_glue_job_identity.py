"""A job's driver acts for the job's account and region, as a Glue job's role does on AWS.

Python shell jobs (no JVM) whose scripts call boto3 with no endpoint, keys or region of their own:
- in eu-west-1 the script sees eu-west-1's catalog, not us-east-1's;
- with `--auth strict`, the driver's requests carry a configured key of the job's account and pass
  the signature check; a job of another account acts as that account.
"""

from __future__ import annotations

import json

import boto3
from glue_job_helpers import wait_run

from lakebox.config import Credential
from lakebox.testing import running_lakebox

SCRIPT = b"""
import json, boto3
glue = boto3.client("glue")
sts = boto3.client("sts")
print("IDENTITY " + json.dumps({
    "region": glue.meta.region_name,
    "databases": sorted(d["Name"] for d in glue.get_databases()["DatabaseList"]),
    "account": sts.get_caller_identity()["Account"],
    "buckets": sorted(b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]),
}))
"""

ALICE = ("AKIDALICE0000001", "alice-secret", "111111111111")
BOB = ("AKIDBOB000000001", "bob-secret", "222222222222")


def _client(server, service, region, key="test", secret="test"):
    return boto3.client(service, endpoint_url=server.endpoint_url, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret)


def _run_identity_job(server, region, key="test", secret="test", bucket="jobs-code") -> dict:
    s3, glue = _client(server, "s3", region, key, secret), _client(server, "glue", region, key, secret)
    s3.put_object(Bucket=bucket, Key="identity.py", Body=SCRIPT)
    glue.create_job(Name="identity", Role="arn:aws:iam::000000000000:role/Glue",
                    Command={"Name": "pythonshell", "ScriptLocation": f"s3://{bucket}/identity.py"})
    run = wait_run(glue, "identity", glue.start_job_run(JobName="identity")["JobRunId"])
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    logs = _client(server, "logs", region, key, secret)
    events = logs.get_log_events(logGroupName="/aws-glue/python-jobs/output", logStreamName=run["Id"])["events"]
    line = next(e["message"] for e in events if e["message"].startswith("IDENTITY "))
    return json.loads(line[len("IDENTITY "):])


def test_a_job_in_eu_west_1_reads_that_regions_catalog(lakebox_server):
    east, west = _client(lakebox_server, "glue", "us-east-1"), _client(lakebox_server, "glue", "eu-west-1")
    east.create_database(DatabaseInput={"Name": "east_only"})
    west.create_database(DatabaseInput={"Name": "west_only"})
    _client(lakebox_server, "s3", "eu-west-1").create_bucket(
        Bucket="jobs-code", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    seen = _run_identity_job(lakebox_server, "eu-west-1")
    assert seen["region"] == "eu-west-1"
    assert "west_only" in seen["databases"] and "east_only" not in seen["databases"]
    assert seen["account"] == "000000000000"


def test_with_strict_auth_a_job_acts_as_its_own_account(tmp_path):
    credentials = {key: Credential(key, secret, account) for key, secret, account in (ALICE, BOB)}
    with running_lakebox(tmp_path / "strict", set_env=False, auth="strict", credentials=credentials) as server:
        for key, secret, account in (ALICE, BOB):
            bucket = f"code-{account}"
            _client(server, "s3", "us-east-1", key, secret).create_bucket(Bucket=bucket)
            seen = _run_identity_job(server, "us-east-1", key, secret, bucket=bucket)
            assert seen["account"] == account
            assert bucket in seen["buckets"]
            assert {b for b in seen["buckets"] if b.startswith("code-")} == {bucket}
