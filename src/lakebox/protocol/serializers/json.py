"""Response serializer for the `json` protocol (awsJson1_0/1_1).

A result is one JSON object shaped like the output structure: timestamps as epoch seconds (unless
the shape declares another `timestampFormat`), blobs as base64, wire names from `locationName`.
An error is `{"__type": code, "message": ...}` plus the error's extra fields; botocore reads the
code from `__type` and the message from `message`/`Message`, and a modeled error's own members from
the same object, so the message goes under the name the error shape gives it.
"""

from __future__ import annotations

import functools

import json
import math
from decimal import Decimal
from typing import Any, Optional

from botocore.model import OperationModel, Shape

from ..errors import AwsError
from ..http import Headers, HttpResponse
from ..shapes import UNIX, b64encode, error_shape_for, format_timestamp, timestamp_format, wire_error_code
from . import ResponseSerializer


class JSONResponseSerializer(ResponseSerializer):
    """Renders results and errors as awsJson; one `_serialize_<type>` method per shape type."""

    def serialize_response(self, operation: OperationModel, result: dict, request_id: str) -> HttpResponse:
        shape = operation.output_shape
        body = {} if shape is None else self._serialize_structure(result or {}, shape)
        return self._response(200, body, request_id)

    def serialize_error(
        self, error: AwsError, operation: Optional[OperationModel], request_id: str
    ) -> HttpResponse:
        code = wire_error_code(self.service_model, error.code)
        shape = error_shape_for(self.service_model, error.code)
        body: dict[str, Any] = {"__type": code}
        fields = dict(error.fields)
        if shape is not None:
            fields = self._serialize_structure(fields, shape, keep_unknown=True)
        # The front end's own SerializationException writes `Message`, as AWS's answers show it.
        key = "Message" if shape is None and error.code == "SerializationException" else self._message_key(shape)
        body[key] = error.message
        for name, value in fields.items():
            body.setdefault(name, value)
        response = self._response(error.status, body, request_id)
        # Some clients (and the AWS CLI's debug log) read the code from this header.
        response.headers["x-amzn-ErrorType"] = code
        for name, value in error.headers.items():
            response.headers[name] = value
        return response

    def _message_key(self, shape: Optional[Shape]) -> str:
        # Glue's errors model `Message`, Kinesis's `message`; botocore accepts either for
        # Error.Message, but fills the modeled field only when the spelling matches.
        if shape is not None:
            for member_name, member_shape in shape.members.items():
                wire_name = member_shape.serialization.get("name", member_name)
                if wire_name.lower() == "message":
                    return wire_name
        return "message"

    def _response(self, status: int, body: dict, request_id: str) -> HttpResponse:
        version = self.service_model.metadata.get("jsonVersion", "1.0")
        payload = json.dumps(body, separators=(",", ":"), allow_nan=False, default=_unmodeled).encode("utf-8")
        headers = Headers(
            [
                ("Content-Type", f"application/x-amz-json-{version}"),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", request_id),
            ]
        )
        return HttpResponse(status=status, headers=headers, body=payload)

    # -- dispatch -----------------------------------------------------------------------------------

    def _serialize(self, value: Any, shape: Shape) -> Any:
        method = self._methods.get(shape.type_name)
        if method is None:
            method = self._methods[shape.type_name] = getattr(self, f"_serialize_{shape.type_name}",
                                                              self._serialize_default)
        return method(value, shape)

    @functools.cached_property
    def _methods(self) -> dict:
        """type name -> bound serialize method, found once per serializer instead of once per value."""
        return {}

    # -- containers ---------------------------------------------------------------------------------

    def _serialize_structure(self, value: Any, shape: Shape, keep_unknown: bool = False) -> Any:
        if shape.is_document_type:
            return value
        members = _output_members(shape)
        out = {}
        for name, member_value in value.items():
            found = members.get(name)
            if found is None:
                # Results carry only modeled members: a stray key is provider bookkeeping, not output.
                # Error fields are kept, since AWS errors carry extras the model leaves out.
                if keep_unknown and member_value is not None:
                    out[name] = member_value
                continue
            wire_name, member_shape, is_event_stream = found
            if member_value is None or is_event_stream:
                continue
            out[wire_name] = self._serialize(member_value, member_shape)
        return out

    def _serialize_list(self, value: Any, shape: Shape) -> list:
        return [None if item is None else self._serialize(item, shape.member) for item in value]

    def _serialize_map(self, value: Any, shape: Shape) -> dict:
        return {
            str(key): (None if item is None else self._serialize(item, shape.value)) for key, item in value.items()
        }

    # -- scalars ------------------------------------------------------------------------------------

    def _serialize_timestamp(self, value: Any, shape: Shape) -> Any:
        return format_timestamp(value, timestamp_format(shape, UNIX))

    def _serialize_blob(self, value: Any, shape: Shape) -> str:
        return b64encode(value)

    def _serialize_float(self, value: Any, shape: Shape) -> Any:
        number = float(value)
        # JSON has no NaN or Infinity; AWS (and botocore's writer) send them as these strings.
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return number

    _serialize_double = _serialize_float

    def _serialize_integer(self, value: Any, shape: Shape) -> int:
        return int(value)

    _serialize_long = _serialize_integer

    def _serialize_default(self, value: Any, shape: Shape) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        return value


def _unmodeled(value: Any) -> Any:
    """JSON for values outside any shape (unmodeled error fields): the protocol's default forms."""
    if isinstance(value, (bytes, bytearray)):
        return b64encode(value)
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return format_timestamp(value, UNIX)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


@functools.lru_cache(maxsize=4096)
def _output_members(shape: Shape) -> dict:
    """name -> (JSON name, shape, is an event stream) of a structure; models are immutable, so cached."""
    return {name: (member.serialization.get("name", name), member, bool(member.serialization.get("eventstream")))
            for name, member in shape.members.items()}
