"""Crawlers: Create, Get, GetCrawlers, ListCrawlers, BatchGetCrawlers, Update, Delete, Start, Stop,
GetCrawlerMetrics, ListCrawls, and the schedule operations.

Definitions and history are in the `CrawlerStore`; the crawls themselves run on the `CrawlWorker`'s
threads (crawler_worker.py), so no request waits for one. A crawler's State goes READY -> RUNNING
(StartCrawler or its schedule) -> STOPPING (StopCrawler) -> READY (the crawl's end).
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from ...clock import ServiceClock, parse_time
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import make_token, owner_key, page, read_token, resource_arn
from .crawler_config import check_schedule, new_crawler, updated_crawler
from .crawler_store import CrawlerStore
from .errors import already_exists, entity_not_found, invalid_input
from .store import CatalogStore
from .tags import forget_tags, has_tags, put_tags


def crawler_not_found(name: str) -> AwsError:
    return entity_not_found(f"Crawler with name {name} does not exist")


def crawler_running(name: str) -> AwsError:
    return AwsError("CrawlerRunningException", f"Crawler with name {name} has already started", 400)


class CrawlersMixin:
    store: CatalogStore
    crawler_store: CrawlerStore
    crawl_worker: Any
    clock: ServiceClock

    def create_crawler(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        doc = new_crawler(params, self.clock.now())
        with self.crawler_store.write() as db:
            if self.crawler_store.load_crawler(db, key, doc["Name"]) is not None:
                raise already_exists(f"Crawler with name {doc['Name']} has already been created")
            self.crawler_store.put_crawler(db, key, doc)
        if params.get("Tags"):
            with self.store.write() as db:
                put_tags(db, resource_arn(ctx, "crawler/" + doc["Name"]), params["Tags"])
        return {}

    def get_crawler(self, ctx: RequestContext, params: dict) -> dict:
        return {"Crawler": self._crawler(ctx, params["Name"])}

    def get_crawlers(self, ctx: RequestContext, params: dict) -> dict:
        docs = [(doc["Name"], doc) for _, doc in self.crawler_store.crawlers(owner_key(ctx))]
        chunk, token = page(docs, params.get("NextToken"), params.get("MaxResults"), 100)
        return {"Crawlers": chunk, "NextToken": token}

    def list_crawlers(self, ctx: RequestContext, params: dict) -> dict:
        names = [doc["Name"] for _, doc in self.crawler_store.crawlers(owner_key(ctx))]
        wanted = params.get("Tags")
        if wanted:
            names = [n for n in names if has_tags(self.store, resource_arn(ctx, f"crawler/{n}"), wanted)]
        chunk, token = page([(n, n) for n in names], params.get("NextToken"), params.get("MaxResults"), 100)
        return {"CrawlerNames": chunk, "NextToken": token}

    def batch_get_crawlers(self, ctx: RequestContext, params: dict) -> dict:
        found, missing = [], []
        for name in params["CrawlerNames"]:
            doc = self.crawler_store.get_crawler(owner_key(ctx), name)
            (found.append(doc) if doc is not None else missing.append(name))
        return {"Crawlers": found, "CrawlersNotFound": missing}

    def update_crawler(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        with self.crawler_store.write() as db:
            old = self._load(db, key, params["Name"])
            if old["State"] != "READY":
                raise AwsError("CrawlerRunningException", f"Crawler with name {old['Name']} is running and "
                               "cannot be updated", 400)
            self.crawler_store.put_crawler(db, key, updated_crawler(old, params, self.clock.now()))
        return {}

    def delete_crawler(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        with self.crawler_store.write() as db:
            old = self._load(db, key, params["Name"])
            if old["State"] != "READY":
                raise AwsError("CrawlerRunningException", f"Crawler with name {old['Name']} is running and "
                               "cannot be deleted", 400)
            self.crawler_store.delete_crawler(db, key, old["Name"])
        with self.store.write() as db:
            forget_tags(db, resource_arn(ctx, "crawler/" + old["Name"]))
        return {}

    # -- running -------------------------------------------------------------------------------------

    def start_crawler(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        with self.crawler_store.write() as db:
            doc = self._load(db, key, params["Name"])
            if doc["State"] != "READY":
                raise crawler_running(doc["Name"])
            crawl = self.crawl_worker.begin(db, key, doc)
        self.crawl_worker.launch(key, doc["Name"], crawl)
        return {}

    def stop_crawler(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        with self.crawler_store.write() as db:
            doc = self._load(db, key, params["Name"])
            if doc["State"] == "READY":
                raise AwsError("CrawlerNotRunningException", f"Crawler with name {doc['Name']} isn't running.", 400)
            if doc["State"] == "STOPPING":
                raise AwsError("CrawlerStoppingException", f"Crawler with name {doc['Name']} is stopping.", 400)
            doc["State"] = "STOPPING"
            self.crawler_store.put_crawler(db, key, doc)
        self.crawl_worker.cancel(key, doc["Name"])
        return {}

    def get_crawler_metrics(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        wanted = params.get("CrawlerNameList")
        docs = [doc for _, doc in self.crawler_store.crawlers(key) if not wanted or doc["Name"] in wanted]
        metrics = [(doc["Name"], self._metrics(key, doc)) for doc in docs]
        chunk, token = page(metrics, params.get("NextToken"), params.get("MaxResults"), 100)
        return {"CrawlerMetricsList": chunk, "NextToken": token}

    def list_crawls(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        name = params["CrawlerName"]
        if self.crawler_store.get_crawler(key, name) is None:
            # ListCrawls words it differently from the other crawler operations (checked on AWS).
            raise entity_not_found(f"Crawler entry with name {name} does not exist")
        filters = [_checked_filter(index, condition) for index, condition in enumerate(params.get("Filters") or [], 1)]
        crawls = [_public(c) for c in self.crawler_store.crawls(key, name)]
        for condition in filters:
            crawls = [c for c in crawls if _matches(c, condition)]
        start = read_token(params.get("NextToken")) or 0
        if not isinstance(start, int):
            raise invalid_input("Invalid pagination token.")
        limit = params.get("MaxResults") or 100
        chunk = crawls[start:start + limit]
        return {"Crawls": chunk, "NextToken": make_token(start + limit) if len(crawls) > start + limit else None}

    # -- schedules -----------------------------------------------------------------------------------

    def start_crawler_schedule(self, ctx: RequestContext, params: dict) -> dict:
        self._set_schedule_state(ctx, params["CrawlerName"], "SCHEDULED")
        return {}

    def stop_crawler_schedule(self, ctx: RequestContext, params: dict) -> dict:
        self._set_schedule_state(ctx, params["CrawlerName"], "NOT_SCHEDULED")
        return {}

    def update_crawler_schedule(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        expression = params.get("Schedule")
        if expression:
            check_schedule(expression)
        with self.crawler_store.write() as db:
            doc = self._load(db, key, params["CrawlerName"])
            if expression:
                state = (doc.get("Schedule") or {}).get("State", "SCHEDULED")
                doc["Schedule"] = {"ScheduleExpression": expression, "State": state}
            else:
                doc.pop("Schedule", None)
            doc["LastUpdated"] = self.clock.now()
            self.crawler_store.put_crawler(db, key, doc)
        return {}

    def _set_schedule_state(self, ctx: RequestContext, name: str, state: str) -> None:
        key = owner_key(ctx)
        with self.crawler_store.write() as db:
            doc = self._load(db, key, name)
            schedule = doc.get("Schedule")
            if not schedule or not schedule.get("ScheduleExpression"):
                if state == "SCHEDULED":
                    raise AwsError("NoScheduleException", f"Crawler with name {name} has no schedule.", 400)
                raise AwsError("SchedulerNotRunningException", f"Schedule for crawler {name} is not running.", 400)
            if schedule.get("State") == state:
                if state == "SCHEDULED":
                    raise AwsError("SchedulerRunningException", f"Schedule for crawler {name} is already running.",
                                   400)
                raise AwsError("SchedulerNotRunningException", f"Schedule for crawler {name} is not running.", 400)
            schedule["State"] = state
            doc["LastUpdated"] = self.clock.now()
            self.crawler_store.put_crawler(db, key, doc)

    # -- helpers -------------------------------------------------------------------------------------

    def _crawler(self, ctx: RequestContext, name: str) -> dict:
        doc = self.crawler_store.get_crawler(owner_key(ctx), name)
        if doc is None:
            raise crawler_not_found(name)
        return doc

    def _load(self, db, key: str, name: str) -> dict:
        doc = self.crawler_store.load_crawler(db, key, name)
        if doc is None:
            raise crawler_not_found(name)
        return doc


    def _metrics(self, key: str, doc: dict) -> dict:
        crawls = self.crawler_store.crawls(key, doc["Name"])
        finished = [c for c in crawls if c.get("EndTime") is not None]
        runtimes = [(c["EndTime"] - c["StartTime"]).total_seconds() for c in finished]
        last = finished[0] if finished else {}
        counts = last.get("Counts") or {}
        return {"CrawlerName": doc["Name"], "TimeLeftSeconds": 0.0, "StillEstimating": False,
                "LastRuntimeSeconds": runtimes[0] if runtimes else 0.0,
                "MedianRuntimeSeconds": statistics.median(runtimes) if runtimes else 0.0,
                "TablesCreated": counts.get("TablesCreated", 0), "TablesUpdated": counts.get("TablesUpdated", 0),
                "TablesDeleted": counts.get("TablesDeleted", 0)}


def _public(crawl: dict) -> dict:
    """A history entry as ListCrawls returns it (without lakebox's own bookkeeping)."""
    return {k: v for k, v in crawl.items() if k != "Counts"}


_OPERATORS = {"GT": lambda a, b: a > b, "GE": lambda a, b: a >= b, "LT": lambda a, b: a < b,
              "LE": lambda a, b: a <= b, "EQ": lambda a, b: a == b, "NE": lambda a, b: a != b}
_FIELDS = {"CRAWL_ID": "CrawlId", "STATE": "State", "START_TIME": "StartTime", "END_TIME": "EndTime",
           "DPU_HOUR": "DPUHour"}
#: The enum sets as Glue's front end lists them when it refuses a value outside them.
_OPERATOR_SET = "[LT, EQ, GT, NE, LE, GE]"
_FIELD_SET = "[START_TIME, END_TIME, STATE, CRAWL_ID, DPU_HOUR]"
#: Fields that only compare for (in)equality: a crawl id or a state has no order.
_UNORDERED_FIELDS = ("CRAWL_ID", "STATE")


def _checked_filter(index: int, condition: dict) -> dict:
    """One ListCrawls filter, refused the way Glue refuses it before any crawl is read.

    An unknown field or operator fails enum validation (ValidationException, whose message Glue gives
    without the usual "1 validation error detected: " lead); an ordering operator on
    CRAWL_ID or STATE, or a filter without a value, is InvalidInputException.
    """
    field, operator = condition.get("FieldName"), condition.get("FilterOperator")
    if field is not None and field not in _FIELDS:
        raise AwsError("ValidationException", f"Value '{field}' at "
                       f"'filters.{index}.member.fieldName' failed to satisfy constraint: Member must satisfy "
                       f"enum value set: {_FIELD_SET}", 400)
    if operator is not None and operator not in _OPERATORS:
        raise AwsError("ValidationException", f"Value '{operator}' at "
                       f"'filters.{index}.member.filterOperator' failed to satisfy constraint: Member must "
                       f"satisfy enum value set: {_OPERATOR_SET}", 400)
    value = condition.get("FieldValue")
    if field is None or operator is None or value is None:
        shown = ", ".join(f"{label}: {'null' if given is None else given}" for label, given in
                          (("FieldName", field), ("FilterOperator", operator), ("FieldValue", value)))
        raise invalid_input(f"Invalid Filter Provided: {shown}")
    if field in _UNORDERED_FIELDS and operator not in ("EQ", "NE"):
        raise invalid_input(f"Only EQ or NE operator is allowed for field : {field}")
    if field in ("START_TIME", "END_TIME"):
        _filter_time(value, field)
    elif field == "DPU_HOUR":
        _filter_number(value)
    return condition


def _filter_time(given: str, field: str):
    """A START_TIME/END_TIME filter value: epoch milliseconds, as documented; ISO 8601 is read too."""
    text = given.strip()
    try:
        if text.lstrip("-").isdigit():
            return dt.datetime.fromtimestamp(int(text) / 1000, dt.timezone.utc)
        return parse_time(text)
    except (ValueError, OverflowError, OSError):
        raise invalid_input(f"Invalid time {given!r} for filter {field}.") from None


def _matches(crawl: dict, condition: dict) -> bool:
    field = _FIELDS[condition["FieldName"]]
    compare = _OPERATORS[condition["FilterOperator"]]
    value, given = crawl.get(field), condition["FieldValue"]
    if value is None:
        return False
    if field in ("StartTime", "EndTime"):
        return compare(value, _filter_time(given, condition["FieldName"]))
    if field == "DPUHour":
        return compare(float(value), _filter_number(given))
    return compare(str(value), given)


def _filter_number(given: str) -> float:
    try:
        return float(given)
    except ValueError:
        raise invalid_input(f"Invalid number {given!r} for filter DPU_HOUR.") from None
