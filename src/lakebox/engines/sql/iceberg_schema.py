"""Athena's DDL on an Iceberg table's schema and properties, each statement one pyiceberg commit (a new
metadata version whose schema keeps every field id, so older data files read under the new names
and types): ALTER TABLE ADD COLUMNS, DROP COLUMN, CHANGE COLUMN and SET TBLPROPERTIES, and the Iceberg
schema of CREATE TABLE with its column comments.

What CHANGE COLUMN may do is Athena's list ("Evolve Iceberg table schema"): rename, move (FIRST or
AFTER a column), set the comment, and widen the type the ways Iceberg allows, int to bigint, float
to double, and a decimal's precision (same scale). REPLACE COLUMNS is refused, as Athena refuses it
for Iceberg. pyiceberg's Glue catalog writes the Glue table anew with each commit (its columns, with
the comments, and the older schemas' columns marked `iceberg.field.current` false).

Imports duckdb, pyarrow, pyiceberg, sqlglot and this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import duckdb
import pyarrow as pa
from sqlglot import exp

from . import iceberg_writes
from .errors import QueryError
from .types import HiveTypeError, hive_to_duckdb


@dataclass
class Change:
    """One CHANGE COLUMN: the column's name now, its new Glue column (Name, Type, optional Comment),
    and where it moves: None, "FIRST", or the name of the column it goes after."""
    old: str
    column: dict
    position: Optional[str] = None


def arrow_schema(columns: list[dict]) -> pa.Schema:
    """The Arrow schema of Glue columns (Name, Hive Type, optional Comment), names in lower case as
    Athena keeps them, each comment as the field's `doc` (which pyiceberg makes the Iceberg doc)."""
    try:
        duck = [(c["Name"].lower(), hive_to_duckdb(c["Type"])) for c in columns]
    except HiveTypeError as error:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {error}") from None
    with duckdb.connect() as con:
        schema = iceberg_writes.arrow_schema(con, duck)
    return pa.schema([field.with_metadata({"doc": column["Comment"]}) if column.get("Comment") else field
                      for field, column in zip(schema, columns)])


def alter(iceberg_catalog: Any, db: str, name: str, statement: exp.Alter) -> str:
    """ALTER TABLE on an Iceberg table, one commit per action; the statement type Athena reports."""
    from . import ddl_hive

    kind = "ALTER_TABLE"
    for action in statement.args.get("actions") or []:
        table = iceberg_catalog.load_table(f"{db}.{name}")
        if isinstance(action, (exp.Schema, exp.ColumnDef)):
            defs = action.expressions if isinstance(action, exp.Schema) else [action]
            _add_columns(table, [ddl_hive.column(d) for d in defs])
            kind = "ALTER_TABLE_ADD_COLUMNS"
        elif isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN":
            for target in action.args.get("tables") or []:
                _drop_column(table, target.name.lower(), bool(action.args.get("exists")))
            kind = "ALTER_TABLE_DROP_COLUMN"
        elif isinstance(action, exp.ReplaceColumns):
            raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: ALTER TABLE REPLACE COLUMNS is not supported for "
                                              "Iceberg tables; use ALTER TABLE CHANGE COLUMN")
        elif isinstance(action, exp.AlterSet) and action.expressions and action.args.get("location") is None:
            properties = {prop.name: prop.args["value"].name for props in action.expressions
                          for prop in props.expressions}
            with table.transaction() as transaction:
                transaction.set_properties(properties)
            kind = "ALTER_TABLE_SET_TBLPROPERTIES"
        else:
            raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: this ALTER TABLE is not supported for Iceberg tables: "
                                              f"{action.sql(dialect='hive')[:60]}")
    return kind


def change_column(iceberg_catalog: Any, db: str, name: str, change: Change) -> str:
    table = iceberg_catalog.load_table(f"{db}.{name}")
    fields = {field.name.lower(): field for field in table.schema().fields}
    old, new = change.old.lower(), change.column["Name"].lower()
    field = fields.get(old)
    if field is None:
        raise QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: Column '{old}' does not exist")
    if new != old and new in fields:
        raise QueryError("COLUMN_ALREADY_EXISTS", f"COLUMN_ALREADY_EXISTS: Column '{new}' already exists")
    if change.position not in (None, "FIRST") and change.position.lower() not in fields:
        raise QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: Column '{change.position.lower()}' does not exist")
    new_type = _new_type(field, change.column)
    if new_type is not None and not _promotable(field.field_type, new_type):
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Cannot change column type: {old}: {field.field_type} -> "
                                          f"{new_type}")
    doc = change.column.get("Comment")
    with iceberg_writes.schema_commit(table) as update:
        if new_type is not None or (doc is not None and doc != field.doc):
            update.update_column(field.name, field_type=new_type, doc=doc)
        if change.position == "FIRST":
            update.move_first(field.name)
        elif change.position is not None:
            update.move_after(field.name, fields[change.position.lower()].name)
        if new != field.name:
            update.rename_column(field.name, new)
    return "ALTER_TABLE_CHANGE_COLUMN"


def _add_columns(table, columns: list[dict]) -> None:
    existing = {field.name.lower() for field in table.schema().fields}
    for column in columns:
        if column["Name"].lower() in existing:
            raise QueryError("COLUMN_ALREADY_EXISTS", f"COLUMN_ALREADY_EXISTS: Column '{column['Name']}' "
                                                      "already exists")
    with iceberg_writes.schema_commit(table) as update:
        update.union_by_name(arrow_schema(columns))


def _drop_column(table, column: str, if_exists: bool) -> None:
    names = {field.name.lower(): field.name for field in table.schema().fields}
    if column not in names:
        if if_exists:
            return
        raise QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: Column '{column}' does not exist")
    if len(names) == 1:
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Cannot drop the only column in a table")
    source_ids = {spec_field.source_id for spec_field in table.spec().fields}
    if table.schema().find_field(names[column]).field_id in source_ids:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Cannot drop partition field: {column}")
    with iceberg_writes.schema_commit(table) as update:
        update.delete_column(names[column])


def _new_type(field, column: dict):
    """The Iceberg type CHANGE COLUMN gives `field`, None when it keeps its own (a nested type is
    compared as the Glue type it is written as: its field ids are the table's)."""
    from pyiceberg.catalog.glue import _IcebergSchemaToGlueType
    from pyiceberg.io.pyarrow import _pyarrow_to_schema_without_ids
    from pyiceberg.schema import visit

    if visit(field.field_type, _IcebergSchemaToGlueType()).replace(" ", "").lower() == column["Type"]:
        return None
    wanted = _pyarrow_to_schema_without_ids(arrow_schema([{"Name": column["Name"], "Type": column["Type"]}])) \
        .fields[0].field_type
    if not field.field_type.is_primitive or not wanted.is_primitive:
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Cannot change column type: {field.name}: "
                                          f"{field.field_type} -> {wanted}")
    return None if wanted == field.field_type else wanted


def _promotable(current, wanted) -> bool:
    """Iceberg's type promotions, the ones Athena lists: int to bigint, float to double, and a wider
    decimal precision at the same scale."""
    from pyiceberg.types import DecimalType, DoubleType, FloatType, IntegerType, LongType

    if isinstance(current, IntegerType) and isinstance(wanted, LongType):
        return True
    if isinstance(current, FloatType) and isinstance(wanted, DoubleType):
        return True
    return isinstance(current, DecimalType) and isinstance(wanted, DecimalType) and \
        wanted.scale == current.scale and wanted.precision >= current.precision
