"""A job run's document and its driver's arguments, from the job's definition and StartJobRun's input.

Why one pure module: StartJobRun, a trigger's JOB action and an automatic retry (MaxRetries) all
build a run the same way, and nothing here touches state. The rules are Glue's:

- the JobRunId is `jr_` and 64 hex digits; a retry of run X is `X_attempt_<n>` with Attempt n and
  PreviousRunId the attempt before it;
- the run's own Timeout, WorkerType/NumberOfWorkers, MaxCapacity, ExecutionClass,
  SecurityConfiguration and NotificationProperty replace the job's; the run echoes the rest of the
  job's capacity (AllocatedCapacity, MaxCapacity, WorkerType, NumberOfWorkers) and its GlueVersion;
- the driver gets the job's DefaultArguments overlaid by the run's Arguments (NonOverridableArguments
  win over both), then Glue's own `--JOB_ID`, `--JOB_RUN_ID`, `--JOB_NAME`, and
  `--job-bookmark-option job-bookmark-disable` unless bookmarks were asked for. The run's
  `Arguments` shows only what the run itself was given, as on AWS.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, Optional

from .errors import invalid_input
from .job_definition import MAX_TIMEOUT, PYTHON_SHELL_DPUS, WORKER_DPUS

RUN_ID_PREFIX = "jr_"
#: The CloudWatch Logs group prefix of Spark jobs and of Python shell jobs (`<prefix>/output`, `/error`).
SPARK_LOG_GROUP = "/aws-glue/jobs"
PYTHON_LOG_GROUP = "/aws-glue/python-jobs"
BOOKMARK_OPTION = "--job-bookmark-option"
#: Members of StartJobRun (and of a trigger's Action) that replace the job's for one run.
RUN_OVERRIDES = ("SecurityConfiguration", "NotificationProperty", "ExecutionClass")


def new_run_id() -> str:
    return RUN_ID_PREFIX + secrets.token_hex(32)


def retry_id(origin: str, attempt: int) -> str:
    return f"{origin}_attempt_{attempt}"


def job_id(key: str, job: dict) -> str:
    """The job's `--JOB_ID`: `j_` and 64 hex digits, stable for one job definition's life."""
    created = job.get("CreatedOn")
    text = f"{key}\0{job['Name']}\0{created.isoformat() if created is not None else ''}"
    return "j_" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def log_group(job: dict) -> str:
    return PYTHON_LOG_GROUP if (job.get("Command") or {}).get("Name") == "pythonshell" else SPARK_LOG_GROUP


def new_run(job: dict, params: dict, run_id: str, now, *, attempt: int = 0, previous: Optional[str] = None,
            origin: Optional[str] = None, trigger: Optional[str] = None,
            predecessors: Optional[list[dict]] = None) -> dict:
    """The `JobRun` document of a run in state STARTING (checked: InvalidInputException)."""
    run: dict[str, Any] = {"Id": run_id, "Attempt": attempt, "JobName": job["Name"],
                           "JobMode": job.get("JobMode") or "SCRIPT", "StartedOn": now, "LastModifiedOn": now,
                           "JobRunState": "STARTING", "Arguments": dict(params.get("Arguments") or {}),
                           "PredecessorRuns": list(predecessors or []), "ExecutionTime": 0}
    if previous:
        run["PreviousRunId"] = previous
    if trigger:
        run["TriggerName"] = trigger
    run.update(_capacity(job, params))
    timeout = params.get("Timeout") if params.get("Timeout") is not None else job.get("Timeout")
    if timeout is not None:
        if timeout > MAX_TIMEOUT:
            raise invalid_input(f"Timeout {timeout} is too long: jobs must have a timeout of at most "
                                f"{MAX_TIMEOUT} minutes (7 days).")
        run["Timeout"] = timeout
    for member in RUN_OVERRIDES:
        value = params.get(member) if params.get(member) is not None else job.get(member)
        if value is not None:
            run[member] = value
    run["LogGroupName"] = log_group(job)
    if job.get("GlueVersion"):
        run["GlueVersion"] = job["GlueVersion"]
    if params.get("JobRunQueuingEnabled") is not None or job.get("JobRunQueuingEnabled") is not None:
        queuing = params.get("JobRunQueuingEnabled")
        run["JobRunQueuingEnabled"] = bool(job.get("JobRunQueuingEnabled") if queuing is None else queuing)
    run["_Origin"] = origin or run_id
    run["_Final"] = False
    return run


def _capacity(job: dict, params: dict) -> dict[str, Any]:
    """The run's capacity: the job's, with the run's WorkerType/NumberOfWorkers or MaxCapacity instead."""
    worker, workers = params.get("WorkerType"), params.get("NumberOfWorkers")
    max_capacity = params.get("MaxCapacity")
    if max_capacity is not None and params.get("AllocatedCapacity") is not None:
        # The deprecated AllocatedCapacity is MaxCapacity's old name: one run takes one of them.
        raise invalid_input("Please set only Allocated Capacity or Max Capacity")
    if max_capacity is None and params.get("AllocatedCapacity") is not None:
        max_capacity = float(params["AllocatedCapacity"])
    pythonshell = (job.get("Command") or {}).get("Name") == "pythonshell"
    if max_capacity is not None and (worker is not None or workers is not None):
        raise invalid_input("Please do not set Max Capacity if using Worker Type and Number of Workers.")
    if worker is not None or workers is not None:
        if pythonshell:
            raise invalid_input("Worker Type is not supported for pythonshell jobs: set Max Capacity "
                                "(0.0625 or 1 DPU) instead.")
        worker = worker or job.get("WorkerType") or "G.1X"
        workers = workers or job.get("NumberOfWorkers") or 1
        if worker not in WORKER_DPUS:
            raise invalid_input(f"1 validation error detected: Value '{worker}' at 'workerType' failed to satisfy "
                                f"constraint: Member must satisfy enum value set: [{', '.join(WORKER_DPUS)}]")
        dpus = workers * WORKER_DPUS[worker]
        return {"AllocatedCapacity": int(dpus), "MaxCapacity": float(dpus), "WorkerType": worker,
                "NumberOfWorkers": workers}
    if max_capacity is not None:
        if pythonshell and float(max_capacity) not in PYTHON_SHELL_DPUS:
            raise invalid_input(f"Max Capacity {max_capacity:g} is not valid for a pythonshell job: "
                                "use 0.0625 or 1 DPU.")
        return {"AllocatedCapacity": int(max_capacity), "MaxCapacity": float(max_capacity)}
    return {member: job[member] for member in ("AllocatedCapacity", "MaxCapacity", "WorkerType", "NumberOfWorkers")
            if job.get(member) is not None}


def driver_arguments(key: str, job: dict, run: dict) -> dict[str, str]:
    """Every argument the driver gets, by name (`--input_path` ...), in the order it gets them."""
    merged = {**(job.get("DefaultArguments") or {}), **(run.get("Arguments") or {}),
              **(job.get("NonOverridableArguments") or {})}
    merged.setdefault(BOOKMARK_OPTION, "job-bookmark-disable")
    merged.update({"--JOB_ID": job_id(key, job), "--JOB_RUN_ID": run["Id"], "--JOB_NAME": job["Name"]})
    return merged


def argv(arguments: dict[str, str]) -> list[str]:
    """`{"--a": "1"}` -> `["--a", "1"]`: how Glue hands arguments to the script's sys.argv."""
    out: list[str] = []
    for name, value in arguments.items():
        out += [name, value]
    return out
