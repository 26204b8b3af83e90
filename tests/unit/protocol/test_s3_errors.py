"""S3 errors on the wire: a bare <Error> document with the extra fields S3 adds, read back by
botocore's client; HEAD errors are status and headers only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from lakebox.protocol.errors import AwsError, internal_error
from lakebox.protocol.http import BytesBody, Headers, HttpRequest
from lakebox.protocol.parsers.s3 import S3RequestParser
from lakebox.protocol.serializers.s3 import S3ResponseSerializer
from lakebox.protocol.specs import load_service_model

from s3_oracle import S3Oracle

MODEL = load_service_model("s3")
SERIALIZER = S3ResponseSerializer(MODEL)
PARSER = S3RequestParser(MODEL)
ORACLE = S3Oracle()


def _error(error, operation_name, request_id="RID42"):
    operation = MODEL.operation_model(operation_name) if operation_name else None
    return SERIALIZER.serialize_error(error, operation, request_id)


def test_no_such_key_wire_format():
    error = AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": "dir/a&b.txt"})
    response = _error(error, "GetObject")
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/xml"
    assert response.headers["x-amz-request-id"] == "RID42"
    body = response.body_bytes().decode("utf-8")
    assert body.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        "<Message>The specified key does not exist.</Message><Key>dir/a&amp;b.txt</Key><RequestId>RID42</RequestId>"
        "<HostId>"
    )
    assert ET.fromstring(body.encode()).tag == "Error"  # no namespace: botocore checks the bare tag


def test_no_such_key_round_trip():
    error = AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": "dir/a&b.txt"})
    parsed = ORACLE.call("GetObject", {"Bucket": "bkt", "Key": "dir/a&b.txt"}, _error(error, "GetObject"))
    assert parsed["Error"] == {
        "Code": "NoSuchKey",
        "Message": "The specified key does not exist.",
        "Key": "dir/a&b.txt",
    }
    metadata = parsed["ResponseMetadata"]
    assert (metadata["RequestId"], metadata["HTTPStatusCode"]) == ("RID42", 404)
    assert metadata["HostId"]


def test_no_such_bucket_round_trip():
    error = AwsError("NoSuchBucket", "The specified bucket does not exist", 404, fields={"BucketName": "nope"})
    parsed = ORACLE.call("ListObjectsV2", {"Bucket": "nope"}, _error(error, "ListObjectsV2"))
    assert parsed["Error"] == {
        "Code": "NoSuchBucket",
        "Message": "The specified bucket does not exist",
        "BucketName": "nope",
    }


@pytest.mark.parametrize("operation,params", [("HeadObject", {"Bucket": "b", "Key": "k"}), ("HeadBucket", {"Bucket": "b"})])
def test_head_error_has_no_body(operation, params):
    error = AwsError(
        "NoSuchKey", "The specified key does not exist.", 404, headers={"x-amz-delete-marker": "true"}
    )
    response = _error(error, operation)
    assert response.status == 404
    assert response.body == b""
    assert response.headers["x-amz-delete-marker"] == "true"
    parsed = ORACLE.call(operation, params, response)
    # Without a body botocore can only name the status, exactly as against S3.
    assert parsed["Error"] == {"Code": "404", "Message": "Not Found"}
    assert parsed["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    assert parsed["ResponseMetadata"]["RequestId"] == "RID42"


def test_routing_error_before_any_operation_is_known():
    with pytest.raises(AwsError) as info:
        PARSER.find_operation(HttpRequest(method="PATCH", path="/bkt/k", headers=Headers()))
    response = _error(info.value, None)
    assert response.status == 405
    root = ET.fromstring(response.body_bytes())
    assert {child.tag: child.text for child in root}["Method"] == "PATCH"


def test_internal_error_round_trip():
    error = internal_error("RID42")
    parsed = ORACLE.call("ListBuckets", {}, _error(error, "ListBuckets"))
    assert parsed["Error"]["Code"] == "InternalError"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_malformed_xml_round_trip():
    body = b"<Tagging><TagSet>"
    request = HttpRequest(method="PUT", path="/bkt", query="tagging", headers=Headers(), body=BytesBody(body))
    operation, uri_params = PARSER.find_operation(request)
    with pytest.raises(AwsError) as info:
        PARSER.parse(request, operation, uri_params)
    parsed = ORACLE.call("PutBucketTagging", {"Bucket": "bkt", "Tagging": {"TagSet": []}}, _error(info.value, operation.name))
    assert parsed["Error"]["Code"] == "MalformedXML"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 400
