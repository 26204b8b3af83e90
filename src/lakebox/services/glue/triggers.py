"""Triggers: CreateTrigger, GetTrigger, GetTriggers, ListTriggers, BatchGetTriggers, UpdateTrigger,
DeleteTrigger, StartTrigger, StopTrigger.

Definitions are in the `WorkflowStore` (`<data>/.lakebox/glue/workflows.db`) and checked by
trigger_rules.py; firing is the `TriggerEngine`'s (trigger_fire.py). States follow AWS: a trigger is
CREATED; StartOnCreation or StartTrigger make a SCHEDULED, CONDITIONAL or EVENT trigger ACTIVATED and
StopTrigger DEACTIVATED. An ON_DEMAND trigger stays CREATED: StartTrigger fires it there and then.
Tags live with every Glue resource's, on `arn:aws:glue:<region>:<account>:trigger/<name>`.
"""

from __future__ import annotations

from typing import Any

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import owner_key, page, resource_arn
from .crawlers import crawler_not_found
from .errors import already_exists, entity_not_found, invalid_input
from .jobs import job_not_found
from .tags import forget_tags, has_tags, put_tags
from .trigger_rules import new_trigger, updated_trigger
from .workflow_runs import workflow_not_found
from .workflow_store import WorkflowStore, public

#: GetTriggers and ListTriggers return this many when MaxResults is not given.
DEFAULT_PAGE_SIZE = 100


def trigger_not_found(name: str) -> AwsError:
    return entity_not_found(f"Trigger with name {name} not found.")


class TriggersMixin:
    store: Any
    crawler_store: Any
    job_store: Any
    clock: Any
    trigger_engine: Any

    def __init__(self, config: Any, *args: Any, **kwargs: Any):
        super().__init__(config, *args, **kwargs)
        self.workflow_store = WorkflowStore(config.data_dir / ".lakebox" / "glue" / "workflows.db")

    def create_trigger(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        doc = new_trigger(params, self.clock.now())
        self._check_targets(key, doc)
        with self.workflow_store.write() as db:
            if self.workflow_store.load_trigger(db, key, doc["Name"]) is not None:
                raise already_exists(f"Trigger with name {doc['Name']} already exists.")
            if doc.get("WorkflowName") and self.workflow_store.load_workflow(db, key, doc["WorkflowName"]) is None:
                raise workflow_not_found(doc["WorkflowName"])
            self.workflow_store.put_trigger(db, key, doc)
        if params.get("Tags"):
            with self.store.write() as db:
                put_tags(db, resource_arn(ctx, "trigger/" + doc["Name"]), params["Tags"])
        self.trigger_engine.forget_schedule(key, doc["Name"])
        return {"Name": doc["Name"]}

    def get_trigger(self, ctx: RequestContext, params: dict) -> dict:
        return {"Trigger": public(self._trigger(owner_key(ctx), params["Name"]))}

    def get_triggers(self, ctx: RequestContext, params: dict) -> dict:
        docs = self._dependent(ctx, params.get("DependentJobName"))
        chunk, token = page([(d["Name"], public(d)) for d in docs], params.get("NextToken"), params.get("MaxResults"),
                            DEFAULT_PAGE_SIZE)
        return {"Triggers": chunk, "NextToken": token}

    def list_triggers(self, ctx: RequestContext, params: dict) -> dict:
        names = [d["Name"] for d in self._dependent(ctx, params.get("DependentJobName"))]
        wanted = params.get("Tags")
        if wanted:
            names = [n for n in names if has_tags(self.store, resource_arn(ctx, f"trigger/{n}"), wanted)]
        chunk, token = page([(n, n) for n in names], params.get("NextToken"), params.get("MaxResults"),
                            DEFAULT_PAGE_SIZE)
        return {"TriggerNames": chunk, "NextToken": token}

    def batch_get_triggers(self, ctx: RequestContext, params: dict) -> dict:
        found, missing = [], []
        for name in params["TriggerNames"]:
            doc = self.workflow_store.trigger(owner_key(ctx), name)
            (found.append(public(doc)) if doc is not None else missing.append(name))
        return {"Triggers": found, "TriggersNotFound": missing}

    def update_trigger(self, ctx: RequestContext, params: dict) -> dict:
        key, name = owner_key(ctx), params["Name"]
        with self.workflow_store.write() as db:
            old = self.workflow_store.load_trigger(db, key, name)
            if old is None:
                raise trigger_not_found(name)
            doc = updated_trigger(old, params["TriggerUpdate"], self.clock.now())
            self._check_targets(key, doc)
            self.workflow_store.put_trigger(db, key, doc)
        self.trigger_engine.forget_schedule(key, name)
        return {"Trigger": public(doc)}

    def delete_trigger(self, ctx: RequestContext, params: dict) -> dict:
        # Like DeleteJob, deleting a trigger that does not exist is not an error.
        key, name = owner_key(ctx), params["Name"]
        with self.workflow_store.write() as db:
            self.workflow_store.delete_trigger(db, key, name)
        with self.store.write() as db:
            forget_tags(db, resource_arn(ctx, f"trigger/{name}"))
        self.trigger_engine.forget_schedule(key, name)
        return {"Name": name}

    def start_trigger(self, ctx: RequestContext, params: dict) -> dict:
        key, name = owner_key(ctx), params["Name"]
        doc = self._trigger(key, name)
        if doc["Type"] == "ON_DEMAND":
            self.trigger_engine.fire(key, doc)
            return {"Name": name}
        self._set_state(key, name, "ACTIVATED")
        return {"Name": name}

    def stop_trigger(self, ctx: RequestContext, params: dict) -> dict:
        key, name = owner_key(ctx), params["Name"]
        if self._trigger(key, name)["Type"] == "ON_DEMAND":
            raise invalid_input(f"Trigger {name} is an ON_DEMAND trigger: it is never activated, so cannot be "
                                "stopped.")
        self._set_state(key, name, "DEACTIVATED")
        return {"Name": name}

    # -- helpers -------------------------------------------------------------------------------------

    def _trigger(self, key: str, name: str) -> dict:
        doc = self.workflow_store.trigger(key, name)
        if doc is None:
            raise trigger_not_found(name)
        return doc

    def _set_state(self, key: str, name: str, state: str) -> None:
        with self.workflow_store.write() as db:
            doc = self.workflow_store.load_trigger(db, key, name)
            if doc is None:
                raise trigger_not_found(name)
            if doc["State"] != state:
                doc["State"] = state
                doc["_Updated"] = self.clock.now()
                self.workflow_store.put_trigger(db, key, doc)
        self.trigger_engine.forget_schedule(key, name)

    def _check_targets(self, key: str, doc: dict) -> None:
        """Glue refuses actions naming a job or crawler that does not exist."""
        for action in doc["Actions"]:
            if action.get("JobName") and self.job_store.get_job(key, action["JobName"]) is None:
                raise job_not_found(action["JobName"])
            if action.get("CrawlerName") and self.crawler_store.get_crawler(key, action["CrawlerName"]) is None:
                raise crawler_not_found(action["CrawlerName"])

    def _dependent(self, ctx: RequestContext, job: str | None) -> list[dict]:
        """DependentJobName: the triggers that can start the job; if there are none, all (as documented)."""
        docs = [d for _, d in self.workflow_store.triggers(owner_key(ctx))]
        if not job:
            return docs
        if self.job_store.get_job(owner_key(ctx), job) is None:
            raise job_not_found(job)
        starting = [d for d in docs if any(a.get("JobName") == job for a in d.get("Actions") or [])]
        return starting or docs

