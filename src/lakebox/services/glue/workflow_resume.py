"""ResumeWorkflowRun: rerun chosen crawler or job nodes of a finished run, and what lies downstream.

Why its own module: resuming needs the graph (which nodes are downstream) as well as the run book, and
neither should know about the other. As documented, the resumed run is a new run (new id, its
PreviousRunId the old one) that keeps the old run's results for every node not being rerun; each chosen
node must have had a run attempt in the old run; the chosen nodes start again, and the CONDITIONAL
triggers downstream of them may fire again.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...protocol.errors import AwsError
from .errors import invalid_input
from .workflow_graph import graph
from .workflow_runs import run_not_found, statistics, workflow_not_found


def _downstream(edges: list[dict], start: set[str]) -> set[str]:
    """Every node reachable from `start` along the graph's edges (the start nodes excluded)."""
    following: dict[str, list[str]] = {}
    for edge in edges:
        following.setdefault(edge["SourceId"], []).append(edge["DestinationId"])
    seen, todo = set(), list(start)
    while todo:
        for nxt in following.get(todo.pop(), []):
            if nxt not in seen and nxt not in start:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def resume(book: Any, key: str, workflow: str, run_id: str, node_ids: list[str]) -> tuple[str, list[str]]:
    """(new run id, the node ids restarted)."""
    store, engine = book.store, book.engine
    with engine.lock:
        doc = store.workflow(key, workflow)
        if doc is None:
            raise workflow_not_found(workflow)
        old = store.run(key, workflow, run_id)
        if old is None:
            raise run_not_found(workflow, run_id)
        if old["Status"] in ("RUNNING", "STOPPING"):
            raise AwsError("IllegalWorkflowStateException",
                           f"Workflow run {run_id} is {old['Status']}: only a finished run can be resumed.", 400)
        triggers = [t for _, t in store.triggers(key) if t.get("WorkflowName") == workflow]
        shape = graph(workflow, triggers)
        nodes = {n["UniqueId"]: n for n in shape["Nodes"]}
        attempted = {(a["Type"], a["Name"]) for a in old["_Actions"]}
        chosen = []
        for ident in dict.fromkeys(node_ids):
            node = nodes.get(ident)
            if node is None or node["Type"] == "TRIGGER" or (node["Type"], node["Name"]) not in attempted:
                raise invalid_input(f"Node {ident} has no run attempt in workflow run {run_id}.")
            chosen.append(node)
        reset = {ident for ident in node_ids} | _downstream(shape["Edges"], set(node_ids))
        again = {(nodes[i]["Type"], nodes[i]["Name"]) for i in reset}
        with store.write() as db:
            limit = doc.get("MaxConcurrentRuns")
            if limit and len(store.active_runs(db, key, workflow)) >= limit:
                raise AwsError("ConcurrentRunsExceededException",
                               f"Concurrent runs exceeded for workflow: {workflow}", 400)
            kept = [a for a in old["_Actions"] if (a["Type"], a["Name"]) not in again]
            run = {"Name": workflow, "WorkflowRunId": f"wr_{uuid.uuid4().hex}", "PreviousRunId": run_id,
                   "WorkflowRunProperties": dict(old.get("WorkflowRunProperties") or {}),
                   "StartedOn": engine.clock.now(), "Status": "RUNNING", "_Actions": kept,
                   "_Fired": [t for t in old["_Fired"] if ("TRIGGER", t) not in again],
                   "Statistics": statistics(kept)}
            store.put_run(db, key, run)
        restart = {"Name": f"resume of {run_id}",
                   "Actions": [{"CrawlerName": n["Name"]} if n["Type"] == "CRAWLER" else {"JobName": n["Name"]}
                               for n in chosen]}
        book.fire_in_run(key, workflow, run["WorkflowRunId"], restart, resumed=True)
        book.advance(key, workflow, run["WorkflowRunId"])
        return run["WorkflowRunId"], [n["UniqueId"] for n in chosen]
