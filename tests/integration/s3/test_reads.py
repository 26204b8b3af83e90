"""Reads: byte ranges, conditional GET/HEAD (304/412), partNumber GETs."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

DATA = b"0123456789abcdefghij"  # 20 bytes


@pytest.fixture
def obj(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="obj", Body=DATA)
    return bucket, "obj", put["ETag"]


@pytest.mark.parametrize(
    "header, expected, content_range",
    [
        ("bytes=0-4", DATA[0:5], "bytes 0-4/20"),
        ("bytes=5-", DATA[5:], "bytes 5-19/20"),
        ("bytes=-3", DATA[-3:], "bytes 17-19/20"),
        ("bytes=15-100", DATA[15:], "bytes 15-19/20"),
        ("bytes=-100", DATA, "bytes 0-19/20"),
        ("bytes=19-19", DATA[19:], "bytes 19-19/20"),
    ],
)
def test_range_get_answers_206_with_content_range(s3, obj, header, expected, content_range):
    bucket, key, _ = obj
    got = s3.get_object(Bucket=bucket, Key=key, Range=header)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == expected
    assert got["ContentRange"] == content_range
    assert got["ContentLength"] == len(expected)


def test_range_head_answers_206_with_range_length(s3, obj):
    bucket, key, _ = obj
    head = s3.head_object(Bucket=bucket, Key=key, Range="bytes=2-5")
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert head["ContentLength"] == 4
    assert head["ContentRange"] == "bytes 2-5/20"


@pytest.mark.parametrize("header", ["bytes=20-", "bytes=25-30", "bytes=-0"])
def test_unsatisfiable_range_is_416_invalid_range(s3, obj, header):
    bucket, key, _ = obj
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, Range=header)
    assert error_of(exc) == (416, "InvalidRange")
    assert exc.value.response["Error"]["ActualObjectSize"] == "20"


def test_range_on_empty_object_is_416(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="empty", Range="bytes=40-50")
    assert error_of(exc) == (416, "InvalidRange")


@pytest.mark.parametrize("header", ["bytes=0-1,4-5", "items=0-3", "bytes=5-2", "bytes=abc"])
def test_unreadable_or_multiple_ranges_serve_the_whole_object(s3, obj, header):
    bucket, key, _ = obj
    got = s3.get_object(Bucket=bucket, Key=key, Range=header)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["Body"].read() == DATA
    assert "ContentRange" not in got


def test_if_match_good_and_failed(s3, obj):
    bucket, key, etag = obj
    assert s3.get_object(Bucket=bucket, Key=key, IfMatch=etag)["Body"].read() == DATA
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, IfMatch='"0000"')
    assert error_of(exc) == (412, "PreconditionFailed")
    assert exc.value.response["Error"]["Condition"] == "If-Match"


def test_if_none_match_gives_304_with_etag_and_no_body(s3, obj, raw):
    bucket, key, etag = obj
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, IfNoneMatch=etag)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["etag"] == etag
    response = raw.request("GET", f"/{bucket}/{key}", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert s3.get_object(Bucket=bucket, Key=key, IfNoneMatch='"other"')["Body"].read() == DATA


def test_if_modified_since(s3, obj):
    bucket, key, _ = obj
    long_ago = dt.datetime(1994, 10, 29, 19, 43, 31, tzinfo=dt.timezone.utc)
    assert s3.get_object(Bucket=bucket, Key=key, IfModifiedSince=long_ago)["Body"].read() == DATA
    now = dt.datetime.now(dt.timezone.utc)  # not before the write, not in the future
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, IfModifiedSince=now)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_if_modified_since_equal_to_last_modified_is_304(s3, obj):
    bucket, key, _ = obj
    last_modified = s3.head_object(Bucket=bucket, Key=key)["LastModified"]
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key=key, IfModifiedSince=last_modified)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_if_unmodified_since(s3, obj):
    bucket, key, _ = obj
    future = dt.datetime(2100, 10, 29, tzinfo=dt.timezone.utc)
    assert s3.get_object(Bucket=bucket, Key=key, IfUnmodifiedSince=future)["Body"].read() == DATA
    long_ago = dt.datetime(1994, 10, 29, tzinfo=dt.timezone.utc)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, IfUnmodifiedSince=long_ago)
    assert error_of(exc) == (412, "PreconditionFailed")


def test_if_match_true_overrides_failed_if_unmodified_since(s3, obj):
    bucket, key, etag = obj
    long_ago = dt.datetime(1994, 10, 29, tzinfo=dt.timezone.utc)
    got = s3.get_object(Bucket=bucket, Key=key, IfMatch=etag, IfUnmodifiedSince=long_ago)
    assert got["Body"].read() == DATA


def test_if_none_match_false_with_if_modified_since_true_is_304(s3, obj):
    bucket, key, etag = obj
    long_ago = dt.datetime(1994, 10, 29, tzinfo=dt.timezone.utc)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, IfNoneMatch=etag, IfModifiedSince=long_ago)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_failed_if_match_wins_over_if_none_match_304(s3, obj):
    bucket, key, etag = obj
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, IfMatch='"nope"', IfNoneMatch=etag)
    assert error_of(exc) == (412, "PreconditionFailed")


def test_head_precondition_failure_is_412_without_body(s3, obj, raw):
    bucket, key, _ = obj
    response = raw.request("HEAD", f"/{bucket}/{key}", headers={"If-Match": '"nope"'})
    assert response.status_code == 412
    assert response.content == b""


def test_part_number_one_of_a_plain_object_is_the_whole_object(s3, obj):
    bucket, key, etag = obj
    got = s3.get_object(Bucket=bucket, Key=key, PartNumber=1)
    assert got["Body"].read() == DATA
    assert got["ETag"] == etag
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, PartNumber=2)
    assert error_of(exc) == (416, "InvalidPartNumber")


def test_part_number_get_of_multipart_object(s3, bucket):
    part1, part2 = b"a" * (5 * 1024 * 1024), b"tail bytes"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=part1)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=2, Body=part2)["ETag"]
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]},
    )
    got = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == part2
    assert got["PartsCount"] == 2
    assert got["ETag"] == done["ETag"]
    assert got["ContentRange"] == f"bytes {len(part1)}-{len(part1) + len(part2) - 1}/{len(part1) + len(part2)}"
    head = s3.head_object(Bucket=bucket, Key="mp", PartNumber=1)
    assert head["ContentLength"] == len(part1)
    assert head["PartsCount"] == 2
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="mp", PartNumber=3)
    assert error_of(exc) == (416, "InvalidPartNumber")


def test_part_number_out_of_bounds_is_invalid_argument(s3, obj):
    bucket, key, _ = obj
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, PartNumber=10001)
    assert error_of(exc) == (400, "InvalidArgument")


def test_range_and_part_number_together_is_invalid_request(s3, obj):
    bucket, key, _ = obj
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key, PartNumber=1, Range="bytes=0-1")
    assert error_of(exc) == (400, "InvalidRequest")
