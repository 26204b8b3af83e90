"""DeleteObjects: bulk deletes, quiet mode, per-key errors and the 1,000-key limit."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of


def test_bulk_delete_reports_each_key_and_removes_them(s3, bucket):
    for key in ("a", "b", "c/d"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "c/d"},
                                                                    {"Key": "never-existed"}]})
    assert sorted(d["Key"] for d in response["Deleted"]) == ["a", "c/d", "never-existed"]
    assert "Errors" not in response
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["b"]


def test_quiet_mode_reports_only_errors(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}], "Quiet": True})
    assert "Deleted" not in response
    assert "Errors" not in response
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_per_key_errors_do_not_stop_other_deletes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="ok", Body=b"x")
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "ok"}, {"Key": "k" * 1100}, {"Key": "ok", "VersionId": "not-a-version"}]})
    assert [d["Key"] for d in response["Deleted"]] == ["ok"]
    codes = sorted((e["Key"][:3], e["Code"]) for e in response["Errors"])
    assert codes == [("kkk", "KeyTooLongError"), ("ok", "InvalidArgument")]
    assert response["Errors"][0]["Message"]


def test_quiet_mode_still_reports_errors(s3, bucket):
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k" * 1100}], "Quiet": True})
    assert [e["Code"] for e in response["Errors"]] == ["KeyTooLongError"]


def test_more_than_1000_keys_is_malformed_xml(s3, bucket):
    objects = [{"Key": f"key-{i}"} for i in range(1001)]
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
    assert error_of(exc) == (400, "MalformedXML")


def test_exactly_1000_keys_is_accepted(s3, bucket):
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"k{i}"} for i in range(1000)],
                                                       "Quiet": True})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_bulk_delete_in_missing_bucket_is_no_such_bucket(s3):
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(Bucket="no-such-bulk-bucket", Delete={"Objects": [{"Key": "a"}]})
    assert error_of(exc) == (404, "NoSuchBucket")
