"""A running cluster: its databases (DuckDB files) and its Postgres listener.

The listener is what `describe_clusters` names as the Endpoint: psql, redshift_connector and any
Postgres driver connect there with the master user's password (or the temporary credentials of
GetClusterCredentials) and run SQL on the cluster's databases, in plain text or over TLS (the
provider's certificate, engines/redshift/tls.py; plain text is refused while the parameter group's
require_ssl is true). The Redshift Data API runs on the same databases. A cluster has the database
named at creation (DBName, default `dev`) and `dev`.
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
from ...engines.redshift.database import RedshiftDatabase, RedshiftError
from .store import password_matches

log = logging.getLogger("lakebox.redshift")


class Session:
    """One Postgres connection's SQL, on one database of the cluster, as the user who logged in, on a
    DuckDB connection of its own (so its transactions are its own). With audit logging on, its
    statements and its end are logged (audit_logging.py)."""

    def __init__(self, database: RedshiftDatabase, user: str, runtime: Optional["ClusterRuntime"] = None,
                 database_name: str = "", pid: int = 0, user_activity: bool = False):
        self.connection, self.user = database.session(), user
        self.connection.pid = pid  # the session id the query history shows
        self._runtime, self._database_name, self._pid = runtime, database_name, pid
        #: The parameter group's enable_user_activity_logging when the session started.
        self._user_activity = user_activity
        self._started = time.monotonic()

    def execute(self, sql: str):
        if self._runtime is not None and self._runtime.audit is not None:
            self._runtime.audit.user_statement(self._runtime.doc, self._database_name, self.user, self._pid, sql,
                                               user_activity=self._user_activity)
        return self.connection.execute(sql, user=self.user)

    def close(self) -> None:
        self.connection.close()
        if self._runtime is not None and self._runtime.audit is not None:
            duration = int((time.monotonic() - self._started) * 1_000_000)
            self._runtime.audit.connection(self._runtime.doc, "disconnecting session", self._database_name,
                                           self.user, self._pid, duration)


class ClusterRuntime:
    def __init__(self, doc: dict, data_dir: Path, *, lake: Any, glue_catalog: Any, account: str, region: str,
                 audit: Any = None, save_users: Any = None, settings: Any = None,
                 tls: Optional[ssl.SSLContext] = None):
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
        self._databases: dict[str, RedshiftDatabase] = {}
        self._lock = threading.Lock()
        self._server = None
        #: user -> (password, expires at) of GetClusterCredentials' temporary logins.
        self._temporary: dict[str, tuple[str, float]] = {}

    @property
    def database_names(self) -> list[str]:
        return sorted({self.doc.get("DBName") or "dev", "dev"})

    def database(self, name: str) -> RedshiftDatabase:
        if name not in self.database_names:
            raise RedshiftError(f'database "{name}" does not exist', "3D000")
        with self._lock:
            found = self._databases.get(name)
            if found is None:
                self.data_dir.mkdir(parents=True, exist_ok=True)
                found = RedshiftDatabase(self.data_dir / f"{name}.duckdb", **self._context)
                if self._save_users is not None:
                    found.users = self  # CREATE/ALTER/DROP USER come to `apply`
                self._databases[name] = found
            return found

    def snapshot_to(self, folder: Path) -> None:
        """Write a copy of every database of the cluster into `folder` (see RedshiftDatabase.copy_to)."""
        for name in self.database_names:
            self.database(name).copy_to(folder / f"{name}.duckdb")

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

    def authenticate(self, user: str, password: str, database: str) -> Session:
        from ...engines.redshift.pgwire import PgAuthError

        temporary = self._temporary.get(user)
        master = user.lower() == (self.doc.get("MasterUsername") or "").lower() and \
            password_matches(self.doc["PasswordHash"], password)
        created = (self.doc.get("Users") or {}).get(user.lower())
        name = database or self.doc.get("DBName") or "dev"
        pid = next(self._sessions)
        if not master and not (created is not None and db_users.password_matches(created, user.lower(), password)) \
                and not (temporary and temporary[0] == password and temporary[1] > time.time()):
            if self.audit is not None:
                self.audit.connection(self.doc, "authentication failure", name, user, pid)
            raise PgAuthError(f'password authentication failed for user "{user}"')
        try:
            database = self.database(name)
            settings = self.settings()  # the parameter group's values, read once per session
            session = Session(database, user, self, name, pid, user_activity=settings["user_activity"])
            session.connection.statement_timeout_ms = settings["statement_timeout_ms"]
            if settings["search_path"] != ["public"]:  # the group's search_path, missing schemas skipped
                path = [s for s in settings["search_path"] if s in database.list_schemas()]
                if path:
                    session.connection.execute("SET search_path TO " + ", ".join(f'"{s}"' for s in path))
        except RedshiftError as exc:
            raise PgAuthError(exc.message, exc.sqlstate) from None  # 3D000 for a database that does not exist
        if self.audit is not None:
            self.audit.connection(self.doc, "authenticated", name, user, pid)
            self.audit.connection(self.doc, "initiating session", name, user, pid)
        return session

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
        with self._lock:
            for database in self._databases.values():
                database.close()
            self._databases.clear()
