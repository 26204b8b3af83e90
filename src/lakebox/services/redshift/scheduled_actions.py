"""Scheduled actions (CreateScheduledAction, DescribeScheduledActions, ModifyScheduledAction,
DeleteScheduledAction) that really run on the service clock, and ResizeCluster, one of the actions.

A schedule is `at(yyyy-mm-ddThh:mm:ss)` (once) or `cron(Minutes Hours Day-of-month Month Day-of-week
Year)`, in UTC, the six-field form that Glue and EventBridge also read (services/glue/crawler_cron.py
parses it). `ScheduleRunner` looks every few seconds of wall time, and at once when the service clock
jumps, for ACTIVE actions that came due within their StartTime and EndTime, and runs their target
exactly as the API call would: PauseCluster stops the cluster's listener, ResumeCluster starts it,
ResizeCluster changes its node type and count. Several missed invocations run once. The last time
looked at is kept with the action, so a restart neither loses a due invocation nor repeats one.
IamRole is recorded only: lakebox runs the action itself. An invocation that cannot run (the cluster
is already paused, or gone) is logged and skipped, as AWS skips it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from types import SimpleNamespace
from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ..glue.crawler_cron import CronError, parse_cron
from ..periodic import PeriodicPass

log = logging.getLogger("lakebox.redshift.schedules")

#: Seconds of wall time between two looks at the schedules.
INTERVAL = 5.0
#: Invocations NextInvocations lists.
SHOWN_INVOCATIONS = 10
TARGETS = ("ResizeCluster", "PauseCluster", "ResumeCluster")
_AT = re.compile(r"^\s*at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)\s*$", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z0-9-]{1,60}")


def _invalid_schedule(schedule: str, why: str = "") -> AwsError:
    return AwsError("InvalidSchedule", f"The schedule you submitted isn't valid: {schedule}." + (f" {why}" if why else ""),
                    400)


def not_found(name: str) -> AwsError:
    return AwsError("ScheduledActionNotFound", f"The scheduled action {name} does not exist.", 400)


def invocations(schedule: str, after: dt.datetime, *, until: Optional[dt.datetime] = None,
                limit: int = SHOWN_INVOCATIONS) -> list[dt.datetime]:
    """The schedule's invocation times strictly after `after` (and not after `until`), at most `limit`."""
    match = _AT.match(schedule)
    if match:
        moment = dt.datetime.fromisoformat(match.group(1)).replace(tzinfo=dt.timezone.utc)
        return [moment] if moment > after and (until is None or moment <= until) else []
    cron = parse_cron(schedule)
    out: list[dt.datetime] = []
    moment: Optional[dt.datetime] = after
    while len(out) < limit:
        moment = cron.next_after(moment)
        if moment is None or (until is not None and moment > until):
            break
        out.append(moment)
    return out


def check_schedule(schedule: str) -> None:
    if _AT.match(schedule):
        try:
            dt.datetime.fromisoformat(_AT.match(schedule).group(1))
        except ValueError:
            raise _invalid_schedule(schedule) from None
        return
    try:
        parse_cron(schedule)
    except CronError as error:
        raise _invalid_schedule(schedule, str(error)) from None


def _time(value: Any) -> Optional[dt.datetime]:
    if value is None:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


class ScheduledActionsMixin:
    """Needs the provider's store, config (its clock), `_cluster`, `_set_state` and `record_event`."""

    # -- the API ------------------------------------------------------------------------------------

    def _check_target(self, ctx: RequestContext, target: dict) -> None:
        chosen = [name for name in TARGETS if target.get(name)]
        if len(chosen) != 1:
            raise AwsError("InvalidScheduledAction", "TargetAction must name exactly one of ResizeCluster, "
                                                     "PauseCluster and ResumeCluster.", 400)
        self._cluster(ctx, target[chosen[0]]["ClusterIdentifier"])
        if chosen[0] == "ResizeCluster":
            self._resize_settings(self._cluster(ctx, target["ResizeCluster"]["ClusterIdentifier"]),
                                  target["ResizeCluster"])

    def _action(self, ctx: RequestContext, name: str) -> dict:
        doc = self.store.scheduled_actions.get(ctx.account_id, name)
        if doc is None or doc["Region"] != ctx.region:
            raise not_found(name)
        return doc

    def _action_output(self, doc: dict) -> dict:
        out = {k: v for k, v in doc.items() if k in ("ScheduledActionName", "TargetAction", "Schedule", "IamRole",
                                                     "ScheduledActionDescription", "State")}
        for key in ("StartTime", "EndTime"):
            if doc.get(key):
                out[key] = _time(doc[key])
        out["NextInvocations"] = self._next_invocations(doc) if doc["State"] == "ACTIVE" else []
        return out

    def _next_invocations(self, doc: dict, limit: int = SHOWN_INVOCATIONS) -> list[dt.datetime]:
        after = max(self.config.clock.now(), _time(doc.get("StartTime")) or dt.datetime.min.replace(tzinfo=dt.timezone.utc))
        return invocations(doc["Schedule"], after, until=_time(doc.get("EndTime")), limit=limit)

    def _check_window(self, doc: dict) -> None:
        start, end = _time(doc.get("StartTime")), _time(doc.get("EndTime"))
        if start and end and end <= start:
            raise AwsError("InvalidScheduledAction", "EndTime must be after StartTime.", 400)

    def create_scheduled_action(self, ctx: RequestContext, params: dict) -> dict:
        name = params["ScheduledActionName"]
        if not _NAME.fullmatch(name):
            raise AwsError("InvalidScheduledAction", "ScheduledActionName must be 1 to 60 letters, digits or "
                                                     "hyphens.", 400)
        check_schedule(params["Schedule"])
        with self.store.lock:
            self._check_target(ctx, params["TargetAction"])
            if self.store.scheduled_actions.get(ctx.account_id, name) is not None:
                raise AwsError("ScheduledActionAlreadyExists", f"The scheduled action {name} already exists.", 400)
            now = self.config.clock.now()
            doc = {"ScheduledActionName": name, "TargetAction": params["TargetAction"], "Schedule": params["Schedule"],
                   "IamRole": params["IamRole"], "ScheduledActionDescription": params.get("ScheduledActionDescription"),
                   "State": "ACTIVE" if params.get("Enable", True) else "DISABLED",
                   "StartTime": params["StartTime"].isoformat() if params.get("StartTime") else None,
                   "EndTime": params["EndTime"].isoformat() if params.get("EndTime") else None,
                   "Region": ctx.region, "Account": ctx.account_id, "CheckedUpTo": now.isoformat()}
            self._check_window(doc)
            self.store.scheduled_actions.put(ctx.account_id, doc)
        first = self._next_invocations(doc, 1)
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-3614", name,
                          f"The scheduled action '{name}' was created at {{at}}."
                          + (f" The first invocation is scheduled at {first[0]:%Y-%m-%d %H:%M} UTC." if first else ""))
        return self._action_output(doc)

    def describe_scheduled_actions(self, ctx: RequestContext, params: dict) -> dict:
        from .provider import page

        if params.get("ScheduledActionName"):
            docs = [self._action(ctx, params["ScheduledActionName"])]
        else:
            docs = [d for d in self.store.scheduled_actions.all(ctx.account_id) if d["Region"] == ctx.region]
        kind = params.get("TargetActionType")
        if kind:
            docs = [d for d in docs if d["TargetAction"].get(kind)]
        if params.get("Active") is not None:
            docs = [d for d in docs if (d["State"] == "ACTIVE") == params["Active"]]
        for item in params.get("Filters") or []:
            values = set(item["Values"])
            if item["Name"] == "cluster-identifier":
                docs = [d for d in docs if any((d["TargetAction"].get(t) or {}).get("ClusterIdentifier") in values
                                               for t in TARGETS)]
            else:
                docs = [d for d in docs if d["IamRole"] in values]
        start, end = params.get("StartTime"), params.get("EndTime")
        if start is not None or end is not None:
            def invoked_in_window(doc: dict) -> bool:
                if doc["State"] != "ACTIVE":
                    return False
                after = max(start or self.config.clock.now(), _time(doc.get("StartTime")) or start or self.config.clock.now())
                until = min(x for x in (end, _time(doc.get("EndTime"))) if x is not None) \
                    if (end or doc.get("EndTime")) else None
                return bool(invocations(doc["Schedule"], after - dt.timedelta(seconds=1), until=until, limit=1))
            docs = [d for d in docs if invoked_in_window(d)]
        return page(docs, params, "ScheduledActionName", "ScheduledActions", self._action_output)

    def modify_scheduled_action(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._action(ctx, params["ScheduledActionName"])
            if params.get("TargetAction"):
                self._check_target(ctx, params["TargetAction"])
                doc["TargetAction"] = params["TargetAction"]
            if params.get("Schedule"):
                check_schedule(params["Schedule"])
                doc["Schedule"] = params["Schedule"]
                doc["CheckedUpTo"] = self.config.clock.now().isoformat()
            for key in ("IamRole", "ScheduledActionDescription"):
                if params.get(key) is not None:
                    doc[key] = params[key]
            for key in ("StartTime", "EndTime"):
                if params.get(key) is not None:
                    doc[key] = params[key].isoformat()
            if params.get("Enable") is not None:
                if params["Enable"] and doc["State"] != "ACTIVE":
                    doc["CheckedUpTo"] = self.config.clock.now().isoformat()  # no catching up on disabled time
                doc["State"] = "ACTIVE" if params["Enable"] else "DISABLED"
            self._check_window(doc)
            self.store.scheduled_actions.put(ctx.account_id, doc)
        return self._action_output(doc)

    def delete_scheduled_action(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._action(ctx, params["ScheduledActionName"])
            self.store.scheduled_actions.delete(ctx.account_id, doc["ScheduledActionName"])
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-3627", doc["ScheduledActionName"],
                          f"Scheduled action '{doc['ScheduledActionName']}' was deleted at {{at}}.")
        return {}

    # -- ResizeCluster ------------------------------------------------------------------------------

    def _resize_settings(self, cluster: dict, params: dict) -> dict:
        from .provider import NODE_TYPES, invalid

        node_type = params.get("NodeType") or cluster["NodeType"]
        if node_type not in NODE_TYPES:
            raise invalid(f"Invalid node type: {node_type}")
        nodes = params.get("NumberOfNodes") or cluster["NumberOfNodes"]
        kind = params.get("ClusterType") or ("multi-node" if nodes > 1 else "single-node")
        if kind not in ("single-node", "multi-node"):
            raise invalid(f"Invalid cluster type: {kind}")
        if kind == "single-node" and nodes != 1:
            raise invalid("Number of nodes for cluster type single-node must be 1.")
        if kind == "multi-node" and nodes < 2:
            raise invalid("Number of nodes for cluster type multi-node must be greater than or equal to 2.")
        return {"NodeType": node_type, "NumberOfNodes": nodes, "ClusterType": kind}

    def resize_cluster(self, ctx: RequestContext, params: dict) -> dict:
        """Change the node type and count: recorded and shown (one host runs every cluster), at once."""
        with self.store.lock:
            doc = self._cluster(ctx, params["ClusterIdentifier"])
            if doc["ClusterStatus"] != "available":
                raise AwsError("InvalidClusterState", f"The cluster {doc['ClusterIdentifier']} is not in the "
                                                      "available state.", 400)
            doc.update(self._resize_settings(doc, params))
            self.store.put(ctx.account_id, doc)
            runtime = self.runtime(ctx.account_id, doc["ClusterIdentifier"])
            if runtime is not None:
                runtime.doc = doc
        identifier = doc["ClusterIdentifier"]
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-2006", identifier,
                          f"Cluster '{identifier}' resize started at {{at}}.")
        self.record_event(ctx.account_id, ctx.region, "REDSHIFT-EVENT-3002", identifier,
                          f"The resize for your Amazon Redshift cluster '{identifier}' is complete and your cluster "
                          "is available for reads and writes.")
        return {"Cluster": self._output(ctx, doc)}

    # -- running what is due ------------------------------------------------------------------------

    def run_due_actions(self, now: Optional[dt.datetime] = None) -> list[str]:
        """Run every ACTIVE action that came due since it was last looked at; their names."""
        with self._schedule_lock:
            now = self.config.clock.now()
            ran = []
            for doc in self.store.scheduled_actions.all():
                if doc["State"] != "ACTIVE":
                    continue
                since = _time(doc.get("CheckedUpTo"))
                if doc.get("StartTime"):  # an invocation at StartTime itself counts
                    since = max(since, _time(doc["StartTime"]) - dt.timedelta(seconds=1))
                try:
                    due = invocations(doc["Schedule"], since, until=min(now, _time(doc.get("EndTime")) or now), limit=1)
                except CronError:
                    continue  # checked when stored
                if not due:
                    continue
                doc["CheckedUpTo"] = now.isoformat()
                self.store.scheduled_actions.put(doc["Account"], doc)
                self._invoke(doc)
                ran.append(doc["ScheduledActionName"])
            return ran

    def _invoke(self, doc: dict) -> None:
        ctx = SimpleNamespace(account_id=doc["Account"], region=doc["Region"])
        (kind, params), = ((k, v) for k, v in doc["TargetAction"].items() if v)
        try:
            if kind == "PauseCluster":
                self.pause_cluster(ctx, params)
            elif kind == "ResumeCluster":
                self.resume_cluster(ctx, params)
            else:
                self.resize_cluster(ctx, params)
        except AwsError as error:
            log.warning("redshift scheduled action %s: %s of %s skipped: %s", doc["ScheduledActionName"], kind,
                        params.get("ClusterIdentifier"), error.message)
            return
        log.info("redshift scheduled action %s ran %s on %s", doc["ScheduledActionName"], kind,
                 params.get("ClusterIdentifier"))


class ScheduleRunner:
    """Runs the provider's due actions every INTERVAL seconds and whenever the service clock jumps."""

    def __init__(self, provider: Any, clock: Any, interval: float = INTERVAL):
        self.provider = provider
        self._timer = PeriodicPass("redshift-scheduled-actions", interval, provider.run_due_actions, log)
        self._closed = threading.Event()
        clock.subscribe(self._on_clock_jump)

    def start(self) -> None:
        self._timer.start()

    def _on_clock_jump(self, now: dt.datetime) -> None:
        if not self._closed.is_set():
            self.provider.run_due_actions()

    def stop(self) -> None:
        self._closed.set()
        self._timer.stop()
