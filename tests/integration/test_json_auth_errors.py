"""Malformed authentication sent to the json-protocol services gets their answer, as recorded against
Kinesis (kinesalite's connection tests): IncompleteSignatureException listing each missing part,
InvalidSignatureException for a header and a presigned query at once, and
MissingAuthenticationTokenException for query parameters without X-Amz-Algorithm. S3 keeps its own
codes for the same requests."""

import http.client
import json

import pytest

KINESIS = {"content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams"}
GLUE = {"content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSGlue.GetDatabases"}


def post(server, path: str, headers: dict) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(server.host, server.port)
    try:
        conn.request("POST", path, body=b"{}", headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


HEADER_X = ("Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
            "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires "
            "existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=X")


@pytest.mark.parametrize("target", [KINESIS, GLUE])
@pytest.mark.parametrize("path, headers, code, message", [
    ("/", {"Authorization": "X"}, "IncompleteSignatureException", HEADER_X),
    ("/", {"Authorization": "AWS4- Signature=b, Credential=a", "Date": "a"}, "IncompleteSignatureException",
     "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a"),
    ("/?X-Amz-Algorithm", {"Authorization": "X"}, "InvalidSignatureException",
     "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."),
    ("/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d", {}, "IncompleteSignatureException",
     "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."),
    ("/?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d", {},
     "MissingAuthenticationTokenException", "Missing Authentication Token"),
])
def test_malformed_auth_gets_the_json_services_answer(lakebox_server, target, path, headers, code, message):
    status, body = post(lakebox_server, path, {**target, **headers})
    assert status == 400
    assert body["__type"] == code
    assert body.get("message", body.get("Message")) == message


def test_s3_keeps_its_own_code_for_the_same_header(lakebox_server):
    conn = http.client.HTTPConnection(lakebox_server.host, lakebox_server.port)
    conn.request("GET", "/", headers={"Authorization": "X"})
    response = conn.getresponse()
    body = response.read().decode()
    assert response.status == 400
    assert "<Code>InvalidArgument</Code>" in body and "Unsupported Authorization Type" in body
