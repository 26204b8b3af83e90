"""Athena views: CREATE [OR REPLACE] VIEW, DROP VIEW, SHOW VIEWS, SHOW CREATE VIEW and DESCRIBE VIEW,
stored in the Glue catalog exactly as Athena stores Presto views, and decoded again for reading.

A view is a Glue table of type VIRTUAL_VIEW whose ViewOriginalText is
`/* Presto View: <base64 of JSON> */`. The JSON holds the view's original SQL, the catalog and schema
it was created in (the schema resolves its unqualified table names) and its columns with Presto
types; the Glue columns carry the same columns as Hive types. The column types come from running the
view's SELECT with LIMIT 0 (`SqlEngine.query_types`), and the engine's reader expands a view by
translating `originalSql` (`definition`).

Imports sqlglot and this package; the engine is passed in.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Optional

from sqlglot import exp, tokens
from sqlglot.dialects.trino import Trino

from . import ddl_show, translate, view_format
from .ddl import DdlResult
from .ddl_tokens import Cursor, ParseError
from .errors import QueryError
from .types import duckdb_to_hive, duckdb_to_presto

CATALOG = "awsdatacatalog"
VIEW_TYPE = "VIRTUAL_VIEW"
_PREFIX, _SUFFIX = "/* Presto View: ", " */"

_VIEW_STATEMENT = re.compile(r"^\s*(CREATE\s+(OR\s+REPLACE\s+)?VIEW|DROP\s+VIEW|SHOW\s+VIEWS|SHOW\s+CREATE\s+VIEW"
                             r"|DESCRIBE\s+VIEW|DESC\s+VIEW)\b", re.I | re.S)


def is_view_statement(sql: str) -> bool:
    return bool(_VIEW_STATEMENT.match(_strip_comments(sql or "")))


def is_view(table: Optional[dict]) -> bool:
    return bool(table) and table.get("TableType") == VIEW_TYPE


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql).strip().rstrip(";").strip()


# -- the Presto view document -----------------------------------------------------------------------

def encode(definition: dict) -> str:
    text = json.dumps(definition, separators=(",", ":"))
    return _PREFIX + base64.b64encode(text.encode("utf-8")).decode("ascii") + _SUFFIX


def definition(table: dict) -> dict:
    """The JSON document of a Glue view: originalSql, catalog, schema, columns ..."""
    text = (table.get("ViewOriginalText") or "").strip()
    if not (text.startswith(_PREFIX.strip()) and text.endswith(_SUFFIX.strip())):
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: view '{table.get('Name')}' is not a Presto view "
                                          "(Hive views cannot be read by Athena)")
    payload = text[len(_PREFIX.strip()):-len(_SUFFIX.strip())].strip()
    try:
        return json.loads(base64.b64decode(payload))
    except (ValueError, TypeError):
        raise QueryError("GENERIC_INTERNAL_ERROR", f"GENERIC_INTERNAL_ERROR: view '{table.get('Name')}' has an "
                                                   "unreadable definition") from None


def table_input(name: str, original_sql: str, schema: str, columns: list[tuple[str, Any]]) -> dict:
    """The TableInput Athena writes for `CREATE VIEW`; `columns` are (name, DuckDB type)."""
    document = {"originalSql": original_sql, "catalog": CATALOG, "schema": schema,
                "columns": [{"name": n, "type": duckdb_to_presto(t)} for n, t in columns], "runAsInvoker": False}
    return {
        "Name": name, "TableType": VIEW_TYPE, "Retention": 0, "PartitionKeys": [],
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": encode(document), "ViewExpandedText": "/* Presto View */",
        "StorageDescriptor": {"Columns": [{"Name": n, "Type": duckdb_to_hive(t)} for n, t in columns],
                              "Location": "", "Compressed": False, "NumberOfBuckets": 0, "SerdeInfo": {},
                              "SortColumns": [], "StoredAsSubDirectories": False},
    }


# -- statements -------------------------------------------------------------------------------------

def run(engine: Any, sql: str, database: Optional[str]) -> DdlResult:
    """Run one view statement with `engine` (a `SqlEngine`: its catalog, account and region, and its
    `query_types` for the columns of a new view)."""
    text = _strip_comments(sql)
    statement = _Statements(engine, (database or "default").lower())
    try:
        if re.match(r"CREATE\b", text, re.I):
            return statement.create(text, sql)
        cur = Cursor(text)
        if cur.accept("DROP", "VIEW"):
            return statement.drop(cur)
        if cur.accept("SHOW", "VIEWS"):
            return statement.show_views(cur)
        if cur.accept("SHOW", "CREATE", "VIEW"):
            return statement.show_create(cur)
        cur.accept("DESCRIBE") or cur.expect("DESC")
        cur.expect("VIEW")
        return statement.describe(cur)
    except ParseError as error:
        raise QueryError("SYNTAX_ERROR", f"SYNTAX_ERROR: {error}") from None


def _qualified(name: str, default_db: str, engine: Any) -> tuple[str, str]:
    parts = [p.strip('`"').lower() for p in name.split(".")]
    if len(parts) == 3:
        engine.check_catalog(parts[0])
        parts = parts[1:]
    return (parts[0], parts[1]) if len(parts) == 2 else (default_db, parts[0])


def _body_after_as(text: str) -> str:
    """The SELECT of `CREATE ... VIEW name AS <select>` exactly as written: Athena keeps the user's text
    from the query's first character to the statement's end, trailing line breaks included (only a
    final `;` goes)."""
    for token in Trino().tokenize(text):
        if token.token_type == tokens.TokenType.ALIAS:
            body = text[token.end + 1:].lstrip()
            return body.rstrip()[:-1] if body.rstrip().endswith(";") else body
    raise QueryError("SYNTAX_ERROR", "SYNTAX_ERROR: line 1:1: CREATE VIEW needs AS followed by a query")


class _Statements:
    def __init__(self, engine: Any, database: str):
        self.engine, self.database = engine, database
        self.catalog = engine.catalog
        self.where = (engine.account, engine.region)

    def _need_database(self, db: str) -> None:
        if self.catalog.get_database(*self.where, db) is None:
            raise QueryError("SCHEMA_NOT_FOUND", f"SCHEMA_NOT_FOUND: line 1:1: Schema '{db}' does not exist")

    def _need_view(self, db: str, name: str) -> dict:
        self._need_database(db)
        table = self.catalog.get_table(*self.where, db, name)
        if not is_view(table):
            raise QueryError("TABLE_NOT_FOUND", f"TABLE_NOT_FOUND: line 1:1: View '{CATALOG}.{db}.{name}' does not exist")
        return table

    def create(self, text: str, written: str) -> DdlResult:
        """`text`: the statement without comments; `written`: as the user sent it."""
        statement = translate.parse(text)
        if not isinstance(statement, exp.Create) or statement.kind != "VIEW" or \
                not isinstance(statement.expression, (exp.Query, exp.Values)):
            raise QueryError("SYNTAX_ERROR", "SYNTAX_ERROR: line 1:1: expected CREATE [OR REPLACE] VIEW name AS query")
        db, name = _qualified(statement.this.sql(dialect="trino"), self.database, self.engine)
        self._need_database(db)
        body = _body_after_as(written)
        # The view's own names resolve in the schema it is created in, as on Athena.
        columns = [(n.lower(), t) for n, t in self.engine.query_types(body, db)]
        seen = set()
        for column, _ in columns:
            if column in seen:
                raise QueryError("SYNTAX_ERROR", f"SYNTAX_ERROR: line 1:1: Column '{column}' specified more than once")
            seen.add(column)
        given = table_input(name, body, db, columns)
        existing = self.catalog.get_table(*self.where, db, name)
        if existing is None:
            self.catalog.create_table(*self.where, db, given)
        elif not is_view(existing):
            raise QueryError("ALREADY_EXISTS", f"ALREADY_EXISTS: line 1:1: Table '{CATALOG}.{db}.{name}' already "
                                               "exists and is not a view")
        elif statement.args.get("replace"):
            self.catalog.update_table(*self.where, db, given)
        else:
            raise QueryError("ALREADY_EXISTS", f"ALREADY_EXISTS: line 1:1: View '{CATALOG}.{db}.{name}' already exists")
        return DdlResult("CREATE_VIEW")

    def drop(self, cur: Cursor) -> DdlResult:
        if_exists = cur.accept("IF", "EXISTS")
        db, name = _qualified(cur.name(), self.database, self.engine)
        cur.end()
        if if_exists and not is_view(self.catalog.get_table(*self.where, db, name)):
            return DdlResult("DROP_VIEW")
        self._need_view(db, name)
        self.catalog.delete_table(*self.where, db, name)
        return DdlResult("DROP_VIEW")

    def show_views(self, cur: Cursor) -> DdlResult:
        db = cur.name().lower() if cur.accept("IN") or cur.accept("FROM") else self.database
        pattern = None
        if cur.accept("LIKE") or (cur.peek() is not None and cur.peek().kind == "str"):
            # Hive's SHOW patterns: `*` is any run of characters and `|` separates alternatives.
            pattern = re.compile("|".join(re.escape(p).replace(r"\*", ".*") for p in cur.string().lower().split("|")))
        cur.end()
        self._need_database(db)
        names = sorted(t["Name"] for t in self.catalog.list_tables(*self.where, db) if is_view(t))
        return DdlResult("SHOW_VIEWS", [("views", "string")],
                         [[n] for n in names if pattern is None or pattern.fullmatch(n)])

    def show_create(self, cur: Cursor) -> DdlResult:
        db, name = _qualified(cur.name(), self.database, self.engine)
        cur.end()
        original = definition(self._need_view(db, name))["originalSql"]
        lines = view_format.show_create_view(db, name, original)
        return DdlResult("SHOW_CREATE_VIEW", [("Create View", "string")], [[line] for line in lines])

    def describe(self, cur: Cursor) -> DdlResult:
        db, name = _qualified(cur.name(), self.database, self.engine)
        cur.end()
        return DdlResult("DESCRIBE_VIEW", [("col_name", "string")], ddl_show.describe(self._need_view(db, name), False))
