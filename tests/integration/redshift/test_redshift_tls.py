"""TLS on a cluster's Postgres endpoint: psql with sslmode=require and verify-full (trusting the local
CA lakebox writes under the data folder), redshift_connector with and without TLS, and the parameter
group's require_ssl turning plain-text clients away with Redshift's FATAL 28000."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from redshift_helpers import PASSWORD, connect

from lakebox.engines.redshift import tls

PSQL = shutil.which("psql") or "/usr/bin/psql"
needs_psql = pytest.mark.skipif(not os.path.exists(PSQL), reason="psql is not installed")
REFUSED = 'no pg_hba.conf entry for host "127.0.0.1", user "admin", database "analytics", SSL off'


def ca_file(server) -> Path:
    return server.data_dir / ".lakebox" / "redshift" / "tls" / "ca.pem"


def psql(redshift, *commands: str, cluster: str = "my-dw-cluster", **options: str) -> subprocess.CompletedProcess:
    """psql on the cluster's endpoint with a libpq connection string (`options` add to or override
    host, port, user and dbname); the PG* variables of the environment are left out."""
    endpoint = redshift.describe_clusters(ClusterIdentifier=cluster)["Clusters"][0]["Endpoint"]
    settings = {"host": endpoint["Address"], "port": str(endpoint["Port"]), "user": "admin", "dbname": "analytics",
                "connect_timeout": "10", **options}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGPASSWORD"] = PASSWORD
    args = [arg for command in commands for arg in ("-c", command)]
    return subprocess.run([PSQL, " ".join(f"{k}={v}" for k, v in settings.items()), "-X", "-At", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def handshake_failures(caplog, wait: float = 10.0) -> list[logging.LogRecord]:
    """The server's "TLS handshake failed" records. psql exits as soon as it has sent its alert, and the
    server notices the failed handshake a moment later, so this waits for the first record."""
    deadline = time.monotonic() + wait
    while True:
        failed = [r for r in caplog.records if "TLS handshake failed" in r.getMessage()]
        if failed or time.monotonic() > deadline:
            return failed
        time.sleep(0.05)


def tls_only_group(redshift, name: str = "tls-only") -> str:
    redshift.create_cluster_parameter_group(ParameterGroupName=name, ParameterGroupFamily="redshift-2.0",
                                            Description="require_ssl")
    redshift.modify_cluster_parameter_group(ParameterGroupName=name, Parameters=[
        {"ParameterName": "require_ssl", "ParameterValue": "true"}])
    return name


# -- TLS is served --------------------------------------------------------------------------------------

@needs_psql
def test_psql_with_sslmode_require_runs_over_tls(redshift, cluster):
    out = psql(redshift, "select 41 + 1", "\\conninfo", sslmode="require")

    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "42"
    assert any(line.startswith("SSL connection (protocol: TLSv1.") for line in lines), out.stdout


@needs_psql
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_psql_verifies_the_endpoint_against_the_local_ca(lakebox_server, redshift, cluster, host):
    ca = ca_file(lakebox_server)
    assert ca.read_text().startswith("-----BEGIN CERTIFICATE-----")

    out = psql(redshift, "select 1", "\\conninfo", host=host, sslmode="verify-full", sslrootcert=str(ca))

    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "1"
    assert "SSL connection" in out.stdout


@needs_psql
def test_a_client_that_fails_the_handshake_is_closed_and_logged_without_a_traceback(
        lakebox_server, redshift, cluster, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="lakebox.redshift.pgwire")
    stranger = tls.ensure_files(tmp_path / "another-ca")   # a CA the endpoint's certificate is not from

    out = psql(redshift, "select 1", sslmode="verify-ca", sslrootcert=str(stranger.ca))

    assert out.returncode != 0
    assert "certificate verify failed" in out.stderr
    failed = handshake_failures(caplog)
    assert failed and all(r.exc_info is None and r.levelno == logging.INFO for r in failed)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert psql(redshift, "select 1", sslmode="require").stdout == "1\n"   # the endpoint goes on


def test_redshift_connector_without_ssl_still_works(redshift, cluster):
    conn = connect(redshift)
    try:
        cursor = conn.cursor()
        cursor.execute("select 6 * 7")
        assert cursor.fetchall()[0][0] == 42
    finally:
        conn.close()


@pytest.mark.filterwarnings("ignore:ssl.*is deprecated:DeprecationWarning")   # redshift_connector's SSLContext()
def test_redshift_connector_with_ssl_when_the_local_ca_is_trusted(lakebox_server, redshift, cluster, monkeypatch):
    """redshift_connector's default sslmode=verify-ca checks Amazon's bundle plus the default trust store,
    which SSL_CERT_FILE names."""
    import redshift_connector

    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file(lakebox_server)))
    endpoint = cluster["Endpoint"]
    conn = redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="analytics",
                                      user="admin", password=PASSWORD)
    try:
        cursor = conn.cursor()
        cursor.execute("select 1")
        assert cursor.fetchall()[0][0] == 1
    finally:
        conn.close()


# -- require_ssl ----------------------------------------------------------------------------------------

@needs_psql
def test_plain_text_is_served_while_require_ssl_is_false(redshift, cluster):
    out = psql(redshift, "select 1", "\\conninfo", sslmode="disable")

    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "1"
    assert "SSL connection" not in out.stdout


@needs_psql
def test_require_ssl_refuses_plain_text_with_28000(redshift):
    import redshift_connector

    group = tls_only_group(redshift)
    redshift.create_cluster(ClusterIdentifier="tls-cluster", NodeType="dc2.large", MasterUsername="admin",
                            MasterUserPassword=PASSWORD, DBName="analytics", ClusterParameterGroupName=group)

    refused = psql(redshift, "select 1", cluster="tls-cluster", sslmode="disable")
    assert refused.returncode != 0
    assert f"FATAL:  {REFUSED}" in refused.stderr
    with pytest.raises(redshift_connector.Error) as error:
        connect(redshift, cluster="tls-cluster")
    assert error.value.args[0]["C"] == "28000"
    assert error.value.args[0]["M"] == REFUSED

    served = psql(redshift, "select 1", "\\conninfo", cluster="tls-cluster", sslmode="require")
    assert served.returncode == 0, served.stderr
    assert "SSL connection" in served.stdout


@needs_psql
def test_require_ssl_applies_to_a_cluster_given_the_group_and_ends_with_it(redshift, cluster):
    group = tls_only_group(redshift)
    redshift.modify_cluster(ClusterIdentifier="my-dw-cluster", ClusterParameterGroupName=group)
    redshift.reboot_cluster(ClusterIdentifier="my-dw-cluster")   # how AWS applies a static parameter

    refused = psql(redshift, "select 1", sslmode="disable")
    assert refused.returncode != 0
    assert REFUSED in refused.stderr
    assert psql(redshift, "select 1", sslmode="prefer").stdout == "1\n"   # psql's default tries TLS first

    redshift.modify_cluster_parameter_group(ParameterGroupName=group, Parameters=[
        {"ParameterName": "require_ssl", "ParameterValue": "false"}])
    redshift.reboot_cluster(ClusterIdentifier="my-dw-cluster")

    assert psql(redshift, "select 1", sslmode="disable").stdout == "1\n"
