"""S3 routing: one URI template serves several operations, told apart by sub-resources, required
query parameters and headers. Paths arrive path-style from the gateway."""

from __future__ import annotations

import pytest

from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import Headers, HttpRequest
from lakebox.protocol.parsers.s3 import S3RequestParser
from lakebox.protocol.rest_router import router_for
from lakebox.protocol.specs import load_service_model

MODEL = load_service_model("s3")
PARSER = S3RequestParser(MODEL)
COPY = [("x-amz-copy-source", "/src-bucket/src%20key")]

ROUTES = [
    # (method, path, query, headers, operation)
    ("GET", "/", "", [], "ListBuckets"),
    ("GET", "/", "max-directory-buckets=10", [], "ListDirectoryBuckets"),
    ("GET", "/bkt", "", [], "ListObjects"),
    ("GET", "/bkt/", "", [], "ListObjects"),
    ("GET", "/bkt", "prefix=a&delimiter=%2F", [], "ListObjects"),
    ("GET", "/bkt", "list-type=2", [], "ListObjectsV2"),
    ("GET", "/bkt", "list-type=2&continuation-token=abc", [], "ListObjectsV2"),
    ("GET", "/bkt", "list-type=1", [], "ListObjects"),
    ("GET", "/bkt", "versions", [], "ListObjectVersions"),
    ("GET", "/bkt", "uploads", [], "ListMultipartUploads"),
    ("GET", "/bkt", "tagging", [], "GetBucketTagging"),
    ("GET", "/bkt", "location", [], "GetBucketLocation"),
    ("GET", "/bkt", "lifecycle", [], "GetBucketLifecycleConfiguration"),
    ("GET", "/bkt", "analytics", [], "ListBucketAnalyticsConfigurations"),
    ("GET", "/bkt", "analytics&id=a1", [], "GetBucketAnalyticsConfiguration"),
    ("GET", "/bkt", "foo", [], "ListObjects"),  # unknown query keys are ignored, as S3 does
    ("PUT", "/bkt", "", [], "CreateBucket"),
    ("PUT", "/bkt", "tagging", [], "PutBucketTagging"),
    ("DELETE", "/bkt", "", [], "DeleteBucket"),
    ("DELETE", "/bkt", "cors", [], "DeleteBucketCors"),
    ("HEAD", "/bkt", "", [], "HeadBucket"),
    ("POST", "/bkt", "delete", [], "DeleteObjects"),
    ("GET", "/bkt/k", "", [], "GetObject"),
    ("GET", "/bkt/k", "partNumber=2", [], "GetObject"),
    ("GET", "/bkt/k", "versionId=v1&response-content-type=text%2Fplain", [], "GetObject"),
    ("GET", "/bkt/k", "uploadId=u1", [], "ListParts"),
    ("GET", "/bkt/k", "tagging", [], "GetObjectTagging"),
    ("GET", "/bkt/k", "acl", [], "GetObjectAcl"),
    ("GET", "/bkt/k", "attributes", [], "GetObjectAttributes"),
    ("HEAD", "/bkt/k", "", [], "HeadObject"),
    ("HEAD", "/bkt/k", "partNumber=1", [], "HeadObject"),
    ("PUT", "/bkt/k", "", [], "PutObject"),
    ("PUT", "/bkt/k", "", COPY, "CopyObject"),
    ("PUT", "/bkt/k", "partNumber=3&uploadId=u1", [], "UploadPart"),
    ("PUT", "/bkt/k", "partNumber=3&uploadId=u1", COPY, "UploadPartCopy"),
    ("PUT", "/bkt/k", "tagging", [], "PutObjectTagging"),
    ("DELETE", "/bkt/k", "", [], "DeleteObject"),
    ("DELETE", "/bkt/k", "uploadId=u1", [], "AbortMultipartUpload"),
    ("DELETE", "/bkt/k", "tagging", [], "DeleteObjectTagging"),
    ("POST", "/bkt/k", "uploads", [], "CreateMultipartUpload"),
    ("POST", "/bkt/k", "uploadId=u1", [], "CompleteMultipartUpload"),
    ("POST", "/bkt/k", "restore", [], "RestoreObject"),
    ("POST", "/bkt/k", "select&select-type=2", [], "SelectObjectContent"),
    ("POST", "/WriteGetObjectResponse", "", [], "WriteGetObjectResponse"),
    # Smithy-based SDKs (JavaScript v3, Java v2) name the operation in ?x-id=.
    ("GET", "/bkt/k", "x-id=GetObject", [], "GetObject"),
    ("PUT", "/bkt/k", "x-id=CopyObject", COPY, "CopyObject"),
    ("PUT", "/bkt/k", "x-id=UploadPart&partNumber=1&uploadId=u1", [], "UploadPart"),
    ("POST", "/bkt", "delete&x-id=DeleteObjects", [], "DeleteObjects"),
]


def _request(method, path, query="", headers=()):
    return HttpRequest(method=method, path=path, query=query, headers=Headers(headers))


@pytest.mark.parametrize(
    "method,path,query,headers,expected",
    ROUTES,
    ids=[f"s3:{r[4]}:{r[0]} {r[1]}?{r[2]}{' +copy' if r[3] else ''}" for r in ROUTES],
)
def test_route(method, path, query, headers, expected):
    operation, _ = PARSER.find_operation(_request(method, path, query, headers))
    assert operation.name == expected


@pytest.mark.parametrize(
    "path,bucket,key",
    [
        ("/bkt/a/b/c.txt", "bkt", "a/b/c.txt"),
        ("/bkt/a//b/", "bkt", "a//b/"),  # greedy keys keep empty segments and a trailing slash
        ("/bkt//", "bkt", "/"),
        ("/bkt/a%20b%2Bc", "bkt", "a b+c"),
        ("/bkt/a+b", "bkt", "a+b"),  # '+' in a path is a plus, not a space
        ("/bkt/%2541", "bkt", "%41"),  # decoded exactly once
        ("/bkt/a%2Fb", "bkt", "a/b"),
        ("/bkt/%C3%BC%E2%82%AC", "bkt", "ü€"),
    ],
)
def test_object_key_is_percent_decoded_once(path, bucket, key):
    operation, params = PARSER.find_operation(_request("GET", path))
    assert operation.name == "GetObject"
    assert params == {"Bucket": bucket, "Key": key}


def test_uri_params_are_parsed_into_input():
    request = _request("GET", "/bkt/dir/%2541%20x", "versionId=v%2B1")
    operation, uri_params = PARSER.find_operation(request)
    parsed = PARSER.parse(request, operation, uri_params)
    assert parsed == {"Bucket": "bkt", "Key": "dir/%41 x", "VersionId": "v+1"}


@pytest.mark.parametrize(
    "method,path,query",
    [
        ("PATCH", "/bkt/k", ""),
        ("POST", "/", ""),
        ("DELETE", "/bkt", "accelerate"),  # must never fall back to DeleteBucket
        ("DELETE", "/bkt", "versioning"),
        ("GET", "/bkt/k", "uploads"),  # only POST serves ?uploads on an object
    ],
)
def test_wrong_method_raises_method_not_allowed(method, path, query):
    with pytest.raises(AwsError) as info:
        PARSER.find_operation(_request(method, path, query))
    assert (info.value.code, info.value.status) == ("MethodNotAllowed", 405)
    assert info.value.fields["Method"] == method


def test_post_to_bucket_without_subresource_is_precondition_failed():
    # Only a multipart/form-data body makes a bare bucket POST a form upload (PostObject); S3 answers
    # any other with 412, naming the enclosure type it needs.
    with pytest.raises(AwsError) as info:
        PARSER.find_operation(_request("POST", "/bkt"))
    assert (info.value.code, info.value.status) == ("PreconditionFailed", 412)
    assert info.value.fields["Condition"] == "Bucket POST must be of the enclosure-type multipart/form-data"


def test_route_table_is_built_once_per_model():
    assert router_for(MODEL) is router_for(MODEL)
    assert PARSER.router is router_for(MODEL)
