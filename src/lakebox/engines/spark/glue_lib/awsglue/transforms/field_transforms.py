"""The transforms that change a frame's fields: mapping, selecting, dropping, renaming, casting."""

from __future__ import annotations

from typing import Any, Optional

from .transform import GlueTransform


class ApplyMapping(GlueTransform):
    """Keeps the mapped fields only, renamed and cast: mappings are (source, source type, target, target type)."""

    def __call__(self, frame: Any, mappings: list, case_sensitive: bool = False, transformation_ctx: str = "",
                 info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.apply_mapping(mappings, case_sensitive, transformation_ctx, info, stageThreshold, totalThreshold)


class SelectFields(GlueTransform):
    """Keeps only the named fields."""

    def __call__(self, frame: Any, paths: list, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.select_fields(paths, transformation_ctx, info, stageThreshold, totalThreshold)


class DropFields(GlueTransform):
    """Removes the named fields."""

    def __call__(self, frame: Any, paths: list, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.drop_fields(paths, transformation_ctx, info, stageThreshold, totalThreshold)


class RenameField(GlueTransform):
    """Renames one field (a dotted path for a nested one)."""

    def __call__(self, frame: Any, old_name: str, new_name: str, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.rename_field(old_name, new_name, transformation_ctx, info, stageThreshold, totalThreshold)


class ResolveChoice(GlueTransform):
    """Settles fields of several types: cast:<type>, project:<type>, make_cols, make_struct, match_catalog."""

    def __call__(self, frame: Any, specs: Optional[list] = None, choice: str = "", database: Optional[str] = None,
                 table_name: Optional[str] = None, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0, catalog_id: Optional[str] = None) -> Any:
        return frame.resolveChoice(specs, choice, database, table_name, transformation_ctx, info, stageThreshold,
                                   totalThreshold, catalog_id)


class DropNullFields(GlueTransform):
    """Removes the fields that are null in every record."""

    def __call__(self, frame: Any, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
                 totalThreshold: int = 0) -> Any:
        return frame.drop_null_fields(transformation_ctx, info, stageThreshold, totalThreshold)


class SplitFields(GlueTransform):
    """Two frames: the named fields, and the rest."""

    def __call__(self, frame: Any, paths: list, name1: Optional[str] = None, name2: Optional[str] = None,
                 transformation_ctx: str = "", info: str = "", stageThreshold: int = 0, totalThreshold: int = 0) -> Any:
        return frame.split_fields(paths, name1, name2, transformation_ctx, info, stageThreshold, totalThreshold)

    @classmethod
    def describeReturn(cls) -> dict:
        return {"type": "DynamicFrameCollection"}


class UnnestFrame(GlueTransform):
    """Nested struct fields become top-level fields named by their path."""

    def __call__(self, frame: Any, transformation_ctx: str = "", info: str = "", stageThreshold: int = 0,
                 totalThreshold: int = 0) -> Any:
        return frame.unnest(transformation_ctx, info, stageThreshold, totalThreshold)


class Unbox(GlueTransform):
    """A string field holding JSON becomes the structure it describes."""

    def __call__(self, frame: Any, path: str, format: str, transformation_ctx: str = "", info: str = "",
                 stageThreshold: int = 0, totalThreshold: int = 0, **options: Any) -> Any:
        return frame.unbox(path, format, transformation_ctx, info, stageThreshold, totalThreshold, **options)
