"""Firing triggers for real: starting their crawler actions, and noticing when those crawls end.

Why one engine: a trigger fires from four places (StartTrigger, a schedule coming due on the service
clock, a crawl's end satisfying a CONDITIONAL predicate, and StartWorkflowRun), and all of them must
agree on what "fired" means. Firing starts each CRAWLER action through the `CrawlWorker`, exactly as
StartCrawler does. A JOB action cannot run (lakebox has no job runs yet): it is recorded as not
started, state ERROR with the reason, and never given a made-up run id.

A trigger inside a workflow fires within one workflow run (workflow_runs.py keeps its state); a
trigger outside any workflow records each firing in the store's `firings`. One lock serialises the
engine, so a crawl that ends at once cannot be looked for before its run has recorded it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from ...protocol.errors import AwsError
from ..periodic import PeriodicPass
from .crawler_cron import CronError, parse_cron
from .trigger_rules import predicate_met, watches
from .workflow_runs import RunBook
from .workflow_store import WorkflowStore

log = logging.getLogger("lakebox.glue.triggers")

#: Seconds of wall time between two looks at the trigger schedules.
SCHEDULE_INTERVAL = 2.0
#: Why a JOB action is never started.
JOB_NOT_RUN = "Not started: lakebox does not run Glue jobs yet (StartJobRun is not implemented)"
#: A crawl's end (Status of LastCrawl) as a CrawlState.
CRAWL_STATES = {"SUCCEEDED": "SUCCEEDED", "CANCELLED": "CANCELLED", "FAILED": "FAILED"}


class TriggerEngine:
    def __init__(self, store: WorkflowStore, crawler_store: Any, crawl_worker: Any, job_store: Any, clock: Any,
                 *, interval: float = SCHEDULE_INTERVAL):
        self.store, self.crawler_store, self.crawl_worker = store, crawler_store, crawl_worker
        self.job_store, self.clock = job_store, clock
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

    def start_actions(self, key: str, trigger: dict) -> tuple[list[dict], list]:
        """Begin the trigger's actions: (action records, crawls to launch once the records are saved)."""
        now = self.clock.now()
        records, launches = [], []
        for action in trigger.get("Actions") or []:
            if action.get("CrawlerName"):
                record, crawl = self._begin_crawl(key, action["CrawlerName"], now)
                if crawl is not None:
                    launches.append((action["CrawlerName"], crawl))
            else:
                name = action["JobName"]
                reason = JOB_NOT_RUN if self.job_store.get_job(key, name) is not None else f"Job {name} not found."
                record = {"Type": "JOB", "Name": name, "State": "ERROR", "ErrorMessage": reason, "StartedOn": now,
                          "CompletedOn": now}
            record["Trigger"] = trigger["Name"]
            records.append(record)
        return records, launches

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
        for name, crawl in launches:
            self.crawl_worker.launch(key, name, crawl)

    # -- firing --------------------------------------------------------------------------------------

    def fire(self, key: str, trigger: dict) -> str | None:
        """Fire now: a workflow's trigger starts a workflow run (its id), any other starts its actions."""
        with self.lock:
            if trigger.get("WorkflowName"):
                return self.runs.start(key, trigger["WorkflowName"], None, starter=trigger)
            records, launches = self.start_actions(key, trigger)
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
                self._fire_conditions(key, name, state)
        except Exception:
            log.exception("triggers after the crawl %s of crawler %s failed", crawl.id, name)

    def _fire_conditions(self, key: str, crawler: str, state: str) -> None:
        """CONDITIONAL triggers outside workflows that watch this crawler and now hold.

        ANY fires when a condition on this crawler matches its end; AND when, in addition, every other
        condition matches the latest crawl of its crawler (a job condition never does: no job runs).
        """
        for _, trigger in self.store.triggers(key):
            if (trigger["Type"] != "CONDITIONAL" or trigger["State"] != "ACTIVATED" or trigger.get("WorkflowName")
                    or not watches(trigger, "CRAWLER", crawler)):
                continue
            predicate = trigger["Predicate"]
            mine = [c for c in predicate["Conditions"] if c.get("CrawlerName") == crawler]
            if not any(c.get("CrawlState") == state for c in mine):
                continue
            states = self._latest_crawl_states(key, predicate)
            states[("CRAWLER", crawler)] = state
            if predicate_met(predicate, states):
                log.info("crawler %s ended %s: trigger %s fires", crawler, state, trigger["Name"])
                self.fire(key, trigger)

    def _latest_crawl_states(self, key: str, predicate: dict) -> dict:
        states = {}
        for condition in predicate.get("Conditions") or []:
            name = condition.get("CrawlerName")
            doc = self.crawler_store.get_crawler(key, name) if name else None
            if doc and doc.get("LastCrawl"):
                states[("CRAWLER", name)] = CRAWL_STATES.get(doc["LastCrawl"]["Status"], "FAILED")
        return states

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
