"""Rule recommendation runs on threads, as evaluation runs are (dq_runs.py): STARTING, RUNNING, then
SUCCEEDED with a RecommendedRuleset (dq_recommend.py), or FAILED, STOPPED or TIMEOUT.

A run that asked for CreatedRulesetName ends by storing that ruleset — the recommendation, aimed at the
run's table, with the run's id as its RecommendationRunId — in the same transaction as the run's end;
if a ruleset of that name exists by then, the run FAILS and nothing is stored.
"""

from __future__ import annotations

from typing import Optional

from .dq_evaluate import Cancelled
from .dq_recommend import recommend
from .dq_rules import MissingColumn, QueryFailed
from .dq_runs import DataQualityRunner, RunControl, RunFailed, _seconds
from .dqdl import parse_ruleset


class RecommendationRunner(DataQualityRunner):
    TABLE = "recommendation_runs"

    def _outcome(self, control: RunControl) -> tuple[str, Optional[str], Optional[str]]:
        """(final status, recommended ruleset, error string) of the run."""
        try:
            run = self.env.store.run(control.catalog, control.run_id, self.TABLE)
            source = run["DataSource"].get("GlueTable") or run["DataSource"]["DataQualityGlueTable"]
            data = self._dataset(control, source)
            if data is None:
                raise RunFailed(f"Table {source['DatabaseName']}.{source['TableName']} not found.")
            return "SUCCEEDED", recommend(data), None
        except Cancelled:
            if control.timed_out:
                return "TIMEOUT", None, "The recommendation run timed out"
            return "STOPPED", None, None
        except (RunFailed, QueryFailed, MissingColumn) as failure:
            return "FAILED", None, str(failure)

    def _finish(self, control: RunControl, status: str, ruleset, error: Optional[str]) -> None:
        """The run's end, and the ruleset it was asked to create, in one transaction."""
        now = self.env.now()
        with self.env.store.write() as db:
            run = self.env.store.load_run(db, control.catalog, control.run_id, self.TABLE)
            if run is None:
                return
            if status == "SUCCEEDED" and ruleset and run.get("CreatedRulesetName"):
                error = self._create_ruleset(db, control.catalog, run, ruleset, now)
                if error:
                    status, ruleset = "FAILED", None
            run.update(Status=status, CompletedOn=now, LastModifiedOn=now,
                       ExecutionTime=_seconds(run["StartedOn"], now))
            if isinstance(ruleset, str):
                run["RecommendedRuleset"] = ruleset
            if error:
                run["ErrorString"] = error
            self.env.store.put_run(db, control.catalog, run, self.TABLE)

    def _create_ruleset(self, db, catalog: str, run: dict, ruleset: str, now) -> Optional[str]:
        name = run["CreatedRulesetName"]
        if self.env.store.load_ruleset(db, catalog, name) is not None:
            return f"Data Quality ruleset {name} already exists."
        source = run["DataSource"].get("GlueTable") or run["DataSource"]["DataQualityGlueTable"]
        target = {k: source[k] for k in ("DatabaseName", "TableName", "CatalogId") if source.get(k)}
        doc = {"Name": name, "Ruleset": ruleset, "TargetTable": target, "CreatedOn": now, "LastModifiedOn": now,
               "RecommendationRunId": run["RunId"], "RuleCount": len(parse_ruleset(ruleset).rules), "Tags": {}}
        if run.get("DataQualitySecurityConfiguration"):
            doc["DataQualitySecurityConfiguration"] = run["DataQualitySecurityConfiguration"]
        self.env.store.put_ruleset(db, catalog, doc)
        return None
