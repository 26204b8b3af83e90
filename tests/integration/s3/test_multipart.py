"""Multipart uploads: parts, copies of ranges, completion rules, abort, and both listings."""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of, upload_parts

MIB = 1024 * 1024


def multipart_etag(parts) -> str:
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def test_complete_assembles_parts_with_md5_of_md5s_etag(s3, bucket):
    parts = [b"a" * (5 * MIB), b"b" * (5 * MIB), b"tail"]
    upload, done = upload_parts(s3, bucket, "big.bin", parts, ContentType="application/x-test",
                                Metadata={"source": "multipart"})
    result = s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload,
                                          MultipartUpload={"Parts": done})
    assert result["ETag"] == multipart_etag(parts)
    assert result["Bucket"] == bucket
    assert result["Key"] == "big.bin"
    assert result["Location"].endswith(f"/{bucket}/big.bin")
    got = s3.get_object(Bucket=bucket, Key="big.bin")
    assert got["Body"].read() == b"".join(parts)
    assert got["ETag"] == multipart_etag(parts)
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"source": "multipart"}
    # the upload is gone once completed
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_part_etag_is_md5_of_part(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
    assert etag == f'"{hashlib.md5(b"part").hexdigest()}"'


def test_resent_part_replaces_earlier_one(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"first")
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"second")["ETag"]
    parts = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts] == [(1, etag, 6)]
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"


def test_small_non_last_part_is_entity_too_small(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"tiny", b"last"])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    assert error_of(exc) == (400, "EntityTooSmall")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_wrong_part_etag_is_invalid_part(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"only"])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"0000"'}]})
    assert error_of(exc) == (400, "InvalidPart")


def test_missing_part_is_invalid_part(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"only"])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                     MultipartUpload={"Parts": done + [{"PartNumber": 9, "ETag": done[0]["ETag"]}]})
    assert error_of(exc) == (400, "InvalidPart")


def test_parts_out_of_order_is_invalid_part_order(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"a" * (5 * MIB), b"b"])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                     MultipartUpload={"Parts": list(reversed(done))})
    assert error_of(exc) == (400, "InvalidPartOrder")


def test_empty_parts_list_of_an_upload_without_parts_is_malformed_xml(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": []})
    assert error_of(exc) == (400, "MalformedXML")


def test_no_part_list_for_an_upload_with_parts_asks_for_one(s3, bucket):
    upload, _ = upload_parts(s3, bucket, "k", [b"data"])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload)
    assert error_of(exc) == (400, "InvalidRequest")
    assert exc.value.response["Error"]["Message"] == "You must specify at least one part"
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId="no-such-upload-id")
    assert error_of(exc) == (404, "NoSuchUpload")


def test_invalid_part_names_the_etag_without_quotes(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"data"])
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                     MultipartUpload={"Parts": [{"ETag": done[0]["ETag"], "PartNumber": 2}]})
    assert error_of(exc) == (400, "InvalidPart")
    assert exc.value.response["Error"]["ETag"] == done[0]["ETag"].strip('"')


@pytest.mark.parametrize("number", [0, 10001])
def test_part_number_out_of_range_is_invalid_argument(s3, bucket, number):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=number, Body=b"x")
    assert error_of(exc) == (400, "InvalidArgument")


def test_part_number_10000_is_accepted(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=10000, Body=b"x")
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["Parts"][0]["PartNumber"] == 10000


def test_upload_part_to_unknown_upload_is_no_such_upload(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="k", UploadId="nope", PartNumber=1, Body=b"x")
    assert error_of(exc) == (404, "NoSuchUpload")
    assert exc.value.response["Error"]["UploadId"] == "nope"


def test_unknown_upload_is_no_such_upload(s3, bucket):
    for call in (s3.abort_multipart_upload, s3.list_parts):
        with pytest.raises(ClientError) as exc:
            call(Bucket=bucket, Key="k", UploadId="nope")
        assert error_of(exc) == (404, "NoSuchUpload")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId="nope",
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]})
    assert error_of(exc) == (404, "NoSuchUpload")


def test_abort_is_204_and_upload_disappears(s3, bucket):
    upload, _ = upload_parts(s3, bucket, "k", [b"x"])
    response = s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)
    assert error_of(exc) == (404, "NoSuchUpload")


def test_abort_after_complete_or_abort_is_204_and_changes_nothing(s3, bucket):
    # Cleanup code often aborts whatever upload it started (boto3's `mpu.abort` in a finally
    # block): S3 answers 204 for an upload completed or aborted lately.
    upload, done = upload_parts(s3, bucket, "done.bin", [b"assembled"])
    s3.complete_multipart_upload(Bucket=bucket, Key="done.bin", UploadId=upload, MultipartUpload={"Parts": done})
    response = s3.abort_multipart_upload(Bucket=bucket, Key="done.bin", UploadId=upload)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object(Bucket=bucket, Key="done.bin")["Body"].read() == b"assembled"
    aborted, _ = upload_parts(s3, bucket, "gone.bin", [b"x"])
    s3.abort_multipart_upload(Bucket=bucket, Key="gone.bin", UploadId=aborted)
    assert s3.abort_multipart_upload(Bucket=bucket, Key="gone.bin",
                                     UploadId=aborted)["ResponseMetadata"]["HTTPStatusCode"] == 204
    # ... but the upload itself is gone, and only that key's abort is forgiven
    for call in (lambda: s3.list_parts(Bucket=bucket, Key="done.bin", UploadId=upload),
                 lambda: s3.upload_part(Bucket=bucket, Key="done.bin", UploadId=upload, PartNumber=2, Body=b"y"),
                 lambda: s3.abort_multipart_upload(Bucket=bucket, Key="other.bin", UploadId=upload)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (404, "NoSuchUpload")
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_list_parts_paginates(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"1", b"22", b"333", b"4444"])
    first = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload, MaxParts=2)
    assert [p["PartNumber"] for p in first["Parts"]] == [1, 2]
    assert [p["Size"] for p in first["Parts"]] == [1, 2]
    assert first["IsTruncated"] is True
    assert first["NextPartNumberMarker"] == 2
    assert first["MaxParts"] == 2
    # As recorded on S3 in 2026: the owner is the canonical id alone, the initiator also has a name.
    assert first["Owner"] == {"ID": first["Initiator"]["ID"]} and len(first["Owner"]["ID"]) == 64
    assert first["Initiator"]["DisplayName"] == "lakebox-000000000000"
    (listed,) = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert listed["Owner"] == first["Owner"] and listed["Initiator"] == first["Initiator"]
    assert first["StorageClass"] == "STANDARD"
    rest = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload, PartNumberMarker=2)
    assert [p["PartNumber"] for p in rest["Parts"]] == [3, 4]
    assert rest["IsTruncated"] is False
    assert rest["PartNumberMarker"] == 2
    assert [p["ETag"] for p in first["Parts"] + rest["Parts"]] == [d["ETag"] for d in done]


def test_list_multipart_uploads_with_prefix_delimiter_and_markers(s3, bucket):
    ids = {}
    for key in ("logs/a", "logs/b", "data/x", "top"):
        ids[key] = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    everything = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in everything["Uploads"]] == [
        (k, ids[k]) for k in sorted(ids)]
    assert everything["Uploads"][0]["Initiated"].tzinfo is not None
    rolled = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["data/", "logs/"]
    assert [u["Key"] for u in rolled["Uploads"]] == ["top"]
    prefixed = s3.list_multipart_uploads(Bucket=bucket, Prefix="logs/")
    assert [u["Key"] for u in prefixed["Uploads"]] == ["logs/a", "logs/b"]
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert [u["Key"] for u in page["Uploads"]] == ["data/x", "logs/a"]
    assert page["IsTruncated"] is True
    assert page["NextKeyMarker"] == "logs/a"
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=page["NextKeyMarker"],
                                     UploadIdMarker=page["NextUploadIdMarker"])
    assert [u["Key"] for u in rest["Uploads"]] == ["logs/b", "top"]


def test_upload_part_copy_with_ranges(s3, bucket):
    source = bytes(range(256)) * 40  # 10240 bytes
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload, PartNumber=1,
                                 CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange="bytes=100-199")
    assert copied["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source[100:200]).hexdigest()}"'
    whole = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload, PartNumber=2,
                                CopySource={"Bucket": bucket, "Key": "source"})
    assert whole["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source).hexdigest()}"'
    assert whole["CopyPartResult"]["LastModified"].tzinfo is not None
    parts = s3.list_parts(Bucket=bucket, Key="assembled", UploadId=upload)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, 100), (2, len(source))]


def test_upload_part_copy_assembles_object(s3, bucket):
    big = b"x" * (5 * MIB)
    s3.put_object(Bucket=bucket, Key="big", Body=big)
    s3.put_object(Bucket=bucket, Key="small", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="out")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=bucket, Key="out", UploadId=upload, PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "big"})["CopyPartResult"]["ETag"]
    p2 = s3.upload_part_copy(Bucket=bucket, Key="out", UploadId=upload, PartNumber=2,
                             CopySource={"Bucket": bucket, "Key": "small"},
                             CopySourceRange="bytes=2-5")["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="out", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1}, {"PartNumber": 2, "ETag": p2}]})
    assert s3.get_object(Bucket=bucket, Key="out")["Body"].read() == big + b"2345"


def test_upload_part_copy_range_beyond_source_is_invalid_range(s3, bucket):
    s3.put_object(Bucket=bucket, Key="five", Body=b"12345")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "five"}, CopySourceRange="bytes=0-21")
    assert error_of(exc)[1] == "InvalidRange"


@pytest.mark.parametrize("bad", ["0-2", "bytes=0", "bytes=hello-world", "bytes=0-bar", "bytes=hello-",
                                 "bytes=0-2,3-5"])
def test_upload_part_copy_improper_range_is_invalid_argument(s3, bucket, bad):
    s3.put_object(Bucket=bucket, Key="five", Body=b"12345")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "five"}, CopySourceRange=bad)
    assert error_of(exc) == (400, "InvalidArgument")


def test_upload_part_copy_percent_encoded_source_key(s3, bucket):
    s3.put_object(Bucket=bucket, Key="anyfilename%25.txt", Body=b"encoded")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="target")["UploadId"]
    etag = s3.upload_part_copy(Bucket=bucket, Key="target", UploadId=upload, PartNumber=1,
                               CopySource={"Bucket": bucket, "Key": "anyfilename%25.txt"})["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="target", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="target")["Body"].read() == b"encoded"


def test_complete_overwrites_existing_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"old")
    upload, done = upload_parts(s3, bucket, "k", [b"new"])
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"new"


def test_transfer_manager_multipart_upload_and_download(s3, bucket, tmp_path):
    from boto3.s3.transfer import TransferConfig

    data = bytes(range(256)) * (48 * 1024)  # 12 MiB
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    s3.upload_file(str(path), bucket, "managed.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="managed.bin")
    assert head["ETag"].endswith('-3"')
    out = tmp_path / "out.bin"
    s3.download_file(bucket, "managed.bin", str(out), Config=config)
    assert out.read_bytes() == data


def test_get_object_attributes_of_multipart_object(s3, bucket):
    parts = [b"a" * (5 * MIB), b"b" * (5 * MIB), b"c"]
    upload, done = upload_parts(s3, bucket, "k", parts)
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    attrs = s3.get_object_attributes(Bucket=bucket, Key="k", MaxParts=1, PartNumberMarker=1,
                                     ObjectAttributes=["ETag", "ObjectParts", "StorageClass", "ObjectSize"])
    assert attrs["ETag"] == multipart_etag(parts).strip('"')
    assert attrs["ObjectSize"] == sum(len(p) for p in parts)
    assert attrs["StorageClass"] == "STANDARD"
    assert attrs["ObjectParts"]["TotalPartsCount"] == 3
    assert [p["PartNumber"] for p in attrs["ObjectParts"]["Parts"]] == [2]
    assert attrs["ObjectParts"]["IsTruncated"] is True
    assert attrs["ObjectParts"]["NextPartNumberMarker"] == 2


def test_retried_complete_answers_the_same_result(s3, bucket):
    upload, done = upload_parts(s3, bucket, "k", [b"only part"])
    first = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    again = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": done})
    assert again["ETag"] == first["ETag"]
    # a different parts list for the finished upload is not a retry
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"0000"'}]})
    assert error_of(exc) == (404, "NoSuchUpload")
