"""CopyObject: directives, copy-source parsing and preconditions, copies onto themselves."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

SELF_COPY_MESSAGE = (
    "This copy request is illegal because it is trying to copy an object to itself without changing the "
    "object's metadata, storage class, website redirect location or encryption attributes."
)


@pytest.fixture
def src(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="src.csv", Body=b"a,b\n1,2\n", ContentType="text/csv",
                        Metadata={"origin": "bronze"}, Tagging="team=data&tier=raw")
    return bucket, "src.csv", put["ETag"]


def test_copy_keeps_bytes_metadata_and_tags_by_default(s3, src):
    bucket, key, etag = src
    result = s3.copy_object(Bucket=bucket, Key="dst.csv", CopySource={"Bucket": bucket, "Key": key})
    assert result["CopyObjectResult"]["ETag"] == etag
    assert result["CopyObjectResult"]["LastModified"].tzinfo is not None
    assert result["ServerSideEncryption"] == "AES256"
    got = s3.get_object(Bucket=bucket, Key="dst.csv")
    assert got["Body"].read() == b"a,b\n1,2\n"
    assert got["ContentType"] == "text/csv"
    assert got["Metadata"] == {"origin": "bronze"}
    tags = s3.get_object_tagging(Bucket=bucket, Key="dst.csv")["TagSet"]
    assert tags == [{"Key": "team", "Value": "data"}, {"Key": "tier", "Value": "raw"}]


def test_copy_ignores_request_metadata_without_replace(s3, src):
    bucket, key, _ = src
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key},
                   Metadata={"ignored": "yes"}, ContentType="text/plain")
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["Metadata"] == {"origin": "bronze"}
    assert head["ContentType"] == "text/csv"


def test_copy_with_replace_uses_request_metadata(s3, src):
    bucket, key, _ = src
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key},
                   MetadataDirective="REPLACE", Metadata={"stage": "silver"}, ContentType="application/json",
                   CacheControl="max-age=60")
    head = s3.head_object(Bucket=bucket, Key="dst")
    assert head["Metadata"] == {"stage": "silver"}
    assert head["ContentType"] == "application/json"
    assert head["CacheControl"] == "max-age=60"


def test_tagging_directive_replace(s3, src):
    bucket, key, _ = src
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key},
                   TaggingDirective="REPLACE", Tagging="fresh=1")
    assert s3.get_object_tagging(Bucket=bucket, Key="dst")["TagSet"] == [{"Key": "fresh", "Value": "1"}]


def test_unknown_metadata_directive_is_invalid_argument(s3, src):
    bucket, key, _ = src
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key},
                       MetadataDirective="MERGE")
    assert error_of(exc) == (400, "InvalidArgument")


def test_copy_across_buckets(s3, src):
    bucket, key, _ = src
    s3.create_bucket(Bucket="copy-target")
    s3.copy_object(Bucket="copy-target", Key="x/y.csv", CopySource=f"{bucket}/{key}")
    assert s3.get_object(Bucket="copy-target", Key="x/y.csv")["Body"].read() == b"a,b\n1,2\n"


def test_copy_source_with_special_characters_is_url_decoded(s3, bucket):
    key = "dir with space/ümlaut+plus%25?.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"special")
    s3.copy_object(Bucket=bucket, Key="plain", CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=bucket, Key="plain")["Body"].read() == b"special"


def test_copy_source_with_null_version_id(s3, src):
    bucket, key, _ = src
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key, "VersionId": "null"})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"a,b\n1,2\n"


def test_copy_missing_source_key_and_bucket(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "nope"})
    assert error_of(exc) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": "no-such-src-bucket", "Key": "k"})
    assert error_of(exc) == (404, "NoSuchBucket")


def test_copy_onto_itself_without_change_is_invalid_request(s3, src):
    bucket, key, _ = src
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key})
    assert error_of(exc) == (400, "InvalidRequest")
    assert exc.value.response["Error"]["Message"] == SELF_COPY_MESSAGE


def test_copy_onto_itself_with_replace_changes_metadata_only(s3, src):
    bucket, key, etag = src
    s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key},
                   MetadataDirective="REPLACE", Metadata={"foo": "bar"})
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["Metadata"] == {"foo": "bar"}
    assert got["Body"].read() == b"a,b\n1,2\n"
    assert got["ETag"] == etag


def test_copy_onto_itself_changing_storage_class_is_allowed(s3, src):
    bucket, key, _ = src
    s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key}, StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key=key)["StorageClass"] == "STANDARD_IA"


def test_copy_source_if_match_and_none_match(s3, src):
    bucket, key, etag = src
    source = {"Bucket": bucket, "Key": key}
    s3.copy_object(Bucket=bucket, Key="ok1", CopySource=source, CopySourceIfMatch=etag)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="no1", CopySource=source, CopySourceIfMatch='"bad"')
    assert error_of(exc) == (412, "PreconditionFailed")
    s3.copy_object(Bucket=bucket, Key="ok2", CopySource=source, CopySourceIfNoneMatch='"bad"')
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="no2", CopySource=source, CopySourceIfNoneMatch=etag)
    assert error_of(exc) == (412, "PreconditionFailed")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert "no1" not in keys and "no2" not in keys


def test_copy_source_if_modified_and_unmodified_since(s3, src):
    bucket, key, _ = src
    source = {"Bucket": bucket, "Key": key}
    past = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    s3.copy_object(Bucket=bucket, Key="a", CopySource=source, CopySourceIfModifiedSince=past)
    s3.copy_object(Bucket=bucket, Key="b", CopySource=source, CopySourceIfUnmodifiedSince=future)
    with pytest.raises(ClientError) as exc:
        now = dt.datetime.now(dt.timezone.utc)  # a future date would be ignored, as S3 ignores it
        s3.copy_object(Bucket=bucket, Key="c", CopySource=source, CopySourceIfModifiedSince=now)
    assert error_of(exc) == (412, "PreconditionFailed")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="d", CopySource=source, CopySourceIfUnmodifiedSince=past)
    assert error_of(exc) == (412, "PreconditionFailed")


def test_copy_destination_if_none_match_star(s3, src):
    bucket, key, _ = src
    source = {"Bucket": bucket, "Key": key}
    s3.copy_object(Bucket=bucket, Key="once", CopySource=source, IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="once", CopySource=source, IfNoneMatch="*")
    assert error_of(exc) == (412, "PreconditionFailed")


def test_copy_zero_size_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="zero", Body=b"")
    s3.copy_object(Bucket=bucket, Key="zero-copy", CopySource={"Bucket": bucket, "Key": "zero"})
    assert s3.head_object(Bucket=bucket, Key="zero-copy")["ContentLength"] == 0


def test_copy_in_place_of_a_multipart_object_gets_the_md5_etag(s3, bucket):
    """A copy is made in one piece: its ETag is the MD5 of the bytes, in place or not."""
    import hashlib

    from s3_helpers import upload_parts

    data = b"test content 123"
    upload, parts = upload_parts(s3, bucket, "mp", [data])
    multipart = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                             MultipartUpload={"Parts": parts})["ETag"]
    assert multipart.endswith('-1"')
    in_place = s3.copy_object(Bucket=bucket, Key="mp", CopySource={"Bucket": bucket, "Key": "mp"},
                              MetadataDirective="REPLACE")["CopyObjectResult"]["ETag"]
    assert in_place == f'"{hashlib.md5(data).hexdigest()}"'
    head = s3.head_object(Bucket=bucket, Key="mp", PartNumber=1)
    assert head["ETag"] == in_place and "PartsCount" not in head
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == data


def test_copy_in_place_on_a_suspended_bucket_answers_the_null_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    versioned = s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"},
                               MetadataDirective="REPLACE")
    assert versioned["VersionId"] not in (None, "null")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    suspended = s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"},
                               MetadataDirective="REPLACE")
    assert suspended["VersionId"] == "null"


def test_a_plus_in_the_copy_source_is_a_space(s3, raw, bucket):
    """Go's SDK encodes a space in x-amz-copy-source as `+`, form-style; S3 reads it as a space."""
    s3.put_object(Bucket=bucket, Key="test key.txt", Body=b"body")
    response = raw.request("PUT", f"/{bucket}/dest", headers={"x-amz-copy-source": f"{bucket}%2Ftest+key.txt"})
    assert response.status_code == 200, response.text
    assert s3.get_object(Bucket=bucket, Key="dest")["Body"].read() == b"body"
    s3.put_object(Bucket=bucket, Key="a+b", Body=b"plus")
    s3.copy_object(Bucket=bucket, Key="dest2", CopySource={"Bucket": bucket, "Key": "a+b"})  # sent as a%2Bb
    assert s3.get_object(Bucket=bucket, Key="dest2")["Body"].read() == b"plus"
