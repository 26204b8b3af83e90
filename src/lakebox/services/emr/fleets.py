"""Instance fleets: their documents, and ListInstanceFleets, AddInstanceFleet and ModifyInstanceFleet.

As with instance groups (groups.py) there is no EC2 here, so a fleet is what the cluster asked for,
recorded with stable ids: each fleet gets the instances that meet its targets at once, there being
nothing to provision, so its ProvisionedOnDemandCapacity and ProvisionedSpotCapacity are what those
instances weigh (the targets, or a little more when a type's WeightedCapacity does not divide them,
as on EMR). The instance type is the fleet's first InstanceTypeConfig, or the one of lowest Priority
when priorities are given; every type is listed in InstanceTypeSpecifications.

The rules are the ones AWS documents: one MASTER fleet whose target is 1, of one market only; at most
one CORE and one TASK fleet; each fleet asks for capacity and names at least one instance type, at most
5 (30 with an allocation strategy). AddInstanceFleet adds only the TASK fleet; ModifyInstanceFleet
changes the targets of a CORE or TASK fleet (a TASK fleet may go down to nothing). A cluster is made
of instance groups or of instance fleets, never both.

RunJobFlow reports a broken fleet with the ValidationException of the job-flow operations; the newer
fleet operations with InvalidRequestException.
"""

from __future__ import annotations

import copy
import math
from typing import Callable

from ...protocol.context import RequestContext
from .common import CLUSTER_ENDING, CLUSTER_TERMINAL, cluster_not_valid, invalid_request, new_id, owned, page
from .groups import devices, new_instances
from .store import EmrStore

MAX_TYPES = 5
MAX_TYPES_WITH_ALLOCATION_STRATEGY = 30
#: What a fleet keeps as given and ListInstanceFleets reports back.
FLEET_FIELDS = ("Name", "InstanceFleetType", "LaunchSpecifications", "ResizeSpecifications", "Context")


def _has_allocation_strategy(config: dict) -> bool:
    launch = config.get("LaunchSpecifications") or {}
    return any((launch.get(market) or {}).get("AllocationStrategy")
               for market in ("OnDemandSpecification", "SpotSpecification"))


def _chosen_type(configs: list[dict]) -> dict:
    """The type the fleet's instances are: the lowest Priority when priorities are given, else the first."""
    if any("Priority" in c for c in configs):
        return min(configs, key=lambda c: c.get("Priority", math.inf))
    return configs[0]


def check_fleet_config(config: dict, error: Callable[[str], Exception]) -> None:
    kind = config["InstanceFleetType"]
    types = config.get("InstanceTypeConfigs") or []
    if not types:
        raise error(f"The {kind.lower()} instance fleet must specify at least one instance type configuration.")
    limit = MAX_TYPES_WITH_ALLOCATION_STRATEGY if _has_allocation_strategy(config) else MAX_TYPES
    if len(types) > limit:
        raise error(f"An instance fleet can specify at most {limit} instance type configurations.")
    on_demand, spot = config.get("TargetOnDemandCapacity", 0), config.get("TargetSpotCapacity", 0)
    if kind == "MASTER":
        if sorted((on_demand, spot)) != [0, 1]:
            raise error("For the master instance fleet, only one of TargetSpotCapacity and TargetOnDemandCapacity "
                        "can be specified, and its value must be 1.")
    elif on_demand + spot <= 0:
        raise error("At least one of TargetSpotCapacity and TargetOnDemandCapacity should be greater than 0.")


def check_fleet_kinds(kinds: list[str], error: Callable[[str], Exception]) -> None:
    if kinds.count("MASTER") != 1:
        raise error("Exactly one MASTER instance fleet must be specified.")
    for kind in ("CORE", "TASK"):
        if kinds.count(kind) > 1:
            raise error(f"At most one {kind} instance fleet may be specified.")


def new_fleet(cluster: dict, config: dict, now: float) -> dict:
    """The document of one instance fleet from an InstanceFleetConfig (already checked)."""
    fleet = {k: copy.deepcopy(config[k]) for k in FLEET_FIELDS if k in config}
    fleet.update({"Id": "if-" + new_id(""), "Created": now, "Instances": [],
                  "InstanceTypeConfigs": copy.deepcopy(config["InstanceTypeConfigs"])})
    fleet.setdefault("Name", config["InstanceFleetType"])
    _retarget(cluster, fleet, config.get("TargetOnDemandCapacity", 0), config.get("TargetSpotCapacity", 0))
    return fleet


def initial_fleets(cluster: dict, configs: list[dict], now: float, error: Callable[[str], Exception]) -> list[dict]:
    """RunJobFlow's `Instances.InstanceFleets`."""
    check_fleet_kinds([c["InstanceFleetType"] for c in configs], error)
    for config in configs:
        check_fleet_config(config, error)
    return [new_fleet(cluster, config, now) for config in configs]


def _retarget(cluster: dict, fleet: dict, on_demand: int, spot: int) -> None:
    """The fleet at new targets: instances of each market join or go (the newest first) to meet them."""
    chosen = _chosen_type(fleet["InstanceTypeConfigs"])
    weight = max(chosen.get("WeightedCapacity", 1), 1)
    fleet.update({"TargetOnDemandCapacity": on_demand, "TargetSpotCapacity": spot,
                  "InstanceType": chosen["InstanceType"], "EbsBlockDevices": devices(chosen.get("EbsConfiguration"))})
    kept = []
    for market, target in (("ON_DEMAND", on_demand), ("SPOT", spot)):
        count = math.ceil(target / weight)
        current = [i for i in fleet["Instances"] if i.get("Market") == market][:count]
        added = new_instances(cluster, fleet, count - len(current))
        for instance in added:
            instance.update({"Market": market, "InstanceType": chosen["InstanceType"], "Weight": weight})
        kept += current + added
    fleet["Instances"] = kept


def _type_specification(config: dict) -> dict:
    spec = {k: config[k] for k in ("InstanceType", "BidPrice", "BidPriceAsPercentageOfOnDemandPrice",
                                   "Configurations", "CustomAmiId", "Priority") if k in config}
    spec["WeightedCapacity"] = config.get("WeightedCapacity", 1)
    if "BidPrice" not in spec:
        # EMR's default when neither is given: the Spot price may go up to the On-Demand price.
        spec.setdefault("BidPriceAsPercentageOfOnDemandPrice", 100.0)
    ebs = config.get("EbsConfiguration") or {}
    spec["EbsBlockDevices"] = devices(ebs)
    spec["EbsOptimized"] = bool(ebs.get("EbsOptimized", False))
    return spec


def fleet_output(cluster: dict, fleet: dict) -> dict:
    ended = cluster["State"] in CLUSTER_TERMINAL
    timeline = {"CreationDateTime": fleet.get("Created", cluster["Created"])}
    if cluster.get("Ready") is not None:
        timeline["ReadyDateTime"] = max(timeline["CreationDateTime"], cluster["Ready"])
    if cluster.get("Ended") is not None:
        timeline["EndDateTime"] = cluster["Ended"]

    def provisioned(market: str) -> int:
        return 0 if ended else sum(i.get("Weight", 1) for i in fleet["Instances"] if i.get("Market") == market)

    out = {k: fleet[k] for k in FLEET_FIELDS if k in fleet}
    out.update({
        "Id": fleet["Id"],
        "Status": {"State": "TERMINATED" if ended else "RUNNING",
                   "StateChangeReason": ({"Code": "CLUSTER_TERMINATED", "Message": "Cluster was terminated."}
                                         if ended else {"Message": ""}),
                   "Timeline": timeline},
        "TargetOnDemandCapacity": fleet.get("TargetOnDemandCapacity", 0),
        "TargetSpotCapacity": fleet.get("TargetSpotCapacity", 0),
        "ProvisionedOnDemandCapacity": provisioned("ON_DEMAND"), "ProvisionedSpotCapacity": provisioned("SPOT"),
        "InstanceTypeSpecifications": [_type_specification(c) for c in fleet["InstanceTypeConfigs"]],
    })
    return out


class InstanceFleetsMixin:
    store: EmrStore
    now: Callable[[], float]

    def list_instance_fleets(self, ctx: RequestContext, params: dict) -> dict:
        found = owned(self.store.cluster(params["ClusterId"]), ctx)
        if found is None:
            raise cluster_not_valid(params["ClusterId"])
        _require_fleets(found, "ListInstanceFleets")
        fleets = [fleet_output(found, f) for f in found["InstanceFleets"]]
        chunk, marker = page(fleets, params.get("Marker"))
        return {"InstanceFleets": chunk, "Marker": marker}

    def add_instance_fleet(self, ctx: RequestContext, params: dict) -> dict:
        config = params["InstanceFleet"]
        with self.store.write() as db:
            cluster = _live_cluster(self.store, db, ctx, params["ClusterId"], "AddInstanceFleet")
            if config["InstanceFleetType"] != "TASK":
                raise invalid_request("Only a task instance fleet can be added to a running cluster.",
                                      "INVALID_INSTANCE_FLEET_TYPE")
            if any(f["InstanceFleetType"] == "TASK" for f in cluster["InstanceFleets"]):
                raise invalid_request("The cluster already has a task instance fleet.", "INVALID_INSTANCE_FLEET_TYPE")
            check_fleet_config(config, lambda m: invalid_request(m, "INVALID_INSTANCE_FLEET"))
            fleet = new_fleet(cluster, config, self.now())
            cluster["InstanceFleets"].append(fleet)
            self.store.save_cluster(db, cluster)
        return {"ClusterId": cluster["Id"], "InstanceFleetId": fleet["Id"], "ClusterArn": cluster["Arn"]}

    def modify_instance_fleet(self, ctx: RequestContext, params: dict) -> dict:
        change = params["InstanceFleet"]
        with self.store.write() as db:
            cluster = _live_cluster(self.store, db, ctx, params["ClusterId"], "ModifyInstanceFleet")
            fleet = next((f for f in cluster["InstanceFleets"] if f["Id"] == change["InstanceFleetId"]), None)
            if fleet is None:
                raise invalid_request(f"Instance fleet id '{change['InstanceFleetId']}' is not valid.",
                                      "INVALID_INSTANCE_FLEET_ID")
            if fleet["InstanceFleetType"] == "MASTER":
                raise invalid_request("The master instance fleet cannot be modified.", "INVALID_INSTANCE_FLEET_TYPE")
            if change.get("InstanceTypeConfigs"):
                candidate = {**fleet, "InstanceTypeConfigs": change["InstanceTypeConfigs"]}
                check_fleet_config({**candidate, "TargetOnDemandCapacity": 1}, lambda m: invalid_request(
                    m, "INVALID_INSTANCE_FLEET"))
                fleet["InstanceTypeConfigs"] = copy.deepcopy(change["InstanceTypeConfigs"])
            on_demand = change.get("TargetOnDemandCapacity", fleet.get("TargetOnDemandCapacity", 0))
            spot = change.get("TargetSpotCapacity", fleet.get("TargetSpotCapacity", 0))
            if fleet["InstanceFleetType"] == "CORE" and on_demand + spot <= 0:
                raise invalid_request("At least one of TargetSpotCapacity and TargetOnDemandCapacity should be "
                                      "greater than 0.", "INVALID_INSTANCE_FLEET")
            for key in ("ResizeSpecifications", "Context"):
                if key in change:
                    fleet[key] = copy.deepcopy(change[key])
            _retarget(cluster, fleet, on_demand, spot)
            self.store.save_cluster(db, cluster)
        return {}


def _require_fleets(cluster: dict, operation: str) -> None:
    if cluster["CollectionType"] != "INSTANCE_FLEET":
        raise invalid_request(
            "Instance fleets and instance groups are mutually exclusive. The EMR cluster specified in the request "
            f"uses instance groups. The {operation} operation does not support clusters that use instance groups. "
            "Use an instance group operation instead.", "API_DOES_NOT_SUPPORT_INSTANCE_GROUP_CLUSTERS")


def _live_cluster(store: EmrStore, db, ctx: RequestContext, cluster_id: str, operation: str) -> dict:
    cluster = owned(store.load_cluster(db, cluster_id), ctx)
    if cluster is None:
        raise cluster_not_valid(cluster_id)
    _require_fleets(cluster, operation)
    if cluster["State"] in CLUSTER_ENDING:
        raise invalid_request("A cluster that is shutting down or terminated cannot be modified.",
                              "INVALID_CLUSTER_STATE")
    return cluster
