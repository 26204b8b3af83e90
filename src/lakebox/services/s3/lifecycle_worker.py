"""The lifecycle worker: applies every bucket's lifecycle rules to the lake, for real.

Why a worker and not lazy checks at read time: an expired object must be gone from listings and
from the folder that engines read, and a transition must show in ListObjects, so the rules have
to change stored state. When: on a timer (S3 runs lifecycle about once a day; here every minute
of wall time), and at once, synchronously, when the service clock jumps, so that
`lakebox clock advance 31d` returns with the 30-day transitions already applied.

What to do with each version comes from the pure rules in lifecycle_rules.py; this module only
walks the buckets, builds each version's facts, and applies the action through the store:
- a transition changes the version's storage class (bytes stay where they are, as on S3, where the
  object simply becomes cheaper and, for the Glacier archives, unreadable until restored);
- expiring a current version deletes it, or adds a delete marker in a versioned bucket;
- a noncurrent version or an expired-object delete marker is removed for good;
- a multipart upload past its AbortIncompleteMultipartUpload age is aborted.
A version protected by Object Lock (retention or legal hold) is never removed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Optional

from ...storage import errors as st
from ...storage.api import ObjectInfo
from ..periodic import ClockedWorker
from . import lifecycle_rules as rules
from .lifecycle_config import LIFECYCLE_CONFIG

log = logging.getLogger("lakebox.s3.lifecycle")

#: Seconds of wall time between two passes when the clock does not jump.
DEFAULT_INTERVAL = 60.0
_PAGE = 1000


@dataclass
class PassReport:
    """What one pass did, for the log and for tests."""

    transitioned: int = 0
    expired: int = 0
    removed: int = 0
    aborted: int = 0
    errors: list[str] = field(default_factory=list)

    def acted(self) -> bool:
        return bool(self.transitioned or self.expired or self.removed or self.aborted)


class LifecycleWorker(ClockedWorker):
    def __init__(self, store: Any, now: Callable[[], dt.datetime], *, interval: float = DEFAULT_INTERVAL,
                 is_locked: Optional[Callable[[ObjectInfo, dt.datetime], bool]] = None):
        self.store = store
        self.now = now
        self.interval = interval
        #: Object Lock's check (retention or legal hold at `now`); None: nothing is ever locked.
        self.is_locked = is_locked or (lambda info, now: False)
        self._pass_lock = threading.Lock()
        super().__init__("lakebox-lifecycle", interval, log)

    # One pass

    def run_once(self) -> PassReport:
        with self._pass_lock:
            now = self.now()
            report = PassReport()
            for bucket in self.store.list_buckets():
                try:
                    config = self.store.get_bucket_config(bucket.name, LIFECYCLE_CONFIG)
                    if config:
                        self._apply_bucket(bucket, config, now, report)
                except st.NoSuchBucketError:
                    continue  # deleted while we walked
            if report.acted():
                log.info("lifecycle at %s: %d transitioned, %d expired, %d removed, %d uploads aborted",
                         now.isoformat(), report.transitioned, report.expired, report.removed, report.aborted)
            return report

    def _apply_bucket(self, bucket, config: dict, now: dt.datetime, report: PassReport) -> None:
        versioned = bucket.versioning is not None
        for key, versions in self._keys(bucket.name):
            for facts, info in _facts(key, versions, versioned):
                action = rules.due_action(config, facts, now)
                if action is not None:
                    self._apply(bucket.name, info, action, now, report)
        self._abort_uploads(bucket.name, config, now, report)

    def _keys(self, bucket: str) -> Iterator[tuple[str, list[ObjectInfo]]]:
        """Each key with all its versions, newest first, page by page."""
        key_marker, version_marker = "", ""
        pending_key: Optional[str] = None
        pending: list[ObjectInfo] = []
        while True:
            page = self.store.list_object_versions(bucket, key_marker=key_marker,
                                                   version_id_marker=version_marker, max_keys=_PAGE)
            for info in page.versions:
                if info.key != pending_key and pending:
                    yield pending_key, pending
                    pending = []
                pending_key = info.key
                pending.append(info)
            if not page.is_truncated or page.next_key_marker is None:
                break
            key_marker, version_marker = page.next_key_marker, page.next_version_id_marker or ""
        if pending:
            yield pending_key, pending

    def _apply(self, bucket: str, info: ObjectInfo, action: rules.Action, now: dt.datetime,
               report: PassReport) -> None:
        version = None if info.is_latest and not info.is_delete_marker else (info.version_id or "null")
        where = f"s3://{bucket}/{info.key}" + (f" version {version}" if version else "")
        try:
            if action.kind in (rules.TRANSITION, rules.TRANSITION_NONCURRENT):
                self.store.update_object_meta(bucket, info.key, version, storage_class=action.storage_class)
                report.transitioned += 1
                log.info("lifecycle rule %r moved %s to %s", action.rule_id, where, action.storage_class)
            elif action.kind == rules.EXPIRE:
                if self.is_locked(info, now):
                    return
                outcome = self.store.delete_object(bucket, info.key)
                report.expired += 1
                log.info("lifecycle rule %r expired %s%s", action.rule_id, where,
                         " (delete marker added)" if outcome.delete_marker else "")
            else:  # EXPIRE_NONCURRENT, REMOVE_MARKER: removed for good
                if not info.is_delete_marker and self.is_locked(info, now):
                    return
                self.store.delete_object(bucket, info.key, info.version_id or "null")
                report.removed += 1
                log.info("lifecycle rule %r removed %s", action.rule_id, where)
        except (st.NoSuchKeyError, st.NoSuchVersionError, st.NoSuchBucketError):
            pass  # changed by a request meanwhile: the next pass sees the new state
        except st.StorageError as exc:
            report.errors.append(f"{where}: {exc}")
            log.warning("lifecycle rule %r could not act on %s: %s", action.rule_id, where, exc)

    def _abort_uploads(self, bucket: str, config: dict, now: dt.datetime, report: PassReport) -> None:
        key_marker, upload_marker = "", ""
        while True:
            page = self.store.list_multipart_uploads(bucket, key_marker=key_marker, upload_id_marker=upload_marker)
            for upload in page.uploads:
                rule = rules.abort_due(config, upload.key, upload.initiated, now)
                if rule is None:
                    continue
                try:
                    self.store.abort_multipart_upload(upload)
                except st.NoSuchUploadError:
                    continue
                report.aborted += 1
                log.info("lifecycle rule %r aborted upload %s of s3://%s/%s", rule, upload.upload_id, bucket,
                         upload.key)
            if not page.is_truncated or page.next_key_marker is None:
                return
            key_marker, upload_marker = page.next_key_marker, page.next_upload_id_marker or ""


def _facts(key: str, versions: list[ObjectInfo], versioned: bool) -> Iterator[tuple[rules.VersionFacts, ObjectInfo]]:
    """The rule engine's view of each version of one key (newest first)."""
    newer_noncurrent = 0
    for info in versions:
        yield rules.VersionFacts(
            key=key, size=info.size, tags=dict(info.meta.tags), last_modified=info.last_modified,
            storage_class=info.meta.storage_class or "STANDARD", is_latest=info.is_latest,
            is_delete_marker=info.is_delete_marker,
            noncurrent_since=None if info.is_latest else (info.noncurrent_since or info.last_modified),
            newer_noncurrent=newer_noncurrent, other_versions=len(versions) - 1,
            bucket_versioned=versioned), info
        if not info.is_latest:
            newer_noncurrent += 1
