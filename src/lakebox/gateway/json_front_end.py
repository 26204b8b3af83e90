"""What AWS's json front end (Kinesis, Firehose, Glue, Athena, Logs ...) answers before any service
reads a request: CORS, and requests that cannot name an operation.

Why a gateway step: these answers come from the HTTP front end shared by the json services, not from
a service model, so no operation's parser or serializer should see them. The behaviour is what
kinesalite's connection tests recorded from Kinesis:

- `OPTIONS` with an `Origin` is a CORS preflight, answered 200 with an empty body: any origin
  (`*`), the headers and method the browser asks for echoed back, a max age of two days. An
  unsigned preflight to the endpoint's root names no service (the request lakebox would otherwise
  give S3, which has nothing to answer at `/`), and gets the same answer.
- Any other request that names an `Origin` gets `Access-Control-Allow-Origin: *` and the headers a
  browser may read (`CorsHeaders` in cors.py calls `exposed_headers`).
- A method other than POST, or a POST with a body that is not JSON or CBOR (a form, as signing
  libraries label a body of no declared type) and no `X-Amz-Target`, cannot name an operation:
  403 with the front end's XML AccessDeniedException.
"""

from __future__ import annotations

import uuid

from ..protocol.context import RequestContext
from ..protocol.http import Headers, HttpResponse
from ..protocol.serializers.kinesis import kinesis_host_id

MAX_AGE = "172800"
EXPOSED = "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date"
_JSON_TYPES = ("application/x-amz-json", "application/x-amz-cbor", "application/json")
_NO_OPERATION = (b"<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be "
                 b"authorized</Message>\n</AccessDeniedException>\n")


def is_json_service(ctx: RequestContext) -> bool:
    return ctx.service_model is not None and ctx.service_model.protocol == "json"


def exposed_headers(ctx: RequestContext) -> dict[str, str]:
    """The CORS headers of a json service's answer to a request with an `Origin`."""
    return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSED}


class JsonFrontEnd:
    """Chain step, after routing: answer the requests above; any other goes on to its service."""

    def __call__(self, ctx: RequestContext) -> None:
        request = ctx.request
        preflight = request.method == "OPTIONS" and "origin" in request.headers
        if preflight and (is_json_service(ctx) or self._unsigned_root(ctx)):
            ctx.response = self._preflight(ctx)
            return
        if not is_json_service(ctx):
            return
        headers = request.headers
        has_body = (headers.get("content-length") or "0") != "0" or "transfer-encoding" in headers
        content_type = (headers.get("content-type") or "").lower()
        speaks_json = content_type.startswith(_JSON_TYPES)
        if request.method != "POST" or ("x-amz-target" not in headers and has_body and not speaks_json):
            ctx.response = HttpResponse(403, Headers([("x-amzn-RequestId", ctx.request_id),
                                                      ("x-amz-id-2", kinesis_host_id(ctx.request_id)),
                                                      ("Content-Length", str(len(_NO_OPERATION)))]),
                                        _NO_OPERATION)

    @staticmethod
    def _unsigned_root(ctx: RequestContext) -> bool:
        return ctx.service == "s3" and ctx.request.path == "/" and not ctx.virtual_bucket \
            and not getattr(ctx.auth, "service", None)

    @staticmethod
    def _preflight(ctx: RequestContext) -> HttpResponse:
        request = ctx.request
        if not is_json_service(ctx):
            ctx.request_id = str(uuid.uuid4())  # the front end's form, not S3's
        headers = Headers([("x-amzn-RequestId", ctx.request_id), ("Access-Control-Allow-Origin", "*")])
        asked_headers = request.headers.get("access-control-request-headers")
        if asked_headers is not None:
            headers["Access-Control-Allow-Headers"] = asked_headers
        asked_method = request.headers.get("access-control-request-method")
        if asked_method is not None:
            headers["Access-Control-Allow-Methods"] = asked_method
        headers["Access-Control-Max-Age"] = MAX_AGE
        headers["Content-Length"] = "0"
        return HttpResponse(200, headers, b"")
