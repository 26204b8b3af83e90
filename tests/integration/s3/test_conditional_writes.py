"""Conditional writes (If-None-Match / If-Match) on PutObject, CompleteMultipartUpload and CopyObject.

Delta Lake and Iceberg commit with `If-None-Match: *`, so a refused write must leave the existing
object exactly as it was.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of


def body_of(s3, bucket, key) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_if_none_match_star_creates_once(s3, bucket):
    s3.put_object(Bucket=bucket, Key="_delta_log/0.json", Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="_delta_log/0.json", Body=b"second", IfNoneMatch="*")
    assert error_of(exc) == (412, "PreconditionFailed")
    assert body_of(s3, bucket, "_delta_log/0.json") == b"first"


def test_if_none_match_etag(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"v2", IfNoneMatch=etag)
    assert error_of(exc) == (412, "PreconditionFailed")
    s3.put_object(Bucket=bucket, Key="k", Body=b"v3", IfNoneMatch='"some-other-etag"')
    assert body_of(s3, bucket, "k") == b"v3"


def test_if_match(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    new = s3.put_object(Bucket=bucket, Key="k", Body=b"v2", IfMatch=etag)["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"v3", IfMatch=etag)
    assert error_of(exc) == (412, "PreconditionFailed")
    assert body_of(s3, bucket, "k") == b"v2"
    s3.put_object(Bucket=bucket, Key="k", Body=b"v4", IfMatch="*")
    assert s3.head_object(Bucket=bucket, Key="k")["ETag"] != new


def test_if_match_on_missing_object_is_no_such_key(s3, bucket):
    for value in ("*", '"deadbeef"'):
        with pytest.raises(ClientError) as exc:
            s3.put_object(Bucket=bucket, Key="absent", Body=b"x", IfMatch=value)
        assert error_of(exc) == (404, "NoSuchKey")


def _multipart(s3, bucket, key, body, **conditions):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=body)["ETag"]
    return s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}, **conditions)


def test_complete_multipart_with_if_none_match(s3, bucket):
    _multipart(s3, bucket, "k", b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        _multipart(s3, bucket, "k", b"second", IfNoneMatch="*")
    assert error_of(exc) == (412, "PreconditionFailed")
    assert body_of(s3, bucket, "k") == b"first"


def test_complete_multipart_with_if_match(s3, bucket):
    etag = _multipart(s3, bucket, "k", b"first")["ETag"]
    with pytest.raises(ClientError) as exc:
        _multipart(s3, bucket, "k", b"x", IfMatch='"bad"')
    assert error_of(exc) == (412, "PreconditionFailed")
    _multipart(s3, bucket, "k", b"second", IfMatch=etag)
    assert body_of(s3, bucket, "k") == b"second"
    s3.delete_object(Bucket=bucket, Key="k")
    with pytest.raises(ClientError) as exc:
        _multipart(s3, bucket, "k", b"third", IfMatch="*")
    assert error_of(exc) == (404, "NoSuchKey")


def test_copy_with_if_match_on_destination(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"source")
    dst_etag = s3.put_object(Bucket=bucket, Key="dst", Body=b"dest")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"}, IfMatch='"bad"')
    assert error_of(exc) == (412, "PreconditionFailed")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"}, IfMatch=dst_etag)
    assert body_of(s3, bucket, "dst") == b"source"
