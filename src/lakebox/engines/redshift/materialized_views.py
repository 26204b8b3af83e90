"""Materialized views: CREATE, REFRESH and DROP MATERIALIZED VIEW.

DuckDB has no materialized views, so one is kept as what it is on Redshift: a stored result. The
view's rows are a table of that name, filled from the query when the view is created and filled
again, in one transaction, by REFRESH; the query's Redshift text is recorded in
`_lakebox.materialized_views`, so a REFRESH after a restart runs the same query. A query naming a
Spectrum table reads the lake at each refresh, as Redshift's do. AUTO REFRESH is recorded, not run:
a view changes only when refreshed.

Imports duckdb and this package.
"""

from __future__ import annotations

import re
from typing import Optional

import duckdb

from . import RedshiftError, translate
from .errors import duck_error
from .results import Result
from .spectrum import META

_CREATE = re.compile(r"(?is)^\s*CREATE\s+MATERIALIZED\s+VIEW\s+(?P<name>(?:\"[^\"]+\"|[\w$]+)(?:\s*\.\s*(?:\"[^\"]+\"|[\w$]+))?)"
                     r"(?P<options>.*?)\bAS\s+(?P<query>(?:SELECT|WITH|\().*)$")
_LEADING = re.compile(r"(?is)^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*(CREATE|REFRESH|DROP)\s+MATERIALIZED\s+VIEW\s+")
_AUTO_REFRESH = re.compile(r"(?i)\bAUTO\s+REFRESH\s+(YES|NO)\b")
#: What may stand between the name and AS: BACKUP, DISTSTYLE, DISTKEY, SORTKEY, AUTO REFRESH.
_OPTIONS = re.compile(r"(?is)^(\s+|BACKUP\s+(YES|NO)|DISTSTYLE\s+\w+|(COMPOUND\s+|INTERLEAVED\s+)?SORTKEY\s*\([^)]*\)"
                      r"|DISTKEY\s*\([^)]*\)|AUTO\s+REFRESH\s+(YES|NO))*$")
SETUP = (f"CREATE TABLE IF NOT EXISTS {META}.materialized_views (schema_name VARCHAR, view_name VARCHAR, "
         "query VARCHAR, auto_refresh BOOLEAN, PRIMARY KEY (schema_name, view_name))")


class MaterializedViewsMixin:
    """Needs `_con`, `_current_schema()`, `_rewrite_table()`, `_drop_views()`, `_atomically()`."""

    def _materialized_view(self, statement: str, words: list) -> Optional[Result]:
        if words[:1] not in (["CREATE"], ["REFRESH"], ["DROP"]):
            return None
        match = _LEADING.match(statement)  # sqlglot reads REFRESH's rest as one word: match the text
        if match is None:
            return None
        rest = statement[match.end():]
        verb = match.group(1).upper()
        if verb == "CREATE":
            return self._create_materialized_view(statement)
        if verb == "REFRESH":
            return self._refresh_materialized_view(rest)
        return self._drop_materialized_view(rest)

    def _create_materialized_view(self, statement: str) -> Result:
        match = _CREATE.match(statement.rstrip().rstrip(";"))
        if match is None or not _OPTIONS.match(match.group("options")):
            raise RedshiftError("syntax error in CREATE MATERIALIZED VIEW: expected "
                                "CREATE MATERIALIZED VIEW name [BACKUP ...] [DIST...] [SORTKEY ...] "
                                "[AUTO REFRESH YES|NO] AS query", "42601")
        schema, name = self._view_name(match.group("name"))
        query = match.group("query")
        auto = _AUTO_REFRESH.search(match.group("options"))
        if self._recorded_view(schema, name) is not None or self._con.execute(
                "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? "
                "AND table_name = ? UNION ALL SELECT 1 FROM duckdb_views() WHERE database_name = "
                "current_database() AND schema_name = ? AND view_name = ?", [schema, name, schema, name]).fetchone():
            raise RedshiftError(f'relation "{name}" already exists', "42P07")
        self._in_one_transaction(lambda sql: [
            f"CREATE TABLE {translate.qualified(schema, name)} AS {sql}",
            (f"INSERT INTO {META}.materialized_views VALUES (?, ?, ?, ?)",
             [schema, name, query, bool(auto and auto.group(1).upper() == "YES")])], query)
        return Result([], [], "CREATE MATERIALIZED VIEW", -1)

    def _refresh_materialized_view(self, rest: str) -> Result:
        schema, name = self._view_name(rest)
        query = self._recorded_view(schema, name)
        if query is None:
            raise RedshiftError(f'materialized view "{name}" does not exist', "42P01")
        table = translate.qualified(schema, name)
        self._in_one_transaction(lambda sql: [f"DELETE FROM {table}", f"INSERT INTO {table} {sql}"], query)
        return Result([], [], "REFRESH", -1)

    def _drop_materialized_view(self, rest: str) -> Result:
        if_exists = re.match(r"(?i)IF\s+EXISTS\s+", rest)
        schema, name = self._view_name(rest[if_exists.end():] if if_exists else rest)
        if self._recorded_view(schema, name) is None:
            if if_exists:
                return Result([], [], "DROP MATERIALIZED VIEW", -1)
            raise RedshiftError(f'materialized view "{name}" does not exist', "42P01")
        self._in_one_transaction(lambda _: [
            f"DROP TABLE {translate.qualified(schema, name)}",
            (f"DELETE FROM {META}.materialized_views WHERE schema_name = ? AND view_name = ?", [schema, name])],
            None)
        return Result([], [], "DROP MATERIALIZED VIEW", -1)

    # -- helpers ---------------------------------------------------------------------------------

    def _view_name(self, text: str) -> tuple[str, str]:
        parts = [p.strip() for p in re.split(r"\s*\.\s*", text.strip().rstrip(";").split()[0] if text.strip() else "")]
        if not parts or not parts[-1]:
            raise RedshiftError("syntax error at end of input", "42601")
        parts = [p[1:-1] if p.startswith('"') else p.lower() for p in parts]
        return (parts[0], parts[1]) if len(parts) == 2 else (self._current_schema(), parts[0])

    def _recorded_view(self, schema: str, name: str) -> Optional[str]:
        rows = self._con.execute(f"SELECT query FROM {META}.materialized_views WHERE schema_name = ? AND "
                                 "view_name = ?", [schema, name]).fetchall()
        return rows[0][0] if rows else None

    def _in_one_transaction(self, statements_for, query: Optional[str]) -> None:
        """Translate `query` (Redshift SQL) and run the statements made from it as one transaction
        (`_atomically`), joined to the session's own when one is open."""
        views: list = []
        try:
            sql = None
            if query is not None:
                plan = translate.translate(query, default_schema=self._current_schema(),
                                           rewrite_table=lambda table: self._rewrite_table(table, views),
                                           column_types=self._column_types,
                                           case_sensitive=self.case_sensitive_identifiers)
                if not plan.returns_rows or len(plan.statements) != 1:
                    raise RedshiftError("a materialized view's query must be a SELECT", "42601")
                sql = plan.statements[0]
            self._atomically(statements_for(sql))
        except duckdb.Error as error:
            raise duck_error(error) from None
        finally:
            self._drop_views(views)

