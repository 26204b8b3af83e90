"""The signature of a browser-form upload's POST policy: AWS's documented example as a fixed vector,
and botocore's own `generate_presigned_post` (SigV4 and SigV2) as the oracle."""

from __future__ import annotations

import base64

import boto3
import pytest
from botocore.config import Config

from lakebox.auth.post_policy import (
    SIGV2,
    SIGV4,
    PostSignature,
    parse_credential,
    sigv2_signature,
    sigv4_signature,
    verify_post_signature,
)
from lakebox.protocol.errors import AwsError

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

#: The policy of AWS's "Browser-Based Upload using HTTP POST (Using AWS Signature Version 4)"
#: example, byte for byte: its lines end in CRLF, which the documented signature depends on.
EXAMPLE_POLICY_LINES = [
    '{ "expiration": "2015-12-30T12:00:00.000Z",',
    '  "conditions": [',
    '    {"bucket": "sigv4examplebucket"},',
    '    ["starts-with", "$key", "user/user1/"],',
    '    {"acl": "public-read"},',
    '    {"success_action_redirect": "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},',
    '    ["starts-with", "$Content-Type", "image/"],',
    '    {"x-amz-meta-uuid": "14365123651274"},',
    '    {"x-amz-server-side-encryption": "AES256"},',
    '    ["starts-with", "$x-amz-meta-tag", ""],',
    "",
    '    {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},',
    '    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},',
    '    {"x-amz-date": "20151229T000000Z" }',
    "  ]",
    "}",
]
EXAMPLE_POLICY = base64.b64encode("\r\n".join(EXAMPLE_POLICY_LINES).encode("utf-8")).decode("ascii")
EXAMPLE_SIGNATURE = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"


def _v4(signature, access_key="AKIAIOSFODNN7EXAMPLE"):
    return PostSignature(SIGV4, access_key, signature, "20151229", "us-east-1", "s3")


def test_documented_sigv4_example_signature():
    assert len("\r\n".join(EXAMPLE_POLICY_LINES)) == 648
    assert sigv4_signature(SECRET, EXAMPLE_POLICY, "20151229", "us-east-1", "s3") == EXAMPLE_SIGNATURE
    verify_post_signature(EXAMPLE_POLICY, _v4(EXAMPLE_SIGNATURE), SECRET)
    verify_post_signature(EXAMPLE_POLICY, _v4(EXAMPLE_SIGNATURE.upper()), SECRET)  # hex is case-insensitive


def test_signature_covers_the_policy_text_as_sent():
    # A truncated policy is a signature mismatch, reported with the policy as the string to sign.
    with pytest.raises(AwsError) as info:
        verify_post_signature(EXAMPLE_POLICY[:-2], _v4(EXAMPLE_SIGNATURE), SECRET)
    error = info.value
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    assert error.fields["StringToSign"] == EXAMPLE_POLICY[:-2]
    assert error.fields["SignatureProvided"] == EXAMPLE_SIGNATURE
    assert error.fields["AWSAccessKeyId"] == "AKIAIOSFODNN7EXAMPLE"
    assert "CanonicalRequest" not in error.fields


def test_wrong_secret_or_scope_does_not_match():
    with pytest.raises(AwsError, match="SignatureDoesNotMatch"):
        verify_post_signature(EXAMPLE_POLICY, _v4(EXAMPLE_SIGNATURE), SECRET + "x")
    other_region = PostSignature(SIGV4, "AKIAIOSFODNN7EXAMPLE", EXAMPLE_SIGNATURE, "20151229", "eu-west-1", "s3")
    with pytest.raises(AwsError, match="SignatureDoesNotMatch"):
        verify_post_signature(EXAMPLE_POLICY, other_region, SECRET)


def test_unknown_access_key_is_invalid_access_key_id():
    with pytest.raises(AwsError) as info:
        verify_post_signature(EXAMPLE_POLICY, _v4(EXAMPLE_SIGNATURE, "AKIDNOBODY"), None)
    assert (info.value.code, info.value.status) == ("InvalidAccessKeyId", 403)
    assert info.value.fields["AWSAccessKeyId"] == "AKIDNOBODY"


def test_sigv2_is_base64_hmac_sha1_of_the_policy():
    signature = sigv2_signature(SECRET, EXAMPLE_POLICY)
    assert len(base64.b64decode(signature)) == 20
    verify_post_signature(EXAMPLE_POLICY, PostSignature(SIGV2, "AKID", signature), SECRET)
    with pytest.raises(AwsError, match="SignatureDoesNotMatch"):
        verify_post_signature(EXAMPLE_POLICY, PostSignature(SIGV2, "AKID", signature[::-1]), SECRET)


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_botocore_presigned_posts_verify(signature_version):
    client = boto3.client("s3", region_name="eu-west-1", endpoint_url="http://localhost:4566",
                          aws_access_key_id="AKIDPOST", aws_secret_access_key="post-secret",
                          config=Config(signature_version=signature_version))
    fields = client.generate_presigned_post("bkt", "k")["fields"]
    if signature_version == "s3v4":
        access_key, date, region, service = parse_credential(fields["x-amz-credential"])
        assert (access_key, region, service) == ("AKIDPOST", "eu-west-1", "s3")
        claimed = PostSignature(SIGV4, access_key, fields["x-amz-signature"], date, region, service)
    else:
        claimed = PostSignature(SIGV2, fields["AWSAccessKeyId"], fields["signature"])
    verify_post_signature(fields["policy"], claimed, "post-secret")
    with pytest.raises(AwsError, match="SignatureDoesNotMatch"):
        verify_post_signature(fields["policy"], claimed, "another-secret")


@pytest.mark.parametrize(
    "credential,problem",
    [
        ("AKID/20151229/us-east-1/s3", "mal-formed"),
        ("AKID/20151229/us-east-1/s3/aws5_request", 'incorrect terminal "aws5_request"'),
        ("AKID/2015-12-29/us-east-1/s3/aws4_request", 'incorrect date format "2015-12-29"'),
    ],
)
def test_malformed_credentials_are_refused_with_s3s_wording(credential, problem):
    with pytest.raises(ValueError, match=problem):
        parse_credential(credential)
