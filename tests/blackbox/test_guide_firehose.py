'''The guide's Kinesis Firehose example ("Kinesis Firehose (Delivery)") against `lakebox serve`.

As written, the call fails on AWS, and lakebox refuses it the same way, one rule at a time:
- DataFormatConversionConfiguration is a member of ExtendedS3DestinationConfiguration only, so boto3
  itself refuses it inside S3DestinationConfiguration (ParamValidationError, nothing is sent);
- with conversion on, CompressionFormat must be UNCOMPRESSED (the serializer compresses the Parquet
  file): GZIP is InvalidArgumentException;
- a Prefix with `!{timestamp:...}` expressions needs an ErrorOutputPrefix: InvalidArgumentException;
- conversion needs an InputFormatConfiguration (the JSON deserializer): InvalidArgumentException.
Each refusal is shown on the fixed call with just that one fix taken back, and none creates a stream.

The fixed call (tests/guide/FIXES.md) then runs with the setup the guide leaves implicit: the bucket
`my-data-lake` and the Glue table `raw_data.events`, whose columns are the Kinesis example's `event`
(the guide's `event` comes from that example, just before). The guide's record is put, nothing is
delivered while the service clock stands still (300 s buffer), and once `/_lakebox/clock` advances
6 minutes exactly one Parquet object is under the day's Hive folder, named as Firehose names it,
holding the event as one typed row.
'''

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import time
import urllib.request

import boto3
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError, ParamValidationError

pytestmark = pytest.mark.blackbox

# guide: "Kinesis Data Streams" (only the lines that the Firehose example relies on: `event`)
KINESIS_PREAMBLE = """
import boto3
import json

# Produzir evento
event = {
    'user_id': 12345,
    'event_type': 'page_view',
    'timestamp': '2024-01-15T10:30:00Z',
    'page': '/products/123'
}
"""

# guide: "Kinesis Firehose (Delivery)" (verbatim)
GUIDE = """
firehose = boto3.client('firehose')

# Criar delivery stream para S3
firehose.create_delivery_stream(
    DeliveryStreamName='events-to-s3',
    DeliveryStreamType='DirectPut',
    S3DestinationConfiguration={
        'RoleARN': 'arn:aws:iam::123456789:role/FirehoseRole',
        'BucketARN': 'arn:aws:s3:::my-data-lake',
        'Prefix': 'bronze/events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        'BufferingHints': {
            'SizeInMBs': 128,
            'IntervalInSeconds': 300  # 5 minutos
        },
        'CompressionFormat': 'GZIP',
        'DataFormatConversionConfiguration': {
            'Enabled': True,
            'SchemaConfiguration': {
                'DatabaseName': 'raw_data',
                'TableName': 'events',
                'Region': 'us-east-1',
                'RoleARN': 'arn:aws:iam::123456789:role/FirehoseRole'
            },
            'OutputFormatConfiguration': {
                'Serializer': {'ParquetSerDe': {}}
            }
        }
    }
)

# Put record
firehose.put_record(
    DeliveryStreamName='events-to-s3',
    Record={'Data': json.dumps(event)}
)
"""

# The same example with the four fixes of tests/guide/FIXES.md, each marked.
FIXED = """
firehose = boto3.client('firehose')

# Criar delivery stream para S3
firehose.create_delivery_stream(
    DeliveryStreamName='events-to-s3',
    DeliveryStreamType='DirectPut',
    ExtendedS3DestinationConfiguration={  # fix 1: conversion exists only in the Extended destination
        'RoleARN': 'arn:aws:iam::123456789:role/FirehoseRole',
        'BucketARN': 'arn:aws:s3:::my-data-lake',
        'Prefix': 'bronze/events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        'ErrorOutputPrefix': 'bronze/errors/events/!{firehose:error-output-type}/',  # fix 3: needed with !{...}
        'BufferingHints': {
            'SizeInMBs': 128,
            'IntervalInSeconds': 300  # 5 minutos
        },
        'CompressionFormat': 'UNCOMPRESSED',  # fix 2: the Parquet serializer compresses (SNAPPY)
        'DataFormatConversionConfiguration': {
            'Enabled': True,
            'SchemaConfiguration': {
                'DatabaseName': 'raw_data',
                'TableName': 'events',
                'Region': 'us-east-1',
                'RoleARN': 'arn:aws:iam::123456789:role/FirehoseRole'
            },
            'InputFormatConfiguration': {  # fix 4: conversion needs the JSON deserializer
                'Deserializer': {'OpenXJsonSerDe': {}}
            },
            'OutputFormatConfiguration': {
                'Serializer': {'ParquetSerDe': {}}
            }
        }
    }
)

# Put record
firehose.put_record(
    DeliveryStreamName='events-to-s3',
    Record={'Data': json.dumps(event)}
)
"""

#: Fix 4 as it appears in FIXED (taken out whole to show the refusal).
INPUT_FORMAT = """
            'InputFormatConfiguration': {  # fix 4: conversion needs the JSON deserializer
                'Deserializer': {'OpenXJsonSerDe': {}}
            },"""


EVENT = {"user_id": 12345, "event_type": "page_view", "timestamp": "2024-01-15T10:30:00Z", "page": "/products/123"}

EVENTS_TABLE = {
    "Name": "events",
    "TableType": "EXTERNAL_TABLE",
    "Parameters": {"classification": "parquet"},
    "PartitionKeys": [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"},
                      {"Name": "day", "Type": "string"}],
    "StorageDescriptor": {
        "Columns": [{"Name": "user_id", "Type": "bigint"}, {"Name": "event_type", "Type": "string"},
                    {"Name": "timestamp", "Type": "string"}, {"Name": "page", "Type": "string"}],
        "Location": "s3://my-data-lake/bronze/events/",
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
    },
}


def _run(code: str) -> dict:
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(KINESIS_PREAMBLE + code, "guide-firehose", "exec"), namespace)  # noqa: S102 - the guide's code
    return namespace


def _variant(old: str, new: str) -> str:
    """The fixed example's create call with one fix taken back."""
    assert FIXED.count(old) == 1, old
    code = FIXED.replace(old, new)
    return code[:code.index("# Put record")]


def _clock(endpoint: str, advance: str | None = None) -> dt.datetime:
    data = json.dumps({"advance": advance}).encode() if advance else None
    request = urllib.request.Request(endpoint + "/_lakebox/clock", data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as resp:
        now = json.loads(resp.read())["now"]
    return dt.datetime.fromisoformat(now.replace("Z", "+00:00"))


def _keys(s3, prefix: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket="my-data-lake", Prefix=prefix).get("Contents", [])]


@pytest.fixture(scope="module")
def lake_and_table(lakebox_endpoint):
    """What the guide leaves implicit: the bucket, and the Glue table the conversion reads its schema from."""
    boto3.client("s3").create_bucket(Bucket="my-data-lake")
    glue = boto3.client("glue")
    glue.create_database(DatabaseInput={"Name": "raw_data"})
    glue.create_table(DatabaseName="raw_data", TableInput=EVENTS_TABLE)
    return lakebox_endpoint


def test_guide_call_as_written_is_refused_by_boto3(lake_and_table):
    with pytest.raises(ParamValidationError) as refused:
        _run(GUIDE)
    assert "DataFormatConversionConfiguration" in str(refused.value)
    assert boto3.client("firehose").list_delivery_streams()["DeliveryStreamNames"] == []

    # Fix 1 alone: the Extended destination takes the conversion, and the server refuses the rest.
    with pytest.raises(ClientError) as refused:
        _run(GUIDE.replace("S3DestinationConfiguration=", "ExtendedS3DestinationConfiguration="))
    assert refused.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert boto3.client("firehose").list_delivery_streams()["DeliveryStreamNames"] == []


@pytest.mark.parametrize("old, new, named", [
    pytest.param("'CompressionFormat': 'UNCOMPRESSED',", "'CompressionFormat': 'GZIP',", "CompressionFormat",
                 id="guide-GZIP"),
    pytest.param("'ErrorOutputPrefix': 'bronze/errors/events/!{firehose:error-output-type}/',", "",
                 "ErrorOutputPrefix", id="no-ErrorOutputPrefix"),
    pytest.param(INPUT_FORMAT, "", "InputFormatConfiguration", id="no-InputFormatConfiguration"),
])
def test_extended_destination_without_one_fix_is_refused(lake_and_table, old, new, named):
    code = _variant(old, new)
    with pytest.raises(ClientError) as refused:
        _run(code)
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidArgumentException", error
    assert named in error["Message"], error
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert boto3.client("firehose").list_delivery_streams()["DeliveryStreamNames"] == []


def test_guide_fixed_delivers_one_parquet_object_after_the_buffer_interval(lake_and_table):
    endpoint = lake_and_table.url
    s3 = boto3.client("s3")
    before = _clock(endpoint)
    namespace = _run(FIXED)
    after = _clock(endpoint)
    assert namespace["event"] == EVENT

    description = boto3.client("firehose").describe_delivery_stream(
        DeliveryStreamName="events-to-s3")["DeliveryStreamDescription"]
    assert description["DeliveryStreamStatus"] == "ACTIVE"
    destination = description["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert destination["BufferingHints"] == {"SizeInMBs": 128, "IntervalInSeconds": 300}
    assert destination["DataFormatConversionConfiguration"]["Enabled"] is True

    # The buffer holds the record: 100 bytes are far below 128 MiB, and the service clock has not moved.
    time.sleep(2.2)
    assert _keys(s3, "bronze/") == []

    _clock(endpoint, "6m")  # delivery of what is due runs before the call returns
    keys = _keys(s3, "")
    days = {f"bronze/events/year={t:%Y}/month={t:%m}/day={t:%d}": t for t in (before, after)}
    assert len(keys) == 1, keys  # one object, and no error output
    folder, name = keys[0].rsplit("/", 1)
    assert folder in days, (keys, list(days))  # the service clock's day (UTC) when the record arrived
    assert re.fullmatch(rf"events-to-s3-1-{days[folder]:%Y-%m-%d}-\d\d-\d\d-\d\d-[0-9a-f-]{{36}}\.parquet", name), name

    body = s3.get_object(Bucket="my-data-lake", Key=keys[0])["Body"].read()
    table = pq.read_table(io.BytesIO(body))
    assert table.to_pylist() == [EVENT]
    assert [str(t) for t in table.schema.types] == ["int64", "string", "string", "string"]
