"""Request parser for the `json` protocol (awsJson1_0/1_1): Glue, Athena, Kinesis, Firehose, EMR,
Redshift Data, CloudWatch Logs.

Every request is a POST to `/`; the `X-Amz-Target: <targetPrefix>.<Operation>` header names the
operation and the body is one JSON object shaped like the input structure. Values are converted to
what a botocore client accepts: timestamps to aware datetimes, blobs to bytes.

A body that is not JSON, or a value of the wrong JSON type, is answered the way AWS's JSON front
end answers it: `SerializationException` (400), before any constraint validation.
"""

from __future__ import annotations

import functools

import json
from typing import Any

from botocore.model import OperationModel, Shape

from ..errors import AwsError
from ..http import HttpRequest
from ..shapes import UNIX, b64decode, parse_timestamp, timestamp_format
from . import RequestParser


@functools.lru_cache(maxsize=4096)
def _wire_members(shape: Shape) -> tuple:
    """(member name, JSON name, shape) of a structure; models are immutable, so cached."""
    return tuple((name, member.serialization.get("name", name), member) for name, member in shape.members.items())


def serialization_error(message: str) -> AwsError:
    return AwsError("SerializationException", message, 400)


def _json_token(value: Any) -> str:
    """How AWS's JSON front end names a JSON token in its SerializationException messages."""
    if isinstance(value, dict):
        return "Start of structure or map"
    if isinstance(value, list):
        return "Start of list"
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    return "NUMBER_VALUE"


_JAVA_TYPES = {
    "string": "a String",
    "integer": "an Integer",
    "long": "a Long",
    "float": "a Float",
    "double": "a Double",
    "boolean": "a Boolean",
    "timestamp": "a Date",
    "blob": "a ByteBuffer",
    "structure": "a structure",
    "list": "a list",
    "map": "a map",
}


class JSONRequestParser(RequestParser):
    """Parses awsJson requests; one `_parse_<type>` method per shape type."""

    def find_operation(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        target = request.headers.get("X-Amz-Target") or ""
        prefix, _, name = target.rpartition(".")
        expected = self.service_model.metadata.get("targetPrefix")
        if not target or prefix != expected or name not in self.service_model.operation_names:
            raise AwsError("UnknownOperationException", f"Unknown operation target {target!r}", 400, bare=True)
        return self.service_model.operation_model(name), {}

    def parse(self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, Any]) -> dict:
        raw = request.body_bytes()
        if not raw.strip():
            body: Any = {}
        else:
            try:
                body = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                error = serialization_error(f"Unable to parse the request body as JSON: {exc}")
                error.bare = True
                raise error from exc
        if body is None:
            body = {}
        shape = operation.input_shape
        if shape is None:
            return {}
        if not isinstance(body, dict):
            raise self._mismatch(body, shape)
        return self._parse_shape(body, shape)

    # -- dispatch -----------------------------------------------------------------------------------

    def _parse_shape(self, value: Any, shape: Shape) -> Any:
        method = self._methods.get(shape.type_name)
        if method is None:
            method = self._methods[shape.type_name] = getattr(self, f"_parse_{shape.type_name}", self._parse_default)
        return method(value, shape)

    @functools.cached_property
    def _methods(self) -> dict:
        """type name -> bound parse method, found once per parser instead of once per value."""
        return {}

    def _mismatch(self, value: Any, shape: Shape) -> AwsError:
        token = _json_token(value)
        if isinstance(value, (dict, list)):
            return serialization_error(f"{token} found where not expected.")
        target = _JAVA_TYPES.get(shape.type_name, shape.type_name)
        return serialization_error(f"{token} can not be converted to {target}")

    # -- containers ---------------------------------------------------------------------------------

    def _parse_structure(self, value: Any, shape: Shape) -> Any:
        if shape.is_document_type:
            return value  # documents are free-form JSON and pass through untouched
        if not isinstance(value, dict):
            raise self._mismatch(value, shape)
        parsed = {}
        for member_name, wire_name, member_shape in _wire_members(shape):
            member_value = value.get(wire_name)
            # JSON null means "not set", as in botocore's own reader.
            if member_value is not None:
                parsed[member_name] = self._parse_shape(member_value, member_shape)
        # Members the model does not know are ignored: a newer client may send them.
        return parsed

    def _parse_list(self, value: Any, shape: Shape) -> list:
        if not isinstance(value, list):
            raise self._mismatch(value, shape)
        return [None if item is None else self._parse_shape(item, shape.member) for item in value]

    def _parse_map(self, value: Any, shape: Shape) -> dict:
        if not isinstance(value, dict):
            raise self._mismatch(value, shape)
        return {
            key: (None if item is None else self._parse_shape(item, shape.value)) for key, item in value.items()
        }

    # -- scalars ------------------------------------------------------------------------------------

    def _parse_string(self, value: Any, shape: Shape) -> str:
        if not isinstance(value, str):
            raise self._mismatch(value, shape)
        return value

    def _parse_integer(self, value: Any, shape: Shape) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._mismatch(value, shape)
        if isinstance(value, float):
            if not value.is_integer():
                raise serialization_error(f"NUMBER_VALUE {value} can not be converted to {_JAVA_TYPES['integer']}")
            value = int(value)
        return value

    _parse_long = _parse_integer

    def _parse_float(self, value: Any, shape: Shape) -> float:
        # Non-finite floats travel as the strings botocore writes for them.
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            return float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._mismatch(value, shape)
        return float(value)

    _parse_double = _parse_float

    def _parse_boolean(self, value: Any, shape: Shape) -> bool:
        if not isinstance(value, bool):
            raise self._mismatch(value, shape)
        return value

    def _parse_timestamp(self, value: Any, shape: Shape):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise self._mismatch(value, shape)
        try:
            return parse_timestamp(value, timestamp_format(shape, UNIX))
        except ValueError as exc:
            raise serialization_error(f"{_json_token(value)} can not be converted to a Date") from exc

    def _parse_blob(self, value: Any, shape: Shape) -> bytes:
        if not isinstance(value, str):
            raise self._mismatch(value, shape)
        try:
            return b64decode(value)
        except ValueError as exc:
            raise serialization_error("Base64 encoded value is invalid.") from exc

    def _parse_default(self, value: Any, shape: Shape) -> Any:
        return value
