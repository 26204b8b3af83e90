"""A running cluster: its databases (DuckDB files) and its Postgres listener.

The listener is what `describe_clusters` names as the Endpoint: psql, redshift_connector and any
Postgres driver connect there with the master user's password (or the temporary credentials of
GetClusterCredentials) and run SQL on the cluster's databases, in plain text or over TLS (the
provider's certificate, engines/redshift/tls.py; plain text is refused while the parameter group's
require_ssl is true). The Redshift Data API runs on the same databases. A cluster has the database
named at creation (DBName, default `dev`), `dev`, and those CREATE DATABASE makes (databases.py
keeps their files; their owner, connection limit, collation and isolation level are kept with the
cluster's settings, under `Databases`).

Every connection's events (authentication failure, authenticated, initiating session, disconnecting
session) go both to the audit log (audit_logging.py, when logging is on) and to the cluster's
STL_CONNECTION_LOG (engines/redshift/connection_log.py).
"""

from __future__ import annotations

import itertools
import logging
import secrets
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Optional

from ...engines.redshift import users as db_users
from ...engines.redshift.connection_log import ClientInfo, ConnectionEvent, ConnectionLog
from ...engines.redshift.database import RedshiftDatabase, RedshiftError
from ...engines.redshift.database_ddl import DatabaseStatement
from ...passwords import password_matches
from .databases import DEV, ClusterDatabases

log = logging.getLogger("lakebox.redshift")


class Session:
    """One Postgres connection's SQL, on one database of the cluster, as the user who logged in, on a
    DuckDB connection of its own (so its transactions are its own). With audit logging on, its
    statements and its end are logged (audit_logging.py)."""

    def __init__(self, database: RedshiftDatabase, user: str, runtime: Optional["ClusterRuntime"] = None,
                 database_name: str = "", pid: int = 0, user_activity: bool = False,
                 client: Optional[ClientInfo] = None):
        self.connection, self.user = database.session(), user
        self.connection.pid = pid  # the session id the query history shows
        self._runtime, self._database_name, self._pid = runtime, database_name, pid
        self._client = client or ClientInfo()
        #: The parameter group's enable_user_activity_logging when the session started.
        self._user_activity = user_activity
        self._started = time.monotonic()

    @property
    def pid(self) -> int:
        return self._pid

    def execute(self, sql: str):
        if self._runtime is not None and self._runtime.audit is not None:
            self._runtime.audit.user_statement(self._runtime.doc, self._database_name, self.user, self._pid, sql,
                                               user_activity=self._user_activity)
        return self.connection.execute(sql, user=self.user)

    def describe_call(self, sql: str) -> list:
        """The columns a CALL answers with (its OUT and INOUT arguments), read from the procedure's
        definition: the statement is never run just to describe it."""
        from ...engines.redshift import procedures

        return procedures.call_columns(self.connection, sql)

    def close(self) -> None:
        self.connection.close()
        if self._runtime is not None:
            duration = int((time.monotonic() - self._started) * 1_000_000)
            self._runtime.connection_event(self._client.event("disconnecting session", self._pid,
                                                              self._database_name, self.user, duration))


class ClusterRuntime:
    def __init__(self, doc: dict, data_dir: Path, *, lake: Any, glue_catalog: Any, account: str, region: str,
                 audit: Any = None, save_users: Any = None, settings: Any = None,
                 tls: Optional[ssl.SSLContext] = None, save_databases: Any = None):
        self.doc = doc
        #: What sessions take from the cluster's parameter group (parameter_groups.session_settings).
        self.settings = settings or (lambda: {"search_path": ["public"], "user_activity": False,
                                              "statement_timeout_ms": 0, "require_ssl": False})
        #: The listener's TLS context; None serves plain text only.
        self.tls = tls
        #: Persists the cluster's users after CREATE/ALTER/DROP USER: save_users(users) -> the new doc.
        self._save_users = save_users
        self._users_lock = threading.Lock()
        self.audit = audit  # the provider's AuditLogger, or None
        self._sessions = itertools.count(1000)
        self.data_dir = Path(data_dir)
        self._context = dict(lake=lake, glue_catalog=glue_catalog, account=account, region=region)
        self.databases = ClusterDatabases(self.data_dir, self._open_database)
        #: Persists the databases' attributes after CREATE/ALTER/DROP DATABASE: save(attributes) -> doc.
        self._save_databases = save_databases
        self._databases_lock = threading.Lock()
        #: STL_CONNECTION_LOG's events, kept next to the databases (see connection_log.py for why).
        self.connection_log = ConnectionLog(self.data_dir / "connection_log.jsonl")
        self._server = None
        #: user -> (password, expires at) of GetClusterCredentials' temporary logins.
        self._temporary: dict[str, tuple[str, float]] = {}
        if doc.get("Databases") is None:  # the cluster's first start: its DBName gets its file
            self.databases.materialize(doc.get("DBName") or DEV)
            doc["Databases"] = {}
            if save_databases is not None:
                self.doc = save_databases({})

    @property
    def database_names(self) -> list[str]:
        return self.databases.names()

    def database(self, name: str) -> RedshiftDatabase:
        """The database `name` (3D000 when the cluster has none of that name)."""
        return self.databases.get(name)

    def _open_database(self, path: Path, name: str) -> RedshiftDatabase:
        database = RedshiftDatabase(path, name=name, **self._context)
        database.cluster = self  # CREATE/ALTER/DROP DATABASE come to `database_statement`
        if self._save_users is not None:
            database.users = self  # CREATE/ALTER/DROP USER come to `apply`
        return database

    def snapshot_to(self, folder: Path) -> None:
        """Write a copy of every database of the cluster into `folder` (see RedshiftDatabase.copy_to)."""
        self.databases.snapshot_to(folder)

    # -- CREATE, DROP and ALTER DATABASE -----------------------------------------------------------

    def database_statement(self, statement: DatabaseStatement, current: str, user: str) -> str:
        """Run a database statement from a session of database `current`, as `user`; its command tag."""
        with self._databases_lock:
            attributes = dict(self.doc.get("Databases") or {})
            name = statement.name
            if statement.action == "CREATE":
                if not self._may_create_databases(user):
                    raise RedshiftError("permission denied to create database", "42501")
                if self.databases.find(name) is not None:
                    raise RedshiftError(f'database "{name}" already exists', "42P04")
                owner = statement.changes.get("owner") or user
                self._check_user(owner)
                self.databases.create(name)
                attributes[name] = {"owner": owner, "connection_limit": None, "collate": "CASE_SENSITIVE",
                                    "isolation_level": "SNAPSHOT", **statement.changes}
            else:
                found = self.databases.find(name)
                if found is None:
                    raise RedshiftError(f'database "{name}" does not exist', "3D000")
                name = found
                entry = dict(attributes.get(name) or {})
                owner = entry.get("owner") or self.doc.get("MasterUsername") or ""
                if not self._is_superuser(user) and owner.lower() != user.lower():
                    raise RedshiftError(f"must be owner of database {name}", "42501")
                if statement.action == "DROP":
                    self._drop_database(name, current)
                    attributes.pop(name, None)
                elif statement.new_name is not None:
                    self._rename_database(name, statement.new_name, current)
                    attributes.pop(name, None)
                    if entry:
                        attributes[statement.new_name] = entry
                else:
                    if "owner" in statement.changes:
                        self._check_user(statement.changes["owner"])
                    attributes[name] = {**entry, **statement.changes}
            if self._save_databases is not None:
                self.doc = self._save_databases(attributes)
            else:
                self.doc["Databases"] = attributes
        log.info("redshift cluster %s: %s %s", self.doc["ClusterIdentifier"], statement.tag, name)
        return "ALTER DATABASE" if statement.action == "ALTER" else statement.tag

    def _drop_database(self, name: str, current: str) -> None:
        if name == DEV:
            raise RedshiftError(f'database "{DEV}" cannot be dropped', "0A000")
        if name == current:
            raise RedshiftError("cannot drop the currently open database", "55006")
        self.databases.drop(name)  # 55006 while other sessions use it

    def _rename_database(self, name: str, new_name: str, current: str) -> None:
        if name == DEV:
            raise RedshiftError(f'database "{DEV}" cannot be renamed', "0A000")
        if name == current:
            raise RedshiftError("current database may not be renamed", "0A000")
        if self.databases.find(new_name) is not None:
            raise RedshiftError(f'database "{new_name}" already exists', "42P04")
        self.databases.rename(name, new_name)  # 55006 while sessions use it

    def terminate_backend(self, pid: int, caller_pid: int) -> int:
        """PG_TERMINATE_BACKEND(pid) run from session `caller_pid`: 1 once the session's connection is
        closed, 0 when no session has that id. A user may end its own sessions; a superuser any."""
        users = {session.pid: session._user or "" for name in self.databases.names()
                 for session in self.databases.sessions(name)}
        owner, user = users.get(pid), users.get(caller_pid, "")
        if owner is None or self._server is None:
            return 0
        if owner.lower() != user.lower() and not self._is_superuser(user):
            # Raised inside DuckDB (the function runs there): errors.duck_error makes it 42501.
            raise PermissionError("must be superuser or have the same role to terminate other server processes")
        return 1 if self._server.terminate(pid) else 0

    def _is_superuser(self, user: str) -> bool:
        if user.lower() == (self.doc.get("MasterUsername") or "").lower():
            return True
        return bool(((self.doc.get("Users") or {}).get(user.lower()) or {}).get("superuser"))

    def _may_create_databases(self, user: str) -> bool:
        return self._is_superuser(user) or bool(((self.doc.get("Users") or {}).get(user.lower()) or {}).get("createdb"))

    def _check_user(self, user: str) -> None:
        if user.lower() != (self.doc.get("MasterUsername") or "").lower() and user.lower() not in \
                (self.doc.get("Users") or {}) and user not in self._temporary:
            raise RedshiftError(f'user "{user}" does not exist', "42704")

    def apply(self, statement: str) -> str:
        """Run a CREATE/ALTER/DROP USER statement on the cluster's users; its command tag."""
        with self._users_lock:
            users, tag = db_users.apply(statement, self.doc.get("Users") or {}, self.doc.get("MasterUsername") or "")
            self.doc = self._save_users(users)
        return tag

    def temporary_login(self, user: str, seconds: int) -> str:
        password = secrets.token_urlsafe(24)
        self._temporary[user] = (password, time.time() + seconds)
        return password

    def connection_event(self, event: ConnectionEvent) -> None:
        """One connection event: into STL_CONNECTION_LOG, and the audit log's connectionlog."""
        self.connection_log.record(event)
        if self.audit is not None:
            self.audit.connection(self.doc, event)

    def authenticate(self, user: str, password: str, database: str, client: Optional[dict] = None) -> Session:
        """Log in and open a session. `client` is what the Postgres endpoint knows of the client
        (pg_connection.py): its startup parameters, address and TLS, for the connection events."""
        from ...engines.redshift.pgwire import PgAuthError

        info = ClientInfo.from_endpoint(client)
        temporary = self._temporary.get(user)
        master = user.lower() == (self.doc.get("MasterUsername") or "").lower() and \
            password_matches(self.doc["PasswordHash"], password)
        created = (self.doc.get("Users") or {}).get(user.lower())
        name = database or self.doc.get("DBName") or "dev"
        pid = next(self._sessions)
        if not master and not (created is not None and db_users.password_matches(created, user.lower(), password)) \
                and not (temporary and temporary[0] == password and temporary[1] > time.time()):
            self.connection_event(info.event("authentication failure", pid, name, user))
            raise PgAuthError(f'password authentication failed for user "{user}"')
        try:
            settings = self.settings()  # the parameter group's values, read once per session
            with self.databases.lock:  # a database is not dropped while a session of it opens
                database = self.database(name)
                name = database.name
                self._check_connection_limit(database, user)
                session = Session(database, user, self, name, pid, user_activity=settings["user_activity"],
                                  client=info)
            session.connection.statement_timeout_ms = settings["statement_timeout_ms"]
            connection = session.connection
            connection.case_sensitive_identifiers = connection.case_sensitive_default = \
                bool(settings.get("case_sensitive_identifiers"))
            if settings["search_path"] != ["public"]:  # the group's search_path, missing schemas skipped
                path = [s for s in settings["search_path"] if s in database.list_schemas()]
                if path:
                    session.connection.execute("SET search_path TO " + ", ".join(f'"{s}"' for s in path))
        except RedshiftError as exc:
            raise PgAuthError(exc.message, exc.sqlstate) from None  # 3D000 for a database that does not exist
        self.connection_event(info.event("authenticated", pid, name, user))
        self.connection_event(info.event("initiating session", pid, name, user))
        return session

    def _check_connection_limit(self, database: RedshiftDatabase, user: str) -> None:
        """A database's CONNECTION LIMIT, which Redshift does not enforce for superusers."""
        limit = ((self.doc.get("Databases") or {}).get(database.name) or {}).get("connection_limit")
        if limit is not None and not self._is_superuser(user) and len(database.open_sessions()) >= limit:
            raise RedshiftError(f'too many connections for database "{database.name}"', "53300")

    def requires_tls(self) -> bool:
        """The parameter group's require_ssl, read at each new connection as the other settings are."""
        return bool(self.settings().get("require_ssl"))

    def start(self, host: str, port: int) -> int:
        """Listen for Postgres clients on `port`, or the next free port above it; returns the port."""
        from ...engines.redshift.pgwire import PgWireServer

        last_error: Optional[OSError] = None
        for candidate in range(port, port + 100):
            server = PgWireServer(host, candidate, self.authenticate, tls=self.tls, require_tls=self.requires_tls)
            try:
                bound = server.start()
            except OSError as exc:
                last_error = exc
                continue
            self._server = server
            log.info("redshift cluster %s listening on %s:%d", self.doc["ClusterIdentifier"], host, bound)
            return bound
        raise RuntimeError(f"no free port from {port}: {last_error}")

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def close(self) -> None:
        self.stop()
        self.databases.close()
