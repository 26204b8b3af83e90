"""Column statistics task runs: StartColumnStatisticsTaskRun, GetColumnStatisticsTaskRun,
GetColumnStatisticsTaskRuns, ListColumnStatisticsTaskRuns and StopColumnStatisticsTaskRun.

A run measures a catalog table's columns from its data (column_stats_compute.py) on a thread of its
own, STARTING, RUNNING, then SUCCEEDED, FAILED or STOPPED, and stores what it measured as the table's
column statistics, where GetColumnStatisticsForTable reads them; the Data Catalog keeps no earlier
versions. As Glue allows, one run at a time per table: a second start is
ColumnStatisticsTaskRunningException, and a stop with none running ColumnStatisticsTaskNotRunningException.
A run that a stopped process left unfinished ends FAILED when the provider starts again.

Task settings and their schedules, which start runs through `launch_stats_run`: column_stats_settings.py.
Not modelled: workers (the engine is one process, so a run reports no NumberOfWorkers, WorkerType or
DPUSeconds).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ...clock import ServiceClock
from ...engines.sql.errors import QueryError
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .column_stats import store_statistics
from .column_stats_compute import column_statistics, statistics_kind, statistics_query
from .common import load_table, lower, owner_key, page
from .dq_store import DataQualityStore
from .errors import entity_not_found, invalid_input
from .store import CatalogStore

log = logging.getLogger("lakebox.glue.column_statistics")

UNFINISHED = ("STARTING", "RUNNING")


def _running_error(database: str, table: str) -> AwsError:
    return AwsError("ColumnStatisticsTaskRunningException",
                    f"Column statistics task run is already running for table {database}.{table}.", 400)


def _not_running_error(database: str, table: str) -> AwsError:
    return AwsError("ColumnStatisticsTaskNotRunningException",
                    f"Column statistics task run is not running for table {database}.{table}.", 400)


def _stopping_error(database: str, table: str) -> AwsError:
    return AwsError("ColumnStatisticsTaskStoppingException",
                    f"Column statistics task run is already stopping for table {database}.{table}.", 400)


@dataclass
class StatsRunEnv:
    """What runs need from the provider: the run store, the clock, the catalog table as it is now
    (`table(catalog key, database, name)`, None if gone), a SqlEngine over the lake and the caller's
    catalog (`engine(catalog id, region)`), and `save(catalog key, table, statistics)`."""

    store: DataQualityStore
    now: Callable[[], dt.datetime]
    table: Callable[[str, str, str], Optional[dict]]
    engine: Callable[[str, str], Any]
    save: Callable[[str, dict, list], None]


class StatsRunner:
    """One thread per run; `stop` sets the run's event, which also interrupts the query in flight."""

    def __init__(self, env: StatsRunEnv):
        self.env = env
        self._running: dict[str, tuple[threading.Event, threading.Thread]] = {}
        self._lock = threading.Lock()

    def recover(self) -> None:
        now = self.env.now()
        with self.env.store.write() as db:
            for catalog, run in self.env.store.unfinished_stats_runs():
                run.update(Status="FAILED", EndTime=now, LastUpdated=now,
                           ErrorMessage="lakebox stopped while the run was running")
                self.env.store.put_stats_run(db, catalog, run)

    def launch(self, catalog: str, run: dict) -> None:
        cancel = threading.Event()
        thread = threading.Thread(target=self._run, args=(catalog, run["ColumnStatisticsTaskRunId"], cancel),
                                  name=f"lakebox-colstats-{run['ColumnStatisticsTaskRunId'][:8]}", daemon=True)
        with self._lock:
            self._running[run["ColumnStatisticsTaskRunId"]] = (cancel, thread)
        thread.start()

    def stop(self, run_id: str) -> bool:
        """Ask a run to stop; False when it was already asked to."""
        with self._lock:
            cancel, _ = self._running.get(run_id, (None, None))
        if cancel is None or cancel.is_set():
            return cancel is None
        cancel.set()
        return True

    def close(self) -> None:
        with self._lock:
            running = list(self._running.values())
        for cancel, _ in running:
            cancel.set()
        for _, thread in running:
            thread.join(timeout=30)

    def _run(self, catalog: str, run_id: str, cancel: threading.Event) -> None:
        try:
            run = self._update(catalog, run_id, Status="RUNNING", StartTime=self.env.now())
            status, error = self._measure(catalog, run, cancel)
        except Exception:  # the run's end must still be written; the cause goes to the log
            log.exception("column statistics task run %s failed", run_id)
            status, error = "FAILED", "Internal error while computing the column statistics"
        finally:
            with self._lock:
                self._running.pop(run_id, None)
        fields = {"ErrorMessage": error} if error else {}
        run = self._update(catalog, run_id, Status=status, EndTime=self.env.now(), **fields)
        log.info("column statistics of %s.%s: run %s %s", run["DatabaseName"], run["TableName"], run_id, status)

    def _measure(self, catalog: str, run: dict, cancel: threading.Event) -> tuple[str, Optional[str]]:
        """(final status, error message): the statistics are stored before the run says SUCCEEDED."""
        table = self.env.table(catalog, run["DatabaseName"], run["TableName"])
        if table is None:
            return "FAILED", f"Table {run['DatabaseName']}.{run['TableName']} not found."
        types = {c["Name"].lower(): c for c in (table.get("StorageDescriptor") or {}).get("Columns") or []}
        # The table may have changed since the run was asked for: columns gone, or of a type with no
        # statistics now, are left out.
        columns = [(types[n.lower()]["Name"], types[n.lower()].get("Type") or "") for n in run["ColumnNameList"]
                   if n.lower() in types and statistics_kind(types[n.lower()].get("Type") or "")]
        if not columns:
            return "FAILED", "None of the requested columns is in the table with a type that has statistics."
        region, account = catalog.split(":", 1)
        sql = statistics_query(table["DatabaseName"], table["Name"], columns, run.get("SampleSize") or 100.0)
        try:
            row = self.env.engine(account, region).execute(sql, table["DatabaseName"], cancel=cancel).rows[0]
        except QueryError as error:
            return ("STOPPED", None) if cancel.is_set() else ("FAILED", error.message)
        if cancel.is_set():
            return "STOPPED", None
        self.env.save(catalog, table, column_statistics(columns, row, self.env.now()))
        return "SUCCEEDED", None

    def _update(self, catalog: str, run_id: str, **fields) -> dict:
        with self.env.store.write() as db:
            run = self.env.store.load_stats_run(db, catalog, run_id)
            run.update(fields, LastUpdated=self.env.now())
            self.env.store.put_stats_run(db, catalog, run)
        return run


class ColumnStatisticsTaskRunsMixin:
    store: CatalogStore
    dq_store: DataQualityStore
    clock: ServiceClock
    stats_runner: StatsRunner

    def start_column_statistics(self) -> None:
        """Make the runs' worker and end the runs a stop interrupted (called after the stores open)."""
        self.stats_runner = StatsRunner(StatsRunEnv(store=self.dq_store, now=self.clock.now, table=self._stats_table,
                                                    engine=self._dq_engine, save=self._save_statistics))
        self.stats_runner.recover()

    def _stats_table(self, catalog: str, database: str, name: str) -> Optional[dict]:
        try:
            return load_table(self.store.reader(), catalog, lower(database), lower(name))
        except AwsError:
            return None

    def _save_statistics(self, catalog: str, table: dict, statistics: list) -> None:
        with self.store.write() as db:
            for stats in statistics:
                store_statistics(db, catalog, table, "", stats)

    def start_column_statistics_task_run(self, ctx: RequestContext, params: dict) -> dict:
        catalog, table = named_table(self.store, ctx, params)
        run = self.launch_stats_run(catalog, table, stats_columns(table, params.get("ColumnNameList")), params)
        return {"ColumnStatisticsTaskRunId": run["ColumnStatisticsTaskRunId"]}

    def launch_stats_run(self, catalog: str, table: dict, columns: list[str], options: dict) -> dict:
        """Record a run of `table` (STARTING) and start it; ColumnStatisticsTaskRunningException while
        another run of the table is unfinished. `options`: Role, SampleSize, SecurityConfiguration."""
        now, account = self.clock.now(), catalog.split(":", 1)[1]
        run = {"CustomerId": account, "ColumnStatisticsTaskRunId": str(uuid.uuid4()),
               "DatabaseName": table["DatabaseName"], "TableName": table["Name"], "ColumnNameList": columns,
               "CatalogID": account, "Role": options["Role"], "SampleSize": float(options.get("SampleSize") or 100.0),
               "ComputationType": "FULL", "Status": "STARTING", "CreationTime": now, "LastUpdated": now}
        if options.get("SecurityConfiguration"):
            run["SecurityConfiguration"] = options["SecurityConfiguration"]
        with self.dq_store.write() as db:
            if self.dq_store.stats_run_unfinished(db, catalog, table["DatabaseName"], table["Name"]):
                raise _running_error(table["DatabaseName"], table["Name"])
            self.dq_store.put_stats_run(db, catalog, run)
        self.stats_runner.launch(catalog, run)
        return run

    def get_column_statistics_task_run(self, ctx: RequestContext, params: dict) -> dict:
        found = self.dq_store.stats_run(params["ColumnStatisticsTaskRunId"])
        if found is None or found[0] != owner_key(ctx):
            raise entity_not_found(f"Column statistics task run {params['ColumnStatisticsTaskRunId']} not found.")
        return {"ColumnStatisticsTaskRun": found[1]}

    def get_column_statistics_task_runs(self, ctx: RequestContext, params: dict) -> dict:
        runs = self.dq_store.stats_runs(owner_key(ctx), lower(params["DatabaseName"]), lower(params["TableName"]))
        chunk, token = page(_latest_first(runs), params.get("NextToken"), params.get("MaxResults"), 100)
        return {"ColumnStatisticsTaskRuns": chunk, "NextToken": token}

    def list_column_statistics_task_runs(self, ctx: RequestContext, params: dict) -> dict:
        runs = self.dq_store.stats_runs(owner_key(ctx))
        chunk, token = page(_latest_first(runs), params.get("NextToken"), params.get("MaxResults"), 100)
        return {"ColumnStatisticsTaskRunIds": [run["ColumnStatisticsTaskRunId"] for run in chunk], "NextToken": token}

    def stop_column_statistics_task_run(self, ctx: RequestContext, params: dict) -> dict:
        database, name = params["DatabaseName"], params["TableName"]
        load_table(self.store.reader(), owner_key(ctx), lower(database), lower(name))
        runs = [run for run in self.dq_store.stats_runs(owner_key(ctx), lower(database), lower(name))
                if run["Status"] in UNFINISHED]
        if not runs:
            raise _not_running_error(database, name)
        if not self.stats_runner.stop(runs[0]["ColumnStatisticsTaskRunId"]):
            raise _stopping_error(database, name)
        return {}


def named_table(store: CatalogStore, ctx: RequestContext, params: dict) -> tuple[str, dict]:
    """(catalog key, table) of the DatabaseName, TableName and CatalogID a request names;
    EntityNotFoundException for a missing table."""
    catalog = f"{ctx.region}:{params.get('CatalogID') or ctx.account_id}"
    return catalog, load_table(store.reader(), catalog, lower(params["DatabaseName"]), lower(params["TableName"]))


def stats_columns(table: dict, wanted: Optional[list[str]]) -> list[str]:
    """The columns a run measures: those named (each must be a column of a type with statistics,
    else InvalidInputException), or every such column of the table."""
    columns = (table.get("StorageDescriptor") or {}).get("Columns") or []
    if not wanted:
        return [c["Name"] for c in columns if statistics_kind(c.get("Type") or "") is not None]
    by_name = {c["Name"].lower(): c for c in columns}
    for name in wanted:
        column = by_name.get(name.lower())
        if column is None:
            raise invalid_input(f"Column {name} not found in table {table['DatabaseName']}.{table['Name']}.")
        if statistics_kind(column.get("Type") or "") is None:
            raise invalid_input(f"Column {name} of type {column.get('Type')} is not supported for column statistics.")
    return list(wanted)


def _latest_first(runs: list[dict]) -> list[tuple[str, dict]]:
    """Page items for runs listed latest first: a key that grows as the list goes on."""
    return [(f"{10**16 - int(run['CreationTime'].timestamp() * 1e6):017d}/{run['ColumnStatisticsTaskRunId']}", run)
            for run in runs]
