"""DescribeJobFlows: the deprecated job-flow view of clusters, still used by older tools.

The same documents as DescribeCluster and ListSteps, in the old shape and with the old state names:
TERMINATING is SHUTTING_DOWN, a cluster that ended after its last step is COMPLETED, one that ended
with errors FAILED. With no filter, as AWS documents, it returns the job flows created in the last
two weeks, and those created in the last two months that are still active; at most 512.
"""

from __future__ import annotations

from typing import Callable

from ...protocol.context import RequestContext
from .common import validation
from .store import EmrStore

MAX_JOB_FLOWS = 512
ACTIVE = ("STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING", "SHUTTING_DOWN")
TWO_WEEKS, TWO_MONTHS = 14 * 86400, 61 * 86400


def job_flow_state(cluster: dict) -> str:
    state = cluster["State"]
    if state == "TERMINATING":
        return "SHUTTING_DOWN"
    if state == "TERMINATED_WITH_ERRORS":
        return "FAILED"
    if state == "TERMINATED" and (cluster.get("Reason") or {}).get("Code") == "ALL_STEPS_COMPLETED":
        return "COMPLETED"
    return state


def _step_detail(step: dict) -> dict:
    config = step["Config"]
    jar_step = {"Jar": config["Jar"], "Args": config["Args"], "Properties": config.get("Properties") or []}
    if config.get("MainClass"):
        jar_step["MainClass"] = config["MainClass"]
    status = {"State": "RUNNING" if step["State"] == "CANCEL_PENDING" else step["State"],
              "CreationDateTime": step["Created"]}
    for key, name in (("Started", "StartDateTime"), ("Ended", "EndDateTime")):
        if step.get(key) is not None:
            status[name] = step[key]
    if step.get("FailureDetails"):
        status["LastStateChangeReason"] = step["FailureDetails"].get("Reason", "")
    return {"StepConfig": {"Name": step["Name"], "ActionOnFailure": step["ActionOnFailure"], "HadoopJarStep": jar_step},
            "ExecutionStatusDetail": status}


def _group_detail(cluster: dict, group: dict) -> dict:
    ended = cluster["State"] in ("TERMINATED", "TERMINATED_WITH_ERRORS")
    ready = None if cluster.get("Ready") is None else max(cluster["Ready"], group.get("Created", cluster["Created"]))
    detail = {
        "InstanceGroupId": group["Id"], "Name": group.get("Name"), "Market": group.get("Market", "ON_DEMAND"),
        "InstanceRole": group["InstanceRole"], "BidPrice": group.get("BidPrice"), "InstanceType": group["InstanceType"],
        "InstanceRequestCount": group["InstanceCount"], "InstanceRunningCount": 0 if ended else group["InstanceCount"],
        "State": "ENDED" if ended else "RUNNING", "CreationDateTime": group.get("Created", cluster["Created"]),
        "StartDateTime": ready, "ReadyDateTime": ready,
        "EndDateTime": cluster.get("Ended"),
    }
    return {k: v for k, v in detail.items() if v is not None}


def job_flow_detail(cluster: dict, steps: list[dict]) -> dict:
    groups = cluster.get("InstanceGroups") or cluster.get("InstanceFleets") or []
    role = "InstanceRole" if cluster.get("InstanceGroups") else "InstanceFleetType"
    master = next((g for g in groups if g.get(role) == "MASTER"), None)
    core = next((g for g in groups if g.get(role) == "CORE"), None)
    status = {"State": job_flow_state(cluster), "CreationDateTime": cluster["Created"],
              "LastStateChangeReason": (cluster.get("Reason") or {}).get("Message", "")}
    for key, names in (("Ready", ("StartDateTime", "ReadyDateTime")), ("Ended", ("EndDateTime",))):
        if cluster.get(key) is not None:
            status.update({name: cluster[key] for name in names})
    ec2 = cluster["Ec2"]
    instances = {
        "MasterInstanceType": master["InstanceType"] if master else None,
        "MasterPublicDnsName": cluster.get("MasterPublicDnsName"),
        "MasterInstanceId": master["Instances"][0]["Ec2InstanceId"] if master and master["Instances"] else None,
        "SlaveInstanceType": core["InstanceType"] if core else None,
        "InstanceCount": sum(len(g["Instances"]) for g in groups), "NormalizedInstanceHours": 0,
        "Ec2KeyName": ec2.get("Ec2KeyName"), "Ec2SubnetId": ec2.get("Ec2SubnetId"),
        "Placement": {"AvailabilityZone": ec2["Ec2AvailabilityZone"]},
        "KeepJobFlowAliveWhenNoSteps": cluster["KeepAlive"], "TerminationProtected": cluster["TerminationProtected"],
        "HadoopVersion": cluster.get("HadoopVersion"),
        "InstanceGroups": [_group_detail(cluster, g) for g in cluster.get("InstanceGroups") or []],
    }
    detail = {
        "JobFlowId": cluster["Id"], "Name": cluster["Name"], "LogUri": cluster.get("LogUri"),
        "AmiVersion": cluster.get("AmiVersion"), "ExecutionStatusDetail": status,
        "Instances": {k: v for k, v in instances.items() if v is not None},
        "Steps": [_step_detail(s) for s in steps],
        "BootstrapActions": [{"BootstrapActionConfig": {"Name": b["Name"], "ScriptBootstrapAction": {
            "Path": b["ScriptPath"], "Args": b["Args"]}}} for b in cluster["BootstrapActions"]],
        "SupportedProducts": [], "VisibleToAllUsers": cluster["VisibleToAllUsers"],
        "JobFlowRole": cluster.get("JobFlowRole"), "ServiceRole": cluster.get("ServiceRole"),
        "AutoScalingRole": cluster.get("Extra", {}).get("AutoScalingRole"),
        "ScaleDownBehavior": cluster.get("ScaleDownBehavior"),
    }
    return {k: v for k, v in detail.items() if v is not None}


class JobFlowsMixin:
    store: EmrStore
    now: Callable[[], float]

    def describe_job_flows(self, ctx: RequestContext, params: dict) -> dict:
        clusters = list(reversed(self.store.clusters(ctx.account_id, ctx.region)))
        ids, states = params.get("JobFlowIds"), params.get("JobFlowStates")
        after, before = params.get("CreatedAfter"), params.get("CreatedBefore")
        if ids:
            known = {c["Id"] for c in clusters}
            if any(i not in known for i in ids):
                raise validation("Specified job flow ID not valid.")
            clusters = [c for c in clusters if c["Id"] in ids]
        if states:
            clusters = [c for c in clusters if job_flow_state(c) in states]
        if after is not None:
            clusters = [c for c in clusters if c["Created"] >= after.timestamp()]
        if before is not None:
            clusters = [c for c in clusters if c["Created"] <= before.timestamp()]
        if not any((ids, states, after, before)):
            now = self.now()
            clusters = [c for c in clusters if now - c["Created"] <= TWO_WEEKS or (
                now - c["Created"] <= TWO_MONTHS and job_flow_state(c) in ACTIVE)]
        clusters = clusters[-MAX_JOB_FLOWS:]
        return {"JobFlows": [job_flow_detail(c, self.store.steps(c["Id"])) for c in clusters]}

