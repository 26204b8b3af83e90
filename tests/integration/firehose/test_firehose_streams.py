"""Firehose delivery stream operations against a running lakebox: what AWS answers, errors included."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.exceptions import ClientError
from firehose_helpers import ROLE, create, s3_destination


def _error(info) -> tuple[str, str, int]:
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_and_describe_show_the_stream_with_aws_defaults(firehose, lake):
    arn = create(firehose, "events", extended=False, Prefix="raw/")
    assert arn == "arn:aws:firehose:us-east-1:000000000000:deliverystream/events"
    d = firehose.describe_delivery_stream(DeliveryStreamName="events")["DeliveryStreamDescription"]
    assert (d["DeliveryStreamName"], d["DeliveryStreamARN"], d["DeliveryStreamStatus"]) == ("events", arn, "ACTIVE")
    assert (d["DeliveryStreamType"], d["VersionId"], d["HasMoreDestinations"]) == ("DirectPut", "1", False)
    assert d["DeliveryStreamEncryptionConfiguration"] == {"Status": "DISABLED"}
    assert abs(d["CreateTimestamp"] - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)
    [destination] = d["Destinations"]
    assert destination["DestinationId"] == "destinationId-000000000001"
    plain = destination["S3DestinationDescription"]
    assert plain == {"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::lake", "Prefix": "raw/",
                     "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300}, "CompressionFormat": "UNCOMPRESSED",
                     "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
                     "CloudWatchLoggingOptions": {"Enabled": False}}
    assert destination["ExtendedS3DestinationDescription"] == {**plain, "S3BackupMode": "Disabled"}


def test_a_second_stream_of_the_same_name_is_resource_in_use(firehose, lake):
    create(firehose, "dup")
    with pytest.raises(ClientError) as info:
        create(firehose, "dup")
    assert _error(info) == ("ResourceInUseException", "Firehose dup under accountId 000000000000 already exists", 400)


@pytest.mark.parametrize("call", [
    lambda f: f.describe_delivery_stream(DeliveryStreamName="nope"),
    lambda f: f.delete_delivery_stream(DeliveryStreamName="nope"),
    lambda f: f.put_record(DeliveryStreamName="nope", Record={"Data": b"x"}),
    lambda f: f.put_record_batch(DeliveryStreamName="nope", Records=[{"Data": b"x"}]),
    lambda f: f.list_tags_for_delivery_stream(DeliveryStreamName="nope"),
])
def test_a_missing_stream_is_resource_not_found(firehose, call):
    with pytest.raises(ClientError) as info:
        call(firehose)
    assert _error(info) == ("ResourceNotFoundException", "Firehose nope under account 000000000000 not found.", 400)


def test_list_pages_by_name_and_filters_by_type(firehose, lake, lakebox_server):
    for name in ("c", "a", "b"):
        create(firehose, name)
    listed = firehose.list_delivery_streams()
    assert (listed["DeliveryStreamNames"], listed["HasMoreDeliveryStreams"]) == (["a", "b", "c"], False)
    page = firehose.list_delivery_streams(Limit=2)
    assert (page["DeliveryStreamNames"], page["HasMoreDeliveryStreams"]) == (["a", "b"], True)
    rest = firehose.list_delivery_streams(Limit=2, ExclusiveStartDeliveryStreamName="b")
    assert (rest["DeliveryStreamNames"], rest["HasMoreDeliveryStreams"]) == (["c"], False)
    assert firehose.list_delivery_streams(DeliveryStreamType="KinesisStreamAsSource")["DeliveryStreamNames"] == []
    # Streams belong to a region.
    west = boto3.client("firehose", endpoint_url=lakebox_server.endpoint_url, region_name="eu-west-1",
                        aws_access_key_id="test", aws_secret_access_key="test")
    assert west.list_delivery_streams()["DeliveryStreamNames"] == []


def test_delete_removes_the_stream_and_its_buffer(firehose, s3, lake, lakebox_server):
    create(firehose, "gone")
    firehose.put_record(DeliveryStreamName="gone", Record={"Data": b"never delivered\n"})
    firehose.delete_delivery_stream(DeliveryStreamName="gone")
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    lakebox_server.advance_clock("10m")
    assert s3.list_objects_v2(Bucket="lake")["KeyCount"] == 0
    create(firehose, "gone")  # the name is free again, with an empty buffer
    assert firehose.describe_delivery_stream(DeliveryStreamName="gone")["DeliveryStreamDescription"]["VersionId"] == "1"


def test_update_destination_checks_the_version_and_merges_fields(firehose, lake):
    create(firehose, "upd", Prefix="a/", BufferingHints={"SizeInMBs": 10, "IntervalInSeconds": 300})
    with pytest.raises(ClientError) as info:
        firehose.update_destination(DeliveryStreamName="upd", CurrentDeliveryStreamVersionId="7",
                                    DestinationId="destinationId-000000000001",
                                    ExtendedS3DestinationUpdate={"Prefix": "b/"})
    assert _error(info)[0] == "ConcurrentModificationException"
    with pytest.raises(ClientError) as info:
        firehose.update_destination(DeliveryStreamName="upd", CurrentDeliveryStreamVersionId="1",
                                    DestinationId="destinationId-000000000009",
                                    ExtendedS3DestinationUpdate={"Prefix": "b/"})
    assert _error(info)[0] == "InvalidArgumentException"
    firehose.update_destination(DeliveryStreamName="upd", CurrentDeliveryStreamVersionId="1",
                                DestinationId="destinationId-000000000001",
                                ExtendedS3DestinationUpdate={"Prefix": "b/", "BufferingHints": {"IntervalInSeconds": 60},
                                                             "CompressionFormat": "GZIP"})
    d = firehose.describe_delivery_stream(DeliveryStreamName="upd")["DeliveryStreamDescription"]
    extended = d["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert d["VersionId"] == "2" and "LastUpdateTimestamp" in d
    assert (extended["Prefix"], extended["CompressionFormat"]) == ("b/", "GZIP")
    assert extended["BufferingHints"] == {"SizeInMBs": 10, "IntervalInSeconds": 60}
    # A refused update changes nothing, not even the version.
    with pytest.raises(ClientError) as info:
        firehose.update_destination(DeliveryStreamName="upd", CurrentDeliveryStreamVersionId="2",
                                    DestinationId="destinationId-000000000001",
                                    ExtendedS3DestinationUpdate={"Prefix": "c/!{timestamp:yyyy}/"})
    assert _error(info)[0] == "InvalidArgumentException"
    assert firehose.describe_delivery_stream(DeliveryStreamName="upd")["DeliveryStreamDescription"]["VersionId"] == "2"


def test_tags(firehose, lake):
    firehose.create_delivery_stream(DeliveryStreamName="t", ExtendedS3DestinationConfiguration=s3_destination(),
                                    Tags=[{"Key": "team", "Value": "data"}])
    firehose.tag_delivery_stream(DeliveryStreamName="t", Tags=[{"Key": "env", "Value": "dev"},
                                                               {"Key": "team", "Value": "lake"}])
    listed = firehose.list_tags_for_delivery_stream(DeliveryStreamName="t")
    assert (listed["Tags"], listed["HasMoreTags"]) == (
        [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "lake"}], False)
    page = firehose.list_tags_for_delivery_stream(DeliveryStreamName="t", Limit=1, ExclusiveStartTagKey="env")
    assert (page["Tags"], page["HasMoreTags"]) == ([{"Key": "team", "Value": "lake"}], False)
    firehose.untag_delivery_stream(DeliveryStreamName="t", TagKeys=["env"])
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName="t")["Tags"] == [{"Key": "team", "Value": "lake"}]
    with pytest.raises(ClientError) as info:
        firehose.tag_delivery_stream(DeliveryStreamName="t", Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert _error(info)[0] == "LimitExceededException"
    assert len(firehose.list_tags_for_delivery_stream(DeliveryStreamName="t")["Tags"]) == 1


def test_server_side_encryption_starts_and_stops(firehose, lake):
    create(firehose, "enc")
    assert firehose.put_record(DeliveryStreamName="enc", Record={"Data": b"x"})["Encrypted"] is False
    firehose.start_delivery_stream_encryption(DeliveryStreamName="enc",
                                              DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"})
    d = firehose.describe_delivery_stream(DeliveryStreamName="enc")["DeliveryStreamDescription"]
    assert d["DeliveryStreamEncryptionConfiguration"] == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    assert firehose.put_record(DeliveryStreamName="enc", Record={"Data": b"x"})["Encrypted"] is True
    assert firehose.put_record_batch(DeliveryStreamName="enc", Records=[{"Data": b"x"}])["Encrypted"] is True
    firehose.stop_delivery_stream_encryption(DeliveryStreamName="enc")
    d = firehose.describe_delivery_stream(DeliveryStreamName="enc")["DeliveryStreamDescription"]
    assert d["DeliveryStreamEncryptionConfiguration"] == {"Status": "DISABLED"}


@pytest.mark.parametrize("params, message", [
    ({}, "A destination configuration must be specified"),
    ({"ExtendedS3DestinationConfiguration": s3_destination(Prefix="y=!{timestamp:yyyy}/")},
     "ErrorOutputPrefix cannot be null"),
    ({"ExtendedS3DestinationConfiguration": s3_destination(BucketARN="arn:aws:s3:::Bad_Bucket")},
     "not a valid S3 bucket ARN"),
    ({"DeliveryStreamType": "KinesisStreamAsSource", "ExtendedS3DestinationConfiguration": s3_destination()},
     "KinesisStreamSourceConfiguration is required"),
    ({"KinesisStreamSourceConfiguration": {"KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/s",
                                           "RoleARN": ROLE},
      "ExtendedS3DestinationConfiguration": s3_destination()}, "only allowed for the KinesisStreamAsSource"),
    ({"DeliveryStreamType": "KinesisStreamAsSource",
      "KinesisStreamSourceConfiguration": {"KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/none",
                                           "RoleARN": ROLE},
      "ExtendedS3DestinationConfiguration": s3_destination()}, "does not exist"),
    ({"SplunkDestinationConfiguration": {"HECEndpoint": "https://splunk:8088", "HECEndpointType": "Raw",
                                         "HECToken": "t", "S3Configuration": s3_destination()}},
     "Amazon S3, Iceberg tables, Redshift and HTTP endpoints only"),
])
def test_bad_configurations_are_invalid_argument_and_create_nothing(firehose, lake, params, message):
    with pytest.raises(ClientError) as info:
        firehose.create_delivery_stream(DeliveryStreamName="bad", **params)
    code, text, status = _error(info)
    assert (code, status) == ("InvalidArgumentException", 400) and message in text
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


@pytest.mark.parametrize("name", ["bad name!", "a/b", "ü"])
def test_a_name_outside_the_model_pattern_is_refused(raw_firehose, lake, name):
    with pytest.raises(ClientError) as info:
        raw_firehose.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=s3_destination())
    code, message, status = _error(info)
    assert (code, status) == ("ValidationException", 400) and "regular expression pattern" in message
    assert raw_firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_bucket_arns_outside_the_model_pattern_are_the_front_ends_validation_errors(firehose, lake):
    with pytest.raises(ClientError) as info:
        firehose.create_delivery_stream(DeliveryStreamName="bad", ExtendedS3DestinationConfiguration=s3_destination(
            BucketARN="arn:aws:s3::missing-colon", S3BackupMode="Enabled",
            S3BackupConfiguration=s3_destination(BucketARN="bucket")))
    code, message, status = _error(info)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "2 validation errors detected: Value 'arn:aws:s3::missing-colon' at "
        "'extendedS3DestinationConfiguration.bucketARN' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: arn:.*:s3:::[\\w\\.\\-]{1,255}; Value 'bucket' at "
        "'extendedS3DestinationConfiguration.s3BackupConfiguration.bucketARN' failed to satisfy constraint: Member "
        "must satisfy regular expression pattern: arn:.*:s3:::[\\w\\.\\-]{1,255}")
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_record_limits(firehose, raw_firehose, lake):
    create(firehose, "limits")
    with pytest.raises(ClientError) as info:
        raw_firehose.put_record(DeliveryStreamName="limits", Record={"Data": b"x" * 1_024_001})
    assert _error(info)[0] == "ValidationException"  # the model's limits: the front end's error
    with pytest.raises(ClientError) as info:
        raw_firehose.put_record_batch(DeliveryStreamName="limits", Records=[{"Data": b"x"}] * 501)
    assert _error(info)[0] == "ValidationException"
    with pytest.raises(ClientError) as info:
        firehose.put_record_batch(DeliveryStreamName="limits", Records=[{"Data": b"x" * 1_000_000}] * 5)
    assert _error(info) == ("InvalidArgumentException", "Records size exceeds 4 MiB limit", 400)
    batch = firehose.put_record_batch(DeliveryStreamName="limits", Records=[{"Data": b"ok"}] * 500)
    assert batch["FailedPutCount"] == 0 and len(batch["RequestResponses"]) == 500
    assert len({r["RecordId"] for r in batch["RequestResponses"]}) == 500
