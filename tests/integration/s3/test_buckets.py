"""Buckets: create with AWS's region rules, head, list, delete, location, naming rules."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from lakebox.config import Credential
from lakebox.testing import running_lakebox

from s3_helpers import error_of, make_client


def test_create_bucket_then_list_shows_it_with_owner_and_creation_date(s3):
    s3.create_bucket(Bucket="alpha-bucket")
    s3.create_bucket(Bucket="beta-bucket")
    listing = s3.list_buckets()
    names = [b["Name"] for b in listing["Buckets"]]
    assert names == ["alpha-bucket", "beta-bucket"]
    assert listing["Owner"]["ID"] and len(listing["Owner"]["ID"]) == 64
    assert listing["Buckets"][0]["CreationDate"].tzinfo is not None
    assert listing["Buckets"][0]["BucketRegion"] == "us-east-1"


def test_create_bucket_returns_location_header(s3):
    response = s3.create_bucket(Bucket="located")
    assert response["Location"] == "/located"


def test_recreate_own_bucket_in_us_east_1_succeeds(s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"kept")
    response = s3.create_bucket(Bucket=bucket)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    # re-creating must not wipe the bucket
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"kept"


def test_recreate_own_bucket_in_other_region_is_already_owned_by_you(lakebox_server):
    eu = make_client(lakebox_server.endpoint_url, region="eu-west-1")
    eu.create_bucket(Bucket="eu-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with pytest.raises(ClientError) as exc:
        eu.create_bucket(Bucket="eu-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert error_of(exc) == (409, "BucketAlreadyOwnedByYou")
    assert exc.value.response["Error"]["BucketName"] == "eu-bucket"


def test_location_constraint_must_match_request_region(lakebox_server):
    eu = make_client(lakebox_server.endpoint_url, region="eu-west-1")
    with pytest.raises(ClientError) as exc:
        eu.create_bucket(Bucket="wrong-region", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert error_of(exc) == (400, "IllegalLocationConstraintException")
    assert "us-west-2" in exc.value.response["Error"]["Message"]


def test_missing_location_constraint_outside_us_east_1_is_illegal(lakebox_server):
    eu = make_client(lakebox_server.endpoint_url, region="eu-west-1")
    with pytest.raises(ClientError) as exc:
        eu.create_bucket(Bucket="no-constraint")
    assert error_of(exc) == (400, "IllegalLocationConstraintException")
    assert "unspecified" in exc.value.response["Error"]["Message"]


def test_us_east_1_location_constraint_is_invalid(s3):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="explicit-east", CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert error_of(exc) == (400, "InvalidLocationConstraint")


def test_get_bucket_location_is_none_for_us_east_1_and_region_elsewhere(lakebox_server, s3, bucket):
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None
    eu = make_client(lakebox_server.endpoint_url, region="eu-west-1")
    eu.create_bucket(Bucket="in-ireland", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert eu.get_bucket_location(Bucket="in-ireland")["LocationConstraint"] == "eu-west-1"


def test_head_bucket_reports_region_and_404_without_body(lakebox_server, s3, bucket):
    response = s3.head_bucket(Bucket=bucket)
    assert response["BucketRegion"] == "us-east-1"
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    assert response["BucketArn"] == f"arn:aws:s3:::{bucket}"
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket="does-not-exist-here")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    import requests

    raw = requests.head(f"{lakebox_server.endpoint_url}/does-not-exist-here")
    assert raw.status_code == 404
    assert raw.content == b""


@pytest.mark.parametrize(
    "name",
    ["a", "ab", "x" * 64, "Upper-Case", "under_score", "-leading", "trailing-", "two..dots", "192.168.5.4",
     "xn--punycode", "bucket-s3alias"],
)
def test_invalid_bucket_names_are_refused(s3, name):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name)
    assert error_of(exc) == (400, "InvalidBucketName")


@pytest.mark.parametrize("name", ["abc", "x" * 63, "with-hyphen", "with.period", "0starts-digit"])
def test_valid_bucket_names_are_accepted(s3, name):
    s3.create_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_delete_bucket_answers_204_and_bucket_is_gone(s3, bucket):
    response = s3.delete_bucket(Bucket=bucket)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=bucket)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_delete_non_empty_bucket_is_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(exc) == (409, "BucketNotEmpty")
    assert exc.value.response["Error"]["BucketName"] == bucket


def test_delete_missing_bucket_is_no_such_bucket_with_bucket_name(s3):
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket="never-created")
    assert error_of(exc) == (404, "NoSuchBucket")
    assert exc.value.response["Error"]["BucketName"] == "never-created"


def test_list_buckets_paginates_with_max_buckets_and_filters_prefix(s3):
    for name in ("page-a", "page-b", "page-c", "other-d"):
        s3.create_bucket(Bucket=name)
    first = s3.list_buckets(MaxBuckets=2)
    assert [b["Name"] for b in first["Buckets"]] == ["other-d", "page-a"]
    second = s3.list_buckets(MaxBuckets=2, ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in second["Buckets"]] == ["page-b", "page-c"]
    assert "ContinuationToken" not in second
    filtered = s3.list_buckets(Prefix="page-")
    assert [b["Name"] for b in filtered["Buckets"]] == ["page-a", "page-b", "page-c"]
    assert filtered["Prefix"] == "page-"


def test_expected_bucket_owner_mismatch_is_access_denied(s3, bucket):
    s3.list_objects_v2(Bucket=bucket, ExpectedBucketOwner="000000000000")
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=bucket, ExpectedBucketOwner="123456789012")
    assert error_of(exc) == (403, "AccessDenied")


def test_buckets_are_per_account_and_names_are_global(tmp_path):
    creds = {"alt-key": Credential("alt-key", "alt-secret", "111111111111")}
    with running_lakebox(tmp_path / "data", credentials=creds) as server:
        main = make_client(server.endpoint_url)
        alt = make_client(server.endpoint_url, access_key="alt-key", secret="alt-secret")
        main.create_bucket(Bucket="main-owned")
        alt.create_bucket(Bucket="alt-owned")
        assert [b["Name"] for b in main.list_buckets()["Buckets"]] == ["main-owned"]
        assert [b["Name"] for b in alt.list_buckets()["Buckets"]] == ["alt-owned"]
        assert main.list_buckets()["Owner"]["ID"] != alt.list_buckets()["Owner"]["ID"]
        with pytest.raises(ClientError) as exc:
            alt.create_bucket(Bucket="main-owned")
        assert error_of(exc) == (409, "BucketAlreadyExists")


def test_buckets_survive_a_restart(tmp_path):
    data = tmp_path / "data"
    with running_lakebox(data) as server:
        client = make_client(server.endpoint_url)
        client.create_bucket(Bucket="durable")
        client.put_object(Bucket="durable", Key="k", Body=b"still here", Metadata={"a": "b"})
    with running_lakebox(data) as server:
        client = make_client(server.endpoint_url)
        assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["durable"]
        got = client.get_object(Bucket="durable", Key="k")
        assert got["Body"].read() == b"still here"
        assert got["Metadata"] == {"a": "b"}


def test_listings_name_the_buckets_region_in_a_header(lakebox_server, s3):
    """As S3 answers (recorded in 2026): a client on us-east-1 listing a us-west-2 bucket learns
    its region from the listing itself."""
    s3.create_bucket(Bucket="in-oregon", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_object(Bucket="in-oregon", Key="k", Body=b"x")
    for listing in (s3.list_objects_v2(Bucket="in-oregon"), s3.list_objects(Bucket="in-oregon")):
        assert listing["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-west-2"
        assert [o["Key"] for o in listing["Contents"]] == ["k"]
    assert s3.head_bucket(Bucket="in-oregon")["BucketArn"] == "arn:aws:s3:::in-oregon"
