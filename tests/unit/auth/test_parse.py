"""parse_auth: the fields of every auth form botocore produces, and S3's errors for malformed auth."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from auth_requests import (
    ACCESS_KEY,
    ENDPOINT,
    client,
    from_url,
    presign_s3_v2,
    presign_s3_v4,
    sign_s3_v2,
    sign_s3_v4,
    sign_v4,
    utcnow,
)

from lakebox.auth import AuthInfo, parse_auth
from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import Headers, HttpRequest


def _request(path="/bkt/key", query="", headers=()) -> HttpRequest:
    return HttpRequest(method="GET", path=path, query=query, headers=Headers([("host", "localhost:4566"), *headers]))


def _raises(request: HttpRequest, code: str, status: int) -> AwsError:
    with pytest.raises(AwsError) as caught:
        parse_auth(request)
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


def test_sigv4_header_fields_come_from_the_authorization_header():
    before = utcnow().replace(microsecond=0)
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", body=b"hello", region="eu-west-1")
    info = parse_auth(request)
    assert isinstance(info, AuthInfo)
    assert info.kind == "sigv4-header"
    assert (info.access_key, info.region, info.service) == (ACCESS_KEY, "eu-west-1", "s3")
    assert info.signed_headers == ("host", "x-amz-content-sha256", "x-amz-date")
    assert len(info.signature) == 64
    assert before <= info.amz_date <= utcnow()
    assert info.content_sha256 == hashlib.sha256(b"hello").hexdigest()
    assert info.credential_scope == f"{info.amz_date:%Y%m%d}/eu-west-1/s3/aws4_request"
    assert (info.raw_path, info.raw_query) == ("/bkt/k", "")
    assert info.expires is None and not info.is_presigned


def test_sigv4_header_of_a_json_service_names_that_service():
    request = sign_v4("glue", "POST", "https://glue.eu-central-1.amazonaws.com/", body=b"{}", region="eu-central-1")
    info = parse_auth(request)
    assert (info.kind, info.service, info.region) == ("sigv4-header", "glue", "eu-central-1")
    assert info.content_sha256 is None


def test_sigv4_header_takes_the_time_from_the_date_header_when_botocore_signs_with_it():
    request = sign_v4("kinesis", "POST", "https://kinesis.us-east-1.amazonaws.com/", {"Date": "x"}, b"{}")
    assert "x-amz-date" not in request.headers
    info = parse_auth(request)
    assert info.timestamp == info.amz_date.strftime("%Y%m%dT%H%M%SZ")


def test_presigned_sigv4_url_from_a_boto3_client():
    s3 = client("s3", signature_version="s3v4")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "k"}, ExpiresIn=900)
    info = parse_auth(from_url("GET", url))
    assert (info.kind, info.access_key, info.region, info.service) == ("sigv4-query", ACCESS_KEY, "us-east-1", "s3")
    assert info.expires == 900
    assert info.expires_at == info.amz_date + dt.timedelta(seconds=900)
    assert info.signed_headers == ("host",)
    assert info.is_presigned


def test_default_boto3_presigned_url_is_sigv2_query_auth():
    # botocore 1.43 presigns S3 with HmacV1QueryAuth unless signature_version='s3v4' is configured.
    url = client("s3").generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": "k"}, ExpiresIn=600)
    info = parse_auth(from_url("GET", url))
    assert (info.kind, info.access_key, info.service, info.region) == ("sigv2-query", ACCESS_KEY, "s3", None)
    assert abs((info.expires_at - utcnow()).total_seconds() - 600) < 5


def test_sigv2_header_fields():
    info = parse_auth(sign_s3_v2("GET", ENDPOINT + "/bkt/k"))
    assert (info.kind, info.access_key, info.service) == ("sigv2-header", ACCESS_KEY, "s3")
    assert abs((info.amz_date - utcnow()).total_seconds()) < 5


def test_sigv2_presigned_with_helper_signer():
    info = parse_auth(presign_s3_v2("GET", ENDPOINT + "/bkt/k", expires=60))
    assert info.kind == "sigv2-query" and info.signature


@pytest.mark.parametrize("headers", [(), (("Authorization", ""),), (("Authorization", "   "),)])
def test_no_or_empty_authorization_is_anonymous(headers):
    info = parse_auth(_request(headers=headers))
    assert info.kind == "anonymous" and info.is_anonymous and info.access_key is None


def test_security_token_is_exposed():
    info = parse_auth(_request(headers=[("x-amz-security-token", "tok"), ("Authorization", "AWS ak:sig"),
                                        ("Date", "Thu, 26 Nov 2026 00:00:00 GMT")]))
    assert info.security_token == "tok"


# -- presigned query errors ----------------------------------------------------------------------------


def _presigned_query(**overrides) -> str:
    params = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": "AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request",
        "X-Amz-Date": "20260101T000000Z",
        "X-Amz-Expires": "3600",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": "0" * 64,
    }
    params.update(overrides)
    return "&".join(f"{k}={v}" for k, v in params.items() if v is not None)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"X-Amz-Expires": "604801"}, "X-Amz-Expires must be less than a week (in seconds); that is, the given "
                                      "X-Amz-Expires must be less than 604800 seconds"),
        ({"X-Amz-Expires": "-1"}, "X-Amz-Expires must be non-negative"),
        ({"X-Amz-Expires": "soon"}, "X-Amz-Expires should be a number"),
        ({"X-Amz-Expires": None}, "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                                  "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                                  "X-Amz-Expires parameters."),
        ({"X-Amz-Signature": None}, "Query-string authentication version 4 requires"),
        ({"X-Amz-Algorithm": "AWS4-HMAC-SHA1"}, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'),
        ({"X-Amz-Date": "2026-01-01"}, "X-Amz-Date must be in the ISO8601 Long Format"),
        ({"X-Amz-Date": "20260102T000000Z"}, 'Invalid credential date "20260101". This date is not the same as '
                                             'X-Amz-Date: "20260102".'),
        ({"X-Amz-Credential": "AKID%2F20260101%2Fus-east-1%2Fs3"}, "Error parsing the X-Amz-Credential parameter; "
                                                                   "the Credential is mal-formed"),
        ({"X-Amz-Credential": "AKID%2F20260101%2Fus-east-1%2Fs3%2Faws5_request"}, 'incorrect terminal "aws5_request"'),
        ({"X-Amz-Credential": "AKID%2F2026-1-1%2Fus-east-1%2Fs3%2Faws4_request"}, 'incorrect date format "2026-1-1"'),
    ],
)
def test_bad_presigned_parameters_raise_authorization_query_parameters_error(overrides, message):
    error = _raises(_request(query=_presigned_query(**overrides)), "AuthorizationQueryParametersError", 400)
    assert message in error.message


def test_expires_of_exactly_a_week_is_accepted():
    assert parse_auth(_request(query=_presigned_query(**{"X-Amz-Expires": "604800"}))).expires == 604800


def test_botocore_presign_over_a_week_is_refused():
    request = presign_s3_v4("GET", ENDPOINT + "/bkt/k", expires=604801)
    _raises(request, "AuthorizationQueryParametersError", 400)


# -- Authorization header errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, code, status",
    [
        ("AWS4-HMAC-SHA256 Credential=HAHAHA", "AuthorizationHeaderMalformed", 400),
        ("AWS4-HMAC-SHA256", "AuthorizationHeaderMalformed", 400),
        ("AWS4-HMAC-SHA256 Credential=HAHAHA, SignedHeaders=host, Signature=abc", "AuthorizationHeaderMalformed", 400),
        ("AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature",
         "AuthorizationHeaderMalformed", 400),
        ("AWS4 HAHAHA", "InvalidArgument", 400),
        ("Bearer token", "InvalidArgument", 400),
        ("AWS HAHAHA", "InvalidArgument", 400),
        ("AWS :sig", "InvalidArgument", 400),
    ],
)
def test_malformed_authorization_header(value, code, status):
    headers = [("Authorization", value), ("x-amz-date", "20260101T000000Z"), ("Date", "Thu, 01 Jan 2026 00:00:00 GMT")]
    error = _raises(_request(headers=headers), code, status)
    if code == "InvalidArgument":
        assert error.fields == {"ArgumentName": "Authorization", "ArgumentValue": value}


def test_malformed_credential_message_is_s3s():
    value = "AWS4-HMAC-SHA256 Credential=HAHAHA, SignedHeaders=host, Signature=abc"
    error = _raises(_request(headers=[("Authorization", value)]), "AuthorizationHeaderMalformed", 400)
    assert error.message == (
        'The authorization header is malformed; the Credential is mal-formed; expecting '
        '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
    )


def test_missing_components_message_is_s3s():
    error = _raises(_request(headers=[("Authorization", "AWS4-HMAC-SHA256 Credential=HAHAHA")]),
                    "AuthorizationHeaderMalformed", 400)
    assert "requires three components: Credential, SignedHeaders, and Signature" in error.message


@pytest.mark.parametrize("amz_date", [None, "", "Bad Date", "19500707T215304Z", "Thu, 01 Jan 2026 00:00:00 GMT"])
def test_sigv4_header_without_a_valid_x_amz_date_is_access_denied(amz_date):
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", body=b"x")
    request.headers.pop("x-amz-date")
    if amz_date is not None:
        request.headers["X-Amz-Date"] = amz_date
    error = _raises(request, "AccessDenied", 403)
    assert error.message == "AWS authentication requires a valid Date or x-amz-date header"


def test_sigv2_header_without_date_is_access_denied():
    request = sign_s3_v2("PUT", ENDPOINT + "/bkt/k", body=b"x")
    request.headers.pop("date")
    _raises(request, "AccessDenied", 403)


def test_sigv2_header_accepts_x_amz_date_instead_of_date():
    request = sign_s3_v2("PUT", ENDPOINT + "/bkt/k", body=b"x")
    date = request.headers.pop("date")
    request.headers["x-amz-date"] = date
    assert parse_auth(request).amz_date is not None


def test_header_and_query_auth_together_is_invalid_argument():
    request = sign_s3_v4("GET", ENDPOINT + "/bkt/k")
    request.query = _presigned_query()
    error = _raises(request, "InvalidArgument", 400)
    assert error.message.startswith("Only one auth mechanism allowed")


@pytest.mark.parametrize("query", ["AWSAccessKeyId=AK&Signature=abc", "Signature=abc&Expires=1", "AWSAccessKeyId=AK"])
def test_incomplete_sigv2_query_is_access_denied(query):
    error = _raises(_request(query=query), "AccessDenied", 403)
    assert error.message == "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"


def test_sigv2_query_with_non_numeric_expires_is_access_denied():
    error = _raises(_request(query="AWSAccessKeyId=AK&Signature=abc&Expires=tomorrow"), "AccessDenied", 403)
    assert error.message == "Invalid date (should be seconds since epoch): tomorrow"


# -- x-amz-content-sha256 ------------------------------------------------------------------------------


def test_invalid_content_sha256_for_s3_is_invalid_argument():
    request = sign_s3_v4("PUT", ENDPOINT + "/bkt/k", body=b"x")
    request.headers["x-amz-content-sha256"] = "not-a-digest"
    error = _raises(request, "InvalidArgument", 400)
    assert error.fields["ArgumentName"] == "x-amz-content-sha256"


def test_anonymous_signed_streaming_is_invalid_request():
    request = _request(headers=[("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")])
    _raises(request, "InvalidRequest", 400)


def test_anonymous_unsigned_trailer_is_fine():
    info = parse_auth(_request(headers=[("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")]))
    assert info.is_anonymous and info.is_streaming


def test_sigv4a_header_is_parsed_for_routing():
    value = "AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/s3/aws4_request, SignedHeaders=host, Signature=3045"
    info = parse_auth(_request(headers=[("Authorization", value), ("x-amz-date", "20260101T000000Z"),
                                        ("x-amz-region-set", "eu-west-1,us-east-1")]))
    assert (info.kind, info.service, info.region, info.access_key) == ("sigv4a-header", "s3", "eu-west-1", "AKID")
