"""Crawler grouping: the pure engine that turns the files a crawler sampled into tables and
partitions.

    plans = group_tables("s3://lake/bronze/", leaf_files, table_prefix="raw_")

Input is one `LeafFile` per sampled object (its key relative to the crawler target, its size and the
`FileSchema` the per-file engine inferred). Output is one `TablePlan` per table, with its partition
keys and one `PartitionPlan` per partition folder, ordered by location. Nothing here touches S3 or
the catalog: the crawler service feeds it and writes what it returns.

The AWS behaviour followed (AWS Glue developer guide: "How does a crawler determine when to create
partitions?", "Creating a single schema for each Amazon S3 include path", "Specifying the table
location and partitioning level"; AWS knowledge center: "How does the AWS Glue crawler detect the
schema?" and "troubleshoot missing partitions after an incremental crawl"):

- The include path is the first candidate table root. When everything below a candidate root can
  be one table, it is one table, named after the root folder (the bucket when the target is a
  bucket), and the folders between the root and the data files are its partitions. Otherwise each
  child folder becomes a candidate root in turn, and each data file lying directly in the failed
  folder becomes a table of its own, named after the file (AWS: "files and folders present at the
  same level" give extra tables).
- The files below a candidate root can be one table when all of these hold:
  - data compatibility: one format (classification) and one compression type;
  - one folder structure: every file lies at the same depth below the root, so every partition
    has the same number of values;
  - schema similarity, AWS's two conditions: the partition threshold is higher than 0.7, and there
    are at most five distinct schemas ("clusters").
- The partition threshold, as AWS defines it, is a share of *files*, not of columns: the fraction
  of the sampled files that have the table's (the dominant) schema. AWS states it for incremental
  crawls as "more than 70% of the files in a partition must have the same schema as the table",
  and the knowledge-center article's examples count files (most files share one schema and a few
  have another: one table whose columns are the union of both). Here: the sampled files below the
  root are clustered by schema; the threshold is the size of the largest cluster divided by the
  number of files, and it must be strictly greater than 0.7. Two sibling folders of one file each
  with unrelated schemas give 0.5 and split, as in AWS's `year=2017`/`year=2018` example (tables
  `year_2017` and `year_2018`).
- "Same schema" (membership of a cluster) is decided column-wise by `schema_similarity`: a file
  joins a cluster when every column of the smaller of the two schemas appears, by name and with a
  type that can be merged, in the other. So a partition that only adds columns stays with its
  table (schema evolution), and a file with unrelated columns starts a new cluster. This column
  measure is lakebox's reading; AWS does not publish its own.
- `CombineCompatibleSchemas` (TableGroupingPolicy): "the crawler still considers data compatibility,
  but ignores the similarity of the specific schemas", so the threshold and the cluster count are
  skipped; format, compression and folder structure still split.
- `TableLevelConfiguration`: the table is created at that absolute level, counted as AWS counts it
  with the bucket as level 1 (AWS's example: for `mydataset/year/month/day/hour` at level 3 the
  table is `mydataset/year/month`). A forced root is never split by the rules above. When
  the level is at or above the target, the target is the root; a file lying above the level belongs
  to a table rooted at its own folder. Below a forced root, partitions go down to the shallowest
  data folder.
- Partition keys: a folder level where every folder is Hive-style `key=value` with one key gives a
  column named `key` (type string, the value is the text after `=`); any other level gives
  `partition_<i>`, counted from 0 below the table root. The table's columns exclude the partition
  keys.
- Table names are sanitized as Glue's crawler does: TablePrefix + folder name, lower-cased, each
  character other than `a-z`, `0-9` and `_` replaced by `_` (`year=2017` -> `year_2017`). lakebox's
  choice: two tables of one crawl that would share a name get `_<8 hex of the location's md5>`
  appended to the later one (by location), so names stay unique and stable from crawl to crawl.

Counts (`record_count`, `object_count`, `size`) are sums over the sampled files given.

Imports: the standard library only. The per-file engine's `merge_columns` is looked up when first
needed, so this module loads before `crawler_infer` exists; callers may pass their own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

PARTITION_THRESHOLD = 0.7  # the share of files in the dominant schema must be strictly above it
MAX_SCHEMA_CLUSTERS = 5  # "the maximum number of different schemas ... doesn't exceed five"

_HIVE_FOLDER = re.compile(r"([^=]+)=(.*)", re.DOTALL)
_NOT_NAME_CHAR = re.compile(r"[^a-z0-9_]")


class FileSchemaLike(Protocol):
    """What grouping reads from the per-file engine's `FileSchema`."""

    classification: str
    compression: str | None
    columns: list[dict]
    record_count: int | None


MergeColumns = Callable[[list[dict], list[dict]], list[dict]]


@dataclass
class LeafFile:
    key: str  # relative to the crawler target: "orders/year=2024/month=01/day=15/part-0.json"
    size: int
    schema: Any  # a FileSchema


@dataclass
class PartitionPlan:
    values: list[str]
    location: str
    columns: list[dict]
    record_count: int = 0
    object_count: int = 0
    size: int = 0


@dataclass
class TablePlan:
    name: str
    location: str
    columns: list[dict]
    partition_keys: list[dict]
    partitions: list[PartitionPlan]
    schema: Any
    record_count: int = 0
    object_count: int = 0
    size: int = 0


def table_name(raw: str, prefix: str = "") -> str:
    """The catalog name of a table found at folder (or file) `raw`, as the crawler sanitizes it."""
    return _NOT_NAME_CHAR.sub("_", (prefix + raw).lower())


def schema_similarity(a: list[dict], b: list[dict]) -> float:
    """How much of the smaller schema the other one contains: the share of its columns that appear
    in the other, by name (case-insensitive) with a type that can be merged. 1.0 means one schema is
    the other plus, at most, extra columns: what makes two files "the same schema" for clustering.
    """
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    types = {column["Name"].lower(): column.get("Type", "") for column in large}
    matched = sum(
        1
        for column in small
        if column["Name"].lower() in types
        and _types_mergeable(column.get("Type", ""), types[column["Name"].lower()])
    )
    return matched / len(small)


def group_tables(
    target_url: str,
    files: list[LeafFile],
    *,
    table_prefix: str = "",
    table_level: int | None = None,
    combine_compatible: bool = False,
    merge_columns: MergeColumns | None = None,
) -> list[TablePlan]:
    """Group the sampled files under `target_url` into tables and partitions (module doc)."""
    merge = merge_columns or _infer_merge_columns
    bucket, prefix_parts = _split_target(target_url)
    base = f"s3://{bucket}/" + "".join(part + "/" for part in prefix_parts)
    root_name = prefix_parts[-1] if prefix_parts else bucket
    entries = sorted((_Entry.of(leaf) for leaf in files), key=lambda entry: entry.leaf.key)
    if not entries:
        return []

    if table_level is not None:
        target_level = 1 + len(prefix_parts)
        groups = _forced_groups(entries, max(0, table_level - target_level))
    else:
        groups = _Grouper(combine_compatible).split((), entries)

    plans = [_plan(group, base, root_name, table_prefix, merge) for group in groups]
    plans.sort(key=lambda plan: plan.location)
    _make_names_unique(plans)
    return plans


# --- grouping -------------------------------------------------------------------------------------


@dataclass
class _Entry:
    leaf: LeafFile
    folders: tuple[str, ...]  # the folder path below the target
    file_name: str

    @classmethod
    def of(cls, leaf: LeafFile) -> _Entry:
        parts = [part for part in leaf.key.split("/") if part]
        return cls(leaf, tuple(parts[:-1]), parts[-1] if parts else "")


@dataclass
class _Group:
    """A table to be: its root folder below the target, or one file standing as its own table."""

    root: tuple[str, ...]
    entries: list[_Entry]
    single_file: _Entry | None = None
    # partitions go this many folders deep below `root`
    partition_depth: int = 0


@dataclass
class _Grouper:
    combine_compatible: bool

    def split(self, root: tuple[str, ...], entries: list[_Entry]) -> list[_Group]:
        if self._one_table(root, entries):
            return [_Group(root, entries, partition_depth=len(entries[0].folders) - len(root))]
        direct = [entry for entry in entries if len(entry.folders) == len(root)]
        below: dict[str, list[_Entry]] = {}
        for entry in entries:
            if len(entry.folders) > len(root):
                below.setdefault(entry.folders[len(root)], []).append(entry)
        groups = [_Group(root, [entry], single_file=entry) for entry in direct]
        for child in sorted(below):
            groups.extend(self.split(root + (child,), below[child]))
        return groups

    def _one_table(self, root: tuple[str, ...], entries: list[_Entry]) -> bool:
        if len({len(entry.folders) for entry in entries}) > 1:
            return False  # partitions would not have the same number of values
        if len({_data_format(entry.leaf.schema) for entry in entries}) > 1:
            return False
        if self.combine_compatible:
            return True
        clusters = _schema_clusters(entries)
        if len(clusters) > MAX_SCHEMA_CLUSTERS:
            return False
        return max(clusters) / len(entries) > PARTITION_THRESHOLD


def _forced_groups(entries: list[_Entry], depth: int) -> list[_Group]:
    """TableLevelConfiguration: one table per folder at `depth` below the target, never split."""
    by_root: dict[tuple[str, ...], list[_Entry]] = {}
    for entry in entries:
        by_root.setdefault(entry.folders[:depth], []).append(entry)
    return [
        _Group(root, members, partition_depth=min(len(e.folders) for e in members) - len(root))
        for root, members in by_root.items()
    ]


def _schema_clusters(entries: Iterable[_Entry]) -> list[int]:
    """The size of each cluster of files sharing a schema; a cluster's schema grows as files join
    (union of their columns), so the order of the files (by key) is the order of the clustering."""
    clusters: list[tuple[dict[str, str], int]] = []
    for entry in entries:
        columns = list(entry.leaf.schema.columns)
        for index, (shape, size) in enumerate(clusters):
            as_list = [{"Name": name, "Type": type_} for name, type_ in shape.items()]
            if schema_similarity(as_list, columns) == 1.0:
                grown = dict(shape)
                for column in columns:
                    grown.setdefault(column["Name"].lower(), column.get("Type", ""))
                clusters[index] = (grown, size + 1)
                break
        else:
            clusters.append(({c["Name"].lower(): c.get("Type", "") for c in columns}, 1))
            if len(clusters) > MAX_SCHEMA_CLUSTERS:
                break  # already too many: the level splits whatever the rest holds
    return [size for _, size in clusters]


def _data_format(schema: Any) -> tuple[str, str]:
    return (
        (schema.classification or "").lower(),
        (getattr(schema, "compression", None) or "none").lower(),
    )


_NUMERIC = re.compile(r"(tinyint|smallint|int|integer|bigint|long|float|double|decimal.*)")
_FAMILIES = (
    ("numeric", _NUMERIC),
    ("string", re.compile(r"(string|char.*|varchar.*)")),
    ("boolean", re.compile(r"boolean")),
    ("time", re.compile(r"(date|timestamp)")),
    ("array", re.compile(r"array<.*")),
    ("struct", re.compile(r"struct<.*")),
    ("map", re.compile(r"map<.*")),
)


def _type_family(type_: str) -> str:
    normalized = type_.replace(" ", "").lower()
    for family, pattern in _FAMILIES:
        if pattern.fullmatch(normalized):
            return family
    return normalized


def _types_mergeable(a: str, b: str) -> bool:
    """Same family, or one side a string (type widening ends in string)."""
    fa, fb = _type_family(a), _type_family(b)
    return fa == fb or "string" in (fa, fb)


# --- plans ----------------------------------------------------------------------------------------


def _plan(group: _Group, base: str, root_name: str, prefix: str, merge: MergeColumns) -> TablePlan:
    root_url = base + "".join(part + "/" for part in group.root)
    if group.single_file is not None:
        entry = group.single_file
        return TablePlan(
            name=table_name(entry.file_name, prefix),
            location=root_url + entry.file_name,
            columns=_merged([entry], merge, excluded=set()),
            partition_keys=[],
            partitions=[],
            schema=entry.leaf.schema,
            **_totals([entry]),
        )

    depth = group.partition_depth
    start = len(group.root)
    keys = _partition_keys([entry.folders[start : start + depth] for entry in group.entries])
    excluded = {key["Name"].lower() for key in keys}
    by_folder: dict[tuple[str, ...], list[_Entry]] = {}
    for entry in group.entries:
        by_folder.setdefault(entry.folders[start : start + depth], []).append(entry)
    partitions = (
        [
            PartitionPlan(
                values=[_partition_value(folder) for folder in folders],
                location=root_url + "".join(folder + "/" for folder in folders),
                columns=_merged(members, merge, excluded),
                **_totals(members),
            )
            for folders, members in by_folder.items()
        ]
        if depth
        else []
    )
    partitions.sort(key=lambda partition: partition.location)
    return TablePlan(
        name=table_name(group.root[-1] if group.root else root_name, prefix),
        location=root_url,
        columns=_merged(group.entries, merge, excluded),
        partition_keys=keys,
        partitions=partitions,
        schema=_representative(group.entries),
        **_totals(group.entries),
    )


def _partition_keys(paths: list[tuple[str, ...]]) -> list[dict]:
    depth = len(paths[0]) if paths else 0
    keys = []
    for level in range(depth):
        matches = [_HIVE_FOLDER.fullmatch(path[level]) for path in paths]
        names = {match.group(1).lower() for match in matches if match}
        if all(matches) and len(names) == 1:
            keys.append({"Name": names.pop(), "Type": "string"})
        else:
            keys.append({"Name": f"partition_{level}", "Type": "string"})
    return keys


def _partition_value(folder: str) -> str:
    match = _HIVE_FOLDER.fullmatch(folder)
    return match.group(2) if match else folder


def _merged(entries: list[_Entry], merge: MergeColumns, excluded: set[str]) -> list[dict]:
    columns: list[dict] = []
    for entry in entries:
        columns = merge(columns, list(entry.leaf.schema.columns)) if columns else list(
            entry.leaf.schema.columns
        )
    return [column for column in columns if column["Name"].lower() not in excluded]


def _totals(entries: list[_Entry]) -> dict[str, int]:
    return {
        "record_count": sum(entry.leaf.schema.record_count or 0 for entry in entries),
        "object_count": len(entries),
        "size": sum(entry.leaf.size for entry in entries),
    }


def _representative(entries: list[_Entry]) -> Any:
    """The first file (by key) of the dominant format: its serde, formats and parameters."""
    counts: dict[tuple[str, str], int] = {}
    for entry in entries:
        fmt = _data_format(entry.leaf.schema)
        counts[fmt] = counts.get(fmt, 0) + 1
    dominant = max(counts, key=lambda fmt: (counts[fmt], fmt))
    return next(e.leaf.schema for e in entries if _data_format(e.leaf.schema) == dominant)


def _make_names_unique(plans: list[TablePlan]) -> None:
    seen: set[str] = set()
    for plan in plans:
        if plan.name in seen:
            plan.name += "_" + hashlib.md5(plan.location.encode()).hexdigest()[:8]
        seen.add(plan.name)


def _split_target(target_url: str) -> tuple[str, list[str]]:
    without_scheme = re.sub(r"^s3a?://", "", target_url, flags=re.IGNORECASE)
    bucket, _, rest = without_scheme.partition("/")
    return bucket, [part for part in rest.split("/") if part]


def _infer_merge_columns(a: list[dict], b: list[dict]) -> list[dict]:
    # Looked up on use: the per-file engine may be written after this module.
    from lakebox.services.glue.crawler_infer import merge_columns

    return merge_columns(a, b)


__all__ = [
    "MAX_SCHEMA_CLUSTERS",
    "PARTITION_THRESHOLD",
    "FileSchemaLike",
    "LeafFile",
    "PartitionPlan",
    "TablePlan",
    "group_tables",
    "schema_similarity",
    "table_name",
]
