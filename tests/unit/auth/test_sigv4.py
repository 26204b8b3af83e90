"""verify_signature for SigV4, with botocore's signers and real boto3 clients as the oracle."""

from __future__ import annotations

import datetime as dt

import botocore.auth
import pytest
from auth_requests import (
    ACCESS_KEY,
    CREDENTIALS,
    ENDPOINT,
    SECRET_KEY,
    aws_request,
    captured,
    client,
    from_url,
    presign_s3_v4,
    sign_s3_v4,
    sign_v4,
    to_http,
    utcnow,
)

from lakebox.auth import invalid_access_key_id, parse_auth, verify_signature
from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import BytesBody

NOW = dt.datetime(2026, 3, 14, 15, 9, 26, tzinfo=dt.timezone.utc)


@pytest.fixture
def frozen_signing_time(monkeypatch):
    """botocore signs at NOW, so expiry and skew can be tested to the second."""
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: NOW.replace(tzinfo=None))
    return NOW


def verify(request, now=None, secret=SECRET_KEY, **kwargs):
    info = parse_auth(request)
    verify_signature(request, info, secret, now or utcnow(), **kwargs)
    return info


def rejects(request, code, status=403, now=None, secret=SECRET_KEY) -> AwsError:
    with pytest.raises(AwsError) as caught:
        verify(request, now, secret)
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


# -- S3 header auth ------------------------------------------------------------------------------------

S3_URLS = [
    "/bkt/key",
    "/bkt/a%20b/c~d",
    "/bkt/caf%C3%A9/%E2%82%AC.txt",
    "/bkt/a%2Bb%3Dc%26d%3Fe",
    "/bkt/dir/../x//y/./z",
    "/bkt?list-type=2&prefix=a%20b%2Fc&encoding-type=url",
    "/bkt/key?tagging",
    "/bkt/key?uploadId=abc%2Bdef&partNumber=3",
    "/",
]


@pytest.mark.parametrize("path", S3_URLS)
def test_s3_sigv4_header_verifies(path):
    request = sign_s3_v4("PUT", ENDPOINT + path, {"x-amz-meta-color": "  blue   green "}, b"payload")
    info = verify(request)
    assert info.kind == "sigv4-header"


def test_s3_sigv4_header_wrong_secret_is_signature_does_not_match():
    error = rejects(sign_s3_v4("GET", ENDPOINT + "/bkt/key"), "SignatureDoesNotMatch", secret="other")
    assert error.message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."
    )
    assert error.fields["AWSAccessKeyId"] == ACCESS_KEY
    assert error.fields["CanonicalRequest"].startswith("GET\n/bkt/key\n")
    assert error.fields["StringToSign"].startswith("AWS4-HMAC-SHA256\n")


def test_tampered_path_is_signature_does_not_match():
    request = sign_s3_v4("GET", ENDPOINT + "/bkt/key")
    request.path = "/bkt/other"
    request.query = ""
    info = parse_auth(request)
    with pytest.raises(AwsError) as caught:
        verify_signature(request, info, SECRET_KEY, utcnow())
    assert caught.value.code == "SignatureDoesNotMatch"


def test_tampered_signed_header_is_signature_does_not_match():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/key", {"x-amz-meta-a": "1"}, b"x")
    request.headers["x-amz-meta-a"] = "2"
    rejects(request, "SignatureDoesNotMatch")


def test_missing_signed_header_is_signature_does_not_match():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/key", {"x-amz-meta-a": "1"}, b"x")
    request.headers.pop("x-amz-meta-a")
    rejects(request, "SignatureDoesNotMatch")


def test_tampered_query_is_signature_does_not_match():
    request = sign_s3_v4("GET", ENDPOINT + "/bkt?prefix=a")
    request.query = "prefix=b"
    rejects(request, "SignatureDoesNotMatch")


def test_tampered_payload_hash_is_signature_does_not_match():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/key", body=b"x")
    request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    rejects(request, "SignatureDoesNotMatch")


def test_unsigned_header_may_change():
    request = sign_s3_v4("GET", ENDPOINT + "/bkt/key")
    request.headers["user-agent"] = "something else"
    verify(request)


def test_s3_header_auth_without_content_sha256_is_invalid_request():
    # Generic SigV4 (not S3's signer) does not add x-amz-content-sha256, which S3 requires.
    request = sign_v4("s3", "GET", ENDPOINT + "/bkt/key")
    error = rejects(request, "InvalidRequest", 400)
    assert error.message == "Missing required header for this request: x-amz-content-sha256"


def test_utf8_header_value_read_as_latin1_still_verifies():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/key", {"x-amz-meta-name": "café"}, b"x")
    # The client sent UTF-8 bytes; the gateway decodes header bytes as Latin-1.
    request.headers["x-amz-meta-name"] = "café".encode("utf-8").decode("latin-1")
    verify(request)


@pytest.mark.parametrize("minutes, ok", [(-14, True), (14, True), (-16, False), (16, False), (60 * 24, False)])
def test_header_auth_allows_fifteen_minutes_of_skew(frozen_signing_time, minutes, ok):
    request = sign_s3_v4("GET", ENDPOINT + "/bkt/key")
    now = frozen_signing_time + dt.timedelta(minutes=minutes)
    if ok:
        verify(request, now)
    else:
        error = rejects(request, "RequestTimeTooSkewed", now=now)
        assert error.message == "The difference between the request time and the current time is too large."
        assert error.fields["MaxAllowedSkewMilliseconds"] == "900000"


def test_skew_is_reported_before_the_signature(frozen_signing_time):
    request = sign_s3_v4("GET", ENDPOINT + "/bkt/key")
    rejects(request, "RequestTimeTooSkewed", now=NOW + dt.timedelta(hours=2), secret="wrong")


def test_naive_now_is_taken_as_utc(frozen_signing_time):
    verify(sign_s3_v4("GET", ENDPOINT + "/bkt/key"), NOW.replace(tzinfo=None))


# -- presigned SigV4 -----------------------------------------------------------------------------------


def test_presigned_get_from_boto3_verifies():
    s3 = client("s3", signature_version="s3v4")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "a b/ü.txt"})
    info = verify(from_url("GET", url))
    assert info.kind == "sigv4-query"


def test_presigned_put_with_content_type_from_boto3_verifies():
    s3 = client("s3", signature_version="s3v4", region="eu-west-1")
    url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": "bkt", "Key": "k", "ContentType": "text/csv", "Metadata": {"a": "b"}}
    )
    request = from_url("PUT", url, {"Content-Type": "text/csv", "x-amz-meta-a": "b"}, b"1,2\n")
    assert verify(request).region == "eu-west-1"


def test_presigned_put_without_the_signed_content_type_is_signature_does_not_match():
    s3 = client("s3", signature_version="s3v4")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "bkt", "Key": "k", "ContentType": "text/csv"})
    rejects(from_url("PUT", url, {}, b"1,2\n"), "SignatureDoesNotMatch")


def test_presigned_url_with_tampered_key_is_signature_does_not_match():
    url = client("s3", signature_version="s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": "bkt", "Key": "mine"}
    )
    rejects(from_url("GET", url.replace("/mine?", "/yours?")), "SignatureDoesNotMatch")


def test_presigned_url_with_tampered_expiry_is_signature_does_not_match():
    url = client("s3", signature_version="s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": "bkt", "Key": "k"}, ExpiresIn=60
    )
    rejects(from_url("GET", url.replace("X-Amz-Expires=60", "X-Amz-Expires=604800")), "SignatureDoesNotMatch")


def test_presigned_url_expires(frozen_signing_time):
    request = presign_s3_v4("GET", ENDPOINT + "/bkt/k", expires=300)
    verify(request, NOW + dt.timedelta(seconds=300))
    verify(request, NOW + dt.timedelta(minutes=4))  # header-auth skew rules do not apply
    error = rejects(request, "AccessDenied", now=NOW + dt.timedelta(seconds=301))
    assert error.message == "Request has expired"
    assert error.fields["X-Amz-Expires"] == "300"
    assert error.fields["Expires"] == "2026-03-14T15:14:26Z"
    assert error.fields["ServerTime"] == "2026-03-14T15:14:27Z"


def test_presigned_url_from_the_future_is_not_valid_yet(frozen_signing_time):
    request = presign_s3_v4("GET", ENDPOINT + "/bkt/k", expires=7200)
    verify(request, NOW - dt.timedelta(minutes=10))
    error = rejects(request, "AccessDenied", now=NOW - dt.timedelta(minutes=20))
    assert error.message == "Request is not valid yet"


def test_presigned_url_of_a_week_verifies_until_the_end_of_the_week(frozen_signing_time):
    request = presign_s3_v4("GET", ENDPOINT + "/bkt/k", expires=604800)
    verify(request, NOW + dt.timedelta(days=7))
    rejects(request, "AccessDenied", now=NOW + dt.timedelta(days=7, seconds=1))


def test_presigned_with_header_content_sha256_still_verifies():
    request = presign_s3_v4("GET", ENDPOINT + "/bkt/k")
    request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    verify(request)


# -- other services ------------------------------------------------------------------------------------


def test_json_service_signs_the_body_digest():
    body = b'{"DatabaseInput": {"Name": "db"}}'
    headers = {"X-Amz-Target": "AWSGlue.CreateDatabase", "Content-Type": "application/x-amz-json-1.1"}
    request = sign_v4("glue", "POST", "https://glue.us-east-1.amazonaws.com/", headers, body)
    verify(request)
    tampered = sign_v4("glue", "POST", "https://glue.us-east-1.amazonaws.com/", headers, body)
    tampered.body = BytesBody(body.replace(b"db", b"xx"))
    rejects(tampered, "SignatureDoesNotMatch")


def test_non_s3_path_is_normalized_before_signing():
    request = sign_v4("execute-api", "GET", "https://api.example.com/a/./b/../c//d%20e")
    verify(request)


@pytest.mark.parametrize(
    "service, call",
    [
        ("glue", lambda c: c.get_databases()),
        ("athena", lambda c: c.start_query_execution(QueryString="SELECT 1", WorkGroup="primary")),
        ("kinesis", lambda c: c.put_record(StreamName="s", Data=b"\x00\xff", PartitionKey="p")),
        ("firehose", lambda c: c.put_record(DeliveryStreamName="d", Record={"Data": b"x"})),
        ("emr", lambda c: c.list_clusters()),
        ("redshift", lambda c: c.describe_clusters(ClusterIdentifier="c 1")),
        ("sts", lambda c: c.get_caller_identity()),
        ("logs", lambda c: c.describe_log_groups()),
        ("s3", lambda c: c.put_object(Bucket="bkt", Key="a b/c+d", Body=b"hi", Metadata={"k": "v"})),
        ("s3", lambda c: c.list_objects_v2(Bucket="bkt", Prefix="x y/", Delimiter="/")),
        ("s3", lambda c: c.delete_objects(Bucket="bkt", Delete={"Objects": [{"Key": "a"}]})),
    ],
)
def test_requests_from_real_boto3_clients_verify(service, call):
    for request in captured(service, call, region="ap-south-1"):
        info = verify(request)
        assert info.region == "ap-south-1"


def test_virtual_host_request_verifies_after_the_gateway_rewrites_the_path():
    requests = captured(
        "s3",
        lambda c: (c.put_object(Bucket="bkt", Key="k 1", Body=b"x"), c.list_objects_v2(Bucket="bkt")),
        signature_version="s3v4",
        s3={"addressing_style": "virtual"},
    )
    assert len(requests) == 2
    for request in requests:
        assert request.headers["host"] == "bkt.localhost:4566"
        info = parse_auth(request)
        request.path = "/bkt" + ("" if request.path == "/" else request.path)  # what the gateway does
        verify_signature(request, info, SECRET_KEY, utcnow())


def test_aws_chunked_put_over_https_verifies():
    (request,) = captured("s3", lambda c: c.put_object(Bucket="bkt", Key="k", Body=b"hello"),
                          endpoint="https://localhost:4566")
    info = verify(request)
    assert info.content_sha256 == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


def test_invalid_access_key_id_helper():
    error = invalid_access_key_id("AKIAUNKNOWN")
    assert (error.code, error.status) == ("InvalidAccessKeyId", 403)
    assert error.message == "The AWS Access Key Id you provided does not exist in our records."
    assert error.fields == {"AWSAccessKeyId": "AKIAUNKNOWN"}
    assert invalid_access_key_id().fields == {}


def test_anonymous_request_is_access_denied_in_strict_mode():
    request = from_url("GET", ENDPOINT + "/bkt/k")
    rejects(request, "AccessDenied")


def test_sigv4a_is_not_implemented_in_strict_mode():
    value = "AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/s3/aws4_request, SignedHeaders=host, Signature=3045"
    request = from_url("GET", ENDPOINT + "/bkt/k", {"Authorization": value, "x-amz-date": "20260101T000000Z"})
    rejects(request, "NotImplemented", 501)


# -- a second, independent signer: the AWS Common Runtime (C) -----------------------------------------


@pytest.fixture(scope="module")
def crt_auth():
    pytest.importorskip("awscrt")
    from botocore.crt import auth

    return auth


@pytest.mark.parametrize("path", S3_URLS)
def test_crt_s3_signer_verifies(crt_auth, path):
    request = aws_request("PUT", ENDPOINT + path, {"x-amz-meta-a": "b"}, b"body")
    crt_auth.CrtS3SigV4Auth(CREDENTIALS, "s3", "us-east-1").add_auth(request)
    verify(to_http(request))


def test_crt_signer_for_a_json_service_verifies(crt_auth):
    request = aws_request("POST", "https://glue.us-east-1.amazonaws.com/x/../y", {"X-Amz-Target": "t"}, b"{}")
    crt_auth.CrtSigV4Auth(CREDENTIALS, "glue", "us-east-1").add_auth(request)
    verify(to_http(request))


def test_crt_presigned_url_verifies(crt_auth):
    request = aws_request("GET", ENDPOINT + "/bkt/a%20b")
    crt_auth.CrtS3SigV4QueryAuth(CREDENTIALS, "s3", "us-east-1", expires=60).add_auth(request)
    verify(to_http(request))


def test_presigned_url_of_a_non_s3_service_verifies():
    # The way EKS tokens are made: a presigned GET of sts:GetCallerIdentity.
    url = client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    assert "X-Amz-Credential=" in url
    info = verify(from_url("GET", url))
    assert (info.kind, info.service) == ("sigv4-query", "sts")
