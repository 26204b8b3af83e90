"""Integrity headers: Content-MD5, x-amz-checksum-*, x-amz-sdk-checksum-algorithm and aws-chunked trailers.

Why a module: every write (PutObject, UploadPart) reads the same headers to decide which checksums
storage computes and which values it must verify, and every read answers them in the same output
members. Storage does the hashing while the body streams to disk; this module only decides what to ask
for and validates the header syntax the way S3 does, before any byte is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any, Callable, Optional, Union

from ...protocol.context import RequestContext
from ...storage.checksums import new_hasher
from .errors import checksum_mismatch, invalid_request, s3_error

#: The model's ChecksumAlgorithm values, with the digest size S3 checks a header against.
DIGEST_SIZES = {
    "CRC32": 4,
    "CRC32C": 4,
    "CRC64NVME": 8,
    "SHA1": 20,
    "SHA256": 32,
    "SHA512": 64,
    "MD5": 16,
    "XXHASH64": 8,
    "XXHASH3": 8,
    "XXHASH128": 16,
}
ALGORITHMS = tuple(DIGEST_SIZES)

#: Since 2025 S3 gives every new object a full-object CRC64NVME when the writer names no checksum.
DEFAULT_ALGORITHM = "CRC64NVME"

#: Algorithms S3 can combine across parts into one FULL_OBJECT checksum.
FULL_OBJECT_CAPABLE = frozenset({"CRC32", "CRC32C", "CRC64NVME"})
#: Algorithms that can only be COMPOSITE (checksum of part checksums) on multipart uploads.
COMPOSITE_ONLY = frozenset({"SHA1", "SHA256", "SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128"})


def header_name(algorithm: str) -> str:
    return f"x-amz-checksum-{algorithm.lower()}"


def member(algorithm: str) -> str:
    return f"Checksum{algorithm}"


def normalize_algorithm(value: Optional[str], header: str = "x-amz-sdk-checksum-algorithm") -> Optional[str]:
    if value is None or value == "":
        return None
    algorithm = str(value).upper()
    if algorithm not in DIGEST_SIZES:
        raise invalid_request(
            "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
            f"[{', '.join(ALGORITHMS)}]")
    return algorithm


def _check_value(algorithm: str, value: str, where: str = "header") -> None:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != DIGEST_SIZES[algorithm]:
        raise invalid_request(f"Value for {header_name(algorithm)} {where} is invalid.")


#: x-amz-checksum-* headers that name no algorithm but are legitimate.
_OTHER_CHECKSUM_HEADERS = frozenset({"x-amz-checksum-mode", "x-amz-checksum-type", "x-amz-checksum-algorithm"})
_ALGORITHM_HEADERS = frozenset(header_name(a) for a in ALGORITHMS)


def _check_header_names(ctx: RequestContext) -> None:
    """A misspelt x-amz-checksum-<algo> header would otherwise go unverified, so S3 refuses it."""
    for name in ctx.request.headers.keys():
        lowered = name.lower()
        if lowered.startswith("x-amz-checksum-") and lowered not in _ALGORITHM_HEADERS \
                and lowered not in _OTHER_CHECKSUM_HEADERS:
            raise invalid_request("The algorithm type you specified in x-amz-checksum- header is invalid.")


def content_md5(ctx: RequestContext, params: dict) -> Optional[str]:
    """The Content-MD5 a writer sent, refused as InvalidDigest unless it is 16 bytes of base64."""
    value = ctx.request.headers.get("Content-MD5")
    if value is None:
        value = params.get("ContentMD5")
    if value is None:
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 16:
        raise s3_error("InvalidDigest", **{"Content-MD5": value})
    return value.strip()


Expected = Union[dict, Callable[[], dict], None]


def write_checksums(
    ctx: RequestContext, params: dict, body: Any, *, default: Optional[str] = DEFAULT_ALGORITHM
) -> tuple[Any, list[str], Expected]:
    """What storage must compute and verify for an upload: (body to read, algorithms, expected values).

    `expected` is a callable when a value is only known once the body has been read: an aws-chunked
    trailer arrives after the last chunk, and storage calls the callable at that point.
    """
    _check_header_names(ctx)
    given = {a: params[member(a)] for a in ALGORITHMS if params.get(member(a)) is not None}
    if len(given) > 1:
        raise invalid_request("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
    for algorithm, value in given.items():
        _check_value(algorithm, value)
    trailer = _trailer_algorithm(ctx)
    declared = normalize_algorithm(params.get("ChecksumAlgorithm"))
    named = next(iter(given), None) or trailer
    if declared is not None and named is None:
        raise invalid_request(
            "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer "
            "headers were found.")
    if declared is not None and named != declared:
        raise invalid_request("Value for x-amz-sdk-checksum-algorithm header is invalid.")

    algorithms = [named] if named else ([default] if default else [])
    # In storage's `expected`, "MD5" means Content-MD5 (whose mismatch S3 words differently), so an
    # x-amz-checksum-md5 value is checked here instead, against a digest taken while storage reads.
    static = {a: v for a, v in given.items() if a != "MD5"}
    md5 = content_md5(ctx, params)
    if md5 is not None:
        static["MD5"] = md5
    tap = _Md5Tap(body) if named == "MD5" else None
    if trailer is None and tap is None:
        return body, algorithms, (static or None)

    def expected() -> dict:
        values = dict(static)
        checksum_md5 = given.get("MD5")
        if trailer is not None:
            trailers = getattr(body, "trailers", None) or {}
            value = trailers.get(header_name(trailer))
            if value is not None:
                _check_value(trailer, value, "trailing header")
                if trailer == "MD5":
                    checksum_md5 = value
                else:
                    values[trailer] = value
        if tap is not None and checksum_md5 is not None and base64.b64decode(checksum_md5) != tap.digest():
            raise checksum_mismatch("MD5")
        return values

    return (tap or body), algorithms, expected


class _Md5Tap:
    """Passes a body through while taking its MD5, for x-amz-checksum-md5 (see write_checksums)."""

    def __init__(self, body: Any):
        self._body = body
        self._md5 = hashlib.md5()

    def read(self, size: int = -1) -> bytes:
        chunk = self._body.read(size)
        self._md5.update(chunk)
        return chunk

    def digest(self) -> bytes:
        return self._md5.digest()

    def __getattr__(self, name: str) -> Any:
        # `trailers` and anything else the decoded stream exposes stay reachable.
        return getattr(self._body, name)


def _trailer_algorithm(ctx: RequestContext) -> Optional[str]:
    declared = ctx.request.headers.get("x-amz-trailer")
    if not declared:
        return None
    name = declared.strip().lower()
    for algorithm in ALGORITHMS:
        if name == header_name(algorithm):
            return algorithm
    raise invalid_request("The value specified in the x-amz-trailer header is not supported")


def fields(checksums: dict[str, str], checksum_type: Optional[str] = None) -> dict[str, Any]:
    """Checksum output members (ChecksumCRC32 ..., ChecksumType) for what storage recorded."""
    out: dict[str, Any] = {member(a): v for a, v in checksums.items() if a in DIGEST_SIZES and v}
    if out:
        out["ChecksumType"] = checksum_type or ("COMPOSITE" if any("-" in v for v in out.values()) else "FULL_OBJECT")
    return out


def upload_checksum_settings(params: dict) -> tuple[Optional[str], Optional[str]]:
    """CreateMultipartUpload's (ChecksumAlgorithm, ChecksumType), with S3's defaults and refusals."""
    algorithm = normalize_algorithm(params.get("ChecksumAlgorithm"), "x-amz-checksum-algorithm")
    ctype = params.get("ChecksumType")
    if ctype is not None:
        ctype = str(ctype).upper()
        if ctype not in ("COMPOSITE", "FULL_OBJECT"):
            raise invalid_request("Value for x-amz-checksum-type header is invalid.")
        if algorithm is None:
            raise invalid_request(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
    if algorithm is None:
        return None, None
    if ctype is None:
        ctype = "FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE"
    if ctype == "FULL_OBJECT" and algorithm not in FULL_OBJECT_CAPABLE:
        raise invalid_request(
            f"The FULL_OBJECT checksum type cannot be used with the {algorithm.lower()} checksum algorithm.")
    if ctype == "COMPOSITE" and algorithm == "CRC64NVME":
        raise invalid_request("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
    return algorithm, ctype


def given_checksums(params: dict) -> dict[str, str]:
    """x-amz-checksum-* values a request names (CompleteMultipartUpload parts and headers)."""
    return {a: params[member(a)] for a in ALGORITHMS if params.get(member(a))}


#: Operations S3 refuses without Content-MD5 or an x-amz-checksum-* value, and the message it
#: refuses with. Recorded answers of S3, not the model: botocore marks many more operations
#: `requestChecksumRequired` (PutBucketPolicy, PutBucketVersioning, PutBucketEncryption,
#: PutPublicAccessBlock, PutObjectTagging ...), but S3 accepts those without one, and a client
#: that works against S3 must work here. Lifecycle still answers in the words of the days before
#: the x-amz-checksum-* headers.
_MISSING_INTEGRITY = "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"
_INTEGRITY_REQUIRED = {
    "DeleteObjects": _MISSING_INTEGRITY,
    "PutBucketCors": _MISSING_INTEGRITY,
    "PutBucketTagging": _MISSING_INTEGRITY,
    "PutObjectLockConfiguration": _MISSING_INTEGRITY,
    "PutObjectLegalHold": _MISSING_INTEGRITY,
    "PutObjectRetention": _MISSING_INTEGRITY,
    "PutBucketLifecycleConfiguration": "Missing required header for this request: Content-MD5",
    "PutBucketLifecycle": "Missing required header for this request: Content-MD5",
}


def check_request_body(ctx: RequestContext) -> None:
    """Verify the integrity headers of a request whose body is a document, not object data.

    Object bodies (PutObject, UploadPart) are hashed by storage while they stream; the XML or JSON
    body of a configuration call or DeleteObjects is small and read whole, so its Content-MD5 and
    x-amz-checksum-* values are checked here, before the operation acts on it. A mismatch is
    BadDigest and nothing changes, as on S3.
    """
    operation = ctx.operation
    # Only operations whose model gives the body a checksum (`httpChecksum`): on the others an
    # x-amz-checksum-* header means something else (CompleteMultipartUpload's is the object's).
    if operation is None or operation.has_streaming_input or not operation.http_checksum:
        return
    headers = ctx.request.headers
    given = {a: headers.get(header_name(a)) for a in ALGORITHMS if headers.get(header_name(a))}
    md5 = content_md5(ctx, {})
    if md5 is None and not given:
        required = _INTEGRITY_REQUIRED.get(operation.name)
        if required and not _trailer_algorithm(ctx):
            raise invalid_request(required)
        return
    body = ctx.request.body_bytes()
    if md5 is not None:
        calculated = base64.b64encode(hashlib.md5(body).digest()).decode()
        if calculated != md5:
            raise s3_error("BadDigest", ExpectedDigest=md5, CalculatedDigest=calculated)
    for algorithm, value in given.items():
        _check_value(algorithm, value.strip())
        hasher = new_hasher(algorithm)
        hasher.update(body)
        if base64.b64encode(hasher.digest()).decode() != value.strip():
            raise checksum_mismatch(algorithm)
