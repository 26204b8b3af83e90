"""ACLs (canned, by header, by AccessControlPolicy), object ownership, anonymous access, and the
expiry of presigned URLs in open mode.

The server here keeps S3's pre-2023 bucket defaults (LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter: ACLs
enabled, no public access block), as an application written for ACLs runs it; the 2023 defaults are
tested in test_acl_defaults.py, and access between accounts in test_cross_account.py.
"""

from __future__ import annotations

import time

import pytest
import requests
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

from lakebox.services.s3.headers import canonical_id

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
ME = canonical_id("000000000000")
OTHER = canonical_id("222222222222")


@pytest.fixture
def lakebox_settings():
    return {"s3_object_ownership": "ObjectWriter"}


def grants(response) -> set[tuple[str, str]]:
    """{(grantee id or uri, permission)} of a Get*Acl answer."""
    return {(g["Grantee"].get("ID") or g["Grantee"].get("URI") or g["Grantee"].get("EmailAddress"), g["Permission"])
            for g in response["Grants"]}


# -- reading and writing ACLs ---------------------------------------------------------------------


def test_default_acls_are_owner_full_control(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for response in (s3.get_bucket_acl(Bucket=bucket), s3.get_object_acl(Bucket=bucket, Key="k")):
        assert response["Owner"]["ID"] == ME
        assert grants(response) == {(ME, "FULL_CONTROL")}
        assert response["Grants"][0]["Grantee"]["Type"] == "CanonicalUser"
        # S3 answers no DisplayName since 2025, for owners and grantees alike.
        assert "DisplayName" not in response["Owner"] and "DisplayName" not in response["Grants"][0]["Grantee"]


@pytest.mark.parametrize("canned, expected", [
    ("private", set()),
    ("public-read", {(ALL_USERS, "READ")}),
    ("public-read-write", {(ALL_USERS, "READ"), (ALL_USERS, "WRITE")}),
    ("authenticated-read", {(AUTHENTICATED, "READ")}),
])
def test_canned_bucket_acls(s3, bucket, canned, expected):
    s3.put_bucket_acl(Bucket=bucket, ACL=canned)
    assert grants(s3.get_bucket_acl(Bucket=bucket)) == {(ME, "FULL_CONTROL")} | expected


def test_canned_acl_on_create_bucket_put_copy_and_multipart(s3):
    s3.create_bucket(Bucket="acl-bucket", ACL="public-read")
    assert (ALL_USERS, "READ") in grants(s3.get_bucket_acl(Bucket="acl-bucket"))
    s3.put_object(Bucket="acl-bucket", Key="put", Body=b"x", ACL="public-read")
    s3.copy_object(Bucket="acl-bucket", Key="copy", CopySource="acl-bucket/put", ACL="authenticated-read")
    upload = s3.create_multipart_upload(Bucket="acl-bucket", Key="mp", ACL="public-read-write")
    part = s3.upload_part(Bucket="acl-bucket", Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"y")
    s3.complete_multipart_upload(Bucket="acl-bucket", Key="mp", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert grants(s3.get_object_acl(Bucket="acl-bucket", Key="put")) == {(ME, "FULL_CONTROL"), (ALL_USERS, "READ")}
    # a copy takes the ACL of its own request, never the source's
    assert grants(s3.get_object_acl(Bucket="acl-bucket", Key="copy")) == {(ME, "FULL_CONTROL"),
                                                                          (AUTHENTICATED, "READ")}
    assert grants(s3.get_object_acl(Bucket="acl-bucket", Key="mp")) == {
        (ME, "FULL_CONTROL"), (ALL_USERS, "READ"), (ALL_USERS, "WRITE")}
    s3.copy_object(Bucket="acl-bucket", Key="copy-default", CopySource="acl-bucket/put")
    assert grants(s3.get_object_acl(Bucket="acl-bucket", Key="copy-default")) == {(ME, "FULL_CONTROL")}


def test_grant_headers(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", GrantRead=f'uri="{ALL_USERS}", id="abc1230000000000000000000000000000000000000000000000000000000000"',
                  GrantFullControl='id="def4560000000000000000000000000000000000000000000000000000000000"')
    assert grants(s3.get_object_acl(Bucket=bucket, Key="k")) == {
        (ALL_USERS, "READ"), ("abc1230000000000000000000000000000000000000000000000000000000000", "READ"), ("def4560000000000000000000000000000000000000000000000000000000000", "FULL_CONTROL")}
    s3.put_bucket_acl(Bucket=bucket, GrantWrite=f'uri="{ALL_USERS}"', GrantReadACP='emailAddress="a@example.com"')
    assert grants(s3.get_bucket_acl(Bucket=bucket)) == {(ALL_USERS, "WRITE"), ("a@example.com", "READ_ACP")}


def test_access_control_policy_round_trips(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    acl = s3.get_object_acl(Bucket=bucket, Key="k")
    new = acl["Grants"] + [{"Grantee": {"Type": "CanonicalUser", "ID": "56789abcdef01111111111111111111111111111111111111111111111111111"}, "Permission": "READ"},
                           {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ_ACP"}]
    s3.put_object_acl(Bucket=bucket, Key="k", AccessControlPolicy={"Owner": acl["Owner"], "Grants": new})
    assert grants(s3.get_object_acl(Bucket=bucket, Key="k")) == {
        (ME, "FULL_CONTROL"), ("56789abcdef01111111111111111111111111111111111111111111111111111", "READ"), (ALL_USERS, "READ_ACP")}
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": acl["Owner"], "Grants": new})
    assert grants(s3.get_bucket_acl(Bucket=bucket)) == grants(s3.get_object_acl(Bucket=bucket, Key="k"))


def test_put_object_acl_keeps_bytes_and_last_modified(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"payload", Tagging="t=1")
    before = s3.head_object(Bucket=bucket, Key="k")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="public-read")
    after = s3.head_object(Bucket=bucket, Key="k")
    assert (after["ETag"], after["LastModified"]) == (before["ETag"], before["LastModified"])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"payload"
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "t", "Value": "1"}]


def test_a_new_write_resets_the_object_acl(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read")
    s3.put_object(Bucket=bucket, Key="k", Body=b"y")
    assert grants(s3.get_object_acl(Bucket=bucket, Key="k")) == {(ME, "FULL_CONTROL")}


@pytest.mark.parametrize("kwargs, expected", [
    ({"ACL": "public-ready"}, (400, "InvalidArgument")),
    ({"ACL": "public-read", "GrantRead": f'id="{"ab" * 32}"'}, (400, "InvalidRequest")),
    ({"GrantRead": 'uri="http://acs.amazonaws.com/groups/global/Nobody"'}, (400, "InvalidArgument")),
    ({"GrantRead": "nonsense"}, (400, "InvalidArgument")),
    ({}, (400, "MissingSecurityHeader")),
], ids=["misspelt-canned", "canned-and-grants", "unknown-group", "bad-grant", "nothing"])
def test_bad_acl_requests(s3, bucket, kwargs, expected):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_acl(Bucket=bucket, **kwargs)
    assert error_of(exc) == expected
    assert grants(s3.get_bucket_acl(Bucket=bucket)) == {(ME, "FULL_CONTROL")}


def test_bad_canned_acl_on_put_object(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="world-readable")
    assert error_of(exc) == (400, "InvalidArgument")


def test_object_acl_of_missing_key_is_no_such_key(s3, bucket):
    for call in (lambda: s3.get_object_acl(Bucket=bucket, Key="missing"),
                 lambda: s3.put_object_acl(Bucket=bucket, Key="missing", ACL="private")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (404, "NoSuchKey")


# -- ownership ------------------------------------------------------------------------------------


def grant_write_to_other(s3, bucket):
    """What a bucket owner does to let account 222222222222 write: keep full control, grant WRITE."""
    s3.put_bucket_acl(Bucket=bucket, GrantFullControl=f'id="{ME}"', GrantWrite=f'id="{OTHER}"')


def test_object_writer_owns_what_it_writes_in_another_accounts_bucket(s3, bucket, other):
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    grant_write_to_other(s3, bucket)
    other.put_object(Bucket=bucket, Key="theirs", Body=b"x")
    response = other.get_object_acl(Bucket=bucket, Key="theirs")
    assert response["Owner"]["ID"] == OTHER
    listed = s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]
    assert listed["Owner"]["ID"] == OTHER
    upload = other.create_multipart_upload(Bucket=bucket, Key="mp")
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload["UploadId"])
    assert parts["Owner"]["ID"] == parts["Initiator"]["ID"] == OTHER


def test_bucket_owner_preferred_with_full_control_gives_the_bucket_owner(s3, bucket, other):
    s3.put_bucket_ownership_controls(Bucket=bucket,
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    grant_write_to_other(s3, bucket)
    other.put_object(Bucket=bucket, Key="handed-over", Body=b"x", ACL="bucket-owner-full-control")
    other.put_object(Bucket=bucket, Key="kept", Body=b"x")
    assert s3.get_object_acl(Bucket=bucket, Key="handed-over")["Owner"]["ID"] == ME
    assert other.get_object_acl(Bucket=bucket, Key="kept")["Owner"]["ID"] == OTHER


def test_bucket_owner_enforced_disables_acls(s3, other):
    s3.create_bucket(Bucket="enforced", ObjectOwnership="BucketOwnerEnforced")
    s3.put_object(Bucket="enforced", Key="k", Body=b"x")
    s3.put_object(Bucket="enforced", Key="k2", Body=b"x", ACL="bucket-owner-full-control")
    assert grants(s3.get_object_acl(Bucket="enforced", Key="k2")) == {(ME, "FULL_CONTROL")}
    for call in (lambda: s3.put_object(Bucket="enforced", Key="k3", Body=b"x", ACL="private"),
                 lambda: s3.put_bucket_acl(Bucket="enforced", ACL="private"),
                 lambda: s3.put_bucket_acl(Bucket="enforced", GrantWrite=f'id="{OTHER}"'),
                 lambda: s3.put_object_acl(Bucket="enforced", Key="k", ACL="public-read"),
                 lambda: s3.create_multipart_upload(Bucket="enforced", Key="m", ACL="public-read")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (400, "AccessControlListNotSupported")
    # With ACLs disabled no grant lets another account in (only a bucket policy could, on AWS).
    with pytest.raises(ClientError) as exc:
        other.put_object(Bucket="enforced", Key="theirs", Body=b"x", ACL="bucket-owner-full-control")
    assert error_of(exc) == (403, "AccessDenied")


# -- anonymous requests ---------------------------------------------------------------------------


def test_anonymous_requests_to_a_private_bucket_are_denied(s3, bucket, anon):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for call in (lambda: anon.list_objects(Bucket=bucket), lambda: anon.list_objects_v2(Bucket=bucket),
                 lambda: anon.get_object(Bucket=bucket, Key="k"), lambda: anon.get_object(Bucket=bucket, Key="nope"),
                 lambda: anon.put_object(Bucket=bucket, Key="k", Body=b"y"),
                 lambda: anon.delete_object(Bucket=bucket, Key="k"),
                 lambda: anon.get_bucket_acl(Bucket=bucket), lambda: anon.get_bucket_tagging(Bucket=bucket),
                 lambda: anon.list_buckets(), lambda: anon.create_bucket(Bucket="anon-made")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (403, "AccessDenied")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_anonymous_head_of_private_object_is_403(s3, bucket, anon):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        anon.head_object(Bucket=bucket, Key="k")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_anonymous_request_to_missing_bucket_is_no_such_bucket(anon):
    with pytest.raises(ClientError) as exc:
        anon.list_objects(Bucket="no-such-bucket-anywhere")
    assert error_of(exc) == (404, "NoSuchBucket")


def test_public_read_bucket_lists_and_public_read_object_reads(lakebox_server, s3, bucket, anon):
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    s3.put_object(Bucket=bucket, Key="open", Body=b"open", ACL="public-read")
    s3.put_object(Bucket=bucket, Key="closed", Body=b"closed")
    assert [o["Key"] for o in anon.list_objects_v2(Bucket=bucket)["Contents"]] == ["closed", "open"]
    assert anon.get_object(Bucket=bucket, Key="open")["Body"].read() == b"open"
    # plain HTTP, no signature at all
    response = requests.get(f"{lakebox_server.endpoint_url}/{bucket}/open")
    assert (response.status_code, response.content) == (200, b"open")
    # the bucket's ACL does not open its objects
    with pytest.raises(ClientError) as exc:
        anon.get_object(Bucket=bucket, Key="closed")
    assert error_of(exc) == (403, "AccessDenied")
    # a listable bucket may say that a key does not exist
    with pytest.raises(ClientError) as exc:
        anon.get_object(Bucket=bucket, Key="missing")
    assert error_of(exc) == (404, "NoSuchKey")
    # reading is not writing
    with pytest.raises(ClientError) as exc:
        anon.put_object(Bucket=bucket, Key="new", Body=b"x")
    assert error_of(exc) == (403, "AccessDenied")


def test_public_object_in_private_bucket_reads_anonymously(lakebox_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="open", Body=b"open")
    s3.put_object_acl(Bucket=bucket, Key="open", ACL="public-read")
    assert requests.get(f"{lakebox_server.endpoint_url}/{bucket}/open").content == b"open"
    assert requests.get(f"{lakebox_server.endpoint_url}/{bucket}/missing").status_code == 403
    assert requests.get(f"{lakebox_server.endpoint_url}/{bucket}").status_code == 403


def test_grant_to_all_users_by_header_opens_the_object(lakebox_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", GrantRead=f'uri="{ALL_USERS}"')
    assert requests.get(f"{lakebox_server.endpoint_url}/{bucket}/k").content == b"x"


def test_public_read_write_bucket_takes_anonymous_writes(s3, bucket, anon):
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    assert anon.put_object(Bucket=bucket, Key="dropped", Body=b"x")["ResponseMetadata"]["HTTPStatusCode"] == 200
    # the anonymous writer owns it: S3's anonymous user, by its documented canonical id
    assert s3.get_object_acl(Bucket=bucket, Key="dropped")["Owner"]["ID"] == "65a011a29cdf8ec533ec3d1ccaae921c"
    assert s3.get_object(Bucket=bucket, Key="dropped")["Body"].read() == b"x"
    anon.delete_object(Bucket=bucket, Key="dropped")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_expected_bucket_owner_is_checked_for_anonymous_requests(s3, bucket, anon):
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    with pytest.raises(ClientError) as exc:
        anon.list_objects(Bucket=bucket, ExpectedBucketOwner="999999999999")
    assert error_of(exc) == (403, "AccessDenied")


def test_public_acl_does_not_open_bucket_settings(s3, bucket, anon):
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    for call in (lambda: anon.get_bucket_acl(Bucket=bucket), lambda: anon.put_bucket_acl(Bucket=bucket, ACL="private"),
                 lambda: anon.delete_bucket(Bucket=bucket), lambda: anon.get_bucket_location(Bucket=bucket)):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (403, "AccessDenied")


def test_signed_requests_of_any_key_are_allowed_in_open_mode(lakebox_server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    stranger = make_client(lakebox_server.endpoint_url, access_key="ANYKEY", secret="whatever")
    assert stranger.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


# -- presigned URL expiry in open mode --------------------------------------------------------------


def test_expired_presigned_url_is_access_denied_in_open_mode(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for expires in (0, 1):
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=expires)
        if expires:
            time.sleep(2.1)
        response = requests.get(url)
        assert response.status_code == 403
        assert b"<Code>AccessDenied</Code>" in response.content
        assert b"Request has expired" in response.content


def test_expired_sigv2_presigned_url_is_access_denied_in_open_mode(lakebox_server, bucket, s3):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    v2 = make_client(lakebox_server.endpoint_url, signature_version="s3")
    url = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=-10)
    assert requests.get(url).status_code == 403
    fresh = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=300)
    assert requests.get(fresh).content == b"x"


def test_unexpired_presigned_url_of_unknown_key_still_works_in_open_mode(lakebox_server, bucket, s3):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    stranger = make_client(lakebox_server.endpoint_url, access_key="NOBODY", secret="nothing")
    url = stranger.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    assert requests.get(url).content == b"x"


def test_expired_presigned_put_stores_nothing(s3, bucket):
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "late"}, ExpiresIn=-1000)
    assert requests.put(url, data=b"x").status_code in (400, 403)
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="late")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
