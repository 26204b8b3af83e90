"""Document bodies longer than S3 takes: MaxMessageLengthExceeded, with the limit, and nothing stored.

The limits are the ones S3 answers with. The padding is an XML comment, so the same document
without it is valid and is stored: that shows the refusal is about size, not content.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
import requests
from botocore.exceptions import ClientError
from s3_helpers import upload_parts


def md5_header(body: bytes) -> dict:
    return {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()}


def padded(open_tag: bytes, inner: bytes, close_tag: bytes, pad: int) -> bytes:
    comment = b"<!--" + b"x" * pad + b"-->"
    return open_tag + comment + inner + comment + close_tag


def assert_too_big(response: requests.Response, limit: int) -> None:
    assert response.status_code == 400, response.text
    assert "<Code>MaxMessageLengthExceeded</Code>" in response.text
    assert "<Message>Your request was too big.</Message>" in response.text
    assert f"<MaxMessageLengthBytes>{limit}</MaxMessageLengthBytes>" in response.text


CASES = [
    # query, limit, open, inner, close, read back
    ("versioning", 1024, b"<VersioningConfiguration>", b"<Status>Enabled</Status>", b"</VersioningConfiguration>",
     lambda s3, b: s3.get_bucket_versioning(Bucket=b).get("Status")),
    ("ownershipControls", 2048, b"<OwnershipControls>",
     b"<Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule>", b"</OwnershipControls>",
     lambda s3, b: s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]),
    ("tagging", 163_840, b"<Tagging>", b"<TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet>", b"</Tagging>",
     lambda s3, b: s3.get_bucket_tagging(Bucket=b)["TagSet"]),
    ("encryption", 2_097_152, b"<ServerSideEncryptionConfiguration>",
     b"<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
     b"</ApplyServerSideEncryptionByDefault></Rule>", b"</ServerSideEncryptionConfiguration>",
     lambda s3, b: s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"][0]
     ["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]),
]


@pytest.mark.parametrize("query, limit, open_tag, inner, close_tag, read", CASES, ids=[c[0] for c in CASES])
def test_configuration_over_the_limit_is_refused_and_under_it_is_stored(s3, raw, bucket, query, limit, open_tag,
                                                                       inner, close_tag, read):
    before = read(s3, bucket) if query != "tagging" else None
    big = padded(open_tag, inner, close_tag, limit // 2)
    assert len(big) > limit
    assert_too_big(raw.request("PUT", f"/{bucket}", query=query, body=big, headers=md5_header(big)), limit)
    if query == "tagging":
        with pytest.raises(ClientError):
            s3.get_bucket_tagging(Bucket=bucket)
    else:
        assert read(s3, bucket) == before
    small = padded(open_tag, inner, close_tag, 100)
    response = raw.request("PUT", f"/{bucket}", query=query, body=small, headers=md5_header(small))
    assert response.status_code in (200, 204), response.text
    assert read(s3, bucket) != before


def test_delete_objects_over_its_limit_deletes_nothing(s3, raw, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"x")
    body = padded(b"<Delete>", b"<Object><Key>keep</Key></Object>", b"</Delete>", 1024 * 1024)
    assert_too_big(raw.request("POST", f"/{bucket}", query="delete", body=body, headers=md5_header(body)), 2_048_000)
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"x"


def test_complete_multipart_upload_limit_is_two_and_a_half_mib(s3, raw, bucket):
    upload, parts = upload_parts(s3, bucket, "k", [b"hello multipart"])
    etag = parts[0]["ETag"]
    inner = f"<Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part>".encode()
    path, query = f"/{bucket}/k", f"uploadId={upload}"
    too_big = padded(b"<CompleteMultipartUpload>", inner, b"</CompleteMultipartUpload>", 1_400_000)
    assert_too_big(raw.request("POST", path, query=query, body=too_big, headers=md5_header(too_big)), 2_621_440)
    # The upload is still open, and a document just under the limit completes it.
    fits = padded(b"<CompleteMultipartUpload>", inner, b"</CompleteMultipartUpload>", 1_310_000)
    response = raw.request("POST", path, query=query, body=fits, headers=md5_header(fits))
    assert response.status_code == 200, response.text
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"hello multipart"


def test_a_chunked_body_of_unknown_length_is_cut_off_at_the_limit(raw, bucket):
    """No Content-Length: the server reads one byte past the limit and stops."""
    body = padded(b"<VersioningConfiguration>", b"<Status>Enabled</Status>", b"</VersioningConfiguration>", 5000)

    def pieces():
        for start in range(0, len(body), 700):
            yield body[start:start + 700]

    response = raw.request("PUT", f"/{bucket}", query="versioning", body=pieces())
    assert_too_big(response, 1024)
