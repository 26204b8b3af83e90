"""The Athena statements that write Iceberg tables, over iceberg_writes.py: CREATE TABLE (DDL; ALTER TABLE
is iceberg_schema.py's), CTAS, INSERT INTO, DELETE FROM, UPDATE and MERGE INTO. The rows come from DuckDB
through the engine's own table resolution and translation, so a statement reads exactly what a SELECT of it would.

DELETE and UPDATE evaluate their WHERE once per row (`COALESCE(cond, FALSE)`, so a NULL condition
touches nothing, as in Trino), then commit the table's new rows as one snapshot; the update count is
the number of rows the condition held for. MERGE INTO runs DuckDB's MERGE over a copy of the rows.

Imports duckdb, pyarrow, sqlglot and this package.
"""

from __future__ import annotations

from typing import Any, Optional

import duckdb
from sqlglot import exp

from . import iceberg, iceberg_writes, translate
from .errors import QueryError
from .reader import quote_ident
from .write_specs import check_names

HIVE_ROWS_UNSUPPORTED = "NOT_SUPPORTED: Modifying Hive table rows is only supported for transactional tables"
_HIT = "__lakebox_hit"
#: The CTAS properties of an Iceberg table (Athena's list; the maintenance ones are accepted and kept
#: to pyiceberg's defaults).
_CTAS_PROPERTIES = {"table_type", "is_external", "location", "partitioning", "format", "write_compression",
                    "vacuum_max_snapshot_age_seconds", "vacuum_min_snapshots_to_keep",
                    "optimize_rewrite_delete_file_threshold", "optimize_rewrite_data_file_threshold"}


def catalog(engine: Any):
    """pyiceberg's catalog for the engine's account (pyiceberg is imported on the first Iceberg write)."""
    from . import iceberg_io

    return iceberg_io.catalog_for(engine.catalog, engine.lake, engine.account, engine.region)


def is_iceberg_ctas(tree: exp.Create) -> bool:
    return any(isinstance(p, exp.Property) and p.name.lower() == "table_type" and p.args.get("value") is not None
               and p.args["value"].name.upper() == "ICEBERG"
               for p in (tree.args.get("properties") or exp.Properties()).expressions)


# -- CREATE TABLE (DDL) ------------------------------------------------------------------------------

def create_from_ddl(glue_catalog: Any, lake: Any, account: str, region: str, db: str, name: str,
                    columns: list[dict], props: list) -> None:
    """`columns`: Glue columns (Name, Hive Type, optional Comment) of the statement; `props`: its
    properties."""
    from . import iceberg_io, iceberg_schema

    schema = iceberg_schema.arrow_schema(columns)
    location, partitioning = None, []
    for prop in props:
        if isinstance(prop, exp.LocationProperty):
            location = prop.this.name
        elif isinstance(prop, exp.PartitionedByProperty):
            node = prop.this
            partitioning = list(node.expressions) if isinstance(node, (exp.Schema, exp.Tuple)) else [node]
    iceberg_writes.create_table(iceberg_io.catalog_for(glue_catalog, lake, account, region), db, name, schema,
                                partitioning, location)


# -- CTAS, INSERT ------------------------------------------------------------------------------------

def ctas(write: Any, tree: exp.Create, db: str, name: str, parameters: list) -> int:
    options: dict = {}
    for prop in (tree.args.get("properties") or exp.Properties()).expressions:
        if isinstance(prop, exp.LocationProperty):
            options["location"] = prop.this.name
        elif isinstance(prop, exp.Property):
            options[prop.name.lower()] = _option_value(prop.args.get("value"))
    if str(options.get("is_external", "false")).lower() != "false":
        raise QueryError("INVALID_TABLE_PROPERTY", "INVALID_TABLE_PROPERTY: Iceberg tables must set "
                                                   "is_external=false")
    unknown = set(options) - _CTAS_PROPERTIES
    if unknown:
        raise QueryError("INVALID_TABLE_PROPERTY", f"INVALID_TABLE_PROPERTY: Catalog 'awsdatacatalog' table "
                                                   f"property '{sorted(unknown)[0]}' does not exist")
    translate.require_names(tree.expression)
    fields: list = []
    write._materialize(tree.expression, parameters, "__ctas", fields)
    check_names(tree.expression, fields)
    rows = write.con.sql("SELECT * FROM __ctas").to_arrow_table()
    rows = rows.rename_columns([column.lower() for column in rows.column_names])  # Athena's names are lower case
    table = iceberg_writes.create_table(catalog(write.engine), db, name, rows.schema,
                                        options.get("partitioning") or [], options.get("location"))
    return iceberg_writes.append(table, rows)


def _option_value(value: Optional[exp.Expression]):
    if isinstance(value, exp.Array):
        return [item.name for item in value.expressions]
    if isinstance(value, exp.Boolean):
        return "true" if value.this else "false"
    return value.name if value is not None else None


def insert(write: Any, db: str, name: str, source: str) -> int:
    """Append the rows of DuckDB table `source` (already cast to the table's columns)."""
    table = iceberg_writes.load(catalog(write.engine), db, name)
    return iceberg_writes.append(table, write.con.sql(f"SELECT * FROM {source}").to_arrow_table())


# -- DELETE, UPDATE ----------------------------------------------------------------------------------

def delete(write: Any, tree: exp.Delete, parameters: list) -> int:
    db, name, glue = _target(write, tree.this)
    columns = _columns(glue)
    condition = _condition(tree)
    select = ", ".join(quote_ident(c) for c in columns) + f", {condition} AS {quote_ident(_HIT)}"
    return _rewrite(write, db, name, select, columns, parameters, drop_hits=True)


def update(write: Any, tree: exp.Update, parameters: list) -> int:
    db, name, glue = _target(write, tree.this)
    columns = _columns(glue)
    sets = {}
    for assignment in tree.expressions:
        column = assignment.this.name.lower()
        if column not in columns:
            raise QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: line 1:1: Column '{column}' cannot be resolved")
        sets[column] = assignment.expression.sql(dialect="trino")
    condition = _condition(tree)
    exprs = [f"CASE WHEN {condition} THEN ({sets[c]}) ELSE {quote_ident(c)} END AS {quote_ident(c)}" if c in sets
             else quote_ident(c) for c in columns]
    select = ", ".join(exprs) + f", {condition} AS {quote_ident(_HIT)}"
    return _rewrite(write, db, name, select, columns, parameters, drop_hits=False)


def merge(write: Any, tree: exp.Merge, parameters: list) -> int:
    """MERGE INTO an Iceberg table: DuckDB's own MERGE run over a copy of the table's rows (the
    source's tables resolved as in any query), then those rows committed as one snapshot; the
    number of rows inserted, updated or deleted."""
    from . import engine as engine_module

    target = tree.this
    db, name, glue = _target(write, target)
    columns = _columns(glue)
    listed = ", ".join(quote_ident(c) for c in columns)
    write._materialize(translate.parse(f"SELECT {listed} FROM {quote_ident(db)}.{quote_ident(name)}"), parameters,
                       "__merge_target")
    statement = tree.copy()
    engine_module._bind(statement, parameters)
    statement.set("this", None)  # the target is the copy below, not a view of the table
    scanned, schema = write.engine._resolve_tables(write.con, statement, write.database)
    write.scanned += scanned
    alias = target.alias or target.name
    statement.set("this", exp.Table(this=exp.to_identifier("__merge_target"),
                                    alias=exp.TableAlias(this=exp.to_identifier(alias))))
    relation = write.con.table("__merge_target")
    schema["__merge_target"] = {column: str(kind) for column, kind in zip(relation.columns, relation.types)}
    _check_single_matches(write, statement, alias, schema)
    try:
        changed = write.con.execute(translate.to_duckdb(statement, schema)).fetchall()[0][0]
    except duckdb.Error as error:
        raise engine_module._athena_error(error, tree.sql(dialect="trino")) from None
    if changed:
        table = iceberg_writes.load(catalog(write.engine), db, name)
        iceberg_writes.overwrite(table, write.con.sql(f"SELECT {listed} FROM __merge_target").to_arrow_table())
    return changed


def _check_single_matches(write: Any, statement: exp.Merge, alias: str, schema: dict) -> None:
    """Trino refuses a MERGE whose WHEN MATCHED clause would meet a target row twice (DuckDB would
    apply the first): MERGE_TARGET_ROW_MULTIPLE_MATCHES, before anything changes."""
    whens = statement.args.get("whens")
    if not any(when.args.get("matched") for when in (whens.expressions if whens is not None else [])):
        return
    check = (exp.select("1").from_(statement.this.copy())
             .join(statement.args["using"].copy(), on=statement.args["on"].copy())
             .group_by(exp.column("rowid", table=alias)).having("count(*) > 1").limit(1))
    try:
        twice = write.con.execute(translate.to_duckdb(check, schema)).fetchall()
    except duckdb.Error:
        return  # the MERGE itself reports what is wrong with it
    if twice:
        raise QueryError("MERGE_TARGET_ROW_MULTIPLE_MATCHES", "MERGE_TARGET_ROW_MULTIPLE_MATCHES: One MERGE target "
                                                              "table row matched more than one source row")


def _rewrite(write: Any, db: str, name: str, select: str, columns: list, parameters: list, drop_hits: bool) -> int:
    """Commit the table's rows as `select` computes them (less the hit rows when `drop_hits`); the
    number of rows the statement's condition held for."""
    query = translate.parse(f"SELECT {select} FROM {quote_ident(db)}.{quote_ident(name)}")
    write._materialize(query, parameters, "__rows")
    hits = write.con.execute(f"SELECT count(*) FILTER (WHERE {quote_ident(_HIT)}) FROM __rows").fetchall()[0][0]
    if not hits:
        return 0
    deleting = f"WHERE NOT {quote_ident(_HIT)}" if drop_hits else ""
    kept = write.con.sql(f"SELECT {', '.join(quote_ident(c) for c in columns)} FROM __rows {deleting}")
    iceberg_writes.overwrite(iceberg_writes.load(catalog(write.engine), db, name), kept.to_arrow_table())
    return hits


def _target(write: Any, table: exp.Table) -> tuple[str, str, dict]:
    db, name = write._name(table)
    glue = write._catalog("get_table", db, name)
    if glue is None:
        raise QueryError("TABLE_NOT_FOUND", f"TABLE_NOT_FOUND: line 1:1: Table 'awsdatacatalog.{db}.{name}' "
                                            "does not exist")
    if not iceberg.is_iceberg(glue):
        raise QueryError("NOT_SUPPORTED", HIVE_ROWS_UNSUPPORTED)
    return db, name, glue


def _columns(glue: dict) -> list[str]:
    columns = iceberg.current_columns((glue.get("StorageDescriptor") or {}).get("Columns") or [])
    return [c["Name"].lower() for c in columns]


def _condition(tree: exp.Expression) -> str:
    where: Optional[exp.Where] = tree.args.get("where")
    return f"COALESCE(({where.this.sql(dialect='trino')}), FALSE)" if where is not None else "TRUE"
