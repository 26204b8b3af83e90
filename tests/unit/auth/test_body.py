"""decode_body outside aws-chunked: pass-through, the strict-mode digest check, and the stored encoding."""

from __future__ import annotations

import hashlib

import pytest
from auth_requests import ENDPOINT, SECRET_KEY, TrickleBody, sign_s3_v4, sign_v4

from lakebox.auth import decode_body, is_aws_chunked, parse_auth, stored_content_encoding
from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import BytesBody


@pytest.mark.parametrize(
    "value, stored",
    [
        ("aws-chunked", None),
        ("AWS-Chunked", None),
        ("gzip,aws-chunked", "gzip"),
        ("aws-chunked,gzip", "gzip"),
        ("gzip, aws-chunked", "gzip"),
        ("gzip, br, aws-chunked", "gzip, br"),
        ("gzip", "gzip"),
        (None, None),
        ("", None),
    ],
)
def test_stored_content_encoding_drops_aws_chunked(value, stored):
    assert stored_content_encoding(value) == stored


def test_plain_body_is_returned_unchanged_in_open_mode():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", body=b"abc")
    info = parse_auth(request)
    assert not is_aws_chunked(request, info)
    assert decode_body(request, info, None) is request.body


def test_content_encoding_aws_chunked_alone_is_only_a_label():
    # S3 keeps such a body as sent (it stores `gzip`); framing is announced by a STREAMING-* hash or
    # x-amz-decoded-content-length, which every SDK sends with a really chunked body.
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", {"Content-Encoding": "gzip,aws-chunked"}, b"")
    assert not is_aws_chunked(request, parse_auth(request))


def test_decoded_content_length_means_chunked():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", {"Content-Encoding": "aws-chunked",
                                                      "x-amz-decoded-content-length": "0"}, b"0\r\n\r\n")
    assert is_aws_chunked(request, parse_auth(request))


@pytest.mark.parametrize("step", [7, 1 << 20])
def test_strict_mode_checks_the_payload_digest(step):
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", body=b"hello world")
    request.body = TrickleBody(b"hello world", step)
    body = decode_body(request, parse_auth(request), SECRET_KEY)
    assert body.read_all() == b"hello world"


def test_strict_mode_refuses_a_body_that_does_not_match_its_digest():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", body=b"hello world")
    request.body = TrickleBody(b"hello WORLD", 7)
    body = decode_body(request, parse_auth(request), SECRET_KEY)
    with pytest.raises(AwsError) as caught:
        body.read_all()
    assert (caught.value.code, caught.value.status) == ("XAmzContentSHA256Mismatch", 400)
    assert caught.value.fields == {
        "ClientComputedContentSHA256": hashlib.sha256(b"hello world").hexdigest(),
        "S3ComputedContentSHA256": hashlib.sha256(b"hello WORLD").hexdigest(),
    }


def test_digest_is_checked_once_content_length_bytes_were_read():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", body=b"hello world")
    request.body = BytesBody(b"hello WORLD")  # BytesBody knows its length, like the gateway's body
    body = decode_body(request, parse_auth(request), SECRET_KEY)
    with pytest.raises(AwsError):
        body.read(11)


def test_already_read_body_is_checked_at_once():
    request = sign_v4("glue", "POST", "https://glue.us-east-1.amazonaws.com/",
                      {"X-Amz-Content-SHA256": hashlib.sha256(b"{}").hexdigest()}, b"{}")
    request.body = BytesBody(b"{ }")
    request.body_bytes()
    with pytest.raises(AwsError) as caught:
        decode_body(request, parse_auth(request), SECRET_KEY)
    assert caught.value.code == "XAmzContentSHA256Mismatch"


def test_unsigned_payload_is_not_checked():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", body=b"x")
    request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    assert decode_body(request, parse_auth(request), SECRET_KEY) is request.body
