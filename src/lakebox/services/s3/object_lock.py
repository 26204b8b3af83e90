"""S3 Object Lock: a bucket's lock configuration, each version's retention and legal hold, and the
rules that keep a locked version from being deleted.

Why one module: Object Lock is a promise (write once, read many) that every path which could remove
a version must keep, and its answers must agree everywhere: the bucket settings, the per-version
documents, the headers writes take and reads return, and DeleteObject / DeleteObjects. The pure
helpers at the top are for the rest of lakebox too: `is_locked` is what lifecycle expiration asks
before it removes a noncurrent version.

What is stored where:
- the bucket's document `object_lock` (versioning.OBJECT_LOCK_CONFIG) in the lake's configuration
  store: {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": ..., "Days"|"Years": n}}};
- each version's `ObjectMeta.extra`: "retention" = {"Mode": "GOVERNANCE"|"COMPLIANCE",
  "RetainUntilDate": ISO 8601 text} and "legal_hold" = "ON"|"OFF", kept with the version by storage.

The rules, as AWS documents them:
- Object Lock needs versioning Enabled, and a bucket with it can never suspend versioning
  (versioning.py refuses). It is set when the bucket is created (x-amz-bucket-object-lock-enabled),
  or later by PutObjectLockConfiguration on a bucket whose versioning is Enabled.
- Only a permanent delete (one naming a version) is refused, 403 AccessDenied: while a legal hold is
  ON, or until the retain-until date (service clock). `x-amz-bypass-governance-retention: true` lifts
  a GOVERNANCE retention, never a COMPLIANCE one and never a legal hold. A delete without a version
  id only adds a delete marker, which is always allowed. The check runs under the key's lock in
  storage (the `precondition` of `delete_object`), so a concurrent lock change cannot slip between.
- A retention can always be extended in its own mode; shortening, removing or changing the mode of
  one still in force needs the bypass in GOVERNANCE and is refused in COMPLIANCE.
- A new version takes the mode, date and legal hold its request names, else the bucket's default
  retention counted from its creation. A copy never inherits the lock of its source.

- x-amz-bypass-governance-retention on DeleteObject / DeleteObjects in a bucket without Object Lock
  is 400 InvalidArgument, whatever its value, as on S3. (Test suites whose bucket clean-up sends it
  with every DeleteObjects retry without it on exactly that error, as they must against S3.)
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...protocol.context import RequestContext
from ...storage.api import ENABLED, NULL_VERSION, BucketInfo, ObjectInfo
from . import checksums
from .common import S3Base, log
from .errors import invalid_argument, invalid_request, s3_error, translated
from .versioning import OBJECT_LOCK_CONFIG

GOVERNANCE = "GOVERNANCE"
COMPLIANCE = "COMPLIANCE"
MODES = (GOVERNANCE, COMPLIANCE)
LEGAL_HOLD_STATUSES = ("ON", "OFF")
#: The one value of ObjectLockEnabled (Object Lock cannot be disabled once on).
LOCK_ENABLED = "Enabled"

#: Keys of `ObjectMeta.extra` this module owns.
RETENTION = "retention"
LEGAL_HOLD = "legal_hold"

#: AWS's largest default retention: 100 years, counted as 365 days each (as AWS counts them).
MAX_DAYS = 36500
MAX_YEARS = 100
DAYS_PER_YEAR = 365

_LOCKED = "Access Denied because object protected by object lock."
_MISSING = "Bucket is missing Object Lock Configuration"
_PAST = "The retain until date must be in the future!"
#: PutObjectRetention echoes a past date the way S3's servers print a date: Java's Date.toString
#: in US Pacific time ("Tue Dec 31 16:00:00 PST 2019").
_ECHO_ZONE = "America/Los_Angeles"
_BYPASS_WITHOUT_LOCK = "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets."
_INTEGRITY = ("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock "
              "parameters")

#: Request members of PutObject, CopyObject and CreateMultipartUpload that set a new version's lock.
_WRITE_MEMBERS = ("ObjectLockMode", "ObjectLockRetainUntilDate", "ObjectLockLegalHoldStatus")


# -- pure helpers: what a version's lock is, and whether it holds -----------------------------------


def format_date(value: datetime) -> str:
    """The stored (and answered) form of a retain-until date: UTC, to the millisecond, as S3 keeps it."""
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _to_millis(value: datetime) -> datetime:
    value = value.astimezone(timezone.utc)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def retention_of(info: ObjectInfo) -> Optional[tuple[str, datetime]]:
    """(mode, retain-until date) of a version, or None when it has no retention."""
    record = (info.meta.extra or {}).get(RETENTION)
    if not record:
        return None
    return record["Mode"], datetime.fromisoformat(record["RetainUntilDate"].replace("Z", "+00:00"))


def legal_hold_of(info: ObjectInfo) -> Optional[str]:
    """"ON" or "OFF", or None when no legal hold was ever placed on the version."""
    return (info.meta.extra or {}).get(LEGAL_HOLD)


def is_locked(info: ObjectInfo, now: datetime, bypass_governance: bool = False) -> bool:
    """Whether Object Lock forbids removing this version for good at `now` (the service clock).

    A version is locked while its legal hold is ON, or until its retain-until date; a GOVERNANCE
    retention is lifted by `bypass_governance` (the caller's x-amz-bypass-governance-retention), a
    COMPLIANCE one never. Lifecycle expiration calls it with `bypass_governance=False` and skips a
    locked noncurrent version, as S3 does. Delete markers carry no lock.
    """
    if legal_hold_of(info) == "ON":
        return True
    retention = retention_of(info)
    if retention is None:
        return False
    mode, until = retention
    if until <= now:
        return False
    return not (mode == GOVERNANCE and bypass_governance)


def lock_fields(info: ObjectInfo) -> dict[str, Any]:
    """The Object Lock members GetObject and HeadObject answer for a version (none if it has none)."""
    out: dict[str, Any] = {}
    retention = retention_of(info)
    if retention is not None:
        out["ObjectLockMode"], out["ObjectLockRetainUntilDate"] = retention
    hold = legal_hold_of(info)
    if hold is not None:
        out["ObjectLockLegalHoldStatus"] = hold
    return out


def is_enabled(document: Optional[dict]) -> bool:
    return bool(document) and document.get("ObjectLockEnabled") == LOCK_ENABLED


def initial_config(params: dict) -> dict[str, dict]:
    """The configuration CreateBucket commits with a bucket made with x-amz-bucket-object-lock-enabled."""
    if params.get("ObjectLockEnabledForBucket"):
        return {OBJECT_LOCK_CONFIG: {"ObjectLockEnabled": LOCK_ENABLED}}
    return {}


def check_configuration(document: Any) -> dict:
    """A PutObjectLockConfiguration document as S3 checks it; the document to store."""
    if not isinstance(document, dict) or document.get("ObjectLockEnabled") != LOCK_ENABLED:
        raise s3_error("MalformedXML")
    stored: dict[str, Any] = {"ObjectLockEnabled": LOCK_ENABLED}
    if "Rule" not in document:
        return stored
    default = (document.get("Rule") or {}).get("DefaultRetention") or {}
    mode = default.get("Mode")
    days, years = default.get("Days"), default.get("Years")
    if mode not in MODES or (days is None) == (years is None):
        raise s3_error("MalformedXML")
    name, value, limit = ("Days", days, MAX_DAYS) if days is not None else ("Years", years, MAX_YEARS)
    if value <= 0:
        # As S3 answers it; ceph s3-tests expects a code of its own, InvalidRetentionPeriod.
        raise invalid_argument("Default retention period must be a positive integer value", name, value)
    if value > limit:
        raise invalid_argument("Default retention period too large.", name, value)
    stored["Rule"] = {"DefaultRetention": {"Mode": mode, name: value}}
    return stored


def default_retention(document: Optional[dict], now: datetime) -> Optional[dict]:
    """The retention record a new version gets from the bucket's default rule, counted from `now`."""
    default = ((document or {}).get("Rule") or {}).get("DefaultRetention")
    if not default:
        return None
    days = default.get("Days") or DAYS_PER_YEAR * default.get("Years", 0)
    return {"Mode": default["Mode"], "RetainUntilDate": format_date(now + timedelta(days=days))}


def requested_lock(params: dict, now: datetime) -> dict:
    """The lock a write request names in its x-amz-object-lock-* headers, checked as S3 checks them
    (before it looks at the bucket): `extra` entries, empty when the request names none."""
    mode = params.get("ObjectLockMode")
    until = params.get("ObjectLockRetainUntilDate")
    hold = params.get("ObjectLockLegalHoldStatus")
    out: dict[str, Any] = {}
    if mode is not None or until is not None:
        if until is None:
            raise invalid_argument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both "
                                   "be supplied", "x-amz-object-lock-retain-until-date")
        if mode is None:
            raise invalid_argument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both "
                                   "be supplied", "x-amz-object-lock-mode")
        if mode not in MODES:
            raise invalid_argument("Unknown wormMode directive.", "x-amz-object-lock-mode", mode)
        if until <= now:
            raise invalid_argument(_PAST, "x-amz-object-lock-retain-until-date", format_date(until))
        out[RETENTION] = {"Mode": mode, "RetainUntilDate": format_date(_to_millis(until))}
    if hold is not None:
        if hold not in LEGAL_HOLD_STATUSES:
            raise invalid_argument("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", hold)
        out[LEGAL_HOLD] = hold
    return out


def has_integrity_header(ctx: RequestContext) -> bool:
    """Whether a write sent Content-MD5 or an x-amz-checksum-* value (as a header or a trailer).

    A SigV4 payload hash does not count, nor does x-amz-sdk-checksum-algorithm alone.
    """
    headers = ctx.request.headers
    if headers.get("Content-MD5"):
        return True
    if any(headers.get(checksums.header_name(a)) for a in checksums.ALGORITHMS):
        return True
    return (headers.get("x-amz-trailer") or "").strip().lower().startswith("x-amz-checksum-")


def check_retention_change(current: ObjectInfo, new: Optional[dict], now: datetime, bypass: bool) -> None:
    """Refuse (403) a PutObjectRetention that would weaken a retention still in force.

    Extending in the same mode is always allowed. Anything else (an earlier date, another mode,
    removing it) needs the bypass in GOVERNANCE and is never allowed in COMPLIANCE.
    """
    retention = retention_of(current)
    if retention is None:
        return
    mode, until = retention
    if until <= now:
        return
    if new is not None and new["Mode"] == mode and _parse(new["RetainUntilDate"]) >= until:
        return
    if mode == GOVERNANCE and bypass:
        return
    raise s3_error("AccessDenied", _LOCKED)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- the operations, and what writes and deletes ask of this module ----------------------------------


class ObjectLockMixin(S3Base):
    def lock_configuration(self, bucket: BucketInfo) -> Optional[dict]:
        """The bucket's Object Lock configuration, or None when Object Lock is not enabled on it.

        Object Lock needs versioning, so a bucket that was never versioned costs no look-up.
        """
        if not bucket.versioning:
            return None
        with translated(bucket=bucket.name):
            document = self.store.get_bucket_config(bucket.name, OBJECT_LOCK_CONFIG)
        return document if is_enabled(document) else None

    def _require_lock(self, bucket: BucketInfo) -> dict:
        document = self.lock_configuration(bucket)
        if document is None:
            raise invalid_request(_MISSING)
        return document

    # Writes (PutObject, CopyObject, CreateMultipartUpload) and deletes

    def object_lock_for_write(self, ctx: RequestContext, bucket: BucketInfo, params: dict,
                              put: bool = False) -> dict:
        """The `ObjectMeta.extra` entries a new version gets: the lock its request names, else the
        bucket's default retention. Refuses lock headers on a bucket without Object Lock, and (`put`:
        PutObject) a locked write that sent neither Content-MD5 nor a checksum."""
        now = self.config.clock.now()
        lock = requested_lock(params, now)
        document = self.lock_configuration(bucket)
        if document is None:
            if lock:
                raise invalid_request(_MISSING)
            return lock
        if RETENTION not in lock:
            default = default_retention(document, now)
            if default is not None:
                lock[RETENTION] = default
        if put and lock and not has_integrity_header(ctx):
            raise invalid_request(_INTEGRITY)
        return lock

    def check_bypass_applicable(self, bucket: BucketInfo, params: dict) -> None:
        """Refuse x-amz-bypass-governance-retention (true or false) on a delete in a bucket without
        Object Lock, as S3 does."""
        if params.get("BypassGovernanceRetention") is None:
            return
        if self.lock_configuration(bucket) is None:
            raise invalid_argument(_BYPASS_WITHOUT_LOCK, "x-amz-bypass-governance-retention")

    def deletion_guard(self, params: dict) -> Optional[Callable[[Optional[ObjectInfo]], None]]:
        """The `precondition` a permanent delete (one naming a version) passes to storage: it refuses a
        locked version with 403 AccessDenied. None for a bucket without Object Lock."""
        if self.lock_configuration(self.require_bucket(params)) is None:
            return None
        bypass = bool(params.get("BypassGovernanceRetention"))
        clock = self.config.clock

        def guard(info: Optional[ObjectInfo]) -> None:
            if info is not None and is_locked(info, clock.now(), bypass):
                raise s3_error("AccessDenied", _LOCKED)

        return guard

    # The bucket's configuration

    def put_object_lock_configuration(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        if "ObjectLockConfiguration" not in params:
            raise s3_error("MissingRequestBodyError")  # no document at all; an empty one is MalformedXML
        document = check_configuration(params.get("ObjectLockConfiguration"))
        if self.lock_configuration(bucket) is None and bucket.versioning != ENABLED:
            raise s3_error("InvalidBucketState",
                           "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
        with translated(bucket=bucket.name):
            self.store.put_bucket_config(bucket.name, OBJECT_LOCK_CONFIG, document)
        log.info("object lock configuration of s3://%s is now %s", bucket.name, document)
        return {}

    def get_object_lock_configuration(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        document = self.lock_configuration(bucket)
        if document is None:
            raise s3_error("ObjectLockConfigurationNotFoundError", BucketName=bucket.name)
        return {"ObjectLockConfiguration": document}

    # A version's retention and legal hold

    def put_object_retention(self, ctx: RequestContext, params: dict) -> dict:
        retention = params.get("Retention")
        if retention is None:
            raise s3_error("MalformedXML")
        mode, until = retention.get("Mode"), retention.get("RetainUntilDate")
        if (mode is None) != (until is None) or (mode is not None and mode not in MODES):
            raise s3_error("MalformedXML")
        bucket = self.require_bucket(params)
        self._require_lock(bucket)
        now = self.config.clock.now()
        new = None
        if mode is not None:
            if until <= now:
                raise invalid_argument(_PAST, "RetainUntilDate", _echo_date(until))
            new = {"Mode": mode, "RetainUntilDate": format_date(_to_millis(until))}
        info = self.object_for(bucket, params, method=ctx.request.method)
        check_retention_change(info, new, now, bool(params.get("BypassGovernanceRetention")))
        extra = {k: v for k, v in (info.meta.extra or {}).items() if k != RETENTION}
        if new is not None:
            extra[RETENTION] = new
        self._update_extra(bucket, info, extra)
        log.debug("retention of s3://%s/%s (version %s) is now %s", bucket.name, info.key, info.version_id, new)
        return {}

    def get_object_retention(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        self._require_lock(bucket)
        retention = retention_of(self.object_for(bucket, params))
        if retention is None:
            raise s3_error("NoSuchObjectLockConfiguration")
        return {"Retention": {"Mode": retention[0], "RetainUntilDate": retention[1]}}

    def put_object_legal_hold(self, ctx: RequestContext, params: dict) -> dict:
        status = (params.get("LegalHold") or {}).get("Status")
        if status not in LEGAL_HOLD_STATUSES:
            raise s3_error("MalformedXML")
        bucket = self.require_bucket(params)
        self._require_lock(bucket)
        info = self.object_for(bucket, params, method=ctx.request.method)
        self._update_extra(bucket, info, {**(info.meta.extra or {}), LEGAL_HOLD: status})
        log.debug("legal hold of s3://%s/%s (version %s) is now %s", bucket.name, info.key, info.version_id, status)
        return {}

    def get_object_legal_hold(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        self._require_lock(bucket)
        status = legal_hold_of(self.object_for(bucket, params))
        if status is None:
            raise s3_error("NoSuchObjectLockConfiguration")
        return {"LegalHold": {"Status": status}}

    def _update_extra(self, bucket: BucketInfo, info: ObjectInfo, extra: dict) -> None:
        # The version found, by its own id: a version written meanwhile must not get this lock.
        # Only the lock's own keys are merged, so restore or replication state written meanwhile stays.
        own = {name: extra.get(name) for name in (RETENTION, LEGAL_HOLD)}
        with translated(bucket=bucket.name, key=info.key):
            self.store.update_object_meta(bucket.name, info.key, info.version_id or NULL_VERSION, extra_updates=own)


def _echo_date(when: datetime) -> str:
    try:
        zone = ZoneInfo(_ECHO_ZONE)
    except ZoneInfoNotFoundError:  # no time zone database on this machine
        return format_date(when)
    return when.astimezone(zone).strftime("%a %b %d %H:%M:%S %Z %Y")
