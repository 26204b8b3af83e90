"""The bucket defaults AWS applies since April 2023 (BucketOwnerEnforced, Block Public Access on), the
ways to opt out per bucket, and LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter for the older defaults."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

from lakebox.config import Config
from lakebox.services.s3.headers import canonical_id
from lakebox.testing import running_lakebox

ME = canonical_id("000000000000")
ALL_FLAGS_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True}


def ownership(s3, bucket: str) -> str:
    return s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]


def public_policy(bucket: str, principal="*") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})


def assert_error(call, expected: tuple[int, str]) -> ClientError:
    with pytest.raises(ClientError) as exc:
        call()
    assert error_of(exc) == expected
    return exc.value


# -- the 2023 defaults ---------------------------------------------------------------------------


def test_new_bucket_is_bucket_owner_enforced(s3, bucket):
    assert ownership(s3, bucket) == "BucketOwnerEnforced"


def test_new_bucket_blocks_all_public_access(s3, bucket):
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == ALL_FLAGS_ON


@pytest.mark.parametrize("call", [
    lambda s3, b: s3.put_bucket_acl(Bucket=b, ACL="public-read"),
    lambda s3, b: s3.put_bucket_acl(Bucket=b, ACL="private"),
    lambda s3, b: s3.put_bucket_acl(Bucket=b, GrantRead='id="abc1230000000000000000000000000000000000000000000000000000000000"'),
    lambda s3, b: s3.put_object(Bucket=b, Key="new", Body=b"x", ACL="public-read"),
    lambda s3, b: s3.put_object(Bucket=b, Key="new", Body=b"x", ACL="private"),
    lambda s3, b: s3.put_object(Bucket=b, Key="new", Body=b"x", GrantRead='id="abc1230000000000000000000000000000000000000000000000000000000000"'),
    lambda s3, b: s3.put_object_acl(Bucket=b, Key="k", ACL="authenticated-read"),
    lambda s3, b: s3.copy_object(Bucket=b, Key="copy", CopySource=f"{b}/k", ACL="public-read"),
    lambda s3, b: s3.create_multipart_upload(Bucket=b, Key="mp", ACL="aws-exec-read"),
], ids=["bucket-public-read", "bucket-private", "bucket-grant", "put-public-read", "put-private", "put-grant",
        "object-acl", "copy", "multipart"])
def test_acls_are_refused_on_a_new_bucket(s3, bucket, call):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    error = assert_error(lambda: call(s3, bucket), (400, "AccessControlListNotSupported"))
    assert error.response["Error"]["Message"] == "The bucket does not allow ACLs"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="new")


def test_bucket_owner_full_control_is_accepted_on_a_new_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="bucket-owner-full-control")
    s3.put_bucket_acl(Bucket=bucket, ACL="bucket-owner-full-control")
    # the same grant written out as a document is the same ACL
    current = s3.get_bucket_acl(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": current["Owner"], "Grants": current["Grants"]})
    s3.put_bucket_acl(Bucket=bucket, GrantFullControl=f'id="{ME}"')
    for response in (s3.get_bucket_acl(Bucket=bucket), s3.get_object_acl(Bucket=bucket, Key="k")):
        assert [(g["Grantee"]["ID"], g["Permission"]) for g in response["Grants"]] == [(ME, "FULL_CONTROL")]


def test_create_bucket_with_an_acl_beyond_the_owner_is_refused(s3):
    assert_error(lambda: s3.create_bucket(Bucket="made-public", ACL="public-read"),
                 (400, "InvalidBucketAclWithObjectOwnership"))
    assert_error(lambda: s3.create_bucket(Bucket="made-shared", GrantRead='id="abc1230000000000000000000000000000000000000000000000000000000000"'),
                 (400, "InvalidBucketAclWithObjectOwnership"))
    assert "made-public" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.create_bucket(Bucket="made-private", ACL="private")
    assert ownership(s3, "made-private") == "BucketOwnerEnforced"


# -- opting out per bucket -------------------------------------------------------------------------


def test_object_writer_bucket_takes_acls_but_still_blocks_public_ones(s3):
    s3.create_bucket(Bucket="writer", ObjectOwnership="ObjectWriter")
    assert ownership(s3, "writer") == "ObjectWriter"
    assert s3.get_public_access_block(Bucket="writer")["PublicAccessBlockConfiguration"] == ALL_FLAGS_ON
    s3.put_bucket_acl(Bucket="writer", GrantRead='id="abc1230000000000000000000000000000000000000000000000000000000000"', GrantFullControl=f'id="{ME}"')
    s3.put_object(Bucket="writer", Key="shared", Body=b"x", GrantRead='id="abc1230000000000000000000000000000000000000000000000000000000000"')
    for call in (lambda: s3.put_bucket_acl(Bucket="writer", ACL="public-read"),
                 lambda: s3.put_bucket_acl(Bucket="writer", ACL="authenticated-read"),
                 lambda: s3.put_object(Bucket="writer", Key="open", Body=b"x", ACL="public-read-write"),
                 lambda: s3.put_object_acl(Bucket="writer", Key="shared", ACL="public-read")):
        assert_error(call, (403, "AccessDenied"))
    assert_error(lambda: s3.create_bucket(Bucket="writer-public", ACL="public-read", ObjectOwnership="ObjectWriter"),
                 (403, "AccessDenied"))


def test_deleting_the_public_access_block_allows_public_acls(lakebox_server, s3):
    s3.create_bucket(Bucket="website", ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket="website")
    s3.put_bucket_acl(Bucket="website", ACL="public-read")
    s3.put_object(Bucket="website", Key="index.html", Body=b"hello", ACL="public-read")
    assert requests.get(f"{lakebox_server.endpoint_url}/website/index.html").content == b"hello"


def test_ignore_public_acls_hides_public_grants(lakebox_server, s3):
    s3.create_bucket(Bucket="ignoring", ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket="ignoring")
    s3.put_object(Bucket="ignoring", Key="k", Body=b"x", ACL="public-read")
    url = f"{lakebox_server.endpoint_url}/ignoring/k"
    assert requests.get(url).status_code == 200
    s3.put_public_access_block(Bucket="ignoring", PublicAccessBlockConfiguration={"IgnorePublicAcls": True})
    assert requests.get(url).status_code == 403
    assert s3.get_object(Bucket="ignoring", Key="k")["Body"].read() == b"x"


def test_public_bucket_policy_is_blocked(s3, bucket):
    assert_error(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket)), (403, "AccessDenied"))
    assert_error(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket, {"AWS": ["*"]})),
                 (403, "AccessDenied"))
    # a named principal is not public
    s3.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket, {"AWS": "arn:aws:iam::222222222222:root"}))
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(public_policy(bucket))


def test_explicit_ownership_on_create_is_kept(s3):
    s3.create_bucket(Bucket="preferred", ObjectOwnership="BucketOwnerPreferred")
    assert ownership(s3, "preferred") == "BucketOwnerPreferred"
    s3.put_object(Bucket="preferred", Key="k", Body=b"x", ACL="private")


def test_bucket_owner_enforced_needs_an_owner_only_bucket_acl(s3):
    s3.create_bucket(Bucket="to-enforce", ObjectOwnership="ObjectWriter")
    s3.put_bucket_acl(Bucket="to-enforce", GrantRead='id="abc1230000000000000000000000000000000000000000000000000000000000"', GrantFullControl=f'id="{ME}"')
    enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert_error(lambda: s3.put_bucket_ownership_controls(Bucket="to-enforce", OwnershipControls=enforced),
                 (400, "InvalidBucketAclWithObjectOwnership"))
    s3.put_bucket_acl(Bucket="to-enforce", ACL="private")
    s3.put_bucket_ownership_controls(Bucket="to-enforce", OwnershipControls=enforced)
    assert ownership(s3, "to-enforce") == "BucketOwnerEnforced"


# -- the older defaults, for the whole server ------------------------------------------------------


def check_old_defaults(endpoint_url: str) -> None:
    s3 = make_client(endpoint_url)
    s3.create_bucket(Bucket="legacy", ACL="public-read")
    assert_error(lambda: s3.get_bucket_ownership_controls(Bucket="legacy"), (404, "OwnershipControlsNotFoundError"))
    assert_error(lambda: s3.get_public_access_block(Bucket="legacy"),
                 (404, "NoSuchPublicAccessBlockConfiguration"))
    s3.put_object(Bucket="legacy", Key="k", Body=b"x", ACL="public-read")
    assert requests.get(f"{endpoint_url}/legacy/k").content == b"x"
    assert requests.get(f"{endpoint_url}/legacy").status_code == 200
    s3.put_bucket_acl(Bucket="legacy", ACL="private")
    s3.put_bucket_policy(Bucket="legacy", Policy=public_policy("legacy"))
    # an explicit header still wins
    s3.create_bucket(Bucket="modern", ObjectOwnership="BucketOwnerEnforced")
    assert ownership(s3, "modern") == "BucketOwnerEnforced"


def test_object_writer_setting_restores_the_old_defaults(tmp_path):
    with running_lakebox(tmp_path / "data", set_env=False, s3_object_ownership="ObjectWriter") as server:
        check_old_defaults(server.endpoint_url)


def test_object_writer_environment_variable_restores_the_old_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEBOX_S3_OBJECT_OWNERSHIP", "ObjectWriter")
    with running_lakebox(tmp_path / "data", set_env=False) as server:
        assert server.config.s3_object_ownership == "ObjectWriter"
        check_old_defaults(server.endpoint_url)


def test_unknown_ownership_setting_is_refused(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="LAKEBOX_S3_OBJECT_OWNERSHIP"):
        Config(data_dir=tmp_path, s3_object_ownership="Everyone")
    monkeypatch.setenv("LAKEBOX_S3_OBJECT_OWNERSHIP", "objectwriter")
    with pytest.raises(ValueError):
        Config(data_dir=tmp_path)


def test_default_server_needs_no_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("LAKEBOX_S3_OBJECT_OWNERSHIP", raising=False)
    assert Config(data_dir=tmp_path).s3_object_ownership == "BucketOwnerEnforced"


@pytest.mark.parametrize("kwargs, expected", [
    ({"ACL": "fake-acl"}, (400, "InvalidArgument")),
    ({}, (400, "MissingSecurityHeader")),
    ({"ACL": "public-read", "GrantRead": 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'},
     (400, "InvalidRequest")),
], ids=["unknown-canned", "nothing", "canned-and-grant"])
def test_a_malformed_acl_request_gets_its_own_error_even_where_acls_are_disabled(s3, bucket, kwargs, expected):
    """S3 reads the request before it looks at the bucket's ownership setting (recorded answers)."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert_error(lambda: s3.put_bucket_acl(Bucket=bucket, **kwargs), expected)
    assert_error(lambda: s3.put_object_acl(Bucket=bucket, Key="k", **kwargs), expected)
