"""The EMR cluster API without Spark: ids, errors for unknown ids and bad input, termination
protection, tags, visibility, ModifyCluster, ListClusters filters and paging, DescribeJobFlows,
regions, and the clusters' state across a restart of the server."""

from __future__ import annotations

import datetime as dt
import re

from emr_helpers import SMALL, client, cluster_state, error_of, missing_script_step, run_cluster, wait_cluster, wait_for

from lakebox.testing import running_lakebox


def test_run_job_flow_returns_an_emr_cluster_id_and_arn(emr):
    response = emr.run_job_flow(Name="ids", **SMALL)
    assert re.fullmatch(r"j-[A-Z0-9]{13}", response["JobFlowId"])
    assert response["ClusterArn"] == f"arn:aws:elasticmapreduce:us-east-1:000000000000:cluster/{response['JobFlowId']}"
    cluster = emr.describe_cluster(ClusterId=response["JobFlowId"])["Cluster"]
    assert cluster["Status"]["State"] == "WAITING"
    emr.get_waiter("cluster_running").wait(ClusterId=response["JobFlowId"])  # first poll succeeds: no delay
    groups = emr.list_instance_groups(ClusterId=response["JobFlowId"])["InstanceGroups"]
    assert [(g["InstanceGroupType"], g["RequestedInstanceCount"]) for g in groups] == [("MASTER", 1)]
    assert re.fullmatch(r"ig-[A-Z0-9]{13}", groups[0]["Id"])


def test_unknown_cluster_ids_get_each_operation_s_error(emr):
    for call, kwargs in ((emr.describe_cluster, {"ClusterId": "j-UNKNOWN"}),
                         (emr.list_steps, {"ClusterId": "j-UNKNOWN"}),
                         (emr.list_instance_groups, {"ClusterId": "j-UNKNOWN"}),
                         (emr.list_instances, {"ClusterId": "j-UNKNOWN"}),
                         (emr.list_bootstrap_actions, {"ClusterId": "j-UNKNOWN"}),
                         (emr.describe_step, {"ClusterId": "j-UNKNOWN", "StepId": "s-X"}),
                         (emr.cancel_steps, {"ClusterId": "j-UNKNOWN", "StepIds": ["s-X"]}),
                         (emr.modify_cluster, {"ClusterId": "j-UNKNOWN", "StepConcurrencyLevel": 2})):
        error = error_of(call, **kwargs)
        assert error["Error"] == {"Code": "InvalidRequestException", "Message": "Cluster id 'j-UNKNOWN' is not valid."}
        assert error["ErrorCode"] == "INVALID_CLUSTER_ID"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    for call, kwargs in ((emr.add_job_flow_steps, {"JobFlowId": "j-UNKNOWN",
                                                   "Steps": [missing_script_step("x", "CONTINUE")]}),
                         (emr.terminate_job_flows, {"JobFlowIds": ["j-UNKNOWN"]}),
                         (emr.set_termination_protection, {"JobFlowIds": ["j-UNKNOWN"], "TerminationProtected": True}),
                         (emr.set_visible_to_all_users, {"JobFlowIds": ["j-UNKNOWN"], "VisibleToAllUsers": False})):
        assert error_of(call, **kwargs)["Error"] == {"Code": "ValidationException",
                                                     "Message": "Specified job flow ID does not exist."}


def test_unknown_step_id_is_not_valid(emr):
    cluster_id = run_cluster(emr)
    error = error_of(emr.describe_step, ClusterId=cluster_id, StepId="s-NOPE")
    assert error["Error"] == {"Code": "InvalidRequestException", "Message": "Step id 's-NOPE' is not valid."}
    assert emr.cancel_steps(ClusterId=cluster_id, StepIds=["s-NOPE"])["CancelStepsInfoList"] == [
        {"StepId": "s-NOPE", "Status": "FAILED", "Reason": "Step id 's-NOPE' is not valid."}]


def test_bad_input_is_refused_and_creates_nothing(emr, raw_emr):
    for instances, words in (({"KeepJobFlowAliveWhenNoSteps": True}, "must be specified"),
                             ({"InstanceGroups": [{"InstanceRole": "CORE", "InstanceType": "m5.xlarge",
                                                   "InstanceCount": 2}]}, "Exactly one MASTER"),
                             ({"InstanceGroups": [{"InstanceRole": "MASTER", "InstanceType": "m5.xlarge",
                                                   "InstanceCount": 2}]}, "exactly 3 instances for HA")):
        error = error_of(emr.run_job_flow, Name="bad", Instances=instances)
        assert error["Error"]["Code"] == "ValidationException" and words in error["Error"]["Message"]
    error = error_of(emr.run_job_flow, Name="bad", StepConcurrencyLevel=300, **SMALL)
    assert error["Error"]["Message"] == "StepConcurrencyLevel must be between 1 and 256."
    # A request the model refuses (no Name) gets EMR's validation error from the server itself.
    error = error_of(raw_emr.run_job_flow, Instances=SMALL["Instances"])
    assert error["Error"]["Code"] == "ValidationException"
    assert "name" in error["Error"]["Message"].lower()
    assert emr.list_clusters()["Clusters"] == []


def test_termination_protection_refuses_terminate_job_flows_and_the_cluster_stays(emr):
    protected = run_cluster(emr, name="protected")
    other = run_cluster(emr, name="other")
    emr.set_termination_protection(JobFlowIds=[protected], TerminationProtected=True)
    assert emr.describe_cluster(ClusterId=protected)["Cluster"]["TerminationProtected"] is True
    error = error_of(emr.terminate_job_flows, JobFlowIds=[other, protected])
    assert error["Error"] == {"Code": "ValidationException", "Message":
                              "Could not shut down one or more job flows since they are termination protected."}
    # The whole request was refused: both clusters still wait.
    assert [emr.describe_cluster(ClusterId=c)["Cluster"]["Status"]["State"] for c in (protected, other)] == [
        "WAITING", "WAITING"]
    emr.set_termination_protection(JobFlowIds=[protected], TerminationProtected=False)
    emr.terminate_job_flows(JobFlowIds=[other, protected])
    for cluster_id in (protected, other):
        assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Status"]["State"] == "TERMINATED"
    # Terminating again is harmless; changing a terminated cluster is not allowed.
    emr.terminate_job_flows(JobFlowIds=[protected])
    error = error_of(emr.set_termination_protection, JobFlowIds=[protected], TerminationProtected=True)
    assert error["Error"]["Code"] == "ValidationException"


def test_tags_are_added_replaced_listed_and_removed(emr):
    cluster_id = run_cluster(emr, Tags=[{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "dev"}])
    emr.add_tags(ResourceId=cluster_id, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "cost", "Value": "42"}])
    tags = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("cost", "42"), ("env", "prod"), ("team", "data")]
    emr.remove_tags(ResourceId=cluster_id, TagKeys=["env", "absent"])
    tags = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("cost", "42"), ("team", "data")]
    error = error_of(emr.add_tags, ResourceId="j-UNKNOWN", Tags=[{"Key": "a", "Value": "b"}])
    assert error["Error"]["Code"] == "InvalidRequestException"


def test_visibility_and_step_concurrency_can_change(emr):
    cluster_id = run_cluster(emr)
    emr.set_visible_to_all_users(JobFlowIds=[cluster_id], VisibleToAllUsers=False)
    assert emr.modify_cluster(ClusterId=cluster_id, StepConcurrencyLevel=5)["StepConcurrencyLevel"] == 5
    cluster = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
    assert cluster["VisibleToAllUsers"] is False and cluster["StepConcurrencyLevel"] == 5
    error = error_of(emr.modify_cluster, ClusterId=cluster_id, StepConcurrencyLevel=0)
    assert error["Error"]["Code"] == "InvalidRequestException"
    assert emr.describe_cluster(ClusterId=cluster_id)["Cluster"]["StepConcurrencyLevel"] == 5


def test_list_clusters_filters_by_state_and_creation_time(emr, lakebox_server):
    early = run_cluster(emr, name="early")
    lakebox_server.advance_clock("2h")
    late = run_cluster(emr, name="late")
    gone = emr.run_job_flow(Name="gone", Instances={"MasterInstanceType": "m5.xlarge"})["JobFlowId"]
    assert cluster_state(emr, gone) == "WAITING"  # for a first step, for a minute of service time
    lakebox_server.advance_clock("61s")  # with none, it ends (KeepJobFlowAliveWhenNoSteps is false)
    created = {c: emr.describe_cluster(ClusterId=c)["Cluster"]["Status"]["Timeline"]["CreationDateTime"]
               for c in (early, late)}

    def ids(**kwargs):
        return [c["Id"] for c in emr.list_clusters(**kwargs)["Clusters"]]

    assert ids() == [gone, late, early]  # newest first
    assert ids(ClusterStates=["WAITING"]) == [late, early]
    assert ids(ClusterStates=["TERMINATED"]) == [gone]
    assert ids(CreatedAfter=created[early] + (created[late] - created[early]) / 2) == [gone, late]
    # botocore sends whole seconds.
    assert ids(CreatedBefore=created[early] + dt.timedelta(seconds=1)) == [early]
    summary = emr.list_clusters(ClusterStates=["TERMINATED"])["Clusters"][0]
    assert summary["Name"] == "gone" and summary["Status"]["StateChangeReason"]["Code"] == "ALL_STEPS_COMPLETED"


def test_list_clusters_pages_with_a_marker(emr):
    made = [emr.run_job_flow(Name=f"c{n}", Instances={"MasterInstanceType": "m5.xlarge"})["JobFlowId"]
            for n in range(57)]
    first = emr.list_clusters()
    assert len(first["Clusters"]) == 50 and first["Marker"]
    second = emr.list_clusters(Marker=first["Marker"])
    assert len(second["Clusters"]) == 7 and "Marker" not in second
    assert [c["Id"] for c in first["Clusters"] + second["Clusters"]] == made[::-1]
    paged = [c["Id"] for p in emr.get_paginator("list_clusters").paginate() for c in p["Clusters"]]
    assert paged == made[::-1]
    assert error_of(emr.list_clusters, Marker="not-a-marker")["Error"]["Code"] == "InvalidRequestException"


def test_list_steps_pages_and_filters_by_id(emr):
    cluster_id = run_cluster(emr)
    step_ids = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[
        missing_script_step(f"s{n}", "CONTINUE") for n in range(55)])["StepIds"]
    wait_for(lambda: emr.list_steps(ClusterId=cluster_id, StepStates=["PENDING", "RUNNING"])["Steps"],
             lambda s: s == [], what="steps to end")
    paged = [s["Id"] for p in emr.get_paginator("list_steps").paginate(ClusterId=cluster_id) for s in p["Steps"]]
    assert paged == step_ids[::-1]
    chosen = [step_ids[3], step_ids[1]]
    assert [s["Id"] for s in emr.list_steps(ClusterId=cluster_id, StepIds=chosen)["Steps"]] == chosen


def test_describe_job_flows_uses_the_old_names(emr):
    live = run_cluster(emr, name="live", steps=[missing_script_step("x", "CANCEL_AND_WAIT")])
    failed = run_cluster(emr, name="failed", steps=[missing_script_step("y", "TERMINATE_CLUSTER")])
    wait_cluster(emr, failed, "TERMINATED_WITH_ERRORS")
    wait_cluster(emr, live, "WAITING")
    flows = {f["JobFlowId"]: f for f in emr.describe_job_flows()["JobFlows"]}
    assert flows[live]["ExecutionStatusDetail"]["State"] == "WAITING"
    assert flows[failed]["ExecutionStatusDetail"]["State"] == "FAILED"
    assert flows[failed]["Steps"][0]["ExecutionStatusDetail"]["State"] == "FAILED"
    assert [f["JobFlowId"] for f in emr.describe_job_flows(JobFlowStates=["FAILED"])["JobFlows"]] == [failed]


def test_clusters_belong_to_their_region(lakebox_server, emr):
    cluster_id = run_cluster(emr)
    west = client(lakebox_server.endpoint_url, "emr", region="eu-west-1")
    assert west.list_clusters()["Clusters"] == []
    assert error_of(west.describe_cluster, ClusterId=cluster_id)["Error"]["Code"] == "InvalidRequestException"


def test_block_public_access_configuration_is_emr_s_default(emr):
    config = emr.get_block_public_access_configuration()
    assert config["BlockPublicAccessConfiguration"] == {
        "BlockPublicSecurityGroupRules": True, "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22,
                                                                                           "MaxRange": 22}]}


def test_clusters_and_steps_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        emr = client(server.endpoint_url, "emr")
        cluster_id = run_cluster(emr, name="kept", Tags=[{"Key": "team", "Value": "data"}],
                                 steps=[missing_script_step("old", "CONTINUE")])
        emr.set_termination_protection(JobFlowIds=[cluster_id], TerminationProtected=True)
        wait_cluster(emr, cluster_id, "WAITING")
        before = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
        steps_before = emr.list_steps(ClusterId=cluster_id)["Steps"]
    assert (data / ".lakebox" / "emr" / "emr.db").exists()
    with running_lakebox(data, set_env=False) as server:
        emr = client(server.endpoint_url, "emr")
        after = emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
        assert {k: v for k, v in after.items() if k != "MasterPublicDnsName"} == \
            {k: v for k, v in before.items() if k != "MasterPublicDnsName"}
        assert emr.list_steps(ClusterId=cluster_id)["Steps"] == steps_before
        # The cluster is live again: it takes and runs new steps.
        step_id = emr.add_job_flow_steps(JobFlowId=cluster_id, Steps=[missing_script_step("new", "CONTINUE")])[
            "StepIds"][0]
        wait_for(lambda: emr.describe_step(ClusterId=cluster_id, StepId=step_id)["Step"]["Status"]["State"],
                 lambda s: s == "FAILED")
