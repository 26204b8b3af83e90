"""command-runner.jar steps that run a program other than spark-submit or hadoop-streaming: on EMR
command-runner runs it on the master node, here on this machine, with the step's credentials and
lakebox as its endpoint. Its stdout and stderr become the step's logs under the LogUri, its exit
code the step's state."""

from __future__ import annotations

from emr_helpers import gunzip_object, run_cluster, wait_for


def command_step(name: str, *args: str) -> dict:
    return {"Name": name, "ActionOnFailure": "CONTINUE",
            "HadoopJarStep": {"Jar": "command-runner.jar", "Args": list(args)}}


def ended(emr, cluster_id: str, count: int) -> list[dict]:
    """The cluster's steps, first step first, once `count` of them have ended."""
    steps = wait_for(lambda: emr.list_steps(ClusterId=cluster_id)["Steps"],
                     lambda s: len(s) == count and all(
                         x["Status"]["State"] not in ("PENDING", "RUNNING", "CANCEL_PENDING") for x in s),
                     timeout=60, what="steps to end")
    return list(reversed(steps))


def test_a_shell_command_runs_and_its_output_is_the_step_log(emr, s3):
    cluster_id = run_cluster(emr, LogUri="s3://logs/emr/", steps=[
        command_step("hello", "bash", "-c", "echo hello from the step; echo to stderr >&2; pwd")])
    step, = ended(emr, cluster_id, 1)
    assert step["Status"]["State"] == "COMPLETED"
    stdout = gunzip_object(s3, "logs", f"emr/{cluster_id}/steps/{step['Id']}/stdout.gz")
    lines = stdout.splitlines()
    assert lines[0] == "hello from the step"
    # It ran in a work folder of its own, named after the step.
    assert lines[1].endswith(f"/{step['Id']}/work")
    stderr = gunzip_object(s3, "logs", f"emr/{cluster_id}/steps/{step['Id']}/stderr.gz")
    assert stderr.splitlines() == ["to stderr", "Command exiting with ret '0'"]


def test_the_aws_cli_in_a_step_reaches_the_lake_with_the_step_credentials(emr, s3):
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="in/rows.csv", Body=b"id,name\n1,ana\n")
    cluster_id = run_cluster(emr, steps=[
        command_step("copy", "aws", "s3", "cp", "s3://data/in/rows.csv", "s3://data/out/rows.csv")])
    step, = ended(emr, cluster_id, 1)
    assert step["Status"]["State"] == "COMPLETED", step["Status"]
    assert s3.get_object(Bucket="data", Key="out/rows.csv")["Body"].read() == b"id,name\n1,ana\n"


def test_a_failing_command_fails_the_step_with_its_exit_code_and_last_words(emr, s3):
    cluster_id = run_cluster(emr, LogUri="s3://logs/emr/", steps=[
        command_step("oops", "bash", "-c", "echo working; echo 'no such table: sales' >&2; exit 3"),
        command_step("silent", "false")])
    oops, silent = ended(emr, cluster_id, 2)
    assert oops["Status"]["State"] == "FAILED"
    failure = oops["Status"]["FailureDetails"]
    assert failure["Reason"] == "The step's command exited with code 3"
    assert failure["Message"] == "no such table: sales"
    assert failure["LogFile"] == f"s3://logs/emr/{cluster_id}/steps/{oops['Id']}/stderr.gz"
    assert gunzip_object(s3, "logs", f"emr/{cluster_id}/steps/{oops['Id']}/stderr.gz").splitlines() == [
        "no such table: sales", "Command exiting with ret '3'"]
    # A command that says nothing fails with command-runner's own exit line.
    assert silent["Status"]["State"] == "FAILED"
    assert silent["Status"]["FailureDetails"]["Message"] == "Command exiting with ret '1'"


def test_a_running_command_is_cancelled_and_stopped(emr):
    cluster_id = run_cluster(emr, steps=[command_step("long", "sleep", "600")])
    step_id = emr.list_steps(ClusterId=cluster_id)["Steps"][0]["Id"]
    wait_for(lambda: emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]["Status"]["State"],
             lambda s: s == "RUNNING")
    info = emr.cancel_steps(ClusterId=cluster_id, StepIds=[step_id])["CancelStepsInfoList"]
    assert info[0]["Status"] == "SUBMITTED"
    step, = ended(emr, cluster_id, 1)
    assert step["Status"]["State"] == "CANCELLED"
