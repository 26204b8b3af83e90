"""S3 response serialization: the exact wire format, the provider's status and header overrides, and
streaming bodies that must pass through untouched."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from lakebox.protocol.serializers import create_serializer
from lakebox.protocol.serializers.rest_xml import HEADERS_KEY, STATUS_KEY
from lakebox.protocol.serializers.s3 import S3_NAMESPACE, S3ResponseSerializer
from lakebox.protocol.specs import load_service_model

from s3_oracle import S3Oracle

MODEL = load_service_model("s3")
SERIALIZER = S3ResponseSerializer(MODEL)
ORACLE = S3Oracle()
WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def _serialize(name, result, request_id="RID1"):
    return SERIALIZER.serialize_response(MODEL.operation_model(name), result, request_id)


class ClosingChunks:
    """A provider's streaming body: an iterator of chunks that records whether it was closed."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self.closed = False

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._chunks)

    def close(self):
        self.closed = True


def test_list_objects_v2_wire_format():
    response = _serialize(
        "ListObjectsV2",
        {
            "Name": "bkt",
            "Prefix": "",
            "KeyCount": 1,
            "MaxKeys": 1000,
            "IsTruncated": False,
            "Contents": [{"Key": "a.csv", "LastModified": WHEN, "ETag": '"abc"', "Size": 3, "StorageClass": "STANDARD"}],
        },
    )
    body = response.body_bytes().decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="' + S3_NAMESPACE + '">')
    assert "<IsTruncated>false</IsTruncated>" in body
    assert "<Contents><Key>a.csv</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>" in body
    assert '<ETag>"abc"</ETag>' in body
    assert response.headers["Content-Type"] == "application/xml"
    assert response.status == 200


def test_head_object_headers_and_no_body():
    response = _serialize(
        "HeadObject",
        {
            "LastModified": WHEN,
            "ContentLength": 1234,
            "ETag": '"abc"',
            "Metadata": {"owner": "alice"},
            "BucketKeyEnabled": False,
            "ObjectLockRetainUntilDate": WHEN,
        },
    )
    assert response.headers["Last-Modified"] == "Fri, 02 Jan 2026 03:04:05 GMT"
    assert response.headers["Content-Length"] == "1234"
    assert response.headers["x-amz-meta-owner"] == "alice"
    assert response.headers["x-amz-server-side-encryption-bucket-key-enabled"] == "false"
    # The model asks for ISO 8601 in this one header.
    assert response.headers["x-amz-object-lock-retain-until-date"] == "2026-01-02T03:04:05.000Z"
    assert response.body == b""
    assert "Content-Type" not in response.headers


@pytest.mark.parametrize("name,status", [("DeleteObject", 204), ("DeleteBucket", 204), ("PutObject", 200)])
def test_empty_outputs_use_the_model_status_and_no_body(name, status):
    response = _serialize(name, {})
    assert response.status == status
    assert response.body == b""
    assert response.headers["x-amz-request-id"] == "RID1"
    assert response.headers["x-amz-id-2"]


def test_streaming_body_passes_through_untouched():
    chunks = ClosingChunks([b"hello ", b"world"])
    response = _serialize("GetObject", {"Body": chunks, "ContentLength": 11, "ContentType": "text/plain"})
    assert response.body is chunks
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["Content-Length"] == "11"


def test_provider_sets_partial_content_status_and_raw_headers():
    result = {
        "Body": b"ell",
        "ContentLength": 3,
        STATUS_KEY: 206,
        HEADERS_KEY: {"Content-Range": "bytes 1-3/11"},
    }
    response = _serialize("GetObject", result)
    assert STATUS_KEY in result  # the provider's dict is not consumed
    assert response.status == 206
    parsed = ORACLE.call("GetObject", {"Bucket": "bkt", "Key": "k", "Range": "bytes=1-3"}, response)
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert parsed["ContentRange"] == "bytes 1-3/11"
    assert parsed["Body"].read() == b"ell"


def test_not_modified_drops_and_closes_the_body():
    chunks = ClosingChunks([b"unused"])
    response = _serialize("GetObject", {"Body": chunks, "ETag": '"abc"', STATUS_KEY: 304})
    assert response.status == 304
    assert response.body == b""
    assert chunks.closed
    assert response.headers["ETag"] == '"abc"'
    parsed = ORACLE.call("GetObject", {"Bucket": "bkt", "Key": "k", "IfNoneMatch": '"abc"'}, response)
    assert parsed["Error"]["Code"] == "304"


def test_keys_with_xml_special_characters_round_trip():
    key = "a&b<c>\"d'\r\n\te ü.txt"
    response = _serialize("ListObjectsV2", {"Name": "bkt", "Contents": [{"Key": key, "Size": 1}], "KeyCount": 1})
    ET.fromstring(response.body_bytes())  # well-formed
    parsed = ORACLE.call("ListObjectsV2", {"Bucket": "bkt"}, response)
    assert parsed["Contents"][0]["Key"] == key


def test_timestamps_accept_naive_datetimes_and_epoch_seconds():
    response = _serialize(
        "ListBuckets",
        {"Buckets": [{"Name": "a", "CreationDate": WHEN.replace(tzinfo=None)}, {"Name": "b", "CreationDate": 0}]},
    )
    body = response.body_bytes().decode("utf-8")
    assert "<ListAllMyBucketsResult" in body
    assert "<CreationDate>2026-01-02T03:04:05.000Z</CreationDate>" in body
    assert "<CreationDate>1970-01-01T00:00:00.000Z</CreationDate>" in body


def test_get_bucket_location_is_the_text_of_the_root():
    response = _serialize("GetBucketLocation", {"LocationConstraint": "eu-west-1"})
    assert response.body_bytes().decode().endswith(
        f'<LocationConstraint xmlns="{S3_NAMESPACE}">eu-west-1</LocationConstraint>'
    )
    assert ORACLE.call("GetBucketLocation", {"Bucket": "bkt"}, response)["LocationConstraint"] == "eu-west-1"
    # us-east-1 is an empty element, which botocore reads back as None.
    empty = _serialize("GetBucketLocation", {})
    assert ORACLE.call("GetBucketLocation", {"Bucket": "bkt"}, empty)["LocationConstraint"] is None


def test_copy_object_result_document():
    response = _serialize(
        "CopyObject", {"CopyObjectResult": {"ETag": '"e"', "LastModified": WHEN}, "VersionId": "v1"}
    )
    body = response.body_bytes().decode()
    assert f'<CopyObjectResult xmlns="{S3_NAMESPACE}"><ETag>' in body
    assert response.headers["x-amz-version-id"] == "v1"
    parsed = ORACLE.call("CopyObject", {"Bucket": "b", "Key": "k", "CopySource": "src/k"}, response)
    assert parsed["CopyObjectResult"] == {"ETag": '"e"', "LastModified": WHEN}


def test_factory_picks_the_s3_serializer():
    assert type(create_serializer(MODEL)) is S3ResponseSerializer


def test_head_keeps_an_xml_objects_content_type():
    response = _serialize("HeadObject", {"ContentType": "application/xml", "ContentLength": 10})
    assert response.headers["Content-Type"] == "application/xml"
    assert response.body == b""
