"""Objects: put/get/head/delete, metadata and system headers, default encryption, bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of


def test_put_then_get_returns_same_bytes_etag_and_length(s3, bucket):
    data = b"hello lake\n" * 1000
    put = s3.put_object(Bucket=bucket, Key="dir/file.txt", Body=data)
    assert put["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/file.txt")
    assert got["Body"].read() == data
    assert got["ETag"] == put["ETag"]
    assert got["ContentLength"] == len(data)
    assert got["AcceptRanges"] == "bytes"
    assert got["LastModified"].tzinfo is not None
    assert abs((dt.datetime.now(dt.timezone.utc) - got["LastModified"]).total_seconds()) < 60


def test_empty_object_round_trips(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert put["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    head = s3.head_object(Bucket=bucket, Key="empty")
    assert head["ContentLength"] == 0
    assert s3.get_object(Bucket=bucket, Key="empty")["Body"].read() == b""


def test_default_content_type_is_binary_octet_stream(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="k")["ContentType"] == "binary/octet-stream"


def test_system_headers_and_user_metadata_round_trip(s3, bucket):
    expires = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    s3.put_object(
        Bucket=bucket, Key="meta", Body=b"{}",
        ContentType="application/json",
        ContentEncoding="identity",
        ContentDisposition='attachment; filename="x.json"',
        ContentLanguage="pt-BR",
        CacheControl="public, max-age=14400",
        Expires=expires,
        Metadata={"Owner": "data-team", "stage": "bronze"},
    )
    for response in (s3.head_object(Bucket=bucket, Key="meta"), s3.get_object(Bucket=bucket, Key="meta")):
        assert response["ContentType"] == "application/json"
        assert response["ContentEncoding"] == "identity"
        assert response["ContentDisposition"] == 'attachment; filename="x.json"'
        assert response["ContentLanguage"] == "pt-BR"
        assert response["CacheControl"] == "public, max-age=14400"
        assert response["ExpiresString"] == "Wed, 02 Jan 2030 03:04:05 GMT"
        # names are stored lower-cased, as S3 does
        assert response["Metadata"] == {"owner": "data-team", "stage": "bronze"}


def test_put_replaces_metadata_of_previous_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"1", Metadata={"old": "yes"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"2", Metadata={"new": "yes"})
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Metadata"] == {"new": "yes"}
    assert got["Body"].read() == b"2"


def test_response_overrides_on_get(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentType="text/plain")
    got = s3.get_object(
        Bucket=bucket, Key="k",
        ResponseContentType="application/octet-stream",
        ResponseContentDisposition="inline",
        ResponseCacheControl="no-cache",
        ResponseContentLanguage="en",
        ResponseContentEncoding="gzip-ish",
        ResponseExpires=dt.datetime(2031, 5, 6, tzinfo=dt.timezone.utc),
    )
    assert got["ContentType"] == "application/octet-stream"
    assert got["ContentDisposition"] == "inline"
    assert got["CacheControl"] == "no-cache"
    assert got["ContentLanguage"] == "en"
    assert got["ContentEncoding"] == "gzip-ish"
    assert got["ExpiresString"].startswith("Tue, 06 May 2031")
    # the stored header is untouched
    assert s3.head_object(Bucket=bucket, Key="k")["ContentType"] == "text/plain"


def test_every_object_is_sse_s3_by_default(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"


def test_explicit_aes256_is_echoed(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="sensitive-data.csv", Body=b"a,b\n", ServerSideEncryption="AES256")
    assert put["ServerSideEncryption"] == "AES256"


def test_kms_encryption_is_accepted_and_echoed_with_key(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                        SSEKMSKeyId="1234abcd-12ab-34cd-56ef-1234567890ab", BucketKeyEnabled=True)
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["SSEKMSKeyId"].endswith("key/1234abcd-12ab-34cd-56ef-1234567890ab")
    assert put["BucketKeyEnabled"] is True
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == put["SSEKMSKeyId"]


def test_kms_without_key_uses_the_account_managed_key(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    assert put["SSEKMSKeyId"].startswith("arn:aws:kms:us-east-1:000000000000:key/")


def test_unknown_sse_algorithm_is_invalid_argument(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="ROT13")
    assert error_of(exc) == (400, "InvalidArgument")


def test_storage_class_is_stored_and_reported(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key="ia")["StorageClass"] == "STANDARD_IA"
    s3.put_object(Bucket=bucket, Key="std", Body=b"x")
    # S3 leaves x-amz-storage-class out for STANDARD objects
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="std")
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"ia": "STANDARD_IA", "std": "STANDARD"}


def test_invalid_storage_class(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="SUPER_FAST")
    assert error_of(exc) == (400, "InvalidStorageClass")


def test_get_missing_key_is_no_such_key_carrying_the_key(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="missing/key.txt")
    assert error_of(exc) == (404, "NoSuchKey")
    assert exc.value.response["Error"]["Key"] == "missing/key.txt"


def test_head_missing_key_is_404_without_body(s3, bucket, raw):
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="missing")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    response = raw.request("HEAD", f"/{bucket}/missing")
    assert response.status_code == 404
    assert response.content == b""


def test_put_to_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket="no-such-bucket-here", Key="k", Body=b"x")
    assert error_of(exc) == (404, "NoSuchBucket")
    assert exc.value.response["Error"]["BucketName"] == "no-such-bucket-here"


def test_key_over_1024_bytes_is_key_too_long(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_of(exc) == (400, "KeyTooLongError")
    assert exc.value.response["Error"]["MaxSizeAllowed"] == "1024"


def test_key_of_exactly_1024_utf8_bytes_is_accepted(s3, bucket):
    key = "é" * 512  # two bytes each
    s3.put_object(Bucket=bucket, Key=key, Body=b"ok")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"ok"


def test_user_metadata_over_2kb_is_metadata_too_large(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"big": "v" * 2100})
    assert error_of(exc) == (400, "MetadataTooLarge")


def test_delete_object_is_204_and_idempotent(s3, bucket):
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    assert s3.delete_object(Bucket=bucket, Key="gone")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="gone")
    assert s3.delete_object(Bucket=bucket, Key="gone")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_in_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket="absent-bucket", Key="k")
    assert error_of(exc) == (404, "NoSuchBucket")


@pytest.mark.parametrize(
    "key",
    ["a b c", "ümlaut/ключ/鍵", "percent%25sign", "plus+sign", "q?mark", "hash#tag", "a/b/", "trailing/",
     "./dot", "../up", "a//b", "tab\tkey", "semi;colon&amp=1", "~tilde"],
)
def test_special_keys_round_trip(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]


def test_object_and_prefix_with_same_name_coexist(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"file a")
    s3.put_object(Bucket=bucket, Key="a/b", Body=b"file a/b")
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"file a"
    assert s3.get_object(Bucket=bucket, Key="a/b")["Body"].read() == b"file a/b"


def test_upload_file_and_download_fileobj(s3, bucket, tmp_path):
    src = tmp_path / "local_file.csv"
    src.write_bytes(b"id,amount\n1,10\n2,20\n")
    s3.upload_file(Filename=str(src), Bucket=bucket, Key="bronze/orders/2024/01/15/orders.csv")
    out = io.BytesIO()
    s3.download_fileobj(bucket, "bronze/orders/2024/01/15/orders.csv", out)
    assert out.getvalue() == src.read_bytes()


def test_streams_a_large_object(s3, bucket):
    data = bytes(range(256)) * (24 * 1024)  # 6 MiB
    s3.put_object(Bucket=bucket, Key="big", Body=data)
    body = s3.get_object(Bucket=bucket, Key="big")["Body"]
    chunks = list(body.iter_chunks(1 << 20))
    assert b"".join(chunks) == data


def test_invalid_canned_acl_is_invalid_argument(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-ready")
    assert error_of(exc) == (400, "InvalidArgument")


def test_error_before_the_body_is_read_leaves_the_connection_usable(s3, bucket):
    # boto3 sends PutObject with Expect: 100-continue; an error answered before the body was
    # requested must not leave the unsent body to be parsed as the next request.
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket="no-such-bucket-here", Key="k", Body=b"x")
    assert error_of(exc) == (404, "NoSuchBucket")
    s3.put_object(Bucket=bucket, Key="after", Body=b"fine")
    assert s3.get_object(Bucket=bucket, Key="after")["Body"].read() == b"fine"


def test_presigned_get_and_put(s3, bucket):
    import requests

    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "signed.txt"}, ExpiresIn=300)
    response = requests.put(put_url, data=b"via presigned url")
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{hashlib.md5(b"via presigned url").hexdigest()}"'
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "signed.txt"}, ExpiresIn=300)
    response = requests.get(get_url)
    assert response.status_code == 200
    assert response.content == b"via presigned url"
    assert response.headers["x-amz-server-side-encryption"] == "AES256"


def test_mutations_are_logged_at_debug_naming_the_resource(s3, bucket, caplog):
    import logging

    with caplog.at_level(logging.DEBUG, logger="lakebox.s3"):
        s3.put_object(Bucket=bucket, Key="logged/key.txt", Body=b"x")
        s3.delete_object(Bucket=bucket, Key="logged/key.txt")
    messages = [r.getMessage() for r in caplog.records if r.name == "lakebox.s3"]
    assert any(f"s3://{bucket}/logged/key.txt" in m and m.startswith("put") for m in messages)
    assert any(f"s3://{bucket}/logged/key.txt" in m and m.startswith("deleted") for m in messages)


SSE_C = {
    "SSECustomerAlgorithm": "AES256",
    "SSECustomerKey": "pO3upElrwuEXSoFwCfnZPdSsmt/xWeFa0N9KgDijwVs=",
    "SSECustomerKeyMD5": "DWygnHRtgiJ77HCm+1rvHw==",
}
OTHER_SSE_C = {
    "SSECustomerAlgorithm": "AES256",
    "SSECustomerKey": b"another 32-byte key for the test",
}


def test_sse_c_object_reads_back_only_with_its_key(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"secret", **SSE_C)
    assert put["SSECustomerAlgorithm"] == "AES256"
    assert put["SSECustomerKeyMD5"] == SSE_C["SSECustomerKeyMD5"]
    assert "ServerSideEncryption" not in put
    got = s3.get_object(Bucket=bucket, Key="k", **SSE_C)
    assert got["Body"].read() == b"secret"
    assert got["SSECustomerKeyMD5"] == SSE_C["SSECustomerKeyMD5"]
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(exc) == (400, "InvalidRequest")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", **OTHER_SSE_C)
    # AWS answers 403 AccessDenied; lakebox answers 400 as ceph/s3-tests expects (see sse_c.wrong_key).
    assert error_of(exc) == (400, "InvalidArgument")


def test_sse_c_multipart_parts_must_carry_the_key(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", **SSE_C)["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"x")
    assert error_of(exc) == (400, "InvalidRequest")
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"x", **OTHER_SSE_C)
    assert error_of(exc) == (400, "InvalidRequest")
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"x", **SSE_C)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="k", **SSE_C)["Body"].read() == b"x"
