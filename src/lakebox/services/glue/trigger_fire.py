"""Firing triggers for real: starting their crawler and job actions, and noticing when those end.

Why one engine: a trigger fires from four places (StartTrigger, a schedule coming due on the service
clock, a crawl's or job run's end satisfying a CONDITIONAL predicate, and StartWorkflowRun), and all
of them must agree on what "fired" means. Firing starts each CRAWLER action through the `CrawlWorker`,
exactly as StartCrawler does, and each JOB action through the `JobRunWorker`, exactly as StartJobRun
does (TriggerName set, the action's Arguments, Timeout, SecurityConfiguration and NotificationProperty
for the run, and PredecessorRuns naming the job runs whose ends fired a CONDITIONAL trigger). An
action that cannot start (a crawler already running, a job at its MaxConcurrentRuns) is recorded as
state ERROR with the reason, never given a made-up id.

A trigger inside a workflow fires within one workflow run (workflow_runs.py keeps its state; the job
runs it starts get Glue's `--WORKFLOW_NAME` and `--WORKFLOW_RUN_ID` arguments); a trigger outside any
workflow records each firing in the store's `firings`. One lock serialises the engine, so a crawl or
run that ends at once cannot be looked for before its start has been recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from ...protocol.errors import AwsError
from ..periodic import PeriodicPass
from .crawler_cron import CronError, parse_cron
from .job_run_store import public as public_run
from .trigger_rules import predicate_met, watches
from .workflow_runs import RunBook, job_record
from .workflow_store import WorkflowStore

log = logging.getLogger("lakebox.glue.triggers")

#: Seconds of wall time between two looks at the trigger schedules.
SCHEDULE_INTERVAL = 2.0
#: A crawl's end (Status of LastCrawl) as a CrawlState.
CRAWL_STATES = {"SUCCEEDED": "SUCCEEDED", "CANCELLED": "CANCELLED", "FAILED": "FAILED"}


class TriggerEngine:
    def __init__(self, store: WorkflowStore, crawler_store: Any, crawl_worker: Any, job_runner: Any, clock: Any,
                 *, interval: float = SCHEDULE_INTERVAL):
        self.store, self.crawler_store, self.crawl_worker = store, crawler_store, crawl_worker
        self.job_runner, self.clock = job_runner, clock
        self.lock = threading.RLock()
        self.runs = RunBook(store, self)
        self._checked: dict[tuple[str, str], dt.datetime] = {}
        self._scheduler = PeriodicPass("lakebox-trigger-schedule", interval, self.fire_due, log)
        self._started = clock.now()
        self._closed = False

    def start(self) -> None:
        self._started = self.clock.now()
        self.runs.recover()
        self._scheduler.start()
        self.clock.subscribe(self.on_clock_jump)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        # Crawls still ending during shutdown are recorded, but start nothing new.
        self._closed = True
        self._scheduler.stop()

    # -- starting actions ----------------------------------------------------------------------------

    def start_actions(self, key: str, trigger: dict, *, predecessors: list[dict] | None = None,
                      workflow_run: tuple[str, str] | None = None) -> tuple[list[dict], list]:
        """Begin the trigger's actions: (action records, crawls and runs to launch once the records are
        saved). `workflow_run` is the (workflow, run id) the actions belong to."""
        now = self.clock.now()
        records, launches = [], []
        for action in trigger.get("Actions") or []:
            if action.get("CrawlerName"):
                record, crawl = self._begin_crawl(key, action["CrawlerName"], now)
                if crawl is not None:
                    launches.append(("CRAWLER", action["CrawlerName"], crawl))
            else:
                record, run = self._begin_job(key, action, trigger["Name"], now, predecessors, workflow_run)
                if run is not None:
                    launches.append(("JOB", action["JobName"], run))
            record["Trigger"] = trigger["Name"]
            records.append(record)
        return records, launches

    def _begin_job(self, key: str, action: dict, trigger: str, now: dt.datetime, predecessors: list[dict] | None,
                   workflow_run: tuple[str, str] | None) -> tuple[dict, Any]:
        name = action["JobName"]
        params = {member: action[member] for member in ("Arguments", "Timeout", "SecurityConfiguration",
                                                        "NotificationProperty") if action.get(member) is not None}
        if workflow_run is not None:
            params["Arguments"] = {**(params.get("Arguments") or {}), "--WORKFLOW_NAME": workflow_run[0],
                                   "--WORKFLOW_RUN_ID": workflow_run[1]}
        try:
            if self._closed:
                raise AwsError("InternalServiceException", "lakebox is shutting down", 500)
            run = self.job_runner.begin(key, name, params, trigger=trigger, predecessors=predecessors)
        except AwsError as exc:
            return {"Type": "JOB", "Name": name, "State": "ERROR", "ErrorMessage": exc.message, "StartedOn": now,
                    "CompletedOn": now}, None
        return job_record(public_run(run)), run

    def _begin_crawl(self, key: str, name: str, now: dt.datetime) -> tuple[dict, Any]:
        with self.crawler_store.write() as db:
            doc = self.crawler_store.load_crawler(db, key, name)
            if doc is None or doc["State"] != "READY" or self._closed:
                reason = ("lakebox is shutting down" if self._closed else
                          f"Crawler with name {name} does not exist" if doc is None
                          else f"Crawler with name {name} has already started")
                return {"Type": "CRAWLER", "Name": name, "State": "ERROR", "ErrorMessage": reason,
                        "StartedOn": now, "CompletedOn": now}, None
            crawl = self.crawl_worker.begin(db, key, doc)
        return {"Type": "CRAWLER", "Name": name, "CrawlId": crawl.id, "State": "RUNNING",
                "StartedOn": crawl.started, "LogGroup": "/aws-glue/crawlers", "LogStream": name}, crawl

    def launch(self, key: str, launches: list) -> None:
        for kind, name, started in launches:
            if kind == "CRAWLER":
                self.crawl_worker.launch(key, name, started)
            else:
                self.job_runner.launch(key, started)

    # -- firing --------------------------------------------------------------------------------------

    def fire(self, key: str, trigger: dict, *, predecessors: list[dict] | None = None) -> str | None:
        """Fire now: a workflow's trigger starts a workflow run (its id), any other starts its actions."""
        with self.lock:
            if trigger.get("WorkflowName"):
                return self.runs.start(key, trigger["WorkflowName"], None, starter=trigger)
            records, launches = self.start_actions(key, trigger, predecessors=predecessors)
            with self.store.write() as db:
                self.store.add_firing(db, key, trigger["Name"], {"Trigger": trigger["Name"],
                                                                 "FiredOn": self.clock.now(), "Actions": records})
            self.launch(key, launches)
            for record in records:
                if record["State"] == "ERROR":
                    log.warning("trigger %s: %s %s: %s", trigger["Name"], record["Type"], record["Name"],
                                record["ErrorMessage"])
            return None

    def crawl_ended(self, key: str, name: str, crawl: Any, outcome: Any) -> None:
        """CrawlWorker hook: update the run that started this crawl, and fire what its end satisfies."""
        state = CRAWL_STATES.get(outcome.status, "FAILED")
        try:
            with self.lock:
                self.runs.action_ended(key, crawl.id, state, self.clock.now(), outcome.error)
                self._fire_conditions(key, "CRAWLER", name, state)
        except Exception:
            log.exception("triggers after the crawl %s of crawler %s failed", crawl.id, name)

    def job_ended(self, key: str, run: dict) -> None:
        """JobRunWorker hook (a run's last attempt ended): update the workflow run that started it, and
        fire what its end satisfies."""
        state, name = run["JobRunState"], run["JobName"]
        try:
            with self.lock:
                self.runs.action_ended(key, run["_Origin"], state, self.clock.now(), run.get("ErrorMessage"),
                                       job_run=public_run(run))
                self._fire_conditions(key, "JOB", name, state, run)
        except Exception:
            log.exception("triggers after the run %s of job %s failed", run["Id"], name)

    def _fire_conditions(self, key: str, kind: str, name: str, state: str, run: dict | None = None) -> None:
        """CONDITIONAL triggers outside workflows that watch this crawler or job and now hold.

        ANY fires when a condition on this crawler or job matches its end; AND when, in addition, every
        other condition matches the latest crawl of its crawler or the latest run of its job.
        """
        field, state_field = ("CrawlerName", "CrawlState") if kind == "CRAWLER" else ("JobName", "State")
        for _, trigger in self.store.triggers(key):
            if (trigger["Type"] != "CONDITIONAL" or trigger["State"] != "ACTIVATED" or trigger.get("WorkflowName")
                    or not watches(trigger, kind, name)):
                continue
            predicate = trigger["Predicate"]
            mine = [c for c in predicate["Conditions"] if c.get(field) == name]
            if not any(c.get(state_field) == state for c in mine):
                continue
            states, latest = self._latest_states(key, predicate)
            states[(kind, name)] = state
            if run is not None:
                latest[name] = run
            if predicate_met(predicate, states):
                log.info("%s %s ended %s: trigger %s fires", kind.lower(), name, state, trigger["Name"])
                self.fire(key, trigger, predecessors=_predecessors(predicate, latest))

    def _latest_states(self, key: str, predicate: dict) -> tuple[dict, dict]:
        """(the latest end state of each watched crawler and job, the latest ended run of each job)."""
        states, runs = {}, {}
        for condition in predicate.get("Conditions") or []:
            crawler, job = condition.get("CrawlerName"), condition.get("JobName")
            doc = self.crawler_store.get_crawler(key, crawler) if crawler else None
            if doc and doc.get("LastCrawl"):
                states[("CRAWLER", crawler)] = CRAWL_STATES.get(doc["LastCrawl"]["Status"], "FAILED")
            run = self.job_runner.env.store.latest_ended(key, job) if job else None
            if run is not None and run.get("_Final"):
                states[("JOB", job)] = run["JobRunState"]
                runs[job] = run
        return states, runs

    # -- schedules -----------------------------------------------------------------------------------

    def on_clock_jump(self, now: dt.datetime) -> None:
        if not self._scheduler.stopped:
            self.fire_due()

    def fire_due(self) -> list[str]:
        """Fire every ACTIVATED SCHEDULED trigger that came due since the last look; their names.

        As for crawler schedules, several missed firings give one, and none is made up after a restart.
        """
        fired = []
        with self.lock:
            now = self.clock.now()
            for key, trigger in self.store.triggers():
                ident = (key, trigger["Name"])
                if trigger["Type"] != "SCHEDULED" or trigger["State"] != "ACTIVATED":
                    self._checked.pop(ident, None)
                    continue
                since = self._checked.setdefault(ident, max(trigger.get("_Updated") or now, self._started))
                try:
                    due = parse_cron(trigger["Schedule"]).next_after(since)
                except CronError:
                    continue  # checked when stored
                if due is None or due > now:
                    continue
                self._checked[ident] = now
                try:
                    self.fire(key, trigger)
                    fired.append(trigger["Name"])
                except AwsError as exc:  # a workflow at its MaxConcurrentRuns skips this firing
                    log.warning("scheduled trigger %s did not fire: %s", trigger["Name"], exc)
        return fired

    def forget_schedule(self, key: str, name: str) -> None:
        """A trigger (re)activated or changed counts its schedule from that change."""
        with self.lock:
            self._checked.pop((key, name), None)


def _predecessors(predicate: dict, runs: dict) -> list[dict]:
    """PredecessorRuns of the job runs a CONDITIONAL trigger starts: the watched jobs' runs."""
    names = dict.fromkeys(c["JobName"] for c in predicate.get("Conditions") or [] if c.get("JobName"))
    return [{"JobName": name, "RunId": runs[name]["Id"]} for name in names if name in runs]
