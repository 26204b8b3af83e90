"""ACL enforcement between accounts: each access key belongs to an account, and a request signed by an
account that does not own the bucket may do only what the bucket policy or an ACL grants it.

Account A is the default account (any unknown key, as the `s3` fixture uses); account B is the
configured key BKEY. Buckets that use ACLs are made the way a user makes them since 2023: with
ObjectOwnership=ObjectWriter, and without the public access block where a public ACL is wanted.
"""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

from lakebox.config import Credential
from lakebox.services.s3.headers import canonical_id

A = canonical_id("000000000000")
B = canonical_id("222222222222")
DENIED = (403, "AccessDenied")


@pytest.fixture
def b(lakebox_server):
    """A client of account 222222222222."""
    lakebox_server.config.credentials["BKEY"] = Credential("BKEY", "b-secret", "222222222222")
    return make_client(lakebox_server.endpoint_url, access_key="BKEY", secret="b-secret")


@pytest.fixture
def shared(s3):
    """A's bucket with ACLs enabled and public ACLs allowed, holding one private object `k`."""
    s3.create_bucket(Bucket="shared", ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket="shared")
    s3.put_object(Bucket="shared", Key="k", Body=b"private")
    return "shared"


def denied(call) -> None:
    with pytest.raises(ClientError) as exc:
        call()
    assert error_of(exc) == DENIED


def can_list(client, bucket: str) -> bool:
    try:
        client.list_objects_v2(Bucket=bucket)
        return True
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDenied"
        return False


# -- nothing granted ------------------------------------------------------------------------------


def test_another_account_is_denied_a_private_bucket(s3, bucket, b):
    s3.put_object(Bucket=bucket, Key="k", Body=b"mine")
    for call in (lambda: b.list_objects(Bucket=bucket), lambda: b.list_objects_v2(Bucket=bucket),
                 lambda: b.list_multipart_uploads(Bucket=bucket), lambda: b.get_object(Bucket=bucket, Key="k"),
                 lambda: b.get_object(Bucket=bucket, Key="missing"),
                 lambda: b.put_object(Bucket=bucket, Key="k", Body=b"theirs"),
                 lambda: b.put_object(Bucket=bucket, Key="new", Body=b"theirs"),
                 lambda: b.delete_object(Bucket=bucket, Key="k"),
                 lambda: b.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k"}]}),
                 lambda: b.create_multipart_upload(Bucket=bucket, Key="mp"),
                 lambda: b.get_bucket_acl(Bucket=bucket), lambda: b.get_object_acl(Bucket=bucket, Key="k"),
                 lambda: b.get_object_tagging(Bucket=bucket, Key="k"),
                 lambda: b.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": []}),
                 lambda: b.get_bucket_tagging(Bucket=bucket), lambda: b.get_bucket_location(Bucket=bucket),
                 lambda: b.get_bucket_ownership_controls(Bucket=bucket),
                 lambda: b.delete_public_access_block(Bucket=bucket),
                 lambda: b.put_bucket_policy(Bucket=bucket, Policy="{}"),
                 lambda: b.delete_bucket(Bucket=bucket)):
        denied(call)
    # HEAD answers carry no body, only the status
    for call in (lambda: b.head_bucket(Bucket=bucket), lambda: b.head_object(Bucket=bucket, Key="k")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)[0] == 403
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"mine"
    assert s3.get_bucket_ownership_controls(Bucket=bucket)


def test_a_copy_needs_read_on_its_source(s3, bucket, b):
    s3.put_object(Bucket=bucket, Key="k", Body=b"mine")
    b.create_bucket(Bucket="b-bucket")
    denied(lambda: b.copy_object(Bucket="b-bucket", Key="stolen", CopySource=f"{bucket}/k"))
    upload = b.create_multipart_upload(Bucket="b-bucket", Key="mp")
    denied(lambda: b.upload_part_copy(Bucket="b-bucket", Key="mp", UploadId=upload["UploadId"], PartNumber=1,
                                      CopySource=f"{bucket}/k"))
    with pytest.raises(ClientError):
        b.head_object(Bucket="b-bucket", Key="stolen")
    # the owner of both copies freely
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/k")


def test_list_buckets_shows_only_the_callers_buckets(s3, b):
    s3.create_bucket(Bucket="a-one")
    b.create_bucket(Bucket="b-one")
    assert [x["Name"] for x in s3.list_buckets()["Buckets"]] == ["a-one"]
    listed = b.list_buckets()
    assert [x["Name"] for x in listed["Buckets"]] == ["b-one"]
    assert listed["Owner"]["ID"] == B


def test_create_bucket_of_another_accounts_name(s3, b):
    s3.create_bucket(Bucket="taken")
    with pytest.raises(ClientError) as exc:
        b.create_bucket(Bucket="taken")
    assert error_of(exc) == (409, "BucketAlreadyExists")
    s3.create_bucket(Bucket="taken")  # us-east-1: re-creating one's own bucket succeeds
    assert [x["Name"] for x in b.list_buckets()["Buckets"]] == []


def test_the_bucket_owner_keeps_its_settings(s3, bucket, b):
    b.create_bucket(Bucket="b-bucket")
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "a"}]
    denied(lambda: s3.get_bucket_tagging(Bucket="b-bucket"))
    denied(lambda: s3.list_objects_v2(Bucket="b-bucket"))


# -- grants ---------------------------------------------------------------------------------------


def test_read_grant_lets_another_account_list(s3, shared, b):
    s3.put_bucket_acl(Bucket=shared, GrantFullControl=f'id="{A}"', GrantRead=f'id="{B}"')
    assert [o["Key"] for o in b.list_objects_v2(Bucket=shared)["Contents"]] == ["k"]
    b.head_bucket(Bucket=shared)
    # listing is not reading the objects, nor writing, nor reading the ACL
    denied(lambda: b.get_object(Bucket=shared, Key="k"))
    denied(lambda: b.put_object(Bucket=shared, Key="new", Body=b"x"))
    denied(lambda: b.get_bucket_acl(Bucket=shared))
    # one who may list learns that a key is missing
    with pytest.raises(ClientError) as exc:
        b.get_object(Bucket=shared, Key="missing")
    assert error_of(exc) == (404, "NoSuchKey")


def test_write_grant_lets_another_account_put_and_delete(s3, shared, b):
    s3.put_bucket_acl(Bucket=shared, GrantFullControl=f'id="{A}"', GrantWrite=f'id="{B}"')
    b.put_object(Bucket=shared, Key="dropped", Body=b"from b")
    b.put_object(Bucket=shared, Key="k", Body=b"overwritten")
    b.delete_object(Bucket=shared, Key="dropped")
    upload = b.create_multipart_upload(Bucket=shared, Key="mp")
    part = b.upload_part(Bucket=shared, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"p")
    b.complete_multipart_upload(Bucket=shared, Key="mp", UploadId=upload["UploadId"],
                                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert not can_list(b, shared)
    # B owns what it wrote (ObjectWriter), so it may read it back
    assert b.get_object(Bucket=shared, Key="k")["Body"].read() == b"overwritten"
    assert b.get_object_acl(Bucket=shared, Key="mp")["Owner"]["ID"] == B
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=shared)["Contents"]) == ["k", "mp"]


def test_acp_grants_open_the_bucket_acl(s3, shared, b):
    s3.put_bucket_acl(Bucket=shared, GrantFullControl=f'id="{A}"', GrantReadACP=f'id="{B}"')
    assert b.get_bucket_acl(Bucket=shared)["Owner"]["ID"] == A
    denied(lambda: b.put_bucket_acl(Bucket=shared, ACL="private"))
    s3.put_bucket_acl(Bucket=shared, GrantFullControl=f'id="{A}"', GrantWriteACP=f'id="{B}"')
    denied(lambda: b.get_bucket_acl(Bucket=shared))
    b.put_bucket_acl(Bucket=shared, GrantFullControl=f'id="{A}"', GrantRead=f'id="{B}"')
    assert can_list(b, shared)
    # the bucket stays A's
    assert s3.get_bucket_acl(Bucket=shared)["Owner"]["ID"] == A


def test_full_control_grant_is_read_write_and_acp(s3, shared, b):
    s3.put_bucket_acl(Bucket=shared, GrantFullControl=f'id="{A}", id="{B}"')
    assert can_list(b, shared)
    b.put_object(Bucket=shared, Key="new", Body=b"x")
    b.get_bucket_acl(Bucket=shared)
    b.put_bucket_acl(Bucket=shared, ACL="public-read")
    # but not the bucket's other settings
    denied(lambda: b.get_bucket_tagging(Bucket=shared))
    denied(lambda: b.delete_bucket(Bucket=shared))


def test_object_grants_open_one_object(s3, shared, b):
    s3.put_object(Bucket=shared, Key="for-b", Body=b"yours to read", GrantRead=f'id="{B}"')
    assert b.get_object(Bucket=shared, Key="for-b")["Body"].read() == b"yours to read"
    assert b.head_object(Bucket=shared, Key="for-b")["ContentLength"] == 13
    denied(lambda: b.get_object(Bucket=shared, Key="k"))
    denied(lambda: b.get_object_acl(Bucket=shared, Key="for-b"))
    s3.put_object_acl(Bucket=shared, Key="k", GrantFullControl=f'id="{A}"', GrantReadACP=f'id="{B}"',
                      GrantWriteACP=f'id="{B}"')
    assert b.get_object_acl(Bucket=shared, Key="k")["Owner"]["ID"] == A
    b.put_object_acl(Bucket=shared, Key="k", GrantFullControl=f'id="{A}"', GrantRead=f'id="{B}"')
    assert b.get_object(Bucket=shared, Key="k")["Body"].read() == b"private"


def test_a_copy_from_a_readable_object_is_allowed(s3, shared, b):
    s3.put_object(Bucket=shared, Key="open", Body=b"copy me", ACL="public-read")
    b.create_bucket(Bucket="b-bucket")
    b.copy_object(Bucket="b-bucket", Key="copied", CopySource=f"{shared}/open")
    assert b.get_object(Bucket="b-bucket", Key="copied")["Body"].read() == b"copy me"
    denied(lambda: b.copy_object(Bucket="b-bucket", Key="stolen", CopySource=f"{shared}/k"))


@pytest.mark.parametrize("canned, b_lists, anon_lists", [
    ("private", False, False),
    ("public-read", True, True),
    ("public-read-write", True, True),
    ("authenticated-read", True, False),
])
def test_canned_bucket_acls_between_accounts(s3, shared, b, anon, canned, b_lists, anon_lists):
    s3.put_bucket_acl(Bucket=shared, ACL=canned)
    assert can_list(b, shared) is b_lists
    assert can_list(anon, shared) is anon_lists


def test_public_read_write_lets_any_account_write(s3, shared, b):
    s3.put_bucket_acl(Bucket=shared, ACL="public-read-write")
    b.put_object(Bucket=shared, Key="from-b", Body=b"x")
    denied(lambda: b.get_object(Bucket=shared, Key="k"))


@pytest.mark.parametrize("canned, b_reads", [
    ("private", False), ("public-read", True), ("public-read-write", True), ("authenticated-read", True),
    ("aws-exec-read", False), ("bucket-owner-read", False), ("bucket-owner-full-control", False),
])
def test_canned_object_acls_between_accounts(s3, shared, b, canned, b_reads):
    s3.put_object_acl(Bucket=shared, Key="k", ACL=canned)
    if b_reads:
        assert b.get_object(Bucket=shared, Key="k")["Body"].read() == b"private"
    else:
        denied(lambda: b.get_object(Bucket=shared, Key="k"))


def test_bucket_owner_acls_hand_rights_to_the_bucket_owner(s3, shared, b):
    s3.put_bucket_acl(Bucket=shared, GrantFullControl=f'id="{A}"', GrantWrite=f'id="{B}"')
    b.put_object(Bucket=shared, Key="read-only", Body=b"x", ACL="bucket-owner-read")
    b.put_object(Bucket=shared, Key="full", Body=b"x", ACL="bucket-owner-full-control")
    grants = {(g["Grantee"]["ID"], g["Permission"]) for g in b.get_object_acl(Bucket=shared, Key="read-only")["Grants"]}
    assert grants == {(B, "FULL_CONTROL"), (A, "READ")}
    grants = {(g["Grantee"]["ID"], g["Permission"]) for g in b.get_object_acl(Bucket=shared, Key="full")["Grants"]}
    assert grants == {(B, "FULL_CONTROL"), (A, "FULL_CONTROL")}


def test_ignore_public_acls_applies_to_other_accounts(s3, shared, b):
    s3.put_bucket_acl(Bucket=shared, ACL="authenticated-read")
    assert can_list(b, shared)
    s3.put_public_access_block(Bucket=shared, PublicAccessBlockConfiguration={"IgnorePublicAcls": True})
    assert not can_list(b, shared)
    # a grant by name is not public
    s3.put_bucket_acl(Bucket=shared, GrantFullControl=f'id="{A}"', GrantRead=f'id="{B}"')
    assert can_list(b, shared)


def test_signed_post_form_of_another_account_needs_write(lakebox_server, s3, shared, b):
    post = b.generate_presigned_post(shared, "form.txt")
    response = requests.post(post["url"], data=post["fields"], files={"file": ("form.txt", b"x")})
    assert response.status_code == 403
    s3.put_bucket_acl(Bucket=shared, GrantFullControl=f'id="{A}"', GrantWrite=f'id="{B}"')
    post = b.generate_presigned_post(shared, "form.txt")
    response = requests.post(post["url"], data=post["fields"], files={"file": ("form.txt", b"x")})
    assert response.status_code == 204


# -- bucket policies ------------------------------------------------------------------------------


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_bucket_policy_opens_a_default_bucket_to_another_account(s3, bucket, b):
    s3.put_object(Bucket=bucket, Key="k", Body=b"mine")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
        "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{bucket}/*"}))
    assert b.get_object(Bucket=bucket, Key="k")["Body"].read() == b"mine"
    b.put_object(Bucket=bucket, Key="from-b", Body=b"x")
    # BucketOwnerEnforced: what B writes belongs to the bucket owner
    assert s3.get_object_acl(Bucket=bucket, Key="from-b")["Owner"]["ID"] == A
    assert not can_list(b, bucket)
    denied(lambda: b.delete_object(Bucket=bucket, Key="k"))


def test_a_missing_object_is_404_only_to_whoever_may_list(s3, bucket, b):
    # S3: "If you don't have the s3:ListBucket permission, Amazon S3 returns ... 403 Access Denied"
    get_object = {"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "s3:GetObject",
                  "Resource": f"arn:aws:s3:::{bucket}/*"}
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(get_object))
    denied(lambda: b.get_object(Bucket=bucket, Key="missing"))
    with pytest.raises(ClientError) as head:
        b.head_object(Bucket=bucket, Key="missing")
    assert head.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    s3.put_bucket_policy(Bucket=bucket, Policy=policy(get_object, {
        "Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::{bucket}"}))
    with pytest.raises(ClientError) as missing:
        b.get_object(Bucket=bucket, Key="missing")
    assert error_of(missing) == (404, "NoSuchKey")


def test_bucket_policy_deny_wins_over_an_acl(s3, shared, b, anon):
    s3.put_bucket_acl(Bucket=shared, ACL="public-read")
    s3.put_bucket_policy(Bucket=shared, Policy=policy({
        "Effect": "Deny", "Principal": {"AWS": "222222222222"}, "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::{shared}"}))
    assert not can_list(b, shared)
    assert can_list(anon, shared)
    assert can_list(s3, shared)  # the owner's own requests are not evaluated


def test_restrict_public_buckets_shuts_a_public_policy(lakebox_server, s3, bucket, b):
    s3.put_object(Bucket=bucket, Key="k", Body=b"public")
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}))
    url = f"{lakebox_server.endpoint_url}/{bucket}/k"
    assert requests.get(url).content == b"public"
    assert b.get_object(Bucket=bucket, Key="k")["Body"].read() == b"public"
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
    assert requests.get(url).status_code == 403
    denied(lambda: b.get_object(Bucket=bucket, Key="k"))
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"public"


def test_a_copy_source_opened_by_policy(s3, bucket, b):
    s3.put_object(Bucket=bucket, Key="k", Body=b"mine")
    b.create_bucket(Bucket="b-bucket")
    denied(lambda: b.copy_object(Bucket="b-bucket", Key="copy", CopySource=f"{bucket}/k"))
    s3.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}))
    b.copy_object(Bucket="b-bucket", Key="copy", CopySource=f"{bucket}/k")
    assert b.get_object(Bucket="b-bucket", Key="copy")["Body"].read() == b"mine"


# -- canonical ids ---------------------------------------------------------------------------------


def test_a_grant_to_a_configured_canonical_id_reaches_its_account(lakebox_server, s3, shared):
    lakebox_server.config.credentials["CKEY"] = Credential("CKEY", "c-secret", "333333333333", "fixture-user-c")
    c = make_client(lakebox_server.endpoint_url, access_key="CKEY", secret="c-secret")
    denied(lambda: c.get_object(Bucket=shared, Key="k"))
    s3.put_object_acl(Bucket=shared, Key="k", GrantFullControl=f'id="{A}"', GrantRead='id="fixture-user-c"')
    assert c.get_object(Bucket=shared, Key="k")["Body"].read() == b"private"
    # and lakebox's own id for the account works as well
    s3.put_object_acl(Bucket=shared, Key="k", GrantFullControl=f'id="{A}"',
                      GrantRead=f'id="{canonical_id("333333333333")}"')
    assert c.get_object(Bucket=shared, Key="k")["Body"].read() == b"private"
