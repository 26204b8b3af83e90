"""The crawler API through boto3: validation, the CRUD and run operations, schedules on the service
clock, and custom classifiers."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError
from crawler_helpers import (
    ROLE,
    columns,
    crawl,
    make_s3,
    put_json_lines,
    put_text,
    wait_ready,
)
from glue_helpers import error_of

BUCKET = "lake"


def _create(glue, name="c", path=f"s3://{BUCKET}/data/", target=None, **extra):
    glue.create_crawler(Name=name, Role=ROLE, DatabaseName="raw_data",
                        Targets={"S3Targets": [target or {"Path": path}]}, **extra)


def _invalid(glue, **extra) -> str:
    with pytest.raises(ClientError) as exc:
        _create(glue, **extra)
    status, code, message = error_of(exc)
    assert (status, code) == (400, "InvalidInputException")
    return message


# -- definitions --------------------------------------------------------------------------------------

def test_create_crawler_stores_the_definition_with_glue_defaults(glue):
    _create(glue, TablePrefix="raw_", Configuration='{"Version": 1.0}')
    crawler = glue.get_crawler(Name="c")["Crawler"]
    assert crawler["State"] == "READY" and crawler["Version"] == 1
    assert crawler["SchemaChangePolicy"] == {"UpdateBehavior": "UPDATE_IN_DATABASE",
                                             "DeleteBehavior": "DEPRECATE_IN_DATABASE"}
    assert crawler["RecrawlPolicy"] == {"RecrawlBehavior": "CRAWL_EVERYTHING"}
    assert crawler["TablePrefix"] == "raw_" and crawler["Role"] == ROLE
    assert "LastCrawl" not in crawler and "Schedule" not in crawler


def test_create_crawler_twice_raises_already_exists(glue):
    _create(glue)
    with pytest.raises(ClientError) as exc:
        _create(glue)
    assert error_of(exc)[1] == "AlreadyExistsException"


def test_create_crawler_rejects_bad_input(glue):
    assert "not valid JSON" in _invalid(glue, Configuration="{not json")
    assert "TableLevelConfiguration" in _invalid(glue, Configuration=json.dumps(
        {"Version": 1.0, "Grouping": {"TableLevelConfiguration": 0}}))
    assert "unknown field" in _invalid(glue, Configuration=json.dumps({"Version": 1.0, "Bogus": 1}))
    assert "schedule" in _invalid(glue, Schedule="cron(0 2 * * *)").lower()
    assert "schedule" in _invalid(glue, Schedule="cron(0 2 * * * *)").lower()  # no '?'
    assert "SampleSize" in _invalid(glue, target={"Path": f"s3://{BUCKET}/x/", "SampleSize": 250})
    assert "SampleSize" in _invalid(glue, target={"Path": f"s3://{BUCKET}/x/", "SampleSize": 0})
    assert "S3 path" in _invalid(glue, target={"Path": "/local/folder"})
    assert "LOG" in _invalid(glue, RecrawlPolicy={"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"})
    assert "S3 event" in _invalid(glue, RecrawlPolicy={"RecrawlBehavior": "CRAWL_EVENT_MODE"})
    assert glue.list_crawlers()["CrawlerNames"] == []


def test_crawler_with_empty_target_lists_crawls_nothing(glue):
    glue.create_crawler(Name="empty", Role=ROLE, DatabaseName="raw_data",
                        Targets={"S3Targets": [], "JdbcTargets": [], "CatalogTargets": []})
    crawler = crawl(glue, "empty")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_tables(DatabaseName="raw_data")["TableList"] == []


def test_unknown_crawler_is_entity_not_found_in_aws_words(glue):
    for call in (lambda: glue.get_crawler(Name="ghost"), lambda: glue.start_crawler(Name="ghost"),
                 lambda: glue.delete_crawler(Name="ghost")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (400, "EntityNotFoundException", "Crawler with name ghost does not exist")


def test_list_get_batch_update_and_delete(glue):
    _create(glue, name="a", Tags={"team": "data"})
    _create(glue, name="b")
    assert glue.list_crawlers()["CrawlerNames"] == ["a", "b"]
    assert glue.list_crawlers(Tags={"team": "data"})["CrawlerNames"] == ["a"]
    assert [c["Name"] for c in glue.get_crawlers()["Crawlers"]] == ["a", "b"]
    page = glue.get_crawlers(MaxResults=1)
    assert [c["Name"] for c in page["Crawlers"]] == ["a"] and page["NextToken"]
    batch = glue.batch_get_crawlers(CrawlerNames=["a", "zz"])
    assert [c["Name"] for c in batch["Crawlers"]] == ["a"] and batch["CrawlersNotFound"] == ["zz"]

    glue.update_crawler(Name="a", TablePrefix="new_", Schedule="cron(15 * * * ? *)")
    updated = glue.get_crawler(Name="a")["Crawler"]
    assert updated["TablePrefix"] == "new_" and updated["Version"] == 2
    assert updated["Schedule"]["ScheduleExpression"] == "cron(15 * * * ? *)"
    with pytest.raises(ClientError) as exc:
        glue.update_crawler(Name="a", Configuration="[")
    assert error_of(exc)[1] == "InvalidInputException"

    glue.delete_crawler(Name="a")
    assert glue.list_crawlers()["CrawlerNames"] == ["b"]
    for call in (lambda: glue.get_crawler(Name="a"), lambda: glue.delete_crawler(Name="a"),
                 lambda: glue.start_crawler(Name="a"), lambda: glue.list_crawls(CrawlerName="a")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[1] == "EntityNotFoundException"


def test_stop_crawler_when_ready_raises_not_running(glue):
    _create(glue)
    with pytest.raises(ClientError) as exc:
        glue.stop_crawler(Name="c")
    assert error_of(exc)[1] == "CrawlerNotRunningException"


def test_running_crawler_refuses_start_and_delete_and_stops_cancelled(glue, s3, lakebox_server):
    # Many files, written straight into the lake folder, so the crawl is still running for the calls.
    folder = lakebox_server.data_dir / "s3" / BUCKET / "big"
    for i in range(3000):
        part = folder / f"part={i % 50}"
        part.mkdir(parents=True, exist_ok=True)
        (part / f"f{i}.json").write_text(json.dumps({"id": i, "name": "x" * 20}) + "\n")
    _create(glue, path=f"s3://{BUCKET}/big/")
    glue.start_crawler(Name="c")
    assert glue.get_crawler(Name="c")["Crawler"]["State"] == "RUNNING"
    with pytest.raises(ClientError) as exc:
        glue.start_crawler(Name="c")
    assert error_of(exc)[1] == "CrawlerRunningException"
    with pytest.raises(ClientError) as exc:
        glue.delete_crawler(Name="c")
    assert error_of(exc)[1] == "CrawlerRunningException"
    glue.stop_crawler(Name="c")
    assert glue.get_crawler(Name="c")["Crawler"]["State"] in ("STOPPING", "READY")
    crawler = wait_ready(glue, "c")
    assert crawler["LastCrawl"]["Status"] == "CANCELLED"
    assert glue.list_crawls(CrawlerName="c")["Crawls"][0]["State"] == "STOPPED"


# -- schedules ----------------------------------------------------------------------------------------

def test_cron_schedule_fires_when_the_service_clock_advances(glue, s3, lakebox_server):
    put_json_lines(s3, BUCKET, "data/items/a.json", [{"id": 1}])
    _create(glue, path=f"s3://{BUCKET}/data/items/", Schedule="cron(0 2 * * ? *)")
    time.sleep(0.2)
    assert "LastCrawl" not in glue.get_crawler(Name="c")["Crawler"]
    lakebox_server.advance_clock("1d")
    crawler = wait_ready(glue, "c")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_table(DatabaseName="raw_data", Name="items")["Table"]["Name"] == "items"


def test_stopped_schedule_does_not_fire(glue, s3, lakebox_server):
    _create(glue, Schedule="cron(0 2 * * ? *)")
    glue.stop_crawler_schedule(CrawlerName="c")
    assert glue.get_crawler(Name="c")["Crawler"]["Schedule"]["State"] == "NOT_SCHEDULED"
    lakebox_server.advance_clock("1d")
    time.sleep(0.3)
    assert "LastCrawl" not in glue.get_crawler(Name="c")["Crawler"]


def test_schedule_operations_and_their_errors(glue):
    _create(glue)
    with pytest.raises(ClientError) as exc:
        glue.start_crawler_schedule(CrawlerName="c")
    assert error_of(exc)[1] == "NoScheduleException"
    with pytest.raises(ClientError) as exc:
        glue.update_crawler_schedule(CrawlerName="c", Schedule="cron(99 * * * ? *)")
    assert error_of(exc)[1] == "InvalidInputException"
    glue.update_crawler_schedule(CrawlerName="c", Schedule="cron(0/30 8-17 ? * MON-FRI *)")
    assert glue.get_crawler(Name="c")["Crawler"]["Schedule"] == {
        "ScheduleExpression": "cron(0/30 8-17 ? * MON-FRI *)", "State": "SCHEDULED"}
    with pytest.raises(ClientError) as exc:
        glue.start_crawler_schedule(CrawlerName="c")
    assert error_of(exc)[1] == "SchedulerRunningException"
    glue.stop_crawler_schedule(CrawlerName="c")
    with pytest.raises(ClientError) as exc:
        glue.stop_crawler_schedule(CrawlerName="c")
    assert error_of(exc)[1] == "SchedulerNotRunningException"
    glue.start_crawler_schedule(CrawlerName="c")
    assert glue.get_crawler(Name="c")["Crawler"]["Schedule"]["State"] == "SCHEDULED"


# -- classifiers --------------------------------------------------------------------------------------

def test_classifier_crud(glue):
    glue.create_classifier(CsvClassifier={"Name": "pipes", "Delimiter": "|", "ContainsHeader": "PRESENT"})
    glue.create_classifier(JsonClassifier={"Name": "rows", "JsonPath": "$[*]"})
    glue.create_classifier(GrokClassifier={"Name": "g", "Classification": "applog",
                                           "GrokPattern": "%{TIMESTAMP_ISO8601:ts} %{GREEDYDATA:msg}"})
    glue.create_classifier(XMLClassifier={"Name": "x", "Classification": "xml", "RowTag": "row"})
    with pytest.raises(ClientError) as exc:
        glue.create_classifier(JsonClassifier={"Name": "rows", "JsonPath": "$[*]"})
    assert error_of(exc)[1] == "AlreadyExistsException"
    with pytest.raises(ClientError) as exc:
        glue.create_classifier(JsonClassifier={"Name": "bad", "JsonPath": "no-dollar"})
    assert error_of(exc)[1] == "InvalidInputException"
    got = glue.get_classifier(Name="pipes")["Classifier"]["CsvClassifier"]
    assert got["Delimiter"] == "|" and got["Version"] == 1
    assert len(glue.get_classifiers()["Classifiers"]) == 4
    glue.update_classifier(CsvClassifier={"Name": "pipes", "QuoteSymbol": "'"})
    got = glue.get_classifier(Name="pipes")["Classifier"]["CsvClassifier"]
    assert got["QuoteSymbol"] == "'" and got["Delimiter"] == "|" and got["Version"] == 2
    glue.delete_classifier(Name="pipes")
    with pytest.raises(ClientError) as exc:
        glue.get_classifier(Name="pipes")
    assert error_of(exc)[1] == "EntityNotFoundException"


def test_custom_csv_classifier_is_tried_first(glue, s3):
    # Values that all look like strings: the built-in classifier could not tell a header from data.
    put_text(s3, BUCKET, "data/people/p.txt", "first#last\nann#lee\nbob#ray\n")
    glue.create_classifier(CsvClassifier={"Name": "hash", "Delimiter": "#", "ContainsHeader": "PRESENT"})
    _create(glue, path=f"s3://{BUCKET}/data/people/", Classifiers=["hash"])
    crawl(glue, "c")
    table = glue.get_table(DatabaseName="raw_data", Name="people")["Table"]
    assert columns(table) == [("first", "string"), ("last", "string")]
    assert table["Parameters"]["delimiter"] == "#"
    assert table["StorageDescriptor"]["SerdeInfo"]["Parameters"] == {"field.delim": "#"}


def test_custom_json_classifier_splits_a_top_level_array_into_rows(glue, s3):
    records = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    put_text(s3, BUCKET, "data/arr/a.json", json.dumps(records))
    put_text(s3, BUCKET, "data/plain/a.json", json.dumps(records))
    glue.create_classifier(JsonClassifier={"Name": "rows", "JsonPath": "$[*]"})
    _create(glue, name="custom", path=f"s3://{BUCKET}/data/arr/", Classifiers=["rows"])
    _create(glue, name="builtin", path=f"s3://{BUCKET}/data/plain/")
    crawl(glue, "custom")
    crawl(glue, "builtin")
    custom = glue.get_table(DatabaseName="raw_data", Name="arr")["Table"]
    assert columns(custom) == [("id", "bigint"), ("name", "string")]
    assert custom["Parameters"]["jsonPath"] == "$[*]" and custom["Parameters"]["recordCount"] == "2"
    builtin = glue.get_table(DatabaseName="raw_data", Name="plain")["Table"]
    assert columns(builtin) == [("array", "array<struct<id:bigint,name:string>>")]


def test_crawlers_history_and_classifiers_survive_a_restart(tmp_path):
    from glue_helpers import make_glue

    from lakebox.testing import running_lakebox

    data = tmp_path / "data"
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        make_s3(server.endpoint_url).create_bucket(Bucket=BUCKET)
        glue.create_classifier(JsonClassifier={"Name": "rows", "JsonPath": "$[*]"})
        _create(glue, Schedule="cron(0 2 * * ? *)")
        crawl(glue, "c")
    with running_lakebox(data, set_env=False) as server:
        glue = make_glue(server.endpoint_url)
        crawler = glue.get_crawler(Name="c")["Crawler"]
        assert crawler["State"] == "READY" and crawler["LastCrawl"]["Status"] == "SUCCEEDED"
        assert crawler["Schedule"]["State"] == "SCHEDULED"
        assert len(glue.list_crawls(CrawlerName="c")["Crawls"]) == 1
        assert glue.get_classifier(Name="rows")["Classifier"]["JsonClassifier"]["JsonPath"] == "$[*]"
