"""The TLS certificate of the clusters' Postgres endpoints: a local CA and a server certificate it signs.

Real Redshift accepts TLS on every cluster, and clients set to `sslmode=require` (psql, psycopg, JDBC
with ssl=true) will not talk to a server that refuses it. lakebox has no certificate from a public CA
for `localhost`, so it makes its own, once per data folder, under `<data>/.lakebox/redshift/tls/`:

- `ca.pem`: the CA certificate, the file a client trusts (`sslmode=verify-full sslrootcert=...ca.pem`);
- `ca.key`: its key, kept so that a new server certificate can be issued by the same CA (when the
  server's host changes or the certificate nears its end) and clients that trust `ca.pem` go on
  trusting the endpoint;
- `server.pem`, `server.key`: what the endpoint presents, for localhost, 127.0.0.1, ::1 and the
  clusters' endpoint address.

The files are reused across restarts; one that is missing, unreadable, mismatched, expiring or not
covering a needed name is made again. Each is written atomically (temp file, fsync, rename), keys
first, so a crash leaves either the old set or a set the next start detects and remakes, and the
keys are mode 0600. Keys are ECDSA P-256: quick to make and accepted by libpq, JDBC and Python.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ...storage.atomic import fsync_dir, make_dirs_durable

#: Names every server certificate covers: how a client on this machine reaches the endpoint.
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
CA_DAYS, SERVER_DAYS = 3650, 825          # 825: the longest server certificate Apple's clients accept
#: A certificate this close to its end is made again at start, before clients start refusing it.
RENEW_BEFORE = dt.timedelta(days=30)
#: Bind addresses that mean "every interface": not a name a client connects to.
_WILDCARDS = {"", "0.0.0.0", "::"}


@dataclass(frozen=True)
class TlsFiles:
    """Where the endpoint's certificate files are."""
    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    @property
    def cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def key(self) -> Path:
        return self.folder / "server.key"


def ensure_files(folder: Path, hosts: Iterable[str] = ()) -> TlsFiles:
    """The CA and server certificate under `folder`, made now unless usable ones are already there;
    the server certificate covers LOCAL_NAMES and `hosts` (the endpoint address)."""
    files = TlsFiles(Path(folder))
    make_dirs_durable(str(files.folder))
    names = server_names(hosts)
    ca = _load_ca(files)
    if ca is None:
        ca = _new_ca()
        _write(files.ca_key, _key_pem(ca[1]), 0o600)
        _write(files.ca, ca[0].public_bytes(serialization.Encoding.PEM), 0o644)
    if not _server_usable(files, ca[0], names):
        cert, key = _issue_server(ca, names)
        _write(files.key, _key_pem(key), 0o600)
        _write(files.cert, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return files


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """The server side of the endpoint's TLS: TLS 1.2 or later, presenting the server certificate
    (and the CA after it, so a client that trusts the CA has the whole chain)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.cert, files.key)
    return context


def server_names(hosts: Iterable[str]) -> list[str]:
    """LOCAL_NAMES and the given hosts; a wildcard bind address stands for this machine's hostname."""
    names = list(LOCAL_NAMES)
    for host in hosts:
        name = socket.gethostname() if host in _WILDCARDS else host
        if name and name not in names:
            names.append(name)
    return names


# -- the CA ------------------------------------------------------------------------------------------

def _new_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "lakebox"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "lakebox local Redshift CA")])
    cert = (_builder(name, name, key.public_key(), CA_DAYS)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def _load_ca(files: TlsFiles) -> Optional[tuple[x509.Certificate, ec.EllipticCurvePrivateKey]]:
    """The stored CA, or None when it must be made again (missing, broken, mismatched, expiring)."""
    loaded = _load_pair(files.ca, files.ca_key)
    if loaded is None or _expiring(loaded[0]):
        return None
    return loaded


# -- the server certificate ------------------------------------------------------------------------

def _issue_server(ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
                  names: list[str]) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "lakebox"),
                         x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = (_builder(subject, ca_cert.subject, key.public_key(), SERVER_DAYS)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert, key


def _server_usable(files: TlsFiles, ca_cert: x509.Certificate, names: list[str]) -> bool:
    """Whether the stored server certificate can be served as it is: its key matches, this CA issued
    it, it is not near its end and it covers every name."""
    loaded = _load_pair(files.cert, files.key)
    if loaded is None or _expiring(loaded[0]):
        return False
    cert = loaded[0]
    try:
        cert.verify_directly_issued_by(ca_cert)
        covered = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    return all(_general_name(name) in covered for name in names)


# -- shared pieces -----------------------------------------------------------------------------------

def _builder(subject: x509.Name, issuer: x509.Name, public_key, days: int) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))   # a client clock a little behind still accepts it
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def _key_usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
                         crl_sign=cert_sign, encipher_only=False, decipher_only=False)


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _load_pair(cert_path: Path, key_path: Path) -> Optional[tuple[x509.Certificate, ec.EllipticCurvePrivateKey]]:
    """A certificate and its key from their files, or None if either is missing, unreadable or they do
    not belong together (a crash between writing the two)."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        return None
    return cert, key


def _expiring(cert: x509.Certificate) -> bool:
    return cert.not_valid_after_utc - dt.datetime.now(dt.timezone.utc) < RENEW_BEFORE


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes, mode: int) -> None:
    """Replace `path` atomically and durably; the temp file has `mode` before it holds a byte, so a
    key is never readable by others, not even for a moment."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), mode)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(str(path.parent))
