"""Helpers for the Glue job run tests: uploading scripts, defining jobs, waiting for a run's end, and
reading a run's CloudWatch Logs and the Parquet a job wrote."""

from __future__ import annotations

import io
import textwrap
import time

import pyarrow.parquet as pq
from crawler_helpers import ROLE

BUCKET = "lake"
ENDED = ("STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "EXPIRED")

#: A Python shell script that prints its arguments as one `ARGS key=value ...` line, then does what
#: `--action` says: `fail` (raise), `sleep` (for --seconds), anything else: nothing.
ECHO_SCRIPT = """
import sys, time
pairs = dict(zip(sys.argv[1::2], sys.argv[2::2]))
print("ARGS " + " ".join(f"{k}={v}" for k, v in sorted(pairs.items())))
action = pairs.get("--action", "")
if pairs.get("--pid-file"):
    with open(pairs["--pid-file"], "w") as out:
        out.write(str(__import__("os").getpid()))
if action == "fail":
    raise RuntimeError("the job was asked to fail: " + pairs.get("--reason", "no reason"))
if action == "sleep":
    print("sleeping", flush=True)
    time.sleep(float(pairs.get("--seconds", "60")))
    print("woke up")
print("done")
"""


def put_script(s3, key: str, text: str) -> str:
    """Upload a script into the lake; its s3:// URI."""
    s3.put_object(Bucket=BUCKET, Key=key, Body=textwrap.dedent(text).encode())
    return f"s3://{BUCKET}/{key}"


def shell_job(glue, s3, name: str, *, script: str = ECHO_SCRIPT, **kwargs) -> str:
    """A Python shell job running `script` (uploaded to scripts/<name>.py); its name."""
    location = put_script(s3, f"scripts/{name}.py", script)
    glue.create_job(Name=name, Role=ROLE, Command={"Name": "pythonshell", "ScriptLocation": location,
                                                   "PythonVersion": "3.9"}, **kwargs)
    return name


def wait_run(glue, job: str, run_id: str, timeout: float = 60.0, states=ENDED) -> dict:
    """The run once its JobRunState is one of `states` (by default: once it has ended)."""
    deadline = time.monotonic() + timeout
    while True:
        run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        if run["JobRunState"] in states:
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"job run {run_id} of {job} still {run['JobRunState']} after {timeout}s")
        time.sleep(0.05)


def wait_for(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def log_lines(logs, group: str, stream: str) -> list[str]:
    """Every message of a log stream, oldest first ([] when the stream does not exist)."""
    try:
        events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [event["message"] for event in events]


def echoed_args(logs, run_id: str, group: str = "/aws-glue/python-jobs/output") -> dict[str, str]:
    """The arguments ECHO_SCRIPT printed for a run."""
    line = next(m for m in log_lines(logs, group, run_id) if m.startswith("ARGS "))
    return dict(part.split("=", 1) for part in line[5:].split(" ") if part)


def read_parquet_rows(s3, prefix: str) -> list[dict]:
    """Every row of the Parquet files under `prefix` in the lake (Spark's part files)."""
    rows = []
    for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []):
        if item["Key"].endswith(".parquet"):
            body = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
            rows += pq.read_table(io.BytesIO(body)).to_pylist()
    return rows
