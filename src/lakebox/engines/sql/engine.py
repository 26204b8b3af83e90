"""`SqlEngine`: one Athena statement in, a `QueryOutcome` (Athena's column info and rendered rows) out.

DDL goes to `ddl.run_ddl`; queries (SELECT, WITH, VALUES, EXPLAIN) are parsed as Trino, their Glue
tables replaced by temporary views over the lake (`reader`), translated (`translate`) and run on a
fresh in-memory DuckDB connection.

Imports duckdb, sqlglot and this package; the catalog and the lake are passed in.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

import duckdb
from sqlglot import exp

from . import (
    bucketing,
    cancel_watch,
    declared_lengths,
    hidden_stars,
    iceberg,
    metadata_tables,
    projection,
    pushdown,
    python_functions,
    reader,
    scan_columns,
    translate,
    translation_cache,
    trino_types,
    views,
)
from .duck_errors import athena_error as _athena_error
from .errors import QueryError
from .types import athena_type, precision_scale, render, render_real, render_time, render_timestamp

__all__ = ["QueryOutcome", "QueryError", "SqlEngine"]

_CATALOG = "awsdatacatalog"


def catalog_statement_type(substatement_type: str) -> str:
    """The StatementType of a statement on the catalog: the SHOW and DESCRIBE statements are UTILITY
    (AWS: "UTILITY indicates query statements other than DDL and DML, such as SHOW CREATE TABLE, or
    DESCRIBE TABLE"; SHOW TABLES "is categorized as UTILITY, not DDL"), the others DDL."""
    return "UTILITY" if substatement_type.startswith(("SHOW_", "DESCRIBE")) else "DDL"


@dataclass
class QueryOutcome:
    statement_type: str
    substatement_type: str
    columns: list
    rows: list
    data_scanned_bytes: int
    update_count: Optional[int] = None
    manifest_files: Optional[list] = None  # s3:// URLs of the data files a CTAS, INSERT or UNLOAD wrote
    #: Seconds spent parsing (`parse`) and resolving tables plus translating (`plan`), for Athena's
    #: ServicePreProcessingTimeInMillis and QueryPlanningTimeInMillis.
    timings: Optional[dict] = None


def column_info(name: str, athena: str, duck_type=None) -> dict:
    precision, scale = precision_scale(duck_type) if duck_type is not None else (0, 0)
    return {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
            "Type": athena, "Precision": precision, "Scale": scale, "Nullable": "UNKNOWN",
            "CaseSensitive": athena == "varchar"}


def _declared_source(glue: dict, scan_columns: dict) -> declared_lengths.Source:
    """A table's columns as `*` lists them (hidden columns never are), with their declared types."""
    sd = glue.get("StorageDescriptor") or {}
    types = {c["Name"].lower(): declared_lengths.declared(c.get("Type") or "")
             for c in [*(sd.get("Columns") or []), *(glue.get("PartitionKeys") or [])]}
    return declared_lengths.Source([c for c in scan_columns if c not in reader.HIDDEN_COLUMNS],
                                   {name: kind for name, kind in types.items() if kind is not None})


def _ddl_column(column) -> dict:
    """A DDL result column: a ColumnInfo dict, a (name, Hive type) pair such as ("tab_name", "string"),
    or a bare name (varchar)."""
    if isinstance(column, dict):
        return column
    if isinstance(column, tuple):
        return column_info(*column)
    return column_info(column, "varchar")


_database = None
_database_lock = threading.Lock()


def connect():
    """A new DuckDB connection, with its own settings, temporary views and interrupt, to one in-memory
    database shared by every query: opening a database costs ~18 ms, a connection to an open one under
    1 ms, which is most of a small query's time. The shared database also keeps Parquet footers
    between queries (checked against each file's modification time, so a rewritten file is read
    again), which saves reading them twice per table per query (the view, then the query)."""
    global _database
    with _database_lock:
        if _database is None:
            database = duckdb.connect(":memory:")
            database.execute("SET GLOBAL parquet_metadata_cache = true")
            # Every connection starts in UTC (Athena's session zone) without a SET per query.
            database.execute("SET GLOBAL TimeZone = 'UTC'")
            # Trino functions computed in Python, defined here once for every cursor of the database.
            python_functions.register(database)
            _database = database
        return _database.cursor()


class SqlEngine:
    def __init__(self, lake, catalog, account: str, region: str,
                 catalogs: Optional[Callable[[str], None]] = None):
        """`catalogs` judges a catalog name other than awsdatacatalog that a statement names: it
        returns when the name is another name of this Glue catalog and raises the QueryError the
        statement fails with otherwise. Without it, only awsdatacatalog is readable."""
        self.lake, self.catalog, self.account, self.region = lake, catalog, account, region
        self._catalogs = catalogs

    def check_catalog(self, name: Optional[str]) -> None:
        """Fail unless `name` (a table's catalog part, None when it has none) is this Glue catalog, so
        that a table of another catalog is never looked up in this one."""
        if not name or name.lower() == _CATALOG:
            return
        if self._catalogs is None:
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: catalog '{name}' is not supported")
        self._catalogs(name)

    def execute(self, sql: str, database: Optional[str], *, parameters: Optional[list] = None,
                cancel: Optional[threading.Event] = None, output_location: Optional[str] = None,
                query_id: Optional[str] = None) -> QueryOutcome:
        """`output_location` and `query_id` place a CTAS's data as Athena does (tables/<id>/)."""
        from . import ddl, writes
        if writes.is_write(sql):
            return writes.run_write(self, sql, database, parameters or [], cancel, output_location, query_id)
        if views.is_view_statement(sql):
            result = views.run(self, sql, database)
            return QueryOutcome(catalog_statement_type(result.substatement_type), result.substatement_type, [column_info(n, "varchar") for n, _ in result.columns],
                                result.rows, 0)
        if ddl.is_ddl(sql):
            try:
                result = ddl.run_ddl(sql, database, self.catalog, self.lake, self.account, self.region,
                                     check_catalog=self.check_catalog)
            except ddl.DdlError as error:
                raise QueryError(error.error_type, error.message) from None
            return QueryOutcome(catalog_statement_type(result.substatement_type), result.substatement_type,
                                [_ddl_column(c) for c in result.columns],
                                result.rows, 0)
        return self._query(sql, database, parameters or [], cancel)

    # Queries.

    def query_types(self, sql: str, database: Optional[str]) -> list[tuple[str, object]]:
        """The result columns of a query, (name, DuckDB type), from running it with LIMIT 0."""
        tree = translate.parse(sql)
        if not isinstance(tree, (exp.Query, exp.Values)):
            raise QueryError("SYNTAX_ERROR", "SYNTAX_ERROR: line 1:1: a view must be defined by a query")
        translate.require_names(tree)
        con = connect()
        try:
            _, schema = self._resolve_tables(con, tree, database)
            try:
                relation = con.sql(f"SELECT * FROM ({translate.to_duckdb(tree, schema)}) LIMIT 0")
                relation.fetchall()
            except duckdb.Error as error:
                raise _athena_error(error, sql) from None
            return list(zip(translate.output_names(relation.columns, isinstance(tree, exp.Values)), relation.types))
        finally:
            con.close()

    def _query(self, sql: str, database: Optional[str], parameters: list, cancel) -> QueryOutcome:
        explain = re.match(r"\s*EXPLAIN(\s+ANALYZE)?\s+", sql, re.IGNORECASE)
        body = sql[explain.end():] if explain else sql
        started = time.perf_counter()
        tree = translate.parse(body)
        if not isinstance(tree, (exp.Query, exp.Values)):
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: statement {tree.key.upper()} is not supported")
        _bind(tree, parameters)
        translate.keep_written_names(tree)
        parsed = time.perf_counter()
        con = connect()
        watched = None
        try:
            sources: dict = {}
            scanned, schema = self._resolve_tables(con, tree, database, sources=sources)
            declared = declared_lengths.output_types(tree, sources)
            time_precisions = trino_types.time_output_precisions(tree)
            timestamp_precisions = trino_types.timestamp_output_precisions(tree)
            cache_key = translation_cache.key(body, database, parameters, schema)
            cached = translation_cache.get(cache_key)
            if cached is not None:
                duck_sql, zones = cached
            else:
                translate.name_columns(tree)
                zones = translate.zoned_outputs(tree)
                duck_sql = translate.to_duckdb(tree, schema)
                translation_cache.put(cache_key, duck_sql, zones)
            timings = {"parse": parsed - started, "plan": time.perf_counter() - parsed}
            if explain:
                duck_sql = ("EXPLAIN ANALYZE " if explain.group(1) else "EXPLAIN ") + duck_sql
            if cancel is not None:
                watched = cancel_watch.WATCHER.watch(cancel, con)
            try:
                # execute + description: the relation API (con.sql) costs ~0.3 ms more per query.
                con.execute(duck_sql)
                names, types = [d[0] for d in con.description], [d[1] for d in con.description]
                raw = con.fetchall()
            except duckdb.InterruptException:
                raise QueryError("USER_CANCELLED", "Query cancelled by user") from None
            except duckdb.Error as error:
                raise _athena_error(error, body) from None
            if explain:
                plan = "\n".join(str(r[-1]) for r in raw)
                return QueryOutcome("UTILITY", "EXPLAIN", [column_info("Query Plan", "varchar")],
                                    [[line] for line in plan.splitlines()], 0)
            shown = translate.output_names(names, isinstance(tree, exp.Values), keep_case=True)
            names = [n.lower() for n in shown]
            columns = [column_info(label, "timestamp with time zone" if n in zones else athena_type(t), t)
                       for label, n, t in zip(shown, names, types)]
            if declared is not None and len(declared) == len(columns):
                for column, kind, duck_type in zip(columns, declared, types):
                    if kind is not None and str(duck_type) == "VARCHAR":
                        column["Type"], column["Precision"] = kind
            rows = [[render(v) for v in row] for row in raw]
            for position, kind in enumerate(types):
                if str(kind) == "FLOAT":  # a real prints as the nearest float32, as Java's Float.toString
                    for row, values in zip(rows, raw):
                        row[position] = render_real(values[position])
            for position, precision in time_precisions.items():
                if position < len(types) and str(types[position]) == "TIME":
                    for row, values in zip(rows, raw):
                        row[position] = render_time(values[position], precision)
            for position, precision in timestamp_precisions.items():
                if position < len(types) and str(types[position]) in ("TIMESTAMP", "TIMESTAMP_NS"):
                    for row, values in zip(rows, raw):
                        row[position] = render_timestamp(values[position], precision)
            for position, name in enumerate(names):
                if name in zones:
                    for row in rows:
                        if row[position] is not None:
                            row[position] += " " + zones[name]
            return QueryOutcome("DML", "SELECT", columns, rows, scanned, timings=timings)
        finally:
            if watched is not None:
                cancel_watch.WATCHER.unwatch(watched)
            con.close()

    def _resolve_tables(self, con, tree: exp.Expression, database: Optional[str], prefix: str = "",
                        depth: int = 0, view_reads: Optional[set] = None,
                        sources: Optional[dict] = None) -> tuple[int, dict]:
        """Replace the Glue tables and views `tree` names with temporary views over the lake; the bytes
        they read, and their schemas. `view_reads`: when `tree` is a view's query, the names the query
        using the view reads of it (None: all), which is all a `*` in the view's own SELECT reads."""
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        names, star_selects = scan_columns.referenced_names(tree), scan_columns.selects_with_star(tree)
        if depth and view_reads is not None:
            names |= view_reads
            star_selects -= scan_columns.top_selects(tree)
        scanned, schema = 0, {}
        hidden: dict = {}
        unaliased: set = set()
        for number, table in enumerate(list(tree.find_all(exp.Table))):
            if not table.name or isinstance(table.this, exp.Func):
                continue
            if not table.db and table.name.lower() in ctes:
                continue
            db = (table.db or database or "default").lower()
            if not table.alias:
                unaliased.add((db, table.name.lower()))
            self.check_catalog(table.catalog)
            name = table.name.lower()
            if metadata_tables.is_metadata_table(db, name):
                view = f"{prefix}__t{number}_meta"
                data = metadata_tables.build(con, self.catalog, self.account, self.region, db, name,
                                             lambda url: reader.location_path(self.lake, url))
                if data is None:
                    raise self._not_found(table, db, name)
                con.register(view, data)
                schema[view] = {field.name: str(kind) for field, kind in
                                zip(data.schema, con.sql(f"SELECT * FROM {reader.quote_ident(view)} LIMIT 0").types)}
                table.replace(exp.Table(this=exp.to_identifier(view),
                                        alias=exp.TableAlias(this=exp.to_identifier(table.alias or table.name))))
                continue
            glue = self.catalog.get_table(self.account, self.region, db, name)
            if glue is None:
                raise self._not_found(table, db, name)
            view = f"{prefix}__t{number}_{name}"
            if views.is_view(glue):
                bytes_read, schema[view] = self._expand_view(con, glue, view, depth, pushdown.own_conjuncts(table),
                                                             scan_columns.needed_columns(table, names, star_selects))
                scanned += bytes_read
                table.replace(exp.Table(this=exp.to_identifier(view),
                                        alias=exp.TableAlias(this=exp.to_identifier(table.alias or table.name))))
                continue
            partitions = None
            prune_sql = None
            keys = [k["Name"].lower() for k in glue.get("PartitionKeys") or []]
            if keys:
                conjuncts = pushdown.prune_predicate(table, keys)
                if projection.is_enabled(glue):
                    # Athena ignores the catalog's partitions once projection is enabled.
                    partitions = projection.partitions(con, glue, reader.key_types(glue), conjuncts)
                else:
                    partitions = self.catalog.get_partitions(self.account, self.region, db, name)
                    prune_sql = " AND ".join(f"({c.sql})" for c in conjuncts) or None
            spec = bucketing.bucket_spec(glue)
            buckets = bucketing.wanted_buckets(con, spec, pushdown.pinned_constants(table, spec[0])) if spec else None
            scan = reader.build_scan(con, self.lake, glue, partitions, prune_sql, view,
                                     scan_columns.needed_columns(table, names, star_selects), names,
                                     snapshot_id=self._snapshot_for(con, glue, table.args.get("version")),
                                     buckets=buckets)
            con.execute(f"CREATE TEMP VIEW {reader.quote_ident(view)} AS {scan.sql}")
            scanned += scan.bytes_read
            schema[view] = scan.columns
            alias = table.alias or table.name
            resolved = exp.Table(this=exp.to_identifier(view), alias=exp.TableAlias(this=exp.to_identifier(alias)))
            table.replace(resolved)
            carried = [name for name in reader.HIDDEN_COLUMNS if name in scan.columns]
            if carried:
                hidden[id(resolved)] = carried
            if sources is not None:
                sources[id(resolved)] = _declared_source(glue, scan.columns)
        hidden_stars.exclude_hidden_from_stars(tree, hidden)
        _unqualify_columns(tree, unaliased)
        return scanned, schema

    def _snapshot_for(self, con, glue: dict, version: Optional[exp.Expression]) -> Optional[int]:
        """The Iceberg snapshot a `FOR VERSION AS OF` / `FOR TIMESTAMP AS OF` clause names (None: the
        current one). Only Iceberg tables have versions."""
        if version is None:
            return None
        if not iceberg.is_iceberg(glue):
            raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: This connector does not support versioned tables")
        value = version.expression.sql(dialect="duckdb")
        try:
            if str(version.this).upper() == "TIMESTAMP":
                moment = con.execute(f"SELECT epoch_ms(CAST({value} AS TIMESTAMPTZ))").fetchall()[0][0]
                metadata = iceberg.load_metadata(glue, lambda url: reader.location_path(self.lake, url))
                name = f"{glue.get('DatabaseName', '')}.{glue.get('Name', '')}"
                return iceberg.snapshot_as_of(metadata, moment, name)
            return int(con.execute(f"SELECT CAST({value} AS BIGINT)").fetchall()[0][0])
        except duckdb.Error as error:
            raise QueryError("TYPE_MISMATCH", f"TYPE_MISMATCH: invalid version {version.expression.sql()}: "
                                              f"{error}") from None

    def _not_found(self, table: exp.Table, db: str, name: str) -> QueryError:
        """SCHEMA_NOT_FOUND when the database is missing too, else TABLE_NOT_FOUND, as Athena tells them."""
        line, col = _position(table)
        if db not in (metadata_tables.INFORMATION_SCHEMA, "default") \
                and self.catalog.get_database(self.account, self.region, db) is None:
            return QueryError("SCHEMA_NOT_FOUND", f"SCHEMA_NOT_FOUND: line {line}:{col}: Schema '{db}' does not exist")
        return QueryError("TABLE_NOT_FOUND",
                          f"TABLE_NOT_FOUND: line {line}:{col}: Table '{_CATALOG}.{db}.{name}' does not exist")

    def _expand_view(self, con, glue: dict, view: str, depth: int,
                     pushed: Optional[list] = None, reads: Optional[set] = None) -> tuple[int, dict]:
        """A Glue view as a temporary DuckDB view of its translated SQL, whose own tables (and views)
        resolve in the schema the view was created in. `pushed` are the outer query's WHERE conjuncts
        on this view's columns: repeated inside a simple view so its tables' partitions get pruned."""
        if depth >= _MAX_VIEW_DEPTH:
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: views nested deeper than {_MAX_VIEW_DEPTH} levels "
                                              f"(is '{glue['Name']}' defined over itself?)")
        document = views.definition(glue)
        tree = translate.parse(document["originalSql"])
        if pushed:
            pushdown.push_into_view(tree, pushed)
        scanned, schema = self._resolve_tables(con, tree, document.get("schema") or glue.get("DatabaseName"),
                                               prefix=view, depth=depth + 1, view_reads=reads)
        con.execute(f"CREATE TEMP VIEW {reader.quote_ident(view)} AS {translate.to_duckdb(tree, schema)}")
        relation = con.sql(f"SELECT * FROM {reader.quote_ident(view)}")
        return scanned, {n: str(t) for n, t in zip(relation.columns, relation.types)}


_MAX_VIEW_DEPTH = 32


def _unqualify_columns(tree: exp.Expression, tables: set) -> None:
    """`db.t.c` (or `catalog.db.t.c`) names column c of table db.t, which is now a view aliased `t`: keep
    only `t.c`. `tables` holds the (db, name) of the tables read without an alias; any other
    three-part name is a struct field (`t.col.field`) and stays as it is."""
    for column in tree.find_all(exp.Column):
        if column.args.get("db") is not None and (column.db.lower(), column.table.lower()) in tables:
            column.set("db", None)
            column.set("catalog", None)


def _bind(tree: exp.Expression, parameters: list) -> None:
    """ExecutionParameters are SQL literals as text; each replaces the next `?`, in order."""
    placeholders = [p for p in tree.find_all(exp.Placeholder)]
    if len(placeholders) != len(parameters):
        raise QueryError("SYNTAX_ERROR", f"SYNTAX_ERROR: line 1:1: Incorrect number of parameters: "
                                         f"expected {len(placeholders)} but found {len(parameters)}")
    for node, text in zip(placeholders, parameters):
        node.replace(parameter_value(text))


def parameter_value(text: str) -> exp.Expression:
    """One execution parameter as an expression. A literal (`1`, `'Washington'`, `DATE '2020-01-01'`,
    `CAST('2014-07-05' AS DATE)`) is itself. A value that is no constant expression, such as a bare
    word (`Washington`), names no column, since a parameter is a value and not part of the query's
    text: Athena takes it as the varchar it spells, which is how clients that pass strings unquoted
    (awswrangler's `paramstyle="qmark"`) find their rows."""
    try:
        values = translate.parse(f"SELECT {text}").expressions
    except QueryError:
        return exp.Literal.string(text)
    value = values[0]
    if len(values) != 1 or isinstance(value, exp.Alias) or value.find(exp.Column) is not None:
        return exp.Literal.string(text)
    return value


def _position(node: exp.Expression) -> tuple[int, int]:
    """Where a (possibly qualified) name starts, as Trino reports it: its first part, quotes included."""
    first = next((part for part in (node.args.get("catalog"), node.args.get("db"), node.this)
                  if isinstance(part, exp.Identifier)), node.this)
    meta = first.meta if isinstance(first, exp.Expression) else {}
    line = meta.get("line", 1)
    col = meta.get("col", 1)
    length = len(first.name) if isinstance(first, exp.Expression) else len(node.name)
    if isinstance(first, exp.Identifier) and first.quoted:
        length += 2
    return line, max(col - length + 1, 1)
