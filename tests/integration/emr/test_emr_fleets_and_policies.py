"""Instance fleets (RunJobFlow, ListInstanceFleets, AddInstanceFleet, ModifyInstanceFleet, ListInstances),
managed scaling and auto-termination policies, SetKeepJobFlowAliveWhenNoSteps and
SetUnhealthyNodeReplacement, and all of it across a restart. No JVM starts here: the only steps are
ones whose script is missing, which fail before Spark is started."""

from __future__ import annotations

import pytest
from emr_helpers import (client, cluster_state, error_of, missing_script_step, run_cluster, step_states, wait_cluster,
                         wait_for)

from lakebox.testing import running_lakebox

MASTER_FLEET = {"Name": "primary", "InstanceFleetType": "MASTER", "TargetOnDemandCapacity": 1,
                "InstanceTypeConfigs": [{"InstanceType": "m5.xlarge"}]}
CORE_FLEET = {
    "Name": "core", "InstanceFleetType": "CORE", "TargetOnDemandCapacity": 2, "TargetSpotCapacity": 4,
    "InstanceTypeConfigs": [
        {"InstanceType": "r5.2xlarge", "WeightedCapacity": 2, "BidPriceAsPercentageOfOnDemandPrice": 60.0},
        {"InstanceType": "r5.xlarge", "WeightedCapacity": 1,
         "EbsConfiguration": {"EbsBlockDeviceConfigs": [
             {"VolumeSpecification": {"VolumeType": "gp3", "SizeInGB": 64}, "VolumesPerInstance": 2}]}}],
    "LaunchSpecifications": {"SpotSpecification": {"TimeoutDurationMinutes": 20,
                                                   "TimeoutAction": "SWITCH_TO_ON_DEMAND",
                                                   "AllocationStrategy": "capacity-optimized"}},
}
TASK_FLEET = {"Name": "task", "InstanceFleetType": "TASK", "TargetSpotCapacity": 3,
              "InstanceTypeConfigs": [{"InstanceType": "c5.xlarge", "BidPrice": "0.10"}]}
SCALING = {"ComputeLimits": {"UnitType": "InstanceFleetUnits", "MinimumCapacityUnits": 2,
                             "MaximumCapacityUnits": 20, "MaximumOnDemandCapacityUnits": 6,
                             "MaximumCoreCapacityUnits": 10}}


def _fleet_cluster(emr, *fleets, **extra) -> str:
    return emr.run_job_flow(Name="fleets", ReleaseLabel="emr-6.10.0", Instances={
        "InstanceFleets": list(fleets or (MASTER_FLEET, CORE_FLEET)), "KeepJobFlowAliveWhenNoSteps": True},
        **extra)["JobFlowId"]


def _fleets(emr, cluster_id: str) -> dict:
    return {f["InstanceFleetType"]: f for f in emr.list_instance_fleets(ClusterId=cluster_id)["InstanceFleets"]}


def test_fleets_are_listed_with_their_capacities_types_and_instances(emr):
    cluster_id = _fleet_cluster(emr)
    cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    assert cluster["InstanceCollectionType"] == "INSTANCE_FLEET"

    fleets = _fleets(emr, cluster_id)
    assert set(fleets) == {"MASTER", "CORE"}
    core = fleets["CORE"]
    assert core["Id"].startswith("if-") and core["Name"] == "core"
    assert core["Status"]["State"] == "RUNNING"
    assert (core["TargetOnDemandCapacity"], core["TargetSpotCapacity"]) == (2, 4)
    assert (core["ProvisionedOnDemandCapacity"], core["ProvisionedSpotCapacity"]) == (2, 4)
    assert core["LaunchSpecifications"] == CORE_FLEET["LaunchSpecifications"]
    big, small = core["InstanceTypeSpecifications"]
    assert (big["InstanceType"], big["WeightedCapacity"], big["BidPriceAsPercentageOfOnDemandPrice"]) == \
        ("r5.2xlarge", 2, 60.0)
    assert [d["Device"] for d in small["EbsBlockDevices"]] == ["/dev/sdb", "/dev/sdc"]
    assert (fleets["MASTER"]["ProvisionedOnDemandCapacity"], fleets["MASTER"]["ProvisionedSpotCapacity"]) == (1, 0)

    # Weight 2 meets 2 On-Demand units with one instance and 4 Spot units with two.
    instances = emr.list_instances(ClusterId=cluster_id, InstanceFleetType="CORE")["Instances"]
    assert sorted(i["Market"] for i in instances) == ["ON_DEMAND", "SPOT", "SPOT"]
    assert {i["InstanceType"] for i in instances} == {"r5.2xlarge"}
    assert {i["InstanceFleetId"] for i in instances} == {core["Id"]}
    by_id = emr.list_instances(ClusterId=cluster_id, InstanceFleetId=fleets["MASTER"]["Id"])["Instances"]
    assert len(by_id) == 1 and by_id[0]["Market"] == "ON_DEMAND"
    assert len(emr.list_instances(ClusterId=cluster_id)["Instances"]) == 4

    error = error_of(emr.list_instance_groups, ClusterId=cluster_id)
    assert error["Error"]["Code"] == "InvalidRequestException"


def test_task_fleet_is_added_and_modified_and_other_changes_are_refused(emr):
    cluster_id = _fleet_cluster(emr)
    added = emr.add_instance_fleet(ClusterId=cluster_id, InstanceFleet=TASK_FLEET)
    assert added["ClusterId"] == cluster_id and added["InstanceFleetId"].startswith("if-")
    assert added["ClusterArn"].endswith(f":cluster/{cluster_id}")
    task = _fleets(emr, cluster_id)["TASK"]
    assert task["Id"] == added["InstanceFleetId"]
    assert (task["ProvisionedOnDemandCapacity"], task["ProvisionedSpotCapacity"]) == (0, 3)
    assert task["InstanceTypeSpecifications"][0]["BidPrice"] == "0.10"

    emr.modify_instance_fleet(ClusterId=cluster_id, InstanceFleet={
        "InstanceFleetId": task["Id"], "TargetOnDemandCapacity": 1, "TargetSpotCapacity": 5})
    task = _fleets(emr, cluster_id)["TASK"]
    assert (task["TargetOnDemandCapacity"], task["TargetSpotCapacity"]) == (1, 5)
    assert (task["ProvisionedOnDemandCapacity"], task["ProvisionedSpotCapacity"]) == (1, 5)
    assert len(emr.list_instances(ClusterId=cluster_id, InstanceFleetId=task["Id"])["Instances"]) == 6
    emr.modify_instance_fleet(ClusterId=cluster_id, InstanceFleet={
        "InstanceFleetId": task["Id"], "TargetOnDemandCapacity": 0, "TargetSpotCapacity": 0})
    assert emr.list_instances(ClusterId=cluster_id, InstanceFleetId=task["Id"])["Instances"] == []

    def refused(call, **kwargs) -> str:
        error = error_of(call, **kwargs)["Error"]
        assert error["Code"] == "InvalidRequestException", error
        return error["Message"]

    refused(emr.add_instance_fleet, ClusterId=cluster_id, InstanceFleet={**CORE_FLEET})
    refused(emr.add_instance_fleet, ClusterId=cluster_id, InstanceFleet=TASK_FLEET)  # it already has one
    refused(emr.modify_instance_fleet, ClusterId=cluster_id, InstanceFleet={
        "InstanceFleetId": _fleets(emr, cluster_id)["MASTER"]["Id"], "TargetOnDemandCapacity": 2})
    assert refused(emr.modify_instance_fleet, ClusterId=cluster_id, InstanceFleet={
        "InstanceFleetId": "if-UNKNOWN", "TargetOnDemandCapacity": 2}) == "Instance fleet id 'if-UNKNOWN' is not valid."
    assert refused(emr.add_instance_fleet, ClusterId="j-UNKNOWN", InstanceFleet=TASK_FLEET) == \
        "Cluster id 'j-UNKNOWN' is not valid."
    assert refused(emr.list_instance_fleets, ClusterId="j-UNKNOWN") == "Cluster id 'j-UNKNOWN' is not valid."

    groups = run_cluster(emr)
    refused(emr.add_instance_fleet, ClusterId=groups, InstanceFleet=TASK_FLEET)
    refused(emr.list_instance_fleets, ClusterId=groups)

    emr.terminate_job_flows(JobFlowIds=[cluster_id])
    refused(emr.modify_instance_fleet, ClusterId=cluster_id, InstanceFleet={
        "InstanceFleetId": task["Id"], "TargetSpotCapacity": 1})
    ended = _fleets(emr, cluster_id)["CORE"]
    assert ended["Status"]["State"] == "TERMINATED" and ended["ProvisionedSpotCapacity"] == 0


@pytest.mark.parametrize("instances", [
    {"InstanceFleets": [MASTER_FLEET], "InstanceGroups": [
        {"InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1}]},
    {"InstanceFleets": [{**MASTER_FLEET, "TargetOnDemandCapacity": 2}]},
    {"InstanceFleets": [{**MASTER_FLEET, "TargetSpotCapacity": 1}]},
    {"InstanceFleets": [CORE_FLEET]},
    {"InstanceFleets": [MASTER_FLEET, {**CORE_FLEET, "TargetOnDemandCapacity": 0, "TargetSpotCapacity": 0}]},
    {"InstanceFleets": [MASTER_FLEET, {**TASK_FLEET, "InstanceTypeConfigs": []}]},
], ids=["fleets-and-groups", "master-of-two", "master-of-both-markets", "no-master", "no-capacity", "no-types"])
def test_run_job_flow_refuses_bad_fleets(emr, instances):
    error = error_of(emr.run_job_flow, Name="bad", Instances=instances)
    assert error["Error"]["Code"] == "ValidationException"
    assert emr.list_clusters()["Clusters"] == []


def test_managed_scaling_policy_is_put_got_checked_and_removed(emr):
    cluster_id = _fleet_cluster(emr, MASTER_FLEET, CORE_FLEET, ManagedScalingPolicy=SCALING)
    assert emr.get_managed_scaling_policy(ClusterId=cluster_id)["ManagedScalingPolicy"] == SCALING

    wider = {"ComputeLimits": {**SCALING["ComputeLimits"], "MaximumCapacityUnits": 40}}
    emr.put_managed_scaling_policy(ClusterId=cluster_id, ManagedScalingPolicy=wider)
    assert emr.get_managed_scaling_policy(ClusterId=cluster_id)["ManagedScalingPolicy"] == wider

    for limits in ({"MinimumCapacityUnits": 50, "MaximumCapacityUnits": 10},
                   {"MaximumOnDemandCapacityUnits": 41},
                   {"UnitType": "Instances"}):
        bad = {"ComputeLimits": {**wider["ComputeLimits"], **limits}}
        error = error_of(emr.put_managed_scaling_policy, ClusterId=cluster_id, ManagedScalingPolicy=bad)
        assert error["Error"]["Code"] == "InvalidRequestException", limits
    error = error_of(emr.put_managed_scaling_policy, ClusterId=cluster_id, ManagedScalingPolicy={"ComputeLimits": {
        **wider["ComputeLimits"], "MinimumCapacityUnits": 50, "MaximumCapacityUnits": 10}})
    assert "MinimumCapacityUnits" in error["Error"]["Message"]
    assert emr.get_managed_scaling_policy(ClusterId=cluster_id)["ManagedScalingPolicy"] == wider  # unchanged

    emr.remove_managed_scaling_policy(ClusterId=cluster_id)
    assert "ManagedScalingPolicy" not in emr.get_managed_scaling_policy(ClusterId=cluster_id)

    # Instance groups count in Instances or VCPU; RunJobFlow checks the same limits.
    groups = run_cluster(emr, ManagedScalingPolicy={"ComputeLimits": {
        "UnitType": "Instances", "MinimumCapacityUnits": 1, "MaximumCapacityUnits": 4}})
    assert emr.get_managed_scaling_policy(ClusterId=groups)["ManagedScalingPolicy"]["ComputeLimits"][
        "UnitType"] == "Instances"
    error = error_of(emr.run_job_flow, Name="bad", Instances={"MasterInstanceType": "m5.xlarge"},
                     ManagedScalingPolicy={"ComputeLimits": {"UnitType": "VCPU", "MinimumCapacityUnits": 8,
                                                             "MaximumCapacityUnits": 4}})
    assert error["Error"]["Code"] == "ValidationException"
    error = error_of(emr.get_managed_scaling_policy, ClusterId="j-UNKNOWN")
    assert error["Error"] == {"Code": "InvalidRequestException", "Message": "Cluster id 'j-UNKNOWN' is not valid."}


def test_auto_termination_policy_ends_an_idle_cluster_on_the_service_clock(emr, lakebox_server):
    idle = run_cluster(emr, name="idle", AutoTerminationPolicy={"IdleTimeout": 600})
    kept = run_cluster(emr, name="kept")
    emr.put_auto_termination_policy(ClusterId=kept, AutoTerminationPolicy={"IdleTimeout": 60})
    assert emr.get_auto_termination_policy(ClusterId=kept)["AutoTerminationPolicy"] == {"IdleTimeout": 60}
    emr.remove_auto_termination_policy(ClusterId=kept)
    assert "AutoTerminationPolicy" not in emr.get_auto_termination_policy(ClusterId=kept)
    assert emr.get_auto_termination_policy(ClusterId=idle)["AutoTerminationPolicy"] == {"IdleTimeout": 600}

    for timeout in (59, 604801):
        error = error_of(emr.put_auto_termination_policy, ClusterId=kept, AutoTerminationPolicy={
            "IdleTimeout": timeout})
        assert error["Error"]["Code"] == "InvalidRequestException"
    error = error_of(emr.run_job_flow, Name="bad", Instances={"MasterInstanceType": "m5.xlarge"},
                     AutoTerminationPolicy={"IdleTimeout": 10})
    assert error["Error"]["Code"] == "ValidationException"

    lakebox_server.advance_clock("590s")
    assert cluster_state(emr, idle) == "WAITING"
    # A step resets the idle time: it fails at once (its script is missing), and idleness counts from then.
    emr.add_job_flow_steps(JobFlowId=idle, Steps=[missing_script_step("short", "CONTINUE")])
    wait_for(lambda: step_states(emr, idle), lambda s: s == ["FAILED"], what="the step to fail")
    lakebox_server.advance_clock("590s")
    assert cluster_state(emr, idle) == "WAITING"
    lakebox_server.advance_clock("20s")
    ended = emr.describe_cluster(ClusterId=idle)["Cluster"]
    assert ended["Status"]["State"] == "TERMINATED"
    assert ended["Status"]["StateChangeReason"]["Code"] == "ALL_STEPS_COMPLETED"
    assert "idle" in ended["Status"]["StateChangeReason"]["Message"]
    assert cluster_state(emr, kept) == "WAITING"  # its policy was removed
    error = error_of(emr.put_auto_termination_policy, ClusterId=idle, AutoTerminationPolicy={"IdleTimeout": 60})
    assert error["Error"]["Code"] == "InvalidRequestException"


def test_keep_alive_can_be_switched_off_and_on_and_unhealthy_node_replacement_set(emr, lakebox_server):
    done = run_cluster(emr, name="done", steps=[missing_script_step("only", "CONTINUE")])
    wait_for(lambda: step_states(emr, done), lambda s: s == ["FAILED"], what="the step to fail")
    assert cluster_state(emr, done) == "WAITING"
    assert emr.describe_cluster(ClusterId=done)["Cluster"]["AutoTerminate"] is False
    emr.set_keep_job_flow_alive_when_no_steps(JobFlowIds=[done], KeepJobFlowAliveWhenNoSteps=False)
    ended = wait_cluster(emr, done, "TERMINATED", timeout=5)
    assert ended["Status"]["StateChangeReason"]["Code"] == "ALL_STEPS_COMPLETED"
    assert ended["AutoTerminate"] is True

    # A cluster made to end once idle is kept alive instead.
    transient = emr.run_job_flow(Name="transient", Instances={"MasterInstanceType": "m5.xlarge"})["JobFlowId"]
    emr.set_keep_job_flow_alive_when_no_steps(JobFlowIds=[transient], KeepJobFlowAliveWhenNoSteps=True)
    lakebox_server.advance_clock("2m")
    assert cluster_state(emr, transient) == "WAITING"

    emr.set_unhealthy_node_replacement(JobFlowIds=[transient], UnhealthyNodeReplacement=True)
    assert emr.describe_cluster(ClusterId=transient)["Cluster"]["UnhealthyNodeReplacement"] is True
    error = error_of(emr.set_keep_job_flow_alive_when_no_steps, JobFlowIds=["j-UNKNOWN"],
                     KeepJobFlowAliveWhenNoSteps=True)
    assert error["Error"] == {"Code": "ValidationException", "Message": "Specified job flow ID does not exist."}
    error = error_of(emr.set_unhealthy_node_replacement, JobFlowIds=[done], UnhealthyNodeReplacement=False)
    assert error["Error"]["Code"] == "ValidationException"  # it has ended


def test_fleets_policies_and_settings_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        emr = client(server.endpoint_url, "emr")
        cluster_id = _fleet_cluster(emr, MASTER_FLEET, CORE_FLEET, ManagedScalingPolicy=SCALING,
                                    AutoTerminationPolicy={"IdleTimeout": 3600})
        emr.add_instance_fleet(ClusterId=cluster_id, InstanceFleet=TASK_FLEET)
        emr.set_unhealthy_node_replacement(JobFlowIds=[cluster_id], UnhealthyNodeReplacement=False)
        before = _fleets(emr, cluster_id)
        instances = emr.list_instances(ClusterId=cluster_id)["Instances"]

    with running_lakebox(data, set_env=False) as server:
        emr = client(server.endpoint_url, "emr")
        assert _fleets(emr, cluster_id) == before
        assert emr.list_instances(ClusterId=cluster_id)["Instances"] == instances
        assert emr.get_managed_scaling_policy(ClusterId=cluster_id)["ManagedScalingPolicy"] == SCALING
        assert emr.get_auto_termination_policy(ClusterId=cluster_id)["AutoTerminationPolicy"] == {"IdleTimeout": 3600}
        cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
        assert cluster["UnhealthyNodeReplacement"] is False and cluster["Status"]["State"] == "WAITING"
        # The policy is still enforced after the restart.
        server.advance_clock("1h1m")
        ended = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]
        assert (ended["State"], ended["StateChangeReason"]["Code"]) == ("TERMINATED", "ALL_STEPS_COMPLETED")
