"""Listing markers as S3 answers them (recorded 2026): ListMultipartUploads' next markers when a page
ends on a common prefix, and how a client resumes; ListObjectsV2's StartAfter beside a token."""

from __future__ import annotations

KEYS = ["folder/aSubfolder/subFile1", "folder/aSubfolder/subFile2", "folder/file1", "folder/file2"]


def fields(response: dict) -> dict:
    out = dict(response)
    out.pop("ResponseMetadata", None)
    return out


def upload_entries(response: dict) -> list[tuple[str, str]]:
    return [(u["Key"], u["UploadId"]) for u in response.get("Uploads", [])]


def test_upload_page_of_one_common_prefix_has_empty_next_markers(s3, bucket):
    for key in KEYS:
        s3.create_multipart_upload(Bucket=bucket, Key=key)
    page = fields(s3.list_multipart_uploads(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxUploads=1))
    assert page == {
        "Bucket": bucket, "KeyMarker": "", "UploadIdMarker": "", "NextKeyMarker": "", "NextUploadIdMarker": "",
        "Prefix": "folder/", "Delimiter": "/", "MaxUploads": 1, "IsTruncated": True,
        "CommonPrefixes": [{"Prefix": "folder/aSubfolder/"}],
    }


def test_upload_listing_resumes_from_the_last_common_prefix(s3, bucket):
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in KEYS}
    # The prefix as key marker skips every upload under it; so does a key inside it.
    for marker in ("folder/aSubfolder/", "folder/aSubfolder/subFile1"):
        page = s3.list_multipart_uploads(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxUploads=1,
                                         KeyMarker=marker)
        assert upload_entries(page) == [("folder/file1", ids["folder/file1"])]
        assert "CommonPrefixes" not in page
        assert (page["KeyMarker"], page["UploadIdMarker"]) == (marker, "")
        assert (page["NextKeyMarker"], page["NextUploadIdMarker"]) == ("folder/file1", ids["folder/file1"])
        assert page["IsTruncated"] is True
    last = s3.list_multipart_uploads(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxUploads=1,
                                     KeyMarker="folder/file1", UploadIdMarker=ids["folder/file1"])
    assert upload_entries(last) == [("folder/file2", ids["folder/file2"])]
    assert (last["NextKeyMarker"], last["NextUploadIdMarker"]) == ("folder/file2", ids["folder/file2"])
    assert last["IsTruncated"] is False


def test_next_markers_name_the_last_upload_of_a_page_with_prefixes(s3, bucket):
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in ("a", "logs/1", "z/1")}
    whole = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert upload_entries(whole) == [("a", ids["a"])]
    assert [p["Prefix"] for p in whole["CommonPrefixes"]] == ["logs/", "z/"]
    assert (whole["NextKeyMarker"], whole["NextUploadIdMarker"], whole["IsTruncated"]) == ("a", ids["a"], False)


def test_upload_listing_of_uploads_only_names_the_last_one_truncated_or_not(s3, bucket):
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in ("k1", "k2")}
    first = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1)
    assert (first["NextKeyMarker"], first["NextUploadIdMarker"], first["IsTruncated"]) == ("k1", ids["k1"], True)
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="k1", UploadIdMarker=ids["k1"])
    assert (rest["NextKeyMarker"], rest["NextUploadIdMarker"], rest["IsTruncated"]) == ("k2", ids["k2"], False)
    empty = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="k2", UploadIdMarker=ids["k2"])
    assert (empty["NextKeyMarker"], empty["NextUploadIdMarker"], empty["IsTruncated"]) == ("", "", False)


def test_start_after_is_echoed_beside_a_continuation_token(s3, bucket):
    """S3 recorded (2026) no StartAfter beside a token; the ceph/s3-tests suite expects it echoed
    (test_bucket_listv2_both_continuationtoken_startafter), and that suite is kept."""
    for key in ("bar", "baz", "foo", "quxx"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    first = s3.list_objects_v2(Bucket=bucket, StartAfter="bar", MaxKeys=1)
    assert first["StartAfter"] == "bar" and first["IsTruncated"] is True
    token = first["NextContinuationToken"]
    second = fields(s3.list_objects_v2(Bucket=bucket, StartAfter="bar", ContinuationToken=token))
    assert [o["Key"] for o in second.pop("Contents")] == ["foo", "quxx"]
    assert second == {"Name": bucket, "Prefix": "", "MaxKeys": 1000, "KeyCount": 2, "IsTruncated": False,
                      "ContinuationToken": token, "StartAfter": "bar", "EncodingType": "url"}
