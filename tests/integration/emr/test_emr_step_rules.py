"""How steps end and what that does to their cluster, with steps that fail before any JVM starts:
ActionOnFailure (TERMINATE_CLUSTER, TERMINATE_JOB_FLOW, CANCEL_AND_WAIT, CONTINUE), termination
protection, clusters that end after their last step, and the steps lakebox cannot run (custom JARs,
EMR's own command-runner programs, Java applications), which FAIL with a reason and never COMPLETE."""

from __future__ import annotations

import re

import pytest
from emr_helpers import (cluster_state, error_of, gunzip_object, missing_script_step, run_cluster, spark_step,
                         step_states, wait_cluster, wait_for)


def test_terminate_cluster_on_failure_ends_the_cluster_with_errors_and_cancels_the_rest(emr):
    cluster_id = run_cluster(emr, steps=[missing_script_step("first", "TERMINATE_CLUSTER"),
                                         missing_script_step("second", "CONTINUE"),
                                         missing_script_step("third", "CONTINUE")])
    cluster = wait_cluster(emr, cluster_id, "TERMINATED_WITH_ERRORS")
    assert cluster["Status"]["StateChangeReason"] == {"Code": "STEP_FAILURE", "Message": "Shut down as step failed"}
    assert step_states(emr, cluster_id) == ["FAILED", "CANCELLED", "CANCELLED"]
    with pytest.raises(Exception, match="FAILED|TERMINATED_WITH_ERRORS"):
        emr.get_waiter("cluster_terminated").wait(ClusterId=cluster_id, WaiterConfig={"Delay": 1, "MaxAttempts": 3})


def test_terminate_job_flow_is_the_old_name_of_terminate_cluster(emr):
    cluster_id = run_cluster(emr, steps=[missing_script_step("first", "TERMINATE_JOB_FLOW"),
                                         missing_script_step("second", "CONTINUE")])
    wait_cluster(emr, cluster_id, "TERMINATED_WITH_ERRORS")
    assert step_states(emr, cluster_id) == ["FAILED", "CANCELLED"]


def test_cancel_and_wait_cancels_pending_steps_and_the_cluster_waits(emr):
    cluster_id = run_cluster(emr, steps=[missing_script_step("first", "CANCEL_AND_WAIT"),
                                         missing_script_step("second", "CONTINUE"),
                                         missing_script_step("third", "CONTINUE")])
    wait_for(lambda: step_states(emr, cluster_id), lambda s: s == ["FAILED", "CANCELLED", "CANCELLED"])
    assert wait_cluster(emr, cluster_id, "WAITING")["Status"]["StateChangeReason"]["Message"] == \
        "Cluster ready to run steps."
    # The cluster still takes new steps, and runs them.
    step_id = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[missing_script_step("later", "CONTINUE")])[
        "StepIds"][0]
    wait_for(lambda: emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]["Status"]["State"],
             lambda s: s == "FAILED")


def test_continue_runs_every_step_in_order(emr, s3):
    cluster_id = run_cluster(emr, LogUri="s3://logs/emr", steps=[
        missing_script_step("first", "CONTINUE"), missing_script_step("second", "CONTINUE")])
    wait_for(lambda: step_states(emr, cluster_id), lambda s: s == ["FAILED", "FAILED"])
    steps = list(reversed(emr.list_steps(ClusterId=cluster_id)["Steps"]))
    for step, name in zip(steps, ("first", "second")):
        failure = step["Status"]["FailureDetails"]
        assert failure["Reason"] == "File not found"
        assert failure["Message"] == f"s3://scripts/missing/{name}.py does not exist: there is no bucket scripts."
        # A step that failed before its driver started still has its reason in stderr.gz.
        assert failure["LogFile"] == f"s3://logs/emr/{cluster_id}/steps/{step['Id']}/stderr.gz"
        assert failure["Message"] in gunzip_object(s3, "logs", f"emr/{cluster_id}/steps/{step['Id']}/stderr.gz")
    first, second = (s["Status"]["Timeline"] for s in steps)
    assert first["EndDateTime"] <= second["StartDateTime"]
    assert wait_cluster(emr, cluster_id, "WAITING")


def test_termination_protection_turns_terminate_cluster_into_cancel_and_wait(emr):
    cluster_id = run_cluster(emr, Instances={"MasterInstanceType": "m5.xlarge", "KeepJobFlowAliveWhenNoSteps": True,
                                             "TerminationProtected": True},
                             steps=[missing_script_step("first", "TERMINATE_CLUSTER"),
                                    missing_script_step("second", "CONTINUE")])
    wait_for(lambda: step_states(emr, cluster_id), lambda s: s == ["FAILED", "CANCELLED"])
    assert wait_cluster(emr, cluster_id, "WAITING")["TerminationProtected"] is True


def test_a_cluster_not_kept_alive_terminates_after_its_last_step(emr):
    cluster_id = run_cluster(emr, Instances={"MasterInstanceType": "m5.xlarge"},
                             steps=[missing_script_step("only", "CONTINUE")])
    cluster = wait_cluster(emr, cluster_id, "TERMINATED")
    assert cluster["AutoTerminate"] is True
    assert cluster["Status"]["StateChangeReason"] == {"Code": "ALL_STEPS_COMPLETED",
                                                      "Message": "Steps completed with errors"}
    emr.get_waiter("cluster_terminated").wait(ClusterId=cluster_id, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert emr.describe_job_flows(JobFlowIds=[cluster_id])["JobFlows"][0]["ExecutionStatusDetail"]["State"] == \
        "COMPLETED"


def test_a_cluster_without_steps_or_keep_alive_waits_a_minute_for_steps_then_terminates(emr, lakebox_server):
    # Steps added right after RunJobFlow run, as they do while a real cluster boots; then it ends.
    busy = emr.run_job_flow(Name="busy", Instances={"MasterInstanceType": "m5.xlarge"})["JobFlowId"]
    assert cluster_state(emr, busy) == "WAITING"
    emr.add_job_flow_steps(JobFlowId=busy, Steps=[missing_script_step("first", "CONTINUE")])
    ended = wait_cluster(emr, busy, "TERMINATED")
    assert ended["Status"]["StateChangeReason"]["Code"] == "ALL_STEPS_COMPLETED"
    assert step_states(emr, busy) == ["FAILED"]

    # With no step within 60 s of service time, it ends with none.
    idle = emr.run_job_flow(Name="idle", Instances={"MasterInstanceType": "m5.xlarge"})["JobFlowId"]
    lakebox_server.advance_clock("59s")
    assert cluster_state(emr, idle) == "WAITING"
    lakebox_server.advance_clock("2s")
    cluster = emr.describe_cluster(ClusterId=idle)["Cluster"]
    assert cluster["Status"]["State"] == "TERMINATED"
    assert cluster["Status"]["StateChangeReason"]["Code"] == "ALL_STEPS_COMPLETED"
    error = error_of(emr.add_job_flow_steps, JobFlowId=idle, Steps=[missing_script_step("late", "CONTINUE")])
    assert error["Error"] == {"Code": "ValidationException", "Message":
                              "A job flow that is shutting down, terminated, or finished may not be modified."}


@pytest.mark.parametrize("jar_step, reason, words", [
    ({"Jar": "s3://scripts/my-app.jar", "MainClass": "com.example.Main", "Args": ["x"]},
     "Custom JAR steps cannot run on lakebox", "com.example.Main"),
    ({"Jar": "s3://us-east-1.elasticmapreduce/libs/script-runner/script-runner.jar", "Args": ["s3://s/x.sh"]},
     "Custom JAR steps cannot run on lakebox", "script-runner.jar"),
    ({"Jar": "command-runner.jar", "Args": ["s3-dist-cp", "--src", "s3://a/", "--dest", "s3://b/"]},
     "command-runner.jar program s3-dist-cp is not on this machine", "not part of lakebox"),
    ({"Jar": "command-runner.jar", "Args": ["hive-script", "--run-hive-script", "--args", "-f", "s3://s/q.q"]},
     "command-runner.jar program hive-script is not on this machine", 'Cannot run program "hive-script"'),
    ({"Jar": "command-runner.jar", "Args": ["spark-submit", "--class", "org.example.App", "s3://s/app.jar"]},
     "Unsupported spark-submit command", "Java/Scala"),
    ({"Jar": "command-runner.jar", "Args": ["spark-submit", "s3://s/app.jar", "arg"]},
     "Unsupported spark-submit command", "not a Python file"),
    ({"Jar": "command-runner.jar", "Args": ["spark-submit", "--frobnicate", "s3://s/app.py"]},
     "Unsupported spark-submit command", "unrecognized option --frobnicate"),
    ({"Jar": "command-runner.jar", "Args": ["hadoop-streaming", "-inputformat", "org.example.Format", "-input",
                                            "s3://a/in", "-output", "s3://a/out", "-mapper", "cat"]},
     "Unsupported hadoop-streaming command", "-inputformat is not supported by lakebox"),
    ({"Jar": "command-runner.jar", "Args": ["hadoop-streaming", "-input", "s3://a/in", "-output", "s3://a/out",
                                            "-mapper", "org.example.WordMapper"]},
     "Unsupported hadoop-streaming command", "names a Java class"),
    ({"Jar": "command-runner.jar", "Args": ["hadoop-streaming", "-input", "s3://a/in", "-mapper", "cat"]},
     "Unsupported hadoop-streaming command", "-input and -output are required"),
    ({"Jar": "command-runner.jar", "Args": ["hadoop-streaming", "-files", "s3://nobucket/split.py", "-input",
                                            "s3://a/in", "-output", "s3://a/out", "-mapper", "python split.py"]},
     "File not found", "there is no bucket nobucket"),
])
def test_steps_lakebox_cannot_run_fail_with_a_reason(emr, jar_step, reason, words):
    cluster_id = run_cluster(emr, steps=[{"Name": "cannot", "ActionOnFailure": "CONTINUE", "HadoopJarStep": jar_step}])
    steps = wait_for(lambda: emr.list_steps(ClusterId=cluster_id)["Steps"],
                     lambda s: s[0]["Status"]["State"] not in ("PENDING", "RUNNING"))
    status = steps[0]["Status"]
    assert status["State"] == "FAILED"
    assert status["FailureDetails"]["Reason"] == reason
    assert words in status["FailureDetails"]["Message"]


def test_steps_with_concurrency_above_one_refuse_actions_that_stop_others(emr):
    cluster_id = run_cluster(emr, StepConcurrencyLevel=2)
    error = error_of(emr.add_job_flow_steps, JobFlowId=cluster_id,
                     Steps=[missing_script_step("x", "CANCEL_AND_WAIT")])
    assert error["Error"]["Code"] == "ValidationException"
    assert "ActionOnFailure CANCEL_AND_WAIT is not valid" in error["Error"]["Message"]
    # Nothing was added.
    assert emr.list_steps(ClusterId=cluster_id)["Steps"] == []
    step_ids = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[
        missing_script_step("a", "CONTINUE"), missing_script_step("b", "CONTINUE"),
        missing_script_step("c", "CONTINUE")])["StepIds"]
    wait_for(lambda: step_states(emr, cluster_id), lambda s: s == ["FAILED"] * 3)
    assert [s["Id"] for s in emr.list_steps(ClusterId=cluster_id)["Steps"]] == step_ids[::-1]


def test_step_ids_and_default_action_on_failure(emr):
    cluster_id = run_cluster(emr)
    step = spark_step("defaults", "s3://scripts/missing.py")
    del step["ActionOnFailure"]
    step_id = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[step])["StepIds"][0]
    assert re.fullmatch(r"s-[A-Z0-9]{13}", step_id)
    described = emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]
    assert described["ActionOnFailure"] == "TERMINATE_CLUSTER"
    wait_cluster(emr, cluster_id, "TERMINATED_WITH_ERRORS")


def test_the_debugging_tools_state_pusher_step_completes_with_nothing_to_push(emr, s3):
    """awswrangler's emr.create_cluster(debugging=True), its default, adds this step first; on EMR it
    feeds the console's debugging view, which lakebox has not, so it must not fail the cluster."""
    s3.create_bucket(Bucket="emr-logs")
    cluster_id = run_cluster(emr, LogUri="s3://emr-logs/logs/", steps=[{
        "Name": "Setup Hadoop Debugging", "ActionOnFailure": "TERMINATE_CLUSTER",
        "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["state-pusher-script"]}}])
    steps = wait_for(lambda: emr.list_steps(ClusterId=cluster_id)["Steps"],
                     lambda s: s[0]["Status"]["State"] not in ("PENDING", "RUNNING"))
    assert steps[0]["Status"]["State"] == "COMPLETED"
    assert cluster_state(emr, cluster_id) == "WAITING"
    key = f"logs/{cluster_id}/steps/{steps[0]['Id']}/stdout.gz"
    assert "no EMR debugging console" in gunzip_object(s3, "emr-logs", key)
