"""ListInstanceGroups, ListInstances and ListBootstrapActions: what a cluster was asked to be made of.

No EC2 instance exists: every step runs on this machine. The groups (or fleets) and their instances
are the ones RunJobFlow requested, with the ids given at creation, RUNNING while the cluster lives and
TERMINATED once it has ended. Bootstrap actions are listed as given; lakebox never runs them (there
is no node to install anything on), so a script they name does not even have to exist.
"""

from __future__ import annotations

from typing import Any

from ...protocol.context import RequestContext
from .cluster_config import require_cluster
from .common import CLUSTER_TERMINAL, invalid_request, page
from .store import EmrStore

_GROUP_FIELDS = ("Name", "Market", "BidPrice", "InstanceType", "Configurations", "CustomAmiId")


def _timeline(cluster: dict) -> dict:
    timeline = {"CreationDateTime": cluster["Created"]}
    for key, name in (("Ready", "ReadyDateTime"), ("Ended", "EndDateTime")):
        if cluster.get(key) is not None:
            timeline[name] = cluster[key]
    return timeline


def _ended(cluster: dict) -> bool:
    return cluster["State"] in CLUSTER_TERMINAL


def instance_group_output(cluster: dict, group: dict) -> dict:
    ended = _ended(cluster)
    running = 0 if ended else len(group["Instances"])
    out = {k: group[k] for k in _GROUP_FIELDS if k in group}
    out.update({
        "Id": group["Id"], "InstanceGroupType": group["InstanceRole"], "RequestedInstanceCount": group["InstanceCount"],
        "RunningInstanceCount": running, "ConfigurationsVersion": 0, "EbsBlockDevices": [], "EbsOptimized": False,
        "Status": {"State": "TERMINATED" if ended else "RUNNING",
                   "StateChangeReason": ({"Code": "CLUSTER_TERMINATED", "Message": "Cluster was terminated."}
                                         if ended else {}),
                   "Timeline": _timeline(cluster)},
    })
    return out


def instance_output(cluster: dict, owner: dict, instance: dict, fleet: bool) -> dict:
    ip = instance["PrivateIp"]
    out = {
        "Id": instance["Id"], "Ec2InstanceId": instance["Ec2InstanceId"], "PrivateIpAddress": ip,
        "PrivateDnsName": f"ip-{ip.replace('.', '-')}.ec2.internal",
        "Status": {"State": "TERMINATED" if _ended(cluster) else "RUNNING", "StateChangeReason": {},
                   "Timeline": _timeline(cluster)},
        "Market": owner.get("Market", "ON_DEMAND"), "InstanceType": owner["InstanceType"], "EbsVolumes": [],
    }
    out["InstanceFleetId" if fleet else "InstanceGroupId"] = owner["Id"]
    return out


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
