"""IAM's checks on identity policy documents: each phase's error, and the order the phases run in."""

from __future__ import annotations

import json

import pytest

from lakebox.protocol.errors import AwsError
from lakebox.services.iam.policy_grammar import check_identity_policy

V = "2012-10-17"
OK = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lake/*"}


def _doc(*statements, **top) -> str:
    return json.dumps({"Version": V, "Statement": list(statements), **top})


def _error(text: str) -> str:
    with pytest.raises(AwsError) as info:
        check_identity_policy(text)
    assert (info.value.code, info.value.status) == ("MalformedPolicyDocument", 400)
    return info.value.message


@pytest.mark.parametrize("text", [
    "not json", json.dumps(["a list"]), json.dumps({"Version": V}), _doc(), json.dumps({"Version": V, "Statement": "x"}),
    _doc(OK, Extra="field"), _doc({**OK, "Extra": 1}), _doc(OK, Id=["not", "a", "string"]),
    json.dumps({"Version": "2013-10-17", "Statement": OK}), _doc({**OK, "Effect": "Maybe"}),
    _doc({**OK, "NotAction": "s3:PutObject"}), _doc({**OK, "NotResource": "*"}), _doc({**OK, "Action": [["s3:x"]]}),
    _doc({**OK, "Resource": {"a": "b"}}), _doc({**OK, "Sid": 7}), _doc({**OK, "Condition": []}),
    _doc({**OK, "Condition": {"StringEquals": "x"}}), _doc({**OK, "Condition": {"NoSuchOperator": {"k": "v"}}}),
    _doc({**OK, "Condition": {"ForAnyValue::StringEquals": {"k": "v"}}}),
    _doc({**OK, "Condition": {"StringEquals": {"k": {"nested": 1}}}}), _doc({**OK, "Condition": {"NullIfExists": {"k": "v"}}}),
])
def test_syntax_errors(text):
    assert _error(text) == "Syntax errors in policy."


def test_a_document_nested_too_deep_is_a_syntax_error():
    assert _error('{"Version": "2012-10-17", "Statement": ' + "[" * 100_000 + "]" * 100_000 + "}") == \
        "Syntax errors in policy."


@pytest.mark.parametrize("document", [
    {"Statement": OK}, {"Version": "2008-10-17", "Statement": OK},
    {"Statement": {**OK, "Effect": "allow"}},  # the version is checked before the spelling of Effect
])
def test_the_version_must_be_2012(document):
    assert _error(json.dumps(document)) == "Policy document must be version 2012-10-17 or greater."


@pytest.mark.parametrize("statement", [
    {**OK, "Effect": "allow"}, {**OK, "Resource": "arn:aws:s3::lake"}, {**OK, "Resource": "arn:aws::::lake"},
    {**OK, "NotResource": "arn:aws::x", "Resource": None},
    {**OK, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}},
    {**OK, "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-13-01"}}},
    {**OK, "Condition": {"DateLessThan": {"aws:CurrentTime": "9223372036854775808"}}},
    {"Effect": "Allow", "Condition": {"DateEquals": {"aws:CurrentTime": "soon"}}},  # before "must contain actions"
])
def test_what_the_legacy_parser_refuses(statement):
    statement = {k: v for k, v in statement.items() if v is not None}
    assert _error(_doc(statement)) == "The policy failed legacy parsing"


@pytest.mark.parametrize("statements, message", [
    ([{"Effect": "Allow", "Resource": "*"}], "Policy statement must contain actions."),
    ([{**OK, "Action": []}], "Policy statement must contain actions."),
    ([{"Effect": "Allow", "Action": "s3:GetObject"}], "Policy statement must contain resources."),
    ([{"Effect": "Allow", "Action": "getobject"}], "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, "
                                                   "ec2, etc."),
    ([{**OK, "Action": "s3:Get:Object"}], "Actions/Condition can contain only one colon."),
    ([{**OK, "Action": "s 3:GetObject"}], "Vendor s 3 is not valid"),
    ([{**OK, "Resource": "lake"}], 'Resource lake must be in ARN format or "*".'),
    ([{**OK, "Action": "bad", "Resource": "lake"}], 'Resource lake must be in ARN format or "*".'),
    ([{**OK, "Resource": "arn:aws"}], "Resource vendor must be fully qualified and cannot contain regexes."),
    ([{**OK, "Resource": "arn:awz:s3:::lake"}], 'Partition "awz" is not valid for resource "arn:awz:s3:::lake".'),
    ([{**OK, "Resource": "s3:lake"}], 'Partition "lake" is not valid for resource "arn:lake:*:*:*:*".'),
    ([{**OK, "Resource": "arn:aws:s3:eu-west-1::lake"}],
     "Resource arn:aws:s3:eu-west-1::lake can not contain region information."),
    ([{**OK, "Resource": "arn:aws:iam:eu-west-1::role/x"}],
     "IAM resource arn:aws:iam:eu-west-1::role/x cannot contain region information."),
    ([{"Sid": "a", **OK}, {"Sid": "a", "Effect": "Deny"}], "Statement IDs (SID) in a single policy must be unique."),
])
def test_each_statements_meaning(statements, message):
    assert _error(_doc(*statements)) == message


def test_empty_sids_may_repeat():
    check_identity_policy(_doc({"Sid": "", **OK}, {"Sid": "", **OK, "Action": "s3:PutObject"}))


def test_an_iam_resource_names_an_entity_type():
    message = _error(_doc({**OK, "Resource": "arn:aws:iam::123456789012:bucket"}))
    assert message.startswith('IAM resource path must either be "*" or start with user/, federated-user/, role/')


@pytest.mark.parametrize("statement", [
    OK, {**OK, "Action": "*", "Resource": "*"}, {**OK, "Action": ["s3:GetObject", "s3:Put*"], "Sid": "Read"},
    {**OK, "NotResource": "arn:aws:s3:::secret/*", "Resource": None}, {**OK, "Effect": "Deny"},
    {**OK, "Condition": {}}, {**OK, "Condition": {"Anything": {}}},
    {**OK, "Condition": {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["a", "b"]}}},
    {**OK, "Condition": {"Bool": {"aws:SecureTransport": True}, "Null": {"s3:x-amz-acl": "true"}}},
    {**OK, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-07-01T00:00:00Z"}}},
    {**OK, "Condition": {"DateLessThan": {"aws:CurrentTime": "2016-12-13T21:20:37.593194+00:00"}}},
    {**OK, "Condition": {"DateLessThan": {"aws:EpochTime": "-292275054"}}},
    {**OK, "Resource": ["arn:aws:kms:*:123456789012:key/*", "arn:aws-cn:s3:::lake", "arn:aws:iam::1:role/*"]},
    {**OK, "Resource": "arn:aws:ec2:region:account-id:instance/*"},
    {**OK, "Resource": "arn:aws:anything"}, {**OK, "Action": "s3.s:ListBucket"},
    {**OK, "Resource": ["arn:aws:kms:*:123456789012:key/*", None]},
    {**OK, "Resource": "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/*"},
])
def test_valid_documents_pass(statement):
    statement = {k: v for k, v in statement.items() if v is not None}
    check_identity_policy(_doc(statement))
    check_identity_policy(json.dumps({"Version": V, "Id": "policy-id", "Statement": statement}))
