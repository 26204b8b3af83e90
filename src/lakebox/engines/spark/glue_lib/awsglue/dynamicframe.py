"""DynamicFrame and DynamicFrameCollection: Glue's frame API over a Spark DataFrame.

Why a wrapper and not a new engine: Glue's DynamicFrame is a self-describing frame whose fields may
hold several types (choices). lakebox reads data with Spark, which settles one type per column, so a
DynamicFrame here is a Spark DataFrame plus a name, its GlueContext and its error records. Every
documented method returns what Glue returns (a new DynamicFrame or a DynamicFrameCollection);
records whose user function raises become error records, counted by `errorsCount()`.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Optional

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from . import _frame_ops as ops
from . import _records, gluetypes
from ._fields import resolve

__all__ = ["DynamicFrame", "DynamicFrameCollection", "ErrorThresholdExceeded", "ResolveOption"]

_records.ship_by_value()


class ErrorThresholdExceeded(Exception):
    """More records failed in a transform than its stageThreshold or totalThreshold allows."""


class ResolveOption:
    """How `toDF(options)` settles a choice field: action "KeepAsStruct", or "Project" to `target` (a
    Spark DataType). A lakebox frame holds no choices, so Project casts and KeepAsStruct keeps."""

    def __init__(self, path: str, action: str, target: Any = None):
        self.path, self.action, self.target = path, action, target


class DynamicFrame:
    """A Glue DynamicFrame backed by a Spark DataFrame (`toDF()` gives it back)."""

    def __init__(self, df: DataFrame, glue_ctx: Any, name: str = "", stage_errors: Any = None,
                 prior_errors: Optional[list] = None):
        if not isinstance(df, DataFrame):
            raise TypeError(f"lakebox's DynamicFrame wraps a Spark DataFrame, not {type(df).__name__}; "
                            "use DynamicFrame.fromDF(dataframe, glue_ctx, name)")
        self._df = df
        self.glue_ctx = glue_ctx
        self.name = name
        self._stage_errors = stage_errors  # RDD of JSON error records from the step that made this frame
        self._prior_errors = list(prior_errors or [])

    # -- making and leaving frames ------------------------------------------------------------------
    @staticmethod
    def fromDF(dataframe: DataFrame, glue_ctx: Any, name: str = "") -> "DynamicFrame":
        return DynamicFrame(dataframe, glue_ctx, name)

    def toDF(self, options: Optional[list] = None) -> DataFrame:
        df = self._df
        for option in options or []:
            action = str(option.action).upper()
            if action not in ("KEEPASSTRUCT", "PROJECT"):
                raise ValueError(f"Invalid resolve action {option.action}. Action must be one of KeepAsStruct "
                                 "and Project.")
            if action == "PROJECT":
                if option.target is None:
                    raise ValueError("Target type must be specified with project action.")
                df = ops.resolve_choice(df, [(option.path, f"cast:{option.target.simpleString()}")], "", None)
        return df

    def _next(self, df: DataFrame, name: Optional[str] = None, stage_errors: Any = None) -> "DynamicFrame":
        return DynamicFrame(df, self.glue_ctx, self.name if name is None else name, stage_errors,
                            self._all_errors())

    def _all_errors(self) -> list:
        return self._prior_errors + ([self._stage_errors] if self._stage_errors is not None else [])

    @property
    def _spark(self):
        return self._df.sparkSession

    # -- looking at a frame -------------------------------------------------------------------------
    def count(self) -> int:
        return self._df.count()

    def schema(self) -> gluetypes.StructType:
        return gluetypes.from_spark(self._df.schema)

    def printSchema(self) -> None:
        print("\n".join(["root", *self.schema().tree_lines()]) + "\n")

    def show(self, num_rows: int = 20) -> None:
        """The first records, one JSON object a line (as Glue prints them)."""
        for row in self._df.limit(num_rows).collect():
            print(_records.to_json(row.asDict(recursive=True)))

    def getNumPartitions(self) -> int:
        return self._df.rdd.getNumPartitions()

    def repartition(self, num_partitions: int, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
                    totalThreshold: int = 0) -> "DynamicFrame":
        return self._next(self._df.repartition(num_partitions))

    def coalesce(self, num_partitions: int, shuffle: bool = False, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> "DynamicFrame":
        df = self._df.repartition(num_partitions) if shuffle else self._df.coalesce(num_partitions)
        return self._next(df)

    # -- field transforms ---------------------------------------------------------------------------
    def apply_mapping(self, mappings: list, case_sensitive: bool = False, transformation_ctx: str = "",
                      info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> "DynamicFrame":
        return self._next(ops.apply_mapping(self._df, mappings, case_sensitive))

    def applyMapping(self, *args: Any, **kwargs: Any) -> "DynamicFrame":
        """The older name of apply_mapping (a leading DynamicFrame argument, as old scripts pass, is skipped)."""
        if args and isinstance(args[0], DynamicFrame):
            args = args[1:]
        return self.apply_mapping(*args, **kwargs)

    def select_fields(self, paths: list, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
                      totalThreshold: int = 0) -> "DynamicFrame":
        return self._next(ops.select_fields(self._df, paths))

    def drop_fields(self, paths: list, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
                    totalThreshold: int = 0) -> "DynamicFrame":
        return self._next(ops.drop_fields(self._df, paths))

    def rename_field(self, oldName: str, newName: str, transformation_ctx: str = "", info: str = "",
                     stageThreshold: int = 0, totalThreshold: int = 0) -> "DynamicFrame":
        return self._next(ops.rename_field(self._df, oldName, newName))

    def resolveChoice(self, specs: Optional[list] = None, choice: str = "", database: Optional[str] = None,
                      table_name: Optional[str] = None, transformation_ctx: str = "", info: str = "",
                      stageThreshold: int = 0, totalThreshold: int = 0,
                      catalog_id: Optional[str] = None) -> "DynamicFrame":
        if isinstance(specs, tuple):  # one (path, action) spec, as Glue accepts
            specs = [specs]
        wants_catalog = choice == "match_catalog" or any(
            isinstance(s, (tuple, list)) and len(s) == 2 and s[1] == "match_catalog" for s in specs or [])
        columns = None
        if wants_catalog:
            if not database or not table_name:
                raise ValueError("resolveChoice with match_catalog needs database and table_name")
            from .catalog import CatalogTable
            columns = CatalogTable.load(database, table_name, catalog_id).types_by_name()
        return self._next(ops.resolve_choice(self._df, specs, choice, columns))

    def drop_null_fields(self, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
                         totalThreshold: int = 0) -> "DynamicFrame":
        return self._next(ops.drop_null_fields(self._df))

    def unnest(self, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
               totalThreshold: int = 0) -> "DynamicFrame":
        return self._next(ops.unnest(self._df))

    def unbox(self, path: str, format: str, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
              totalThreshold: int = 0, **options: Any) -> "DynamicFrame":
        """A string field holding JSON, parsed into the structure its values show."""
        if format != "json":
            raise NotImplementedError(f"lakebox's unbox reads json only, not {format!r}")
        segments = resolve(self._df.schema, path)
        if segments is None:
            return self._next(self._df)
        texts = self._df.select(ops.column(segments)).na.drop().rdd.map(lambda row: row[0])
        schema = self._spark.read.json(texts).schema
        return self._next(ops.replace(self._df, segments, F.from_json(ops.column(segments), schema)))

    # -- record functions ---------------------------------------------------------------------------
    def filter(self, f: Callable[[dict], bool], transformation_ctx: str = "", info: str = "",
               stageThreshold: int = 0, totalThreshold: int = 0) -> "DynamicFrame":
        tagged = self._df.rdd.map(_records.guarded(f, "filter"))
        kept = tagged.filter(lambda t: t[0] == 0).map(lambda t: t[1])
        frame = self._next(self._spark.createDataFrame(kept, self._df.schema), stage_errors=_errors_of(tagged))
        return frame._checked(stageThreshold, totalThreshold)

    def map(self, f: Callable[[dict], dict], preservesPartitioning: bool = False, transformation_ctx: str = "",
            info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> "DynamicFrame":
        tagged = self._df.rdd.map(_records.guarded(f, "map"))
        texts = tagged.filter(lambda t: t[0] == 0).map(lambda t: t[1])
        mapped = ops.restore_types(self._spark.read.json(texts), self._df.schema)
        frame = self._next(mapped, stage_errors=_errors_of(tagged))
        return frame._checked(stageThreshold, totalThreshold)

    # -- frames from frames -------------------------------------------------------------------------
    def join(self, paths1: Any, paths2: Any, frame2: "DynamicFrame", transformation_ctx: str = "", info: str = "",
             stageThreshold: int = 0, totalThreshold: int = 0) -> "DynamicFrame":
        return self._next(ops.join(self._df, frame2.toDF(), paths1, paths2))

    def union(self, other_frame: "DynamicFrame", transformation_ctx: str = "", info: str = "",
              stageThreshold: int = 0, totalThreshold: int = 0) -> "DynamicFrame":
        return self._next(self._df.unionByName(other_frame.toDF(), allowMissingColumns=True))

    def mergeDynamicFrame(self, stage_dynamic_frame: "DynamicFrame", primary_keys: list,
                          transformation_ctx: str = "", options: Optional[dict] = None, info: str = "",
                          stageThreshold: int = 0, totalThreshold: int = 0) -> "DynamicFrame":
        """Records of the staging frame replace this frame's records with the same primary keys."""
        staged = stage_dynamic_frame.toDF()
        keys = ops.as_list(primary_keys)
        kept = self._df.join(staged.select(*keys).distinct(), on=keys, how="left_anti")
        return self._next(kept.unionByName(staged, allowMissingColumns=True))

    def split_fields(self, paths: list, name1: Optional[str] = None, name2: Optional[str] = None,
                     transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
                     totalThreshold: int = 0) -> "DynamicFrameCollection":
        name1 = name1 if name1 is not None else f"{self.name}1"
        name2 = name2 if name2 is not None else f"{self.name}2"
        chosen = self._next(ops.select_fields(self._df, paths), name1)
        rest = self._next(ops.drop_fields(self._df, paths), name2)
        return DynamicFrameCollection({name1: chosen, name2: rest}, self.glue_ctx)

    def split_rows(self, comparison_dict: dict, name1: str = "frame1", name2: str = "frame2",
                   transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
                   totalThreshold: int = 0) -> "DynamicFrameCollection":
        condition = ops.split_rows_condition(self._df, comparison_dict)
        matching = self._next(self._df.filter(condition), name1)
        others = self._next(self._df.filter(~F.coalesce(condition, F.lit(False))), name2)
        return DynamicFrameCollection({name1: matching, name2: others}, self.glue_ctx)

    def relationalize(self, root_table_name: str, staging_path: str, options: Optional[dict] = None,
                      transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
                      totalThreshold: int = 0) -> "DynamicFrameCollection":
        from ._relationalize import relationalize
        frames = relationalize(self._df, root_table_name)
        return DynamicFrameCollection({name: self._next(df, name) for name, df in frames.items()}, self.glue_ctx)

    def spigot(self, path: str, options: Optional[dict] = None, transformation_ctx: str = "") -> "DynamicFrame":
        """Writes a sample of the records (`topk`, default 100; or a `prob` fraction) to `path` as JSON."""
        options = options or {}
        sample = self._df
        if "prob" in options:
            sample = sample.sample(fraction=float(options["prob"]))
        sample = sample.limit(int(options.get("topk", 100)))
        sample.write.mode("append").json(path)
        return self

    def write(self, connection_type: str, connection_options: Optional[dict] = None, format: Optional[str] = None,
              format_options: Optional[dict] = None, accumulator_size: int = 0) -> "DynamicFrame":
        return self.glue_ctx.write_dynamic_frame.from_options(self, connection_type, connection_options or {},
                                                               format, format_options or {})

    # -- error records ------------------------------------------------------------------------------
    def errorsCount(self) -> int:
        return sum(rdd.count() for rdd in self._all_errors())

    def stageErrorsCount(self) -> int:
        return self._stage_errors.count() if self._stage_errors is not None else 0

    def errorsAsDynamicFrame(self) -> "DynamicFrame":
        """One record per failed input: `error` (the exception) and `record` (the input as JSON)."""
        errors = self._all_errors()
        rows = errors[0] if errors else self._spark.sparkContext.emptyRDD()
        for rdd in errors[1:]:
            rows = rows.union(rdd)
        df = self._spark.createDataFrame(rows.map(json.loads), "error string, record string")
        return DynamicFrame(df, self.glue_ctx, f"{self.name}_errors")

    def assertErrorThreshold(self) -> None:
        count = self.errorsCount()
        if count:
            raise ErrorThresholdExceeded(f"{count} record(s) failed in the transforms of DynamicFrame {self.name!r}")

    def _checked(self, stage_threshold: int, total_threshold: int) -> "DynamicFrame":
        if stage_threshold and self.stageErrorsCount() > stage_threshold:
            raise ErrorThresholdExceeded(f"{self.stageErrorsCount()} record(s) failed, more than the "
                                         f"stageThreshold {stage_threshold}")
        if total_threshold and self.errorsCount() > total_threshold:
            raise ErrorThresholdExceeded(f"{self.errorsCount()} record(s) failed in all, more than the "
                                         f"totalThreshold {total_threshold}")
        return self

    def __repr__(self) -> str:
        return f"DynamicFrame(name={self.name!r}, columns={self._df.columns})"


def _errors_of(tagged: Any) -> Any:
    return tagged.filter(lambda t: t[0] == 1).map(lambda t: t[1])


class DynamicFrameCollection:
    """Named DynamicFrames, as SplitFields, SplitRows and Relationalize return them."""

    def __init__(self, dynamic_frames: Any, glue_ctx: Any):
        if isinstance(dynamic_frames, list):  # a list of frames is keyed by their names, as on Glue
            dynamic_frames = {frame.name: frame for frame in dynamic_frames}
        elif not isinstance(dynamic_frames, dict):
            raise TypeError("dynamic_frames must be list or dict.")
        self._frames = dict(dynamic_frames)
        self.glue_ctx = glue_ctx

    def __getitem__(self, key: str) -> DynamicFrame:
        return self._frames[key]

    def __len__(self) -> int:
        return len(self._frames)

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def keys(self):
        return self._frames.keys()

    def values(self):
        return self._frames.values()

    def select(self, key: str, transformation_ctx: str = "") -> DynamicFrame:
        """The frame named key; an empty frame of that name when the collection has none (as on Glue,
        where e.g. Relationalize makes no child table for a frame without arrays)."""
        if key not in self._frames:
            spark = self.glue_ctx.spark_session
            empty = spark.createDataFrame(spark.sparkContext.emptyRDD(), "struct<>")
            return DynamicFrame(empty, self.glue_ctx, key)
        return self._frames[key]

    def map(self, callable: Callable, transformation_ctx: str = "") -> "DynamicFrameCollection":
        """callable(frame, transformation_ctx) -> DynamicFrame, applied to each frame."""
        return DynamicFrameCollection({k: callable(v, f"{transformation_ctx}:{k}") for k, v in self._frames.items()},
                                      self.glue_ctx)

    def flatmap(self, f: Callable, transformation_ctx: str = "") -> "DynamicFrameCollection":
        """Like map, but f may return a DynamicFrameCollection, whose frames are all kept."""
        out: dict = {}
        for key, frame in self._frames.items():
            result = f(frame, f"{transformation_ctx}:{key}")
            if isinstance(result, DynamicFrameCollection):
                out.update(result._frames)
            else:
                out[key] = result
        return DynamicFrameCollection(out, self.glue_ctx)

    def __repr__(self) -> str:
        return f"DynamicFrameCollection({sorted(self._frames)})"
