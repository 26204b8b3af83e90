"""Athena API answers checked against what AWS returns: the shape of workgroup configurations (the
primary workgroup's and a new one's) and the result-reuse setting every query execution reports."""

from __future__ import annotations

from athena_helpers import wait_for

ENGINE_VERSION = {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}


def test_primary_workgroup_configuration_does_not_enforce_and_has_minimum_encryption_off(athena):
    primary = athena.get_work_group(WorkGroup="primary")["WorkGroup"]
    assert primary["Name"] == "primary" and primary["State"] == "ENABLED"
    assert primary["Configuration"] == {
        "ResultConfiguration": {},
        "EnforceWorkGroupConfiguration": False,
        "PublishCloudWatchMetricsEnabled": False,
        "RequesterPaysEnabled": False,
        "EngineVersion": ENGINE_VERSION,
        "EnableMinimumEncryptionConfiguration": False,
    }


def test_created_workgroup_configuration_defaults(athena):
    athena.create_work_group(Name="etl", Description="Test work group",
                             Configuration={"ResultConfiguration": {"OutputLocation": "s3://bucket-name/prefix/"}})
    work_group = athena.get_work_group(WorkGroup="etl")["WorkGroup"]
    del work_group["CreationTime"]
    assert work_group == {
        "Name": "etl",
        "State": "ENABLED",
        "Description": "Test work group",
        "Configuration": {
            "ResultConfiguration": {"OutputLocation": "s3://bucket-name/prefix/"},
            "EnforceWorkGroupConfiguration": True,
            "PublishCloudWatchMetricsEnabled": False,
            "RequesterPaysEnabled": False,
            "EngineVersion": ENGINE_VERSION,
            "EnableMinimumEncryptionConfiguration": False,
        },
    }


def test_created_workgroup_keeps_given_minimum_encryption_setting(athena):
    athena.create_work_group(Name="secure", Configuration={"EnableMinimumEncryptionConfiguration": True})
    config = athena.get_work_group(WorkGroup="secure")["WorkGroup"]["Configuration"]
    assert config["EnableMinimumEncryptionConfiguration"] is True


def test_query_execution_reports_result_reuse_off_by_default(athena, results):
    qid = athena.start_query_execution(QueryString="SELECT 1",
                                       ResultConfiguration={"OutputLocation": results})["QueryExecutionId"]
    execution = wait_for(athena, qid)
    assert execution["ResultReuseConfiguration"] == {"ResultReuseByAgeConfiguration": {"Enabled": False}}
    assert execution["Statistics"]["ResultReuseInformation"] == {"ReusedPreviousResult": False}
    [listed] = athena.batch_get_query_execution(QueryExecutionIds=[qid])["QueryExecutions"]
    assert listed["ResultReuseConfiguration"] == {"ResultReuseByAgeConfiguration": {"Enabled": False}}


def test_query_execution_reports_the_result_reuse_it_was_given(athena, results):
    reuse = {"ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": 5}}
    qid = athena.start_query_execution(QueryString="SELECT 1", ResultConfiguration={"OutputLocation": results},
                                       ResultReuseConfiguration=reuse)["QueryExecutionId"]
    assert wait_for(athena, qid)["ResultReuseConfiguration"] == reuse
