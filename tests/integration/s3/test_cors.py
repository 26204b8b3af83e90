"""S3 CORS: the bucket's rules (put, get, delete, validated as S3 validates them), preflight OPTIONS
requests answered from them without credentials, and the CORS headers on actual requests."""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
import requests
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

from lakebox.config import Credential
from lakebox.testing import running_lakebox

CORS_HEADERS = ("access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods",
                "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age", "vary")
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
               "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
               "whitelisted by the resource's CORS spec.")


@pytest.fixture
def lakebox_settings():
    # ACLs enabled, as the public-read objects of the anonymous tests need.
    return {"s3_object_ownership": "ObjectWriter"}


@pytest.fixture
def url(lakebox_server, bucket):
    return f"{lakebox_server.endpoint_url}/{bucket}"


def cors_of(response: requests.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in CORS_HEADERS if name in response.headers}


def error_fields(response: requests.Response) -> dict[str, str]:
    root = ET.fromstring(response.content)
    return {child.tag: child.text or "" for child in root if child.tag not in ("RequestId", "HostId")}


def preflight(url: str, origin=None, method=None, headers=None, **extra) -> requests.Response:
    sent = dict(extra)
    if origin is not None:
        sent["Origin"] = origin
    if method is not None:
        sent["Access-Control-Request-Method"] = method
    if headers is not None:
        sent["Access-Control-Request-Headers"] = headers
    return requests.options(url, headers=sent)


def put_cors(s3, bucket, *rules):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": list(rules)})


# -- configuration --------------------------------------------------------------------------------


def test_cors_put_get_delete(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchCORSConfiguration")
    assert exc.value.response["Error"]["Message"] == "The CORS configuration does not exist"
    assert exc.value.response["Error"]["BucketName"] == bucket
    rules = [
        {"ID": "web", "AllowedHeaders": ["x-amz-*", "Content-Type"], "AllowedMethods": ["GET", "PUT", "HEAD"],
         "AllowedOrigins": ["https://app.example.com", "http://*.example.com"], "ExposeHeaders": ["ETag"],
         "MaxAgeSeconds": 3000},
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]},
    ]
    response = s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchCORSConfiguration")
    # Deleting what is not there is no error either.
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_cors_of_a_missing_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_cors(Bucket="no-such-bucket-for-cors")
    assert error_of(exc) == (404, "NoSuchBucket")


def test_an_empty_origin_is_kept(s3, bucket):
    put_cors(s3, bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": [""]})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == [{"AllowedMethods": ["GET"], "AllowedOrigins": [""]}]


@pytest.mark.parametrize("rules,code,message", [
    ([{"AllowedMethods": ["GET", "PUT", "MYMETHOD"], "AllowedOrigins": ["*"]}], "InvalidRequest",
     "Found unsupported HTTP method in CORS config. Unsupported method is MYMETHOD"),
    ([{"AllowedMethods": ["OPTIONS"], "AllowedOrigins": ["*"]}], "InvalidRequest",
     "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS"),
    ([{"AllowedMethods": ["GET"], "AllowedOrigins": ["http://*.*.com"]}], "InvalidRequest",
     'AllowedOrigin "http://*.*.com" can not have more than one wildcard.'),
    ([{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["x-*-*"]}], "InvalidRequest",
     'AllowedHeader "x-*-*" can not have more than one wildcard.'),
    ([{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "ID": "i" * 256}], "InvalidArgument", None),
    ([], "MalformedXML", None),
    ([{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}] * 101, "MalformedXML", None),
], ids=["unsupported-method", "options-method", "origin-two-wildcards", "header-two-wildcards", "long-id",
        "no-rules", "101-rules"])
def test_invalid_cors_configurations(s3, bucket, rules, code, message):
    with pytest.raises(ClientError) as exc:
        put_cors(s3, bucket, *rules)
    assert error_of(exc) == (400, code)
    if message is not None:
        assert exc.value.response["Error"]["Message"] == message
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_cors(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchCORSConfiguration")


@pytest.mark.parametrize("rule", [
    "<AllowedOrigin>*</AllowedOrigin>",
    "<AllowedMethod>GET</AllowedMethod>",
], ids=["no-method", "no-origin"])
def test_a_rule_missing_a_required_element_is_malformed_xml(raw, bucket, rule):
    body = f"<CORSConfiguration><CORSRule>{rule}</CORSRule></CORSConfiguration>".encode()
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    response = raw.request("PUT", f"/{bucket}", query="cors", body=body, headers={"Content-MD5": md5})
    assert response.status_code == 400
    assert error_fields(response)["Code"] == "MalformedXML"


# -- preflight --------------------------------------------------------------------------------------


def test_preflight_without_origin_is_bad_request(s3, bucket, url):
    put_cors(s3, bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]})
    for target in (url, url + "/key"):
        response = preflight(target, method="GET")
        assert response.status_code == 400
        assert error_fields(response) == {"Code": "BadRequest",
                                          "Message": "Insufficient information. Origin request header needed."}
        assert cors_of(response) == {}


def test_preflight_to_a_missing_bucket_is_forbidden(lakebox_server):
    response = preflight(f"{lakebox_server.endpoint_url}/no-such-bucket-for-cors/key", "http://a.com", "GET")
    assert response.status_code == 403
    assert error_fields(response) == {"Code": "AccessForbidden", "Message": "CORSResponse: Bucket not found",
                                      "Method": "GET", "ResourceType": "BUCKET"}


def test_preflight_without_cors_configuration_is_forbidden(url):
    response = preflight(url + "/key", "http://a.com", "PUT")
    assert response.status_code == 403
    assert error_fields(response) == {"Code": "AccessForbidden",
                                      "Message": "CORSResponse: CORS is not enabled for this bucket.",
                                      "Method": "PUT", "ResourceType": "BUCKET"}
    response = preflight(url + "/key", "http://a.com")
    assert response.status_code == 403
    assert error_fields(response)["Method"] == "OPTIONS"


@pytest.mark.parametrize("method", [None, "get", "PATCH", "OPTIONS"])
def test_preflight_with_a_bad_request_method_is_bad_request(s3, bucket, url, method):
    put_cors(s3, bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]})
    response = preflight(url, "http://a.com", method)
    assert response.status_code == 400
    assert error_fields(response) == {"Code": "BadRequest",
                                      "Message": f"Invalid Access-Control-Request-Method: {method or 'null'}"}


def test_preflight_with_a_bad_header_name_is_bad_request(s3, bucket, url):
    put_cors(s3, bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"]})
    response = preflight(url, "http://a.com", "GET", "x-amz-date, bad@header")
    assert response.status_code == 400
    message = 'Access-Control-Request-Headers "bad@header" contains invalid character.'
    assert error_fields(response) == {"Code": "BadRequest", "Message": message}


def test_matching_preflight_answers_the_rule(s3, bucket, url):
    put_cors(s3, bucket,
             {"AllowedMethods": ["PUT"], "AllowedOrigins": ["https://app.example.com"]},
             {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["https://app.example.com"],
              "AllowedHeaders": ["X-Amz-*", "content-type"], "ExposeHeaders": ["ETag", "x-amz-request-id"],
              "MaxAgeSeconds": 3000})
    response = preflight(url + "/some/key", "https://app.example.com", "GET", "X-Amz-Date, Content-Type")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["x-amz-request-id"]
    assert cors_of(response) == {
        "access-control-allow-origin": "https://app.example.com",
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET, HEAD",
        "access-control-allow-headers": "x-amz-date, content-type",
        "access-control-expose-headers": "ETag, x-amz-request-id",
        "access-control-max-age": "3000",
        "vary": VARY,
    }


def test_preflight_that_no_rule_allows_is_forbidden(s3, bucket, url):
    put_cors(s3, bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": ["https://app.example.com"],
                          "AllowedHeaders": ["x-amz-date"]})
    cases = [
        (url + "/key", "https://app.example.com", "PUT", None, "OBJECT"),  # method
        (url + "/key", "http://app.example.com", "GET", None, "OBJECT"),  # origin
        (url, "https://app.example.com", "GET", "x-amz-date, x-amz-request-payer", "BUCKET"),  # a header
    ]
    for target, origin, method, headers, resource in cases:
        response = preflight(target, origin, method, headers)
        assert response.status_code == 403, (origin, method, headers)
        assert error_fields(response) == {"Code": "AccessForbidden", "Message": NOT_ALLOWED, "Method": method,
                                          "ResourceType": resource}
        assert cors_of(response) == {}


def test_preflight_origin_wildcards(s3, bucket, url):
    put_cors(s3, bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": ["http://*.example.com"]},
             {"AllowedMethods": ["PUT"], "AllowedOrigins": ["*"]})
    response = preflight(url, "http://www.example.com", "GET")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://www.example.com"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert preflight(url, "http://example.com", "GET").status_code == 403
    response = preflight(url, "http://anything:1234", "PUT")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_preflight_virtual_host_style(s3, bucket, lakebox_server):
    put_cors(s3, bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": ["http://a.com"]})
    port = urlsplit(lakebox_server.endpoint_url).port
    for path, resource in (("/key", "OBJECT"), ("/", "BUCKET")):
        target = lakebox_server.endpoint_url + path
        host = {"Host": f"{bucket}.localhost:{port}"}
        response = preflight(target, "http://a.com", "GET", **host)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "http://a.com"
        response = preflight(target, "http://a.com", "PUT", **host)
        assert response.status_code == 403
        assert error_fields(response)["ResourceType"] == resource


def test_preflight_to_a_presigned_url_ignores_its_signature(s3, bucket):
    # The signature was made for PUT; a preflight is judged by the CORS rules alone.
    put_cors(s3, bucket, {"AllowedMethods": ["PUT"], "AllowedOrigins": ["http://a.com"]})
    presigned = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    assert preflight(presigned).status_code == 400
    response = preflight(presigned, "http://a.com", "PUT")
    assert response.status_code == 200
    assert response.headers["access-control-allow-methods"] == "PUT"


def test_preflight_to_a_url_with_malformed_presigned_parameters_is_still_a_preflight(s3, bucket, lakebox_server):
    put_cors(s3, bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": ["http://a.com"]})
    for query in ("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=bad", "AWSAccessKeyId=x&Signature=y&Expires=abc"):
        response = preflight(f"{lakebox_server.endpoint_url}/{bucket}/k?{query}", "http://a.com", "GET")
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == "http://a.com"


def test_error_for_malformed_auth_on_a_virtual_host_request_carries_the_buckets_cors(s3, bucket, lakebox_server):
    put_cors(s3, bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": ["http://a.com"]})
    port = urlsplit(lakebox_server.endpoint_url).port
    response = requests.get(f"{lakebox_server.endpoint_url}/k", headers={
        "Host": f"{bucket}.localhost:{port}", "Origin": "http://a.com", "Authorization": "AWS4-HMAC-SHA256 garbage"})
    assert 400 <= response.status_code < 500
    assert response.headers["access-control-allow-origin"] == "http://a.com"


def test_preflight_needs_no_credentials_in_strict_mode(tmp_path):
    key, secret = "AKIDSTRICTCORS", "strict-cors-secret"
    credentials = {key: Credential(key, secret, "123456789012")}
    with running_lakebox(tmp_path / "strict", set_env=False, auth="strict", credentials=credentials) as server:
        s3 = make_client(server.endpoint_url, access_key=key, secret=secret)
        s3.create_bucket(Bucket="strict-cors")
        put_cors(s3, "strict-cors", {"AllowedMethods": ["GET"], "AllowedOrigins": ["http://a.com"]})
        response = preflight(f"{server.endpoint_url}/strict-cors/key", "http://a.com", "GET")
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "http://a.com"


# -- actual requests --------------------------------------------------------------------------------


@pytest.fixture
def web_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="page.html", Body=b"<p>hi</p>", ACL="public-read")
    put_cors(s3, bucket, {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["https://app.example.com"],
                          "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 60})
    return bucket


GRANTED = {
    "access-control-allow-origin": "https://app.example.com",
    "access-control-allow-credentials": "true",
    "access-control-allow-methods": "GET, HEAD",
    "access-control-expose-headers": "ETag",
    "access-control-max-age": "60",
    "vary": VARY,
}


def test_get_with_a_matching_origin_gets_cors_headers(raw, web_bucket):
    response = raw.request("GET", f"/{web_bucket}/page.html", headers={"Origin": "https://app.example.com"})
    assert response.status_code == 200
    assert response.content == b"<p>hi</p>"
    assert cors_of(response) == GRANTED


def test_anonymous_get_and_head_with_a_matching_origin(url, web_bucket):
    origin = {"Origin": "https://app.example.com"}
    for call in (requests.get, requests.head):
        response = call(url + "/page.html", headers=origin)
        assert response.status_code == 200
        assert cors_of(response) == GRANTED


def test_requests_without_a_matching_origin_get_no_cors_headers(raw, web_bucket):
    assert cors_of(raw.request("GET", f"/{web_bucket}/page.html")) == {}
    for origin in ("http://app.example.com", "https://evil.example.com"):
        assert cors_of(raw.request("GET", f"/{web_bucket}/page.html", headers={"Origin": origin})) == {}


def test_a_method_the_rules_do_not_allow_gets_no_cors_headers(raw, web_bucket):
    origin = {"Origin": "https://app.example.com"}
    response = raw.request("PUT", f"/{web_bucket}/other", headers=origin, body=b"x")
    assert response.status_code == 200
    assert cors_of(response) == {}
    # As on S3, an Access-Control-Request-Method on an actual request is judged instead of its method.
    headers = {**origin, "Access-Control-Request-Method": "PUT"}
    assert cors_of(raw.request("GET", f"/{web_bucket}/page.html", headers=headers)) == {}


def test_error_responses_carry_cors_headers(raw, url, web_bucket):
    origin = {"Origin": "https://app.example.com"}
    response = raw.request("GET", f"/{web_bucket}/missing", headers=origin)
    assert response.status_code == 404
    assert cors_of(response) == GRANTED
    response = requests.put(url + "/page.html", headers={**origin, "Access-Control-Request-Method": "GET"}, data=b"")
    assert response.status_code == 403  # anonymous write to a private bucket
    assert cors_of(response) == GRANTED


def test_cors_headers_follow_configuration_changes(s3, raw, web_bucket):
    origin = {"Origin": "https://app.example.com"}
    s3.delete_bucket_cors(Bucket=web_bucket)
    assert cors_of(raw.request("GET", f"/{web_bucket}/page.html", headers=origin)) == {}
    put_cors(s3, web_bucket, {"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]})
    response = raw.request("GET", f"/{web_bucket}/page.html", headers=origin)
    assert cors_of(response) == {"access-control-allow-origin": "*", "access-control-allow-methods": "GET",
                                 "vary": VARY}
