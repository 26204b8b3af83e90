"""Server configuration: where the data lives, where to listen, how to authenticate, and the defaults
of new S3 buckets."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import DEFAULT_ACCOUNT_ID
from .auth.sessions import SessionCredentialStore
from .clock import ServiceClock

AUTH_MODES = ("open", "strict")

#: S3 ObjectOwnership values a new bucket may get by default. BucketOwnerEnforced (ACLs disabled, Block
#: Public Access on) is AWS's default since April 2023; ObjectWriter restores the older defaults.
S3_OBJECT_OWNERSHIP_MODES = ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter")
S3_OBJECT_OWNERSHIP_ENV = "LAKEBOX_S3_OBJECT_OWNERSHIP"


def _s3_object_ownership_from_env() -> str:
    return os.environ.get(S3_OBJECT_OWNERSHIP_ENV) or S3_OBJECT_OWNERSHIP_MODES[0]


KINESIS_THROUGHPUT_LIMITS_ENV = "LAKEBOX_KINESIS_THROUGHPUT_LIMITS"


SPARK_MASTER_ENV = "LAKEBOX_SPARK_MASTER"


def _spark_master_from_env() -> str:
    return (os.environ.get(SPARK_MASTER_ENV) or "").strip() or "local[*]"


def _kinesis_throughput_limits_from_env() -> bool:
    return (os.environ.get(KINESIS_THROUGHPUT_LIMITS_ENV) or "").strip().lower() in ("1", "on", "true", "yes")


@dataclass
class Credential:
    access_key: str
    secret_key: str
    account_id: str = DEFAULT_ACCOUNT_ID
    #: Another canonical user id the account answers to in S3 ACL grants, for tools whose fixtures
    #: name users by fixed ids (the ceph/s3-tests suite); lakebox's own id for it works too.
    canonical_id: Optional[str] = None


@dataclass(frozen=True)
class IssuedKey:
    """An access key IAM issued to a user: its secret, account and whether it is Active, and the
    user it belongs to (its ARN and UserId), which bucket policies name and read as aws:username.

    The user is looked up only when asked for (`find_user`): the gateway checks every signed
    request's key and needs none of it."""
    access_key: str
    secret_key: str
    account_id: str
    active: bool
    #: The user's IAM document (Arn, UserId ...), read on demand; None: the user is unknown.
    find_user: Callable[[], Optional[dict]] = field(default=lambda: None, compare=False, repr=False)
    #: Records that a request signed with the key reached a service in a region (GetAccessKeyLastUsed).
    note_use: Callable[[str, str], None] = field(default=lambda service, region: None, compare=False, repr=False)


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path = Path(".lakebox-data")
    #: "open" accepts any key (unknown keys map to the default account); "strict" checks signatures.
    auth: str = "open"
    credentials: dict[str, Credential] = field(default_factory=dict)
    log_level: str = "info"
    #: The ObjectOwnership of a bucket created without x-amz-object-ownership (LAKEBOX_S3_OBJECT_OWNERSHIP).
    s3_object_ownership: str = field(default_factory=_s3_object_ownership_from_env)
    #: Kinesis's per-shard throughput limits (off by default; LAKEBOX_KINESIS_THROUGHPUT_LIMITS=on).
    kinesis_throughput_limits: bool = field(default_factory=_kinesis_throughput_limits_from_env)
    #: The Spark master Glue job runs and EMR steps are submitted to (LAKEBOX_SPARK_MASTER): local[*]
    #: by default; a standalone (spark://), YARN or Kubernetes master runs them on that cluster.
    spark_master: str = field(default_factory=_spark_master_from_env)
    #: Seconds a request body may stall before S3's RequestTimeout (AWS waits about 20).
    body_idle_timeout: float = 20.0
    #: The service clock every time-based feature reads; persisted with the data.
    clock: Optional[ServiceClock] = field(default=None, compare=False, repr=False)
    #: Temporary credentials issued by STS (AssumeRole, GetSessionToken ...); persisted with the data.
    sessions: Optional[SessionCredentialStore] = field(default=None, compare=False, repr=False)
    #: The access keys IAM issued (CreateAccessKey): access key id -> IssuedKey, or None. Set when
    #: the IAM provider is built; such a key authenticates as its user's account in every mode.
    issued_keys: Optional[Callable[[str], Optional["IssuedKey"]]] = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()
        if self.clock is None:
            self.clock = ServiceClock(self.data_dir / ".lakebox" / "clock.json")
        if self.sessions is None:
            self.sessions = SessionCredentialStore(self.data_dir / ".lakebox" / "sts-credentials.json")
        if self.auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {AUTH_MODES}, not {self.auth!r}")
        if self.s3_object_ownership not in S3_OBJECT_OWNERSHIP_MODES:
            raise ValueError(f"{S3_OBJECT_OWNERSHIP_ENV} must be one of {S3_OBJECT_OWNERSHIP_MODES}, "
                             f"not {self.s3_object_ownership!r}")

    def account_for(self, access_key: Optional[str]) -> str:
        """The account an access key belongs to; unknown keys belong to the default account.

        Temporary credentials that STS issued act as the account they were issued for (the role's).
        """
        cred = self.credentials.get(access_key or "")
        if cred is not None:
            return cred.account_id
        session = self.sessions.get(access_key) if self.sessions is not None else None
        if session is not None:
            return session.account_id
        issued = self.issued_keys(access_key) if self.issued_keys is not None and access_key else None
        return issued.account_id if issued is not None else DEFAULT_ACCOUNT_ID

    def declared_canonical_ids(self) -> frozenset[str]:
        """Every configured canonical user id, whatever its account (S3 ACL grantees may name them)."""
        return frozenset(c.canonical_id for c in self.credentials.values() if c.canonical_id)

    def canonical_aliases(self, account_id: str) -> frozenset[str]:
        """The configured canonical user ids (Credential.canonical_id) of an account's keys."""
        return frozenset(c.canonical_id for c in self.credentials.values()
                         if c.account_id == account_id and c.canonical_id)


def load_credentials(source: Optional[str] = None) -> dict[str, Credential]:
    """Keys from `LAKEBOX_CREDENTIALS` or a file.

    Accepted forms: a JSON list of {"access_key", "secret_key", "account_id", "canonical_id"}
    objects, or lines of ``ACCESS_KEY:SECRET_KEY[:ACCOUNT_ID[:CANONICAL_ID]]`` separated by commas or
    newlines. `source` may be the text itself or a path to a file holding it.
    """
    text = source if source is not None else os.environ.get("LAKEBOX_CREDENTIALS", "")
    if text and os.path.isfile(text):
        text = Path(text).read_text()
    text = text.strip()
    if not text:
        return {}
    creds: dict[str, Credential] = {}
    if text.startswith("["):
        for item in json.loads(text):
            cred = Credential(item["access_key"], item["secret_key"], str(item.get("account_id", DEFAULT_ACCOUNT_ID)),
                              item.get("canonical_id") or None)
            creds[cred.access_key] = cred
        return creds
    for entry in text.replace(",", "\n").splitlines():
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        parts = entry.split(":")
        if len(parts) < 2:
            raise ValueError(f"credential entry must be ACCESS_KEY:SECRET_KEY[:ACCOUNT_ID], got {entry!r}")
        account = parts[2] if len(parts) > 2 and parts[2] else DEFAULT_ACCOUNT_ID
        creds[parts[0]] = Credential(parts[0], parts[1], account, parts[3] if len(parts) > 3 and parts[3] else None)
    return creds
