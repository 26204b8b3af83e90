"""Workflows: CreateWorkflow, GetWorkflow, ListWorkflows, BatchGetWorkflows, UpdateWorkflow,
DeleteWorkflow, and their runs: StartWorkflowRun, GetWorkflowRun(s), StopWorkflowRun, ResumeWorkflowRun,
Get/PutWorkflowRunProperties.

A workflow is its definition in the `WorkflowStore` plus the triggers whose WorkflowName it is; its
graph is derived from those (workflow_graph.py) and its runs move on the `TriggerEngine`
(workflow_runs.py), so these methods only check requests and shape answers. Deleting a workflow
deletes its triggers and runs with it. Tags are on `arn:aws:glue:<region>:<account>:workflow/<name>`.
"""

from __future__ import annotations

from typing import Any

from ...protocol.context import RequestContext
from .common import make_token, owner_key, page, read_token
from .errors import already_exists, invalid_input
from .tags import forget_tags, put_tags
from .workflow_graph import graph
from .workflow_resume import resume
from .workflow_runs import run_not_found, workflow_not_found
from .workflow_store import public

#: ListWorkflows' page (its MaxResults is at most 25); GetWorkflowRuns'.
DEFAULT_WORKFLOW_PAGE = 25
DEFAULT_RUN_PAGE = 100


def workflow_arn(ctx: RequestContext, name: str) -> str:
    return f"arn:aws:glue:{ctx.region}:{ctx.account_id}:workflow/{name}"


def _check_max_runs(params: dict) -> None:
    value = params.get("MaxConcurrentRuns")
    if value is not None and value < 1:
        raise invalid_input(f"MaxConcurrentRuns must be a positive number, not {value}.")


class WorkflowsMixin:
    store: Any
    workflow_store: Any
    trigger_engine: Any
    clock: Any

    def create_workflow(self, ctx: RequestContext, params: dict) -> dict:
        key, name = owner_key(ctx), params["Name"]
        _check_max_runs(params)
        now = self.clock.now()
        doc = {"Name": name, "CreatedOn": now, "LastModifiedOn": now}
        for field in ("Description", "DefaultRunProperties", "MaxConcurrentRuns"):
            if params.get(field) is not None:
                doc[field] = params[field]
        with self.workflow_store.write() as db:
            if self.workflow_store.load_workflow(db, key, name) is not None:
                raise already_exists(f"Workflow with name {name} already exists.")
            self.workflow_store.put_workflow(db, key, doc)
        if params.get("Tags"):
            with self.store.write() as db:
                put_tags(db, workflow_arn(ctx, name), params["Tags"])
        return {"Name": name}

    def get_workflow(self, ctx: RequestContext, params: dict) -> dict:
        key, name = owner_key(ctx), params["Name"]
        doc = self.workflow_store.workflow(key, name)
        if doc is None:
            raise workflow_not_found(name)
        return {"Workflow": self._workflow_view(key, doc, params.get("IncludeGraph"))}

    def list_workflows(self, ctx: RequestContext, params: dict) -> dict:
        names = [d["Name"] for d in self.workflow_store.workflows(owner_key(ctx))]
        chunk, token = page([(n, n) for n in names], params.get("NextToken"), params.get("MaxResults"),
                            DEFAULT_WORKFLOW_PAGE)
        return {"Workflows": chunk, "NextToken": token}

    def batch_get_workflows(self, ctx: RequestContext, params: dict) -> dict:
        key, found, missing = owner_key(ctx), [], []
        for name in params["Names"]:
            doc = self.workflow_store.workflow(key, name)
            if doc is None:
                missing.append(name)
            else:
                found.append(self._workflow_view(key, doc, params.get("IncludeGraph")))
        return {"Workflows": found, "MissingWorkflows": missing}

    def update_workflow(self, ctx: RequestContext, params: dict) -> dict:
        key, name = owner_key(ctx), params["Name"]
        _check_max_runs(params)
        with self.workflow_store.write() as db:
            doc = self.workflow_store.load_workflow(db, key, name)
            if doc is None:
                raise workflow_not_found(name)
            for field in ("Description", "DefaultRunProperties", "MaxConcurrentRuns"):
                if params.get(field) is not None:
                    doc[field] = params[field]
            doc["LastModifiedOn"] = self.clock.now()
            self.workflow_store.put_workflow(db, key, doc)
        return {"Name": name}

    def delete_workflow(self, ctx: RequestContext, params: dict) -> dict:
        # Glue lists no EntityNotFoundException for DeleteWorkflow: a missing workflow is not an error.
        key, name = owner_key(ctx), params["Name"]
        triggers = [t["Name"] for _, t in self.workflow_store.triggers(key) if t.get("WorkflowName") == name]
        with self.workflow_store.write() as db:
            self.workflow_store.delete_workflow(db, key, name)
        with self.store.write() as db:
            forget_tags(db, workflow_arn(ctx, name))
            for trigger in triggers:
                forget_tags(db, f"arn:aws:glue:{ctx.region}:{ctx.account_id}:trigger/{trigger}")
        return {"Name": name}

    # -- runs ----------------------------------------------------------------------------------------

    def start_workflow_run(self, ctx: RequestContext, params: dict) -> dict:
        run_id = self.trigger_engine.runs.start(owner_key(ctx), params["Name"], params.get("RunProperties"))
        return {"RunId": run_id}

    def get_workflow_run(self, ctx: RequestContext, params: dict) -> dict:
        key = owner_key(ctx)
        run = self._run(key, params["Name"], params["RunId"])
        return {"Run": self._run_view(key, run, params.get("IncludeGraph"))}

    def get_workflow_runs(self, ctx: RequestContext, params: dict) -> dict:
        key, name = owner_key(ctx), params["Name"]
        if self.workflow_store.workflow(key, name) is None:
            raise workflow_not_found(name)
        runs = self.workflow_store.runs(key, name)
        start = read_token(params.get("NextToken")) or 0
        if not isinstance(start, int):
            raise invalid_input("Invalid pagination token.")
        limit = params.get("MaxResults") or DEFAULT_RUN_PAGE
        chunk = [self._run_view(key, r, params.get("IncludeGraph")) for r in runs[start:start + limit]]
        return {"Runs": chunk, "NextToken": make_token(start + limit) if len(runs) > start + limit else None}

    def stop_workflow_run(self, ctx: RequestContext, params: dict) -> dict:
        self.trigger_engine.runs.stop(owner_key(ctx), params["Name"], params["RunId"])
        return {}

    def resume_workflow_run(self, ctx: RequestContext, params: dict) -> dict:
        run_id, nodes = resume(self.trigger_engine.runs, owner_key(ctx), params["Name"], params["RunId"],
                               params["NodeIds"])
        return {"RunId": run_id, "NodeIds": nodes}

    def get_workflow_run_properties(self, ctx: RequestContext, params: dict) -> dict:
        run = self._run(owner_key(ctx), params["Name"], params["RunId"])
        return {"RunProperties": run.get("WorkflowRunProperties") or {}}

    def put_workflow_run_properties(self, ctx: RequestContext, params: dict) -> dict:
        """Given properties replace those of the same name; the others stay (as documented)."""
        key, name, run_id = owner_key(ctx), params["Name"], params["RunId"]
        with self.trigger_engine.lock, self.workflow_store.write() as db:
            if self.workflow_store.load_workflow(db, key, name) is None:
                raise workflow_not_found(name)
            run = self.workflow_store.load_run(db, key, name, run_id)
            if run is None:
                raise run_not_found(name, run_id)
            run["WorkflowRunProperties"] = {**(run.get("WorkflowRunProperties") or {}), **params["RunProperties"]}
            self.workflow_store.put_run(db, key, run)
        return {}

    # -- helpers -------------------------------------------------------------------------------------

    def _run(self, key: str, name: str, run_id: str) -> dict:
        if self.workflow_store.workflow(key, name) is None:
            raise workflow_not_found(name)
        run = self.workflow_store.run(key, name, run_id)
        if run is None:
            raise run_not_found(name, run_id)
        return run

    def _triggers_of(self, key: str, name: str) -> list[dict]:
        return [t for _, t in self.workflow_store.triggers(key) if t.get("WorkflowName") == name]

    def _run_view(self, key: str, run: dict, include_graph: bool | None) -> dict:
        view = public(run)
        if include_graph:
            view["Graph"] = graph(run["Name"], self._triggers_of(key, run["Name"]), run)
        return view

    def _workflow_view(self, key: str, doc: dict, include_graph: bool | None) -> dict:
        view = dict(doc)
        runs = self.workflow_store.runs(key, doc["Name"])
        if runs:
            view["LastRun"] = self._run_view(key, runs[0], include_graph)
        if include_graph:
            view["Graph"] = graph(doc["Name"], self._triggers_of(key, doc["Name"]))
        return view
