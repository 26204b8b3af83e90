"""Glue tables as DuckDB relations: the files under each (pruned) partition's Location, read in the
table's storage format with the Glue schema applied, never inferred.

`build_scan(...)` returns the SELECT that a temporary view wraps, and the bytes it reads, counted as
Athena counts DataScannedInBytes: whole files for text formats (CSV, JSON, regex), ORC and Avro; for
Parquet, the compressed column chunks of the columns the query names (`needed`), in every row group
(row groups that statistics would skip are still counted), plus each file's footer. A Parquet column
whose type in the file is already the Glue type is read as it is, without a CAST, so that DuckDB keeps
pushing projections and filters into the Parquet reader (row-group pruning by min/max).

Athena's hidden columns `"$path"`, `"$file_size"` and `"$file_modified_time"` are added when the query
names them (never to a `*`): the files are then read one SELECT each, with the file's values as
literals, the same way for every format.

Partition pruning evaluates the WHERE conjuncts that name only partition keys over the partitions'
values (cast to the Hive key types) in DuckDB itself, before any file is listed.
Parquet is read by DuckDB, ORC through pyarrow, text SerDes by `reader_text`, Avro by `reader_avro`;
SEQUENCEFILE, RCFILE and ION answer NOT_SUPPORTED. Projected partitions come from `projection`.
An Iceberg table (`table_type=ICEBERG`) is read from the files its current snapshot lists
(`iceberg`), a Delta Lake table (`table_type=DELTA`) from those its transaction log keeps live
(`delta`): never from a listing of the folder, which also holds the files of older versions.

Imports duckdb, pyarrow (Parquet footers, ORC) and this package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from . import bucketing, bz2_text, delta, iceberg, parquet_footers, projection, reader_avro, reader_text
from .errors import QueryError
from .types import HiveTypeError, hive_to_duckdb

PARQUET, JSON, CSV, ORC, AVRO, REGEX = "parquet", "json", "csv", "orc", "avro", "regex"

_JSON_SERDES = ("org.openx.data.jsonserde.JsonSerDe", "org.apache.hive.hcatalog.data.JsonSerDe",
                "org.apache.hadoop.hive.serde2.JsonSerDe")
_OPEN_CSV = reader_text.OPEN_CSV
_LAZY_SIMPLE = reader_text.LAZY_SIMPLE
_HIVE_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
#: Container formats with no reader here: (marker in the InputFormat or SerDe, Athena's name for it).
_UNREADABLE = (("sequencefile", "SEQUENCEFILE"), ("rcfile", "RCFILE"), ("columnarserde", "RCFILE"),
               ("ionhiveserde", "ION"), ("ioninputformat", "ION"))


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def storage_format(table: dict) -> str:
    sd = table.get("StorageDescriptor") or {}
    serde = ((sd.get("SerdeInfo") or {}).get("SerializationLibrary") or "")
    input_format = sd.get("InputFormat") or ""
    lowered = (serde + " " + input_format).lower()
    # The container decides first: a SEQUENCEFILE table has LazySimpleSerDe as its SerDe.
    for marker, name in _UNREADABLE:
        if marker in lowered:
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: reading {name} tables is not supported "
                                              f"(InputFormat {input_format or '-'}, SerDe {serde or '-'})")
    if "parquet" in lowered:
        return PARQUET
    if "orc" in lowered:
        return ORC
    if "avro" in lowered:
        return AVRO
    if serde in (reader_text.REGEX, reader_text.REGEX_CONTRIB):
        return REGEX
    if serde in _JSON_SERDES or "json" in serde.lower():
        return JSON
    if serde in (_OPEN_CSV, _LAZY_SIMPLE) or (not serde and "TextInputFormat" in input_format):
        return CSV
    name = serde or input_format or "unknown"
    raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: reading tables stored with {name} is not supported")


def is_hidden(name: str) -> bool:
    return name.startswith(("_", ".")) or name.endswith(("_$folder$", ".crc"))


#: Athena's hidden columns, per file: name -> DuckDB type.
HIDDEN_COLUMNS = {"$path": "VARCHAR", "$file_size": "BIGINT", "$file_modified_time": "TIMESTAMP WITH TIME ZONE"}


def _hidden_values(hidden: list, location: str, folder: str, path: str, size: int) -> list:
    """The hidden columns of one file: its s3:// URL (under the partition's or table's location)."""
    if os.path.isfile(folder):
        url = location
    else:
        url = location.rstrip("/") + "/" + os.path.relpath(path, folder).replace(os.sep, "/")
    values = {"$path": quote_str(url), "$file_size": f"CAST({size} AS BIGINT)"}
    if "$file_modified_time" in hidden:
        values["$file_modified_time"] = f"to_timestamp({os.stat(path).st_mtime_ns // 1_000_000} / 1000.0)"
    return [f"{values[name]} AS {quote_ident(name)}" for name in hidden]


def list_files(folder: str) -> list[tuple[str, int]]:
    """Data files under `folder`, recursively, skipping hidden files and folders (`_SUCCESS`,
    `_temporary`, `.hive-staging` ...), sorted for a stable read order."""
    found = []
    if os.path.isfile(folder):
        return [(folder, os.path.getsize(folder))]
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not is_hidden(d))
        for name in sorted(files):
            if not is_hidden(name):
                path = os.path.join(root, name)
                size = os.path.getsize(path)
                if size > 0:
                    found.append((path, size))
    return found


@dataclass
class TableScan:
    """One reference to a Glue table in a query: the SELECT that reads it and what it costs."""
    columns: dict = field(default_factory=dict)      # name -> DuckDB type, data columns then keys
    sql: str = ""
    bytes_read: int = 0
    arrow_tables: dict = field(default_factory=dict)  # names to register (ORC read through pyarrow)


def key_types(table: dict) -> list[tuple[str, str]]:
    """The partition keys as (lower-cased name, DuckDB type)."""
    try:
        return [(k["Name"].lower(), hive_to_duckdb(k.get("Type") or "string")) for k in table.get("PartitionKeys") or []]
    except HiveTypeError as error:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {error}") from None


def build_scan(con, lake, table: dict, partitions: Optional[list], prune_sql: Optional[str],
               view_name: str, needed: Optional[set] = None, named: Optional[set] = None,
               snapshot_id: Optional[int] = None, buckets: Optional[set] = None) -> TableScan:
    """`partitions` is None for an unpartitioned table; `prune_sql` is a DuckDB boolean expression over
    the partition key names (unqualified), or None. `needed`: the (lower-case) column names the query
    references, for counting the bytes of a Parquet scan; None counts every column. `named`: every
    name the query uses, which says which hidden columns to add. `snapshot_id`: the Iceberg snapshot
    to read (time travel); None reads the current one. `buckets`: for a bucketed table, the only
    bucket numbers whose files can hold matching rows (`bucketing`); None reads every file."""
    sd = table.get("StorageDescriptor") or {}
    if iceberg.is_iceberg(table):
        return _iceberg_scan(lake, table, sd, needed, named, snapshot_id)
    if delta.is_delta(table):
        return _delta_scan(lake, sd, needed, named)
    fmt = storage_format(table)
    try:
        data_cols = _data_columns(sd)
        keys = [(k["Name"].lower(), hive_to_duckdb(k.get("Type") or "string")) for k in table.get("PartitionKeys") or []]
    except HiveTypeError as error:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {error}") from None
    hidden = [name for name in HIDDEN_COLUMNS if name in (named or ())]
    scan = TableScan(columns=dict([(n, t) for n, t, _ in data_cols] + keys + [(h, HIDDEN_COLUMNS[h]) for h in hidden]))
    if keys:
        chosen = _prune(con, keys, partitions or [], prune_sql)
        units = [(p.get("StorageDescriptor", {}).get("Location") or "", p.get("Values") or []) for p in chosen]
    else:
        units = [(sd.get("Location") or "", [])]
    selects = []
    folders = _folders(lake, [location for location, _ in units])
    for index, (location, values) in enumerate(units):
        folder = folders.get(location)
        files = list_files(folder) if folder else []
        if buckets is not None and files:
            numbers = bucketing.file_buckets(files, (sd.get("NumberOfBuckets") or 0))
            if numbers is not None:
                files = [f for f in files if numbers[f[0]] in buckets]
        if not files:
            continue
        if fmt != PARQUET:
            scan.bytes_read += sum(size for _, size in files)
        key_exprs = [f"TRY_CAST({_value_sql(v)} AS {t}) AS {quote_ident(n)}" for (n, t), v in zip(keys, values)]
        for part, group in enumerate([[f] for f in files] if hidden else [files]):
            data = _read(con, fmt, table, sd, data_cols, [path for path, _ in group],
                         f"{view_name}_{index}" + (f"_{part}" if hidden else ""), scan, needed,
                         getattr(lake, "internal_dir", None))
            extra = _hidden_values(hidden, location, folder, *group[0]) if hidden else []
            selects.append(f"SELECT {', '.join(data + key_exprs + extra)} FROM {scan.sql}")
    _union(scan, selects)
    return scan


def _data_columns(sd: dict) -> list:
    """The Glue schema's columns as [(lower-cased name, DuckDB type, Hive type)]."""
    return [(c["Name"].lower(), hive_to_duckdb(c.get("Type") or "string"), c.get("Type") or "string")
            for c in sd.get("Columns") or []]


def _union(scan: TableScan, selects: list) -> None:
    if not selects:
        empty = ", ".join(f"CAST(NULL AS {t}) AS {quote_ident(n)}" for n, t in scan.columns.items())
        scan.sql = f"SELECT {empty or '1 AS _empty'} WHERE false"
    else:
        scan.sql = " UNION ALL ".join(selects)


def _iceberg_scan(lake, table: dict, sd: dict, needed: Optional[set], named: Optional[set],
                  snapshot_id: Optional[int]) -> TableScan:
    """The live rows of an Iceberg table's current snapshot (iceberg.py plans the files): its data
    files read as Parquet by field id (by column name when a file has none), less the rows its
    position delete files name. Glue's current columns are the schema, as Iceberg writers keep them
    in step with the table's own; time travel to a snapshot of an earlier schema reads with that one."""
    files = iceberg.live_files(table, lambda url: location_path(lake, url), snapshot_id)
    try:
        columns = files.snapshot_columns or iceberg.current_columns(sd.get("Columns") or [])
        data_cols = _data_columns({"Columns": columns})
    except HiveTypeError as error:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {error}") from None
    hidden = [name for name in HIDDEN_COLUMNS if name in (named or ())]
    scan = TableScan(columns=dict([(n, t) for n, t, _ in data_cols] + [(h, HIDDEN_COLUMNS[h]) for h in hidden]))
    data = [(url, _lake_file(lake, url, "ICEBERG_CANNOT_OPEN_SPLIT")) for url in files.data]
    # Columns are read by field id where the metadata and the files give them (renamed and re-added
    # columns; files added without ids are read by name), and never from identity partition folders
    # (`day=3/`): the files themselves hold the values.
    by_id = iceberg.field_id_schema([(n, t) for n, t, _ in data_cols], files.field_ids) \
        if all(parquet_footers.footer(path).field_ids for _, path in data) else None
    reading = f"hive_partitioning=false, schema={by_id}" if by_id else "hive_partitioning=false"

    def columns_of(paths: list) -> list:
        exprs = _parquet_columns(paths, data_cols, scan, needed)
        return [quote_ident(n) for n, _, _ in data_cols] if by_id else exprs
    deletes = [_lake_file(lake, url, "ICEBERG_CANNOT_OPEN_SPLIT") for url in files.position_deletes]
    scan.bytes_read += sum(os.path.getsize(path) for path in deletes)
    if not files.position_deletes and not hidden:
        selects = []
        if data:
            exprs = columns_of([path for _, path in data])
            listed = ", ".join(quote_str(path) for _, path in data)
            union = "" if by_id else ", union_by_name=true"
            selects.append(f"SELECT {', '.join(exprs)} FROM read_parquet([{listed}]{union}, {reading})")
        _union(scan, selects)
        return scan
    deleted = f"read_parquet([{', '.join(quote_str(path) for path in deletes)}])" if deletes else None
    selects = []
    for url, path in data:
        exprs = columns_of([path])
        exprs += _hidden_values(hidden, url, path, path, os.path.getsize(path)) if hidden else []
        select = f"SELECT {', '.join(exprs)} FROM read_parquet([{quote_str(path)}], file_row_number=true, {reading})"
        if deleted is not None:
            select += f" WHERE file_row_number NOT IN (SELECT pos FROM {deleted} WHERE file_path = {quote_str(url)})"
        selects.append(select)
    _union(scan, selects)
    return scan


def _delta_scan(lake, sd: dict, needed: Optional[set], named: Optional[set]) -> TableScan:
    """The rows of a Delta Lake table's latest version (delta.py replays its log): the live files read
    as Parquet by column name, partition columns from the values the log keeps for each file, in
    the order of the table's own schema (Glue's columns play no part, as in Athena)."""
    table = delta.snapshot(sd.get("Location") or "", lambda url: location_path(lake, url))
    keys = {name: kind for name, kind in table.columns if name in table.partition_columns}
    data_cols = [(name, kind, kind) for name, kind in table.columns if name not in keys]
    hidden = [name for name in HIDDEN_COLUMNS if name in (named or ())]
    scan = TableScan(columns=dict(table.columns + [(h, HIDDEN_COLUMNS[h]) for h in hidden]))
    groups: dict = {}
    for url, values in table.files:
        group_key = url if hidden else tuple(values.get(name) for name in keys)
        groups.setdefault(group_key, []).append((url, _lake_file(lake, url, "DELTA_LAKE_FILESYSTEM_ERROR"), values))
    selects = []
    for members in groups.values():
        paths = [path for _, path, _ in members]
        exprs = dict(zip([name for name, _, _ in data_cols], _parquet_columns(paths, data_cols, scan, needed)))
        values = members[0][2]
        for name, kind in keys.items():
            value = values.get(name)
            literal = "NULL" if value is None else quote_str(value)
            exprs[name] = f"TRY_CAST({literal} AS {kind}) AS {quote_ident(name)}"
        ordered = [exprs[name] for name, _ in table.columns]
        if hidden:
            ordered += _hidden_values(hidden, members[0][0], paths[0], paths[0], os.path.getsize(paths[0]))
        listed = ", ".join(quote_str(path) for path in paths)
        selects.append(f"SELECT {', '.join(ordered)} FROM read_parquet([{listed}], union_by_name=true)")
    _union(scan, selects)
    return scan


def _lake_file(lake, url: str, error_type: str) -> str:
    """The local file of a path a table format's metadata names; the query fails if it is gone."""
    path = location_path(lake, url)
    if not os.path.isfile(path):
        raise QueryError(error_type, f"{error_type}: Error opening split {url}: the file does not exist")
    return path


def _folders(lake, locations: list) -> dict:
    """Each location's local path, leaving out those that do not exist. With many locations (a
    projected table spanning years of hours) the tree under their common prefix is walked once
    instead of probing every one."""
    unique = list(dict.fromkeys(location for location in locations if location))
    if len(unique) <= _PROBE_EACH_UP_TO:
        return {location: location_path(lake, location) for location in unique}
    prefix = os.path.commonprefix(unique)
    prefix = prefix[:prefix.rfind("/") + 1]
    if prefix.count("/") < 3:  # no common bucket (s3://bucket/): probe each
        return {location: location_path(lake, location) for location in unique}
    root = location_path(lake, prefix)
    if not os.path.isdir(root):
        return {}
    present = {""}
    for folder, dirs, files in os.walk(root):
        relative = os.path.relpath(folder, root).replace(os.sep, "/")
        relative = "" if relative == "." else relative + "/"
        present.update(relative + name for name in dirs + files)
    return {location: location_path(lake, location) for location in unique
            if location[len(prefix):].rstrip("/") in present}


_PROBE_EACH_UP_TO = 256


def _value_sql(value: str) -> str:
    return "NULL" if value == _HIVE_NULL_PARTITION else quote_str(value)


def location_path(lake, location: str) -> str:
    for scheme in ("s3://", "s3a://", "s3n://"):
        if location.startswith(scheme):
            bucket, _, prefix = location[len(scheme):].partition("/")
            return os.path.join(lake.bucket_path(bucket), prefix)
    if location.startswith("file://"):
        return location[len("file://"):]
    raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: table location {location!r} is not in S3")


def _prune(con, keys: list, partitions: list, prune_sql: Optional[str]) -> list:
    if not prune_sql or not partitions:
        return partitions
    rows = [[None if v == _HIVE_NULL_PARTITION else v for v in p.get("Values") or []] for p in partitions]
    numbered = [[str(i)] + row for i, row in enumerate(rows)]
    kept = projection.filter_rows(con, [("__n", "BIGINT")] + keys, numbered, [prune_sql])
    return [partitions[int(row[0])] for row in kept]


def _parquet_columns(paths: list, columns: list, scan: TableScan, needed: Optional[set]) -> list:
    """The column expressions over read_parquet of `paths`, and the bytes the query reads from them.
    A column keeps its file type (no CAST) when every file that has it stores the Glue type."""
    present, file_types = {}, {}
    for path in paths:
        footer = parquet_footers.footer(path)
        scan.bytes_read += footer.footer_bytes
        for lower, (written, duck_type) in footer.columns.items():
            present.setdefault(lower, written)
            file_types.setdefault(lower, set()).add(duck_type)
            if needed is None or lower in needed:
                scan.bytes_read += footer.column_bytes.get(lower, 0)
    exprs = []
    for n, t, _ in columns:
        if n not in present:
            exprs.append(f"CAST(NULL AS {t}) AS {quote_ident(n)}")
        elif file_types[n] == {t}:
            exprs.append(f"{quote_ident(present[n])} AS {quote_ident(n)}")
        else:
            exprs.append(f"CAST({quote_ident(present[n])} AS {t}) AS {quote_ident(n)}")
    return exprs


def _read(con, fmt: str, table: dict, sd: dict, columns: list, paths: list, name: str,
          scan: TableScan, needed: Optional[set] = None, internal_dir: Optional[str] = None) -> list:
    """Set `scan.sql` to the FROM source for `paths` and return the data column expressions.
    `columns` is [(name, DuckDB type, Hive type)]; `internal_dir` holds the plain copies of bzip2
    text files (bz2_text)."""
    if fmt not in (PARQUET, ORC, AVRO, REGEX):
        try:
            paths = bz2_text.plain_paths(paths, internal_dir)
        except (OSError, EOFError) as error:
            raise QueryError("HIVE_CURSOR_ERROR", f"HIVE_CURSOR_ERROR: {error}") from None
    files = "[" + ", ".join(quote_str(p) for p in paths) + "]"
    serde = (sd.get("SerdeInfo") or {}).get("Parameters") or {}
    params = table.get("Parameters") or {}
    if fmt == PARQUET:
        # union_by_name only where files may differ: binding it costs about 1 ms more per table.
        scan.sql = f"read_parquet({files}, union_by_name=true)" if len(paths) > 1 else f"read_parquet({files})"
        return _parquet_columns(paths, columns, scan, needed)
    if fmt == ORC:
        import pyarrow as pa
        import pyarrow.orc as orc
        data = pa.concat_tables([orc.ORCFile(p).read() for p in paths], promote_options="permissive")
        lower = {f.lower(): f for f in data.column_names}
        con.register(name, data)
        scan.arrow_tables[name] = data
        scan.sql = quote_ident(name)
        return [f"CAST({quote_ident(lower[n])} AS {t}) AS {quote_ident(n)}" if n in lower
                else f"CAST(NULL AS {t}) AS {quote_ident(n)}" for n, t, _ in columns]
    if fmt == AVRO:
        scan.arrow_tables[name], exprs = reader_avro.read_avro(con, paths, columns, serde, params, name)
        scan.sql = quote_ident(name)
        return exprs
    if fmt == JSON:
        keys = [serde.get(f"mapping.{n}", n) for n, _, _ in columns]
        spec = "{" + ", ".join(f"{quote_str(k)}: {quote_str(t)}" for k, (_, t, _) in zip(keys, columns)) + "}"
        ignore = str(serde.get("ignore.malformed.json", "false")).lower() == "true"
        scan.sql = (f"read_json({files}, format='newline_delimited', columns={spec}, "
                    f"ignore_errors={'true' if ignore else 'false'})")
        return [f"{quote_ident(k)} AS {quote_ident(n)}" for k, (n, _, _) in zip(keys, columns)]
    skip = int(params.get("skip.header.line.count", "0") or 0)
    if fmt == REGEX:
        pattern = reader_text.compile_regex(serde, len(columns))
        data = reader_text.regex_rows(paths, pattern, len(columns), skip)
        con.register(name, data)
        scan.arrow_tables[name] = data
        scan.sql = quote_ident(name)
        return reader_text.regex_columns(columns)
    lib = (sd.get("SerdeInfo") or {}).get("SerializationLibrary") or _LAZY_SIMPLE
    try:
        scan.sql, exprs = reader_text.read_delimited(files, lib, serde, skip, columns, paths)
    except ValueError as error:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {error}") from None
    return exprs
