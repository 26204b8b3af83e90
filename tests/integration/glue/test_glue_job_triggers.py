"""Triggers and workflows that run Glue jobs for real (Python shell jobs, so no JVM starts): ON_DEMAND
triggers with their Arguments, CONDITIONAL triggers that start job B when job A ends, and workflow runs
whose statistics and graph count the real job runs."""

from __future__ import annotations

import pytest
from crawler_helpers import make_logs
from glue_job_helpers import echoed_args, log_lines, shell_job, wait_for, wait_run


@pytest.fixture
def logs(lakebox_server):
    return make_logs(lakebox_server.endpoint_url)


def _only_run(glue, job: str) -> dict:
    """The job's one run, once it exists and has ended."""
    runs = wait_for(lambda: glue.get_job_runs(JobName=job)["JobRuns"])
    assert len(runs) == 1
    return wait_run(glue, job, runs[0]["Id"])


def _workflow_run_done(glue, workflow: str, run_id: str):
    run = glue.get_workflow_run(Name=workflow, RunId=run_id)["Run"]
    return run if run["Status"] in ("COMPLETED", "STOPPED", "ERROR") else None


def _conditions(job: str, state: str) -> dict:
    return {"Conditions": [{"LogicalOperator": "EQUALS", "JobName": job, "State": state}]}


def test_on_demand_trigger_starts_a_run_with_the_action_arguments(glue, s3, logs):
    shell_job(glue, s3, "etl", DefaultArguments={"--day": "1"})
    glue.create_trigger(Name="now", Type="ON_DEMAND", Actions=[{"JobName": "etl", "Arguments": {"--day": "7"},
                                                                 "Timeout": 5}])
    glue.start_trigger(Name="now")
    run = _only_run(glue, "etl")
    assert (run["JobRunState"], run["TriggerName"], run["Timeout"]) == ("SUCCEEDED", "now", 5)
    assert run["Arguments"] == {"--day": "7"}
    assert echoed_args(logs, run["Id"])["--day"] == "7"


def test_conditional_trigger_starts_job_b_when_job_a_succeeded(glue, s3, logs):
    shell_job(glue, s3, "a")
    shell_job(glue, s3, "b")
    shell_job(glue, s3, "on-failure")
    glue.create_trigger(Name="then-b", Type="CONDITIONAL", StartOnCreation=True,
                        Predicate=_conditions("a", "SUCCEEDED"),
                        Actions=[{"JobName": "b", "Arguments": {"--from": "a"}}])
    glue.create_trigger(Name="if-a-fails", Type="CONDITIONAL", StartOnCreation=True,
                        Predicate=_conditions("a", "FAILED"), Actions=[{"JobName": "on-failure"}])
    a_id = glue.start_job_run(JobName="a")["JobRunId"]
    assert wait_run(glue, "a", a_id)["JobRunState"] == "SUCCEEDED"
    b = _only_run(glue, "b")
    assert (b["JobRunState"], b["TriggerName"]) == ("SUCCEEDED", "then-b")
    assert echoed_args(logs, b["Id"])["--from"] == "a"
    with_predecessors = glue.get_job_run(JobName="b", RunId=b["Id"], PredecessorsIncluded=True)["JobRun"]
    assert with_predecessors["PredecessorRuns"] == [{"JobName": "a", "RunId": a_id}]
    assert "PredecessorRuns" not in glue.get_job_run(JobName="b", RunId=b["Id"])["JobRun"]
    assert glue.get_job_runs(JobName="on-failure")["JobRuns"] == []


def test_conditional_trigger_on_failure_fires_once_retries_are_used_up(glue, s3):
    shell_job(glue, s3, "flaky", MaxRetries=1)
    shell_job(glue, s3, "alert")
    glue.create_trigger(Name="alert-on-failure", Type="CONDITIONAL", StartOnCreation=True,
                        Predicate=_conditions("flaky", "FAILED"), Actions=[{"JobName": "alert"}])
    first = glue.start_job_run(JobName="flaky", Arguments={"--action": "fail"})["JobRunId"]
    alert = _only_run(glue, "alert")
    assert alert["JobRunState"] == "SUCCEEDED"
    alert = glue.get_job_run(JobName="alert", RunId=alert["Id"], PredecessorsIncluded=True)["JobRun"]
    assert alert["PredecessorRuns"] == [{"JobName": "flaky", "RunId": f"{first}_attempt_1"}]


def test_workflow_runs_its_jobs_and_counts_them(glue, s3, logs):
    shell_job(glue, s3, "extract")
    shell_job(glue, s3, "load")
    shell_job(glue, s3, "cleanup")
    glue.create_workflow(Name="nightly", DefaultRunProperties={"env": "dev"})
    glue.create_trigger(Name="start", WorkflowName="nightly", Type="ON_DEMAND", Actions=[{"JobName": "extract"}])
    glue.create_trigger(Name="after-extract", WorkflowName="nightly", Type="CONDITIONAL", StartOnCreation=True,
                        Predicate=_conditions("extract", "SUCCEEDED"), Actions=[{"JobName": "load"}])
    glue.create_trigger(Name="if-load-fails", WorkflowName="nightly", Type="CONDITIONAL", StartOnCreation=True,
                        Predicate=_conditions("load", "FAILED"), Actions=[{"JobName": "cleanup"}])
    run_id = glue.start_workflow_run(Name="nightly")["RunId"]
    run = wait_for(lambda: _workflow_run_done(glue, "nightly", run_id))
    assert run["Status"] == "COMPLETED"
    stats = run["Statistics"]
    assert (stats["TotalActions"], stats["SucceededActions"], stats["FailedActions"], stats["RunningActions"]) == \
        (2, 2, 0, 0)
    extract, load = _only_run(glue, "extract"), _only_run(glue, "load")
    assert (extract["TriggerName"], load["TriggerName"]) == ("start", "after-extract")
    # Jobs started by a workflow get its name and run id, to read the run properties with.
    args = echoed_args(logs, load["Id"])
    assert (args["--WORKFLOW_NAME"], args["--WORKFLOW_RUN_ID"]) == ("nightly", run_id)
    assert glue.get_job_runs(JobName="cleanup")["JobRuns"] == []
    graph = glue.get_workflow_run(Name="nightly", RunId=run_id, IncludeGraph=True)["Run"]["Graph"]
    nodes = {(n["Type"], n["Name"]): n for n in graph["Nodes"]}
    job_runs = nodes[("JOB", "load")]["JobDetails"]["JobRuns"]
    assert [(r["Id"], r["JobRunState"]) for r in job_runs] == [(load["Id"], "SUCCEEDED")]
    assert nodes[("JOB", "cleanup")]["JobDetails"]["JobRuns"] == []
    assert nodes[("JOB", "extract")]["JobDetails"]["JobRuns"][0]["Id"] == extract["Id"]


def test_workflow_counts_a_failed_job_and_follows_its_failure_branch(glue, s3):
    shell_job(glue, s3, "load", DefaultArguments={"--action": "fail"})
    shell_job(glue, s3, "cleanup")
    glue.create_workflow(Name="wf")
    glue.create_trigger(Name="start", WorkflowName="wf", Type="ON_DEMAND", Actions=[{"JobName": "load"}])
    glue.create_trigger(Name="on-fail", WorkflowName="wf", Type="CONDITIONAL", StartOnCreation=True,
                        Predicate=_conditions("load", "FAILED"), Actions=[{"JobName": "cleanup"}])
    run_id = glue.start_workflow_run(Name="wf")["RunId"]
    run = wait_for(lambda: _workflow_run_done(glue, "wf", run_id))
    assert run["Status"] == "COMPLETED"
    assert (run["Statistics"]["FailedActions"], run["Statistics"]["SucceededActions"]) == (1, 1)
    cleanup = _only_run(glue, "cleanup")
    load = _only_run(glue, "load")
    cleanup = glue.get_job_run(JobName="cleanup", RunId=cleanup["Id"], PredecessorsIncluded=True)["JobRun"]
    assert cleanup["PredecessorRuns"] == [{"JobName": "load", "RunId": load["Id"]}]


def test_stop_workflow_run_stops_its_running_job(glue, s3, logs):
    shell_job(glue, s3, "sleepy", DefaultArguments={"--action": "sleep", "--seconds": "60"})
    glue.create_workflow(Name="wf")
    glue.create_trigger(Name="start", WorkflowName="wf", Type="ON_DEMAND", Actions=[{"JobName": "sleepy"}])
    run_id = glue.start_workflow_run(Name="wf")["RunId"]
    job_run = wait_for(lambda: glue.get_job_runs(JobName="sleepy")["JobRuns"])[0]
    wait_for(lambda: "sleeping" in log_lines(logs, "/aws-glue/python-jobs/output", job_run["Id"]))
    glue.stop_workflow_run(Name="wf", RunId=run_id)
    run = wait_for(lambda: _workflow_run_done(glue, "wf", run_id))
    assert run["Status"] == "STOPPED" and run["Statistics"]["StoppedActions"] == 1
    assert wait_run(glue, "sleepy", job_run["Id"])["JobRunState"] == "STOPPED"


def test_job_at_its_concurrency_limit_is_an_errored_action(glue, s3):
    shell_job(glue, s3, "busy", DefaultArguments={"--action": "sleep", "--seconds": "60"})
    busy = glue.start_job_run(JobName="busy")["JobRunId"]
    glue.create_workflow(Name="wf")
    glue.create_trigger(Name="start", WorkflowName="wf", Type="ON_DEMAND", Actions=[{"JobName": "busy"}])
    run_id = glue.start_workflow_run(Name="wf")["RunId"]
    run = wait_for(lambda: _workflow_run_done(glue, "wf", run_id))
    assert run["Status"] == "COMPLETED" and run["Statistics"]["ErroredActions"] == 1
    assert [r["Id"] for r in glue.get_job_runs(JobName="busy")["JobRuns"]] == [busy]
    glue.batch_stop_job_run(JobName="busy", JobRunIds=[busy])
    assert wait_run(glue, "busy", busy)["JobRunState"] == "STOPPED"
