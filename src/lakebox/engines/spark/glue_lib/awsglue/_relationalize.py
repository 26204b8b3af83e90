"""Relationalize: a nested frame as flat tables, the way Glue prepares JSON for a relational store.

Why its own module: the recursion (structs flattened, each array moved to a child table linked by
an id) is the one transform that creates frames rather than changing one. Layout, as Glue documents:
the root table has struct fields flattened to `a.b` and each array field replaced by a number; the
child table `<root>_<field>` has `id` (that number), `index` (the element's position) and the element
as `<field>.val` (flattened to `<field>.val.x` when the elements are structs); arrays inside elements
recurse into further tables.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from ._fields import quote
from ._frame_ops import unnest


def relationalize(df: DataFrame, root_table_name: str) -> dict[str, DataFrame]:
    tables: dict[str, DataFrame] = {}
    _emit(unnest(df), root_table_name, tables)
    return tables


def _emit(df: DataFrame, name: str, tables: dict[str, DataFrame]) -> None:
    arrays = [f.name for f in df.schema.fields if isinstance(f.dataType, T.ArrayType)]
    if not arrays:
        tables[name] = df
        return
    # Row numbers are computed from the frame's own partitioning, so the parent's and each child's
    # plans (which share this input) number rows alike.
    numbered = df.withColumn("__glue_row", F.monotonically_increasing_id() + 1)
    parent = []
    for field in df.schema.fields:
        ref = F.col(quote(field.name))
        if field.name in arrays:
            parent.append(F.when(ref.isNotNull(), F.col("__glue_row")).alias(field.name))
        else:
            parent.append(ref)
    tables[name] = numbered.select(*parent)
    for array in arrays:
        child = numbered.select(F.col("__glue_row").alias("id"),
                                F.posexplode(F.col(quote(array))).alias("index", f"{array}.val"))
        _emit(unnest(child), f"{name}_{array}", tables)
