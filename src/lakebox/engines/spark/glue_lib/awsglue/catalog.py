"""The Glue Data Catalog as a job sees it: a table's columns, storage format and partitions.

Why boto3 and not a Hive metastore: in lakebox (as on AWS Glue) the catalog is the Glue API of the
server the job runs against; the driver's environment points AWS_ENDPOINT_URL at it. This module
turns a GetTable answer into what Spark needs to read the table (a reader format and its options)
and evaluates a push-down predicate on the partitions' values with Spark SQL, as Glue does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["CatalogTable", "Partition", "glue_client"]


def glue_client():
    import boto3

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return boto3.client("glue", region_name=region)


@dataclass
class Partition:
    values: list[str]
    location: str


@dataclass
class CatalogTable:
    database: str
    name: str
    raw: dict
    catalog_id: Optional[str] = None
    columns: list[tuple[str, str]] = field(default_factory=list)
    partition_keys: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, database: str, table_name: str, catalog_id: Optional[str] = None) -> "CatalogTable":
        if not database or not table_name:
            raise ValueError("A catalog table needs both database and table_name")
        kwargs = {"DatabaseName": database, "Name": table_name}
        if catalog_id:
            kwargs["CatalogId"] = catalog_id
        raw = glue_client().get_table(**kwargs)["Table"]
        sd = raw.get("StorageDescriptor") or {}
        return cls(database, table_name, raw, catalog_id,
                   [(c["Name"], c.get("Type") or "string") for c in sd.get("Columns") or []],
                   [(c["Name"], c.get("Type") or "string") for c in raw.get("PartitionKeys") or []])

    @property
    def storage(self) -> dict:
        return self.raw.get("StorageDescriptor") or {}

    @property
    def location(self) -> str:
        location = self.storage.get("Location") or ""
        if not location:
            raise ValueError(f"Table {self.database}.{self.name} has no Location to read or write")
        return location

    @property
    def parameters(self) -> dict:
        return {**(self.storage.get("Parameters") or {}), **(self.raw.get("Parameters") or {})}

    def types_by_name(self) -> dict[str, str]:
        return {name.lower(): type_name for name, type_name in self.columns + self.partition_keys}

    def data_format(self) -> tuple[str, dict[str, str]]:
        """The Spark reader format and options that read this table's files."""
        params = self.parameters
        kind = (params.get("table_type") or params.get("spark.sql.sources.provider") or "").lower()
        classification = (params.get("classification") or "").lower()
        for special in ("iceberg", "delta", "hudi"):
            if special in (kind, classification):
                raise NotImplementedError(f"Table {self.database}.{self.name} is a {special} table: lakebox's "
                                          "awsglue reads plain file tables (parquet, orc, json, csv, avro) only")
        if self.raw.get("TableType") == "VIRTUAL_VIEW":
            raise NotImplementedError(f"{self.database}.{self.name} is a view; Glue jobs cannot read views")
        serde = self.storage.get("SerdeInfo") or {}
        library = (serde.get("SerializationLibrary") or "").lower()
        serde_params = serde.get("Parameters") or {}
        input_format = (self.storage.get("InputFormat") or "").lower()
        described = f"{library} {input_format}"
        markers = {"parquet": ("parquet",), "orc": ("orcserde", "orcinputformat", ".orc."), "avro": ("avro",)}
        for name, words in markers.items():
            if any(word in described for word in words) or (not library and classification == name):
                return name, {}
        if "json" in library or (not library and classification == "json"):
            return "json", {}
        if "opencsvserde" in library:
            return "csv", {"sep": serde_params.get("separatorChar", ","), "quote": serde_params.get("quoteChar", '"'),
                           "escape": serde_params.get("escapeChar", "\\"), **self._header(serde_params)}
        if "lazysimpleserde" in library or (not library and classification in ("csv", "tsv")) or (
                not library and "textinputformat" in input_format):
            return "csv", {"sep": self._delimiter(serde_params, classification), "quote": "", "escape": "\\",
                           **self._header(serde_params)}
        stored = serde.get("SerializationLibrary") or self.storage.get("InputFormat") or classification
        raise NotImplementedError(f"Table {self.database}.{self.name} is stored with {stored!r}, "
                                  "which lakebox's awsglue cannot read (it reads parquet, orc, json, csv and avro)")

    @staticmethod
    def _delimiter(serde_params: dict, classification: str) -> str:
        delimiter = serde_params.get("field.delim") or serde_params.get("serialization.format")
        if delimiter and delimiter.isdigit():
            delimiter = chr(int(delimiter))  # serialization.format "1" is Hive's ^A
        return delimiter or ("\t" if classification == "tsv" else ",")

    def _header(self, serde_params: dict) -> dict[str, str]:
        count = self.parameters.get("skip.header.line.count") or serde_params.get("skip.header.line.count") or "0"
        if count.strip() in ("", "0"):
            return {}
        if count.strip() != "1":
            raise NotImplementedError(f"Table {self.database}.{self.name} skips {count} header lines; lakebox's "
                                      "awsglue skips at most one")
        return {"header": "true"}

    def partitions(self, expression: Optional[str] = None) -> list[Partition]:
        kwargs: dict[str, Any] = {"DatabaseName": self.database, "TableName": self.name}
        if self.catalog_id:
            kwargs["CatalogId"] = self.catalog_id
        if expression:
            kwargs["Expression"] = expression
        base = self.location.rstrip("/")
        found = []
        for page in glue_client().get_paginator("get_partitions").paginate(**kwargs):
            for raw in page.get("Partitions", []):
                values = list(raw.get("Values") or [])
                location = (raw.get("StorageDescriptor") or {}).get("Location") or "/".join(
                    [base] + [f"{k}={v}" for (k, _), v in zip(self.partition_keys, values)])
                found.append(Partition(values, location))
        return found


def matching_partitions(spark: Any, keys: list[tuple[str, str]], partitions: list[Partition],
                        predicate: str) -> list[Partition]:
    """The partitions whose values satisfy a Spark SQL predicate over the partition columns."""
    if not predicate or not partitions:
        return partitions
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from ._fields import parse_type, quote

    schema = T.StructType([T.StructField(f"k{i}", T.StringType()) for i in range(len(keys))]
                          + [T.StructField("__glue_partition", T.IntegerType())])
    rows = [tuple(p.values[:len(keys)]) + (None,) * (len(keys) - len(p.values)) + (i,)
            for i, p in enumerate(partitions)]
    df = spark.createDataFrame(rows, schema).select(
        *[F.col(f"k{i}").cast(parse_type(type_name)).alias(name) for i, (name, type_name) in enumerate(keys)],
        F.col("__glue_partition"))
    try:
        chosen = df.filter(predicate).select("__glue_partition").collect()
    except Exception as exc:
        names = ", ".join(quote(name) for name, _ in keys)
        raise ValueError(f"push_down_predicate {predicate!r} is not a Spark SQL condition on the partition "
                         f"columns ({names}): {exc}") from exc
    return [partitions[row[0]] for row in sorted(chosen)]
