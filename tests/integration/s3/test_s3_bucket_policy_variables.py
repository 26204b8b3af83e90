"""Policy variables in bucket policies (`${aws:username}`, defaults, escapes), and Principal elements
that name one IAM user, for the users of another account, as AWS's home-folder examples use them.

Account A (the default account, the `s3` fixture) owns the bucket; account 222222222222 (`other`)
creates the IAM users alice and bob, whose own access keys sign their requests.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError
from s3_helpers import error_of, make_client

OTHER = "222222222222"
DENIED = (403, "AccessDenied")


def _user_client(lakebox_server, other_iam, name: str):
    other_iam.create_user(UserName=name)
    key = other_iam.create_access_key(UserName=name)["AccessKey"]
    return make_client(lakebox_server.endpoint_url, access_key=key["AccessKeyId"], secret=key["SecretAccessKey"])


@pytest.fixture
def users(lakebox_server, other):
    iam = boto3.client("iam", endpoint_url=lakebox_server.endpoint_url, region_name="us-east-1",
                       aws_access_key_id="OTHERKEY", aws_secret_access_key="other-secret")
    return _user_client(lakebox_server, iam, "alice"), _user_client(lakebox_server, iam, "bob")


def _denied(call) -> None:
    with pytest.raises(ClientError) as exc:
        call()
    assert error_of(exc) == DENIED


def _policy(s3, bucket: str, *statements: dict) -> None:
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))


def test_each_user_gets_a_home_folder_through_aws_username(s3, bucket, users):
    alice, bob = users
    _policy(s3, bucket,
            {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": f"arn:aws:s3:::{bucket}/home/${{aws:username}}/*"},
            {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "s3:ListBucket",
             "Resource": f"arn:aws:s3:::{bucket}",
             "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "home/${aws:username}/"]}}})
    alice.put_object(Bucket=bucket, Key="home/alice/notes.txt", Body=b"mine")
    bob.put_object(Bucket=bucket, Key="home/bob/notes.txt", Body=b"his")
    assert alice.get_object(Bucket=bucket, Key="home/alice/notes.txt")["Body"].read() == b"mine"
    _denied(lambda: alice.get_object(Bucket=bucket, Key="home/bob/notes.txt"))
    _denied(lambda: alice.put_object(Bucket=bucket, Key="home/bob/evil.txt", Body=b"x"))
    _denied(lambda: bob.put_object(Bucket=bucket, Key="shared/x.txt", Body=b"x"))
    listed = alice.list_objects_v2(Bucket=bucket, Prefix="home/alice/")
    assert [o["Key"] for o in listed["Contents"]] == ["home/alice/notes.txt"]
    _denied(lambda: alice.list_objects_v2(Bucket=bucket, Prefix="home/bob/"))
    _denied(lambda: alice.list_objects_v2(Bucket=bucket))
    # The bucket owner is not bound by Allow statements: it reads everything.
    assert s3.get_object(Bucket=bucket, Key="home/bob/notes.txt")["Body"].read() == b"his"


def test_a_principal_that_names_one_user_applies_to_that_user_only(s3, bucket, users):
    alice, bob = users
    s3.put_object(Bucket=bucket, Key="shared/report.csv", Body=b"a,b\n")
    _policy(s3, bucket, {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:user/alice"},
                         "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/shared/*"})
    assert alice.get_object(Bucket=bucket, Key="shared/report.csv")["Body"].read() == b"a,b\n"
    _denied(lambda: bob.get_object(Bucket=bucket, Key="shared/report.csv"))


def test_a_variable_without_a_value_takes_its_default_and_escapes_are_literal(lakebox_server, s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)
    for key in ("public/guest/readme.txt", "public/alice/readme.txt", "literal/*", "literal/x"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    _policy(s3, bucket,
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": [f"arn:aws:s3:::{bucket}/public/${{aws:username, 'guest'}}/*",
                          f"arn:aws:s3:::{bucket}/literal/${{*}}"]})
    anonymous = make_client(lakebox_server.endpoint_url, signature_version=UNSIGNED)
    assert anonymous.get_object(Bucket=bucket, Key="public/guest/readme.txt")["Body"].read() == \
        b"public/guest/readme.txt"
    _denied(lambda: anonymous.get_object(Bucket=bucket, Key="public/alice/readme.txt"))
    assert anonymous.get_object(Bucket=bucket, Key="literal/*")["Body"].read() == b"literal/*"
    _denied(lambda: anonymous.get_object(Bucket=bucket, Key="literal/x"))


def test_a_variable_with_no_value_and_no_default_matches_nothing(lakebox_server, s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="home/x", Body=b"x")
    _policy(s3, bucket, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                         "Resource": f"arn:aws:s3:::{bucket}/home/${{aws:username}}*"})
    anonymous = make_client(lakebox_server.endpoint_url, signature_version=UNSIGNED)
    _denied(lambda: anonymous.get_object(Bucket=bucket, Key="home/x"))
