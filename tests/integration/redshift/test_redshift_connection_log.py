"""STL_CONNECTION_LOG: every authentication attempt, session start and end the cluster sees, with what
the client's startup packet said of it (redshift_connector's driver_version, os_version and
application_name), its address and its TLS; kept across a restart; the same events reach the audit
log's connectionlog."""

from __future__ import annotations

import gzip

import pytest
from redshift_helpers import PASSWORD, client, connect

from lakebox.testing import running_lakebox


def _rows(conn, sql: str) -> list:
    cursor = conn.cursor()
    cursor.execute(sql)
    return [list(r) for r in cursor.fetchall()]


def _connect(redshift, cluster: str = "my-dw-cluster", **options):
    import redshift_connector

    endpoint = redshift.describe_clusters(ClusterIdentifier=cluster)["Clusters"][0]["Endpoint"]
    settings = {"database": "analytics", "user": "admin", "password": PASSWORD, "ssl": False, **options}
    return redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], **settings)


def test_the_drivers_values_are_logged(redshift, cluster):
    from redshift_connector.utils.driver_info import DriverInfo

    with _connect(redshift, application_name="nightly-etl") as conn:
        rows = _rows(conn, "select top 1 1 from stl_connection_log where driver_version = '{}' and "
                           "application_name = 'nightly-etl'".format(DriverInfo.driver_full_name()))
        assert rows == [[1]]
        assert _rows(conn, f"select count(*) from stl_connection_log where os_version = '{conn.client_os_version}'") \
            [0][0] >= 2
        event, dbname, username, authmethod, remotehost, remoteport, pid, protocol, session = _rows(
            conn, "select event, dbname, username, authmethod, remotehost, remoteport, pid, protocol_version, "
                  "sessionid from stl_connection_log where application_name = 'nightly-etl' order by recordtime "
                  "limit 1")[0]
        assert (event, dbname, username, authmethod) == ("authenticated", "analytics", "admin", "password")
        assert remotehost == "127.0.0.1" and int(remoteport) > 0 and pid == _rows(conn, "select pg_backend_pid()")[0][0]
        assert protocol == 2 and len(session) == 36  # the driver asks for the binary protocol by default
        columns = [d[0] for d in conn.cursor().execute("select * from stl_connection_log limit 0").description]
    assert columns == ["event", "recordtime", "remotehost", "remoteport", "pid", "dbname", "username", "authmethod",
                       "duration", "sslversion", "sslcipher", "mtu", "sslcompression", "sslexpansion", "iamauthguid",
                       "application_name", "os_version", "driver_version", "plugin_name", "protocol_version",
                       "sessionid", "compression"]


def test_sessions_end_with_their_duration_and_failures_are_logged(redshift, cluster):
    import redshift_connector

    _connect(redshift, application_name="short-lived").close()
    with pytest.raises(redshift_connector.Error):
        _connect(redshift, password="WrongPass1", application_name="intruder")
    with _connect(redshift, database="dev") as conn:
        events = _rows(conn, "select event, duration from stl_connection_log where application_name = 'short-lived' "
                             "order by recordtime")
        assert [e for e, _ in events] == ["authenticated", "initiating session", "disconnecting session"]
        assert events[2][1] > 0
        assert _rows(conn, "select event, dbname from stl_connection_log where application_name = 'intruder'") == \
            [["authentication failure", "analytics"]]


def test_pg_terminate_backend_ends_a_session_and_rolls_back_its_work(redshift, cluster):
    import redshift_connector

    with _connect(redshift) as admin:
        admin.autocommit = True
        admin.cursor().execute("create table t_term (x int)")
        admin.cursor().execute("create user etl password 'EtlPass123'")
        victim = _connect(redshift)
        (pid,) = _rows(victim, "select pg_backend_pid()")[0]
        victim.cursor().execute("insert into t_term values (1)")  # not committed
        with _connect(redshift, user="etl", password="EtlPass123") as etl:
            with pytest.raises(redshift_connector.ProgrammingError) as refused:
                _rows(etl, f"select pg_terminate_backend({pid})")
            assert refused.value.args[0]["C"] == "42501"  # another user's session, and etl is no superuser
        assert _rows(admin, f"select pg_terminate_backend({pid})") == [[1]]
        with pytest.raises(redshift_connector.InterfaceError, match="BrokenPipe: server socket closed"):
            victim.cursor().execute("select 1")
        assert _rows(admin, "select pg_terminate_backend(424242)") == [[0]]  # no such session
        assert _rows(admin, "select count(*) from t_term") == [[0]]
        assert _rows(admin, "select 1") == [[1]]


@pytest.mark.filterwarnings("ignore:ssl.*is deprecated:DeprecationWarning")   # redshift_connector's SSLContext()
def test_tls_sessions_record_their_version_and_cipher(redshift, cluster, lakebox_server, monkeypatch):
    # redshift_connector checks the certificate against the default trust store, which SSL_CERT_FILE names.
    monkeypatch.setenv("SSL_CERT_FILE", str(lakebox_server.data_dir / ".lakebox" / "redshift" / "tls" / "ca.pem"))
    with _connect(redshift, ssl=True, application_name="over-tls") as conn:
        version, cipher = _rows(conn, "select sslversion, sslcipher from stl_connection_log "
                                      "where application_name = 'over-tls' limit 1")[0]
    assert version.startswith("TLSv1") and cipher


def test_the_audit_connectionlog_gets_the_same_fields(redshift, cluster, lakebox_server):
    s3 = client(lakebox_server, "s3")
    s3.create_bucket(Bucket="audit")
    redshift.enable_logging(ClusterIdentifier="my-dw-cluster", BucketName="audit", LogExports=["connectionlog"])
    _connect(redshift, application_name="audited").close()
    redshift.disable_logging(ClusterIdentifier="my-dw-cluster")
    (key,) = [o["Key"] for o in s3.list_objects_v2(Bucket="audit")["Contents"]]
    lines = gzip.decompress(s3.get_object(Bucket="audit", Key=key)["Body"].read()).decode().splitlines()
    fields = lines[0].split("|")
    assert len(fields) == 22 and fields[0] == "authenticated" and fields[15] == "audited"
    assert fields[2] == "127.0.0.1" and fields[17].startswith("Redshift Python Driver")


def test_the_log_survives_a_restart(tmp_path):
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        redshift.create_cluster(ClusterIdentifier="dw", NodeType="dc2.large", MasterUsername="admin",
                                MasterUserPassword=PASSWORD, DBName="analytics", ClusterType="single-node")
        _connect(redshift, cluster="dw", application_name="before-restart").close()
    with running_lakebox(tmp_path) as server:
        redshift = client(server, "redshift")
        conn = connect(redshift, cluster="dw")
        try:
            assert _rows(conn, "select event from stl_connection_log where application_name = 'before-restart' "
                               "order by recordtime") == \
                [["authenticated"], ["initiating session"], ["disconnecting session"]]
        finally:
            conn.close()
