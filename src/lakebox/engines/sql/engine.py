"""`SqlEngine`: one Athena statement in, a `QueryOutcome` (Athena's column info and rendered rows) out.

DDL goes to `ddl.run_ddl`; queries (SELECT, WITH, VALUES, EXPLAIN) are parsed as Trino, their Glue
tables replaced by temporary views over the lake (`reader`), translated (`translate`) and run on a
fresh in-memory DuckDB connection.

Imports duckdb, sqlglot and this package; the catalog and the lake are passed in.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Optional

import duckdb
from sqlglot import exp

from . import reader, translate, views
from .errors import QueryError
from .types import athena_type, precision_scale, render

__all__ = ["QueryOutcome", "QueryError", "SqlEngine"]

_CATALOG = "awsdatacatalog"


@dataclass
class QueryOutcome:
    statement_type: str
    substatement_type: str
    columns: list
    rows: list
    data_scanned_bytes: int
    update_count: Optional[int] = None
    manifest_files: Optional[list] = None  # s3:// URLs of the data files a CTAS, INSERT or UNLOAD wrote


def column_info(name: str, athena: str, duck_type=None) -> dict:
    precision, scale = precision_scale(duck_type) if duck_type is not None else (0, 0)
    return {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
            "Type": athena, "Precision": precision, "Scale": scale, "Nullable": "UNKNOWN",
            "CaseSensitive": athena == "varchar"}


class SqlEngine:
    def __init__(self, lake, catalog, account: str, region: str):
        self.lake, self.catalog, self.account, self.region = lake, catalog, account, region

    def execute(self, sql: str, database: Optional[str], *, parameters: Optional[list] = None,
                cancel: Optional[threading.Event] = None, output_location: Optional[str] = None,
                query_id: Optional[str] = None) -> QueryOutcome:
        """`output_location` and `query_id` place a CTAS's data as Athena does (tables/<id>/)."""
        from . import ddl, writes
        if writes.is_write(sql):
            return writes.run_write(self, sql, database, parameters or [], cancel, output_location, query_id)
        if views.is_view_statement(sql):
            result = views.run(self, sql, database)
            return QueryOutcome("DDL", result.substatement_type, [column_info(n, "varchar") for n, _ in result.columns],
                                result.rows, 0)
        if ddl.is_ddl(sql):
            try:
                result = ddl.run_ddl(sql, database, self.catalog, self.lake, self.account, self.region)
            except ddl.DdlError as error:
                raise QueryError(error.error_type, error.message) from None
            columns = [c if isinstance(c, dict) else column_info(c, "varchar") for c in result.columns]
            return QueryOutcome("DDL", result.substatement_type, columns, result.rows, 0)
        return self._query(sql, database, parameters or [], cancel)

    # Queries.

    def query_types(self, sql: str, database: Optional[str]) -> list[tuple[str, object]]:
        """The result columns of a query, (name, DuckDB type), from running it with LIMIT 0."""
        tree = translate.parse(sql)
        if not isinstance(tree, (exp.Query, exp.Values)):
            raise QueryError("SYNTAX_ERROR", "SYNTAX_ERROR: line 1:1: a view must be defined by a query")
        con = duckdb.connect(":memory:")
        try:
            con.execute("SET TimeZone = 'UTC'")
            _, schema = self._resolve_tables(con, tree, database)
            try:
                relation = con.sql(f"SELECT * FROM ({translate.to_duckdb(tree, schema)}) LIMIT 0")
                relation.fetchall()
            except duckdb.Error as error:
                raise _athena_error(error, sql) from None
            return list(zip(relation.columns, relation.types))
        finally:
            con.close()

    def _query(self, sql: str, database: Optional[str], parameters: list, cancel) -> QueryOutcome:
        explain = re.match(r"\s*EXPLAIN(\s+ANALYZE)?\s+", sql, re.IGNORECASE)
        body = sql[explain.end():] if explain else sql
        tree = translate.parse(body)
        if not isinstance(tree, (exp.Query, exp.Values)):
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: statement {tree.key.upper()} is not supported")
        _bind(tree, parameters)
        con = duckdb.connect(":memory:")
        done = threading.Event()
        try:
            con.execute("SET TimeZone = 'UTC'")
            scanned, schema = self._resolve_tables(con, tree, database)
            duck_sql = translate.to_duckdb(tree, schema)
            if explain:
                duck_sql = ("EXPLAIN ANALYZE " if explain.group(1) else "EXPLAIN ") + duck_sql
            if cancel is not None:
                threading.Thread(target=_interrupt_on, args=(cancel, done, con), daemon=True).start()
            try:
                relation = con.sql(duck_sql)
                types, names = relation.types, relation.columns
                raw = relation.fetchall()
            except duckdb.InterruptException:
                raise QueryError("USER_CANCELLED", "Query cancelled by user") from None
            except duckdb.Error as error:
                raise _athena_error(error, body) from None
            if explain:
                plan = "\n".join(str(r[-1]) for r in raw)
                return QueryOutcome("UTILITY", "EXPLAIN", [column_info("Query Plan", "varchar")],
                                    [[line] for line in plan.splitlines()], 0)
            columns = [column_info(n, athena_type(t), t) for n, t in zip(names, types)]
            rows = [[render(v) for v in row] for row in raw]
            return QueryOutcome("DML", "SELECT", columns, rows, scanned)
        finally:
            done.set()
            con.close()

    def _resolve_tables(self, con, tree: exp.Expression, database: Optional[str], prefix: str = "",
                        depth: int = 0) -> tuple[int, dict]:
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        scanned, schema = 0, {}
        for number, table in enumerate(list(tree.find_all(exp.Table))):
            if not table.name or isinstance(table.this, exp.Func):
                continue
            if not table.db and table.name.lower() in ctes:
                continue
            db = (table.db or database or "default").lower()
            if table.catalog and table.catalog.lower() != _CATALOG:
                raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: catalog '{table.catalog}' is not supported")
            name = table.name.lower()
            glue = self.catalog.get_table(self.account, self.region, db, name)
            if glue is None:
                line, col = _position(table)
                raise QueryError("TABLE_NOT_FOUND",
                                 f"TABLE_NOT_FOUND: line {line}:{col}: Table '{_CATALOG}.{db}.{name}' does not exist")
            view = f"{prefix}__t{number}_{name}"
            if views.is_view(glue):
                bytes_read, schema[view] = self._expand_view(con, glue, view, depth)
                scanned += bytes_read
                table.replace(exp.Table(this=exp.to_identifier(view),
                                        alias=exp.TableAlias(this=exp.to_identifier(table.alias or table.name))))
                continue
            partitions = None
            prune_sql = None
            keys = [k["Name"].lower() for k in glue.get("PartitionKeys") or []]
            if keys:
                partitions = self.catalog.get_partitions(self.account, self.region, db, name)
                prune_sql = _prune_predicate(table, keys)
            scan = reader.build_scan(con, self.lake, glue, partitions, prune_sql, view)
            con.execute(f"CREATE TEMP VIEW {reader.quote_ident(view)} AS {scan.sql}")
            scanned += scan.bytes_read
            schema[view] = scan.columns
            alias = table.alias or table.name
            table.replace(exp.Table(this=exp.to_identifier(view), alias=exp.TableAlias(this=exp.to_identifier(alias))))
        return scanned, schema

    def _expand_view(self, con, glue: dict, view: str, depth: int) -> tuple[int, dict]:
        """A Glue view as a temporary DuckDB view of its translated SQL, whose own tables (and views)
        resolve in the schema the view was created in."""
        if depth >= _MAX_VIEW_DEPTH:
            raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: views nested deeper than {_MAX_VIEW_DEPTH} levels "
                                              f"(is '{glue['Name']}' defined over itself?)")
        document = views.definition(glue)
        tree = translate.parse(document["originalSql"])
        scanned, schema = self._resolve_tables(con, tree, document.get("schema") or glue.get("DatabaseName"),
                                               prefix=view, depth=depth + 1)
        con.execute(f"CREATE TEMP VIEW {reader.quote_ident(view)} AS {translate.to_duckdb(tree, schema)}")
        relation = con.sql(f"SELECT * FROM {reader.quote_ident(view)}")
        return scanned, {n: str(t) for n, t in zip(relation.columns, relation.types)}


_MAX_VIEW_DEPTH = 32


def _interrupt_on(cancel: threading.Event, done: threading.Event, con) -> None:
    while not cancel.wait(0.02):
        if done.is_set():
            return
    try:
        con.interrupt()
    except Exception:  # the connection already closed: the query had finished
        pass


def _bind(tree: exp.Expression, parameters: list) -> None:
    """ExecutionParameters are SQL literals as text; each replaces the next `?`, in order."""
    placeholders = [p for p in tree.find_all(exp.Placeholder)]
    if len(placeholders) != len(parameters):
        raise QueryError("SYNTAX_ERROR", f"SYNTAX_ERROR: line 1:1: Incorrect number of parameters: "
                                         f"expected {len(placeholders)} but found {len(parameters)}")
    for node, text in zip(placeholders, parameters):
        node.replace(translate.parse(f"SELECT {text}").expressions[0])


def _prune_predicate(table: exp.Table, keys: list) -> Optional[str]:
    """The WHERE conjuncts of the table's own SELECT that name only its partition keys, as DuckDB SQL
    over the bare key names."""
    select = table.find_ancestor(exp.Select)
    where = select.args.get("where") if select is not None else None
    if where is None:
        return None
    own = {(table.alias or table.name).lower(), table.name.lower()}
    sources = len(list(select.find_all(exp.Table)))
    kept = []
    for conjunct in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
        columns = list(conjunct.find_all(exp.Column))
        if not columns or conjunct.find(exp.Subquery, exp.Is, exp.Coalesce, exp.Placeholder) is not None:
            continue
        if all(c.name.lower() in keys and ((c.table and c.table.lower() in own) or (not c.table and sources == 1))
               for c in columns):
            bare = conjunct.copy().transform(
                lambda n: exp.column(n.name.lower(), quoted=True) if isinstance(n, exp.Column) else n)
            kept.append(translate.to_duckdb(bare))
    return " AND ".join(f"({k})" for k in kept) or None


def _position(node: exp.Expression) -> tuple[int, int]:
    meta = node.this.meta if isinstance(node.this, exp.Expression) else {}
    line = meta.get("line", 1)
    col = meta.get("col", 1)
    length = len(node.name)
    return line, max(col - length + 1, 1)


_MISSING_COLUMN = re.compile(r'Referenced column "?([^"\s]+)"? not found', re.IGNORECASE)
_MISSING_FUNCTION = re.compile(r'(?:Scalar|Aggregate|Table) Function with name "?(\w+)"? does not exist', re.IGNORECASE)


def _athena_error(error: Exception, sql: str) -> QueryError:
    text = str(error).split("\n")[0]
    missing = _MISSING_COLUMN.search(text)
    if missing:
        name = missing.group(1)
        line, col = _find(sql, name)
        return QueryError("COLUMN_NOT_FOUND", f"COLUMN_NOT_FOUND: line {line}:{col}: Column '{name}' cannot be resolved "
                                              f"or requester is not authorized to access requested resources")
    missing = _MISSING_FUNCTION.search(text)
    if missing:
        name = missing.group(1).lower()
        line, col = _find(sql, name)
        return QueryError("FUNCTION_NOT_FOUND", f"FUNCTION_NOT_FOUND: line {line}:{col}: Function '{name}' not registered")
    if "Division by zero" in text:
        return QueryError("DIVISION_BY_ZERO", "DIVISION_BY_ZERO: Division by zero")
    if isinstance(error, duckdb.ConversionException):
        return QueryError("INVALID_CAST_ARGUMENT", f"INVALID_CAST_ARGUMENT: {text}")
    if isinstance(error, (duckdb.BinderException, duckdb.ParserException)):
        return QueryError("SYNTAX_ERROR", f"SYNTAX_ERROR: line 1:1: {text}")
    if isinstance(error, duckdb.InvalidInputException):
        return QueryError("HIVE_BAD_DATA", f"HIVE_BAD_DATA: {text}")
    return QueryError("GENERIC_INTERNAL_ERROR", f"GENERIC_INTERNAL_ERROR: {text}")


def _find(sql: str, name: str) -> tuple[int, int]:
    """1-based line and column of the first `name` as a word in the user's SQL."""
    match = re.search(r"(?<![\w.])\"?" + re.escape(name) + r"\b", sql, re.IGNORECASE)
    if not match:
        return 1, 1
    before = sql[:match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1
