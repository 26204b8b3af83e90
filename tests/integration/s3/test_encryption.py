"""Server-side encryption: bucket default encryption, SSE-KMS records, and SSE-C really encrypted at
rest (validated keys, ciphertext on disk, ranged and multipart reads, copies)."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

MIB = 1024 * 1024
KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))
SSE_A = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY_A}
SSE_B = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY_B}
COPY_A = {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": KEY_A}
KMS_ARN = "arn:aws:kms:us-east-1:000000000000:key/"


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


#: botocore encodes the key and adds its MD5 for most operations, but not for GetObjectAttributes.
ENCODED_A = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": base64.b64encode(KEY_A).decode(),
             "SSECustomerKeyMD5": md5_b64(KEY_A)}


def raw_sse_headers(key: bytes, md5: str | None = None, algorithm: str | None = "AES256",
                    with_md5: bool = True) -> dict:
    """The three SSE-C headers as a client writes them by hand (boto3 would fix a wrong MD5)."""
    headers = {"x-amz-server-side-encryption-customer-key": base64.b64encode(key).decode()}
    if algorithm is not None:
        headers["x-amz-server-side-encryption-customer-algorithm"] = algorithm
    if with_md5:
        headers["x-amz-server-side-encryption-customer-key-md5"] = md5 or md5_b64(key)
    return headers


def with_headers(s3, operation: str, headers: dict):
    """Add raw headers to every call of `operation` on this client."""
    s3.meta.events.register(f"before-call.s3.{operation}",
                            lambda params, **_: params["headers"].update(headers))


def on_disk(server, bucket: str, key: str) -> bytes:
    return (server.data_dir / "s3" / bucket / key).read_bytes()


@pytest.fixture
def fresh(lakebox_server):
    """A client of its own, for tests that register raw headers on it."""
    return make_client(lakebox_server.endpoint_url)


# -- bucket default encryption --------------------------------------------------------------------


def test_new_bucket_answers_the_sse_s3_default(s3, bucket):
    config = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert config == {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                 "BucketKeyEnabled": False}]}


def test_put_get_delete_bucket_encryption(s3, bucket):
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "my-key"},
            "BucketKeyEnabled": True}
    response = s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"] == [rule]
    assert s3.delete_bucket_encryption(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    # deleting again is fine
    assert s3.delete_bucket_encryption(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


@pytest.mark.parametrize("rules, expected", [
    ([{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}],
     (400, "InvalidArgument")),
    ([{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES512"}}], (400, "MalformedXML")),
    ([{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}},
      {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}], (400, "MalformedXML")),
    ([{"BlockedEncryptionTypes": {"EncryptionType": ["SSE-KMS"]}}], (400, "MalformedXML")),
    ([], (400, "MalformedXML")),
], ids=["kms-key-with-aes256", "unknown-algorithm", "two-rules", "unknown-blocked-type", "no-rule"])
def test_bad_bucket_encryption_is_refused(s3, bucket, rules, expected):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules})
    assert error_of(exc) == expected
    # the old rule stays
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_bucket_encryption_of_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_encryption(Bucket="no-such-bucket-enc")
    assert error_of(exc) == (404, "NoSuchBucket")


def test_kms_default_applies_to_new_objects(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["SSEKMSKeyId"].startswith(KMS_ARN)  # the account's aws/s3 key
    assert put["BucketKeyEnabled"] is True
    for answer in (s3.get_object(Bucket=bucket, Key="k"), s3.head_object(Bucket=bucket, Key="k")):
        assert (answer["ServerSideEncryption"], answer["SSEKMSKeyId"], answer["BucketKeyEnabled"]) == \
            ("aws:kms", put["SSEKMSKeyId"], True)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"
    # the object is a plain file for the engines
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})
    assert (copied["ServerSideEncryption"], copied["SSEKMSKeyId"]) == ("aws:kms", put["SSEKMSKeyId"])
    # a request naming its own encryption wins over the default
    plain = s3.put_object(Bucket=bucket, Key="s3", Body=b"x", ServerSideEncryption="AES256")
    assert plain["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in plain


def test_kms_default_key_and_bucket_key_reach_multipart_uploads(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "1234-abcd"},
         "BucketKeyEnabled": True}]})
    arn = KMS_ARN + "1234-abcd"
    created = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    assert (created["ServerSideEncryption"], created["SSEKMSKeyId"], created["BucketKeyEnabled"]) == \
        ("aws:kms", arn, True)
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=created["UploadId"], PartNumber=1, Body=b"p")
    assert (part["ServerSideEncryption"], part["SSEKMSKeyId"], part["BucketKeyEnabled"]) == ("aws:kms", arn, True)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=created["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert (done["ServerSideEncryption"], done["SSEKMSKeyId"], done["BucketKeyEnabled"]) == ("aws:kms", arn, True)
    assert s3.head_object(Bucket=bucket, Key="mp")["SSEKMSKeyId"] == arn


def test_request_kms_inherits_the_bucket_key_setting(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]})
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/a")
    assert put["SSEKMSKeyId"] == "arn:aws:kms:us-east-1:000000000000:alias/a"
    assert put["BucketKeyEnabled"] is True
    # an SSE-S3 object never reports a bucket key
    assert "BucketKeyEnabled" not in s3.put_object(Bucket=bucket, Key="s", Body=b"x")


def test_kms_encryption_context_is_kept_and_validated(s3, bucket):
    context = base64.b64encode(b'{"team": "lake"}').decode()
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                        SSEKMSEncryptionContext=context)
    assert put["SSEKMSEncryptionContext"] == context
    assert "SSEKMSEncryptionContext" not in s3.get_object(Bucket=bucket, Key="k")  # GET never echoes it
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                      SSEKMSEncryptionContext="not base64 json")
    assert error_of(exc) == (400, "InvalidArgument")


def test_kms_key_with_aes256_is_invalid_argument(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="AES256", SSEKMSKeyId="k")
    assert error_of(exc) == (400, "InvalidArgument")


def test_sse_header_on_get_and_head_is_refused(s3, fresh, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with_headers(fresh, "GetObject", {"x-amz-server-side-encryption": "AES256"})
    with_headers(fresh, "HeadObject", {"x-amz-server-side-encryption": "AES256"})
    with pytest.raises(ClientError) as exc:
        fresh.get_object(Bucket=bucket, Key="k")
    assert error_of(exc) == (400, "InvalidArgument")
    with pytest.raises(ClientError) as exc:
        fresh.head_object(Bucket=bucket, Key="k")
    assert error_of(exc)[0] == 400


def test_blocked_sse_c_refuses_sse_c_writes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="before", Body=b"old", **SSE_A)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
         "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]}}]})
    for call in (lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", **SSE_A),
                 lambda: s3.create_multipart_upload(Bucket=bucket, Key="k", **SSE_A),
                 lambda: s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "before"},
                                        **COPY_A, **SSE_A)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (403, "AccessDenied")
    assert s3.put_object(Bucket=bucket, Key="plain", Body=b"x")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="before", **SSE_A)["Body"].read() == b"old"
    # a rule that does not mention blocked types keeps the block
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["BlockedEncryptionTypes"] == {"EncryptionType": ["SSE-C"]}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"BlockedEncryptionTypes": {"EncryptionType": ["NONE"]}}]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", **SSE_A)


# -- SSE-C: put and get ---------------------------------------------------------------------------


def test_sse_c_roundtrip_is_ciphertext_on_disk(lakebox_server, s3, bucket):
    data = os.urandom(1000) + b"plain text that must not be on disk" * 50
    put = s3.put_object(Bucket=bucket, Key="dir/secret.bin", Body=data, **SSE_A)
    assert put["SSECustomerAlgorithm"] == "AES256"
    assert put["SSECustomerKeyMD5"] == md5_b64(KEY_A)
    assert "ServerSideEncryption" not in put
    stored = on_disk(lakebox_server, bucket, "dir/secret.bin")
    assert len(stored) == len(data)
    assert stored != data and b"plain text that must not be on disk" not in stored
    got = s3.get_object(Bucket=bucket, Key="dir/secret.bin", **SSE_A)
    assert got["Body"].read() == data
    assert (got["SSECustomerAlgorithm"], got["SSECustomerKeyMD5"]) == ("AES256", md5_b64(KEY_A))
    assert got["ETag"] == put["ETag"]
    head = s3.head_object(Bucket=bucket, Key="dir/secret.bin", **SSE_A)
    assert head["ContentLength"] == len(data) and head["SSECustomerKeyMD5"] == md5_b64(KEY_A)
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["Size"] == len(data)


def test_sse_c_etag_is_not_the_md5_of_the_data(s3, bucket):
    """As on S3: an SSE-C object's ETag is not the MD5 of its data (it is the ciphertext's here, and
    every upload has a fresh IV), so the same data uploaded twice gets two ETags."""
    first = s3.put_object(Bucket=bucket, Key="a", Body=b"same", **SSE_A)["ETag"]
    second = s3.put_object(Bucket=bucket, Key="b", Body=b"same", **SSE_A)["ETag"]
    assert first != second
    assert hashlib.md5(b"same").hexdigest() not in (first, second)
    assert s3.get_object(Bucket=bucket, Key="a", PartNumber=1, **SSE_A)["ETag"] == first


def test_sse_c_empty_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"", **SSE_A)
    assert s3.get_object(Bucket=bucket, Key="empty", **SSE_A)["Body"].read() == b""


@pytest.mark.parametrize("first, last", [(0, 0), (1, 15), (15, 16), (17, 33), (1000, 4095), (4090, 9999)])
def test_sse_c_ranged_get(s3, bucket, first, last):
    data = os.urandom(5000)
    s3.put_object(Bucket=bucket, Key="k", Body=data, **SSE_A)
    got = s3.get_object(Bucket=bucket, Key="k", Range=f"bytes={first}-{last}", **SSE_A)
    assert got["Body"].read() == data[first:last + 1]
    suffix = s3.get_object(Bucket=bucket, Key="k", Range="bytes=-7", **SSE_A)
    assert suffix["Body"].read() == data[-7:]


def test_sse_c_body_checksums_are_of_the_plaintext(s3, bucket):
    data = b"checked " * 1000
    put = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm="SHA256", **SSE_A)
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert put["ChecksumSHA256"] == sha
    # botocore verifies the body against the checksum it is given
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED", **SSE_A)
    assert got["ChecksumSHA256"] == sha
    assert got["Body"].read() == data
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum", "ObjectSize"],
                                          **ENCODED_A)
    assert attributes["Checksum"]["ChecksumSHA256"] == sha and attributes["ObjectSize"] == len(data)


def test_sse_c_content_md5_is_checked_against_the_plaintext(s3, bucket):
    data = b"md5 me"
    s3.put_object(Bucket=bucket, Key="k", Body=data, ContentMD5=md5_b64(data), **SSE_A)
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k2", Body=data, ContentMD5=md5_b64(b"other"), **SSE_A)
    assert error_of(exc) == (400, "BadDigest")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k2", **SSE_A)


def test_sse_c_read_without_key_or_with_another_key_fails_with_400(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret", **SSE_A)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(exc) == (400, "InvalidRequest")
    assert exc.value.response["Error"]["Message"] == (
        "The object was stored using a form of Server Side Encryption. The correct parameters must be provided "
        "to retrieve the object.")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="k", **SSE_B)
    assert error_of(exc) == (400, "InvalidArgument")
    for params in ({}, SSE_B):
        with pytest.raises(ClientError) as exc:
            s3.head_object(Bucket=bucket, Key="k", **params)
        assert error_of(exc)[0] == 400  # HEAD answers carry no body
    with pytest.raises(ClientError) as exc:
        s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ETag"])
    assert error_of(exc) == (400, "InvalidRequest")


def test_sse_c_key_on_a_plain_object_is_refused(s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="plain", **SSE_A)
    assert error_of(exc) == (400, "InvalidRequest")


@pytest.mark.parametrize("headers, expected", [
    (raw_sse_headers(KEY_A, md5="AAAAAAAAAAAAAAAAAAAAAA=="), "InvalidArgument"),
    (raw_sse_headers(KEY_A, with_md5=False), "InvalidArgument"),
    (raw_sse_headers(KEY_A, algorithm=None), "InvalidArgument"),
    (raw_sse_headers(KEY_A, algorithm="AES512"), "InvalidEncryptionAlgorithmError"),
    (raw_sse_headers(b"short key"), "InvalidArgument"),
    ({"x-amz-server-side-encryption-customer-algorithm": "AES256"}, "InvalidArgument"),
    ({**raw_sse_headers(KEY_A), "x-amz-server-side-encryption": "AES256"}, "InvalidArgument"),
], ids=["bad-md5", "no-md5", "no-algorithm", "other-algorithm", "short-key", "no-key", "with-sse"])
def test_bad_sse_c_headers_on_put_are_400(fresh, bucket, headers, expected):
    with_headers(fresh, "PutObject", headers)
    with pytest.raises(ClientError) as exc:
        fresh.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(exc) == (400, expected)


# -- SSE-C: multipart -----------------------------------------------------------------------------


def test_sse_c_multipart_upload(lakebox_server, s3, bucket):
    parts = [os.urandom(5 * MIB + 7), os.urandom(5 * MIB + 1), os.urandom(5 * MIB), os.urandom(1001)]
    data = b"".join(parts)
    created = s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="text/plain", **SSE_A)
    assert created["SSECustomerKeyMD5"] == md5_b64(KEY_A)
    upload = created["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=parts[0])
    assert error_of(exc) == (400, "InvalidRequest")
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=parts[0], **SSE_B)
    assert error_of(exc) == (400, "InvalidRequest")
    done = []
    for number, part in enumerate(parts, start=1):
        answer = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=number, Body=part, **SSE_A)
        assert answer["SSECustomerKeyMD5"] == md5_b64(KEY_A)
        done.append({"PartNumber": number, "ETag": answer["ETag"]})
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload, MultipartUpload={"Parts": done},
                                     **SSE_B)
    assert error_of(exc) == (400, "InvalidRequest")
    result = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload,
                                          MultipartUpload={"Parts": done}, **SSE_A)
    stored = on_disk(lakebox_server, bucket, "big")
    assert len(stored) == len(data) and stored != data
    assert all(part not in stored for part in parts)
    got = s3.get_object(Bucket=bucket, Key="big", **SSE_A)
    assert got["Body"].read() == data
    assert got["ETag"] == result["ETag"] and got["ContentType"] == "text/plain"
    # ranges inside a part, across part boundaries, and whole parts
    boundary = len(parts[0])
    for first, last in [(3, 20), (boundary - 5, boundary + 5), (boundary - 1, 2 * boundary + 100),
                        (len(data) - 1500, len(data) - 1)]:
        ranged = s3.get_object(Bucket=bucket, Key="big", Range=f"bytes={first}-{last}", **SSE_A)
        assert ranged["Body"].read() == data[first:last + 1]
    for number, part in enumerate(parts, start=1):
        one = s3.get_object(Bucket=bucket, Key="big", PartNumber=number, **SSE_A)
        assert one["PartsCount"] == len(parts)
        assert one["Body"].read() == part
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="big", **SSE_B)
    assert error_of(exc)[0] == 400


def test_sse_c_transfer_manager_roundtrip(lakebox_server, bucket, tmp_path):
    """boto3's upload_file / download_file with SSE-C, multipart with default checksums."""
    client = make_client(lakebox_server.endpoint_url)
    source = tmp_path / "in.bin"
    source.write_bytes(os.urandom(12 * MIB + 3))
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    client.upload_file(str(source), bucket, "t.bin", ExtraArgs=dict(SSE_A), Config=config)
    target = tmp_path / "out.bin"
    client.download_file(bucket, "t.bin", str(target), ExtraArgs=dict(SSE_A), Config=config)
    assert target.read_bytes() == source.read_bytes()


# -- SSE-C: copies --------------------------------------------------------------------------------


def test_copy_of_sse_c_source_needs_the_copy_source_key(lakebox_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"copy me" * 100, **SSE_A)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert error_of(exc) == (400, "InvalidRequest")
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                       CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=KEY_B)
    assert error_of(exc) == (400, "InvalidArgument")
    # to a plain destination: decrypted, SSE-S3 as the bucket's default
    plain = s3.copy_object(Bucket=bucket, Key="plain", CopySource={"Bucket": bucket, "Key": "src"}, **COPY_A)
    assert plain["ServerSideEncryption"] == "AES256"
    assert on_disk(lakebox_server, bucket, "plain") == b"copy me" * 100
    assert plain["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"copy me" * 100).hexdigest()}"'
    # to an SSE-C destination with another key: re-encrypted
    other = s3.copy_object(Bucket=bucket, Key="other", CopySource={"Bucket": bucket, "Key": "src"},
                           **COPY_A, **SSE_B)
    assert other["SSECustomerKeyMD5"] == md5_b64(KEY_B)
    assert s3.get_object(Bucket=bucket, Key="other", **SSE_B)["Body"].read() == b"copy me" * 100
    assert on_disk(lakebox_server, bucket, "other") != b"copy me" * 100
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="other", **SSE_A)


def test_copy_of_plain_source_to_sse_c_and_key_rotation_in_place(lakebox_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"rotate")
    s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"}, **SSE_A)
    assert on_disk(lakebox_server, bucket, "k") != b"rotate"
    assert s3.get_object(Bucket=bucket, Key="k", **SSE_A)["Body"].read() == b"rotate"
    s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"}, **COPY_A, **SSE_B)
    assert s3.get_object(Bucket=bucket, Key="k", **SSE_B)["Body"].read() == b"rotate"
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="k", **SSE_A)


def test_upload_part_copy_between_sse_c_objects(s3, bucket):
    source = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="src", Body=source, **SSE_A)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dst", **SSE_B)["UploadId"]
    with pytest.raises(ClientError) as exc:  # the upload's own key is missing
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"}, **COPY_A)
    assert error_of(exc)[0] == 400
    copied = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload, PartNumber=1,
                                 CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange=f"bytes=1-{5 * MIB}",
                                 **COPY_A, **SSE_B)
    assert copied["SSECustomerKeyMD5"] == md5_b64(KEY_B)
    last = s3.upload_part(Bucket=bucket, Key="dst", UploadId=upload, PartNumber=2, Body=b"tail", **SSE_B)
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"]}, {"PartNumber": 2, "ETag": last["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst", **SSE_B)["Body"].read() == source[1:5 * MIB + 1] + b"tail"


def test_post_upload_with_sse_c_fields(lakebox_server, s3, bucket):
    client = make_client(lakebox_server.endpoint_url, signature_version="s3v4")
    fields = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
              "x-amz-server-side-encryption-customer-key": base64.b64encode(KEY_A).decode(),
              "x-amz-server-side-encryption-customer-key-md5": md5_b64(KEY_A)}
    post = client.generate_presigned_post(bucket, "form.txt", Fields=fields,
                                          Conditions=[{k: v} for k, v in fields.items()])
    response = requests.post(post["url"], data=post["fields"], files={"file": ("form.txt", b"posted secret")})
    assert response.status_code == 204, response.content
    assert on_disk(lakebox_server, bucket, "form.txt") != b"posted secret"
    assert s3.get_object(Bucket=bucket, Key="form.txt", **SSE_A)["Body"].read() == b"posted secret"
