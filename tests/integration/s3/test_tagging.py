"""Object tagging: x-amz-tagging on writes, Put/Get/DeleteObjectTagging, and S3's limits."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of


def test_tagging_header_on_put_is_returned_sorted_by_key(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="zeta=last&alpha=first&empty")
    tags = s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]
    assert tags == [{"Key": "alpha", "Value": "first"}, {"Key": "empty", "Value": ""},
                    {"Key": "zeta", "Value": "last"}]
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 3
    assert s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"] == "3"


def test_tagging_header_is_url_decoded(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="project=lake%20house&path=a%2Fb")
    tags = s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]
    assert tags == [{"Key": "path", "Value": "a/b"}, {"Key": "project", "Value": "lake house"}]


def test_put_get_delete_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "pii", "Value": "true"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "pii", "Value": "true"}]
    # a new tag set replaces the old one entirely
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "other", "Value": "1"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "other", "Value": "1"}]
    response = s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    # the object itself is untouched by tagging
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_ten_tags_with_max_sizes_are_accepted(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    tag_set = [{"Key": f"{i}" + "k" * 127, "Value": "v" * 256} for i in range(10)]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tag_set})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == sorted(tag_set, key=lambda t: t["Key"])


@pytest.mark.parametrize(
    "tag_set",
    [
        [{"Key": "k" * 129, "Value": "v"}],
        [{"Key": "k", "Value": "v" * 257}],
        [{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}],
        [{"Key": "aws:reserved", "Value": "1"}],
    ],
    ids=["long-key", "long-value", "duplicate", "aws-prefix"],
)
def test_bad_tag_sets_are_invalid_tag_and_keep_old_tags(s3, bucket, tag_set):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="keep=me")
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tag_set})
    assert error_of(exc) == (400, "InvalidTag")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "keep", "Value": "me"}]


def test_an_eleventh_tag_is_bad_request_and_keeps_old_tags(s3, bucket):
    """AWS answers BadRequest here, not InvalidTag (ceph/s3-tests expects InvalidTag)."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="keep=me")
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="k",
                              Tagging={"TagSet": [{"Key": f"k{i}", "Value": "v"} for i in range(11)]})
    assert error_of(exc) == (400, "BadRequest")
    assert exc.value.response["Error"]["Message"] == "Object tags cannot be greater than 10"
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "keep", "Value": "me"}]


def test_too_many_tags_in_header_is_bad_request(s3, bucket):
    header = "&".join(f"k{i}=v" for i in range(11))
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging=header)
    assert error_of(exc) == (400, "BadRequest")
    assert exc.value.response["Error"]["Message"] == "Object tags cannot be greater than 10"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_tagging_missing_object_is_no_such_key(s3, bucket):
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="nope", Tagging={"TagSet": []})
    assert error_of(exc) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as exc:
        s3.get_object_tagging(Bucket=bucket, Key="nope")
    assert error_of(exc) == (404, "NoSuchKey")


def test_multipart_upload_carries_tagging_header(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="Hello=World&foo=bar")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"x")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="mp")["TagSet"] == [
        {"Key": "Hello", "Value": "World"}, {"Key": "foo", "Value": "bar"}]


def test_a_tagging_document_without_a_tag_set_clears_the_tags(raw, s3, bucket):
    """S3's answer to `<Tagging/>` (what an SDK sends for TagSet=None): 204, and no tags are left."""
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1")
    body = b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></Tagging>'
    import base64
    import hashlib

    md5 = {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()}
    assert raw.request("PUT", f"/{bucket}", query="tagging", body=body, headers=md5).status_code == 204
    assert raw.request("PUT", f"/{bucket}/k", query="tagging", body=body, headers=md5).status_code == 200
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchTagSet")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []


@pytest.mark.parametrize("tag", [b"<Tag><Value>v</Value></Tag>", b"<Tag><Key>k</Key></Tag>"], ids=["no-key", "no-value"])
def test_a_tag_without_its_key_or_value_is_malformed_xml(raw, s3, bucket, tag):
    body = b"<Tagging><TagSet>" + tag + b"</TagSet></Tagging>"
    import base64
    import hashlib

    md5 = {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()}
    for path in (f"/{bucket}", f"/{bucket}/k"):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        response = raw.request("PUT", path, query="tagging", body=body, headers=md5)
        assert response.status_code == 400 and "<Code>MalformedXML</Code>" in response.text
