"""Workflow runs: starting one, following its actions to their ends, stopping it, and its statistics.

Why here and not in the provider: a run moves on crawl threads (a crawl's end may fire the workflow's
CONDITIONAL triggers and so start more crawls), not only on requests. Every change to a run is one
write transaction in the `WorkflowStore`, made under the `TriggerEngine`'s lock.

A run is RUNNING while any action it started runs or a CONDITIONAL trigger of the workflow can still
fire; it is COMPLETED when nothing is left to do (at once, with zero actions, for a workflow without a
start trigger), STOPPING/STOPPED after StopWorkflowRun. Its Statistics are counted from its actions:
crawls by their real end (SUCCEEDED, FAILED, CANCELLED -> Stopped), and JOB actions, which lakebox
cannot run, as errored.
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
             "CANCELLED": "StoppedActions", "ERROR": "ErroredActions", "TIMEOUT": "TimeoutActions"}
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


def _latest_states(actions: list[dict]) -> dict:
    """The latest real run state of each crawler in the run (not-started JOB actions have none)."""
    return {("CRAWLER", a["Name"]): a["State"] for a in actions if a.get("CrawlId") and a["State"] != "RUNNING"}


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
        records, launches = self.engine.start_actions(key, trigger)
        with self.store.write() as db:
            run = self.store.load_run(db, key, workflow, run_id)
            run["_Actions"] = run["_Actions"] + records
            run["_Fired"] = run["_Fired"] + ([] if resumed else [trigger["Name"]])
            run["Statistics"] = statistics(run["_Actions"])
            self.store.put_run(db, key, run)
        self.engine.launch(key, launches)

    def action_ended(self, key: str, crawl_id: str, state: str, now: dt.datetime, error: str | None) -> None:
        """A crawl ended: record it in the active run that started it, then move that run on."""
        moved = []
        with self.store.write() as db:
            for catalog, run in self.store.active_runs(db):
                if catalog != key:
                    continue
                for action in run["_Actions"]:
                    if action.get("CrawlId") == crawl_id and action["State"] == "RUNNING":
                        action.update(State=state, CompletedOn=now)
                        if error:
                            action["ErrorMessage"] = error[:2048]
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
        """StopWorkflowRun: no more triggers fire, and the run's running crawls are stopped."""
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
        """Runs a stopped process left active end ERROR, their crawls as the crawler history says."""
        now = self.engine.clock.now()
        with self.store.write() as db:
            for key, run in self.store.active_runs(db):
                for action in run["_Actions"]:
                    if action["State"] == "RUNNING":
                        action.update(State=self._crawl_state(key, action), CompletedOn=now)
                run.update(Status="ERROR", CompletedOn=now, Statistics=statistics(run["_Actions"]),
                           ErrorMessage="lakebox stopped while the workflow run was running")
                self.store.put_run(db, key, run)

    def _crawl_state(self, key: str, action: dict) -> str:
        for crawl in self.engine.crawler_store.crawls(key, action["Name"]):
            if crawl["CrawlId"] == action.get("CrawlId"):
                return {"COMPLETED": "SUCCEEDED", "STOPPED": "CANCELLED"}.get(crawl["State"], "FAILED")
        return "FAILED"
