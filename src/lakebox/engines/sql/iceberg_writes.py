"""Athena's writes to Iceberg tables, each one Iceberg commit made through pyiceberg (iceberg_io.py):
- `CREATE TABLE … PARTITIONED BY (…) LOCATION … TBLPROPERTIES ('table_type'='ICEBERG')`, and CTAS
  `WITH (table_type='ICEBERG', location=…, partitioning=ARRAY[…])`: a new table in the Glue catalog,
  with Athena's partition transforms (identity, year, month, day, hour, bucket, truncate);
- INSERT INTO: an append snapshot;
- DELETE FROM, UPDATE and MERGE INTO: the table's rows computed anew by DuckDB and committed as one
  overwrite (copy-on-write; Athena itself writes position deletes, which read the same).

Rows go to pyiceberg as Arrow tables built by DuckDB with the table's own column types, so the files
are the Parquet files an Iceberg writer would make.

Imports duckdb, pyarrow, pyiceberg, sqlglot and this package.
"""

from __future__ import annotations

import contextlib
from typing import Any, Optional

import pyarrow as pa
from sqlglot import exp

from .errors import QueryError

_TIME_TRANSFORMS = {"year": "year", "years": "year", "month": "month", "months": "month", "day": "day",
                    "days": "day", "hour": "hour", "hours": "hour"}


def arrow_schema(con, columns: list[tuple[str, str]]) -> pa.Schema:
    """The Arrow schema DuckDB gives to columns of these DuckDB types (what pyiceberg turns into
    the Iceberg schema)."""
    select = ", ".join(f'CAST(NULL AS {kind}) AS "{name}"' for name, kind in columns)
    return con.sql(f"SELECT {select} LIMIT 0").to_arrow_table().schema


def create_table(catalog: Any, db: str, name: str, schema: pa.Schema, partitioning: list,
                 location: Optional[str]):
    """A new Iceberg table in `db` (the pyiceberg Table). `partitioning`: Athena's partition
    expressions (sqlglot nodes or strings)."""
    if not location:
        raise QueryError("INVALID_TABLE_PROPERTY", "INVALID_TABLE_PROPERTY: Iceberg tables need a LOCATION")
    fields = [_partition_field(node, schema) for node in partitioning]
    from pyiceberg.exceptions import TableAlreadyExistsError

    from pyiceberg.exceptions import ValidationError

    # One transaction: the table and its partition spec appear together, or not at all.
    try:
        creation = catalog.create_table_transaction(f"{db}.{name}", schema=schema, location=location.rstrip("/"))
        if fields:
            with creation.update_spec() as spec:
                for source, transform, field_name in fields:
                    spec.add_field(source, transform, field_name)
        creation.commit_transaction()
    except TableAlreadyExistsError:
        raise QueryError("TABLE_ALREADY_EXISTS", f"TABLE_ALREADY_EXISTS: Table 'awsdatacatalog.{db}.{name}' "
                                                 "already exists") from None
    except (ValidationError, ValueError) as error:
        raise QueryError("INVALID_TABLE_PROPERTY", f"INVALID_TABLE_PROPERTY: {error}") from None
    return catalog.load_table(f"{db}.{name}")


def _partition_field(node, schema: pa.Schema) -> tuple:
    """(source column, pyiceberg transform, partition field name) for one partition expression."""
    from pyiceberg.transforms import (BucketTransform, DayTransform, HourTransform, IdentityTransform,
                                      MonthTransform, TruncateTransform, YearTransform)

    if isinstance(node, str):
        from . import translate
        node = translate.parse(f"SELECT {node}").expressions[0]
    names = {field.name.lower() for field in schema}
    if isinstance(node, (exp.Identifier, exp.Column)):
        column = node.name.lower()
        _known(column, names)
        return column, IdentityTransform(), column
    if isinstance(node, exp.PartitionedByBucket):
        column, number = _column_and_number(node.this, node.expression)
        _known(column, names)
        return column, BucketTransform(number), f"{column}_bucket"
    if isinstance(node, (exp.PartitionByTruncate, exp.Trunc)):
        column, number = _column_and_number(node.this, node.args.get("expression") or node.args.get("decimals"))
        _known(column, names)
        return column, TruncateTransform(number), f"{column}_trunc"
    function = (node.sql_name() if not isinstance(node, exp.Anonymous) else node.name).lower()
    arguments = [node.this] + list(node.expressions) if not isinstance(node, exp.Anonymous) else list(node.expressions)
    arguments = [a for a in arguments if a is not None]
    if function in _TIME_TRANSFORMS and len(arguments) == 1:
        column = _column_in(arguments[0])
        _known(column, names)
        kind = _TIME_TRANSFORMS[function]
        transform = {"year": YearTransform, "month": MonthTransform, "day": DayTransform, "hour": HourTransform}[kind]
        return column, transform(), f"{column}_{kind}"
    if function in ("bucket", "truncate") and len(arguments) == 2:
        column, number = _column_and_number(*arguments)
        _known(column, names)
        if function == "bucket":
            return column, BucketTransform(number), f"{column}_bucket"
        return column, TruncateTransform(number), f"{column}_trunc"
    raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: Unsupported partition transform: {node.sql(dialect='trino')}")


def _column_in(node) -> str:
    """The column a transform's argument names (Hive's parser wraps day(ts)'s in a cast)."""
    if isinstance(node, (exp.Column, exp.Identifier)):
        return node.name.lower()
    found = node.find(exp.Column) if isinstance(node, exp.Expression) else None
    return found.name.lower() if found is not None else ""


def _column_and_number(first, second) -> tuple[str, int]:
    """bucket(16, id) in CREATE TABLE, bucket(id, 16) in CTAS: the column and the number, either way."""
    for column, number in ((first, second), (second, first)):
        if isinstance(number, exp.Literal) and not number.is_string and isinstance(column, (exp.Column, exp.Identifier)):
            return column.name.lower(), int(number.name)
    raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: a partition transform needs a column and a number")


def _known(column: str, names: set) -> None:
    if column not in names:
        raise QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: Partition column {column} does not exist")


def load(catalog: Any, db: str, name: str):
    return catalog.load_table(f"{db}.{name}")


def append(table, rows: pa.Table) -> int:
    if rows.num_rows:
        with _commit(table):
            table.append(conformed(table, rows))
    return rows.num_rows


def overwrite(table, rows: pa.Table) -> None:
    """Replace the table's rows with `rows` in one snapshot of operation `overwrite`: its live data
    files out and the new ones in. Athena's UPDATE, DELETE, MERGE and OPTIMIZE each commit one
    snapshot; pyiceberg's own overwrite commits a delete and then an append, two snapshots, the first
    an empty table that time travel could read."""
    from pyiceberg.io.pyarrow import _dataframe_to_data_files
    from pyiceberg.manifest import DataFileContent

    rows = conformed(table, rows)
    with _commit(table):
        with table.transaction() as transaction:
            current = transaction.table_metadata.current_snapshot()
            with transaction.update_snapshot().overwrite() as producer:
                for manifest in current.manifests(table.io) if current is not None else []:
                    for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
                        # Position delete files of other writers stay listed; the data files they
                        # point at are gone, so they delete nothing.
                        if entry.data_file.content == DataFileContent.DATA:
                            producer.delete_data_file(entry.data_file)
                if rows.num_rows:
                    for data_file in _dataframe_to_data_files(table_metadata=transaction.table_metadata,
                                                              write_uuid=producer.commit_uuid, df=rows, io=table.io):
                        producer.append_data_file(data_file)


@contextlib.contextmanager
def _commit(table):
    """A commit another writer got in before (pyiceberg retries, then gives up, or finds the other
    commit's files conflict with its own): Athena's ICEBERG_COMMIT_ERROR, and nothing changed."""
    from pyiceberg.exceptions import CommitFailedException, ValidationException

    try:
        yield
    except (CommitFailedException, ValidationException) as error:
        raise QueryError("ICEBERG_COMMIT_ERROR", f"ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update to table: "
                                                 f"{'.'.join(table.name())}: {error}") from None


@contextlib.contextmanager
def schema_commit(table):
    """pyiceberg's UpdateSchema, committed as one new metadata version; a change Iceberg refuses (a
    type it cannot promote, a column it cannot move) is Athena's NOT_SUPPORTED, and nothing changed."""
    from pyiceberg.exceptions import ValidationError

    with _commit(table):
        try:
            with table.update_schema() as update:
                yield update
        except (ValidationError, ValueError) as error:
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: {error}") from None


def conformed(table, rows: pa.Table) -> pa.Table:
    """`rows` with the table's column names (DuckDB lower-cases them) in the table's order."""
    wanted = table.schema().as_arrow()
    by_name = {name.lower(): index for index, name in enumerate(rows.column_names)}
    columns = []
    for field in wanted:
        index = by_name.get(field.name.lower())
        column = rows.column(index) if index is not None else pa.nulls(rows.num_rows, field.type)
        columns.append(column.cast(field.type) if column.type != field.type else column)
    return pa.Table.from_arrays(columns, schema=pa.schema([pa.field(f.name, f.type, nullable=True) for f in wanted]))
