"""The ACL rules as data: whom a grant lets in, what ACLs a bucket with ACLs disabled still accepts,
who owns a new object, and which bucket policies count as public."""

from __future__ import annotations

import json

import pytest

from lakebox.protocol.errors import AwsError
from lakebox.services.s3 import acl
from lakebox.services.s3.headers import canonical_id
from lakebox.services.s3.public_access import is_public_policy

OWNER, OTHER = "111111111111", "222222222222"
OWNER_ID, OTHER_ID = canonical_id(OWNER), canonical_id(OTHER)


def _acl(*grants: tuple[dict, str]) -> dict:
    return {"Owner": OWNER, "Grants": [{"Grantee": grantee, "Permission": p} for grantee, p in grants]}


def _user(account: str) -> dict:
    return {"Type": "CanonicalUser", "ID": canonical_id(account)}


def _group(uri: str) -> dict:
    return {"Type": "Group", "URI": uri}


@pytest.mark.parametrize("stored, permission, requester, public, allowed", [
    (None, acl.READ, OTHER, True, False),
    (_acl((_user(OTHER), acl.READ)), acl.READ, OTHER, True, True),
    (_acl((_user(OTHER), acl.READ)), acl.WRITE, OTHER, True, False),
    (_acl((_user(OTHER), acl.FULL_CONTROL)), acl.WRITE_ACP, OTHER, True, True),
    (_acl((_user(OTHER), acl.READ)), acl.READ, None, True, False),
    (_acl((_group(acl.ALL_USERS), acl.READ)), acl.READ, None, True, True),
    (_acl((_group(acl.ALL_USERS), acl.READ)), acl.READ, OTHER, True, True),
    (_acl((_group(acl.AUTHENTICATED_USERS), acl.READ)), acl.READ, OTHER, True, True),
    (_acl((_group(acl.AUTHENTICATED_USERS), acl.READ)), acl.READ, None, True, False),
    (_acl((_group(acl.ALL_USERS), acl.READ)), acl.READ, OTHER, False, False),
    (_acl((_user(OTHER), acl.READ)), acl.READ, OTHER, False, True),
    (_acl((_group(acl.LOG_DELIVERY), acl.WRITE)), acl.WRITE, OTHER, True, False),
    (_acl(({"Type": "AmazonCustomerByEmail", "EmailAddress": "b@example.com"}, acl.READ)), acl.READ, OTHER, True,
     False),
])
def test_allows(stored, permission, requester, public, allowed):
    assert acl.allows(stored, permission, acl.grantees_of(requester, public=public)) is allowed


@pytest.mark.parametrize("stored, owner_only", [
    (None, True),
    (_acl((_user(OWNER), acl.FULL_CONTROL)), True),
    (_acl((_user(OWNER), acl.FULL_CONTROL), (_user(OWNER), acl.FULL_CONTROL)), True),
    (_acl(), False),
    (_acl((_user(OWNER), acl.READ)), False),
    (_acl((_user(OWNER), acl.FULL_CONTROL), (_user(OTHER), acl.READ)), False),
    (_acl((_user(OWNER), acl.FULL_CONTROL), (_group(acl.ALL_USERS), acl.READ)), False),
])
def test_only_owner_full_control(stored, owner_only):
    assert acl.only_owner_full_control(stored, OWNER) is owner_only


@pytest.mark.parametrize("params, writer, ownership, owner", [
    ({}, OTHER, None, OTHER),
    ({}, OTHER, acl.OBJECT_WRITER, OTHER),
    ({}, OTHER, acl.BUCKET_OWNER_PREFERRED, OTHER),
    ({"ACL": "bucket-owner-full-control"}, OTHER, acl.BUCKET_OWNER_PREFERRED, OWNER),
    ({"ACL": "bucket-owner-full-control"}, OTHER, acl.OBJECT_WRITER, OTHER),
    ({}, OTHER, acl.BUCKET_OWNER_ENFORCED, OWNER),
    ({"ACL": "bucket-owner-full-control"}, OTHER, acl.BUCKET_OWNER_ENFORCED, OWNER),
    ({"ACL": "public-read"}, OWNER, None, OWNER),
])
def test_new_object_owner(params, writer, ownership, owner):
    assert acl.owner_of(acl.new_object_acl(params, writer, OWNER, ownership), OWNER) == owner


@pytest.mark.parametrize("params", [{"ACL": "private"}, {"ACL": "public-read"}, {"GrantRead": f'id="{OTHER_ID}"'}])
def test_bucket_owner_enforced_refuses_other_acls_on_write(params):
    with pytest.raises(AwsError) as exc:
        acl.new_object_acl(params, OTHER, OWNER, acl.BUCKET_OWNER_ENFORCED)
    assert exc.value.code == "AccessControlListNotSupported"


def _policy(principal, condition=None, effect="Allow") -> str:
    statement = {"Effect": effect, "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize("policy, public", [
    (_policy("*"), True),
    (_policy({"AWS": "*"}), True),
    (_policy({"AWS": ["arn:aws:iam::222222222222:root", "*"]}), True),
    (_policy("*", effect="Deny"), False),
    (_policy({"AWS": "arn:aws:iam::222222222222:root"}), False),
    (_policy({"Service": "logging.s3.amazonaws.com"}), False),
    (_policy("*", {"StringEquals": {"aws:SourceAccount": "222222222222"}}), False),
    (_policy("*", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), False),
    (_policy("*", {"StringLike": {"aws:SourceArn": "*"}}), True),
    (_policy("*", {"Bool": {"aws:SecureTransport": "true"}}), True),
    ("not json", False),
])
def test_is_public_policy(policy, public):
    assert is_public_policy(policy) is public
