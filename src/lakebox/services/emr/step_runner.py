"""Running the steps: one worker thread per live cluster, starting its steps in order on local Spark.

A worker claims the cluster's next PENDING step (RUNNING, committed), builds its SparkApp and starts
the driver through the Spark engine (a subprocess, so the gateway never waits on it, DESIGN D7). Up to
StepConcurrencyLevel drivers run at once; with the default of 1 the steps run strictly one after the
other. Ten times a second while a driver runs, and at once when the API wakes it (new steps, a
cancel, a termination, a new concurrency level), the worker:

1. finishes the steps whose driver ended: publishes the logs, then commits COMPLETED or FAILED and the
   failure's consequences (lifecycle.py) in one transaction;
2. stops the drivers of steps being cancelled (CANCEL_PENDING) or of a TERMINATING cluster;
3. starts steps while there is room;
4. when nothing runs or waits, lets the cluster settle (WAITING, or TERMINATED after its last step);
and ends with its cluster.

After a restart the drivers that were running are gone: `start` first fails their steps ("lakebox
restarted") with their ActionOnFailure, then starts a worker for each live cluster so the steps still
pending run. `close` stops every driver and leaves the store as it was; the next start finishes it.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from ...engines.spark import NO_OUTPUT, kill_orphan
from ..job_drivers import driver_environment, server_endpoint
from . import lifecycle
from .common import CLUSTER_TERMINAL
from .configurations import spark_defaults, uses_glue_catalog
from .step_launch import StepFailure, StepWithoutWork, build_app
from .step_logs import publish, record_exit

log = logging.getLogger("lakebox.emr")

#: How often a worker looks at its running drivers; an idle worker sleeps until the API wakes it.
POLL_SECONDS = 0.1


@dataclass
class _Run:
    process: Any
    log_dir: Path


class StepRunner:
    def __init__(self, store, lake, config, now: Callable[[], float]):
        self.store, self.lake, self.config, self.now = store, lake, config, now
        self.runs_root = Path(config.data_dir) / ".lakebox" / "emr" / "runs"
        self.closing = False
        self._lock = threading.Lock()
        self._workers: dict[str, ClusterWorker] = {}
        self._launcher = None

    # -- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        """Finish what a previous run left in flight, then start the live clusters' workers."""
        for cluster in self.store.live_clusters():
            in_flight = [s for s in self.store.steps(cluster["Id"]) if s["State"] in ("RUNNING", "CANCEL_PENDING")]
            for step in in_flight:
                kill_orphan(step.get("_Pid"), step["Id"])
            log_files = {s["Id"]: publish(self.lake, cluster.get("LogUri"), cluster["Id"], s["Id"],
                                          self.run_dir(cluster["Id"], s["Id"]) / "logs") for s in in_flight}
            after = self.change(cluster["Id"], lambda c, steps, now: lifecycle.recover(c, steps, now, log_files))
            if after is not None and after["State"] not in CLUSTER_TERMINAL:
                self.ensure(cluster["Id"])
        if getattr(self.config, "clock", None) is not None:
            self.config.clock.subscribe(self.on_clock_jump)

    def on_clock_jump(self, _now) -> None:
        """The service clock moved: a cluster waiting out its grace for a first step, or idle past its
        auto-termination policy, may be due to end, and ends before the jump returns (as lifecycle
        actions do on every jump)."""
        for cluster in self.store.live_clusters():
            after = self.change(cluster["Id"], lifecycle.settle)
            worker = self._workers.get(cluster["Id"])
            if worker is not None and after is not None and after["State"] in CLUSTER_TERMINAL:
                worker.wake()

    def close(self) -> None:
        with self._lock:
            self.closing = True
            workers = list(self._workers.values())
        for worker in workers:
            worker.wake()
        for worker in workers:
            worker.join(timeout=30)

    def ensure(self, cluster_id: str) -> None:
        """A worker for the cluster, started unless one is alive."""
        with self._lock:
            if self.closing:
                return
            worker = self._workers.get(cluster_id)
            if worker is not None and worker.is_alive() and not worker.ending:
                worker.wake()
                return
            worker = self._workers[cluster_id] = ClusterWorker(self, cluster_id)
            worker.start()

    def wake(self, cluster_id: str) -> None:
        with self._lock:
            worker = self._workers.get(cluster_id)
        if worker is not None:
            worker.wake()

    def forget(self, worker: "ClusterWorker") -> None:
        with self._lock:
            if self._workers.get(worker.cluster_id) is worker:
                del self._workers[worker.cluster_id]

    def running_drivers(self) -> int:
        with self._lock:
            return sum(len(w.runs) for w in self._workers.values())

    # -- shared by the workers ---------------------------------------------------------------------------

    def run_dir(self, cluster_id: str, step_id: str) -> Path:
        return self.runs_root / cluster_id / step_id

    def launcher(self):
        if self._launcher is None:
            from ...engines.spark import SparkLauncher

            self._launcher = SparkLauncher(Path(self.config.data_dir), server_endpoint(self.config),
                                              master=self.config.spark_master)
        return self._launcher

    def change(self, cluster_id: str, fn: Callable[[dict, list[dict], float], Any]) -> Optional[dict]:
        """Apply `fn(cluster, steps, now)` in one transaction and save what it changed; the cluster after."""
        with self.store.write() as db:
            cluster = self.store.load_cluster(db, cluster_id)
            if cluster is None:
                return None
            steps = self.store.load_steps(db, cluster_id)
            before_cluster = json.dumps(cluster, sort_keys=True)
            before = [json.dumps(s, sort_keys=True) for s in steps]
            fn(cluster, steps, self.now())
            if json.dumps(cluster, sort_keys=True) != before_cluster:
                self.store.save_cluster(db, cluster)
            changed = [s for s, old in zip(steps, before) if json.dumps(s, sort_keys=True) != old]
            self.store.save_steps(db, changed + steps[len(before):])
        return cluster


class ClusterWorker(threading.Thread):
    def __init__(self, runner: StepRunner, cluster_id: str):
        super().__init__(name=f"emr-{cluster_id}", daemon=True)
        self.runner, self.cluster_id = runner, cluster_id
        self.runs: dict[str, _Run] = {}
        self.ending = False
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        try:
            while not self.runner.closing:
                self._wake.clear()
                if not self._tick():
                    break
                self._wake.wait(POLL_SECONDS if self.runs else self._idle_timeout())
        except Exception:  # noqa: BLE001 - a worker must not die silently; the cluster keeps its state
            log.exception("emr %s: the step worker failed", self.cluster_id)
        finally:
            self.ending = True
            if self.runner.closing:
                for run in self.runs.values():
                    run.process.stop()
            self.runner.forget(self)

    def _idle_timeout(self) -> Optional[float]:
        """Seconds until an idle cluster must be looked at again: the end of its wait for a first step,
        or of the idle time its auto-termination policy allows."""
        cluster = self.runner.store.cluster(self.cluster_id)
        if cluster is None or cluster["State"] in CLUSTER_TERMINAL:
            return None
        now = self.runner.now()
        ends = lifecycle.next_change(cluster, self.runner.store.steps(self.cluster_id), now)
        return None if ends is None else max(0.05, ends - now)

    def _tick(self) -> bool:
        for step_id, run in list(self.runs.items()):
            code = run.process.poll()
            if code is not None:
                self._finish(step_id, run, code)
        cluster = self.runner.store.cluster(self.cluster_id)
        if cluster is None:
            return False
        states = {s["Id"]: s["State"] for s in self.runner.store.steps(self.cluster_id)}
        ending = cluster["State"] == "TERMINATING" or cluster["State"] in CLUSTER_TERMINAL
        for step_id, run in list(self.runs.items()):
            if ending or states.get(step_id) == "CANCEL_PENDING":
                run.process.stop()
                self._finish(step_id, run, None)
        if ending:
            after = self.runner.change(self.cluster_id, lifecycle.settle)
            return after is not None and after["State"] not in CLUSTER_TERMINAL
        while len(self.runs) < cluster["StepConcurrencyLevel"] and not self.runner.closing:
            step = self._claim_next()
            if step is None:
                break
            self._launch(step, cluster)
        if not self.runs:
            after = self.runner.change(self.cluster_id, lifecycle.settle)
            return after is not None and after["State"] not in CLUSTER_TERMINAL
        return True

    def _claim_next(self) -> Optional[dict]:
        claimed: list[dict] = []

        def claim(cluster: dict, steps: list[dict], now: float) -> None:
            if cluster["State"] in ("TERMINATING", *CLUSTER_TERMINAL):
                return
            step = next((s for s in steps if s["State"] == "PENDING"), None)
            if step is not None:
                step["State"], step["Started"] = "RUNNING", now
                claimed.append(step)
                lifecycle.settle(cluster, steps, now)

        self.runner.change(self.cluster_id, claim)
        return claimed[0] if claimed else None

    def _launch(self, step: dict, cluster: dict) -> None:
        run_dir = self.runner.run_dir(self.cluster_id, step["Id"])
        log_dir = run_dir / "logs"
        name = f"emr cluster {self.cluster_id} step {step['Id']} ({step['Name']})"
        try:
            app = build_app(step, run_dir, self.runner.lake, name)
            # The driver acts for the cluster's account and region, with the cluster's Spark settings.
            app.env = {**driver_environment(self.runner.config, cluster["Account"], cluster["Region"]), **app.env}
            app.conf = {**spark_defaults(cluster), **app.conf}
            app.glue_catalog = uses_glue_catalog(cluster)
            process = self.runner.launcher().start(app)
        except StepWithoutWork as nothing:
            log_dir.mkdir(parents=True, exist_ok=True)
            (log_dir / "stdout").write_text(f"{nothing}\n")
            (log_dir / "stderr").touch()
            log.info("emr %s: step %s (%s) completed with nothing to run: %s", self.cluster_id, step["Id"],
                     step["Name"], nothing)
            self._commit_end(step["Id"], "COMPLETED", None, log_dir)
            return
        except StepFailure as failure:
            self._fail_early(step, log_dir, failure.reason, failure.message)
            return
        except Exception as exc:  # noqa: BLE001 - the step fails with the reason; nothing is left RUNNING
            if type(exc).__name__ == "SparkUnavailable" or isinstance(exc, ImportError):
                self._fail_early(step, log_dir, "Spark is not available", str(exc) or type(exc).__name__)
            else:
                log.exception("emr %s step %s: the driver could not start", self.cluster_id, step["Id"])
                self._fail_early(step, log_dir, "The step's driver could not start", f"{type(exc).__name__}: {exc}")
            return
        log.info("emr %s: step %s (%s) started", self.cluster_id, step["Id"], step["Name"])
        self.runs[step["Id"]] = _Run(process, log_dir)

        def remember_pid(_cluster: dict, steps: list[dict], _now: float) -> None:
            # So that a restart after kill -9 can stop the driver this server can no longer watch.
            for candidate in steps:
                if candidate["Id"] == step["Id"]:
                    candidate["_Pid"] = process.pid

        self.runner.change(self.cluster_id, remember_pid)

    def _fail_early(self, step: dict, log_dir: Path, reason: str, message: str) -> None:
        """A step that failed before its driver started: the reason in its stderr, then FAILED."""
        log_dir.mkdir(parents=True, exist_ok=True)
        (log_dir / "stderr").write_text(f"{reason}\n{message}\n")
        (log_dir / "stdout").touch()
        log.info("emr %s: step %s failed before it ran: %s", self.cluster_id, step["Id"], message)
        self._commit_end(step["Id"], "FAILED", {"Reason": reason, "Message": message}, log_dir)

    def _finish(self, step_id: str, run: _Run, code: Optional[int]) -> None:
        """A driver that ended (exit `code`) or was stopped (`code` None: the step is cancelled)."""
        del self.runs[step_id]
        # Read before record_exit ends stderr with the exit line: the failure's own last words.
        summary = _failure_message(run.process, code) if code else None
        if code is not None:
            record_exit(run.log_dir, code)
        if code is None:
            self._commit_end(step_id, "CANCELLED", None, run.log_dir)
        elif code == 0:
            self._commit_end(step_id, "COMPLETED", None, run.log_dir)
        else:
            what = "command" if run.process.app.command else "Spark driver"
            self._commit_end(step_id, "FAILED", {"Reason": f"The step's {what} exited with code {code}",
                                                 "Message": summary}, run.log_dir)
        log.info("emr %s: step %s ended (%s)", self.cluster_id, step_id,
                 "cancelled" if code is None else f"exit code {code}")

    def _commit_end(self, step_id: str, state: str, failure: Optional[dict], log_dir: Path) -> None:
        cluster = self.runner.store.cluster(self.cluster_id)
        log_file = publish(self.runner.lake, cluster.get("LogUri") if cluster else None, self.cluster_id, step_id,
                           log_dir)
        if failure is not None and log_file:
            failure["LogFile"] = log_file

        def end(cluster: dict, steps: list[dict], now: float) -> None:
            step = next((s for s in steps if s["Id"] == step_id), None)
            if step is not None and step["State"] in ("RUNNING", "CANCEL_PENDING"):
                lifecycle.finish_step(cluster, steps, step, state, now, failure)

        self.runner.change(self.cluster_id, end)


def _failure_message(process, code: int) -> str:
    """FailureDetails' Message: the last exception line of the output, else its last line; for a
    command that wrote nothing, command-runner's own exit line."""
    summary = process.error_summary()
    if summary == NO_OUTPUT and process.app.command:
        return f"Command exiting with ret '{code}'"
    return summary
