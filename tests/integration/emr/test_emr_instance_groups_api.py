"""Instance groups beyond RunJobFlow: EBS devices, automatic scaling policies, AddInstanceGroups,
ModifyInstanceGroups, clusters with three master nodes, and the instances' public address."""

from __future__ import annotations

import copy

from emr_helpers import error_of, run_cluster

MASTER = {"Name": "master", "InstanceRole": "MASTER", "InstanceType": "m5.xlarge", "InstanceCount": 1}
CORE = {"Name": "core", "InstanceRole": "CORE", "InstanceType": "r5.xlarge", "InstanceCount": 2}
POLICY = {
    "Constraints": {"MinCapacity": 2, "MaxCapacity": 8},
    "Rules": [{"Name": "scale-out", "Description": "YARN memory low",
               "Action": {"SimpleScalingPolicyConfiguration": {"AdjustmentType": "CHANGE_IN_CAPACITY",
                                                                "ScalingAdjustment": 1, "CoolDown": 300}},
               "Trigger": {"CloudWatchAlarmDefinition": {
                   "ComparisonOperator": "LESS_THAN", "EvaluationPeriods": 1,
                   "MetricName": "YARNMemoryAvailablePercentage", "Namespace": "AWS/ElasticMapReduce", "Period": 300,
                   "Threshold": 15.0, "Statistic": "AVERAGE", "Unit": "PERCENT",
                   "Dimensions": [{"Key": "JobFlowId", "Value": "${emr.clusterId}"}]}}}],
}


def _groups_cluster(emr, *groups, **extra) -> str:
    return emr.run_job_flow(Name="groups", Instances={"InstanceGroups": list(groups),
                                                      "KeepJobFlowAliveWhenNoSteps": True}, **extra)["JobFlowId"]


def _groups_by_name(emr, cluster_id: str) -> dict:
    return {g["Name"]: g for g in emr.list_instance_groups(ClusterId=cluster_id)["InstanceGroups"]}


def _policy_for(cluster_id: str) -> dict:
    policy = copy.deepcopy(POLICY)
    policy["Rules"][0]["Trigger"]["CloudWatchAlarmDefinition"]["Dimensions"][0]["Value"] = cluster_id
    return policy


def test_group_ebs_volumes_become_devices_of_the_group_and_of_each_instance(emr):
    task = {"Name": "task", "InstanceRole": "TASK", "InstanceType": "c5.xlarge", "InstanceCount": 2, "Market": "SPOT",
            "BidPrice": "0.05", "EbsConfiguration": {"EbsOptimized": True, "EbsBlockDeviceConfigs": [
                {"VolumeSpecification": {"VolumeType": "gp2", "SizeInGB": 100}, "VolumesPerInstance": 2},
                {"VolumeSpecification": {"VolumeType": "io1", "SizeInGB": 50, "Iops": 500}}]}}
    cluster_id = _groups_cluster(emr, MASTER, task)
    group = _groups_by_name(emr, cluster_id)["task"]
    assert group["EbsOptimized"] is True and group["BidPrice"] == "0.05" and group["Market"] == "SPOT"
    assert [(d["Device"], d["VolumeSpecification"]) for d in group["EbsBlockDevices"]] == [
        ("/dev/sdb", {"VolumeType": "gp2", "SizeInGB": 100}), ("/dev/sdc", {"VolumeType": "gp2", "SizeInGB": 100}),
        ("/dev/sdd", {"VolumeType": "io1", "SizeInGB": 50, "Iops": 500})]
    assert group["Status"]["StateChangeReason"] == {"Message": ""}
    instances = emr.list_instances(ClusterId=cluster_id, InstanceGroupId=group["Id"])["Instances"]
    assert len(instances) == 2
    for instance in instances:
        assert [v["Device"] for v in instance["EbsVolumes"]] == ["/dev/sdb", "/dev/sdc", "/dev/sdd"]
        assert all(v["VolumeId"].startswith("vol-") for v in instance["EbsVolumes"])
    master = _groups_by_name(emr, cluster_id)["master"]
    assert master["EbsBlockDevices"] == [] and master["EbsOptimized"] is False


def test_a_scaling_policy_given_at_creation_is_attached_with_the_cluster_id(emr):
    cluster_id = _groups_cluster(emr, MASTER, {**CORE, "AutoScalingPolicy": POLICY})
    groups = _groups_by_name(emr, cluster_id)
    policy = groups["core"]["AutoScalingPolicy"]
    assert policy.pop("Status") == {"State": "ATTACHED", "StateChangeReason": {"Message": ""}}
    assert policy == _policy_for(cluster_id)
    assert "AutoScalingPolicy" not in groups["master"]
    error = error_of(emr.run_job_flow, Name="bad",
                     Instances={"InstanceGroups": [{**MASTER, "AutoScalingPolicy": POLICY}]})
    assert error["Error"] == {"Code": "ValidationException",
                              "Message": "The master instance group cannot have an automatic scaling policy."}


def test_put_and_remove_auto_scaling_policy(emr):
    cluster_id = _groups_cluster(emr, MASTER, CORE)
    groups = _groups_by_name(emr, cluster_id)
    response = emr.put_auto_scaling_policy(ClusterId=cluster_id, InstanceGroupId=groups["core"]["Id"],
                                           AutoScalingPolicy=POLICY)
    assert response["ClusterId"] == cluster_id and response["InstanceGroupId"] == groups["core"]["Id"]
    assert response["ClusterArn"].endswith(f":cluster/{cluster_id}")
    assert response["AutoScalingPolicy"]["Status"]["State"] == "ATTACHED"
    listed = _groups_by_name(emr, cluster_id)["core"]["AutoScalingPolicy"]
    assert listed == response["AutoScalingPolicy"]
    assert listed["Rules"][0]["Trigger"]["CloudWatchAlarmDefinition"]["Dimensions"] == [
        {"Key": "JobFlowId", "Value": cluster_id}]

    emr.remove_auto_scaling_policy(ClusterId=cluster_id, InstanceGroupId=groups["core"]["Id"])
    assert "AutoScalingPolicy" not in _groups_by_name(emr, cluster_id)["core"]

    assert error_of(emr.put_auto_scaling_policy, ClusterId=cluster_id, InstanceGroupId=groups["master"]["Id"],
                    AutoScalingPolicy=POLICY)["Error"]["Code"] == "ValidationException"
    bad = copy.deepcopy(POLICY)
    bad["Constraints"] = {"MinCapacity": 5, "MaxCapacity": 2}
    assert "MinCapacity" in error_of(emr.put_auto_scaling_policy, ClusterId=cluster_id,
                                     InstanceGroupId=groups["core"]["Id"], AutoScalingPolicy=bad)["Error"]["Message"]
    assert error_of(emr.put_auto_scaling_policy, ClusterId=cluster_id, InstanceGroupId="ig-NOPE",
                    AutoScalingPolicy=POLICY)["Error"] == {"Code": "ValidationException",
                                                            "Message": "Instance group id 'ig-NOPE' is not valid."}
    emr.terminate_job_flows(JobFlowIds=[cluster_id])
    assert error_of(emr.remove_auto_scaling_policy, ClusterId=cluster_id,
                    InstanceGroupId=groups["core"]["Id"])["Error"]["Code"] == "ValidationException"


def test_add_and_modify_instance_groups_change_the_instances(emr):
    cluster_id = _groups_cluster(emr, MASTER, CORE)
    task = {"Name": "task", "InstanceRole": "TASK", "InstanceType": "c5.xlarge", "InstanceCount": 4,
            "AutoScalingPolicy": POLICY}
    response = emr.add_instance_groups(JobFlowId=cluster_id, InstanceGroups=[task])
    assert response["JobFlowId"] == cluster_id and response["ClusterArn"].endswith(cluster_id)
    [task_id] = response["InstanceGroupIds"]
    groups = _groups_by_name(emr, cluster_id)
    assert groups["task"]["Id"] == task_id and groups["task"]["RunningInstanceCount"] == 4
    assert groups["task"]["AutoScalingPolicy"]["Rules"][0]["Trigger"]["CloudWatchAlarmDefinition"]["Dimensions"][0][
        "Value"] == cluster_id
    job_flow = emr.describe_job_flows(JobFlowIds=[cluster_id])["JobFlows"][0]
    assert job_flow["Instances"]["InstanceCount"] == 7
    assert {g["Name"]: g["InstanceRunningCount"] for g in job_flow["Instances"]["InstanceGroups"]} == {
        "master": 1, "core": 2, "task": 4}

    task_instances = emr.list_instances(ClusterId=cluster_id, InstanceGroupTypes=["TASK"])["Instances"]
    gone = task_instances[1]["Ec2InstanceId"]
    emr.modify_instance_groups(InstanceGroups=[{"InstanceGroupId": task_id, "InstanceCount": 2,
                                                "EC2InstanceIdsToTerminate": [gone]},
                                               {"InstanceGroupId": groups["core"]["Id"], "InstanceCount": 3}])
    after = {i["Ec2InstanceId"] for i in emr.list_instances(ClusterId=cluster_id, InstanceGroupTypes=["TASK"])[
        "Instances"]}
    assert len(after) == 2 and gone not in after and after < {i["Ec2InstanceId"] for i in task_instances}
    groups = _groups_by_name(emr, cluster_id)
    assert (groups["task"]["RequestedInstanceCount"], groups["core"]["RunningInstanceCount"]) == (2, 3)
    core_ips = {i["PrivateIpAddress"] for i in emr.list_instances(ClusterId=cluster_id, InstanceGroupTypes=["CORE"])[
        "Instances"]}
    all_ips = [i["PrivateIpAddress"] for i in emr.list_instances(ClusterId=cluster_id)["Instances"]]
    assert len(core_ips) == 3 and len(all_ips) == len(set(all_ips)) == 6

    for groups_to_add, words in (([{**MASTER, "Name": "m2"}], "master instance group"),
                                 ([{**CORE, "Name": "c2"}], "already has a core")):
        error = error_of(emr.add_instance_groups, JobFlowId=cluster_id, InstanceGroups=groups_to_add)
        assert error["Error"]["Code"] == "ValidationException" and words in error["Error"]["Message"]
    assert "master" in error_of(emr.modify_instance_groups, ClusterId=cluster_id, InstanceGroups=[
        {"InstanceGroupId": groups["master"]["Id"], "InstanceCount": 3}])["Error"]["Message"]
    assert error_of(emr.add_instance_groups, JobFlowId="j-NOPE", InstanceGroups=[task])["Error"] == {
        "Code": "ValidationException", "Message": "Specified job flow ID does not exist."}
    # A refused request changes nothing.
    assert len(emr.list_instance_groups(ClusterId=cluster_id)["InstanceGroups"]) == 3


def test_three_master_nodes_make_a_protected_cluster_that_stays_up(emr):
    cluster_id = emr.run_job_flow(Name="ha", Instances={
        "InstanceGroups": [{**MASTER, "InstanceCount": 3}], "KeepJobFlowAliveWhenNoSteps": False,
        "TerminationProtected": False})["JobFlowId"]
    cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    assert (cluster["Status"]["State"], cluster["AutoTerminate"], cluster["TerminationProtected"]) == (
        "WAITING", False, True)
    assert [(g["RequestedInstanceCount"], g["RunningInstanceCount"])
            for g in emr.list_instance_groups(ClusterId=cluster_id)["InstanceGroups"]] == [(3, 3)]
    assert error_of(emr.terminate_job_flows, JobFlowIds=[cluster_id])["Error"]["Code"] == "ValidationException"
    emr.set_termination_protection(JobFlowIds=[cluster_id], TerminationProtected=False)
    emr.terminate_job_flows(JobFlowIds=[cluster_id])
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] == "TERMINATED"
    error = error_of(emr.run_job_flow, Name="two", Instances={"InstanceGroups": [{**MASTER, "InstanceCount": 2}]})
    assert error["Error"] == {"Code": "ValidationException",
                              "Message": "Master instance group must have exactly 3 instances for HA clusters."}


def test_master_dns_and_instances_public_address_are_this_server_even_after_termination(emr, lakebox_server):
    host = lakebox_server.endpoint_url.split("//")[1].rsplit(":", 1)[0]
    cluster_id = run_cluster(emr)
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["MasterPublicDnsName"] == host
    [instance] = emr.list_instances(ClusterId=cluster_id)["Instances"]
    assert (instance["PublicDnsName"], instance["PublicIpAddress"]) == (host, "127.0.0.1")
    assert instance["PrivateDnsName"] == f"ip-{instance['PrivateIpAddress'].replace('.', '-')}.ec2.internal"
    emr.terminate_job_flows(JobFlowIds=[cluster_id])
    ended = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    assert ended["Status"]["State"] == "TERMINATED" and ended["MasterPublicDnsName"] == host
