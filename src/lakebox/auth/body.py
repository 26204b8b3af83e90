"""`decode_body`: the request body as the provider should see it, and the Content-Encoding to store.

An aws-chunked body (Content-Encoding aws-chunked, or an x-amz-content-sha256 of STREAMING-*) is
wrapped in a decoding stream. In strict mode a body whose x-amz-content-sha256 is a digest is
wrapped in a stream that checks the digest at EOF, as S3 does (XAmzContentSHA256Mismatch); open
mode skips that hash pass to stay at disk speed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Optional

from ..protocol.http import BodyStream, HttpRequest
from . import errors
from .chunked import AwsChunkedBody
from .info import (
    SIGNED_STREAMING,
    SIGV4_HEADER,
    SIGV4_QUERY,
    STREAMING_ECDSA,
    STREAMING_ECDSA_TRAILER,
    STREAMING_SIGNED_TRAILER,
    AuthInfo,
)
from .sigv4 import ChunkSignatureChain

_HEX_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def is_aws_chunked(request: HttpRequest, info: AuthInfo) -> bool:
    """Whether the body is framed as aws-chunked.

    The framing is announced by a STREAMING-* payload hash or by x-amz-decoded-content-length; a
    `Content-Encoding: aws-chunked` alone is just a label (S3 stores the rest of the encoding and
    keeps the body as sent), so it does not trigger decoding.
    """
    return info.is_streaming or "x-amz-decoded-content-length" in request.headers


def stored_content_encoding(value: Optional[str]) -> Optional[str]:
    """Content-Encoding minus `aws-chunked` (S3 stores `gzip` for `gzip,aws-chunked`); None if nothing is left."""
    if value is None:
        return None
    tokens = [t.strip() for t in value.split(",")]
    kept = [t for t in tokens if t and t.lower() != "aws-chunked"]
    if not kept:
        return None
    return (", " if ", " in value else ",").join(kept)


def decode_body(request: HttpRequest, info: AuthInfo, secret_key: Optional[str]) -> BodyStream:
    """The body the provider reads: decoded when aws-chunked, digest-checked in strict mode."""
    if is_aws_chunked(request, info):
        return _chunked(request, info, secret_key)
    digest = info.content_sha256
    if secret_key is not None and digest is not None and _HEX_SHA256.match(digest):
        cached = getattr(request, "_body_cache", None)
        if cached is not None:
            # Already read (a non-S3 signature covers the body's digest); check what was read.
            _compare_digest(digest, hashlib.sha256(cached).hexdigest())
            return request.body
        return Sha256CheckedBody(request.body, digest)
    return request.body


def _chunked(request: HttpRequest, info: AuthInfo, secret_key: Optional[str]) -> AwsChunkedBody:
    payload = info.content_sha256 or ""
    chain = None
    # Only HMAC chains can be checked; ECDSA (SigV4a) chunks are decoded without verification,
    # and strict mode has already refused SigV4a requests.
    verifiable = payload in SIGNED_STREAMING and payload not in (STREAMING_ECDSA, STREAMING_ECDSA_TRAILER)
    if secret_key is not None and verifiable and info.kind in (SIGV4_HEADER, SIGV4_QUERY):
        chain = ChunkSignatureChain.for_request(info, secret_key)
    declared = request.headers.get("x-amz-trailer") or ""
    return AwsChunkedBody(
        request.body,
        decoded_length=_decoded_length(request),
        signed=payload in SIGNED_STREAMING,
        chain=chain,
        trailer_signed=payload == STREAMING_SIGNED_TRAILER,
        expected_trailers=declared.split(","),
        access_key=info.access_key,
    )


def _decoded_length(request: HttpRequest) -> Optional[int]:
    text = (request.headers.get("x-amz-decoded-content-length") or "").strip()
    return int(text) if text.isdigit() else None


def _compare_digest(client_value: str, computed: str) -> None:
    if not hmac.compare_digest(client_value.lower().encode("ascii"), computed.encode("ascii")):
        raise errors.content_sha256_mismatch(client_value, computed)


class Sha256CheckedBody(BodyStream):
    """Passes the body through and, at EOF, compares its SHA-256 with x-amz-content-sha256."""

    def __init__(self, raw: BodyStream, expected_hex: str):
        super().__init__()
        self._raw = raw
        self._expected = expected_hex
        self._hash = hashlib.sha256()
        self._checked = False
        self._seen = 0
        self.length = getattr(raw, "length", None)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return self.read_all()
        if size == 0 or self._checked:
            return b""
        data = self._raw.read(size)
        self._seen += len(data)
        self._hash.update(data)
        # Check at EOF, or as soon as Content-Length bytes are in (a reader that knows the length
        # may never ask for EOF); either way before the caller can commit anything.
        if not data or self._seen == self.length:
            _compare_digest(self._expected, self._hash.hexdigest())
            self._checked = True
        return data

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()
