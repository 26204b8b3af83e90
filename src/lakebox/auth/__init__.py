"""Request authentication: SigV4 (header and presigned query), SigV2 query auth, aws-chunked bodies.

Contract used by the gateway (implemented in this package's modules):

  parse_auth(request: HttpRequest) -> AuthInfo
      Reads the Authorization header or the presigned query parameters. Never checks a signature.
      Raises AwsError for malformed auth (e.g. `AuthorizationQueryParametersError` when
      X-Amz-Expires is over 604800). Anonymous requests give AuthInfo(kind="anonymous").
  verify_signature(request: HttpRequest, info: AuthInfo, secret_key: str, now: datetime) -> None
      Strict mode only. `now` is the WALL clock, never the service clock. Raises AwsError:
      SignatureDoesNotMatch (403), AccessDenied "Request has expired" (403),
      RequestTimeTooSkewed (403, more than 15 minutes off).
  decode_body(request: HttpRequest, info: AuthInfo, secret_key: str | None) -> BodyStream
      Wraps request.body when the payload is aws-chunked (Content-Encoding aws-chunked or an
      x-amz-content-sha256 of STREAMING-*). The returned stream yields the decoded bytes, verifies
      chunk signatures when `secret_key` is given, and after EOF exposes `.trailers` (dict of
      lower-cased trailer header names to values). Returns request.body unchanged otherwise.

May import the protocol layer's http and errors modules and the standard library only.
"""
