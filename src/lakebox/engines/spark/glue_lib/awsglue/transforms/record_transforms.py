"""The transforms over whole records and frames: filter, map, join, split rows, sample, collections."""

from __future__ import annotations

from typing import Any, Callable, Optional

from .transform import GlueTransform


class Filter(GlueTransform):
    """Keeps the records for which f(record) is true; f gets each record as a dict."""

    def __call__(self, frame: Any, f: Callable, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.filter(f, transformation_ctx, info, stageThreshold, totalThreshold)


class Map(GlueTransform):
    """Replaces each record (a dict) by f(record)."""

    def __call__(self, frame: Any, f: Callable, preservesPartitioning: bool = False, transformation_ctx: str = "",
                 info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.map(f, preservesPartitioning, transformation_ctx, info, stageThreshold, totalThreshold)


class Join(GlueTransform):
    """Equality join of two frames on keys1 (of frame1) = keys2 (of frame2)."""

    def __call__(self, frame1: Any, frame2: Any, keys1: Any, keys2: Any, transformation_ctx: str = "") -> Any:
        return frame1.join(keys1, keys2, frame2, transformation_ctx)


class Union(GlueTransform):
    """Every record of frame1 and of frame2 (fields matched by name; a field one frame lacks is null)."""

    def __call__(self, frame1: Any, frame2: Any, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame1.union(frame2, transformation_ctx, info, stageThreshold, totalThreshold)


class Repartition(GlueTransform):
    """The frame spread over num_partitions partitions (a shuffle)."""

    def __call__(self, frame: Any, num_partitions: int, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.repartition(num_partitions, transformation_ctx, info, stageThreshold, totalThreshold)


class Coalesce(GlueTransform):
    """The frame in at most num_partitions partitions (no shuffle unless asked)."""

    def __call__(self, frame: Any, num_partitions: int, shuffle: bool = False, transformation_ctx: str = "",
                 info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.coalesce(num_partitions, shuffle, transformation_ctx, info, stageThreshold, totalThreshold)


class SplitRows(GlueTransform):
    """Two frames: records meeting every comparison ({path: {operator: value}}), and the others."""

    def __call__(self, frame: Any, comparison_dict: dict, name1: str = "frame1", name2: str = "frame2",
                 transformation_ctx: str = "", info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.split_rows(comparison_dict, name1, name2, transformation_ctx, info, stageThreshold,
                                totalThreshold)

    @classmethod
    def describeReturn(cls) -> dict:
        return {"type": "DynamicFrameCollection"}


class Spigot(GlueTransform):
    """Writes a sample of the records to a path (JSON) and passes the frame on unchanged."""

    def __call__(self, frame: Any, path: str, options: Optional[dict] = None, transformation_ctx: str = "") -> Any:
        return frame.spigot(path, options, transformation_ctx)


class Relationalize(GlueTransform):
    """Flattens nested data into a root table and one table per array field."""

    def __call__(self, frame: Any, staging_path: str = "", name: str = "roottable", options: Optional[dict] = None,
                 transformation_ctx: str = "", info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.relationalize(name, staging_path, options, transformation_ctx, info, stageThreshold,
                                   totalThreshold)

    @classmethod
    def describeReturn(cls) -> dict:
        return {"type": "DynamicFrameCollection"}


class ErrorsAsDynamicFrame(GlueTransform):
    """The error records of a frame's transforms, as a frame."""

    def __call__(self, frame: Any) -> Any:
        return frame.errorsAsDynamicFrame()


class SelectFromCollection(GlueTransform):
    """One frame of a DynamicFrameCollection, by key."""

    def __call__(self, dfc: Any, key: str, transformation_ctx: str = "") -> Any:
        return dfc.select(key, transformation_ctx)


class MapToCollection(GlueTransform):
    """A transform class applied to every frame of a collection."""

    def __call__(self, dfc: Any, callable: Any, transformation_ctx: str = "") -> Any:
        return dfc.map(callable, transformation_ctx)

    @classmethod
    def describeReturn(cls) -> dict:
        return {"type": "DynamicFrameCollection"}


class FlatMap(GlueTransform):
    """A transform applied to every frame of a collection; collections it returns are merged."""

    def __call__(self, dfc: Any, BaseTransform: Any, frame_name: str = "frame", transformation_ctx: str = "",
                 **base_kwargs: Any) -> Any:
        def each(frame: Any, ctx: str) -> Any:
            return BaseTransform.apply(**{frame_name: frame, "transformation_ctx": ctx, **base_kwargs})
        return dfc.flatmap(each, transformation_ctx)

    @classmethod
    def describeReturn(cls) -> dict:
        return {"type": "DynamicFrameCollection"}
