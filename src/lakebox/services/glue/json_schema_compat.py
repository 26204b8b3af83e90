"""JSON Schema definitions: a structural check of the document, and a compatibility check between two.

Why not the `jsonschema` package: it is not a lakebox dependency (it may be in a venv only because a
test tool pulled it in), so the registry cannot rely on it. The check here follows the JSON Schema
meta-schema (draft-04 to 2020-12) for the keywords that shape data: the document is a JSON object (or
`true`/`false`); `type` is one of the seven type names or a non-empty list of distinct ones;
`properties`, `patternProperties`, `definitions` and `$defs` map names to schemas (and pattern keys
compile); `required` is a list of distinct strings; `items` is a schema or a list of schemas;
`additionalProperties`, `additionalItems`, `not`, `if`/`then`/`else`, `contains` are schemas;
`allOf`/`anyOf`/`oneOf` are non-empty lists of schemas; `enum` is a list; length, item and property
counts are non-negative integers; `minimum`/`maximum`/`multipleOf` are numbers; `$ref` and `pattern`
are strings (a pattern must compile).

Compatibility, `incompatibilities(reader, writer)`, asks whether every document valid under `writer`
is valid under `reader`, conservatively, on what it can decide structurally:
- the writer's types must be among the reader's (an `integer` writer fits a `number` reader; a schema
  with no `type` allows every type);
- every name the reader requires must be required by the writer too;
- a property both declare is checked recursively, and so are array `items`;
- a property the writer declares but the reader does not is refused only when the reader is closed
  (`additionalProperties: false`), and is checked against the reader's `additionalProperties` schema;
- a closed writer may lose nothing the reader requires; an open writer may write any undeclared
  property, which a closed reader would refuse, so an open writer against a closed reader is refused;
- an `enum` on the reader must hold every value of the writer's `enum` (and a writer without one is
  refused);
- bounds may not tighten: the reader's `minimum`, `minLength`, `minItems`, `minProperties` may not be
  above the writer's, its `maximum`, `maxLength`, `maxItems`, `maxProperties` not below.
`$ref`, combinators (`allOf`/`anyOf`/`oneOf`/`not`), `pattern` and formats are not compared.
"""

from __future__ import annotations

import json
import re
from typing import Any

TYPES = ("null", "boolean", "object", "array", "number", "string", "integer")
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas")
_SCHEMAS = ("additionalProperties", "additionalItems", "not", "if", "then", "else", "contains",
            "propertyNames", "unevaluatedProperties", "unevaluatedItems")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains",
           "maxContains")
_NUMBERS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_LOWER = ("minimum", "minLength", "minItems", "minProperties")
_UPPER = ("maximum", "maxLength", "maxItems", "maxProperties")


class JsonSchemaError(ValueError):
    """The definition is not a valid JSON Schema document; the message says where and why."""


def parse_json_schema(text: str) -> Any:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise JsonSchemaError(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise JsonSchemaError("a JSON Schema document must be a JSON object")
    _check(doc, "#")
    return doc


def _check(node: Any, where: str) -> None:
    if isinstance(node, bool):
        return
    if not isinstance(node, dict):
        raise JsonSchemaError(f"{where}: a schema must be an object or a boolean")
    kind = node.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not kinds or not all(isinstance(k, str) and k in TYPES for k in kinds) or len(set(kinds)) != len(kinds):
            raise JsonSchemaError(f"{where}/type: {json.dumps(kind)} is not a valid type")
    for key in _SCHEMA_MAPS:
        if key in node:
            if not isinstance(node[key], dict):
                raise JsonSchemaError(f"{where}/{key}: must be an object")
            for name, sub in node[key].items():
                if key == "patternProperties":
                    _compiles(name, f"{where}/{key}")
                _check(sub, f"{where}/{key}/{name}")
    for key in _SCHEMAS:
        if key in node:
            _check(node[key], f"{where}/{key}")
    for key in _SCHEMA_LISTS:
        if key in node:
            if not isinstance(node[key], list) or not node[key]:
                raise JsonSchemaError(f"{where}/{key}: must be a non-empty array")
            for index, sub in enumerate(node[key]):
                _check(sub, f"{where}/{key}/{index}")
    if "items" in node:
        items = node["items"]
        for index, sub in enumerate(items if isinstance(items, list) else [items]):
            _check(sub, f"{where}/items" + (f"/{index}" if isinstance(items, list) else ""))
    required = node.get("required")
    if required is not None and not isinstance(required, bool):  # draft-03 used a boolean here
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required) \
                or len(set(required)) != len(required):
            raise JsonSchemaError(f"{where}/required: must be an array of distinct strings")
    if "enum" in node and not isinstance(node["enum"], list):
        raise JsonSchemaError(f"{where}/enum: must be an array")
    for key in _COUNTS:
        value = node.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise JsonSchemaError(f"{where}/{key}: must be a non-negative integer")
    for key in _NUMBERS:
        value = node.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            if not (key.startswith("exclusive") and isinstance(value, bool)):  # draft-04 booleans
                raise JsonSchemaError(f"{where}/{key}: must be a number")
    for key in ("$ref", "pattern", "title", "description", "format"):
        if key in node and not isinstance(node[key], str):
            raise JsonSchemaError(f"{where}/{key}: must be a string")
    if "pattern" in node:
        _compiles(node["pattern"], f"{where}/pattern")


def _compiles(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise JsonSchemaError(f"{where}: {pattern!r} is not a valid regular expression ({exc})") from None


# -- compatibility -------------------------------------------------------------------------------------

def incompatibilities(reader: Any, writer: Any) -> list[str]:
    problems: list[str] = []
    _compare(reader, writer, "#", problems)
    return problems


def _types(schema: Any) -> set[str] | None:
    """The types a schema allows; None for any."""
    if schema is True or not isinstance(schema, dict) or "type" not in schema:
        return None if schema is not False else set()
    kind = schema["type"]
    return set(kind if isinstance(kind, list) else [kind])


def _compare(reader: Any, writer: Any, where: str, problems: list[str]) -> None:
    if reader is True or writer is False:
        return
    if reader is False:
        problems.append(f"{where}: the reader accepts nothing")
        return
    rtypes, wtypes = _types(reader), _types(writer)
    if rtypes is not None:
        if wtypes is None:
            problems.append(f"{where}: the reader allows only {', '.join(sorted(rtypes))}, the writer any type")
        else:
            lost = {t for t in wtypes if t not in rtypes and not (t == "integer" and "number" in rtypes)}
            if lost:
                problems.append(f"{where}: the reader does not allow the writer's {', '.join(sorted(lost))}")
    if "enum" in reader:
        if "enum" not in writer:
            problems.append(f"{where}: the reader allows only the values of its enum, the writer any value")
        else:
            extra = [v for v in writer["enum"] if v not in reader["enum"]]
            if extra:
                problems.append(f"{where}: the reader's enum lacks the writer's {json.dumps(extra)}")
    for key in _LOWER:
        if key in reader and (key not in writer or _num(writer[key]) < _num(reader[key])):
            problems.append(f"{where}: the reader's {key} {reader[key]} is tighter than the writer's "
                            f"{writer.get(key, 'none')}")
    for key in _UPPER:
        if key in reader and (key not in writer or _num(writer[key]) > _num(reader[key])):
            problems.append(f"{where}: the reader's {key} {reader[key]} is tighter than the writer's "
                            f"{writer.get(key, 'none')}")
    _compare_object(reader, writer, where, problems)
    ritems, witems = reader.get("items"), writer.get("items")
    if isinstance(ritems, (dict, bool)) and isinstance(witems, (dict, bool)):
        _compare(ritems, witems, f"{where}/items", problems)
    elif isinstance(ritems, (dict, bool)) and witems is None and ritems is not True:
        problems.append(f"{where}/items: the reader constrains items, the writer does not")


def _num(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _compare_object(reader: dict, writer: dict, where: str, problems: list[str]) -> None:
    rprops, wprops = reader.get("properties") or {}, writer.get("properties") or {}
    rreq = set(reader.get("required") or []) if isinstance(reader.get("required"), list) else set()
    wreq = set(writer.get("required") or []) if isinstance(writer.get("required"), list) else set()
    for name in sorted(rreq - wreq):
        problems.append(f"{where}/required: the reader requires {name}, which the writer does not")
    radd, wadd = reader.get("additionalProperties", True), writer.get("additionalProperties", True)
    for name, rsub in rprops.items():
        if name in wprops:
            _compare(rsub, wprops[name], f"{where}/properties/{name}", problems)
        elif wadd is not False and isinstance(wadd, dict):
            _compare(rsub, wadd, f"{where}/properties/{name}", problems)
    for name, wsub in wprops.items():
        if name in rprops:
            continue
        if radd is False:
            problems.append(f"{where}/properties/{name}: the writer's property {name} is not allowed by the "
                            f"reader (additionalProperties is false)")
        elif isinstance(radd, dict):
            _compare(radd, wsub, f"{where}/properties/{name}", problems)
    wtypes = _types(writer)
    if radd is False and wadd is not False and not reader.get("patternProperties"):
        if wtypes is None or "object" in wtypes:
            problems.append(f"{where}: the reader is closed (additionalProperties is false), the writer is open")
