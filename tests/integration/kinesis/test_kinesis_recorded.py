"""Kinesis answers checked against AWS's recorded ones: the AWS-validated snapshot tests of
LocalStack's suite (tests/aws/services/kinesis, recorded against real AWS). Each test replays one
recorded scenario with boto3 (or raw CBOR, as the Java SDK sends it) and asserts on what AWS recorded:
which fields are present or absent, their values, error codes, messages and HTTP status. Values the
recordings mask (ARNs' accounts, timestamps, sequence numbers, iterators) are checked for presence
and shape only."""

from __future__ import annotations

import datetime as dt
import json

import cbor2
import pytest
from botocore.exceptions import ClientError
from kinesis_helpers import CBOR, cbor_request

SHARD0 = "shardId-000000000000"
RECORD_FIELDS = ["ApproximateArrivalTimestamp", "Data", "PartitionKey", "SequenceNumber"]


@pytest.fixture
def cbor_call(lakebox_server):
    """POST one Kinesis operation in CBOR: (status, raw body, decoded body)."""
    def send(operation: str, payload: dict):
        status, headers, raw, decoded = cbor_request(lakebox_server.endpoint_url, operation, payload)
        assert headers["content-type"] == CBOR
        return status, raw, decoded

    return send


def _first_shard(kinesis, stream: str) -> dict:
    return kinesis.describe_stream(StreamName=stream)["StreamDescription"]["Shards"][0]


def _iterator_at_shard_start(kinesis, stream: str) -> str:
    """AT_SEQUENCE_NUMBER of the shard's StartingSequenceNumber, as the recorded tests read a shard."""
    shard = _first_shard(kinesis, stream)
    return kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                      ShardIteratorType="AT_SEQUENCE_NUMBER",
                                      StartingSequenceNumber=shard["SequenceNumberRange"]["StartingSequenceNumber"]
                                      )["ShardIterator"]


def _stream_with_consumer(kinesis, stream: str, consumer: str = "c1") -> tuple[str, str]:
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    consumer_arn = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName=consumer)["Consumer"]["ConsumerARN"]
    return arn, consumer_arn


def _subscribed_events(kinesis, consumer_arn: str, position: dict, put, count: int) -> list[dict]:
    """Subscribe at `position`, call `put`, and collect the events that carry records until `count`
    records have come."""
    response = kinesis.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId=SHARD0, StartingPosition=position)
    put()
    events = []
    for entry in response["EventStream"]:
        event = entry["SubscribeToShardEvent"]
        if event["Records"]:
            events.append(event)
            count -= len(event["Records"])
            if count <= 0:
                break
    response["EventStream"].close()
    return events


def test_create_stream_without_a_stream_name_is_a_400(raw_kinesis):
    """AWS (test_create_stream_without_stream_name_raises): CreateStream with no StreamName fails with
    HTTP 400."""
    with pytest.raises(ClientError) as caught:
        raw_kinesis.create_stream()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Kinesis's model validation error (AWS's message was not recorded, so it is not pinned here).
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_stream_created_without_shard_count_describes_four_open_shards(kinesis):
    """AWS (test_create_stream_without_shard_count): a stream created with only a name has four shards,
    each with ShardId, HashKeyRange and a SequenceNumberRange holding only StartingSequenceNumber (no
    parents, no ending number)."""
    kinesis.create_stream(StreamName="test-stream-nocount")
    shards = kinesis.describe_stream(StreamName="test-stream-nocount")["StreamDescription"]["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-{i:012d}" for i in range(4)]
    for shard in shards:
        assert list(shard) == ["ShardId", "HashKeyRange", "SequenceNumberRange"]
        assert list(shard["HashKeyRange"]) == ["StartingHashKey", "EndingHashKey"]
        assert list(shard["SequenceNumberRange"]) == ["StartingSequenceNumber"]
    assert len({s["SequenceNumberRange"]["StartingSequenceNumber"] for s in shards}) == 4


def test_resource_policy_crud_cycle(kinesis):
    """AWS (test_resource_policy_crud): GetResourcePolicy answers Policy "{}" before a policy is set and
    after it is deleted; PutResourcePolicy and DeleteResourcePolicy answer 200 with no fields; Get returns
    the document put last; deleting a policy that is not there, or putting one on a missing stream, fails."""
    kinesis.create_stream(StreamName="test-stream-policy")
    arn = kinesis.describe_stream(StreamName="test-stream-policy")["StreamDescription"]["StreamARN"]

    def policy(sid: str, action) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": sid, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
            "Action": action, "Resource": arn}]})

    def fields(response: dict) -> dict:
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
        return {k: v for k, v in response.items() if k != "ResponseMetadata"}

    assert fields(kinesis.get_resource_policy(ResourceARN=arn)) == {"Policy": "{}"}
    first = policy("AllowCrossAccountWrite", "kinesis:PutRecord")
    assert fields(kinesis.put_resource_policy(ResourceARN=arn, Policy=first)) == {}
    assert json.loads(fields(kinesis.get_resource_policy(ResourceARN=arn))["Policy"]) == json.loads(first)
    second = policy("AllowCrossAccountReadWrite", ["kinesis:PutRecord", "kinesis:GetRecords"])
    assert fields(kinesis.put_resource_policy(ResourceARN=arn, Policy=second)) == {}
    assert json.loads(fields(kinesis.get_resource_policy(ResourceARN=arn))["Policy"]) == json.loads(second)
    assert fields(kinesis.delete_resource_policy(ResourceARN=arn)) == {}
    assert fields(kinesis.get_resource_policy(ResourceARN=arn)) == {"Policy": "{}"}

    with pytest.raises(ClientError) as caught:
        kinesis.delete_resource_policy(ResourceARN=arn)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    missing = "arn:aws:kinesis:us-east-1:000000000000:stream/non-existent-xxxxxx"
    with pytest.raises(ClientError) as caught:
        kinesis.put_resource_policy(ResourceARN=missing, Policy=policy("AllowCrossAccountWrite", "kinesis:PutRecord"))
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_consumer_is_listed_and_described_with_awss_fields(kinesis):
    """AWS (test_stream_consumers): a new stream lists no consumers; a registered one is listed with
    ConsumerName, ConsumerARN, ConsumerStatus ACTIVE and ConsumerCreationTimestamp, and described (by
    StreamARN and ConsumerARN together) with the same plus StreamARN; its ARN is
    `<stream arn>/consumer/<name>:<epoch seconds>`."""
    kinesis.create_stream(StreamName="test-stream-consumers", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="test-stream-consumers")["StreamDescription"]["StreamARN"]
    assert kinesis.list_stream_consumers(StreamARN=arn)["Consumers"] == []
    consumer_arn = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="consumer")["Consumer"]["ConsumerARN"]
    prefix, _, created = consumer_arn.rpartition(":")
    assert prefix == f"{arn}/consumer/consumer" and created.isdigit()

    listed = kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]
    assert [sorted(c) for c in listed] == [["ConsumerARN", "ConsumerCreationTimestamp", "ConsumerName",
                                            "ConsumerStatus"]]
    assert (listed[0]["ConsumerName"], listed[0]["ConsumerARN"], listed[0]["ConsumerStatus"]) == \
        ("consumer", consumer_arn, "ACTIVE")
    described = kinesis.describe_stream_consumer(StreamARN=arn, ConsumerARN=consumer_arn)["ConsumerDescription"]
    assert described == {**listed[0], "StreamARN": arn}


def test_subscription_delivers_a_batch_put_in_one_event(kinesis):
    """AWS (test_subscribe_to_shard): five records put in one PutRecords reach a TRIM_HORIZON
    subscription as one event holding Records, ContinuationSequenceNumber and MillisBehindLatest 0, and
    no ChildShards (the shard is open); each record has exactly SequenceNumber,
    ApproximateArrivalTimestamp, Data and PartitionKey (no EncryptionType on an unencrypted stream)."""
    _, consumer = _stream_with_consumer(kinesis, "test-stream-sub")
    events = _subscribed_events(kinesis, consumer, {"Type": "TRIM_HORIZON"}, lambda: kinesis.put_records(
        StreamName="test-stream-sub",
        Records=[{"Data": f"Hello world_{i}", "PartitionKey": "1"} for i in range(5)]), 5)
    assert len(events) == 1
    event = events[0]
    assert sorted(event) == ["ContinuationSequenceNumber", "MillisBehindLatest", "Records"]
    assert event["MillisBehindLatest"] == 0
    assert len(event["ContinuationSequenceNumber"]) == 56 and event["ContinuationSequenceNumber"].isdigit()
    assert [sorted(r) for r in event["Records"]] == [RECORD_FIELDS] * 5
    assert [(r["Data"], r["PartitionKey"]) for r in event["Records"]] == [
        (f"Hello world_{i}".encode(), "1") for i in range(5)]
    numbers = [int(r["SequenceNumber"]) for r in event["Records"]]
    assert numbers == sorted(set(numbers))


@pytest.mark.parametrize("position", [
    pytest.param({"Type": "AT_TIMESTAMP", "Timestamp": dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)},
                 id="at-timestamp-before-the-stream"),
    pytest.param("shard-start", id="at-the-shard-starting-sequence-number"),
])
def test_subscription_from_before_the_first_record_reads_every_record(kinesis, position):
    """AWS (test_subscribe_to_shard_with_at_timestamp, ..._with_sequence_number_as_iterator): a
    subscription AT_TIMESTAMP of a moment before the stream existed, or AT_SEQUENCE_NUMBER of the shard's
    StartingSequenceNumber, receives every record put afterwards, with exactly SequenceNumber,
    ApproximateArrivalTimestamp, Data and PartitionKey."""
    _, consumer = _stream_with_consumer(kinesis, "test-stream-from")
    if position == "shard-start":
        start = _first_shard(kinesis, "test-stream-from")["SequenceNumberRange"]["StartingSequenceNumber"]
        position = {"Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": start}

    def put():
        for i in range(5):
            kinesis.put_records(StreamName="test-stream-from",
                                Records=[{"Data": f"Hello world_{i}", "PartitionKey": "1"}])

    records = [r for e in _subscribed_events(kinesis, consumer, position, put, 5) for r in e["Records"]]
    assert [(r["Data"], r["PartitionKey"]) for r in records] == [(f"Hello world_{i}".encode(), "1") for i in range(5)]
    assert all(sorted(r) == RECORD_FIELDS for r in records)


def test_records_keep_their_bytes_from_put_to_get(kinesis):
    """AWS (test_record_lifecycle_data_integrity): records put as text (empty, 1,000 bytes, non-ASCII
    UTF-8) come back from GetRecords, read from an iterator taken before the puts, with the same bytes and
    exactly SequenceNumber, ApproximateArrivalTimestamp, Data and PartitionKey."""
    kinesis.create_stream(StreamName="test-stream-bytes", ShardCount=1)
    iterator = _iterator_at_shard_start(kinesis, "test-stream-bytes")
    texts = ["test", "ünicödé 统一码 💣💻🔥", "a" * 1000, ""]
    for text in texts:
        kinesis.put_record(StreamName="test-stream-bytes", Data=text, PartitionKey="1")
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert [(r["Data"], r["PartitionKey"]) for r in records] == [(t.encode("utf-8"), "1") for t in texts]
    assert all(sorted(r) == RECORD_FIELDS for r in records)


def test_every_shard_iterator_handed_out_differs(kinesis):
    """AWS (test_get_records_next_shard_iterator): each NextShardIterator differs from the iterator
    it came from, even at the end of the shard where the position does not move; and iterators for
    one position taken in a burst differ too, while each still reads from that position."""
    kinesis.create_stream(StreamName="test-stream-iterators", ShardCount=1)
    kinesis.put_record(StreamName="test-stream-iterators", Data=b"only", PartitionKey="1")
    burst = [_iterator_at_shard_start(kinesis, "test-stream-iterators") for _ in range(20)]
    assert len(set(burst)) == 20
    assert kinesis.get_records(ShardIterator=burst[-1])["Records"][0]["Data"] == b"only"
    iterator, seen = burst[0], {burst[0]}
    for _ in range(5):
        answer = kinesis.get_records(ShardIterator=iterator)
        iterator = answer["NextShardIterator"]
        assert iterator not in seen
        seen.add(iterator)
    assert answer["Records"] == []


def test_added_tags_are_listed(kinesis):
    """AWS (test_add_tags_to_stream): a tag added with AddTagsToStream is listed as {Key, Value}, and
    HasMoreTags is false."""
    kinesis.create_stream(StreamName="test-stream-tags", ShardCount=1)
    kinesis.add_tags_to_stream(StreamName="test-stream-tags", Tags={"foo": "bar"})
    listed = kinesis.list_tags_for_stream(StreamName="test-stream-tags")
    assert listed["Tags"] == [{"Key": "foo", "Value": "bar"}]
    assert listed["HasMoreTags"] is False


def test_get_records_in_cbor_matches_json(kinesis, cbor_call):
    """AWS (test_get_records): GetRecords answered in CBOR carries the same Data, PartitionKey,
    SequenceNumber and ApproximateArrivalTimestamp as in json, and neither has EncryptionType."""
    kinesis.create_stream(StreamName="test-stream-cbor", ShardCount=1)
    kinesis.put_records(StreamName="test-stream-cbor", Records=[{"Data": "SGVsbG8gd29ybGQ=", "PartitionKey": "1"}])
    from_json = kinesis.get_records(ShardIterator=_iterator_at_shard_start(kinesis, "test-stream-cbor"))["Records"]
    iterator = _iterator_at_shard_start(kinesis, "test-stream-cbor")
    status, _, answer = cbor_call("GetRecords", {"ShardIterator": iterator})
    assert status == 200
    from_cbor = answer["Records"]
    assert len(from_json) == len(from_cbor) == 1
    assert from_json[0]["Data"] == from_cbor[0]["Data"] == b"SGVsbG8gd29ybGQ="
    for field in ("PartitionKey", "SequenceNumber", "ApproximateArrivalTimestamp"):
        assert from_json[0][field] == from_cbor[0][field]
    assert "EncryptionType" not in from_json[0] and "EncryptionType" not in from_cbor[0]


def test_get_records_of_an_empty_shard_is_an_empty_list_in_json_and_cbor(kinesis, cbor_call):
    """AWS (test_get_records_empty_stream): GetRecords of an empty shard answers Records [] in json and
    in CBOR alike."""
    kinesis.create_stream(StreamName="test-stream-empty", ShardCount=1)
    iterator = _iterator_at_shard_start(kinesis, "test-stream-empty")
    assert kinesis.get_records(ShardIterator=iterator)["Records"] == []
    status, _, answer = cbor_call("GetRecords", {"ShardIterator": iterator})
    assert (status, answer["Records"]) == (200, [])


def test_cbor_error_is_type_and_message(cbor_call):
    """AWS (test_cbor_exceptions): DescribeStream in CBOR of a missing stream's ARN is HTTP 400 with a
    CBOR body of exactly __type ResourceNotFoundException and the message naming the stream (not its
    ARN)."""
    status, _, answer = cbor_call("DescribeStream", {
        "StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/wrong-stream-name"})
    assert status == 400
    assert answer == {"__type": "ResourceNotFoundException",
                      "message": "Stream wrong-stream-name under account 000000000000 not found."}


def test_cbor_timestamps_are_whole_milliseconds_both_ways(kinesis, cbor_call):
    """AWS (test_subscribe_to_shard_with_at_timestamp_cbor): DescribeStream in CBOR writes
    StreamCreationTimestamp as tag 1 over an integer (never a float, which the SDKs cannot read), the
    creation moment; GetShardIterator in CBOR takes an AT_TIMESTAMP Timestamp of now as tag 1 over epoch
    milliseconds."""
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    kinesis.create_stream(StreamName="test-stream-ts", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="test-stream-ts")["StreamDescription"]["StreamARN"]
    after = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)
    status, raw, answer = cbor_call("DescribeStream", {"StreamARN": arn})
    assert status == 200
    assert b"StreamCreationTimestamp\xc1\xfb" not in raw
    assert before <= answer["StreamDescription"]["StreamCreationTimestamp"] <= after
    now_ms = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
    status, _, answer = cbor_call("GetShardIterator", {
        "StreamARN": arn, "ShardId": answer["StreamDescription"]["Shards"][0]["ShardId"],
        "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": cbor2.CBORTag(1, now_ms)})
    assert status == 200 and list(answer) == ["ShardIterator"]


def test_cbor_put_record_blob_comes_back_as_bytes(kinesis, cbor_call):
    """AWS (test_cbor_blob_handling): Data put in CBOR as a byte string is read back in CBOR
    GetRecords as the same byte string."""
    kinesis.create_stream(StreamName="test-stream-blob", ShardCount=1)
    status, _, put = cbor_call("PutRecord", {"Data": b"hello world 1a2b", "PartitionKey": "key-1a2b",
                                             "StreamName": "test-stream-blob"})
    assert status == 200 and put["ShardId"] == SHARD0
    iterator = _iterator_at_shard_start(kinesis, "test-stream-blob")
    status, _, answer = cbor_call("GetRecords", {"ShardIterator": iterator})
    assert status == 200
    assert [(r["Data"], r["PartitionKey"]) for r in answer["Records"]] == [(b"hello world 1a2b", "key-1a2b")]
