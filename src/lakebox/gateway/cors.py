"""The gateway's two CORS steps, for services whose provider keeps CORS rules (today S3), and the
headers AWS's json front end adds to any answer to a browser (json_front_end.py).

- `Preflight` answers an `OPTIONS` request before authentication: a browser never signs a preflight,
  and one sent to a presigned URL carries a signature made for another method. It runs right after
  routing, so the S3 model (which has no OPTIONS operation) never sees it and never answers 405.
- `CorsHeaders` is a response step: it runs after the response exists, whether the operation's result
  or a rendered error (S3 puts CORS headers on both). A request without an `Origin` header, the common
  case and the small-GET fast path, costs one dict look-up here.

The rules and their judging live with the provider (`preflight(ctx) -> headers`, raising the AwsError
S3 answers with; `cors_headers_for(ctx) -> headers`): the gateway only knows where they apply.
"""

from __future__ import annotations

from ..protocol.context import RequestContext
from ..protocol.http import Headers, HttpResponse
from ..protocol.serializers.rest_xml import host_id
from ..protocol.serializers.s3 import SERVER
from ..services.base import Provider
from .json_front_end import exposed_headers, is_json_service


class Preflight:
    """Answer `OPTIONS` for a service whose provider has a `preflight` hook."""

    def __init__(self, providers: dict[str, Provider]):
        self.providers = providers

    def __call__(self, ctx: RequestContext) -> None:
        if ctx.request.method != "OPTIONS":
            return
        preflight = getattr(self.providers.get(ctx.service or ""), "preflight", None)
        if preflight is None:
            return
        headers = Headers(preflight(ctx).items())
        # The request id headers S3 sends on every answer (the serializers add them to the others).
        headers["x-amz-request-id"] = ctx.request_id
        headers["x-amz-id-2"] = host_id(ctx.request_id)
        headers["Server"] = SERVER
        ctx.response = HttpResponse(200, headers, b"")


class CorsHeaders:
    """Response step: add the provider's CORS headers for a request that names an `Origin`."""

    def __init__(self, providers: dict[str, Provider]):
        self.providers = providers

    def __call__(self, ctx: RequestContext) -> None:
        if "origin" not in ctx.request.headers or ctx.request.method == "OPTIONS":
            return
        headers_for = exposed_headers if is_json_service(ctx) else \
            getattr(self.providers.get(ctx.service or ""), "cors_headers_for", None)
        if headers_for is None:
            return
        response_headers = ctx.response.headers
        for name, value in headers_for(ctx).items():
            response_headers[name] = value
