"""Glue job definitions through boto3: create/get round trips, Glue's defaults and capacity rules,
UpdateJob's replace semantics, paging, batch get, delete, tags, persistence across a restart, bad
input, and job runs still answering 501 until they run on Spark."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from glue_helpers import error_of, make_glue

ACCOUNT, REGION = "000000000000", "us-east-1"
SCRIPT = "s3://scripts/etl.py"


def arn(name: str) -> str:
    return f"arn:aws:glue:{REGION}:{ACCOUNT}:job/{name}"


def create(glue, name="etl", **kwargs):
    kwargs.setdefault("Role", "GlueRole")
    kwargs.setdefault("Command", {"Name": "glueetl", "ScriptLocation": SCRIPT})
    return glue.create_job(Name=name, **kwargs)


def invalid(glue, operation, **kwargs) -> str:
    """The message of the InvalidInputException (HTTP 400) that `operation` answers."""
    with pytest.raises(ClientError) as exc:
        getattr(glue, operation)(**kwargs)
    status, code, message = error_of(exc)
    assert (status, code) == (400, "InvalidInputException"), message
    return message


FULL = {
    "Description": "daily orders", "LogUri": "s3://logs/", "Role": "arn:aws:iam::000000000000:role/Glue",
    "ExecutionProperty": {"MaxConcurrentRuns": 3},
    "Command": {"Name": "glueetl", "ScriptLocation": SCRIPT, "PythonVersion": "3"},
    "DefaultArguments": {"--job-bookmark-option": "job-bookmark-enable", "--TempDir": "s3://tmp/"},
    "NonOverridableArguments": {"--env": "prod"}, "Connections": {"Connections": ["vpc"]},
    "MaxRetries": 2, "Timeout": 60, "WorkerType": "G.2X", "NumberOfWorkers": 5,
    "SecurityConfiguration": "sec", "NotificationProperty": {"NotifyDelayAfter": 5}, "GlueVersion": "4.0",
    "ExecutionClass": "FLEX", "JobMode": "VISUAL", "JobRunQueuingEnabled": True, "MaintenanceWindow": "Sun:03",
}


def test_create_and_get_round_trip_every_field(glue):
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
    assert create(glue, "full", **FULL)["Name"] == "full"
    job = glue.get_job(JobName="full")["Job"]
    for member, value in FULL.items():
        assert job[member] == value, member
    assert job["Name"] == "full"
    assert job["AllocatedCapacity"] == 10 and job["MaxCapacity"] == 10.0   # 5 G.2X workers are 10 DPUs
    assert before <= job["CreatedOn"] == job["LastModifiedOn"] <= before + dt.timedelta(minutes=1)


def test_spark_job_defaults_are_glue_5_1_with_ten_g1x_workers(glue):
    create(glue)
    job = glue.get_job(JobName="etl")["Job"]
    assert job["Command"] == {"Name": "glueetl", "ScriptLocation": SCRIPT, "PythonVersion": "3"}
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    assert (job["GlueVersion"], job["Timeout"], job["MaxRetries"], job["JobMode"]) == ("5.1", 480, 0, "SCRIPT")
    assert (job["WorkerType"], job["NumberOfWorkers"], job["MaxCapacity"], job["AllocatedCapacity"]) == \
        ("G.1X", 10, 10.0, 10)
    for absent in ("Description", "DefaultArguments", "Connections", "NotificationProperty", "ExecutionClass"):
        assert absent not in job


def test_glue_4_and_older_versions_time_out_after_2880_minutes(glue):
    create(glue, "v4", GlueVersion="4.0")
    create(glue, "v1", GlueVersion="1.0", MaxCapacity=5.0)
    v4, v1 = (glue.get_job(JobName=n)["Job"] for n in ("v4", "v1"))
    assert v4["Timeout"] == v1["Timeout"] == 2880
    # Before Glue 2.0 capacity is plain DPUs (no worker type), and Python 2 was the default.
    assert (v1["MaxCapacity"], v1["AllocatedCapacity"], v1["Command"]["PythonVersion"]) == (5.0, 5, "2")
    assert "WorkerType" not in v1


def test_max_capacity_on_glue_2_and_later_becomes_g1x_workers(glue):
    create(glue, MaxCapacity=4.0, GlueVersion="3.0")
    job = glue.get_job(JobName="etl")["Job"]
    assert (job["WorkerType"], job["NumberOfWorkers"], job["MaxCapacity"]) == ("G.1X", 4, 4.0)


def test_python_shell_defaults_and_capacity(glue):
    create(glue, "shell", Command={"Name": "pythonshell", "ScriptLocation": SCRIPT})
    create(glue, "shell1", Command={"Name": "pythonshell"}, MaxCapacity=1.0)
    shell, shell1 = (glue.get_job(JobName=n)["Job"] for n in ("shell", "shell1"))
    assert (shell["MaxCapacity"], shell["AllocatedCapacity"], shell["Timeout"]) == (0.0625, 0, 2880)
    assert (shell["GlueVersion"], shell["Command"]["PythonVersion"]) == ("3.0", "3.9")
    assert (shell1["MaxCapacity"], shell1["AllocatedCapacity"]) == (1.0, 1)
    assert "WorkerType" not in shell


def test_streaming_job_has_no_timeout_unless_given(glue):
    create(glue, "stream", Command={"Name": "gluestreaming", "ScriptLocation": SCRIPT},
           WorkerType="G.025X", NumberOfWorkers=4)
    job = glue.get_job(JobName="stream")["Job"]
    assert "Timeout" not in job
    assert (job["MaxCapacity"], job["AllocatedCapacity"]) == (1.0, 1)


def test_ray_job_takes_z2x_workers(glue):
    create(glue, "ray", Command={"Name": "glueray", "Runtime": "Ray2.4", "PythonVersion": "3.9"},
           WorkerType="Z.2X", NumberOfWorkers=3)
    job = glue.get_job(JobName="ray")["Job"]
    assert (job["GlueVersion"], job["MaxCapacity"], job["Command"]["Runtime"]) == ("4.0", 6.0, "Ray2.4")


def test_update_replaces_the_definition_and_resets_what_it_leaves_out(glue):
    create(glue, "full", **FULL)
    created = glue.get_job(JobName="full")["Job"]
    update = {"Role": "OtherRole", "Command": {"Name": "glueetl", "ScriptLocation": "s3://scripts/v2.py"}}
    assert glue.update_job(JobName="full", JobUpdate=update)["JobName"] == "full"
    job = glue.get_job(JobName="full")["Job"]
    assert (job["Role"], job["Command"]["ScriptLocation"]) == ("OtherRole", "s3://scripts/v2.py")
    for reset in ("Description", "LogUri", "DefaultArguments", "NonOverridableArguments", "Connections",
                  "SecurityConfiguration", "NotificationProperty", "ExecutionClass", "MaintenanceWindow"):
        assert reset not in job, reset
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    assert (job["MaxRetries"], job["JobMode"], job["WorkerType"], job["NumberOfWorkers"]) == (0, "SCRIPT", "G.1X", 10)
    # GlueVersion is the one member an update keeps when it leaves it out; the timeout follows it.
    assert (job["GlueVersion"], job["Timeout"]) == ("4.0", 2880)
    assert job["CreatedOn"] == created["CreatedOn"] and job["LastModifiedOn"] >= created["LastModifiedOn"]


def test_update_sets_given_members(glue):
    create(glue)
    glue.update_job(JobName="etl", JobUpdate={
        "Role": "GlueRole", "Command": {"Name": "pythonshell", "ScriptLocation": SCRIPT},
        "GlueVersion": "3.0", "MaxCapacity": 1.0, "DefaultArguments": {"--k": "v"}, "Timeout": 10})
    job = glue.get_job(JobName="etl")["Job"]
    assert (job["Command"]["Name"], job["MaxCapacity"], job["Timeout"]) == ("pythonshell", 1.0, 10)
    assert job["DefaultArguments"] == {"--k": "v"} and "WorkerType" not in job


def test_update_with_get_job_capacity_echo_is_refused_as_on_aws(glue):
    create(glue, WorkerType="G.1X", NumberOfWorkers=2, GlueVersion="4.0")
    job = glue.get_job(JobName="etl")["Job"]
    update = {k: v for k, v in job.items() if k not in ("Name", "CreatedOn", "LastModifiedOn", "AllocatedCapacity")}
    message = invalid(glue, "update_job", JobName="etl", JobUpdate=update)
    assert message == "Please do not set Max Capacity if using Worker Type and Number of Workers."


def test_update_missing_job_raises_entity_not_found(glue):
    with pytest.raises(ClientError) as exc:
        glue.update_job(JobName="nope", JobUpdate={"Role": "r", "Command": {"Name": "glueetl"}})
    assert error_of(exc) == (400, "EntityNotFoundException", "Job nope not found.")


def test_update_without_role_or_command_is_invalid(glue):
    create(glue)
    assert "Role" in invalid(glue, "update_job", JobName="etl", JobUpdate={"Command": {"Name": "glueetl"}})
    assert "Command" in invalid(glue, "update_job", JobName="etl", JobUpdate={"Role": "r"})


def test_get_missing_job_raises_entity_not_found(glue):
    with pytest.raises(ClientError) as exc:
        glue.get_job(JobName="nope")
    assert error_of(exc) == (400, "EntityNotFoundException", "Job nope not found.")


def test_get_jobs_and_list_jobs_page_in_name_order(glue):
    names = [f"job-{i:02d}" for i in range(7)]
    for name in reversed(names):
        create(glue, name)
    pages, token = [], None
    while True:
        kwargs = {"MaxResults": 3, **({"NextToken": token} if token else {})}
        response = glue.get_jobs(**kwargs)
        pages.append([j["Name"] for j in response["Jobs"]])
        token = response.get("NextToken")
        if not token:
            break
    assert pages == [names[0:3], names[3:6], names[6:]]
    listed = [n for p in glue.get_paginator("list_jobs").paginate(PaginationConfig={"PageSize": 2})
              for n in p["JobNames"]]
    assert listed == names
    assert glue.list_jobs()["JobNames"] == names and "NextToken" not in glue.list_jobs()


def test_list_jobs_filters_by_tags(glue):
    create(glue, "a", Tags={"team": "data", "env": "prod"})
    create(glue, "b", Tags={"team": "data"})
    create(glue, "c")
    assert glue.list_jobs(Tags={"team": "data"})["JobNames"] == ["a", "b"]
    assert glue.list_jobs(Tags={"team": "data", "env": "prod"})["JobNames"] == ["a"]
    glue.tag_resource(ResourceArn=arn("c"), TagsToAdd={"env": "prod"})
    assert glue.list_jobs(Tags={"env": "prod"})["JobNames"] == ["a", "c"]


def test_batch_get_jobs_reports_missing_names(glue):
    create(glue, "a")
    create(glue, "b")
    response = glue.batch_get_jobs(JobNames=["b", "missing", "a"])
    assert [j["Name"] for j in response["Jobs"]] == ["b", "a"]
    assert response["JobsNotFound"] == ["missing"]
    assert response["Jobs"][0]["Command"]["ScriptLocation"] == SCRIPT


def test_delete_job_returns_the_name_even_when_missing(glue):
    create(glue, Tags={"k": "v"})
    assert glue.delete_job(JobName="etl")["JobName"] == "etl"
    with pytest.raises(ClientError):
        glue.get_job(JobName="etl")
    assert glue.delete_job(JobName="etl")["JobName"] == "etl"
    assert glue.list_jobs()["JobNames"] == []
    create(glue)   # a new job of the same name starts without the old one's tags
    assert glue.get_tags(ResourceArn=arn("etl"))["Tags"] == {}


def test_tags_on_create_and_by_arn(glue):
    create(glue, Tags={"owner": "me"})
    assert glue.get_tags(ResourceArn=arn("etl"))["Tags"] == {"owner": "me"}
    glue.tag_resource(ResourceArn=arn("etl"), TagsToAdd={"cost": "1"})
    glue.untag_resource(ResourceArn=arn("etl"), TagsToRemove=["owner"])
    assert glue.get_tags(ResourceArn=arn("etl"))["Tags"] == {"cost": "1"}
    with pytest.raises(ClientError) as exc:
        glue.get_tags(ResourceArn=arn("nope"))
    assert error_of(exc)[:2] == (400, "EntityNotFoundException")


def test_job_names_keep_their_case(glue):
    create(glue, "DailyOrders")
    assert glue.get_job(JobName="DailyOrders")["Job"]["Name"] == "DailyOrders"
    with pytest.raises(ClientError):
        glue.get_job(JobName="dailyorders")
    assert glue.get_tags(ResourceArn=arn("DailyOrders"))["Tags"] == {}


def test_jobs_are_per_region(lakebox_server):
    east, west = make_glue(lakebox_server.endpoint_url), make_glue(lakebox_server.endpoint_url, "eu-west-1")
    create(east)
    assert west.list_jobs()["JobNames"] == []
    with pytest.raises(ClientError):
        west.get_job(JobName="etl")


def test_create_existing_name_with_another_definition_is_refused(glue):
    create(glue)
    assert create(glue)["Name"] == "etl"   # the same request again is a retry
    with pytest.raises(ClientError) as exc:
        create(glue, Description="other")
    status, code, _ = error_of(exc)
    assert (status, code) == (400, "IdempotentParameterMismatchException")
    assert "Description" not in glue.get_job(JobName="etl")["Job"]


@pytest.mark.parametrize("kwargs, expected", [
    ({"MaxCapacity": 2.0, "WorkerType": "G.1X", "NumberOfWorkers": 2},
     "Please do not set Max Capacity if using Worker Type and Number of Workers."),
    ({"AllocatedCapacity": 2, "WorkerType": "G.1X", "NumberOfWorkers": 2},
     "Please do not set Allocated Capacity if using Worker Type and Number of Workers."),
    ({"MaxCapacity": 2.0, "AllocatedCapacity": 2}, "Please set only Allocated Capacity or Max Capacity."),
    ({"WorkerType": "G.1X"}, "Please set both Worker Type and Number of Workers."),
    ({"NumberOfWorkers": 3}, "Please set both Worker Type and Number of Workers."),
])
def test_conflicting_capacity_is_invalid_with_glues_message(glue, kwargs, expected):
    assert invalid(glue, "create_job", Name="bad", Role="r", Command={"Name": "glueetl"}, **kwargs) == expected
    assert glue.list_jobs()["JobNames"] == []


@pytest.mark.parametrize("kwargs, fragment", [
    ({"WorkerType": "G.9X", "NumberOfWorkers": 2}, "G.9X"),
    ({"WorkerType": "Z.2X", "NumberOfWorkers": 2}, "Z.2X"),
    ({"WorkerType": "Standard", "NumberOfWorkers": 2, "GlueVersion": "4.0"}, "Standard"),
    ({"WorkerType": "G.1X", "NumberOfWorkers": 0}, "at least 1"),
    ({"MaxCapacity": 1.0}, "from 2 to 100"),
    ({"MaxCapacity": 2.5, "GlueVersion": "1.0"}, "whole number"),
    ({"Command": {"Name": "pythonshell"}, "MaxCapacity": 0.5}, "0.0625 or 1"),
    ({"Command": {"Name": "pythonshell"}, "WorkerType": "G.1X", "NumberOfWorkers": 2}, "pythonshell"),
    ({"Command": {"Name": "glueray"}}, "Worker Type"),
    ({"Timeout": 10081}, "10080"),
    ({"GlueVersion": "latest"}, "glueVersion"),
    ({"Command": {"Name": "glueetl", "PythonVersion": "3.11"}}, "command.pythonVersion"),
    ({"ExecutionClass": "FLEX", "GlueVersion": "2.0"}, "FLEX"),
    ({"ExecutionClass": "CHEAP"}, "executionClass"),
    ({"JobMode": "CLICK"}, "jobMode"),
    ({"MaxRetries": -1}, "MaxRetries"),
    ({"ExecutionProperty": {"MaxConcurrentRuns": 0}}, "MaxConcurrentRuns"),
])
def test_bad_definitions_are_invalid_input(glue, kwargs, fragment):
    kwargs.setdefault("Command", {"Name": "glueetl", "ScriptLocation": SCRIPT})
    assert fragment in invalid(glue, "create_job", Name="bad", Role="r", **kwargs)
    assert glue.list_jobs()["JobNames"] == []


def test_unknown_command_name_is_kept_with_spark_defaults(glue):
    glue.create_job(Name="custom", Role="r", Command={"Name": "test_command", "ScriptLocation": SCRIPT})
    job = glue.get_job(JobName="custom")["Job"]
    assert job["Command"]["Name"] == "test_command"
    assert (job["WorkerType"], job["NumberOfWorkers"], job["Timeout"]) == ("G.1X", 10, 480)


def test_model_violations_are_invalid_input(lakebox_server):
    import boto3
    from botocore.config import Config

    raw = boto3.client("glue", endpoint_url=lakebox_server.endpoint_url, region_name=REGION,
                       aws_access_key_id="test", aws_secret_access_key="test",
                       config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    message = invalid(raw, "create_job", Name="bad", Role="r", Command={"Name": "glueetl"}, Timeout=0)
    assert "timeout" in message
    assert raw.list_jobs()["JobNames"] == []


def test_jobs_and_their_tags_survive_a_restart(tmp_path):
    from lakebox.testing import running_lakebox

    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        create(glue, "full", Tags={"team": "data"}, **FULL)
        create(glue, "gone")
        glue.delete_job(JobName="gone")
        before = glue.get_job(JobName="full")["Job"]
    assert (data / ".lakebox" / "glue" / "jobs.db").exists()
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        assert glue.get_job(JobName="full")["Job"] == before
        assert glue.list_jobs()["JobNames"] == ["full"]
        assert glue.list_jobs(Tags={"team": "data"})["JobNames"] == ["full"]
        assert glue.get_tags(ResourceArn=arn("full"))["Tags"] == {"team": "data"}
