"""Object-level answers that must match AWS's recorded responses: conditional deletes, unsupported
write conditions, version ids, the governance bypass, delete markers under tagging and ACL calls,
tagging validation, digest and copy-source error fields, and response-* overrides."""

from __future__ import annotations

import base64
import hashlib

import pytest
import requests
from botocore.exceptions import ClientError

PRECONDITION_MESSAGE = "At least one of the pre-conditions you specified did not hold"
INVALID_VERSION = "Invalid version id specified"


def refused(call, **kwargs) -> ClientError:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return exc.value


def status_code(error: ClientError) -> tuple[int, str]:
    return error.response["ResponseMetadata"]["HTTPStatusCode"], error.response["Error"]["Code"]


def exists(s3, bucket, key) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


@pytest.fixture
def versioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


# -- 1. conditional deletes --------------------------------------------------------------------------


def test_delete_object_with_wrong_if_match_is_precondition_failed_and_keeps_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    error = refused(s3.delete_object, Bucket=bucket, Key="k", IfMatch='"0123456789abcdef0123456789abcdef"')
    assert status_code(error) == (412, "PreconditionFailed")
    assert error.response["Error"]["Message"] == PRECONDITION_MESSAGE
    assert error.response["Error"]["Condition"] == "If-Match"
    assert exists(s3, bucket, "k")


def test_delete_object_with_matching_if_match_deletes(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v")["ETag"]
    assert s3.delete_object(Bucket=bucket, Key="k", IfMatch=etag)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert not exists(s3, bucket, "k")


def test_delete_object_with_if_match_on_missing_key_is_no_such_key(s3, bucket):
    error = refused(s3.delete_object, Bucket=bucket, Key="absent", IfMatch='"0123456789abcdef0123456789abcdef"')
    assert status_code(error) == (404, "NoSuchKey")
    assert error.response["Error"]["Key"] == "absent"


def test_delete_object_directory_bucket_conditions_are_not_implemented_on_general_purpose_buckets(s3, bucket):
    # S3's recorded answers: 501 naming the header, checked before If-Match, and the object stays.
    s3.put_object(Bucket=bucket, Key="k", Body=b"four")
    head = s3.head_object(Bucket=bucket, Key="k")
    for kwargs, header in (({"IfMatchSize": 4}, "x-amz-if-match-size"),
                           ({"IfMatchLastModifiedTime": head["LastModified"]}, "x-amz-if-match-last-modified-time"),
                           ({"IfMatchSize": 10, "IfMatch": "badvalue", "IfMatchLastModifiedTime": head["LastModified"]},
                            "x-amz-if-match-last-modified-time")):
        error = refused(s3.delete_object, Bucket=bucket, Key="k", **kwargs)
        assert status_code(error) == (501, "NotImplemented")
        assert error.response["Error"]["Header"] == header
        assert error.response["Error"]["Message"] == "A header you provided implies functionality that is not implemented"
    assert exists(s3, bucket, "k")


def test_delete_objects_with_etag_deletes_only_matching_keys(s3, bucket):
    good = s3.put_object(Bucket=bucket, Key="good", Body=b"1")["ETag"]
    s3.put_object(Bucket=bucket, Key="stale", Body=b"2")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "good", "ETag": good},
        {"Key": "stale", "ETag": '"0123456789abcdef0123456789abcdef"'},
    ]})
    assert out["Deleted"] == [{"Key": "good"}]
    assert [(e["Key"], e["Code"], e["Message"]) for e in out["Errors"]] == [
        ("stale", "PreconditionFailed", PRECONDITION_MESSAGE)]
    assert not exists(s3, bucket, "good")
    assert exists(s3, bucket, "stale")


# -- 3. version ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize("call", ["delete_object", "get_object", "head_object"])
def test_version_id_on_never_versioned_bucket_is_invalid_argument(s3, bucket, call):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    version = "A" * 32
    error = refused(getattr(s3, call), Bucket=bucket, Key="k", VersionId=version)
    if call == "head_object":  # a HEAD answer has no body, so only its status tells
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    else:
        assert status_code(error) == (400, "InvalidArgument")
        assert error.response["Error"]["Message"] == INVALID_VERSION
        assert error.response["Error"]["ArgumentName"] == "versionId"
        assert error.response["Error"]["ArgumentValue"] == version
    assert exists(s3, bucket, "k")


def test_null_version_id_on_never_versioned_bucket_still_works(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"v"
    s3.delete_object(Bucket=bucket, Key="k", VersionId="null")
    assert not exists(s3, bucket, "k")


def test_delete_objects_version_on_never_versioned_bucket_is_no_such_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": "A" * 32}]})
    assert "Deleted" not in out
    assert [(e["Key"], e["Code"], e["Message"]) for e in out["Errors"]] == [
        ("k", "NoSuchVersion", "The specified version does not exist.")]
    assert exists(s3, bucket, "k")


@pytest.mark.parametrize("call", ["delete_object", "get_object"])
def test_malformed_version_id_on_versioned_bucket_is_invalid_argument(s3, versioned, call):
    s3.put_object(Bucket=versioned, Key="k", Body=b"v")
    error = refused(getattr(s3, call), Bucket=versioned, Key="k", VersionId="not-a-version")
    assert status_code(error) == (400, "InvalidArgument")
    assert error.response["Error"]["Message"] == INVALID_VERSION
    assert error.response["Error"]["ArgumentValue"] == "not-a-version"


def test_unknown_well_formed_version_id_on_versioned_bucket(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"v")
    assert status_code(refused(s3.get_object, Bucket=versioned, Key="k", VersionId="A" * 32)) == (
        404, "NoSuchVersion")
    # An id no version ever had fails S3's check on delete (recorded: InvalidArgument).
    assert status_code(refused(s3.delete_object, Bucket=versioned, Key="k", VersionId="A" * 32)) == (
        400, "InvalidArgument")
    assert exists(s3, versioned, "k")


# -- 4. governance bypass without Object Lock ---------------------------------------------------------


def test_bypass_governance_without_object_lock_is_invalid_argument(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    message = "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets."
    for value in (True, False):
        error = refused(s3.delete_object, Bucket=bucket, Key="k", BypassGovernanceRetention=value)
        assert status_code(error) == (400, "InvalidArgument")
        assert error.response["Error"]["Message"] == message
        assert error.response["Error"]["ArgumentName"] == "x-amz-bypass-governance-retention"
    error = refused(s3.delete_objects, Bucket=bucket, Delete={"Objects": [{"Key": "k"}]},
                    BypassGovernanceRetention=True)
    assert status_code(error) == (400, "InvalidArgument")
    assert error.response["Error"]["Message"] == message
    assert exists(s3, bucket, "k")


# -- 5. tagging and ACL calls on a delete marker ------------------------------------------------------


def _marker_refusal(error: ClientError, method: str) -> None:
    assert status_code(error) == (405, "MethodNotAllowed")
    assert error.response["Error"]["Message"] == "The specified method is not allowed against this resource."
    assert error.response["Error"]["Method"] == method
    assert error.response["Error"]["ResourceType"] == "DeleteMarker"


@pytest.mark.parametrize("by_version", [False, True], ids=["latest", "by-version-id"])
def test_subresource_calls_on_a_delete_marker_are_method_not_allowed(s3, versioned, by_version):
    s3.put_object(Bucket=versioned, Key="k", Body=b"v")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    target = {"Bucket": versioned, "Key": "k", **({"VersionId": marker} if by_version else {})}
    _marker_refusal(refused(s3.put_object_tagging, Tagging={"TagSet": []}, **target), "PUT")
    _marker_refusal(refused(s3.get_object_tagging, **target), "GET")
    _marker_refusal(refused(s3.delete_object_tagging, **target), "DELETE")
    _marker_refusal(refused(s3.put_object_acl, ACL="private", **target), "PUT")
    if by_version:
        _marker_refusal(refused(s3.get_object_acl, **target), "GET")
    else:  # S3 reads the ACL of a key hidden by a marker as it reads the key: 404
        assert status_code(refused(s3.get_object_acl, **target)) == (404, "NoSuchKey")


def test_get_object_on_a_latest_delete_marker_stays_no_such_key(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"v")
    s3.delete_object(Bucket=versioned, Key="k")
    assert status_code(refused(s3.get_object, Bucket=versioned, Key="k")) == (404, "NoSuchKey")


# -- 6. tagging validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["key1=val1&key1=val1", "key1=val1&key1=val2", "key1=val1,key2=val2"])
def test_tagging_header_duplicates_or_not_query_form_is_invalid_argument(s3, bucket, header):
    error = refused(s3.put_object, Bucket=bucket, Key="k", Body=b"v", Tagging=header)
    assert status_code(error) == (400, "InvalidArgument")
    assert error.response["Error"]["Message"] == (
        "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters "
        "without tag name duplicates.")
    assert error.response["Error"]["ArgumentName"] == "x-amz-tagging"
    assert error.response["Error"]["ArgumentValue"] == header
    assert not exists(s3, bucket, "k")


def test_tagging_header_with_too_long_value_stays_invalid_tag(s3, bucket):
    error = refused(s3.put_object, Bucket=bucket, Key="k", Body=b"v", Tagging="key=" + "v" * 257)
    assert status_code(error) == (400, "InvalidTag")


def test_get_object_tagging_on_missing_key_names_bucket_and_key(s3, bucket):
    error = refused(s3.get_object_tagging, Bucket=bucket, Key="absent")
    assert status_code(error) == (404, "NoSuchKey")
    assert error.response["Error"]["Key"] == f"{bucket}/absent"
    error = refused(s3.put_object_tagging, Bucket=bucket, Key="absent", Tagging={"TagSet": []})
    assert error.response["Error"]["Key"] == "absent"


def test_invalid_tag_names_the_key_and_value(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    error = refused(s3.put_object_tagging, Bucket=bucket, Key="k",
                    Tagging={"TagSet": [{"Key": "Key1", "Value": "Val1,Val2"}]})
    assert status_code(error) == (400, "InvalidTag")
    assert error.response["Error"]["Message"] == "The TagValue you have provided is invalid"
    assert error.response["Error"]["TagKey"] == "Key1"
    assert error.response["Error"]["TagValue"] == "Val1,Val2"
    error = refused(s3.put_object_tagging, Bucket=bucket, Key="k",
                    Tagging={"TagSet": [{"Key": "Key1,Key2", "Value": "v"}]})
    assert error.response["Error"]["Message"] == "The TagKey you have provided is invalid"
    assert error.response["Error"]["TagKey"] == "Key1,Key2"
    assert "TagValue" not in error.response["Error"]


# -- 7. BadDigest fields ------------------------------------------------------------------------------


def test_bad_digest_names_expected_and_calculated_digests(s3, bucket):
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    error = refused(s3.put_object, Bucket=bucket, Key="k", Body=b"body", ContentMD5=wrong)
    assert status_code(error) == (400, "BadDigest")
    assert error.response["Error"]["Message"] == "The Content-MD5 you specified did not match what we received."
    # As S3 answers: the expected digest in hex, the calculated one in base64.
    assert error.response["Error"]["ExpectedDigest"] == hashlib.md5(b"other").hexdigest()
    assert error.response["Error"]["CalculatedDigest"] == base64.b64encode(hashlib.md5(b"body").digest()).decode()


def test_bad_digest_of_a_part_echoes_the_expected_digest_as_sent(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    error = refused(s3.upload_part, Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"part",
                    ContentMD5=wrong)
    assert status_code(error) == (400, "BadDigest")
    # Recorded on S3: for a part the expected digest stays base64, as the client sent it.
    assert error.response["Error"]["ExpectedDigest"] == wrong
    assert error.response["Error"]["CalculatedDigest"] == base64.b64encode(hashlib.md5(b"part").digest()).decode()
    assert s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload).get("Parts", []) == []


# -- 8. malformed copy source -------------------------------------------------------------------------


def test_copy_source_without_slash_names_the_header(s3, bucket):
    error = refused(s3.copy_object, Bucket=bucket, Key="dst", CopySource="wrongformat")
    assert status_code(error) == (400, "InvalidArgument")
    assert error.response["Error"]["Message"] == "Invalid copy source object key"
    assert error.response["Error"]["ArgumentName"] == "x-amz-copy-source"
    assert error.response["Error"]["ArgumentValue"] == "x-amz-copy-source"


# -- 9. response-* overrides outside ISO-8859-1 -------------------------------------------------------

NON_LATIN_1 = "non-ascii-\u2014_\u00e9_"


def test_response_override_outside_latin_1_is_invalid_argument(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    error = refused(s3.get_object, Bucket=bucket, Key="k", ResponseCacheControl=NON_LATIN_1)
    assert status_code(error) == (400, "InvalidArgument")
    assert error.response["Error"]["Message"] == "Header value cannot be represented using ISO-8859-1."
    assert error.response["Error"]["ArgumentName"] == "response-cache-control"
    assert error.response["Error"]["ArgumentValue"] == NON_LATIN_1


def test_presigned_response_override_outside_latin_1_is_invalid_argument(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "k", "ResponseContentDisposition": NON_LATIN_1})
    response = requests.get(url)
    assert response.status_code == 400
    assert "<Code>InvalidArgument</Code>" in response.text
    assert "<ArgumentName>response-content-disposition</ArgumentName>" in response.text
    # Latin-1 values (é) are fine and come back as sent.
    url = s3.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "k", "ResponseContentLanguage": "caf\u00e9"})
    response = requests.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "caf\u00e9"


def test_an_if_modified_since_in_the_future_is_ignored(s3, bucket):
    """RFC 9110 calls such a date invalid, and S3 answers as if it were absent: 200, and a copy."""
    import datetime as dt

    s3.put_object(Bucket=bucket, Key="k", Body=b"body")
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
    assert s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=future)["Body"].read() == b"body"
    assert s3.head_object(Bucket=bucket, Key="k", IfModifiedSince=future)["ContentLength"] == 4
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"},
                   CopySourceIfModifiedSince=future)
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"body"
    # A date that is not in the future, and not before the object was written, still answers 304.
    now = dt.datetime.now(dt.timezone.utc)
    refused_304 = refused(s3.get_object, Bucket=bucket, Key="k", IfModifiedSince=now)
    assert refused_304.response["ResponseMetadata"]["HTTPStatusCode"] == 304


def test_object_lock_writes_on_a_delete_marker_name_their_method(s3):
    s3.create_bucket(Bucket="locked-marker", ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket="locked-marker", Key="k", Body=b"v")
    marker = s3.delete_object(Bucket="locked-marker", Key="k")["VersionId"]
    retention = {"Mode": "GOVERNANCE", "RetainUntilDate": "2099-01-01T00:00:00Z"}
    _marker_refusal(refused(s3.put_object_retention, Bucket="locked-marker", Key="k", VersionId=marker,
                            Retention=retention), "PUT")
    _marker_refusal(refused(s3.put_object_legal_hold, Bucket="locked-marker", Key="k", VersionId=marker,
                            LegalHold={"Status": "ON"}), "PUT")
