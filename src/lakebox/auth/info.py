"""What a request says about its own authentication: the parsed, not yet verified `AuthInfo`.

`parse_auth` fills it in; `verify_signature` and `decode_body` read it. It also carries the request's
path and query as they arrived, because the gateway rewrites virtual-host S3 requests to path style
before the signature is checked, and a SigV4 signature covers the path the client actually sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

SIGV4_HEADER = "sigv4-header"
SIGV4_QUERY = "sigv4-query"
SIGV4A_HEADER = "sigv4a-header"
SIGV2_HEADER = "sigv2-header"
SIGV2_QUERY = "sigv2-query"
ANONYMOUS = "anonymous"

SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
SIGV4A_ALGORITHM = "AWS4-ECDSA-P256-SHA256"

# The literal x-amz-content-sha256 values S3 accepts besides a hex digest.
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_ECDSA = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
STREAMING_ECDSA_TRAILER = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
PAYLOAD_LITERALS = frozenset(
    {
        UNSIGNED_PAYLOAD,
        STREAMING_SIGNED,
        STREAMING_SIGNED_TRAILER,
        STREAMING_UNSIGNED_TRAILER,
        STREAMING_ECDSA,
        STREAMING_ECDSA_TRAILER,
    }
)
#: Payloads sent aws-chunked.
CHUNKED_PAYLOADS = PAYLOAD_LITERALS - {UNSIGNED_PAYLOAD}
#: Streaming payloads whose chunks carry a `chunk-signature` extension.
SIGNED_STREAMING = frozenset({STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_ECDSA, STREAMING_ECDSA_TRAILER})

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#: Longest presigned lifetime S3 allows (seven days), and the largest clock difference it tolerates.
MAX_PRESIGN_SECONDS = 604800
MAX_SKEW_SECONDS = 15 * 60


@dataclass
class AuthInfo:
    """The authentication a request claims. Nothing here has been verified."""

    kind: str = ANONYMOUS
    access_key: Optional[str] = None
    #: From the SigV4 credential scope; None for SigV2 and anonymous requests (use the default).
    region: Optional[str] = None
    #: The SigV4 signing name ("s3", "glue", "kinesis", ...); "s3" for SigV2, None when anonymous.
    service: Optional[str] = None
    signed_headers: tuple[str, ...] = ()
    signature: Optional[str] = None
    #: The request time (X-Amz-Date, or the Date header); None for SigV2 query auth.
    amz_date: Optional[datetime] = None
    #: X-Amz-Expires of a SigV4 presigned URL, in seconds.
    expires: Optional[int] = None
    #: When a presigned URL stops working (SigV4: amz_date + expires; SigV2: its Expires).
    expires_at: Optional[datetime] = None
    #: The x-amz-content-sha256 header, verbatim (a hex digest or a literal such as UNSIGNED-PAYLOAD).
    content_sha256: Optional[str] = None
    security_token: Optional[str] = None
    algorithm: Optional[str] = None
    #: SigV4: the yyyymmdd of the credential scope (the signing key is derived from it).
    credential_date: Optional[str] = None
    #: SigV4: the timestamp exactly as it goes into the string to sign ("20260101T000000Z").
    timestamp: Optional[str] = None
    #: The date text the client sent (X-Amz-Date, Date, or SigV2 Expires), for error messages.
    date_text: Optional[str] = None
    #: The path and query as they arrived, before any gateway rewrite.
    raw_path: str = ""
    raw_query: str = ""

    @property
    def credential_scope(self) -> str:
        """`yyyymmdd/region/service/aws4_request`, the SigV4 scope without the access key."""
        return f"{self.credential_date}/{self.region}/{self.service}/aws4_request"

    @property
    def is_anonymous(self) -> bool:
        return self.kind == ANONYMOUS

    @property
    def is_presigned(self) -> bool:
        return self.kind in (SIGV4_QUERY, SIGV2_QUERY)

    @property
    def is_streaming(self) -> bool:
        """True when the body is aws-chunked according to x-amz-content-sha256."""
        return self.content_sha256 in CHUNKED_PAYLOADS
