"""What a trigger is allowed to be, and when its predicate holds: pure functions, no state.

Why apart from triggers.py: CreateTrigger and UpdateTrigger check the same rules, and the firing code
(trigger_fire.py) evaluates predicates without caring where a trigger came from.

The rules are AWS's documented ones: SCHEDULED needs a valid `cron(...)` Schedule; CONDITIONAL needs a
Predicate whose conditions each name a job (with State) or a crawler (with CrawlState), compared with
EQUALS and combined with AND (every condition) or ANY (one is enough); StartOnCreation is not supported
for ON_DEMAND triggers; an action names a job or a crawler, never both; EVENT triggers start workflows
from EventBridge events, so they belong to a workflow.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from ...protocol.errors import AwsError
from .crawler_cron import CronError, parse_cron
from .errors import invalid_input

TRIGGER_TYPES = ("SCHEDULED", "CONDITIONAL", "ON_DEMAND", "EVENT")
#: The fields of TriggerUpdate that replace the stored ones.
UPDATABLE = ("Description", "Schedule", "Actions", "Predicate", "EventBatchingCondition")


def new_trigger(params: dict, now: dt.datetime) -> dict:
    """The stored document of a CreateTrigger request (checked); `_Updated` starts its schedule."""
    kind = params["Type"]
    if kind not in TRIGGER_TYPES:
        raise invalid_input(f"Invalid trigger type {kind}")
    doc = {"Name": params["Name"], "Id": f"trg_{uuid.uuid4().hex}", "Type": kind, "State": "CREATED"}
    for field in ("WorkflowName", "Description", "Schedule", "Predicate", "Actions", "EventBatchingCondition"):
        if params.get(field) is not None:
            doc[field] = params[field]
    check_trigger(doc)
    if params.get("StartOnCreation"):
        if kind == "ON_DEMAND":
            raise invalid_input("StartOnCreation is not supported for ON_DEMAND triggers.")
        doc["State"] = "ACTIVATED"
    doc["_Updated"] = now
    return doc


def updated_trigger(old: dict, update: dict, now: dt.datetime) -> dict:
    """The document after UpdateTrigger's TriggerUpdate (checked); its Name and Type cannot change."""
    if update.get("Name") not in (None, old["Name"]):
        raise invalid_input("Trigger name cannot be changed by UpdateTrigger.")
    doc = dict(old)
    for field in UPDATABLE:
        if update.get(field) is not None:
            doc[field] = update[field]
    check_trigger(doc)
    doc["_Updated"] = now
    return doc


def check_trigger(doc: dict) -> None:
    kind = doc["Type"]
    actions = doc.get("Actions") or []
    if not actions:
        raise invalid_input("Actions cannot be null or empty.")
    for action in actions:
        check_action(action)
    if kind == "SCHEDULED":
        if not doc.get("Schedule"):
            raise invalid_input("Schedule cannot be null or empty for a SCHEDULED trigger.")
        try:
            parse_cron(doc["Schedule"])
        except CronError as exc:
            raise invalid_input(f"Invalid schedule expression {doc['Schedule']}: {exc}") from None
    if kind == "CONDITIONAL":
        check_predicate(doc.get("Predicate"))
    if kind == "EVENT" and not doc.get("WorkflowName"):
        raise invalid_input("An EVENT trigger must belong to a workflow.")


def check_action(action: dict) -> None:
    if action.get("JobName") and action.get("CrawlerName"):
        raise invalid_input("Both JobName and CrawlerName cannot be set together in an action")
    if not action.get("JobName") and not action.get("CrawlerName"):
        raise invalid_input("An action must name a JobName or a CrawlerName.")


def check_predicate(predicate: dict | None) -> None:
    conditions = (predicate or {}).get("Conditions") or []
    if not conditions:
        raise invalid_input("Predicate cannot be null or empty")
    if predicate.get("Logical", "AND") not in ("AND", "ANY"):
        raise invalid_input(f"Invalid Logical {predicate.get('Logical')}")
    for index, condition in enumerate(conditions, 1):
        operator = condition.get("LogicalOperator")
        if not operator:
            raise invalid_input("Logical operator cannot be null or empty")
        if operator != "EQUALS":
            # Enum validation, worded as Glue words it (ValidationException, no "1 validation error" lead).
            raise AwsError("ValidationException", f"Value '{operator}' at 'predicate.conditions.{index}.member."
                           "logicalOperator' failed to satisfy constraint: Member must satisfy enum value set: "
                           "[Equals]", 400)
        job, crawler = condition.get("JobName"), condition.get("CrawlerName")
        if job and crawler:
            # The job's half of the condition wins; the crawler's is not stored.
            condition.pop("CrawlerName", None)
            condition.pop("CrawlState", None)
            crawler = None
        if job and not condition.get("State"):
            raise invalid_input("State cannot be null or empty, choose from one of the following job state: "
                                "[SUCCEEDED, STOPPED, FAILED, TIMEOUT]")
        if crawler and not condition.get("CrawlState"):
            raise invalid_input("State cannot be null or empty, choose from one of the following crawler state: "
                                "[SUCCEEDED, FAILED, CANCELLED]")
        if not job and not crawler:
            raise invalid_input("JobName or CrawlerName in condition cannot be null or empty")


def named_entities(doc: dict) -> tuple[set[str], set[str]]:
    """(job names, crawler names) that the trigger's actions and conditions refer to."""
    jobs, crawlers = set(), set()
    items = list(doc.get("Actions") or []) + list((doc.get("Predicate") or {}).get("Conditions") or [])
    for item in items:
        if item.get("JobName"):
            jobs.add(item["JobName"])
        if item.get("CrawlerName"):
            crawlers.add(item["CrawlerName"])
    return jobs, crawlers


def condition_met(condition: dict, states: Mapping[tuple[str, str], str]) -> bool:
    """Whether one condition holds, given the latest state of each ("CRAWLER"|"JOB", name)."""
    if condition.get("CrawlerName"):
        return states.get(("CRAWLER", condition["CrawlerName"])) == condition.get("CrawlState")
    return states.get(("JOB", condition.get("JobName", ""))) == condition.get("State")


def predicate_met(predicate: dict, states: Mapping[tuple[str, str], str]) -> bool:
    """AND: every condition holds; ANY: at least one does."""
    results = [condition_met(c, states) for c in predicate.get("Conditions") or []]
    if not results:
        return False
    return any(results) if predicate.get("Logical") == "ANY" else all(results)


def watches(doc: dict, kind: str, name: str) -> bool:
    """Whether the trigger's predicate has a condition on this crawler or job."""
    field = "CrawlerName" if kind == "CRAWLER" else "JobName"
    return any(c.get(field) == name for c in (doc.get("Predicate") or {}).get("Conditions") or [])
