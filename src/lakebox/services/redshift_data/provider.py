"""The Redshift Data API provider: statements run in the background on a cluster's databases.

ExecuteStatement and BatchExecuteStatement answer at once with an Id; a worker thread runs the SQL
on the cluster's database (the same DuckDB files the Postgres endpoint serves) and keeps the result.
DescribeStatement waits up to 100 ms for a running statement, so a polling loop sees the end when
it happens. A batch runs its statements in order in one transaction-like sequence and stops at the
first failure. `:name` parameters are bound as quoted literals. Results are kept in memory for the
server's lifetime (AWS keeps them 24 hours); the tables they produced are in the database.
A statement run with ResultFormat CSV hands its rows out through GetStatementResultV2 as CSV text,
one with the default JSON through GetStatementResult as typed fields; each refuses the other's.
SessionKeepAliveSeconds and SessionId run statements in one database session across calls
(sessions.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

from ...engines.like_patterns import like_regex
from ...engines.redshift.database import RedshiftError
from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ..base import Provider
from . import results
from .sessions import DataSession, SessionRegistry

log = logging.getLogger("lakebox.redshift")
WAIT_SECONDS = 0.1
#: Rows in one page of a statement's result.
RESULT_PAGE_ROWS = 1000
#: What a statement id must look like (a sub-statement of a batch adds `:<n>`), as AWS checks it.
STATEMENT_ID = re.compile(r"^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d+)?$")


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message, 400)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def bind(sql: str, parameters: list[dict]) -> str:
    """`:name` placeholders replaced by the parameters' values, as quoted literals."""
    import re

    values = {p["name"]: p["value"] for p in parameters or []}
    used = set()

    def replace(match):
        name = match.group(1)
        if name not in values:
            return match.group(0)
        used.add(name)
        return _literal(values[name])

    bound = re.sub(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)", replace, sql)
    # AWS names every unused parameter, in a Java list's spelling, and runs nothing.
    unused = [name for name in dict.fromkeys(p["name"] for p in parameters or []) if name not in used]
    if unused:
        raise validation(f"Parameters list contains unused parameters. Unused parameters: [{', '.join(unused)}]")
    return bound


class Statement:
    def __init__(self, sid: str, sql: str, ctx: RequestContext, params: dict, database: str):
        self.id, self.sql, self.database = sid, sql, database
        self.account, self.region = ctx.account_id, ctx.region
        self.cluster, self.workgroup = params.get("ClusterIdentifier"), params.get("WorkgroupName")
        self.db_user, self.secret_arn = params.get("DbUser"), params.get("SecretArn")
        self.name = params.get("StatementName")
        self.session_id: Optional[str] = None
        self.parameters = params.get("Parameters")
        #: How GetStatementResult (JSON) or GetStatementResultV2 (CSV) hands the rows out.
        self.result_format = params.get("ResultFormat") or "JSON"
        self.status = "SUBMITTED"
        self.error: Optional[str] = None
        self.created = dt.datetime.now(dt.timezone.utc)
        self.updated = self.created
        self.duration_ns = -1
        self.result = None
        self.subs: list["Statement"] = []
        self.done = threading.Event()
        self.query_id = int(time.time() * 1000) % 10_000_000

    def describe(self) -> dict:
        out = {"Id": self.id, "Status": self.status, "QueryString": self.sql, "CreatedAt": self.created,
               "UpdatedAt": self.updated, "Duration": self.duration_ns, "HasResultSet": self.has_result,
               "ResultRows": self.result.rowcount if self.result is not None else -1,
               "ResultSize": results.size_of(self.result.rows) if self.has_result else 0,
               "RedshiftPid": 1073741824 + self.query_id % 1000, "RedshiftQueryId": self.query_id,
               "Database": self.database, "ResultFormat": self.result_format}
        for key, value in (("ClusterIdentifier", self.cluster), ("WorkgroupName", self.workgroup),
                           ("DbUser", self.db_user), ("SecretArn", self.secret_arn),
                           ("Error", self.error), ("QueryParameters", self.parameters),
                           ("SessionId", self.session_id)):
            if value is not None:
                out[key] = value
        return out

    @property
    def has_result(self) -> bool:
        return self.result is not None and bool(self.result.columns)


class RedshiftDataProvider(Provider):
    service_name = "redshift-data"

    def __init__(self, config: Any, *, redshift: Any, serverless: Any = None):
        super().__init__(config)
        self.redshift, self.serverless = redshift, serverless
        self.statements: dict[str, Statement] = {}
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="redshift-data")
        self.sessions = SessionRegistry()

    # -- running ------------------------------------------------------------------------------------

    def _runtime(self, ctx: RequestContext, params: dict):
        if params.get("WorkgroupName"):
            if params.get("ClusterIdentifier"):
                raise validation("Only one of ClusterIdentifier and WorkgroupName can be specified.")
            # A Serverless workgroup; without SecretArn, as with a cluster, statements run as the admin user.
            runtime = self.serverless.runtime(ctx.account_id, params["WorkgroupName"]) if self.serverless else None
            workgroup = self.serverless.workgroups.get(ctx.account_id, params["WorkgroupName"]) if self.serverless else None
            if runtime is None or workgroup is None or workgroup["_Region"] != ctx.region:
                raise not_found(f"Workgroup {params['WorkgroupName']} not found.")
            return runtime
        identifier = params.get("ClusterIdentifier")
        if not identifier:
            raise validation("Either ClusterIdentifier or WorkgroupName must be specified.")
        # With neither DbUser nor SecretArn, AWS authenticates the caller's IAM identity
        # (GetClusterCredentialsWithIAM); lakebox runs such statements as the cluster's master user.
        runtime = self.redshift.runtime(ctx.account_id, identifier)
        doc = self.redshift.store.get(ctx.account_id, identifier)
        if doc is None or doc["Region"] != ctx.region:
            raise validation("Redshift endpoint doesn't exist in this region.")
        if runtime is None:
            raise validation(f"Cluster {identifier} is not available: its status is {doc['ClusterStatus']}.")
        return runtime

    def _connect(self, ctx: RequestContext, params: dict) -> tuple[dict, Any, Optional[DataSession]]:
        """Where a call's SQL runs: the session it names (whose settings fill in the call's), else the
        cluster or workgroup and database it names, in a new session if it asks to keep one alive."""
        if params.get("SessionId"):
            session = self.sessions.claim(ctx, params)
            return {**params, **session.settings}, session.runtime, session
        runtime = self._runtime(ctx, params)
        if not params.get("Database"):
            raise validation("Database must be specified.")
        if params.get("SessionKeepAliveSeconds") is None:
            return params, runtime, None
        try:
            return params, runtime, self.sessions.open(ctx, params, runtime, params["Database"])
        except RedshiftError as exc:  # no such database: a session cannot be opened on it
            raise validation(f"ERROR: {exc.message}") from None

    def _answer(self, statement: Statement) -> dict:
        out = {"Id": statement.id, "CreatedAt": statement.created, "Database": statement.database}
        for key, value in (("ClusterIdentifier", statement.cluster), ("WorkgroupName", statement.workgroup),
                           ("DbUser", statement.db_user), ("SecretArn", statement.secret_arn),
                           ("SessionId", statement.session_id)):
            if value is not None:
                out[key] = value
        return out

    def execute_statement(self, ctx: RequestContext, params: dict) -> dict:
        sql = bind(params["Sql"], params.get("Parameters"))
        params, runtime, session = self._connect(ctx, params)
        statement = Statement(str(uuid.uuid4()), params["Sql"], ctx, params, params["Database"])
        statement.session_id = session.id if session else None
        self.statements[statement.id] = statement
        self.pool.submit(self._run_alone, statement, runtime, sql, session)
        return self._answer(statement)

    def batch_execute_statement(self, ctx: RequestContext, params: dict) -> dict:
        params, runtime, session = self._connect(ctx, params)
        database, sqls = params["Database"], params["Sqls"]
        statement = Statement(str(uuid.uuid4()), "; ".join(sqls), ctx, params, database)
        statement.subs = [Statement(f"{statement.id}:{i}", sql, ctx, params, database)
                          for i, sql in enumerate(sqls, start=1)]
        for one in (statement, *statement.subs):
            one.session_id = session.id if session else None
            self.statements[one.id] = one
        self.pool.submit(self._run_batch, statement, runtime, session)
        return self._answer(statement)

    def _run_alone(self, statement: Statement, runtime, sql: str, session: Optional[DataSession]) -> None:
        try:
            self._run(statement, runtime, [sql], session)
        finally:
            if session is not None:
                self.sessions.release(session)

    def _run(self, statement: Statement, runtime, sqls: list[str], session: Optional[DataSession] = None) -> None:
        start = time.monotonic_ns()
        statement.status = "STARTED"
        try:
            if runtime.audit is not None and runtime.audit.enabled(runtime.doc):  # the cluster's user activity too
                runtime.audit.user_statement(runtime.doc, statement.database, statement.db_user or "", 0, sqls[0],
                                             user_activity=runtime.settings()["user_activity"])
            target = session.connection if session is not None else runtime.database(statement.database)
            outcome = target.execute(sqls[0], user=statement.db_user)
            statement.result = outcome[-1] if outcome else None
            statement.status = "FINISHED"
        except RedshiftError as exc:
            statement.status, statement.error = "FAILED", f"ERROR: {exc.message}"
        except Exception as exc:  # noqa: BLE001 - the statement fails; the service goes on
            log.exception("redshift-data statement %s failed", statement.id)
            statement.status, statement.error = "FAILED", f"ERROR: {exc}"
        statement.duration_ns = time.monotonic_ns() - start
        statement.updated = dt.datetime.now(dt.timezone.utc)
        statement.done.set()

    def _run_batch(self, statement: Statement, runtime, session: Optional[DataSession] = None) -> None:
        start = time.monotonic_ns()
        statement.status = "STARTED"
        try:
            for sub in statement.subs:
                if statement.status == "FAILED":
                    sub.status = "ABORTED"
                    sub.done.set()
                    continue
                self._run(sub, runtime, [sub.sql], session)
                if sub.status == "FAILED":
                    statement.status, statement.error = "FAILED", sub.error
        finally:
            if session is not None:
                self.sessions.release(session)
        if statement.status != "FAILED":
            statement.status = "FINISHED"
        statement.duration_ns = time.monotonic_ns() - start
        statement.updated = dt.datetime.now(dt.timezone.utc)
        statement.done.set()

    # -- reading ------------------------------------------------------------------------------------

    def _statement(self, ctx: RequestContext, sid: str) -> Statement:
        if not STATEMENT_ID.fullmatch(sid):
            raise validation(f"id must satisfy regex pattern: {STATEMENT_ID.pattern}")
        statement = self.statements.get(sid)
        if statement is None or statement.account != ctx.account_id:
            raise not_found("Query does not exist.")
        return statement

    def describe_statement(self, ctx: RequestContext, params: dict) -> dict:
        statement = self._statement(ctx, params["Id"])
        statement.done.wait(WAIT_SECONDS)
        out = statement.describe()
        if statement.subs:
            out["SubStatements"] = [{k: v for k, v in s.describe().items() if k in (
                "Id", "Status", "QueryString", "CreatedAt", "UpdatedAt", "Duration", "HasResultSet", "ResultRows",
                "ResultSize", "RedshiftQueryId", "Error")} for s in statement.subs]
            out["HasResultSet"] = False
        return out

    def get_statement_result(self, ctx: RequestContext, params: dict) -> dict:
        statement, rows, start = self._result_page(ctx, params, "JSON")
        page = rows[start:start + RESULT_PAGE_ROWS]
        out = {"Records": [[results.field(v) for v in row] for row in page],
               "ColumnMetadata": [results.column_metadata(c) for c in statement.result.columns],
               "TotalNumRows": len(rows)}
        if start + RESULT_PAGE_ROWS < len(rows):
            out["NextToken"] = str(start + RESULT_PAGE_ROWS)
        return out

    def get_statement_result_v2(self, ctx: RequestContext, params: dict) -> dict:
        """The rows of a statement run with ResultFormat CSV: each page is one CSV text, headed by
        the column names."""
        statement, rows, start = self._result_page(ctx, params, "CSV")
        columns = statement.result.columns
        page = rows[start:start + RESULT_PAGE_ROWS]
        out = {"Records": [{"CSVRecords": results.csv_text([c.name for c in columns], page)}],
               "ColumnMetadata": [results.column_metadata(c) for c in columns],
               "TotalNumRows": len(rows), "ResultFormat": "CSV"}
        if start + RESULT_PAGE_ROWS < len(rows):
            out["NextToken"] = str(start + RESULT_PAGE_ROWS)
        return out

    def _result_page(self, ctx: RequestContext, params: dict, result_format: str) -> tuple[Statement, list, int]:
        statement = self._statement(ctx, params["Id"])
        if not statement.done.is_set() or not statement.has_result:
            raise not_found("Query does not have result. Please check query status with DescribeStatement.")
        if statement.result_format != result_format:
            other = "GetStatementResultV2" if result_format == "JSON" else "GetStatementResult"
            raise validation(f"The statement ran with ResultFormat {statement.result_format}: fetch its result "
                             f"with {other}.")
        return statement, statement.result.rows, _token(params)

    def cancel_statement(self, ctx: RequestContext, params: dict) -> dict:
        statement = self._statement(ctx, params["Id"])
        if statement.done.is_set():
            raise validation(f"Could not cancel a query that is already in {statement.status} state with ID: "
                             f"{statement.id}")
        return {"Status": False}

    def list_statements(self, ctx: RequestContext, params: dict) -> dict:
        wanted = params.get("Status") or "ALL"
        found = [s for s in self.statements.values() if s.account == ctx.account_id and ":" not in s.id
                 and (wanted == "ALL" or s.status == wanted)
                 and (not params.get("StatementName") or (s.name or "").startswith(params["StatementName"]))
                 and (not params.get("ClusterIdentifier") or s.cluster == params["ClusterIdentifier"])
                 and (not params.get("WorkgroupName") or s.workgroup == params["WorkgroupName"])
                 and (not params.get("Database") or s.database == params["Database"])]
        found.sort(key=lambda s: s.created, reverse=True)
        start = _token(params)
        limit = params.get("MaxResults") or 100
        out = {"Statements": [{"Id": s.id, "Status": s.status, "QueryString": s.sql, "CreatedAt": s.created,
                               "UpdatedAt": s.updated, "IsBatchStatement": bool(s.subs),
                               "ResultFormat": s.result_format,
                               **({"SessionId": s.session_id} if s.session_id else {}),
                               **({"StatementName": s.name} if s.name else {}),
                               **({"QueryStrings": [x.sql for x in s.subs]} if s.subs else {})}
                              for s in found[start:start + limit]]}
        if start + limit < len(found):
            out["NextToken"] = str(start + limit)
        return out

    # -- catalog ------------------------------------------------------------------------------------

    def list_databases(self, ctx: RequestContext, params: dict) -> dict:
        return {"Databases": self._runtime(ctx, params).database_names}

    def list_schemas(self, ctx: RequestContext, params: dict) -> dict:
        database = self._runtime(ctx, params).database(params["Database"])
        pattern = _like(params.get("SchemaPattern"))
        return {"Schemas": [s for s in database.list_schemas() if pattern(s)]}

    def list_tables(self, ctx: RequestContext, params: dict) -> dict:
        database = self._runtime(ctx, params).database(params["Database"])
        schemas, tables = _like(params.get("SchemaPattern")), _like(params.get("TablePattern"))
        out = [{"name": name, "schema": schema, "type": kind}
               for schema in database.list_schemas() if schemas(schema)
               for name, kind in database.list_tables(schema) if tables(name)]
        return {"Tables": out}

    def describe_table(self, ctx: RequestContext, params: dict) -> dict:
        database = self._runtime(ctx, params).database(params["Database"])
        schema, table = params.get("Schema") or "public", params.get("Table")
        if not table:
            return {"ColumnList": []}
        try:
            columns = database.describe_table(schema, table)
        except RedshiftError as exc:
            raise validation(exc.message) from None
        return {"TableName": table, "ColumnList": [{**results.column_metadata(c), "schemaName": schema,
                                                     "tableName": table} for c in columns]}

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.sessions.close_all()


def _token(params: dict) -> int:
    """The position a NextToken we handed out stands for."""
    token = params.get("NextToken")
    if not token:
        return 0
    if not token.isdigit():
        raise validation("The NextToken is not valid.")
    return int(token)


def _like(pattern: Optional[str]):
    """A Data API SQL LIKE pattern (% and _, a backslash escaping as in Redshift's LIKE) as a predicate;
    None matches everything."""
    if not pattern:
        return lambda name: True
    regex = re.compile(like_regex(pattern, escape="\\"), re.I)
    return lambda name: bool(regex.fullmatch(name))
