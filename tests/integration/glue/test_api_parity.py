"""Glue API answers checked against AWS's documented behaviour: ListCrawls filter validation and
values, and table version ids that are not integers."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from crawler_helpers import ROLE, crawl, put_json_lines
from glue_helpers import error_of, storage

BUCKET = "lake"


@pytest.fixture
def crawled(glue, s3):
    """Crawler `c` with one finished crawl; returns that crawl as ListCrawls reports it."""
    glue.create_database(DatabaseInput={"Name": "raw_data"})
    put_json_lines(s3, BUCKET, "data/items/a.json", [{"id": 1}])
    glue.create_crawler(Name="c", Role=ROLE, DatabaseName="raw_data",
                        Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/data/items/"}]})
    crawl(glue, "c")
    [only] = glue.list_crawls(CrawlerName="c")["Crawls"]
    return only


def _list_crawls_error(glue, **condition) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as exc:
        glue.list_crawls(CrawlerName="c", Filters=[condition])
    return error_of(exc)


# -- ListCrawls filters ------------------------------------------------------------------------------

def test_list_crawls_unknown_filter_operator_raises_validation_exception(glue, crawled):
    status, code, message = _list_crawls_error(glue, FieldName="CRAWL_ID", FilterOperator="bad_value",
                                               FieldValue=crawled["CrawlId"])
    assert (status, code) == (400, "ValidationException")
    assert message == ("Value 'bad_value' at 'filters.1.member.filterOperator' failed to satisfy constraint: "
                       "Member must satisfy enum value set: [LT, EQ, GT, NE, LE, GE]")


def test_list_crawls_unknown_filter_field_raises_validation_exception(glue, crawled):
    status, code, message = _list_crawls_error(glue, FieldName="bad_value", FilterOperator="EQ", FieldValue="x")
    assert (status, code) == (400, "ValidationException")
    assert message == ("Value 'bad_value' at 'filters.1.member.fieldName' failed to satisfy constraint: "
                       "Member must satisfy enum value set: [START_TIME, END_TIME, STATE, CRAWL_ID, DPU_HOUR]")


def test_list_crawls_filter_is_checked_before_any_crawl_exists(glue):
    glue.create_crawler(Name="c", Role=ROLE, DatabaseName="raw_data",
                        Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/data/"}]})
    assert _list_crawls_error(glue, FieldName="STATE", FilterOperator="NOPE", FieldValue="RUNNING")[1] == \
        "ValidationException"


@pytest.mark.parametrize("field", ["STATE", "CRAWL_ID"])
def test_list_crawls_ordered_operator_on_unordered_field_raises_invalid_input(glue, crawled, field):
    status, code, message = _list_crawls_error(glue, FieldName=field, FilterOperator="LE", FieldValue="x")
    assert (status, code) == (400, "InvalidInputException")
    assert message == f"Only EQ or NE operator is allowed for field : {field}"


def test_list_crawls_filter_without_value_raises_invalid_input(glue, crawled):
    status, code, message = _list_crawls_error(glue, FieldName="CRAWL_ID", FilterOperator="NE")
    assert (status, code) == (400, "InvalidInputException")
    assert message == "Invalid Filter Provided: FieldName: CRAWL_ID, FilterOperator: NE, FieldValue: null"


def test_list_crawls_time_filter_reads_epoch_milliseconds(glue, crawled):
    started = crawled["StartTime"]
    before = str(int((started - dt.timedelta(minutes=1)).timestamp() * 1000))
    after = str(int((started + dt.timedelta(minutes=1)).timestamp() * 1000))

    def ids(operator, value, field="START_TIME"):
        filters = [{"FieldName": field, "FilterOperator": operator, "FieldValue": value}]
        return [c["CrawlId"] for c in glue.list_crawls(CrawlerName="c", Filters=filters)["Crawls"]]

    assert ids("GT", before) == [crawled["CrawlId"]]
    assert ids("LT", before) == []
    assert ids("LT", after) == [crawled["CrawlId"]]
    assert ids("LE", after, field="END_TIME") == [crawled["CrawlId"]]
    assert ids("GE", after, field="END_TIME") == []
    # ISO 8601 text is still read.
    assert ids("GT", (started - dt.timedelta(minutes=1)).isoformat()) == [crawled["CrawlId"]]


def test_list_crawls_bad_time_filter_value_raises_invalid_input(glue, crawled):
    status, code, _ = _list_crawls_error(glue, FieldName="START_TIME", FilterOperator="GT", FieldValue="soon")
    assert (status, code) == (400, "InvalidInputException")


def test_list_crawls_state_and_crawl_id_filters_still_match(glue, crawled):
    def count(**condition):
        return len(glue.list_crawls(CrawlerName="c", Filters=[condition])["Crawls"])

    assert count(FieldName="STATE", FilterOperator="EQ", FieldValue=crawled["State"]) == 1
    assert count(FieldName="STATE", FilterOperator="NE", FieldValue=crawled["State"]) == 0
    assert count(FieldName="CRAWL_ID", FilterOperator="EQ", FieldValue=crawled["CrawlId"]) == 1
    assert count(FieldName="CRAWL_ID", FilterOperator="NE", FieldValue=crawled["CrawlId"]) == 0


# -- table versions ------------------------------------------------------------------------------------

@pytest.fixture
def versioned(glue):
    glue.create_database(DatabaseInput={"Name": "raw_data"})
    glue.create_table(DatabaseName="raw_data", TableInput={"Name": "orders",
                                                           "StorageDescriptor": storage("s3://lake/orders/")})
    glue.update_table(DatabaseName="raw_data", TableInput={"Name": "orders", "Description": "v1",
                                                           "StorageDescriptor": storage("s3://lake/orders/")})


@pytest.mark.parametrize("call", ["get_table_version", "delete_table_version"])
def test_table_version_id_that_is_not_an_integer_raises_invalid_input(glue, versioned, call):
    with pytest.raises(ClientError) as exc:
        getattr(glue, call)(DatabaseName="raw_data", TableName="orders", VersionId="10not-an-int")
    status, code, message = error_of(exc)
    assert (status, code) == (400, "InvalidInputException")
    assert "10not-an-int" in message


def test_table_version_id_that_does_not_exist_raises_entity_not_found(glue, versioned):
    with pytest.raises(ClientError) as exc:
        glue.get_table_version(DatabaseName="raw_data", TableName="orders", VersionId="20")
    assert error_of(exc)[:2] == (400, "EntityNotFoundException")


def test_batch_delete_table_version_reports_non_integer_id_as_invalid_input(glue, versioned):
    errors = glue.batch_delete_table_version(DatabaseName="raw_data", TableName="orders",
                                             VersionIds=["x1", "0"])["Errors"]
    assert [(e["VersionId"], e["ErrorDetail"]["ErrorCode"]) for e in errors] == [("x1", "InvalidInputException")]
    versions = glue.get_table_versions(DatabaseName="raw_data", TableName="orders")["TableVersions"]
    assert [v["VersionId"] for v in versions] == ["1"]
