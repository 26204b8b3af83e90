"""ListObjects v1 and V2: prefixes, delimiters, pagination, encoding-type=url, byte order, fetch-owner."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

KEYS = ["bronze/orders/2024/01/a.json", "bronze/orders/2024/02/b.json", "bronze/customers/c.json",
        "silver/orders.parquet", "readme.txt"]


@pytest.fixture
def filled(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def keys_of(response) -> list[str]:
    return [o["Key"] for o in response.get("Contents", [])]


def prefixes_of(response) -> list[str]:
    return [p["Prefix"] for p in response.get("CommonPrefixes", [])]


def test_v2_lists_everything_sorted_with_sizes_and_etags(s3, filled):
    response = s3.list_objects_v2(Bucket=filled)
    assert keys_of(response) == sorted(KEYS)
    assert response["KeyCount"] == 5
    assert response["IsTruncated"] is False
    assert response["Name"] == filled
    assert response["Prefix"] == ""
    first = response["Contents"][0]
    assert first["Size"] == len(first["Key"])
    assert first["ETag"].startswith('"') and first["ETag"].endswith('"')
    assert first["StorageClass"] == "STANDARD"
    assert "Owner" not in first


def test_v2_prefix_and_delimiter_roll_up_common_prefixes(s3, filled):
    top = s3.list_objects_v2(Bucket=filled, Delimiter="/")
    assert keys_of(top) == ["readme.txt"]
    assert prefixes_of(top) == ["bronze/", "silver/"]
    assert top["KeyCount"] == 3
    assert top["Delimiter"] == "/"
    nested = s3.list_objects_v2(Bucket=filled, Prefix="bronze/orders/", Delimiter="/")
    assert prefixes_of(nested) == ["bronze/orders/2024/"]
    assert keys_of(nested) == []
    assert nested["Prefix"] == "bronze/orders/"


def test_v2_non_slash_delimiter(s3, bucket):
    for key in ("foo_bar", "foo_baz", "fooxqux", "other"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    response = s3.list_objects_v2(Bucket=bucket, Delimiter="_")
    assert prefixes_of(response) == ["foo_"]
    assert keys_of(response) == ["fooxqux", "other"]


def test_v2_pagination_with_continuation_token(s3, filled):
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"Bucket": filled, "MaxKeys": 2}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        pages += 1
        assert page["KeyCount"] == len(page.get("Contents", []))
        seen += keys_of(page)
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
        assert token not in sorted(KEYS)  # opaque, not the key itself
    assert seen == sorted(KEYS)
    assert pages == 3


def test_v2_paginator_with_delimiter_counts_prefixes_toward_max_keys(s3, filled):
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=filled, Delimiter="/",
                                                              PaginationConfig={"PageSize": 1}))
    assert [keys_of(p) + prefixes_of(p) for p in pages] == [["bronze/"], ["readme.txt"], ["silver/"]]


def test_v2_start_after(s3, filled):
    response = s3.list_objects_v2(Bucket=filled, StartAfter="bronze/orders/2024/01/a.json")
    assert keys_of(response) == ["bronze/orders/2024/02/b.json", "readme.txt", "silver/orders.parquet"]
    assert response["StartAfter"] == "bronze/orders/2024/01/a.json"
    after_all = s3.list_objects_v2(Bucket=filled, StartAfter="zzz")
    assert keys_of(after_all) == []


def test_v2_continuation_token_wins_over_start_after(s3, filled):
    first = s3.list_objects_v2(Bucket=filled, MaxKeys=1)
    second = s3.list_objects_v2(Bucket=filled, MaxKeys=1, StartAfter="readme.txt",
                                ContinuationToken=first["NextContinuationToken"])
    assert keys_of(second) == [sorted(KEYS)[1]]
    assert second["ContinuationToken"] == first["NextContinuationToken"]


def test_v2_bad_continuation_token_is_invalid_argument(s3, filled):
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=filled, ContinuationToken="!!not-a-token!!")
    assert error_of(exc) == (400, "InvalidArgument")


def test_v2_max_keys_zero_is_empty_and_not_truncated(s3, filled):
    response = s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    assert keys_of(response) == []
    assert response["IsTruncated"] is False
    assert response["KeyCount"] == 0
    assert response["MaxKeys"] == 0


def test_v2_fetch_owner(s3, filled):
    response = s3.list_objects_v2(Bucket=filled, FetchOwner=True)
    owner = response["Contents"][0]["Owner"]
    assert len(owner["ID"]) == 64
    assert owner == s3.list_buckets()["Owner"]


def test_v1_marker_and_next_marker_only_with_delimiter(s3, filled):
    page = s3.list_objects(Bucket=filled, MaxKeys=2)
    assert keys_of(page) == sorted(KEYS)[:2]
    assert page["IsTruncated"] is True
    assert "NextMarker" not in page
    assert page["Marker"] == ""
    rest = s3.list_objects(Bucket=filled, Marker=keys_of(page)[-1])
    assert keys_of(rest) == sorted(KEYS)[2:]
    assert rest["Marker"] == keys_of(page)[-1]
    delimited = s3.list_objects(Bucket=filled, Delimiter="/", MaxKeys=1)
    assert prefixes_of(delimited) == ["bronze/"]
    assert delimited["NextMarker"] == "bronze/"
    following = s3.list_objects(Bucket=filled, Delimiter="/", Marker=delimited["NextMarker"])
    assert keys_of(following) == ["readme.txt"]
    assert prefixes_of(following) == ["silver/"]


def test_v1_paginator_walks_all_keys(s3, bucket):
    keys = [f"key-{i:04d}" for i in range(25)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    pages = s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 10})
    assert [k for p in pages for k in keys_of(p)] == keys


def test_empty_delimiter_is_ignored_and_not_echoed(s3, filled):
    response = s3.list_objects(Bucket=filled, Delimiter="")
    assert "Delimiter" not in response
    assert keys_of(response) == sorted(KEYS)


def test_keys_are_ordered_by_utf8_bytes(s3, bucket):
    # UTF-16 code-unit order (Java, JavaScript) would put U+1F600 (a surrogate pair) before U+E000 and
    # U+FF21; in UTF-8 byte order, as S3 lists, it comes after both.
    keys = ["a", "Z", "é", "\ue000", "\U0001f600", "\uff21", "~"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    listed = keys_of(s3.list_objects_v2(Bucket=bucket))
    assert listed == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_encoding_type_url_encodes_keys_and_prefixes(s3, bucket, raw):
    for key in ("foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    # botocore decodes only what it asked to be encoded itself; asked explicitly, the values stay encoded
    response = s3.list_objects(Bucket=bucket, Delimiter="/", EncodingType="url")
    assert keys_of(response) == ["asdf%2Bb"]
    assert prefixes_of(response) == ["foo%2B1/", "foo/", "quux%20ab/"]
    assert response["Delimiter"] == "/"
    wire = raw.request("GET", f"/{bucket}", query="delimiter=%2F&encoding-type=url").text
    assert "<Prefix>foo%2B1/</Prefix>" in wire
    assert "<Prefix>quux%20ab/</Prefix>" in wire
    assert "<Key>asdf%2Bb</Key>" in wire
    assert "<EncodingType>url</EncodingType>" in wire
    # ListObjects v1 echoes Prefix unencoded (botocore does not decode it either)
    wire = raw.request("GET", f"/{bucket}", query="prefix=quux%20&encoding-type=url").text
    assert "<Prefix>quux </Prefix>" in wire
    assert "<Key>quux%20ab/thud</Key>" in wire


def test_encoding_type_url_on_v2_with_control_characters(s3, bucket, raw):
    s3.put_object(Bucket=bucket, Key="line\nbreak", Body=b"")
    assert keys_of(s3.list_objects_v2(Bucket=bucket, EncodingType="url")) == ["line%0Abreak"]
    # unless told otherwise, botocore asks for url encoding on its own and decodes the answer
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == ["line\nbreak"]
    wire = raw.request("GET", f"/{bucket}", query="list-type=2&encoding-type=url").text
    assert "<Key>line%0Abreak</Key>" in wire


def test_invalid_encoding_type_is_invalid_argument(s3, filled, raw):
    response = raw.request("GET", f"/{filled}", query="list-type=2&encoding-type=base64")
    assert response.status_code == 400
    assert "<Code>InvalidArgument</Code>" in response.text


def test_list_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket="no-such-list-bucket")
    assert error_of(exc) == (404, "NoSuchBucket")
    with pytest.raises(ClientError) as exc:
        s3.list_objects(Bucket="no-such-list-bucket")
    assert error_of(exc) == (404, "NoSuchBucket")


def test_negative_max_keys_is_invalid_argument(filled, raw):
    response = raw.request("GET", f"/{filled}", query="list-type=2&max-keys=-1")
    assert response.status_code == 400
    assert "<Code>InvalidArgument</Code>" in response.text


def test_listed_times_are_whole_seconds_as_s3_gives_them(s3, raw, bucket):
    """ListBuckets, ListObjects (v1, v2), ListObjectVersions, ListParts and ListMultipartUploads
    all answer `...:04.000Z`: S3 keeps these times to the second."""
    import re

    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"part")
    for path, query in (("/", ""), (f"/{bucket}", ""), (f"/{bucket}", "list-type=2"), (f"/{bucket}", "versions"),
                        (f"/{bucket}", "uploads"), (f"/{bucket}/mp", f"uploadId={upload}")):
        text = raw.request("GET", path, query=query).text
        stamps = re.findall(r"<(?:LastModified|CreationDate|Initiated)>([^<]+)<", text)
        assert stamps, (path, query, text)
        assert all(stamp.endswith(".000Z") for stamp in stamps), (path, query, stamps)
    head = s3.head_object(Bucket=bucket, Key="k")["LastModified"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="k")["Contents"][0]["LastModified"] == head
