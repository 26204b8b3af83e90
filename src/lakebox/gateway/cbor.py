"""The gateway's CBOR step for Kinesis: answer in CBOR whoever asked in CBOR.

The Java SDK and the KCL send Kinesis requests as `application/x-amz-cbor-1.1` and expect answers in
kind. Kinesis's parser reads either form; the serializers write json. This response step runs after
the answer exists (a result or a rendered error) and re-encodes it as CBOR when the request was
CBOR, so neither the providers nor the other services know CBOR exists.
"""

from __future__ import annotations

from ..protocol.context import RequestContext
from ..protocol.parsers.kinesis import is_cbor
from ..protocol.serializers.kinesis import cbor_response


#: The one content type Kinesis's front end answers its own errors to in json.
_JSON_1_1 = "application/x-amz-json-1.1"


class CborResponses:
    def __call__(self, ctx: RequestContext) -> None:
        if ctx.service != "kinesis" or ctx.response is None:
            return
        # The front end's own errors (an unknown target, a body it cannot read) are CBOR unless the
        # request was json 1.1: CBOR is its default (kinesalite's connection tests, run against AWS).
        front_end = getattr(ctx.error, "bare", False) and \
            (ctx.request.headers.get("Content-Type") or "").split(";")[0].strip().lower() != _JSON_1_1
        if is_cbor(ctx.request) or front_end:
            ctx.response = cbor_response(ctx.response, ctx.operation, is_error=ctx.error is not None)
