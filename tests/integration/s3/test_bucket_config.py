"""Bucket settings: tagging, policy, public access block, ownership controls, request payment,
acceleration, notification and logging: stored, read back, validated, forgotten with the bucket.

The server keeps S3's pre-2023 bucket defaults (no ownership controls, no public access block), so
that every setting starts out never set; the 2023 defaults are tested in test_acl_defaults.py.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client


@pytest.fixture
def lakebox_settings():
    return {"s3_object_ownership": "ObjectWriter"}


def policy(bucket, **statement):
    body = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    body.update(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": [body]})


# -- tagging --------------------------------------------------------------------------------------


def test_bucket_tagging_put_get_delete(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchTagSet")
    response = s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "lake"},
                                                                         {"Key": "env", "Value": "dev"}]})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "env", "Value": "dev"},
                                                              {"Key": "team", "Value": "lake"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "only", "Value": "1"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "only", "Value": "1"}]
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchTagSet")


def test_bucket_takes_fifty_tags_but_not_fifty_one(s3, bucket):
    tags = [{"Key": f"k{i:02d}", "Value": "v"} for i in range(50)]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags + [{"Key": "one-more", "Value": "v"}]})
    assert error_of(exc) == (400, "InvalidTag")
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50  # the old set stays


@pytest.mark.parametrize("tag_set", [
    [{"Key": "k" * 129, "Value": "v"}],
    [{"Key": "k", "Value": "v" * 257}],
    [{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}],
    [{"Key": "aws:cloudformation", "Value": "1"}],
], ids=["long-key", "long-value", "duplicate", "aws-prefix"])
def test_bad_bucket_tags_are_invalid_tag(s3, bucket, tag_set):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_set})
    assert error_of(exc) == (400, "InvalidTag")


def test_settings_of_a_missing_bucket_are_no_such_bucket(s3):
    for call in (lambda: s3.get_bucket_tagging(Bucket="no-such-bucket-here"),
                 lambda: s3.put_bucket_policy(Bucket="no-such-bucket-here", Policy=policy("no-such-bucket-here")),
                 lambda: s3.get_bucket_acl(Bucket="no-such-bucket-here"),
                 lambda: s3.delete_public_access_block(Bucket="no-such-bucket-here")):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == (404, "NoSuchBucket")


def test_settings_are_forgotten_with_the_bucket(s3, bucket):
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(bucket))
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchTagSet")
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchBucketPolicy")


def test_settings_survive_a_restart(tmp_path):
    from lakebox.testing import running_lakebox

    data = tmp_path / "data"
    with running_lakebox(data, set_env=False, s3_object_ownership="ObjectWriter") as server:
        s3 = make_client(server.endpoint_url)
        s3.create_bucket(Bucket="durable")
        s3.put_bucket_tagging(Bucket="durable", Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
        s3.put_bucket_acl(Bucket="durable", ACL="public-read")
    with running_lakebox(data, set_env=False, s3_object_ownership="ObjectWriter") as server:
        s3 = make_client(server.endpoint_url)
        assert s3.get_bucket_tagging(Bucket="durable")["TagSet"] == [{"Key": "a", "Value": "1"}]
        grants = s3.get_bucket_acl(Bucket="durable")["Grants"]
        assert {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"} in \
            [g["Grantee"] for g in grants]


# -- policy ---------------------------------------------------------------------------------------


def test_bucket_policy_put_get_delete(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchBucketPolicy")
    text = policy(bucket, Resource=[f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"], Action="*")
    assert s3.put_bucket_policy(Bucket=bucket, Policy=text)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(text)
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchBucketPolicy")


def test_policy_status_says_whether_the_policy_makes_the_bucket_public(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy_status(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchBucketPolicy")
    s3.delete_public_access_block(Bucket=bucket)  # else the public policy below is refused
    anyone = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                       "Resource": f"arn:aws:s3:::{bucket}/*"}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(anyone))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}
    # The same grant pinned to one account by a condition is not public.
    anyone["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(anyone))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, Principal={"AWS": "arn:aws:iam::111122223333:root"}))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy_status(Bucket="no-such-bucket-here")
    assert error_of(exc) == (404, "NoSuchBucket")


def test_policy_without_version_is_accepted(s3, bucket):
    text = json.dumps({"Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["s3:DeleteObject"],
                                      "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    s3.put_bucket_policy(Bucket=bucket, Policy=text)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == text


@pytest.mark.parametrize("make", [
    lambda b: "{not json",
    lambda b: json.dumps(["a", "list"]),
    lambda b: json.dumps({"Version": "2012-10-17"}),
    lambda b: json.dumps({"Version": "2019-01-01", "Statement": []}),
    lambda b: json.dumps({"Version": "2012-10-17", "Statement": []}),
    lambda b: policy(b, Effect="Maybe"),
    lambda b: policy(b, Action="ec2:RunInstances"),
    lambda b: policy(b, Resource="arn:aws:s3:::some-other-bucket/*"),
    lambda b: json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                   "Resource": f"arn:aws:s3:::{b}"}]}),
    lambda b: policy(b, Principal={"AWS": "arn:aws:iam::s3tenant1:root"}),
    lambda b: policy(b, Principal={"AWS": "alice"}),
    lambda b: policy(b, Principal={"Nobody": "*"}),
    lambda b: policy(b, Principal={"AWS": []}),
    lambda b: policy(b, Principal="everyone"),
], ids=["not-json", "not-object", "no-statement", "bad-version", "empty-statement", "bad-effect", "bad-action",
        "other-bucket", "no-principal", "arn-without-account", "not-an-arn", "unknown-principal-type",
        "no-principals", "principal-string"])
def test_malformed_policies_are_refused(s3, bucket, make):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_policy(Bucket=bucket, Policy=make(bucket))
    assert error_of(exc) == (400, "MalformedPolicy")
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchBucketPolicy")


def test_every_principal_form_s3_takes_is_accepted(s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)  # so that "*" may be granted
    principals = ["*", {"AWS": "*"}, {"AWS": "111122223333"}, {"AWS": ["arn:aws:iam::111122223333:root",
                  "arn:aws:iam::111122223333:user/team/alice", "arn:aws:iam::111122223333:role/etl",
                  "arn:aws:sts::111122223333:assumed-role/etl/session-1",
                  "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"]},
                  {"Service": "logging.s3.amazonaws.com"}, {"CanonicalUser": "7" * 64}]
    for principal in principals:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, Principal=principal))
        assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Principal"] == principal


# -- public access block --------------------------------------------------------------------------


def test_public_access_block_put_get_delete(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_public_access_block(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchPublicAccessBlockConfiguration")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False}
    assert s3.delete_public_access_block(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_public_access_block(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchPublicAccessBlockConfiguration")


# -- ownership controls ---------------------------------------------------------------------------


def test_ownership_controls_put_get_delete(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_ownership_controls(Bucket=bucket)
    assert error_of(exc) == (404, "OwnershipControlsNotFoundError")
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]
    assert s3.delete_bucket_ownership_controls(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_ownership_controls(Bucket=bucket)
    assert error_of(exc) == (404, "OwnershipControlsNotFoundError")


@pytest.mark.parametrize("ownership", ["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"])
def test_create_bucket_with_object_ownership(s3, ownership):
    s3.create_bucket(Bucket="owned-bucket", ObjectOwnership=ownership)
    rules = s3.get_bucket_ownership_controls(Bucket="owned-bucket")["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": ownership}]


def test_two_ownership_rules_are_malformed_xml(s3, bucket):
    rules = [{"ObjectOwnership": "ObjectWriter"}, {"ObjectOwnership": "BucketOwnerPreferred"}]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": rules})
    assert error_of(exc) == (400, "MalformedXML")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": []})
    assert error_of(exc)[0] == 400


def test_enforced_ownership_refuses_a_public_bucket_acl(s3):
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket="enforced-public", ACL="public-read", ObjectOwnership="BucketOwnerEnforced")
    assert error_of(exc) == (400, "InvalidBucketAclWithObjectOwnership")
    s3.create_bucket(Bucket="public-first", ACL="public-read")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_ownership_controls(Bucket="public-first",
                                         OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert error_of(exc) == (400, "InvalidBucketAclWithObjectOwnership")
    s3.put_bucket_acl(Bucket="public-first", ACL="private")
    s3.put_bucket_ownership_controls(Bucket="public-first",
                                     OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})


# -- request payment, acceleration, notification, logging -----------------------------------------


def test_request_payment_defaults_to_bucket_owner(s3, bucket):
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"


def test_accelerate_configuration(s3, bucket):
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"


def test_accelerate_refuses_dotted_bucket_names(s3):
    s3.create_bucket(Bucket="dotted.bucket.name")
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_accelerate_configuration(Bucket="dotted.bucket.name",
                                               AccelerateConfiguration={"Status": "Enabled"})
    assert error_of(exc) == (400, "InvalidRequest")
    # The name is refused before the document is read, even a bad one (recorded on S3).
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_accelerate_configuration(Bucket="dotted.bucket.name",
                                               AccelerateConfiguration={"Status": "random"})
    assert error_of(exc) == (400, "InvalidRequest")
    assert "periods (.)" in exc.value.response["Error"]["Message"]


def test_notification_configuration_is_empty_then_stored_with_ids(s3, bucket):
    empty = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert not {"TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations"} & set(empty)
    queue = {"QueueArn": "arn:aws:sqs:us-east-1:000000000000:events", "Events": ["s3:ObjectCreated:*"],
             "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "raw/"}]}}}
    topic = {"Id": "mine", "TopicArn": "arn:aws:sns:us-east-1:000000000000:t", "Events": ["s3:ObjectRemoved:*"]}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [queue], "TopicConfigurations": [topic]})
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert got["TopicConfigurations"] == [topic]
    (stored,) = got["QueueConfigurations"]
    assert stored["Id"]  # S3 names a configuration sent without an Id
    assert {k: v for k, v in stored.items() if k != "Id"} == queue
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


@pytest.mark.parametrize("entry, message", [
    ({"QueueArn": "invalid-queue"}, "The ARN could not be parsed"),
    ({"TopicArn": "arn:aws:{}:us-east-1:012345678910:t"}, "The ARN is not well formed"),
    ({"QueueArn": "arn:aws:sns:us-east-1:012345678910:q"}, "The ARN is not well formed"),
    ({"LambdaFunctionArn": "arn:aws:lambda:us-west-2:012345678910:function:f"},
     "The notification destination service region is not valid for the bucket location constraint"),
    ({"QueueArn": "arn:aws:sqs:us-east-1:012345678910:q", "Events": ["notarealeventname"]},
     "The event is not supported for notifications"),
])
def test_notification_targets_are_checked_and_nothing_is_stored(s3, bucket, entry, message):
    member = {"QueueArn": "QueueConfigurations", "TopicArn": "TopicConfigurations",
              "LambdaFunctionArn": "LambdaFunctionConfigurations"}[next(k for k in entry if k.endswith("Arn"))]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            member: [{"Events": ["s3:ObjectCreated:*"], **entry}]})
    assert (exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]) == ("InvalidArgument", message)
    assert member not in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_an_empty_public_access_block_is_refused(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={})
    assert (exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]) == (
        "InvalidRequest", "Must specify at least one configuration.")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_logging_is_stored_and_switched_off(s3, bucket):
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    s3.create_bucket(Bucket="access-logs")
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "lake/"}})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {"TargetBucket": "access-logs",
                                                                      "TargetPrefix": "lake/"}
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_logging_to_a_missing_bucket_is_refused(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "no-such-log-bucket", "TargetPrefix": "x/"}})
    assert error_of(exc) == (400, "InvalidTargetBucketForLogging")


def test_a_missing_bucket_is_named_before_a_malformed_request_is(s3, raw, bucket):
    """A configuration PUT looks its bucket up first: to no bucket, a malformed one is
    NoSuchBucket (recorded on S3); to a bucket that exists, the same request gets its own error."""
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_encryption(Bucket="no-such-bucket-here", ServerSideEncryptionConfiguration={"Rules": []})
    assert error_of(exc) == (404, "NoSuchBucket")
    assert exc.value.response["Error"]["BucketName"] == "no-such-bucket-here"
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": []})
    assert error_of(exc) == (400, "MalformedXML")
    broken = b"<LifecycleConfiguration><Rule>"
    response = raw.request("PUT", "/no-such-bucket-here", query="lifecycle", body=broken,
                           headers={"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="})
    assert response.status_code == 404 and "<Code>NoSuchBucket</Code>" in response.text
    # CreateBucket names a bucket that does not exist yet: its malformed body is its own error.
    response = raw.request("PUT", "/brand-new-bucket-x", body=b"<CreateBucketConfiguration><Loc")
    assert response.status_code == 400 and "<Code>MalformedXML</Code>" in response.text
    assert "brand-new-bucket-x" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
