"""`DataSource`: the object form of a read (`glueContext.getSource(...)`, then `getFrame()`).

Why kept: older Glue scripts and generated ones build a source, set its format and ask for the frame;
the read itself is the same as `create_dynamic_frame.from_options` / `from_catalog`.
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = ["DataSource"]


class DataSource:
    def __init__(self, glue_context: Any, connection_type: str, options: dict, format: Optional[str] = None,
                 transformation_ctx: str = "", push_down_predicate: str = ""):
        self._ctx = glue_context
        self.connection_type = connection_type
        self.options = dict(options)
        self.format = format
        self.format_options: dict = {}
        self.transformation_ctx = transformation_ctx
        self.push_down_predicate = push_down_predicate

    def setFormat(self, format: str, **options: Any) -> None:
        self.format = format
        self.format_options = options

    def getFrame(self, **options: Any):
        if self.connection_type == "catalog":
            return self._ctx.create_dynamic_frame_from_catalog(
                self.options["database"], self.options["table_name"], transformation_ctx=self.transformation_ctx,
                push_down_predicate=self.push_down_predicate, additional_options=self.options["additional_options"],
                catalog_id=self.options["catalog_id"])
        return self._ctx.create_dynamic_frame_from_options(
            self.connection_type, {**self.options, **options}, self.format, self.format_options,
            self.transformation_ctx, self.push_down_predicate)

    def getDataFrame(self, **options: Any):
        return self.getFrame(**options).toDF()
