"""Firehose scenarios whose answers were recorded on AWS, replayed against lakebox.

Each test follows one recorded scenario: what Describe and the tag operations return, and which
objects arrive in S3 with what content. Values AWS makes up (ids, times, account) are not compared.
Deliveries are due on the service clock, so `advance_clock` delivers them before it returns.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from firehose_helpers import ROLE, client, objects

MESSAGE = "Test-message-2948294kdlsie"
#: `<Prefix><yyyy/MM/dd/HH/><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>`
TIME_FOLDERS = r"\d{4}/\d{2}/\d{2}/\d{2}/"
SUFFIX = r"-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}"


@pytest.fixture
def kinesis(lakebox_server):
    return client(lakebox_server, "kinesis")


def _kinesis_stream(kinesis, name: str, shards: int) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=shards, StreamModeDetails={"StreamMode": "PROVISIONED"})
    _wait_active(kinesis, name)
    return kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamARN"]


def _wait_active(kinesis, name: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"] != "ACTIVE":
        assert time.monotonic() < deadline, f"stream {name} did not become ACTIVE"
        time.sleep(0.1)


def _starting_hash_keys(kinesis, name: str) -> dict[str, str]:
    """Each shard's starting hash key, by the last two digits of its id."""
    shards = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    return {shard["ShardId"][-2:]: shard["HashKeyRange"]["StartingHashKey"] for shard in shards}


def _from_kinesis(firehose, name: str, stream_arn: str, bucket: str, log_group: str) -> None:
    """The delivery stream of the recorded Kinesis scenarios: 1 MiB / 1 s buffers, errors logged."""
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}", "Prefix": "firehoseTest",
            "ErrorOutputPrefix": "firehoseTest-errors/!{firehose:error-output-type}/",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}, "CompressionFormat": "UNCOMPRESSED",
            "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
            "CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": log_group, "LogStreamName": f"s-{name}"},
        })


def _json_messages(bodies) -> list[dict]:
    """Records that were JSON objects, read back from objects where Firehose wrote them end to end."""
    return [message for body in bodies for message in json.loads("[" + body.decode().replace("}{", "},{") + "]")]


def test_two_delivery_streams_reading_one_kinesis_stream_each_deliver_the_record(firehose, s3, kinesis,
                                                                               lakebox_server):
    client(lakebox_server, "logs").create_log_group(logGroupName="firehose-errors")
    stream_arn = _kinesis_stream(kinesis, "events", 1)
    for bucket in ("bucket-a", "bucket-b"):
        s3.create_bucket(Bucket=bucket)
        _from_kinesis(firehose, f"to-{bucket}", stream_arn, bucket, "firehose-errors")
    kinesis.put_record(StreamName="events", Data=MESSAGE, PartitionKey="1")
    lakebox_server.advance_clock("2s")
    for bucket in ("bucket-a", "bucket-b"):
        [(key, body)] = objects(s3, bucket).items()
        assert body == MESSAGE.encode()  # as sent: no delimiter added
        assert re.fullmatch(f"firehoseTest{TIME_FOLDERS}to-{bucket}{SUFFIX}", key)


def test_json_records_from_kinesis_arrive_concatenated_without_a_separator(firehose, s3, kinesis, lakebox_server):
    client(lakebox_server, "logs").create_log_group(logGroupName="firehose-errors")
    s3.create_bucket(Bucket="firehose-raw-data")
    _from_kinesis(firehose, "raw", _kinesis_stream(kinesis, "clicks", 1), "firehose-raw-data", "firehose-errors")
    sent = [{"Id": f"message_id_{i}", "Data": MESSAGE} for i in range(10)]
    for message in sent:
        kinesis.put_record(StreamName="clicks", Data=json.dumps(message), PartitionKey="1")
    lakebox_server.advance_clock("2s")
    [body] = objects(s3, "firehose-raw-data").values()
    assert body == "".join(json.dumps(message) for message in sent).encode()


def test_a_kinesis_source_split_into_more_shards_delivers_from_parent_and_children(firehose, s3, kinesis,
                                                                                  lakebox_server):
    client(lakebox_server, "logs").create_log_group(logGroupName="firehose-errors")
    s3.create_bucket(Bucket="split")
    _from_kinesis(firehose, "split", _kinesis_stream(kinesis, "growing", 1), "split", "firehose-errors")
    kinesis.put_record(StreamName="growing", Data=json.dumps({"message-0": MESSAGE}), PartitionKey="0")
    kinesis.update_shard_count(StreamName="growing", TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    _wait_active(kinesis, "growing")
    hash_keys = _starting_hash_keys(kinesis, "growing")
    assert sorted(hash_keys) == ["00", "01", "02"]
    for number, shard in ((1, "00"), (2, "01"), (3, "02")):
        kinesis.put_record(StreamName="growing", Data=json.dumps({f"message-{number}": MESSAGE}),
                           ExplicitHashKey=hash_keys[shard], PartitionKey=str(number - 1))
    lakebox_server.advance_clock("2s")
    delivered = _json_messages(objects(s3, "split").values())
    assert sorted(delivered, key=json.dumps) == [{f"message-{i}": MESSAGE} for i in range(4)]


def test_a_kinesis_source_merged_into_fewer_shards_delivers_from_parents_and_child(firehose, s3, kinesis,
                                                                                  lakebox_server):
    client(lakebox_server, "logs").create_log_group(logGroupName="firehose-errors")
    s3.create_bucket(Bucket="merge")
    _from_kinesis(firehose, "merge", _kinesis_stream(kinesis, "shrinking", 2), "merge", "firehose-errors")
    hash_keys = _starting_hash_keys(kinesis, "shrinking")
    kinesis.put_record(StreamName="shrinking", Data=json.dumps({"message-0": MESSAGE}), PartitionKey="0")
    for number, shard in ((1, "00"), (2, "01")):
        kinesis.put_record(StreamName="shrinking", Data=json.dumps({f"message-{number}": MESSAGE}),
                           ExplicitHashKey=hash_keys[shard], PartitionKey=str(number - 1))
    kinesis.update_shard_count(StreamName="shrinking", TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    _wait_active(kinesis, "shrinking")
    hash_keys = _starting_hash_keys(kinesis, "shrinking")
    kinesis.put_record(StreamName="shrinking", Data=json.dumps({"message-3": MESSAGE}),
                       ExplicitHashKey=hash_keys["01"], PartitionKey="0")
    lakebox_server.advance_clock("2s")
    delivered = _json_messages(objects(s3, "merge").values())
    assert sorted(delivered, key=json.dumps) == [{f"message-{i}": MESSAGE} for i in range(4)]


def test_direct_put_with_a_file_extension_and_default_buffering(firehose, s3, lakebox_server):
    s3.create_bucket(Bucket="with-extension")
    firehose.create_delivery_stream(
        DeliveryStreamName="txt", DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"BucketARN": "arn:aws:s3:::with-extension", "RoleARN": ROLE,
                                            "FileExtension": ".txt", "ErrorOutputPrefix": "errors"})
    firehose.put_record(DeliveryStreamName="txt", Record={"Data": MESSAGE.encode()})
    lakebox_server.advance_clock("299s")
    assert objects(s3, "with-extension") == {}  # the default interval is 300 seconds
    lakebox_server.advance_clock("2s")
    [(key, body)] = objects(s3, "with-extension").items()
    assert re.fullmatch(f"{TIME_FOLDERS}txt{SUFFIX}\\.txt", key) and body == MESSAGE.encode()


def test_tags_answer_as_recorded_including_untagging_a_key_never_set(firehose, s3):
    s3.create_bucket(Bucket="tagged")
    firehose.create_delivery_stream(
        DeliveryStreamName="tagged", DeliveryStreamType="DirectPut",
        S3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::tagged"},
        Tags=[{"Key": "subject", "Value": "taboo"}])

    def listed():
        answer = firehose.list_tags_for_delivery_stream(DeliveryStreamName="tagged")
        return answer["Tags"], answer["HasMoreTags"]

    assert listed() == ([{"Key": "subject", "Value": "taboo"}], False)
    removed = firehose.untag_delivery_stream(DeliveryStreamName="tagged", TagKeys=["subject", "moment"])
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(removed) == {"ResponseMetadata"}
    assert listed() == ([], False)
    added = firehose.tag_delivery_stream(DeliveryStreamName="tagged",
                                         Tags=[{"Key": "feeling", "Value": "uncomfortable"}])
    assert set(added) == {"ResponseMetadata"}
    assert listed() == ([{"Key": "feeling", "Value": "uncomfortable"}], False)


def test_describe_a_kinesis_source_stream_with_dynamic_partitioning_as_aws_does(firehose, s3, kinesis):
    s3.create_bucket(Bucket="partitioned")
    stream_arn = _kinesis_stream(kinesis, "tables", 2)
    given = {
        "BucketARN": "arn:aws:s3:::partitioned", "RoleARN": ROLE,
        "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 64},
        "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "MetadataExtraction", "Parameters": [
            {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{s3Prefix: .tableName}"},
            {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]},
        "DynamicPartitioningConfiguration": {"Enabled": True},
        "DataFormatConversionConfiguration": {"Enabled": False},
        "Prefix": "firehoseTest/!{partitionKeyFromQuery:s3Prefix}",
        "ErrorOutputPrefix": "firehoseTest-errors/!{firehose:error-output-type}/",
    }
    firehose.create_delivery_stream(DeliveryStreamName="by-table", DeliveryStreamType="KinesisStreamAsSource",
                                    KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn,
                                                                      "RoleARN": ROLE},
                                    ExtendedS3DestinationConfiguration=given)
    d = firehose.describe_delivery_stream(DeliveryStreamName="by-table")["DeliveryStreamDescription"]
    # No DeliveryStreamEncryptionConfiguration at all for a Kinesis source (DirectPut shows DISABLED).
    assert set(d) == {"CreateTimestamp", "DeliveryStreamARN", "DeliveryStreamName", "DeliveryStreamStatus",
                      "DeliveryStreamType", "Destinations", "HasMoreDestinations", "Source", "VersionId"}
    assert (d["DeliveryStreamStatus"], d["DeliveryStreamType"], d["VersionId"]) == (
        "ACTIVE", "KinesisStreamAsSource", "1")
    source = d["Source"]["KinesisStreamSourceDescription"]
    assert (source["KinesisStreamARN"], source["RoleARN"]) == (stream_arn, ROLE)
    [destination] = d["Destinations"]
    common = {"BucketARN": given["BucketARN"], "RoleARN": ROLE, "BufferingHints": given["BufferingHints"],
              "CloudWatchLoggingOptions": {"Enabled": False}, "CompressionFormat": "UNCOMPRESSED",
              "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
              "Prefix": given["Prefix"], "ErrorOutputPrefix": given["ErrorOutputPrefix"]}
    assert destination == {
        "DestinationId": "destinationId-000000000001",
        "S3DestinationDescription": common,
        "ExtendedS3DestinationDescription": {
            **common, "S3BackupMode": "Disabled",
            "ProcessingConfiguration": given["ProcessingConfiguration"],
            "DataFormatConversionConfiguration": {"Enabled": False},
            "DynamicPartitioningConfiguration": {"Enabled": True, "RetryOptions": {"DurationInSeconds": 300}},
        },
    }


def test_direct_put_stream_describes_its_encryption_as_disabled(firehose, s3):
    s3.create_bucket(Bucket="plain")
    firehose.create_delivery_stream(DeliveryStreamName="plain", DeliveryStreamType="DirectPut",
                                    ExtendedS3DestinationConfiguration={"BucketARN": "arn:aws:s3:::plain",
                                                                        "RoleARN": ROLE})
    d = firehose.describe_delivery_stream(DeliveryStreamName="plain")["DeliveryStreamDescription"]
    assert d["DeliveryStreamEncryptionConfiguration"] == {"Status": "DISABLED"}
    assert "Source" not in d
