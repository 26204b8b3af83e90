"""Request authentication: SigV4 (header and presigned query), SigV2 (header and query), aws-chunked bodies.

Contract used by the gateway (implemented in this package's modules):

  parse_auth(request: HttpRequest) -> AuthInfo
      Reads the Authorization header or the presigned query parameters. Never checks a signature.
      Raises AwsError for malformed auth, with S3's codes: `AuthorizationQueryParametersError` (400)
      for bad presigned parameters (X-Amz-Expires over 604800, negative or not a number, missing
      parameters, bad X-Amz-Date or credential), `AuthorizationHeaderMalformed` (400) for a bad
      SigV4 header, `InvalidArgument` (400) for an unknown scheme, a bad SigV2 header or two auth
      mechanisms at once, `AccessDenied` (403) for a header-signed request without a valid
      X-Amz-Date/Date, or an incomplete SigV2 query. Anonymous requests (an empty Authorization
      header included) give AuthInfo(kind="anonymous").
      `info.kind` is "sigv4-header", "sigv4-query", "sigv2-header", "sigv2-query", "sigv4a-header"
      (parsed so open mode can route it; strict mode answers 501) or "anonymous". The gateway
      routes on `info.service` and `info.region` (None for SigV2: use the default region).
      `info.raw_path`/`info.raw_query` keep the request line as received, so rewriting
      `request.path` to path style afterwards does not disturb the signature check.
  verify_signature(request, info, secret_key, now, *, virtual_host_bucket=None) -> None
      Strict mode only. `now` is the WALL clock, never the service clock. Raises AwsError:
      SignatureDoesNotMatch (403), AccessDenied "Request has expired" (403, presigned past its
      expiry), AccessDenied "Request is not valid yet" (403, presigned more than 15 minutes in
      the future), RequestTimeTooSkewed (403, header auth more than 15 minutes off),
      InvalidRequest (400) for S3 header auth without x-amz-content-sha256, NotImplemented (501)
      for SigV4a, AccessDenied "There were headers present in the request which were not signed"
      (403) for a presigned S3 request with x-amz-* headers outside X-Amz-SignedHeaders. Non-S3
      services without x-amz-content-sha256 have their body digested via request.body_bytes().
      `virtual_host_bucket` is needed for SigV2 only, and only when the request was not
      rewritten to path style.
  check_expiry(info, now) -> None
      For any mode: AccessDenied "Request has expired" (403) when a presigned URL (SigV4 or SigV2
      query) is past its expiry on `now`, the WALL clock. verify_signature includes this check.
  check_session_token(info, credential, now) -> None
      For temporary credentials STS issued (`SessionCredential`, kept in a `SessionCredentialStore`):
      InvalidToken (400) unless the request carries their session token, ExpiredToken (400) once
      `now`, the SERVICE clock, reaches their expiration. S3's codes; the gateway renames them for
      the json and query services.
  invalid_access_key_id(access_key=None) -> AwsError
      InvalidAccessKeyId (403), for the caller to raise when strict mode does not know the key.
  decode_body(request: HttpRequest, info: AuthInfo, secret_key: str | None) -> BodyStream
      Wraps request.body when the payload is aws-chunked (Content-Encoding aws-chunked or an
      x-amz-content-sha256 of STREAMING-*). The returned stream yields the decoded bytes, never
      buffering the body, verifies chunk signatures when `secret_key` is given, exposes
      `.decoded_length` (x-amz-decoded-content-length, also `.length`) and, after EOF (or once
      decoded_length bytes were read), `.trailers` (lower-cased trailer names to values).
      Errors: SignatureDoesNotMatch (403), IncompleteBody (400) for broken framing or a wrong
      decoded length, InvalidChunkSizeError (400), MalformedTrailerError (400).
      With `secret_key` and a hex x-amz-content-sha256, the body is checked against that digest
      by EOF (XAmzContentSHA256Mismatch, 400). Otherwise returns request.body unchanged.
  stored_content_encoding(value: str | None) -> str | None
      The Content-Encoding to store: `aws-chunked` removed, None when nothing is left.
  is_aws_chunked(request, info) -> bool
      Whether decode_body will decode the body (the provider then reads the object size from
      x-amz-decoded-content-length / `body.length`, not from Content-Length).

May import the protocol layer's http and errors modules and the standard library only.
"""

from .body import decode_body, is_aws_chunked, stored_content_encoding
from .clock import check_expiry
from .errors import invalid_access_key_id
from .info import AuthInfo
from .parse import parse_auth
from .sessions import SessionCredential, SessionCredentialStore, check_session_token
from .verify import verify_signature

__all__ = [
    "AuthInfo",
    "SessionCredential",
    "SessionCredentialStore",
    "check_expiry",
    "check_session_token",
    "decode_body",
    "invalid_access_key_id",
    "is_aws_chunked",
    "parse_auth",
    "stored_content_encoding",
    "verify_signature",
]
