"""Data API sessions: statements that share one database session across calls.

ExecuteStatement or BatchExecuteStatement with SessionKeepAliveSeconds opens a session on the
statement's database and answers its SessionId. A later call that names the SessionId (instead of a
cluster or workgroup and database) runs in that same session: its temporary tables, its open
transaction and its settings are still there, as on one Postgres connection. The session stays open
for SessionKeepAliveSeconds after each statement ends (a later call may give a new value), and runs
one statement at a time; a call on a busy session is refused. A session whose time is up is closed
(its temporary tables go with it) and its id is refused from then on.

Sessions live in memory, like the statements' results: a server restart ends them, as a cluster
restart ends AWS's.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError

#: Sessions one account may have open at once.
MAX_ACTIVE_SESSIONS = 500
#: The connection settings a session fixes: a call with the SessionId may repeat them, not change them.
_FIXED = ("ClusterIdentifier", "WorkgroupName", "Database", "DbUser", "SecretArn")


class DataSession:
    """One open session: a connection of its own to one database of a cluster or workgroup."""

    def __init__(self, ctx: RequestContext, params: dict, runtime: Any, database: str):
        self.id = str(uuid.uuid4())
        self.account, self.region = ctx.account_id, ctx.region
        self.settings = {k: params.get(k) for k in _FIXED}
        self.settings["Database"] = database
        self.runtime = runtime
        self.connection = runtime.database(database).session()
        self.keep_alive = params.get("SessionKeepAliveSeconds") or 0
        self.expires = time.monotonic() + self.keep_alive
        self.busy = False

    def close(self) -> None:
        self.connection.close()


class SessionRegistry:
    """The open sessions, by id; expired ones are closed whenever the registry is used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, DataSession] = {}

    def open(self, ctx: RequestContext, params: dict, runtime: Any, database: str) -> DataSession:
        self._close_expired()
        with self._lock:
            if sum(s.account == ctx.account_id for s in self._sessions.values()) >= MAX_ACTIVE_SESSIONS:
                raise AwsError("ActiveSessionsExceededException", "The Amazon Redshift Data API operation failed "
                                                                  "because the maximum number of active sessions "
                                                                  "exceeded.", 400)
            session = DataSession(ctx, params, runtime, database)
            session.busy = True
            self._sessions[session.id] = session
            return session

    def claim(self, ctx: RequestContext, params: dict) -> DataSession:
        """The session a call names, marked busy for its statement."""
        self._close_expired()
        sid = params["SessionId"]
        with self._lock:
            session = self._sessions.get(sid)
            if session is None or session.account != ctx.account_id or session.region != ctx.region:
                raise AwsError("ValidationException", f"Session {sid} does not exist or has expired.", 400)
            for key in _FIXED:
                if params.get(key) and params[key] != session.settings.get(key):
                    raise AwsError("ValidationException", f"{key} {params[key]} does not match session {sid}, "
                                                          f"which runs on {session.settings.get(key)}.", 400)
            if session.busy:
                raise AwsError("ActiveStatementsExceededException", f"Session {sid} is running another statement: "
                                                                    "a session runs one statement at a time.", 400)
            session.busy = True
            if params.get("SessionKeepAliveSeconds") is not None:
                session.keep_alive = params["SessionKeepAliveSeconds"]
            return session

    def release(self, session: DataSession) -> None:
        """The session's statement ended: it stays open for its keep-alive time from now."""
        with self._lock:
            session.busy = False
            session.expires = time.monotonic() + session.keep_alive
        self._close_expired()

    def _close_expired(self) -> None:
        now = time.monotonic()
        with self._lock:
            ended = [s for s in self._sessions.values() if not s.busy and s.expires <= now]
            for session in ended:
                del self._sessions[session.id]
        for session in ended:
            session.close()

    def get(self, sid: Optional[str]) -> Optional[DataSession]:
        with self._lock:
            return self._sessions.get(sid or "")

    def close_all(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()
