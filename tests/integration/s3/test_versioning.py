"""Versioning through boto3: every version listed and readable with its own bytes, delete markers,
the null version, copies of old versions, and where the versions live in the lake folder."""

from __future__ import annotations

import os
import uuid

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of


@pytest.fixture
def versioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def _error(exc_info) -> tuple[str, int]:
    response = exc_info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_versioning_status_starts_absent_then_enabled_then_suspended(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_bad_versioning_status_is_malformed_xml(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "On"})
    assert _error(exc) == ("MalformedXML", 400)
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)


def test_every_version_is_listed_and_readable_with_its_bytes(s3, versioned):
    ids = [s3.put_object(Bucket=versioned, Key="data.csv", Body=f"v{i}".encode())["VersionId"] for i in range(3)]
    assert len(set(ids)) == 3
    listed = s3.list_object_versions(Bucket=versioned)["Versions"]
    assert [v["VersionId"] for v in listed] == ids[::-1]
    assert [v["IsLatest"] for v in listed] == [True, False, False]
    assert [v["Size"] for v in listed] == [2, 2, 2]
    for i, version in enumerate(ids):
        got = s3.get_object(Bucket=versioned, Key="data.csv", VersionId=version)
        assert got["Body"].read() == f"v{i}".encode()
        assert got["VersionId"] == version
        assert s3.head_object(Bucket=versioned, Key="data.csv", VersionId=version)["ContentLength"] == 2
    current = s3.get_object(Bucket=versioned, Key="data.csv")
    assert current["Body"].read() == b"v2" and current["VersionId"] == ids[2]


def test_delete_marker_hides_the_key_and_its_version_is_405(s3, versioned):
    put = s3.put_object(Bucket=versioned, Key="k", Body=b"hello")
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted["DeleteMarker"] is True
    marker_id = deleted["VersionId"]
    assert marker_id != put["VersionId"]

    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k")
    assert _error(exc) == ("NoSuchKey", 404)
    headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-delete-marker"] == "true"
    assert headers["x-amz-version-id"] == marker_id

    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId=marker_id)
    assert _error(exc) == ("MethodNotAllowed", 405)
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"

    listing = s3.list_object_versions(Bucket=versioned)
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [(marker_id, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [(put["VersionId"], False)]
    assert "Contents" not in s3.list_objects_v2(Bucket=versioned)
    # The old bytes are still there.
    assert s3.get_object(Bucket=versioned, Key="k", VersionId=put["VersionId"])["Body"].read() == b"hello"


def test_deleting_the_marker_restores_the_object(s3, versioned, lakebox_server):
    s3.put_object(Bucket=versioned, Key="dir/k.txt", Body=b"hello")
    marker = s3.delete_object(Bucket=versioned, Key="dir/k.txt")["VersionId"]
    plain = os.path.join(lakebox_server.data_dir, "s3", versioned, "dir", "k.txt")
    assert not os.path.exists(plain)
    removed = s3.delete_object(Bucket=versioned, Key="dir/k.txt", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    assert s3.get_object(Bucket=versioned, Key="dir/k.txt")["Body"].read() == b"hello"
    with open(plain, "rb") as f:
        assert f.read() == b"hello"


def test_deleting_the_current_version_promotes_the_previous(s3, versioned, lakebox_server):
    first = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"]
    assert s3.delete_object(Bucket=versioned, Key="k", VersionId=second)["VersionId"] == second
    got = s3.get_object(Bucket=versioned, Key="k")
    assert got["Body"].read() == b"one" and got["VersionId"] == first
    with open(os.path.join(lakebox_server.data_dir, "s3", versioned, "k"), "rb") as f:
        assert f.read() == b"one"
    versions = s3.list_object_versions(Bucket=versioned)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [(first, True)]


def test_current_version_is_the_plain_file_and_old_ones_are_hidden(s3, versioned, lakebox_server):
    s3.put_object(Bucket=versioned, Key="a/b.txt", Body=b"old")
    s3.put_object(Bucket=versioned, Key="a/b.txt", Body=b"new")
    bucket_dir = os.path.join(lakebox_server.data_dir, "s3", versioned)
    with open(os.path.join(bucket_dir, "a", "b.txt"), "rb") as f:
        assert f.read() == b"new"
    assert sorted(os.listdir(os.path.join(bucket_dir, "a"))) == ["b.txt"]
    hidden = []
    for folder, _, files in os.walk(os.path.join(lakebox_server.data_dir, ".lakebox")):
        for name in files:
            with open(os.path.join(folder, name), "rb") as f:
                if f.read() == b"old":
                    hidden.append(name)
    assert len(hidden) == 1


def test_unknown_and_malformed_version_ids(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId="A" * 32)
    assert _error(exc) == ("NoSuchVersion", 404)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=versioned, Key="k", VersionId="bad id")
    assert _error(exc) == ("InvalidArgument", 400)


def test_suspended_bucket_writes_and_replaces_the_null_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")  # the null version
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    enabled = s3.put_object(Bucket=bucket, Key="k", Body=b"enabled")["VersionId"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"suspended-1")
    s3.put_object(Bucket=bucket, Key="k", Body=b"suspended-2")
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [v["VersionId"] for v in versions] == ["null", enabled]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"suspended-2"
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=enabled)["Body"].read() == b"enabled"
    # A delete now makes the null delete marker, replacing the null version.
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] == "null"
    listing = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listing["Versions"]] == [enabled]
    assert [m["VersionId"] for m in listing["DeleteMarkers"]] == ["null"]


def test_copy_from_a_specific_version(s3, versioned):
    old = s3.put_object(Bucket=versioned, Key="src", Body=b"old bytes")["VersionId"]
    s3.put_object(Bucket=versioned, Key="src", Body=b"new bytes")
    copied = s3.copy_object(Bucket=versioned, Key="dst", CopySource={"Bucket": versioned, "Key": "src", "VersionId": old})
    assert copied["CopySourceVersionId"] == old
    assert copied["VersionId"]
    assert s3.get_object(Bucket=versioned, Key="dst")["Body"].read() == b"old bytes"
    # Copying an old version onto its own key restores it as a new version.
    restored = s3.copy_object(Bucket=versioned, Key="src", CopySource={"Bucket": versioned, "Key": "src", "VersionId": old})
    assert s3.get_object(Bucket=versioned, Key="src")["Body"].read() == b"old bytes"
    assert len(s3.list_object_versions(Bucket=versioned, Prefix="src")["Versions"]) == 3
    assert restored["VersionId"] not in (old,)


def test_copy_of_a_delete_marker_version_is_refused(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=versioned, Key="d", CopySource={"Bucket": versioned, "Key": "k", "VersionId": marker})
    assert _error(exc) == ("InvalidRequest", 400)


def test_list_versions_with_prefix_delimiter_and_markers(s3, versioned):
    expected = []
    for key in ("a/1", "a/2", "b", "c/x/y"):
        for i in range(2):
            expected.append((key, s3.put_object(Bucket=versioned, Key=key, Body=f"{key}{i}".encode())["VersionId"]))
    by_key = {}
    for key, version in expected:
        by_key.setdefault(key, []).insert(0, version)
    order = [(k, v) for k in sorted(by_key) for v in by_key[k]]

    # Page through two at a time with key-marker and version-id-marker.
    seen, kwargs = [], {}
    while True:
        page = s3.list_object_versions(Bucket=versioned, MaxKeys=3, **kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
    assert seen == order

    page = s3.list_object_versions(Bucket=versioned, Prefix="a/")
    assert [(v["Key"], v["VersionId"]) for v in page["Versions"]] == [x for x in order if x[0].startswith("a/")]

    page = s3.list_object_versions(Bucket=versioned, Delimiter="/")
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/", "c/"]
    assert [v["Key"] for v in page["Versions"]] == ["b", "b"]

    page = s3.list_object_versions(Bucket=versioned, KeyMarker="b")
    assert [v["Key"] for v in page["Versions"]] == ["c/x/y", "c/x/y"]


def test_versioned_bucket_with_versions_cannot_be_deleted(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    s3.delete_object(Bucket=versioned, Key="k")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=versioned)
    assert _error(exc) == ("BucketNotEmpty", 409)
    for entry in s3.list_object_versions(Bucket=versioned).get("Versions", []) + \
            s3.list_object_versions(Bucket=versioned).get("DeleteMarkers", []):
        s3.delete_object(Bucket=versioned, Key=entry["Key"], VersionId=entry["VersionId"])
    s3.delete_bucket(Bucket=versioned)


def test_delete_objects_reports_markers_and_versions(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="a", Body=b"1")["VersionId"]
    s3.put_object(Bucket=versioned, Key="b", Body=b"2")
    response = s3.delete_objects(Bucket=versioned, Delete={"Objects": [{"Key": "a", "VersionId": v1}, {"Key": "b"}]})
    by_key = {d["Key"]: d for d in response["Deleted"]}
    assert by_key["a"]["VersionId"] == v1 and "DeleteMarker" not in by_key["a"]
    assert by_key["b"]["DeleteMarker"] is True and by_key["b"]["DeleteMarkerVersionId"]
    assert "Versions" not in s3.list_object_versions(Bucket=versioned, Prefix="a")


def test_multipart_and_tags_per_version(s3, versioned):
    first = s3.put_object(Bucket=versioned, Key="k", Body=b"x", Tagging="v=1")["VersionId"]
    upload = s3.create_multipart_upload(Bucket=versioned, Key="k")["UploadId"]
    etag = s3.upload_part(Bucket=versioned, Key="k", UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
    done = s3.complete_multipart_upload(Bucket=versioned, Key="k", UploadId=upload,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert done["VersionId"] and done["VersionId"] != first
    s3.put_object_tagging(Bucket=versioned, Key="k", VersionId=first, Tagging={"TagSet": [{"Key": "v", "Value": "old"}]})
    assert s3.get_object_tagging(Bucket=versioned, Key="k", VersionId=first)["TagSet"] == [{"Key": "v", "Value": "old"}]
    assert s3.get_object_tagging(Bucket=versioned, Key="k")["TagSet"] == []
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"part"


def test_versions_survive_a_restart(tmp_path):
    from lakebox.testing import running_lakebox
    from s3_helpers import make_client

    name = f"restart-{uuid.uuid4().hex[:8]}"
    with running_lakebox(tmp_path, set_env=False) as server:
        s3 = make_client(server.endpoint_url)
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        ids = [s3.put_object(Bucket=name, Key="k", Body=f"{i}".encode())["VersionId"] for i in range(3)]
        marker = s3.delete_object(Bucket=name, Key="k")["VersionId"]
    with running_lakebox(tmp_path, set_env=False) as server:
        s3 = make_client(server.endpoint_url)
        listing = s3.list_object_versions(Bucket=name)
        assert [v["VersionId"] for v in listing["Versions"]] == ids[::-1]
        assert [m["VersionId"] for m in listing["DeleteMarkers"]] == [marker]
        for i, version in enumerate(ids):
            assert s3.get_object(Bucket=name, Key="k", VersionId=version)["Body"].read() == f"{i}".encode()


def test_version_ids_use_s3s_alphabet_and_a_tampered_one_is_refused(s3, bucket):
    """S3's ids are 32 characters of letters, digits, `.` and `_`, and carry a check: DeleteObject
    answers a made-up id with InvalidArgument, DeleteObjects with NoSuchVersion, and nothing goes."""
    import re

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=bytes([i]))["VersionId"] for i in range(200)]
    assert all(re.fullmatch(r"[A-Za-z0-9._]{32}", v) for v in ids)
    tampered = ids[-1][:-4] + "ABCD"
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=bucket, Key="k", VersionId=tampered)
    assert error_of(exc) == (400, "InvalidArgument")
    assert exc.value.response["Error"]["Message"] == "Invalid version id specified"
    assert exc.value.response["Error"]["ArgumentName"] == "versionId"
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": tampered},
                                                                {"Key": "other", "VersionId": tampered}]})
    assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [("k", "NoSuchVersion"), ("other", "NoSuchVersion")]
    assert "Deleted" not in out
    assert len(s3.list_object_versions(Bucket=bucket)["Versions"]) == 200
    # A real id still deletes its version.
    s3.delete_object(Bucket=bucket, Key="k", VersionId=ids[0])
    assert len(s3.list_object_versions(Bucket=bucket)["Versions"]) == 199
