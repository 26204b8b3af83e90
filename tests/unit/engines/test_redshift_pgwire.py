"""The Postgres wire endpoint, driven by real clients (psql, redshift_connector) and a raw socket, over a
fake session that keeps real data: Redshift SQL transpiled by sqlglot and run on an in-memory DuckDB."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import struct
import subprocess
import threading
from decimal import Decimal

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from lakebox.engines.redshift import pg_types
from lakebox.engines.redshift.pgwire import PgAuthError, PgWireServer
from lakebox.engines.redshift.results import Column, Result

redshift_connector = pytest.importorskip("redshift_connector")

PSQL = shutil.which("psql") or "/usr/bin/psql"
PASSWORD = "Secret-pw1"

# -- the fake session -------------------------------------------------------------------------------

_REDSHIFT_NAMES = {"INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "smallint", "VARCHAR": "character varying",
                   "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP": "timestamp without time zone",
                   "TIMESTAMP WITH TIME ZONE": "timestamp with time zone", "DOUBLE": "double precision",
                   "FLOAT": "real", "INTEGER[]": "super"}


class FakeError(Exception):
    def __init__(self, message: str, sqlstate: str):
        super().__init__(message)
        self.message, self.sqlstate = message, sqlstate


class FakeSession:
    def __init__(self, database: duckdb.DuckDBPyConnection, closed: list):
        self.con, self.closed = database.cursor(), closed
        self.con.execute("SET TimeZone = 'UTC'")

    def execute(self, sql: str) -> list[Result]:
        if sql == "select crash()":
            raise RuntimeError("the engine broke")
        try:
            statements = [s for s in sqlglot.parse(sql, read="redshift") if s is not None]
        except sqlglot.errors.ParseError as exc:
            raise FakeError(f'syntax error: {exc}', "42601") from None
        return [self._run(statement) for statement in statements]

    def _run(self, statement: exp.Expression) -> Result:
        try:
            cursor = self.con.execute(statement.sql("duckdb"))
        except duckdb.CatalogException as exc:
            raise FakeError(str(exc).splitlines()[0], "42P01") from None
        except duckdb.Error as exc:
            raise FakeError(str(exc).splitlines()[0], "XX000") from None
        if isinstance(statement, (exp.Select, exp.Union)):
            columns = [Column(d[0], self._type_name(str(d[1]))) for d in cursor.description]
            rows = cursor.fetchall()
            return Result(columns, rows, f"SELECT {len(rows)}", len(rows))
        count = cursor.fetchone()[0] if isinstance(statement, (exp.Insert, exp.Delete, exp.Update)) else 0
        command = {exp.Insert: f"INSERT 0 {count}", exp.Delete: f"DELETE {count}", exp.Update: f"UPDATE {count}",
                   exp.Transaction: "BEGIN", exp.Commit: "COMMIT", exp.Rollback: "ROLLBACK",
                   exp.Create: "CREATE TABLE", exp.Drop: "DROP TABLE"}[type(statement)]
        return Result([], [], command, count)

    @staticmethod
    def _type_name(duck: str) -> str:
        if duck.startswith("DECIMAL"):
            return "numeric" + duck[len("DECIMAL"):]
        return _REDSHIFT_NAMES.get(duck, duck.lower())

    def close(self) -> None:
        self.closed.append(self)
        self.con.close()


@pytest.fixture()
def server():
    database, closed = duckdb.connect(), []

    def authenticate(user: str, password: str, db: str, client: dict | None = None) -> FakeSession:
        if password != PASSWORD:
            raise PgAuthError(f'password authentication failed for user "{user}"')
        return FakeSession(database, closed)

    pg = PgWireServer("127.0.0.1", 0, authenticate)
    pg.start()
    pg.closed_sessions = closed
    yield pg
    pg.stop()
    database.close()


def psql(server, *args, password=PASSWORD):
    env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="10")
    return subprocess.run([PSQL, "-h", "127.0.0.1", "-p", str(server.port), "-U", "admin", "-d", "dev",
                           "-X", "-At", *args], capture_output=True, text=True, env=env, timeout=30)


def connect(server, **kwargs):
    return redshift_connector.connect(host="127.0.0.1", port=server.port, database="dev", user="admin",
                                      password=PASSWORD, ssl=False, **kwargs)


PEOPLE = ("create table people (id integer, name varchar(20), score numeric(10,2), born date, "
          "seen timestamp, active boolean)")

# -- psql ---------------------------------------------------------------------------------------------

needs_psql = pytest.mark.skipif(not os.path.exists(PSQL), reason="psql is not installed")


@needs_psql
def test_psql_runs_a_query_and_prints_postgres_text_values(server):
    out = psql(server, "-c", PEOPLE + "; insert into people values (1, 'ann', 12.5, '2024-01-02', "
               "'2024-01-02 03:04:05.25', true), (2, 'bo''b', null, null, null, false)")
    assert out.returncode == 0, out.stderr

    out = psql(server, "-c", "select * from people order by id")

    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["1|ann|12.50|2024-01-02|2024-01-02 03:04:05.25|t", "2|bo'b||||f"]


@needs_psql
def test_psql_failing_statement_prints_the_error_and_exits_1(server):
    out = psql(server, "-c", "select * from missing_table")

    assert out.returncode == 1
    assert "ERROR:" in out.stderr and "missing_table" in out.stderr


@needs_psql
def test_psql_multi_statement_prints_every_result(server):
    out = psql(server, "-c", "select 1; select 'two'")

    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["1", "two"]


@needs_psql
def test_psql_wrong_password_fails_authentication(server):
    out = psql(server, "-c", "select 1", password="wrong")

    assert out.returncode == 2
    assert 'password authentication failed for user "admin"' in out.stderr


# -- redshift_connector ----------------------------------------------------------------------------------

def test_redshift_connector_parameters_round_trip_with_python_types(server):
    with connect(server) as conn:
        cursor = conn.cursor()
        cursor.execute(PEOPLE)
        rows = [(1, "ann", Decimal("12.50"), dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5, 250000), True),
                (2, "it's a \\ test", None, None, None, False),
                (-3, "neg", Decimal("-1.25"), dt.date(1999, 12, 31), dt.datetime(1999, 12, 31, 23, 59, 59), None)]
        for row in rows:
            cursor.execute("insert into people values (%s, %s, %s, %s, %s, %s)", row)
        conn.commit()

        cursor.execute("select id, name, score, born, seen, active from people order by id")
        assert list(cursor.fetchall()) == [list(r) for r in sorted(rows)]
        assert [d[0] for d in cursor.description] == ["id", "name", "score", "born", "seen", "active"]

        cursor.execute("select name from people where id = %s and name <> %s", (2, "x"))
        assert list(cursor.fetchall()) == [["it's a \\ test"]]


def test_redshift_connector_floats_bigints_and_timestamptz(server):
    with connect(server) as conn:
        cursor = conn.cursor()
        cursor.execute("select cast(1.5 as double precision) as f, cast(2.5 as real) as r, "
                       "cast(9000000000 as bigint) as b, cast(7 as smallint) as s, "
                       "cast('2024-05-06 07:08:09+00' as timestamptz) as tz, %s as p", (10_000_000_000,))
        assert list(cursor.fetchall()) == [[1.5, 2.5, 9000000000, 7,
                                      dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc), 10_000_000_000]]


def test_redshift_connector_error_raises_programming_error_and_rollback_recovers(server):
    with connect(server) as conn:
        cursor = conn.cursor()
        with pytest.raises(redshift_connector.ProgrammingError, match="missing_table"):
            cursor.execute("select * from missing_table")
        with pytest.raises(redshift_connector.ProgrammingError, match="current transaction is aborted"):
            cursor.execute("select 1")
        conn.rollback()

        cursor.execute("select 42 as answer")
        assert list(cursor.fetchall()) == [[42]]


def test_redshift_connector_rollback_discards_and_commit_keeps(server):
    with connect(server) as setup:
        setup.cursor().execute("create table t (v integer)")
        setup.commit()
    with connect(server) as conn, connect(server) as other:
        cursor = conn.cursor()
        cursor.execute("insert into t values (%s)", (1,))
        conn.rollback()
        cursor.execute("insert into t values (%s)", (2,))
        conn.commit()

        check = other.cursor()
        check.execute("select v from t order by v")
        assert list(check.fetchall()) == [[2]]


def test_many_concurrent_connections_answer_their_own_queries(server):
    answers, errors = {}, []

    def client(i: int) -> None:
        try:
            with connect(server) as conn:
                cursor = conn.cursor()
                for j in range(5):
                    cursor.execute("select %s * 100 + %s as n", (i, j))
                    answers[(i, j)] = cursor.fetchall()[0][0]
        except Exception as exc:  # collected and asserted below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    assert answers == {(i, j): i * 100 + j for i in range(12) for j in range(5)}


def test_stop_closes_open_connections_and_their_sessions(server):
    conn = connect(server)
    conn.cursor().execute("select 1")

    server.stop()

    with pytest.raises((redshift_connector.InterfaceError, redshift_connector.OperationalError)):
        conn.cursor().execute("select 2")
    assert len(server.closed_sessions) == 1
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)


# -- raw protocol -----------------------------------------------------------------------------------------

class RawClient:
    def __init__(self, port: int, ssl_first: bool = False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        if ssl_first:
            self.sock.sendall(struct.pack("!ii", 8, 80877103))
            self.ssl_answer = self.sock.recv(1)
        params = b"user\0admin\0database\0dev\0\0"
        self.sock.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
        assert self.read() == (b"R", struct.pack("!i", 3))
        self.send(b"p", PASSWORD.encode() + b"\0")
        self.until(b"Z")

    def send(self, kind: bytes, body: bytes) -> None:
        self.sock.sendall(kind + struct.pack("!i", len(body) + 4) + body)

    def read(self) -> tuple[bytes, bytes]:
        head = self._exact(5)
        return head[:1], self._exact(struct.unpack("!i", head[1:])[0] - 4)

    def until(self, kind: bytes) -> list[tuple[bytes, bytes]]:
        messages = [self.read()]
        while messages[-1][0] != kind:
            messages.append(self.read())
        return messages

    def _exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            assert chunk, "server closed the connection"
            data += chunk
        return data


def test_ssl_request_is_refused_and_the_connection_goes_on_in_plain_text(server):
    client = RawClient(server.port, ssl_first=True)
    assert client.ssl_answer == b"N"
    client.send(b"Q", b"\0")
    assert [m[0] for m in client.until(b"Z")] == [b"I", b"Z"]   # EmptyQueryResponse


def test_extended_protocol_error_skips_messages_until_sync(server):
    client = RawClient(server.port)
    client.send(b"P", b"\0select * from nowhere\0\0\0")
    client.send(b"B", b"\0\0\0\0\0\0\0\0")
    client.send(b"E", b"\0\0\0\0\0")
    client.send(b"S", b"")
    kinds = [m[0] for m in client.until(b"Z")]
    assert kinds == [b"1", b"2", b"E", b"Z"]   # Parse, Bind ok; Execute fails; nothing until Sync

    client.send(b"P", b"\0select $1::integer + 1 as n\0\0\0")
    client.send(b"B", b"\0\0\0\0\0\1\0\0\0\0015\0\1\0\1")       # one text parameter '5', binary result
    client.send(b"D", b"P\0")
    client.send(b"E", b"\0\0\0\0\0")
    client.send(b"S", b"")
    messages = client.until(b"Z")
    assert [m[0] for m in messages] == [b"1", b"2", b"T", b"D", b"C", b"Z"]
    assert messages[3][1] == struct.pack("!hii", 1, 4, 6)
    assert messages[4][1] == b"SELECT 1\0"


def test_a_malformed_message_is_a_protocol_error_the_session_survives(server, caplog):
    client = RawClient(server.port)
    # A NUL inside the statement's text ends it early: the parameter count then runs past the body.
    client.send(b"P", b"\0select 'a\0b'\0\0")
    client.send(b"S", b"")
    messages = client.until(b"Z")
    assert [m[0] for m in messages] == [b"E", b"Z"]
    assert b"C08P01\0" in messages[0][1] and b"insufficient data left in message" in messages[0][1]
    client.send(b"Q", b"select \xff\0")
    messages = client.until(b"Z")
    assert b"C22021\0" in messages[0][1] and b'invalid byte sequence for encoding "UTF8": 0xff' in messages[0][1]
    client.send(b"Q", b"select 1\0")
    assert [m[0] for m in client.until(b"Z")] == [b"T", b"D", b"C", b"Z"]
    assert "failed" not in caplog.text


def test_unexpected_session_exception_is_reported_as_internal_error_and_logged(server, caplog):
    client = RawClient(server.port)
    client.send(b"Q", b"select crash()\0")
    messages = client.until(b"Z")

    assert [m[0] for m in messages] == [b"E", b"Z"]
    assert b"CXX000\0" in messages[0][1] and b"the engine broke" in messages[0][1]
    assert "unexpected error" in caplog.text
    client.send(b"Q", b"select 1\0")
    assert [m[0] for m in client.until(b"Z")] == [b"T", b"D", b"C", b"Z"]


def test_describe_statement_runs_a_parameterless_select_once(server, monkeypatch):
    ran = []
    monkeypatch.setattr(FakeSession, "_run", lambda self, st, run=FakeSession._run: ran.append(st) or run(self, st))
    client = RawClient(server.port)
    client.send(b"P", b"s1\0select 7 as n\0\0\0")
    client.send(b"D", b"Ss1\0")
    client.send(b"S", b"")
    assert [m[0] for m in client.until(b"Z")] == [b"1", b"t", b"T", b"Z"]
    client.send(b"B", b"\0s1\0\0\0\0\0\0\0")
    client.send(b"E", b"\0\0\0\0\0")
    client.send(b"S", b"")

    assert [m[0] for m in client.until(b"Z")] == [b"2", b"D", b"C", b"Z"]
    assert len(ran) == 1


def test_describe_statement_asks_the_session_describe_hook_without_running(server, monkeypatch):
    monkeypatch.setattr(FakeSession, "describe", lambda self, sql: [Column("n", "integer")], raising=False)
    monkeypatch.setattr(FakeSession, "execute", lambda self, sql: pytest.fail("described by running"))
    client = RawClient(server.port)
    client.send(b"P", b"\0select $1 as n\0\0\0")
    client.send(b"D", b"S\0")
    client.send(b"S", b"")
    messages = client.until(b"Z")

    assert [m[0] for m in messages] == [b"1", b"t", b"T", b"Z"]
    assert messages[2][1] == struct.pack("!h", 1) + b"n\0" + struct.pack("!ihihih", 0, 0, 23, 4, -1, 0)


def test_cancel_request_is_accepted_and_the_connection_closed(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.sendall(struct.pack("!iiii", 16, 80877102, 1001, 42))
    assert sock.recv(1) == b""


# -- pg_types rules ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("type_name, expected", [
    ("integer", (23, 4, -1)), ("bigint", (20, 8, -1)), ("smallint", (21, 2, -1)),
    ("numeric(18,2)", (1700, -1, (18 << 16 | 2) + 4)), ("character varying(256)", (1043, -1, 260)),
    ("character(3)", (1042, -1, 7)), ("double precision", (701, 8, -1)), ("real", (700, 4, -1)),
    ("boolean", (16, 1, -1)), ("timestamp with time zone", (1184, 8, -1)), ("super", (4000, -1, -1)),
    ("geometry", (3000, -1, -1)), ("something new", (25, -1, -1)),
])
def test_column_type(type_name, expected):
    assert pg_types.column_type(type_name) == expected


@pytest.mark.parametrize("value, oid, text", [
    (True, 16, "t"), (1.0, 701, "1"), (0.1, 701, "0.1"), (float("nan"), 701, "NaN"), (Decimal("1E+2"), 1700, "100"),
    (dt.datetime(2024, 1, 2, 3, 4, 5), 1114, "2024-01-02 03:04:05"),
    (dt.datetime(2024, 1, 2, 3, 4, 5, 6), 1114, "2024-01-02 03:04:05.000006"),
    (dt.datetime(2024, 1, 2, 3, 4, 5, 250000), 1114, "2024-01-02 03:04:05.25"),
    (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))), 1184, "2024-01-02 01:04:05+00"),
    ({"a": [1, 2]}, 4000, '{"a":[1,2]}'),
    # INTERVAL in Postgres 8.0's style: "day" or "days", a zero time left out, the sign on each part
    (dt.timedelta(days=3), 1186, "3 days"), (dt.timedelta(days=1, hours=1, minutes=30), 1186, "1 day 01:30:00"),
    (dt.timedelta(hours=-1), 1186, "-01:00:00"), (dt.timedelta(days=-1, hours=-1), 1186, "-1 day -01:00:00"),
    (dt.timedelta(seconds=5.25), 1186, "00:00:05.25"),
])
def test_encode_text(value, oid, text):
    assert pg_types.encode_text(value, oid) == text.encode()


@pytest.mark.parametrize("value, literal", [
    (None, "NULL"), (True, "TRUE"), (-5, "(-5)"), (Decimal("-1.50"), "(-1.50)"), ("it's \\", "'it''s \\\\'"),
    (dt.date(2024, 1, 2), "CAST('2024-01-02' AS DATE)"), (float("inf"), "CAST('Infinity' AS DOUBLE PRECISION)"),
])
def test_sql_literal(value, literal):
    assert pg_types.sql_literal(value) == literal


def test_bind_parameters_leaves_strings_comments_and_dollar_bodies_alone():
    sql = "select $1, '$2', \"$2\" -- $2\n, $2 /* $1 */ from t where x = $$ $1 $$"
    assert pg_types.parameter_count(sql) == 2
    assert pg_types.bind_parameters(sql, ["A", "B"]) == \
        "select A, '$2', \"$2\" -- $2\n, B /* $1 */ from t where x = $$ $1 $$"


def test_binary_interval_is_what_redshift_connector_reads():
    from redshift_connector.utils.type_utils import interval_recv_integer

    payload = pg_types.encode_binary(dt.timedelta(days=3, seconds=5400), 1186)
    assert interval_recv_integer(payload, 0, len(payload)) == dt.timedelta(days=3, seconds=5400)


@pytest.mark.parametrize("oid, value", [(21, -7), (23, 2**31 - 1), (20, -(2**62)), (701, 2.5), (16, True),
                                        (1082, dt.date(1970, 5, 6)), (1114, dt.datetime(2030, 1, 2, 3, 4, 5, 6))])
def test_binary_values_round_trip(oid, value):
    assert pg_types.decode_param(pg_types.encode_binary(value, oid), oid, binary=True) == value
