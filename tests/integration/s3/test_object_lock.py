"""S3 Object Lock through boto3: lock buckets, default retention, per-version retention and legal
holds, and the deletes they refuse, with the codes and statuses S3 answers."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

FAR = dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc)
LATER = dt.datetime(2099, 6, 1, tzinfo=dt.timezone.utc)
LOCKED_MESSAGE = "Access Denied because object protected by object lock."


@pytest.fixture
def locked(s3):
    name = f"lock-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def _put(s3, bucket, key="file", body=b"abc", **kwargs) -> str:
    return s3.put_object(Bucket=bucket, Key=key, Body=body, **kwargs)["VersionId"]


def _governance(s3, bucket, key, until=FAR, **kwargs):
    return s3.put_object_retention(Bucket=bucket, Key=key, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until},
                                   **kwargs)


def _config(mode="GOVERNANCE", **period) -> dict:
    return {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": mode, **period}}}


# The bucket


def test_bucket_created_with_object_lock_is_versioned_and_cannot_be_suspended(s3, locked):
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_versioning(Bucket=locked, VersioningConfiguration={"Status": "Suspended"})
    assert error_of(exc) == (409, "InvalidBucketState")
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"


def test_get_lock_configuration_of_plain_bucket_is_not_found(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_object_lock_configuration(Bucket=bucket)
    assert error_of(exc) == (404, "ObjectLockConfigurationNotFoundError")
    assert exc.value.response["Error"]["Message"] == "Object Lock configuration does not exist for this bucket"


def test_default_retention_is_stored_and_answered(s3, locked):
    for config in (_config(Days=1), _config("COMPLIANCE", Years=1)):
        s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=config)
        assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == config
    # Enabled alone removes the default rule.
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}


def test_a_configuration_without_a_document_is_missing_request_body(s3, locked):
    """No body at all is MissingRequestBodyError; an empty document is MalformedXML (as AWS answers)."""
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=_config(Days=1))
    with pytest.raises(ClientError) as exc:
        s3.put_object_lock_configuration(Bucket=locked)
    assert error_of(exc) == (400, "MissingRequestBodyError")
    assert exc.value.response["Error"]["Message"] == "Request Body is empty"
    with pytest.raises(ClientError) as exc:
        s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={})
    assert error_of(exc) == (400, "MalformedXML")
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == _config(Days=1)


@pytest.mark.parametrize("config, expected", [
    (_config(Days=1, Years=1), (400, "MalformedXML")),
    (_config(), (400, "MalformedXML")),
    (_config("governance", Days=1), (400, "MalformedXML")),
    (_config("abc", Years=1), (400, "MalformedXML")),
    ({"ObjectLockEnabled": "Disabled"}, (400, "MalformedXML")),
    ({"Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}, (400, "MalformedXML")),
    ({"ObjectLockEnabled": "Enabled", "Rule": {}}, (400, "MalformedXML")),
    (_config(Days=0), (400, "InvalidArgument")),
    (_config(Years=-1), (400, "InvalidArgument")),
    (_config(Years=101), (400, "InvalidArgument")),
])
def test_invalid_lock_configuration_is_refused(s3, locked, config, expected):
    with pytest.raises(ClientError) as exc:
        s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=config)
    assert error_of(exc) == expected
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}


def test_lock_configuration_on_existing_bucket_needs_versioning_enabled(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=_config(Days=1))
    assert error_of(exc) == (409, "InvalidBucketState")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    with pytest.raises(ClientError) as exc:
        s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=_config(Days=1))
    assert error_of(exc) == (409, "InvalidBucketState")

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=_config(Days=1))
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == _config(Days=1)
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert error_of(exc) == (409, "InvalidBucketState")


# Retention and legal hold of a version


def test_retention_and_legal_hold_are_put_and_read_back(s3, locked):
    version = _put(s3, locked)
    _governance(s3, locked, "file")
    assert s3.get_object_retention(Bucket=locked, Key="file")["Retention"] == {"Mode": "GOVERNANCE", "RetainUntilDate": FAR}
    s3.put_object_legal_hold(Bucket=locked, Key="file", VersionId=version, LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=locked, Key="file", VersionId=version)["LegalHold"] == {"Status": "ON"}

    for read in (s3.head_object, s3.get_object):
        out = read(Bucket=locked, Key="file")
        assert out["ObjectLockMode"] == "GOVERNANCE"
        assert out["ObjectLockRetainUntilDate"] == FAR
        assert out["ObjectLockLegalHoldStatus"] == "ON"


def test_retention_applies_to_the_version_named(s3, locked):
    first = _put(s3, locked)
    _put(s3, locked)
    _governance(s3, locked, "file", VersionId=first)
    assert s3.get_object_retention(Bucket=locked, Key="file", VersionId=first)["Retention"]["Mode"] == "GOVERNANCE"
    with pytest.raises(ClientError) as exc:
        s3.get_object_retention(Bucket=locked, Key="file")
    assert error_of(exc) == (404, "NoSuchObjectLockConfiguration")
    assert "ObjectLockMode" not in s3.head_object(Bucket=locked, Key="file")


def test_version_without_lock_has_no_lock_configuration(s3, locked):
    _put(s3, locked)
    for read in (s3.get_object_retention, s3.get_object_legal_hold):
        with pytest.raises(ClientError) as exc:
            read(Bucket=locked, Key="file")
        assert error_of(exc) == (404, "NoSuchObjectLockConfiguration")
        assert exc.value.response["Error"]["Message"] == "The specified object does not have a ObjectLock configuration"


def test_retention_and_legal_hold_on_bucket_without_lock_are_invalid_requests(s3, bucket):
    s3.put_object(Bucket=bucket, Key="file", Body=b"abc")
    calls = [
        lambda: _governance(s3, bucket, "file"),
        lambda: s3.get_object_retention(Bucket=bucket, Key="file"),
        lambda: s3.put_object_legal_hold(Bucket=bucket, Key="file", LegalHold={"Status": "ON"}),
        lambda: s3.get_object_legal_hold(Bucket=bucket, Key="file"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (400, "InvalidRequest")
        assert exc.value.response["Error"]["Message"] == "Bucket is missing Object Lock Configuration"


def test_bad_retention_and_legal_hold_documents_are_refused(s3, locked):
    _put(s3, locked)
    for retention in ({"Mode": "governance", "RetainUntilDate": FAR}, {"Mode": "abc", "RetainUntilDate": FAR},
                      {"Mode": "GOVERNANCE"}):
        with pytest.raises(ClientError) as exc:
            s3.put_object_retention(Bucket=locked, Key="file", Retention=retention)
        assert error_of(exc) == (400, "MalformedXML")
    with pytest.raises(ClientError) as exc:
        s3.put_object_legal_hold(Bucket=locked, Key="file", LegalHold={"Status": "abc"})
    assert error_of(exc) == (400, "MalformedXML")


def test_retain_until_date_in_the_past_is_invalid(s3, locked):
    _put(s3, locked)
    past = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)
    with pytest.raises(ClientError) as exc:
        _governance(s3, locked, "file", until=past)
    assert error_of(exc) == (400, "InvalidArgument")
    assert exc.value.response["Error"]["Message"] == "The retain until date must be in the future!"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=locked, Key="other", Body=b"x", ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate=past)
    assert error_of(exc) == (400, "InvalidArgument")


def test_governance_retention_is_extended_freely_and_shortened_only_with_bypass(s3, locked):
    _put(s3, locked)
    _governance(s3, locked, "file", until=FAR)
    _governance(s3, locked, "file", until=LATER)
    with pytest.raises(ClientError) as exc:
        _governance(s3, locked, "file", until=FAR)
    assert error_of(exc) == (403, "AccessDenied")
    with pytest.raises(ClientError) as exc:
        s3.put_object_retention(Bucket=locked, Key="file", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": LATER})
    assert error_of(exc) == (403, "AccessDenied")

    _governance(s3, locked, "file", until=FAR, BypassGovernanceRetention=True)
    assert s3.get_object_retention(Bucket=locked, Key="file")["Retention"]["RetainUntilDate"] == FAR
    # An empty retention with the bypass removes it.
    s3.put_object_retention(Bucket=locked, Key="file", Retention={}, BypassGovernanceRetention=True)
    with pytest.raises(ClientError) as exc:
        s3.get_object_retention(Bucket=locked, Key="file")
    assert error_of(exc) == (404, "NoSuchObjectLockConfiguration")


def test_compliance_retention_can_be_extended_but_never_shortened_changed_or_removed(s3, locked):
    _put(s3, locked, ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=FAR)
    s3.put_object_retention(Bucket=locked, Key="file", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": LATER})
    refused = [
        {"Mode": "COMPLIANCE", "RetainUntilDate": FAR},
        {"Mode": "GOVERNANCE", "RetainUntilDate": LATER + dt.timedelta(days=1)},
        {},
    ]
    for retention in refused:
        with pytest.raises(ClientError) as exc:
            s3.put_object_retention(Bucket=locked, Key="file", Retention=retention, BypassGovernanceRetention=True)
        assert error_of(exc) == (403, "AccessDenied")
    assert s3.get_object_retention(Bucket=locked, Key="file")["Retention"] == {"Mode": "COMPLIANCE",
                                                                               "RetainUntilDate": LATER}


# Deletes


def test_delete_of_version_under_governance_needs_bypass(s3, locked):
    version = _put(s3, locked)
    _governance(s3, locked, "file")
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=locked, Key="file", VersionId=version)
    assert error_of(exc) == (403, "AccessDenied")
    assert exc.value.response["Error"]["Message"] == LOCKED_MESSAGE
    assert s3.head_object(Bucket=locked, Key="file", VersionId=version)["VersionId"] == version

    out = s3.delete_object(Bucket=locked, Key="file", VersionId=version, BypassGovernanceRetention=True)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "Versions" not in s3.list_object_versions(Bucket=locked)


def test_delete_of_version_under_compliance_is_refused_even_with_bypass(s3, locked):
    version = _put(s3, locked, ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=FAR)
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=locked, Key="file", VersionId=version, BypassGovernanceRetention=True)
    assert error_of(exc) == (403, "AccessDenied")


def test_retention_ends_on_the_service_clock(s3, locked, lakebox_server):
    until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    version = _put(s3, locked, ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)
    with pytest.raises(ClientError):
        s3.delete_object(Bucket=locked, Key="file", VersionId=version)
    lakebox_server.advance_clock("2d")
    s3.delete_object(Bucket=locked, Key="file", VersionId=version)
    assert "Versions" not in s3.list_object_versions(Bucket=locked)


def test_legal_hold_refuses_delete_until_released_whatever_the_bypass(s3, locked):
    version = _put(s3, locked, ObjectLockLegalHoldStatus="ON")
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=locked, Key="file", VersionId=version, BypassGovernanceRetention=True)
    assert error_of(exc) == (403, "AccessDenied")
    s3.put_object_legal_hold(Bucket=locked, Key="file", LegalHold={"Status": "OFF"})
    assert s3.delete_object(Bucket=locked, Key="file", VersionId=version)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_delete_without_version_adds_a_marker_over_a_locked_version(s3, locked):
    version = _put(s3, locked, ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=FAR)
    marker = s3.delete_object(Bucket=locked, Key="file")
    assert marker["DeleteMarker"] is True
    # The marker itself is not protected; the version under it still is.
    s3.delete_object(Bucket=locked, Key="file", VersionId=marker["VersionId"])
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=locked, Key="file", VersionId=version)
    assert error_of(exc) == (403, "AccessDenied")


def test_delete_objects_answers_locked_versions_with_access_denied(s3, locked):
    first = _put(s3, locked, key="one")
    second = _put(s3, locked, key="two")
    _governance(s3, locked, "one")
    out = s3.delete_objects(Bucket=locked, Delete={"Objects": [{"Key": "one", "VersionId": first},
                                                               {"Key": "two", "VersionId": second}]})
    assert out["Deleted"] == [{"Key": "two", "VersionId": second}]
    assert out["Errors"] == [{"Key": "one", "VersionId": first, "Code": "AccessDenied", "Message": LOCKED_MESSAGE}]

    out = s3.delete_objects(Bucket=locked, Delete={"Objects": [{"Key": "one", "VersionId": first}]},
                            BypassGovernanceRetention=True)
    assert out["Deleted"] == [{"Key": "one", "VersionId": first}]
    assert "Errors" not in out


# New versions: lock headers and the bucket's default retention


def test_put_with_lock_headers_stores_them_on_the_new_version(s3, locked):
    version = _put(s3, locked, ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=FAR,
                   ObjectLockLegalHoldStatus="ON")
    out = s3.head_object(Bucket=locked, Key="file", VersionId=version)
    assert (out["ObjectLockMode"], out["ObjectLockRetainUntilDate"], out["ObjectLockLegalHoldStatus"]) == \
        ("GOVERNANCE", FAR, "ON")


@pytest.mark.parametrize("headers, argument", [
    ({"ObjectLockMode": "GOVERNANCE"}, "x-amz-object-lock-retain-until-date"),
    ({"ObjectLockRetainUntilDate": FAR}, "x-amz-object-lock-mode"),
    ({"ObjectLockMode": "SOMETIMES", "ObjectLockRetainUntilDate": FAR}, "x-amz-object-lock-mode"),
    ({"ObjectLockLegalHoldStatus": "MAYBE"}, "x-amz-object-lock-legal-hold"),
])
def test_incomplete_or_bad_lock_headers_are_invalid_arguments(s3, locked, headers, argument):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=locked, Key="file", Body=b"abc", **headers)
    assert error_of(exc) == (400, "InvalidArgument")
    assert exc.value.response["Error"]["ArgumentName"] == argument


def test_default_retention_applies_to_new_versions_from_the_service_clock(s3, locked, lakebox_server):
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=_config(Days=1))
    lakebox_server.advance_clock("10d")
    version = _put(s3, locked)
    out = s3.head_object(Bucket=locked, Key="file")
    assert out["ObjectLockMode"] == "GOVERNANCE"
    assert abs(out["ObjectLockRetainUntilDate"] - (out["LastModified"] + dt.timedelta(days=1))) < dt.timedelta(minutes=2)
    assert "ObjectLockLegalHoldStatus" not in out
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=locked, Key="file", VersionId=version)
    assert error_of(exc) == (403, "AccessDenied")
    # A version's own retention overrides the default.
    _put(s3, locked, key="own", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=FAR)
    assert s3.head_object(Bucket=locked, Key="own")["ObjectLockMode"] == "COMPLIANCE"


def test_copy_gets_its_own_lock_never_the_sources(s3, locked):
    _put(s3, locked, ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=FAR, ObjectLockLegalHoldStatus="ON")
    s3.copy_object(Bucket=locked, Key="plain", CopySource={"Bucket": locked, "Key": "file"})
    out = s3.head_object(Bucket=locked, Key="plain")
    assert not any(name.startswith("ObjectLock") for name in out)
    s3.copy_object(Bucket=locked, Key="held", CopySource={"Bucket": locked, "Key": "file"},
                   ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=LATER)
    out = s3.head_object(Bucket=locked, Key="held")
    assert (out["ObjectLockMode"], out["ObjectLockRetainUntilDate"]) == ("GOVERNANCE", LATER)


def test_multipart_upload_with_lock_headers_locks_the_completed_version(s3, locked):
    upload = s3.create_multipart_upload(Bucket=locked, Key="big", ObjectLockLegalHoldStatus="ON")["UploadId"]
    etag = s3.upload_part(Bucket=locked, Key="big", UploadId=upload, PartNumber=1, Body=b"abc")["ETag"]
    version = s3.complete_multipart_upload(Bucket=locked, Key="big", UploadId=upload,
                                           MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]})["VersionId"]
    assert s3.get_object_legal_hold(Bucket=locked, Key="big")["LegalHold"] == {"Status": "ON"}
    with pytest.raises(ClientError) as exc:
        s3.delete_object(Bucket=locked, Key="big", VersionId=version)
    assert error_of(exc) == (403, "AccessDenied")


def test_bucket_without_lock_refuses_lock_parameters_on_every_write(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"abc")
    writes = [
        lambda: s3.put_object(Bucket=bucket, Key="file", Body=b"abc", ObjectLockLegalHoldStatus="OFF"),
        lambda: s3.put_object(Bucket=bucket, Key="file", Body=b"abc", ObjectLockMode="GOVERNANCE",
                              ObjectLockRetainUntilDate=FAR),
        lambda: s3.copy_object(Bucket=bucket, Key="file", CopySource={"Bucket": bucket, "Key": "src"},
                               ObjectLockLegalHoldStatus="ON"),
        lambda: s3.create_multipart_upload(Bucket=bucket, Key="file", ObjectLockMode="COMPLIANCE",
                                           ObjectLockRetainUntilDate=FAR),
    ]
    for write in writes:
        with pytest.raises(ClientError) as exc:
            write()
        assert error_of(exc) == (400, "InvalidRequest")
        assert exc.value.response["Error"]["Message"] == "Bucket is missing Object Lock Configuration"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["src"]


# The integrity header a locked PutObject needs


@pytest.fixture
def bare(lakebox_server):
    """A client that sends no checksum unless an operation requires one (botocore adds one by default)."""
    return make_client(lakebox_server.endpoint_url, request_checksum_calculation="when_required")


def test_locked_put_needs_content_md5_or_a_checksum(bare, locked):
    with pytest.raises(ClientError) as exc:
        bare.put_object(Bucket=locked, Key="file", Body=b"abc", ObjectLockLegalHoldStatus="ON")
    assert error_of(exc) == (400, "InvalidRequest")
    assert exc.value.response["Error"]["Message"] == (
        "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters")
    md5 = base64.b64encode(hashlib.md5(b"abc").digest()).decode()
    bare.put_object(Bucket=locked, Key="file", Body=b"abc", ObjectLockLegalHoldStatus="ON", ContentMD5=md5)
    bare.put_object(Bucket=locked, Key="crc", Body=b"abc", ObjectLockLegalHoldStatus="ON", ChecksumAlgorithm="CRC32")
    # Without lock parameters, and with no default retention, nothing is required.
    bare.put_object(Bucket=locked, Key="plain", Body=b"abc")


def test_put_into_bucket_with_default_retention_needs_the_integrity_header(bare, locked):
    bare.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=_config(Days=1))
    with pytest.raises(ClientError) as exc:
        bare.put_object(Bucket=locked, Key="file", Body=b"abc")
    assert error_of(exc) == (400, "InvalidRequest")
    md5 = base64.b64encode(hashlib.md5(b"abc").digest()).decode()
    bare.put_object(Bucket=locked, Key="file", Body=b"abc", ContentMD5=md5)
    assert bare.head_object(Bucket=locked, Key="file")["ObjectLockMode"] == "GOVERNANCE"
