"""Reading S3 paths (`from_options`) and catalog tables (`from_catalog`) into Spark DataFrames.

Why files are listed before Spark reads them: Glue's semantics are about files, not folders. `recurse`
decides whether subfolders count, `exclusions` drops files by glob, job bookmarks skip files an
earlier run read, and a catalog table is the files of the partitions the catalog lists (not every
folder under its location). So the listing (through Hadoop, see _hadoopfs.py) is decided here and
Spark is handed the exact files, with `basePath` so that `key=value` folders still come back as
partition columns. Column types of a catalog read follow the catalog, whatever the files say.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any, Callable, Optional
from urllib.parse import unquote

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from . import _hadoopfs, bookmarks
from ._fields import conform, find_field, parse_type, quote
from .catalog import CatalogTable, Partition, matching_partitions

UNSUPPORTED = ("xml", "ion", "grokLog", "grok")
_INFERENCE = "spark.sql.sources.partitionColumnTypeInference.enabled"


def flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def reader_options(fmt: Optional[str], format_options: Optional[dict]) -> tuple[str, dict[str, str], bool]:
    """(Spark format, its options, whether csv columns are positional: col0, col1, ...)."""
    opts = dict(format_options or {})
    fmt = (fmt or "").strip()
    if not fmt:
        raise ValueError("format is required when reading from s3 (csv, json, parquet, orc or avro)")
    if fmt in UNSUPPORTED:
        raise NotImplementedError(f"lakebox's awsglue does not read the {fmt!r} format "
                                  "(it reads csv, json, parquet, orc and avro)")
    if fmt == "csv":
        out = {"sep": str(opts.get("separator", ",")), "inferSchema": "true",
               "multiLine": str(flag(opts.get("multiLine", opts.get("multiline", False)))).lower()}
        quote_char = str(opts.get("quoteChar", '"'))
        out["quote"] = "" if quote_char == "-1" else quote_char
        if "escaper" in opts:
            out["escape"] = str(opts["escaper"])
        header = flag(opts.get("withHeader", False))
        skip_first = flag(opts.get("skipFirst", False))
        out["header"] = str(header or skip_first).lower()
        return "csv", out, not header
    if fmt == "json":
        json_path = opts.get("jsonPath")
        if json_path not in (None, "", "$[*]", "$"):
            raise NotImplementedError(f"lakebox's awsglue reads whole JSON records; jsonPath {json_path!r} "
                                      "is not supported")
        multi = flag(opts.get("multiLine", opts.get("multiline", False))) or json_path == "$[*]"
        return "json", {"multiLine": str(multi).lower()}, False
    if fmt in ("parquet", "glueparquet", "orc", "avro"):
        return ("parquet" if fmt == "glueparquet" else fmt), {}, False
    raise ValueError(f"Unknown format {fmt!r}: use csv, json, parquet, orc or avro")


def read_files(spark: Any, files: list[str], fmt: str, options: dict[str, str], base_path: Optional[str] = None,
               schema: Optional[T.StructType] = None) -> DataFrame:
    reader = spark.read.format(fmt).options(**options)
    if base_path:
        reader = reader.option("basePath", base_path)
    if schema is not None:
        reader = reader.schema(schema)
    try:
        return reader.load(files)
    except Exception as exc:
        if "Failed to find data source" in str(exc):
            raise NotImplementedError(f"Spark cannot read {fmt!r} here: its data source package is not installed "
                                      f"(for avro: spark-avro)") from exc
        raise


def empty_frame(spark: Any, schema: Optional[T.StructType] = None) -> DataFrame:
    return spark.createDataFrame(spark.sparkContext.emptyRDD(), schema or T.StructType([]))


# -- from_options -----------------------------------------------------------------------------------
def read_s3(spark: Any, connection_options: dict, fmt: Optional[str], format_options: Optional[dict],
            transformation_ctx: str = "", push_down_predicate: str = "") -> DataFrame:
    paths = connection_options.get("paths") or connection_options.get("path")
    paths = [paths] if isinstance(paths, str) else list(paths or [])
    if not paths:
        raise ValueError("connection_options for s3 needs 'paths': a list of s3:// paths")
    spark_format, options, positional = reader_options(fmt, format_options)
    recurse = flag(connection_options.get("recurse", False))
    exclusions = _patterns(connection_options.get("exclusions"))
    frames, read = [], []
    for root in paths:
        files = [f for f in _hadoopfs.list_files(spark, root, recurse) if not _excluded(f[0], root, exclusions)]
        files = bookmarks.unread(transformation_ctx, files)
        is_dir = _hadoopfs.status(spark, root)[1]
        if push_down_predicate and is_dir:
            files = _partition_filter(spark, root, files, push_down_predicate)
        if files:
            df = read_files(spark, [uri for uri, _ in files], spark_format, options, root if is_dir else None)
            frames.append(_positional(df) if positional and spark_format == "csv" else df)
        read += files
    bookmarks.saw(transformation_ctx, read)
    if not frames:
        return empty_frame(spark)
    out = frames[0]
    for df in frames[1:]:
        out = out.unionByName(df, allowMissingColumns=True)
    return out


def _positional(df: DataFrame) -> DataFrame:
    """Glue names the columns of a csv without header col0, col1, ... (Spark: _c0, _c1, ...)."""
    return df.select(*[F.col(quote(name)).alias(f"col{i}") if name == f"_c{i}" else F.col(quote(name))
                       for i, name in enumerate(df.columns)])


def _patterns(exclusions: Any) -> list[str]:
    if not exclusions:
        return []
    if isinstance(exclusions, str):
        try:
            exclusions = json.loads(exclusions)
        except json.JSONDecodeError as exc:
            raise ValueError(f"exclusions must be a JSON list of glob patterns, e.g. '[\"**.json\"]': {exc}") from exc
    return [str(p) for p in exclusions]


def _excluded(uri: str, root: str, patterns: list[str]) -> bool:
    relative = uri[len(root.rstrip("/")) + 1:] if uri.startswith(root.rstrip("/")) else uri
    return any(fnmatch.fnmatch(uri, p) or fnmatch.fnmatch(relative, p) for p in patterns)


def _partition_filter(spark: Any, root: str, files: list, predicate: str) -> list:
    """The files whose `key=value` folders under root satisfy the predicate."""
    prefix = root.rstrip("/") + "/"
    keys: list[str] = []
    per_file = []
    for uri, mtime in files:
        values = {}
        for folder in (uri[len(prefix):] if uri.startswith(prefix) else "").split("/")[:-1]:
            name, eq, value = folder.partition("=")
            if eq:
                values[name] = unquote(value)
                if name not in keys:
                    keys.append(name)
        per_file.append(values)
    groups: dict[tuple, list] = {}
    for (uri, mtime), values in zip(files, per_file):
        groups.setdefault(tuple(values.get(k) for k in keys), []).append((uri, mtime))
    partitions = [Partition(list(values), str(i)) for i, values in enumerate(groups)]
    chosen = matching_partitions(spark, [(k, "string") for k in keys], partitions, predicate)
    lists = list(groups.values())
    return sorted(f for p in chosen for f in lists[int(p.location)])


# -- from_catalog -----------------------------------------------------------------------------------
def read_catalog(spark: Any, table: CatalogTable, push_down_predicate: str = "",
                 additional_options: Optional[dict] = None, transformation_ctx: str = "") -> DataFrame:
    additional_options = additional_options or {}
    fmt, options = table.data_format()
    data = [(name, parse_type(type_name)) for name, type_name in table.columns]
    keys = [(name, parse_type(type_name)) for name, type_name in table.partition_keys]
    if keys:
        parts = table.partitions(additional_options.get("catalogPartitionPredicate"))
        parts = matching_partitions(spark, table.partition_keys, parts, push_down_predicate)
    else:
        parts = [Partition([], table.location)]
    listed = [(p, _hadoopfs.list_files(spark, p.location, True)) for p in parts]
    fresh = {uri for uri, _ in bookmarks.unread(transformation_ctx, [f for _, files in listed for f in files])}
    listed = [(p, [f for f in files if f[0] in fresh]) for p, files in listed]
    listed = [(p, files) for p, files in listed if files]
    bookmarks.saw(transformation_ctx, [f for _, files in listed for f in files])
    schema = T.StructType([T.StructField(n, t) for n, t in data + keys])
    if not listed:
        return empty_frame(spark, schema)
    reader_schema = T.StructType([T.StructField(n, t) for n, t in data]) if fmt == "csv" else None

    def load(files: list[str], base: Optional[str]) -> DataFrame:
        df = read_files(spark, files, fmt, options, base, reader_schema)
        if fmt in ("parquet", "orc") and len(files) > 1 and any(
                find_field(df.schema, [name]) is None for name, _ in data):
            df = read_files(spark, files, fmt, {**options, "mergeSchema": "true"}, base, reader_schema)
        return df

    if keys and _hive_style(table, [p for p, _ in listed]):
        uris = [uri for _, files in listed for uri, _ in files]
        df = _without_partition_inference(spark, lambda: load(uris, table.location.rstrip("/")))
        return _project(df, data, keys, None)
    out = None
    for partition, files in listed:
        df = _project(load([uri for uri, _ in files], None), data, keys, partition.values)
        out = df if out is None else out.unionByName(df)
    return out


def _hive_style(table: CatalogTable, parts: list[Partition]) -> bool:
    """Every partition lives at <table location>/k1=v1/k2=v2, so Spark can find values in the paths."""
    base = table.location.rstrip("/") + "/"
    names = [name.lower() for name, _ in table.partition_keys]
    for part in parts:
        if not part.location.startswith(base):
            return False
        folders = part.location[len(base):].strip("/").split("/")
        if len(folders) != len(names) or len(part.values) != len(names):
            return False
        for folder, name, value in zip(folders, names, part.values):
            key, eq, text = folder.partition("=")
            if not eq or key.lower() != name or unquote(text) != value:
                return False
    return True


def _without_partition_inference(spark: Any, load: Callable[[], DataFrame]) -> DataFrame:
    """Partition values read as text (`01` stays `01`), to be cast to the catalog's types."""
    before = spark.conf.get(_INFERENCE, None)
    spark.conf.set(_INFERENCE, "false")
    try:
        return load()
    finally:
        if before is None:
            spark.conf.unset(_INFERENCE)
        else:
            spark.conf.set(_INFERENCE, before)


def _project(df: DataFrame, data: list, keys: list, values: Optional[list[str]]) -> DataFrame:
    """The catalog's columns, in its order and types: data columns, then partition keys."""
    columns = []
    for name, dtype in data + (keys if values is None else []):
        chain = find_field(df.schema, [name])
        expr = (conform(F.col(quote(chain[0].name)), chain[0].dataType, dtype) if chain
                else F.lit(None).cast(dtype))
        columns.append(expr.alias(name))
    if values is not None:
        for (name, dtype), value in zip(keys, values):
            columns.append(F.lit(value).cast(dtype).alias(name))
    return df.select(*columns)
