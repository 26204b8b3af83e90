"""The threads behind job runs: one watcher thread per run, from its start to its end.

Why threads and child processes: the gateway never blocks on a job (DESIGN D7). StartJobRun only
records the run as STARTING (one transaction that also enforces MaxConcurrentRuns) and hands it to
a watcher thread, which fetches the code (job_run_app.py), starts the driver with the Spark engine,
marks the run RUNNING, ships the driver's output to CloudWatch Logs while it runs
(job_run_logs.py), and writes the end in one transaction:

- exit code 0 -> SUCCEEDED; any other -> FAILED with the script's exception line as ErrorMessage;
- BatchStopJobRun -> STOPPING, the driver's process group is stopped -> STOPPED;
- the run's Timeout (minutes of real time, `SECONDS_PER_MINUTE` each) -> the driver is stopped -> TIMEOUT;
- a FAILED attempt is retried while its Attempt is below the job's MaxRetries, as Glue does: the new
  attempt `<first id>_attempt_<n>` starts at once; only the last attempt's end is announced to
  `on_run_end` (triggers and workflow runs listen).

Timestamps are the service clock's; ExecutionTime is real seconds. Shutdown (`close`) stops every
driver and ends its run FAILED; a run a dead process left STARTING or RUNNING ends FAILED at the next
start (`recover`; STOPPED if it was STOPPING), and its orphaned driver, if still alive, is killed.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

from ...clock import ServiceClock
from ...engines.spark import SparkLauncher, SparkUnavailable, error_summary, kill_orphan, tail_text
from ...protocol.errors import AwsError
from .errors import entity_not_found
from .job_run_app import PreparedRun, RunSetupError, prepare
from .job_run_logs import DriverLogs
from .job_run_start import new_run, new_run_id, retry_id
from .job_run_store import JobRunStore
from .jobs import job_not_found

log = logging.getLogger("lakebox.glue.jobs")

#: Seconds in one minute of a run's Timeout; tests shorten it to see TIMEOUT without waiting minutes.
SECONDS_PER_MINUTE = 60.0
#: Seconds between two looks at a running driver (its end, a stop, the timeout, new log lines).
POLL_INTERVAL = 0.1
#: Seconds `close` waits for each watcher to stop its driver and record the end.
JOIN_TIMEOUT = 30.0
RESTART_MESSAGE = "lakebox stopped while the job run was running"
SHUTDOWN_MESSAGE = "lakebox was shut down while the job run was running"
MAX_ERROR = 2048
#: Members of a failed attempt that its retry keeps.
RETRY_KEEPS = ("Arguments", "Timeout", "SecurityConfiguration", "NotificationProperty", "ExecutionClass")


def run_not_found(run_id: str) -> AwsError:
    return entity_not_found(f"Job Run Id {run_id} not found")


@dataclasses.dataclass
class JobRunEnv:
    """What job runs work with."""

    store: JobRunStore
    job_store: Any  # the JobStore: the jobs' definitions
    clock: ServiceClock
    data_dir: Path
    lake: Any  # the S3 provider's LakeStore, where scripts are
    logs: Any  # the CloudWatch Logs provider (write_events), or None
    endpoint: Callable[[], str]  # this server's http://host:port, for the drivers' AWS calls
    #: (account, region) -> the AWS_* variables of a driver acting for them (job_drivers.py)
    identity: Callable[[str, str], dict[str, str]] = lambda account, region: {}
    #: The Spark master drivers are submitted to (Config.spark_master).
    spark_master: str = "local[*]"


@dataclasses.dataclass
class _Active:
    key: str
    job: str
    run_id: str
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)
    thread: Optional[threading.Thread] = None


class JobRunWorker:
    def __init__(self, env: JobRunEnv, *, launcher: Any = None):
        self.env = env
        self._launcher = launcher
        self._active: dict[str, _Active] = {}
        self._lock = threading.Lock()
        self._closing = False
        #: Called as (key, run document) once a run's last attempt has ended (triggers listen).
        self.on_run_end: Optional[Callable[[str, dict], None]] = None

    # -- lifecycle -----------------------------------------------------------------------------------

    def recover(self) -> None:
        """Runs a stopped process left STARTING or RUNNING end FAILED; their drivers are stopped."""
        now = self.env.clock.now()
        with self.env.store.write() as db:
            for key, run in self.env.store.active_runs(db):
                _kill_orphan(run)
                if run["JobRunState"] == "STOPPING":  # asked to stop, and stopped it is
                    run.update(JobRunState="STOPPED", LastModifiedOn=now, CompletedOn=now, _Final=True)
                else:
                    run.update(JobRunState="FAILED", LastModifiedOn=now, CompletedOn=now,
                               ErrorMessage=RESTART_MESSAGE, _Final=True)
                run.pop("_Pid", None)
                self.env.store.put_run(db, key, run)

    def close(self) -> None:
        with self._lock:
            self._closing = True
            active = list(self._active.values())
        for item in active:
            item.stop.set()
        for item in active:
            if item.thread is not None:
                item.thread.join(timeout=JOIN_TIMEOUT)

    # -- starting ------------------------------------------------------------------------------------

    def begin(self, key: str, job_name: str, params: dict, *, trigger: Optional[str] = None,
              predecessors: Optional[list[dict]] = None) -> dict:
        """Record a new run STARTING (checked against the job's MaxConcurrentRuns); launch it next."""
        if self._closing:
            raise AwsError("InternalServiceException", "lakebox is shutting down", 500)
        job = self.env.job_store.get_job(key, job_name)
        if job is None:
            raise job_not_found(job_name)
        previous = None
        if params.get("JobRunId"):
            previous = self.env.store.run(key, job_name, params["JobRunId"])
            if previous is None:
                raise run_not_found(params["JobRunId"])
            if params.get("Arguments") is None:
                params = {**params, "Arguments": previous.get("Arguments") or {}}
        run = new_run(job, params, new_run_id(), self.env.clock.now(), previous=previous and previous["Id"],
                      trigger=trigger, predecessors=predecessors)
        with self.env.store.write() as db:
            limit = (job.get("ExecutionProperty") or {}).get("MaxConcurrentRuns") or 1
            if len(self.env.store.active_runs(db, key, job_name)) >= limit:
                raise AwsError("ConcurrentRunsExceededException", f"Concurrent runs exceeded for {job_name}", 400)
            self.env.store.put_run(db, key, run)
        return run

    def launch(self, key: str, run: dict) -> None:
        item = _Active(key, run["JobName"], run["Id"])
        item.thread = threading.Thread(target=self._run, args=(item,), name=f"lakebox-job-run-{run['Id'][:16]}",
                                       daemon=True)
        with self._lock:
            closing = self._closing
            if not closing:
                self._active[run["Id"]] = item
        if closing:  # begun just as lakebox shuts down: it never starts
            self._finish(item, "FAILED", SHUTDOWN_MESSAGE, 0.0)
            return
        item.thread.start()

    def start(self, key: str, job_name: str, params: dict, **kwargs: Any) -> dict:
        run = self.begin(key, job_name, params, **kwargs)
        self.launch(key, run)
        return run

    # -- stopping ------------------------------------------------------------------------------------

    def stop(self, key: str, job_name: str, run_ids: list[str]) -> tuple[list[dict], list[dict]]:
        """BatchStopJobRun: (SuccessfulSubmissions, Errors)."""
        done, errors = [], []
        for run_id in run_ids:
            with self.env.store.write() as db:
                run = self.env.store.load_run(db, key, job_name, run_id)
                if run is None:
                    error = run_not_found(run_id)
                elif run["JobRunState"] in ("STARTING", "RUNNING", "WAITING", "STOPPING"):
                    error = None
                    if run["JobRunState"] != "STOPPING":
                        run.update(JobRunState="STOPPING", LastModifiedOn=self.env.clock.now())
                        self.env.store.put_run(db, key, run)
                else:
                    error = AwsError("InvalidInputException",
                                     f"Job run {run_id} is {run['JobRunState']}: only a running job run can be "
                                     "stopped", 400)
            if error is not None:
                errors.append({"JobName": job_name, "JobRunId": run_id,
                               "ErrorDetail": {"ErrorCode": error.code, "ErrorMessage": error.message}})
                continue
            self._signal_stop(run_id)
            done.append({"JobName": job_name, "JobRunId": run_id})
        return done, errors

    def stop_attempts(self, key: str, job_name: str, origin: str) -> None:
        """Stop whichever attempt of the run that began as `origin` is running (StopWorkflowRun)."""
        run = self.env.store.last_attempt(key, job_name, origin)
        if run is not None:
            self.stop(key, job_name, [run["Id"]])

    def _signal_stop(self, run_id: str) -> None:
        with self._lock:
            item = self._active.get(run_id)
        if item is not None:
            item.stop.set()

    # -- one run -------------------------------------------------------------------------------------

    def _run(self, item: _Active) -> None:
        try:
            state, error, elapsed = self._execute(item)
        except Exception as exc:  # noqa: BLE001 - the run ends FAILED, the cause is logged
            log.exception("job run %s of job %s failed inside lakebox", item.run_id, item.job)
            state, error, elapsed = "FAILED", f"Internal error in lakebox: {exc}", 0.0
        final = retry = None
        try:
            final, retry = self._finish(item, state, error, elapsed)
        except Exception:  # noqa: BLE001
            log.exception("could not record the end of job run %s of job %s", item.run_id, item.job)
        finally:
            with self._lock:
                self._active.pop(item.run_id, None)
        if retry is not None:
            log.info("job run %s of job %s failed: starting attempt %d", item.run_id, item.job, retry["Attempt"])
            self.launch(item.key, retry)
        elif final is not None and self.on_run_end is not None:
            self.on_run_end(item.key, final)

    def _execute(self, item: _Active) -> tuple[str, Optional[str], float]:
        """Run the driver to its end: (state, ErrorMessage, seconds it ran)."""
        key, env = item.key, self.env
        run = env.store.run(key, item.job, item.run_id)
        job = env.job_store.get_job(key, item.job)
        logs = DriverLogs(env.logs, key, run["LogGroupName"], run["Id"], self._now_ms)
        try:
            if job is None:
                raise RunSetupError(f"Job {item.job} was deleted before the run started")
            prepared = prepare(env.data_dir, env.lake, key, job, run)
            region, _, account = key.partition(":")
            prepared.app.env = {**env.identity(account, region), **prepared.app.env}
            for note in prepared.notes:
                logs.note(note)
            if item.stop.is_set() or env.store.run(key, item.job, item.run_id)["JobRunState"] == "STOPPING":
                return self._stopped(), None, 0.0
            process = self._launcher_for_runs().start(prepared.app)
        except (RunSetupError, SparkUnavailable) as exc:
            message = f"JobName:{item.job} and JobRunId:{item.run_id} failed to execute with exception {exc}"
            logs.note(message)
            logs.pump(final=True)
            return "FAILED", message, 0.0
        group = run["LogGroupName"]
        logs.attach(f"{group}/output", process.stdout_path)
        if prepared.driver_stderr:
            logs.attach(f"{group}/error", prepared.driver_stderr)
        logs.attach(f"{group}/error", process.stderr_path)
        self._mark_running(key, item, process.pid)
        began = time.monotonic()
        state, error = self._watch(item, run, process, logs, began)
        elapsed = time.monotonic() - began
        logs.pump(final=True)
        if state == "FAILED" and error is None:
            error = _failure(process, prepared)
        return state, error, elapsed

    def _watch(self, item: _Active, run: dict, process: Any, logs: DriverLogs, began: float
               ) -> tuple[str, Optional[str]]:
        timeout = run.get("Timeout")
        deadline = began + timeout * SECONDS_PER_MINUTE if timeout else None
        while True:
            code = process.poll()
            if code is not None:
                return ("SUCCEEDED", None) if code == 0 else ("FAILED", None)
            logs.pump()
            if item.stop.is_set():
                process.stop()
                return self._stopped(), (SHUTDOWN_MESSAGE if self._closing else None)
            if deadline is not None and time.monotonic() >= deadline:
                process.stop()
                return "TIMEOUT", f"Job run timed out: it ran longer than its Timeout of {timeout} minutes"
            item.stop.wait(POLL_INTERVAL)

    def _stopped(self) -> str:
        return "FAILED" if self._closing else "STOPPED"

    def _mark_running(self, key: str, item: _Active, pid: int) -> None:
        with self.env.store.write() as db:
            run = self.env.store.load_run(db, key, item.job, item.run_id)
            if run is None:
                return
            run["_Pid"] = pid
            if run["JobRunState"] == "STARTING":
                run.update(JobRunState="RUNNING", LastModifiedOn=self.env.clock.now())
            self.env.store.put_run(db, key, run)
        if run["JobRunState"] == "STOPPING":  # stopped before its watcher was listening
            item.stop.set()

    def _finish(self, item: _Active, state: str, error: Optional[str], elapsed: float
                ) -> tuple[Optional[dict], Optional[dict]]:
        """Record the end; (the run, if it is the last attempt; the retry to launch, if any)."""
        now = self.env.clock.now()
        if self._closing and state in ("STOPPED", "FAILED") and error is None:
            state, error = "FAILED", SHUTDOWN_MESSAGE
        with self.env.store.write() as db:
            run = self.env.store.load_run(db, item.key, item.job, item.run_id)
            if run is None:
                return None, None
            run.pop("_Pid", None)
            run.update(JobRunState=state, LastModifiedOn=now, CompletedOn=now, ExecutionTime=int(round(elapsed)))
            if error:
                run["ErrorMessage"] = error[:MAX_ERROR]
            retry = self._retry(item.key, run, now) if state == "FAILED" and not self._closing else None
            run["_Final"] = retry is None
            self.env.store.put_run(db, item.key, run)
            if retry is not None:
                self.env.store.put_run(db, item.key, retry)
        return (run if retry is None else None), retry

    def _retry(self, key: str, run: dict, now) -> Optional[dict]:
        job = self.env.job_store.get_job(key, run["JobName"])
        if job is None or run["Attempt"] >= (job.get("MaxRetries") or 0):
            return None
        params = {member: run[member] for member in RETRY_KEEPS if run.get(member) is not None}
        if run.get("WorkerType"):
            params.update(WorkerType=run["WorkerType"], NumberOfWorkers=run["NumberOfWorkers"])
        elif run.get("MaxCapacity") is not None:
            params["MaxCapacity"] = run["MaxCapacity"]
        attempt = run["Attempt"] + 1
        return new_run(job, params, retry_id(run["_Origin"], attempt), now, attempt=attempt, previous=run["Id"],
                       origin=run["_Origin"], trigger=run.get("TriggerName"), predecessors=run.get("PredecessorRuns"))

    # -- helpers -------------------------------------------------------------------------------------

    def _launcher_for_runs(self) -> Any:
        with self._lock:
            if self._launcher is None:
                self._launcher = SparkLauncher(self.env.data_dir, self.env.endpoint(), master=self.env.spark_master)
            return self._launcher

    def _now_ms(self) -> int:
        return int(self.env.clock.now().timestamp() * 1000)


def _failure(process: Any, prepared: PreparedRun) -> str:
    """The failed driver's exception line: from the script's own stderr first (Spark jobs)."""
    if prepared.driver_stderr:
        text = tail_text(prepared.driver_stderr)
        marker = "Traceback (most recent call last)"
        if marker in text:
            return error_summary(text[text.rindex(marker):], MAX_ERROR)
    code = process.poll()
    summary = process.error_summary()
    return summary if summary else f"The driver exited with code {code}"


def _kill_orphan(run: dict) -> None:
    """Stop a driver a dead lakebox left running (its command line names the run id)."""
    kill_orphan(run.get("_Pid"), run["Id"])