"""A bucket policy's explicit Deny binds the bucket owner, as on AWS: "an explicit deny in any policy
overrides any allows", the bucket owner's requests included. The owner can always get, replace and
delete the policy (the root user's way back in), and Allow statements change nothing for it."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

DENIED = (403, "AccessDenied")


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _deny(action, resource: str, **extra) -> dict:
    return {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource, **extra}


def _denied(call) -> None:
    with pytest.raises(ClientError) as exc:
        call()
    assert error_of(exc) == DENIED


def test_deny_delete_protects_objects_from_the_owner(s3, bucket):
    s3.put_object(Bucket=bucket, Key="bronze/a.csv", Body=b"a")
    s3.put_object(Bucket=bucket, Key="scratch/b.csv", Body=b"b")
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(_deny("s3:DeleteObject", f"arn:aws:s3:::{bucket}/bronze/*")))
    _denied(lambda: s3.delete_object(Bucket=bucket, Key="bronze/a.csv"))
    s3.delete_object(Bucket=bucket, Key="scratch/b.csv")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "bronze/a.csv"}, {"Key": "scratch/c"}]})
    assert [(e["Key"], e["Code"]) for e in result.get("Errors", [])] == [("bronze/a.csv", "AccessDenied")]
    assert [d["Key"] for d in result["Deleted"]] == ["scratch/c"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["bronze/a.csv"]
    assert s3.get_object(Bucket=bucket, Key="bronze/a.csv")["Body"].read() == b"a"


def test_the_owner_can_always_read_replace_and_delete_the_policy(s3, bucket):
    text = _policy(_deny("s3:*", f"arn:aws:s3:::{bucket}"), _deny("s3:*", f"arn:aws:s3:::{bucket}/*"))
    s3.put_bucket_policy(Bucket=bucket, Policy=text)
    _denied(lambda: s3.list_objects_v2(Bucket=bucket))
    _denied(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x"))
    _denied(lambda: s3.get_bucket_versioning(Bucket=bucket))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(text)
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]


def test_a_deny_on_the_copy_source_refuses_the_owners_copy(s3, bucket):
    s3.put_object(Bucket=bucket, Key="secret/k", Body=b"s")
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(_deny("s3:GetObject", f"arn:aws:s3:::{bucket}/secret/*")))
    _denied(lambda: s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "secret/k"}))
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=bucket, Key="copy")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_conditions_decide_for_the_owner_and_allows_change_nothing(s3, bucket):
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(
        {"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"},
        _deny("s3:PutObject", f"arn:aws:s3:::{bucket}/*",
              Condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}})))
    _denied(lambda: s3.put_object(Bucket=bucket, Key="plain", Body=b"p"))
    s3.put_object(Bucket=bucket, Key="sealed", Body=b"s", ServerSideEncryption="aws:kms")
    assert s3.get_object(Bucket=bucket, Key="sealed")["Body"].read() == b"s"


def test_a_deny_naming_another_account_leaves_the_owner_alone(s3, bucket):
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}))
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_deny_over_plain_http_refuses_the_owner_as_s3_would(s3, bucket):
    """lakebox serves http: a Deny when aws:SecureTransport is false covers every request."""
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(_deny("s3:*", f"arn:aws:s3:::{bucket}/*",
                                                             Condition={"Bool": {"aws:SecureTransport": "false"}})))
    _denied(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x"))
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
