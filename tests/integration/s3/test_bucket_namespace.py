"""Account regional namespaces: `<prefix>-<account>-<region>-an` buckets, made only by their account."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from lakebox.config import Credential
from lakebox.testing import running_lakebox

from s3_helpers import error_of, make_client

ACCOUNT = "000000000000"


def test_account_regional_bucket_is_created_and_used_like_any_other(lakebox_server, s3):
    name = f"sales-{ACCOUNT}-us-east-1-an"
    s3.create_bucket(Bucket=name, BucketNamespace="account-regional")
    s3.put_object(Bucket=name, Key="bronze/orders.csv", Body=b"id,total\n1,9.5\n")
    assert s3.get_object(Bucket=name, Key="bronze/orders.csv")["Body"].read() == b"id,total\n1,9.5\n"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]

    eu = make_client(lakebox_server.endpoint_url, region="eu-west-1")
    eu_name = f"sales-{ACCOUNT}-eu-west-1-an"
    eu.create_bucket(Bucket=eu_name, BucketNamespace="account-regional",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert eu.get_bucket_location(Bucket=eu_name)["LocationConstraint"] == "eu-west-1"


@pytest.mark.parametrize("name, code", [
    ("xyz-an", "InvalidBucketNamespace"),                          # what `aws s3 mb s3://xyz-an` asks for
    (f"sales-{ACCOUNT}-eu-west-1-an", "InvalidBucketNamespace"),   # another region than the bucket's
    ("sales-111122223333-us-east-1-an", "InvalidBucketNamespace"),  # another account
    (f"sales-{ACCOUNT}-us-east-1", "InvalidNamespaceHeader"),      # no -an: no suffix at all
    ("my-bucket-wrong-suffix", "InvalidNamespaceHeader"),
])
def test_account_regional_names_must_carry_the_callers_account_and_region(s3, name, code):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name, BucketNamespace="account-regional")
    assert error_of(exc) == (400, code)
    assert f"-{ACCOUNT}-us-east-1-an" in exc.value.response["Error"]["Message"]
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_an_account_regional_name_cannot_be_taken_in_the_global_namespace(s3):
    name = f"sales-{ACCOUNT}-us-east-1-an"
    for namespace in ({}, {"BucketNamespace": "global"}):
        with pytest.raises(ClientError) as exc:
            s3.create_bucket(Bucket=name, **namespace)
        assert error_of(exc) == (400, "InvalidBucketNamespace")
    assert s3.list_buckets()["Buckets"] == []
    # a name that merely ends in -an is an ordinary global name
    s3.create_bucket(Bucket="plan")
    s3.create_bucket(Bucket="data-an")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["data-an", "plan"]


def test_another_account_cannot_take_an_accounts_regional_name(tmp_path):
    creds = {"alt-key": Credential("alt-key", "alt-secret", "111111111111")}
    with running_lakebox(tmp_path / "data", credentials=creds) as server:
        alt = make_client(server.endpoint_url, access_key="alt-key", secret="alt-secret")
        for namespace in ({}, {"BucketNamespace": "account-regional"}):
            with pytest.raises(ClientError) as exc:
                alt.create_bucket(Bucket=f"sales-{ACCOUNT}-us-east-1-an", **namespace)
            assert error_of(exc) == (400, "InvalidBucketNamespace")
        alt.create_bucket(Bucket="sales-111111111111-us-east-1-an", BucketNamespace="account-regional")
        assert [b["Name"] for b in alt.list_buckets()["Buckets"]] == ["sales-111111111111-us-east-1-an"]


def test_an_unknown_namespace_is_an_invalid_argument(s3):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="plain-bucket", BucketNamespace="galactic")
    assert error_of(exc) == (400, "InvalidArgument")
    assert s3.list_buckets()["Buckets"] == []
