"""Archived objects and RestoreObject over boto3, with the service clock moved forward."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

BODY = b"cold bytes"


def put(s3, bucket, key="cold", storage_class="GLACIER", body=BODY):
    return s3.put_object(Bucket=bucket, Key=key, Body=body, StorageClass=storage_class)


def restore(s3, bucket, key="cold", days=1, tier=None, **kwargs):
    request = {"Days": days}
    if tier:
        request["GlacierJobParameters"] = {"Tier": tier}
    return s3.restore_object(Bucket=bucket, Key=key, RestoreRequest=request, **kwargs)


def status_of(response) -> int:
    return response["ResponseMetadata"]["HTTPStatusCode"]


def refused(call, *args, **kwargs) -> ClientError:
    with pytest.raises(ClientError) as exc:
        call(*args, **kwargs)
    return exc


def expiry_of(restore_header: str) -> datetime:
    date = restore_header.split('expiry-date="')[1].rstrip('"')
    return datetime.strptime(date, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)


def test_glacier_object_refuses_get_but_heads_with_its_storage_class(s3, bucket):
    put(s3, bucket)
    exc = refused(s3.get_object, Bucket=bucket, Key="cold")
    assert error_of(exc) == (403, "InvalidObjectState")
    assert exc.value.response["Error"]["Message"] == "The operation is not valid for the object's storage class"
    assert exc.value.response["StorageClass"] == "GLACIER"
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert head["StorageClass"] == "GLACIER" and head["ContentLength"] == len(BODY)
    assert "Restore" not in head


def test_glacier_restore_lifecycle_follows_the_service_clock(s3, bucket, lakebox_server):
    put(s3, bucket)
    assert status_of(restore(s3, bucket, days=2)) == 202
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] == 'ongoing-request="true"'
    assert error_of(refused(s3.get_object, Bucket=bucket, Key="cold")) == (403, "InvalidObjectState")
    exc = refused(restore, s3, bucket, days=2)
    assert error_of(exc) == (409, "RestoreAlreadyInProgress")
    assert exc.value.response["Error"]["Message"] == "Object restore is already in progress"

    lakebox_server.advance_clock("5h")  # a Standard Glacier restore takes 3-5 hours
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert head["Restore"].startswith('ongoing-request="false", expiry-date="')
    expiry = expiry_of(head["Restore"])
    assert (expiry.hour, expiry.minute, expiry.second) == (0, 0, 0)
    got = s3.get_object(Bucket=bucket, Key="cold")
    assert got["Body"].read() == BODY
    assert got["StorageClass"] == "GLACIER" and got["Restore"] == head["Restore"]

    # Asking again for a restored copy extends it (200), counted from now.
    lakebox_server.advance_clock("1d")
    assert status_of(restore(s3, bucket, days=3)) == 200
    extended = expiry_of(s3.head_object(Bucket=bucket, Key="cold")["Restore"])
    assert extended > expiry

    lakebox_server.advance_clock("4d")  # past the extended expiry
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold")
    assert error_of(refused(s3.get_object, Bucket=bucket, Key="cold")) == (403, "InvalidObjectState")
    assert status_of(restore(s3, bucket)) == 202  # a new restore, from the archive again


def test_restore_expiry_is_completion_plus_days_rounded_to_midnight(s3, bucket, lakebox_server):
    put(s3, bucket)
    restore(s3, bucket, days=1, tier="Expedited")
    lakebox_server.advance_clock("5m")
    expiry = expiry_of(s3.head_object(Bucket=bucket, Key="cold")["Restore"])
    now = lakebox_server.config.clock.now()
    assert now + timedelta(days=1) <= expiry <= now + timedelta(days=2)


def test_restore_defaults_to_standard_tier(s3, bucket, lakebox_server):
    put(s3, bucket)
    restore(s3, bucket)
    lakebox_server.advance_clock("4h")
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] == 'ongoing-request="true"'
    lakebox_server.advance_clock("1h")
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == BODY


def test_running_restore_can_be_sped_up_but_not_slowed_down(s3, bucket, lakebox_server):
    put(s3, bucket)
    restore(s3, bucket, tier="Bulk")
    assert error_of(refused(restore, s3, bucket, tier="Bulk")) == (409, "RestoreAlreadyInProgress")
    assert status_of(restore(s3, bucket, tier="Expedited")) == 202
    lakebox_server.advance_clock("5m")
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == BODY


def test_deep_archive_takes_up_to_twelve_hours_and_refuses_expedited(s3, bucket, lakebox_server):
    put(s3, bucket, storage_class="DEEP_ARCHIVE")
    assert error_of(refused(s3.get_object, Bucket=bucket, Key="cold")) == (403, "InvalidObjectState")
    assert error_of(refused(restore, s3, bucket, tier="Expedited")) == (400, "InvalidArgument")
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold")
    assert status_of(restore(s3, bucket, tier="Standard")) == 202
    lakebox_server.advance_clock("11h")
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] == 'ongoing-request="true"'
    lakebox_server.advance_clock("1h")
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == BODY


@pytest.mark.parametrize("storage_class", ["STANDARD", "GLACIER_IR", "STANDARD_IA"])
def test_restore_of_an_object_that_is_not_archived_is_refused(s3, bucket, storage_class):
    put(s3, bucket, storage_class=storage_class)
    exc = refused(restore, s3, bucket)
    # What S3 answers (as users' reports of real S3 show), not the ObjectAlreadyInActiveTierError
    # that botocore's model and the API reference name.
    assert error_of(exc) == (403, "InvalidObjectState")
    assert exc.value.response["Error"]["Message"] == "Restore is not allowed for the object's current storage class"
    assert exc.value.response["Error"]["StorageClass"] == storage_class


def test_intelligent_tiering_restore_with_days_is_invalid_argument(s3, bucket):
    put(s3, bucket, storage_class="INTELLIGENT_TIERING")
    assert error_of(refused(restore, s3, bucket)) == (400, "InvalidArgument")


def test_glacier_instant_retrieval_is_readable(s3, bucket):
    put(s3, bucket, storage_class="GLACIER_IR")
    got = s3.get_object(Bucket=bucket, Key="cold")
    assert got["Body"].read() == BODY and got["StorageClass"] == "GLACIER_IR" and "Restore" not in got


def test_restore_without_days_or_with_a_bad_tier_is_refused(s3, bucket):
    put(s3, bucket)
    assert error_of(refused(s3.restore_object, Bucket=bucket, Key="cold", RestoreRequest={})) == \
        (400, "InvalidArgument")
    assert error_of(refused(restore, s3, bucket, days=0)) == (400, "InvalidArgument")
    assert error_of(refused(restore, s3, bucket, tier="Instant")) == (400, "MalformedXML")


def test_restore_of_a_missing_key_is_no_such_key(s3, bucket):
    assert error_of(refused(restore, s3, bucket, key="missing")) == (404, "NoSuchKey")


def test_copy_of_an_archived_source_needs_a_finished_restore(s3, bucket, lakebox_server):
    put(s3, bucket)
    source = {"Bucket": bucket, "Key": "cold"}
    exc = refused(s3.copy_object, Bucket=bucket, Key="copy", CopySource=source)
    assert error_of(exc) == (403, "InvalidObjectState")
    assert exc.value.response["Error"]["Message"] == "Operation is not valid for the source object's storage class"
    restore(s3, bucket, tier="Expedited")
    lakebox_server.advance_clock("5m")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=source)
    copied = s3.get_object(Bucket=bucket, Key="copy")
    # The copy is a new STANDARD object: readable, with no restore of its own.
    assert copied["Body"].read() == BODY and "StorageClass" not in copied and "Restore" not in copied


def test_get_object_attributes_works_on_an_archived_object(s3, bucket):
    put(s3, bucket, storage_class="DEEP_ARCHIVE")
    attributes = s3.get_object_attributes(Bucket=bucket, Key="cold", ObjectAttributes=["StorageClass", "ObjectSize"])
    assert attributes["StorageClass"] == "DEEP_ARCHIVE" and attributes["ObjectSize"] == len(BODY)


def test_listings_show_storage_class_and_restore_status_when_asked(s3, bucket, lakebox_server):
    put(s3, bucket, key="a-ongoing")
    put(s3, bucket, key="b-restored", storage_class="DEEP_ARCHIVE")
    put(s3, bucket, key="c-archived")
    put(s3, bucket, key="d-standard", storage_class="STANDARD")
    restore(s3, bucket, key="b-restored", tier="Standard")
    lakebox_server.advance_clock("12h")
    restore(s3, bucket, key="a-ongoing")

    plain = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["StorageClass"] for o in plain] == ["GLACIER", "DEEP_ARCHIVE", "GLACIER", "STANDARD"]
    assert not any("RestoreStatus" in o for o in plain)

    for listed in (s3.list_objects_v2(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])["Contents"],
                   s3.list_objects(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])["Contents"],
                   s3.list_object_versions(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])["Versions"]):
        status = {o["Key"]: o.get("RestoreStatus") for o in listed}
        assert status["a-ongoing"] == {"IsRestoreInProgress": True}
        assert status["b-restored"]["IsRestoreInProgress"] is False
        assert status["b-restored"]["RestoreExpiryDate"].hour == 0
        assert status["c-archived"] is None and status["d-standard"] is None


def test_restore_of_a_specific_version_in_a_versioned_bucket(s3, bucket, lakebox_server):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = put(s3, bucket, body=b"old")["VersionId"]
    new = put(s3, bucket, body=b"new")["VersionId"]
    assert status_of(restore(s3, bucket, VersionId=old, tier="Expedited")) == 202
    assert s3.head_object(Bucket=bucket, Key="cold", VersionId=old)["Restore"] == 'ongoing-request="true"'
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold", VersionId=new)

    lakebox_server.advance_clock("5m")
    got = s3.get_object(Bucket=bucket, Key="cold", VersionId=old)
    assert got["Body"].read() == b"old" and got["VersionId"] == old
    assert error_of(refused(s3.get_object, Bucket=bucket, Key="cold")) == (403, "InvalidObjectState")
    # The current version has a restore of its own.
    assert status_of(restore(s3, bucket)) == 202
    assert status_of(restore(s3, bucket, VersionId=old)) == 200


def test_restore_of_a_missing_version_is_no_such_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put(s3, bucket)
    assert error_of(refused(restore, s3, bucket, VersionId="A" * 32)) == (404, "NoSuchVersion")


def test_restore_survives_a_replaced_object_only_on_its_own_version(s3, bucket, lakebox_server):
    put(s3, bucket)
    restore(s3, bucket, tier="Expedited")
    lakebox_server.advance_clock("5m")
    put(s3, bucket, body=b"replaced")  # a new object: archived again, with no restore
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold")
    assert error_of(refused(s3.get_object, Bucket=bucket, Key="cold")) == (403, "InvalidObjectState")


@pytest.mark.parametrize("storage_class", ["OUTPOSTS", "EXPRESS_ONEZONE", "SNOW", "FSX_OPENZFS"])
def test_storage_classes_of_other_kinds_of_storage_are_invalid_here(s3, bucket, storage_class):
    exc = refused(put, s3, bucket, storage_class=storage_class)
    assert error_of(exc) == (400, "InvalidStorageClass")


@pytest.mark.parametrize("storage_class", ["REDUCED_REDUNDANCY", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"])
def test_general_purpose_storage_classes_are_stored_and_returned(s3, bucket, storage_class):
    put(s3, bucket, key="k", storage_class=storage_class)
    assert s3.head_object(Bucket=bucket, Key="k")["StorageClass"] == storage_class
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["StorageClass"] == storage_class


def test_clock_jump_over_http_completes_a_restore_at_once(s3, bucket, lakebox_server):
    import requests

    put(s3, bucket)
    restore(s3, bucket)
    response = requests.post(f"{lakebox_server.endpoint_url}/_lakebox/clock", json={"advance": "5h"}, timeout=10)
    assert response.status_code == 200
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"].startswith('ongoing-request="false"')
