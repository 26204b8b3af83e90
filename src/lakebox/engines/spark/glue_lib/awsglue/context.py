"""`GlueContext`: where a Glue script gets its SparkSession, its readers and writers, and its logger.

Why this shape: scripts call `glueContext.create_dynamic_frame.from_catalog(...)` and
`glueContext.create_dynamic_frame_from_catalog(...)` alike (both are documented), so the reader and
writer objects below delegate to the context's own methods, which delegate to readers.py and
writers.py. Connection types other than s3 and the catalog need services lakebox does not run
inside a job (JDBC, DynamoDB, Kafka, ...): they fail with a NotImplementedError that says so.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Optional

from pyspark.sql import DataFrame, SparkSession, SQLContext
from pyspark.sql import functions as F
from pyspark.sql import types as T

from . import _hadoopfs, readers, writers
from ._fields import parse_type
from .catalog import CatalogTable, glue_client, matching_partitions
from .data_sink import DataSink
from .data_source import DataSource
from .dynamicframe import DynamicFrame

__all__ = ["GlueContext"]


def _s3_only(connection_type: str) -> None:
    if (connection_type or "").lower() != "s3":
        raise NotImplementedError(f"connection_type {connection_type!r} is not supported by lakebox's awsglue "
                                  "(it reads and writes s3 paths and Glue Data Catalog tables)")


class GlueLogger:
    """The logger of `GlueContext.get_logger()`: lines on the driver's stderr, which is the job's error log."""

    def __init__(self, name: str = "GlueLogger"):
        self.name = name

    def _log(self, level: str, message: Any) -> None:
        stamp = time.strftime("%y/%m/%d %H:%M:%S")
        print(f"{stamp} {level} {self.name}: {message}", file=sys.stderr, flush=True)

    def debug(self, message: Any) -> None:
        self._log("DEBUG", message)

    def info(self, message: Any) -> None:
        self._log("INFO", message)

    def warn(self, message: Any) -> None:
        self._log("WARN", message)

    warning = warn

    def error(self, message: Any) -> None:
        self._log("ERROR", message)


class DynamicFrameReader:
    def __init__(self, glue_context: "GlueContext"):
        self._ctx = glue_context

    def from_catalog(self, database: Optional[str] = None, table_name: Optional[str] = None, redshift_tmp_dir: str = "",
                     transformation_ctx: str = "", push_down_predicate: str = "",
                     additional_options: Optional[dict] = None, catalog_id: Optional[str] = None,
                     **kwargs: Any) -> DynamicFrame:
        return self._ctx.create_dynamic_frame_from_catalog(database, table_name, redshift_tmp_dir, transformation_ctx,
                                                           push_down_predicate, additional_options, catalog_id,
                                                           **kwargs)

    def from_options(self, connection_type: str, connection_options: Optional[dict] = None,
                     format: Optional[str] = None, format_options: Optional[dict] = None, transformation_ctx: str = "",
                     push_down_predicate: str = "", **kwargs: Any) -> DynamicFrame:
        return self._ctx.create_dynamic_frame_from_options(connection_type, connection_options, format, format_options,
                                                           transformation_ctx, push_down_predicate, **kwargs)

    def from_rdd(self, data: Any, name: str, schema: Any = None, sample_ratio: Optional[float] = None,
                 transformation_ctx: str = "") -> DynamicFrame:
        return self._ctx.create_dynamic_frame_from_rdd(data, name, schema, sample_ratio, transformation_ctx)


class DataFrameReader:
    def __init__(self, glue_context: "GlueContext"):
        self._ctx = glue_context

    def from_catalog(self, database: Optional[str] = None, table_name: Optional[str] = None,
                     **kwargs: Any) -> DataFrame:
        return self._ctx.create_dynamic_frame_from_catalog(database, table_name, **kwargs).toDF()

    def from_options(self, connection_type: str, connection_options: Optional[dict] = None,
                     format: Optional[str] = None, format_options: Optional[dict] = None, **kwargs: Any) -> DataFrame:
        return self._ctx.create_dynamic_frame_from_options(connection_type, connection_options, format,
                                                           format_options, **kwargs).toDF()


class DynamicFrameWriter:
    def __init__(self, glue_context: "GlueContext"):
        self._ctx = glue_context

    def from_options(self, frame: DynamicFrame, connection_type: str, connection_options: Optional[dict] = None,
                     format: Optional[str] = None, format_options: Optional[dict] = None,
                     transformation_ctx: str = "") -> DynamicFrame:
        return self._ctx.write_dynamic_frame_from_options(frame, connection_type, connection_options, format,
                                                          format_options, transformation_ctx)

    def from_catalog(self, frame: DynamicFrame, database: Optional[str] = None, table_name: Optional[str] = None,
                     redshift_tmp_dir: str = "", transformation_ctx: str = "",
                     additional_options: Optional[dict] = None, catalog_id: Optional[str] = None,
                     **kwargs: Any) -> DynamicFrame:
        return self._ctx.write_dynamic_frame_from_catalog(frame, database, table_name, redshift_tmp_dir,
                                                          transformation_ctx, additional_options, catalog_id, **kwargs)

    def from_jdbc_conf(self, frame: DynamicFrame, catalog_connection: str, connection_options: Optional[dict] = None,
                       redshift_tmp_dir: str = "", transformation_ctx: str = "",
                       catalog_id: Optional[str] = None) -> DynamicFrame:
        return self._ctx.write_dynamic_frame_from_jdbc_conf(frame, catalog_connection, connection_options,
                                                            redshift_tmp_dir, transformation_ctx, catalog_id)


class DataFrameWriter:
    def __init__(self, glue_context: "GlueContext"):
        self._ctx = glue_context

    def from_catalog(self, frame: DataFrame, database: Optional[str] = None, table_name: Optional[str] = None,
                     **kwargs: Any) -> None:
        self._ctx.write_dynamic_frame_from_catalog(DynamicFrame(frame, self._ctx, table_name or ""), database,
                                                   table_name, **kwargs)


class GlueContext(SQLContext):
    """The Glue entry point over a SparkContext: `GlueContext(SparkContext.getOrCreate())`.

    A SQLContext, as AWS's is, so `glueContext.sql(...)`, `.read`, `.table(...)` and `.sparkSession`
    work; it may also be made from a SparkSession, or from nothing (the active session).
    """

    def __init__(self, sparkContext: Any = None, **options: Any):
        if isinstance(sparkContext, SparkSession):
            session = sparkContext
        else:
            session = SparkSession.builder.getOrCreate()
        super().__init__(session.sparkContext, session)
        self.spark_session = session
        self.create_dynamic_frame = DynamicFrameReader(self)
        self.create_data_frame = DataFrameReader(self)
        self.write_dynamic_frame = DynamicFrameWriter(self)
        self.write_data_frame = DataFrameWriter(self)

    # -- reading ------------------------------------------------------------------------------------
    def create_dynamic_frame_from_catalog(self, database: Optional[str] = None, table_name: Optional[str] = None,
                                          redshift_tmp_dir: str = "", transformation_ctx: str = "",
                                          push_down_predicate: str = "", additional_options: Optional[dict] = None,
                                          catalog_id: Optional[str] = None, **kwargs: Any) -> DynamicFrame:
        database = database or kwargs.get("name_space")
        table = CatalogTable.load(database, table_name, catalog_id)
        df = readers.read_catalog(self.spark_session, table, push_down_predicate, additional_options,
                                  transformation_ctx)
        return DynamicFrame(df, self, table_name)

    def create_dynamic_frame_from_options(self, connection_type: str, connection_options: Optional[dict] = None,
                                          format: Optional[str] = None, format_options: Optional[dict] = None,
                                          transformation_ctx: str = "", push_down_predicate: str = "",
                                          **kwargs: Any) -> DynamicFrame:
        _s3_only(connection_type)
        df = readers.read_s3(self.spark_session, connection_options or {}, format, format_options,
                             transformation_ctx, push_down_predicate)
        return DynamicFrame(df, self, transformation_ctx)

    def create_dynamic_frame_from_rdd(self, data: Any, name: str, schema: Any = None,
                                      sample_ratio: Optional[float] = None,
                                      transformation_ctx: str = "") -> DynamicFrame:
        return DynamicFrame(self.spark_session.createDataFrame(data, schema, sample_ratio), self, name)

    def create_data_frame_from_catalog(self, database: Optional[str] = None, table_name: Optional[str] = None,
                                      redshift_tmp_dir: str = "", transformation_ctx: str = "",
                                      push_down_predicate: str = "", additional_options: Optional[dict] = None,
                                      catalog_id: Optional[str] = None, **kwargs: Any) -> DataFrame:
        return self.create_dynamic_frame_from_catalog(database, table_name, redshift_tmp_dir, transformation_ctx,
                                                      push_down_predicate, additional_options, catalog_id,
                                                      **kwargs).toDF()

    def create_data_frame_from_options(self, connection_type: str, connection_options: Optional[dict] = None,
                                       format: Optional[str] = None, format_options: Optional[dict] = None,
                                       transformation_ctx: str = "", push_down_predicate: str = "",
                                       **kwargs: Any) -> DataFrame:
        return self.create_dynamic_frame_from_options(connection_type, connection_options, format, format_options,
                                                      transformation_ctx, push_down_predicate, **kwargs).toDF()

    def create_sample_dynamic_frame_from_catalog(self, database: Optional[str] = None,
                                                 table_name: Optional[str] = None, num: Optional[int] = None,
                                                 sample_options: Optional[dict] = None, redshift_tmp_dir: str = "",
                                                 transformation_ctx: str = "", push_down_predicate: str = "",
                                                 additional_options: Optional[dict] = None,
                                                 catalog_id: Optional[str] = None, **kwargs: Any) -> DynamicFrame:
        """The first `num` records of the table (all of them without num); sample_options are accepted
        and ignored (Glue's sample reads stop early; here the read is the same, then limited)."""
        frame = self.create_dynamic_frame_from_catalog(database, table_name, redshift_tmp_dir, transformation_ctx,
                                                       push_down_predicate, additional_options, catalog_id, **kwargs)
        return _limited(frame, num)

    def create_sample_dynamic_frame_from_options(self, connection_type: str,
                                                 connection_options: Optional[dict] = None, num: Optional[int] = None,
                                                 sample_options: Optional[dict] = None, format: Optional[str] = None,
                                                 format_options: Optional[dict] = None, transformation_ctx: str = "",
                                                 push_down_predicate: str = "", **kwargs: Any) -> DynamicFrame:
        frame = self.create_dynamic_frame_from_options(connection_type, connection_options, format, format_options,
                                                       transformation_ctx, push_down_predicate, **kwargs)
        return _limited(frame, num)

    def get_catalog_schema_as_spark_schema(self, database: Optional[str] = None, table_name: Optional[str] = None,
                                           catalog_id: Optional[str] = None) -> T.StructType:
        """The table's columns, then its partition keys, as a Spark schema."""
        table = CatalogTable.load(database, table_name, catalog_id)
        return T.StructType([T.StructField(name, parse_type(type_name))
                             for name, type_name in table.columns + table.partition_keys])

    def getSource(self, connection_type: str, format: Optional[str] = None, transformation_ctx: str = "",
                  push_down_predicate: str = "", **options: Any) -> DataSource:
        _s3_only(connection_type)
        return DataSource(self, connection_type, options, format, transformation_ctx, push_down_predicate)

    def getCatalogSource(self, database: str, table_name: str, redshift_tmp_dir: str = "",
                         transformation_ctx: str = "", push_down_predicate: str = "",
                         additional_options: Optional[dict] = None, catalog_id: Optional[str] = None) -> DataSource:
        return DataSource(self, "catalog", {"database": database, "table_name": table_name,
                                            "additional_options": additional_options, "catalog_id": catalog_id},
                          None, transformation_ctx, push_down_predicate)

    # -- writing ------------------------------------------------------------------------------------
    def write_dynamic_frame_from_options(self, frame: DynamicFrame, connection_type: str,
                                         connection_options: Optional[dict] = None, format: Optional[str] = None,
                                         format_options: Optional[dict] = None,
                                         transformation_ctx: str = "") -> DynamicFrame:
        _s3_only(connection_type)
        writers.write_s3(frame.toDF(), connection_options or {}, format, format_options)
        return frame

    write_from_options = write_dynamic_frame_from_options

    def write_dynamic_frame_from_catalog(self, frame: DynamicFrame, database: Optional[str] = None,
                                         table_name: Optional[str] = None, redshift_tmp_dir: str = "",
                                         transformation_ctx: str = "", additional_options: Optional[dict] = None,
                                         catalog_id: Optional[str] = None, **kwargs: Any) -> DynamicFrame:
        database = database or kwargs.get("name_space")
        table = CatalogTable.load(database, table_name, catalog_id)
        writers.write_catalog(frame.toDF(), table, additional_options)
        return frame

    def write_data_frame_from_catalog(self, frame: DataFrame, database: Optional[str] = None,
                                      table_name: Optional[str] = None, redshift_tmp_dir: str = "",
                                      transformation_ctx: str = "", additional_options: Optional[dict] = None,
                                      catalog_id: Optional[str] = None, **kwargs: Any) -> None:
        self.write_dynamic_frame_from_catalog(DynamicFrame(frame, self, table_name or ""), database, table_name,
                                              redshift_tmp_dir, transformation_ctx, additional_options, catalog_id,
                                              **kwargs)

    def write_dynamic_frame_from_jdbc_conf(self, frame: DynamicFrame, catalog_connection: str,
                                           connection_options: Optional[dict] = None, redshift_tmp_dir: str = "",
                                           transformation_ctx: str = "", catalog_id: Optional[str] = None) -> None:
        raise NotImplementedError("write_dynamic_frame.from_jdbc_conf needs a JDBC connection, which lakebox's "
                                  "awsglue does not provide; write to s3 or a catalog table instead")

    write_from_jdbc_conf = write_dynamic_frame_from_jdbc_conf

    def getSink(self, connection_type: str, format: Optional[str] = None, transformation_ctx: str = "",
                **options: Any) -> DataSink:
        _s3_only(connection_type)
        return DataSink(self, options, format, transformation_ctx)

    def getCatalogSink(self, database: str, table_name: str, redshift_tmp_dir: str = "", transformation_ctx: str = "",
                       additional_options: Optional[dict] = None, catalog_id: Optional[str] = None) -> DataSink:
        sink = DataSink(self, dict(additional_options or {}), None, transformation_ctx)
        sink.setCatalogInfo(database, table_name, catalog_id)
        return sink

    # -- housekeeping -------------------------------------------------------------------------------
    def get_logger(self) -> GlueLogger:
        return GlueLogger()

    def currentTimeMillis(self) -> int:
        return int(time.time() * 1000)

    def add_ingestion_time_columns(self, frame: Any, time_granularity: str) -> Any:
        """The frame (DataFrame or DynamicFrame) with ingest_year, ingest_month, ingest_day, and down to
        the granularity (`hour`, `minute`) ingest_hour and ingest_minute: the time of this call, as text."""
        levels = {"year": 1, "month": 2, "day": 3, "hour": 4, "minute": 5}
        depth = levels.get(str(time_granularity).lower())
        if depth is None:
            raise ValueError(f"time_granularity {time_granularity!r} is not one of {', '.join(levels)}")
        now = time.gmtime()
        parts = [("ingest_year", "%Y"), ("ingest_month", "%m"), ("ingest_day", "%d"), ("ingest_hour", "%H"),
                 ("ingest_minute", "%M")][:depth]
        df = frame.toDF() if isinstance(frame, DynamicFrame) else frame
        df = df.withColumns({name: F.lit(time.strftime(fmt, now)) for name, fmt in parts})
        return DynamicFrame(df, self, frame.name) if isinstance(frame, DynamicFrame) else df

    def purge_s3_path(self, s3_path: str, options: Optional[dict] = None, transformation_ctx: str = "") -> None:
        """Delete the files under s3_path older than `retentionPeriod` hours (default 168, one week)."""
        self._purge([s3_path], options or {})

    def purge_table(self, database: str, table_name: str, options: Optional[dict] = None,
                    transformation_ctx: str = "", catalog_id: Optional[str] = None) -> None:
        """Delete a table's files older than the retention period (of the partitions `partitionPredicate`
        selects); a partition whose files are all deleted leaves the catalog too."""
        options = options or {}
        table = CatalogTable.load(database, table_name, catalog_id)
        if not table.partition_keys:
            self._purge([table.location], options)
            return
        partitions = matching_partitions(self.spark_session, table.partition_keys, table.partitions(),
                                         options.get("partitionPredicate", ""))
        emptied = [p for p in partitions if self._purge([p.location], options)]
        extra = {"CatalogId": catalog_id} if catalog_id else {}
        for start in range(0, len(emptied), 25):
            glue_client().batch_delete_partition(
                DatabaseName=database, TableName=table_name,
                PartitionsToDelete=[{"Values": p.values} for p in emptied[start:start + 25]], **extra)

    def transition_s3_path(self, s3_path: str, transition_to: str, options: Optional[dict] = None,
                           transformation_ctx: str = "") -> None:
        raise NotImplementedError("transition_s3_path changes storage classes through S3 batch operations, "
                                  "which lakebox's awsglue does not run; use the S3 API's copy_object instead")

    def _purge(self, paths: list[str], options: dict) -> bool:
        """Delete old files under paths; True when every file there was deleted."""
        hours = float(options.get("retentionPeriod", 168))
        cutoff_ms = (time.time() - hours * 3600) * 1000
        deleted, kept = [], 0
        for path in paths:
            for uri, mtime in _hadoopfs.list_files(self.spark_session, path, True):
                if mtime < cutoff_ms or hours <= 0:
                    if _hadoopfs.delete_file(self.spark_session, uri):
                        deleted.append(uri)
                        continue
                kept += 1
        manifest = options.get("manifestFilePath")
        if manifest:
            _hadoopfs.write_text(self.spark_session, manifest.rstrip("/") + "/Success.csv",
                                 "".join(f"{uri}\n" for uri in deleted))
        return bool(deleted) and kept == 0


def _limited(frame: DynamicFrame, num: Optional[int]) -> DynamicFrame:
    return frame if num is None else DynamicFrame(frame.toDF().limit(int(num)), frame.glue_ctx, frame.name)
