"""S3 CORS against what AWS answered, case by case: the status, the CORS headers (exactly), the
body of a refused preflight, and what an actual request gets, for buckets with S3's 2023 defaults
opened up the way a public website bucket is (ownership controls and Block Public Access removed).

Requests are virtual-host style and unsigned, as a browser sends them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
import requests

VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
               "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
               "whitelisted by the resource's CORS spec.")
APP = "https://localhost:4200"


@pytest.fixture
def public_bucket(s3, bucket):
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    return bucket


@pytest.fixture
def at(lakebox_server, public_bucket):
    """`at(key)`: (url, headers) that address `key` (or the bucket, for "") virtual-host style."""
    port = urlsplit(lakebox_server.endpoint_url).port

    def address(key: str = "", bucket: str = public_bucket):
        return f"{lakebox_server.endpoint_url}/{key}", {"Host": f"{bucket}.localhost:{port}"}

    return address


def send(method, address, **headers) -> requests.Response:
    url, host = address
    return requests.request(method, url, headers={**host, **headers})


def cors_of(response: requests.Response) -> dict[str, str]:
    """The response's Access-Control-* and Vary headers, under their lower-case names."""
    return {name.lower(): value for name, value in response.headers.items()
            if name.lower().startswith("access-control-") or name.lower() == "vary"}


def error_fields(response: requests.Response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/xml"
    root = ET.fromstring(response.content)
    return {child.tag: child.text or "" for child in root if child.tag not in ("RequestId", "HostId")}


def granted(origin=APP, methods="GET, PUT", max_age="3000", **extra) -> dict[str, str]:
    headers = {"access-control-allow-origin": origin, "access-control-allow-methods": methods, "vary": VARY}
    if origin != "*":
        headers["access-control-allow-credentials"] = "true"
    if max_age is not None:
        headers["access-control-max-age"] = max_age
    headers.update(extra)
    return headers


def assert_preflight_granted(response: requests.Response, expected: dict[str, str]) -> None:
    assert response.status_code == 200
    assert cors_of(response) == expected
    assert response.content == b""
    assert response.headers["content-length"] == "0"
    assert "content-type" not in response.headers
    assert response.headers["x-amz-request-id"] and response.headers["x-amz-id-2"]


def assert_preflight_refused(response: requests.Response, method: str, resource: str, message=NOT_ALLOWED) -> None:
    assert response.status_code == 403
    assert cors_of(response) == {}
    assert error_fields(response) == {"Code": "AccessForbidden", "Message": message, "Method": method,
                                      "ResourceType": resource}


def assert_no_origin_refused(response: requests.Response) -> None:
    assert response.status_code == 400
    assert cors_of(response) == {}
    assert error_fields(response) == {"Code": "BadRequest",
                                      "Message": "Insufficient information. Origin request header needed."}


def put_public(s3, bucket, key, body=b"test-cors"):
    s3.put_object(Bucket=bucket, Key=key, Body=body, ACL="public-read")


def put_cors(s3, bucket, *rules):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": list(rules)})


# -- a bucket without CORS, and no bucket at all ------------------------------------------------------


def test_preflight_to_a_bucket_without_cors_is_refused(s3, public_bucket, at):
    put_public(s3, public_bucket, "k")
    assert_no_origin_refused(send("OPTIONS", at("k")))
    message = "CORSResponse: CORS is not enabled for this bucket."
    response = send("OPTIONS", at("k"), Origin="whatever", **{"Access-Control-Request-Method": "PUT"})
    assert_preflight_refused(response, "PUT", "BUCKET", message)
    assert_preflight_refused(send("OPTIONS", at("k"), Origin="whatever"), "OPTIONS", "BUCKET", message)


def test_get_from_a_bucket_without_cors_has_no_cors_headers(s3, public_bucket, at):
    put_public(s3, public_bucket, "k")
    for headers in ({}, {"Origin": "whatever"}):
        response = send("GET", at("k"), **headers)
        assert response.status_code == 200
        assert response.content == b"test-cors"
        assert cors_of(response) == {}


def test_preflight_to_a_missing_bucket_is_refused(at):
    missing = at("k", bucket="fake-bucket-for-cors-parity")
    assert_no_origin_refused(send("OPTIONS", missing))
    assert_preflight_refused(send("OPTIONS", missing, Origin="whatever"), "OPTIONS", "BUCKET",
                             "CORSResponse: Bucket not found")


# -- origins --------------------------------------------------------------------------------------------


def test_origins_match_exactly_or_by_the_wildcard_rule(s3, public_bucket, at):
    put_public(s3, public_bucket, "test-cors-123")
    put_cors(s3, public_bucket, {"AllowedOrigins": [APP], "AllowedMethods": ["GET", "PUT"], "MaxAgeSeconds": 3000,
                                 "AllowedHeaders": ["*"]})
    key = at("test-cors-123")
    put_method = {"Access-Control-Request-Method": "PUT"}

    # No Origin (a Referer does not count): not a CORS request.
    assert_no_origin_refused(send("OPTIONS", key))
    assert_no_origin_refused(send("OPTIONS", key, Referer=APP, **put_method))
    for headers in ({}, {"Referer": APP}):
        response = send("GET", key, **headers)
        assert (response.status_code, cors_of(response)) == (200, {})

    assert_preflight_granted(send("OPTIONS", key, Origin=APP, **put_method), granted())
    response = send("GET", key, Origin=APP)
    assert (response.status_code, response.content) == (200, b"test-cors")
    assert cors_of(response) == granted()

    # The scheme is part of the origin.
    assert_preflight_refused(send("OPTIONS", key, Origin="http://localhost:4200", **put_method), "PUT", "OBJECT")
    response = send("GET", key, Origin="http://localhost:4200")
    assert (response.status_code, cors_of(response)) == (200, {})

    put_cors(s3, public_bucket, {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PUT"], "MaxAgeSeconds": 3000,
                                 "AllowedHeaders": ["*"]})
    assert_preflight_granted(send("OPTIONS", key, Origin="http://random:1234", **put_method), granted("*"))
    response = send("GET", key, Origin="http://random:1234")
    assert (response.status_code, cors_of(response)) == (200, granted("*"))


def test_a_partial_wildcard_origin_matches_whole_origins_only(s3, public_bucket, at):
    put_cors(s3, public_bucket, {"AllowedOrigins": ["http://*.origin.com"], "AllowedMethods": ["GET", "PUT"],
                                 "MaxAgeSeconds": 3000, "AllowedHeaders": ["*"]})
    get_method = {"Access-Control-Request-Method": "GET"}
    response = send("OPTIONS", at(), Origin="http://test.origin.com", **get_method)
    assert_preflight_granted(response, granted("http://test.origin.com"))
    response = send("OPTIONS", at(), Origin="http://test.origin.com/", **get_method)
    assert_preflight_refused(response, "GET", "BUCKET")


# -- methods ----------------------------------------------------------------------------------------------


def _public_object_under_a_get_rule(s3, bucket, at) -> str:
    """A public-read-write bucket with object `test-cors-method` and one rule allowing GET from APP
    (any header, max age 3000); returns the object's URL."""
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    put_public(s3, bucket, "test-cors-method")
    put_cors(s3, bucket, {"AllowedOrigins": [APP], "AllowedMethods": ["GET"], "MaxAgeSeconds": 3000,
                          "AllowedHeaders": ["*"]})
    return at("test-cors-method")


def test_methods_are_judged_by_the_request_method_header_when_there_is_one(s3, public_bucket, at):
    key = _public_object_under_a_get_rule(s3, public_bucket, at)
    response = send("OPTIONS", key, Origin=APP, **{"Access-Control-Request-Method": "GET"})
    assert_preflight_granted(response, granted(methods="GET"))

    # A GET that names another method in Access-Control-Request-Method is judged by that method.
    response = send("GET", key, Origin=APP, **{"Access-Control-Request-Method": "PUT"})
    assert (response.status_code, response.content, cors_of(response)) == (200, b"test-cors", {})
    response = send("GET", key, Origin=APP)
    assert (response.status_code, cors_of(response)) == (200, granted(methods="GET"))

    new_key = at("test-cors-methodnew")
    response = send("OPTIONS", new_key, Origin=APP, **{"Access-Control-Request-Method": "PUT"})
    assert_preflight_refused(response, "PUT", "OBJECT")
    # The PUT itself is not refused for CORS: it succeeds, without CORS headers.
    response = send("PUT", new_key, Origin=APP)
    assert (response.status_code, response.content, cors_of(response)) == (200, b"", {})


# -- headers ----------------------------------------------------------------------------------------------


def test_requested_headers_are_matched_case_insensitively_and_echoed_lower_case(s3, public_bucket, at):
    key = _public_object_under_a_get_rule(s3, public_bucket, at)

    def preflight(requested):
        return send("OPTIONS", key, Origin=APP, **{"Access-Control-Request-Method": "GET",
                                                     "Access-Control-Request-Headers": requested})

    def allowing(names):
        return granted(methods="GET", **{"access-control-allow-headers": names})

    assert_preflight_granted(preflight("x-amz-request-payer"), allowing("x-amz-request-payer"))
    assert_preflight_granted(preflight("x-amz-request-payer, x-amz-expected-bucket-owner"),
                             allowing("x-amz-request-payer, x-amz-expected-bucket-owner"))
    response = send("GET", key, Origin=APP, **{"x-amz-request-payer": "requester"})
    assert (response.status_code, cors_of(response)) == (200, granted(methods="GET"))

    allowed = ["x-amz-expected-bucket-owner", "x-amz-server-side-encryption-customer-algorithm",
               "x-AMZ-server-SIDE-encryption"]
    put_cors(s3, public_bucket, {"AllowedOrigins": [APP], "AllowedMethods": ["GET"], "MaxAgeSeconds": 3000,
                                 "AllowedHeaders": allowed})
    # The configuration keeps the case it was given.
    assert s3.get_bucket_cors(Bucket=public_bucket)["CORSRules"][0]["AllowedHeaders"] == allowed

    assert_preflight_refused(preflight("x-amz-request-payer"), "GET", "OBJECT")
    assert_preflight_granted(preflight("x-amz-expected-bucket-owner"), allowing("x-amz-expected-bucket-owner"))
    both = "x-amz-expected-bucket-owner, x-amz-server-side-encryption"
    assert_preflight_granted(preflight("x-AMZ-expected-BUCKET-owner, x-amz-server-side-encryption"), allowing(both))
    assert_preflight_granted(preflight("x-amz-expected-bucket-owner,x-amz-server-side-encryption"), allowing(both))

    # An actual request carrying Access-Control-Request-Headers is judged by them...
    response = send("GET", key, Origin=APP, **{"Access-Control-Request-Headers": "x-amz-request-payer"})
    assert (response.status_code, response.content, cors_of(response)) == (200, b"test-cors", {})
    # ...but the headers it actually sends are not judged.
    response = send("GET", key, Origin=APP, **{"x-amz-request-payer": "requester"})
    assert (response.status_code, cors_of(response)) == (200, granted(methods="GET"))


def test_expose_headers_are_listed_on_the_preflight(s3, public_bucket, at):
    put_public(s3, public_bucket, "test-cors-expose")
    put_cors(s3, public_bucket, {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"],
                                 "ExposeHeaders": ["x-amz-id-2", "x-amz-request-id", "x-amz-request-payer"]})
    response = send("OPTIONS", at("test-cors-expose"), Origin="localhost:8080",
                    **{"Access-Control-Request-Method": "GET"})
    expose = "x-amz-id-2, x-amz-request-id, x-amz-request-payer"
    assert_preflight_granted(response, granted("*", "GET", None, **{"access-control-expose-headers": expose}))


def test_a_rule_without_optional_elements(s3, public_bucket, at):
    put_public(s3, public_bucket, "test-cors-default")
    put_cors(s3, public_bucket, {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]})
    key = at("test-cors-default")
    get_method = {"Access-Control-Request-Method": "GET"}
    assert_preflight_granted(send("OPTIONS", key, Origin="localhost:8080", **get_method), granted("*", "GET", None))
    # Without AllowedHeaders, a preflight asking for any header is refused.
    response = send("OPTIONS", key, Origin="localhost:8080",
                    **get_method, **{"Access-Control-Request-Headers": "x-amz-request-payer"})
    assert_preflight_refused(response, "GET", "OBJECT")
