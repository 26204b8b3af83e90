"""Bucket policy statements with Condition, NotPrincipal, NotAction and NotResource, applied to
other accounts and anonymous requests as AWS applies them.

Account A (the default account, the `s3` fixture) owns the buckets; `other` is account
222222222222 and `third` account 333333333333. Buckets keep S3's current defaults (ACLs disabled,
public access blocked), so only the policy lets anyone else in. A Deny binds the bucket owner too
(test_s3_bucket_policy_owner.py has the owner's cases).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

from lakebox.config import Credential

DENIED = (403, "AccessDenied")
OTHER = "222222222222"


@pytest.fixture
def third(lakebox_server):
    """A client of account 333333333333."""
    lakebox_server.config.credentials["THIRDKEY"] = Credential("THIRDKEY", "third-secret", "333333333333")
    return make_client(lakebox_server.endpoint_url, access_key="THIRDKEY", secret="third-secret")


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def statement(effect: str, action, resource: str, principal=None, **extra) -> dict:
    out = {"Effect": effect, "Principal": principal or {"AWS": OTHER}, "Action": action, "Resource": resource}
    out.update(extra)
    return out


def denied(call) -> None:
    with pytest.raises(ClientError) as exc:
        call()
    assert error_of(exc) == DENIED


def with_headers(client, operation: str, headers: dict) -> None:
    """Send `headers` with every `operation` call of `client` (as the s3-tests suite does)."""
    client.meta.events.register(f"before-call.s3.{operation}",
                                lambda params, **kwargs: params["headers"].update(headers))


def body(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


# -- s3:ExistingObjectTag ------------------------------------------------------------------------


def test_get_object_allowed_only_when_the_objects_tag_matches(s3, bucket, other):
    s3.put_object(Bucket=bucket, Key="public", Body=b"open data", Tagging="security=public&team=a")
    s3.put_object(Bucket=bucket, Key="private", Body=b"secret", Tagging="security=private")
    s3.put_object(Bucket=bucket, Key="untagged", Body=b"plain")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEquals": {"s3:ExistingObjectTag/security": "public"}})))

    assert body(other, bucket, "public") == b"open data"
    denied(lambda: other.get_object(Bucket=bucket, Key="private"))
    denied(lambda: other.get_object(Bucket=bucket, Key="untagged"))
    # the tags are read when the request comes, not when the policy was put
    s3.put_object_tagging(Bucket=bucket, Key="private", Tagging={"TagSet": [{"Key": "security", "Value": "public"}]})
    assert body(other, bucket, "private") == b"secret"
    # the tag key after the slash is case-sensitive, as S3's tag keys are
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEquals": {"s3:ExistingObjectTag/Security": "public"}})))
    denied(lambda: other.get_object(Bucket=bucket, Key="public"))


def test_put_object_tagging_follows_the_tags_the_object_has_now(s3, bucket, other):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="security=public")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:PutObjectTagging", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEquals": {"s3:ExistingObjectTag/security": "public"}})))
    private = {"TagSet": [{"Key": "security", "Value": "private"}]}
    other.put_object_tagging(Bucket=bucket, Key="k", Tagging=private)
    # now the object is private: the same request is refused
    denied(lambda: other.put_object_tagging(Bucket=bucket, Key="k", Tagging=private))
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == private["TagSet"]


# -- request headers: SSE, ACL, tags, copy source ------------------------------------------------


def test_deny_put_object_without_sse_for_another_account(s3, bucket, other):
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        statement("Allow", "s3:PutObject", f"arn:aws:s3:::{bucket}/*"),
        statement("Deny", "s3:PutObject", f"arn:aws:s3:::{bucket}/*", principal="*",
                  Condition={"Null": {"s3:x-amz-server-side-encryption": "true"}}),
        statement("Deny", "s3:PutObject", f"arn:aws:s3:::{bucket}/*", principal="*",
                  Condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}})))

    denied(lambda: other.put_object(Bucket=bucket, Key="plain", Body=b"plain"))
    answer = other.put_object(Bucket=bucket, Key="sealed", Body=b"sealed", ServerSideEncryption="AES256")
    assert answer["ServerSideEncryption"] == "AES256"
    assert body(s3, bucket, "sealed") == b"sealed"
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=bucket, Key="plain")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # the Deny binds the bucket owner too, as on AWS
    denied(lambda: s3.put_object(Bucket=bucket, Key="owners", Body=b"mine"))
    s3.put_object(Bucket=bucket, Key="owners", Body=b"mine", ServerSideEncryption="AES256")


def test_deny_a_public_canned_acl(s3, bucket, other):
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        statement("Allow", "s3:PutObject", f"arn:aws:s3:::{bucket}/*"),
        statement("Deny", "s3:PutObject", f"arn:aws:s3:::{bucket}/*",
                  Condition={"StringLike": {"s3:x-amz-acl": "public*"}})))
    denied(lambda: other.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read"))
    other.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    assert body(s3, bucket, "k") == b"x"


def test_put_object_allowed_only_with_the_request_tag(s3, bucket, other):
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:PutObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEquals": {"s3:RequestObjectTag/security": "public"},
                   "ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["security", "team"]}})))
    denied(lambda: other.put_object(Bucket=bucket, Key="k", Body=b"x"))
    denied(lambda: other.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="security=private"))
    # every tag key must be one the policy lists
    denied(lambda: other.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="security=public&cost=1"))
    other.put_object(Bucket=bucket, Key="k", Body=b"tagged", Tagging="security=public&team=a")
    assert body(s3, bucket, "k") == b"tagged"


def test_copy_allowed_only_from_the_named_source_prefix(s3, bucket, other):
    s3.create_bucket(Bucket="source-bucket")
    s3.put_object(Bucket="source-bucket", Key="public/a", Body=b"from public")
    s3.put_object(Bucket="source-bucket", Key="private/a", Body=b"from private")
    s3.put_bucket_policy(Bucket="source-bucket", Policy=policy(statement(
        "Allow", "s3:GetObject", "arn:aws:s3:::source-bucket/*")))
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:PutObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringLike": {"s3:x-amz-copy-source": "source-bucket/public/*"}})))

    other.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": "source-bucket", "Key": "public/a"})
    assert body(s3, bucket, "copy") == b"from public"
    denied(lambda: other.copy_object(Bucket=bucket, Key="copy2",
                                     CopySource={"Bucket": "source-bucket", "Key": "private/a"}))
    # a plain upload carries no x-amz-copy-source: the condition does not hold
    denied(lambda: other.put_object(Bucket=bucket, Key="upload", Body=b"x"))


# -- aws:SourceIp, aws:SecureTransport, aws:Referer ----------------------------------------------


def test_source_ip_condition(s3, bucket, other, anon):
    s3.put_object(Bucket=bucket, Key="k", Body=b"local only")
    # a wildcard principal pinned to a network is not public: BlockPublicPolicy lets it be put
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*", principal="*",
        Condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8"]}})))
    assert body(other, bucket, "k") == b"local only"
    assert body(anon, bucket, "k") == b"local only"

    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*", principal="*",
        Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    denied(lambda: other.get_object(Bucket=bucket, Key="k"))
    denied(lambda: anon.get_object(Bucket=bucket, Key="k"))

    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        statement("Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*"),
        statement("Deny", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
                  Condition={"NotIpAddress": {"aws:SourceIp": "127.0.0.1/32"}})))
    assert body(other, bucket, "k") == b"local only"


def test_secure_transport_is_false_over_http(s3, bucket, other):
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"Bool": {"aws:SecureTransport": "false"}})))
    assert body(other, bucket, "k") == b"data"

    # the usual "HTTPS only" policy shuts out a plain-http request
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        statement("Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*"),
        statement("Deny", "s3:*", [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"], principal="*",
                  Condition={"Bool": {"aws:SecureTransport": False}})))
    denied(lambda: other.get_object(Bucket=bucket, Key="k"))


def test_if_exists_holds_when_the_key_is_absent(s3, bucket, other):
    s3.put_object(Bucket=bucket, Key="k", Body=b"referred")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringLikeIfExists": {"aws:Referer": "http://www.example.com/*"}})))
    assert body(other, bucket, "k") == b"referred"  # no Referer at all

    with_headers(other, "GetObject", {"Referer": "http://www.example.com/index.html"})
    assert body(other, bucket, "k") == b"referred"
    with_headers(other, "GetObject", {"Referer": "http://example.com"})
    denied(lambda: other.get_object(Bucket=bucket, Key="k"))

    # without IfExists, an absent key does not match
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringLike": {"aws:Referer": "http://www.example.com/*"}})))
    fresh_denied = make_client(other.meta.endpoint_url, access_key="OTHERKEY", secret="other-secret")
    denied(lambda: fresh_denied.get_object(Bucket=bucket, Key="k"))


# -- s3:prefix on ListBucket ---------------------------------------------------------------------


def test_list_bucket_limited_to_a_prefix(s3, bucket, other):
    for key in ("home/222/a", "home/222/b", "home/333/c", "top"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:ListBucket", f"arn:aws:s3:::{bucket}",
        Condition={"StringLike": {"s3:prefix": "home/222/*"}})))

    listed = other.list_objects_v2(Bucket=bucket, Prefix="home/222/")
    assert [o["Key"] for o in listed["Contents"]] == ["home/222/a", "home/222/b"]
    assert [o["Key"] for o in other.list_objects(Bucket=bucket, Prefix="home/222/a")["Contents"]] == ["home/222/a"]
    denied(lambda: other.list_objects_v2(Bucket=bucket, Prefix="home/333/"))
    denied(lambda: other.list_objects_v2(Bucket=bucket))  # no prefix: the key is absent

    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:ListBucket", f"arn:aws:s3:::{bucket}",
        Condition={"NumericLessThanEquals": {"s3:max-keys": "2"}})))
    assert other.list_objects_v2(Bucket=bucket, MaxKeys=2)["KeyCount"] == 2
    denied(lambda: other.list_objects_v2(Bucket=bucket, MaxKeys=3))


# -- NotPrincipal, NotAction, NotResource --------------------------------------------------------


def test_deny_with_not_principal_spares_only_the_named_account(s3, bucket, other, third, anon):
    s3.put_object(Bucket=bucket, Key="k", Body=b"for 222")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        statement("Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*", principal={"AWS": [OTHER, "333333333333"]}),
        {"Effect": "Deny", "NotPrincipal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"}))
    assert body(other, bucket, "k") == b"for 222"
    denied(lambda: third.get_object(Bucket=bucket, Key="k"))
    denied(lambda: anon.get_object(Bucket=bucket, Key="k"))
    denied(lambda: s3.get_object(Bucket=bucket, Key="k"))  # NotPrincipal does not spare the owner


def test_allow_with_not_principal(s3, bucket, other, third):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy({
        "Effect": "Allow", "NotPrincipal": {"AWS": "333333333333"}, "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::{bucket}"}))
    assert [o["Key"] for o in other.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]
    denied(lambda: third.list_objects_v2(Bucket=bucket))


def test_not_action_and_not_resource(s3, bucket, other):
    s3.put_object(Bucket=bucket, Key="open/k", Body=b"open")
    s3.put_object(Bucket=bucket, Key="closed/k", Body=b"closed")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": OTHER}, "NotAction": ["s3:DeleteObject", "s3:Put*"],
         "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Deny", "Principal": {"AWS": OTHER}, "Action": "s3:GetObject",
         "NotResource": f"arn:aws:s3:::{bucket}/open/*"}))
    assert body(other, bucket, "open/k") == b"open"
    denied(lambda: other.get_object(Bucket=bucket, Key="closed/k"))
    denied(lambda: other.put_object(Bucket=bucket, Key="open/new", Body=b"x"))
    denied(lambda: other.delete_object(Bucket=bucket, Key="open/k"))


# -- the principal and the clock -----------------------------------------------------------------


def test_principal_and_time_keys(s3, bucket, other, third):
    s3.put_object(Bucket=bucket, Key="k", Body=b"timed")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*", principal="*",
        Condition={"StringEquals": {"aws:PrincipalAccount": OTHER},
                   "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::222222222222:*"},
                   "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                   "NumericGreaterThan": {"aws:EpochTime": 1577836800}})))
    assert body(other, bucket, "k") == b"timed"
    denied(lambda: third.get_object(Bucket=bucket, Key="k"))

    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})))
    denied(lambda: other.get_object(Bucket=bucket, Key="k"))


def test_an_unknown_operator_never_matches(s3, bucket, other):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        statement("Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*"),
        statement("Deny", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
                  Condition={"StringEqualsSometimes": {"aws:PrincipalAccount": OTHER}})))
    assert body(other, bucket, "k") == b"x"
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEqualsSometimes": {"aws:PrincipalAccount": OTHER}})))
    denied(lambda: other.get_object(Bucket=bucket, Key="k"))


def test_delete_objects_checks_each_key(s3, bucket, other):
    s3.put_object(Bucket=bucket, Key="temp", Body=b"x")
    s3.put_object(Bucket=bucket, Key="keep", Body=b"y")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        # (lakebox checks DeleteObjects against the bucket's ARN first, then each key)
        statement("Allow", "s3:DeleteObject", [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                  Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}),
        statement("Deny", "s3:DeleteObject", f"arn:aws:s3:::{bucket}/keep",
                  Condition={"Bool": {"aws:SecureTransport": "false"}})))
    answer = other.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "temp"}, {"Key": "keep"}]})
    assert [d["Key"] for d in answer.get("Deleted", [])] == ["temp"]
    assert [(e["Key"], e["Code"]) for e in answer.get("Errors", [])] == [("keep", "AccessDenied")]
    assert body(s3, bucket, "keep") == b"y"


def test_existing_object_tag_is_absent_for_delete_object(s3, bucket, other):
    # S3 gives DeleteObject no s3:ExistingObjectTag: a negated test of it holds, an Allow on it never does
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="retention=temp")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:DeleteObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEquals": {"s3:ExistingObjectTag/retention": "temp"}})))
    denied(lambda: other.delete_object(Bucket=bucket, Key="k"))
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "s3:DeleteObjectTagging", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEquals": {"s3:ExistingObjectTag/retention": "temp"}})))
    other.delete_object_tagging(Bucket=bucket, Key="k")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
