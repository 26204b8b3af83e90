"""Helpers for the tests of lakebox's `awsglue` library: its import path, lake files, catalog tables."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq

GLUE_LIB = Path(__file__).resolve().parents[3] / "src" / "lakebox" / "engines" / "spark" / "glue_lib"
if str(GLUE_LIB) not in sys.path:  # (conftest.py does the same, for imports sorted before this module)
    sys.path.insert(0, str(GLUE_LIB))


def clients(server):
    kwargs = dict(endpoint_url=server.endpoint_url, region_name="us-east-1", aws_access_key_id="test",
                  aws_secret_access_key="test")
    return boto3.client("s3", **kwargs), boto3.client("glue", **kwargs)


def parquet_bytes(columns: dict) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


def json_lines(records: list) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def lake_files(server, bucket: str, prefix: str = "") -> list[str]:
    """The data files under s3://bucket/prefix in the lake folder, relative to the prefix."""
    root = Path(server.data_dir) / "s3" / bucket / prefix
    found = []
    for folder, _, files in os.walk(root):
        for name in files:
            found.append(str((Path(folder) / name).relative_to(root)))
    return sorted(found)


def parquet_rows(server, bucket: str, prefix: str, sort_key: str) -> list[dict]:
    """Every row of the Parquet files under a prefix, with hive partition folders as columns."""
    import pyarrow.dataset as ds

    root = Path(server.data_dir) / "s3" / bucket / prefix
    table = ds.dataset(str(root), format="parquet", partitioning="hive").to_table()
    return sorted(table.to_pylist(), key=lambda r: r[sort_key])


def storage(location: str, columns, serde: str, input_format: str, serde_params=None) -> dict:
    return {"Columns": [{"Name": n, "Type": t} for n, t in columns], "Location": location,
            "InputFormat": input_format, "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "SerdeInfo": {"SerializationLibrary": serde, "Parameters": serde_params or {}}}


PARQUET = ("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
           "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
OPENX_JSON = ("org.openx.data.jsonserde.JsonSerDe", "org.apache.hadoop.mapred.TextInputFormat")
LAZY_SIMPLE = ("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", "org.apache.hadoop.mapred.TextInputFormat")


def create_table(glue, database: str, name: str, location: str, columns, fmt, partition_keys=(), serde_params=None,
                 parameters=None) -> None:
    try:
        glue.create_database(DatabaseInput={"Name": database})
    except glue.exceptions.AlreadyExistsException:
        pass
    glue.create_table(DatabaseName=database, TableInput={
        "Name": name, "TableType": "EXTERNAL_TABLE", "Parameters": parameters or {},
        "StorageDescriptor": storage(location, columns, fmt[0], fmt[1], serde_params),
        "PartitionKeys": [{"Name": n, "Type": t} for n, t in partition_keys]})


def add_partition(glue, database: str, table: str, values: list, location: str) -> None:
    sd = glue.get_table(DatabaseName=database, Name=table)["Table"]["StorageDescriptor"]
    glue.batch_create_partition(DatabaseName=database, TableName=table, PartitionInputList=[
        {"Values": values, "StorageDescriptor": {**sd, "Location": location}}])
