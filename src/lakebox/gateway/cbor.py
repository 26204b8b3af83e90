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


class CborResponses:
    def __call__(self, ctx: RequestContext) -> None:
        if ctx.service != "kinesis" or ctx.response is None or not is_cbor(ctx.request):
            return
        ctx.response = cbor_response(ctx.response, ctx.operation, is_error=ctx.error is not None)
