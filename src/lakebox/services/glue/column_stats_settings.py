"""Column statistics task settings and their schedules: Create, Update, Get and
DeleteColumnStatisticsTaskSettings, Start and StopColumnStatisticsTaskRunSchedule.

A table's settings say which columns its runs measure, with which role and sample, and on which
`cron(...)` schedule (UTC, as crawler schedules read it). A schedule starts SCHEDULED when the
settings are created with one; StopColumnStatisticsTaskRunSchedule pauses it and
StartColumnStatisticsTaskRunSchedule resumes it. While it is SCHEDULED, `StatsScheduler` starts a run
each time it comes due on the service clock (checked every 30 s of wall time, and at once when the
clock is moved), and records the attempt as the settings' LastExecutionAttempt: STARTED with the
run's id, or FAILED with the reason (the table gone, a run already going). As for crawler schedules,
several missed firings give one, and none is made up after a restart.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Optional

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ..periodic import ClockedWorker
from .column_stats_runs import named_table, stats_columns
from .common import load_table
from .crawler_cron import CronError, parse_cron
from .dq_store import DataQualityStore
from .errors import already_exists, entity_not_found, invalid_input
from .store import CatalogStore

log = logging.getLogger("lakebox.glue.column_statistics")

#: The settings members a request may give, besides the table's names.
_OPTIONS = ("Role", "ColumnNameList", "SampleSize", "SecurityConfiguration")


def _settings_not_found(database: str, table: str) -> AwsError:
    return entity_not_found(f"Column statistics task settings not found for table {database}.{table}.")


def _checked_schedule(expression: str) -> str:
    try:
        parse_cron(expression)
    except CronError as error:
        raise invalid_input(f"Invalid schedule expression {expression}: {error}") from None
    return expression


class ColumnStatisticsSettingsMixin:
    store: CatalogStore
    dq_store: DataQualityStore
    clock: ServiceClock
    stats_scheduler: "StatsScheduler"

    def create_column_statistics_task_settings(self, ctx: RequestContext, params: dict) -> dict:
        catalog, table = named_table(self.store, ctx, params)
        doc = {"DatabaseName": table["DatabaseName"], "TableName": table["Name"],
               "CatalogID": catalog.split(":", 1)[1], "Role": params["Role"],
               "SampleSize": float(params.get("SampleSize") or 100.0), "SettingSource": "TABLE",
               "_Updated": self.clock.now()}
        if params.get("ColumnNameList"):
            doc["ColumnNameList"] = stats_columns(table, params["ColumnNameList"])
        if params.get("SecurityConfiguration"):
            doc["SecurityConfiguration"] = params["SecurityConfiguration"]
        if params.get("Schedule"):
            doc.update(Schedule={"ScheduleExpression": _checked_schedule(params["Schedule"]), "State": "SCHEDULED"},
                       ScheduleType="CRON")
        with self.dq_store.write() as db:
            if self.dq_store.load_stats_settings(db, catalog, table["DatabaseName"], table["Name"]) is not None:
                raise already_exists(f"Column statistics task settings already exist for table "
                                     f"{table['DatabaseName']}.{table['Name']}.")
            self.dq_store.put_stats_settings(db, catalog, doc)
        return {}

    def update_column_statistics_task_settings(self, ctx: RequestContext, params: dict) -> dict:
        catalog, table = named_table(self.store, ctx, params)
        if params.get("ColumnNameList"):
            stats_columns(table, params["ColumnNameList"])
        schedule = _checked_schedule(params["Schedule"]) if params.get("Schedule") else None
        with self.dq_store.write() as db:
            doc = self.dq_store.load_stats_settings(db, catalog, table["DatabaseName"], table["Name"])
            if doc is None:
                raise _settings_not_found(params["DatabaseName"], params["TableName"])
            for name in _OPTIONS:
                if params.get(name) is not None:
                    doc[name] = float(params[name]) if name == "SampleSize" else params[name]
            if schedule is not None:
                state = (doc.get("Schedule") or {}).get("State") or "SCHEDULED"
                doc.update(Schedule={"ScheduleExpression": schedule, "State": state}, ScheduleType="CRON")
            doc["_Updated"] = self.clock.now()
            self.dq_store.put_stats_settings(db, catalog, doc)
        self.stats_scheduler.forget(catalog, table)
        return {}

    def get_column_statistics_task_settings(self, ctx: RequestContext, params: dict) -> dict:
        catalog, table = named_table(self.store, ctx, params)
        doc = self.dq_store.stats_settings(catalog, table["DatabaseName"], table["Name"])
        if doc is None:
            raise _settings_not_found(params["DatabaseName"], params["TableName"])
        return {"ColumnStatisticsTaskSettings": {k: v for k, v in doc.items() if not k.startswith("_")}}

    def delete_column_statistics_task_settings(self, ctx: RequestContext, params: dict) -> dict:
        catalog, table = named_table(self.store, ctx, params)
        with self.dq_store.write() as db:
            if not self.dq_store.delete_stats_settings(db, catalog, table["DatabaseName"], table["Name"]):
                raise _settings_not_found(params["DatabaseName"], params["TableName"])
        self.stats_scheduler.forget(catalog, table)
        return {}

    def start_column_statistics_task_run_schedule(self, ctx: RequestContext, params: dict) -> dict:
        return self._set_stats_schedule_state(ctx, params, "SCHEDULED")

    def stop_column_statistics_task_run_schedule(self, ctx: RequestContext, params: dict) -> dict:
        return self._set_stats_schedule_state(ctx, params, "NOT_SCHEDULED")

    def _set_stats_schedule_state(self, ctx: RequestContext, params: dict, state: str) -> dict:
        catalog, table = named_table(self.store, ctx, params)
        with self.dq_store.write() as db:
            doc = self.dq_store.load_stats_settings(db, catalog, table["DatabaseName"], table["Name"])
            if doc is None:
                raise _settings_not_found(params["DatabaseName"], params["TableName"])
            if not doc.get("Schedule"):
                raise invalid_input(f"Column statistics task settings of table {table['DatabaseName']}."
                                    f"{table['Name']} have no schedule.")
            doc["Schedule"]["State"] = state
            doc["_Updated"] = self.clock.now()
            self.dq_store.put_stats_settings(db, catalog, doc)
        self.stats_scheduler.forget(catalog, table)
        return {}


class StatsScheduler(ClockedWorker):
    """Starts the runs that SCHEDULED settings come due for. `provider` is the Glue provider (its
    catalog store, and `launch_stats_run`)."""

    def __init__(self, provider, dq_store: DataQualityStore, clock: ServiceClock):
        super().__init__("lakebox-glue-colstats-schedule", 30.0, log)
        self.provider, self.dq_store, self.clock = provider, dq_store, clock
        self._started = clock.now()
        #: (catalog, database, table) -> when its schedule was last looked at.
        self._checked: dict[tuple[str, str, str], dt.datetime] = {}
        self._lock = threading.Lock()

    def forget(self, catalog: str, table: dict) -> None:
        """Changed settings count their schedule from the change."""
        with self._lock:
            self._checked.pop((catalog, table["DatabaseName"], table["Name"]), None)

    def run_once(self) -> list[str]:
        """Start a run for every SCHEDULED table that came due since the last look; their run ids."""
        started = []
        with self._lock:
            now = self.clock.now()
            for catalog, doc in self.dq_store.all_stats_settings():
                ident = (catalog, doc["DatabaseName"].lower(), doc["TableName"].lower())
                schedule = doc.get("Schedule") or {}
                if schedule.get("State") != "SCHEDULED":
                    self._checked.pop(ident, None)
                    continue
                since = self._checked.setdefault(ident, max(doc.get("_Updated") or now, self._started))
                due = parse_cron(schedule["ScheduleExpression"]).next_after(since)
                if due is None or due > now:
                    continue
                self._checked[ident] = now
                run_id = self._attempt(catalog, doc, now)
                if run_id:
                    started.append(run_id)
        return started

    def _attempt(self, catalog: str, doc: dict, now: dt.datetime) -> Optional[str]:
        attempt = {"ExecutionTimestamp": now}
        try:
            table = load_table(self.provider.store.reader(), catalog, doc["DatabaseName"].lower(),
                               doc["TableName"].lower())
            run = self.provider.launch_stats_run(catalog, table, stats_columns(table, doc.get("ColumnNameList")),
                                                 doc)
            attempt.update(Status="STARTED", ColumnStatisticsTaskRunId=run["ColumnStatisticsTaskRunId"])
        except AwsError as error:
            attempt.update(Status="FAILED", ErrorMessage=error.message)
            log.warning("scheduled column statistics of %s.%s did not start: %s", doc["DatabaseName"],
                        doc["TableName"], error.message)
        with self.dq_store.write() as db:
            current = self.dq_store.load_stats_settings(db, catalog, doc["DatabaseName"], doc["TableName"])
            if current is not None:
                current["LastExecutionAttempt"] = attempt
                self.dq_store.put_stats_settings(db, catalog, current)
        return attempt.get("ColumnStatisticsTaskRunId")
