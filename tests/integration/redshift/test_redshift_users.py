"""Database users: CREATE USER makes a login that psql and redshift_connector can use, ALTER USER
changes it, DROP USER ends it; users are the cluster's, survive a restart and come back with a
snapshot."""

from __future__ import annotations

import hashlib

import pytest
from redshift_helpers import PASSWORD, client, connect, run_sql

from lakebox.testing import running_lakebox


def _sql(redshift, sql: str, user: str = "admin", password: str = PASSWORD, cluster: str = "my-dw-cluster"):
    return run_sql(redshift, sql, cluster=cluster, user=user, password=password)


def _login_fails(redshift, user: str, password: str) -> str:
    import redshift_connector

    with pytest.raises(redshift_connector.Error) as info:
        connect(redshift, user=user, password=password)
    return str(info.value)


def test_a_created_user_logs_in_and_works_on_the_tables(redshift, cluster):
    _sql(redshift, "CREATE TABLE sales (id INT)")
    _sql(redshift, "CREATE USER etl_user PASSWORD 'EtlPass123' CREATEDB")
    _sql(redshift, "GRANT ALL ON ALL TABLES IN SCHEMA public TO etl_user")
    _sql(redshift, "INSERT INTO sales VALUES (1), (2)", user="etl_user", password="EtlPass123")
    assert _sql(redshift, "SELECT current_user, count(*) FROM sales GROUP BY 1", user="etl_user",
                password="EtlPass123") == [["etl_user", 2]]
    assert "password authentication failed" in _login_fails(redshift, "etl_user", "WrongPass123")


def test_alter_and_drop_user(redshift, cluster):
    _sql(redshift, "CREATE USER analyst PASSWORD 'FirstPass1'")
    _sql(redshift, "ALTER USER analyst PASSWORD 'SecondPass2'")
    _login_fails(redshift, "analyst", "FirstPass1")
    assert _sql(redshift, "SELECT 1", user="analyst", password="SecondPass2") == [[1]]
    _sql(redshift, "ALTER USER analyst RENAME TO reporter")
    assert _sql(redshift, "SELECT current_user", user="reporter", password="SecondPass2") == [["reporter"]]
    _login_fails(redshift, "analyst", "SecondPass2")
    _sql(redshift, "ALTER USER reporter VALID UNTIL '2001-01-01'")
    _login_fails(redshift, "reporter", "SecondPass2")  # expired
    _sql(redshift, "ALTER USER reporter VALID UNTIL 'infinity'")
    assert _sql(redshift, "SELECT 1", user="reporter", password="SecondPass2") == [[1]]
    _sql(redshift, "DROP USER reporter")
    _login_fails(redshift, "reporter", "SecondPass2")


def test_md5_password_and_disabled_password(redshift, cluster):
    digest = "md5" + hashlib.md5(b"HashedPass1" + b"hashed").hexdigest()
    _sql(redshift, f"CREATE USER hashed PASSWORD '{digest}'")
    assert _sql(redshift, "SELECT 1", user="hashed", password="HashedPass1") == [[1]]
    _sql(redshift, "ALTER USER hashed PASSWORD DISABLE")
    _login_fails(redshift, "hashed", "HashedPass1")


def test_sha256_form_takes_the_clear_text_without_its_rules(redshift, cluster):
    # As redshift_connector's own suite creates such a user: non-ASCII, not the clear-text rules.
    _sql(redshift, "CREATE USER sha_user PASSWORD 'sha256|My_sha256_PaSsWoRdŽ'")
    assert _sql(redshift, "SELECT current_user", user="sha_user", password="My_sha256_PaSsWoRdŽ") == [["sha_user"]]
    _login_fails(redshift, "sha_user", "sha256|My_sha256_PaSsWoRdŽ")


@pytest.mark.parametrize("sql, sqlstate, message", [
    ("CREATE USER weak PASSWORD 'short'", "22023", "Password must"),
    ("CREATE USER nodigit PASSWORD 'NoDigitsHere'", "22023", "contain a number"),
    ("CREATE USER admin PASSWORD 'Another123'", "42710", 'user "admin" already exists'),
    ("ALTER USER ghost PASSWORD 'Another123'", "42704", 'user "ghost" does not exist'),
    ("DROP USER ghost", "42704", 'user "ghost" does not exist'),
    ("CREATE USER nopass", "42601", "password is required"),
])
def test_bad_user_statements(redshift, cluster, sql, sqlstate, message):
    import redshift_connector

    with pytest.raises(redshift_connector.ProgrammingError) as info:
        _sql(redshift, sql)
    error = info.value.args[0]
    assert error["C"] == sqlstate and message in error["M"]
    _sql(redshift, "DROP USER IF EXISTS ghost")  # IF EXISTS: no error


def test_users_survive_a_restart_and_come_back_with_a_snapshot(tmp_path):
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        redshift.create_cluster(ClusterIdentifier="my-dw-cluster", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword=PASSWORD, DBName="analytics", ClusterType="single-node")
        _sql(redshift, "CREATE USER keeper PASSWORD 'KeeperPass1'")
        redshift.create_cluster_snapshot(SnapshotIdentifier="with-users", ClusterIdentifier="my-dw-cluster")
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        assert _sql(redshift, "SELECT current_user", user="keeper", password="KeeperPass1") == [["keeper"]]
        redshift.restore_from_cluster_snapshot(ClusterIdentifier="copy", SnapshotIdentifier="with-users")
        assert _sql(redshift, "SELECT current_user", user="keeper", password="KeeperPass1",
                    cluster="copy") == [["keeper"]]
