"""What AWS's json front end answers before a service reads the request (gateway/json_front_end.py),
as kinesalite's connection tests recorded it from Kinesis: CORS preflights and headers, and 403
AccessDeniedException in XML for requests that cannot name an operation. Requests are signed with
SigV4 for kinesis, as a browser SDK or a raw client sends them."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlparse

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NO_OPERATION = (b"<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized"
                b"</Message>\n</AccessDeniedException>\n")


def _send(endpoint: str, method: str, headers: dict, body: bytes = b"", sign: bool = True):
    url = urlparse(endpoint)
    if sign:
        request = AWSRequest(method=method, url=f"{endpoint}/", data=body, headers=headers)
        SigV4Auth(Credentials("test", "test"), "kinesis", "us-east-1").add_auth(request)
        headers = dict(request.headers.items())
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request(method, "/", body or None, headers)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, raw


@pytest.mark.parametrize("sign", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize("asked, allowed", [
    ({}, {}),
    ({"Access-Control-Request-Headers": "a, b, c"}, {"access-control-allow-headers": "a, b, c"}),
    ({"Access-Control-Request-Headers": "x-amz-target", "Access-Control-Request-Method": "POST"},
     {"access-control-allow-headers": "x-amz-target", "access-control-allow-methods": "POST"}),
])
def test_a_preflight_is_answered_with_cors_headers(lakebox_server, sign, asked: dict, allowed: dict):
    status, headers, body = _send(lakebox_server.endpoint_url, "OPTIONS", {"Origin": "https://app.example", **asked},
                                  sign=sign)
    assert (status, body) == (200, b"")
    assert UUID.match(headers["x-amzn-requestid"])
    assert headers["access-control-allow-origin"] == "*" and headers["access-control-max-age"] == "172800"
    assert {k: headers.get(k) for k in allowed} == allowed
    assert headers["content-length"] == "0" and "content-type" not in headers and "x-amz-id-2" not in headers


def test_an_answer_to_a_browser_exposes_the_front_ends_headers(lakebox_server, kinesis):
    kinesis.create_stream(StreamName="cors", ShardCount=1)
    status, headers, body = _send(lakebox_server.endpoint_url, "POST", {
        "Origin": "https://app.example", "X-Amz-Target": "Kinesis_20131202.ListStreams",
        "Content-Type": "application/x-amz-json-1.1"}, b"{}")
    assert status == 200 and b'"StreamNames":["cors"]' in body
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-expose-headers"] == ("x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,"
                                                        "x-amz-id-2,x-amzn-ErrorMessage,Date")


@pytest.mark.parametrize("method, headers, body", [
    ("GET", {}, b""),
    ("PUT", {}, b""),
    ("DELETE", {}, b""),
    ("POST", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, b"{}"),
])
def test_a_request_that_names_no_operation_is_access_denied(lakebox_server, method, headers: dict, body: bytes):
    status, answer_headers, answer = _send(lakebox_server.endpoint_url, method, headers, body)
    assert (status, answer) == (403, NO_OPERATION)
    assert "content-type" not in answer_headers and UUID.match(answer_headers["x-amzn-requestid"])


def test_a_post_without_a_target_is_still_an_unknown_operation(lakebox_server):
    status, headers, body = _send(lakebox_server.endpoint_url, "POST", {"Content-Type": "application/x-amz-json-1.1"},
                                  b"{}")
    assert (status, body) == (400, b'{"__type":"UnknownOperationException"}')

