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
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, Shape

from ..http import Headers, HttpRequest
from .rest_xml import RestXMLRequestParser

_AWS_CHUNKED = "aws-chunked"
_ABSENT = object()  # marks a query member to leave out of the parsed request

#: Integer query parameters whose empty value S3 ignores rather than refuses.
_EMPTY_MEANS_ABSENT = frozenset({"part-number-marker", "max-parts"})


class S3RequestParser(RestXMLRequestParser):
    def parse(self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, Any]) -> dict:
        params = super().parse(request, operation, uri_params)
        self._undo_aws_chunked(request.headers, operation, params)
        return {name: value for name, value in params.items() if value is not _ABSENT}

    def _query_scalar(self, shape: Shape, text: str, wire: str) -> Any:
        if text == "" and wire in _EMPTY_MEANS_ABSENT:
            return _ABSENT
        return super()._query_scalar(shape, text, wire)

    def _parse_raw_payload(self, request: HttpRequest, member: Shape) -> Any:
        if member.serialization.get("streaming"):
            return request.body
        return super()._parse_raw_payload(request, member)

    def _parse_header_map(self, member: Shape, headers: Headers, prefix: str) -> dict:
        parsed = super()._parse_header_map(member, headers, prefix)
        return {name.lower(): value for name, value in parsed.items()}

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
