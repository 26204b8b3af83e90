"""Kinesis's json responses: the generic json serializer, with GetRecords' records written directly.

Why a subclass: a GetRecords page holds up to 10,000 records, and the generic walk (one method
dispatch per member of every record) costs more than reading those records from disk. The
provider hands over the page as the shard log read it, and kinesis_records.py renders it to json
in one pass, with the wire rules the generic serializer applies. The rest of the answer, a list
of record dicts (should a provider give one), and errors are the parent's.

SubscribeToShard's answer is an event stream (see eventstream.py), written as the provider's
events come. `cbor_response` turns any Kinesis answer into its CBOR form, for clients that sent CBOR.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from typing import Any, AsyncIterator, Optional

import cbor2
import orjson
from botocore.model import OperationModel

from ..errors import AwsError
from ..http import Headers, HttpResponse, PiecesBody
from .eventstream import event_message, exception_message
from .json import JSONResponseSerializer
from .kinesis_records import is_raw_page, render_record_pieces


def kinesis_host_id(request_id: str) -> str:
    """Kinesis's x-amz-id-2: an opaque base64 token of 72 bytes (as AWS's answers carry, 64 to 80
    bytes long), derived from the request id so that one request's answers agree."""
    seed = request_id.encode("utf-8")
    return base64.b64encode(hashlib.sha512(seed).digest() + hashlib.sha256(seed).digest()[:8]).decode("ascii")


class KinesisJSONResponseSerializer(JSONResponseSerializer):
    def _response(self, status: int, body: dict, request_id: str) -> HttpResponse:
        response = super()._response(status, body, request_id)
        response.headers["x-amz-id-2"] = kinesis_host_id(request_id)
        return response

    def serialize_error(self, error: AwsError, operation: Optional[OperationModel], request_id: str) -> HttpResponse:
        """Kinesis answers an unknown target or a body that is not JSON with the error type alone
        (`{"__type":"UnknownOperationException"}`), as the kinesalite suite recorded from AWS."""
        if not error.bare:
            return super().serialize_error(error, operation, request_id)
        response = self._response(error.status, {"__type": error.code}, request_id)
        response.headers["x-amzn-ErrorType"] = error.code
        return response

    def serialize_response(self, operation: OperationModel, result: dict, request_id: str) -> HttpResponse:
        if operation.name == "SubscribeToShard" and result and result.get("EventStream") is not None:
            return self._event_stream(operation, result["EventStream"], request_id)
        if operation.output_shape is None:
            # An operation without output (CreateStream, MergeShards, AddTagsToStream ...) is answered
            # with an empty body on Kinesis, not `{}`.
            response = super().serialize_response(operation, result, request_id)
            response.body = b""
            response.headers["Content-Length"] = "0"
            return response
        if operation.name != "GetRecords" or not result or not is_raw_page(result.get("Records")):
            return super().serialize_response(operation, result, request_id)
        rest = {name: value for name, value in result.items() if name != "Records"}
        body = self._serialize_structure(rest, operation.output_shape)
        after = b"," + orjson.dumps(body)[1:] if body else b"}"
        payload = PiecesBody(render_record_pieces(result["Records"], b'{"Records":', after))
        version = self.service_model.metadata.get("jsonVersion", "1.0")
        headers = Headers([("Content-Type", f"application/x-amz-json-{version}"),
                           ("Content-Length", str(payload.length)), ("x-amzn-RequestId", request_id),
                           ("x-amz-id-2", kinesis_host_id(request_id))])
        return HttpResponse(status=200, headers=headers, body=payload)


    def _event_stream(self, operation: OperationModel, events: AsyncIterator[dict], request_id: str) -> HttpResponse:
        """SubscribeToShard's answer: an `initial-response` message, then one message per event.

        `events` is an async iterator of `{"SubscribeToShardEvent": {...}}`, run by the gateway on
        its event loop; an AwsError raised while it runs ends the stream with an exception message,
        as AWS does.
        """
        stream_shape = operation.output_shape.members["EventStream"]

        async def frames() -> AsyncIterator[bytes]:
            # Read when the first frame is sent, after the response steps: `cbor_response` may
            # have switched the payloads to CBOR for a client that asked in CBOR.
            cbor = body.cbor
            content_type = CBOR_CONTENT_TYPE if cbor else "application/json"
            yield event_message("initial-response", cbor2.dumps({}) if cbor else b"{}", content_type)
            try:
                async for event in events:
                    (name, value), = event.items()
                    shape = stream_shape.members[name]
                    fields = self._serialize_structure(value, shape)
                    payload = _cbor_dumps(_cbor_value(fields, shape)) if cbor else orjson.dumps(fields)
                    yield event_message(name, payload, content_type)
            except AwsError as error:
                fields = {"message": error.message}
                payload = _cbor_dumps(fields) if cbor else orjson.dumps(fields)
                yield exception_message(error.code, payload, content_type)

        headers = Headers([("Content-Type", "application/vnd.amazon.eventstream"), ("x-amzn-RequestId", request_id),
                           ("x-amz-id-2", kinesis_host_id(request_id))])
        body = _StreamBody(frames(), events)
        return HttpResponse(status=200, headers=headers, body=body)


class _StreamBody:
    """An async streamed body (see gateway.app). `aclose` ends the frames and the events behind
    them; the sync `close` releases the events of a response that is dropped before it is sent."""

    def __init__(self, frames: AsyncIterator[bytes], events: Any):
        self._frames = frames
        self._events = events
        #: Event payloads in CBOR rather than json (the request was CBOR).
        self.cbor = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._frames

    async def aclose(self) -> None:
        try:
            await self._frames.aclose()
        finally:
            aclose = getattr(self._events, "aclose", None)
            if aclose is not None:
                await aclose()

    def close(self) -> None:
        close = getattr(self._events, "close", None)
        if close is not None:
            close()


# -- CBOR -------------------------------------------------------------------------------------------

CBOR_CONTENT_TYPE = "application/x-amz-cbor-1.1"


def _cbor_value(value: Any, shape: Any) -> Any:
    """A json-protocol value as the CBOR protocol carries it: blobs as bytes, timestamps as tag 1
    over epoch milliseconds, containers walked by their shape."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        return {name: _cbor_value(item, members.get(name)) for name, item in value.items()}
    if kind == "list":
        return [_cbor_value(item, shape.member) for item in value]
    if kind == "map":
        return {key: _cbor_value(item, shape.value) for key, item in value.items()}
    if kind == "blob" and isinstance(value, str):
        return binascii.a2b_base64(value)
    if kind == "timestamp" and isinstance(value, (int, float)):
        # AWS's Kinesis writes tag 1 over whole epoch milliseconds (an integer), which is what the
        # Java SDK reads back; seconds would be read as a date in January 1970.
        return cbor2.CBORTag(1, round(value * 1000))
    return value


def _cbor_dumps(value: Any) -> bytes:
    return cbor2.dumps(value, datetime_as_timestamp=True, timezone=dt.timezone.utc)


def cbor_response(response: HttpResponse, operation: Optional[OperationModel], is_error: bool) -> HttpResponse:
    """The same answer in CBOR, for a client that sent CBOR (the Java SDK and the KCL do).

    Errors keep their members (`__type`, `message` ...) as they are; results are converted by the
    operation's output shape.
    """
    if isinstance(response.body, _StreamBody):
        # An event stream keeps its framing; the events inside it are written in CBOR, as AWS
        # answers a CBOR SubscribeToShard.
        response.body.cbor = True
        return response
    raw = response.body.to_bytes() if isinstance(response.body, PiecesBody) else response.body
    if not isinstance(raw, (bytes, bytearray)):
        return response
    body = orjson.loads(raw) if raw else {}
    if not is_error and operation is not None and operation.output_shape is not None:
        body = _cbor_value(body, operation.output_shape)
    payload = _cbor_dumps(body)
    headers = Headers([(name, value) for name, value in response.headers.items()
                       if name.lower() not in ("content-type", "content-length")])
    headers["Content-Type"] = CBOR_CONTENT_TYPE
    headers["Content-Length"] = str(len(payload))
    return HttpResponse(status=response.status, headers=headers, body=payload)
