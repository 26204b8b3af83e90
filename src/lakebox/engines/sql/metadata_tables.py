"""The tables Athena answers from the catalog rather than the lake: `information_schema` and `t$partitions`.

Why here: tools list databases, tables and columns with SQL (`information_schema.columns`), and users
list a table's partitions with `SELECT * FROM "t$partitions"`. Both are small, so each reference
becomes an Arrow table built from the Glue catalog and registered on the query's connection, and
the query runs over it like over any table.

- `information_schema.schemata`, `tables`, `columns` and `views`, with Athena's columns; types in
  `columns.data_type` are spelled as Athena spells them (`varchar`, `integer`, `array(varchar)`).
- `"<table>$partitions"`: one row per partition, one column per partition key, typed by the key.
- an Iceberg table's `$snapshots`, `$history`, `$files` and `$partitions` (iceberg_tables.py).
"""

from __future__ import annotations

import re
from typing import Any, Optional

import pyarrow as pa

from . import iceberg, iceberg_tables, views
from .errors import QueryError
from .types import HiveTypeError, hive_to_duckdb

INFORMATION_SCHEMA = "information_schema"
CATALOG = "awsdatacatalog"
PARTITIONS_SUFFIX = "$partitions"

_SCHEMAS = {
    "schemata": ("catalog_name", "schema_name"),
    "tables": ("table_catalog", "table_schema", "table_name", "table_type"),
    "columns": ("table_catalog", "table_schema", "table_name", "column_name", "ordinal_position",
                "column_default", "is_nullable", "data_type", "comment", "extra_info"),
    "views": ("table_catalog", "table_schema", "table_name", "view_definition"),
}
_HIVE_NAMES = {"string": "varchar", "int": "integer", "float": "real", "binary": "varbinary"}


def is_metadata_table(db: str, name: str) -> bool:
    return db == INFORMATION_SCHEMA or name.endswith(PARTITIONS_SUFFIX) or iceberg_tables.suffix_of(name) is not None


def trino_type(hive_type: str) -> str:
    """`array<struct<a:int,b:string>>` -> `array(row(a integer, b varchar))`, as Athena shows types."""
    text, rest = _trino(hive_type or "string")
    return text if not rest.strip() else (hive_type or "string")


def _trino(text: str) -> tuple[str, str]:
    match = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*", text)
    if not match:
        return text, ""
    name, rest = match.group(1).lower(), text[match.end():]
    if name in ("array", "map", "struct") and rest.startswith("<"):
        rest, parts = rest[1:], []
        while True:
            field = ""
            if name == "struct":
                named = re.match(r"\s*`?([^:`<>,]+)`?\s*:", rest)
                if not named:
                    return text, ""
                field, rest = named.group(1).strip() + " ", rest[named.end():]
            inner, rest = _trino(rest)
            parts.append(field + inner)
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:]
                continue
            rest = rest[1:] if rest.startswith(">") else rest
            return f"{'row' if name == 'struct' else name}({', '.join(parts)})", rest
    if rest.startswith("("):
        close = rest.find(")")
        return f"{_HIVE_NAMES.get(name, name)}({rest[1:close].replace(' ', '')})", rest[close + 1:]
    return _HIVE_NAMES.get(name, name), rest


def build(con, catalog: Any, account: str, region: str, db: str, name: str,
          local_path=None) -> Optional[pa.Table]:
    """The rows of a metadata table, or None when there is no such table. `con` is the query's
    DuckDB connection (partition values are cast to their key types there); `local_path` maps an
    s3:// path to the lake's file (an Iceberg table's metadata tables read its metadata files)."""
    if db == INFORMATION_SCHEMA:
        if name not in _SCHEMAS:
            return None
        rows = _information_schema(catalog, account, region, name)
        return pa.table({column: pa.array([row[i] for row in rows], pa.int64() if column == "ordinal_position"
                                          else pa.string())
                         for i, column in enumerate(_SCHEMAS[name])})
    suffix = iceberg_tables.suffix_of(name)
    if suffix is not None:
        table = catalog.get_table(account, region, db, name[:-len(suffix)])
        if table is not None and iceberg.is_iceberg(table) and local_path is not None:
            return iceberg_tables.build(table, suffix, local_path)
        if suffix != PARTITIONS_SUFFIX:
            return None  # $snapshots and its kin: Iceberg tables only
    table_name = name[:-len(PARTITIONS_SUFFIX)]
    table = catalog.get_table(account, region, db, table_name)
    if table is None or not table.get("PartitionKeys"):
        return None
    return _partitions(con, catalog.get_partitions(account, region, db, table_name), table["PartitionKeys"])


def _information_schema(catalog: Any, account: str, region: str, which: str) -> list[tuple]:
    databases = sorted(d["Name"] for d in catalog.list_databases(account, region))
    if which == "schemata":
        return [(CATALOG, INFORMATION_SCHEMA)] + [(CATALOG, d) for d in databases]
    rows = []
    for db in databases:
        for table in sorted(catalog.list_tables(account, region, db), key=lambda t: t["Name"]):
            is_view = views.is_view(table)
            if which == "tables":
                rows.append((CATALOG, db, table["Name"], "VIEW" if is_view else "BASE TABLE"))
            elif which == "views" and is_view:
                rows.append((CATALOG, db, table["Name"], _view_text(table)))
            elif which == "columns":
                rows += _columns(db, table, is_view)
    return rows


def _view_text(table: dict) -> Optional[str]:
    try:
        return views.definition(table).get("originalSql")
    except QueryError:
        return None


def _columns(db: str, table: dict, is_view: bool) -> list[tuple]:
    if is_view:
        try:
            columns = [(c["name"], c.get("type") or "varchar", None, None)
                       for c in views.definition(table).get("columns") or []]
        except QueryError:
            columns = []
    else:
        sd = table.get("StorageDescriptor") or {}
        columns = [(c["Name"], trino_type(c.get("Type") or "string"), c.get("Comment"), None)
                   for c in sd.get("Columns") or []]
        columns += [(k["Name"], trino_type(k.get("Type") or "string"), k.get("Comment"), "partition key")
                    for k in table.get("PartitionKeys") or []]
    return [(CATALOG, db, table["Name"], name.lower(), position, None, "YES", kind, comment, extra)
            for position, (name, kind, comment, extra) in enumerate(columns, start=1)]


def _partitions(con, partitions: list, keys: list) -> pa.Table:
    names = [k["Name"].lower() for k in keys]
    values = {n: [(p.get("Values") or [None] * len(keys))[i] for p in partitions] for i, n in enumerate(names)}
    table = pa.table({n: pa.array(values[n], pa.string()) for n in names})
    casts = []
    for key, name in zip(keys, names):
        try:
            kind = hive_to_duckdb(key.get("Type") or "string")
        except HiveTypeError:
            kind = "VARCHAR"
        casts.append(f'TRY_CAST(NULLIF("{name}", \'__HIVE_DEFAULT_PARTITION__\') AS {kind}) AS "{name}"')
    con.register("__partition_values", table)
    try:
        order = ", ".join(f'"{n}"' for n in names)
        return con.sql(f"SELECT {', '.join(casts)} FROM __partition_values ORDER BY {order}").to_arrow_table()
    finally:
        con.unregister("__partition_values")
