"""Glue Data Quality evaluation runs and results: StartDataQualityRulesetEvaluationRun, Get, List and
CancelDataQualityRulesetEvaluationRun; GetDataQualityResult, ListDataQualityResults and
BatchGetDataQualityResult.

Start checks what a run needs before it is accepted — every ruleset exists (EntityNotFoundException),
the catalog table exists (EntityNotFoundException, as GetTable says it), ResultsS3Prefix is an S3 URI —
then records the run STARTING and hands it to the `DataQualityRunner` (dq_runs.py), which evaluates it
on a thread against the table's data. Lists are the latest first.

AdditionalDataSources name the reference datasets that rules such as ReferentialIntegrity and
DatasetMatch read, by alias; each must name an existing catalog table (EntityNotFoundException, as for
the DataSource). CompositeRuleEvaluationMethod ROW judges composite rules row by row.

Not modelled: CloudWatchMetricsEnabled (lakebox has no CloudWatch metrics; it is stored as given),
NumberOfWorkers (the engine is one process), and PreProcessingQuery (refused rather than ignored).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import load_table, lower, owner_key, page
from .dq_runs import DataQualityRunner, new_run_id, same_table
from .dq_store import DataQualityStore
from .errors import entity_not_found, invalid_input
from .store import CatalogStore

#: Glue's defaults for a run that does not say: minutes, and G.1X workers.
DEFAULT_TIMEOUT = 2880
DEFAULT_WORKERS = 5
_RUN_SUMMARY = ("RunId", "Status", "StartedOn", "DataSource")
_RESULT_SUMMARY = ("ResultId", "DataSource", "JobName", "JobRunId", "StartedOn")


def glue_table(source: dict) -> Optional[dict]:
    """The table a `DataSource` names (GlueTable, or DataQualityGlueTable)."""
    return source.get("GlueTable") or source.get("DataQualityGlueTable")


def listed_runs(runs, ctx: RequestContext, params: dict) -> dict:
    """A List...Runs answer (evaluation or recommendation runs): the runs of the Filter's table and
    start-time window, latest first, a page of summaries at a time."""
    wanted = params.get("Filter") or {}
    target = glue_table(wanted.get("DataSource") or {})
    items = []
    for run in runs:
        if target is not None and not same_table(glue_table(run["DataSource"]), target, ctx.account_id):
            continue
        if not _in_window(run["StartedOn"], wanted.get("StartedAfter"), wanted.get("StartedBefore")):
            continue
        items.append((_latest_first(run["StartedOn"], run["RunId"]), {k: run[k] for k in _RUN_SUMMARY if k in run}))
    chunk, token = page(items, params.get("NextToken"), params.get("MaxResults"), 1000)
    return {"Runs": chunk, "NextToken": token}


def _latest_first(started: dt.datetime, ident: str) -> str:
    """A page key that grows as the list goes on, for lists ordered latest first."""
    return f"{10**16 - int(started.timestamp() * 1e6):017d}/{ident}"


def _in_window(started: dt.datetime, after: Optional[dt.datetime], before: Optional[dt.datetime]) -> bool:
    return (after is None or started > after) and (before is None or started < before)


class DataQualityRunsMixin:
    store: CatalogStore
    dq_store: DataQualityStore
    dq_runner: DataQualityRunner
    clock: ServiceClock

    # -- evaluation runs -------------------------------------------------------------------------------

    def start_data_quality_ruleset_evaluation_run(self, ctx: RequestContext, params: dict) -> dict:
        catalog = owner_key(ctx)
        self._check_source(ctx, params["DataSource"])
        for source in (params.get("AdditionalDataSources") or {}).values():
            self._check_source(ctx, source)
        names = params["RulesetNames"]
        for name in names:
            if self.dq_store.ruleset(catalog, name) is None:
                raise entity_not_found(f"Data Quality ruleset {name} not found.")
        options = params.get("AdditionalRunOptions") or {}
        prefix = options.get("ResultsS3Prefix")
        if prefix is not None and (not prefix.startswith("s3://") or not prefix[len("s3://"):].split("/")[0]):
            raise invalid_input(f"ResultsS3Prefix {prefix} is not an S3 location (s3://bucket/prefix).")
        now = self.clock.now()
        run = {"RunId": new_run_id(), "DataSource": params["DataSource"], "Role": params["Role"],
               "NumberOfWorkers": params.get("NumberOfWorkers") or DEFAULT_WORKERS,
               "Timeout": params.get("Timeout") or DEFAULT_TIMEOUT, "AdditionalRunOptions": options or None,
               "Status": "STARTING", "StartedOn": now, "LastModifiedOn": now, "RulesetNames": list(names),
               "AdditionalDataSources": params.get("AdditionalDataSources")}
        run = {k: v for k, v in run.items() if v is not None}
        with self.dq_store.write() as db:
            self.dq_store.put_run(db, catalog, run)
        self.dq_runner.launch(catalog, run)
        return {"RunId": run["RunId"]}

    def _check_source(self, ctx: RequestContext, source: dict) -> None:
        """The run's table must exist now (the run reads it afresh, as it is when the run starts)."""
        table = glue_table(source)
        if table is None:
            raise invalid_input("DataSource must name a GlueTable.")
        if table.get("PreProcessingQuery"):
            raise invalid_input("PreProcessingQuery is not supported by lakebox's Data Quality evaluation.")
        catalog = f"{ctx.region}:{table.get('CatalogId') or ctx.account_id}"
        load_table(self.store.reader(), catalog, lower(table["DatabaseName"]), lower(table["TableName"]))

    def get_data_quality_ruleset_evaluation_run(self, ctx: RequestContext, params: dict) -> dict:
        run = self.dq_store.run(owner_key(ctx), params["RunId"])
        if run is None:
            raise entity_not_found(f"Data Quality evaluation run {params['RunId']} not found.")
        return run

    def list_data_quality_ruleset_evaluation_runs(self, ctx: RequestContext, params: dict) -> dict:
        return listed_runs(self.dq_store.runs(owner_key(ctx)), ctx, params)

    def cancel_data_quality_ruleset_evaluation_run(self, ctx: RequestContext, params: dict) -> dict:
        """A starting or running run goes STOPPING, and STOPPED once its thread stops; a run that has
        ended is left as it is."""
        catalog, run_id = owner_key(ctx), params["RunId"]
        with self.dq_store.write() as db:
            run = self.dq_store.load_run(db, catalog, run_id)
            if run is None:
                raise entity_not_found(f"Data Quality evaluation run {run_id} not found.")
            if run["Status"] not in ("STARTING", "RUNNING"):
                return {}
            run.update(Status="STOPPING", LastModifiedOn=self.clock.now())
            self.dq_store.put_run(db, catalog, run)
        self.dq_runner.cancel(catalog, run_id)
        return {}

    # -- results ---------------------------------------------------------------------------------------

    def get_data_quality_result(self, ctx: RequestContext, params: dict) -> dict:
        result = self.dq_store.result(owner_key(ctx), params["ResultId"])
        if result is None:
            raise entity_not_found(f"Data Quality result {params['ResultId']} not found.")
        return result

    def list_data_quality_results(self, ctx: RequestContext, params: dict) -> dict:
        wanted = params.get("Filter") or {}
        target = glue_table(wanted.get("DataSource") or {})
        items = []
        for result in self.dq_store.results(owner_key(ctx)):
            if target is not None and not same_table(glue_table(result["DataSource"]), target, ctx.account_id):
                continue
            if any(wanted.get(k) is not None and result.get(k) != wanted[k] for k in ("JobName", "JobRunId")):
                continue
            if not _in_window(result["StartedOn"], wanted.get("StartedAfter"), wanted.get("StartedBefore")):
                continue
            items.append((_latest_first(result["StartedOn"], result["ResultId"]),
                          {k: result[k] for k in _RESULT_SUMMARY if k in result}))
        chunk, token = page(items, params.get("NextToken"), params.get("MaxResults"), 1000)
        return {"Results": chunk, "NextToken": token}

    def batch_get_data_quality_result(self, ctx: RequestContext, params: dict) -> dict:
        found, missing = [], []
        for result_id in params["ResultIds"]:
            result = self.dq_store.result(owner_key(ctx), result_id)
            (found if result is not None else missing).append(result if result is not None else result_id)
        return {"Results": found, "ResultsNotFound": missing or None}
