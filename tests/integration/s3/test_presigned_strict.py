"""Presigned URLs against a strict-mode server: what the URL's signer fixed cannot be changed on the way."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import boto3
import pytest
import requests
from botocore.config import Config as BotoConfig

from lakebox.config import Credential
from lakebox.testing import running_lakebox

KEY, SECRET = "AKIDPRESIGNSTRICT", "presign-strict-secret"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    credentials = {KEY: Credential(KEY, SECRET, "123456789012")}
    with running_lakebox(tmp_path_factory.mktemp("presign") / "data", set_env=False, auth="strict",
                         credentials=credentials) as running:
        s3_client(running, "s3v4").create_bucket(Bucket="uploads")
        yield running


def s3_client(server, signature_version):
    return boto3.client("s3", endpoint_url=server.endpoint_url, region_name="us-east-1", aws_access_key_id=KEY,
                        aws_secret_access_key=SECRET, config=BotoConfig(signature_version=signature_version))


def error_fields(response) -> dict:
    return {child.tag: child.text for child in ET.fromstring(response.content)}


def test_sigv4_presigned_put_with_an_unsigned_amz_header_is_refused(server):
    url = s3_client(server, "s3v4").generate_presigned_url("put_object", Params={"Bucket": "uploads", "Key": "a"})
    refused = requests.put(url, data=b"data", headers={"x-amz-meta-wrong": "x"})
    assert refused.status_code == 403
    fields = error_fields(refused)
    assert fields["Code"] == "AccessDenied"
    assert fields["Message"] == "There were headers present in the request which were not signed"
    assert fields["HeadersNotSigned"] == "x-amz-meta-wrong"
    # Nothing was written; the same URL without the extra header works.
    assert requests.get(s3_client(server, "s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": "uploads", "Key": "a"})).status_code == 404
    assert requests.put(url, data=b"data").status_code == 200


def test_sigv2_presigned_put_with_another_content_type_is_signature_does_not_match(server):
    s3 = s3_client(server, "s3")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "uploads", "Key": "b", "ContentType": "text/plain"})
    assert "AWSAccessKeyId=" in url
    refused = requests.put(url, data=b"data", headers={"Content-Type": "application/json"})
    assert refused.status_code == 403
    assert error_fields(refused)["Code"] == "SignatureDoesNotMatch"
    accepted = requests.put(url, data=b"data", headers={"Content-Type": "text/plain"})
    assert accepted.status_code == 200
    assert s3.head_object(Bucket="uploads", Key="b")["ContentType"] == "text/plain"


def test_sigv2_presigned_put_stores_the_metadata_it_carries_in_its_query(server):
    """boto3's SigV2 presigned PUT puts x-amz-meta-* in the query; S3 stores it, signature checked."""
    s3 = s3_client(server, "s3")
    s3.create_bucket(Bucket="sigv2-meta")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "sigv2-meta", "Key": "k",
                                                          "Metadata": {"foo": "bar"}})
    assert "x-amz-meta-foo=bar" in url
    response = requests.put(url, data=b"body")
    assert response.status_code == 200, response.text
    assert s3.head_object(Bucket="sigv2-meta", Key="k")["Metadata"] == {"foo": "bar"}
    # The signature covers the metadata: changing it in the URL is refused.
    tampered = requests.put(url.replace("x-amz-meta-foo=bar", "x-amz-meta-foo=other"), data=b"body")
    assert tampered.status_code == 403


def presigned_with_query(server, method: str, key: str, params: dict) -> str:
    """A SigV4 presigned URL whose extra `params` are signed query parameters, as SDKs that hoist
    headers into the query (the Java SDK's presigner) build it."""
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=f"{server.endpoint_url}/uploads/{key}", params=params)
    S3SigV4QueryAuth(Credentials(KEY, SECRET), "s3", "us-east-1").add_auth(request)
    return request.url


def test_sigv4_presigned_conditions_and_amz_headers_in_the_query_apply(server):
    url = presigned_with_query(server, "PUT", "once", {"If-None-Match": "*", "x-amz-meta-origin": "query"})
    assert "if-none-match=%2a" in url.lower()
    first = requests.put(url, data=b"first")
    assert first.status_code == 200
    again = requests.put(url, data=b"second")
    assert again.status_code == 412
    assert error_fields(again)["Code"] == "PreconditionFailed"
    stored = s3_client(server, "s3v4").get_object(Bucket="uploads", Key="once")
    assert stored["Body"].read() == b"first"
    assert stored["Metadata"] == {"origin": "query"}

    etag = first.headers["ETag"]
    assert requests.put(presigned_with_query(server, "PUT", "once", {"If-Match": '"0000"'}), data=b"x").status_code == 412
    assert requests.put(presigned_with_query(server, "PUT", "once", {"If-Match": etag}), data=b"third").status_code == 200
    assert s3_client(server, "s3v4").get_object(Bucket="uploads", Key="once")["Body"].read() == b"third"


def test_sigv4_presigned_checksums_in_the_query_are_ignored(server):
    """S3 presigned URLs do not support checksums: the CRC32 of an empty body that the JavaScript SDK
    signs into every presigned PUT does not make the upload fail."""
    url = presigned_with_query(server, "PUT", "js-style",
                               {"x-amz-checksum-crc32": "AAAAAA==", "x-amz-sdk-checksum-algorithm": "CRC32"})
    assert requests.put(url, data=b"not empty").status_code == 200
    stored = s3_client(server, "s3v4").get_object(Bucket="uploads", Key="js-style")
    assert stored["Body"].read() == b"not empty"
