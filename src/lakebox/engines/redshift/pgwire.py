"""The Postgres wire protocol (v3) endpoint of a Redshift cluster: psql, redshift_connector and other
Postgres drivers connect here and run SQL through a session.

It knows the protocol and nothing of SQL: authentication and every statement go to the callbacks it is
given (`authenticate(user, password, database, client=...) -> session`, `session.execute(sql) -> [result]`;
`client` is a dict of what the connection knows of its client), which
are duck-typed so that these modules import only the standard library and pg_types. The listener is
here; each connection (pg_connection.py) runs on a thread of its own, because a session's execute
blocks (DuckDB) and clients are few.

Given an `ssl.SSLContext` (tls.py makes the certificate), clients that ask for TLS get it; given
`require_tls`, asked at each new connection, plain-text clients are refused while it answers true.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import Callable, Optional

from .pg_connection import PgAuthError, PgError, Session, _Connection, _shutdown

__all__ = ["PgAuthError", "PgError", "PgWireServer"]


class PgWireServer:
    def __init__(self, host: str, port: int, authenticate: Callable[..., Session], *,
                 tls: Optional[ssl.SSLContext] = None, require_tls: Optional[Callable[[], bool]] = None):
        self.host, self.port, self.authenticate = host, port, authenticate
        self.tls, self.require_tls = tls, require_tls
        self._listener: Optional[socket.socket] = None
        self._thread: Optional[threading.Thread] = None
        self._connections: set[_Connection] = set()
        self._lock = threading.Lock()
        self._next_pid = 1000

    def start(self) -> int:
        """Bind (an OSError if the port is taken) and accept on a background thread; returns the port."""
        listener = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self.host, self.port))
            listener.listen(128)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, name=f"pgwire-{self.port}", daemon=True)
        self._thread.start()
        return self.port

    def stop(self) -> None:
        """Close the listener and every connection; sessions are closed by their connection threads."""
        listener, self._listener = self._listener, None
        if listener is not None:
            _shutdown(listener)   # wakes the blocked accept() on Linux, where close() alone does not
            listener.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.abort()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for connection in connections:
            connection.thread.join(timeout=2)

    def _accept_loop(self) -> None:
        listener = self._listener
        while listener is not None and self._listener is listener:
            try:
                sock, _ = listener.accept()
            except OSError:
                return   # the listener was closed by stop()
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._listener is not listener:   # stop() began while this client was accepted
                    sock.close()
                    return
                self._next_pid += 1
                connection = _Connection(sock, self.authenticate, self._next_pid, self._forget,
                                         tls=self.tls, require_tls=self.require_tls)
                self._connections.add(connection)
            connection.thread.start()

    def terminate(self, session_pid: int) -> bool:
        """End the connection whose session has id `session_pid` (PG_TERMINATE_BACKEND): its socket is
        shut, so its client sees the server close it; its own thread then closes its session, which
        rolls back what it had not committed. False when no connection has that session."""
        with self._lock:
            found = [c for c in self._connections if getattr(c.session, "pid", None) == session_pid]
        for connection in found:
            connection.abort()
        return bool(found)

    def _forget(self, connection: "_Connection") -> None:
        with self._lock:
            self._connections.discard(connection)
