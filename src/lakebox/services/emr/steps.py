"""Steps: AddJobFlowSteps, ListSteps, DescribeStep, CancelSteps, and the step documents they share
with RunJobFlow's `Steps`.

A step is added PENDING and committed with its cluster's new state in one transaction; the cluster's
worker (step_runner.py) is then woken to run it. ActionOnFailure defaults to TERMINATE_CLUSTER when
left out. As AWS documents, a cluster whose StepConcurrencyLevel is above 1 refuses steps with
CANCEL_AND_WAIT or TERMINATE_CLUSTER, and a cluster keeps at most 256 active steps.

CancelSteps cancels a PENDING step at once; a RUNNING one goes CANCEL_PENDING until its worker has
stopped the driver, then CANCELLED (EMR cancels running steps too since release 5.28).
"""

from __future__ import annotations

from typing import Any, Callable

from ...protocol.context import RequestContext
from . import lifecycle
from .common import (CLUSTER_ENDING, MAX_ACTIVE_STEPS, STEP_ACTIVE, cluster_not_valid, invalid_request,
                     job_flow_ended, job_flow_not_found, new_id, owned, page, require_cluster, validation)
from .store import EmrStore

DEFAULT_ACTION_ON_FAILURE = "TERMINATE_CLUSTER"
MAX_STEPS_PER_CALL = 256


def check_actions(cluster: dict, configs: list[dict]) -> None:
    if cluster["StepConcurrencyLevel"] > 1:
        for config in configs:
            action = config.get("ActionOnFailure", DEFAULT_ACTION_ON_FAILURE)
            if action in ("CANCEL_AND_WAIT", *lifecycle.TERMINATE_ACTIONS):
                raise validation(f"ActionOnFailure {action} is not valid for a cluster whose StepConcurrencyLevel "
                                 "is greater than 1; use CONTINUE.")


def new_steps(cluster: dict, configs: list[dict], now: float, role: Any = None) -> list[dict]:
    """Documents of new PENDING steps, numbered after the cluster's last one."""
    steps = []
    for config in configs:
        jar_step = config["HadoopJarStep"]
        cluster["NextStepSeq"] += 1
        step = {
            "Id": new_id("s-"), "ClusterId": cluster["Id"], "Seq": cluster["NextStepSeq"],
            "Name": config["Name"], "ActionOnFailure": config.get("ActionOnFailure", DEFAULT_ACTION_ON_FAILURE),
            "Config": {"Jar": jar_step["Jar"], "MainClass": jar_step.get("MainClass"),
                       "Args": list(jar_step.get("Args") or []),
                       "Properties": [{"Key": p.get("Key", ""), "Value": p.get("Value", "")}
                                      for p in jar_step.get("Properties") or []]},
            "State": "PENDING", "Created": now, "Started": None, "Ended": None,
        }
        if role:
            step["ExecutionRoleArn"] = role
        steps.append(step)
    return steps


def step_output(step: dict) -> dict:
    config = step["Config"]
    timeline = {"CreationDateTime": step["Created"]}
    if step.get("Started") is not None:
        timeline["StartDateTime"] = step["Started"]
    if step.get("Ended") is not None:
        timeline["EndDateTime"] = step["Ended"]
    status = {"State": step["State"], "StateChangeReason": {}, "Timeline": timeline}
    if step.get("FailureDetails"):
        status["FailureDetails"] = step["FailureDetails"]
    out = {
        "Id": step["Id"], "Name": step["Name"], "ActionOnFailure": step["ActionOnFailure"], "Status": status,
        "Config": {k: v for k, v in {
            "Jar": config["Jar"], "MainClass": config.get("MainClass"), "Args": config["Args"],
            "Properties": {p["Key"]: p["Value"] for p in config.get("Properties") or []}}.items() if v is not None},
    }
    if step.get("ExecutionRoleArn"):
        out["ExecutionRoleArn"] = step["ExecutionRoleArn"]
    return out


class StepsMixin:
    store: EmrStore
    runner: Any
    now: Callable[[], float]

    def add_job_flow_steps(self, ctx: RequestContext, params: dict) -> dict:
        configs = params["Steps"]
        if len(configs) > MAX_STEPS_PER_CALL:
            raise validation(f"A request can add at most {MAX_STEPS_PER_CALL} steps.")
        cluster_id, added = params["JobFlowId"], []
        with self.store.write() as db:
            cluster = owned(self.store.load_cluster(db, cluster_id), ctx)
            if cluster is None:
                raise job_flow_not_found()
            if cluster["State"] in CLUSTER_ENDING:
                raise job_flow_ended()
            check_actions(cluster, configs)
            steps = self.store.load_steps(db, cluster_id)
            if sum(s["State"] in STEP_ACTIVE for s in steps) + len(configs) > MAX_ACTIVE_STEPS:
                raise validation("Maximum number of active steps(State = 'Running', 'Pending' or 'Cancel_Pending') "
                                 f"for cluster exceeded ({MAX_ACTIVE_STEPS}).")
            now = self.now()
            added = new_steps(cluster, configs, now, params.get("ExecutionRoleArn"))
            lifecycle.settle(cluster, steps + added, now)
            self.store.save_cluster(db, cluster)
            self.store.save_steps(db, added)
        self.runner.ensure(cluster_id)
        return {"StepIds": [s["Id"] for s in added]}

    def list_steps(self, ctx: RequestContext, params: dict) -> dict:
        require_cluster(self.store, ctx, params["ClusterId"])
        steps = self.store.steps(params["ClusterId"])
        if params.get("StepIds"):
            # Given ids come back in the order asked; otherwise newest first.
            by_id = {s["Id"]: s for s in steps}
            steps = [by_id[i] for i in dict.fromkeys(params["StepIds"]) if i in by_id]
        else:
            steps.reverse()
        if params.get("StepStates"):
            steps = [s for s in steps if s["State"] in params["StepStates"]]
        chunk, marker = page([step_output(s) for s in steps], params.get("Marker"))
        return {"Steps": chunk, "Marker": marker}

    def describe_step(self, ctx: RequestContext, params: dict) -> dict:
        require_cluster(self.store, ctx, params["ClusterId"])
        step = next((s for s in self.store.steps(params["ClusterId"]) if s["Id"] == params["StepId"]), None)
        if step is None:
            raise invalid_request(f"Step id '{params['StepId']}' is not valid.", "INVALID_STEP_ID")
        return {"Step": step_output(step)}

    def cancel_steps(self, ctx: RequestContext, params: dict) -> dict:
        cluster_id, results = params["ClusterId"], []
        with self.store.write() as db:
            cluster = owned(self.store.load_cluster(db, cluster_id), ctx)
            if cluster is None:
                raise cluster_not_valid(cluster_id)
            steps = self.store.load_steps(db, cluster_id)
            by_id = {s["Id"]: s for s in steps}
            now = self.now()
            for step_id in params["StepIds"]:
                step = by_id.get(step_id)
                if step is None:
                    results.append({"StepId": step_id, "Status": "FAILED",
                                    "Reason": f"Step id '{step_id}' is not valid."})
                elif step["State"] == "PENDING":
                    step["State"], step["Ended"] = "CANCELLED", now
                    results.append({"StepId": step_id, "Status": "SUBMITTED"})
                elif step["State"] in ("RUNNING", "CANCEL_PENDING"):
                    step["State"] = "CANCEL_PENDING"
                    results.append({"StepId": step_id, "Status": "SUBMITTED"})
                else:
                    results.append({"StepId": step_id, "Status": "FAILED",
                                    "Reason": f"Step {step_id} is {step['State']} and cannot be cancelled."})
            if any(r["Status"] == "SUBMITTED" for r in results):
                lifecycle.settle(cluster, steps, now)
                self.store.save_cluster(db, cluster)
                self.store.save_steps(db, steps)
        self.runner.wake(cluster_id)
        return {"CancelStepsInfoList": results}
