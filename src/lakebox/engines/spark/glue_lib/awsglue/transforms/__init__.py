"""Glue's transform classes (`ApplyMapping.apply(frame=..., ...)`); `from awsglue.transforms import *` works.

Only capitalized class names are exported, so a star import cannot shadow a builtin or a name from
`pyspark.sql.functions` in the user's script.
"""

from .field_transforms import (ApplyMapping, DropFields, DropNullFields, RenameField, ResolveChoice, SelectFields,
                               SplitFields, Unbox, UnnestFrame)
from .record_transforms import (Coalesce, ErrorsAsDynamicFrame, Filter, FlatMap, Join, Map, MapToCollection,
                                Relationalize, Repartition, SelectFromCollection, Spigot, SplitRows, Union)
from .transform import GlueTransform

__all__ = ["ApplyMapping", "Coalesce", "DropFields", "DropNullFields", "ErrorsAsDynamicFrame", "Filter", "FlatMap",
           "GlueTransform", "Join", "Map", "MapToCollection", "Relationalize", "RenameField", "Repartition",
           "ResolveChoice", "SelectFields", "SelectFromCollection", "Spigot", "SplitFields", "SplitRows", "Unbox",
           "Union", "UnnestFrame"]
