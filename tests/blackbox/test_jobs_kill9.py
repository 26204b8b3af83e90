"""A Glue job run or EMR step whose server dies by `kill -9` does not keep running unseen.

The driver is a child process in a session of its own, so it outlives a killed server. After the
restart on the same data folder, the run or step that was running is FAILED (its driver could not
be watched to its end), and the orphaned driver is killed: it must not go on writing into the lake
behind the new server's back. The processes are found by the pid each driver writes to the lake.
"""

from __future__ import annotations

import time

import boto3
import pytest

from lakebox.engines.spark import unavailable_reason

pytestmark = [pytest.mark.blackbox, pytest.mark.timeout(300)]

#: A driver that writes its pid to PID_FILE, then sleeps for ten minutes.
SLEEPER = """
import os, time
open(PID_FILE, "w").write(str(os.getpid()))
print("sleeping", flush=True)
time.sleep(600)
"""


def _client(endpoint: str, service: str):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait(check, what: str, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what}: not reached in {timeout} s"
        time.sleep(0.1)


def _upload_sleeper(s3, pid_file):
    """SLEEPER, writing to `pid_file`, as s3://code/sleeper.py; the pid file."""
    s3.create_bucket(Bucket="code")
    s3.put_object(Bucket="code", Key="sleeper.py", Body=SLEEPER.replace("PID_FILE", repr(str(pid_file))).encode())
    return pid_file


def _pid_in(pid_file) -> int:
    return _wait(lambda: pid_file.exists() and pid_file.read_text().strip() and int(pid_file.read_text()),
                 f"the driver's pid in {pid_file}")


def test_kill9_fails_the_running_glue_job_run_and_kills_its_driver(serve_factory, tmp_path):
    data = tmp_path / "data"
    server = serve_factory.start(data)
    s3, glue = _client(server.endpoint, "s3"), _client(server.endpoint, "glue")
    pid_file = _upload_sleeper(s3, tmp_path / "glue.pid")
    glue.create_job(Name="sleeper", Role="arn:aws:iam::000000000000:role/Glue",
                    Command={"Name": "pythonshell", "ScriptLocation": "s3://code/sleeper.py"})
    run_id = glue.start_job_run(JobName="sleeper")["JobRunId"]
    pid = _pid_in(pid_file)
    assert glue.get_job_run(JobName="sleeper", RunId=run_id)["JobRun"]["JobRunState"] == "RUNNING"
    server.kill9()
    assert _alive(pid), "the driver died with the server: nothing to recover"

    server = serve_factory.start(data)
    run = _client(server.endpoint, "glue").get_job_run(JobName="sleeper", RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "FAILED" and "lakebox" in run["ErrorMessage"]
    _wait(lambda: not _alive(pid), f"driver {pid} killed after the restart", timeout=30)


@pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))
def test_kill9_fails_the_running_emr_step_and_kills_its_driver(serve_factory, tmp_path):
    data = tmp_path / "data"
    server = serve_factory.start(data)
    s3, emr = _client(server.endpoint, "s3"), _client(server.endpoint, "emr")
    pid_file = _upload_sleeper(s3, tmp_path / "emr.pid")
    step = {"Name": "sleep", "ActionOnFailure": "CONTINUE", "HadoopJarStep": {
        "Jar": "command-runner.jar", "Args": ["spark-submit", "s3://code/sleeper.py"]}}
    cluster_id = emr.run_job_flow(Name="kill9", Steps=[step], Instances={
        "MasterInstanceType": "m5.xlarge", "KeepJobFlowAliveWhenNoSteps": True})["JobFlowId"]
    pid = _pid_in(pid_file)
    step_id = emr.list_steps(ClusterId=cluster_id)["Steps"][0]["Id"]
    server.kill9()
    assert _alive(pid), "the driver died with the server: nothing to recover"

    server = serve_factory.start(data)
    step = _client(server.endpoint, "emr").describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]
    assert step["Status"]["State"] == "FAILED"
    assert step["Status"]["FailureDetails"]["Reason"] == "lakebox restarted"
    _wait(lambda: not _alive(pid), f"driver {pid} killed after the restart", timeout=30)
