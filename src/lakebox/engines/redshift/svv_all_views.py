"""The catalog views that list tables, columns, schemas and databases: SVV_TABLES and SVV_COLUMNS,
SVV_REDSHIFT_TABLES, SVV_REDSHIFT_COLUMNS, SVV_REDSHIFT_SCHEMAS and SVV_REDSHIFT_DATABASES (the
cluster's own objects), and SVV_ALL_TABLES, SVV_ALL_COLUMNS and SVV_ALL_SCHEMAS (those and Spectrum's
external ones). Drivers read them: redshift_connector's `insert_data_bulk` and `write_dataframe`
check a table against `pg_catalog.svv_all_tables` before writing to it, its `get_columns` reads
SVV_COLUMNS.

Each of them is computed when a statement names it (`system_tables`), from DuckDB's catalog, what
CREATE TABLE declared (`_lakebox.table_design`) and the Glue catalog. The SVV_REDSHIFT_* and SVV_ALL_*
views cover every database of the cluster, as Redshift's do: another database's catalog is read on
a cursor of its own. The session's temporary tables are listed in its temporary schema, `pg_temp_<pid>`,
as Redshift lists them. Column names and order are AWS's: where a page's column table and its sample
output disagree (SVV_ALL_TABLES), the sample output, which is what Redshift answers, is followed.

Imports pyarrow and this package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterator, Optional

import pyarrow as pa

from .spectrum import META

_TEXT, _INT, _BOOL = pa.string(), pa.int32(), pa.bool_()
#: Schemas of a DuckDB database that are not the Redshift database's own.
_NOT_USER = (META, "main", "information_schema", "pg_catalog")
#: Redshift's owner ids: the master user (100) owns what lakebox made (it records no other owner).
_MASTER_ID = 100
#: Numeric facts of Redshift's fixed-size types, as information_schema gives them:
#: (numeric_precision, numeric_precision_radix, numeric_scale).
_NUMERIC_FACTS = {"smallint": (16, 2, 0), "integer": (32, 2, 0), "bigint": (64, 2, 0), "real": (24, 2, None),
                  "double precision": (53, 2, None)}
#: Date and time types and their datetime_precision (fractional digits of the seconds).
_DATETIME_PRECISION = {"date": 0, "timestamp without time zone": 6, "timestamp with time zone": 6,
                       "time without time zone": 6, "time with time zone": 6}


@dataclass
class LocalColumn:
    """One column of a local table or view of one database."""
    schema: str
    table: str
    table_oid: int
    name: str
    position: int                           # 1 for the first column
    default: Optional[str]
    nullable: bool
    type_name: str                          # Redshift's name: `character varying(20)`, `integer` ...
    design: dict = field(default_factory=dict)  # what CREATE TABLE said of it: ENCODE, IDENTITY ...


@dataclass
class Catalog:
    """One database's local relations and columns, and its external schemas' Glue tables."""
    database: str
    relations: list         # (schema, name, kind 'TABLE' | 'VIEW')
    columns: list           # LocalColumn
    table_design: dict      # (schema, table) -> {attribute: value} of the table-wide attributes
    schemas: list           # local schema names
    external: list          # (schema, Glue database, IAM role)


# -- reading a database's catalog ------------------------------------------------------------------

def read_catalog(con, database: str, glue=None, temp_schema: Optional[str] = None) -> Catalog:
    """The catalog of the database `con` is connected to. `temp_schema` names the schema its
    temporary tables are listed in (the session's own; None leaves them out)."""
    from .database import pg_type_name

    user_schemas = ", ".join(f"'{s}'" for s in _NOT_USER)
    scope = f"(database_name = current_database() AND schema_name NOT IN ({user_schemas}))"
    if temp_schema is not None:
        scope = f"({scope} OR database_name = 'temp')"
    relations = [(temp_schema if temporary else schema, name, kind) for schema, name, kind, temporary in con.execute(
        f"SELECT schema_name, table_name, 'TABLE', temporary FROM duckdb_tables() WHERE {scope} UNION ALL "
        f"SELECT schema_name, view_name, 'VIEW', temporary FROM duckdb_views() WHERE {scope} AND NOT internal "
        "ORDER BY 1, 2").fetchall()]
    design: dict = {}
    for schema, table, column, attribute, value in con.execute(
            f"SELECT schema_name, table_name, column_name, attribute, value FROM {META}.table_design").fetchall():
        design.setdefault((schema, table, column), {})[attribute] = value
    columns = []
    for schema, table, oid, name, position, default, nullable, kind, temporary in con.execute(
            "SELECT schema_name, table_name, table_oid, column_name, column_index, column_default, is_nullable, "
            f"data_type, database_name = 'temp' FROM duckdb_columns() WHERE {scope} "
            "ORDER BY schema_name, table_name, column_index").fetchall():
        said = {} if temporary else design.get((schema, table, name), {})
        columns.append(LocalColumn(temp_schema if temporary else schema, table, oid, name, position, default,
                                   nullable, said.get("TYPE") or pg_type_name(kind), said))
    schemas = [r[0] for r in con.execute(
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() AND NOT internal "
        f"AND schema_name NOT IN ('{META}', 'main') ORDER BY 1").fetchall()]
    external = con.execute(f"SELECT schema_name, glue_database, iam_role FROM {META}.external_schemas "
                           "ORDER BY schema_name").fetchall()
    table_wide = {(s, t): attributes for (s, t, c), attributes in design.items() if c is None}
    return Catalog(database, relations, columns, table_wide, schemas, external)


def catalogs(db) -> Iterator[Catalog]:
    """The catalog of the session's database, then of each other database of the cluster."""
    current = database_name(db)
    yield read_catalog(db._con, current, temp_schema=temp_schema(db))
    cluster = _cluster(db)
    for name in getattr(cluster, "database_names", None) or []:
        if name == current:
            continue
        other = cluster.database(name)
        with other._lock:
            cursor = other._con.cursor()
        try:
            yield read_catalog(cursor, name)
        finally:
            cursor.close()


def database_name(db) -> str:
    """The database's name as Redshift reports it (DuckDB's catalog name is its file's, escaped)."""
    return getattr(db, "name", None) or _one(db, "SELECT current_database()")


def _cluster(db):
    """The cluster the database belongs to (its runtime), or None for a database on its own."""
    return getattr(db, "cluster", None) or db.users


def temp_schema(db) -> str:
    """The schema a session's temporary tables are listed in: Redshift's `pg_temp_<n>`."""
    return f"pg_temp_{db.pid or 1}"


def external_tables(db, external: list) -> Iterator[tuple]:
    """(schema, Glue table) of every table in the Glue databases of the external schemas `external`."""
    for schema, database, _ in external:
        for table in sorted(db.glue_catalog.list_tables(db.account, db.region, database), key=lambda t: t["Name"]):
            yield schema, table


def _one(db, sql: str):
    return db._con.execute(sql).fetchall()[0][0]


def _master_user(db) -> str:
    doc = getattr(db.users, "doc", None) or {}
    return (doc.get("MasterUsername") or "").lower() or db._user or "rdsdb"


# -- column types ----------------------------------------------------------------------------------

def type_facts(type_name: str) -> dict:
    """A Redshift type name (`character varying(20)`, `numeric(10,2)`, `integer`) as information_schema's
    data_type and its length, precision and scale columns."""
    base, _, size = type_name.partition("(")
    base = base.strip()
    numbers = [int(n) for n in size.rstrip(")").split(",") if n.strip().isdigit()] if size else []
    facts = {"data_type": base, "character_maximum_length": None, "numeric_precision": None,
             "numeric_precision_radix": None, "numeric_scale": None,
             "datetime_precision": _DATETIME_PRECISION.get(base)}
    if base in ("character varying", "character", "varchar", "char", "nvarchar", "nchar", "bpchar"):
        facts["character_maximum_length"] = numbers[0] if numbers else None
    elif base in ("numeric", "decimal"):
        precision, scale = (numbers + [18, 0][len(numbers):])[:2]
        facts.update(numeric_precision=precision, numeric_precision_radix=10, numeric_scale=scale)
    elif base in _NUMERIC_FACTS:
        precision, radix, scale = _NUMERIC_FACTS[base]
        facts.update(numeric_precision=precision, numeric_precision_radix=radix, numeric_scale=scale)
    return facts


def column_default(column: LocalColumn) -> Optional[str]:
    """The default Redshift shows: an IDENTITY column's is `"identity"(table oid, column index, 'seed,step')`."""
    identity = column.design.get("IDENTITY")
    if identity:
        return f"\"identity\"({column.table_oid}, {column.position - 1}, '{identity}'::text)"
    return column.default


def sort_key(table_wide: dict) -> tuple:
    """(the sort key's columns, whether it is interleaved) of a table's CREATE TABLE attributes."""
    for attribute in ("SORTKEY", "COMPOUND SORTKEY", "INTERLEAVED SORTKEY"):
        value = table_wide.get(attribute)
        if value and value != "AUTO":
            return value.split(","), attribute.startswith("INTERLEAVED")
    return [], False


# -- SVV_TABLES and SVV_COLUMNS (this database) ----------------------------------------------------

def svv_tables(db) -> tuple:
    """SVV_TABLES: the database's tables and views, and the external schemas' tables."""
    local = next(catalogs(db))
    rows = [{"table_catalog": local.database, "table_schema": schema, "table_name": name,
             "table_type": "VIEW" if kind == "VIEW" else "BASE TABLE", "remarks": None}
            for schema, name, kind in local.relations]
    rows += [{"table_catalog": local.database, "table_schema": schema, "table_name": table["Name"],
              "table_type": "EXTERNAL TABLE", "remarks": table.get("Description")}
             for schema, table in external_tables(db, local.external)]
    return ([("table_catalog", _TEXT), ("table_schema", _TEXT), ("table_name", _TEXT), ("table_type", _TEXT),
             ("remarks", _TEXT)], rows)


_SVV_COLUMNS = [("table_catalog", _TEXT), ("table_schema", _TEXT), ("table_name", _TEXT), ("column_name", _TEXT),
                ("ordinal_position", _INT), ("column_default", _TEXT), ("is_nullable", _TEXT), ("data_type", _TEXT),
                ("character_maximum_length", _INT), ("numeric_precision", _INT),
                ("numeric_precision_radix", _INT), ("numeric_scale", _INT), ("datetime_precision", _INT),
                ("interval_type", _TEXT), ("interval_precision", _TEXT), ("character_set_catalog", _TEXT),
                ("character_set_schema", _TEXT), ("character_set_name", _TEXT), ("collation_catalog", _TEXT),
                ("collation_schema", _TEXT), ("collation_name", _TEXT), ("domain_name", _TEXT), ("remarks", _TEXT)]


def svv_columns(db) -> tuple:
    """SVV_COLUMNS: every column of the database's tables and views (with the type CREATE TABLE
    declared) and of the external tables (with their Glue type), in AWS's 23 columns."""
    local = next(catalogs(db))
    rows = [_svv_column(local.database, c.schema, c.table, c.name, c.position, column_default(c), c.nullable,
                        c.type_name) for c in local.columns]
    for schema, table, position, column in _external_columns(db, local.external):
        rows.append(_svv_column(local.database, schema, table["Name"], column["Name"], position, None, True,
                                column.get("Type") or ""))
    return _SVV_COLUMNS, rows


def _svv_column(database, schema, table, column, position, default, nullable, type_name) -> dict:
    row = dict.fromkeys(name for name, _ in _SVV_COLUMNS)
    row.update(type_facts(type_name), table_catalog=database, table_schema=schema, table_name=table,
               column_name=column, ordinal_position=position, column_default=default,
               is_nullable="YES" if nullable else "NO")
    return row


def _external_columns(db, external: list) -> Iterator[tuple]:
    """(schema, Glue table, position, column) of every column of the external tables, partition keys last."""
    for schema, table in external_tables(db, external):
        columns = ((table.get("StorageDescriptor") or {}).get("Columns") or []) + (table.get("PartitionKeys") or [])
        for position, column in enumerate(columns, start=1):
            yield schema, table, position, column


# -- SVV_REDSHIFT_* (the cluster's databases) -------------------------------------------------------

def svv_redshift_databases(db) -> tuple:
    """SVV_REDSHIFT_DATABASES: the cluster's databases, local, under DuckDB's snapshot isolation
    (Redshift's default isolation for new clusters)."""
    names = getattr(_cluster(db), "database_names", None) or [database_name(db)]
    rows = [{"database_name": name, "database_owner": _MASTER_ID, "database_type": "local", "database_acl": None,
             "database_options": None, "database_isolation_level": "Snapshot Isolation"} for name in sorted(names)]
    return ([("database_name", _TEXT), ("database_owner", _INT), ("database_type", _TEXT), ("database_acl", _TEXT),
             ("database_options", _TEXT), ("database_isolation_level", _TEXT)], rows)


def _redshift_schema_rows(db) -> list:
    rows = []
    for catalog in catalogs(db):
        external = {schema for schema, _, _ in catalog.external}
        for schema in catalog.schemas:
            if schema not in external:
                rows.append({"database_name": catalog.database, "schema_name": schema,
                             "schema_owner": 1 if schema in ("pg_catalog", "information_schema") else _MASTER_ID,
                             "schema_type": "local", "schema_acl": None, "source_database": None,
                             "schema_option": None})
        for schema, glue_database, role in catalog.external:
            rows.append({"database_name": catalog.database, "schema_name": schema, "schema_owner": _MASTER_ID,
                         "schema_type": "external", "schema_acl": None, "source_database": glue_database,
                         "schema_option": json.dumps({"IAM_ROLE": role}) if role else None})
    return rows


def svv_redshift_schemas(db) -> tuple:
    """SVV_REDSHIFT_SCHEMAS: the local schemas of the cluster's databases."""
    rows = [{k: v for k, v in row.items() if k != "source_database"}
            for row in _redshift_schema_rows(db) if row["schema_type"] == "local"]
    return ([("database_name", _TEXT), ("schema_name", _TEXT), ("schema_owner", _INT), ("schema_type", _TEXT),
             ("schema_acl", _TEXT), ("schema_option", _TEXT)], rows)


def svv_all_schemas(db) -> tuple:
    """SVV_ALL_SCHEMAS: SVV_REDSHIFT_SCHEMAS and the external schemas of every database."""
    return ([("database_name", _TEXT), ("schema_name", _TEXT), ("schema_owner", _INT), ("schema_type", _TEXT),
             ("schema_acl", _TEXT), ("source_database", _TEXT), ("schema_option", _TEXT)], _redshift_schema_rows(db))


def svv_redshift_tables(db) -> tuple:
    """SVV_REDSHIFT_TABLES: the tables and views of the cluster's databases."""
    owner = _master_user(db)
    rows = [{"database_name": catalog.database, "schema_name": schema, "table_name": name, "table_type": kind,
             "table_acl": None, "remarks": None, "table_owner": owner}
            for catalog in catalogs(db) for schema, name, kind in catalog.relations]
    return ([("database_name", _TEXT), ("schema_name", _TEXT), ("table_name", _TEXT), ("table_type", _TEXT),
             ("table_acl", _TEXT), ("remarks", _TEXT), ("table_owner", _TEXT)], rows)


def svv_all_tables(db) -> tuple:
    """SVV_ALL_TABLES: SVV_REDSHIFT_TABLES and the external tables of every database's external schemas."""
    rows = []
    for catalog in catalogs(db):
        rows += [{"database_name": catalog.database, "schema_name": schema, "table_name": name, "table_type": kind,
                  "table_acl": None, "remarks": None} for schema, name, kind in catalog.relations]
        rows += [{"database_name": catalog.database, "schema_name": schema, "table_name": table["Name"],
                  "table_type": "EXTERNAL TABLE", "table_acl": None, "remarks": table.get("Description")}
                 for schema, table in external_tables(db, catalog.external)]
    return ([("database_name", _TEXT), ("schema_name", _TEXT), ("table_name", _TEXT), ("table_type", _TEXT),
             ("table_acl", _TEXT), ("remarks", _TEXT)], rows)


def svv_redshift_columns(db) -> tuple:
    """SVV_REDSHIFT_COLUMNS: the columns of the cluster's tables and views, with their declared type,
    encoding, and place in the distribution and sort keys."""
    rows = []
    for catalog in catalogs(db):
        for c in catalog.columns:
            table_wide = catalog.table_design.get((c.schema, c.table), {})
            sort_columns, interleaved = sort_key(table_wide)
            position = sort_columns.index(c.name) + 1 if c.name in sort_columns else 0
            rows.append({"database_name": catalog.database, "schema_name": c.schema, "table_name": c.table,
                         "column_name": c.name, "ordinal_position": c.position,
                         "data_type": type_facts(c.type_name)["data_type"], "column_default": column_default(c),
                         "is_nullable": "YES" if c.nullable else "NO",
                         "encoding": (c.design.get("ENCODE") or "none").lower(),
                         "distkey": table_wide.get("DISTKEY") == c.name,
                         "sortkey": -position if interleaved else position, "column_acl": None, "remarks": None})
    return ([("database_name", _TEXT), ("schema_name", _TEXT), ("table_name", _TEXT), ("column_name", _TEXT),
             ("ordinal_position", _INT), ("data_type", _TEXT), ("column_default", _TEXT), ("is_nullable", _TEXT),
             ("encoding", _TEXT), ("distkey", _BOOL), ("sortkey", _INT), ("column_acl", _TEXT), ("remarks", _TEXT)],
            rows)


def svv_all_columns(db) -> tuple:
    """SVV_ALL_COLUMNS: SVV_REDSHIFT_COLUMNS' columns and the external tables' columns of every database."""
    names = ("database_name", "schema_name", "table_name", "column_name", "ordinal_position", "column_default",
             "is_nullable", "data_type", "character_maximum_length", "numeric_precision", "numeric_scale",
             "remarks")
    rows = []
    for catalog in catalogs(db):
        for c in catalog.columns:
            facts = type_facts(c.type_name)
            rows.append({"database_name": catalog.database, "schema_name": c.schema, "table_name": c.table,
                         "column_name": c.name, "ordinal_position": c.position,
                         "column_default": column_default(c), "is_nullable": "YES" if c.nullable else "NO",
                         **{k: facts[k] for k in names[7:11]}, "remarks": None})
        for schema, table, position, column in _external_columns(db, catalog.external):
            facts = type_facts(column.get("Type") or "")
            rows.append({"database_name": catalog.database, "schema_name": schema, "table_name": table["Name"],
                         "column_name": column["Name"], "ordinal_position": position, "column_default": None,
                         "is_nullable": "YES", **{k: facts[k] for k in names[7:11]},
                         "remarks": column.get("Comment")})
    return ([(name, _INT if name in ("ordinal_position", "character_maximum_length", "numeric_precision",
                                     "numeric_scale") else _TEXT) for name in names], rows)


VIEWS = {"svv_tables": svv_tables, "svv_columns": svv_columns,
         "svv_redshift_databases": svv_redshift_databases, "svv_redshift_schemas": svv_redshift_schemas,
         "svv_redshift_tables": svv_redshift_tables, "svv_redshift_columns": svv_redshift_columns,
         "svv_all_schemas": svv_all_schemas, "svv_all_tables": svv_all_tables, "svv_all_columns": svv_all_columns}
