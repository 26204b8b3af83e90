"""The options of CTAS and UNLOAD (`WITH (format = ..., partitioned_by = ARRAY[...])`), the file format
of an existing Glue table, and the Glue `TableInput` Athena writes for a CTAS.

Imports sqlglot's expression types and this package.
"""

from __future__ import annotations

from typing import Optional

from sqlglot import exp

from . import ddl_hive, delta, iceberg, reader
from .errors import QueryError
from .write_files import (
    AVRO,
    DEFAULT_COMPRESSION,
    FORMATS,
    HIVE_NULL_PARTITION,
    JSON,
    ORC,
    PARQUET,
    TEXTFILE,
    FileFormat,
)

_CATALOG = "awsdatacatalog"
_HCATALOG_JSON = "org.apache.hive.hcatalog.data.JsonSerDe"
_COMPRESSION_PARAM = {PARQUET: "parquet.compression", ORC: "orc.compress"}
_OPEN_CSV = "org.apache.hadoop.hive.serde2.OpenCSVSerde"

CTAS_OPTIONS = {"format", "write_compression", "parquet_compression", "orc_compression", "external_location",
                 "partitioned_by", "bucketed_by", "bucket_count", "field_delimiter", "no_data"}
UNLOAD_OPTIONS = {"format", "compression", "partitioned_by", "field_delimiter"}


def options_of(tree: exp.Create, allowed: set) -> dict:
    options: dict = {}
    for prop in (tree.args.get("properties") or exp.Properties()).expressions:
        if isinstance(prop, exp.FileFormatProperty):
            options["format"] = prop.this.name.upper()
        elif isinstance(prop, exp.PartitionedByProperty):
            node = prop.this
            items = node.expressions if isinstance(node, (exp.Array, exp.Tuple, exp.Schema)) else [node]
            options["partitioned_by"] = [i.name.lower() for i in items]
        elif isinstance(prop, exp.WithDataProperty):
            options["no_data"] = bool(prop.args.get("no"))
        elif isinstance(prop, exp.Property):
            value = prop.args.get("value")
            key = prop.name.lower()
            if key not in allowed:
                raise QueryError("INVALID_TABLE_PROPERTY",
                                 f"INVALID_TABLE_PROPERTY: Catalog '{_CATALOG}' table property '{key}' does not exist")
            options[key] = [i.name.lower() for i in value.expressions] if isinstance(value, exp.Array) else value.name
        else:
            raise QueryError("INVALID_TABLE_PROPERTY", f"INVALID_TABLE_PROPERTY: {prop.sql(dialect='trino')}")
    return options


def file_format(options: dict) -> FileFormat:
    name = (options.get("format") or PARQUET).upper()
    if name not in FORMATS:
        raise QueryError("INVALID_TABLE_PROPERTY", f"INVALID_TABLE_PROPERTY: format {name} is not supported")
    compression = next((options[k] for k in ("write_compression", "compression", "parquet_compression",
                                             "orc_compression") if options.get(k)), None)
    fmt = FileFormat(name, compression.upper() if compression else None)
    if options.get("field_delimiter"):
        fmt.delimiter = options["field_delimiter"]
    fmt.codec()  # fail before any work on an unsupported format or compression
    return fmt


def check_writable(table: dict) -> None:
    """Refuse a write into a Delta Lake table (Athena reads them only). Iceberg tables take their
    writes through iceberg_statements.py, never as files added to a folder."""
    if iceberg.is_iceberg(table):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Iceberg tables are written through Iceberg commits")
    if delta.is_delta(table):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Athena does not write Delta Lake tables")


def table_format(table: dict, params: dict) -> FileFormat:
    """How to write more files into an existing Glue table."""
    check_writable(table)
    kind = reader.storage_format(table)
    serde = ((table.get("StorageDescriptor") or {}).get("SerdeInfo") or {})
    serde_params = serde.get("Parameters") or {}
    if kind == reader.PARQUET:
        return FileFormat(PARQUET, params.get("parquet.compression") or params.get("write.compression"))
    if kind == reader.ORC:
        return FileFormat(ORC, params.get("orc.compress") or params.get("write.compression"))
    if kind == reader.JSON:
        return FileFormat(JSON, params.get("write.compression"))
    if kind == reader.AVRO:
        return FileFormat(AVRO, params.get("avro.compression") or params.get("write.compression"))
    if kind == reader.REGEX:
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Inserting into tables that use RegexSerDe is not supported")
    if serde.get("SerializationLibrary") == _OPEN_CSV:
        return FileFormat(TEXTFILE, params.get("write.compression") or "NONE",
                          serde_params.get("separatorChar", ","), serde_params.get("quoteChar", '"'), "")
    delim = serde_params.get("field.delim", serde_params.get("serialization.format", "\x01"))
    return FileFormat(TEXTFILE, params.get("write.compression") or "NONE", "\x01" if delim == "1" else delim,
                      "", serde_params.get("serialization.null.format", "\\N"))


def partition_keys(options: dict, columns: list) -> list:
    keys = options.get("partitioned_by") or []
    for key in keys:
        if key not in columns:
            raise QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: Partition column {key} not present in the table")
    if keys and columns[len(columns) - len(keys):] != keys:
        raise QueryError("HIVE_COLUMN_ORDER_MISMATCH",
                         "HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the table and in "
                         f"the same order as the table properties: [{', '.join(keys)}]")
    if keys and len(keys) == len(columns):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Table contains only partition columns")
    return keys


def check_names(query: exp.Expression, fields: list) -> None:
    """The columns of a CTAS's query, as Trino checks them field by field: each has a name, no name
    repeats, and each has a type (a bare NULL is of type unknown). `fields` are the query's own
    (name, DuckDB type) pairs, repeats included."""
    select = query if isinstance(query, exp.Select) else None
    if select is not None:
        for position, node in enumerate(select.expressions, 1):
            if not isinstance(node, (exp.Alias, exp.Column, exp.Star)):
                raise QueryError("MISSING_COLUMN_NAME",
                                 f"MISSING_COLUMN_NAME: line 1:1: Column name not specified at position {position}")
    seen = set()
    for column, kind in fields:
        if column.lower() in seen:
            raise QueryError("DUPLICATE_COLUMN_NAME", f"DUPLICATE_COLUMN_NAME: line 1:1: Column name "
                                                      f"'{column.lower()}' specified more than once")
        seen.add(column.lower())
        if str(kind).strip('"').upper() == "NULL":
            raise QueryError("COLUMN_TYPE_UNKNOWN", f"COLUMN_TYPE_UNKNOWN: line 1:1: Column type is unknown: "
                                                    f"{column.lower()}")


def glue_value(value: Optional[str]) -> str:
    """A partition value as Glue stores it: a string, with NULL as Hive's default partition."""
    return HIVE_NULL_PARTITION if value is None else value


def table_input(name: str, location: str, fmt: FileFormat, columns: list, key_count: int, bucket_by: list,
                 buckets: int, options: dict) -> dict:
    """The Glue TableInput Athena writes for a CTAS."""
    if fmt.name == JSON:
        input_format, output_format = ddl_hive.TEXT_INPUT, ddl_hive.TEXT_OUTPUT
        serde = {"SerializationLibrary": _HCATALOG_JSON, "Parameters": {}}
    elif fmt.name == TEXTFILE:
        input_format, output_format = ddl_hive.TEXT_INPUT, ddl_hive.TEXT_OUTPUT
        serde = {"SerializationLibrary": ddl_hive.LAZY_SIMPLE,
                 "Parameters": {"field.delim": fmt.delimiter, "serialization.format": fmt.delimiter}}
    else:
        input_format, output_format, library = ddl_hive.STORED_AS[fmt.name]
        serde = {"SerializationLibrary": library, "Parameters": {"serialization.format": "1"}}
    params = {"has_encrypted_data": "false"}
    compression = (fmt.compression or "").upper() or None
    params[_COMPRESSION_PARAM.get(fmt.name, "write.compression")] = compression or DEFAULT_COMPRESSION[fmt.name]
    data = columns[:len(columns) - key_count]
    return {
        "Name": name, "TableType": "EXTERNAL_TABLE", "Owner": "hadoop", "Retention": 0, "Parameters": params,
        "PartitionKeys": [{"Name": n, "Type": t} for n, t in columns[len(data):]],
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in data], "Location": location,
            "InputFormat": input_format, "OutputFormat": output_format, "Compressed": False,
            "NumberOfBuckets": buckets, "SerdeInfo": serde, "BucketColumns": bucket_by, "SortColumns": [],
            "Parameters": {}, "StoredAsSubDirectories": False},
    }
