"""Hive's text encoding of nested values (LazySimpleSerDe), as DuckDB SQL expressions over a string.

A column at nesting level L splits on separator L: an array's items on it, a map's entries on it and
each entry's key from its value on separator L+1 (keys and values then sit at level L+2), a struct's
fields on it, in declared order. Top-level columns are level 1: items on `collection.delim` (\\x02),
map keys on `mapkey.delim` (\\x03), deeper levels on \\x04, \\x05 ... A value equal to
`serialization.null.format` is NULL at every level, an empty array or map string is an empty
collection, a scalar that does not parse is NULL, a map keeps the first of duplicate keys and drops
NULL keys, and missing struct fields are NULL: what Hive's LazyArray, LazyMap and LazyStruct do.

Pure string building; imports only this package's type mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .types import hive_to_duckdb


@dataclass
class HiveTypeNode:
    kind: str                      # scalar, array, map, struct
    duck: str                      # the DuckDB type of the whole value
    children: list = field(default_factory=list)   # array: [item]; map: [key, value]; struct: fields
    names: list = field(default_factory=list)      # struct field names


def parse_hive_type(text: str) -> HiveTypeNode:
    node, rest = _parse(text.strip())
    if rest.strip():
        raise ValueError(f"Unknown type: {text}")
    return node


def _parse(text: str) -> tuple[HiveTypeNode, str]:
    text = text.lstrip()
    match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text)
    if not match:
        raise ValueError(f"Unknown type: {text}")
    name = match.group(0).lower()
    rest = text[match.end():].lstrip()
    if name in ("array", "map", "struct") and rest.startswith("<"):
        rest = rest[1:]
        children, names = [], []
        if name == "struct":
            while True:
                found = re.match(r"\s*`?([^:`<>,]+)`?\s*:", rest)
                if not found:
                    raise ValueError(f"Unknown type: {text}")
                child, rest = _parse(rest[found.end():])
                names.append(found.group(1).strip())
                children.append(child)
                rest = rest.lstrip()
                if not rest.startswith(","):
                    break
                rest = rest[1:]
        else:
            for position in range(1 if name == "array" else 2):
                if position:
                    rest = rest.lstrip()[1:]  # the comma between a map's key and value types
                child, rest = _parse(rest)
                children.append(child)
        rest = rest.lstrip()
        if not rest.startswith(">"):
            raise ValueError(f"Unknown type: {text}")
        consumed = text[:len(text) - len(rest) + 1]
        return HiveTypeNode(name, hive_to_duckdb(consumed), children, names), rest[1:]
    end = match.end()
    tail = text[end:]
    if tail.lstrip().startswith("("):
        end = text.index(")", end) + 1
    return HiveTypeNode("scalar", hive_to_duckdb(text[:end])), text[end:]


def _str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def text_expr(source: str, node: HiveTypeNode, level: int, seps: list[str], null_format: str) -> str:
    """The DuckDB expression turning the string `source` (at nesting `level`) into `node`'s type."""
    null_test = f"{source} IS NULL OR {source} = {_str(null_format)}"
    if node.kind == "scalar":
        if node.duck == "VARCHAR":
            return f"CASE WHEN {null_test} THEN NULL ELSE {source} END"
        if node.duck == "BOOLEAN":  # Hive's LazyBoolean knows only true/false, in any case
            return (f"CASE WHEN lower({source}) = 'true' THEN true WHEN lower({source}) = 'false' THEN false "
                    f"ELSE NULL END")
        if node.duck == "BLOB":
            # Hive writes binary fields base64-encoded and reads back a field that is not base64 as its bytes.
            return (f"CASE WHEN {null_test} THEN NULL WHEN length({source}) % 4 = 0 AND "
                    f"regexp_full_match({source}, '[A-Za-z0-9+/]*={{0,2}}') THEN from_base64({source}) "
                    f"ELSE encode({source}) END")
        return f"CASE WHEN {null_test} THEN NULL ELSE TRY_CAST({source} AS {node.duck}) END"
    sep = _str(_sep(seps, level))
    var = f"__v{level}"
    if node.kind == "array":
        item = text_expr(var, node.children[0], level + 1, seps, null_format)
        return (f"CASE WHEN {null_test} THEN NULL WHEN {source} = '' THEN CAST([] AS {node.duck}) "
                f"ELSE list_transform(string_split({source}, {sep}), lambda {var}: {item}) END")
    if node.kind == "map":
        kv = _str(_sep(seps, level + 1))
        at = f"strpos({var}, {kv})"
        key_text = f"CASE WHEN {at} = 0 THEN {var} ELSE substr({var}, 1, {at} - 1) END"
        value_text = f"CASE WHEN {at} = 0 THEN NULL ELSE substr({var}, {at} + 1) END"
        key = text_expr(f"({key_text})", node.children[0], level + 2, seps, null_format)
        value = text_expr(f"({value_text})", node.children[1], level + 2, seps, null_format)
        pairs = f"list_transform(string_split({source}, {sep}), lambda {var}: struct_pack(k := {key}, v := {value}))"
        pair, other = f"__p{level}", f"__q{level}"
        first_of_key = (f"list_filter({pairs}, lambda {pair}, __i{level}: {pair}.k IS NOT NULL AND "
                        f"list_position(list_transform({pairs}, lambda {other}: {other}.k), {pair}.k) = __i{level})")
        return (f"CASE WHEN {null_test} THEN NULL WHEN {source} = '' THEN CAST(MAP {{}} AS {node.duck}) "
                f"ELSE map_from_entries({first_of_key}) END")
    parts = f"string_split({source}, {sep})"
    fields = [f"{_quote(name)} := {text_expr(f'{parts}[{i + 1}]', child, level + 1, seps, null_format)}"
              for i, (name, child) in enumerate(zip(node.names, node.children))]
    return f"CASE WHEN {null_test} THEN NULL ELSE struct_pack({', '.join(fields)}) END"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sep(seps: list[str], level: int) -> str:
    """Separator `level`: the configured ones, then Hive's extended defaults (byte level + 1)."""
    return seps[level] if level < len(seps) else chr(level + 1)
