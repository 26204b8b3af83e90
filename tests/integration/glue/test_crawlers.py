"""Crawlers through boto3 against a running lakebox: the guide's example, what a crawl writes for each
format and folder layout, and the crawler's logs."""

from __future__ import annotations

import json

import pytest
from crawler_helpers import (
    ORDERS,
    ROLE,
    columns,
    crawl,
    make_logs,
    make_s3,
    put_json_lines,
    put_parquet,
    put_text,
    wait_ready,
)

BUCKET = "my-data-lake"


@pytest.fixture
def s3(lakebox_server):
    client = make_s3(lakebox_server.endpoint_url)
    client.create_bucket(Bucket=BUCKET)
    return client


def _crawler(glue, name, path, **extra):
    glue.create_crawler(Name=name, Role=ROLE, DatabaseName="raw_data", Targets={"S3Targets": [{"Path": path}]},
                        **extra)


def test_guide_crawler_example_creates_orders_table_with_partitions(glue, s3):
    put_json_lines(s3, BUCKET, "bronze/orders/year=2024/month=01/day=15/orders-0001.json", ORDERS)
    # The guide's call, as written.
    glue.create_crawler(
        Name='orders-crawler',
        Role='arn:aws:iam::123456789:role/GlueServiceRole',
        DatabaseName='raw_data',
        Targets={
            'S3Targets': [{
                'Path': 's3://my-data-lake/bronze/orders/'
            }]
        },
        SchemaChangePolicy={
            'UpdateBehavior': 'UPDATE_IN_DATABASE',
            'DeleteBehavior': 'LOG'
        },
        Schedule='cron(0 2 * * ? *)'  # Daily at 2am
    )
    glue.start_crawler(Name='orders-crawler')
    crawler = wait_ready(glue, "orders-crawler")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    assert crawler["LastCrawl"]["LogGroup"] == "/aws-glue/crawlers"
    assert crawler["LastCrawl"]["LogStream"] == "orders-crawler"
    assert crawler["Schedule"] == {"ScheduleExpression": "cron(0 2 * * ? *)", "State": "SCHEDULED"}

    table = glue.get_table(DatabaseName="raw_data", Name="orders")["Table"]
    assert columns(table) == [("order_id", "bigint"), ("customer_id", "string"), ("amount", "double"),
                              ("status", "string"), ("order_timestamp", "string")]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month", "day"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    sd = table["StorageDescriptor"]
    assert sd["Location"] == "s3://my-data-lake/bronze/orders/"
    assert sd["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert sd["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    params = table["Parameters"]
    assert params["classification"] == "json" and params["compressionType"] == "none"
    assert params["UPDATED_BY_CRAWLER"] == "orders-crawler" and params["typeOfData"] == "file"
    assert params["recordCount"] == "2" and params["objectCount"] == "1"
    assert params["CrawlerSchemaSerializerVersion"] == "1.0"

    partitions = glue.get_partitions(DatabaseName="raw_data", TableName="orders")["Partitions"]
    assert [p["Values"] for p in partitions] == [["2024", "01", "15"]]
    assert partitions[0]["StorageDescriptor"]["Location"] == \
        "s3://my-data-lake/bronze/orders/year=2024/month=01/day=15/"

    # The guide's get_table and update_partition examples then run as written.
    response = glue.get_table(DatabaseName='raw_data', Name='orders')
    assert response['Table']['StorageDescriptor']['Columns'][0] == {'Name': 'order_id', 'Type': 'bigint'}


def test_recrawl_of_unchanged_data_keeps_the_table_version(glue, s3):
    put_json_lines(s3, BUCKET, "bronze/orders/year=2024/month=01/day=15/a.json", ORDERS)
    _crawler(glue, "c", f"s3://{BUCKET}/bronze/orders/")
    crawl(glue, "c")
    version = glue.get_table(DatabaseName="raw_data", Name="orders")["Table"]["VersionId"]
    crawler = crawl(glue, "c")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_table(DatabaseName="raw_data", Name="orders")["Table"]["VersionId"] == version
    crawls = glue.list_crawls(CrawlerName="c")["Crawls"]
    assert [c["State"] for c in crawls] == ["COMPLETED", "COMPLETED"]
    metrics = glue.get_crawler_metrics(CrawlerNameList=["c"])["CrawlerMetricsList"][0]
    assert metrics["TablesCreated"] == 0 and metrics["TablesUpdated"] == 0


def test_parquet_keeps_its_own_types(glue, s3):
    put_parquet(s3, BUCKET, "silver/sales/part-0.parquet",
                {"id": [1, 2], "price": [1.5, 2.5], "name": ["a", "b"]})
    _crawler(glue, "p", f"s3://{BUCKET}/silver/sales/")
    assert crawl(glue, "p")["LastCrawl"]["Status"] == "SUCCEEDED"
    table = glue.get_table(DatabaseName="raw_data", Name="sales")["Table"]
    assert columns(table) == [("id", "bigint"), ("price", "double"), ("name", "string")]
    assert table["Parameters"]["classification"] == "parquet"
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == \
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert table["PartitionKeys"] == []


def test_csv_with_header_names_columns(glue, s3):
    put_text(s3, BUCKET, "raw/customers/c.csv", "id,name,score\n1,ann,2.5\n2,bob,3.0\n")
    _crawler(glue, "csv", f"s3://{BUCKET}/raw/customers/")
    crawl(glue, "csv")
    table = glue.get_table(DatabaseName="raw_data", Name="customers")["Table"]
    assert columns(table) == [("id", "bigint"), ("name", "string"), ("score", "double")]
    assert table["Parameters"]["classification"] == "csv"
    assert table["Parameters"]["skip.header.line.count"] == "1"


def test_csv_without_header_gets_col_names(glue, s3):
    put_text(s3, BUCKET, "raw/points/p.csv", "1,ann,2.5\n2,bob,3.0\n")
    _crawler(glue, "csv", f"s3://{BUCKET}/raw/points/")
    crawl(glue, "csv")
    table = glue.get_table(DatabaseName="raw_data", Name="points")["Table"]
    assert columns(table) == [("col0", "bigint"), ("col1", "string"), ("col2", "double")]
    assert "skip.header.line.count" not in table["Parameters"]


def test_gzip_json_is_classified_with_its_compression(glue, s3):
    put_json_lines(s3, BUCKET, "raw/events/e.json.gz", [{"id": 1, "kind": "click"}], gzipped=True)
    _crawler(glue, "gz", f"s3://{BUCKET}/raw/events/")
    crawl(glue, "gz")
    table = glue.get_table(DatabaseName="raw_data", Name="events")["Table"]
    assert table["Parameters"]["compressionType"] == "gzip"
    assert table["StorageDescriptor"]["Compressed"] is True
    assert columns(table) == [("id", "bigint"), ("kind", "string")]


def test_non_hive_folders_become_partition_n(glue, s3):
    for day in ("01", "02"):
        put_json_lines(s3, BUCKET, f"raw/logs/2024/{day}/l.json", [{"id": 1, "msg": "x"}])
    _crawler(glue, "nh", f"s3://{BUCKET}/raw/logs/")
    crawl(glue, "nh")
    table = glue.get_table(DatabaseName="raw_data", Name="logs")["Table"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["partition_0", "partition_1"]
    values = [p["Values"] for p in glue.get_partitions(DatabaseName="raw_data", TableName="logs")["Partitions"]]
    assert sorted(values) == [["2024", "01"], ["2024", "02"]]


def test_mixed_folder_becomes_two_tables(glue, s3):
    put_json_lines(s3, BUCKET, "raw/mixed/orders/o.json", [{"order_id": 1, "amount": 2.0}])
    put_text(s3, BUCKET, "raw/mixed/users/u.csv", "user,age\nann,30\nbob,41\n")
    _crawler(glue, "mx", f"s3://{BUCKET}/raw/mixed/")
    crawl(glue, "mx")
    names = sorted(t["Name"] for t in glue.get_tables(DatabaseName="raw_data")["TableList"])
    assert names == ["orders", "users"]


def test_table_prefix_and_exclusions(glue, s3):
    put_json_lines(s3, BUCKET, "raw/t/keep/a.json", [{"id": 1}])
    put_json_lines(s3, BUCKET, "raw/t/tmp/b.json", [{"other": "x", "more": 2}])
    glue.create_crawler(Name="ex", Role=ROLE, DatabaseName="raw_data", TablePrefix="raw_",
                        Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/raw/t/", "Exclusions": ["tmp/**"]}]})
    crawl(glue, "ex")
    names = [t["Name"] for t in glue.get_tables(DatabaseName="raw_data")["TableList"]]
    assert names == ["raw_t"]


def test_crawl_new_folders_only_adds_just_the_new_partition(glue, s3):
    put_json_lines(s3, BUCKET, "bronze/orders/year=2024/month=01/day=15/a.json", ORDERS)
    _crawler(glue, "inc", f"s3://{BUCKET}/bronze/orders/",
             SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
             RecrawlPolicy={"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"})
    crawl(glue, "inc")
    version = glue.get_table(DatabaseName="raw_data", Name="orders")["Table"]["VersionId"]
    put_json_lines(s3, BUCKET, "bronze/orders/year=2024/month=01/day=16/b.json",
                   [{**ORDERS[0], "coupon": "X1"}])
    assert crawl(glue, "inc")["LastCrawl"]["Status"] == "SUCCEEDED"
    table = glue.get_table(DatabaseName="raw_data", Name="orders")["Table"]
    assert table["VersionId"] == version and "coupon" not in dict(columns(table))
    values = [p["Values"] for p in glue.get_partitions(DatabaseName="raw_data", TableName="orders")["Partitions"]]
    assert sorted(values) == [["2024", "01", "15"], ["2024", "01", "16"]]


def test_merge_new_columns_keeps_old_columns(glue, s3):
    put_json_lines(s3, BUCKET, "data/items/a.json", [{"id": 1, "old": "x"}])
    config = {"Version": 1.0, "CrawlerOutput": {"Tables": {"AddOrUpdateBehavior": "MergeNewColumns"},
                                                "Partitions": {"AddOrUpdateBehavior": "InheritFromTable"}},
              "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"}}
    _crawler(glue, "m", f"s3://{BUCKET}/data/items/", Configuration=json.dumps(config))
    crawl(glue, "m")
    s3.delete_object(Bucket=BUCKET, Key="data/items/a.json")
    put_json_lines(s3, BUCKET, "data/items/b.json", [{"id": 2, "new": 1.5}])
    crawl(glue, "m")
    table = glue.get_table(DatabaseName="raw_data", Name="items")["Table"]
    assert columns(table) == [("id", "bigint"), ("old", "string"), ("new", "double")]


def test_delete_from_database_drops_a_vanished_table(glue, s3):
    put_json_lines(s3, BUCKET, "lake/orders/o.json", [{"order_id": 1, "amount": 2.0}])
    put_text(s3, BUCKET, "lake/users/u.csv", "user,age\nann,30\nbob,41\n")
    put_parquet(s3, BUCKET, "lake/visits/v.parquet", {"page": ["a"], "ms": [3]})
    _crawler(glue, "del", f"s3://{BUCKET}/lake/",
             SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "DELETE_FROM_DATABASE"})
    crawl(glue, "del")
    s3.delete_object(Bucket=BUCKET, Key="lake/users/u.csv")
    crawl(glue, "del")
    assert [t["Name"] for t in glue.get_tables(DatabaseName="raw_data")["TableList"]] == ["orders", "visits"]
    metrics = glue.get_crawler_metrics(CrawlerNameList=["del"])["CrawlerMetricsList"][0]
    assert metrics["TablesDeleted"] == 1


def test_deprecate_in_database_marks_a_vanished_table(glue, s3):
    put_json_lines(s3, BUCKET, "lake/orders/o.json", [{"order_id": 1, "amount": 2.0}])
    put_text(s3, BUCKET, "lake/users/u.csv", "user,age\nann,30\nbob,41\n")
    put_parquet(s3, BUCKET, "lake/visits/v.parquet", {"page": ["a"], "ms": [3]})
    _crawler(glue, "dep", f"s3://{BUCKET}/lake/")  # Glue's default DeleteBehavior is DEPRECATE_IN_DATABASE
    crawl(glue, "dep")
    s3.delete_object(Bucket=BUCKET, Key="lake/users/u.csv")
    crawl(glue, "dep")
    users = glue.get_table(DatabaseName="raw_data", Name="users")["Table"]
    assert "DEPRECATED_BY_CRAWLER" in users["Parameters"]


def test_missing_bucket_ends_failed_with_a_clear_message(glue, lakebox_server):
    _crawler(glue, "nob", "s3://no-such-bucket/data/")
    crawler = crawl(glue, "nob")
    assert crawler["LastCrawl"]["Status"] == "FAILED"
    assert "no-such-bucket does not exist" in crawler["LastCrawl"]["ErrorMessage"]
    assert glue.list_crawls(CrawlerName="nob")["Crawls"][0]["State"] == "FAILED"


def test_crawl_logs_are_readable_through_cloudwatch_logs(glue, s3, lakebox_server):
    put_json_lines(s3, BUCKET, "bronze/orders/year=2024/month=01/day=15/a.json", ORDERS)
    _crawler(glue, "logged", f"s3://{BUCKET}/bronze/orders/")
    crawler = crawl(glue, "logged")
    prefix = crawler["LastCrawl"]["MessagePrefix"]
    logs = make_logs(lakebox_server.endpoint_url)
    events = logs.get_log_events(logGroupName="/aws-glue/crawlers", logStreamName="logged",
                                 startFromHead=True)["events"]
    messages = [e["message"] for e in events]
    assert messages[0] == f"[{prefix}] BENCHMARK : Running Start Crawl for Crawler logged"
    assert f"[{prefix}] INFO : Created table orders in database raw_data" in messages
    assert messages[-1] == f"[{prefix}] BENCHMARK : Finished Crawl for Crawler logged"
