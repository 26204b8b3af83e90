"""ListInstanceGroups, ListInstances and ListBootstrapActions: what a cluster was asked to be made of.

No EC2 instance exists: every step runs on this machine. The groups (or fleets) and their instances
are the ones RunJobFlow requested (and AddInstanceGroups or ModifyInstanceGroups changed), with
stable ids, RUNNING while the cluster lives and TERMINATED once it has ended. Bootstrap actions are
listed as given; lakebox never runs them (there is no node to install anything on), so a script they
name does not even have to exist.
"""

from __future__ import annotations

from typing import Any

from ...protocol.context import RequestContext
from .common import CLUSTER_TERMINAL, invalid_request, page, require_cluster
from .groups import GROUP_FIELDS
from .store import EmrStore


def _timeline(cluster: dict, owner: dict) -> dict:
    """A group's (or its instances') timeline: made when the cluster was or when the group was added,
    ready at once, ended with the cluster."""
    created = owner.get("Created", cluster["Created"])
    timeline = {"CreationDateTime": created}
    if cluster.get("Ready") is not None:
        timeline["ReadyDateTime"] = max(created, cluster["Ready"])
    if cluster.get("Ended") is not None:
        timeline["EndDateTime"] = cluster["Ended"]
    return timeline


def _ended(cluster: dict) -> bool:
    return cluster["State"] in CLUSTER_TERMINAL


def instance_group_output(cluster: dict, group: dict) -> dict:
    ended = _ended(cluster)
    out = {k: group[k] for k in GROUP_FIELDS if k in group}
    out.update({
        "Id": group["Id"], "InstanceGroupType": group["InstanceRole"], "RequestedInstanceCount": group["InstanceCount"],
        "RunningInstanceCount": 0 if ended else len(group["Instances"]),
        "ConfigurationsVersion": group.get("ConfigurationsVersion", 0),
        "EbsBlockDevices": group.get("EbsBlockDevices") or [], "EbsOptimized": group.get("EbsOptimized", False),
        "Status": {"State": "TERMINATED" if ended else "RUNNING",
                   "StateChangeReason": ({"Code": "CLUSTER_TERMINATED", "Message": "Cluster was terminated."}
                                         if ended else {"Message": ""}),
                   "Timeline": _timeline(cluster, group)},
    })
    if group.get("AutoScalingPolicy"):
        out["AutoScalingPolicy"] = group["AutoScalingPolicy"]
    return out


def instance_output(cluster: dict, owner: dict, instance: dict, fleet: bool) -> dict:
    """One instance. Its private address is bookkeeping; its public one is this machine's, where the
    cluster's work really happens (the master node's MasterPublicDnsName)."""
    ip = instance["PrivateIp"]
    out = {
        "Id": instance["Id"], "Ec2InstanceId": instance["Ec2InstanceId"], "PrivateIpAddress": ip,
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.ec2.internal",
        "PublicDnsName": cluster.get("MasterPublicDnsName"), "PublicIpAddress": cluster.get("PublicIp"),
        "Status": {"State": "TERMINATED" if _ended(cluster) else "RUNNING", "StateChangeReason": {},
                   "Timeline": _timeline(cluster, owner)},
        # A fleet's instances each have their market and type; a group's are the group's.
        "Market": instance.get("Market") or owner.get("Market", "ON_DEMAND"),
        "InstanceType": instance.get("InstanceType") or owner["InstanceType"],
        "EbsVolumes": instance.get("EbsVolumes") or [],
    }
    out["InstanceFleetId" if fleet else "InstanceGroupId"] = owner["Id"]
    return {k: v for k, v in out.items() if v is not None}


class InstancesMixin:
    store: EmrStore

    def list_instance_groups(self, ctx: RequestContext, params: dict) -> dict:
        cluster = require_cluster(self.store, ctx, params["ClusterId"])
        if cluster["CollectionType"] == "INSTANCE_FLEET":
            raise invalid_request(
                "Instance fleets and instance groups are mutually exclusive. The EMR cluster specified in the "
                "request uses instance fleets. The ListInstanceGroups operation does not support clusters that "
                "use instance fleets. Use the ListInstanceFleets operation instead.",
                "API_DOES_NOT_SUPPORT_INSTANCE_FLEET_CLUSTERS")
        groups = [instance_group_output(cluster, g) for g in cluster["InstanceGroups"]]
        chunk, marker = page(groups, params.get("Marker"))
        return {"InstanceGroups": chunk, "Marker": marker}

    def list_instances(self, ctx: RequestContext, params: dict) -> dict:
        cluster = require_cluster(self.store, ctx, params["ClusterId"])
        fleet = cluster["CollectionType"] == "INSTANCE_FLEET"
        owners: list[dict[str, Any]] = cluster.get("InstanceFleets" if fleet else "InstanceGroups") or []
        found = []
        for owner in owners:
            kind = owner.get("InstanceFleetType") if fleet else owner["InstanceRole"]
            if params.get("InstanceGroupId") not in (None, owner["Id"]) or \
                    params.get("InstanceFleetId") not in (None, owner["Id"]):
                continue
            if params.get("InstanceGroupTypes") and kind not in params["InstanceGroupTypes"]:
                continue
            if params.get("InstanceFleetType") not in (None, kind):
                continue
            found += [instance_output(cluster, owner, i, fleet) for i in owner["Instances"]]
        if params.get("InstanceStates"):
            found = [i for i in found if i["Status"]["State"] in params["InstanceStates"]]
        chunk, marker = page(found, params.get("Marker"))
        return {"Instances": chunk, "Marker": marker}

    def list_bootstrap_actions(self, ctx: RequestContext, params: dict) -> dict:
        cluster = require_cluster(self.store, ctx, params["ClusterId"])
        actions = [{"Id": str(n), **a} for n, a in enumerate(cluster["BootstrapActions"])]
        chunk, marker = page(actions, params.get("Marker"))
        return {"BootstrapActions": [{k: v for k, v in a.items() if k != "Id"} for a in chunk], "Marker": marker}
