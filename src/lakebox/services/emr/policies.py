"""A cluster's managed scaling and auto-termination policies: Put, Get and Remove of each, and the checks
RunJobFlow applies to the same members.

Managed scaling is kept and reported; it never resizes anything, because the YARN metrics it decides
on do not exist here (steps run on this machine, DESIGN D4). Its ComputeLimits are checked as AWS
documents them: the unit type fits the cluster (InstanceFleetUnits for fleets, Instances or VCPU for
groups), the minimum is at least 1 and at most the maximum, and the On-Demand and core limits are
within the maximum.

Auto-termination is enforced (lifecycle.py): a cluster with no step pending or running for IdleTimeout
seconds of the service clock terminates. IdleTimeout is 60 to 604800 seconds (seven days); a policy
put without one gets an hour. Both policies need a release that supports them (managed scaling
emr-5.30.0 and later except emr-6.0.0, auto-termination emr-5.30.0 and emr-6.1.0 and later); a
cluster without a release label is not judged.

RunJobFlow reports a bad policy with the ValidationException of the job-flow operations; the policy
operations with InvalidRequestException.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ...protocol.context import RequestContext
from . import lifecycle
from .common import CLUSTER_ENDING, cluster_not_valid, invalid_request, owned, require_cluster
from .release_data import label_key
from .store import EmrStore

MIN_IDLE_TIMEOUT, MAX_IDLE_TIMEOUT = 60, 604800
DEFAULT_IDLE_TIMEOUT = 3600
PERFORMANCE_INDEXES = (1, 25, 50, 75, 100)
#: First releases of the 5.x line and of 6.x and later that support each policy.
MANAGED_SCALING_SINCE = ((5, 30, 0), (6, 1, 0))
AUTO_TERMINATION_SINCE = ((5, 30, 0), (6, 1, 0))


def _supported(cluster: dict, since: tuple[tuple[int, ...], tuple[int, ...]]) -> bool:
    key = label_key(cluster.get("ReleaseLabel") or "")
    if key is None:
        return True
    return key >= since[1] if key >= (6, 0, 0) else key >= since[0]


def check_managed_scaling(cluster: dict, policy: dict, error: Callable[[str], Exception]) -> dict:
    if not _supported(cluster, MANAGED_SCALING_SINCE):
        raise error(f"Managed scaling is not supported for release {cluster['ReleaseLabel']}; use emr-5.30.0 or "
                    "later (except emr-6.0.0).")
    limits = policy.get("ComputeLimits")
    if limits:
        fleets = cluster["CollectionType"] == "INSTANCE_FLEET"
        unit = limits["UnitType"]
        if fleets and unit != "InstanceFleetUnits":
            raise error(f"The unit type {unit} is not valid for a cluster with instance fleets; use "
                        "InstanceFleetUnits.")
        if not fleets and unit == "InstanceFleetUnits":
            raise error("The unit type InstanceFleetUnits is not valid for a cluster with instance groups; use "
                        "Instances or VCPU.")
        low, high = limits["MinimumCapacityUnits"], limits["MaximumCapacityUnits"]
        if low < 1:
            raise error("MinimumCapacityUnits must be at least 1.")
        if low > high:
            raise error(f"MinimumCapacityUnits ({low}) must be less than or equal to MaximumCapacityUnits ({high}).")
        for name in ("MaximumOnDemandCapacityUnits", "MaximumCoreCapacityUnits"):
            if name in limits and not 0 <= limits[name] <= high:
                raise error(f"{name} ({limits[name]}) must be between 0 and MaximumCapacityUnits ({high}).")
    index = policy.get("UtilizationPerformanceIndex")
    if index is not None and index not in PERFORMANCE_INDEXES:
        raise error("UtilizationPerformanceIndex must be one of " + ", ".join(map(str, PERFORMANCE_INDEXES)) + ".")
    return policy


def auto_termination(cluster: dict, policy: Optional[dict], now: float, error: Callable[[str], Exception]) -> dict:
    """The policy as the cluster keeps it: IdleTimeout, and when it was attached (idleness counts from then)."""
    if not _supported(cluster, AUTO_TERMINATION_SINCE):
        raise error(f"Auto-termination is not supported for release {cluster['ReleaseLabel']}; use emr-5.30.0, "
                    "emr-6.1.0 or later.")
    timeout = (policy or {}).get("IdleTimeout", DEFAULT_IDLE_TIMEOUT)
    if not MIN_IDLE_TIMEOUT <= timeout <= MAX_IDLE_TIMEOUT:
        raise error(f"IdleTimeout must be between {MIN_IDLE_TIMEOUT} and {MAX_IDLE_TIMEOUT} seconds.")
    return {"IdleTimeout": timeout, "Attached": now}


def _request_error(message: str) -> Exception:
    return invalid_request(message, "INVALID_POLICY")


class PoliciesMixin:
    store: EmrStore
    runner: Any
    now: Callable[[], float]

    def put_managed_scaling_policy(self, ctx: RequestContext, params: dict) -> dict:
        def put(cluster: dict, steps: list, now: float) -> None:
            cluster["ManagedScalingPolicy"] = check_managed_scaling(cluster, params["ManagedScalingPolicy"],
                                                                    _request_error)

        self._change_policy(ctx, params["ClusterId"], put)
        return {}

    def get_managed_scaling_policy(self, ctx: RequestContext, params: dict) -> dict:
        cluster = require_cluster(self.store, ctx, params["ClusterId"])
        policy = cluster.get("ManagedScalingPolicy")
        return {"ManagedScalingPolicy": policy} if policy else {}

    def remove_managed_scaling_policy(self, ctx: RequestContext, params: dict) -> dict:
        self._change_policy(ctx, params["ClusterId"], lambda c, steps, now: c.pop("ManagedScalingPolicy", None))
        return {}

    def put_auto_termination_policy(self, ctx: RequestContext, params: dict) -> dict:
        def put(cluster: dict, steps: list, now: float) -> None:
            cluster["AutoTerminationPolicy"] = auto_termination(cluster, params.get("AutoTerminationPolicy"), now,
                                                                _request_error)

        self._change_policy(ctx, params["ClusterId"], put)
        return {}

    def get_auto_termination_policy(self, ctx: RequestContext, params: dict) -> dict:
        cluster = require_cluster(self.store, ctx, params["ClusterId"])
        policy = cluster.get("AutoTerminationPolicy")
        return {"AutoTerminationPolicy": {"IdleTimeout": policy["IdleTimeout"]}} if policy else {}

    def remove_auto_termination_policy(self, ctx: RequestContext, params: dict) -> dict:
        self._change_policy(ctx, params["ClusterId"], lambda c, steps, now: c.pop("AutoTerminationPolicy", None))
        return {}

    def _change_policy(self, ctx: RequestContext, cluster_id: str, change: Callable[[dict, list, float], Any]) -> None:
        with self.store.write() as db:
            cluster = owned(self.store.load_cluster(db, cluster_id), ctx)
            if cluster is None:
                raise cluster_not_valid(cluster_id)
            if cluster["State"] in CLUSTER_ENDING:
                raise invalid_request("A cluster that is shutting down or terminated cannot be modified.",
                                      "INVALID_CLUSTER_STATE")
            steps = self.store.load_steps(db, cluster_id)
            now = self.now()
            change(cluster, steps, now)
            lifecycle.settle(cluster, steps, now)
            self.store.save_cluster(db, cluster)
        # The worker recomputes when the cluster's idle time runs out.
        self.runner.wake(cluster_id)
