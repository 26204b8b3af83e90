"""Field paths and types: the pieces every DynamicFrame transform and the catalog reader share.

Why: Glue names nested fields with dotted paths (`address.city`, with backticks around a name that
itself holds a dot: `` `a.b`.c ``) and types with Hive's or Glue's names (`bigint`, `long`,
`varchar(10)`, `struct<a:int>`). Spark wants column expressions and its own type strings, and
resolves names case-insensitively only if asked to. These helpers translate once, so transforms stay
short.
"""

from __future__ import annotations

import re
from typing import Optional, Union

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

# Glue/Hive type names that Spark spells differently or does not know.
_TYPE_WORDS = {"long": "bigint", "integer": "int", "short": "smallint", "byte": "tinyint", "text": "string"}
_CHAR_TYPE = re.compile(r"\b(?:var)?char\s*\(\s*\d+\s*\)", re.IGNORECASE)
_BARE_DECIMAL = re.compile(r"\bdecimal\b(?!\s*[(:])", re.IGNORECASE)
#: Glue's DecimalType default (precision 10, scale 2), for a bare `decimal`.
GLUE_DECIMAL = "decimal(10,2)"
#: Target types that name a shape, not a cast: the value is kept as it is.
NO_CAST = {"", "struct", "array", "map", "choice", "null", "object"}


def split_path(path: str) -> list[str]:
    """`a.b` -> [a, b]; `` `a.b`.c `` -> [a.b, c] (a doubled backtick inside backticks is one backtick)."""
    parts, current, quoted, i = [], [], False, 0
    while i < len(path):
        ch = path[i]
        if ch == "`":
            if quoted and path[i + 1:i + 2] == "`":
                current.append("`")
                i += 2
                continue
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def join_path(segments: list[str]) -> str:
    """The Glue path of segments, backticking those that hold a dot."""
    return ".".join(quote(s) if "." in s or "`" in s else s for s in segments)


def column(segments: list[str]) -> Column:
    return F.col(".".join(quote(s) for s in segments))


def find_field(schema: T.StructType, segments: list[str],
               case_sensitive: bool = False) -> Optional[list[T.StructField]]:
    """The chain of fields a path names in a schema (through structs only), or None if it names none."""
    chain, current = [], schema
    for segment in segments:
        if not isinstance(current, T.StructType):
            return None
        field = _field(current, segment, case_sensitive)
        if field is None:
            return None
        chain.append(field)
        current = field.dataType
    return chain


def _field(struct: T.StructType, name: str, case_sensitive: bool) -> Optional[T.StructField]:
    for field in struct.fields:
        if field.name == name:
            return field
    if not case_sensitive:
        lowered = name.lower()
        for field in struct.fields:
            if field.name.lower() == lowered:
                return field
    return None


def resolve(schema: T.StructType, path: Union[str, list[str]], case_sensitive: bool = False) -> Optional[list[str]]:
    """The path's segments with the schema's own spelling, or None when the frame has no such field."""
    segments = split_path(path) if isinstance(path, str) else path
    chain = find_field(schema, segments, case_sensitive)
    return None if chain is None else [f.name for f in chain]


def spark_type(type_name: str) -> str:
    """A Glue or Hive type name as a Spark type string (`long` -> `bigint`, `varchar(5)` -> `string`)."""
    text = _CHAR_TYPE.sub("string", type_name.strip())
    text = _BARE_DECIMAL.sub(GLUE_DECIMAL, text)
    # Words followed by ':' are struct field names, not types.
    return re.sub(r"\b[a-zA-Z]+\b(?!\s*:)", lambda m: _TYPE_WORDS.get(m.group(0).lower(), m.group(0)), text)


def parse_type(type_name: str) -> T.DataType:
    """A Spark DataType from a Glue/Hive type name."""
    return T._parse_datatype_string(spark_type(type_name))


def conform(expr: Column, source: T.DataType, target: T.DataType) -> Column:
    """`expr` (of type `source`) as `target`; structs are matched by field name, not position, so a
    catalog's column list and a file's may differ in order, case and extra fields."""
    if source == target:
        return expr
    if isinstance(target, T.StructType) and isinstance(source, T.StructType):
        parts = []
        for field in target.fields:
            match = _field(source, field.name, False)
            value = (conform(expr.getField(match.name), match.dataType, field.dataType) if match
                     else F.lit(None).cast(field.dataType))
            parts.append(value.alias(field.name))
        return F.when(expr.isNull(), F.lit(None)).otherwise(F.struct(*parts)) if parts else F.lit(None).cast(target)
    if isinstance(target, T.ArrayType) and isinstance(source, T.ArrayType):
        return F.transform(expr, lambda item: conform(item, source.elementType, target.elementType))
    if isinstance(target, (T.StructType, T.ArrayType, T.MapType)) or isinstance(source, (T.StructType, T.ArrayType)):
        if isinstance(source, T.StringType):
            return F.from_json(expr, target)  # JSON text where the catalog says nested (OpenX SerDe's way)
        if type(source) is not type(target):
            return F.lit(None).cast(target)
    return expr.cast(target)


class FieldTree:
    """Target paths and their values, built into nested struct columns (apply_mapping, select_fields)."""

    def __init__(self) -> None:
        self.children: dict[str, Union[Column, "FieldTree"]] = {}

    def put(self, segments: list[str], value: Column) -> None:
        node = self
        for segment in segments[:-1]:
            child = node.children.get(segment)
            if not isinstance(child, FieldTree):
                child = node.children[segment] = FieldTree()
            node = child
        node.children[segments[-1]] = value

    def columns(self) -> list[Column]:
        out = []
        for name, child in self.children.items():
            value = F.struct(*child.columns()) if isinstance(child, FieldTree) else child
            out.append(value.alias(name))
        return out
