"""Request parser for the `rest-xml` protocol, driven by the operation's input shape.

Each input member says where it travels: `uri` (a label of the request URI), `querystring`,
`header`, `headers` (a prefixed header map such as x-amz-meta-*), or the body. The body is either
the `payload` member (an XML document for a structure, raw bytes for a blob or string) or, without a
payload member, an XML document holding every member that has no location. XML values dispatch on
`shape.type_name` (`_xml_structure`, `_xml_list` ...); scalars from any location go through
`_scalar`, which applies the model's `timestampFormat` and falls back to the location's default
(RFC 822 in headers, ISO 8601 in the query string and in XML).

Service quirks (S3's streaming bodies, its lower-cased metadata) belong in subclasses.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any, Optional

from botocore.model import OperationModel, Shape

from ..errors import AwsError
from ..http import Headers, HttpRequest
from ..rest_router import router_for
from ..shapes import b64decode, parse_timestamp, timestamp_format
from . import RequestParser

MALFORMED_XML_MESSAGE = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


def malformed_xml() -> AwsError:
    return AwsError("MalformedXML", MALFORMED_XML_MESSAGE, 400)


def _local_name(tag: str) -> str:
    """An element or attribute name without its `{namespace}` (clients may or may not send xmlns)."""
    return tag.rpartition("}")[2]


def split_header_list(value: str) -> list[str]:
    """Items of a comma-separated header list; items holding commas or quotes arrive double-quoted."""
    items, current, quoted, escaped, was_quoted = [], [], False, False, False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
            was_quoted = True
        elif char == "," and not quoted:
            items.append("".join(current) if was_quoted else "".join(current).strip())
            current, was_quoted = [], False
        else:
            current.append(char)
    items.append("".join(current) if was_quoted else "".join(current).strip())
    return [item for item in items if item]


class _InputPlan:
    """Where each input member of one operation travels, worked out once from the model."""

    def __init__(self, operation: OperationModel):
        shape = operation.input_shape
        self.uri: list[tuple[str, Shape, str]] = []
        self.query: list[tuple[str, Shape, str]] = []
        self.query_maps: list[str] = []
        #: lower-cased header name -> (member position, member name, member, wire name).
        self.headers: dict[str, tuple[int, str, Shape, str]] = {}
        self.header_maps: list[tuple[str, Shape, str]] = []
        template_query = operation.http.get("requestUri", "").partition("?")[2]
        claimed = {part.partition("=")[0] for part in template_query.split("&")}
        for position, (name, member) in enumerate(shape.members.items()):
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri":
                self.uri.append((name, member, wire))
            elif location == "querystring":
                if member.type_name == "map":
                    self.query_maps.append(name)
                else:
                    claimed.add(wire)
                    self.query.append((name, member, wire))
            elif location == "header":
                self.headers.setdefault(wire.lower(), (position, name, member, wire))
            elif location == "headers":
                self.header_maps.append((name, member, wire))
        self.claimed = frozenset(claimed)


class RestXMLRequestParser(RequestParser):
    """Parses rest-xml requests; routing comes from the model's URI templates (`RestRouter`)."""

    HEADER_TIMESTAMP_FORMAT = "rfc822"
    QUERY_TIMESTAMP_FORMAT = "iso8601"
    BODY_TIMESTAMP_FORMAT = "iso8601"

    def __init__(self, service_model):
        super().__init__(service_model)
        self.router = router_for(service_model)
        self._plans: dict[str, _InputPlan] = {}

    def find_operation(self, request: HttpRequest) -> tuple[OperationModel, dict[str, Any]]:
        return self.router.match(request.method, request.path, request.query_params(), request.headers)

    def parse(self, request: HttpRequest, operation: OperationModel, uri_params: dict[str, Any]) -> dict:
        shape = operation.input_shape
        if shape is None:
            return {}
        plan = self._plans.get(operation.name)
        if plan is None:
            plan = self._plans[operation.name] = _InputPlan(operation)
        params: dict[str, Any] = {}
        for name, member, wire in plan.uri:
            if wire in uri_params:
                params[name] = self._query_scalar(member, uri_params[wire], wire)
        query: dict[str, list[str]] = {}
        for key, value in request.query_params():
            query.setdefault(key, []).append(value)
        if query:
            for name, member, wire in plan.query:
                if wire in query:
                    params[name] = self._parse_query_value(member, query[wire], wire)
        # Only the headers the request carries are looked at (PutObject has ~40 header members
        # and a request ~10 headers), in the model's member order so that the first bad value
        # reported is the same whatever order the client sent its headers in.
        found = sorted(plan.headers[lowered] for lowered in request.headers.names() if lowered in plan.headers)
        for _, name, member, wire in found:
            value = self._parse_header(member, request.headers, wire)
            if value is not None:
                params[name] = value
        for name, member, wire in plan.header_maps:
            value = self._parse_header_map(member, request.headers, wire)
            if value:
                params[name] = value
        if query:
            for name in plan.query_maps:
                # A query-string map takes every parameter that no other member (or the template)
                # claims.
                rest = {k: v for k, v in query.items() if k not in plan.claimed}
                if rest:
                    params[name] = self._parse_query_map(shape.members[name], rest)
        self._parse_body(request, shape, params)
        return params

    # -- query string and headers ------------------------------------------------------------------

    def _parse_query_value(self, member: Shape, values: list[str], wire: str) -> Any:
        if member.type_name == "list":
            return [self._query_scalar(member.member, v, wire) for v in values]
        return self._query_scalar(member, values[0], wire)

    def _parse_query_map(self, member: Shape, values: dict[str, list[str]]) -> dict:
        value_shape = member.value
        if value_shape.type_name == "list":
            return {k: [self._query_scalar(value_shape.member, v, k) for v in vs] for k, vs in values.items()}
        return {k: self._query_scalar(value_shape, vs[0], k) for k, vs in values.items()}

    def _parse_header(self, member: Shape, headers: Headers, wire: str) -> Any:
        found = headers.get_all(wire)
        if not found:
            return None
        if member.type_name == "list":
            # Repeated header lines and comma-joined values mean the same thing (RFC 7230).
            items = split_header_list(",".join(found))
            item_shape = member.member
            if item_shape.type_name == "timestamp" and self._is_http_date(item_shape):
                # An HTTP date holds a comma itself ("Mon, 16 Dec 2019 ..."): items are comma pairs.
                items = [f"{items[i]}, {items[i + 1]}" for i in range(0, len(items) - 1, 2)]
            return [self._scalar_or_invalid(item_shape, v, self.HEADER_TIMESTAMP_FORMAT, wire) for v in items]
        return self._scalar_or_invalid(member, found[0], self.HEADER_TIMESTAMP_FORMAT, wire)

    def _is_http_date(self, shape: Shape) -> bool:
        return timestamp_format(shape, self.HEADER_TIMESTAMP_FORMAT).lower() == "rfc822"

    def _parse_header_map(self, member: Shape, headers: Headers, prefix: str) -> dict:
        lowered = prefix.lower()
        found = ((name, value) for name, value in headers.items() if name.lower().startswith(lowered))
        return {name[len(prefix):]: value for name, value in found}

    def _query_scalar(self, shape: Shape, text: str, wire: str) -> Any:
        return self._scalar_or_invalid(shape, text, self.QUERY_TIMESTAMP_FORMAT, wire)

    def _scalar_or_invalid(self, shape: Shape, text: str, default_format: str, wire: str) -> Any:
        try:
            return self._scalar(shape, text, default_format)
        except ValueError as exc:
            raise AwsError(
                "InvalidArgument",
                f"Invalid value for {wire}: {text!r}",
                400,
                fields={"ArgumentName": wire, "ArgumentValue": text},
            ) from exc

    def _scalar(self, shape: Shape, text: str, default_format: str) -> Any:
        """A scalar from its wire text; raises ValueError when the text is not of the shape's type."""
        kind = shape.type_name
        if kind == "string":
            if shape.serialization.get("jsonvalue"):
                return json.loads(b64decode(text).decode("utf-8"))
            return text
        if kind in ("integer", "long"):
            return int(text.strip())
        if kind in ("float", "double"):
            return float(text.strip())
        if kind == "boolean":
            lowered = text.strip().lower()
            if lowered not in ("true", "false"):
                raise ValueError(f"not a boolean: {text!r}")
            return lowered == "true"
        if kind == "timestamp":
            return parse_timestamp(text, timestamp_format(shape, default_format))
        if kind == "blob":
            return b64decode(text)
        raise ValueError(f"{kind} is not a scalar type")

    # -- body ---------------------------------------------------------------------------------------

    def _parse_body(self, request: HttpRequest, shape: Shape, params: dict) -> None:
        payload_name = shape.serialization.get("payload")
        if payload_name is not None:
            member = shape.members[payload_name]
            if member.type_name in ("blob", "string"):
                value = self._parse_raw_payload(request, member)
            else:
                root = self._xml_root(request.body_bytes())
                value = None if root is None else self._xml_value(member, root)
            if value is not None:
                params[payload_name] = value
            return
        if any("location" not in m.serialization for m in shape.members.values()):
            root = self._xml_root(request.body_bytes())
            if root is not None:
                params.update(self._xml_structure(shape, root))

    def _parse_raw_payload(self, request: HttpRequest, member: Shape) -> Any:
        data = request.body_bytes()
        if not data:
            return None
        if member.type_name == "string":
            return data.decode("utf-8")
        return data

    def _xml_root(self, body: bytes) -> Optional[ET.Element]:
        """The document element, or None for an empty body; MalformedXML for anything unparsable."""
        if not body.strip():
            return None
        # No AWS document uses a DTD, and entity declarations are the XML bomb's vehicle.
        upper = body.upper()
        if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
            raise malformed_xml()
        try:
            return ET.fromstring(body)
        except ET.ParseError as exc:
            raise malformed_xml() from exc

    def _xml_value(self, shape: Shape, node: ET.Element) -> Any:
        method = getattr(self, f"_xml_{shape.type_name}", None)
        if method is not None:
            return method(shape, node)
        try:
            return self._scalar(shape, node.text or "", self.BODY_TIMESTAMP_FORMAT)
        except ValueError as exc:
            raise malformed_xml() from exc

    def _xml_structure(self, shape: Shape, node: ET.Element) -> dict:
        children: dict[str, list[ET.Element]] = {}
        for child in node:
            children.setdefault(_local_name(child.tag), []).append(child)
        parsed = {}
        for name, member in shape.members.items():
            if member.serialization.get("location"):
                continue
            if member.serialization.get("xmlAttribute"):
                value = self._xml_attribute(node, member.serialization.get("name", name))
                if value is not None:
                    parsed[name] = self._xml_scalar_text(member, value)
                continue
            tag = member.serialization.get("name", name)
            found = children.get(tag)
            if member.serialization.get("flattened") and member.type_name in ("list", "map"):
                if not found and member.type_name == "list":
                    # botocore names flattened items after the list member's locationName when it
                    # has one; accept that spelling as well as the structure member's own name.
                    found = children.get(member.member.serialization.get("name", ""))
                if found:
                    parsed[name] = self._xml_flattened(member, found)
            elif found:
                parsed[name] = self._xml_value(member, found[0])
        return parsed

    def _xml_flattened(self, shape: Shape, nodes: list[ET.Element]) -> Any:
        if shape.type_name == "list":
            return [self._xml_value(shape.member, item) for item in nodes]
        return dict(self._xml_map_entry(shape, entry) for entry in nodes)

    def _xml_list(self, shape: Shape, node: ET.Element) -> list:
        return [self._xml_value(shape.member, item) for item in node]

    def _xml_map(self, shape: Shape, node: ET.Element) -> dict:
        return dict(self._xml_map_entry(shape, entry) for entry in node)

    def _xml_map_entry(self, shape: Shape, entry: ET.Element) -> tuple[Any, Any]:
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        key = value = None
        for part in entry:
            tag = _local_name(part.tag)
            if tag == key_tag:
                key = self._xml_value(shape.key, part)
            elif tag == value_tag:
                value = self._xml_value(shape.value, part)
        if key is None:
            raise malformed_xml()
        return key, value

    def _xml_scalar_text(self, shape: Shape, text: str) -> Any:
        try:
            return self._scalar(shape, text, self.BODY_TIMESTAMP_FORMAT)
        except ValueError as exc:
            raise malformed_xml() from exc

    @staticmethod
    def _xml_attribute(node: ET.Element, qualified: str) -> Optional[str]:
        # "xsi:type" arrives as "{http://www.w3.org/2001/XMLSchema-instance}type" once parsed.
        local = qualified.rpartition(":")[2]
        for key, value in node.attrib.items():
            if key == qualified or _local_name(key) == local:
                return value
        return None
