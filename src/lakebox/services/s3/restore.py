"""Archived objects (S3 Glacier Flexible Retrieval and Glacier Deep Archive) and RestoreObject.

Why a module of its own: an archived object answers differently everywhere it is touched. GET and
copies refuse its bytes (403 InvalidObjectState) until a restore has finished, HEAD and GET describe
the restore in `x-amz-restore`, listings may report it (RestoreStatus), and RestoreObject starts,
extends or refuses one. Those rules are written once here; objects.py, copy.py and the listings
only call the functions below.

Why lazily: nothing advances a restore in the background. A restore stores when it was asked for
and when it will be ready, both on the service clock, in the version's `ObjectMeta.extra["restore"]`;
every request computes from them and `now` whether it is still running, done, or expired. So a jump
of the clock (`lakebox clock advance 5h`) shows on the very next request, a restart loses nothing,
and there is no timer to keep. The lifecycle worker uses the same pure functions (`restore_state`,
`is_readable`) as the request path.

Imports: storage records and the S3 area helpers (common, errors, headers) only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage.api import STANDARD, ObjectInfo
from .common import S3Base
from .errors import invalid_argument, s3_error, translated
from .headers import http_date

log = logging.getLogger("lakebox.s3.restore")

GLACIER = "GLACIER"
DEEP_ARCHIVE = "DEEP_ARCHIVE"
INTELLIGENT_TIERING = "INTELLIGENT_TIERING"
#: The storage classes whose bytes can only be read through a restored copy. GLACIER_IR (Instant
#: Retrieval) is not one of them: it is read like STANDARD_IA.
ARCHIVED = frozenset({GLACIER, DEEP_ARCHIVE})

EXPEDITED, STANDARD_TIER, BULK = "Expedited", "Standard", "Bulk"
#: The retrieval tiers, fastest first (an ongoing restore may only be sped up, never slowed down).
TIERS = (EXPEDITED, STANDARD_TIER, BULK)

#: How long a restore takes on the service clock: the upper bound of each range AWS documents, so a
#: client that waits as long as AWS promises always finds the copy ready. Deep Archive offers no
#: Expedited retrieval.
RESTORE_TIMES: dict[tuple[str, str], timedelta] = {
    (GLACIER, EXPEDITED): timedelta(minutes=5),  # 1-5 minutes
    (GLACIER, STANDARD_TIER): timedelta(hours=5),  # 3-5 hours
    (GLACIER, BULK): timedelta(hours=12),  # 5-12 hours
    (DEEP_ARCHIVE, STANDARD_TIER): timedelta(hours=12),  # within 12 hours
    (DEEP_ARCHIVE, BULK): timedelta(hours=48),  # within 48 hours
}

#: The key of `ObjectMeta.extra` that holds a version's restore record.
RECORD_KEY = "restore"

_NOT_READABLE = "The operation is not valid for the object's storage class"
_NOT_COPYABLE = "Operation is not valid for the source object's storage class"
_NOT_RESTORABLE = "Restore is not allowed for the object's current storage class"


class RetrievalNotAvailable(ValueError):
    """The storage class offers no retrieval in the tier asked for (Deep Archive: Expedited)."""


@dataclass(frozen=True)
class RestoreState:
    """Where a restore stands at one moment."""

    ongoing: bool
    #: When the restored copy goes away; None while the restore is still running.
    expiry: Optional[datetime]
    tier: str


# -- the rules, as pure functions of the stored record and `now` ---------------------------------


def is_archived(storage_class: Optional[str]) -> bool:
    return storage_class in ARCHIVED


def restore_duration(storage_class: str, tier: str) -> timedelta:
    """How long a restore of an object in `storage_class` takes in `tier`."""
    duration = RESTORE_TIMES.get((storage_class, tier))
    if duration is None:
        raise RetrievalNotAvailable(f"{tier} retrievals are not available for the {storage_class} storage class")
    return duration


def next_midnight(moment: datetime) -> datetime:
    """`moment` rounded up to a midnight UTC (a midnight stays), as S3 rounds restore expiry."""
    moment = moment.astimezone(timezone.utc)
    midnight = datetime.combine(moment.date(), time(0), tzinfo=timezone.utc)
    return midnight if midnight == moment else midnight + timedelta(days=1)


def expiry_date(start: datetime, days: int) -> datetime:
    """When a copy restored (or extended) at `start` for `days` days goes away."""
    return next_midnight(start + timedelta(days=days))


def new_restore(storage_class: str, tier: str, days: int, now: datetime) -> dict[str, Any]:
    """The record of a restore asked for at `now`."""
    return {"requested": _iso(now), "ready": _iso(now + restore_duration(storage_class, tier)),
            "days": days, "tier": tier}


def renewed(record: dict, days: int, now: datetime) -> dict[str, Any]:
    """A finished restore asked for again: S3 counts the new `days` from now."""
    return {**record, "days": days, "renewed": _iso(now)}


def sped_up(record: dict, storage_class: str, tier: str, days: int, now: datetime) -> dict[str, Any]:
    """A running restore asked for again in a faster tier: the copy is ready when either job is."""
    ready = min(_parse(record["ready"]), now + restore_duration(storage_class, tier))
    return {**record, "ready": _iso(ready), "days": days, "tier": tier}


def is_faster(tier: str, than: str) -> bool:
    return TIERS.index(tier) < TIERS.index(than)


def restore_state(extra: Optional[dict], now: datetime) -> Optional[RestoreState]:
    """Where the restore recorded in `extra` (ObjectMeta.extra) stands at `now`: None when none was
    asked for or its copy has expired."""
    record = (extra or {}).get(RECORD_KEY)
    if not record:
        return None
    ready = _parse(record["ready"])
    if now < ready:
        return RestoreState(ongoing=True, expiry=None, tier=record["tier"])
    start = _parse(record["renewed"]) if record.get("renewed") else ready
    expiry = expiry_date(start, int(record["days"]))
    if now >= expiry:
        return None
    return RestoreState(ongoing=False, expiry=expiry, tier=record["tier"])


def is_readable(storage_class: Optional[str], extra: Optional[dict], now: datetime) -> bool:
    """Whether an object's bytes can be read at `now`: always, unless it is archived and has no
    finished, unexpired restore."""
    if not is_archived(storage_class):
        return True
    state = restore_state(extra, now)
    return state is not None and not state.ongoing


def restore_header(state: RestoreState) -> str:
    """The value of `x-amz-restore`."""
    if state.ongoing:
        return 'ongoing-request="true"'
    return f'ongoing-request="false", expiry-date="{http_date(state.expiry)}"'


def restore_status(state: RestoreState) -> dict[str, Any]:
    """A listing's RestoreStatus element."""
    if state.ongoing:
        return {"IsRestoreInProgress": True}
    return {"IsRestoreInProgress": False, "RestoreExpiryDate": state.expiry}


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- what the other areas call -------------------------------------------------------------------


def read_fields(info: ObjectInfo, now: datetime, reading_bytes: bool) -> dict[str, Any]:
    """What GET and HEAD add for an archived object (`Restore`: x-amz-restore); a GET of one without
    a finished restore is refused with 403 InvalidObjectState. Nothing for other objects."""
    storage_class = info.meta.storage_class
    if not is_archived(storage_class):
        return {}
    state = restore_state(info.meta.extra, now)
    if reading_bytes and (state is None or state.ongoing):
        raise s3_error("InvalidObjectState", _NOT_READABLE, StorageClass=storage_class)
    return {} if state is None else {"Restore": restore_header(state)}


def check_source_readable(info: ObjectInfo, now: datetime) -> None:
    """CopyObject and UploadPartCopy read the source's bytes: refused like a GET, in S3's words."""
    if not is_readable(info.meta.storage_class, info.meta.extra, now):
        raise s3_error("InvalidObjectState", _NOT_COPYABLE, StorageClass=info.meta.storage_class)


def wants_restore_status(params: dict) -> bool:
    """Whether a listing asked for `x-amz-optional-object-attributes: RestoreStatus`."""
    wanted = params.get("OptionalObjectAttributes") or []
    if isinstance(wanted, str):
        wanted = [part.strip() for part in wanted.split(",")]
    return "RestoreStatus" in wanted


def add_restore_status(entries: list[dict], infos: Iterable[ObjectInfo], params: dict,
                       now: Callable[[], datetime]) -> None:
    """Add RestoreStatus to the listing `entries` (one per info, in order) that have a restore,
    when the request asked for it; `now` is only read then."""
    if not entries or not wants_restore_status(params):
        return
    moment = now()
    for entry, info in zip(entries, infos):
        state = restore_state(info.meta.extra, moment) if is_archived(info.meta.storage_class) else None
        if state is not None:
            entry["RestoreStatus"] = restore_status(state)


class RestoreMixin(S3Base):
    def restore_object(self, ctx: RequestContext, params: dict) -> dict:
        """Start (202), extend (200), speed up (202) or refuse a restore of an archived version."""
        bucket = self.require_bucket(params)
        key = params["Key"]
        info = self.object_for(bucket, params)
        request = params.get("RestoreRequest") or {}
        if request.get("Type") is not None or request.get("OutputLocation") is not None:
            # S3 Select on archives (restore type SELECT) is closed to new AWS customers too.
            raise s3_error("NotImplemented", "RestoreObject of type SELECT is not implemented")
        storage_class = info.meta.storage_class or STANDARD
        days = request.get("Days")
        if storage_class == INTELLIGENT_TIERING and days is not None:
            raise invalid_argument("INTELLIGENT_TIERING objects are not subject to restore expiry. Do not "
                                   "specify Days when restoring this object")
        if not is_archived(storage_class):
            # S3 answers InvalidObjectState here (users' reports of real S3 show it), not the
            # ObjectAlreadyInActiveTierError that botocore's model and the API reference name.
            raise s3_error("InvalidObjectState", _NOT_RESTORABLE, StorageClass=storage_class)
        days = _check_days(days)
        tier = _check_tier(request, storage_class)

        now = self.config.clock.now()
        extra = dict(info.meta.extra or {})
        state = restore_state(extra, now)
        if state is None:
            record, status = new_restore(storage_class, tier, days, now), 202
        elif state.ongoing:
            if not is_faster(tier, state.tier):
                raise s3_error("RestoreAlreadyInProgress")
            record, status = sped_up(extra[RECORD_KEY], storage_class, tier, days, now), 202
        else:
            record, status = renewed(extra[RECORD_KEY], days, now), 200
        extra[RECORD_KEY] = record
        # Pin the version looked at, so a write in between cannot receive this restore.
        version = params.get("VersionId") or info.version_id
        with translated(bucket=bucket.name, key=key):
            self.store.update_object_meta(bucket.name, key, version, extra_updates={RECORD_KEY: record})
        log.info("restore of s3://%s/%s (%s, %s tier, %d days): ready at %s", bucket.name, key, storage_class,
                 tier, days, record["ready"])
        return {"__status__": status}


def _check_days(days: Any) -> int:
    if days is None:
        raise invalid_argument("The Days element is required for restoring an object from the GLACIER or "
                               "DEEP_ARCHIVE storage class", "Days")
    if not isinstance(days, int) or days < 1:
        raise invalid_argument("The Days element must be a positive integer", "Days", days)
    return days


def _check_tier(request: dict, storage_class: str) -> str:
    tier = (request.get("GlacierJobParameters") or {}).get("Tier") or request.get("Tier") or STANDARD_TIER
    if tier not in TIERS:
        raise s3_error("MalformedXML")
    try:
        restore_duration(storage_class, tier)
    except RetrievalNotAvailable as exc:
        raise _tier_not_available(exc, tier) from None
    return tier


def _tier_not_available(exc: RetrievalNotAvailable, tier: str) -> AwsError:
    # AWS documents that Deep Archive has no Expedited tier but not the error it answers; 400
    # InvalidArgument naming the tier is the closest documented shape.
    return invalid_argument(str(exc), "Tier", tier)
