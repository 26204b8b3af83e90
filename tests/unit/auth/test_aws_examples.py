"""The worked examples of Amazon S3's SigV4 documentation, as fixed test vectors.

They pin the exact bytes: the header-auth GET, the presigned GET and the aws-chunked PUT whose seed
and chunk signatures the documentation lists (examplebucket, 2013-05-24, AKIAIOSFODNN7EXAMPLE).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from lakebox.auth import decode_body, parse_auth, verify_signature
from lakebox.auth.sigv4 import ChunkSignatureChain, signing_key
from lakebox.protocol.errors import AwsError
from lakebox.protocol.http import BytesBody, Headers, HttpRequest

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SIGNED_AT = dt.datetime(2013, 5, 24, tzinfo=dt.timezone.utc)
SCOPE = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
CHUNK_SIGNATURES = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
]


def _check(request: HttpRequest, now=SIGNED_AT):
    info = parse_auth(request)
    verify_signature(request, info, SECRET, now)
    return info


def test_documented_get_object_with_authorization_header():
    headers = Headers(
        [
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("x-amz-date", "20130524T000000Z"),
            ("Authorization", f"AWS4-HMAC-SHA256 Credential={SCOPE},SignedHeaders=host;range;x-amz-content-sha256;"
                              "x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        ]
    )
    _check(HttpRequest("GET", "/test.txt", headers=headers))
    headers["Range"] = "bytes=0-10"
    with pytest.raises(AwsError):
        _check(HttpRequest("GET", "/test.txt", headers=headers))


def test_documented_presigned_get_object():
    query = (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
        "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    )
    request = HttpRequest("GET", "/test.txt", query=query, headers=Headers([("Host", "examplebucket.s3.amazonaws.com")]))
    _check(request, SIGNED_AT + dt.timedelta(hours=23))
    with pytest.raises(AwsError) as caught:
        _check(request, SIGNED_AT + dt.timedelta(days=1, seconds=1))
    assert caught.value.message == "Request has expired"


def _chunked_upload() -> HttpRequest:
    headers = Headers(
        [
            ("Host", "s3.amazonaws.com"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("Authorization", f"AWS4-HMAC-SHA256 Credential={SCOPE},SignedHeaders=content-encoding;content-length;"
                              "host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
                              f"x-amz-storage-class,Signature={SEED}"),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("Content-Length", "66824"),
        ]
    )
    body = (
        f"10000;chunk-signature={CHUNK_SIGNATURES[0]}\r\n".encode() + b"a" * 65536 + b"\r\n"
        + f"400;chunk-signature={CHUNK_SIGNATURES[1]}\r\n".encode() + b"a" * 1024 + b"\r\n"
        + f"0;chunk-signature={CHUNK_SIGNATURES[2]}\r\n\r\n".encode()
    )
    assert len(body) == 66824
    return HttpRequest("PUT", "/examplebucket/chunkObject.txt", headers=headers, body=BytesBody(body))


def test_documented_chunked_upload_seed_and_body():
    request = _chunked_upload()
    info = _check(request)
    assert decode_body(request, info, SECRET).read() == b"a" * 66560


def test_documented_chunk_signature_chain():
    chain = ChunkSignatureChain(signing_key(SECRET, "20130524", "us-east-1", "s3"), "20130524T000000Z",
                                "20130524/us-east-1/s3/aws4_request", SEED)
    for data, expected in zip((b"a" * 65536, b"a" * 1024, b""), CHUNK_SIGNATURES):
        assert chain.next_chunk(hashlib.sha256(data).hexdigest()) == expected
