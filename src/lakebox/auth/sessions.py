"""Temporary credentials that STS issued: who they act as, their secret and token, when they expire.

STS writes a `SessionCredential` here when it answers AssumeRole, AssumeRoleWithWebIdentity,
AssumeRoleWithSAML, GetSessionToken or GetFederationToken; the gateway reads it back to map the
access key to its account and, in strict mode, to check the signature, the session token and the
expiry. The store is one JSON file under the data folder, rewritten whole on every issue (temp file,
fsync, rename), so a pipeline holding credentials keeps working after a restart and a crash never
leaves half a file.

Expiry is measured on the service clock, the clock that issued the Expiration the client was given:
advancing it (`lakebox clock advance 2h`) is how a test watches credentials expire. Signature times
still use the wall clock (see clock.py).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional

from . import errors
from .info import AuthInfo

log = logging.getLogger("lakebox.auth.sessions")

#: Expired credentials are kept this long, so that a late caller hears ExpiredToken, not "unknown key".
KEEP_EXPIRED = timedelta(days=1)

#: What `SessionCredential.kind` says about how the credentials were issued.
ASSUMED_ROLE = "assumed-role"
SESSION_TOKEN = "session-token"
FEDERATED_USER = "federated-user"


@dataclass
class SessionCredential:
    access_key: str
    secret_key: str
    session_token: str
    #: The account the credentials act as (the role's account, or the GetSessionToken caller's).
    account_id: str
    expiration: datetime
    #: What GetCallerIdentity answers for them.
    arn: str
    user_id: str
    kind: str = ASSUMED_ROLE
    #: Session tags marked transitive: a session assumed with these credentials inherits them.
    transitive_tags: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = asdict(self)
        out["expiration"] = self.expiration.isoformat()
        return out

    @classmethod
    def from_json(cls, item: dict) -> "SessionCredential":
        return cls(**{**item, "expiration": datetime.fromisoformat(item["expiration"])})


class SessionCredentialStore:
    """Issued temporary credentials by access key, persisted in one JSON file (None: memory only)."""

    def __init__(self, path: Optional[Path] = None):
        self._path = Path(path) if path else None
        self._lock = threading.Lock()
        self._by_key: dict[str, SessionCredential] = {}
        if self._path is not None and self._path.exists():
            # An unreadable file is a broken data folder: say so rather than forget every session.
            for item in json.loads(self._path.read_text()).get("credentials", []):
                credential = SessionCredential.from_json(item)
                self._by_key[credential.access_key] = credential

    def get(self, access_key: Optional[str]) -> Optional[SessionCredential]:
        return self._by_key.get(access_key or "")

    def add(self, credential: SessionCredential, now: datetime) -> None:
        """Record `credential` (write-through); drop those expired for longer than KEEP_EXPIRED at `now`."""
        with self._lock:
            stale = [key for key, c in self._by_key.items() if c.expiration + KEEP_EXPIRED < now]
            kept = {key: c for key, c in self._by_key.items() if key not in stale}
            kept[credential.access_key] = credential
            self._save(kept)
            # Readers never take the lock: they see the old dict or the new one, never a mixture.
            self._by_key = kept

    def __len__(self) -> int:
        return len(self._by_key)

    def _save(self, credentials: dict[str, SessionCredential]) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"credentials": [c.to_json() for c in credentials.values()]}).encode("utf-8")
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".sessions-")
        try:
            try:
                os.write(fd, payload)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(tmp, 0o600)  # the file holds secrets
            os.replace(tmp, self._path)
        except BaseException:
            os.unlink(tmp)
            raise
        _fsync_directory(self._path.parent)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_session_token(info: AuthInfo, credential: SessionCredential, now: datetime) -> None:
    """Raise S3's InvalidToken unless the request carries the credential's session token, and
    ExpiredToken once the credential has expired on `now`, the SERVICE clock.

    The gateway translates both for the json and query services, as for the other auth errors.
    """
    token = info.security_token
    if token != credential.session_token:
        raise errors.invalid_token(token)
    if now >= credential.expiration:
        raise errors.expired_token(token)

