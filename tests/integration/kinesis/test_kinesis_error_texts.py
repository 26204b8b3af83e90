"""Kinesis error codes and messages, word for word as AWS writes them.

Each text asserted here was checked against a record of the real service:
- kinesalite's test suite (github.com/mhart/kinesalite, test/*.js), which runs against live Kinesis
  with REMOTE=1: stream and shard not found, already exists, not ACTIVE, GetShardIterator's
  argument checks, retention bounds and direction, SplitShard and MergeShards checks, the shard
  limit, and ValidationException (not InvalidArgumentException) for model constraint violations;
- client logs in GitHub issues quoting live answers ("Stream X under account Y not found." in
  spring-cloud-stream-binder-aws-kinesis#118 and amazon-kinesis-client-python#97; "Rate exceeded
  for shard shardId-000000000000 in stream X under account Y." in rocksdb-cloud#55 and
  kinesis-readable#4);
- the service's UpdateShardCount text as quoted in landing-zone-accelerator-on-aws's configuration
  reference (the code, LimitExceededException, from kinesalite's test).
"""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
BOTH_OR_NEITHER = ("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber "
                   "or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. ")


def _error(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def stream(kinesis) -> str:
    kinesis.create_stream(StreamName="texts", ShardCount=2)
    return "texts"


def _iterator(kinesis, **kwargs):
    return kinesis.get_shard_iterator(StreamName="texts", ShardId="shardId-000000000000", **kwargs)


def test_get_shard_iterator_argument_texts(kinesis, lakebox_server, stream):
    seq = kinesis.put_record(StreamName=stream, Data=b"x", PartitionKey="k", ExplicitHashKey="0")["SequenceNumber"]
    assert _error(_iterator, kinesis, ShardIteratorType="AT_SEQUENCE_NUMBER") == (
        "InvalidArgumentException", BOTH_OR_NEITHER + "Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.")
    assert _error(_iterator, kinesis, ShardIteratorType="TRIM_HORIZON", StartingSequenceNumber=seq) == (
        "InvalidArgumentException", BOTH_OR_NEITHER + "Request specified TRIM_HORIZON and also a StartingSequenceNumber.")
    assert _error(_iterator, kinesis, ShardIteratorType="AT_TIMESTAMP") == (
        "InvalidArgumentException", "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                                    "Current request has no timestamp parameter.")
    code, message = _error(_iterator, kinesis, ShardIteratorType="AT_TIMESTAMP",
                           Timestamp=dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc))
    assert code == "InvalidArgumentException"
    assert message.startswith("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
                              "timestampInMillis: 4102444800000, currentTimestampInMillis: ")
    # Small numbers read as AWS's oldest layout, in which 123 encodes shard 123 and 0 fails inside AWS.
    assert _error(_iterator, kinesis, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="123") == (
        "InvalidArgumentException", "Invalid StartingSequenceNumber. It encodes shardId-000000000123, while it was "
                                    "used in a call to a shard with shardId-000000000000")
    assert _error(_iterator, kinesis, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="0") == (
        "InternalFailure", "")
    large_date = str(int("13bb2cc3d80000000000000000000000", 16))
    assert _error(_iterator, kinesis, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=large_date) == (
        "InvalidArgumentException", f"StartingSequenceNumber {large_date} used in GetShardIterator on shard "
                                    f"shardId-000000000000 in stream texts under account {ACCOUNT} is invalid.")
    top_bit_index = str(int("20000000000800000000000000000000000000000000002", 16))
    assert _error(_iterator, kinesis, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=top_bit_index)[1] \
        == (f"StartingSequenceNumber {top_bit_index} used in GetShardIterator on shard "
            f"shardId-000000000000 in stream texts under account {ACCOUNT} is invalid.")
    negative_shard = str(int("20000000000000000000000000000000000000800000002", 16))
    assert _error(_iterator, kinesis, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=negative_shard) \
        == ("InvalidArgumentException", "Invalid StartingSequenceNumber. It encodes shardId--02147483648, while it was "
                                        "used in a call to a shard with shardId-000000000000")
    lakebox_server.advance_clock("2s")  # sequence numbers tell streams apart by their creation second
    kinesis.create_stream(StreamName="other", ShardCount=1)
    foreign = kinesis.put_record(StreamName="other", Data=b"y", PartitionKey="k")["SequenceNumber"]
    assert _error(_iterator, kinesis, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=foreign) == (
        "InvalidArgumentException", f"StartingSequenceNumber {foreign} used in GetShardIterator on shard "
                                    f"shardId-000000000000 in stream texts under account {ACCOUNT} is invalid "
                                    "because it did not come from this stream.")
    # The valid forms still work: the record comes back from its own sequence number.
    iterator = _iterator(kinesis, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seq)["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator)["Records"]] == [b"x"]


def test_shard_not_found_texts(kinesis, raw_kinesis, stream):
    assert _error(raw_kinesis.get_shard_iterator, StreamName=stream, ShardId="ABKLFD8",
                  ShardIteratorType="LATEST") == (
        "ResourceNotFoundException", f"Could not find shard ABKLFD8 in stream texts under account {ACCOUNT}.")
    assert _error(kinesis.get_shard_iterator, StreamName=stream, ShardId="shardId-5", ShardIteratorType="LATEST") == (
        "ResourceNotFoundException", f"Shard shardId-000000000005 in stream texts under account {ACCOUNT} does not exist")
    assert _error(kinesis.split_shard, StreamName=stream, ShardToSplit="shardId-5", NewStartingHashKey="1") == (
        "ResourceNotFoundException", f"Could not find shard shardId-000000000005 in stream texts under account {ACCOUNT}.")
    assert _error(kinesis.merge_shards, StreamName=stream, ShardToMerge="shardId-000000000000",
                  AdjacentShardToMerge="shardId-9") == (
        "ResourceNotFoundException", f"Could not find shard shardId-000000000009 in stream texts under account {ACCOUNT}.")
    # A bare number names a shard too, as on AWS.
    assert kinesis.get_shard_iterator(StreamName=stream, ShardId="1", ShardIteratorType="LATEST")["ShardIterator"]


def test_resharding_texts(kinesis, lakebox_server, stream):
    kinesis.create_stream(StreamName="three", ShardCount=3)
    assert _error(kinesis.merge_shards, StreamName="three", ShardToMerge="shardId-000000000000",
                  AdjacentShardToMerge="shardId-000000000002") == (
        "InvalidArgumentException", f"Shards shardId-000000000000 and shardId-000000000002 in stream three under "
                                    f"account {ACCOUNT} are not an adjacent pair of shards eligible for merging")
    end = kinesis.list_shards(StreamName=stream)["Shards"][0]["HashKeyRange"]["EndingHashKey"]
    assert _error(kinesis.split_shard, StreamName=stream, ShardToSplit="shardId-000000000000",
                  NewStartingHashKey="0") == (
        "InvalidArgumentException", f"NewStartingHashKey 0 used in SplitShard() on shard shardId-000000000000 in "
                                    f"stream texts under account {ACCOUNT} is not both greater than one plus the "
                                    f"shard's StartingHashKey 0 and less than the shard's EndingHashKey {end}.")
    provider = lakebox_server.app.providers["kinesis"]
    store = provider.store
    store.update(store.find(ACCOUNT, "us-east-1", stream), lambda s: setattr(s, "status", "UPDATING"))
    assert _error(kinesis.split_shard, StreamName=stream, ShardToSplit="shardId-000000000000",
                  NewStartingHashKey="5") == (
        "ResourceInUseException", f"Stream texts under account {ACCOUNT} not ACTIVE, instead in state UPDATING")
    store.update(store.find(ACCOUNT, "us-east-1", stream), lambda s: setattr(s, "status", "ACTIVE"))
    assert kinesis.split_shard(StreamName=stream, ShardToSplit="shardId-000000000000", NewStartingHashKey="5")


def test_retention_texts(kinesis, stream):
    assert _error(kinesis.increase_stream_retention_period, StreamName=stream, RetentionPeriodHours=23) == (
        "InvalidArgumentException", "Minimum allowed retention period is 24 hours. Requested retention period "
                                    "(23 hours) is too short.")
    assert _error(kinesis.increase_stream_retention_period, StreamName=stream, RetentionPeriodHours=8761) == (
        "InvalidArgumentException", "Maximum allowed retention period is 8760 hours. Requested retention period "
                                    "(8761 hours) is too long.")
    kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=48)
    kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=48)  # the same value is fine
    assert _error(kinesis.increase_stream_retention_period, StreamName=stream, RetentionPeriodHours=25) == (
        "InvalidArgumentException", "Requested retention period (25 hours) for stream texts can not be shorter than "
                                    "existing retention period (48 hours). Use DecreaseRetentionPeriod API.")
    assert _error(kinesis.decrease_stream_retention_period, StreamName=stream, RetentionPeriodHours=72) == (
        "InvalidArgumentException", "Requested retention period (72 hours) for stream texts can not be longer than "
                                    "existing retention period (48 hours). Use IncreaseRetentionPeriod API.")
    assert kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48


def test_put_texts(kinesis, stream):
    assert _error(kinesis.put_record, StreamName=stream, Data=b"x", PartitionKey="k",
                  SequenceNumberForOrdering="12") == (
        "InvalidArgumentException", f"ExclusiveMinimumSequenceNumber 12 used in PutRecord on stream texts under "
                                    f"account {ACCOUNT} is invalid.")
    assert _error(kinesis.put_record, StreamName="ghost", Data=b"x", PartitionKey="k") == (
        "ResourceNotFoundException", f"Stream ghost under account {ACCOUNT} not found.")


def test_limit_texts(kinesis, stream):
    assert _error(kinesis.create_stream, StreamName="huge", ShardCount=20_000) == (
        "LimitExceededException", f"This request would exceed the shard limit for the account {ACCOUNT} in "
                                  "us-east-1. Current shard count for the account: 2. Limit: 20000. Number of additional "
                                  "shards that would have resulted from this request: 20000. Refer to the AWS Service "
                                  "Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
                                  "for current limits and how to request higher limits.")
    assert _error(kinesis.update_shard_count, StreamName=stream, TargetShardCount=5,
                  ScalingType="UNIFORM_SCALING") == (
        "LimitExceededException", "UpdateShardCount cannot scale up over double your current open shard count. "
                                  "Current open shard count: 2 Target shard count: 5")
    kinesis.add_tags_to_stream(StreamName=stream, Tags={f"k{i}": "v" for i in range(50)})
    assert _error(kinesis.add_tags_to_stream, StreamName=stream, Tags={"one-more": "v"}) == (
        "InvalidArgumentException", f"Failed to add tags to stream texts under account {ACCOUNT} because a given "
                                    "stream cannot have more than 50 tags associated with it.")
    assert len(kinesis.list_tags_for_stream(StreamName=stream, Limit=50)["Tags"]) == 50


@pytest.mark.parametrize("target, body, code", [
    ("Kinesis_20131202.NoSuchOperation", b"{}", "UnknownOperationException"),
    ("", b"{}", "UnknownOperationException"),
    ("Kinesis_20131202.ListStreams", b"{not json", "SerializationException"),
])
def test_front_end_errors_are_the_type_alone(lakebox_server, target, body, code):
    """kinesalite's connection tests (recorded from Kinesis): an unknown target and a body that is not
    JSON answer 400 with `{"__type": ...}` and nothing else."""
    import http.client
    import json
    from urllib.parse import urlparse

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="POST", url=lakebox_server.endpoint_url + "/", data=body,
                         headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials("test", "test"), "kinesis", "us-east-1").add_auth(request)
    url = urlparse(lakebox_server.endpoint_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("POST", "/", body, dict(request.headers.items()))
    response = conn.getresponse()
    answer = json.loads(response.read())
    conn.close()
    assert (response.status, answer) == (400, {"__type": code})
    assert response.getheader("x-amzn-RequestId") and response.getheader("x-amz-id-2")


@pytest.mark.parametrize("content_type", ["", "application/json", "application/x-amz-json-1.0", "text/plain"])
def test_front_end_errors_are_cbor_unless_the_request_was_json_1_1(lakebox_server, content_type):
    """kinesalite's connection tests: CBOR is the front end's default, so an unknown target sent with
    any other content type than json 1.1 is answered in CBOR."""
    from kinesis_helpers import CBOR, cbor_request

    status, headers, _, answer = cbor_request(lakebox_server.endpoint_url, "NoSuchOperation", b"{}", content_type)
    assert (status, headers["content-type"], answer) == (400, CBOR, {"__type": "UnknownOperationException"})



def test_sequence_number_for_ordering_must_be_a_current_aws_number(kinesis, stream):
    """SequenceNumberForOrdering takes AWS's two current layouts (any shard, any past time); other
    layouts, an index with its top bit set or a time far ahead are refused, as kinesalite's
    recordings of the live service show."""
    taken = kinesis.put_record(StreamName=stream, Data=b"a", PartitionKey="k", ExplicitHashKey="0")["SequenceNumber"]
    for ordering in (taken, str(int("20000000000000000000000000000000000000000000001", 16)),
                     str(int("20000000000000000000000000000000000000800000002", 16))):
        put = kinesis.put_record(StreamName=stream, Data=b"b", PartitionKey="k", ExplicitHashKey="0",
                                 SequenceNumberForOrdering=ordering)
        assert int(put["SequenceNumber"]) > int(taken)
    for digits in ("20000000000800000000000000000000000000000000002", "20000000000000000000000000000000000000000000003",
                   "30000000000000000000000000000000000000000000001", "2ffffffffff7fffffffffffffff000000000007fffffff2"):
        ordering = str(int(digits, 16))
        assert _error(kinesis.put_record, StreamName=stream, Data=b"c", PartitionKey="k",
                      SequenceNumberForOrdering=ordering) == (
            "InvalidArgumentException", f"ExclusiveMinimumSequenceNumber {ordering} used in PutRecord on stream "
                                        f"{stream} under account {ACCOUNT} is invalid.")
    records = kinesis.get_records(ShardIterator=_iterator(kinesis, ShardIteratorType="TRIM_HORIZON")["ShardIterator"])
    assert [r["Data"] for r in records["Records"]] == [b"a", b"b", b"b", b"b"]  # the refused puts left nothing


def _json_call(endpoint: str, operation: str, body: dict):
    import http.client
    import json
    from urllib.parse import urlparse

    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("POST", "/", json.dumps(body), {"X-Amz-Target": f"Kinesis_20131202.{operation}",
                                                 "Content-Type": "application/x-amz-json-1.1"})
    response = conn.getresponse()
    answer = json.loads(response.read())
    conn.close()
    return response.status, answer


@pytest.mark.parametrize("operation, body, message", [
    ("DescribeStream", {"StreamName": True}, "class java.lang.Boolean can not be converted to an String"),
    ("DescribeStream", {"StreamName": 23}, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber "
                                           "can not be converted to an String"),
    ("DescribeStream", {"StreamName": []}, "Start of list found where not expected"),
    ("DescribeStream", {"StreamName": {}}, "Start of structure or map found where not expected."),
    ("DescribeStream", {"StreamName": "s", "Limit": "23"}, "class java.lang.String can not be converted to an Integer"),
    ("CreateStream", {"StreamName": "s", "ShardCount": True},
     "class java.lang.Boolean can not be converted to an Integer"),
    ("PutRecord", {"StreamName": "s", "PartitionKey": "k", "Data": "23456"},
     "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
    ("PutRecord", {"StreamName": "s", "PartitionKey": "k", "Data": "=+/="},
     "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"),
    ("PutRecord", {"StreamName": "s", "PartitionKey": "k", "Data": "+/+="},
     "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"),
    ("PutRecords", {"StreamName": "s", "Records": "23"}, "Expected list or null"),
    ("PutRecords", {"StreamName": "s", "Records": [23]}, "Expected null"),
    ("AddTagsToStream", {"StreamName": "s", "Tags": True}, "Expected map or null"),
    ("ListShards", {"StreamCreationTimestamp": "23"},
     "class java.lang.String can not be converted to milliseconds since epoch"),
])
def test_values_of_the_wrong_type_are_answered_in_the_front_ends_words(lakebox_server, operation, body, message):
    """As kinesalite's suite recorded them from Kinesis (and AWS-validated recordings of 2025 show for
    another service behind the same front end), under `Message`, before any other check."""
    status, answer = _json_call(lakebox_server.endpoint_url, operation, body)
    assert (status, answer) == (400, {"__type": "SerializationException", "Message": message})
