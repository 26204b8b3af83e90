"""The field-level DynamicFrame transforms, as functions from a Spark DataFrame to a Spark DataFrame.

Why separate from dynamicframe.py: these are the parts with logic (paths into nested structs, casts,
schema bookkeeping); the DynamicFrame class only wraps and names results. A lakebox DataFrame never
holds a choice type (Spark settles each column's type when it reads), so the choice-resolving actions
reduce to casts or to nothing, as they would on Glue for a frame without choices.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from ._fields import (NO_CAST, FieldTree, column, conform, find_field, join_path, parse_type, quote, resolve,
                      split_path)

CHOICE_ACTIONS = ("cast", "project", "make_cols", "make_struct", "match_catalog")


def as_list(paths: Any) -> list[str]:
    return [paths] if isinstance(paths, str) else list(paths)


def cast_to(expr: Column, source: T.DataType, type_name: str) -> Column:
    if type_name.strip().lower() in NO_CAST:
        return expr
    return conform(expr, source, parse_type(type_name))


def apply_mapping(df: DataFrame, mappings: Sequence, case_sensitive: bool = False) -> DataFrame:
    """Only the mapped fields, renamed and cast; a mapping whose source is absent yields no field.
    One mapping may be given as a bare tuple, as Glue accepts."""
    if isinstance(mappings, tuple):
        mappings = [mappings]
    tree = FieldTree()
    for mapping in mappings:
        if not isinstance(mapping, (tuple, list)) or len(mapping) != 4:
            raise ValueError(f"Mapping {mapping!r} must be a tuple (source path, source type, target path, "
                             "target type)")
        source, _source_type, target, target_type = mapping
        chain = find_field(df.schema, split_path(source), case_sensitive)
        if chain is None:
            continue
        expr = cast_to(column([f.name for f in chain]), chain[-1].dataType, target_type or "")
        tree.put(split_path(target), expr)
    return df.select(*tree.columns())


def select_fields(df: DataFrame, paths: Iterable[str]) -> DataFrame:
    """The named fields (nested ones keep their parent structs); unknown paths are skipped."""
    tree = FieldTree()
    for path in as_list(paths):
        segments = resolve(df.schema, path)
        if segments is not None:
            tree.put(segments, column(segments))
    return df.select(*tree.columns())


def drop_fields(df: DataFrame, paths: Iterable[str]) -> DataFrame:
    top = []
    for path in as_list(paths):
        segments = resolve(df.schema, path)
        if segments is None:
            continue
        if len(segments) == 1:
            top.append(segments[0])
        else:
            rest = ".".join(quote(s) for s in segments[1:])
            df = df.withColumn(segments[0], column(segments[:1]).dropFields(rest))
    return df.drop(*top) if top else df


def replace(df: DataFrame, segments: list[str], value: Column) -> DataFrame:
    """The frame with the field at `segments` set to `value` (created when absent)."""
    if len(segments) == 1:
        return df.withColumn(segments[0], value)
    parent = resolve(df.schema, segments[:1])
    rest = ".".join(quote(s) for s in segments[1:])
    if parent is None:
        tree = FieldTree()
        tree.put(segments[1:], value)
        return df.withColumn(segments[0], F.struct(*tree.columns()))
    return df.withColumn(parent[0], column(parent).withField(rest, value))


def rename_field(df: DataFrame, old_name: str, new_name: str) -> DataFrame:
    old = resolve(df.schema, old_name)
    if old is None:
        return df
    new = split_path(new_name)
    if new == old:
        return df
    if len(old) == 1 and len(new) == 1:
        return df.withColumnRenamed(old[0], new[0])
    # Set the new field first: the value refers to the old one, which must still exist.
    return drop_fields(replace(df, new, column(old)), [join_path(old)])


def resolve_choice(df: DataFrame, specs: Optional[Sequence], choice: str,
                   catalog_columns: Optional[dict[str, str]]) -> DataFrame:
    """Glue's ResolveChoice on a frame without choice types: casts, or nothing.

    `catalog_columns` ({name: type}) is given when an action is match_catalog.
    """
    if isinstance(specs, tuple):  # one (path, action) spec, as Glue accepts
        specs = [specs]
    if specs and choice:
        raise ValueError("resolveChoice takes either specs or choice, not both")
    if not specs and not choice:
        raise ValueError("resolveChoice needs specs (a list of (path, action)) or choice (one action for all)")
    if choice:
        kind = _action(choice)[0]
        return match_catalog(df, catalog_columns or {}) if kind == "match_catalog" else df
    for spec in specs:
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise ValueError(f"resolveChoice spec {spec!r} must be a tuple (path, action)")
        path, action = spec
        kind, type_name = _action(action)
        chain = find_field(df.schema, split_path(path))
        if chain is None:
            continue
        segments = [f.name for f in chain]
        if kind == "match_catalog":
            type_name = (catalog_columns or {}).get(segments[0].lower(), "")
            if not type_name or len(segments) != 1:
                continue
        elif kind in ("make_cols", "make_struct"):
            continue  # nothing to split: the field already has one type
        df = replace(df, segments, cast_to(column(segments), chain[-1].dataType, type_name))
    return df


def _action(action: str) -> tuple[str, str]:
    kind, _, type_name = str(action).partition(":")
    if kind not in CHOICE_ACTIONS:
        raise ValueError(f"Unknown resolveChoice action {action!r}: use cast:<type>, project:<type>, "
                         "make_cols, make_struct or match_catalog")
    if kind in ("cast", "project") and not type_name:
        raise ValueError(f"resolveChoice action {action!r} needs a type, e.g. {kind}:long")
    return kind, type_name


def match_catalog(df: DataFrame, catalog_columns: dict[str, str]) -> DataFrame:
    """Each top-level field cast to the type the catalog gives a column of its name."""
    out = []
    for field in df.schema.fields:
        type_name = catalog_columns.get(field.name.lower())
        expr = column([field.name])
        out.append((cast_to(expr, field.dataType, type_name) if type_name else expr).alias(field.name))
    return df.select(*out)


def drop_null_fields(df: DataFrame) -> DataFrame:
    """Without the top-level fields that are null (or missing) in every record."""
    if not df.columns:
        return df
    counts = df.agg(*[F.count(column([name])).alias(f"c{i}") for i, name in enumerate(df.columns)]).first()
    empty = [name for i, name in enumerate(df.columns) if counts is None or counts[i] == 0]
    return df.drop(*empty) if empty else df


def join(df1: DataFrame, df2: DataFrame, keys1: Any, keys2: Any) -> DataFrame:
    """Equality join; the result has frame1's fields, then frame2's (a name frame1 has is taken from frame1)."""
    keys1, keys2 = as_list(keys1), as_list(keys2)
    if len(keys1) != len(keys2) or not keys1:
        raise ValueError(f"Join needs as many keys for frame2 as for frame1 (got {keys1} and {keys2})")
    left, right = df1.alias("__glue_left"), df2.alias("__glue_right")
    condition = None
    for k1, k2 in zip(keys1, keys2):
        s1, s2 = resolve(df1.schema, k1), resolve(df2.schema, k2)
        if s1 is None or s2 is None:
            raise ValueError(f"Join key {k1 if s1 is None else k2!r} is not a field of its frame")
        term = F.col(f"__glue_left.{'.'.join(quote(s) for s in s1)}") == \
            F.col(f"__glue_right.{'.'.join(quote(s) for s in s2)}")
        condition = term if condition is None else condition & term
    taken = {name.lower() for name in df1.columns}
    columns = [F.col(f"__glue_left.{quote(n)}") for n in df1.columns]
    columns += [F.col(f"__glue_right.{quote(n)}") for n in df2.columns if n.lower() not in taken]
    return left.join(right, condition, "inner").select(*columns)


def unnest(df: DataFrame) -> DataFrame:
    """Nested struct fields become top-level fields named by their path (`address.city`)."""
    def flat(schema: T.StructType, prefix: list[str]) -> list[Column]:
        out = []
        for field in schema.fields:
            path = prefix + [field.name]
            if isinstance(field.dataType, T.StructType) and field.dataType.fields:
                out += flat(field.dataType, path)
            else:
                out.append(column(path).alias(".".join(path)))
        return out
    return df.select(*flat(df.schema, []))


_COMPARISONS = {"<": Column.__lt__, ">": Column.__gt__, "<=": Column.__le__, ">=": Column.__ge__,
                "=": Column.__eq__, "==": Column.__eq__, "!=": Column.__ne__}


def split_rows_condition(df: DataFrame, comparison_dict: dict) -> Column:
    """The condition of SplitRows: every `{path: {operator: value}}` comparison holds."""
    condition = F.lit(True)
    for path, comparisons in comparison_dict.items():
        segments = resolve(df.schema, path)
        for operator, value in comparisons.items():
            compare = _COMPARISONS.get(operator)
            if compare is None:
                raise ValueError(f"SplitRows operator {operator!r} is not one of {', '.join(_COMPARISONS)}")
            if segments is None:
                return F.lit(False)  # a record without the field satisfies no comparison on it
            condition = condition & compare(column(segments), F.lit(value))
    return condition


def restore_types(mapped: DataFrame, original: T.StructType) -> DataFrame:
    """After a map through JSON: fields that kept their name get back the type JSON could not carry
    (int from long, date/timestamp/decimal from text, binary from base64), in the original order."""
    natural = {T.IntegerType: T.LongType, T.ShortType: T.LongType, T.ByteType: T.LongType,
               T.FloatType: T.DoubleType, T.DateType: T.StringType, T.TimestampType: T.StringType,
               T.DecimalType: T.StringType, T.BinaryType: T.StringType}
    inferred = {f.name: f for f in mapped.schema.fields}
    columns, seen = [], set()
    for field in original.fields:
        now = inferred.get(field.name)
        if now is None:
            continue
        seen.add(field.name)
        expr = column([field.name])
        carrier = natural.get(type(field.dataType))
        if carrier is not None and isinstance(now.dataType, carrier):
            expr = F.unbase64(expr) if isinstance(field.dataType, T.BinaryType) else expr.cast(field.dataType)
        columns.append(expr.alias(field.name))
    columns += [column([name]) for name in mapped.columns if name not in seen]
    return mapped.select(*columns)
