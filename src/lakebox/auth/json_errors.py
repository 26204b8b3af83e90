"""Malformed authentication as the json-protocol services answer it (Kinesis, Firehose, Glue, Athena ...).

Why apart from errors.py: S3 names a bad Authorization header or presigned query with its own codes
(InvalidArgument, AuthorizationQueryParametersError); the services behind AWS's json front end
answer the same request with IncompleteSignatureException, listing every part that is missing, or
InvalidSignatureException when both a header and query parameters claim to sign it. The wording is
AWS's, as kinesalite's tests (recorded against Kinesis) show it:

- a header that lacks parts: "Authorization header requires 'Credential' parameter. ... Authorization
  header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=<header>";
- a presigned query that lacks parts: "AWS query-string parameters must include 'X-Amz-Algorithm'.
  ... Re-examine the query-string parameters.";
- query parameters without X-Amz-Algorithm: MissingAuthenticationTokenException.

`for_request` is called only for a request whose authentication parse_auth refused; a request that
lacks no part keeps the error parse_auth gave (in the json envelope).
"""

from __future__ import annotations

from ..protocol.errors import AwsError
from ..protocol.http import HttpRequest
from .parse import first_query_values

_HEADER_PARTS = ("Credential", "Signature", "SignedHeaders")
_QUERY_PARTS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")


def for_request(request: HttpRequest, refused: AwsError) -> AwsError:
    """The json services' error for a request whose Authorization header or presigned query parse_auth
    `refused`."""
    header = (request.headers.get("authorization") or "").strip()
    query = first_query_values(request.query)
    if header and "X-Amz-Algorithm" in query:
        return AwsError("InvalidSignatureException", "Found both 'X-Amz-Algorithm' as a query-string param and "
                                                     "'Authorization' as HTTP header.", 400)
    if header:
        missing = [f"Authorization header requires '{part}' parameter." for part in _HEADER_PARTS
                   if f"{part}=" not in header]
        if not (request.headers.get("x-amz-date") or request.headers.get("date")):
            missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        if not missing:
            return refused
        return AwsError("IncompleteSignatureException", " ".join([*missing, f"Authorization={header}"]), 400)
    if "X-Amz-Algorithm" not in query:
        return AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 400)
    missing = [f"AWS query-string parameters must include '{part}'." for part in _QUERY_PARTS if not query.get(part)]
    if not missing:
        return refused
    return AwsError("IncompleteSignatureException", " ".join([*missing, "Re-examine the query-string parameters."]),
                    400)
