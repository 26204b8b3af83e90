"""S3's request parser: the generic rest-xml parser plus the quirks of S3's front end.

- A streaming body (PutObject, UploadPart, WriteGetObjectResponse) is never read here: the
  request's `BodyStream` becomes `params["Body"]` as it is, so a 5 GiB upload flows from the socket
  to the lake file without sitting in memory.
- User metadata names (x-amz-meta-*) are case-insensitive and S3 stores them lower-cased, which is
  also how botocore hands them back.
- `aws-chunked` is a transfer detail, not the object's Content-Encoding, and with it the object's
  size is `x-amz-decoded-content-length`, not Content-Length. (Decoding the chunk framing is the
  auth layer's job, since the chunk signatures are checked there.)
- `x-amz-copy-source` is kept as sent (still percent-encoded); the provider splits and decodes it.
- Object keys come from the router, which percent-decodes them exactly once.
- ListParts' `part-number-marker=` and `max-parts=` with an empty value are taken as absent, as S3
  takes them (an SDK without parameter validation sends them for empty strings).
- An integer query parameter is a run of digits, with or without a leading `-`, that fits the
  member's type (int32 for `integer`): anything else (`abc`, ` 5`, `+5`, `2147483648`) is refused
  with S3's "Provided max-keys not an integer or within integer range" before the operation runs.
  A value that parses but is out of the operation's range (`max-keys=-1`) is the operation's to
  refuse, with its own wording. Leading zeros are fine (`05` is 5).
- The x-amz-* query parameters of a SigV2 presigned URL are the request's headers (S3 reads them
  so): metadata put through such a URL is stored.
- A tagging document without a TagSet is an empty one: S3 clears the tags (PutBucketTagging,
  PutObjectTagging) rather than refusing it.
- User metadata values (x-amz-meta-*) that hold RFC 2047 encoded words are stored decoded, as S3
  documents ("character decoded as per RFC 2047 before storing"); the serializer encodes non-ASCII
  values again on the way out.
- A document body (XML of a configuration call, DeleteObjects, CompleteMultipartUpload) longer
  than S3 takes for that operation is refused with `MaxMessageLengthExceeded` before it is read,
  with the limit in `MaxMessageLengthBytes`. The limits are S3's recorded ones; operations with no
  recorded limit get 2 MiB, the one most of them share.
"""

from __future__ import annotations

import email.errors
import email.header
import re
from typing import Any

from botocore.model import OperationModel, Shape

from ..errors import AwsError
from ..http import Headers, HttpRequest
from .rest_xml import RestXMLRequestParser

_AWS_CHUNKED = "aws-chunked"
_ABSENT = object()  # marks a query member to leave out of the parsed request

#: Integer query parameters whose empty value S3 ignores rather than refuses.
_EMPTY_MEANS_ABSENT = frozenset({"part-number-marker", "max-parts"})

_DIGITS = re.compile(r"-?[0-9]+")
#: The largest value of each integer type; the negative side reaches one further.
_INTEGER_MAX = {"integer": 2**31 - 1, "long": 2**63 - 1}


#: A `<Tagging/>` with no TagSet is an empty tag set to S3 (it clears the tags), not a schema error.
_EMPTY_TAGGING_CLEARS = frozenset({"PutBucketTagging", "PutObjectTagging"})

#: The longest document body S3 takes, by operation (recorded answers of S3).
DOCUMENT_LIMITS = {
    "PutBucketVersioning": 1024,
    "PutBucketOwnershipControls": 2048,
    "PutBucketTagging": 163_840,
    "PutBucketAcl": 204_800,
    "DeleteObjects": 2_048_000,
    "CompleteMultipartUpload": 2_621_440,
}
DEFAULT_DOCUMENT_LIMIT = 2_097_152


class S3RequestParser(RestXMLRequestParser):
    def find_operation(self, request: HttpRequest):
        try:
            return super().find_operation(request)
        except AwsError as exc:
            # A POST to a bucket is a browser-form upload or nothing: S3 answers one that is not
            # multipart/form-data with 412, naming that condition (recorded answer).
            if exc.code == "NotImplemented" and request.method.upper() == "POST" and not request.query \
                    and request.path.strip("/") and "/" not in request.path.strip("/"):
                raise AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                               412, fields={"Condition": "Bucket POST must be of the enclosure-type "
                                                         "multipart/form-data"}) from None
            raise

    def parse(self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, Any]) -> dict:
        if not operation.has_streaming_input:
            _check_document_size(request, operation.name)
        _hoist_presigned_query_headers(request)
        params = super().parse(request, operation, uri_params)
        self._undo_aws_chunked(request.headers, operation, params)
        if operation.name in _EMPTY_TAGGING_CLEARS and isinstance(params.get("Tagging"), dict):
            params["Tagging"].setdefault("TagSet", [])
        return {name: value for name, value in params.items() if value is not _ABSENT}

    def _query_scalar(self, shape: Shape, text: str, wire: str) -> Any:
        if text == "" and wire in _EMPTY_MEANS_ABSENT:
            return _ABSENT
        if shape.type_name in _INTEGER_MAX:
            return _query_integer(text, wire, _INTEGER_MAX[shape.type_name])
        return super()._query_scalar(shape, text, wire)

    def _parse_raw_payload(self, request: HttpRequest, member: Shape) -> Any:
        if member.serialization.get("streaming"):
            return request.body
        return super()._parse_raw_payload(request, member)

    def _parse_header_map(self, member: Shape, headers: Headers, prefix: str) -> dict:
        parsed = super()._parse_header_map(member, headers, prefix)
        return {name.lower(): decode_encoded_words(value) for name, value in parsed.items()}

    @staticmethod
    def _undo_aws_chunked(headers: Headers, operation: OperationModel, params: dict) -> None:
        encoding = params.get("ContentEncoding")
        if encoding is None:
            return
        tokens = [t.strip() for t in encoding.split(",") if t.strip()]
        if _AWS_CHUNKED not in (t.lower() for t in tokens):
            return
        kept = [t for t in tokens if t.lower() != _AWS_CHUNKED]
        if kept:
            params["ContentEncoding"] = ",".join(kept)
        else:
            del params["ContentEncoding"]
        decoded = headers.get("x-amz-decoded-content-length")
        members = operation.input_shape.members
        if decoded is not None and decoded.strip().isdigit() and "ContentLength" in members:
            params["ContentLength"] = int(decoded)


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=")


def decode_encoded_words(value: str) -> str:
    """A metadata value with its RFC 2047 encoded words decoded, as S3 stores it.

    Plain text is kept as it arrived (each header byte one character, as S3 reads it). Encoded
    words that do not decode (an unknown charset, bad base64) are kept as sent, not refused.
    """
    if "=?" not in value or not _ENCODED_WORD.search(value):
        return value
    try:
        decoded = str(email.header.make_header(email.header.decode_header(value)))
    except (LookupError, ValueError, UnicodeDecodeError, email.errors.HeaderParseError):
        return value
    return decoded or value  # the email package turns undecodable base64 into nothing


#: Query parameters of a presigned URL that are its signature, not headers it carries.
_PRESIGN_AUTH_PARAMS = frozenset({"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires",
                                  "x-amz-signedheaders", "x-amz-signature", "x-amz-security-token",
                                  "x-amz-content-sha256"})
#: Signed query parameters S3 ignores in a presigned URL (see _hoist_presigned_query_headers).
_IGNORED_PRESIGN_PREFIXES = ("x-amz-checksum-", "x-amz-sdk-checksum-algorithm")
#: Standard headers S3 also takes from a presigned URL's query (SDKs that presign conditional writes
#: put them there, signed).
_HOISTED_CONDITIONS = frozenset({"if-match", "if-none-match", "if-modified-since", "if-unmodified-since"})


def _hoist_presigned_query_headers(request: HttpRequest) -> None:
    """A presigned URL may carry the headers it signed as query parameters (boto3 puts SigV2's
    `x-amz-meta-*` there; other SDKs hoist `x-amz-*` and conditional headers in SigV4 URLs): S3
    takes them as the request's headers, so the metadata is stored and the condition holds.

    Checksums are the exception: S3 documents that presigned URLs do not support them, and ignores
    the `x-amz-checksum-*` the JavaScript SDK signs into every presigned PUT (the CRC32 of an empty
    body, computed before there is one)."""
    query = request.query
    sigv2 = "AWSAccessKeyId=" in query and "Signature=" in query
    if not sigv2 and "X-Amz-Signature=" not in query:
        return
    for name, value in request.query_params():
        lowered = name.lower()
        hoisted = (lowered.startswith("x-amz-") and lowered not in _PRESIGN_AUTH_PARAMS
                   and not lowered.startswith(_IGNORED_PRESIGN_PREFIXES)) or \
            (not sigv2 and lowered in _HOISTED_CONDITIONS)
        if hoisted and lowered not in request.headers:
            request.headers.add(lowered, value)


def _check_document_size(request: HttpRequest, operation: str) -> None:
    limit = DOCUMENT_LIMITS.get(operation, DEFAULT_DOCUMENT_LIMIT)
    if request.body_bytes_within(limit) is None:
        raise AwsError("MaxMessageLengthExceeded", "Your request was too big.", 400,
                       fields={"MaxMessageLengthBytes": str(limit)})


def _query_integer(text: str, wire: str, largest: int) -> int:
    """An integer query value read as S3 reads it: digits only, within the type's range."""
    negative = text.startswith("-")
    digits = (text[1:] if negative else text).lstrip("0") or "0"
    ceiling = largest + 1 if negative else largest
    if not _DIGITS.fullmatch(text) or len(digits) > len(str(ceiling)) or int(digits) > ceiling:
        message = (
            "Part number must be an integer between 1 and 10000, inclusive"
            if wire == "partNumber"
            else f"Provided {wire} not an integer or within integer range"
        )
        raise AwsError("InvalidArgument", message, 400, fields={"ArgumentName": wire, "ArgumentValue": text})
    return -int(digits) if negative else int(digits)
