"""Clusters: RunJobFlow, DescribeCluster, ListClusters, TerminateJobFlows, SetTerminationProtection,
SetVisibleToAllUsers, SetKeepJobFlowAliveWhenNoSteps, SetUnhealthyNodeReplacement, ModifyCluster,
AddTags and RemoveTags.

RunJobFlow commits the cluster and its steps in one transaction and starts the cluster's worker.
There is no EC2 to boot, so the cluster leaves STARTING before RunJobFlow returns: RUNNING when it has
steps, WAITING when it is kept alive without any, TERMINATED (ALL_STEPS_COMPLETED) when it is neither.
A `cluster_running` waiter therefore succeeds on its first call.

SetKeepJobFlowAliveWhenNoSteps takes effect at once: a WAITING cluster whose steps are done and that
is no longer kept alive terminates (ALL_STEPS_COMPLETED); a RUNNING one ends after its last step.

TerminateJobFlows checks every id before it changes anything: an unknown id, or a cluster under
termination protection, refuses the whole request and every cluster stays as it was. A cluster with
a running driver is TERMINATING until its worker has stopped the driver.
"""

from __future__ import annotations

from typing import Any, Callable

from ...protocol.context import RequestContext
from . import lifecycle
from .cluster_config import MAX_STEP_CONCURRENCY, cluster_output, cluster_summary, merge_tags, new_cluster
from .common import (CLUSTER_ENDING, cluster_not_valid, invalid_request, job_flow_ended, job_flow_not_found, owned,
                     page, require_cluster, validation)
from .steps import check_actions, new_steps
from .store import EmrStore

MAX_TAGS = 50


class ClustersMixin:
    store: EmrStore
    runner: Any
    now: Callable[[], float]
    config: Any

    def run_job_flow(self, ctx: RequestContext, params: dict) -> dict:
        now = self.now()
        cluster = new_cluster(ctx, params, now, self.config.host)
        configs = params.get("Steps") or []
        check_actions(cluster, configs)
        steps = new_steps(cluster, configs, now, params.get("StepExecutionRoleArn"))
        lifecycle.settle(cluster, steps, now)
        with self.store.write() as db:
            self.store.insert_cluster(db, cluster)
            self.store.save_steps(db, steps)
        if cluster["State"] not in CLUSTER_ENDING:
            self.runner.ensure(cluster["Id"])
        return {"JobFlowId": cluster["Id"], "ClusterArn": cluster["Arn"]}

    def describe_cluster(self, ctx: RequestContext, params: dict) -> dict:
        return {"Cluster": cluster_output(require_cluster(self.store, ctx, params["ClusterId"]))}

    def list_clusters(self, ctx: RequestContext, params: dict) -> dict:
        clusters = self.store.clusters(ctx.account_id, ctx.region)
        states = params.get("ClusterStates")
        after, before = params.get("CreatedAfter"), params.get("CreatedBefore")
        found = [c for c in clusters
                 if (not states or c["State"] in states)
                 and (after is None or c["Created"] >= after.timestamp())
                 and (before is None or c["Created"] <= before.timestamp())]
        chunk, marker = page(found, params.get("Marker"))
        return {"Clusters": [cluster_summary(c) for c in chunk], "Marker": marker}

    # -- changes that name clusters by JobFlowIds ---------------------------------------------------------

    def _change_job_flows(self, ctx: RequestContext, ids: list[str], change: Callable[[dict, list, float], None],
                          check: Callable[[dict], None] = lambda c: None) -> list[dict]:
        """Load every cluster named, check them all, then change them all, in one transaction."""
        with self.store.write() as db:
            clusters = []
            for cluster_id in dict.fromkeys(ids):
                cluster = owned(self.store.load_cluster(db, cluster_id), ctx)
                if cluster is None:
                    raise job_flow_not_found()
                clusters.append(cluster)
            for cluster in clusters:
                check(cluster)
            now = self.now()
            for cluster in clusters:
                steps = self.store.load_steps(db, cluster["Id"])
                change(cluster, steps, now)
                self.store.save_cluster(db, cluster)
                self.store.save_steps(db, steps)
        for cluster in clusters:
            self.runner.wake(cluster["Id"])
        return clusters

    def terminate_job_flows(self, ctx: RequestContext, params: dict) -> dict:
        def check(cluster: dict) -> None:
            if cluster["TerminationProtected"] and cluster["State"] not in CLUSTER_ENDING:
                raise validation("Could not shut down one or more job flows since they are termination protected.")

        self._change_job_flows(ctx, params["JobFlowIds"], lifecycle.terminate, check)
        return {}

    def set_termination_protection(self, ctx: RequestContext, params: dict) -> dict:
        def protect(cluster: dict, steps: list, now: float) -> None:
            cluster["TerminationProtected"] = params["TerminationProtected"]

        self._change_job_flows(ctx, params["JobFlowIds"], protect, _must_be_live)
        return {}

    def set_visible_to_all_users(self, ctx: RequestContext, params: dict) -> dict:
        def show(cluster: dict, steps: list, now: float) -> None:
            cluster["VisibleToAllUsers"] = params["VisibleToAllUsers"]

        self._change_job_flows(ctx, params["JobFlowIds"], show, _must_be_live)
        return {}

    def set_keep_job_flow_alive_when_no_steps(self, ctx: RequestContext, params: dict) -> dict:
        def keep(cluster: dict, steps: list, now: float) -> None:
            cluster["KeepAlive"] = params["KeepJobFlowAliveWhenNoSteps"]
            lifecycle.settle(cluster, steps, now)

        self._change_job_flows(ctx, params["JobFlowIds"], keep, _must_be_live)
        return {}

    def set_unhealthy_node_replacement(self, ctx: RequestContext, params: dict) -> dict:
        def replace(cluster: dict, steps: list, now: float) -> None:
            cluster["UnhealthyNodeReplacement"] = params["UnhealthyNodeReplacement"]

        self._change_job_flows(ctx, params["JobFlowIds"], replace, _must_be_live)
        return {}

    def modify_cluster(self, ctx: RequestContext, params: dict) -> dict:
        cluster_id = params["ClusterId"]
        with self.store.write() as db:
            cluster = owned(self.store.load_cluster(db, cluster_id), ctx)
            if cluster is None:
                raise cluster_not_valid(cluster_id)
            if "StepConcurrencyLevel" in params:
                if cluster["State"] in CLUSTER_ENDING:
                    raise invalid_request("A cluster that is shutting down or terminated cannot be modified.",
                                          "INVALID_CLUSTER_STATE")
                if not 1 <= params["StepConcurrencyLevel"] <= MAX_STEP_CONCURRENCY:
                    raise invalid_request(f"StepConcurrencyLevel must be between 1 and {MAX_STEP_CONCURRENCY}.",
                                          "INVALID_STEP_CONCURRENCY_LEVEL")
                cluster["StepConcurrencyLevel"] = params["StepConcurrencyLevel"]
            if "ExtendedSupport" in params:
                cluster.setdefault("Extra", {})["ExtendedSupport"] = params["ExtendedSupport"]
            self.store.save_cluster(db, cluster)
        self.runner.wake(cluster_id)
        out = {"StepConcurrencyLevel": cluster["StepConcurrencyLevel"]}
        if "ExtendedSupport" in cluster.get("Extra", {}):
            out["ExtendedSupport"] = cluster["Extra"]["ExtendedSupport"]
        return out

    # -- tags --------------------------------------------------------------------------------------------

    def add_tags(self, ctx: RequestContext, params: dict) -> dict:
        for tag in params["Tags"]:
            if not tag.get("Key"):
                raise invalid_request("Tag keys must not be empty.", "INVALID_TAG")
            if len(tag["Key"]) > 128 or len(tag.get("Value") or "") > 256:
                raise invalid_request("A tag key can have up to 128 characters and a value up to 256.", "INVALID_TAG")

        def tag(cluster: dict) -> None:
            cluster["Tags"] = merge_tags(cluster["Tags"], params["Tags"])
            if len(cluster["Tags"]) > MAX_TAGS:
                raise invalid_request(f"A cluster can have at most {MAX_TAGS} tags.", "TOO_MANY_TAGS")

        self._change_tags(ctx, params["ResourceId"], tag)
        return {}

    def remove_tags(self, ctx: RequestContext, params: dict) -> dict:
        gone = set(params["TagKeys"])

        def untag(cluster: dict) -> None:
            cluster["Tags"] = [t for t in cluster["Tags"] if t["Key"] not in gone]

        self._change_tags(ctx, params["ResourceId"], untag)
        return {}

    def _change_tags(self, ctx: RequestContext, resource_id: str, change: Callable[[dict], None]) -> None:
        with self.store.write() as db:
            cluster = owned(self.store.load_cluster(db, resource_id), ctx)
            if cluster is None:
                raise invalid_request(f"Resource id '{resource_id}' is not valid.", "INVALID_RESOURCE_ID")
            change(cluster)
            self.store.save_cluster(db, cluster)


def _must_be_live(cluster: dict) -> None:
    if cluster["State"] in CLUSTER_ENDING:
        raise job_flow_ended()

