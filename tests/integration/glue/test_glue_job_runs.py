"""Glue job runs over boto3: Spark (glueetl) jobs that really read CSV and write Parquet in the lake,
Python shell jobs, arguments as Glue passes them, states and timestamps, logs in CloudWatch Logs,
MaxConcurrentRuns, BatchStopJobRun, timeouts, retries, bookmarks, restarts and bad input.

Spark runs cost a JVM each, so only three tests start one (four runs); every other test uses Python
shell jobs."""

from __future__ import annotations

import json
import os
import time

import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE, make_logs
from glue_helpers import error_of, make_glue
from glue_job_helpers import (BUCKET, ECHO_SCRIPT, echoed_args, log_lines, put_script, read_parquet_rows,
                              shell_job, wait_for, wait_run)

from lakebox.services.glue import job_run_worker
from lakebox.services.glue.job_run_store import JobRunStore

ORDERS_ETL = """
import sys
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession
from pyspark.sql.functions import col

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input_path", "output_path", "min_amount"])
spark = SparkSession.builder.getOrCreate()
orders = spark.read.option("header", True).option("inferSchema", True).csv(args["input_path"])
big = orders.filter(col("amount") >= float(args["min_amount"])).withColumn("job", col("id") * 0 + 1)
big.write.mode("overwrite").parquet(args["output_path"])
print("job", args["JOB_NAME"], "wrote", big.count(), "orders")
"""

FAILING_ETL = """
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
total = spark.range(3).count()
print("counted", total)
def check(n):
    raise ValueError(f"expected 5 rows, found {n}")
check(total)
"""


@pytest.fixture
def logs(lakebox_server):
    return make_logs(lakebox_server.endpoint_url)


def _error(call, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return error_of(exc)


# -- Spark (glueetl) -------------------------------------------------------------------------------------

def test_glueetl_job_reads_csv_and_writes_parquet_with_resolved_options(glue, s3, logs):
    s3.put_object(Bucket=BUCKET, Key="raw/orders/part1.csv", Body=b"id,amount\n1,5.0\n2,25.5\n3,40.0\n")
    location = put_script(s3, "scripts/orders_etl.py", ORDERS_ETL)
    glue.create_job(Name="orders-etl", Role=ROLE, GlueVersion="4.0", WorkerType="G.1X", NumberOfWorkers=2,
                    Command={"Name": "glueetl", "ScriptLocation": location},
                    DefaultArguments={"--input_path": f"s3://{BUCKET}/raw/orders/",
                                      "--output_path": f"s3://{BUCKET}/curated/wrong/", "--min_amount": "10"})
    run_id = glue.start_job_run(JobName="orders-etl",
                                Arguments={"--output_path": f"s3://{BUCKET}/curated/orders/"})["JobRunId"]
    assert run_id.startswith("jr_") and len(run_id) == 67
    assert glue.get_job_run(JobName="orders-etl", RunId=run_id)["JobRun"]["JobRunState"] in ("STARTING", "RUNNING")
    run = wait_run(glue, "orders-etl", run_id, timeout=180)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    rows = sorted(read_parquet_rows(s3, "curated/orders/"), key=lambda r: r["id"])
    assert rows == [{"id": 2, "amount": 25.5, "job": 1}, {"id": 3, "amount": 40.0, "job": 1}]
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="curated/wrong/")
    # The run shows its own Arguments only, and echoes the job's capacity as Glue does.
    assert run["Arguments"] == {"--output_path": f"s3://{BUCKET}/curated/orders/"}
    assert (run["WorkerType"], run["NumberOfWorkers"], run["MaxCapacity"], run["GlueVersion"]) == \
        ("G.1X", 2, 2.0, "4.0")
    assert (run["Attempt"], run["LogGroupName"], run["Timeout"]) == (0, "/aws-glue/jobs", 2880)
    assert run["StartedOn"] <= run["LastModifiedOn"] == run["CompletedOn"]
    assert run["ExecutionTime"] >= 1
    assert "job orders-etl wrote 2 orders" in log_lines(logs, "/aws-glue/jobs/output", run_id)
    assert [r["Id"] for r in glue.get_job_runs(JobName="orders-etl")["JobRuns"]] == [run_id]


def test_failing_glueetl_script_fails_with_its_exception_and_traceback_in_the_error_log(glue, s3, logs):
    location = put_script(s3, "scripts/failing.py", FAILING_ETL)
    glue.create_job(Name="failing", Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": location})
    run_id = glue.start_job_run(JobName="failing")["JobRunId"]
    run = wait_run(glue, "failing", run_id, timeout=180)
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "ValueError: expected 5 rows, found 3"
    errors = log_lines(logs, "/aws-glue/jobs/error", run_id)
    assert errors[0] == "Traceback (most recent call last):"
    assert any(line.strip() == "check(total)" for line in errors)
    assert errors[-1] == "ValueError: expected 5 rows, found 3"
    assert log_lines(logs, "/aws-glue/jobs/output", run_id) == ["counted 3"]


BOOKMARKED_ETL = """
import sys
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME"])
glue_context = GlueContext(SparkContext.getOrCreate())
job = Job(glue_context)
job.init(args["JOB_NAME"], args)
frame = glue_context.create_dynamic_frame.from_options(
    connection_type="s3", connection_options={"paths": ["s3://lake/incoming/"]}, format="csv",
    format_options={"withHeader": True}, transformation_ctx="incoming")
ids = sorted(int(row["id"]) for row in frame.toDF().collect())
print("read ids " + ",".join(str(i) for i in ids))
job.commit()
"""


def test_bookmarks_make_a_second_glueetl_run_read_only_new_files(glue, s3, logs):
    s3.put_object(Bucket=BUCKET, Key="incoming/a.csv", Body=b"id,name\n1,a\n2,b\n")
    location = put_script(s3, "scripts/bookmarked.py", BOOKMARKED_ETL)
    glue.create_job(Name="incremental", Role=ROLE, Command={"Name": "glueetl", "ScriptLocation": location},
                    DefaultArguments={"--job-bookmark-option": "job-bookmark-enable"})
    first = glue.start_job_run(JobName="incremental")["JobRunId"]
    assert wait_run(glue, "incremental", first, timeout=180)["JobRunState"] == "SUCCEEDED"
    entry = glue.get_job_bookmark(JobName="incremental")["JobBookmarkEntry"]
    assert (entry["JobName"], entry["Version"], entry["RunId"], entry["Attempt"]) == ("incremental", 1, first, 0)
    s3.put_object(Bucket=BUCKET, Key="incoming/b.csv", Body=b"id,name\n3,c\n")
    second = glue.start_job_run(JobName="incremental")["JobRunId"]
    assert wait_run(glue, "incremental", second, timeout=180)["JobRunState"] == "SUCCEEDED"
    assert "read ids 1,2" in log_lines(logs, "/aws-glue/jobs/output", first)
    assert "read ids 3" in log_lines(logs, "/aws-glue/jobs/output", second)
    entry = glue.get_job_bookmark(JobName="incremental")["JobBookmarkEntry"]
    assert (entry["Version"], entry["Run"], entry["RunId"], entry["PreviousRunId"]) == (2, 2, second, first)
    state = json.loads(entry["JobBookmark"])
    assert sorted(state["contexts"]["incoming"]["files"]) == [f"s3://{BUCKET}/incoming/a.csv",
                                                              f"s3://{BUCKET}/incoming/b.csv"]
    assert glue.reset_job_bookmark(JobName="incremental")["JobBookmarkEntry"]["Version"] == 2
    assert _error(glue.get_job_bookmark, JobName="incremental")[:2] == (400, "EntityNotFoundException")


# -- Python shell jobs -----------------------------------------------------------------------------------

def test_pythonshell_run_gets_glue_arguments_and_logs_its_output(glue, s3, logs):
    shell_job(glue, s3, "echo", DefaultArguments={"--day": "1", "--env": "dev"},
              NonOverridableArguments={"--team": "data"})
    run_id = glue.start_job_run(JobName="echo", Arguments={"--day": "2", "--team": "other"})["JobRunId"]
    run = wait_run(glue, "echo", run_id)
    assert run["JobRunState"] == "SUCCEEDED"
    args = echoed_args(logs, run_id)
    job_id = args.pop("--JOB_ID")
    assert job_id.startswith("j_") and len(job_id) == 66
    assert args == {"--day": "2", "--env": "dev", "--team": "data", "--JOB_NAME": "echo", "--JOB_RUN_ID": run_id,
                    "--job-bookmark-option": "job-bookmark-disable"}
    assert log_lines(logs, "/aws-glue/python-jobs/output", run_id)[-1] == "done"
    assert (run["LogGroupName"], run["MaxCapacity"], run["GlueVersion"]) == ("/aws-glue/python-jobs", 0.0625, "3.0")
    assert "TriggerName" not in run and "PreviousRunId" not in run and "ErrorMessage" not in run


def test_pythonshell_failure_reports_the_exception(glue, s3, logs):
    shell_job(glue, s3, "boom")
    run_id = glue.start_job_run(JobName="boom", Arguments={"--action": "fail", "--reason": "bad-input"})["JobRunId"]
    run = wait_run(glue, "boom", run_id)
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "RuntimeError: the job was asked to fail: bad-input"
    errors = log_lines(logs, "/aws-glue/python-jobs/error", run_id)
    assert errors[0] == "Traceback (most recent call last):" and errors[-1] == run["ErrorMessage"]


def test_get_job_runs_pages_newest_first(glue, s3):
    shell_job(glue, s3, "many", ExecutionProperty={"MaxConcurrentRuns": 5})
    ids = [glue.start_job_run(JobName="many", Arguments={"--n": str(i)})["JobRunId"] for i in range(5)]
    for run_id in ids:
        assert wait_run(glue, "many", run_id)["JobRunState"] == "SUCCEEDED"
    first = glue.get_job_runs(JobName="many", MaxResults=2)
    second = glue.get_job_runs(JobName="many", MaxResults=2, NextToken=first["NextToken"])
    third = glue.get_job_runs(JobName="many", MaxResults=2, NextToken=second["NextToken"])
    pages = [first["JobRuns"], second["JobRuns"], third["JobRuns"]]
    assert [[r["Id"] for r in p] for p in pages] == [ids[:2:-1], ids[2:0:-1], ids[:1]]
    assert "NextToken" not in third
    assert [r["Arguments"]["--n"] for r in glue.get_job_runs(JobName="many")["JobRuns"]] == ["4", "3", "2", "1", "0"]


def test_max_concurrent_runs_refuses_another_run_until_one_ends(glue, s3):
    shell_job(glue, s3, "single")
    run_id = glue.start_job_run(JobName="single", Arguments={"--action": "sleep"})["JobRunId"]
    assert _error(glue.start_job_run, JobName="single") == \
        (400, "ConcurrentRunsExceededException", "Concurrent runs exceeded for single")
    glue.batch_stop_job_run(JobName="single", JobRunIds=[run_id])
    assert wait_run(glue, "single", run_id)["JobRunState"] == "STOPPED"
    second = glue.start_job_run(JobName="single")["JobRunId"]
    assert wait_run(glue, "single", second)["JobRunState"] == "SUCCEEDED"


def test_batch_stop_job_run_stops_the_driver(glue, s3, logs, tmp_path):
    shell_job(glue, s3, "sleeper", ExecutionProperty={"MaxConcurrentRuns": 2})
    pid_file = tmp_path / "pid"
    run_id = glue.start_job_run(JobName="sleeper", Arguments={"--action": "sleep", "--seconds": "60",
                                                              "--pid-file": str(pid_file)})["JobRunId"]
    done = glue.start_job_run(JobName="sleeper")["JobRunId"]
    wait_run(glue, "sleeper", run_id, states=("RUNNING",))
    assert wait_run(glue, "sleeper", done)["JobRunState"] == "SUCCEEDED"
    wait_for_line = time.monotonic() + 30
    while "sleeping" not in log_lines(logs, "/aws-glue/python-jobs/output", run_id):
        assert time.monotonic() < wait_for_line
        time.sleep(0.05)
    answer = glue.batch_stop_job_run(JobName="sleeper", JobRunIds=[run_id, done, "jr_nope"])
    assert answer["SuccessfulSubmissions"] == [{"JobName": "sleeper", "JobRunId": run_id}]
    errors = {e["JobRunId"]: e["ErrorDetail"]["ErrorCode"] for e in answer["Errors"]}
    assert errors == {done: "InvalidInputException", "jr_nope": "EntityNotFoundException"}
    assert glue.get_job_run(JobName="sleeper", RunId=run_id)["JobRun"]["JobRunState"] in ("STOPPING", "STOPPED")
    run = wait_run(glue, "sleeper", run_id)
    assert run["JobRunState"] == "STOPPED" and run["ExecutionTime"] < 30
    assert "woke up" not in log_lines(logs, "/aws-glue/python-jobs/output", run_id)
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_run_longer_than_its_timeout_ends_timeout(glue, s3, monkeypatch):
    monkeypatch.setattr(job_run_worker, "SECONDS_PER_MINUTE", 0.5)
    shell_job(glue, s3, "slow", Timeout=30)
    run_id = glue.start_job_run(JobName="slow", Timeout=1, Arguments={"--action": "sleep"})["JobRunId"]
    run = wait_run(glue, "slow", run_id, timeout=30)
    assert run["JobRunState"] == "TIMEOUT" and run["Timeout"] == 1
    assert "Timeout of 1 minutes" in run["ErrorMessage"]
    assert glue.get_job(JobName="slow")["Job"]["Timeout"] == 30


def test_failed_run_is_retried_up_to_max_retries(glue, s3):
    shell_job(glue, s3, "flaky", MaxRetries=1)
    run_id = glue.start_job_run(JobName="flaky", Arguments={"--action": "fail"})["JobRunId"]
    retry_id = f"{run_id}_attempt_1"
    wait_for(lambda: len(glue.get_job_runs(JobName="flaky")["JobRuns"]) == 2)
    retry = wait_run(glue, "flaky", retry_id)
    assert (retry["JobRunState"], retry["Attempt"], retry["PreviousRunId"]) == ("FAILED", 1, run_id)
    assert retry["Arguments"] == {"--action": "fail"}
    first = glue.get_job_run(JobName="flaky", RunId=run_id)["JobRun"]
    assert (first["JobRunState"], first["Attempt"]) == ("FAILED", 0)
    assert [r["Id"] for r in glue.get_job_runs(JobName="flaky")["JobRuns"]] == [retry_id, run_id]


def test_start_job_run_with_job_run_id_retries_that_run(glue, s3, logs):
    shell_job(glue, s3, "again")
    first = glue.start_job_run(JobName="again", Arguments={"--action": "fail"})["JobRunId"]
    assert wait_run(glue, "again", first)["JobRunState"] == "FAILED"
    second = glue.start_job_run(JobName="again", JobRunId=first, Arguments={"--action": "none"})["JobRunId"]
    run = wait_run(glue, "again", second)
    assert (run["JobRunState"], run["PreviousRunId"]) == ("SUCCEEDED", first)
    assert _error(glue.start_job_run, JobName="again", JobRunId="jr_unknown")[:2] == (400, "EntityNotFoundException")


# -- bad input and missing things ------------------------------------------------------------------------

def test_unknown_job_and_run_are_entity_not_found(glue, s3):
    assert _error(glue.start_job_run, JobName="nope") == (400, "EntityNotFoundException", "Job nope not found.")
    assert _error(glue.get_job_runs, JobName="nope")[:2] == (400, "EntityNotFoundException")
    assert _error(glue.get_job_run, JobName="nope", RunId="jr_1")[:2] == (400, "EntityNotFoundException")
    shell_job(glue, s3, "real")
    assert _error(glue.get_job_run, JobName="real", RunId="jr_1")[:2] == (400, "EntityNotFoundException")
    assert glue.get_job_runs(JobName="real")["JobRuns"] == []
    answer = glue.batch_stop_job_run(JobName="nope", JobRunIds=["jr_1"])
    assert answer["SuccessfulSubmissions"] == []
    assert answer["Errors"][0]["ErrorDetail"]["ErrorCode"] == "EntityNotFoundException"


def test_missing_script_fails_the_run_before_any_driver_starts(glue, logs):
    glue.create_job(Name="lost", Role=ROLE, WorkerType="G.2X", NumberOfWorkers=3,
                    Command={"Name": "glueetl", "ScriptLocation": f"s3://{BUCKET}/scripts/missing.py"})
    run_id = glue.start_job_run(JobName="lost", NumberOfWorkers=4, Timeout=15)["JobRunId"]
    run = wait_run(glue, "lost", run_id, timeout=10)
    assert run["JobRunState"] == "FAILED"
    assert f"s3://{BUCKET}/scripts/missing.py does not exist" in run["ErrorMessage"]
    assert run["ErrorMessage"].startswith(f"JobName:lost and JobRunId:{run_id} failed to execute with exception")
    assert any("missing.py does not exist" in m for m in log_lines(logs, "/aws-glue/jobs/error", run_id))
    # The run's own capacity and timeout replace the job's, as Glue echoes them.
    assert (run["WorkerType"], run["NumberOfWorkers"], run["MaxCapacity"], run["Timeout"]) == ("G.2X", 4, 8.0, 15)


def test_unknown_command_fails_the_run_as_glue_does(glue, s3):
    location = put_script(s3, "scripts/odd.py", "print('never')\n")
    glue.create_job(Name="odd", Role=ROLE, Command={"Name": "test_command", "ScriptLocation": location})
    run = wait_run(glue, "odd", glue.start_job_run(JobName="odd")["JobRunId"], timeout=10)
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"].endswith("Could not find command for the given criteria")


def test_run_overrides_are_checked(glue, s3):
    shell_job(glue, s3, "shell")
    assert _error(glue.start_job_run, JobName="shell", WorkerType="G.1X", NumberOfWorkers=2)[:2] == \
        (400, "InvalidInputException")
    assert _error(glue.start_job_run, JobName="shell", MaxCapacity=3.0)[:2] == (400, "InvalidInputException")
    assert _error(glue.start_job_run, JobName="shell", MaxCapacity=1.0, NumberOfWorkers=2)[:2] == \
        (400, "InvalidInputException")
    assert _error(glue.start_job_run, JobName="shell", Timeout=20000)[:2] == (400, "InvalidInputException")
    assert glue.get_job_runs(JobName="shell")["JobRuns"] == []
    run = wait_run(glue, "shell", glue.start_job_run(JobName="shell", MaxCapacity=1.0)["JobRunId"])
    assert (run["JobRunState"], run["MaxCapacity"]) == ("SUCCEEDED", 1.0)


def test_bookmark_operations_need_a_bookmark(glue, s3):
    assert _error(glue.get_job_bookmark, JobName="nope")[:2] == (400, "EntityNotFoundException")
    shell_job(glue, s3, "fresh")
    assert _error(glue.get_job_bookmark, JobName="fresh") == \
        (400, "EntityNotFoundException", "Continuation for job fresh not found")
    assert _error(glue.reset_job_bookmark, JobName="fresh")[:2] == (400, "EntityNotFoundException")


# -- restarts --------------------------------------------------------------------------------------------

def test_shutdown_stops_running_drivers_and_a_dead_servers_runs_end_failed(tmp_path):
    from crawler_helpers import make_s3

    from lakebox.testing import running_lakebox

    data, pid_file = tmp_path / "data", tmp_path / "pid"
    with running_lakebox(data, set_env=False) as server:
        glue, s3 = make_glue(server.endpoint_url), make_s3(server.endpoint_url)
        s3.create_bucket(Bucket=BUCKET)
        shell_job(glue, s3, "long", script=ECHO_SCRIPT)
        run_id = glue.start_job_run(JobName="long", Arguments={"--action": "sleep", "--pid-file": str(pid_file)}
                                    )["JobRunId"]
        wait_run(glue, "long", run_id, states=("RUNNING",))
        while not pid_file.exists() or not pid_file.read_text():
            time.sleep(0.05)
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)
    # A server killed with -9 leaves its runs RUNNING: write one as such, as if it had.
    store = JobRunStore(data / ".lakebox" / "glue" / "job_runs.db")
    with store.write() as db:
        run = store.load_run(db, "us-east-1:000000000000", "long", run_id)
        run = {**run, "Id": "jr_" + "0" * 64, "_Origin": "jr_" + "0" * 64, "JobRunState": "RUNNING"}
        run.pop("CompletedOn")
        run.pop("ErrorMessage")
        store.put_run(db, "us-east-1:000000000000", run)
    store.close()
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        stopped = glue.get_job_run(JobName="long", RunId=run_id)["JobRun"]
        assert stopped["JobRunState"] == "FAILED"
        assert stopped["ErrorMessage"] == "lakebox was shut down while the job run was running"
        killed = glue.get_job_run(JobName="long", RunId="jr_" + "0" * 64)["JobRun"]
        assert killed["JobRunState"] == "FAILED"
        assert killed["ErrorMessage"] == "lakebox stopped while the job run was running"
        assert "CompletedOn" in killed
        assert [r["Id"] for r in glue.get_job_runs(JobName="long")["JobRuns"]] == ["jr_" + "0" * 64, run_id]
