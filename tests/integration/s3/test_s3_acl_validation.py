"""Put*Acl input checks, as recorded on S3 (2026) and asked by ceph/s3-tests: a malformed ACL gets its
own error even on a bucket whose ACLs are disabled, because S3 reads the request first."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

from lakebox.services.s3.headers import canonical_id

ME = canonical_id("000000000000")
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


def refused(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return {"status": error_of(exc)[0], **exc.value.response["Error"]}


def acp(owner_id: str = ME, grantee: dict | None = None) -> dict:
    grantee = grantee or {"Type": "CanonicalUser", "ID": ME}
    return {"Owner": {"ID": owner_id}, "Grants": [{"Grantee": grantee, "Permission": "FULL_CONTROL"}]}


@pytest.mark.parametrize("policy, argument, value", [
    (acp(owner_id="wrong-id"), "CanonicalUser/ID", "wrong-id"),
    (acp(grantee={"Type": "CanonicalUser", "ID": "_foo"}), "CanonicalUser/ID", "_foo"),
    (acp(grantee={"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/FakeGroup"}), "Group/URI",
     "http://acs.amazonaws.com/groups/s3/FakeGroup"),
])
def test_a_bad_grantee_in_a_document_names_its_element(s3, bucket, policy, argument, value):
    error = refused(s3.put_bucket_acl, Bucket=bucket, AccessControlPolicy=policy)
    assert (error["status"], error["Code"]) == (400, "InvalidArgument")
    assert (error["ArgumentName"], error["ArgumentValue"]) == (argument, value)
    assert error["Message"] in ("Invalid id", "Invalid group uri")


@pytest.mark.parametrize("header, argument, message", [
    ('id="wrong-id"', "id", "Invalid id"),
    ('uri="http://acs.amazonaws.com/groups/s3/FakeGroup"', "uri", "Invalid group uri"),
    ('fakekey="1234"', "x-amz-grant-write", "Argument format not recognized"),
])
def test_a_bad_grant_header_is_invalid_argument(s3, bucket, header, argument, message):
    error = refused(s3.put_bucket_acl, Bucket=bucket, GrantWrite=header)
    assert (error["status"], error["Code"], error["Message"]) == (400, "InvalidArgument", message)
    assert error["ArgumentName"] == argument


def test_an_empty_document_is_malformed_and_no_acl_at_all_is_a_missing_header(s3, raw, bucket):
    error = refused(s3.put_bucket_acl, Bucket=bucket, AccessControlPolicy={})
    assert (error["status"], error["Code"]) == (400, "MalformedACLError")
    response = raw.request("PUT", f"/{bucket}", query="acl", body=b"")
    assert response.status_code == 400 and "<Code>MissingSecurityHeader</Code>" in response.text
    assert "<MissingHeaderName>x-amz-acl</MissingHeaderName>" in response.text


def test_any_well_formed_canonical_id_may_be_granted(s3):
    """lakebox cannot know every account, so a grant to any canonical id in S3's form is kept."""
    s3.create_bucket(Bucket="acl-writer", ObjectOwnership="ObjectWriter")
    other = "ab" * 32
    s3.put_bucket_acl(Bucket="acl-writer", AccessControlPolicy=acp(grantee={"Type": "CanonicalUser", "ID": other}))
    grants = s3.get_bucket_acl(Bucket="acl-writer")["Grants"]
    assert grants == [{"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "FULL_CONTROL"}]
    error = refused(s3.put_object, Bucket="acl-writer", Key="k", Body=b"x", GrantRead='id="not-an-id"')
    assert (error["status"], error["Code"], error["ArgumentName"]) == (400, "InvalidArgument", "id")
    assert "Contents" not in s3.list_objects_v2(Bucket="acl-writer")
