"""Types across the three vocabularies the engine speaks: Hive types (the Glue catalog), DuckDB types
(the executor) and Athena's result type names; and values rendered as Athena's `VarCharValue`.

Pure functions over strings and DuckDB's type objects. Imports duckdb only for the type objects.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from typing import Any, Optional

# Hive scalar type -> DuckDB type. char(n)/varchar(n) and decimal(p,s) are handled by pattern.
_HIVE_SCALARS = {
    "string": "VARCHAR", "varchar": "VARCHAR", "char": "VARCHAR",
    "tinyint": "TINYINT", "smallint": "SMALLINT", "int": "INTEGER", "integer": "INTEGER",
    "bigint": "BIGINT", "float": "REAL", "double": "DOUBLE", "boolean": "BOOLEAN",
    "date": "DATE", "timestamp": "TIMESTAMP", "binary": "BLOB", "decimal": "DECIMAL(10,0)",
}


class HiveTypeError(ValueError):
    """A Glue column type the engine cannot map."""


def hive_to_duckdb(hive_type: str) -> str:
    """`array<struct<a:int,b:string>>` -> `STRUCT("a" INTEGER, "b" VARCHAR)[]`."""
    text = hive_type.strip()
    result, rest = _parse_hive(text)
    if rest.strip():
        raise HiveTypeError(f"Unknown type: {hive_type}")
    return result


def _parse_hive(text: str) -> tuple[str, str]:
    text = text.lstrip()
    match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text)
    if not match:
        raise HiveTypeError(f"Unknown type: {text}")
    name = match.group(0).lower()
    rest = text[match.end():].lstrip()
    if name in ("array", "map", "struct") and rest.startswith("<"):
        rest = rest[1:]
        if name == "array":
            inner, rest = _parse_hive(rest)
            return f"{inner}[]", _expect(rest, ">")
        if name == "map":
            key, rest = _parse_hive(rest)
            rest = _expect(rest, ",")
            value, rest = _parse_hive(rest)
            return f"MAP({key}, {value})", _expect(rest, ">")
        fields = []
        while True:
            field = re.match(r"\s*`?([^:`<>,]+)`?\s*:", rest)
            if not field:
                raise HiveTypeError(f"Unknown type: {text}")
            ftype, rest = _parse_hive(rest[field.end():])
            fields.append(f'"{field.group(1).strip()}" {ftype}')
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:]
                continue
            return f"STRUCT({', '.join(fields)})", _expect(rest, ">")
    if rest.startswith("("):
        close = rest.index(")")
        args = rest[1:close]
        rest = rest[close + 1:]
        if name == "decimal":
            return f"DECIMAL({args.replace(' ', '')})", rest
        if name in ("char", "varchar"):
            return "VARCHAR", rest
    if name not in _HIVE_SCALARS:
        raise HiveTypeError(f"Unknown type: {name}")
    return _HIVE_SCALARS[name], rest


def _expect(rest: str, token: str) -> str:
    rest = rest.lstrip()
    if not rest.startswith(token):
        raise HiveTypeError(f"expected {token!r} in type at {rest!r}")
    return rest[1:]


# DuckDB type id -> Athena type name (ColumnInfo.Type). Athena names a `real` column "float" there, and
# complex types by their kind alone ("array", "map", "row"), as pyathena's tests against Athena record.
_ATHENA_NAMES = {
    "VARCHAR": "varchar", "BIGINT": "bigint", "INTEGER": "integer", "SMALLINT": "smallint",
    "TINYINT": "tinyint", "HUGEINT": "bigint", "UBIGINT": "bigint", "UINTEGER": "bigint",
    "USMALLINT": "integer", "UTINYINT": "smallint", "DOUBLE": "double", "FLOAT": "float",
    "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp", "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone", "TIME": "time", "BLOB": "varbinary",
    "INTERVAL": "interval day to second", "UUID": "uuid", "JSON": "json", "NULL": "unknown",
    '"NULL"': "unknown",
}


def athena_type(duck_type: Any) -> str:
    """A DuckDB type (DuckDBPyType or its string) as Athena names it in ColumnInfo.Type: `varchar`,
    `decimal` (precision and scale go to their own fields), `array`, `map`, `row`."""
    text = str(duck_type)
    if hasattr(duck_type, "id"):
        kind = duck_type.id
        if kind in ("list", "array"):
            return "array"
        if kind in ("map", "struct"):
            return "map" if kind == "map" else "row"
        if kind == "decimal":
            return "decimal"
    if text.startswith("DECIMAL"):
        return "decimal"
    return _ATHENA_NAMES.get(text, text.lower())


def precision_scale(duck_type: Any) -> tuple[int, int]:
    """ColumnInfo Precision and Scale, as Athena reports them for each type."""
    text = str(duck_type)
    match = re.match(r"DECIMAL\((\d+),\s*(\d+)\)", text)
    if match:
        return int(match.group(1)), int(match.group(2))
    return {
        "BIGINT": (19, 0), "HUGEINT": (19, 0), "INTEGER": (10, 0), "SMALLINT": (5, 0), "TINYINT": (3, 0),
        "DOUBLE": (17, 0), "FLOAT": (17, 0), "BOOLEAN": (0, 0), "DATE": (0, 0), "TIMESTAMP": (3, 0),
        "TIME": (3, 0), "BLOB": (1073741824, 0),
        "TIMESTAMP_S": (3, 0), "TIMESTAMP_MS": (3, 0), "TIMESTAMP_NS": (3, 0), "TIMESTAMP WITH TIME ZONE": (3, 0),
        "VARCHAR": (2147483647, 0),
    }.get(text, (0, 0))


def render(value: Any) -> Optional[str]:
    """A Python value from DuckDB as Athena writes it into VarCharValue (and the result CSV)."""
    if value is None:
        return None
    return _render(value, top=True)


def _render(value: Any, top: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return render_double(value)
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
        if value.tzinfo is not None:
            text += " " + (getattr(value.tzinfo, "key", None) or value.tzname() or "UTC").replace("Etc/UTC", "UTC")
        return text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (bytes, bytearray)):
        return " ".join(f"{b:02x}" for b in value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_render(k)}={_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dt.timedelta):
        total = value.total_seconds()
        days, rem = divmod(abs(total), 86400)
        hours, rem = divmod(rem, 3600)
        minutes, seconds = divmod(rem, 60)
        sign = "-" if total < 0 else ""
        return f"{sign}{int(days)} {int(hours):02d}:{int(minutes):02d}:{seconds:06.3f}"
    return str(value)


def render_time(value: Optional[dt.time], precision: int) -> Optional[str]:
    """A `time(p)` value as Trino prints it: p fractional digits, none (and no point) for time(0)."""
    if value is None:
        return None
    text = value.strftime("%H:%M:%S")
    if precision <= 0:
        return text
    return text + "." + f"{value.microsecond:06d}{'0' * 6}"[:precision]


def render_timestamp(value: Optional[dt.datetime], precision: int) -> Optional[str]:
    """A `timestamp(p)` value of p > 3 as Trino prints it: p fractional digits. Past 6 the digits are
    zeros: a Python datetime (which DuckDB's values come back as) holds microseconds."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond:06d}{'0' * 3}"[:precision]


def render_real(value: Optional[float]) -> Optional[str]:
    """A `real` (float32) as Athena writes it: the shortest text that reads back as the same float32
    (1.1, not the 1.100000023841858 of its double widening)."""
    if value is None:
        return None
    import numpy
    return render_double(float(str(numpy.float32(value))))


def render_double(value: float) -> str:
    """Java's Double.toString, which Athena uses: 1.0, 1.5E10, NaN, Infinity."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)
        return text if "." in text or "e" in text else text + ".0"
    sign, digits, exponent = decimal.Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{len(text) - 1 + exponent}"


def duckdb_to_presto(duck_type: Any) -> str:
    """A DuckDB result type as Presto/Trino spells it in a view definition: `decimal(10,2)`,
    `array(varchar)`, `row(a integer)`. Unlike `athena_type`, decimals keep their precision."""
    if hasattr(duck_type, "id"):
        kind = duck_type.id
        if kind in ("list", "array"):
            return f"array({duckdb_to_presto(duck_type.child)})"
        if kind == "map":
            return f"map({duckdb_to_presto(duck_type.key)}, {duckdb_to_presto(duck_type.value)})"
        if kind == "struct":
            return "row(" + ", ".join(f"{n} {duckdb_to_presto(c)}" for n, c in duck_type.children) + ")"
    match = re.match(r"DECIMAL\((\d+),\s*(\d+)\)", str(duck_type))
    if match:
        return f"decimal({match.group(1)},{match.group(2)})"
    if str(duck_type) == "FLOAT":
        return "real"
    return athena_type(duck_type)


#: Presto scalar type -> Hive type, for the Glue columns of a view.
_PRESTO_TO_HIVE = {"varchar": "string", "integer": "int", "real": "float", "varbinary": "binary",
                   "unknown": "string", "json": "string", "uuid": "string", "time": "string",
                   "timestamp with time zone": "timestamp", "interval day to second": "string"}


def duckdb_to_hive(duck_type: Any) -> str:
    """A DuckDB result type as a Glue (Hive) column type: `array<struct<a:int>>`."""
    if hasattr(duck_type, "id"):
        kind = duck_type.id
        if kind in ("list", "array"):
            return f"array<{duckdb_to_hive(duck_type.child)}>"
        if kind == "map":
            return f"map<{duckdb_to_hive(duck_type.key)},{duckdb_to_hive(duck_type.value)}>"
        if kind == "struct":
            return "struct<" + ",".join(f"{n}:{duckdb_to_hive(c)}" for n, c in duck_type.children) + ">"
    presto = duckdb_to_presto(duck_type)
    return _PRESTO_TO_HIVE.get(presto, presto)
