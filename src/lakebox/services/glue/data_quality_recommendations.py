"""Glue Data Quality rule recommendation runs: StartDataQualityRuleRecommendationRun, Get, List and
CancelDataQualityRuleRecommendationRun.

Start checks the run's table exists (EntityNotFoundException, as GetTable says it), records the run
STARTING, and hands it to
the `RecommendationRunner` (dq_recommend_runs.py), which reads the table's data on a thread and writes
the RecommendedRuleset. The same ClientToken answers with the run it started. Lists are the latest
first.

Not modelled: NumberOfWorkers (the engine is one process) and DataQualitySecurityConfiguration (stored
as given; lakebox does not encrypt).
"""

from __future__ import annotations

from typing import Optional

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import owner_key
from .data_quality_runs import DEFAULT_TIMEOUT, DEFAULT_WORKERS, listed_runs
from .dq_recommend_runs import RecommendationRunner
from .dq_runs import new_run_id
from .dq_store import DataQualityStore
from .errors import entity_not_found

_TABLE = RecommendationRunner.TABLE


class DataQualityRecommendationsMixin:
    dq_store: DataQualityStore
    dq_recommender: Optional[RecommendationRunner]
    clock: ServiceClock

    def start_data_quality_rule_recommendation_run(self, ctx: RequestContext, params: dict) -> dict:
        catalog = owner_key(ctx)
        self._check_source(ctx, params["DataSource"])
        name = params.get("CreatedRulesetName")
        token = params.get("ClientToken")
        if token:
            for run in self.dq_store.runs(catalog, _TABLE):
                if run.get("ClientToken") == token:
                    return {"RunId": run["RunId"]}
        now = self.clock.now()
        run = {"RunId": new_run_id(), "DataSource": params["DataSource"], "Role": params["Role"],
               "NumberOfWorkers": params.get("NumberOfWorkers") or DEFAULT_WORKERS,
               "Timeout": params.get("Timeout") or DEFAULT_TIMEOUT, "Status": "STARTING", "StartedOn": now,
               "LastModifiedOn": now, "CreatedRulesetName": name,
               "DataQualitySecurityConfiguration": params.get("DataQualitySecurityConfiguration")}
        run = {k: v for k, v in run.items() if v is not None}
        with self.dq_store.write() as db:
            self.dq_store.put_run(db, catalog, {**run, **({"ClientToken": token} if token else {})}, _TABLE)
        self.dq_recommender.launch(catalog, run)
        return {"RunId": run["RunId"]}

    def get_data_quality_rule_recommendation_run(self, ctx: RequestContext, params: dict) -> dict:
        run = self.dq_store.run(owner_key(ctx), params["RunId"], _TABLE)
        if run is None:
            raise entity_not_found(f"Data Quality rule recommendation run {params['RunId']} not found.")
        run.pop("ClientToken", None)
        return run

    def list_data_quality_rule_recommendation_runs(self, ctx: RequestContext, params: dict) -> dict:
        return listed_runs(self.dq_store.runs(owner_key(ctx), _TABLE), ctx, params)

    def cancel_data_quality_rule_recommendation_run(self, ctx: RequestContext, params: dict) -> dict:
        """A starting or running run goes STOPPING, and STOPPED once its thread stops."""
        catalog, run_id = owner_key(ctx), params["RunId"]
        with self.dq_store.write() as db:
            run = self.dq_store.load_run(db, catalog, run_id, _TABLE)
            if run is None:
                raise entity_not_found(f"Data Quality rule recommendation run {run_id} not found.")
            if run["Status"] not in ("STARTING", "RUNNING"):
                return {}
            run.update(Status="STOPPING", LastModifiedOn=self.clock.now())
            self.dq_store.put_run(db, catalog, run, _TABLE)
        self.dq_recommender.cancel(catalog, run_id)
        return {}
