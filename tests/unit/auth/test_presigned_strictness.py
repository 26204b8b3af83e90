"""Presigned URLs in strict mode: unsigned x-amz-* headers (SigV4) and the signed Content-Type (SigV2)."""

from __future__ import annotations

import pytest
from auth_requests import ENDPOINT, SECRET_KEY, client, from_url, presign_s3_v4, sign_s3_v4, utcnow

from lakebox.auth import parse_auth, verify_signature
from lakebox.protocol.errors import AwsError


def verify(request):
    verify_signature(request, parse_auth(request), SECRET_KEY, utcnow())


def rejects(request) -> AwsError:
    with pytest.raises(AwsError) as caught:
        verify(request)
    return caught.value


def v4_put_url(**params) -> str:
    return client("s3", signature_version="s3v4").generate_presigned_url(
        "put_object", Params={"Bucket": "bkt", "Key": "k", **params})


def v2_put_url(**params) -> str:
    return client("s3", signature_version="s3").generate_presigned_url(
        "put_object", Params={"Bucket": "bkt", "Key": "k", **params})


# -- SigV4: every x-amz-* header must be signed ------------------------------------------------------


def test_sigv4_presigned_put_with_an_unsigned_amz_header_is_access_denied_naming_it():
    error = rejects(from_url("PUT", v4_put_url(), {"x-amz-meta-wrong": "x"}, b"data"))
    assert (error.code, error.status) == ("AccessDenied", 403)
    assert error.message == "There were headers present in the request which were not signed"
    assert error.fields == {"HeadersNotSigned": "x-amz-meta-wrong"}


def test_sigv4_presigned_request_lists_every_unsigned_amz_header():
    headers = {"x-amz-acl": "public-read", "X-Amz-Storage-Class": "GLACIER", "Content-Type": "a/b"}
    error = rejects(from_url("PUT", v4_put_url(), headers, b"data"))
    assert error.fields == {"HeadersNotSigned": "x-amz-acl, x-amz-storage-class"}


def test_sigv4_presigned_request_passes_with_signed_amz_headers_and_an_unsigned_content_sha256():
    url = v4_put_url(Metadata={"m": "1"})
    assert "x-amz-meta-m" in url.lower()
    verify(from_url("PUT", url, {"x-amz-meta-m": "1", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}, b"data"))
    verify(from_url("PUT", v4_put_url(), {"Content-Type": "any/thing", "User-Agent": "curl"}, b"data"))


def test_sigv4_presigned_request_without_host_signed_is_access_denied():
    request = presign_s3_v4("GET", ENDPOINT + "/bkt/k")
    request.query = request.query.replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=")
    error = rejects(request)
    assert error.fields == {"HeadersNotSigned": "host"}


def test_sigv4_header_auth_is_not_subject_to_the_presigned_rule():
    request = sign_s3_v4("GET", ENDPOINT + "/bkt/k", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    verify(request)


# -- SigV2: Content-Type and Content-MD5 are signed ----------------------------------------------------


def test_sigv2_presigned_put_sent_with_another_content_type_is_signature_does_not_match():
    url = v2_put_url(ContentType="text/plain")
    assert "AWSAccessKeyId=" in url
    verify(from_url("PUT", url, {"Content-Type": "text/plain"}, b"data"))
    error = rejects(from_url("PUT", url, {"Content-Type": "application/json"}, b"data"))
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    assert error.fields["StringToSign"].split("\n")[2] == "application/json"


def test_sigv2_presigned_put_unsigned_content_type_refuses_one_sent_anyway():
    url = v2_put_url()
    verify(from_url("PUT", url, {}, b"data"))
    error = rejects(from_url("PUT", url, {"Content-Type": "text/plain"}, b"data"))
    assert error.code == "SignatureDoesNotMatch"


def test_sigv2_presigned_put_sent_with_another_content_md5_is_signature_does_not_match():
    url = v2_put_url(ContentMD5="1B2M2Y8AsgTpgAmY7PhCfg==")
    verify(from_url("PUT", url, {"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}, b""))
    error = rejects(from_url("PUT", url, {"Content-MD5": "kAFQmDzST7DWlj99KOF/cg=="}, b""))
    assert error.code == "SignatureDoesNotMatch"
