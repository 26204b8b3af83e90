"""Kinesis input checks and look-up order as the live service answers them (recorded by kinesalite's
test suite, which runs against AWS): the model's regex patterns and the iterator type enum joined
into one ValidationException with the other constraint violations, the characters a tag (or a tag
key to remove) may hold,
a ShardId read before the stream is looked up, the shard an iterator names once its stream is gone,
the outer form of a shard iterator, the order MergeShards takes its pair in, the range SplitShard
accepts, the default shard quota of each region, and the empty body of an operation without output."""

from __future__ import annotations

import base64
import http.client
import json
from urllib.parse import urlparse

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
TWO_128 = 2**128
NAME_PATTERN = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"


def _error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def _problems(message: str) -> tuple[int, set[str]]:
    """(the count a validation message announces, the problems it lists)."""
    head, _, rest = message.partition(" detected: ")
    return int(head.split()[0]), set(rest.split("; "))


def test_stream_name_outside_its_pattern_is_a_validation_error(raw_kinesis):
    code, message = _error(raw_kinesis.describe_stream, StreamName="has space")
    assert code == "ValidationException"
    assert message == f"1 validation error detected: Value 'has space' at 'streamName' failed to satisfy constraint: {NAME_PATTERN}"


def test_pattern_and_length_violations_are_reported_together(raw_kinesis):
    code, message = _error(raw_kinesis.describe_stream, StreamName="", Limit=0, ExclusiveStartShardId="")
    assert code == "ValidationException"
    count, problems = _problems(message)
    assert count == 5
    assert problems == {
        f"Value '' at 'streamName' failed to satisfy constraint: {NAME_PATTERN}",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        f"Value '' at 'exclusiveStartShardId' failed to satisfy constraint: {NAME_PATTERN}",
        "Value '' at 'exclusiveStartShardId' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    }


def test_hash_key_and_sequence_number_patterns_accept_ascii_digits_only(raw_kinesis):
    raw_kinesis.create_stream(StreamName="digits", ShardCount=1)
    code, message = _error(raw_kinesis.put_record, StreamName="digits", Data=b"x", PartitionKey="k",
                           ExplicitHashKey="012")
    assert (code, message) == ("ValidationException",
                               "1 validation error detected: Value '012' at 'explicitHashKey' failed to satisfy "
                               "constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})")
    code, message = _error(raw_kinesis.get_shard_iterator, StreamName="digits", ShardId="shardId-000000000000",
                           ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="\u0661\u0662")
    assert code == "ValidationException"
    assert "at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression " \
           "pattern: 0|([1-9]\\d{0,128})" in message


def test_put_records_entries_are_checked_against_the_hash_key_pattern(raw_kinesis):
    raw_kinesis.create_stream(StreamName="entries", ShardCount=1)
    code, message = _error(raw_kinesis.put_records, StreamName="entries", Records=[
        {"Data": b"a", "PartitionKey": "k"}, {"Data": b"b", "PartitionKey": "k", "ExplicitHashKey": "x"}])
    assert code == "ValidationException"
    assert "Value 'x' at 'records.2.member.explicitHashKey' failed to satisfy constraint" in message


def test_unknown_iterator_type_is_a_validation_error(raw_kinesis):
    raw_kinesis.create_stream(StreamName="kinds", ShardCount=1)
    code, message = _error(raw_kinesis.get_shard_iterator, StreamName="kinds", ShardId="shardId-000000000000",
                           ShardIteratorType="OLDEST")
    assert (code, message) == (
        "ValidationException",
        "1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member "
        "must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]")


@pytest.mark.parametrize("tags", [{"a;b": "1"}, {"a": "tab\there"}, {"a": "line\nbreak"}, {"a,b": "1"}])
def test_tags_with_characters_outside_the_allowed_set_are_refused(kinesis, tags):
    kinesis.create_stream(StreamName="tagged", ShardCount=1)
    code, message = _error(kinesis.add_tags_to_stream, StreamName="tagged", Tags=tags)
    assert code == "InvalidArgumentException"
    assert message == ("Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
                       "white space, _ . / = + - % @.")
    assert kinesis.list_tags_for_stream(StreamName="tagged")["Tags"] == []


@pytest.mark.parametrize("key", ["a;b", "tab\there", "a,b", "line\nbreak"])
def test_removing_tag_keys_with_invalid_characters_is_refused_after_the_stream_look_up(kinesis, key):
    kinesis.create_stream(StreamName="untagged", ShardCount=1)
    kinesis.add_tags_to_stream(StreamName="untagged", Tags={"keep": "1"})
    code, message = _error(kinesis.remove_tags_from_stream, StreamName="untagged", TagKeys=["keep", key])
    assert code == "InvalidArgumentException" and message.startswith("Some tags contain invalid characters.")
    assert kinesis.list_tags_for_stream(StreamName="untagged")["Tags"] == [{"Key": "keep", "Value": "1"}]
    assert _error(kinesis.remove_tags_from_stream, StreamName="nowhere", TagKeys=[key]) == (
        "ResourceNotFoundException", f"Stream nowhere under account {ACCOUNT} not found.")
    assert _error(kinesis.add_tags_to_stream, StreamName="nowhere", Tags={key: "v"}) == (
        "ResourceNotFoundException", f"Stream nowhere under account {ACCOUNT} not found.")


def test_tags_may_hold_unicode_letters_digits_spaces_and_the_listed_symbols(kinesis):
    kinesis.create_stream(StreamName="fine-tags", ShardCount=1)
    tags = {"ü0 _.": "a", "/=+-@%": "b", "c": "é 9_./=+-%@", "empty": ""}
    kinesis.add_tags_to_stream(StreamName="fine-tags", Tags=tags)
    listed = kinesis.list_tags_for_stream(StreamName="fine-tags")["Tags"]
    assert {t["Key"]: t.get("Value", "") for t in listed} == tags


def test_create_stream_refuses_tags_with_invalid_characters(kinesis):
    code, _ = _error(kinesis.create_stream, StreamName="born-tagged", ShardCount=1, Tags={"k": "v;"})
    assert code == "InvalidArgumentException"
    assert kinesis.list_streams()["StreamNames"] == []


@pytest.mark.parametrize("shard_id", ["2147483648", "shardId-002147483648", "ABKLFD8", "2.14E4"])
def test_get_shard_iterator_reads_the_shard_id_before_the_stream(kinesis, shard_id):
    code, message = _error(kinesis.get_shard_iterator, StreamName="nowhere", ShardId=shard_id,
                           ShardIteratorType="LATEST")
    assert (code, message) == ("ResourceNotFoundException",
                               f"Could not find shard {shard_id} in stream nowhere under account {ACCOUNT}.")


@pytest.mark.parametrize("shard_id", ["2147483647", "x-2147483647", "-00002147483647"])
def test_get_shard_iterator_on_a_missing_stream_reports_the_missing_shard(kinesis, shard_id):
    code, message = _error(kinesis.get_shard_iterator, StreamName="nowhere", ShardId=shard_id,
                           ShardIteratorType="LATEST")
    assert (code, message) == ("ResourceNotFoundException",
                               f"Shard shardId-002147483647 in stream nowhere under account {ACCOUNT} does not exist")


def test_merge_and_split_read_shard_ids_before_the_stream(kinesis):
    code, message = _error(kinesis.merge_shards, StreamName="nowhere", ShardToMerge="shardId-0",
                           AdjacentShardToMerge="ABKLFD8")
    assert (code, message) == ("ResourceNotFoundException",
                               f"Could not find shard ABKLFD8 in stream nowhere under account {ACCOUNT}.")
    code, message = _error(kinesis.split_shard, StreamName="nowhere", ShardToSplit="2147483648",
                           NewStartingHashKey="1")
    assert (code, message) == ("ResourceNotFoundException",
                               f"Could not find shard 2147483648 in stream nowhere under account {ACCOUNT}.")
    # a well-formed id leaves the missing stream to be reported
    code, message = _error(kinesis.merge_shards, StreamName="nowhere", ShardToMerge="shardId-0",
                           AdjacentShardToMerge="shardId-1")
    assert (code, message) == ("ResourceNotFoundException", f"Stream nowhere under account {ACCOUNT} not found.")


def test_iterator_of_a_deleted_stream_names_its_missing_shard(kinesis):
    kinesis.create_stream(StreamName="gone", ShardCount=2)
    iterator = kinesis.get_shard_iterator(StreamName="gone", ShardId="shardId-000000000001",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    kinesis.delete_stream(StreamName="gone")
    code, message = _error(kinesis.get_records, ShardIterator=iterator)
    assert (code, message) == ("ResourceNotFoundException",
                               f"Shard shardId-000000000001 in stream gone under account {ACCOUNT} does not exist")
    kinesis.create_stream(StreamName="gone", ShardCount=1)
    code, message = _error(kinesis.get_records, ShardIterator=iterator)
    assert (code, message) == ("ResourceNotFoundException",
                               f"Shard shardId-000000000001 in stream gone under account {ACCOUNT} does not exist")


@pytest.mark.parametrize("name", ["s", "a" * 50, "b" * 128])
def test_shard_iterators_have_the_outer_form_of_aws_ones(kinesis, name):
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.put_record(StreamName=name, Data=b"one", PartitionKey="k")
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    raw = base64.b64decode(iterator)
    assert base64.b64encode(raw).decode() == iterator
    assert raw[:8] == b"\x00" * 7 + b"\x01"
    assert len(raw) >= 152 and (len(raw) - 152) % 16 == 0
    assert len(iterator) <= 512
    page = kinesis.get_records(ShardIterator=iterator)
    assert [r["Data"] for r in page["Records"]] == [b"one"]
    assert base64.b64decode(page["NextShardIterator"])[:8] == raw[:8]


def test_an_iterator_without_the_version_prefix_is_invalid(kinesis):
    kinesis.create_stream(StreamName="forged", ShardCount=1)
    iterator = kinesis.get_shard_iterator(StreamName="forged", ShardId="shardId-000000000000",
                                          ShardIteratorType="LATEST")["ShardIterator"]
    stripped = base64.b64encode(base64.b64decode(iterator)[8:]).decode()
    assert _error(kinesis.get_records, ShardIterator=stripped) == ("InvalidArgumentException", "Invalid ShardIterator.")


def test_merge_takes_the_adjacent_shard_in_hash_key_order_only(kinesis):
    kinesis.create_stream(StreamName="pair", ShardCount=2)
    code, message = _error(kinesis.merge_shards, StreamName="pair", ShardToMerge="shardId-000000000001",
                           AdjacentShardToMerge="shardId-000000000000")
    assert (code, message) == ("InvalidArgumentException",
                               f"Shards shardId-000000000001 and shardId-000000000000 in stream pair under account "
                               f"{ACCOUNT} are not an adjacent pair of shards eligible for merging")
    assert len(kinesis.list_shards(StreamName="pair")["Shards"]) == 2
    kinesis.merge_shards(StreamName="pair", ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000001")
    child = kinesis.list_shards(StreamName="pair", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert [(s["ShardId"], s["ParentShardId"], s["AdjacentParentShardId"]) for s in child] == [
        ("shardId-000000000002", "shardId-000000000000", "shardId-000000000001")]


@pytest.mark.parametrize("region,limit", [("us-east-1", 20_000), ("us-west-2", 20_000), ("eu-west-1", 20_000),
                                          ("eu-central-1", 1_000), ("ap-southeast-2", 1_000)])
def test_shard_limit_is_aws_default_quota_of_the_region(lakebox_server, region, limit):
    kinesis = boto3.client("kinesis", endpoint_url=lakebox_server.endpoint_url, region_name=region,
                           aws_access_key_id="test", aws_secret_access_key="test",
                           config=Config(retries={"max_attempts": 1}))
    assert kinesis.describe_limits()["ShardLimit"] == limit
    code, message = _error(kinesis.create_stream, StreamName="too-big", ShardCount=limit + 1)
    assert code == "LimitExceededException"
    assert f"Current shard count for the account: 0. Limit: {limit}. Number of additional shards that would have " \
           f"resulted from this request: {limit + 1}." in message
    assert kinesis.list_streams()["StreamNames"] == []


@pytest.mark.parametrize("key,ok", [(0, False), (1, False), (2, True), (TWO_128 // 2 - 2, True),
                                    (TWO_128 // 2 - 1, False)])
def test_split_key_must_be_above_start_plus_one_and_below_the_end(kinesis, key, ok):
    kinesis.create_stream(StreamName="split", ShardCount=2)
    split = dict(StreamName="split", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(key))
    if ok:
        kinesis.split_shard(**split)
        children = kinesis.list_shards(StreamName="split", ShardFilter={"Type": "AT_LATEST"})["Shards"]
        assert sorted(int(s["HashKeyRange"]["StartingHashKey"]) for s in children) == [0, key, TWO_128 // 2]
        return
    code, message = _error(kinesis.split_shard, **split)
    assert (code, message) == (
        "InvalidArgumentException",
        f"NewStartingHashKey {key} used in SplitShard() on shard shardId-000000000000 in stream split under account "
        f"{ACCOUNT} is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's "
        f"EndingHashKey {TWO_128 // 2 - 1}.")


def _post_json(endpoint_url: str, operation: str, body: dict) -> tuple[int, dict, bytes]:
    url = urlparse(endpoint_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("POST", "/", json.dumps(body), {"X-Amz-Target": f"Kinesis_20131202.{operation}",
                                                "Content-Type": "application/x-amz-json-1.1"})
    response = conn.getresponse()
    raw = response.read()
    headers = {k.lower(): v for k, v in response.getheaders()}
    conn.close()
    return response.status, headers, raw


def test_operations_without_output_answer_an_empty_body(lakebox_server, kinesis):
    url = lakebox_server.endpoint_url
    for operation, body in [("CreateStream", {"StreamName": "void", "ShardCount": 2}),
                            ("AddTagsToStream", {"StreamName": "void", "Tags": {"k": "v"}}),
                            ("MergeShards", {"StreamName": "void", "ShardToMerge": "shardId-000000000000",
                                             "AdjacentShardToMerge": "shardId-000000000001"}),
                            ("DeleteStream", {"StreamName": "void"})]:
        status, headers, raw = _post_json(url, operation, body)
        assert (status, raw, headers["content-length"]) == (200, b"", "0"), operation
        assert headers["content-type"] == "application/x-amz-json-1.1"
    # an operation with output still answers its JSON object, and boto3 reads both
    status, _, raw = _post_json(url, "ListStreams", {})
    assert status == 200 and json.loads(raw)["StreamNames"] == []
    assert kinesis.create_stream(StreamName="again", ShardCount=1)["ResponseMetadata"]["HTTPStatusCode"] == 200
