"""How the Data API shows a statement's rows: typed Fields (or CSV text) and ColumnMetadata, as AWS does."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re

#: Postgres type names (as the engine reports them) -> the short names the Data API shows.
_SHORT_NAMES = {"smallint": "int2", "integer": "int4", "bigint": "int8", "real": "float4",
                "double precision": "float8", "boolean": "bool", "character varying": "varchar",
                "text": "varchar", "date": "date", "timestamp without time zone": "timestamp",
                "timestamp with time zone": "timestamptz", "super": "super"}


def type_name(engine_type: str) -> str:
    lowered = engine_type.lower()
    if lowered.startswith("numeric") or lowered.startswith("decimal"):
        return "numeric"
    if lowered.startswith("character varying") or lowered.startswith("varchar"):
        return "varchar"
    if lowered.startswith("character") or lowered.startswith("char"):
        return "bpchar"
    return _SHORT_NAMES.get(lowered, lowered)


def column_metadata(column) -> dict:
    short = type_name(column.type_name)
    precision, scale = 0, 0
    match = re.search(r"\((\d+)(?:,\s*(\d+))?\)", column.type_name)
    if match:
        precision, scale = int(match.group(1)), int(match.group(2) or 0)
    return {"name": column.name, "label": column.name, "typeName": short, "nullable": 1,
            "isSigned": short in ("int2", "int4", "int8", "float4", "float8", "numeric"),
            "isCaseSensitive": short in ("varchar", "bpchar"), "isCurrency": False,
            "precision": precision, "scale": scale, "length": 0, "schemaName": "", "tableName": ""}


def field(value) -> dict:
    """One value as the Data API's Field union."""
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, (bytes, bytearray)):
        return {"blobValue": bytes(value)}
    if isinstance(value, dt.datetime):
        return {"stringValue": value.isoformat(sep=" ")}
    if isinstance(value, (dt.date, decimal.Decimal)):
        return {"stringValue": str(value)}
    return {"stringValue": str(value)}


def size_of(rows: list[tuple]) -> int:
    """ResultSize: the bytes of the result as text, roughly what Redshift counts."""
    return sum(len(str(v)) for row in rows for v in row if v is not None)


def csv_value(value) -> str:
    """One value as the CSV result shows it: the text a client would see, NULL as an empty field."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def csv_text(names: list[str], rows: list[tuple]) -> str:
    """A page of rows as CSV text (RFC 4180 quoting, newline-terminated), the column names first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows([csv_value(v) for v in row] for row in rows)
    return out.getvalue()
