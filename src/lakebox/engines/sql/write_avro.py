"""Avro data files for CTAS (`format = 'AVRO'`) and INSERT INTO an Avro table, written with fastavro.

Why fastavro: DuckDB cannot write Avro, and fastavro is the library the reader side already uses, so
what lakebox writes is read back by the same rules. The writer schema comes from the Arrow schema
of the rows: every field is a union with null (Hive columns are nullable), decimals are `bytes`
with the decimal logical type, dates and timestamps use the date and timestamp-millis logical types,
and maps take string keys, as Avro requires. Field names are the lower-case column names, which is
how AvroSerDe matches them to the Glue columns.

Imports fastavro and pyarrow.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from .errors import QueryError

#: Athena's Avro write compression -> fastavro's codec.
CODECS = {"DEFLATE": "deflate", "SNAPPY": "snappy", "NONE": "null"}


def avro_type(kind: pa.DataType, name: str) -> Any:
    """The Avro type (without the null union) of an Arrow type; `name` names nested records."""
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_integer(kind):
        return "long" if kind.bit_width > 32 or (pa.types.is_unsigned_integer(kind) and kind.bit_width == 32) \
            else "int"
    if pa.types.is_float32(kind):
        return "float"
    if pa.types.is_floating(kind):
        return "double"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "string"
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return "bytes"
    if pa.types.is_date(kind):
        return {"type": "int", "logicalType": "date"}
    if pa.types.is_timestamp(kind):
        return {"type": "long", "logicalType": "timestamp-millis"}
    if pa.types.is_decimal(kind):
        return {"type": "bytes", "logicalType": "decimal", "precision": kind.precision, "scale": kind.scale}
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return {"type": "array", "items": nullable(avro_type(kind.value_type, name + "_item"))}
    if pa.types.is_map(kind):
        return {"type": "map", "values": nullable(avro_type(kind.item_type, name + "_value"))}
    if pa.types.is_struct(kind):
        return {"type": "record", "name": name,
                "fields": [{"name": f.name.lower(), "type": nullable(avro_type(f.type, f"{name}_{f.name.lower()}")),
                            "default": None} for f in kind]}
    raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Avro cannot hold a column of type {kind}")


def nullable(kind: Any) -> list:
    return ["null", kind]


def writer_schema(schema: pa.Schema) -> dict:
    return {"type": "record", "name": "lakebox_record",
            "fields": [{"name": f.name.lower(), "type": nullable(avro_type(f.type, f"r_{f.name.lower()}")),
                        "default": None} for f in schema]}


def _value(value: Any, kind: pa.DataType) -> Any:
    """A `to_pylist` value shaped as fastavro writes it: maps (lists of pairs) become dicts."""
    if value is None:
        return None
    if pa.types.is_map(kind):
        return {str(k): _value(v, kind.item_type) for k, v in value}
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return [_value(v, kind.value_type) for v in value]
    if pa.types.is_struct(kind):
        return {f.name.lower(): _value(value.get(f.name), f.type) for f in kind}
    return value


def write_avro(table: pa.Table, path: str, compression: str) -> None:
    """Write `table` as one Avro container file at `path`."""
    import fastavro

    codec = CODECS.get(compression)
    if codec is None:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: compression {compression} is not supported for AVRO")
    parsed = fastavro.parse_schema(writer_schema(table.schema))
    fields = [(f.name, f.name.lower(), f.type) for f in table.schema]

    def records():
        for batch in table.to_batches(max_chunksize=10_000):
            columns = [(lower, kind, batch.column(name).to_pylist()) for name, lower, kind in fields]
            for row in range(batch.num_rows):
                yield {lower: _value(values[row], kind) for lower, kind, values in columns}

    with open(path, "wb") as handle:
        fastavro.writer(handle, parsed, records(), codec=codec)
