"""Multipart and listing answers checked against AWS's recorded responses: default checksums of
multipart objects, markers that resume listings, and the errors of bad markers and part lists."""

from __future__ import annotations

import base64
import hashlib

import pytest
from awscrt import checksums as crt
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client, upload_parts

MIB = 1024 * 1024
PART = b"upload-part-1" * 5


@pytest.fixture
def loose(lakebox_server):
    """A client that sends what boto3's parameter validation would refuse (empty strings)."""
    return make_client(lakebox_server.endpoint_url, parameter_validation=False)


def crc64nvme(data: bytes) -> str:
    return base64.b64encode(crt.crc64nvme(data).to_bytes(8, "big")).decode()


def error_body(exc) -> dict:
    return exc.value.response["Error"]


# -- 1. default CRC64NVME of multipart objects ------------------------------------------------------


def test_complete_without_algorithm_answers_full_object_crc64nvme(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [PART])
    result = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    assert result["ChecksumCRC64NVME"] == "CTXktO4pIQs=" == crc64nvme(PART)
    assert result["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC64NVME"], head["ChecksumType"]) == ("CTXktO4pIQs=", "FULL_OBJECT")
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == PART
    assert (got["ChecksumCRC64NVME"], got["ChecksumType"]) == ("CTXktO4pIQs=", "FULL_OBJECT")
    assert "ChecksumCRC32" not in got


def test_default_crc64nvme_covers_every_part_and_copied_parts(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload, done = upload_parts(s3, bucket, "k", [b"a" * (5 * MIB)])
    copied = s3.upload_part_copy(Bucket=bucket, Key="k", UploadId=upload, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "src"}, CopySourceRange="bytes=2-5")
    assert not any(name.startswith("Checksum") for name in copied["CopyPartResult"])
    done.append({"PartNumber": 2, "ETag": copied["CopyPartResult"]["ETag"]})
    result = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    assert result["ChecksumCRC64NVME"] == crc64nvme(b"a" * (5 * MIB) + b"2345")
    assert result["ChecksumType"] == "FULL_OBJECT"


def test_parts_of_upload_without_algorithm_are_listed_without_checksums(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    sent = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=PART,
                          ChecksumAlgorithm="CRC32")
    assert "ChecksumCRC32" in sent  # checked on arrival and answered...
    assert "ChecksumCRC64NVME" not in sent
    parts = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["Parts"]
    assert [p["PartNumber"] for p in parts] == [1]
    assert not any(name.startswith("Checksum") for name in parts[0])  # ...but not kept
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": sent["ETag"]}]})
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectParts", "Checksum"])
    assert attributes["Checksum"] == {"ChecksumCRC64NVME": crc64nvme(PART), "ChecksumType": "FULL_OBJECT"}
    assert attributes["ObjectParts"]["Parts"] == [{"PartNumber": 1, "Size": len(PART)}]


def test_upload_with_algorithm_keeps_its_part_checksums(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [PART], ChecksumAlgorithm="CRC32")
    parts = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["Parts"]
    assert "ChecksumCRC32" in parts[0]
    assert "ChecksumCRC64NVME" not in parts[0]
    result = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                          MultipartUpload={"Parts": [{**done[0], "ChecksumCRC32": parts[0]["ChecksumCRC32"]}]})
    assert result["ChecksumType"] == "COMPOSITE"
    assert "ChecksumCRC32" in result and "ChecksumCRC64NVME" not in result


def test_composite_checksum_drops_its_part_count_in_object_attributes(s3, bucket):
    """AWS's recorded answers: CompleteMultipartUpload and HeadObject give the checksum of the parts'
    checksums with "-<parts>", GetObjectAttributes gives it bare (and each part's checksum)."""
    parts = [b"a" * (5 * MIB), b"tail"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    sent = [s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=n, Body=data,
                           ChecksumAlgorithm="SHA256") for n, data in enumerate(parts, start=1)]
    digests = [hashlib.sha256(p).digest() for p in parts]
    composite = base64.b64encode(hashlib.sha256(b"".join(digests)).digest()).decode()
    result = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": n, "ETag": p["ETag"], "ChecksumSHA256": p["ChecksumSHA256"]}
        for n, p in enumerate(sent, start=1)]})
    assert (result["ChecksumSHA256"], result["ChecksumType"]) == (composite + "-2", "COMPOSITE")
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == composite + "-2"
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum", "ObjectParts"])
    assert attributes["Checksum"] == {"ChecksumSHA256": composite, "ChecksumType": "COMPOSITE"}
    assert [p["ChecksumSHA256"] for p in attributes["ObjectParts"]["Parts"]] == [
        base64.b64encode(d).decode() for d in digests]


def test_multipart_copy_with_sha256_has_the_checksum_of_its_one_part(s3, bucket):
    """boto3's managed copy above its threshold: one UploadPartCopy, then a composite checksum."""
    s3.put_object(Bucket=bucket, Key="src", Body=b"some value")
    s3.copy({"Bucket": bucket, "Key": "src"}, bucket, "copy", ExtraArgs={"ChecksumAlgorithm": "SHA256"},
            Config=TransferConfig(multipart_threshold=1))
    attributes = s3.get_object_attributes(Bucket=bucket, Key="copy", ObjectAttributes=["Checksum"])
    one_part = hashlib.sha256(b"some value").digest()
    assert attributes["Checksum"]["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(one_part).digest()).decode()
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"some value"


# -- 2. ListObjectVersions after a marker whose version is gone ------------------------------------


def test_version_listing_resumes_after_a_deleted_marker_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=str(n).encode())["VersionId"] for n in range(5)]
    later = s3.put_object(Bucket=bucket, Key="later", Body=b"x")["VersionId"]
    first = s3.list_object_versions(Bucket=bucket, MaxKeys=3)
    assert [v["VersionId"] for v in first["Versions"]] == ids[::-1][:3]
    assert first["IsTruncated"] is True and first["NextKeyMarker"] == "k"
    marker = first["NextVersionIdMarker"]
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    rest = s3.list_object_versions(Bucket=bucket, KeyMarker="k", VersionIdMarker=marker)
    assert [(v["Key"], v["VersionId"]) for v in rest["Versions"]] == [("k", ids[1]), ("k", ids[0]), ("later", later)]
    assert rest["IsTruncated"] is False
    assert rest["VersionIdMarker"] == marker


def test_version_listing_with_malformed_version_id_marker_is_invalid_argument(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.list_object_versions(Bucket=bucket, KeyMarker="k", VersionIdMarker="not a version id")
    assert error_of(exc) == (400, "InvalidArgument")
    assert error_body(exc)["Message"] == "Invalid version id specified"
    assert error_body(exc)["ArgumentName"] == "version-id-marker"


# -- 3. continuation token and encoding type -------------------------------------------------------


def test_empty_continuation_token_reads_as_none(loose, bucket):
    """S3's documentation leaves it open; the compatibility suite expects a first page."""
    loose.put_object(Bucket=bucket, Key="a", Body=b"x")
    assert [o["Key"] for o in loose.list_objects_v2(Bucket=bucket, ContinuationToken="")["Contents"]] == ["a"]


@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2", "list_object_versions",
                                       "list_multipart_uploads"])
@pytest.mark.parametrize("value", ["", "base64"])
def test_encoding_type_other_than_url_is_invalid_argument(loose, bucket, operation, value):
    with pytest.raises(ClientError) as exc:
        getattr(loose, operation)(Bucket=bucket, EncodingType=value)
    assert error_of(exc) == (400, "InvalidArgument")
    assert error_body(exc)["Message"] == "Invalid Encoding Method specified in Request"
    assert error_body(exc)["ArgumentName"] == "encoding-type"
    if value:
        assert error_body(exc)["ArgumentValue"] == value


def test_continued_v2_page_still_echoes_start_after(s3, bucket):
    """"If StartAfter was sent with the request, it is included in the response" (S3's API reference)."""
    for key in ("a", "b", "c", "d"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    first = s3.list_objects_v2(Bucket=bucket, StartAfter="a", MaxKeys=1)
    assert first["StartAfter"] == "a"
    second = s3.list_objects_v2(Bucket=bucket, StartAfter="a", MaxKeys=1,
                                ContinuationToken=first["NextContinuationToken"])
    assert [o["Key"] for o in second["Contents"]] == ["c"]
    assert second["StartAfter"] == "a"
    assert second["ContinuationToken"] == first["NextContinuationToken"]


# -- 4. ListMultipartUploads fields ----------------------------------------------------------------


def test_empty_upload_listing_has_empty_next_markers_and_no_prefix(s3, bucket):
    response = s3.list_multipart_uploads(Bucket=bucket)
    assert response["NextKeyMarker"] == ""
    assert response["NextUploadIdMarker"] == ""
    assert response["IsTruncated"] is False
    assert "Prefix" not in response
    assert "Uploads" not in response
    prefixed = s3.list_multipart_uploads(Bucket=bucket, Prefix="logs/")
    assert prefixed["Prefix"] == "logs/"


def test_upload_listing_ending_on_a_common_prefix(s3, bucket):
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
           for key in ("a", "logs/1", "logs/2", "z/1")}
    whole = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in whole["Uploads"]] == ["a"]
    assert [p["Prefix"] for p in whole["CommonPrefixes"]] == ["logs/", "z/"]
    # The next markers name the page's last upload, never a common prefix (S3, recorded 2026).
    assert (whole["NextKeyMarker"], whole["NextUploadIdMarker"]) == ("a", ids["a"])
    # Truncated on a common prefix: the client resumes from that prefix as its key marker.
    page = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", MaxUploads=2)
    assert page["IsTruncated"] is True
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["logs/"]
    assert (page["NextKeyMarker"], page["NextUploadIdMarker"]) == ("a", ids["a"])
    rest = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/", KeyMarker=page["CommonPrefixes"][-1]["Prefix"])
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["z/"]
    assert "Uploads" not in rest
    assert rest["IsTruncated"] is False
    # Ending on an upload: its key and id.
    last = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1)
    assert (last["NextKeyMarker"], last["NextUploadIdMarker"]) == ("a", ids["a"])


def test_upload_id_marker_of_another_key_is_invalid_argument(s3, bucket):
    other = s3.create_multipart_upload(Bucket=bucket, Key="other")["UploadId"]
    s3.create_multipart_upload(Bucket=bucket, Key="k")
    for marker in (other, "no-such-upload"):
        with pytest.raises(ClientError) as exc:
            s3.list_multipart_uploads(Bucket=bucket, KeyMarker="k", UploadIdMarker=marker)
        assert error_of(exc) == (400, "InvalidArgument")
        assert error_body(exc)["Message"] == "Invalid uploadId marker"
        assert error_body(exc)["ArgumentName"] == "upload-id-marker"
        assert error_body(exc)["ArgumentValue"] == marker


# -- 5. part-number markers ------------------------------------------------------------------------


def test_part_number_marker_past_the_last_part_gives_next_marker_zero(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"1", b"2", b"3"])
    response = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload, PartNumberMarker=10)
    assert response["PartNumberMarker"] == 10
    assert response["NextPartNumberMarker"] == 0
    assert response["IsTruncated"] is False
    assert "Parts" not in response


def test_object_parts_marker_past_the_last_part_gives_next_marker_zero(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"a" * (5 * MIB), b"b"])
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectParts"],
                                          PartNumberMarker=10)
    parts = attributes["ObjectParts"]
    assert (parts["PartNumberMarker"], parts["NextPartNumberMarker"]) == (10, 0)
    assert parts["TotalPartsCount"] == 2
    assert not parts.get("Parts")


def test_empty_part_number_marker_and_max_parts_are_ignored(loose, s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"1", b"2"])
    for extra in ({"PartNumberMarker": ""}, {"MaxParts": ""}):
        response = loose.list_parts(Bucket=bucket, Key="k", UploadId=upload, **extra)
        assert [p["PartNumber"] for p in response["Parts"]] == [1, 2]
        assert response["PartNumberMarker"] == 0
        assert response["MaxParts"] == 1000


@pytest.mark.parametrize("value", ["abc", " 5", "+5", "1.5", "2147483648", "-2147483649"])
@pytest.mark.parametrize("operation, member, wire", [
    ("list_objects", "MaxKeys", "max-keys"),
    ("list_objects_v2", "MaxKeys", "max-keys"),
    ("list_object_versions", "MaxKeys", "max-keys"),
    ("list_multipart_uploads", "MaxUploads", "max-uploads"),
])
def test_listing_integer_that_is_not_an_int32_is_refused_before_the_listing(loose, bucket, operation,
                                                                            member, wire, value):
    """Recorded on AWS: a value that is not an int32 is refused with its own wording and wire name."""
    with pytest.raises(ClientError) as exc:
        getattr(loose, operation)(Bucket=bucket, **{member: value})
    assert error_of(exc) == (400, "InvalidArgument")
    assert error_body(exc)["Message"] == f"Provided {wire} not an integer or within integer range"
    assert (error_body(exc)["ArgumentName"], error_body(exc)["ArgumentValue"]) == (wire, value)


@pytest.mark.parametrize("member, wire", [("MaxParts", "max-parts"), ("PartNumberMarker", "part-number-marker")])
def test_list_parts_integer_beyond_int32_is_refused(loose, s3, bucket, member, wire):
    upload, _ = upload_parts(s3, bucket, "k", [b"1"])
    with pytest.raises(ClientError) as exc:
        loose.list_parts(Bucket=bucket, Key="k", UploadId=upload, **{member: "99999999999"})
    assert error_of(exc) == (400, "InvalidArgument")
    assert error_body(exc)["Message"] == f"Provided {wire} not an integer or within integer range"
    assert error_body(exc)["ArgumentName"] == wire


def test_leading_zeros_and_minus_zero_are_plain_integers(loose, bucket):
    for key in ("a", "b", "c"):
        loose.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert [o["Key"] for o in loose.list_objects_v2(Bucket=bucket, MaxKeys="02")["Contents"]] == ["a", "b"]
    assert loose.list_objects_v2(Bucket=bucket, MaxKeys="-0")["KeyCount"] == 0


# -- 6. CompleteMultipartUpload errors -------------------------------------------------------------


def test_complete_without_a_part_list_is_malformed_xml_when_no_part_was_uploaded(loose, s3, bucket):
    """The compatibility suite's answer for a Complete with no body and no parts uploaded; with parts
    uploaded S3 asks for a list instead (test_multipart.py)."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as exc:
        loose.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload)
    assert error_of(exc) == (400, "MalformedXML")


def test_entity_too_small_names_the_part_and_sizes(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"tiny", b"last"])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    assert error_of(exc) == (400, "EntityTooSmall")
    body = error_body(exc)
    assert body["Message"] == "Your proposed upload is smaller than the minimum allowed size"
    assert body["ETag"] == done[0]["ETag"].strip('"')  # S3 names it without its quotes
    assert (body["ProposedSize"], body["MinSizeAllowed"]) == ("4", str(5 * MIB))


def test_invalid_part_names_the_part_and_etag(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"a" * (5 * MIB), b"b"])
    wrong = [done[0], {"PartNumber": 2, "ETag": '"0123456789abcdef0123456789abcdef"'}]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": wrong})
    assert error_of(exc) == (400, "InvalidPart")
    body = error_body(exc)
    assert body["PartNumber"] == "2"
    assert body["ETag"] == "0123456789abcdef0123456789abcdef"  # without its quotes, as S3 answers
