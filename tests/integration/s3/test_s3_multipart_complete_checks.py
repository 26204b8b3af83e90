"""CompleteMultipartUpload's checks that AWS-recorded answers pin down: the part checksums a Complete
names, its whole-object checksum header, and a conditional Complete whose key changed meanwhile.

Every refusal must leave the upload open and completable, with nothing written to the key.
"""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError
from botocore.httpchecksum import CrtCrc32cChecksum, CrtCrc32Checksum, CrtCrc64NvmeChecksum, Sha1Checksum, \
    Sha256Checksum
from s3_helpers import error_of

MIB = 1024 * 1024

INVALID_PART = ("One or more of the specified parts could not be found.  The part may not have been uploaded, "
                "or the specified entity tag may not match the part's entity tag.")
CONFLICT = "The conditional request cannot succeed due to a conflicting operation against this resource."

_CHECKSUMS = {"CRC32": CrtCrc32Checksum, "CRC32C": CrtCrc32cChecksum, "CRC64NVME": CrtCrc64NvmeChecksum,
              "SHA1": Sha1Checksum, "SHA256": Sha256Checksum}


def digest(algorithm: str, data: bytes) -> bytes:
    checksum = _CHECKSUMS[algorithm]()
    checksum.update(data)
    return checksum.digest()


def b64(algorithm: str, data: bytes) -> str:
    return base64.b64encode(digest(algorithm, data)).decode()


def composite(algorithm: str, parts: list[bytes]) -> str:
    return f"{b64(algorithm, b''.join(digest(algorithm, p) for p in parts))}-{len(parts)}"


def error(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.response["Error"]


def body_of(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def assert_still_open(s3, bucket: str, key: str, upload: str) -> None:
    """The refused Complete left the upload in place and wrote nothing to the key."""
    listed = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert upload in [u["UploadId"] for u in listed]
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key=key)
    assert error_of(exc)[0] == 404


def send_parts(s3, bucket: str, key: str, upload: str, parts: list[bytes], **part_args) -> list[dict]:
    """Upload `parts` as 1..n; the part list for Complete, with each answer's checksum members."""
    done = []
    for number, data in enumerate(parts, start=1):
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=data, **part_args)
        entry = {"PartNumber": number, "ETag": answer["ETag"]}
        entry.update({name: value for name, value in answer.items() if name.startswith("Checksum")
                      and name != "ChecksumType"})
        done.append(entry)
    return done


def complete(s3, bucket: str, key: str, upload: str, parts: list[dict], **extra) -> dict:
    return s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload,
                                        MultipartUpload={"Parts": parts}, **extra)


# -- part checksums ---------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256"])
def test_composite_part_checksum_that_differs_is_invalid_part_and_upload_stays(s3, bucket, algorithm):
    parts = [b"a" * (5 * MIB + 1), b"tail of it"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm=algorithm,
                                        ChecksumType="COMPOSITE")["UploadId"]
    done = send_parts(s3, bucket, "k", upload, parts, ChecksumAlgorithm=algorithm)
    wrong = [dict(p, **{f"Checksum{algorithm}": b64(algorithm, b"bbb")}) for p in done]
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, wrong)
    assert error_of(exc) == (400, "InvalidPart")
    assert error(exc)["Message"] == INVALID_PART
    assert error(exc)["PartNumber"] == "1"
    assert error(exc)["ETag"] == done[0]["ETag"].strip('"')
    assert error(exc)["UploadId"] == upload
    assert_still_open(s3, bucket, "k", upload)

    result = complete(s3, bucket, "k", upload, done)
    assert result[f"Checksum{algorithm}"] == composite(algorithm, parts)
    assert result["ChecksumType"] == "COMPOSITE"
    assert body_of(s3, bucket, "k") == b"".join(parts)


@pytest.mark.parametrize("member", ["ChecksumCRC32C", "ChecksumSHA256"])
def test_part_checksum_on_an_upload_without_algorithm_is_invalid_part(s3, bucket, member):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    done = send_parts(s3, bucket, "k", upload, [b"aaa"], ChecksumAlgorithm="CRC32C")
    # even the right value: such an upload keeps no part checksums to compare with
    sent = {"ChecksumCRC32C": done[0]["ChecksumCRC32C"], "ChecksumSHA256": b64("SHA256", b"aaa")}[member]
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, [{"PartNumber": 1, "ETag": done[0]["ETag"], member: sent}])
    assert error_of(exc) == (400, "InvalidPart")
    assert error(exc)["Message"] == INVALID_PART
    assert error(exc)["PartNumber"] == "1"
    assert error(exc)["ETag"] == done[0]["ETag"].strip('"')
    assert_still_open(s3, bucket, "k", upload)

    # a whole-object checksum header is ignored on such an upload (as S3 does), even a wrong one
    result = complete(s3, bucket, "k", upload, [{"PartNumber": 1, "ETag": done[0]["ETag"]}],
                      ChecksumCRC32C=f"{b64('CRC32C', b'nope')}-2")
    assert result["ChecksumCRC64NVME"] == b64("CRC64NVME", b"aaa")
    assert result["ChecksumType"] == "FULL_OBJECT"
    assert body_of(s3, bucket, "k") == b"aaa"


def test_part_checksum_of_another_algorithm_is_bad_digest(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32",
                                        ChecksumType="COMPOSITE")["UploadId"]
    answer = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"abc")
    assert answer["ChecksumCRC32"] == b64("CRC32", b"abc")  # the upload's algorithm, computed anyway
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload,
                 [{"PartNumber": 1, "ETag": answer["ETag"], "ChecksumSHA256": b64("SHA256", b"abc")}])
    assert error_of(exc) == (400, "BadDigest")
    assert error(exc)["Message"] == "The sha256 you specified for part 1 did not match what we received."
    assert_still_open(s3, bucket, "k", upload)

    result = complete(s3, bucket, "k", upload,
                      [{"PartNumber": 1, "ETag": answer["ETag"], "ChecksumCRC32": answer["ChecksumCRC32"]}])
    assert result["ChecksumCRC32"] == composite("CRC32", [b"abc"])
    assert body_of(s3, bucket, "k") == b"abc"


def test_composite_complete_without_part_checksums_is_accepted(s3, bucket):
    """S3 refuses it (InvalidRequest: "must include the checksum for each part"); lakebox completes it
    from the stored part checksums, as Ceph's RGW does, because the s3-tests suite relies on it."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    done = send_parts(s3, bucket, "k", upload, [b"abc"], ChecksumAlgorithm="SHA256")
    result = complete(s3, bucket, "k", upload, [{"PartNumber": 1, "ETag": done[0]["ETag"]}])
    assert result["ChecksumSHA256"] == composite("SHA256", [b"abc"])


# -- the whole-object checksum header ---------------------------------------------------------------


def _full_object_upload(s3, bucket, key):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="CRC32C",
                                        ChecksumType="FULL_OBJECT")["UploadId"]
    done = send_parts(s3, bucket, key, upload, [b"abc"], ChecksumAlgorithm="CRC32C")
    return upload, done


@pytest.mark.parametrize("header", [
    {"ChecksumCRC32C": b64("CRC32C", b"bad string"), "ChecksumType": "FULL_OBJECT"},
    {"ChecksumCRC32": b64("CRC32", b"bad string"), "ChecksumType": "FULL_OBJECT"},
    {"ChecksumCRC64NVME": b64("CRC64NVME", b"abc")},
    {"ChecksumCRC32C": f"{b64('CRC32C', digest('CRC32C', b'abc'))}-1"},
], ids=["wrong-value", "other-algorithm", "other-algorithm-no-type", "composite-value"])
def test_full_object_checksum_that_does_not_match_is_bad_digest(s3, bucket, header):
    upload, done = _full_object_upload(s3, bucket, "k")
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, done, **header)
    assert error_of(exc) == (400, "BadDigest")
    # lower case here, unlike a PutObject's mismatch
    assert error(exc)["Message"] == "The crc32c you specified did not match the calculated checksum."
    assert_still_open(s3, bucket, "k", upload)

    result = complete(s3, bucket, "k", upload, done, ChecksumCRC32C=b64("CRC32C", b"abc"), ChecksumType="FULL_OBJECT")
    assert result["ChecksumCRC32C"] == b64("CRC32C", b"abc")
    assert result["ChecksumType"] == "FULL_OBJECT"
    assert body_of(s3, bucket, "k") == b"abc"


def test_composite_whole_object_checksum_that_does_not_match_is_bad_digest(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA1")["UploadId"]
    done = send_parts(s3, bucket, "k", upload, [b"abc"], ChecksumAlgorithm="SHA1")
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, done, ChecksumSHA1=composite("SHA1", [b"abd"]))
    assert error_of(exc) == (400, "BadDigest")
    assert error(exc)["Message"] == "The sha1 you specified did not match the calculated checksum."
    assert_still_open(s3, bucket, "k", upload)
    assert complete(s3, bucket, "k", upload, done, ChecksumSHA1=composite("SHA1", [b"abc"]))["ChecksumSHA1"] \
        == composite("SHA1", [b"abc"])


# -- conditional completion of a key that changed after the upload was created ------------------------


def _start(s3, bucket, key, body=b"test"):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=body)["ETag"]
    return upload, [{"PartNumber": 1, "ETag": etag}]


def assert_conflict(exc: pytest.ExceptionInfo, condition: str, key: str) -> None:
    assert error_of(exc) == (409, "ConditionalRequestConflict")
    assert error(exc)["Message"] == CONFLICT
    assert error(exc)["Condition"] == condition
    assert error(exc)["Key"] == key


def test_if_none_match_after_the_key_was_deleted_is_a_conflict(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"", IfNoneMatch="*")
    upload, parts = _start(s3, bucket, "k")
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, parts, IfNoneMatch="*")
    assert error_of(exc) == (412, "PreconditionFailed")
    s3.delete_object(Bucket=bucket, Key="k")
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, parts, IfNoneMatch="*")
    assert_conflict(exc, "If-None-Match", "k")
    assert_still_open(s3, bucket, "k", upload)

    # a new upload, started after the delete, may complete
    again, again_parts = _start(s3, bucket, "k", b"second")
    complete(s3, bucket, "k", again, again_parts, IfNoneMatch="*")
    assert body_of(s3, bucket, "k") == b"second"


def test_if_none_match_on_a_key_written_meanwhile_is_precondition_failed(s3, bucket):
    upload, parts = _start(s3, bucket, "k")
    s3.put_object(Bucket=bucket, Key="k", Body=b"", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, parts, IfNoneMatch="*")
    assert error_of(exc) == (412, "PreconditionFailed")


@pytest.mark.parametrize("second", [b"test2", b"test"], ids=["other-bytes", "identical-bytes"])
def test_if_match_after_a_put_meanwhile_is_a_conflict(s3, bucket, second):
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"test")["ETag"]
    upload, parts = _start(s3, bucket, "k")
    current = s3.put_object(Bucket=bucket, Key="k", Body=second)["ETag"]
    if second != b"test":
        with pytest.raises(ClientError) as exc:
            complete(s3, bucket, "k", upload, parts, IfMatch=first)
        assert error_of(exc) == (412, "PreconditionFailed")
    # the condition holds, but the key was written after the upload began (even with the same bytes)
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, parts, IfMatch=current)
    assert_conflict(exc, "If-Match", "k")
    assert body_of(s3, bucket, "k") == second
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["Parts"][0]["ETag"] == parts[0]["ETag"]

    # started after the put, an upload completes with the same condition
    again, again_parts = _start(s3, bucket, "k", b"multipart")
    done = complete(s3, bucket, "k", again, again_parts, IfMatch=current)
    assert s3.head_object(Bucket=bucket, Key="k")["ETag"] == done["ETag"]
    assert body_of(s3, bucket, "k") == b"multipart"
    # and the first upload still completes without a condition
    complete(s3, bucket, "k", upload, parts)
    assert body_of(s3, bucket, "k") == b"test"


def test_if_match_after_delete_is_no_such_key_then_after_a_new_put_a_conflict(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"test")["ETag"]
    upload, parts = _start(s3, bucket, "k")
    s3.delete_object(Bucket=bucket, Key="k")
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, parts, IfMatch=etag)
    assert error_of(exc) == (404, "NoSuchKey")
    again = s3.put_object(Bucket=bucket, Key="k", Body=b"test")["ETag"]
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, parts, IfMatch=again)
    assert_conflict(exc, "If-Match", "k")


def test_if_match_of_the_object_completed_before_the_upload_began_succeeds(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"test")
    upload, parts = _start(s3, bucket, "k")
    first = complete(s3, bucket, "k", upload, parts)["ETag"]
    upload, parts = _start(s3, bucket, "k", b"again")
    complete(s3, bucket, "k", upload, parts, IfMatch=first)
    assert body_of(s3, bucket, "k") == b"again"


def test_tagging_the_key_meanwhile_is_not_a_conflict(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"test")["ETag"]
    upload, parts = _start(s3, bucket, "k", b"new")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    complete(s3, bucket, "k", upload, parts, IfMatch=etag)
    assert body_of(s3, bucket, "k") == b"new"


def test_versioned_bucket_put_meanwhile_is_a_conflict(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"v1")
    upload, parts = _start(s3, bucket, "k")
    current = s3.put_object(Bucket=bucket, Key="k", Body=b"v2")["ETag"]
    with pytest.raises(ClientError) as exc:
        complete(s3, bucket, "k", upload, parts, IfMatch=current)
    assert_conflict(exc, "If-Match", "k")
    assert len(s3.list_object_versions(Bucket=bucket)["Versions"]) == 2
    again, again_parts = _start(s3, bucket, "k", b"v3")
    complete(s3, bucket, "k", again, again_parts, IfMatch=current)
    assert body_of(s3, bucket, "k") == b"v3"


def test_unconditional_complete_after_a_put_meanwhile_succeeds(s3, bucket):
    upload, parts = _start(s3, bucket, "k", b"multipart")
    s3.put_object(Bucket=bucket, Key="k", Body=b"put")
    complete(s3, bucket, "k", upload, parts)
    assert body_of(s3, bucket, "k") == b"multipart"
