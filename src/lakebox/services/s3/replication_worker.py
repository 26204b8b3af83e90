"""The replication worker: one background thread that copies what the queue holds to the
destination buckets, and the replication status each version shows.

Why a thread of its own: S3 replicates asynchronously, after the write was acknowledged, and a copy
can be as large as the object (DESIGN D7: the gateway never waits for it). The request path only
records the job (replication_queue.py) and marks the version PENDING; this worker does the rest:
- an object version becomes a version of the destination with the same id, bytes, content type,
  system and user metadata, tags, ACL and encryption record, and the rule's storage class (or the
  source's), and shows REPLICA there; the source version then shows COMPLETED;
- a delete marker becomes a delete marker with the same id;
- a destination that is missing or not versioning-enabled refuses: the source shows FAILED and the
  job is tried again with a growing delay (1 s, 2 s ... at most a minute) until it succeeds;
- what is already in the destination (a retry after a crash) is not copied twice, and a source
  version deleted meanwhile has nothing left to copy.
Replicas are written through the store, never through the request hooks, so a replica is never
replicated again. Failure reasons use the names of S3's replication failure events
(DstBucketNotFound, DstBucketUnversioned ...).

The status lives in the version's `ObjectMeta.extra["replication"]`; GET and HEAD answer it as
`x-amz-replication-status` (headers.object_fields).
"""

from __future__ import annotations

import copy
import logging
import os
import threading
import time
from typing import Any, Optional

from ...storage import errors as st
from ...storage.api import ENABLED, ObjectInfo, ObjectMeta
from .replication_queue import DELETE_MARKER, OBJECT, Job, ReplicationQueue
from .sse_c import SALT, is_sealed
from .sse_c_cipher import ChunkReader

log = logging.getLogger("lakebox.s3.replication")

#: The `ObjectMeta.extra` entry holding a version's replication status, and its values.
STATUS = "replication"
PENDING = "PENDING"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
REPLICA = "REPLICA"

FIRST_RETRY_S = 1.0
MAX_RETRY_S = 60.0
#: How long the worker sleeps when nothing is pending and nobody wakes it.
IDLE_S = 60.0


class Refused(Exception):
    """The destination cannot take the replica now (`reason`), or ever (`permanent`)."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def replica_meta(src: ObjectInfo, storage_class: Optional[str]) -> ObjectMeta:
    """What the replica of `src` records: the source's choices, marked REPLICA."""
    meta = src.meta
    return ObjectMeta(
        content_type=meta.content_type,
        system=dict(meta.system),
        user=dict(meta.user),
        tags=dict(meta.tags),
        storage_class=storage_class or meta.storage_class,
        encryption=dict(meta.encryption),
        acl=copy.deepcopy(meta.acl),
        extra={STATUS: REPLICA},
    )


class ReplicationWorker:
    def __init__(self, store: Any, path: Optional[str] = None):
        self.store = store
        self.queue = ReplicationQueue(path or os.path.join(store.internal_dir, "replication.db"))
        self._wake = threading.Event()
        self._stop = threading.Event()
        #: Source versions a request is still recording (queued, not yet marked PENDING): the
        #: worker leaves them alone, so that PENDING never overwrites a status it already set.
        self._recording: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None

    # -- life cycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        resumed = self.queue.resume()
        if resumed:
            log.info("resuming %d pending replications", resumed)
        self._thread = threading.Thread(target=self._loop, name="lakebox-replication", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the copy in progress, then stop; what is still pending resumes at the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            if self._thread.is_alive():
                log.warning("the replication worker is still copying; its job resumes at the next start")
                return
        self.queue.close()

    def kick(self) -> None:
        """Look at the queue now (a configuration or a destination may have changed)."""
        self._wake.set()

    # -- the request side ---------------------------------------------------------------------------

    def record(self, info: Optional[ObjectInfo], jobs: list[Job]) -> None:
        """Record `jobs` for one source version durably, and mark the version (`info`, None for a
        delete marker) PENDING; called before the write that made it is acknowledged."""
        source = jobs[0].source
        with self._lock:
            self._recording.add(source)
        try:
            self.queue.add(jobs)
            if info is not None:
                self._set_status(source, PENDING, info.meta.extra)
        finally:
            with self._lock:
                self._recording.discard(source)
            self._wake.set()

    # -- the worker ---------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            with self._lock:
                recording = set(self._recording)
            jobs = [job for job in self.queue.due(time.time()) if job.source not in recording]
            for job in jobs:
                if self._stop.is_set():
                    return
                self._run(job)
            if jobs:
                continue
            next_at = self.queue.next_at()
            wait = IDLE_S if next_at is None else min(IDLE_S, max(0.05, next_at - time.time()))
            self._wake.wait(wait)

    def _run(self, job: Job) -> None:
        try:
            self._replicate(job)
        except Refused as refusal:
            if refusal.permanent:
                log.warning("s3://%s/%s (version %s) cannot be replicated to %s: %s", job.bucket, job.key,
                            job.version_id, job.destination, refusal.reason)
                self.queue.done(job)
                self._set_status(job.source, FAILED)
                return
            delay = min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** job.attempts)
            self.queue.retry(job, refusal.reason, time.time() + delay)
            log.info("replicating s3://%s/%s (version %s) to %s failed (%s); next attempt in %.0f s",
                     job.bucket, job.key, job.version_id, job.destination, refusal.reason, delay)
        except Exception as exc:  # noqa: BLE001 - a storage failure (disk full ...): logged, retried later
            log.exception("replicating s3://%s/%s (version %s) to %s failed", job.bucket, job.key,
                          job.version_id, job.destination)
            delay = min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** job.attempts)
            self.queue.retry(job, type(exc).__name__, time.time() + delay)
        else:
            self.queue.done(job)
        if job.kind == OBJECT:
            self._settle(job)

    def _settle(self, job: Job) -> None:
        """The source version's status once this job moved: COMPLETED when every destination has
        its replica, FAILED while one of them refuses, PENDING otherwise."""
        remaining = self.queue.remaining(*job.source)
        if not remaining:
            status = COMPLETED
        else:
            status = FAILED if any(r.attempts for r in remaining) else PENDING
        self._set_status(job.source, status)

    def _replicate(self, job: Job) -> None:
        try:
            src = self.store.head_version(job.bucket, job.key, job.version_id)
        except st.NoSuchBucketError:
            return  # the source bucket is gone: nothing left to copy
        if src is None or src.is_delete_marker != (job.kind == DELETE_MARKER):
            return  # the version was deleted meanwhile
        destination = self.store.get_bucket(job.destination)
        if destination is None:
            raise Refused("DstBucketNotFound")
        if destination.versioning != ENABLED:
            raise Refused("DstBucketUnversioned")
        try:
            if src.version_id is not None and \
                    self.store.head_version(destination.name, job.key, src.version_id) is not None:
                return  # copied before a restart that came before the job was removed
            if job.kind == DELETE_MARKER:
                self.store.delete_object(destination.name, job.key, marker_version_id=src.version_id)
            else:
                self._copy(src, destination.name, job.storage_class)
        except st.NoSuchBucketError:
            raise Refused("DstBucketNotFound") from None
        except st.ObjectChangedError:
            raise Refused("SrcObjectChanged") from None
        log.debug("replicated s3://%s/%s (version %s) to %s", job.bucket, job.key, job.version_id, job.destination)

    def _copy(self, src: ObjectInfo, destination: str, storage_class: Optional[str]) -> None:
        if src.parts and SALT in src.meta.encryption and is_sealed(src.meta.encryption):
            # Its parts are encrypted one by one, and a replica written in one piece has no parts.
            raise Refused("lakebox cannot replicate SSE-C objects made by multipart upload", permanent=True)
        reader = ChunkReader(self.store.open_object(src))
        try:
            self.store.put_object(destination, src.key, reader, replica_meta(src, storage_class),
                                  content_length=src.size, checksum_algorithms=list(src.checksums),
                                  version_id=src.version_id)
        finally:
            reader.close()

    def _set_status(self, source: tuple[str, str, str], status: str, extra: Optional[dict] = None) -> None:
        """Record `status` in the source version's extra (`extra`: its current one, when known)."""
        bucket, key, version_id = source
        try:
            if extra is None:
                info = self.store.head_version(bucket, key, version_id)
                if info is None or info.is_delete_marker:
                    return
                extra = info.meta.extra
            if extra.get(STATUS) == status:
                return
            self.store.update_object_meta(bucket, key, version_id, extra_updates={STATUS: status})
        except (st.NoSuchBucketError, st.NoSuchKeyError, st.NoSuchVersionError):
            return  # deleted meanwhile: no status to show
