"""Workflow runs: starting one, following its actions to their ends, stopping it, and its statistics.

Why here and not in the provider: a run moves on crawl threads (a crawl's end may fire the workflow's
CONDITIONAL triggers and so start more crawls), not only on requests. Every change to a run is one
write transaction in the `WorkflowStore`, made under the `TriggerEngine`'s lock.

A run is RUNNING while any action it started runs or a CONDITIONAL trigger of the workflow can still
fire; it is COMPLETED when nothing is left to do (at once, with zero actions, for a workflow without a
start trigger), STOPPING/STOPPED after StopWorkflowRun. Its Statistics are counted from its actions:
crawls by their real end (SUCCEEDED, FAILED, CANCELLED -> Stopped), job runs by theirs (SUCCEEDED,
FAILED, STOPPED, TIMEOUT; a run Glue retries counts once, by its last attempt), and actions that could
not start as errored. A JOB action keeps the job run's document (`JobRun`) for the run's graph.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ...protocol.errors import AwsError
from .errors import entity_not_found
from .trigger_rules import predicate_met

#: Crawl/action state -> the WorkflowRunStatistics counter it adds to.
_COUNTERS = {"RUNNING": "RunningActions", "SUCCEEDED": "SucceededActions", "FAILED": "FailedActions",
             "CANCELLED": "StoppedActions", "STOPPED": "StoppedActions", "ERROR": "ErroredActions",
             "TIMEOUT": "TimeoutActions"}
_ZERO = ("TotalActions", "TimeoutActions", "FailedActions", "StoppedActions", "SucceededActions",
         "RunningActions", "ErroredActions", "WaitingActions")


def workflow_not_found(name: str) -> AwsError:
    # Glue names neither the workflow nor the run in these messages.
    return entity_not_found("Entity not found")


def run_not_found(name: str, run_id: str) -> AwsError:
    return entity_not_found("Entity not found")


def statistics(actions: list[dict]) -> dict:
    stats = dict.fromkeys(_ZERO, 0)
    stats["TotalActions"] = len(actions)
    for action in actions:
        stats[_COUNTERS.get(action["State"], "ErroredActions")] += 1
    return stats


def job_record(run: dict) -> dict:
    """The action record of a job run a trigger started (`run` as the API shows it)."""
    return {"Type": "JOB", "Name": run["JobName"], "JobRunId": run["Id"], "State": "RUNNING",
            "StartedOn": run["StartedOn"], "JobRun": run}


def _latest_states(actions: list[dict]) -> dict:
    """The latest end state of each crawler and job in the run (actions that never started have none)."""
    return {(a["Type"], a["Name"]): a["State"] for a in actions
            if (a.get("CrawlId") or a.get("JobRunId")) and a["State"] != "RUNNING"}


def _predecessors(trigger: dict, actions: list[dict]) -> list[dict]:
    """The job runs of the run whose ends a CONDITIONAL trigger watches (their latest, by job)."""
    watched = {c["JobName"] for c in (trigger.get("Predicate") or {}).get("Conditions") or [] if c.get("JobName")}
    latest = {a["Name"]: a for a in actions if a.get("JobRunId") and a["Name"] in watched}
    return [{"JobName": name, "RunId": (a.get("JobRun") or {}).get("Id", a["JobRunId"])} for name, a in latest.items()]


class RunBook:
    def __init__(self, store: Any, engine: Any):
        self.store, self.engine = store, engine

    def start(self, key: str, workflow: str, properties: dict | None, *, starter: dict | None = None) -> str:
        """Start a run: fire `starter`, or every trigger of the workflow that is not CONDITIONAL."""
        engine = self.engine
        with engine.lock:
            now = engine.clock.now()
            with self.store.write() as db:
                doc = self.store.load_workflow(db, key, workflow)
                if doc is None:
                    raise workflow_not_found(workflow)
                limit = doc.get("MaxConcurrentRuns")
                if limit and len(self.store.active_runs(db, key, workflow)) >= limit:
                    raise AwsError("ConcurrentRunsExceededException",
                                   f"Concurrent runs exceeded for workflow: {workflow}", 400)
                run = {"Name": workflow, "WorkflowRunId": f"wr_{uuid.uuid4().hex}",
                       "WorkflowRunProperties": {**(doc.get("DefaultRunProperties") or {}), **(properties or {})},
                       "StartedOn": now, "Status": "RUNNING", "Statistics": statistics([]), "_Actions": [],
                       "_Fired": []}
                self.store.put_run(db, key, run)
            if starter is not None:
                starters = [starter]
            else:
                starters = [t for _, t in self.store.triggers(key)
                            if t.get("WorkflowName") == workflow and t["Type"] != "CONDITIONAL"]
            for trigger in starters:
                self.fire_in_run(key, workflow, run["WorkflowRunId"], trigger)
            self.advance(key, workflow, run["WorkflowRunId"])
            return run["WorkflowRunId"]

    def fire_in_run(self, key: str, workflow: str, run_id: str, trigger: dict, *, resumed: bool = False) -> None:
        """Start the trigger's actions within the run (`resumed`: nodes restarted by ResumeWorkflowRun)."""
        predecessors = None
        if trigger.get("Type") == "CONDITIONAL":
            run = self.store.run(key, workflow, run_id)
            predecessors = _predecessors(trigger, run["_Actions"] if run else [])
        records, launches = self.engine.start_actions(key, trigger, predecessors=predecessors,
                                                      workflow_run=(workflow, run_id))
        with self.store.write() as db:
            run = self.store.load_run(db, key, workflow, run_id)
            run["_Actions"] = run["_Actions"] + records
            run["_Fired"] = run["_Fired"] + ([] if resumed else [trigger["Name"]])
            run["Statistics"] = statistics(run["_Actions"])
            self.store.put_run(db, key, run)
        self.engine.launch(key, launches)

    def action_ended(self, key: str, action_id: str, state: str, now: dt.datetime, error: str | None, *,
                     job_run: dict | None = None) -> None:
        """A crawl or a job run (`action_id`: its CrawlId, or its first attempt's JobRunId) ended: record it
        in the active run that started it, then move that run on."""
        moved = []
        with self.store.write() as db:
            for catalog, run in self.store.active_runs(db):
                if catalog != key:
                    continue
                for action in run["_Actions"]:
                    if action_id in (action.get("CrawlId"), action.get("JobRunId")) and action["State"] == "RUNNING":
                        action.update(State=state, CompletedOn=now)
                        if error:
                            action["ErrorMessage"] = error[:2048]
                        if job_run is not None:
                            action["JobRun"] = job_run
                        run["Statistics"] = statistics(run["_Actions"])
                        self.store.put_run(db, key, run)
                        moved.append(run)
        for run in moved:
            self.advance(key, run["Name"], run["WorkflowRunId"])

    def advance(self, key: str, workflow: str, run_id: str) -> None:
        """Fire the workflow's CONDITIONAL triggers that now hold (each once per run); end the run if done.

        Not while lakebox shuts down: a crawl cancelled by the shutdown did not end the run, and the
        next start's `recover` ends it ERROR, as after a `kill -9`.
        """
        while not self.engine.closed:
            run = self.store.run(key, workflow, run_id)
            if run is None or run["Status"] not in ("RUNNING", "STOPPING"):
                return
            if run["Status"] == "RUNNING":
                states = _latest_states(run["_Actions"])
                ready = [t for _, t in self.store.triggers(key)
                         if t.get("WorkflowName") == workflow and t["Type"] == "CONDITIONAL"
                         and t["State"] == "ACTIVATED" and t["Name"] not in run["_Fired"]
                         and predicate_met(t["Predicate"], states)]
                if ready:
                    for trigger in ready:
                        self.fire_in_run(key, workflow, run_id, trigger)
                    continue
            if any(a["State"] == "RUNNING" for a in run["_Actions"]):
                return
            with self.store.write() as db:
                run = self.store.load_run(db, key, workflow, run_id)
                run["Status"] = "COMPLETED" if run["Status"] == "RUNNING" else "STOPPED"
                run["CompletedOn"] = self.engine.clock.now()
                self.store.put_run(db, key, run)
            return

    def stop(self, key: str, workflow: str, run_id: str) -> None:
        """StopWorkflowRun: no more triggers fire, and the run's running crawls and job runs are stopped."""
        engine = self.engine
        with engine.lock:
            with self.store.write() as db:
                if self.store.load_workflow(db, key, workflow) is None:
                    raise workflow_not_found(workflow)
                run = self.store.load_run(db, key, workflow, run_id)
                if run is None:
                    raise run_not_found(workflow, run_id)
                if run["Status"] != "RUNNING":
                    raise AwsError("IllegalWorkflowStateException",
                                   f"Workflow run {run_id} is {run['Status']} and cannot be stopped.", 400)
                run["Status"] = "STOPPING"
                self.store.put_run(db, key, run)
            for action in run["_Actions"]:
                if action["State"] == "RUNNING" and action.get("CrawlId"):
                    self._stop_crawl(key, action["Name"], action["CrawlId"])
                elif action["State"] == "RUNNING" and action.get("JobRunId"):
                    engine.job_runner.stop_attempts(key, action["Name"], action["JobRunId"])
            self.advance(key, workflow, run_id)

    def _stop_crawl(self, key: str, name: str, crawl_id: str) -> None:
        crawl = self.engine.crawl_worker.running(key, name)
        if crawl is None or crawl.id != crawl_id:
            return
        with self.engine.crawler_store.write() as db:
            doc = self.engine.crawler_store.load_crawler(db, key, name)
            if doc is not None and doc["State"] == "RUNNING":
                doc["State"] = "STOPPING"
                self.engine.crawler_store.put_crawler(db, key, doc)
        self.engine.crawl_worker.cancel(key, name)

    def recover(self) -> None:
        """Runs a stopped process left active end ERROR, their crawls as the crawler history says and
        their job runs as the job run store says (the JobRunWorker has recovered first)."""
        now = self.engine.clock.now()
        with self.store.write() as db:
            for key, run in self.store.active_runs(db):
                for action in run["_Actions"]:
                    if action["State"] == "RUNNING" and action.get("JobRunId"):
                        last = self.engine.job_runner.env.store.last_attempt(key, action["Name"], action["JobRunId"])
                        ended = last is not None and last["JobRunState"] not in ("STARTING", "RUNNING", "STOPPING")
                        action.update(State=last["JobRunState"] if ended else "FAILED", CompletedOn=now)
                        if last is not None:
                            action["JobRun"] = {k: v for k, v in last.items() if not k.startswith("_")}
                    elif action["State"] == "RUNNING":
                        action.update(State=self._crawl_state(key, action), CompletedOn=now)
                run.update(Status="ERROR", CompletedOn=now, Statistics=statistics(run["_Actions"]),
                           ErrorMessage="lakebox stopped while the workflow run was running")
                self.store.put_run(db, key, run)

    def _crawl_state(self, key: str, action: dict) -> str:
        for crawl in self.engine.crawler_store.crawls(key, action["Name"]):
            if crawl["CrawlId"] == action.get("CrawlId"):
                return {"COMPLETED": "SUCCEEDED", "STOPPED": "CANCELLED"}.get(crawl["State"], "FAILED")
        return "FAILED"
