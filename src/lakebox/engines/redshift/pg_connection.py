"""One client connection of the Postgres wire protocol (v3): startup and login, the simple and the
extended query protocol, and the messages each answers with.

A connection runs on its own thread (pgwire.py accepts them) and hands SQL to its session; values
go out and come in through pg_types. The protocol definitions the server shares live here too.

TLS: given the server's `ssl.SSLContext`, a connection answers SSLRequest with `S` and goes on over
TLS, as Redshift does on every cluster (without one, it answers `N` and goes on in plain text). When
`require_tls()` says so (the parameter group's require_ssl), a plain-text startup is refused the way
Postgres refuses it. GSSAPI encryption is never offered.
"""

from __future__ import annotations

import logging
import re
import secrets
import socket
import ssl
import struct
import threading
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Optional, Protocol, Sequence

from . import pg_types

log = logging.getLogger("lakebox.redshift.pgwire")

SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST, PROTOCOL_3 = 80877103, 80877104, 80877102, 196608
#: Enough to read a startup packet or a statement; a larger length is a broken or hostile client.
MAX_MESSAGE = 1 << 30
#: Flush the output buffer once it holds this much, so a large result streams instead of piling up.
FLUSH_AT = 1 << 16
#: Seconds a client has to finish the TLS handshake it asked for, so a stalled one does not keep a
#: thread forever.
HANDSHAKE_TIMEOUT = 30


class Column(Protocol):
    name: str
    type_name: str


class Result(Protocol):
    columns: Sequence[Column]
    rows: Sequence[tuple]
    command: str
    rowcount: int


class Session(Protocol):
    def execute(self, sql: str) -> list[Result]: ...
    def close(self) -> None: ...


class PgAuthError(Exception):
    """Raised by the authenticate callback: the client gets this message as a FATAL error and is closed."""

    def __init__(self, message: str, sqlstate: str = "28P01"):
        super().__init__(message)
        self.message, self.sqlstate = message, sqlstate


class PgError(Exception):
    """An error the client is told about (ErrorResponse); the connection goes on."""

    def __init__(self, message: str, sqlstate: str):
        super().__init__(message)
        self.message, self.sqlstate = message, sqlstate


class _Closed(Exception):
    """The client went away (or the server is stopping)."""


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass   # not connected, or already shut: either way nothing more will be read


@dataclass
class _Statement:
    sql: str
    param_oids: list[int]
    #: Described columns (None: not yet described); a portal's rows are sent as these types, because
    #: the client chose its decoders from them.
    columns: Optional[list] = None


@dataclass
class _Portal:
    statement: _Statement
    sql: str
    formats: list[int]
    result: Any = None
    sent: int = 0


@dataclass
class _Buffer:
    """One message's body. A body shorter than its fields say (a client that put a NUL inside a
    statement's text, say) is Postgres's protocol violation, an ERROR the session survives: messages
    are framed by their length, so the next one is read where it starts."""
    data: bytes
    pos: int = 0

    def int16(self) -> int:
        return struct.unpack("!h", self.take(2))[0]

    def int32(self) -> int:
        return struct.unpack("!i", self.take(4))[0]

    def cstring(self) -> str:
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise PgError("invalid string in message", "08P01")
        raw, self.pos = self.data[self.pos:end], end + 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            bad = raw[error.start:error.start + 1].hex()
            raise PgError(f'invalid byte sequence for encoding "UTF8": 0x{bad}', "22021") from None

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise PgError("insufficient data left in message", "08P01")
        self.pos += n
        return self.data[self.pos - n:self.pos]


class _Connection:
    """One client: startup and authentication, then simple and extended queries until Terminate."""

    def __init__(self, sock: socket.socket, authenticate: Callable, pid: int, forget: Callable,
                 tls: Optional[ssl.SSLContext] = None, require_tls: Optional[Callable[[], bool]] = None):
        self.sock, self.authenticate, self.pid, self.forget = sock, authenticate, pid, forget
        #: The server's TLS context (None: SSLRequest is answered N), and whether plain text is refused.
        self.tls, self.require_tls = tls, require_tls or (lambda: False)
        self.encrypted = False
        #: Redshift's result protocol agreed at startup (server_protocol_version): 0 plain Postgres,
        #: 1 extended result metadata in RowDescription, 2 that plus numeric/date/time values in binary.
        self.protocol = 0
        #: Built once the startup packets are read (see negotiate), on the socket they left in place.
        self.reader: Optional[BinaryIO] = None
        self.out = bytearray()
        self.session: Optional[Session] = None
        self.status = "I"            # ReadyForQuery's transaction status: I idle, T in a block, E failed
        self.skipping = False        # after an extended-protocol error, until Sync
        self.statements: dict[str, _Statement] = {}
        self.portals: dict[str, _Portal] = {}
        #: A parameterless statement run to describe it, kept for its first Bind so it runs only once.
        self.described: Optional[tuple[_Statement, Any]] = None
        self.thread = threading.Thread(target=self.run, name=f"pgwire-conn-{pid}", daemon=True)

    def abort(self) -> None:
        _shutdown(self.sock)

    def run(self) -> None:
        try:
            if self.startup():
                self.serve()
        except (_Closed, ConnectionError, OSError):
            pass   # the client hung up or stop() shut the socket: nothing to tell anyone
        except PgError as exc:   # a malformed startup packet: Postgres ends such a connection too
            self.try_send_error("FATAL", exc.sqlstate, exc.message)
        except Exception as exc:
            log.exception("pgwire connection %d failed", self.pid)
            self.try_send_error("FATAL", "XX000", f"internal error: {exc}")
        finally:
            self.finish()

    def finish(self) -> None:
        try:
            if self.session is not None:
                self.session.close()
        finally:
            if self.reader is not None:
                self.reader.close()
            self.sock.close()
            self.forget(self)

    # -- startup -----------------------------------------------------------------------------------

    def startup(self) -> bool:
        params = self.negotiate()
        if params is None:
            return False
        self.reader = self.sock.makefile("rb")
        user = params.get("user", "")
        if self.refuses_plain_text(user, params.get("database") or user):
            return False
        self.send(b"R", struct.pack("!i", 3))   # AuthenticationCleartextPassword
        self.flush()
        kind, body = self.read_message()
        if kind != b"p":
            self.try_send_error("FATAL", "08P01", f"expected a password message, got {kind!r}")
            return False
        password = body.cstring()
        try:
            self.session = self.authenticate(user, password, params.get("database") or user,
                                             client=self.client_info(params))
        except PgAuthError as exc:
            self.try_send_error("FATAL", exc.sqlstate, exc.message)
            return False
        self.send(b"R", struct.pack("!i", 0))
        statuses = [("server_version", "8.0.2"), ("server_encoding", "UTF8"), ("client_encoding", "UTF8"),
                    ("DateStyle", "ISO, MDY"), ("TimeZone", "UTC"), ("integer_datetimes", "on"),
                    ("standard_conforming_strings", "on"), ("is_superuser", "on"),
                    ("session_authorization", user), ("application_name", params.get("application_name", "")),
                    ("show_discovery", "2")]
        self.protocol = _agreed_protocol(params.get("client_protocol_version"))
        if self.protocol:
            statuses.append(("server_protocol_version", str(self.protocol)))
        for key, value in statuses:
            self.send(b"S", _cstr(key) + _cstr(value))
        self.send(b"K", struct.pack("!ii", self.pid, secrets.randbits(31)))
        self.ready()
        return True

    def client_info(self, params: dict) -> dict:
        """What the session's connection events record of the client (STL_CONNECTION_LOG): the startup
        packet's parameters (redshift_connector sends application_name, driver_version, os_version,
        client_protocol_version and, with an IdP plugin, plugin_name), its address, its TLS, and the
        result protocol agreed with it."""
        try:
            address = self.sock.getpeername()[:2]
        except OSError:
            address = ("", "")
        tls = (self.sock.version() or "", (self.sock.cipher() or ("",))[0]) if self.encrypted else None
        return {"startup": dict(params), "address": address, "tls": tls,
                "protocol": _agreed_protocol(params.get("client_protocol_version"))}

    def negotiate(self) -> Optional[dict]:
        """Read startup packets up to the protocol 3.0 one, answering SSLRequest and GSSENCRequest on the
        way; its parameters, or None when the connection ends here (a cancel request, a failed TLS
        handshake, an unknown protocol).

        Unbuffered, straight from the socket: after an SSLRequest the next bytes are the TLS handshake,
        and any plain-text bytes a client slipped in before it must fail that handshake, not sit in a
        buffer to be read later as if they had come encrypted (CVE-2021-23214)."""
        while True:
            body = _Buffer(self.read_exact(self.read_length(8) - 4))
            code = body.int32()
            if code == SSL_REQUEST and self.tls is not None and not self.encrypted:
                self.sock.sendall(b"S")
                if not self.start_tls():
                    return None
            elif code in (SSL_REQUEST, GSSENC_REQUEST):
                self.sock.sendall(b"N")    # the client goes on as it is (plain text, or already TLS)
            elif code == CANCEL_REQUEST:
                return None                # cancelling is not supported; the request is simply dropped
            elif code == PROTOCOL_3:
                return _startup_params(body)
            else:
                self.try_send_error("FATAL", "0A000", f"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}")
                return None

    def start_tls(self) -> bool:
        """Go on over TLS, server side. A client that asked for TLS and then fails the handshake (it does
        not trust the certificate, or never meant to speak TLS) is logged in one line and closed."""
        try:
            self.sock = self.tls.wrap_socket(self.sock, server_side=True, do_handshake_on_connect=False)
            self.sock.settimeout(HANDSHAKE_TIMEOUT)
            self.sock.do_handshake()
            self.sock.settimeout(None)
        except OSError as exc:   # ssl.SSLError, a timeout, or the client hanging up
            log.info("pgwire connection %d: TLS handshake failed: %s", self.pid, exc)
            return False
        self.encrypted = True
        return True

    def refuses_plain_text(self, user: str, database: str) -> bool:
        """With require_ssl on, a connection without TLS is turned away before its password is asked
        for, with the FATAL error Redshift (Postgres with only `hostssl` lines in pg_hba.conf) gives."""
        if self.encrypted or not self.require_tls():
            return False
        host = self.sock.getpeername()[0]
        self.try_send_error("FATAL", "28000", f'no pg_hba.conf entry for host "{host}", user "{user}", '
                                              f'database "{database}", SSL off')
        return True

    # -- message loop ------------------------------------------------------------------------------

    def serve(self) -> None:
        handlers = {b"Q": self.on_query, b"P": self.on_parse, b"B": self.on_bind, b"D": self.on_describe,
                    b"E": self.on_execute, b"C": self.on_close, b"H": lambda body: self.flush()}
        while True:
            kind, body = self.read_message()
            if kind == b"X":
                return
            if kind == b"S":
                self.skipping = False
                self.ready()
                continue
            if self.skipping:
                continue
            handler = handlers.get(kind)
            try:
                if handler is None:
                    raise PgError(f"unsupported frontend message type {kind!r}", "08P01")
                handler(body)
            except PgError as exc:
                self.send_error("ERROR", exc.sqlstate, exc.message)
                if kind == b"Q":
                    self.ready()
                else:
                    self.skipping = True

    def on_query(self, body: _Buffer) -> None:
        sql = body.cstring()
        results = self.execute(sql) if sql.strip(" \t\r\n;") else []
        if not results:
            self.send(b"I", b"")   # EmptyQueryResponse
        for result in results:
            types = self.column_types(result.columns)
            if result.columns:
                self.send_row_description(result.columns, types, [0] * len(types))
            self.send_rows(result.rows, types, [0] * len(types))
            self.send(b"C", _cstr(result.command))
        self.ready()

    # -- extended query protocol ---------------------------------------------------------------------

    def on_parse(self, body: _Buffer) -> None:
        name, sql = body.cstring(), body.cstring()
        oids = [body.int32() for _ in range(body.int16())]
        if name and name in self.statements:
            raise PgError(f'prepared statement "{name}" already exists', "42P05")
        count = max(pg_types.parameter_count(sql), len(oids))
        self.statements[name] = _Statement(sql, oids + [0] * (count - len(oids)))
        self.send(b"1", b"")

    def on_bind(self, body: _Buffer) -> None:
        portal_name, statement = body.cstring(), self.statement(body.cstring())
        param_formats = [body.int16() for _ in range(body.int16())]
        raws = []
        for _ in range(body.int16()):
            length = body.int32()
            raws.append(None if length < 0 else body.take(length))
        formats = [body.int16() for _ in range(body.int16())]
        if len(raws) != len(statement.param_oids):
            raise PgError(f"bind message supplies {len(raws)} parameters, but prepared statement requires "
                          f"{len(statement.param_oids)}", "08P01")
        try:
            values = [pg_types.decode_param(raw, oid, _format_of(param_formats, i) == 1)
                      for i, (raw, oid) in enumerate(zip(raws, statement.param_oids))]
        except pg_types.PgTypeError as exc:
            raise PgError(exc.message, exc.sqlstate) from None
        sql = pg_types.bind_parameters(statement.sql, [pg_types.sql_literal(v) for v in values])
        portal = _Portal(statement, sql, formats)
        if self.described is not None and self.described[0] is statement and not raws:
            portal.result = self.described[1]
        self.described = None
        self.portals[portal_name] = portal
        self.send(b"2", b"")

    def on_describe(self, body: _Buffer) -> None:
        kind, name = body.take(1), body.cstring()
        if kind == b"S":
            statement = self.statement(name)
            oids = [oid or pg_types.TEXT for oid in statement.param_oids]
            self.send(b"t", struct.pack(f"!h{len(oids)}i", len(oids), *oids))
            try:
                columns, formats = self.describe_statement(statement), []
            except PgError:
                del self.statements[name]   # Postgres fails such a statement at Parse: it never exists
                raise
        else:
            portal = self.portal(name)
            columns, formats = self.portal_columns(portal), portal.formats
        if columns:
            types = self.column_types(columns)
            self.send_row_description(columns, types, [_format_of(formats, i) for i in range(len(types))])
        else:
            self.send(b"n", b"")   # NoData

    def on_execute(self, body: _Buffer) -> None:
        portal, limit = self.portal(body.cstring()), body.int32()
        columns = self.portal_columns(portal)
        result = portal.result
        if result is None:
            self.send(b"I", b"")
            return
        types = self.column_types(columns)
        formats = [_format_of(portal.formats, i) for i in range(len(types))]
        end = len(result.rows) if limit <= 0 else min(len(result.rows), portal.sent + limit)
        self.send_rows(result.rows[portal.sent:end], types, formats)
        portal.sent = end
        if end < len(result.rows):
            self.send(b"s", b"")   # PortalSuspended: the client asks for more with another Execute
        else:
            self.send(b"C", _cstr(result.command))

    def on_close(self, body: _Buffer) -> None:
        kind, name = body.take(1), body.cstring()
        (self.statements if kind == b"S" else self.portals).pop(name, None)
        self.send(b"3", b"")

    def statement(self, name: str) -> _Statement:
        if name not in self.statements:
            raise PgError(f'prepared statement "{name}" does not exist', "26000")
        return self.statements[name]

    def portal(self, name: str) -> _Portal:
        if name not in self.portals:
            raise PgError(f'portal "{name}" does not exist', "34000")
        return self.portals[name]

    def describe_statement(self, statement: _Statement) -> list:
        """The columns a statement will return, before its parameters are known: the session's
        optional `describe(sql)` answers without running it; otherwise a row-returning statement is run
        with NULL parameters (and, when it has none, that run is its result). A CALL is described by
        the session's optional `describe_call(sql)`, from the procedure's definition."""
        if statement.columns is None:
            if _first_keyword(statement.sql) == "CALL":  # OUT arguments, from the definition: never run to describe
                describe_call = getattr(self.session, "describe_call", None)
                statement.columns = list(describe_call(statement.sql)) if describe_call is not None else []
            elif _first_keyword(statement.sql) not in _ROW_RETURNING:
                statement.columns = []
            else:
                sql = pg_types.bind_parameters(statement.sql, [pg_types.null_literal(o) for o in statement.param_oids])
                describe = getattr(self.session, "describe", None)
                if describe is not None:
                    statement.columns = list(describe(sql) or [])
                else:
                    result = self.execute_one(sql)
                    statement.columns = list(result.columns) if result is not None else []
                    if not statement.param_oids:
                        self.described = (statement, result)
        return statement.columns

    def portal_columns(self, portal: _Portal) -> list:
        """The portal's columns, running it first if needed; a described statement's types win when they
        line up, since the client already picked its decoders from them."""
        if portal.result is None:
            portal.result = self.execute_one(portal.sql)
        described = portal.statement.columns
        actual = list(portal.result.columns) if portal.result is not None else []
        return described if described and len(described) == len(actual) else actual

    def execute_one(self, sql: str) -> Any:
        results = self.execute(sql)
        return results[-1] if results else None   # several statements in one Parse: the last one answers

    # -- running SQL ---------------------------------------------------------------------------------

    def execute(self, sql: str) -> list:
        """Run SQL on the session, keeping the transaction status: in a failed block only ROLLBACK (or
        COMMIT, which then rolls back, as in Postgres) gets through."""
        self.described = None
        keyword = _first_keyword(sql)
        if self.status == "E":
            if keyword not in _ENDS_BLOCK:
                raise PgError("current transaction is aborted, commands ignored until end of transaction block",
                              "25P02")
            sql = "ROLLBACK"
        try:
            results = self.session.execute(sql)
        except Exception as exc:
            self.send_notices(getattr(exc, "notices", ()))
            if self.status == "T":
                self.status = "E"
            if getattr(exc, "sqlstate", None) is None:
                log.exception("pgwire connection %d: unexpected error running %r", self.pid, sql[:200])
                raise PgError(f"internal error: {exc}", "XX000") from None
            raise PgError(getattr(exc, "message", str(exc)), exc.sqlstate) from None
        for result in results:
            self.send_notices(getattr(result, "notices", ()))  # a stored procedure's RAISE INFO ...
            tag = result.command.split(" ", 1)[0].upper()
            if tag in ("BEGIN", "START"):
                self.status = "T"
            elif tag in ("COMMIT", "ROLLBACK", "END", "ABORT"):
                self.status = "I"
        return results

    # -- output --------------------------------------------------------------------------------------

    def column_types(self, columns: Sequence) -> list:
        """The wire types of result columns. Under the binary protocol a numeric travels as its unscaled
        integer and the client takes the scale from the typmod, so a numeric never goes without one."""
        types = [pg_types.column_type(c.type_name) for c in columns]
        if self.protocol >= 2:
            types = [pg_types.NUMERIC_WITHOUT_TYPMOD if t.oid == pg_types.NUMERIC and t.modifier == -1 else t
                     for t in types]
        return types

    def text_encoder(self, typ) -> Callable[[Any, int], bytes]:
        """Text output; but under the binary protocol Redshift sends a VARBYTE's bytes as they are, where
        its text output is their hex (redshift_connector reads one or the other by the protocol)."""
        if self.protocol >= 2 and typ.oid == pg_types.VARBYTE:
            return lambda value, oid: bytes(value)
        return pg_types.encode_text

    def send_row_description(self, columns: Sequence, types: list, formats: list[int]) -> None:
        parts = [struct.pack("!h", len(columns))]
        for column, typ, fmt in zip(columns, types, formats):
            parts.append(_cstr(column.name) + struct.pack("!ihihih", 0, 0, typ.oid, typ.size, typ.modifier, fmt))
            if self.protocol >= 1:
                # Redshift's extended metadata: schema, table, column and catalog names (lakebox's results
                # do not track where a column came from, so only the column's own name is given), then
                # flags: nullable (bit 0) and searchable (bit 12).
                parts.append(_cstr("") + _cstr("") + _cstr(column.name) + _cstr("") + struct.pack("!h", 0x1001))
        self.send(b"T", b"".join(parts))

    def send_rows(self, rows: Sequence[tuple], types: list, formats: list[int]) -> None:
        encoders = [(_binary_encoder(typ) if fmt == 1 else self.text_encoder(typ), typ.oid)
                    for typ, fmt in zip(types, formats)]
        count = struct.pack("!h", len(encoders))
        for row in rows:
            parts = [count]
            for value, (encode, oid) in zip(row, encoders):
                if value is None:
                    parts.append(b"\xff\xff\xff\xff")
                else:
                    try:
                        data = encode(value, oid)
                    except pg_types.PgTypeError as exc:
                        raise PgError(exc.message, exc.sqlstate) from None
                    parts.append(struct.pack("!i", len(data)) + data)
            self.send(b"D", b"".join(parts))

    def send_error(self, severity: str, sqlstate: str, message: str) -> None:
        fields = b"".join(code + _cstr(value) for code, value in
                          ((b"S", severity), (b"V", severity), (b"C", sqlstate), (b"M", message)))
        self.send(b"E", fields + b"\0")

    def send_notices(self, notices) -> None:
        """NoticeResponse messages, one per (level, message): what RAISE INFO/NOTICE/WARNING say."""
        for level, message in notices:
            sqlstate = "01000" if level == "WARNING" else "00000"
            fields = b"".join(code + _cstr(value) for code, value in
                              ((b"S", level), (b"V", level), (b"C", sqlstate), (b"M", message)))
            self.send(b"N", fields + b"\0")

    def try_send_error(self, severity: str, sqlstate: str, message: str) -> None:
        """Report a fatal error if the client is still there to read it."""
        try:
            self.send_error(severity, sqlstate, message)
            self.flush()
        except OSError:
            pass   # the client is gone; the error was logged or is the client's own doing

    def ready(self) -> None:
        self.send(b"Z", self.status.encode())
        self.flush()

    def send(self, kind: bytes, payload: bytes) -> None:
        self.out += kind + struct.pack("!i", len(payload) + 4) + payload
        if len(self.out) >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if self.out:
            self.sock.sendall(self.out)
            self.out.clear()

    # -- input ---------------------------------------------------------------------------------------

    def read_message(self) -> tuple[bytes, _Buffer]:
        kind = self.read_exact(1)
        return kind, _Buffer(self.read_exact(self.read_length(4) - 4))

    def read_length(self, minimum: int) -> int:
        length = struct.unpack("!i", self.read_exact(4))[0]
        if not minimum <= length <= MAX_MESSAGE:
            raise _Closed(f"invalid message length {length}")
        return length

    def read_exact(self, n: int) -> bytes:
        if self.reader is None:   # still negotiating: straight from the socket (see negotiate)
            return self.recv_exact(n)
        data = self.reader.read(n)
        if len(data) < n:
            raise _Closed()
        return data

    def recv_exact(self, n: int) -> bytes:
        data = bytearray()
        while len(data) < n:
            chunk = self.sock.recv(min(n - len(data), FLUSH_AT))
            if not chunk:
                raise _Closed()
            data += chunk
        return bytes(data)


_ROW_RETURNING = {"SELECT", "WITH", "SHOW", "VALUES", "EXPLAIN", "TABLE", "FETCH"}
_ENDS_BLOCK = {"ROLLBACK", "ABORT", "COMMIT", "END"}
_LEADING = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/|\()*", re.DOTALL)


def _first_keyword(sql: str) -> str:
    match = re.match(r"[A-Za-z]+", sql[_LEADING.match(sql).end():])
    return match.group(0).upper() if match else ""


def _agreed_protocol(requested: Optional[str]) -> int:
    """The result protocol to use for a client's `client_protocol_version` (redshift_connector asks for
    2, binary, by default): the highest lakebox speaks that is not above it."""
    try:
        return max(0, min(int(requested or 0), 2))
    except ValueError:
        return 0


def _binary_encoder(typ) -> Callable[[Any, int], bytes]:
    if typ.oid == pg_types.NUMERIC:
        scale = pg_types.numeric_scale(typ.modifier)
        return lambda value, oid: pg_types.encode_numeric_binary(value, scale)
    return pg_types.encode_binary


def _startup_params(body: _Buffer) -> dict:
    """The name/value pairs of a startup packet, after its protocol code."""
    params = {}
    while body.pos < len(body.data) and body.data[body.pos] != 0:
        key = body.cstring()
        params[key] = body.cstring()
    return params


def _format_of(formats: list[int], index: int) -> int:
    """Bind's format codes: none means text for all, one applies to all, else one per column."""
    if not formats:
        return 0
    return formats[0] if len(formats) == 1 else formats[index]


def _cstr(text: str) -> bytes:
    return text.encode("utf-8") + b"\0"
