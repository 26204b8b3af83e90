"""Response serializer for the `rest-xml` protocol, driven by the operation's output shape.

Output members travel where the model says: `header` and `headers` (prefixed maps) become response
headers, a `statusCode` member sets the status, and the `payload` member is the body: an XML
document for a structure; for a blob, a string or an event stream, the value itself, passed through
untouched when it streams (bytes, or an iterator of bytes with `close()`). Without a payload member,
every member that has no location goes into one XML document.
XML values dispatch on `shape.type_name` (`_xml_structure`, `_xml_list` ...). Timestamps are
ISO 8601 with milliseconds in XML and RFC 822 in headers unless the model's `timestampFormat` says
otherwise; booleans are lower-case.

Two reserved keys in a provider's result dict steer the HTTP envelope and are never serialized:

- ``result["__status__"]``: the HTTP status to send instead of the model's `responseCode`
  (206 for a ranged GET, 304 for a conditional GET that matched; a failed precondition, 412,
  is an `AwsError` because S3 answers it with an error document).
- ``result["__headers__"]``: a dict of extra raw response headers (Content-Range, for example),
  set after the modeled headers, so they win on a clash.

Responses to HEAD, and 204 and 304 responses, never carry a body (HTTP forbids one).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from typing import Any, Optional

from botocore.model import OperationModel, Shape

from ..errors import AwsError
from ..http import HttpResponse
from ..shapes import b64encode, format_timestamp, timestamp_format
from . import ResponseSerializer

STATUS_KEY = "__status__"
HEADERS_KEY = "__headers__"
#: An item's place in a sequence of interleaved flattened lists (see INTERLEAVED_MEMBERS).
POSITION_KEY = "__position__"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
XML_CONTENT_TYPE = "application/xml"

_NO_BODY_STATUSES = (204, 304)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#xD;", "\n": "&#xA;", "\t": "&#x9;"}
)


def escape_text(text: str) -> str:
    # A literal CR would be normalized away by the client's XML parser; a reference survives.
    return text.translate(_TEXT_ESCAPES)


def escape_attr(text: str) -> str:
    return text.translate(_ATTR_ESCAPES)


def host_id(request_id: str) -> str:
    """A stable stand-in for S3's x-amz-id-2 (an opaque base64 token), derived from the request id."""
    return base64.b64encode(hashlib.sha256(request_id.encode("utf-8")).digest()).decode("ascii")


def close_body(body: Any) -> None:
    """Release a streaming body that will not be sent (HEAD, 304) so its file handle is closed."""
    close = getattr(body, "close", None)
    if close is not None and not isinstance(body, (bytes, bytearray)):
        close()


_ELEMENT, _FLAT_LIST, _FLAT_MAP = 0, 1, 2


class _ShapePlan:
    """One shape's writer method (None for scalars), default namespace attribute, and for a
    structure its attribute members, its child elements in order, with their wire names, and its
    members bound to the HTTP envelope (name -> member, location, wire name)."""

    __slots__ = ("shape", "writer", "namespace", "plain_text", "attributes", "children", "interleaved",
                 "located")

    def __init__(self, serializer: "RestXMLResponseSerializer", shape: Shape):
        self.shape = shape
        self.writer = getattr(serializer, f"_xml_{shape.type_name}", None)
        self.namespace = serializer._namespace_attrs(shape, "")
        # Strings are written as they are; every other scalar goes through _scalar_text.
        self.plain_text = shape.type_name == "string"
        self.attributes, self.children = [], []
        self.located: dict[str, tuple[Shape, str, str]] = {}
        for name, member in (shape.members.items() if shape.type_name == "structure" else ()):
            serialization = member.serialization
            wire = serialization.get("name", name)
            if serialization.get("xmlAttribute"):
                self.attributes.append((name, member, wire))
            elif "location" in serialization:
                self.located[name] = (member, serialization["location"], wire)
            else:
                layout, item_tag = _ELEMENT, None
                if serialization.get("flattened") and member.type_name == "list":
                    layout, item_tag = _FLAT_LIST, member.member.serialization.get("name", wire)
                elif serialization.get("flattened") and member.type_name == "map":
                    layout = _FLAT_MAP
                self.children.append((name, member, wire, layout, item_tag))
        first = serializer.LEADING_MEMBERS.get(shape.name)
        if first:
            self.children.sort(key=lambda child: first.index(child[0]) if child[0] in first else len(first))
        self.interleaved = serializer.INTERLEAVED_MEMBERS.get(shape.name, ())


class RestXMLResponseSerializer(ResponseSerializer):
    #: Members a service writes before the others of a shape, where its documents do not follow the
    #: model's member order (shape name -> member names, in order).
    LEADING_MEMBERS: dict[str, tuple[str, ...]] = {}
    #: Flattened list members a service writes as one sequence, ordered by each item's POSITION_KEY
    #: (shape name -> member names; the sequence stands where the first of them would).
    INTERLEAVED_MEMBERS: dict[str, tuple[str, ...]] = {}
    HEADER_TIMESTAMP_FORMAT = "rfc822"
    BODY_TIMESTAMP_FORMAT = "iso8601"

    # -- successful responses ----------------------------------------------------------------------

    def serialize_response(self, operation: OperationModel, result: dict, request_id: str) -> HttpResponse:
        result = dict(result or {})
        status = result.pop(STATUS_KEY, None)
        extra_headers = result.pop(HEADERS_KEY, None) or {}
        response = HttpResponse(status=int(operation.http.get("responseCode", 200)))
        self._add_request_id_headers(response, request_id)
        shape = operation.output_shape
        if shape is not None:
            self._serialize_located(shape, result, response)
            response.body = self._serialize_body(operation, shape, result, response)
        for name, value in extra_headers.items():
            response.headers[name] = str(value)
        if status is not None:
            response.status = int(status)
        self._enforce_no_body(operation, response)
        return response

    def _add_request_id_headers(self, response: HttpResponse, request_id: str) -> None:
        response.headers["x-amz-request-id"] = request_id
        response.headers["x-amz-id-2"] = host_id(request_id)

    def _serialize_located(self, shape: Shape, result: dict, response: HttpResponse) -> None:
        # Walk what the result holds (a handful of members) rather than every member of the
        # shape (PutObject's output has about 30): this runs on every request.
        located = self._plan(shape).located
        for name, value in result.items():
            if value is None or name not in located:
                continue
            member, location, wire = located[name]
            if location == "header":
                if member.type_name == "list" and not value:
                    continue
                response.headers[wire] = self._single_header_text(member, value)
            elif location == "headers":
                for key, item in value.items():
                    response.headers[wire + key] = self._prefixed_header_text(member.value, item)
            elif location == "statusCode":
                response.status = int(value)

    def _header_text(self, shape: Shape, value: Any) -> str:
        kind = shape.type_name
        if kind == "timestamp":
            return str(format_timestamp(value, timestamp_format(shape, self.HEADER_TIMESTAMP_FORMAT)))
        if kind == "list":
            return ",".join(self._header_list_item(shape.member, item) for item in value if item is not None)
        if kind == "string" and shape.serialization.get("jsonvalue"):
            return b64encode(json.dumps(value, separators=(",", ":")))
        return self._scalar_text(shape, value)

    def _single_header_text(self, shape: Shape, value: Any) -> str:
        """A value of a `header` member; services may encode it further."""
        return self._header_text(shape, value)

    def _prefixed_header_text(self, shape: Shape, value: Any) -> str:
        """A value of a prefixed header map (S3's x-amz-meta-*); services may encode it further."""
        return self._header_text(shape, value)

    def _header_list_item(self, shape: Shape, value: Any) -> str:
        text = self._header_text(shape, value)
        if shape.type_name == "string" and ("," in text or '"' in text):
            return '"' + text.replace('"', '\\"') + '"'
        return text

    def _serialize_body(self, operation: OperationModel, shape: Shape, result: dict, response: HttpResponse):
        payload_name = shape.serialization.get("payload")
        if payload_name is not None:
            member = shape.members[payload_name]
            value = result.get(payload_name)
            if value is None:
                return b""
            if member.type_name in ("blob", "string") or member.serialization.get("eventstream"):
                # Raw payloads pass through untouched: a provider's iterator streams a GetObject body.
                return value.encode("utf-8") if isinstance(value, str) else value
            root = self._root_name(operation, member, payload_name)
            return self._xml_document(response, root, member, value)
        if any("location" not in m.serialization for m in shape.members.values()):
            root = self._root_name(operation, shape, None)
            return self._xml_document(response, root, shape, result)
        return b""

    def _root_name(self, operation: OperationModel, shape: Shape, member_name: Optional[str]) -> str:
        """The document element's name: the model's locationName, else the member or shape name."""
        return shape.serialization.get("name") or member_name or shape.name

    def _root_namespace(self, shape: Shape) -> Optional[str]:
        namespace = shape.serialization.get("xmlNamespace") or self.service_model.metadata.get("xmlNamespace")
        if isinstance(namespace, dict):
            return None if namespace.get("prefix") else namespace.get("uri")
        return namespace

    def _xml_document(self, response: HttpResponse, root: str, shape: Shape, value: Any) -> bytes:
        out = [XML_DECLARATION]
        namespace = self._root_namespace(shape)
        root_attrs = f' xmlns="{escape_attr(namespace)}"' if namespace else ""
        self._xml_element(out, root, shape, value, root_attrs)
        if response.headers.get("Content-Type") is None:
            response.headers["Content-Type"] = XML_CONTENT_TYPE
        return "".join(out).encode("utf-8")

    # -- XML, one method per shape type ------------------------------------------------------------

    def _xml_element(self, out: list, tag: str, shape: Shape, value: Any, attrs: str = "") -> None:
        plan = self._plan(shape)
        if plan.writer is not None:
            plan.writer(out, tag, shape, value, attrs)
            return
        open_attrs = attrs + (plan.namespace if not attrs else self._namespace_attrs(shape, attrs))
        out.append(f"<{tag}{open_attrs}>")
        if plan.plain_text:
            out.append(escape_text(value if type(value) is str else str(value)))
        else:
            out.append(escape_text(self._scalar_text(shape, value, self.BODY_TIMESTAMP_FORMAT)))
        out.append(f"</{tag}>")

    def _xml_structure(self, out: list, tag: str, shape: Shape, value: dict, attrs: str = "") -> None:
        plan = self._plan(shape)
        attrs += plan.namespace if not attrs else self._namespace_attrs(shape, attrs)
        for name, member, wire in plan.attributes:
            item = value.get(name)
            if item is not None:
                text = self._scalar_text(member, item, self.BODY_TIMESTAMP_FORMAT)
                attrs += f' {wire}="{escape_attr(text)}"'
        out.append(f"<{tag}{attrs}>")
        for name, member, wire, layout, item_tag in plan.children:
            if name in plan.interleaved:
                if name == plan.interleaved[0]:
                    self._xml_interleaved(out, plan, value)
                continue
            item = value.get(name)
            if item is None:
                continue
            if layout == _ELEMENT:
                child = self._plan(member)
                if child.writer is None and child.plain_text and not child.namespace:  # most of a listing
                    out.append(f"<{wire}>{escape_text(item if type(item) is str else str(item))}</{wire}>")
                else:
                    self._xml_element(out, wire, member, item)
            elif layout == _FLAT_LIST:
                # Clients look flattened items up by the list member's locationName first.
                for element in item:
                    self._xml_element(out, item_tag, member.member, element)
            else:
                for key, element in item.items():
                    self._xml_map_entry(out, wire, member, key, element)
        out.append(f"</{tag}>")

    def _xml_interleaved(self, out: list, plan: "_ShapePlan", value: dict) -> None:
        items = [(element.get(POSITION_KEY, 0), item_tag, member.member, element)
                 for name, member, _, _, item_tag in plan.children if name in plan.interleaved
                 for element in value.get(name) or ()]
        items.sort(key=lambda item: item[0])
        for _, tag, shape, element in items:
            self._xml_element(out, tag, shape, element)

    def _plan(self, shape: Shape) -> "_ShapePlan":
        """What the XML writers need of a shape, worked out once per shape: a listing of 1,000 keys
        writes the same few shapes 1,000 times. Keyed by the shape object itself (which the key
        keeps alive, so no other shape can take its place)."""
        plans = self.__dict__.get("_plans")
        if plans is None:
            plans = self._plans = {}
        plan = plans.get(shape)
        if plan is None:
            plan = plans[shape] = _ShapePlan(self, shape)
        return plan

    def _xml_list(self, out: list, tag: str, shape: Shape, value: list, attrs: str = "") -> None:
        item_tag = shape.member.serialization.get("name", "member")
        out.append(f"<{tag}{attrs}{self._namespace_attrs(shape, attrs)}>")
        for element in value:
            self._xml_element(out, item_tag, shape.member, element)
        out.append(f"</{tag}>")

    def _xml_map(self, out: list, tag: str, shape: Shape, value: dict, attrs: str = "") -> None:
        out.append(f"<{tag}{attrs}{self._namespace_attrs(shape, attrs)}>")
        for key, element in value.items():
            self._xml_map_entry(out, "entry", shape, key, element)
        out.append(f"</{tag}>")

    def _xml_map_entry(self, out: list, tag: str, shape: Shape, key: Any, value: Any) -> None:
        out.append(f"<{tag}>")
        self._xml_element(out, shape.key.serialization.get("name", "key"), shape.key, key)
        self._xml_element(out, shape.value.serialization.get("name", "value"), shape.value, value)
        out.append(f"</{tag}>")

    @staticmethod
    def _namespace_attrs(shape: Shape, existing: str) -> str:
        namespace = shape.serialization.get("xmlNamespace")
        if not namespace:
            return ""
        if isinstance(namespace, str):
            namespace = {"uri": namespace}
        name = "xmlns:" + namespace["prefix"] if namespace.get("prefix") else "xmlns"
        if f" {name}=" in existing:
            return ""
        return f' {name}="{escape_attr(namespace["uri"])}"'

    def _scalar_text(self, shape: Shape, value: Any, timestamp_default: Optional[str] = None) -> str:
        kind = shape.type_name
        if kind == "boolean":
            return "true" if value else "false"
        if kind in ("integer", "long"):
            return str(int(value))
        if kind in ("float", "double"):
            number = float(value)
            if math.isnan(number):
                return "NaN"
            if math.isinf(number):
                return "Infinity" if number > 0 else "-Infinity"
            return repr(number)
        if kind == "timestamp":
            default = timestamp_default or self.HEADER_TIMESTAMP_FORMAT
            return str(format_timestamp(value, timestamp_format(shape, default)))
        if kind == "blob":
            return b64encode(value)
        return str(value)

    # -- errors ------------------------------------------------------------------------------------

    def serialize_error(
        self, error: AwsError, operation: Optional[OperationModel], request_id: str
    ) -> HttpResponse:
        response = HttpResponse(status=error.status)
        self._add_request_id_headers(response, request_id)
        for name, value in error.headers.items():
            response.headers[name] = str(value)
        if operation is not None and operation.http.get("method", "").upper() == "HEAD":
            return response
        response.headers["Content-Type"] = XML_CONTENT_TYPE
        response.body = self._error_document(error, request_id).encode("utf-8")
        return response

    def _error_document(self, error: AwsError, request_id: str) -> str:
        """The generic rest-xml envelope (Route 53, CloudFront); S3 overrides it."""
        kind = "Sender" if error.sender_fault else "Receiver"
        return (
            f"{XML_DECLARATION}<ErrorResponse><Error><Type>{kind}</Type>"
            f"<Code>{escape_text(error.code)}</Code><Message>{escape_text(error.message)}</Message>"
            f"{self._error_fields(error)}</Error>"
            f"<RequestId>{escape_text(request_id)}</RequestId></ErrorResponse>"
        )

    @staticmethod
    def _error_fields(error: AwsError) -> str:
        parts = []
        for name, value in error.fields.items():
            if value is None:
                continue
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            parts.append(f"<{name}>{escape_text(text)}</{name}>")
        return "".join(parts)

    def _enforce_no_body(self, operation: OperationModel, response: HttpResponse) -> None:
        if operation.http.get("method", "").upper() == "HEAD" or response.status in _NO_BODY_STATUSES:
            if response.body:
                close_body(response.body)
            response.body = b""
