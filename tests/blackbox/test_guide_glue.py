"""The guide's Glue crawler and Data Catalog examples, as written, against `lakebox serve`.

Setup the guide leaves implicit: JSON orders under `s3://my-data-lake/bronze/orders/` in Hive
folders `year=2024/month=01/day=15/`. The crawler example then runs verbatim (no fix needed;
lakebox creates the missing `raw_data` database as the crawler does on AWS), the crawl is awaited,
and the guide's `get_table` and `update_partition` calls run verbatim on what it found.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest

pytestmark = pytest.mark.blackbox

ORDERS = [
    {"order_id": 1, "customer_id": "c-17", "order_timestamp": "2024-01-15T10:12:00", "amount": 19.9, "status": "paid"},
    {"order_id": 2, "customer_id": "c-03", "order_timestamp": "2024-01-15T11:40:00", "amount": 5.0, "status": "new"},
    {"order_id": 3, "customer_id": "c-17", "order_timestamp": "2024-01-15T18:02:00", "amount": 120.25,
     "status": "paid"},
]


@pytest.fixture(scope="module")
def orders_in_bronze(lakebox_endpoint):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="my-data-lake")
    body = "".join(json.dumps(order) + "\n" for order in ORDERS).encode()
    s3.put_object(Bucket="my-data-lake", Key="bronze/orders/year=2024/month=01/day=15/orders.json", Body=body)
    return lakebox_endpoint


def _wait_for_crawl(glue, name: str) -> dict:
    deadline = time.monotonic() + 120
    while True:
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY" and crawler.get("LastCrawl"):
            return crawler
        assert time.monotonic() < deadline, f"crawler still {crawler['State']}"
        time.sleep(0.2)


def test_guide_crawler_then_catalog(orders_in_bronze, capsys):
    # guide: "Glue Crawler" (verbatim)
    import boto3

    glue = boto3.client('glue')

    # Criar Crawler
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

    # Run Crawler
    glue.start_crawler(Name='orders-crawler')
    # end guide

    crawler = _wait_for_crawl(glue, "orders-crawler")
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED", crawler["LastCrawl"]
    assert crawler["Schedule"]["ScheduleExpression"] == "cron(0 2 * * ? *)"

    # guide: "Glue Data Catalog" (verbatim)
    # Query Glue Catalog
    response = glue.get_table(
        DatabaseName='raw_data',
        Name='orders'
    )

    print(response['Table']['StorageDescriptor']['Columns'])
    # [{'Name': 'order_id', 'Type': 'bigint'}, ...]

    # Update table partition
    glue.update_partition(
        DatabaseName='raw_data',
        TableName='orders',
        PartitionValueList=['2024', '01', '15'],
        PartitionInput={
            'Values': ['2024', '01', '15'],
            'StorageDescriptor': {
                'Location': 's3://my-bucket/orders/year=2024/month=01/day=15/',
                'InputFormat': 'org.apache.hadoop.mapred.TextInputFormat',
                'OutputFormat': 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
                'SerdeInfo': {'SerializationLibrary': 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe'}
            }
        }
    )
    # end guide

    table = response["Table"]
    columns = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    assert columns == {"order_id": "bigint", "customer_id": "string", "order_timestamp": "string",
                       "amount": "double", "status": "string"}
    assert "{'Name': 'order_id', 'Type': 'bigint'}" in capsys.readouterr().out
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month", "day"]
    assert table["Parameters"]["classification"] == "json"
    assert table["StorageDescriptor"]["Location"] == "s3://my-data-lake/bronze/orders/"
    partition = glue.get_partition(DatabaseName="raw_data", TableName="orders",
                                   PartitionValues=["2024", "01", "15"])["Partition"]
    assert partition["StorageDescriptor"]["Location"] == "s3://my-bucket/orders/year=2024/month=01/day=15/"
    assert partition["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == \
        "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
