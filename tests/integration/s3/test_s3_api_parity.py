"""S3 behaviours checked against AWS's documented (and observed) answers."""

from __future__ import annotations


import pytest
from botocore.exceptions import ClientError
from s3_helpers import error_of

SELF_COPY = ("This copy request is illegal because it is trying to copy an object to itself without changing the "
             "object's metadata, storage class, website redirect location or encryption attributes.")


def test_put_bucket_tagging_with_empty_tag_set_removes_the_tags(s3, bucket):
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"}]})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": []})
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_of(exc) == (404, "NoSuchTagSet")
    assert exc.value.response["Error"]["Message"] == "The TagSet does not exist"


@pytest.mark.parametrize("existing", [True, False])
def test_delete_objects_with_empty_list_is_malformed_xml(s3, bucket, existing):
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(Bucket=bucket if existing else "no-such-bucket-here", Delete={"Objects": []})
    assert error_of(exc) == (400, "MalformedXML")


def test_head_of_delete_marker_version_is_405_with_allow_delete(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    for call in (s3.head_object, s3.get_object):
        with pytest.raises(ClientError) as exc:
            call(Bucket=bucket, Key="k", VersionId=marker)
        headers = exc.value.response["ResponseMetadata"]["HTTPHeaders"]
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
        assert headers["allow"] == "DELETE"
        assert headers["x-amz-delete-marker"] == "true"


def test_copy_onto_itself_naming_the_source_version_is_allowed(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    latest = s3.put_object(Bucket=bucket, Key="k", Body=b"")["VersionId"]
    for version in (latest, "null"):
        out = s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k", "VersionId": version})
        assert out["VersionId"] not in (latest, "null")
    assert len(s3.list_object_versions(Bucket=bucket, Prefix="k")["Versions"]) == 4
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"})
    assert error_of(exc) == (400, "InvalidRequest")
    assert exc.value.response["Error"]["Message"] == SELF_COPY


def test_every_answer_names_the_server_amazons3(s3, bucket):
    """S3 sends `Server: AmazonS3` on successes, errors and HEAD answers alike."""
    ok = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert ok["ResponseMetadata"]["HTTPHeaders"]["server"] == "AmazonS3"
    assert s3.head_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"]["server"] == "AmazonS3"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="missing")
    assert exc.value.response["ResponseMetadata"]["HTTPHeaders"]["server"] == "AmazonS3"


def test_raw_documents_keep_s3s_shape(s3, raw, bucket):
    """The Java SDK reads some documents by element order: ListAllMyBucketsResult names the Owner
    first, and GetBucketLocation of a us-east-1 bucket is one self-closed element."""
    listing = raw.request("GET", "/").text
    assert listing.index("<Owner>") < listing.index("<Buckets>")
    location = raw.request("GET", f"/{bucket}", query="location").text
    assert location == ('<?xml version="1.0" encoding="UTF-8"?>\n'
                        '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>')
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None


def _tags(document: str) -> list[str]:
    """The top-level child elements of a document, in order."""
    import xml.etree.ElementTree as ET

    return [child.tag.split("}")[1] for child in ET.fromstring(document.split("\n", 1)[1])]


@pytest.mark.parametrize("query", ["", "list-type=2", "versions", "list-type=2&delimiter=/"])
def test_listings_give_their_parameters_before_the_entries(s3, raw, bucket, query):
    """As S3 writes them, and as SAX-style clients (the Java SDK) need them: Name first, the
    entries (then the common prefixes) last."""
    for key in ("a", "b", "dir/c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    tags = _tags(raw.request("GET", f"/{bucket}", query=query).text)
    entries = [t for t in tags if t in ("Contents", "Version", "DeleteMarker", "CommonPrefixes")]
    assert tags[0] == "Name" and tags[-len(entries):] == entries and len(entries) >= 2
    assert tags.index("IsTruncated") < tags.index(entries[0])


def test_list_parts_names_the_upload_before_its_parts(s3, raw, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"part")
    tags = _tags(raw.request("GET", f"/{bucket}/mp", query=f"uploadId={upload}").text)
    assert tags[:6] == ["Bucket", "Key", "UploadId", "Initiator", "Owner", "StorageClass"]
    assert tags[-1] == "Part"
    uploads = _tags(raw.request("GET", f"/{bucket}", query="uploads").text)
    assert uploads[0] == "Bucket" and uploads[-1] == "Upload"


def test_versions_and_delete_markers_come_in_one_run_in_key_order(s3, raw, bucket):
    """S3 interleaves Version and DeleteMarker elements by key, newest first within a key; boto3
    splits them into two lists, but SAX-style readers (the Java SDK) keep the document's order."""
    import xml.etree.ElementTree as ET

    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    s3.delete_object(Bucket=bucket, Key="a")
    s3.put_object(Bucket=bucket, Key="a", Body=b"2")
    s3.put_object(Bucket=bucket, Key="b", Body=b"3")
    s3.delete_object(Bucket=bucket, Key="c")
    root = ET.fromstring(raw.request("GET", f"/{bucket}", query="versions").text.split("\n", 1)[1])
    entries = [(child.tag.split("}")[1], child.find("{*}Key").text, child.find("{*}IsLatest").text)
               for child in root if child.tag.endswith(("}Version", "}DeleteMarker"))]
    assert entries == [("Version", "a", "true"), ("DeleteMarker", "a", "false"), ("Version", "a", "false"),
                       ("Version", "b", "true"), ("DeleteMarker", "c", "true")]
    listed = s3.list_object_versions(Bucket=bucket)
    assert [v["Key"] for v in listed["Versions"]] == ["a", "a", "b"]
    assert [m["Key"] for m in listed["DeleteMarkers"]] == ["a", "c"]
