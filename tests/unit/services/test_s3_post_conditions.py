"""The POST policy language: what makes a policy document invalid (400 InvalidPolicyDocument), and
how a form is held against its expiration and conditions (403 AccessDenied), in S3's words."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest

from lakebox.protocol.errors import AwsError
from lakebox.services.s3.post_conditions import decode_policy

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
LATER = "2026-01-01T13:00:00Z"


def _encode(document) -> str:
    text = document if isinstance(document, str) else json.dumps(document)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _policy(*conditions, expiration=LATER):
    return decode_policy(_encode({"expiration": expiration, "conditions": list(conditions)}))


@pytest.mark.parametrize(
    "document,message",
    [
        ("{not json", "Invalid Policy: Invalid JSON."),
        ('["a list"]', "Invalid Policy: Invalid JSON."),
        ({"conditions": []}, "Invalid Policy: Policy missing expiration."),
        ({"expiration": LATER}, "Invalid Policy: Policy missing conditions."),
        ({"EXPIRATION": LATER, "conditions": []}, "Invalid Policy: Unexpected: 'expiration'"),
        ({"expiration": LATER, "CONDITIONS": []}, "Invalid Policy: Unexpected: 'conditions'"),
        ({"expiration": "2026-01-01 13:00:00+00:00", "conditions": []},
         "Invalid Policy: Invalid 'expiration' value: '2026-01-01 13:00:00+00:00'"),
        ({"expiration": LATER, "conditions": {}}, "Invalid Policy: Invalid 'conditions' value: must be a List."),
        ({"expiration": LATER, "conditions": [{}]},
         "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."),
        ({"expiration": LATER, "conditions": [{"acl": "a", "key": "k"}]},
         "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."),
        ({"expiration": LATER, "conditions": [{"Content-Length": 6}]},
         "Invalid Policy: Invalid Simple-Condition: value must be a string."),
        ({"expiration": LATER, "conditions": [[]]}, "Invalid Policy: Invalid Condition: missing operation identifier."),
        ({"expiration": LATER, "conditions": [["in", "$key", "a"]]},
         "Invalid Policy: Invalid Condition: unknown operation 'in'."),
        ({"expiration": LATER, "conditions": [["content-length-range", 0]]},
         "Invalid Policy: Invalid content-length-range: wrong number of arguments."),
        ({"expiration": LATER, "conditions": [["content-length-range", 0, 512.0]]}, "Invalid Policy: Invalid JSON."),
        ({"expiration": LATER, "conditions": ["acl"]},
         "Invalid Policy: Invalid condition test: must be a List or Object."),
    ],
)
def test_invalid_policy_documents(document, message):
    with pytest.raises(AwsError) as info:
        decode_policy(_encode(document))
    assert (info.value.code, info.value.status, info.value.message) == ("InvalidPolicyDocument", 400, message)


def test_policy_that_is_not_base64():
    with pytest.raises(AwsError) as info:
        decode_policy("not base64!")
    assert (info.value.code, info.value.status) == ("InvalidPolicyDocument", 400)
    assert info.value.message == "Invalid Policy: Invalid Base64 Encoding."


@pytest.mark.parametrize("expiration", ["2026-01-01T13:00:00Z", "2026-01-01T13:00:00.000Z",
                                        "2026-01-01T13:00:00.123456789Z"])
def test_expiration_formats(expiration):
    policy = _policy(expiration=expiration)
    policy.check_expiration(NOW)
    with pytest.raises(AwsError) as info:
        policy.check_expiration(NOW + timedelta(hours=2))
    assert (info.value.code, info.value.status, info.value.message) == (
        "AccessDenied", 403, "Invalid according to Policy: Policy expired.")


def test_policy_with_line_wrapped_base64_decodes():
    text = _encode({"expiration": LATER, "conditions": []})
    assert decode_policy(text[:10] + "\r\n" + text[10:]).conditions == []


def _check(policy, form: dict, bucket="bkt"):
    lowered = {k.lower(): v for k, v in form.items()}
    policy.check_form(lambda name: bucket if name == "bucket" else lowered.get(name), list(form))


def _failure(policy, form) -> str:
    with pytest.raises(AwsError) as info:
        _check(policy, form)
    assert (info.value.code, info.value.status) == ("AccessDenied", 403)
    return info.value.message


def test_conditions_and_field_names_are_case_insensitive_values_are_not():
    policy = _policy({"bUcKeT": "bkt"}, ["StArTs-WiTh", "$KeY", "foo"], {"AcL": "private"},
                     ["EQ", "$Content-Type", "text/plain"])
    _check(policy, {"kEy": "foo.txt", "aCl": "private", "content-type": "text/plain"})
    assert _failure(policy, {"kEy": "foo.txt", "aCl": "PRIVATE", "content-type": "text/plain"}) == (
        'Invalid according to Policy: Policy Condition failed: ["eq", "$AcL", "private"]')


def test_bucket_condition_is_checked_against_the_bucket_posted_to():
    policy = _policy({"bucket": "other"}, ["starts-with", "$key", ""])
    assert "Policy Condition failed: [\"eq\", \"$bucket\", \"other\"]" in _failure(policy, {"key": "k"})


def test_starts_with_empty_allows_any_value_but_not_a_missing_field():
    policy = _policy(["starts-with", "$key", ""], ["starts-with", "$x-amz-meta-tag", ""])
    _check(policy, {"key": "anything", "x-amz-meta-tag": ""})
    assert _failure(policy, {"key": "anything"}) == (
        'Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-meta-tag", ""]')


def test_content_type_lists_must_all_match_a_prefix():
    policy = _policy(["starts-with", "$Content-Type", "image/"], ["starts-with", "$key", ""])
    _check(policy, {"key": "k", "Content-Type": "image/jpg,image/png, image/gif"})
    _failure(policy, {"key": "k", "Content-Type": "image/jpg,text/plain"})
    # other fields are plain strings, commas and all
    _check(_policy(["starts-with", "$key", "a,"]), {"key": "a,b"})


def test_a_condition_without_dollar_fails_rather_than_invalidates():
    policy = _policy(["eq", "key", "k"])
    assert _failure(policy, {"key": "k"}) == 'Invalid according to Policy: Policy Condition failed: ["eq", "key", "k"]'


def test_every_field_needs_a_condition_except_the_exempt_ones():
    policy = _policy({"key": "k"})
    exempt = {"key": "k", "policy": "p", "x-amz-signature": "s", "Signature": "s", "AWSAccessKeyId": "a",
              "X-Ignore-Foo": "x"}
    _check(policy, exempt)
    assert _failure(policy, {**exempt, "x-amz-meta-Note": "n", "acl": "private"}) == (
        "Invalid according to Policy: Extra input fields: x-amz-meta-Note, acl")


def test_content_length_range():
    assert _policy(["content-length-range", 5, 10]).size_range() == (5, 10)
    assert _policy(["content-length-range", "5", "10"]).size_range() == (5, 10)
    assert _policy(["content-length-range", 0, 100], ["content-length-range", 10, 50]).size_range() == (10, 50)
    assert _policy().size_range() == (0, None)
    _check(_policy(["content-length-range", "5", "10"]), {})
    assert _failure(_policy(["content-length-range", "test", "10"]), {}) == (
        'Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]')
