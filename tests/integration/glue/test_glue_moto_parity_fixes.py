"""Glue behaviours settled while checking lakebox against moto's Glue tests: ListCrawls' wording for an
unknown crawler, StartJobRun's AllocatedCapacity/MaxCapacity exclusion, and how CreateTrigger treats a
condition's LogicalOperator and a condition naming both a job and a crawler; CreateTable with an
IcebergInput writing a real Iceberg table.

Every job here is a Python shell job, so no test starts a JVM."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE
from glue_helpers import error_of
from glue_job_helpers import shell_job, wait_run


def _error(call, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return error_of(exc)


# -- ListCrawls ---------------------------------------------------------------------------------------

def test_list_crawls_of_an_unknown_crawler_names_the_crawler_entry(glue):
    assert _error(glue.list_crawls, CrawlerName="ghost") == \
        (400, "EntityNotFoundException", "Crawler entry with name ghost does not exist")
    # the other crawler operations keep their own wording
    assert _error(glue.get_crawler, Name="ghost") == \
        (400, "EntityNotFoundException", "Crawler with name ghost does not exist")


def test_list_crawls_of_a_known_crawler_without_crawls_is_empty(glue):
    glue.create_crawler(Name="c", Role=ROLE, DatabaseName="raw_data",
                        Targets={"S3Targets": [{"Path": "s3://lake/data/"}]})
    assert glue.list_crawls(CrawlerName="c")["Crawls"] == []


# -- StartJobRun capacity -----------------------------------------------------------------------------

def test_start_job_run_takes_allocated_capacity_or_max_capacity_never_both(glue, s3):
    job = shell_job(glue, s3, "capacity")
    assert _error(glue.start_job_run, JobName=job, AllocatedCapacity=1, MaxCapacity=1.0) == \
        (400, "InvalidInputException", "Please set only Allocated Capacity or Max Capacity")
    assert glue.get_job_runs(JobName=job)["JobRuns"] == []          # the refused call made no run

    run_id = glue.start_job_run(JobName=job, AllocatedCapacity=1)["JobRunId"]
    run = wait_run(glue, job, run_id)
    assert (run["AllocatedCapacity"], run["MaxCapacity"]) == (1, 1.0)   # the old name is MaxCapacity's
    assert run["JobRunState"] == "SUCCEEDED"
    assert [r["Id"] for r in glue.get_job_runs(JobName=job)["JobRuns"]] == [run_id]


# -- trigger predicates -------------------------------------------------------------------------------

def test_a_condition_with_an_unknown_logical_operator_fails_enum_validation(glue):
    predicate = {"Logical": "ANY", "Conditions": [
        {"JobName": "a", "State": "SUCCEEDED", "LogicalOperator": "EQUALS"},
        {"CrawlerName": "c", "CrawlState": "SUCCEEDED", "LogicalOperator": "LIKE"}]}
    assert _error(glue.create_trigger, Name="t", Type="CONDITIONAL", Actions=[{"JobName": "b"}],
                  Predicate=predicate) == \
        (400, "ValidationException", "Value 'LIKE' at 'predicate.conditions.2.member.logicalOperator' failed to "
                                     "satisfy constraint: Member must satisfy enum value set: [Equals]")
    assert _error(glue.get_trigger, Name="t")[1] == "EntityNotFoundException"
    # a missing operator is still InvalidInputException
    del predicate["Conditions"][1]["LogicalOperator"]
    assert _error(glue.create_trigger, Name="t", Type="CONDITIONAL", Actions=[{"JobName": "b"}],
                  Predicate=predicate) == (400, "InvalidInputException", "Logical operator cannot be null or empty")


def test_a_condition_naming_a_job_and_a_crawler_is_stored_as_the_jobs(glue, s3):
    for name in ("extract", "transform", "load"):
        shell_job(glue, s3, name)
    both = {"JobName": "extract", "State": "SUCCEEDED", "CrawlerName": "c", "CrawlState": "FAILED",
            "LogicalOperator": "EQUALS"}
    glue.create_trigger(Name="t", Type="CONDITIONAL", Actions=[{"JobName": "load"}],
                        Predicate={"Logical": "ANY", "Conditions": [both]})
    stored = glue.get_trigger(Name="t")["Trigger"]["Predicate"]["Conditions"]
    assert stored == [{"JobName": "extract", "State": "SUCCEEDED", "LogicalOperator": "EQUALS"}]
    listed = glue.list_triggers(DependentJobName="load")["TriggerNames"]
    assert listed == ["t"]

    glue.update_trigger(Name="t", TriggerUpdate={"Predicate": {"Conditions": [
        {"JobName": "transform", "State": "FAILED", "CrawlerName": "c", "CrawlState": "SUCCEEDED",
         "LogicalOperator": "EQUALS"}]}})
    stored = glue.get_trigger(Name="t")["Trigger"]["Predicate"]["Conditions"]
    assert stored == [{"JobName": "transform", "State": "FAILED", "LogicalOperator": "EQUALS"}]


# -- CreateTable with OpenTableFormatInput ------------------------------------------------------------

def test_create_table_with_iceberg_input_writes_a_real_iceberg_table(glue, s3):
    glue.create_database(DatabaseInput={"Name": "mydb"})
    glue.create_table(DatabaseName="mydb", TableInput={
        "Name": "events", "PartitionKeys": [{"Name": "day", "Type": "date"}],
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}],
                              "Location": "s3://lake/warehouse/events/"}},
        OpenTableFormatInput={"IcebergInput": {"MetadataOperation": "CREATE", "Version": "2"}})
    table = glue.get_table(DatabaseName="mydb", Name="events")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    metadata_location = table["Parameters"]["metadata_location"]
    assert metadata_location.startswith("s3://lake/warehouse/events/metadata/")
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "name", "day"]

    # the metadata document is in the lake, and is Iceberg's: format 2, the schema, day as identity partition
    key = metadata_location[len("s3://lake/"):]
    metadata = json.loads(s3.get_object(Bucket="lake", Key=key)["Body"].read())
    assert metadata["format-version"] == 2
    assert metadata["location"] == "s3://lake/warehouse/events"
    schema = next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])
    assert [(f["name"], f["type"]) for f in schema["fields"]] == [("id", "long"), ("name", "string"), ("day", "date")]
    spec = next(s for s in metadata["partition-specs"] if s["spec-id"] == metadata["default-spec-id"])
    assert [(f["name"], f["transform"]) for f in spec["fields"]] == [("day", "identity")]

    with pytest.raises(ClientError) as exc:
        glue.create_table(DatabaseName="mydb", TableInput={"Name": "events", "StorageDescriptor": {
            "Location": "s3://lake/other/"}}, OpenTableFormatInput={"IcebergInput": {"MetadataOperation": "CREATE"}})
    assert error_of(exc)[:2] == (400, "AlreadyExistsException")
    # no columns yet: an Iceberg table with an empty schema
    iceberg = {"IcebergInput": {"MetadataOperation": "CREATE"}}
    glue.create_table(DatabaseName="mydb", TableInput={"Name": "blank", "StorageDescriptor": {
        "Location": "s3://lake/warehouse/blank"}}, OpenTableFormatInput=iceberg)
    blank = glue.get_table(DatabaseName="mydb", Name="blank")["Table"]
    assert blank["Parameters"]["table_type"] == "ICEBERG" and blank["StorageDescriptor"]["Columns"] == []
    assert s3.list_objects_v2(Bucket="lake", Prefix="warehouse/blank/metadata/")["KeyCount"] == 1

    with pytest.raises(ClientError) as exc:
        glue.create_table(DatabaseName="mydb", TableInput={"Name": "nowhere", "StorageDescriptor": {
            "Location": "s3://no-such-bucket/t/"}}, OpenTableFormatInput=iceberg)
    assert error_of(exc) == (400, "InvalidInputException", "Cannot write the Iceberg metadata to "
                             "s3://no-such-bucket/t: the bucket no-such-bucket does not exist.")
    assert _error(glue.get_table, DatabaseName="mydb", Name="nowhere")[1] == "EntityNotFoundException"


def test_create_table_without_iceberg_input_stays_a_plain_table(glue):
    glue.create_database(DatabaseInput={"Name": "mydb"})
    glue.create_table(DatabaseName="mydb", TableInput={"Name": "plain", "StorageDescriptor": {
        "Columns": [{"Name": "id", "Type": "bigint"}], "Location": "s3://lake/plain/"}})
    table = glue.get_table(DatabaseName="mydb", Name="plain")["Table"]
    assert "table_type" not in (table.get("Parameters") or {}) and table["VersionId"] == "0"
