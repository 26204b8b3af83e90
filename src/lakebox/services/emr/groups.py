"""Instance groups: their documents, and AddInstanceGroups, ModifyInstanceGroups,
PutAutoScalingPolicy and RemoveAutoScalingPolicy (instance fleets are in fleets.py).

There is no EC2 here: every step runs on this machine (DESIGN D4), so groups and their
instances are what the cluster asked for, recorded with stable ids. A resize really changes the
group's instances (new ones get new ids, removed ones go, EC2InstanceIdsToTerminate first) and is
done at once, there being nothing to provision. Each instance has the EBS volumes its group's
EbsConfiguration asks for, named /dev/sdb, /dev/sdc ... as EMR attaches them.

An automatic scaling policy is kept as given, with `${emr.clusterId}` in its alarm dimensions replaced
by the cluster's id as EMR does, and shown ATTACHED; its rules never fire, because the YARN metrics
they watch do not exist here. As AWS documents, a cluster has one MASTER group of 1 instance (3 make a
cluster with multiple master nodes), at most one CORE group, and at most 50 groups; the master group
takes no scaling policy.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
from typing import Any, Callable, Optional

from ...protocol.context import RequestContext
from .common import CLUSTER_ENDING, job_flow_ended, job_flow_not_found, new_id, owned, validation
from .store import EmrStore

MAX_GROUPS = 50
HA_MASTERS = 3
_CLUSTER_ID_PLACEHOLDER = re.compile(r"\$\{emr\.clusterId\}", re.IGNORECASE)
#: Group members that ListInstanceGroups reports as they were given.
GROUP_FIELDS = ("Name", "Market", "BidPrice", "InstanceType", "Configurations", "CustomAmiId", "ShrinkPolicy")


def devices(ebs: Optional[dict]) -> list[dict]:
    """The EbsBlockDevices of an EbsConfiguration: one per volume of each config, /dev/sdb onwards."""
    found = []
    for config in (ebs or {}).get("EbsBlockDeviceConfigs") or []:
        for _ in range(config.get("VolumesPerInstance", 1)):
            letter = string.ascii_lowercase[1 + len(found)]
            found.append({"VolumeSpecification": config["VolumeSpecification"], "Device": f"/dev/sd{letter}"})
    return found


def new_instances(cluster: dict, owner: dict, count: int) -> list[dict]:
    """`count` instances for a group or fleet, numbered after every instance the cluster ever had."""
    found = []
    for _ in range(count):
        cluster["InstanceSeq"] = cluster.get("InstanceSeq", 0) + 1
        n = cluster["InstanceSeq"]
        found.append({"Id": new_id("ci-"), "Ec2InstanceId": "i-" + secrets.token_hex(9)[:17],
                      "PrivateIp": f"10.0.{n // 250}.{n % 250 + 4}",
                      "EbsVolumes": [{"Device": d["Device"], "VolumeId": "vol-" + secrets.token_hex(9)[:17]}
                                     for d in owner.get("EbsBlockDevices") or []]})
    return found


def resolve_policy(policy: dict, cluster_id: str) -> dict:
    """The policy as EMR keeps it: placeholders resolved, Status ATTACHED."""
    constraints = policy.get("Constraints") or {}
    if constraints.get("MinCapacity", 0) > constraints.get("MaxCapacity", 0):
        raise validation("The automatic scaling policy's MinCapacity must not be greater than its MaxCapacity.")
    resolved = copy.deepcopy(policy)
    for rule in resolved.get("Rules") or []:
        alarm = (rule.get("Trigger") or {}).get("CloudWatchAlarmDefinition") or {}
        for dimension in alarm.get("Dimensions") or []:
            dimension["Value"] = _CLUSTER_ID_PLACEHOLDER.sub(cluster_id, dimension.get("Value", ""))
    return {"Status": {"State": "ATTACHED", "StateChangeReason": {"Message": ""}}, **resolved}


def new_group(cluster: dict, config: dict, now: float) -> dict:
    """The document of one instance group from an InstanceGroupConfig."""
    if config["InstanceCount"] < 0:
        raise validation("An instance group's InstanceCount must not be negative.")
    group = {k: v for k, v in config.items() if k not in ("AutoScalingPolicy", "EbsConfiguration")}
    group.update({"Id": new_id("ig-"), "Created": now, "ConfigurationsVersion": 0,
                  "EbsOptimized": bool((config.get("EbsConfiguration") or {}).get("EbsOptimized", False)),
                  "EbsBlockDevices": devices(config.get("EbsConfiguration"))})
    group.setdefault("Market", "ON_DEMAND")
    group.setdefault("Name", config["InstanceRole"])
    if config.get("AutoScalingPolicy"):
        if config["InstanceRole"] == "MASTER":
            raise validation("The master instance group cannot have an automatic scaling policy.")
        group["AutoScalingPolicy"] = resolve_policy(config["AutoScalingPolicy"], cluster["Id"])
    group["Instances"] = new_instances(cluster, group, config["InstanceCount"])
    return group


def initial_groups(cluster: dict, instances: dict, now: float) -> list[dict]:
    """RunJobFlow's instance groups: as given, or the uniform form of MasterInstanceType and InstanceCount."""
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
    if len(configs) > MAX_GROUPS:
        raise validation(f"A cluster can have at most {MAX_GROUPS} instance groups.")
    master = next(g for g in configs if g["InstanceRole"] == "MASTER")
    if master["InstanceCount"] not in (1, HA_MASTERS):
        raise validation("Master instance group must have exactly 3 instances for HA clusters.")
    return [new_group(cluster, config, now) for config in configs]


def _resize(cluster: dict, group: dict, count: int, terminate: list[str]) -> None:
    """The group at `count` instances: the ones to terminate go first, then the newest, or new ones join."""
    gone = set(terminate)
    keep = [i for i in group["Instances"] if i["Ec2InstanceId"] not in gone][:count]
    group["Instances"] = keep + new_instances(cluster, group, count - len(keep))
    group["InstanceCount"] = count


class InstanceGroupsMixin:
    store: EmrStore
    now: Callable[[], float]

    def add_instance_groups(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            cluster = _live_cluster(self.store, db, ctx, params["JobFlowId"])
            if cluster["CollectionType"] == "INSTANCE_FLEET":
                raise validation("Instance fleets and instance groups are mutually exclusive: the cluster uses "
                                 "instance fleets.")
            roles = [g["InstanceRole"] for g in cluster["InstanceGroups"]]
            for config in params["InstanceGroups"]:
                if config["InstanceRole"] == "MASTER":
                    raise validation("A master instance group cannot be added to a cluster.")
                if config["InstanceRole"] == "CORE" and "CORE" in roles:
                    raise validation("The cluster already has a core instance group.")
                roles.append(config["InstanceRole"])
            if len(roles) > MAX_GROUPS:
                raise validation(f"A cluster can have at most {MAX_GROUPS} instance groups.")
            now = self.now()
            added = [new_group(cluster, config, now) for config in params["InstanceGroups"]]
            cluster["InstanceGroups"] += added
            self.store.save_cluster(db, cluster)
        return {"JobFlowId": cluster["Id"], "InstanceGroupIds": [g["Id"] for g in added], "ClusterArn": cluster["Arn"]}

    def modify_instance_groups(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.write() as db:
            if params.get("ClusterId"):
                clusters = [_live_cluster(self.store, db, ctx, params["ClusterId"])]
            else:
                clusters = [c for c in self.store.clusters_in(db, ctx.account_id, ctx.region)
                            if c["State"] not in CLUSTER_ENDING]
            changed = {}
            for change in params.get("InstanceGroups") or []:
                cluster, group = _find_group(clusters, change["InstanceGroupId"])
                terminate = change.get("EC2InstanceIdsToTerminate") or []
                if "InstanceCount" in change or terminate:
                    count = change.get("InstanceCount", group["InstanceCount"] - len(terminate))
                    if count < 0:
                        raise validation("An instance group's InstanceCount must not be negative.")
                    if group["InstanceRole"] == "MASTER" and count != group["InstanceCount"]:
                        raise validation("The instance count of the master instance group cannot be changed.")
                    unknown = set(terminate) - {i["Ec2InstanceId"] for i in group["Instances"]}
                    if unknown:
                        raise validation(f"Instances {', '.join(sorted(unknown))} are not in instance group "
                                         f"{group['Id']}.")
                    _resize(cluster, group, count, terminate)
                if change.get("ShrinkPolicy"):
                    group["ShrinkPolicy"] = change["ShrinkPolicy"]
                if "Configurations" in change:
                    group["Configurations"] = change["Configurations"]
                    group["ConfigurationsVersion"] = group.get("ConfigurationsVersion", 0) + 1
                changed[cluster["Id"]] = cluster
            for cluster in changed.values():
                self.store.save_cluster(db, cluster)
        return {}

    def put_auto_scaling_policy(self, ctx: RequestContext, params: dict) -> dict:
        def attach(cluster: dict, group: dict) -> None:
            if group["InstanceRole"] == "MASTER":
                raise validation("The master instance group cannot have an automatic scaling policy.")
            group["AutoScalingPolicy"] = resolve_policy(params["AutoScalingPolicy"], cluster["Id"])

        cluster, group = self._change_group(ctx, params["ClusterId"], params["InstanceGroupId"], attach)
        return {"ClusterId": cluster["Id"], "InstanceGroupId": group["Id"],
                "AutoScalingPolicy": group["AutoScalingPolicy"], "ClusterArn": cluster["Arn"]}

    def remove_auto_scaling_policy(self, ctx: RequestContext, params: dict) -> dict:
        self._change_group(ctx, params["ClusterId"], params["InstanceGroupId"],
                           lambda cluster, group: group.pop("AutoScalingPolicy", None))
        return {}

    def _change_group(self, ctx: RequestContext, cluster_id: str, group_id: str,
                      change: Callable[[dict, dict], Any]) -> tuple[dict, dict]:
        with self.store.write() as db:
            cluster = _live_cluster(self.store, db, ctx, cluster_id)
            cluster, group = _find_group([cluster], group_id)
            change(cluster, group)
            self.store.save_cluster(db, cluster)
        return cluster, group


def _live_cluster(store: EmrStore, db, ctx: RequestContext, cluster_id: str) -> dict:
    cluster = owned(store.load_cluster(db, cluster_id), ctx)
    if cluster is None:
        raise job_flow_not_found()
    if cluster["State"] in CLUSTER_ENDING:
        raise job_flow_ended()
    return cluster


def _find_group(clusters: list[dict], group_id: str) -> tuple[dict, dict]:
    for cluster in clusters:
        for group in cluster.get("InstanceGroups") or []:
            if group["Id"] == group_id:
                return cluster, group
    raise validation(f"Instance group id '{group_id}' is not valid.")
