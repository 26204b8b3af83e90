"""Glue's own type names for `DynamicFrame.schema()` and `printSchema()`.

Why not Spark's types: Glue scripts inspect a DynamicFrame's schema with Glue's vocabulary
(`long`, `int`, `struct`, `array`, `Field.dataType.typeName()`), and `printSchema()` prints that
vocabulary. A lakebox DynamicFrame holds a Spark DataFrame, so these classes are built from its
Spark schema by `from_spark`. There are no choice types: Spark has already settled each column's type.
"""

from __future__ import annotations

from typing import Any, Optional

from pyspark.sql import types as T

__all__ = ["ArrayType", "BinaryType", "BooleanType", "ByteType", "DataType", "DateType", "DecimalType",
           "DoubleType", "Field", "FloatType", "IntegerType", "LongType", "MapType", "NullType", "ShortType",
           "StringType", "StructType", "TimestampType", "from_spark"]


class DataType:
    """A Glue type; atomic types differ only by name."""

    type_name = "unknown"

    def typeName(self) -> str:
        return self.type_name

    def jsonValue(self) -> Any:
        return {"dataType": self.type_name}

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.jsonValue() == other.jsonValue()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _atomic(name: str, glue_name: str) -> type:
    return type(name, (DataType,), {"type_name": glue_name, "__doc__": f"Glue's `{glue_name}`."})


BinaryType = _atomic("BinaryType", "binary")
BooleanType = _atomic("BooleanType", "boolean")
ByteType = _atomic("ByteType", "byte")
DateType = _atomic("DateType", "date")
DoubleType = _atomic("DoubleType", "double")
FloatType = _atomic("FloatType", "float")
IntegerType = _atomic("IntegerType", "int")
LongType = _atomic("LongType", "long")
NullType = _atomic("NullType", "null")
ShortType = _atomic("ShortType", "short")
StringType = _atomic("StringType", "string")
TimestampType = _atomic("TimestampType", "timestamp")


class DecimalType(DataType):
    type_name = "decimal"

    def __init__(self, precision: int = 10, scale: int = 2):
        self.precision, self.scale = precision, scale

    def jsonValue(self) -> Any:
        return {"dataType": "decimal", "properties": {"precision": self.precision, "scale": self.scale}}

    def __repr__(self) -> str:
        return f"DecimalType({self.precision}, {self.scale})"


class ArrayType(DataType):
    type_name = "array"

    def __init__(self, elementType: DataType):
        self.elementType = elementType

    def jsonValue(self) -> Any:
        return {"dataType": "array", "elementType": self.elementType.jsonValue()}

    def __repr__(self) -> str:
        return f"ArrayType({self.elementType!r})"


class MapType(DataType):
    """Glue's maps have string keys; the key type is kept for Spark maps with other keys."""

    type_name = "map"

    def __init__(self, valueType: DataType, keyType: Optional[DataType] = None):
        self.valueType, self.keyType = valueType, keyType or StringType()

    def jsonValue(self) -> Any:
        return {"dataType": "map", "valueType": self.valueType.jsonValue()}

    def __repr__(self) -> str:
        return f"MapType({self.valueType!r})"


class Field:
    def __init__(self, name: str, dataType: DataType, properties: Optional[dict] = None):
        self.name, self.dataType, self.properties = name, dataType, properties or {}

    def jsonValue(self) -> Any:
        return {"name": self.name, "container": self.dataType.jsonValue()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Field) and (self.name, self.dataType) == (other.name, other.dataType)

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"Field({self.name}, {self.dataType!r})"


class StructType(DataType):
    type_name = "struct"

    def __init__(self, fields: Optional[list[Field]] = None):
        self.fields = list(fields or [])

    def getField(self, name: str) -> Optional[Field]:
        return next((f for f in self.fields if f.name == name), None)

    def hasField(self, name: str) -> bool:
        return self.getField(name) is not None

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def __iter__(self):
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def jsonValue(self) -> Any:
        return {"dataType": "struct", "fields": [f.jsonValue() for f in self.fields]}

    def __repr__(self) -> str:
        return f"StructType([{', '.join(repr(f) for f in self.fields)}])"

    def tree_lines(self, depth: int = 0) -> list[str]:
        """The lines `printSchema()` prints under `root`."""
        lines = []
        for field in self.fields:
            lines += _tree(field.name, field.dataType, depth)
        return lines


def _tree(name: str, dtype: DataType, depth: int) -> list[str]:
    lines = ["|    " * depth + f"|-- {name}: {dtype.typeName()}"]
    if isinstance(dtype, StructType):
        lines += dtype.tree_lines(depth + 1)
    elif isinstance(dtype, ArrayType):
        lines += _tree("element", dtype.elementType, depth + 1)
    elif isinstance(dtype, MapType):
        lines += _tree("keyType", dtype.keyType, depth + 1) + _tree("valueType", dtype.valueType, depth + 1)
    return lines


_ATOMIC = {
    T.BinaryType: BinaryType, T.BooleanType: BooleanType, T.ByteType: ByteType, T.DateType: DateType,
    T.DoubleType: DoubleType, T.FloatType: FloatType, T.IntegerType: IntegerType, T.LongType: LongType,
    T.NullType: NullType, T.ShortType: ShortType, T.StringType: StringType, T.TimestampType: TimestampType,
    T.TimestampNTZType: TimestampType, T.CharType: StringType, T.VarcharType: StringType,
}


def from_spark(dtype: T.DataType) -> DataType:
    """The Glue type of a Spark type."""
    if isinstance(dtype, T.StructType):
        return StructType([Field(f.name, from_spark(f.dataType)) for f in dtype.fields])
    if isinstance(dtype, T.ArrayType):
        return ArrayType(from_spark(dtype.elementType))
    if isinstance(dtype, T.MapType):
        return MapType(from_spark(dtype.valueType), from_spark(dtype.keyType))
    if isinstance(dtype, T.DecimalType):
        return DecimalType(dtype.precision, dtype.scale)
    atomic = _ATOMIC.get(type(dtype))
    if atomic is None:
        return StringType()  # intervals and user-defined types have no Glue name; shown as their text
    return atomic()
