"""Request parser for the `query` protocol (awsQuery): STS, Redshift, IAM.

A request is a flat set of form fields, in a POST body (`application/x-www-form-urlencoded`) and/or
the query string. `Action` names the operation; every other field is a dotted path into the input
shape:

- structures nest with dots: `LoggingProperties.BucketName`;
- lists number their items from 1: `Tags.member.1.Key` (`member` is replaced by the list member's
  `locationName`, and a flattened list drops that segment: `Filter.1`);
- maps number their entries: `Attributes.entry.1.key` / `.value` (or the key/value locationNames);
- an empty list is sent as the bare field with an empty value;
- scalars are text: ISO 8601 timestamps, base64 blobs, `true`/`false`.

A field whose text cannot be the member's type is answered with the service's validation error.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional
from urllib.parse import parse_qsl

from botocore.model import OperationModel, Shape

from ..errors import AwsError
from ..http import HttpRequest
from ..shapes import ISO8601, b64decode, parse_timestamp, timestamp_format
from ..validation import describe_value, validation_error
from . import RequestParser

#: Returned by `_parse_*` for a member that is not in the request at all.
_MISSING = object()


class _FormFields:
    """The request's fields, indexed by every dotted prefix so lookups never scan all keys."""

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        self.values: dict[str, str] = {}
        self.children: dict[str, set[str]] = {}
        for key, value in pairs:
            self.values[key] = value
            parent = ""
            for segment in key.split("."):
                self.children.setdefault(parent, set()).add(segment)
                parent = f"{parent}.{segment}" if parent else segment

    def has(self, prefix: str) -> bool:
        return prefix in self.values or prefix in self.children

    def get(self, key: str) -> Optional[str]:
        return self.values.get(key)

    def indices(self, prefix: str) -> list[int]:
        """The item numbers N present under `prefix.N`, in numeric order."""
        return sorted(int(s) for s in self.children.get(prefix, ()) if s.isdigit())


class QueryRequestParser(RequestParser):
    """Parses awsQuery requests; one `_parse_<type>` method per shape type."""

    def find_operation(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        action = self._fields(request).get("Action")
        if not action or action not in self.service_model.operation_names:
            raise AwsError(
                "InvalidAction", f"The action {action or '(none)'} is not valid for this web service.", 400
            )
        return self.service_model.operation_model(action), {}

    def parse(self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, Any]) -> dict:
        shape = operation.input_shape
        if shape is None:
            return {}
        fields = self._fields(request)
        # The root is always a structure; `Action` and `Version` are not members, so they drop out.
        return self._parse_structure(fields, shape, "")

    def _fields(self, request: HttpRequest) -> _FormFields:
        pairs = list(request.query_params())
        content_type = (request.headers.get("Content-Type") or "").lower()
        is_form = content_type.startswith("application/x-www-form-urlencoded")
        if is_form or (not content_type and request.method.upper() == "POST"):
            raw = request.body_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise AwsError("MalformedQueryString", "The request body is not valid UTF-8.", 400) from exc
            # Body fields come last so they win over a query-string field of the same name.
            pairs.extend(parse_qsl(text, keep_blank_values=True))
        return _FormFields(pairs)

    # -- dispatch -----------------------------------------------------------------------------------

    def _parse_shape(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        method = getattr(self, f"_parse_{shape.type_name}", self._parse_string)
        return method(fields, shape, key)

    def _bad_value(self, raw: str, key: str, expected: str) -> AwsError:
        problem = f"Value {describe_value(raw)} at '{key}' failed to satisfy constraint: Member must be {expected}"
        return validation_error(self.service_model.service_name, [problem])

    # -- containers ---------------------------------------------------------------------------------

    def _parse_structure(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        if key and not fields.has(key):
            return _MISSING
        parsed = {}
        for member_name, member_shape in shape.members.items():
            wire_name = member_shape.serialization.get("name", member_name)
            member_key = f"{key}.{wire_name}" if key else wire_name
            value = self._parse_shape(fields, member_shape, member_key)
            if value is not _MISSING:
                parsed[member_name] = value
        return parsed

    def _parse_list(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        if fields.get(key) == "" and key not in fields.children:
            return []  # the wire form of an empty list
        item_name = shape.member.serialization.get("name")
        if shape.serialization.get("flattened"):
            # A flattened list's items sit directly under the member, whose own name is then replaced
            # by the item's locationName when it has one (Member.1 -> Item.1).
            item_prefix = key if not item_name else ".".join(key.split(".")[:-1] + [item_name])
        else:
            item_prefix = f"{key}.{item_name or 'member'}"
        if not fields.has(item_prefix):
            return _MISSING
        items = []
        for index in fields.indices(item_prefix):
            item = self._parse_shape(fields, shape.member, f"{item_prefix}.{index}")
            items.append(None if item is _MISSING else item)
        return items

    def _parse_map(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        entry_prefix = key if shape.serialization.get("flattened") else f"{key}.entry"
        if not fields.has(entry_prefix):
            return _MISSING
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        parsed = {}
        for index in fields.indices(entry_prefix):
            entry_key = self._parse_shape(fields, shape.key, f"{entry_prefix}.{index}.{key_name}")
            if entry_key is _MISSING:
                continue
            entry_value = self._parse_shape(fields, shape.value, f"{entry_prefix}.{index}.{value_name}")
            parsed[entry_key] = None if entry_value is _MISSING else entry_value
        return parsed

    # -- scalars ------------------------------------------------------------------------------------

    def _parse_string(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        raw = fields.get(key)
        return _MISSING if raw is None else raw

    def _parse_integer(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        raw = fields.get(key)
        if raw is None:
            return _MISSING
        try:
            return int(raw.strip())
        except ValueError:
            raise self._bad_value(raw, key, "an integer") from None

    _parse_long = _parse_integer

    def _parse_float(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        raw = fields.get(key)
        if raw is None:
            return _MISSING
        try:
            return float(raw.strip())
        except ValueError:
            raise self._bad_value(raw, key, "a number") from None

    _parse_double = _parse_float

    def _parse_boolean(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        raw = fields.get(key)
        if raw is None:
            return _MISSING
        text = raw.strip().lower()
        if text not in ("true", "false"):
            raise self._bad_value(raw, key, "a boolean")
        return text == "true"

    def _parse_timestamp(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        raw = fields.get(key)
        if raw is None:
            return _MISSING
        try:
            return parse_timestamp(raw, timestamp_format(shape, ISO8601))
        except ValueError:
            raise self._bad_value(raw, key, "a timestamp") from None

    def _parse_blob(self, fields: _FormFields, shape: Shape, key: str) -> Any:
        raw = fields.get(key)
        if raw is None:
            return _MISSING
        try:
            return b64decode(raw)
        except ValueError:
            raise self._bad_value(raw, key, "base64-encoded binary data") from None
