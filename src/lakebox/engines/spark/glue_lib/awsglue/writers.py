"""Writing frames to S3 paths (`from_options`) and catalog tables (`from_catalog`, sinks).

Why Glue's rules and not Spark's defaults: Glue sinks append (a run adds files, never replaces a
folder), split rows into `key=value` folders by `partitionKeys`, write a header row in csv unless
told not to, and touch the catalog only when asked (`enableUpdateCatalog`). A catalog table's
format, delimiter and column order decide how its files are written, so Athena and crawlers read back
what the job wrote.
"""

from __future__ import annotations

from typing import Any, Optional

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ._fields import conform, find_field, parse_type, quote
from .catalog import CatalogTable, glue_client
from .readers import UNSUPPORTED, flag

# Characters Hive (and Spark) escape in a partition folder name.
_PATH_ESCAPES = set('"#%\'*/:=?\\\x7f{[]^')

FORMATS = {
    "parquet": ("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
    "orc": ("org.apache.hadoop.hive.ql.io.orc.OrcInputFormat", "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
            "org.apache.hadoop.hive.ql.io.orc.OrcSerde"),
    "json": ("org.apache.hadoop.mapred.TextInputFormat",
             "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", "org.openx.data.jsonserde.JsonSerDe"),
    "csv": ("org.apache.hadoop.mapred.TextInputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"),
    "avro": ("org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
             "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
             "org.apache.hadoop.hive.serde2.avro.AvroSerDe"),
}


def writer_options(fmt: Optional[str], format_options: Optional[dict]) -> tuple[str, dict[str, str]]:
    opts = dict(format_options or {})
    fmt = (fmt or "").strip()
    if not fmt:
        raise ValueError("format is required when writing to s3 (csv, json, parquet, orc or avro)")
    if fmt in UNSUPPORTED:
        raise NotImplementedError(f"lakebox's awsglue does not write the {fmt!r} format")
    if fmt == "csv":
        out = {"header": str(flag(opts.get("writeHeader", True))).lower(), "sep": str(opts.get("separator", ","))}
        if opts.get("quoteChar") is not None and str(opts["quoteChar"]) != "-1":  # -1 (int or text): no quoting
            out["quote"] = str(opts["quoteChar"])
        if "escaper" in opts:
            out["escape"] = str(opts["escaper"])
        return "csv", out
    if fmt in ("parquet", "glueparquet", "orc"):
        out = {"compression": str(opts.get("compression", "snappy")).lower()}
        for glue_name, hadoop_name in (("blockSize", "parquet.block.size"), ("pageSize", "parquet.page.size")):
            if glue_name in opts and fmt != "orc":
                out[hadoop_name] = str(opts[glue_name])
        return ("parquet" if fmt == "glueparquet" else fmt), out
    if fmt in ("json", "avro"):
        return fmt, {}
    raise ValueError(f"Unknown format {fmt!r}: use csv, json, parquet, orc or avro")


def _partition_columns(df: DataFrame, keys: list[str]) -> list[str]:
    names = []
    for key in keys:
        chain = find_field(df.schema, [key])
        if chain is None:
            raise ValueError(f"partitionKeys names {key!r}, which is not a field of the frame ({df.columns})")
        names.append(chain[0].name)
    return names


def write_files(df: DataFrame, path: str, fmt: str, options: dict[str, str], keys: list[str]) -> None:
    writer = df.write.mode("append").format(fmt).options(**options)
    if keys:
        writer = writer.partitionBy(*keys)
    try:
        writer.save(path)
    except Exception as exc:
        if "Failed to find data source" in str(exc):
            raise NotImplementedError(f"Spark cannot write {fmt!r} here: its data source package is not "
                                      "installed (for avro: spark-avro)") from exc
        raise


def write_s3(df: DataFrame, connection_options: dict, fmt: Optional[str], format_options: Optional[dict]) -> list[str]:
    """Append the frame's rows under connection_options["path"]; the partition columns written."""
    path = connection_options.get("path")
    if not path:
        raise ValueError("connection_options for s3 needs 'path', e.g. {'path': 's3://bucket/prefix/'}")
    spark_format, options = writer_options(fmt, format_options)
    if connection_options.get("compression") and spark_format in ("csv", "json"):
        options["compression"] = str(connection_options["compression"])
    keys = _partition_columns(df, list(connection_options.get("partitionKeys") or []))
    write_files(df, path, spark_format, options, keys)
    return keys


def write_catalog(df: DataFrame, table: CatalogTable, additional_options: Optional[dict] = None) -> None:
    """Append the frame to the table's location in the table's format, columns in the catalog's order."""
    additional_options = additional_options or {}
    fmt, read_opts = table.data_format()
    options: dict[str, str] = {}
    if fmt == "csv":
        options = {"sep": read_opts.get("sep", ","), "header": read_opts.get("header", "false")}
    columns = []
    for name, type_name in table.columns:
        chain = find_field(df.schema, [name])
        dtype = parse_type(type_name)
        columns.append((conform(F.col(quote(chain[0].name)), chain[0].dataType, dtype) if chain
                        else F.lit(None).cast(dtype)).alias(name))
    keys = [name for name, _ in table.partition_keys]
    for key, name in zip(keys, _partition_columns(df, keys)):
        columns.append(F.col(quote(name)).alias(key))
    rows = df.select(*columns)
    write_files(rows, table.location, fmt, options, keys)
    if keys and flag(additional_options.get("enableUpdateCatalog", False)):
        add_partitions(rows, table, keys)


def partition_value(value: Any) -> str:
    """A partition value as Spark spells it in a folder name (before escaping)."""
    if value is None:
        return "__HIVE_DEFAULT_PARTITION__"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def partition_folder(keys: list[str], values: list[Any]) -> str:
    def escape(text: str) -> str:
        return "".join(f"%{ord(c):02X}" if c in _PATH_ESCAPES or ord(c) < 32 else c for c in text)
    return "/".join(f"{escape(k)}={escape(partition_value(v))}" for k, v in zip(keys, values))


def add_partitions(df: DataFrame, table: CatalogTable, keys: list[str]) -> int:
    """Register in the catalog the partitions the frame's rows fall in; the number of new ones."""
    selected = df.select(*[F.col(quote(k)) for k in keys]).distinct().collect()
    seen = [[row[i] for i in range(len(keys))] for row in selected]
    base = table.location.rstrip("/")
    storage = {k: v for k, v in table.storage.items() if k != "Location"}
    inputs = [{"Values": [partition_value(v) for v in values],
               "StorageDescriptor": {**storage, "Location": f"{base}/{partition_folder(keys, values)}/"}}
              for values in seen]
    client, created = glue_client(), 0
    for start in range(0, len(inputs), 100):
        kwargs: dict[str, Any] = {"DatabaseName": table.database, "TableName": table.name,
                                  "PartitionInputList": inputs[start:start + 100]}
        if table.catalog_id:
            kwargs["CatalogId"] = table.catalog_id
        errors = client.batch_create_partition(**kwargs).get("Errors", [])
        failed = [e for e in errors if (e.get("ErrorDetail") or {}).get("ErrorCode") != "AlreadyExistsException"]
        if failed:
            detail = failed[0].get("ErrorDetail") or {}
            raise RuntimeError(f"Adding partitions to {table.database}.{table.name} failed: "
                               f"{detail.get('ErrorCode')}: {detail.get('ErrorMessage')}")
        created += len(inputs[start:start + 100]) - len(errors)
    return created


def ensure_table(df: DataFrame, database: str, table_name: str, path: str, fmt: str, keys: list[str],
                 update_behavior: str, format_options: Optional[dict], catalog_id: Optional[str]) -> CatalogTable:
    """The sink's catalog table: created from the frame's schema when missing; with UPDATE_IN_DATABASE,
    columns the frame adds are appended to an existing table's."""
    spark_format = "parquet" if fmt == "glueparquet" else fmt
    if spark_format not in FORMATS:
        raise ValueError(f"A catalog table cannot be made for format {fmt!r}")
    by_name = {f.name.lower(): f for f in df.schema.fields}
    key_set = {k.lower() for k in keys}
    columns = [{"Name": f.name, "Type": f.dataType.simpleString()} for f in df.schema.fields
               if f.name.lower() not in key_set]
    client = glue_client()
    extra = {"CatalogId": catalog_id} if catalog_id else {}
    try:
        return _update_columns(CatalogTable.load(database, table_name, catalog_id), columns, update_behavior, extra)
    except client.exceptions.EntityNotFoundException:
        pass
    input_format, output_format, serde = FORMATS[spark_format]
    serde_params = {}
    params = {"classification": spark_format}
    if spark_format == "csv":
        opts = format_options or {}
        serde_params["field.delim"] = str(opts.get("separator", ","))
        if flag(opts.get("writeHeader", True)):
            params["skip.header.line.count"] = "1"
    client.create_table(DatabaseName=database, TableInput={
        "Name": table_name, "TableType": "EXTERNAL_TABLE", "Parameters": params,
        "PartitionKeys": [{"Name": k, "Type": by_name[k.lower()].dataType.simpleString()} for k in keys],
        "StorageDescriptor": {"Columns": columns, "Location": path, "InputFormat": input_format,
                              "OutputFormat": output_format,
                              "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_params}}}, **extra)
    return CatalogTable.load(database, table_name, catalog_id)


def _update_columns(table: CatalogTable, columns: list[dict], update_behavior: str, extra: dict) -> CatalogTable:
    known = {name.lower() for name, _ in table.columns + table.partition_keys}
    added = [c for c in columns if c["Name"].lower() not in known]
    if not added or update_behavior != "UPDATE_IN_DATABASE":
        return table
    raw = table.raw
    table_input = {k: raw[k] for k in ("Name", "Description", "Owner", "Retention", "PartitionKeys", "TableType",
                                       "Parameters") if k in raw}
    table_input["StorageDescriptor"] = {**table.storage, "Columns": (table.storage.get("Columns") or []) + added}
    glue_client().update_table(DatabaseName=table.database, TableInput=table_input, **extra)
    return CatalogTable.load(table.database, table.name, table.catalog_id)
