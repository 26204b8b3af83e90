"""`RedshiftDatabase`: one Redshift database as a DuckDB file; SQL text in, Postgres-shaped results out.

Each statement of a string is dispatched on its first words: COPY to `copy_unload`, UNLOAD to
`unloading`, CREATE EXTERNAL SCHEMA to `spectrum` (whose tables are read from the lake); VACUUM,
ANALYZE, GRANT are accepted and do nothing, since DuckDB has no use for them; transactions, SET and
LOCK are handled here; everything else is translated by `translate` and run on DuckDB, and its errors are
worded by `errors`.

What DuckDB does not keep (DISTKEY, SORTKEY, ENCODE, IDENTITY, unenforced keys, declared types) is
recorded in the schema `_lakebox` of the same file, as are the external schemas, so that all of it
survives a restart with the data. Redshift's `public` schema is a DuckDB schema made the default.

One connection and one lock per database: DuckDB keeps one writer per file (DESIGN D7).
Imports duckdb, sqlglot, lakebox.engines.sql.reader and this package.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import pathlib
import re
import threading
from typing import Optional

import duckdb

from ..sql.types import HiveTypeError, hive_to_duckdb
from . import (RedshiftError, character_types, column_cache, connection_log, copy_unload, database_ddl,
               datetime_types, intervals, load_log, loading, materialized_views, query_history, translate, unloading)
from .errors import duck_error
from . import procedures
from .results import Column, Result
from .users import is_user_statement
from .spectrum import META as _META
from .external_table_as import ExternalTableAsMixin
from .external_tables import ExternalTablesMixin
from .materialized_views import MaterializedViewsMixin
from .show_commands import ShowCommandsMixin
from .table_ddl import TableDdlMixin
from .spectrum import SpectrumMixin
from .system_tables import SystemTablesMixin

__all__ = ["Column", "Result", "RedshiftError", "RedshiftDatabase"]

#: What PG_LAST_COPY_ID() and PG_LAST_COPY_COUNT() answer in a session that has run no COPY.
_NO_COPY_YET = {"pg_last_copy_id": -1, "pg_last_copy_count": -1}
#: A statement's first word, after any comments: its kind for the query history.
_FIRST_WORD = re.compile(r"(?s)\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*(\w+)")

_HIDDEN_SCHEMAS = {"main", "information_schema", "pg_catalog", _META}
_SIMPLE_TYPES = {
    "BOOLEAN": "boolean", "TINYINT": "smallint", "SMALLINT": "smallint", "INTEGER": "integer", "BIGINT": "bigint",
    "HUGEINT": "numeric(38,0)", "UTINYINT": "smallint", "USMALLINT": "integer", "UINTEGER": "bigint",
    "UBIGINT": "numeric(20,0)", "FLOAT": "real", "DOUBLE": "double precision", "VARCHAR": "character varying",
    "DATE": "date", "TIMESTAMP": "timestamp without time zone", "TIMESTAMP_S": "timestamp without time zone",
    "TIMESTAMP_MS": "timestamp without time zone", "TIMESTAMP_NS": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone", "TIME": "time without time zone",
    "TIME WITH TIME ZONE": "time with time zone", "INTERVAL": "interval", "BLOB": "varbyte", "JSON": "super",
    "UUID": "character varying", '"NULL"': "character varying", "NULL": "character varying",
}
_TRANSACTION_WORDS = {"BEGIN": "BEGIN", "START": "BEGIN", "COMMIT": "COMMIT", "END": "COMMIT",
                      "ROLLBACK": "ROLLBACK", "ABORT": "ROLLBACK"}
#: What every DuckDB connection of a database is set to, as a Redshift session is: the default
#: schema, UTC, and integer division (Redshift's 7/2 is 3, DuckDB's 3.5 unless told otherwise).
_SESSION_SETTINGS = ("SET schema = 'public'", "SET TimeZone = 'UTC'", "SET integer_division = true")
_NO_OPS = {"VACUUM": "VACUUM", "ANALYZE": "ANALYZE", "GRANT": "GRANT", "REVOKE": "REVOKE", "COMMENT": "COMMENT"}



#: SET enable_case_sensitive_identifier {TO | =} value, or RESET enable_case_sensitive_identifier.
_CASE_SETTING = re.compile(r"(?is)\s*(?:(?P<reset>RESET)|SET(?:\s+SESSION)?)\s+enable_case_sensitive_identifier\b"
                           r"(?(reset)|\s*(?:TO|=)\s*(?P<value>'[^']*'|[\w.]+))\s*;?\s*$")
#: The spellings of a boolean setting's values.
_BOOLEAN_WORDS = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False,
                  "0": False}


def _boolean_setting(name: str, value: str, default: bool) -> bool:
    """A boolean setting's value as Postgres reads it: on/off, true/false, yes/no, 1/0 or an
    unambiguous prefix of one (`t`, `of`; not `o`), and DEFAULT for the value RESET gives."""
    word = value.strip("'").lower()
    if word == "default":
        return default
    meanings = {meaning for spelled, meaning in _BOOLEAN_WORDS.items() if word and spelled.startswith(word)}
    if len(meanings) != 1:
        raise RedshiftError(f'parameter "{name}" requires a Boolean value', "22023")
    return meanings.pop()


def pg_type_name(duck_type) -> str:
    """A DuckDB type as the Postgres/Redshift type name: `numeric(10,2)`, `character varying`; lists,
    structs and maps are SUPER values in Redshift."""
    text = str(duck_type)
    match = re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", text)
    if match:
        return f"numeric({match.group(1)},{match.group(2)})"
    if text.endswith("]") or text.startswith(("STRUCT", "MAP", "UNION")):
        return "super"
    return _SIMPLE_TYPES.get(text, text.lower())


class RedshiftDatabase(TableDdlMixin, ShowCommandsMixin, MaterializedViewsMixin, ExternalTableAsMixin,
                       ExternalTablesMixin, SystemTablesMixin, SpectrumMixin):
    def __init__(self, path: pathlib.Path, *, lake, glue_catalog, account: str, region: str,
                 name: Optional[str] = None):
        self.path = pathlib.Path(path)
        #: The database's name, as its cluster knows it (the file's name may escape some characters).
        self.name = name or self.path.stem
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lake, self.glue_catalog, self.account, self.region = lake, glue_catalog, account, region
        self._lock = threading.RLock()
        self._user: Optional[str] = None
        self._functions_defined = False
        #: Values of the functions that read the session's state (translate's session_values).
        self._session_values = dict(_NO_COPY_YET)
        self._in_transaction = False
        self._views = itertools.count()
        #: The cluster's users (users.py): an object with `apply(statement) -> tag`, or None, which
        #: leaves CREATE/ALTER/DROP USER unsupported (a database without a cluster).
        self.users = None
        #: The cluster (its runtime): runs CREATE/ALTER/DROP DATABASE (`database_statement`) and keeps
        #: STL_CONNECTION_LOG (`connection_log`); None for a database without a cluster.
        self.cluster = None
        #: Milliseconds a statement may run before it is cancelled (statement_timeout; 0: no limit).
        self.statement_timeout_ms = 0
        #: enable_case_sensitive_identifier: the session's value, and the one RESET returns to (the
        #: cluster's parameter group sets both when the session starts).
        self.case_sensitive_identifiers = self.case_sensitive_default = False
        self._con = duckdb.connect(str(self.path))
        #: Column types the SQL translation asked for, shared by the sessions (column_cache.py).
        self.column_types = column_cache.ColumnTypeCache()
        for sql in ("CREATE SCHEMA IF NOT EXISTS public", f"CREATE SCHEMA IF NOT EXISTS {_META}",
                    f"CREATE TABLE IF NOT EXISTS {_META}.table_design (schema_name VARCHAR, table_name VARCHAR, "
                    "column_name VARCHAR, attribute VARCHAR, value VARCHAR)",
                    f"CREATE TABLE IF NOT EXISTS {_META}.external_schemas (schema_name VARCHAR PRIMARY KEY, "
                    "glue_database VARCHAR, iam_role VARCHAR)",
                    *load_log.SETUP_SQL, materialized_views.SETUP,
                    *_SESSION_SETTINGS):
            self._con.execute(sql)
        # PG_TERMINATE_BACKEND(pid), which translate hands the caller's session id as well. Defined on
        # this connection, which outlives every session's: DuckDB drops a Python function with the
        # connection that defined it, while its sessions' cursors would still call it.
        self._con.create_function("lakebox_terminate_backend", self._terminate_backend, ["BIGINT", "BIGINT"],
                                  "INTEGER", side_effects=True)
        #: The statements of every session of this database, and their query ids (query_history).
        self.query_log = query_history.QueryLog(query_history.highest_logged_query(self._con))
        self._current_query: Optional[query_history.QueryRecord] = None
        self.pid = 0
        #: The sessions open on this database, shared by all of them (STV_SESSIONS): id -> session.
        self._open_sessions: dict = {}
        self._sessions_lock = threading.Lock()
        self.started = _utcnow()

    def _terminate_backend(self, pid: int, caller_pid: int) -> int:
        if self.cluster is None:
            raise RedshiftError("PG_TERMINATE_BACKEND needs a cluster: this database stands alone", "0A000")
        return self.cluster.terminate_backend(pid, caller_pid)

    def session(self) -> "RedshiftDatabase":
        """A connection of its own to the same database, for one client: its transactions, search
        path and temporary views are its alone (DuckDB isolates them between connections), as a
        Postgres session's are. Closing it closes only that connection."""
        clone = copy.copy(self)
        clone._con = self._con.cursor()
        clone._lock = threading.RLock()
        clone._in_transaction = False
        clone._user = None
        clone._functions_defined = False
        clone._session_values = dict(_NO_COPY_YET)
        clone.case_sensitive_identifiers = clone.case_sensitive_default
        clone._current_query, clone.pid = None, 0  # the cluster's runtime sets the session's pid
        clone.started = _utcnow()
        for sql in _SESSION_SETTINGS:
            clone._con.execute(sql)
        with self._sessions_lock:
            self._open_sessions[id(clone)] = clone
        return clone

    def open_sessions(self) -> list["RedshiftDatabase"]:
        """The sessions of this database not yet closed, oldest first."""
        with self._sessions_lock:
            return sorted(self._open_sessions.values(), key=lambda session: session.started)

    # -- the interface -----------------------------------------------------------------------------

    def execute(self, sql: str, user: Optional[str] = None) -> list[Result]:
        """One Result per statement; the first failing statement raises, and the ones before it keep
        their effects (they are listed on the error as `.results`). `user` is who CURRENT_USER names."""
        with self._lock:
            if user != self._user or not self._functions_defined:
                self._define_session_functions(user)
                self._functions_defined = True
            self._user = user
            results: list[Result] = []
            for statement in translate.split_statements(sql):
                first = _FIRST_WORD.match(statement)
                self._current_query = self.query_log.begin(user, self.pid, self.name, statement,
                                                           [first.group(1).upper()] if first else [])
                try:
                    try:
                        result = self._timed(statement)
                    finally:
                        if column_cache.changes_catalog(statement):
                            self.column_types.forget()
                except RedshiftError as error:
                    query_history.finish(self._current_query, error=error.message)
                    error.results = results
                    raise
                except BaseException as error:
                    query_history.finish(self._current_query, error=str(error) or type(error).__name__)
                    raise
                query_history.finish(self._current_query, rows=result.rowcount)
                results.append(result)
            return results

    def _timed(self, statement: str) -> Result:
        """Run one statement, cancelled after statement_timeout as Postgres and Redshift cancel it.

        DuckDB forgets an interrupt that arrives before its query starts executing (a long translation
        on a busy machine), so once the deadline passes the watchdog keeps interrupting until the
        statement returns."""
        if self.statement_timeout_ms <= 0:
            return self._run(statement)
        finished = threading.Event()
        expired = threading.Event()

        def watchdog() -> None:
            if finished.wait(self.statement_timeout_ms / 1000):
                return
            expired.set()
            while not finished.is_set():
                self._con.interrupt()
                finished.wait(0.05)

        timer = threading.Thread(target=watchdog, name="redshift-statement-timeout", daemon=True)
        timer.start()
        try:
            return self._run(statement)
        except duckdb.InterruptException:
            raise RedshiftError("canceling statement due to statement timeout", "57014") from None
        except RedshiftError as error:
            if "Interrupted" in error.message and expired.is_set():
                raise RedshiftError("canceling statement due to statement timeout", "57014") from None
            raise
        finally:
            finished.set()
            timer.join()

    def list_schemas(self) -> list[str]:
        with self._lock:
            local = [r[0] for r in self._con.execute(
                "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() "
                "AND NOT internal").fetchall() if r[0] not in _HIDDEN_SCHEMAS]
            return sorted(set(local + ["public"] + list(self._external_schemas())))

    def list_tables(self, schema: str) -> list[tuple[str, str]]:
        with self._lock:
            external = self._external_schemas().get(schema)
            if external is not None:
                tables = self.glue_catalog.list_tables(self.account, self.region, external)
                return sorted((t["Name"], "EXTERNAL TABLE") for t in tables)
            rows = self._con.execute(
                "SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = ? AND NOT temporary UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() "
                "WHERE database_name = current_database() AND schema_name = ? AND NOT temporary AND NOT internal",
                [schema, schema]).fetchall()
            return sorted((name, kind) for name, kind in rows)

    def describe_table(self, schema: str, table: str) -> list[Column]:
        with self._lock:
            external = self._external_schemas().get(schema)
            if external is not None:
                glue = self._glue_table(schema, external, table)
                sd = glue.get("StorageDescriptor") or {}
                try:
                    return [Column(c["Name"].lower(), pg_type_name(hive_to_duckdb(c.get("Type") or "string")))
                            for c in (sd.get("Columns") or []) + (glue.get("PartitionKeys") or [])]
                except HiveTypeError as error:
                    raise RedshiftError(str(error), "0A000") from None
            rows = self._con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = "
                "current_database() AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, table]).fetchall()
            if not rows:
                raise RedshiftError(f'relation "{schema}.{table}" does not exist', "42P01")
            declared = dict(self._con.execute(
                f"SELECT column_name, value FROM {_META}.table_design WHERE schema_name = ? AND table_name = ? "
                "AND attribute = 'TYPE'", [schema, table]).fetchall())
            return [Column(name, declared.get(name) or pg_type_name(kind)) for name, kind in rows]

    def table_design(self, schema: str, table: str) -> list[tuple]:
        """What CREATE TABLE said that DuckDB does not keep: (column or None, attribute, value) rows."""
        with self._lock:
            return self._con.execute(
                f"SELECT column_name, attribute, value FROM {_META}.table_design WHERE schema_name = ? "
                "AND table_name = ? AND attribute <> 'TYPE'", [schema, table]).fetchall()

    def copy_to(self, path: pathlib.Path) -> None:
        """Copy the whole database into a new DuckDB file at `path` (a cluster snapshot): the view of
        one transaction, taken on a cursor of its own while other sessions go on working."""
        with self._lock:
            cursor = self._con.cursor()
        try:
            name = cursor.execute("SELECT current_database()").fetchone()[0]
            target = str(path).replace("'", "''")
            cursor.execute(f"ATTACH '{target}' AS lakebox_snapshot")
            try:
                cursor.execute(f'COPY FROM DATABASE "{name}" TO lakebox_snapshot')
            finally:
                cursor.execute("DETACH lakebox_snapshot")
        finally:
            cursor.close()

    def close(self) -> None:
        with self._sessions_lock:
            self._open_sessions.pop(id(self), None)
        with self._lock:
            self._con.close()

    # -- dispatch ----------------------------------------------------------------------------------

    def _run(self, statement: str) -> Result:
        words = translate.leading_words(statement, 4)
        first = words[0] if words else ""
        if first == "COPY":
            return self._copy(statement)
        if first == "UNLOAD":
            return self._unload(statement)
        if self.users is not None and is_user_statement(words):
            return Result([], [], self.users.apply(statement), -1)
        if words[1:2] == ["DATABASE"] and first in ("CREATE", "DROP", "ALTER"):
            return database_ddl.run(self, statement)
        if first in _NO_OPS:
            return Result([], [], _NO_OPS[first], -1)
        if first in _TRANSACTION_WORDS:
            return self._transaction(_TRANSACTION_WORDS[first])
        if first in ("SET", "RESET"):
            return self._set(statement, first)
        if first == "LOCK":
            return self._lock_tables(statement)
        if words[:3] == ["CREATE", "EXTERNAL", "SCHEMA"]:
            return self._create_external_schema(statement)
        # Statements DuckDB has no form of, each answering None when the statement is not its own.
        for handler in (self._table_ddl, self._show, self._materialized_view, self._external_table_ddl,
                        self._procedure):
            result = handler(statement, words)
            if result is not None:
                return result
        if words[:2] == ["CREATE", "EXTERNAL"]:
            raise RedshiftError(f"CREATE EXTERNAL {words[2] if len(words) > 2 else ''} is not supported".strip(),
                                "0A000")
        if words[:2] == ["DROP", "SCHEMA"] and self._drop_external_schema(statement):
            return Result([], [], "DROP SCHEMA", -1)
        return self._sql(statement)

    def _procedure(self, statement: str, words: list) -> Optional[Result]:
        """Stored procedures: CREATE/DROP/ALTER PROCEDURE, CALL, and their cursors (`procedures`)."""
        return procedures.handle(self, statement, words)

    def _sql(self, statement: str) -> Result:
        views: list = []
        try:
            try:
                return self._translated(statement, views, trunc_dates=False)
            except duckdb.BinderException as error:
                if not re.search(r"trunc\((TIMESTAMP|DATE)", str(error)):
                    raise
                return self._translated(statement, views, trunc_dates=True)
        except duckdb.Error as error:
            raise duck_error(error) from None
        finally:
            self._drop_views(views)

    def _translated(self, statement: str, views: list, trunc_dates: bool) -> Result:
        schema = self._current_schema()
        plan = translate.translate(statement, default_schema=schema,
                                   rewrite_table=lambda table: self._rewrite_table(table, views),
                                   trunc_dates=trunc_dates, user=self._user,
                                   session_values={**self._session_values, "pg_backend_pid": self.pid},
                                   column_types=lambda table: self._column_types(table, schema),
                                   case_sensitive=self.case_sensitive_identifiers, database=self.name)
        # CREATE TABLE IF NOT EXISTS on a table that exists changes nothing, its recorded design included.
        existed = plan.design is not None and bool(self._con.execute(
            "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? "
            "AND table_name = ?", [plan.design.schema, plan.design.table]).fetchall())
        for sql in plan.statements[:-1]:
            self._con.execute(sql)
        cursor = self._con.execute(plan.statements[-1])
        if plan.design is not None and not existed:
            self._record_design(plan.design)
        for schema, table in plan.dropped:
            self._forget_table(schema or self._current_schema(), table)
        if plan.returns_rows:
            columns = [Column(d[0], pg_type_name(d[1])) for d in cursor.description]
            rows = cursor.fetchall()
            if plan.interval_columns:
                columns, rows = _interval_results(columns, rows, plan.interval_columns)
            if plan.abstime_columns:
                columns, rows = datetime_types.abstime_results(columns, rows, plan.abstime_columns)
            return Result(columns, rows, _with_count(plan.tag, len(rows)), len(rows))
        if plan.tag in ("INSERT", "UPDATE", "DELETE", "MERGE", "SELECT"):
            row = cursor.fetchone()
            count = int(row[0]) if row and isinstance(row[0], int) else 0
            return Result([], [], _with_count(plan.tag, count), count)
        return Result([], [], plan.tag, -1)

    def _rewrite_table(self, table, views: list):
        """A system view or a Spectrum table named by a statement, as a relation DuckDB can read."""
        return (self._system_view(table, views) or connection_log.system_view(self, table, views)
                or self._spectrum_view(table, views))

    def _column_types(self, table, default_schema: Optional[str] = None) -> Optional[dict]:
        """A table's or view's columns and their DuckDB types, for the results that depend on them
        (numeric_types, semantics.text_columns); None for a name DuckDB does not know, whose statement
        then fails as usual. Kept in the database's ColumnTypeCache."""
        schema = table.db or default_schema or self._current_schema()
        return self.column_types.get((schema, table.name), lambda: self._catalog_column_types(schema, table.name))

    def _catalog_column_types(self, schema: str, name: str) -> Optional[dict]:
        # From the catalog, never by DESCRIBE: a failed statement would abort the open transaction.
        rows = self._con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? AND schema_name = ? "
            "AND database_name IN (current_database(), 'temp') ORDER BY database_name = 'temp' DESC, column_index",
            [name, schema]).fetchall()
        if not rows:
            return None
        columns: dict = {}
        for column, kind in rows:  # a temporary view hides a table of the same name
            columns.setdefault(column, kind)
        if "INTERVAL" in columns.values() or "VARCHAR" in columns.values():
            # DuckDB stores both of Redshift's interval types as INTERVAL, and CHAR(n) and VARCHAR(n) as
            # VARCHAR; the declared type tells which (and n: "CHAR(4)", character_types).
            for column, declared in self._con.execute(
                    f"SELECT column_name, value FROM {_META}.table_design WHERE schema_name = ? AND table_name = ? "
                    "AND attribute = 'TYPE' AND (value LIKE 'interval %' OR value LIKE 'character%')",
                    [schema, name]).fetchall():
                if columns.get(column) == "INTERVAL":
                    columns[column] = declared.upper()
                elif columns.get(column) == "VARCHAR":
                    columns[column] = character_types.duck_type(declared) or "VARCHAR"
        return columns

    def _current_schema(self) -> str:
        return self._con.execute("SELECT current_schema()").fetchall()[0][0]  # leaves no result open

    # -- transactions and settings -----------------------------------------------------------------

    def _transaction(self, tag: str) -> Result:
        """Postgres answers COMMIT or ROLLBACK outside a transaction with a warning, BEGIN inside one
        too; DuckDB raises, so the state is tracked here."""
        if tag == "BEGIN" and not self._in_transaction:
            self._con.execute("BEGIN TRANSACTION")
            self._in_transaction = True
        elif tag != "BEGIN" and self._in_transaction:
            self._in_transaction = False
            try:
                self._con.execute(tag)
            except duckdb.Error as error:
                raise duck_error(error) from None
        return Result([], [], tag, -1)

    def _set(self, statement: str, first: str) -> Result:
        """SET search_path, statement_timeout and enable_case_sensitive_identifier (and RESET of the
        last) are honoured; other session settings (datestyle, query_group ...) are accepted and ignored."""
        case = _CASE_SETTING.match(statement)
        if case:
            self.case_sensitive_identifiers = self.case_sensitive_default if case.group("reset") \
                else _boolean_setting("enable_case_sensitive_identifier", case.group("value"),
                                      self.case_sensitive_default)
            return Result([], [], first, -1)
        timeout = re.match(r"(?is)\s*SET\s+(?:SESSION\s+)?statement_timeout\s*(?:TO|=)\s*'?(\d+)'?\s*;?\s*$",
                           statement)
        if timeout:
            self.statement_timeout_ms = int(timeout.group(1))
            return Result([], [], first, -1)
        match = re.match(r"(?is)\s*SET\s+(?:SESSION\s+)?search_path\s*(?:TO|=)\s*(.+)", statement)
        if match:
            schemas = [s.strip().strip("'\"").lower() for s in match.group(1).split(",") if s.strip()]
            schemas = [s for s in schemas if s != "$user"] or ["public"]
            try:
                self._con.execute(f"SET search_path = {_literal(','.join(schemas))}")
                self._con.execute(f"SET schema = {_literal(schemas[0])}")
            except duckdb.Error as error:
                raise duck_error(error) from None
        return Result([], [], first, -1)

    def _lock_tables(self, statement: str) -> Result:
        """LOCK [TABLE] t1 [, t2 ...]: Redshift locks the tables until the transaction ends (awswrangler's
        to_sql(lock=True) sends it). DuckDB's own serialization of writers stands in for the lock, so
        what is left is Redshift's check that every table exists (42P01 when one does not)."""
        match = _LOCK.match(statement)
        if not match:
            raise RedshiftError('syntax error at or near "LOCK"', "42601")
        for name in _TABLE_NAME.findall(match.group(1)):
            self._sql(f"SELECT 1 FROM {name} LIMIT 0")
        return Result([], [], "LOCK TABLE", -1)

    # -- table design ------------------------------------------------------------------------------

    def _record_design(self, design: translate.TableDesign) -> None:
        self._con.execute(f"DELETE FROM {_META}.table_design WHERE schema_name = ? AND table_name = ?",
                          [design.schema, design.table])
        if design.attributes:
            self._con.executemany(f"INSERT INTO {_META}.table_design VALUES (?, ?, ?, ?, ?)",
                                  [[design.schema, design.table, c, a, v] for c, a, v in design.attributes])

    def _forget_table(self, schema: str, table: str) -> None:
        identity = self._con.execute(
            f"SELECT column_name FROM {_META}.table_design WHERE schema_name = ? AND table_name = ? "
            "AND attribute = 'IDENTITY'", [schema, table]).fetchall()
        for (column,) in identity:
            self._con.execute(f"DROP SEQUENCE IF EXISTS {translate.qualified(schema, f'{table}_{column}_seq')}")
        self._con.execute(f"DELETE FROM {_META}.table_design WHERE schema_name = ? AND table_name = ?",
                          [schema, table])

    def _identity_columns(self, schema: str, table: str) -> set:
        return {r[0] for r in self._con.execute(
            f"SELECT column_name FROM {_META}.table_design WHERE schema_name = ? AND table_name = ? "
            "AND attribute = 'IDENTITY'", [schema, table]).fetchall()}

    # -- COPY and UNLOAD ---------------------------------------------------------------------------

    def _copy(self, statement: str) -> Result:
        """COPY into a table, its columns checked against the types CREATE TABLE declared; the COPY
        and the rows it rejected are kept for the load system views (load_log)."""
        started = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        spec = copy_unload.parse_copy(statement)
        schema = spec.schema or self._current_schema()
        # An unqualified name finds a temporary table first (the staging table of an upsert), as in Postgres.
        rows = self._con.execute(
            "SELECT c.column_name, c.data_type, NOT c.is_nullable, t.table_oid FROM duckdb_columns() c "
            "JOIN duckdb_tables() t USING (database_name, schema_name, table_name) WHERE c.table_name = ? AND "
            "((c.database_name = current_database() AND c.schema_name = ?) OR (? AND c.database_name = 'temp')) "
            "ORDER BY c.database_name = 'temp' DESC, c.column_index",
            [spec.table, schema, spec.schema is None]).fetchall()
        if rows and len({r[3] for r in rows}) > 1:
            rows = [r for r in rows if r[3] == rows[0][3]]
        if not rows:
            raise RedshiftError(f'relation "{spec.table}" does not exist', "42P01")
        declared = dict(self._con.execute(
            f"SELECT column_name, value FROM {_META}.table_design WHERE schema_name = ? AND table_name = ? "
            "AND attribute = 'TYPE'", [schema, spec.table]).fetchall())
        columns = [loading.TargetColumn(name, kind, declared.get(name), not_null)
                   for name, kind, not_null, _ in rows]
        session, xid = self._con.execute("SELECT current_connection_id(), txid_current()").fetchall()[0]
        record = load_log.LoadRecord(
            query=self._current_query.query if self._current_query else self.query_log.next_id(),
            user_name=self._user or "", session=session, xid=xid,
            database_name=self.name, schema_name=schema, table_name=spec.table, tbl=rows[0][3],
            data_source=spec.source, starttime=started)
        count = 0
        try:
            identity = self._identity_columns(schema, spec.table)
            count = loading.copy_into(self._con, spec, self.lake, columns, identity, record)
        except duckdb.Error as error:
            raise duck_error(error) from None
        finally:
            # What PG_LAST_COPY_ID() and PG_LAST_COPY_COUNT() answer next, failed COPYs included, so
            # that `... FROM stl_load_errors WHERE query = pg_last_copy_id()` finds a failure's rows.
            self._session_values = {"pg_last_copy_id": record.query, "pg_last_copy_count": count}
        return Result([], [], f"COPY {count}", count)

    def _unload(self, statement: str) -> Result:
        spec = copy_unload.parse_unload(statement)
        views: list = []
        try:
            plan = translate.translate(spec.query, default_schema=self._current_schema(),
                                       rewrite_table=lambda table: self._rewrite_table(table, views),
                                       column_types=self._column_types,
                                       case_sensitive=self.case_sensitive_identifiers, database=self.name)
            if not plan.returns_rows or len(plan.statements) != 1:
                raise RedshiftError("UNLOAD needs a SELECT query", "42601")
            count, _ = unloading.unload(self._con, spec, self.lake, plan.statements[0], str(self.path.parent))
        except duckdb.Error as error:
            raise duck_error(error) from None
        finally:
            self._drop_views(views)
        return Result([], [], "UNLOAD", count)


#: A table name, possibly qualified, each part possibly quoted; LOCK [TABLE] and a list of them.
_TABLE_NAME = re.compile(r'(?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?')
_LOCK = re.compile(rf"(?is)\s*LOCK\s+(?:TABLE\s+)?({_TABLE_NAME.pattern}(?:\s*,\s*{_TABLE_NAME.pattern})*)\s*;?\s*$")


def _interval_results(columns: list, rows: list, kinds: dict) -> tuple[list, list]:
    """The columns of Redshift's interval types (sent by DuckDB as months or microseconds) as values of
    those types."""
    makers = {index: intervals.YearToMonth if kind == intervals.Y2M else intervals.DayToSecond
              for index, kind in kinds.items() if index < len(columns)}
    columns = [Column(c.name, kinds[i]) if i in makers else c for i, c in enumerate(columns)]
    rows = [tuple(makers[i](v) if i in makers and v is not None else v for i, v in enumerate(row)) for row in rows]
    return columns, rows


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _with_count(tag: str, count: int) -> str:
    return f"INSERT 0 {count}" if tag == "INSERT" else f"{tag} {count}"
