"""Builds example input and output values for any botocore shape, for the protocol round-trip tests.

The values are deterministic and respect the model's constraints (enums, min/max lengths and
ranges), so a value that goes through botocore and lakebox and back can be compared with ==.
"""

from __future__ import annotations

import datetime as dt

from botocore.model import Shape

TIMESTAMP = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
MAX_DEPTH = 6


def example_value(shape: Shape, name: str = "value", depth: int = 0):
    """A deterministic, constraint-respecting example for `shape` (None when too deep)."""
    type_name = shape.type_name
    if type_name == "structure":
        if depth > MAX_DEPTH or shape.serialization.get("eventstream") or getattr(shape, "is_document_type", False):
            return None
        out = {}
        for member_name, member in shape.members.items():
            if member.serialization.get("eventstream") or member.metadata.get("eventstream"):
                continue
            value = example_value(member, member_name, depth + 1)
            if value is not None:
                out[member_name] = value
        return out
    if type_name == "list":
        item = example_value(shape.member, name, depth + 1)
        return None if item is None else [item]
    if type_name == "map":
        value = example_value(shape.value, name, depth + 1)
        if value is None:
            return None
        key_shape = shape.key
        key = key_shape.enum[0] if key_shape.enum else "key1"
        return {key: value}
    if type_name == "string":
        if shape.enum:
            return shape.enum[0]
        if shape.serialization.get("jsonvalue"):
            return {"k": "v"}
        text = f"{name}-x"
        low = shape.metadata.get("min", 0)
        high = shape.metadata.get("max")
        if len(text) < low:
            text = text + "x" * (low - len(text))
        if high is not None and len(text) > high:
            text = text[: max(int(high), 1)]
        return text
    if type_name in ("integer", "long"):
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        value = 7
        if low is not None and value < low:
            value = int(low)
        if high is not None and value > high:
            value = int(high)
        return value
    if type_name in ("float", "double"):
        return 1.5
    if type_name == "boolean":
        return True
    if type_name == "timestamp":
        return TIMESTAMP
    if type_name == "blob":
        return b"blob-data"
    return None
