"""The guide's streaming architecture end to end: Kinesis -> Firehose -> S3 -> Glue crawler -> Athena.

Events go into a Kinesis stream; a Firehose stream reading it delivers them gzipped under
`year=/month=/day=` prefixes; a crawler finds the files and registers a partitioned table; Athena
counts the events from the files. Each step reads what the previous one really wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import time

from firehose_helpers import ROLE, client, objects, s3_destination

EVENTS = [{"user_id": i, "event_type": ["page_view", "click"][i % 2], "page": f"/products/{i}"} for i in range(40)]


def _wait_ready(glue, name: str) -> dict:
    deadline = time.monotonic() + 60
    while True:
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY" and "LastCrawl" in crawler:
            return crawler
        assert time.monotonic() < deadline, f"crawler {name} still {crawler['State']}"
        time.sleep(0.1)


def test_kinesis_to_firehose_to_s3_to_glue_to_athena(s3, lake, lakebox_server):
    kinesis, firehose = client(lakebox_server, "kinesis"), client(lakebox_server, "firehose")
    glue, athena = client(lakebox_server, "glue"), client(lakebox_server, "athena")
    kinesis.create_stream(StreamName="user-events", ShardCount=2)
    arn = kinesis.describe_stream_summary(StreamName="user-events")["StreamDescriptionSummary"]["StreamARN"]
    firehose.create_delivery_stream(
        DeliveryStreamName="events-to-s3", DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": arn, "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration=s3_destination(
            Prefix="bronze/events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/",
            ErrorOutputPrefix="bronze/errors/", CompressionFormat="GZIP",
            ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]}))
    kinesis.put_records(StreamName="user-events", Records=[
        {"Data": json.dumps(e), "PartitionKey": str(e["user_id"])} for e in EVENTS])
    lakebox_server.advance_clock("6m")
    today = dt.datetime.now(dt.timezone.utc)
    [key] = objects(s3, prefix="bronze/events/")
    assert key.startswith(f"bronze/events/year={today:%Y}/month={today:%m}/day={today:%d}/events-to-s3-1-")
    assert key.endswith(".gz")

    glue.create_crawler(Name="events-crawler", Role=ROLE, DatabaseName="raw_data",
                        Targets={"S3Targets": [{"Path": "s3://lake/bronze/events/"}]})
    glue.start_crawler(Name="events-crawler")
    _wait_ready(glue, "events-crawler")
    table = glue.get_table(DatabaseName="raw_data", Name="events")["Table"]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month", "day"]
    assert {c["Name"] for c in table["StorageDescriptor"]["Columns"]} == {"user_id", "event_type", "page"}

    run = athena.start_query_execution(
        QueryString="SELECT event_type, count(*) AS n FROM events GROUP BY event_type ORDER BY event_type",
        QueryExecutionContext={"Database": "raw_data"}, ResultConfiguration={"OutputLocation": "s3://lake/results/"})
    while athena.get_query_execution(QueryExecutionId=run["QueryExecutionId"])["QueryExecution"]["Status"][
            "State"] in ("QUEUED", "RUNNING"):
        time.sleep(0.1)
    rows = athena.get_query_results(QueryExecutionId=run["QueryExecutionId"])["ResultSet"]["Rows"]
    assert [[c["VarCharValue"] for c in r["Data"]] for r in rows[1:]] == [["click", "20"], ["page_view", "20"]]
