"""The access rules as data: whom a grant lets in, what ACLs a bucket with ACLs disabled still
accepts, who owns a new object, which bucket policies count as public and what their plain
statements decide, and how credentials name an account's canonical ids."""

from __future__ import annotations

import json

import pytest

from lakebox.config import Credential, load_credentials
from lakebox.protocol.errors import AwsError
from lakebox.services.s3 import acl, bucket_policy
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


# -- bucket policies (for other accounts and anonymous requests) ----------------------------------


def _statement(effect="Allow", principal="*", action="s3:GetObject", resource="arn:aws:s3:::b/*", **more) -> str:
    return json.dumps({"Statement": [{"Effect": effect, "Principal": principal, "Action": action,
                                      "Resource": resource, **more}]})


@pytest.mark.parametrize("policy, account, action, resource, expected", [
    (_statement(), OTHER, "s3:GetObject", "arn:aws:s3:::b/k", bucket_policy.ALLOW),
    (_statement(), None, "s3:GetObject", "arn:aws:s3:::b/k", bucket_policy.ALLOW),
    (_statement(principal={"AWS": "*"}), None, "s3:GetObject", "arn:aws:s3:::b/k", bucket_policy.ALLOW),
    (_statement(principal={"AWS": OTHER}), OTHER, "s3:GetObject", "arn:aws:s3:::b/k", bucket_policy.ALLOW),
    (_statement(principal={"AWS": f"arn:aws:iam::{OTHER}:root"}), OTHER, "s3:GetObject", "arn:aws:s3:::b/k",
     bucket_policy.ALLOW),
    (_statement(principal={"AWS": [f"arn:aws:iam::{OTHER}:user/ana"]}), OTHER, "s3:GetObject", "arn:aws:s3:::b/k",
     bucket_policy.ALLOW),
    (_statement(principal={"AWS": OTHER}), None, "s3:GetObject", "arn:aws:s3:::b/k", None),
    (_statement(principal={"AWS": OWNER}), OTHER, "s3:GetObject", "arn:aws:s3:::b/k", None),
    (_statement(principal={"Service": "logging.s3.amazonaws.com"}), OTHER, "s3:GetObject", "arn:aws:s3:::b/k", None),
    (_statement(action="s3:Get*"), OTHER, "s3:GetObjectTagging", "arn:aws:s3:::b/k", bucket_policy.ALLOW),
    (_statement(action="S3:getobject"), OTHER, "s3:GetObject", "arn:aws:s3:::b/k", bucket_policy.ALLOW),
    (_statement(action="*"), OTHER, "s3:PutBucketAcl", "arn:aws:s3:::b", None),
    (_statement(action="*", resource=["arn:aws:s3:::b", "arn:aws:s3:::b/*"]), OTHER, "s3:PutBucketAcl",
     "arn:aws:s3:::b", bucket_policy.ALLOW),
    (_statement(), OTHER, "s3:PutObject", "arn:aws:s3:::b/k", None),
    (_statement(resource="arn:aws:s3:::b/public/?"), OTHER, "s3:GetObject", "arn:aws:s3:::b/public/a",
     bucket_policy.ALLOW),
    (_statement(resource="arn:aws:s3:::b/public/?"), OTHER, "s3:GetObject", "arn:aws:s3:::b/public/ab", None),
    (_statement(resource="arn:aws:s3:::b/[ab]"), OTHER, "s3:GetObject", "arn:aws:s3:::b/a", None),
    (_statement(effect="Deny"), OTHER, "s3:GetObject", "arn:aws:s3:::b/k", bucket_policy.DENY),
    (_statement(Condition={"Bool": {"aws:SecureTransport": "true"}}), OTHER, "s3:GetObject", "arn:aws:s3:::b/k",
     None),
    # NotPrincipal: everyone but the owner, so the other account is let in.
    (json.dumps({"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": OWNER}, "Action": "*",
                                "Resource": "*"}]}), OTHER, "s3:GetObject", "arn:aws:s3:::b/k", bucket_policy.ALLOW),
    (None, OTHER, "s3:GetObject", "arn:aws:s3:::b/k", None),
])
def test_policy_verdict(policy, account, action, resource, expected):
    assert bucket_policy.verdict(policy, account, action, resource) == expected


def test_deny_wins_over_allow():
    policy = json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Deny", "Principal": {"AWS": OTHER}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})
    assert bucket_policy.verdict(policy, OTHER, "s3:GetObject", "arn:aws:s3:::b/k") == bucket_policy.DENY
    assert bucket_policy.verdict(policy, None, "s3:GetObject", "arn:aws:s3:::b/k") == bucket_policy.ALLOW


@pytest.mark.parametrize("operation, versioned, action", [
    ("GetObject", False, "s3:GetObject"),
    ("HeadObject", True, "s3:GetObjectVersion"),
    ("ListObjectsV2", False, "s3:ListBucket"),
    ("HeadBucket", False, "s3:ListBucket"),
    ("UploadPart", False, "s3:PutObject"),
    ("DeleteObjects", False, "s3:DeleteObject"),
    ("DeleteObject", True, "s3:DeleteObjectVersion"),
    ("PutObjectAcl", True, "s3:PutObjectVersionAcl"),
    ("GetBucketCors", False, "s3:GetBucketCORS"),
    ("DeletePublicAccessBlock", False, "s3:PutBucketPublicAccessBlock"),
    ("PutBucketVersioning", False, "s3:PutBucketVersioning"),
])
def test_action_for(operation, versioned, action):
    assert bucket_policy.action_for(operation, versioned) == action


@pytest.mark.parametrize("text, creds", [
    ("AK:SK", {"AK": Credential("AK", "SK", "000000000000")}),
    ("AK:SK:111111111111", {"AK": Credential("AK", "SK", "111111111111")}),
    ("AK:SK:111111111111:testid", {"AK": Credential("AK", "SK", "111111111111", "testid")}),
    ('[{"access_key": "AK", "secret_key": "SK", "account_id": "1", "canonical_id": "c"}]',
     {"AK": Credential("AK", "SK", "1", "c")}),
])
def test_load_credentials(text, creds):
    assert load_credentials(text) == creds
