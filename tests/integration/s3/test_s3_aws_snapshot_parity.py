"""S3 answers matched to responses recorded from AWS: an UploadPartCopy range that starts past the
source's end, write conditions S3 does not evaluate (501 NotImplemented), and the date
PutObjectRetention echoes when it refuses a past one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

NOT_IMPLEMENTED = "A header you provided implies functionality that is not implemented"
MULTIPLE = "Multiple conditional request headers present in the request"


@pytest.fixture
def source(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    return f"{bucket}/src"


@pytest.fixture
def upload(s3, bucket):
    return s3.create_multipart_upload(Bucket=bucket, Key="dest")["UploadId"]


# -- UploadPartCopy: x-amz-copy-source-range beyond the source --------------------------------------


def test_upload_part_copy_range_starting_past_the_source_is_invalid_request(s3, bucket, source, upload):
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="dest", UploadId=upload, PartNumber=1, CopySource=source,
                            CopySourceRange="bytes=100-200")
    assert error_of(exc) == (400, "InvalidRequest")
    error = exc.value.response["Error"]
    assert error["Message"] == "The specified copy range is invalid for the source object size"
    assert "ArgumentName" not in error


def test_upload_part_copy_range_ending_on_the_last_byte_is_copied(s3, bucket, source, upload):
    part = s3.upload_part_copy(Bucket=bucket, Key="dest", UploadId=upload, PartNumber=1, CopySource=source,
                               CopySourceRange="bytes=5-9")
    s3.complete_multipart_upload(Bucket=bucket, Key="dest", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dest")["Body"].read() == b"56789"


# -- write conditions S3 does not evaluate ----------------------------------------------------------


def test_put_object_with_if_match_and_if_none_match_is_not_implemented(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", IfNoneMatch="*", IfMatch="abcdef")
    assert error_of(exc) == (501, "NotImplemented")
    error = exc.value.response["Error"]
    assert error["Message"] == NOT_IMPLEMENTED
    assert error["Header"] == "If-Match,If-None-Match"
    assert error["additionalMessage"] == MULTIPLE
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="k")
    assert error_of(exc) == (404, "404")


def test_copy_object_with_if_match_and_if_none_match_is_not_implemented(s3, bucket, source):
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dest", CopySource=source, IfMatch="*", IfNoneMatch='"abc"')
    assert error_of(exc) == (501, "NotImplemented")
    assert exc.value.response["Error"]["Header"] == "If-Match,If-None-Match"
    assert exc.value.response["Error"]["additionalMessage"] == MULTIPLE


def test_complete_with_if_match_and_if_none_match_is_not_implemented(s3, bucket, upload):
    part = s3.upload_part(Bucket=bucket, Key="dest", UploadId=upload, PartNumber=1, Body=b"data")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="dest", UploadId=upload, IfMatch='"abc"', IfNoneMatch="*",
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert error_of(exc) == (501, "NotImplemented")
    assert exc.value.response["Error"]["Header"] == "If-Match,If-None-Match"
    # The upload is still there to be completed properly.
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="dest", UploadId=upload)["Parts"]] == [1]


def test_copy_object_if_none_match_takes_only_a_star(s3, bucket, source):
    etag = s3.head_object(Bucket=bucket, Key="src")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dest", CopySource=source, IfNoneMatch=etag)
    assert error_of(exc) == (501, "NotImplemented")
    error = exc.value.response["Error"]
    assert error["Header"] == "If-None-Match"
    assert error["additionalMessage"] == "We don't accept the provided value of If-None-Match header for this API"


def test_copy_object_if_match_takes_no_star(s3, bucket, source):
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dest", CopySource=source, IfMatch="*")
    assert error_of(exc) == (501, "NotImplemented")
    error = exc.value.response["Error"]
    assert error["Header"] == "If-Match"
    assert error["additionalMessage"] == "We don't accept the provided value of If-Match header for this API"


def test_copy_object_if_none_match_star_still_guards_the_destination(s3, bucket, source):
    s3.copy_object(Bucket=bucket, Key="dest", CopySource=source, IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dest", CopySource=source, IfNoneMatch="*")
    assert error_of(exc) == (412, "PreconditionFailed")


# -- PutObjectRetention with a date in the past ----------------------------------------------------


def test_put_object_retention_in_the_past_echoes_the_date_as_s3_prints_it(s3):
    s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket="locked", Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.put_object_retention(Bucket="locked", Key="k", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": datetime(2020, 1, 1, tzinfo=timezone.utc)})
    assert error_of(exc) == (400, "InvalidArgument")
    error = exc.value.response["Error"]
    assert error["Message"] == "The retain until date must be in the future!"
    assert error["ArgumentName"] == "RetainUntilDate"
    assert error["ArgumentValue"] == "Tue Dec 31 16:00:00 PST 2019"
    # A future date is taken.
    until = datetime.now(timezone.utc) + timedelta(days=1)
    s3.put_object_retention(Bucket="locked", Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
    assert s3.get_object_retention(Bucket="locked", Key="k")["Retention"]["Mode"] == "GOVERNANCE"
