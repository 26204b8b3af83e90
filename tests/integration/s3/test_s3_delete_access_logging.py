"""Two S3 answers that LocalStack's tests written against S3 show:

- Deleting by the bucket's WRITE grant (a public-read-write bucket): S3 lets a requester that is not
  the bucket owner delete only the objects it owns ("for the bucket and object owners of existing
  objects", AWS's ACL documentation says). An anonymous DeleteObjects deletes what unsigned requests
  wrote and answers AccessDenied for the bucket owner's keys, key by key (the assertions of
  TestS3::test_s3_batch_delete_objects_using_requests_with_acl; its snapshot holds nothing), and
  DeleteObject answers alike.
- PutBucketLogging's target checks (TestS3BucketLogging snapshots, recorded on S3 in 2026): a target
  bucket that does not exist is 400 InvalidTargetBucketForLogging, one in another region is 403
  CrossLocationLoggingProhibitted (sic), naming the target's region, and the source's too unless it
  is us-east-1.
"""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client


ANONYMOUS_ID = "65a011a29cdf8ec533ec3d1ccaae921c"
DENIED = {"Code": "AccessDenied", "Message": "Access Denied"}


def _name(prefix: str = "b") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _logging_to(target: str) -> dict:
    return {"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "log"}}


def _error(exc: pytest.ExceptionInfo) -> tuple[int, dict]:
    response = exc.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]


@pytest.fixture
def bucket_in(lakebox_server):
    """Makes a bucket in a region, through that region's endpoint, and returns (client, name)."""
    def make(region: str) -> tuple:
        client = make_client(lakebox_server.endpoint_url, region=region)
        name = _name()
        config = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        client.create_bucket(Bucket=name, **config)
        return client, name
    return make


# -- deleting by a WRITE grant ---------------------------------------------------------------------


@pytest.fixture
def public(s3):
    """A public-read-write bucket, made as one is since 2023: ObjectWriter, no public access block."""
    name = _name("public")
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket=name)
    s3.put_bucket_acl(Bucket=name, ACL="public-read-write")
    return name


def _keys(s3, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_anonymous_delete_objects_deletes_only_what_it_wrote(s3, anon, public):
    s3.put_object(Bucket=public, Key="key-created-by-owner", Body=b"owner", ACL="public-read-write")
    anon.put_object(Bucket=public, Key="key-created-by-anonymous", Body=b"anon", ACL="public-read-write")
    response = anon.delete_objects(Bucket=public, Delete={"Objects": [
        {"Key": "key-created-by-owner"}, {"Key": "key-created-by-anonymous"}]})
    assert response["Errors"] == [{"Key": "key-created-by-owner", **DENIED}]
    assert response["Deleted"] == [{"Key": "key-created-by-anonymous"}]
    assert _keys(s3, public) == ["key-created-by-owner"]
    assert s3.get_object(Bucket=public, Key="key-created-by-owner")["Body"].read() == b"owner"


def test_anonymous_delete_objects_of_its_own_keys_and_missing_ones_deletes_them(s3, anon, public):
    for key in ("anon-1", "anon-2"):
        anon.put_object(Bucket=public, Key=key, Body=b"x")
    response = anon.delete_objects(Bucket=public, Delete={"Objects": [
        {"Key": "anon-1"}, {"Key": "anon-2"}, {"Key": "never-written"}]})
    assert sorted(d["Key"] for d in response["Deleted"]) == ["anon-1", "anon-2", "never-written"]
    assert "Errors" not in response
    assert _keys(s3, public) == []


def test_quiet_anonymous_delete_objects_still_reports_the_refused_key(s3, anon, public):
    s3.put_object(Bucket=public, Key="owned", Body=b"x")
    anon.put_object(Bucket=public, Key="dropped", Body=b"y")
    response = anon.delete_objects(Bucket=public, Delete={"Quiet": True, "Objects": [
        {"Key": "owned"}, {"Key": "dropped"}]})
    assert response["Errors"] == [{"Key": "owned", **DENIED}]
    assert "Deleted" not in response
    assert _keys(s3, public) == ["owned"]


def test_anonymous_delete_object_of_the_owners_key_is_denied(s3, anon, public):
    s3.put_object(Bucket=public, Key="owned", Body=b"x", ACL="public-read-write")
    anon.put_object(Bucket=public, Key="dropped", Body=b"y")
    with pytest.raises(ClientError) as exc:
        anon.delete_object(Bucket=public, Key="owned")
    assert error_of(exc) == (403, "AccessDenied")
    assert anon.delete_object(Bucket=public, Key="dropped")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert anon.delete_object(Bucket=public, Key="never-written")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert _keys(s3, public) == ["owned"]


def test_what_an_unsigned_request_writes_belongs_to_the_anonymous_user(s3, anon, public):
    anon.put_object(Bucket=public, Key="dropped", Body=b"y")
    assert s3.get_object_acl(Bucket=public, Key="dropped")["Owner"]["ID"] == ANONYMOUS_ID
    # the bucket owner may still delete it, as everything in its bucket
    s3.delete_objects(Bucket=public, Delete={"Objects": [{"Key": "dropped"}]})
    assert _keys(s3, public) == []


def test_another_account_with_a_write_grant_deletes_only_its_own_objects(s3, other, public):
    s3.put_object(Bucket=public, Key="a-owns", Body=b"x")
    other.put_object(Bucket=public, Key="b-owns", Body=b"y")
    response = other.delete_objects(Bucket=public, Delete={"Objects": [{"Key": "a-owns"}, {"Key": "b-owns"}]})
    assert response["Errors"] == [{"Key": "a-owns", **DENIED}]
    assert response["Deleted"] == [{"Key": "b-owns"}]
    with pytest.raises(ClientError) as exc:
        other.delete_object(Bucket=public, Key="a-owns")
    assert error_of(exc) == (403, "AccessDenied")
    assert _keys(s3, public) == ["a-owns"]


def test_a_bucket_policy_that_allows_the_delete_overrides_ownership(s3, anon, public):
    s3.put_object(Bucket=public, Key="owned", Body=b"x")
    s3.put_object(Bucket=public, Key="kept", Body=b"x")
    s3.put_bucket_policy(Bucket=public, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:DeleteObject",
        "Resource": f"arn:aws:s3:::{public}/owned"}]}))
    response = anon.delete_objects(Bucket=public, Delete={"Objects": [{"Key": "owned"}, {"Key": "kept"}]})
    assert response["Deleted"] == [{"Key": "owned"}]
    assert response["Errors"] == [{"Key": "kept", **DENIED}]
    assert _keys(s3, public) == ["kept"]


def test_anonymous_delete_in_a_versioned_bucket_is_refused_for_the_owners_versions(s3, anon, public):
    s3.put_bucket_versioning(Bucket=public, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=public, Key="owned", Body=b"x")["VersionId"]
    response = anon.delete_objects(Bucket=public, Delete={"Objects": [
        {"Key": "owned"}, {"Key": "owned", "VersionId": version}]})
    assert response["Errors"] == [{"Key": "owned", **DENIED}, {"Key": "owned", "VersionId": version, **DENIED}]
    assert s3.get_object(Bucket=public, Key="owned")["VersionId"] == version


# -- PutBucketLogging: the target bucket ----------------------------------------------------------


def test_logging_to_a_bucket_in_another_region_from_us_east_1_names_the_target_region(bucket_in):
    client, source = bucket_in("us-east-1")
    _, target = bucket_in("us-west-2")
    with pytest.raises(ClientError) as exc:
        client.put_bucket_logging(Bucket=source, BucketLoggingStatus=_logging_to(target))
    status, error = _error(exc)
    assert status == 403
    assert error["Code"] == "CrossLocationLoggingProhibitted"
    assert error["Message"] == "Cross S3 location logging not allowed. "
    assert error["TargetBucketLocation"] == "us-west-2"
    assert "SourceBucketLocation" not in error
    assert "LoggingEnabled" not in client.get_bucket_logging(Bucket=source)


def test_logging_between_two_other_regions_names_both(bucket_in):
    client, source = bucket_in("us-east-2")
    _, target = bucket_in("us-west-2")
    with pytest.raises(ClientError) as exc:
        client.put_bucket_logging(Bucket=source, BucketLoggingStatus=_logging_to(target))
    status, error = _error(exc)
    assert status == 403
    assert error["Code"] == "CrossLocationLoggingProhibitted"
    assert (error["SourceBucketLocation"], error["TargetBucketLocation"]) == ("us-east-2", "us-west-2")
    assert "LoggingEnabled" not in client.get_bucket_logging(Bucket=source)


def test_logging_to_a_missing_bucket_names_it(bucket_in):
    client, source = bucket_in("us-east-1")
    missing = _name("target")
    with pytest.raises(ClientError) as exc:
        client.put_bucket_logging(Bucket=source, BucketLoggingStatus=_logging_to(missing))
    status, error = _error(exc)
    assert status == 400
    assert error["Code"] == "InvalidTargetBucketForLogging"
    assert error["Message"] == "The target bucket for logging does not exist"
    assert error["TargetBucket"] == missing


def test_logging_within_a_region_other_than_us_east_1_is_accepted(bucket_in):
    client, source = bucket_in("eu-west-1")
    _, target = bucket_in("eu-west-1")
    client.put_bucket_logging(Bucket=source, BucketLoggingStatus=_logging_to(target))
    assert client.get_bucket_logging(Bucket=source)["LoggingEnabled"] == {"TargetBucket": target,
                                                                         "TargetPrefix": "log"}
