"""A cluster's document from RunJobFlow's request, and the `Cluster` / `ClusterSummary` outputs from it.

The instances are bookkeeping: lakebox runs every step on this machine (DESIGN D4: Spark `local[*]`),
so instance groups, fleets and their instances are recorded as requested, each instance with stable
ids, and reported RUNNING while the cluster lives. Application versions are those that really run
here: Spark is the installed pyspark, Hadoop the client bundled with it.
"""

from __future__ import annotations

import functools
import re
import secrets
from importlib import metadata
from pathlib import Path
from typing import Optional

from ...protocol.context import RequestContext
from .common import CLUSTER_TERMINAL, cluster_arn, cluster_not_valid, new_id, validation

MAX_STEP_CONCURRENCY = 256
#: RunJobFlow members that the cluster reports back as they were given.
PASSTHROUGH = ("Configurations", "SecurityConfiguration", "AutoScalingRole", "CustomAmiId", "EbsRootVolumeSize",
               "RepoUpgradeOnBoot", "KerberosAttributes", "OSReleaseLabel", "EbsRootVolumeIops",
               "EbsRootVolumeThroughput", "ExtendedSupport", "LogEncryptionKmsKeyId")


@functools.lru_cache(maxsize=None)
def application_versions() -> dict[str, str]:
    """{"Spark": <pyspark version>, "Hadoop": <its bundled hadoop client>}, as far as they are installed."""
    versions: dict[str, str] = {}
    try:
        versions["Spark"] = metadata.version("pyspark")
        import pyspark

        for jar in (Path(pyspark.__file__).parent / "jars").glob("hadoop-client-api-*.jar"):
            match = re.search(r"hadoop-client-api-([\d.]+)\.jar$", jar.name)
            if match:
                versions["Hadoop"] = match.group(1)
    except (metadata.PackageNotFoundError, ImportError):
        pass
    return versions


def check_step_concurrency(level: int) -> None:
    if not 1 <= level <= MAX_STEP_CONCURRENCY:
        raise validation(f"StepConcurrencyLevel must be between 1 and {MAX_STEP_CONCURRENCY}.")


def new_cluster(ctx: RequestContext, params: dict, now: float, master_dns: str) -> dict:
    """The document of a cluster that RunJobFlow creates (its steps are added by the caller)."""
    instances = params["Instances"]
    level = params.get("StepConcurrencyLevel", 1)
    check_step_concurrency(level)
    cluster_id = new_id("j-")
    apps = params.get("Applications") or [{"Name": "Hadoop"}]
    versions = application_versions()
    doc = {
        "Id": cluster_id, "Arn": cluster_arn(ctx.region, ctx.account_id, cluster_id),
        "Account": ctx.account_id, "Region": ctx.region, "Name": params["Name"],
        "State": "STARTING", "Reason": {"Message": "Configuring cluster software"},
        "Created": now, "Ready": None, "Ended": None, "EndState": None,
        "KeepAlive": bool(instances.get("KeepJobFlowAliveWhenNoSteps", False)),
        "TerminationProtected": bool(instances.get("TerminationProtected", False)),
        # AWS made VisibleToAllUsers default to true for clusters created through the API since 2019.
        "VisibleToAllUsers": params.get("VisibleToAllUsers", True),
        "StepConcurrencyLevel": level, "NextStepSeq": 0,
        "LogUri": params.get("LogUri"), "ReleaseLabel": params.get("ReleaseLabel"),
        "AmiVersion": params.get("AmiVersion"),
        "Applications": [{**app, **({"Version": versions[app["Name"]]} if app.get("Name") in versions else {})}
                         for app in apps],
        "Tags": merge_tags([], params.get("Tags") or []),
        "ServiceRole": params.get("ServiceRole"), "JobFlowRole": params.get("JobFlowRole"),
        "ScaleDownBehavior": params.get("ScaleDownBehavior", "TERMINATE_AT_TASK_COMPLETION"),
        "Ec2": _ec2_attributes(ctx, params), "MasterPublicDnsName": master_dns,
        "HadoopVersion": instances.get("HadoopVersion") or versions.get("Hadoop"),
        "BootstrapActions": [{"Name": b.get("Name", ""), "ScriptPath": b["ScriptBootstrapAction"]["Path"],
                              "Args": b["ScriptBootstrapAction"].get("Args", [])}
                             for b in params.get("BootstrapActions") or []],
        "Extra": {k: params[k] for k in PASSTHROUGH if k in params},
    }
    if params.get("PlacementGroupConfigs"):
        doc["Extra"]["PlacementGroups"] = params["PlacementGroupConfigs"]
    if instances.get("InstanceFleets"):
        if instances.get("InstanceGroups"):
            raise validation("Instance fleets and instance groups are mutually exclusive.")
        doc["CollectionType"], doc["InstanceFleets"] = "INSTANCE_FLEET", _fleets(instances["InstanceFleets"])
        doc["InstanceGroups"] = []
    else:
        doc["CollectionType"], doc["InstanceGroups"] = "INSTANCE_GROUP", _groups(instances)
    return doc


def _ec2_attributes(ctx: RequestContext, params: dict) -> dict:
    instances = params["Instances"]
    placement = instances.get("Placement") or {}
    zones = placement.get("AvailabilityZones") or ([placement["AvailabilityZone"]] if placement.get(
        "AvailabilityZone") else [])
    subnets = instances.get("Ec2SubnetIds") or ([instances["Ec2SubnetId"]] if instances.get("Ec2SubnetId") else [])
    attrs = {
        "Ec2KeyName": instances.get("Ec2KeyName"), "Ec2SubnetId": subnets[0] if subnets else None,
        "RequestedEc2SubnetIds": subnets, "Ec2AvailabilityZone": zones[0] if zones else f"{ctx.region}a",
        "RequestedEc2AvailabilityZones": zones, "IamInstanceProfile": params.get("JobFlowRole"),
        "EmrManagedMasterSecurityGroup": instances.get("EmrManagedMasterSecurityGroup"),
        "EmrManagedSlaveSecurityGroup": instances.get("EmrManagedSlaveSecurityGroup"),
        "ServiceAccessSecurityGroup": instances.get("ServiceAccessSecurityGroup"),
        "AdditionalMasterSecurityGroups": instances.get("AdditionalMasterSecurityGroups"),
        "AdditionalSlaveSecurityGroups": instances.get("AdditionalSlaveSecurityGroups"),
    }
    return {k: v for k, v in attrs.items() if v not in (None, [])}


def _instances(count: int, number: list[int]) -> list[dict]:
    found = []
    for _ in range(count):
        number[0] += 1
        n = number[0]
        found.append({"Id": new_id("ci-"), "Ec2InstanceId": "i-" + secrets.token_hex(9)[:17],
                      "PrivateIp": f"10.0.{n // 250}.{n % 250 + 4}"})
    return found


def _groups(instances: dict) -> list[dict]:
    configs = instances.get("InstanceGroups")
    if not configs:
        if not instances.get("MasterInstanceType"):
            raise validation("Instance groups, instance fleets or MasterInstanceType must be specified.")
        # The uniform form: one master, and InstanceCount - 1 core instances of SlaveInstanceType.
        count = instances.get("InstanceCount", 1)
        configs = [{"Name": "MASTER", "InstanceRole": "MASTER", "InstanceType": instances["MasterInstanceType"],
                    "InstanceCount": 1}]
        if count > 1:
            configs.append({"Name": "CORE", "InstanceRole": "CORE", "InstanceCount": count - 1,
                            "InstanceType": instances.get("SlaveInstanceType") or instances["MasterInstanceType"]})
    roles = [g["InstanceRole"] for g in configs]
    if roles.count("MASTER") != 1:
        raise validation("Exactly one MASTER instance group must be specified.")
    if roles.count("CORE") > 1:
        raise validation("At most one CORE instance group may be specified.")
    master = next(g for g in configs if g["InstanceRole"] == "MASTER")
    if master["InstanceCount"] not in (1, 3):
        raise validation("The MASTER instance group must have 1 or 3 instances.")
    number = [0]
    groups = []
    for config in configs:
        if config["InstanceCount"] < 0:
            raise validation("An instance group's InstanceCount must not be negative.")
        group = {k: v for k, v in config.items() if k not in ("AutoScalingPolicy",)}
        group["Id"] = new_id("ig-")
        group.setdefault("Market", "ON_DEMAND")
        group.setdefault("Name", config["InstanceRole"])
        group["Instances"] = _instances(config["InstanceCount"], number)
        groups.append(group)
    return groups


def _fleets(configs: list[dict]) -> list[dict]:
    if [f["InstanceFleetType"] for f in configs].count("MASTER") != 1:
        raise validation("Exactly one MASTER instance fleet must be specified.")
    number = [0]
    fleets = []
    for config in configs:
        fleet = dict(config)
        fleet["Id"] = "if-" + new_id("")
        types = config.get("InstanceTypeConfigs") or [{}]
        fleet["InstanceType"] = types[0].get("InstanceType", "m5.xlarge")
        count = config.get("TargetOnDemandCapacity", 0) + config.get("TargetSpotCapacity", 0)
        fleet["Instances"] = _instances(max(count, 1 if config["InstanceFleetType"] == "MASTER" else 0), number)
        fleets.append(fleet)
    return fleets


def merge_tags(current: list[dict], added: list[dict]) -> list[dict]:
    merged = {t["Key"]: t.get("Value", "") for t in current}
    for tag in added:
        merged[tag["Key"]] = tag.get("Value", "")
    return [{"Key": k, "Value": v} for k, v in merged.items()]



# -- outputs ---------------------------------------------------------------------------------------------

def status(cluster: dict) -> dict:
    timeline = {"CreationDateTime": cluster["Created"]}
    if cluster.get("Ready") is not None:
        timeline["ReadyDateTime"] = cluster["Ready"]
    if cluster.get("Ended") is not None:
        timeline["EndDateTime"] = cluster["Ended"]
    return {"State": cluster["State"], "StateChangeReason": cluster.get("Reason") or {}, "Timeline": timeline}


def cluster_output(cluster: dict) -> dict:
    out = {
        "Id": cluster["Id"], "Name": cluster["Name"], "Status": status(cluster),
        "Ec2InstanceAttributes": cluster["Ec2"],
        "InstanceCollectionType": cluster["CollectionType"], "LogUri": cluster.get("LogUri"),
        "ReleaseLabel": cluster.get("ReleaseLabel"), "RequestedAmiVersion": cluster.get("AmiVersion"),
        "RunningAmiVersion": cluster.get("AmiVersion"), "AutoTerminate": not cluster["KeepAlive"],
        "TerminationProtected": cluster["TerminationProtected"], "VisibleToAllUsers": cluster["VisibleToAllUsers"],
        "Applications": cluster["Applications"], "Tags": cluster["Tags"], "ServiceRole": cluster.get("ServiceRole"),
        "NormalizedInstanceHours": 0, "ClusterArn": cluster["Arn"],
        "StepConcurrencyLevel": cluster["StepConcurrencyLevel"], "ScaleDownBehavior": cluster.get("ScaleDownBehavior"),
        **cluster.get("Extra", {}),
    }
    if cluster["State"] not in CLUSTER_TERMINAL:
        out["MasterPublicDnsName"] = cluster.get("MasterPublicDnsName")
    return {k: v for k, v in out.items() if v is not None}


def cluster_summary(cluster: dict) -> dict:
    return {"Id": cluster["Id"], "Name": cluster["Name"], "Status": status(cluster), "NormalizedInstanceHours": 0,
            "ClusterArn": cluster["Arn"]}


def owned(cluster: Optional[dict], ctx: RequestContext) -> Optional[dict]:
    """The cluster if it belongs to the caller's account and region (ids are looked up globally)."""
    if cluster is not None and (cluster["Account"], cluster["Region"]) == (ctx.account_id, ctx.region):
        return cluster
    return None


def require_cluster(store, ctx: RequestContext, cluster_id: str, missing=None) -> dict:
    """The caller's cluster, or the operation's error for an unknown id (InvalidRequestException by
    default; the job-flow operations pass their ValidationException)."""
    found = owned(store.cluster(cluster_id), ctx)
    if found is None:
        raise (missing() if missing else cluster_not_valid(cluster_id))
    return found
