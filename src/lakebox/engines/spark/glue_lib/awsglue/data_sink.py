"""`DataSink`: the object form of a write, and the way Glue jobs create or extend catalog tables.

Why it matters: `glueContext.getSink(connection_type="s3", path=..., enableUpdateCatalog=True,
partitionKeys=[...])` with `setCatalogInfo(...)` is AWS's documented way for a job to create its
output table and register the partitions it wrote, so Athena can query them right after the run.
"""

from __future__ import annotations

from typing import Any, Optional

from . import writers
from .catalog import CatalogTable
from .readers import flag

__all__ = ["DataSink"]


class DataSink:
    def __init__(self, glue_context: Any, options: dict, format: Optional[str] = None, transformation_ctx: str = ""):
        self._ctx = glue_context
        self.options = dict(options)
        self.format = format
        self.format_options: dict = {}
        self.transformation_ctx = transformation_ctx
        self.database: Optional[str] = None
        self.table_name: Optional[str] = None
        self.catalog_id: Optional[str] = None

    def setFormat(self, format: str, **options: Any) -> None:
        self.format = format
        self.format_options = options

    def setCatalogInfo(self, catalogDatabase: str, catalogTableName: str, catalogId: Optional[str] = None) -> None:
        self.database, self.table_name, self.catalog_id = catalogDatabase, catalogTableName, catalogId

    def writeFrame(self, dynamic_frame: Any, info: str = "") -> Any:
        df = dynamic_frame.toDF()
        path = self.options.get("path")
        if not path:  # a catalog sink: the table's own location, format and partitions
            if not (self.database and self.table_name):
                raise ValueError("A sink needs a path, or catalog info (setCatalogInfo) of an existing table")
            table = CatalogTable.load(self.database, self.table_name, self.catalog_id)
            writers.write_catalog(df, table, self.options)
            return dynamic_frame
        keys = writers.write_s3(df, self.options, self.format, self.format_options)
        if flag(self.options.get("enableUpdateCatalog", False)) and self.database and self.table_name:
            table = writers.ensure_table(df, self.database, self.table_name, path, self.format or "", keys,
                                         str(self.options.get("updateBehavior", "UPDATE_IN_DATABASE")),
                                         self.format_options, self.catalog_id)
            if keys:
                writers.add_partitions(df, table, keys)
        return dynamic_frame

    write = writeFrame
