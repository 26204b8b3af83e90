"""Avro tables (`STORED AS AVRO`, AvroSerDe) read with fastavro into an Arrow table that DuckDB scans.

The Glue schema is applied by column name, case-insensitively, at every level of nesting, as Hive's
AvroSerDe resolves fields: a column missing from a file is NULL, and a value that does not fit the
declared type goes through DuckDB's TRY_CAST (NULL when it cannot be converted). When the table
carries `avro.schema.literal`, it is the reader schema: files written with an older schema get the
literal's defaults for fields they lack, as Avro schema resolution prescribes.

Imports fastavro, pyarrow and this package.
"""

from __future__ import annotations

import json
from typing import Optional

from .errors import QueryError


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def arrow_type(con, duck_type: str):
    """The Arrow type DuckDB itself uses for `duck_type`, so the registered table needs no cast."""
    return con.sql(f"SELECT CAST(NULL AS {duck_type}) AS v").to_arrow_table().schema.field(0).type


def _conform(value, kind):
    """A fastavro value shaped for Arrow type `kind`: struct fields matched by lower-cased name, maps
    as (key, value) pairs."""
    import pyarrow as pa
    if value is None:
        return None
    if pa.types.is_struct(kind) and isinstance(value, dict):
        lower = {str(k).lower(): v for k, v in value.items()}
        return {kind.field(i).name: _conform(lower.get(kind.field(i).name.lower()), kind.field(i).type)
                for i in range(kind.num_fields)}
    if pa.types.is_map(kind) and isinstance(value, dict):
        return [(k, _conform(v, kind.item_type)) for k, v in value.items()]
    if (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and isinstance(value, (list, tuple)):
        return [_conform(v, kind.value_type) for v in value]
    return value


def read_avro(con, paths: list[str], columns: list, serde: dict, table_params: dict, name: str):
    """Register `name` (an Arrow table of the files' records) on `con`; return the data column
    expressions. `columns` is [(name, DuckDB type, Hive type)]."""
    import fastavro
    import pyarrow as pa
    literal = serde.get("avro.schema.literal") or table_params.get("avro.schema.literal")
    reader_schema: Optional[dict] = None
    if literal:
        try:
            reader_schema = fastavro.parse_schema(json.loads(literal))
        except (ValueError, fastavro.schema.SchemaParseException) as error:
            raise QueryError("HIVE_INVALID_METADATA", f"HIVE_INVALID_METADATA: avro.schema.literal: {error}") from None
    records = []
    for path in paths:
        with open(path, "rb") as handle:
            try:
                for record in fastavro.reader(handle, reader_schema=reader_schema):
                    records.append({str(k).lower(): v for k, v in record.items()} if isinstance(record, dict)
                                   else {})
            except (ValueError, EOFError, fastavro.read.SchemaResolutionError) as error:
                raise QueryError("HIVE_CANNOT_OPEN_SPLIT",
                                 f"HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split {path}: {error}") from None
    arrays, exprs = {}, []
    for index, (column, duck_type, _) in enumerate(columns):
        field_name = f"c{index}"
        values = [r.get(column) for r in records]
        target = arrow_type(con, duck_type)
        try:
            arrays[field_name] = pa.array([_conform(v, target) for v in values], type=target)
            exprs.append(f"{_quote(field_name)} AS {_quote(column)}")
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            # The file's type differs from the declared one: hand DuckDB what Arrow infers, or text.
            try:
                arrays[field_name] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
                arrays[field_name] = pa.array([None if v is None else str(v) for v in values], type=pa.string())
            exprs.append(f"TRY_CAST({_quote(field_name)} AS {duck_type}) AS {_quote(column)}")
    table = pa.table(arrays) if arrays else pa.table({"__empty": pa.array([None] * len(records), type=pa.int8())})
    con.register(name, table)
    return table, exprs
