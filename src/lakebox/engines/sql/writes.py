"""Athena's writing statements: CTAS, INSERT INTO and UNLOAD; DELETE FROM, UPDATE, MERGE INTO and the
Iceberg forms of CTAS and INSERT go to iceberg_statements.py (only Iceberg tables have rows to change),
OPTIMIZE and VACUUM to iceberg_maintenance.py.

Each runs its query on DuckDB into a temporary table, writes real files into the lake (`write_files`)
and, for CTAS and INSERT, registers the table and its new partitions in Glue as Athena does
(`write_specs` reads the statements' options and builds the Glue inputs). The
outcome lists the data files written (`manifest_files`); the Athena API writes them to
`<OutputLocation>/<id>-manifest.csv`.

- CTAS without `external_location` writes under `<OutputLocation>/tables/<QueryExecutionId>/`.
- A target folder that already holds files fails with HIVE_PATH_ALREADY_EXISTS (CTAS, UNLOAD).
- Partition columns must be the last columns of the query, in `partitioned_by` order.

Imports duckdb, sqlglot, the Glue provider's error type and this package.
"""

from __future__ import annotations

import re
import threading
import uuid
from typing import Optional

import duckdb
from sqlglot import exp

from ...protocol.errors import AwsError
from . import cancel_watch, iceberg, iceberg_maintenance, iceberg_statements, reader, syntax_errors, translate
from .errors import QueryError
from .types import hive_to_duckdb
from .write_files import (
    FileFormat,
    folder_has_files,
    hive_type,
    partition_folder,
    write_files,
)
from .write_specs import (
    CTAS_OPTIONS,
    UNLOAD_OPTIONS,
    check_names,
    check_writable,
    file_format,
    glue_value,
    options_of,
    partition_keys,
    table_format,
    table_input,
)

_CATALOG = "awsdatacatalog"
_WRITE_START = re.compile(r"^\s*(CREATE\s+TABLE\s+(?=.*\bAS\b)|INSERT\s+INTO\b|UNLOAD\s*\(|DELETE\s+FROM\b|UPDATE\s"
                          r"|MERGE\s+INTO\b|OPTIMIZE\s|VACUUM\s)", re.IGNORECASE | re.DOTALL)


def is_write(sql: str) -> bool:
    return bool(_WRITE_START.match(re.sub(r"--[^\n]*", "", sql or "")))


def run_write(engine, sql: str, database: Optional[str], parameters: list, cancel: Optional[threading.Event],
              output_location: Optional[str], query_id: Optional[str]):
    from .engine import QueryOutcome, column_info
    run = _Write(engine, (database or "default").lower(), cancel, query_id or uuid.uuid4().hex)
    text = re.sub(r"--[^\n]*", "", sql).strip().rstrip(";").strip()
    from .engine import connect
    con = connect()
    try:
        run.con = con
        if re.match(r"UNLOAD\b", text, re.IGNORECASE):
            rows, files = run.unload(text, parameters)
            return QueryOutcome("DML", "UNLOAD", [], [], run.scanned, rows, manifest_files=files)
        if iceberg_maintenance.is_maintenance(text):
            return QueryOutcome("DML", iceberg_maintenance.run(run, text), [], [], run.scanned)
        tree = translate.parse(text)
        if isinstance(tree, exp.Command) and tree.name.upper() == "CREATE":
            refused = syntax_errors.ctas_query_error(text)
            if refused is not None:
                raise refused
        if isinstance(tree, exp.Insert):
            rows, files = run.insert(tree, parameters)
            return QueryOutcome("DML", "INSERT", [], [], run.scanned, rows, manifest_files=files)
        if isinstance(tree, exp.Delete):
            return QueryOutcome("DML", "DELETE", [], [], run.scanned, iceberg_statements.delete(run, tree, parameters))
        if isinstance(tree, exp.Update):
            return QueryOutcome("DML", "UPDATE", [], [], run.scanned, iceberg_statements.update(run, tree, parameters))
        if isinstance(tree, exp.Merge):
            return QueryOutcome("DML", "MERGE", [], [], run.scanned, iceberg_statements.merge(run, tree, parameters))
        if isinstance(tree, exp.Create) and tree.expression is not None:
            rows, files = run.ctas(tree, parameters, output_location)
            # Athena describes a CTAS result as one bigint column `rows` with no row: the count is
            # the UpdateCount (pyathena's cursor.description shows that column).
            return QueryOutcome("DDL", "CREATE_TABLE_AS_SELECT", [column_info("rows", "bigint", "BIGINT")], [],
                                run.scanned, rows, manifest_files=files)
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: statement {tree.key.upper()} is not supported")
    finally:
        con.close()


def _url(location: str, local_root: str, path: str) -> str:
    return location.rstrip("/") + "/" + path[len(local_root.rstrip("/")) + 1:].replace("\\", "/")


class _Write:
    def __init__(self, engine, database: str, cancel, query_id: str):
        self.engine, self.database, self.cancel, self.query_id = engine, database, cancel, query_id
        self.con = None
        self.scanned = 0

    # -- shared steps ------------------------------------------------------------------------------

    def _catalog(self, method: str, *args):
        try:
            return getattr(self.engine.catalog, method)(self.engine.account, self.engine.region, *args)
        except AwsError as error:
            raise QueryError("GENERIC_INTERNAL_ERROR", f"GENERIC_INTERNAL_ERROR: {error.code}: {error.message}") from None

    def _name(self, table: exp.Table) -> tuple[str, str]:
        self.engine.check_catalog(table.catalog)
        return (table.db or self.database).lower(), table.name.lower()

    def _materialize(self, query: exp.Expression, parameters: list, name: str,
                     fields: Optional[list] = None) -> tuple[list, list]:
        """Run `query` into the temporary table `name`; its (column names, DuckDB types). The table's
        names are unique (DuckDB renames a repeated one); `fields`, when given, receives the query's
        own (name, DuckDB type) pairs, repeats included."""
        from . import engine as engine_module
        if not isinstance(query, (exp.Query, exp.Values)):
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: statement {query.key.upper()} is not supported")
        engine_module._bind(query, parameters)
        scanned, schema = self.engine._resolve_tables(self.con, query, self.database)
        self.scanned += scanned
        duck_sql = translate.to_duckdb(query, schema)
        if fields is not None:
            try:
                described = self.con.sql(duck_sql)  # binds the query, runs nothing
            except duckdb.Error as error:
                raise engine_module._athena_error(error, query.sql(dialect="trino")) from None
            fields.extend(zip(described.columns, described.types))
        watched = cancel_watch.WATCHER.watch(self.cancel, self.con) if self.cancel is not None else None
        try:
            self.con.execute(f"CREATE TEMP TABLE {name} AS {duck_sql}")
        except duckdb.InterruptException:
            raise QueryError("USER_CANCELLED", "Query cancelled by user") from None
        except duckdb.Error as error:
            raise engine_module._athena_error(error, query.sql(dialect="trino")) from None
        finally:
            if watched is not None:
                cancel_watch.WATCHER.unwatch(watched)
        relation = self.con.table(name)
        return list(relation.columns), list(relation.types)

    def _write(self, source: str, data_cols: list, data_types: list, keys: list, fmt: FileFormat,
               location: str, partition_locations: dict, bucket_by=None, bucket_count=0) -> tuple[int, list, list]:
        """Write `source`'s rows under `location` (Hive folders per partition). `partition_locations`
        maps the values of already registered partitions to their locations. Returns (rows, data file
        URLs, [(values, location)] of partitions not registered yet)."""
        stem = f"{self.query_id}_{uuid.uuid4().hex[:8]}"
        casts = ", ".join(f"CAST({reader.quote_ident(c)} AS {t}) AS {reader.quote_ident(c)}"
                          for c, t in zip(data_cols, data_types))
        rows, urls, fresh = 0, [], []
        if not keys:
            units = [([], location, "TRUE")]
        else:
            key_sql = ", ".join(f"CAST({reader.quote_ident(k)} AS VARCHAR)" for k in keys)
            units = []
            for values in self.con.execute(f"SELECT DISTINCT {key_sql} FROM {source} ORDER BY ALL").fetchall():
                values = list(values)
                where = " AND ".join(f"CAST({reader.quote_ident(k)} AS VARCHAR) IS NOT DISTINCT FROM "
                                     f"{'NULL' if v is None else reader.quote_str(v)}" for k, v in zip(keys, values))
                key = tuple(glue_value(v) for v in values)
                target = partition_locations.get(key)
                if target is None:
                    target = f"{location.rstrip('/')}/{partition_folder(keys, values)}"
                    fresh.append((list(key), target))
                units.append((values, target, where))
        for _, target, where in units:
            folder = reader.location_path(self.engine.lake, target)
            written = write_files(self.con, f"SELECT {casts} FROM {source} WHERE {where}", fmt, folder, stem,
                                  bucket_by, bucket_count)
            rows += written.rows
            urls += [_url(target, folder, path) for path in written.files]
        return rows, urls, fresh

    def _empty_target(self, location: str, table: str) -> str:
        folder = reader.location_path(self.engine.lake, location)
        if folder_has_files(folder):
            raise QueryError("HIVE_PATH_ALREADY_EXISTS",
                             f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{table}' already exists: "
                             f"{location}. You may need to manually clean the data at location '{location}' "
                             "before retrying. Athena will not delete data in your account.")
        return folder

    # -- CTAS -------------------------------------------------------------------------------------

    def ctas(self, tree: exp.Create, parameters: list, output_location: Optional[str]) -> tuple[int, list]:
        db, name = self._name(tree.this if isinstance(tree.this, exp.Table) else tree.this.this)
        if self._catalog("get_database", db) is None:
            raise QueryError("SCHEMA_NOT_FOUND", f"SCHEMA_NOT_FOUND: line 1:1: Schema '{db}' does not exist")
        if self._catalog("get_table", db, name) is not None:
            if tree.args.get("exists"):
                return 0, []
            raise QueryError("TABLE_ALREADY_EXISTS",
                             f"TABLE_ALREADY_EXISTS: line 1:1: Table '{_CATALOG}.{db}.{name}' already exists")
        if iceberg_statements.is_iceberg_ctas(tree):
            return iceberg_statements.ctas(self, tree, db, name, parameters), []
        options = options_of(tree, allowed=CTAS_OPTIONS)
        fmt = file_format(options)
        location = options.get("external_location")
        if location is None:
            if not output_location:
                raise QueryError("INVALID_INPUT", "INVALID_INPUT: CTAS needs an output location or external_location")
            location = f"{output_location.rstrip('/')}/tables/{self.query_id}"
        self._empty_target(location, f"{db}.{name}")
        translate.require_names(tree.expression)  # before the translation names them _col<n>
        fields: list = []
        columns, types = self._materialize(tree.expression, parameters, "__ctas", fields)
        check_names(tree.expression, fields)
        columns = [c.lower() for c in columns]
        keys = partition_keys(options, columns)
        bucket_by = [c.lower() for c in options.get("bucketed_by") or []]
        for column in bucket_by:
            if column not in columns:
                raise QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: Bucketing column {column} not present in the table")
        hive = [hive_type(t) for t in types]
        data_cols = columns[:len(columns) - len(keys)]
        duck = [hive_to_duckdb(h) for h in hive]
        rows, urls, fresh = 0, [], []
        if not options.get("no_data"):
            rows, urls, fresh = self._write("__ctas", data_cols, duck[:len(data_cols)], keys, fmt, location, {},
                                            bucket_by, int(options.get("bucket_count") or 0))
        table = table_input(name, location, fmt, list(zip(columns, hive)), len(keys), bucket_by,
                             int(options.get("bucket_count") or 0) if bucket_by else -1, options)
        self._catalog("create_table", db, table)
        if fresh:
            self._catalog("batch_create_partition", db, name,
                          [{"Values": v, "StorageDescriptor": {**table["StorageDescriptor"], "Location": loc},
                            "Parameters": {}} for v, loc in fresh])
        return rows, urls

    # -- INSERT INTO ------------------------------------------------------------------------------

    def insert(self, tree: exp.Insert, parameters: list) -> tuple[int, list]:
        target = tree.this
        named = [i.name.lower() for i in target.expressions] if isinstance(target, exp.Schema) else None
        db, name = self._name(target.this if isinstance(target, exp.Schema) else target)
        table = self._catalog("get_table", db, name)
        if table is None:
            raise QueryError("TABLE_NOT_FOUND", f"TABLE_NOT_FOUND: line 1:13: Table '{_CATALOG}.{db}.{name}' does not exist")
        if table.get("TableType") == "VIRTUAL_VIEW":
            raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: Inserting into views is not supported")
        if not iceberg.is_iceberg(table):
            check_writable(table)
        sd = table.get("StorageDescriptor") or {}
        data = [(c["Name"].lower(), hive_to_duckdb(c.get("Type") or "string"))
                for c in iceberg.current_columns(sd.get("Columns") or [])]
        keys = [(k["Name"].lower(), hive_to_duckdb(k.get("Type") or "string")) for k in table.get("PartitionKeys") or []]
        everything = data + keys
        wanted = named if named is not None else [n for n, _ in everything]
        unknown = [n for n in wanted if n not in dict(everything)]
        if unknown:
            raise QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: line 1:1: Insert column name does not exist "
                                                 f"in target table: {unknown[0]}")
        columns, _ = self._materialize(tree.expression, parameters, "__src")
        if len(columns) != len(wanted):
            raise QueryError("TYPE_MISMATCH", f"TYPE_MISMATCH: line 1:1: Insert query has {len(columns)} columns "
                                              f"but the target has {len(wanted)}: {', '.join(wanted)}")
        source = {n: reader.quote_ident(c) for n, c in zip(wanted, columns)}
        select = ", ".join(f"CAST({source[n]} AS {t}) AS {reader.quote_ident(n)}" if n in source
                           else f"CAST(NULL AS {t}) AS {reader.quote_ident(n)}" for n, t in everything)
        try:
            self.con.execute(f"CREATE TEMP TABLE __ins AS SELECT {select} FROM __src")
        except duckdb.Error as error:
            from .engine import _athena_error
            raise _athena_error(error, tree.sql(dialect="trino")) from None
        if iceberg.is_iceberg(table):
            return iceberg_statements.insert(self, db, name, "__ins"), []
        existing = {}
        if keys:
            existing = {tuple(p.get("Values") or []): (p.get("StorageDescriptor") or {}).get("Location")
                        for p in self._catalog("get_partitions", db, name)}
        params = table.get("Parameters") or {}
        fmt = table_format(table, params)
        buckets = int(sd.get("NumberOfBuckets") or -1)
        bucket_by = [c.lower() for c in sd.get("BucketColumns") or []] if buckets > 0 else None
        rows, urls, fresh = self._write("__ins", [n for n, _ in data], [t for _, t in data], [n for n, _ in keys],
                                        fmt, sd.get("Location") or "", existing, bucket_by, max(buckets, 0))
        if fresh:
            self._catalog("batch_create_partition", db, name,
                          [{"Values": v, "StorageDescriptor": {**sd, "Location": loc}, "Parameters": {}}
                           for v, loc in fresh])
        return rows, urls

    # -- UNLOAD -----------------------------------------------------------------------------------

    def unload(self, text: str, parameters: list) -> tuple[int, list]:
        query, location, props = _split_unload(text)
        holder = translate.parse(f"CREATE TABLE __unload WITH ({props}) AS SELECT 1" if props
                                 else "CREATE TABLE __unload AS SELECT 1")
        options = options_of(holder, allowed=UNLOAD_OPTIONS)
        fmt = file_format(options)
        if not location.startswith("s3://"):
            raise QueryError("INVALID_INPUT", f"INVALID_INPUT: UNLOAD target {location} is not an S3 location")
        self._empty_target(location, "unload")
        columns, types = self._materialize(translate.parse(query), parameters, "__unload")
        keys = partition_keys(options, [c.lower() for c in columns])
        data_cols = columns[:len(columns) - len(keys)]
        duck = [str(t) for t in types[:len(data_cols)]]
        rows, urls, _ = self._write("__unload", data_cols, duck, keys, fmt, location, {})
        return rows, urls


def _split_unload(text: str) -> tuple[str, str, str]:
    """`UNLOAD (<query>) TO '<location>' [WITH (<props>)]` -> (query, location, props)."""
    start = re.match(r"UNLOAD\s*\(", text, re.IGNORECASE).end()
    depth, position, quote = 1, start, None
    while position < len(text) and depth:
        char = text[position]
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        position += 1
    if depth:
        raise QueryError("SYNTAX_ERROR", "SYNTAX_ERROR: line 1:1: UNLOAD query is missing its closing parenthesis")
    query = text[start:position - 1]
    rest = re.match(r"\s*TO\s*'((?:[^']|'')*)'\s*(?:WITH\s*\((.*)\))?\s*$", text[position:], re.IGNORECASE | re.DOTALL)
    if rest is None:
        raise QueryError("SYNTAX_ERROR", "SYNTAX_ERROR: line 1:1: expected UNLOAD (query) TO 's3://...' WITH (...)")
    return query, rest.group(1).replace("''", "'"), (rest.group(2) or "").strip()
