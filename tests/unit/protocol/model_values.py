"""Builds example input and output values for any botocore shape, for the protocol round-trip tests.

The values are deterministic and respect the model's constraints (enums, min/max lengths and
ranges, list sizes, one member per tagged union), so a value that goes through botocore and lakebox
and back can be compared with ==, and passes both botocore's and lakebox's input validation.
"""

from __future__ import annotations

import datetime as dt

from botocore.model import Shape

TIMESTAMP = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
MAX_DEPTH = 6
#: Past MAX_DEPTH only required members are filled in (so values stay valid), up to this hard limit
#: that stops recursive shapes.
HARD_DEPTH = 14
#: A document (free-form JSON) exercising every JSON type but null.
DOCUMENT = {"doc": ["a", 1, True, {"nested": 2.5}]}


def example_value(shape: Shape, name: str = "value", depth: int = 0, items: int = 1):
    """A deterministic, constraint-respecting example for `shape` (None when too deep).

    Lists and maps get `items` entries (more if the model's minimum demands it, fewer if its maximum
    does); with items > 1 the entries differ, so a parser that drops or reorders them is caught.
    """
    type_name = shape.type_name
    if type_name == "structure":
        return _structure(shape, depth, items)
    if type_name == "list":
        values = [
            example_value(shape.member, name if i == 1 else f"{name}{i}", depth + 1, items)
            for i in range(1, _count(shape, items) + 1)
        ]
        return None if values[0] is None else values
    if type_name == "map":
        value = example_value(shape.value, name, depth + 1, items)
        if value is None:
            return None
        keys = _map_keys(shape.key, _count(shape, items))
        return {key: value for key in keys}
    if type_name == "string":
        return _string(shape, name)
    if type_name in ("integer", "long"):
        return int(_bounded(7, shape))
    if type_name in ("float", "double"):
        return float(_bounded(1.5, shape))
    if type_name == "boolean":
        return True
    if type_name == "timestamp":
        return TIMESTAMP
    if type_name == "blob":
        return _sized(b"blob-data", shape, b"x")
    return None


def _structure(shape: Shape, depth: int, items: int):
    if shape.serialization.get("eventstream"):
        return None
    if getattr(shape, "is_document_type", False):
        return dict(DOCUMENT)
    if depth > HARD_DEPTH:
        return None
    deep = depth > MAX_DEPTH
    required = set(shape.required_members)
    out = {}
    for member_name, member in shape.members.items():
        if member.serialization.get("eventstream") or member.metadata.get("eventstream"):
            continue
        if deep and member_name not in required:
            continue
        value = example_value(member, member_name, depth + 1, 1 if deep else items)
        if value is not None:
            out[member_name] = value
            if getattr(shape, "is_tagged_union", False):
                break  # a union carries exactly one member
    if shape.members and not out and (not deep or required):
        # Every member was cut off by the depth limit: there is no meaningful value to send, and an
        # empty structure cannot be expressed at all in the query protocol.
        return None
    return out


def _string(shape: Shape, name: str) -> str:
    if shape.enum:
        return shape.enum[0]
    if shape.serialization.get("jsonvalue"):
        return {"k": "v"}
    return _sized(f"{name}-x", shape, "x")


def _sized(value, shape: Shape, pad):
    low = shape.metadata.get("min", 0)
    high = shape.metadata.get("max")
    if len(value) < low:
        value = value + pad * (int(low) - len(value))
    if high is not None and len(value) > high:
        value = value[: max(int(high), 1)]
    return value


def _bounded(value, shape: Shape):
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return value


def _count(shape: Shape, wanted: int) -> int:
    """How many entries a list or map gets: `wanted`, within the model's min and max."""
    count = max(wanted, int(shape.metadata.get("min", 1) or 1))
    high = shape.metadata.get("max")
    if high is not None:
        count = min(count, int(high))
    return max(1, min(count, 50))


def _map_keys(key_shape: Shape, count: int) -> list:
    if key_shape.enum:
        return list(key_shape.enum[:count])
    return [_sized(f"key{i}", key_shape, "k") for i in range(1, count + 1)]
