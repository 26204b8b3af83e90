"""Steps across a shutdown and a restart of the server: CancelSteps on a PENDING step behind a running
driver, shutdown stopping that driver, and after the restart the step that was running FAILED
("lakebox restarted") while the pending step runs to COMPLETED; then TerminateJobFlows stopping a
running driver. Three Spark drivers start here."""

from __future__ import annotations

import pytest
from botocore.exceptions import WaiterError
from emr_helpers import (client, driver_processes, read_parquet_rows, run_cluster, spark_step, step_states,
                         wait_cluster, wait_for)

from lakebox.testing import running_lakebox

SLOW = b'''
import time
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
print("slow step started", flush=True)
time.sleep(600)
'''

QUICK = b'''
import sys
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
spark.createDataFrame([(1, "after"), (2, "restart")], ["n", "word"]).write.mode("overwrite").parquet(sys.argv[1])
'''


def test_running_step_fails_on_restart_and_pending_steps_run(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        emr, s3 = client(server.endpoint_url, "emr"), client(server.endpoint_url, "s3")
        for bucket in ("jobs", "logs"):
            s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket="jobs", Key="slow.py", Body=SLOW)
        s3.put_object(Bucket="jobs", Key="quick.py", Body=QUICK)
        cluster_id = run_cluster(emr, LogUri="s3://logs/emr/", steps=[
            spark_step("slow", "s3://jobs/slow.py"), spark_step("quick", "s3://jobs/quick.py", "s3://jobs/out/"),
            spark_step("never", "s3://jobs/quick.py", "s3://jobs/never/")])
        slow, quick, never = (s["Id"] for s in reversed(emr.list_steps(ClusterId=cluster_id)["Steps"]))
        wait_for(lambda: step_states(emr, cluster_id), lambda s: s[0] == "RUNNING")
        wait_for(lambda: driver_processes(slow), bool, what="the slow step's driver")

        # CancelSteps on a step still PENDING behind the running one.
        assert emr.cancel_steps(ClusterId=cluster_id, StepIds=[never])["CancelStepsInfoList"] == [
            {"StepId": never, "Status": "SUBMITTED"}]
        assert step_states(emr, cluster_id) == ["RUNNING", "PENDING", "CANCELLED"]
        with pytest.raises(WaiterError, match="CANCELLED"):
            emr.get_waiter("step_complete").wait(ClusterId=cluster_id, StepId=never, WaiterConfig={"Delay": 1})
        assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] == "RUNNING"

    # Shutting the server down stopped the driver.
    wait_for(lambda: driver_processes(slow), lambda pids: pids == [], timeout=15, what="the driver to stop")

    with running_lakebox(data, set_env=False) as server:
        emr, s3 = client(server.endpoint_url, "emr"), client(server.endpoint_url, "s3")
        failed = emr.describe_step(ClusterId=cluster_id, StepId=slow)["Step"]["Status"]
        assert failed["State"] == "FAILED"
        assert failed["FailureDetails"]["Reason"] == "lakebox restarted"
        assert failed["FailureDetails"]["LogFile"] == f"s3://logs/emr/{cluster_id}/steps/{slow}/stderr.gz"
        emr.get_waiter("step_complete").wait(ClusterId=cluster_id, StepId=quick,
                                             WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        rows = sorted(read_parquet_rows(s3, "jobs", "out/"), key=lambda r: r["n"])
        assert rows == [{"n": 1, "word": "after"}, {"n": 2, "word": "restart"}]
        assert step_states(emr, cluster_id) == ["FAILED", "COMPLETED", "CANCELLED"]
        assert read_parquet_rows(s3, "jobs", "never/") == []
        assert wait_cluster(emr, cluster_id, "WAITING")

        # Terminating a cluster whose driver runs: TERMINATING until the driver is stopped.
        again = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[spark_step("slow", "s3://jobs/slow.py")])[
            "StepIds"][0]
        wait_for(lambda: driver_processes(again), bool, what="the second slow driver")
        emr.terminate_job_flows(JobFlowIds=[cluster_id])
        assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] in ("TERMINATING",
                                                                                             "TERMINATED")
        emr.get_waiter("cluster_terminated").wait(ClusterId=cluster_id, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        assert emr.describe_step(ClusterId=cluster_id, StepId=again)["Step"]["Status"]["State"] == "CANCELLED"
        assert driver_processes(again) == []
