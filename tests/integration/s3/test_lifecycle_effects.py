"""Lifecycle rules that really run: move the service clock and watch objects transition, expire,
leave delete markers, lose old versions, and stale multipart uploads disappear."""

from __future__ import annotations

import datetime
import os

import pytest
import requests
from botocore.exceptions import ClientError

MiB = 1024 * 1024

#: The guide's rule, with `Id` corrected to `ID` (tests/guide/FIXES.md).
GUIDE_RULES = {
    "Rules": [{
        "ID": "archive-old-data",
        "Status": "Enabled",
        "Prefix": "data/",
        "Transitions": [
            {"Days": 30, "StorageClass": "STANDARD_IA"},
            {"Days": 90, "StorageClass": "GLACIER"},
            {"Days": 365, "StorageClass": "DEEP_ARCHIVE"},
        ],
        "Expiration": {"Days": 2555},
    }]
}


def _storage_class(s3, bucket, key) -> str:
    return s3.head_object(Bucket=bucket, Key=key).get("StorageClass", "STANDARD")


def test_guide_rule_walks_an_object_down_the_classes_and_expires_it(s3, bucket, lakebox_server):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=GUIDE_RULES)
    s3.put_object(Bucket=bucket, Key="data/big.bin", Body=os.urandom(MiB))
    s3.put_object(Bucket=bucket, Key="data/small.txt", Body=b"tiny")  # under 128 KiB: never transitions
    s3.put_object(Bucket=bucket, Key="other/big.bin", Body=os.urandom(MiB))  # outside the prefix

    lakebox_server.advance_clock("29d")
    assert _storage_class(s3, bucket, "data/big.bin") == "STANDARD"
    lakebox_server.advance_clock("2d")
    assert _storage_class(s3, bucket, "data/big.bin") == "STANDARD_IA"
    assert _storage_class(s3, bucket, "data/small.txt") == "STANDARD"
    assert _storage_class(s3, bucket, "other/big.bin") == "STANDARD"
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed["data/big.bin"] == "STANDARD_IA"

    lakebox_server.advance_clock("60d")  # day 91
    assert _storage_class(s3, bucket, "data/big.bin") == "GLACIER"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="data/big.bin")
    assert exc.value.response["Error"]["Code"] == "InvalidObjectState"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    lakebox_server.advance_clock("275d")  # day 366
    assert _storage_class(s3, bucket, "data/big.bin") == "DEEP_ARCHIVE"

    lakebox_server.advance_clock("2190d")  # day 2556
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="data/big.bin")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert not os.path.exists(os.path.join(lakebox_server.data_dir, "s3", bucket, "data", "big.bin"))
    remaining = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert remaining == ["other/big.bin"]


def test_the_clock_endpoint_applies_rules_before_it_answers(s3, bucket, lakebox_server):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
    s3.put_object(Bucket=bucket, Key="tmp/x", Body=b"x")
    response = requests.post(f"{lakebox_server.endpoint_url}/_lakebox/clock", json={"advance": "2d"}, timeout=30)
    assert response.status_code == 200
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_expiration_in_a_versioned_bucket_adds_a_marker_and_noncurrent_versions_expire(s3, bucket, lakebox_server):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "versions", "Status": "Enabled", "Filter": {},
        "Expiration": {"Days": 10},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 5},
    }]})
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    lakebox_server.advance_clock("6d")
    versions = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in versions["Versions"]] == [second]  # the noncurrent one expired
    lakebox_server.advance_clock("5d")
    versions = s3.list_object_versions(Bucket=bucket)
    assert [m["IsLatest"] for m in versions["DeleteMarkers"]] == [True]
    assert [v["VersionId"] for v in versions["Versions"]] == [second]
    assert first not in {v["VersionId"] for v in versions["Versions"]}
    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key="k")


def test_newer_noncurrent_versions_are_kept(s3, bucket, lakebox_server):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "keep-two", "Status": "Enabled", "Filter": {},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 2},
    }]})
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=str(i).encode())["VersionId"] for i in range(5)]
    lakebox_server.advance_clock("3d")
    assert [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]] == ids[:1:-1]


def test_expired_object_delete_marker_is_removed(s3, bucket, lakebox_server):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "cleanup", "Status": "Enabled", "Filter": {},
        "Expiration": {"ExpiredObjectDeleteMarker": True},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
    }]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="k")
    lakebox_server.advance_clock("3d")  # the old version expires, then the lone marker goes
    lakebox_server.advance_clock("1h")
    listing = s3.list_object_versions(Bucket=bucket)
    assert "Versions" not in listing and "DeleteMarkers" not in listing


def test_transition_by_tag_filter_and_noncurrent_transition(s3, bucket, lakebox_server):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "tagged", "Status": "Enabled", "Filter": {"Tag": {"Key": "tier", "Value": "cold"}},
         "Transitions": [{"Days": 1, "StorageClass": "GLACIER_IR"}]},
        {"ID": "old-versions", "Status": "Enabled", "Filter": {"Prefix": "v/"},
         "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}]},
    ]})
    s3.put_object(Bucket=bucket, Key="cold.bin", Body=os.urandom(200 * 1024), Tagging="tier=cold")
    s3.put_object(Bucket=bucket, Key="warm.bin", Body=os.urandom(200 * 1024), Tagging="tier=warm")
    old = s3.put_object(Bucket=bucket, Key="v/k", Body=os.urandom(200 * 1024))["VersionId"]
    s3.put_object(Bucket=bucket, Key="v/k", Body=os.urandom(200 * 1024))
    lakebox_server.advance_clock("2d")
    assert _storage_class(s3, bucket, "cold.bin") == "GLACIER_IR"
    assert _storage_class(s3, bucket, "warm.bin") == "STANDARD"
    assert s3.get_object(Bucket=bucket, Key="cold.bin")["ContentLength"] == 200 * 1024  # IR stays readable
    lakebox_server.advance_clock("30d")
    versions = {v["VersionId"]: v["StorageClass"] for v in s3.list_object_versions(Bucket=bucket, Prefix="v/")["Versions"]}
    assert versions[old] == "STANDARD_IA"
    assert _storage_class(s3, bucket, "v/k") == "STANDARD"


def test_stale_multipart_uploads_are_aborted(s3, bucket, lakebox_server):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "abort", "Status": "Enabled", "Filter": {"Prefix": ""},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }]})
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"part")
    lakebox_server.advance_clock("6d")
    assert len(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])) == 1
    lakebox_server.advance_clock("2d")
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="big", UploadId=upload)
    assert exc.value.response["Error"]["Code"] == "NoSuchUpload"


def test_put_object_with_storage_class(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    assert _storage_class(s3, bucket, "ia") == "STANDARD_IA"


def test_expiration_and_abort_dates_are_announced(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 3},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}]})
    put = s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    head = s3.head_object(Bucket=bucket, Key="logs/a")
    expected_day = (head["LastModified"] + datetime.timedelta(days=4)).strftime("%a, %d %b %Y 00:00:00 GMT")
    assert put["Expiration"] == f'expiry-date="{expected_day}", rule-id="expire-logs"'
    assert head["Expiration"] == put["Expiration"]
    assert s3.get_object(Bucket=bucket, Key="logs/a")["Expiration"] == put["Expiration"]
    copied = s3.copy_object(Bucket=bucket, Key="logs/b", CopySource={"Bucket": bucket, "Key": "logs/a"})
    assert copied["Expiration"].endswith('rule-id="expire-logs"')
    assert "Expiration" not in s3.put_object(Bucket=bucket, Key="data/a", Body=b"x")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="logs/big")
    assert upload["AbortRuleId"] == "expire-logs"
    assert upload["AbortDate"].hour == 0 and upload["AbortDate"].minute == 0


def test_expiration_is_not_announced_to_a_read_that_names_a_version(s3, bucket):
    """S3 announces x-amz-expiration for the current object only when the read names no version."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 3}}]})
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    assert "Expiration" in s3.head_object(Bucket=bucket, Key="k")
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="k", VersionId=version)
    assert "Expiration" not in s3.get_object(Bucket=bucket, Key="k", VersionId=version)
