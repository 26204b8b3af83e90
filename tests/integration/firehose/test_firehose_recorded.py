"""Firehose answers pinned to what AWS answered in recorded runs, and to the Firehose API reference.

The recordings are LocalStack's AWS-validated snapshot tests (test_firehose: tagging, a file
extension; the Mythical Mysfits scenario: a DirectPut stream described). Values AWS makes up (ARNs
with account ids, times, request ids) are compared by shape only. The scenarios the older
test_firehose_aws_snapshots.py replays (Kinesis sources, delivered objects) are not repeated here.
"""

from __future__ import annotations

import datetime as dt
import gzip

import pytest
from botocore.exceptions import ClientError
from firehose_helpers import ROLE, objects

DESTINATION_ID = "destinationId-000000000001"
#: The S3 description defaults AWS fills in for a destination given only its bucket and role.
S3_DEFAULTS = {"BufferingHints": {"IntervalInSeconds": 300, "SizeInMBs": 5},
               "CloudWatchLoggingOptions": {"Enabled": False}, "CompressionFormat": "UNCOMPRESSED", "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"}}


def _answer(response: dict) -> dict:
    """A response as the snapshots keep it: the data and the HTTP status (headers are masked)."""
    return {**{k: v for k, v in response.items() if k != "ResponseMetadata"},
            "HTTPStatusCode": response["ResponseMetadata"]["HTTPStatusCode"]}


def _described(firehose, name: str) -> dict:
    return firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]


def _update(firehose, name: str, version: str, **update):
    return firehose.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId=version,
                                       DestinationId=DESTINATION_ID, **update)


def test_tagging_answers_as_recorded(firehose, s3):
    """TestFirehoseResourceTagging::test_resource_tagging (AWS, 2026-03): a stream created with the
    deprecated S3DestinationConfiguration and one tag lists it; untagging it with a key that was never
    set answers an empty 200; tagging anew lists only the new tag; every listing says HasMoreTags false."""
    s3.create_bucket(Bucket="tagged")
    firehose.create_delivery_stream(DeliveryStreamName="stream-tagged", DeliveryStreamType="DirectPut",
                                    S3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::tagged"},
                                    Tags=[{"Key": "subject", "Value": "taboo"}])

    def listed():
        return _answer(firehose.list_tags_for_delivery_stream(DeliveryStreamName="stream-tagged"))

    assert listed() == {"HasMoreTags": False, "Tags": [{"Key": "subject", "Value": "taboo"}], "HTTPStatusCode": 200}
    assert _answer(firehose.untag_delivery_stream(DeliveryStreamName="stream-tagged",
                                                  TagKeys=["subject", "moment"])) == {"HTTPStatusCode": 200}
    assert listed() == {"HasMoreTags": False, "Tags": [], "HTTPStatusCode": 200}
    assert _answer(firehose.tag_delivery_stream(DeliveryStreamName="stream-tagged", Tags=[
        {"Key": "feeling", "Value": "uncomfortable"}])) == {"HTTPStatusCode": 200}
    assert listed() == {"HasMoreTags": False, "Tags": [{"Key": "feeling", "Value": "uncomfortable"}],
                        "HTTPStatusCode": 200}


def test_direct_put_stream_is_described_with_the_recorded_members_and_defaults(firehose, s3):
    """Mythical Mysfits' DeliveryStream (AWS, 2023-10): a DirectPut stream with an ExtendedS3
    destination is described with encryption DISABLED, no Source and no LastUpdateTimestamp, VersionId
    "1", and its destination under both S3DestinationDescription and ExtendedS3DestinationDescription;
    only the extended one carries S3BackupMode Disabled. (The recording's Lambda processor is left
    out: lakebox runs no Lambda.)"""
    s3.create_bucket(Bucket="clicks")
    given = {"BucketARN": "arn:aws:s3:::clicks", "RoleARN": ROLE, "Prefix": "firehose/",
             "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 50}, "CompressionFormat": "UNCOMPRESSED"}
    arn = firehose.create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration=given)[
        "DeliveryStreamARN"]
    assert arn == "arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks"
    d = _described(firehose, "clicks")
    assert abs(d.pop("CreateTimestamp") - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)
    plain = {"BucketARN": "arn:aws:s3:::clicks", "RoleARN": ROLE, "Prefix": "firehose/",
             **S3_DEFAULTS, "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 50}}
    assert d == {
        "DeliveryStreamARN": arn, "DeliveryStreamEncryptionConfiguration": {"Status": "DISABLED"},
        "DeliveryStreamName": "clicks", "DeliveryStreamStatus": "ACTIVE", "DeliveryStreamType": "DirectPut",
        "Destinations": [{"DestinationId": DESTINATION_ID, "S3DestinationDescription": plain,
                          "ExtendedS3DestinationDescription": {**plain, "S3BackupMode": "Disabled"}}],
        "HasMoreDestinations": False, "VersionId": "1",
    }


def test_file_extension_is_described_on_the_extended_destination_only_and_names_the_object(firehose, s3,
                                                                                           lakebox_server):
    """test_kinesis_firehose_s3_as_destination_with_file_extension (AWS, 2024-05): AWS accepts an
    ErrorOutputPrefix without a Prefix, and the delivered object's key ends with the FileExtension.
    The API reference: FileExtension is a member of ExtendedS3DestinationDescription only."""
    s3.create_bucket(Bucket="with-extension")
    firehose.create_delivery_stream(
        DeliveryStreamName="txt", DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"BucketARN": "arn:aws:s3:::with-extension", "RoleARN": ROLE,
                                            "FileExtension": ".txt", "ErrorOutputPrefix": "errors"})
    [destination] = _described(firehose, "txt")["Destinations"]
    assert destination["ExtendedS3DestinationDescription"]["FileExtension"] == ".txt"
    assert destination["ExtendedS3DestinationDescription"]["ErrorOutputPrefix"] == "errors"
    assert "Prefix" not in destination["ExtendedS3DestinationDescription"]
    assert "FileExtension" not in destination["S3DestinationDescription"]
    answer = firehose.put_record(DeliveryStreamName="txt", Record={"Data": b"VGVzdC1tZXNzYWdl"})
    assert set(answer) == {"RecordId", "Encrypted", "ResponseMetadata"} and answer["Encrypted"] is False
    lakebox_server.advance_clock("301s")
    [(key, body)] = objects(s3, "with-extension").items()
    assert key.endswith(".txt") and body == b"VGVzdC1tZXNzYWdl"


def test_update_destination_to_another_type_replaces_it_without_merging(firehose, s3, lakebox_server):
    """API reference, UpdateDestination: the destination type can be changed (S3 to an HTTP endpoint
    and back); then nothing of the old configuration is merged (the GZIP and prefix of the first S3
    destination are gone), each change bumps VersionId and sets LastUpdateTimestamp, and delivery
    follows the new destination."""
    for bucket in ("first", "second"):
        s3.create_bucket(Bucket=bucket)
    firehose.create_delivery_stream(DeliveryStreamName="moving", ExtendedS3DestinationConfiguration={
        "BucketARN": "arn:aws:s3:::first", "RoleARN": ROLE, "Prefix": "old/", "CompressionFormat": "GZIP"})
    _update(firehose, "moving", "1", HttpEndpointDestinationUpdate={
        "EndpointConfiguration": {"Url": "https://example.com/in", "Name": "collector"},
        "S3Update": {"BucketARN": "arn:aws:s3:::first", "RoleARN": ROLE, "Prefix": "failed/"}})
    d = _described(firehose, "moving")
    assert d["VersionId"] == "2" and "LastUpdateTimestamp" in d
    [destination] = d["Destinations"]
    assert set(destination) == {"DestinationId", "HttpEndpointDestinationDescription"}
    http = destination["HttpEndpointDestinationDescription"]
    assert http["EndpointConfiguration"] == {"Url": "https://example.com/in", "Name": "collector"}
    assert http["S3DestinationDescription"] == {"BucketARN": "arn:aws:s3:::first", "RoleARN": ROLE,
                                                "Prefix": "failed/", **S3_DEFAULTS}

    _update(firehose, "moving", "2", ExtendedS3DestinationUpdate={
        "BucketARN": "arn:aws:s3:::second", "RoleARN": ROLE,
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
    d = _described(firehose, "moving")
    [destination] = d["Destinations"]
    assert d["VersionId"] == "3" and set(destination) == {"DestinationId", "S3DestinationDescription",
                                                          "ExtendedS3DestinationDescription"}
    assert destination["S3DestinationDescription"] == {
        "BucketARN": "arn:aws:s3:::second", "RoleARN": ROLE, **S3_DEFAULTS,
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}}
    firehose.put_record(DeliveryStreamName="moving", Record={"Data": b"after the moves"})
    lakebox_server.advance_clock("61s")
    assert objects(s3, "first") == {}
    [(key, body)] = objects(s3, "second").items()
    assert body == b"after the moves" and not key.startswith("old/")  # not gzipped, no old prefix


def test_update_destination_to_another_type_without_a_full_configuration_changes_nothing(firehose, s3):
    """API reference, UpdateDestination: when the type changes "all parameters must be specified";
    an HTTP endpoint update without its S3Update bucket is InvalidArgumentException, and the stream
    keeps its S3 destination and VersionId."""
    s3.create_bucket(Bucket="staying")
    firehose.create_delivery_stream(DeliveryStreamName="staying", ExtendedS3DestinationConfiguration={
        "BucketARN": "arn:aws:s3:::staying", "RoleARN": ROLE})
    before = _described(firehose, "staying")
    with pytest.raises(ClientError) as caught:
        _update(firehose, "staying", "1",
                HttpEndpointDestinationUpdate={"EndpointConfiguration": {"Url": "https://example.com/in"}})
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidArgumentException", 400)
    assert _described(firehose, "staying") == before


def test_direct_put_source_configuration_is_described_as_the_source(firehose, s3):
    """API reference, CreateDeliveryStream and SourceDescription: a DirectPut stream created with
    DirectPutSourceConfiguration describes it as Source.DirectPutSourceDescription (ThroughputHintInMBs);
    the configuration is refused for a Kinesis-sourced stream, which creates nothing."""
    s3.create_bucket(Bucket="hinted")
    destination = {"BucketARN": "arn:aws:s3:::hinted", "RoleARN": ROLE}
    firehose.create_delivery_stream(DeliveryStreamName="hinted", DeliveryStreamType="DirectPut",
                                    DirectPutSourceConfiguration={"ThroughputHintInMBs": 5},
                                    ExtendedS3DestinationConfiguration=destination)
    assert _described(firehose, "hinted")["Source"] == {"DirectPutSourceDescription": {"ThroughputHintInMBs": 5}}
    with pytest.raises(ClientError) as caught:
        firehose.create_delivery_stream(
            DeliveryStreamName="from-kinesis", DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={"KinesisStreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/s",
                                              "RoleARN": ROLE},
            DirectPutSourceConfiguration={"ThroughputHintInMBs": 5}, ExtendedS3DestinationConfiguration=destination)
    assert caught.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == ["hinted"]


def test_update_destination_of_the_same_type_merges_into_the_current_one(firehose, s3, lakebox_server):
    """API reference, UpdateDestination: within the same type the update is merged (the GZIP stays
    when only the Prefix changes), so the delivered object is still gzipped under the new prefix."""
    s3.create_bucket(Bucket="merged")
    firehose.create_delivery_stream(DeliveryStreamName="merged", ExtendedS3DestinationConfiguration={
        "BucketARN": "arn:aws:s3:::merged", "RoleARN": ROLE, "CompressionFormat": "GZIP",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
    _update(firehose, "merged", "1", ExtendedS3DestinationUpdate={"Prefix": "new/"})
    shown = _described(firehose, "merged")["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert (shown["CompressionFormat"], shown["Prefix"]) == ("GZIP", "new/")
    firehose.put_record(DeliveryStreamName="merged", Record={"Data": b"kept compressed"})
    lakebox_server.advance_clock("61s")
    [(key, body)] = objects(s3, "merged").items()
    assert key.startswith("new/") and key.endswith(".gz") and gzip.decompress(body) == b"kept compressed"
