"""A cluster's document from RunJobFlow's request, and the `Cluster` / `ClusterSummary` outputs from it.

The instances are bookkeeping (groups.py): lakebox runs every step on this machine (DESIGN D4: Spark
`local[*]`). So the master node is this machine too: MasterPublicDnsName is the host lakebox serves
on, the address a client really reaches (as Redshift's endpoint is), and it stays in the description
after the cluster ends, as on EMR. Application versions come from the release (releases.py).

Instance fleets are built by fleets.py; the managed scaling and auto-termination policies that
RunJobFlow may carry are checked by policies.py. A cluster with three master nodes is, as AWS
documents, protected from termination and kept alive when it has no steps, whatever the request
said; its protection can be turned off afterwards.
"""

from __future__ import annotations

import socket
from typing import Optional

from ...protocol.context import RequestContext
from .common import cluster_arn, new_id, validation
from .fleets import initial_fleets
from .groups import HA_MASTERS, initial_groups
from .policies import auto_termination, check_managed_scaling
from .releases import check_release, cluster_applications, hadoop_version

MAX_STEP_CONCURRENCY = 256
#: RunJobFlow members that the cluster reports back as they were given.
PASSTHROUGH = ("Configurations", "SecurityConfiguration", "AutoScalingRole", "CustomAmiId", "EbsRootVolumeSize",
               "RepoUpgradeOnBoot", "KerberosAttributes", "OSReleaseLabel", "EbsRootVolumeIops",
               "EbsRootVolumeThroughput", "ExtendedSupport", "LogEncryptionKmsKeyId")


def check_step_concurrency(level: int) -> None:
    if not 1 <= level <= MAX_STEP_CONCURRENCY:
        raise validation(f"StepConcurrencyLevel must be between 1 and {MAX_STEP_CONCURRENCY}.")


def public_address(host: str) -> tuple[str, Optional[str]]:
    """(DNS name, IPv4 address) of the host lakebox serves on, as the master node's public address."""
    name = "localhost" if host in ("", "0.0.0.0", "::") else host
    try:
        return name, socket.gethostbyname(name)
    except OSError:
        return name, None


def new_cluster(ctx: RequestContext, params: dict, now: float, host: str) -> dict:
    """The document of a cluster that RunJobFlow creates (its steps are added by the caller)."""
    check_release(params)
    instances = params["Instances"]
    level = params.get("StepConcurrencyLevel", 1)
    check_step_concurrency(level)
    cluster_id = new_id("j-")
    dns, ip = public_address(host)
    doc = {
        "Id": cluster_id, "Arn": cluster_arn(ctx.region, ctx.account_id, cluster_id),
        "Account": ctx.account_id, "Region": ctx.region, "Name": params["Name"],
        "State": "STARTING", "Reason": {"Message": "Configuring cluster software"},
        "Created": now, "Ready": None, "Ended": None, "EndState": None,
        "KeepAlive": bool(instances.get("KeepJobFlowAliveWhenNoSteps", False)),
        "TerminationProtected": bool(instances.get("TerminationProtected", False)),
        # AWS made VisibleToAllUsers default to true for clusters created through the API since 2019.
        "VisibleToAllUsers": params.get("VisibleToAllUsers", True),
        "StepConcurrencyLevel": level, "NextStepSeq": 0, "InstanceSeq": 0,
        "LogUri": params.get("LogUri"), "ReleaseLabel": params.get("ReleaseLabel"),
        "AmiVersion": params.get("AmiVersion"), "Applications": cluster_applications(params),
        "Tags": merge_tags([], params.get("Tags") or []),
        "ServiceRole": params.get("ServiceRole"), "JobFlowRole": params.get("JobFlowRole"),
        "ScaleDownBehavior": params.get("ScaleDownBehavior", "TERMINATE_AT_TASK_COMPLETION"),
        "Ec2": _ec2_attributes(ctx, params), "MasterPublicDnsName": dns, "PublicIp": ip,
        "HadoopVersion": hadoop_version(params),
        "BootstrapActions": [{"Name": b.get("Name", ""), "ScriptPath": b["ScriptBootstrapAction"]["Path"],
                              "Args": b["ScriptBootstrapAction"].get("Args", [])}
                             for b in params.get("BootstrapActions") or []],
        "Extra": {k: params[k] for k in PASSTHROUGH if k in params},
    }
    if params.get("PlacementGroupConfigs"):
        doc["Extra"]["PlacementGroups"] = params["PlacementGroupConfigs"]
    if "UnhealthyNodeReplacement" in instances:
        doc["UnhealthyNodeReplacement"] = instances["UnhealthyNodeReplacement"]
    if instances.get("InstanceFleets"):
        if instances.get("InstanceGroups") or instances.get("MasterInstanceType") or instances.get("SlaveInstanceType"):
            raise validation("Instance fleets and instance groups are mutually exclusive.")
        doc["CollectionType"] = "INSTANCE_FLEET"
        doc["InstanceFleets"] = initial_fleets(doc, instances["InstanceFleets"], now, validation)
        doc["InstanceGroups"] = []
    else:
        doc["CollectionType"], doc["InstanceGroups"] = "INSTANCE_GROUP", initial_groups(doc, instances, now)
        master = next(g for g in doc["InstanceGroups"] if g["InstanceRole"] == "MASTER")
        if master["InstanceCount"] == HA_MASTERS:
            doc["TerminationProtected"], doc["KeepAlive"] = True, True
    if params.get("ManagedScalingPolicy"):
        doc["ManagedScalingPolicy"] = check_managed_scaling(doc, params["ManagedScalingPolicy"], validation)
    if "AutoTerminationPolicy" in params:
        doc["AutoTerminationPolicy"] = auto_termination(doc, params["AutoTerminationPolicy"], now, validation)
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
        "UnhealthyNodeReplacement": cluster.get("UnhealthyNodeReplacement"),
        "Applications": cluster["Applications"], "Tags": cluster["Tags"], "ServiceRole": cluster.get("ServiceRole"),
        "NormalizedInstanceHours": 0, "ClusterArn": cluster["Arn"],
        "MasterPublicDnsName": cluster.get("MasterPublicDnsName"),
        "StepConcurrencyLevel": cluster["StepConcurrencyLevel"], "ScaleDownBehavior": cluster.get("ScaleDownBehavior"),
        **cluster.get("Extra", {}),
    }
    return {k: v for k, v in out.items() if v is not None}


def cluster_summary(cluster: dict) -> dict:
    return {"Id": cluster["Id"], "Name": cluster["Name"], "Status": status(cluster), "NormalizedInstanceHours": 0,
            "ClusterArn": cluster["Arn"]}
