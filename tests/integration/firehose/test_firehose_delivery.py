"""Firehose delivery to S3 for real: buffering by size and interval, prefixes, compression,
processors, dynamic partitioning, format conversion, Kinesis as the source, and restarts.

The interval is measured on the service clock, so a 300-second buffer is delivered by
`advance_clock("6m")`, which runs the due deliveries before it returns; size-triggered and
zero-interval deliveries happen on the worker's one-second timer of wall time.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import time

import cramjam
import pyarrow.parquet as pq
import pytest
from firehose_helpers import ROLE, client, create, objects, s3_destination, wait_for_objects

from lakebox.testing import running_lakebox

SUFFIX = r"(?P<stream>[\w.-]+)-(?P<version>\d+)-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}"


def _lines(bodies) -> list[bytes]:
    return sorted(line for body in bodies for line in body.splitlines())


def test_records_wait_for_the_interval_then_arrive_as_one_object(firehose, s3, lake, lakebox_server):
    create(firehose, "events", extended=False)
    sent = [json.dumps({"n": i}).encode() + b"\n" for i in range(20)]
    for data in sent[:5]:
        firehose.put_record(DeliveryStreamName="events", Record={"Data": data})
    firehose.put_record_batch(DeliveryStreamName="events", Records=[{"Data": d} for d in sent[5:]])
    time.sleep(1.5)
    assert objects(s3) == {}  # 300 seconds have not passed
    now = dt.datetime.now(dt.timezone.utc)
    lakebox_server.advance_clock("301s")
    [(key, body)] = objects(s3).items()
    assert body == b"".join(sent)  # concatenated in order, no delimiter added
    assert re.fullmatch(rf"{now:%Y/%m/%d/%H}/{SUFFIX}", key) and key.split("/")[-1].startswith("events-1-")
    lakebox_server.advance_clock("10m")
    assert len(objects(s3)) == 1  # delivered once


def test_a_full_buffer_is_delivered_without_waiting(firehose, s3, lake):
    create(firehose, "big", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 900}, Prefix="big/")
    record = b"r" * 1023 + b"\n"
    for _ in range(6):
        firehose.put_record_batch(DeliveryStreamName="big", Records=[{"Data": record}] * 500)  # ~0.5 MiB each
    deadline = time.monotonic() + 15
    while sum(len(b) for b in objects(s3).values()) < 2 * (1 << 20) and time.monotonic() < deadline:
        time.sleep(0.2)
    found = objects(s3)
    assert len(found) >= 2 and all(len(b) <= (1 << 20) + len(record) for b in found.values())
    assert all(set(b) == {ord("r"), ord("\n")} and len(b) % len(record) == 0 for b in found.values())
    assert all(k.startswith("big/") for k in found)


def test_zero_interval_delivers_within_seconds(firehose, s3, lake):
    create(firehose, "now", BufferingHints={"IntervalInSeconds": 0}, Prefix="now/", ErrorOutputPrefix="err/")
    firehose.put_record(DeliveryStreamName="now", Record={"Data": b"hello"})
    found = wait_for_objects(s3, prefix="now/")
    assert list(found.values()) == [b"hello"]
    # A prefix without expressions is followed by the default yyyy/MM/dd/HH/.
    assert re.fullmatch(rf"now/\d{{4}}/\d{{2}}/\d{{2}}/\d{{2}}/{SUFFIX}", next(iter(found)))


@pytest.mark.parametrize("fmt, extension", [("GZIP", ".gz"), ("Snappy", ".snappy"), ("ZIP", ".zip"),
                                            ("HADOOP_SNAPPY", ".hsnappy")])
def test_compressed_objects_decompress_to_the_records(firehose, s3, lake, lakebox_server, fmt, extension):
    create(firehose, "z", CompressionFormat=fmt, Prefix="z/year=!{timestamp:yyyy}/", ErrorOutputPrefix="z-err/")
    sent = [b'{"i": %d}\n' % i for i in range(300)]
    firehose.put_record_batch(DeliveryStreamName="z", Records=[{"Data": d} for d in sent])
    lakebox_server.advance_clock("6m")
    [(key, body)] = objects(s3).items()
    assert key.startswith(f"z/year={dt.datetime.now(dt.timezone.utc):%Y}/z-1-") and key.endswith(extension)
    if fmt == "GZIP":
        plain = gzip.decompress(body)
        assert s3.head_object(Bucket="lake", Key=key)["ContentType"] == "application/x-gzip"
    elif fmt == "Snappy":
        plain = bytes(cramjam.snappy.decompress(body))
    elif fmt == "ZIP":
        import zipfile
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            plain = archive.read(archive.namelist()[0])
    else:
        plain = bytes(cramjam.snappy.decompress_raw(body[8:]))
    assert plain == b"".join(sent)


def test_file_extension_and_time_zone(firehose, s3, lake, lakebox_server):
    create(firehose, "ext", FileExtension=".jsonl", CustomTimeZone="Asia/Tokyo",
           Prefix="h=!{timestamp:HH}/", ErrorOutputPrefix="e/")
    firehose.put_record(DeliveryStreamName="ext", Record={"Data": b"{}\n"})
    tokyo_hour = dt.datetime.now(dt.timezone(dt.timedelta(hours=9))).hour
    lakebox_server.advance_clock("6m")
    [key] = objects(s3)
    assert key.startswith(f"h={tokyo_hour:02d}/ext-1-") and key.endswith(".jsonl")


def test_a_missing_bucket_keeps_the_records_until_it_exists(firehose, s3, lakebox_server):
    firehose.create_delivery_stream(DeliveryStreamName="wait", ExtendedS3DestinationConfiguration=s3_destination(
        bucket="later", BufferingHints={"IntervalInSeconds": 60}))
    firehose.put_record(DeliveryStreamName="wait", Record={"Data": b"kept"})
    lakebox_server.advance_clock("2m")  # delivery fails: no bucket
    s3.create_bucket(Bucket="later")
    lakebox_server.advance_clock("1s")
    assert list(objects(s3, "later").values()) == [b"kept"]


def test_dynamic_partitioning_writes_one_object_per_key_and_failures_apart(firehose, s3, lake, lakebox_server):
    firehose.create_delivery_stream(DeliveryStreamName="dyn", ExtendedS3DestinationConfiguration=s3_destination(
        Prefix="events/type=!{partitionKeyFromQuery:type}/year=!{timestamp:yyyy}/",
        ErrorOutputPrefix="failed/!{firehose:error-output-type}/",
        BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 60},
        DynamicPartitioningConfiguration={"Enabled": True, "RetryOptions": {"DurationInSeconds": 300}},
        ProcessingConfiguration={"Enabled": True, "Processors": [
            {"Type": "MetadataExtraction", "Parameters": [
                {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{type: .event_type}"},
                {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]},
            {"Type": "AppendDelimiterToRecord", "Parameters": []}]}))
    events = [{"event_type": t, "n": i} for i, t in enumerate(["click", "view", "click", "buy"])]
    firehose.put_record_batch(DeliveryStreamName="dyn", Records=[{"Data": json.dumps(e)} for e in events] +
                              [{"Data": b"not json"}])
    lakebox_server.advance_clock("2m")
    year = dt.datetime.now(dt.timezone.utc).year
    found = objects(s3)
    by_type = {k.split("/")[1]: v for k, v in found.items() if k.startswith("events/")}
    assert set(by_type) == {"type=click", "type=view", "type=buy"}
    assert [json.loads(line) for line in by_type["type=click"].splitlines()] == [events[0], events[2]]
    assert all(f"/year={year}/dyn-1-" in k for k in found if k.startswith("events/"))
    [(error_key, error_body)] = [(k, v) for k, v in found.items() if k.startswith("failed/")]
    assert error_key.startswith("failed/processing-failed/dyn-1-")
    failure = json.loads(error_body)
    assert failure["rawData"] == "bm90IGpzb24=" and failure["errorCode"].startswith("DynamicPartitioning")


@pytest.fixture
def events_table(lakebox_server):
    glue = client(lakebox_server, "glue")
    glue.create_database(DatabaseInput={"Name": "raw_data"})
    glue.create_table(DatabaseName="raw_data", TableInput={
        "Name": "events", "TableType": "EXTERNAL_TABLE",
        "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [{"Name": "user_id", "Type": "bigint"}, {"Name": "event_type", "Type": "string"},
                        {"Name": "ts", "Type": "timestamp"}, {"Name": "tags", "Type": "array<string>"}],
            "Location": "s3://lake/silver/events/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
    return glue


CONVERSION = {"SchemaConfiguration": {"DatabaseName": "raw_data", "TableName": "events", "RoleARN": ROLE},
              "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
              "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}}


def test_conversion_writes_parquet_typed_by_the_glue_table_that_athena_reads(firehose, s3, lake, lakebox_server,
                                                                            events_table):
    create(firehose, "conv", Prefix="silver/events/dt=!{timestamp:yyyy-MM-dd}/",
           ErrorOutputPrefix="errors/!{firehose:error-output-type}/", DataFormatConversionConfiguration=CONVERSION)
    good = [{"USER_ID": i, "event_type": "view", "ts": "2024-01-15T10:30:00Z", "tags": ["a", str(i)], "x": 1}
            for i in range(3)]
    firehose.put_record_batch(DeliveryStreamName="conv", Records=[{"Data": json.dumps(e)} for e in good] +
                              [{"Data": b"{broken"}, {"Data": json.dumps({"user_id": "not a number"})}])
    lakebox_server.advance_clock("6m")
    found = objects(s3)
    [(key, body)] = [(k, v) for k, v in found.items() if k.startswith("silver/")]
    day = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")
    assert key.startswith(f"silver/events/dt={day}/conv-1-") and key.endswith(".parquet")
    table = pq.read_table(io.BytesIO(body))
    assert table.column_names == ["user_id", "event_type", "ts", "tags"]
    assert str(table.schema.field("user_id").type) == "int64"
    assert table.to_pylist() == [{"user_id": i, "event_type": "view", "ts": dt.datetime(2024, 1, 15, 10, 30),
                                  "tags": ["a", str(i)]} for i in range(3)]
    assert pq.ParquetFile(io.BytesIO(body)).metadata.row_group(0).column(0).compression == "SNAPPY"
    errors = [json.loads(line) for k, v in found.items() if k.startswith("errors/") for line in v.splitlines()]
    assert all(k.startswith("errors/format-conversion-failed/") for k in found if k.startswith("errors/"))
    assert sorted(e["rawData"] for e in errors) == sorted(
        __import__("base64").b64encode(d).decode() for d in (b"{broken", json.dumps({"user_id": "not a number"}).encode()))
    # The pipeline the guide draws: Firehose -> S3 -> Glue -> Athena.
    athena = client(lakebox_server, "athena")
    events_table.batch_create_partition(DatabaseName="raw_data", TableName="events", PartitionInputList=[
        {"Values": [day], "StorageDescriptor": {"Location": f"s3://lake/silver/events/dt={day}/"}}])
    run = athena.start_query_execution(QueryString="SELECT sum(user_id), count(*) FROM events",
                                       QueryExecutionContext={"Database": "raw_data"},
                                       ResultConfiguration={"OutputLocation": "s3://lake/athena/"})
    while athena.get_query_execution(QueryExecutionId=run["QueryExecutionId"])["QueryExecution"]["Status"][
            "State"] in ("QUEUED", "RUNNING"):
        time.sleep(0.1)
    rows = athena.get_query_results(QueryExecutionId=run["QueryExecutionId"])["ResultSet"]["Rows"]
    assert [c["VarCharValue"] for c in rows[1]["Data"]] == ["3", "3"]


def test_a_missing_schema_table_fails_the_records_into_the_error_output(firehose, s3, lake, lakebox_server):
    create(firehose, "noschema", Prefix="p/", ErrorOutputPrefix="err/", DataFormatConversionConfiguration=CONVERSION)
    firehose.put_record(DeliveryStreamName="noschema", Record={"Data": b'{"user_id": 1}'})
    lakebox_server.advance_clock("6m")
    [(key, body)] = objects(s3).items()
    assert key.startswith("err/noschema-1-")
    assert "was not found" in json.loads(body)["errorMessage"]


def test_kinesis_source_delivers_what_the_stream_receives_after_creation(firehose, s3, lake, lakebox_server):
    kinesis = client(lakebox_server, "kinesis")
    kinesis.create_stream(StreamName="src", ShardCount=3)
    kinesis.put_record(StreamName="src", Data=b"before\n", PartitionKey="p")
    arn = kinesis.describe_stream_summary(StreamName="src")["StreamDescriptionSummary"]["StreamARN"]
    firehose.create_delivery_stream(DeliveryStreamName="from-kinesis", DeliveryStreamType="KinesisStreamAsSource",
                                    KinesisStreamSourceConfiguration={"KinesisStreamARN": arn, "RoleARN": ROLE},
                                    ExtendedS3DestinationConfiguration=s3_destination(Prefix="k/"))
    d = firehose.describe_delivery_stream(DeliveryStreamName="from-kinesis")["DeliveryStreamDescription"]
    assert d["Source"]["KinesisStreamSourceDescription"]["KinesisStreamARN"] == arn
    with pytest.raises(Exception) as info:
        firehose.put_record(DeliveryStreamName="from-kinesis", Record={"Data": b"x"})
    assert info.value.response["Error"]["Code"] == "InvalidArgumentException"
    sent = [f"event-{i}\n".encode() for i in range(30)]
    kinesis.put_records(StreamName="src", Records=[{"Data": d, "PartitionKey": f"k{i}"} for i, d in enumerate(sent)])
    lakebox_server.advance_clock("6m")
    found = objects(s3, prefix="k/")
    assert _lines(found.values()) == _lines(sent)  # every shard's records, and not the one put before
    kinesis.put_record(StreamName="src", Data=b"later\n", PartitionKey="p")
    lakebox_server.advance_clock("6m")
    assert _lines(objects(s3, prefix="k/").values()) == _lines(sent + [b"later\n"])


def test_buffered_records_survive_a_restart(tmp_path):
    with running_lakebox(tmp_path, set_env=False) as server:
        firehose, s3 = client(server, "firehose"), client(server, "s3")
        s3.create_bucket(Bucket="lake")
        create(firehose, "durable", Prefix="d/")
        firehose.put_record_batch(DeliveryStreamName="durable", Records=[{"Data": b"%d\n" % i} for i in range(100)])
        server.advance_clock("6m")
        firehose.put_record_batch(DeliveryStreamName="durable", Records=[{"Data": b"%d\n" % i} for i in range(100, 150)])
    with running_lakebox(tmp_path, set_env=False) as server:
        firehose, s3 = client(server, "firehose"), client(server, "s3")
        assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["durable"]
        assert len(objects(s3)) == 1  # the first delivery, not repeated
        server.advance_clock("6m")
        found = objects(s3)
        assert len(found) == 2
        assert _lines(found.values()) == _lines([b"%d\n" % i for i in range(150)])


def test_puts_racing_deliveries_deliver_every_record_once(firehose, s3, lake, lakebox_server):
    """Writers keep putting while size-triggered deliveries read and trim the same buffer."""
    from concurrent.futures import ThreadPoolExecutor

    create(firehose, "race", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 900}, Prefix="race/")

    def writer(w: int) -> list[bytes]:
        sent = []
        fh = client(lakebox_server, "firehose")
        for b in range(12):
            batch = [b"w%d-b%d-r%d-" % (w, b, r) + b"x" * (500 + r) + b"\n" for r in range(100)]
            fh.put_record_batch(DeliveryStreamName="race", Records=[{"Data": d} for d in batch])
            sent += batch
        return sent

    with ThreadPoolExecutor(4) as pool:
        sent = [line for batch in pool.map(writer, range(4)) for line in batch]
    lakebox_server.advance_clock("16m")  # whatever the size trigger left behind
    delivered = _lines(objects(s3, prefix="race/").values())
    assert delivered == _lines(sent)  # each once: nothing lost, nothing twice
    assert len(objects(s3, prefix="race/")) >= 3  # ~3.3 MiB through a 1 MiB buffer


def test_source_record_backup_keeps_the_records_as_they_arrived(firehose, s3, lake, lakebox_server, events_table):
    s3.create_bucket(Bucket="backup")
    create(firehose, "bk", Prefix="converted/", ErrorOutputPrefix="err/", DataFormatConversionConfiguration=CONVERSION,
           S3BackupMode="Enabled", S3BackupConfiguration={"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::backup",
                                                           "Prefix": "raw/", "CompressionFormat": "GZIP"})
    extended = firehose.describe_delivery_stream(DeliveryStreamName="bk")["DeliveryStreamDescription"][
        "Destinations"][0]["ExtendedS3DestinationDescription"]
    assert extended["S3BackupMode"] == "Enabled"
    assert extended["S3BackupDescription"]["Prefix"] == "raw/"
    assert extended["S3BackupDescription"]["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    sent = [json.dumps({"user_id": i, "event_type": "e"}).encode() for i in range(3)]
    firehose.put_record_batch(DeliveryStreamName="bk", Records=[{"Data": d} for d in sent])
    lakebox_server.advance_clock("6m")
    [converted] = objects(s3, prefix="converted/").values()
    assert [r["user_id"] for r in pq.read_table(io.BytesIO(converted)).to_pylist()] == [0, 1, 2]
    [(key, raw)] = objects(s3, "backup").items()
    assert key.startswith("raw/") and key.endswith(".gz") and gzip.decompress(raw) == b"".join(sent)
    with pytest.raises(Exception) as info:
        firehose.update_destination(DeliveryStreamName="bk", CurrentDeliveryStreamVersionId="1",
                                    DestinationId="destinationId-000000000001",
                                    ExtendedS3DestinationUpdate={"S3BackupMode": "Disabled"})
    assert info.value.response["Error"]["Code"] == "InvalidArgumentException"
    firehose.update_destination(DeliveryStreamName="bk", CurrentDeliveryStreamVersionId="1",
                                DestinationId="destinationId-000000000001",
                                ExtendedS3DestinationUpdate={"S3BackupUpdate": {"Prefix": "raw2/"}})
    backup = firehose.describe_delivery_stream(DeliveryStreamName="bk")["DeliveryStreamDescription"][
        "Destinations"][0]["ExtendedS3DestinationDescription"]["S3BackupDescription"]
    assert (backup["Prefix"], backup["CompressionFormat"]) == ("raw2/", "GZIP")


def test_backup_enabled_without_its_configuration_is_refused(firehose, lake):
    with pytest.raises(Exception) as info:
        create(firehose, "nobk", S3BackupMode="Enabled")
    assert info.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_delivery_errors_are_logged_to_cloudwatch_logs_when_enabled(firehose, s3, lakebox_server):
    logs = client(lakebox_server, "logs")
    logs.create_log_group(logGroupName="/aws/kinesisfirehose/logged")
    logs.create_log_stream(logGroupName="/aws/kinesisfirehose/logged", logStreamName="DestinationDelivery")
    firehose.create_delivery_stream(DeliveryStreamName="logged", ExtendedS3DestinationConfiguration=s3_destination(
        bucket="not-yet", BufferingHints={"IntervalInSeconds": 60},
        CloudWatchLoggingOptions={"Enabled": True, "LogGroupName": "/aws/kinesisfirehose/logged",
                                  "LogStreamName": "DestinationDelivery"}))
    firehose.put_record(DeliveryStreamName="logged", Record={"Data": b"x"})
    lakebox_server.advance_clock("2m")
    events = logs.get_log_events(logGroupName="/aws/kinesisfirehose/logged",
                                 logStreamName="DestinationDelivery")["events"]
    assert events, "the failed delivery was not logged"
    entry = json.loads(events[0]["message"])
    assert entry == {"deliveryStreamARN": "arn:aws:firehose:us-east-1:000000000000:deliverystream/logged",
                     "destination": "arn:aws:s3:::not-yet", "deliveryStreamVersionId": 1,
                     "message": "The specified bucket does not exist.", "errorCode": "S3.NoSuchBucket"}
