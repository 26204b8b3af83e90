"""The built-in Avro, ORC and Parquet classifiers: schema from the header (Avro) or the footer
(ORC, Parquet) only, the file's own types mapped to Glue's, and the SerDe AWS writes for each.

Imports: the standard library, pyarrow, fastavro and `crawler_infer`.
"""

from __future__ import annotations

import json
from typing import Optional

from .crawler_infer import FileSchema, table_parameters

PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
ORC_SERDE = "org.apache.hadoop.hive.ql.io.orc.OrcSerde"
ORC_INPUT = "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat"
ORC_OUTPUT = "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat"
AVRO_SERDE = "org.apache.hadoop.hive.serde2.avro.AvroSerDe"
AVRO_INPUT = "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat"
AVRO_OUTPUT = "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat"


def infer_columnar(path: str, head: bytes, size: int) -> Optional[FileSchema]:
    """Tried in AWS's order: Avro, ORC, Parquet. None when the magic bytes match none of them."""
    if head.startswith(b"Obj\x01"):
        return _infer_avro(path)
    if head.startswith(b"ORC"):
        return _infer_orc(path, size)
    if head.startswith(b"PAR1") and size >= 12:
        with open(path, "rb") as f:
            f.seek(-4, 2)
            if f.read(4) == b"PAR1":
                return _infer_parquet(path)
    return None


# --- Parquet and ORC, through pyarrow's schema ------------------------------------------------


def _infer_parquet(path: str) -> Optional[FileSchema]:
    import pyarrow.parquet as pq

    try:
        metadata = pq.ParquetFile(path).metadata
        schema = metadata.schema.to_arrow_schema()
    except Exception:  # a corrupt footer: AWS's classifier says "no match", not an error
        return None
    uncompressed = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    return FileSchema(
        classification="parquet",
        compression="none",
        columns=_arrow_columns(schema),
        serde={"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}},
        input_format=PARQUET_INPUT,
        output_format=PARQUET_OUTPUT,
        parameters=table_parameters("parquet", "none"),
        record_count=metadata.num_rows,
        sample_bytes=uncompressed,
    )


def _infer_orc(path: str, size: int) -> Optional[FileSchema]:
    import pyarrow.orc as orc

    try:
        reader = orc.ORCFile(path)
        schema, rows = reader.schema, reader.nrows
    except Exception:  # not ORC after all, or a corrupt footer: no match
        return None
    return FileSchema(
        classification="orc",
        compression="none",
        columns=_arrow_columns(schema),
        serde={"SerializationLibrary": ORC_SERDE, "Parameters": {"serialization.format": "1"}},
        input_format=ORC_INPUT,
        output_format=ORC_OUTPUT,
        parameters=table_parameters("orc", "none"),
        record_count=rows,
        sample_bytes=size,
    )


def _arrow_columns(schema) -> list[dict]:
    return [{"Name": f.name.lower(), "Type": arrow_to_glue(f.type)} for f in schema]


def arrow_to_glue(t) -> str:
    """A pyarrow type (as read from a Parquet or ORC footer) in Glue's type syntax."""
    import pyarrow.types as pt

    simple = [
        (pt.is_boolean, "boolean"),
        (pt.is_int8, "tinyint"),
        (pt.is_int16, "smallint"),
        (pt.is_int32, "int"),
        (pt.is_int64, "bigint"),
        (pt.is_uint8, "smallint"),
        (pt.is_uint16, "int"),
        (pt.is_uint32, "bigint"),
        (pt.is_uint64, "bigint"),
        (pt.is_float16, "float"),
        (pt.is_float32, "float"),
        (pt.is_float64, "double"),
        (pt.is_date, "date"),
        (pt.is_timestamp, "timestamp"),
        (pt.is_time32, "int"),
        (pt.is_time64, "bigint"),
        (pt.is_null, "string"),
    ]
    for test, glue in simple:
        if test(t):
            return glue
    if pt.is_string(t) or pt.is_large_string(t) or getattr(pt, "is_string_view", lambda _: False)(t):
        return "string"
    if pt.is_binary(t) or pt.is_large_binary(t) or pt.is_fixed_size_binary(t):
        return "binary"
    if pt.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"
    if pt.is_dictionary(t):
        return arrow_to_glue(t.value_type)
    if pt.is_map(t):
        return f"map<{arrow_to_glue(t.key_type)},{arrow_to_glue(t.item_type)}>"
    if pt.is_list(t) or pt.is_large_list(t) or pt.is_fixed_size_list(t):
        return f"array<{arrow_to_glue(t.value_type)}>"
    if pt.is_struct(t):
        return "struct<" + ",".join(f"{f.name}:{arrow_to_glue(f.type)}" for f in t) + ">"
    return "string"


# --- Avro, from the container header -----------------------------------------------------------


def _infer_avro(path: str) -> Optional[FileSchema]:
    import fastavro

    with open(path, "rb") as f:
        try:
            schema = fastavro.reader(f).writer_schema  # decodes the header only
        except Exception:  # bad header: no match
            return None
    if not isinstance(schema, dict) or schema.get("type") != "record":
        return None
    literal = json.dumps(schema, separators=(",", ":"))
    count, data_bytes = _avro_block_totals(path)
    return FileSchema(
        classification="avro",
        compression="none",
        columns=[{"Name": f["name"].lower(), "Type": avro_to_glue(f["type"])} for f in schema["fields"]],
        serde={"SerializationLibrary": AVRO_SERDE, "Parameters": {"avro.schema.literal": literal, "serialization.format": "1"}},
        input_format=AVRO_INPUT,
        output_format=AVRO_OUTPUT,
        parameters=table_parameters("avro", "none", **{"avro.schema.literal": literal}),
        record_count=count,
        sample_bytes=data_bytes,
    )


_AVRO_PRIMITIVES = {
    "null": "string",
    "boolean": "boolean",
    "int": "int",
    "long": "bigint",
    "float": "float",
    "double": "double",
    "bytes": "binary",
    "string": "string",
}


def avro_to_glue(t) -> str:
    """An Avro schema node in Glue's type syntax, as Hive's AvroSerDe maps it."""
    if isinstance(t, list):
        branches = [b for b in t if b != "null" and not (isinstance(b, dict) and b.get("type") == "null")]
        if len(branches) == 1:
            return avro_to_glue(branches[0])
        if not branches:
            return "string"
        return "uniontype<" + ",".join(avro_to_glue(b) for b in branches) + ">"
    if isinstance(t, str):
        return _AVRO_PRIMITIVES.get(t, "string")
    logical = t.get("logicalType")
    if logical == "decimal":
        return f"decimal({t['precision']},{t.get('scale', 0)})"
    if logical == "date":
        return "date"
    if logical in ("timestamp-millis", "timestamp-micros", "local-timestamp-millis", "local-timestamp-micros"):
        return "timestamp"
    kind = t.get("type")
    if kind == "record":
        return "struct<" + ",".join(f"{f['name']}:{avro_to_glue(f['type'])}" for f in t["fields"]) + ">"
    if kind == "array":
        return f"array<{avro_to_glue(t['items'])}>"
    if kind == "map":
        return f"map<string,{avro_to_glue(t['values'])}>"
    if kind == "enum":
        return "string"
    if kind == "fixed":
        return "binary"
    return avro_to_glue(kind)


def _avro_block_totals(path: str) -> tuple[int, int]:
    """Records and bytes of an Avro container, from each block's count and size header alone:
    the block bodies are skipped, never decoded."""
    records = data = 0
    with open(path, "rb") as f:
        if f.read(4) != b"Obj\x01":
            return 0, 0
        while True:  # the metadata map: blocks of (key, value) byte strings
            n = _read_long(f)
            if n == 0:
                break
            if n < 0:
                n = -n
                _read_long(f)
            for _ in range(2 * n):
                f.seek(_read_long(f), 1)
        f.seek(16, 1)  # sync marker
        while True:
            try:
                count = _read_long(f)
            except EOFError:
                return records, data
            length = _read_long(f)
            records += count
            data += length
            f.seek(length + 16, 1)


def _read_long(f) -> int:
    shift = result = 0
    while True:
        byte = f.read(1)
        if not byte:
            raise EOFError
        b = byte[0]
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return (result >> 1) ^ -(result & 1)
