"""The Redshift endpoint's certificate files (engines/redshift/tls.py): made once, reused, private keys,
a server certificate its CA verifies, and remade only when they no longer fit."""

from __future__ import annotations

import shutil
import ssl
import stat
import subprocess

import pytest
from cryptography import x509

from lakebox.engines.redshift import tls


def _mtimes(files: tls.TlsFiles) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in files.folder.iterdir()}


def _san(path) -> x509.SubjectAlternativeName:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value


def test_files_are_made_with_private_keys_and_reused(tmp_path):
    files = tls.ensure_files(tmp_path / "tls", ["127.0.0.1"])

    assert sorted(p.name for p in files.folder.iterdir()) == ["ca.key", "ca.pem", "server.key", "server.pem"]
    assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
    assert stat.S_IMODE(files.ca_key.stat().st_mode) == 0o600
    before = _mtimes(files)

    again = tls.ensure_files(tmp_path / "tls", ["127.0.0.1"])

    assert again == files
    assert _mtimes(again) == before


def test_the_server_certificate_verifies_against_the_ca_for_local_names(tmp_path):
    files = tls.ensure_files(tmp_path / "tls", ["db.example.test"])
    ca = x509.load_pem_x509_certificate(files.ca.read_bytes())
    cert = x509.load_pem_x509_certificate(files.cert.read_bytes())

    cert.verify_directly_issued_by(ca)   # raises if the CA did not sign it
    san = _san(files.cert)
    assert san.get_values_for_type(x509.DNSName) == ["localhost", "db.example.test"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "::1"]
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_verifies_the_chain(tmp_path):
    files = tls.ensure_files(tmp_path / "tls")

    out = subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile", str(files.ca), str(files.cert)],
                         capture_output=True, text=True)

    assert out.returncode == 0, out.stdout + out.stderr


def test_server_context_is_tls_1_2_or_later(tmp_path):
    context = tls.server_context(tls.ensure_files(tmp_path / "tls"))

    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_a_new_host_gets_a_new_server_certificate_from_the_same_ca(tmp_path):
    files = tls.ensure_files(tmp_path / "tls", ["127.0.0.1"])
    before = _mtimes(files)

    tls.ensure_files(tmp_path / "tls", ["10.1.2.3"])

    after = _mtimes(files)
    assert (after["ca.pem"], after["ca.key"]) == (before["ca.pem"], before["ca.key"])
    assert after["server.pem"] != before["server.pem"]
    assert "10.1.2.3" in [str(ip) for ip in _san(files.cert).get_values_for_type(x509.IPAddress)]


def test_a_broken_or_mismatched_set_is_made_again(tmp_path):
    files = tls.ensure_files(tmp_path / "tls")
    files.key.write_bytes(tls.ensure_files(tmp_path / "other").key.read_bytes())   # a crash between two writes
    files.ca.write_text("not a certificate")

    tls.ensure_files(tmp_path / "tls")

    ca = x509.load_pem_x509_certificate(files.ca.read_bytes())
    x509.load_pem_x509_certificate(files.cert.read_bytes()).verify_directly_issued_by(ca)
    tls.server_context(files)   # the key matches the certificate again
