"""A workflow's graph (GetWorkflow's and GetWorkflowRun's `IncludeGraph`), built from its triggers.

Why derived and never stored: the graph is only the workflow's triggers and the crawlers and jobs they
name, so building it from the current triggers keeps it right after any CreateTrigger, UpdateTrigger or
DeleteTrigger. Edges go from a watched crawler or job to the CONDITIONAL trigger watching it, and from
a trigger to each of its actions. In a run's graph, a crawler node lists the crawls that run started
and a job node the job runs it started (as they were when the run last heard of them: at their start,
then at their end).
"""

from __future__ import annotations

import hashlib

from .workflow_store import public


def node_id(workflow: str, kind: str, name: str) -> str:
    """A stable UniqueId, shaped like Glue's `wnode_<hex>`."""
    return "wnode_" + hashlib.sha256(f"{workflow}\0{kind}\0{name}".encode()).hexdigest()[:56]


def graph(workflow: str, triggers: list[dict], run: dict | None = None) -> dict:
    nodes: dict[str, dict] = {}
    edges: list[dict] = []

    def add(kind: str, name: str) -> str:
        ident = node_id(workflow, kind, name)
        if ident not in nodes:
            nodes[ident] = {"Type": kind, "Name": name, "UniqueId": ident}
        return ident

    for trigger in triggers:
        ident = add("TRIGGER", trigger["Name"])
        nodes[ident]["TriggerDetails"] = {"Trigger": public(trigger)}
        for condition in (trigger.get("Predicate") or {}).get("Conditions") or []:
            kind, name = ("CRAWLER", condition["CrawlerName"]) if condition.get("CrawlerName") else \
                ("JOB", condition.get("JobName", ""))
            edges.append({"SourceId": add(kind, name), "DestinationId": ident})
        for action in trigger.get("Actions") or []:
            kind, name = ("CRAWLER", action["CrawlerName"]) if action.get("CrawlerName") else ("JOB", action["JobName"])
            edges.append({"SourceId": ident, "DestinationId": add(kind, name)})
    if run is not None:
        for node in nodes.values():
            if node["Type"] == "CRAWLER":
                node["CrawlerDetails"] = {"Crawls": [_crawl(a) for a in run.get("_Actions") or []
                                                     if a["Type"] == "CRAWLER" and a["Name"] == node["Name"]]}
            elif node["Type"] == "JOB":
                node["JobDetails"] = {"JobRuns": [a["JobRun"] for a in run.get("_Actions") or []
                                                  if a["Type"] == "JOB" and a["Name"] == node["Name"]
                                                  and a.get("JobRun")]}
    unique = {(e["SourceId"], e["DestinationId"]): e for e in edges}
    return {"Nodes": list(nodes.values()), "Edges": list(unique.values())}


def _crawl(action: dict) -> dict:
    crawl = {"State": action["State"], "StartedOn": action["StartedOn"]}
    for field in ("CompletedOn", "ErrorMessage", "LogGroup", "LogStream"):
        if action.get(field) is not None:
            crawl[field] = action[field]
    return crawl
