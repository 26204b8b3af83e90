"""CREATE, DROP and ALTER DATABASE on a cluster: a new database is a DuckDB file of its own that clients
connect to by name; pg_database, SHOW DATABASES and the Data API list it; the errors are Redshift's
(Postgres's SQLSTATEs); databases survive a restart and `kill -9`, and snapshots carry them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from redshift_helpers import PASSWORD, client, connect, run_sql

from lakebox.testing import running_lakebox


def _autocommit(redshift, database: str = "analytics", cluster: str = "my-dw-cluster", user: str = "admin",
                password: str = PASSWORD):
    """A connection in autocommit mode: redshift_connector otherwise opens a transaction block, where
    CREATE DATABASE is refused (as on Redshift)."""
    conn = connect(redshift, cluster, user, password, database=database)
    conn.autocommit = True
    return conn


def _run(conn, sql: str) -> list:
    cursor = conn.cursor()
    cursor.execute(sql)
    return [list(r) for r in cursor.fetchall()] if cursor.description else []


def _error(conn, sql: str) -> tuple[str, str]:
    import redshift_connector

    with pytest.raises(redshift_connector.Error) as info:
        _run(conn, sql)
    return info.value.args[0]["C"], info.value.args[0]["M"]


def _login_error(redshift, database: str) -> tuple[str, str]:
    import redshift_connector

    with pytest.raises(redshift_connector.Error) as info:
        connect(redshift, database=database)
    return info.value.args[0]["C"], info.value.args[0]["M"]


def _sql(redshift, database: str, *statements: str, cluster: str = "my-dw-cluster") -> list:
    conn = connect(redshift, cluster, database=database)
    try:
        rows: list = []
        for statement in statements:
            rows = _run(conn, statement)
        conn.commit()
        return rows
    finally:
        conn.close()


def test_a_created_database_is_listed_and_holds_its_own_tables(redshift, cluster, lakebox_server):
    with _autocommit(redshift) as conn:
        _run(conn, "CREATE DATABASE Sales_Mart WITH OWNER admin CONNECTION LIMIT UNLIMITED")
        assert [r[0] for r in _run(conn, "SELECT datname FROM pg_database ORDER BY 1")] == \
            ["analytics", "dev", "sales_mart"]
        assert [r[0] for r in _run(conn, "SHOW DATABASES")] == ["analytics", "dev", "sales_mart"]
    _sql(redshift, "sales_mart", "CREATE TABLE orders (id INT, amount DECIMAL(10,2))",
         "INSERT INTO orders VALUES (1, 9.50), (2, 20.00)")
    assert _sql(redshift, "sales_mart", "SELECT current_database(), count(*) FROM orders GROUP BY 1") == \
        [["sales_mart", 2]]
    assert _sql(redshift, "SALES_MART", "SELECT count(*) FROM orders") == [[2]]  # names fold to lower case
    _sql(redshift, "analytics", "CREATE TABLE orders (x INT)")  # the same name, another database
    assert _sql(redshift, "analytics", "SELECT count(*) FROM orders") == [[0]]

    data = client(lakebox_server, "redshift-data")
    assert data.list_databases(ClusterIdentifier="my-dw-cluster", Database="analytics", DbUser="admin")[
        "Databases"] == ["analytics", "dev", "sales_mart"]
    tables = data.list_tables(ClusterIdentifier="my-dw-cluster", Database="sales_mart", DbUser="admin",
                              SchemaPattern="public")["Tables"]
    assert [t["name"] for t in tables] == ["orders"]


def test_create_database_errors(redshift, cluster):
    with _autocommit(redshift) as conn:
        _run(conn, "CREATE DATABASE mart")
        assert _error(conn, "CREATE DATABASE MART") == ("42P04", 'database "mart" already exists')
        assert _error(conn, "CREATE DATABASE dev") == ("42P04", 'database "dev" already exists')
        assert _error(conn, "CREATE DATABASE mart2 CONNECTION LIMIT lots")[0] == "42601"
        assert _error(conn, "CREATE DATABASE mart2 OWNER nobody") == ("42704", 'user "nobody" does not exist')
        assert _error(conn, "CREATE DATABASE shared FROM DATASHARE s OF NAMESPACE 'n'")[0] == "0A000"
    conn = connect(redshift)  # autocommit off: the driver opens a transaction block first
    try:
        assert _error(conn, "CREATE DATABASE later") == \
            ("25001", "CREATE DATABASE cannot run inside a transaction block")
    finally:
        conn.close()
    run_sql(redshift, "CREATE USER analyst PASSWORD 'Analyst123'")
    with _autocommit(redshift, user="analyst", password="Analyst123") as conn:
        assert _error(conn, "CREATE DATABASE theirs") == ("42501", "permission denied to create database")


@pytest.fixture
def short_wait(monkeypatch):
    """DROP and RENAME wait 5 s for a database's sessions to end, as Postgres does; here less."""
    from lakebox.services.redshift import databases

    monkeypatch.setattr(databases, "BUSY_WAIT", 0.2)


def test_drop_database(redshift, cluster, short_wait):
    with _autocommit(redshift) as conn:
        _run(conn, "CREATE DATABASE scratch")
        _sql(redshift, "scratch", "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (1)")
        assert _error(conn, "DROP DATABASE analytics") == ("55006", "cannot drop the currently open database")
        assert _error(conn, "DROP DATABASE dev")[0] == "0A000"
        assert _error(conn, "DROP DATABASE nowhere") == ("3D000", 'database "nowhere" does not exist')
        other = connect(redshift, database="scratch")
        try:
            assert _error(conn, "DROP DATABASE scratch") == \
                ("55006", 'database "scratch" is being accessed by other users')
            assert _error(conn, "DROP DATABASE scratch FORCE")[0] == "55006"
        finally:
            other.close()
        _run(conn, "DROP DATABASE Scratch")
        assert [r[0] for r in _run(conn, "SHOW DATABASES")] == ["analytics", "dev"]
    assert _login_error(redshift, "scratch") == ("3D000", 'database "scratch" does not exist')
    closing = connect(redshift, database="analytics")
    with _autocommit(redshift, database="dev") as conn:  # a session that has just closed is waited for
        _run(closing, "SELECT 1")
        closing.close()
        _run(conn, "ALTER DATABASE analytics RENAME TO analytics2")
        _run(conn, "ALTER DATABASE analytics2 RENAME TO analytics")
    with _autocommit(redshift) as conn:  # the name is free again, for an empty database
        _run(conn, "CREATE DATABASE scratch")
    assert _sql(redshift, "scratch", "SELECT count(*) FROM information_schema.tables WHERE table_name = 't'") == [[0]]
    conn = connect(redshift)
    try:
        assert _error(conn, "DROP DATABASE scratch") == ("25001", "DROP DATABASE cannot run inside a transaction block")
    finally:
        conn.close()


def test_alter_database(redshift, cluster, short_wait):
    run_sql(redshift, "CREATE USER owner2 PASSWORD 'Owner2pass'")
    with _autocommit(redshift) as conn:
        _run(conn, "CREATE DATABASE draft")
        _sql(redshift, "draft", "CREATE TABLE notes (n VARCHAR(10))", "INSERT INTO notes VALUES ('kept')")
        _run(conn, "ALTER DATABASE draft RENAME TO final")
        assert [r[0] for r in _run(conn, "SHOW DATABASES")] == ["analytics", "dev", "final"]
        _run(conn, "ALTER DATABASE final OWNER TO owner2")
        _run(conn, "ALTER DATABASE final CONNECTION LIMIT 10")
        _run(conn, "ALTER DATABASE final CONNECTION LIMIT UNLIMITED")
        assert _error(conn, "ALTER DATABASE final OWNER TO ghost") == ("42704", 'user "ghost" does not exist')
        assert _error(conn, "ALTER DATABASE analytics RENAME TO other") == \
            ("0A000", "current database may not be renamed")
        assert _error(conn, "ALTER DATABASE final RENAME TO dev") == ("42P04", 'database "dev" already exists')
        assert _error(conn, "ALTER DATABASE dev RENAME TO devel")[0] == "0A000"
        assert _error(conn, "ALTER DATABASE gone RENAME TO here") == ("3D000", 'database "gone" does not exist')
        other = connect(redshift, database="final")
        try:
            assert _error(conn, "ALTER DATABASE final RENAME TO busy")[0] == "55006"
        finally:
            other.close()
    assert _login_error(redshift, "draft")[0] == "3D000"
    assert _sql(redshift, "final", "SELECT n FROM notes") == [["kept"]]


def test_connection_limit_holds_for_users_not_superusers(redshift, cluster):
    run_sql(redshift, "CREATE USER etl PASSWORD 'EtlPass123'")
    with _autocommit(redshift) as conn:
        _run(conn, "CREATE DATABASE narrow CONNECTION LIMIT 1")
    first = connect(redshift, user="etl", password="EtlPass123", database="narrow")
    try:
        import redshift_connector

        with pytest.raises(redshift_connector.Error) as info:
            connect(redshift, user="etl", password="EtlPass123", database="narrow")
        assert info.value.args[0]["C"] == "53300"
        connect(redshift, database="narrow").close()  # the master user is a superuser: no limit
    finally:
        first.close()


def test_quoted_names_fold_their_ascii_letters(redshift, cluster):
    name = 'Q3 "Sales" v1.0/eu'
    with _autocommit(redshift) as conn:
        _run(conn, 'CREATE DATABASE "Q3 ""Sales"" v1.0/eu"')
        assert 'q3 "sales" v1.0/eu' in [r[0] for r in _run(conn, "SHOW DATABASES")]
        _run(conn, 'CREATE DATABASE "təst_Cat好log"')
        assert "təst_cat好log" in [r[0] for r in _run(conn, "SELECT datname FROM pg_database")]
    _sql(redshift, name.lower(), "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (5)")
    assert _sql(redshift, name, "SELECT x FROM t") == [[5]]
    assert _sql(redshift, "təst_cat好log", "SELECT 1") == [[1]]
    with _autocommit(redshift) as conn:
        _run(conn, 'DROP DATABASE "q3 ""sales"" v1.0/eu"')
        _run(conn, 'DROP DATABASE "təst_Cat好log"')
        assert [r[0] for r in _run(conn, "SHOW DATABASES")] == ["analytics", "dev"]


def test_a_name_with_characters_duckdb_reads_in_a_path_is_kept_whole(redshift, cluster):
    name = 'what? "x".y/z'
    with _autocommit(redshift) as conn:
        _run(conn, 'CREATE DATABASE "what? ""x"".y/z"')
        # Listed once, under its own name (a `?` once cut the name and left a stray WAL listed).
        assert [r[0] for r in _run(conn, "SHOW DATABASES")] == ["analytics", "dev", name]
    assert _sql(redshift, name, "SELECT current_database()") == [[name]]
    assert _sql(redshift, name, "SELECT current_database() AS db, 1 AS one") == [[name, 1]]
    (public,) = [r for r in _sql(redshift, name, 'SHOW SCHEMAS FROM DATABASE "what? ""x"".y/z"') if r[1] == "public"]
    assert public[0] == name
    with _autocommit(redshift) as conn:
        _run(conn, 'DROP DATABASE "what? ""x"".y/z"')
        assert [r[0] for r in _run(conn, "SHOW DATABASES")] == ["analytics", "dev"]


def test_a_quoted_name_keeps_its_case_while_identifiers_are_case_sensitive(redshift, cluster):
    with _autocommit(redshift) as conn:
        _run(conn, "SET enable_case_sensitive_identifier TO true")
        _run(conn, 'CREATE DATABASE "Sales_EU"')
        _run(conn, "SET enable_case_sensitive_identifier TO false")
        _run(conn, 'CREATE DATABASE "Sales_US"')
        assert [r[0] for r in _run(conn, "SHOW DATABASES")] == ["Sales_EU", "analytics", "dev", "sales_us"]
    assert _sql(redshift, "Sales_EU", "SELECT current_database()") == [["Sales_EU"]]
    with _autocommit(redshift) as conn:
        _run(conn, 'DROP DATABASE "Sales_EU"')  # folded to sales_eu, which names it in another case
        _run(conn, "DROP DATABASE sales_us")
        assert [r[0] for r in _run(conn, "SHOW DATABASES")] == ["analytics", "dev"]


def _make_cluster(redshift, identifier: str = "dw") -> None:
    redshift.create_cluster(ClusterIdentifier=identifier, NodeType="dc2.large", MasterUsername="admin",
                            MasterUserPassword=PASSWORD, DBName="analytics", ClusterType="single-node")


def test_databases_survive_a_restart(tmp_path):
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        _make_cluster(redshift)
        with _autocommit(redshift, cluster="dw") as conn:
            _run(conn, "CREATE DATABASE kept OWNER admin CONNECTION LIMIT 5")
            _run(conn, "CREATE DATABASE renamed")
            _run(conn, "CREATE DATABASE dropped")
            _run(conn, "ALTER DATABASE renamed RENAME TO moved")
            _run(conn, "DROP DATABASE dropped")
        _sql(redshift, "kept", "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (1), (2)", cluster="dw")
        _sql(redshift, "moved", "CREATE TABLE u (y INT)", "INSERT INTO u VALUES (3)", cluster="dw")
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        assert _sql(redshift, "kept", "SELECT datname FROM pg_database ORDER BY 1", cluster="dw") == \
            [["analytics"], ["dev"], ["kept"], ["moved"]]
        assert _sql(redshift, "kept", "SELECT sum(x) FROM t", cluster="dw") == [[3]]
        assert _sql(redshift, "moved", "SELECT y FROM u", cluster="dw") == [[3]]


def test_analytics_can_be_dropped_and_stays_dropped(tmp_path):
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        _make_cluster(redshift)
        with _autocommit(redshift, cluster="dw", database="dev") as conn:
            _run(conn, "DROP DATABASE analytics")
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        assert _sql(redshift, "dev", "SHOW DATABASES", cluster="dw")[0][0] == "dev"
        assert len(_sql(redshift, "dev", "SHOW DATABASES", cluster="dw")) == 1


def test_snapshot_and_restore_carry_the_created_databases(redshift, cluster):
    with _autocommit(redshift) as conn:
        _run(conn, "CREATE DATABASE archive")
    _sql(redshift, "archive", "CREATE TABLE old (x INT)", "INSERT INTO old VALUES (42)")
    redshift.create_cluster_snapshot(SnapshotIdentifier="with-archive", ClusterIdentifier="my-dw-cluster")
    with _autocommit(redshift) as conn:
        _run(conn, "DROP DATABASE archive")  # after the snapshot: the restore still has it
    redshift.restore_from_cluster_snapshot(ClusterIdentifier="restored", SnapshotIdentifier="with-archive")
    assert _sql(redshift, "archive", "SELECT x FROM old", cluster="restored") == [[42]]
    assert [r[0] for r in _sql(redshift, "analytics", "SHOW DATABASES", cluster="restored")] == \
        ["analytics", "archive", "dev"]


READY = re.compile(r"lakebox ready on (http://\S+)")


@pytest.mark.timeout(120)
def test_created_databases_survive_kill_9(tmp_path):
    data = tmp_path / "data"
    script = Path(sys.executable).with_name("lakebox")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "lakebox"]
    proc = subprocess.Popen([*command, "serve", "--host", "127.0.0.1", "--port", "0", "--data", str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    found: list[str] = []
    ready = threading.Event()

    def watch():
        for line in proc.stdout:
            match = READY.search(line)
            if match and not found:
                found.append(match.group(1))
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        assert ready.wait(60), "lakebox serve did not become ready"

        class Server:
            endpoint_url = found[0]

        redshift = client(Server, "redshift")
        _make_cluster(redshift)
        with _autocommit(redshift, cluster="dw") as conn:
            _run(conn, "CREATE DATABASE durable")
            _run(conn, "CREATE DATABASE first_name")
            _run(conn, "ALTER DATABASE first_name RENAME TO second_name")
        _sql(redshift, "durable", "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (9)", cluster="dw")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with running_lakebox(data, set_env=False) as server:
        redshift = client(server, "redshift")
        assert [r[0] for r in _sql(redshift, "durable", "SHOW DATABASES", cluster="dw")] == \
            ["analytics", "dev", "durable", "second_name"]
        assert _sql(redshift, "durable", "SELECT x FROM t", cluster="dw") == [[9]]
