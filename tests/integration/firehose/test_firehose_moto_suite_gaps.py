"""Firehose tag checks that moto's test suite exercises: keys and values must match the Tag patterns.

The Tag shapes of the Firehose API allow Unicode letters, numbers, separators and `_ . : / = + - @ %`,
and a key may not begin with `aws:`. A tag that breaks them is refused as a model violation, the
whole request with it: nothing is created and no tag is stored.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from firehose_helpers import create, s3_destination

KEY_PATTERN = r"^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$"
VALUE_PATTERN = r"^[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$"


def _error(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def _validation_code(firehose, raw_firehose) -> str:
    """The code lakebox answers any Firehose model violation with (PutRecordBatch's 500-record limit)."""
    create(firehose, "probe")
    with pytest.raises(ClientError) as info:
        raw_firehose.put_record_batch(DeliveryStreamName="probe", Records=[{"Data": b"x"}] * 501)
    firehose.delete_delivery_stream(DeliveryStreamName="probe")
    return _error(info)[0]


def test_tag_delivery_stream_refuses_a_key_outside_the_pattern_and_keeps_the_tags(firehose, raw_firehose, lake):
    code = _validation_code(firehose, raw_firehose)
    create(firehose, "tagged")
    firehose.tag_delivery_stream(DeliveryStreamName="tagged", Tags=[{"Key": "team", "Value": "data"}])
    with pytest.raises(ClientError) as info:
        firehose.tag_delivery_stream(DeliveryStreamName="tagged", Tags=[{"Key": "ok", "Value": "1"},
                                                                        {"Key": "foo!", "Value": "bar"}])
    assert _error(info) == (code, "1 validation error detected: Value 'foo!' at 'tags.2.member.key' failed to "
                                  f"satisfy constraint: Member must satisfy regular expression pattern: {KEY_PATTERN}")
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName="tagged")["Tags"]
    assert tags == [{"Key": "team", "Value": "data"}]


def test_tag_values_and_reserved_keys_are_reported_together(firehose, raw_firehose, lake):
    code = _validation_code(firehose, raw_firehose)
    create(firehose, "tagged")
    with pytest.raises(ClientError) as info:
        firehose.tag_delivery_stream(DeliveryStreamName="tagged", Tags=[{"Key": "aws:owner", "Value": "me"},
                                                                        {"Key": "env", "Value": "a#b"}])
    assert _error(info) == (code, "2 validation errors detected: "
                                  f"Value 'aws:owner' at 'tags.1.member.key' failed to satisfy constraint: Member must "
                                  f"satisfy regular expression pattern: {KEY_PATTERN}; "
                                  f"Value 'a#b' at 'tags.2.member.value' failed to satisfy constraint: Member must "
                                  f"satisfy regular expression pattern: {VALUE_PATTERN}")
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName="tagged")["Tags"] == []


def test_unicode_letters_separators_and_symbols_are_accepted(firehose, lake):
    create(firehose, "tagged")
    tags = [{"Key": "Kostenstelle über", "Value": "Grüße 42"},
            {"Key": "path/a=b+c-d@e%f:g_h.i", "Value": ""}]
    firehose.tag_delivery_stream(DeliveryStreamName="tagged", Tags=tags)
    shown = firehose.list_tags_for_delivery_stream(DeliveryStreamName="tagged")["Tags"]
    assert sorted(shown, key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])


def test_create_delivery_stream_with_a_bad_tag_creates_nothing(firehose, raw_firehose, lake):
    code = _validation_code(firehose, raw_firehose)
    with pytest.raises(ClientError) as info:
        firehose.create_delivery_stream(DeliveryStreamName="bad-tags", ExtendedS3DestinationConfiguration=s3_destination(),
                                        Tags=[{"Key": "owner", "Value": "x<y"}])
    assert _error(info)[0] == code
    assert "'x<y' at 'tags.1.member.value'" in _error(info)[1]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []


def test_untag_delivery_stream_refuses_a_key_outside_the_pattern(firehose, raw_firehose, lake):
    code = _validation_code(firehose, raw_firehose)
    create(firehose, "tagged")
    firehose.tag_delivery_stream(DeliveryStreamName="tagged", Tags=[{"Key": "team", "Value": "data"}])
    with pytest.raises(ClientError) as info:
        firehose.untag_delivery_stream(DeliveryStreamName="tagged", TagKeys=["team", "bad*key"])
    assert _error(info) == (code, "1 validation error detected: Value 'bad*key' at 'tagKeys.2.member' failed to "
                                  f"satisfy constraint: Member must satisfy regular expression pattern: {KEY_PATTERN}")
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName="tagged")["Tags"] == [
        {"Key": "team", "Value": "data"}]


def test_a_bad_tag_is_reported_before_an_unknown_stream(firehose, raw_firehose, lake):
    code = _validation_code(firehose, raw_firehose)
    with pytest.raises(ClientError) as info:
        firehose.tag_delivery_stream(DeliveryStreamName="nope", Tags=[{"Key": "foo!", "Value": "bar"}])
    assert _error(info)[0] == code
    with pytest.raises(ClientError) as info:
        firehose.tag_delivery_stream(DeliveryStreamName="nope", Tags=[{"Key": "foo", "Value": "bar"}])
    assert _error(info)[0] == "ResourceNotFoundException"
