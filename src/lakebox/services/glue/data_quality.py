"""Glue Data Quality rulesets: Create, Get, Update, Delete and ListDataQualityRulesets; evaluation runs
and their results are data_quality_runs.py's, rule recommendation runs data_quality_recommendations.py's.

A ruleset is DQDL text (dqdl.py), checked when it is created or updated: text that does not parse is
InvalidInputException, as on AWS, so a stored ruleset always evaluates. Rulesets, runs and results
live in `<data>/.lakebox/glue/data_quality.db` (dq_store.py); a ruleset's `Tags` are kept in its row,
written in the same transaction, and filter ListDataQualityRulesets.

Why the mixin opens its store in `__init__` (as catalog_settings.py does): the provider composes
areas by inheritance, so this area joins with one line in provider.py. The runs' threads need the
lake, which the provider only has after `__init__`, so the provider calls `start_data_quality`.
"""

from __future__ import annotations

from typing import Any, Optional

from ...clock import ServiceClock
from ...protocol.context import RequestContext
from .common import owner_key, page
from .data_quality_recommendations import DataQualityRecommendationsMixin
from .data_quality_runs import DataQualityRunsMixin, same_table
from .dq_recommend_runs import RecommendationRunner
from .dq_runs import DataQualityRunner, RunEnv
from .dq_store import DataQualityStore
from .dqdl import DqdlError, parse_ruleset
from .errors import already_exists, entity_not_found, invalid_input

#: Members of a ruleset's stored document that are lakebox's bookkeeping, not GetDataQualityRuleset's.
_INTERNAL = ("Tags", "RuleCount")


def ruleset_not_found(name: str):
    return entity_not_found(f"Data Quality ruleset {name} not found.")


def checked_rule_count(text: str) -> int:
    """The number of rules in valid DQDL; InvalidInputException naming the fault otherwise."""
    try:
        return len(parse_ruleset(text).rules)
    except DqdlError as error:
        raise invalid_input(f"The ruleset is not valid DQDL: {error}") from None


def _public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in _INTERNAL}


class DataQualityMixin(DataQualityRunsMixin, DataQualityRecommendationsMixin):
    clock: ServiceClock
    lake: Any

    def __init__(self, config: Any, *args: Any, **kwargs: Any):
        super().__init__(config, *args, **kwargs)
        self.dq_store = DataQualityStore(config.data_dir / ".lakebox" / "glue" / "data_quality.db")
        self.dq_runner: Optional[DataQualityRunner] = None
        self.dq_recommender: Optional[RecommendationRunner] = None

    def start_data_quality(self) -> None:
        """Make the runs' worker (it reads through `self.lake`) and end the runs a stop interrupted."""
        env = RunEnv(store=self.dq_store, now=self.clock.now, lake=self.lake, table=self._dq_table,
                     engine=self._dq_engine)
        self.dq_runner = DataQualityRunner(env)
        self.dq_recommender = RecommendationRunner(env)
        self.dq_runner.recover()
        self.dq_recommender.recover()

    def close_data_quality(self) -> None:
        for runner in (self.dq_runner, self.dq_recommender):
            if runner is not None:
                runner.close()
        self.dq_store.close()

    def _dq_table(self, region: str, catalog_id: str, database: str, name: str) -> Optional[dict]:
        from .catalog_api import GlueCatalog

        return GlueCatalog(self).get_table(catalog_id, region, database, name)

    def _dq_engine(self, catalog_id: str, region: str):
        # Imported here: the engine (DuckDB, sqlglot) loads on the first evaluation, not at server start.
        from ...engines.sql.engine import SqlEngine
        from .catalog_api import GlueCatalog

        return SqlEngine(self.lake, GlueCatalog(self), catalog_id, region)

    # -- rulesets --------------------------------------------------------------------------------------

    def create_data_quality_ruleset(self, ctx: RequestContext, params: dict) -> dict:
        name = params["Name"]
        now = self.clock.now()
        doc = {"Name": name, "Description": params.get("Description"), "Ruleset": params["Ruleset"],
               "TargetTable": params.get("TargetTable"), "CreatedOn": now, "LastModifiedOn": now,
               "DataQualitySecurityConfiguration": params.get("DataQualitySecurityConfiguration"),
               "RuleCount": checked_rule_count(params["Ruleset"]), "Tags": params.get("Tags") or {}}
        with self.dq_store.write() as db:
            if self.dq_store.load_ruleset(db, owner_key(ctx), name) is not None:
                raise already_exists(f"Data Quality ruleset {name} already exists.")
            self.dq_store.put_ruleset(db, owner_key(ctx), {k: v for k, v in doc.items() if v is not None})
        return {"Name": name}

    def get_data_quality_ruleset(self, ctx: RequestContext, params: dict) -> dict:
        doc = self.dq_store.ruleset(owner_key(ctx), params["Name"])
        if doc is None:
            raise ruleset_not_found(params["Name"])
        return _public(doc)

    def update_data_quality_ruleset(self, ctx: RequestContext, params: dict) -> dict:
        name = params["Name"]
        count = checked_rule_count(params["Ruleset"]) if params.get("Ruleset") is not None else None
        with self.dq_store.write() as db:
            doc = self.dq_store.load_ruleset(db, owner_key(ctx), name)
            if doc is None:
                raise ruleset_not_found(name)
            if count is not None:
                doc.update(Ruleset=params["Ruleset"], RuleCount=count)
            if params.get("Description") is not None:
                doc["Description"] = params["Description"]
            doc["LastModifiedOn"] = self.clock.now()
            self.dq_store.put_ruleset(db, owner_key(ctx), doc)
        return {"Name": name, "Description": doc.get("Description"), "Ruleset": doc["Ruleset"]}

    def delete_data_quality_ruleset(self, ctx: RequestContext, params: dict) -> dict:
        if not self.dq_store.delete_ruleset(owner_key(ctx), params["Name"]):
            raise ruleset_not_found(params["Name"])
        return {}

    def list_data_quality_rulesets(self, ctx: RequestContext, params: dict) -> dict:
        wanted = params.get("Filter") or {}
        tags = params.get("Tags") or {}
        chosen = [doc for doc in self.dq_store.rulesets(owner_key(ctx)) if _matches(doc, wanted, ctx.account_id)
                  and all(doc.get("Tags", {}).get(k) == v for k, v in tags.items())]
        items = [(doc["Name"], _summary(doc)) for doc in chosen]
        chunk, token = page(items, params.get("NextToken"), params.get("MaxResults"), 1000)
        return {"Rulesets": chunk, "NextToken": token}


def _summary(doc: dict) -> dict:
    """A `DataQualityRulesetListDetails`."""
    keys = ("Name", "Description", "CreatedOn", "LastModifiedOn", "TargetTable", "RecommendationRunId", "RuleCount")
    return {k: doc[k] for k in keys if doc.get(k) is not None}


def _matches(doc: dict, wanted: dict, account: str) -> bool:
    """Whether a ruleset meets ListDataQualityRulesets' Filter: equal name and description, created and
    last modified in the given windows, and, with TargetTable, aimed at that table."""
    for key in ("Name", "Description"):
        if wanted.get(key) is not None and doc.get(key) != wanted[key]:
            return False
    windows = (("CreatedAfter", "CreatedOn", 1), ("CreatedBefore", "CreatedOn", -1),
               ("LastModifiedAfter", "LastModifiedOn", 1), ("LastModifiedBefore", "LastModifiedOn", -1))
    for key, field_name, direction in windows:
        bound = wanted.get(key)
        if bound is not None and not ((doc[field_name] - bound).total_seconds() * direction > 0):
            return False
    target = wanted.get("TargetTable")
    if target is not None:
        return doc.get("TargetTable") is not None and same_table(doc["TargetTable"], target, account)
    return True


__all__ = ["DataQualityMixin"]
