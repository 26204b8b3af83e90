"""Avro schema definitions: parse and check them against the Avro specification, the way Glue refuses
a definition with "Schema definition of AVRO data format is invalid".

Why our own walk on top of `fastavro.parse_schema`: fastavro (a lakebox dependency) parses leniently.
It accepts names such as `1R`, duplicate field names, union defaults that do not match the union's first
branch, two `int` branches in one union, and it fails with a bare KeyError on a map without `values`.
Avro's Java parser (what Glue runs) refuses all of those. So the walk below checks names, namespaces,
fields, symbols, sizes, unions and defaults itself, and fastavro runs after it as a second opinion
(unknown types, logical types). The result is an `AvroSchema`: the parsed JSON plus its named types by
full name, which is what avro_compat.py resolves references against.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from fastavro.schema import parse_schema

PRIMITIVES = ("null", "boolean", "int", "long", "float", "double", "bytes", "string")
NAMED = ("record", "error", "enum", "fixed")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT_RANGE = (-(2 ** 31), 2 ** 31 - 1)
_LONG_RANGE = (-(2 ** 63), 2 ** 63 - 1)


class AvroSchemaError(ValueError):
    """The definition is not a valid Avro schema; the message says where and why."""


@dataclass
class AvroSchema:
    root: Any
    named: dict[str, dict] = field(default_factory=dict)

    def resolve(self, schema: Any) -> Any:
        """A named reference (a full name string) replaced by its definition; anything else as is."""
        if isinstance(schema, str) and schema not in PRIMITIVES:
            return self.named[schema]
        return schema


def parse_avro(text: str) -> AvroSchema:
    try:
        root = json.loads(text)
    except ValueError as exc:
        raise AvroSchemaError(f"not JSON: {exc}") from None
    schema = AvroSchema(root=None)
    schema.root = _walk(root, "", schema.named, "schema")
    try:
        parse_schema(json.loads(text))
    except Exception as exc:  # fastavro raises several types (SchemaParseException, UnknownType, KeyError)
        raise AvroSchemaError(f"{type(exc).__name__}: {exc}") from None
    return schema


def _full_name(node: dict, namespace: str, where: str) -> tuple[str, str]:
    """(full name, namespace for the type's children) of a named type, checking both parts."""
    name = node.get("name")
    if not isinstance(name, str) or not name:
        raise AvroSchemaError(f"{where}: a {node['type']} needs a name")
    space = node.get("namespace", namespace)
    if "." in name:
        space, name = name.rsplit(".", 1)
    if space is None:
        space = ""
    if not isinstance(space, str) or (space and not all(_NAME.fullmatch(p) for p in space.split("."))):
        raise AvroSchemaError(f"{where}: invalid namespace {space!r}")
    if not _NAME.fullmatch(name):
        raise AvroSchemaError(f"{where}: invalid name {name!r}")
    return (f"{space}.{name}" if space else name), space


def _walk(node: Any, namespace: str, named: dict, where: str) -> Any:
    """The node with named references turned into full names, after checking it."""
    if isinstance(node, str):
        if node in PRIMITIVES:
            return node
        full = node if "." in node or not namespace else f"{namespace}.{node}"
        for candidate in (full, node):
            if candidate in named:
                return candidate
        raise AvroSchemaError(f"{where}: unknown type {node!r}")
    if isinstance(node, list):
        return _walk_union(node, namespace, named, where)
    if not isinstance(node, dict):
        raise AvroSchemaError(f"{where}: a type must be a name, an object or a union, not {json.dumps(node)}")
    kind = node.get("type")
    if kind in PRIMITIVES:
        return dict(node)
    if isinstance(kind, (dict, list)) or (isinstance(kind, str) and kind not in NAMED + ("array", "map")):
        return _walk(kind, namespace, named, where)  # {"type": "MyRecord"} or {"type": {...}}
    if kind == "array":
        if "items" not in node:
            raise AvroSchemaError(f"{where}: an array needs items")
        return {**node, "items": _walk(node["items"], namespace, named, f"{where}.items")}
    if kind == "map":
        if "values" not in node:
            raise AvroSchemaError(f"{where}: a map needs values")
        return {**node, "values": _walk(node["values"], namespace, named, f"{where}.values")}
    if kind not in NAMED:
        raise AvroSchemaError(f"{where}: missing or invalid type {kind!r}")
    full, space = _full_name(node, namespace, where)
    if full in named:
        raise AvroSchemaError(f"{where}: {full} is defined twice")
    out = {**node, "name": full}
    named[full] = out
    if kind == "enum":
        symbols = node.get("symbols")
        if not isinstance(symbols, list) or not all(isinstance(s, str) and _NAME.fullmatch(s) for s in symbols):
            raise AvroSchemaError(f"{where}: enum {full} needs a list of valid symbols")
        if len(set(symbols)) != len(symbols):
            raise AvroSchemaError(f"{where}: enum {full} repeats a symbol")
        if "default" in node and node["default"] not in symbols:
            raise AvroSchemaError(f"{where}: enum {full} default {node['default']!r} is not a symbol")
    elif kind == "fixed":
        size = node.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise AvroSchemaError(f"{where}: fixed {full} needs a non-negative size")
    else:
        out["fields"] = _walk_fields(node, full, space, named, where)
    return out


def _walk_fields(node: dict, full: str, space: str, named: dict, where: str) -> list[dict]:
    fields = node.get("fields")
    if not isinstance(fields, list):
        raise AvroSchemaError(f"{where}: record {full} needs a list of fields")
    out, seen = [], set()
    for item in fields:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise AvroSchemaError(f"{where}: record {full} has a field with an invalid name {name!r}")
        if name in seen:
            raise AvroSchemaError(f"{where}: record {full} has two fields named {name}")
        seen.add(name)
        if "type" not in item:
            raise AvroSchemaError(f"{where}: field {full}.{name} needs a type")
        walked = {**item, "type": _walk(item["type"], space, named, f"{full}.{name}")}
        if "default" in item and not default_matches(walked["type"], item["default"], named):
            raise AvroSchemaError(f"{where}: field {full}.{name} has a default {json.dumps(item['default'])} "
                                  f"that does not match its type")
        out.append(walked)
    return out


def _walk_union(branches: list, namespace: str, named: dict, where: str) -> list:
    out, kinds = [], set()
    for branch in branches:
        if isinstance(branch, list):
            raise AvroSchemaError(f"{where}: a union may not hold a union")
        walked = _walk(branch, namespace, named, where)
        kind = branch_key(walked, named)
        if kind in kinds:
            raise AvroSchemaError(f"{where}: a union holds {kind} twice")
        kinds.add(kind)
        out.append(walked)
    return out


def branch_key(schema: Any, named: dict) -> str:
    """What makes a union branch distinct: its type, or its full name for a named type."""
    schema = named.get(schema, schema) if isinstance(schema, str) else schema
    if isinstance(schema, str):
        return schema
    kind = schema.get("type")
    return schema["name"] if kind in NAMED else kind


def default_matches(schema: Any, value: Any, named: dict) -> bool:
    """Whether `value` is a valid JSON default for `schema` (a union's default is its first branch's)."""
    if isinstance(schema, list):
        return bool(schema) and default_matches(schema[0], value, named)
    if isinstance(schema, str):
        schema = named.get(schema, schema)
    kind = schema if isinstance(schema, str) else schema.get("type")
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("int", "long"):
        low, high = _INT_RANGE if kind == "int" else _LONG_RANGE
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in ("bytes", "string"):
        return isinstance(value, str)
    if kind == "fixed":
        return isinstance(value, str) and len(value) == schema["size"]
    if kind == "enum":
        return value in schema["symbols"]
    if kind == "array":
        return isinstance(value, list) and all(default_matches(schema["items"], v, named) for v in value)
    if kind == "map":
        return isinstance(value, dict) and all(default_matches(schema["values"], v, named) for v in value.values())
    if kind in ("record", "error"):
        return isinstance(value, dict) and all(
            default_matches(f["type"], value[f["name"]], named) if f["name"] in value else "default" in f
            for f in schema["fields"])
    return False
