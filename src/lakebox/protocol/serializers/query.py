"""Response serializer for the `query` protocol (awsQuery): STS, Redshift, IAM.

A result is XML, built with ElementTree from the output shape:

    <{Op}Response xmlns="{xmlNamespace}">
      <{resultWrapper}> ...members... </{resultWrapper}>
      <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
    </{Op}Response>

Lists wrap their items in `<member>` (or the member's `locationName`) unless flattened, maps use
`<entry><key/><value/></entry>`, timestamps are ISO 8601, blobs base64, booleans `true`/`false`.
An error is `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any, Optional

from botocore.model import OperationModel, Shape

from ..errors import AwsError
from ..http import Headers, HttpResponse
from ..shapes import ISO8601, b64encode, error_shape_for, format_timestamp, timestamp_format, wire_error_code
from . import ResponseSerializer

#: Characters XML 1.0 cannot carry at all, not even escaped (NUL, most C0 controls, lone surrogates).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class QueryResponseSerializer(ResponseSerializer):
    """Renders results and errors as awsQuery XML; one `_serialize_<type>` method per shape type."""

    def serialize_response(self, operation: OperationModel, result: dict, request_id: str) -> HttpResponse:
        root = ET.Element(f"{operation.name}Response", self._namespace())
        shape = operation.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper")
            container = ET.SubElement(root, wrapper) if wrapper else root
            self._write_members(container, result or {}, shape)
        metadata = ET.SubElement(root, "ResponseMetadata")
        ET.SubElement(metadata, "RequestId").text = request_id
        return self._response(200, root, request_id)

    def serialize_error(
        self, error: AwsError, operation: Optional[OperationModel], request_id: str
    ) -> HttpResponse:
        root = ET.Element("ErrorResponse", self._namespace())
        node = ET.SubElement(root, "Error")
        ET.SubElement(node, "Type").text = "Sender" if error.sender_fault else "Receiver"
        ET.SubElement(node, "Code").text = wire_error_code(self.service_model, error.code)
        ET.SubElement(node, "Message").text = error.message
        shape = error_shape_for(self.service_model, error.code)
        for name, value in error.fields.items():
            member_shape = shape.members.get(name) if shape is not None else None
            if value is None:
                continue
            if member_shape is not None:
                self._serialize(node, value, member_shape, member_shape.serialization.get("name", name))
            else:
                # AWS errors carry extras the model leaves out; they go out as plain text.
                ET.SubElement(node, name).text = self._unmodeled_text(value)
        ET.SubElement(root, "RequestId").text = request_id
        response = self._response(error.status, root, request_id)
        for name, value in error.headers.items():
            response.headers[name] = value
        return response

    def _namespace(self) -> dict[str, str]:
        namespace = self.service_model.metadata.get("xmlNamespace")
        return {"xmlns": namespace} if namespace else {}

    def _response(self, status: int, root: ET.Element, request_id: str) -> HttpResponse:
        # A value echoed from the request (an error message naming it, a SourceIdentity) may hold a
        # character XML cannot express; it becomes U+FFFD so that the client can still parse the rest.
        for node in root.iter():
            if node.text and _NOT_XML.search(node.text):
                node.text = _NOT_XML.sub("\ufffd", node.text)
        payload = ET.tostring(root, encoding="utf-8")
        headers = Headers(
            [
                ("Content-Type", "text/xml"),
                ("Content-Length", str(len(payload))),
                ("x-amzn-RequestId", request_id),
            ]
        )
        return HttpResponse(status=status, headers=headers, body=payload)

    def _unmodeled_text(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (bytes, bytearray)):
            return b64encode(value)
        if hasattr(value, "isoformat"):
            return format_timestamp(value, ISO8601)
        return str(value)

    # -- dispatch -----------------------------------------------------------------------------------

    def _serialize(self, parent: ET.Element, value: Any, shape: Shape, name: str) -> None:
        method = getattr(self, f"_serialize_{shape.type_name}", self._serialize_default)
        method(parent, value, shape, name)

    def _write_members(self, node: ET.Element, value: dict, shape: Shape) -> None:
        for member_name, member_value in value.items():
            member_shape = shape.members.get(member_name)
            # Results carry only modeled members: a stray key is provider bookkeeping, not output.
            if member_shape is None or member_value is None:
                continue
            wire_name = member_shape.serialization.get("name", member_name)
            if member_shape.serialization.get("xmlAttribute"):
                node.set(wire_name, self._scalar_text(member_value, member_shape))
                continue
            self._serialize(node, member_value, member_shape, wire_name)

    # -- containers ---------------------------------------------------------------------------------

    def _serialize_structure(self, parent: ET.Element, value: Any, shape: Shape, name: str) -> None:
        self._write_members(ET.SubElement(parent, name), value, shape)

    def _serialize_list(self, parent: ET.Element, value: Any, shape: Shape, name: str) -> None:
        if shape.serialization.get("flattened"):
            # Flattened items repeat directly in the parent, under the item's own name if it has one.
            item_name = shape.member.serialization.get("name", name)
            container = parent
        else:
            item_name = shape.member.serialization.get("name", "member")
            container = ET.SubElement(parent, name)
        for item in value:
            if item is not None:
                self._serialize(container, item, shape.member, item_name)

    def _serialize_map(self, parent: ET.Element, value: Any, shape: Shape, name: str) -> None:
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        flattened = shape.serialization.get("flattened")
        container = parent if flattened else ET.SubElement(parent, name)
        for key, item in value.items():
            entry = ET.SubElement(container, name if flattened else "entry")
            self._serialize(entry, key, shape.key, key_name)
            if item is not None:
                self._serialize(entry, item, shape.value, value_name)

    # -- scalars ------------------------------------------------------------------------------------

    def _serialize_default(self, parent: ET.Element, value: Any, shape: Shape, name: str) -> None:
        ET.SubElement(parent, name).text = self._scalar_text(value, shape)

    def _scalar_text(self, value: Any, shape: Shape) -> str:
        method = getattr(self, f"_text_{shape.type_name}", None)
        return method(value, shape) if method is not None else str(value)

    def _text_boolean(self, value: Any, shape: Shape) -> str:
        return "true" if value else "false"

    def _text_timestamp(self, value: Any, shape: Shape) -> str:
        return str(format_timestamp(value, timestamp_format(shape, ISO8601)))

    def _text_blob(self, value: Any, shape: Shape) -> str:
        return b64encode(value)

    def _text_integer(self, value: Any, shape: Shape) -> str:
        return str(int(value))

    _text_long = _text_integer

    def _text_float(self, value: Any, shape: Shape) -> str:
        number = float(value) if not isinstance(value, Decimal) else value
        if isinstance(number, float) and (math.isnan(number) or math.isinf(number)):
            return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
        return str(number)

    _text_double = _text_float
