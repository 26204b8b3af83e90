"""The threads behind crawlers: one thread per running crawl, and one scheduler thread.

Why threads: the gateway never blocks on a crawl (DESIGN D7), so StartCrawler only records the
crawler as RUNNING and hands the crawl to a thread. The crawl's end (READY, LastCrawl, its history
entry) is written in one transaction.

Schedules fire on the service clock: the scheduler looks every few seconds of wall time, and at once
when the clock jumps (`clock.subscribe`), so `lakebox clock advance 1d` runs a daily crawler before it
returns. Each scheduled crawler remembers when it was last looked at; a schedule that came due since
then starts one crawl (several missed firings give one crawl, and none is made up after a restart, as
on AWS). A crawler not yet looked at counts from its last change (LastUpdated). A crawler that is
still running when its schedule fires is skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from ..periodic import PeriodicPass
from .crawler_config import LOG_GROUP
from .crawler_cron import CronError, parse_cron
from .crawler_store import CrawlerStore

log = logging.getLogger("lakebox.glue.crawlers")

#: Seconds of wall time between two looks at the schedules.
SCHEDULE_INTERVAL = 2.0


@dataclass
class Crawl:
    id: str
    started: dt.datetime
    cancel: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


@dataclass
class CrawlOutcome:
    """How a crawl ended: Status SUCCEEDED, CANCELLED or FAILED, and what it changed."""

    status: str
    error: str | None = None
    counts: dict = field(default_factory=dict)
    summary: str = ""


#: run(key, crawler document, crawl) -> outcome; never raises (crawler_run turns errors into FAILED).
CrawlFunction = Callable[[str, dict, Crawl], CrawlOutcome]


class CrawlWorker:
    def __init__(self, store: CrawlerStore, now: Callable[[], dt.datetime], run: CrawlFunction,
                 *, interval: float = SCHEDULE_INTERVAL):
        self.store = store
        self.now = now
        self.run = run
        self.interval = interval
        self._running: dict[tuple[str, str], Crawl] = {}
        self._lock = threading.Lock()
        self._checked: dict[tuple[str, str], dt.datetime] = {}
        self._schedule_lock = threading.Lock()
        self._scheduler = PeriodicPass("lakebox-crawler-schedule", interval, self.fire_due, log)
        self._started = now()
        #: Called as (key, crawler name, crawl, outcome) once a crawl's end is written (triggers listen).
        self.on_crawl_end: Callable[[str, str, Crawl, CrawlOutcome], None] | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> None:
        self._started = self.now()
        self._recover()
        self._scheduler.start()

    def close(self) -> None:
        self._scheduler.stop()
        with self._lock:
            crawls = list(self._running.values())
        for crawl in crawls:
            crawl.cancel.set()
        for crawl in crawls:
            if crawl.thread is not None:
                crawl.thread.join(timeout=30)

    def _recover(self) -> None:
        """Crawls that a stopped process left RUNNING end FAILED: nothing runs them any more."""
        now = self.now()
        with self.store.write() as db:
            for key, doc in self.store.crawlers():
                if doc["State"] == "READY":
                    continue
                for entry in self.store.crawls(key, doc["Name"]):
                    if entry["State"] == "RUNNING":
                        entry.update(State="FAILED", EndTime=now,
                                     ErrorMessage="lakebox stopped while the crawl was running")
                        self.store.put_crawl(db, key, doc["Name"], entry)
                        doc["LastCrawl"] = _last_crawl(doc["Name"], entry["CrawlId"], entry["StartTime"], "FAILED",
                                                       entry["ErrorMessage"])
                doc["State"] = "READY"
                self.store.put_crawler(db, key, doc)

    # -- crawls --------------------------------------------------------------------------------------

    def begin(self, db, key: str, doc: dict) -> Crawl:
        """Inside the caller's transaction: mark the crawler RUNNING and record the crawl's start."""
        crawl = Crawl(id=str(uuid.uuid4()), started=self.now())
        doc["State"] = "RUNNING"
        self.store.put_crawler(db, key, doc)
        self.store.put_crawl(db, key, doc["Name"], {
            "CrawlId": crawl.id, "State": "RUNNING", "StartTime": crawl.started, "LogGroup": LOG_GROUP,
            "LogStream": doc["Name"], "MessagePrefix": crawl.id, "DPUHour": 0.0})
        return crawl

    def launch(self, key: str, name: str, crawl: Crawl) -> None:
        crawl.thread = threading.Thread(target=self._run, args=(key, name, crawl), name=f"lakebox-crawl-{name}",
                                        daemon=True)
        with self._lock:
            self._running[(key, name)] = crawl
        crawl.thread.start()

    def cancel(self, key: str, name: str) -> None:
        with self._lock:
            crawl = self._running.get((key, name))
        if crawl is not None:
            crawl.cancel.set()

    def running(self, key: str, name: str) -> Crawl | None:
        with self._lock:
            return self._running.get((key, name))

    def _run(self, key: str, name: str, crawl: Crawl) -> None:
        try:
            doc = self.store.get_crawler(key, name)
            outcome = self.run(key, doc, crawl) if doc is not None else CrawlOutcome("FAILED", "crawler deleted")
        except Exception as exc:
            log.exception("crawl %s of crawler %s failed", crawl.id, name)
            outcome = CrawlOutcome("FAILED", f"Internal error: {exc}")
        try:
            self._finish(key, name, crawl, outcome)
        finally:
            with self._lock:
                self._running.pop((key, name), None)
        if self.on_crawl_end is not None:
            self.on_crawl_end(key, name, crawl, outcome)

    def _finish(self, key: str, name: str, crawl: Crawl, outcome: CrawlOutcome) -> None:
        end = self.now()
        state = {"SUCCEEDED": "COMPLETED", "CANCELLED": "STOPPED"}.get(outcome.status, "FAILED")
        with self.store.write() as db:
            doc = self.store.load_crawler(db, key, name)
            if doc is None:
                return
            entry = {"CrawlId": crawl.id, "State": state, "StartTime": crawl.started, "EndTime": end,
                     "LogGroup": LOG_GROUP, "LogStream": name, "MessagePrefix": crawl.id, "DPUHour": 0.0,
                     "Counts": outcome.counts}
            if outcome.summary:
                entry["Summary"] = outcome.summary[:255]
            if outcome.error:
                entry["ErrorMessage"] = outcome.error[:2048]
            self.store.put_crawl(db, key, name, entry)
            doc["State"] = "READY"
            doc["CrawlElapsedTime"] = 0
            doc["LastCrawl"] = _last_crawl(name, crawl.id, crawl.started, outcome.status, outcome.error)
            self.store.put_crawler(db, key, doc)

    # -- schedules -----------------------------------------------------------------------------------

    def on_clock_jump(self, now: dt.datetime) -> None:
        """Clock listener: start the crawls that came due, before the clock call returns."""
        if not self._scheduler.stopped:
            self.fire_due()

    def fire_due(self) -> list[str]:
        """Start every scheduled crawler whose schedule came due since the last look; their names."""
        started = []
        with self._schedule_lock:
            now = self.now()
            for key, doc in self.store.crawlers():
                schedule = doc.get("Schedule") or {}
                ident = (key, doc["Name"])
                if schedule.get("State") != "SCHEDULED" or not schedule.get("ScheduleExpression"):
                    self._checked.pop(ident, None)
                    continue
                # A crawler not looked at yet counts from its last change, or from this process's start:
                # firings missed while lakebox was not running are not made up.
                since = self._checked.setdefault(ident, max(doc.get("LastUpdated") or now, self._started))
                try:
                    due = parse_cron(schedule["ScheduleExpression"]).next_after(since)
                except CronError:
                    continue  # checked when stored; an old definition is simply never fired
                if due is None or due > now:
                    continue
                self._checked[ident] = now
                if self._start_scheduled(key, doc["Name"]):
                    started.append(doc["Name"])
        return started

    def _start_scheduled(self, key: str, name: str) -> bool:
        with self.store.write() as db:
            doc = self.store.load_crawler(db, key, name)
            if doc is None or doc["State"] != "READY":
                log.info("scheduled crawl of %s skipped: the crawler is %s", name, doc and doc["State"])
                return False
            crawl = self.begin(db, key, doc)
        log.info("schedule %s started crawl %s of crawler %s", doc["Schedule"]["ScheduleExpression"], crawl.id, name)
        self.launch(key, name, crawl)
        return True


def _last_crawl(name: str, crawl_id: str, started: dt.datetime, status: str, error: str | None) -> dict:
    info = {"Status": status, "LogGroup": LOG_GROUP, "LogStream": name, "MessagePrefix": crawl_id,
            "StartTime": started}
    if error:
        info["ErrorMessage"] = error[:2048]
    return info
