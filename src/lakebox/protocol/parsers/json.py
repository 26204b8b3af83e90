"""Request parser for the `json` protocol (awsJson1_0/1_1): Glue, Athena, Kinesis, Firehose, EMR,
Redshift Data, CloudWatch Logs.

Every request is a POST to `/`; the `X-Amz-Target: <targetPrefix>.<Operation>` header names the
operation and the body is one JSON object shaped like the input structure. Values are converted to
what a botocore client accepts: timestamps to aware datetimes, blobs to bytes.

A body that is not JSON, or a value of the wrong JSON type, is answered the way AWS's JSON front
end answers it: `SerializationException` (400), before any constraint validation.
"""

from __future__ import annotations

import base64
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


#: The Java class AWS's JSON front end (Coral) names for a JSON value it cannot convert.
_NUMBER_CLASS = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber"
_STRING_CLASS = "class java.lang.String"
_BOOLEAN_CLASS = "class java.lang.Boolean"
#: How the front end names each target type ("an String" is its grammar, kept as it writes it).
_TARGETS = {"string": "an String", "integer": "an Integer", "long": "an Long", "float": "an Float",
            "double": "an Double", "boolean": "an Boolean", "blob": "a Blob",
            "timestamp": "milliseconds since epoch"}


def _mismatch_message(value: Any, type_name: str) -> str:
    """The front end's words for a JSON value of the wrong type, as recorded from AWS (kinesalite's
    suite for Kinesis; AWS-validated snapshots of 2025 for API Gateway):
    `class java.lang.Boolean can not be converted to an String`, `Start of list found where not
    expected`, `Expected list or null` ..."""
    if isinstance(value, list) and type_name != "list":
        return "Start of list found where not expected"
    if isinstance(value, dict) and type_name not in ("structure", "map"):
        return "Start of structure or map found where not expected."
    if type_name in ("list", "map"):
        return f"Expected {type_name} or null"
    if type_name == "structure":
        return "Expected null"
    target = _TARGETS.get(type_name, f"an {type_name.capitalize()}")
    if isinstance(value, bool):
        return f"{_BOOLEAN_CLASS} can not be converted to {target}"
    if isinstance(value, str):
        if type_name == "boolean":
            return f"'{value}' can not be converted to {target}"
        return f"{_STRING_CLASS} can not be converted to {target}"
    return f"{_NUMBER_CLASS} can not be converted to {target}"


def canonical_tail(text: str) -> bool:
    """Whether the last 4 characters of decodable Base64 text leave no bits unused (`+/8=`, not
    `+/+=`): the front end refuses the other spelling."""
    tail = text[-4:]
    return not tail or base64.b64encode(base64.b64decode(tail)).decode("ascii") == tail


def _base64_problem(text: str) -> str:
    """Why the front end's Base64 reader refuses `text`, in its words."""
    if len(text) % 4:
        return f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(text)}"
    body = text.rstrip("=")
    for char in body:
        if not (char.isascii() and (char.isalnum() or char in "+/")):
            return f"Invalid Base64 character: '{char}'"
    return "Invalid last non-pad Base64 character dectected"  # sic: the front end's spelling


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
        return serialization_error(_mismatch_message(value, shape.type_name))

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
                raise serialization_error(f"{_NUMBER_CLASS} can not be converted to {_TARGETS[shape.type_name]}")
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
        # Epoch seconds, as botocore writes them; ISO 8601 text, as some other clients do. Text that
        # is neither (a number in quotes, too) is a type error to the front end, as a boolean is.
        if isinstance(value, bool) or not isinstance(value, (int, float, str)) or (
                isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit()):
            raise self._mismatch(value, shape)
        try:
            return parse_timestamp(value, timestamp_format(shape, UNIX))
        except ValueError as exc:
            raise self._mismatch(value, shape) from exc

    def _parse_blob(self, value: Any, shape: Shape) -> bytes:
        if not isinstance(value, str):
            raise self._mismatch(value, shape)
        try:
            if len(value) % 4:
                raise ValueError("not whole quanta")
            data = b64decode(value)
            if not canonical_tail(value):
                raise ValueError("the last quantum carries bits past its data")
            return data
        except ValueError as exc:
            raise serialization_error(f"'{value}' can not be converted to a Blob: {_base64_problem(value)}") from exc

    def _parse_default(self, value: Any, shape: Shape) -> Any:
        return value
