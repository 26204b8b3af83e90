"""S3 replication: Put/Get/DeleteBucketReplication, and the hooks that make every write to a
replicated bucket go to its destinations.

Why the hooks live here: PutObject, CopyObject, CompleteMultipartUpload, POST uploads and the two
deletes each call one method after storage committed their change (`replicate_after_write`,
`replicate_after_delete`); what to replicate where is decided here, from the bucket's rules
(replication_rules.py), and recorded durably before the write is acknowledged. The copying itself
is the worker's (replication_worker.py).

The request path stays as fast as before for the buckets that have no replication rules, which are
nearly all: their "no configuration" is cached per bucket (with its creation time, so that a bucket
deleted and made again starts afresh), and the cache entry is dropped when the configuration is
put or deleted.

What S3 checks when the configuration is put, besides the document itself: the source bucket has
versioning Enabled, and every destination bucket exists, is not the source, and has versioning
Enabled. Objects written before the configuration are not replicated (S3 Batch Replication's job),
and neither are SSE-KMS objects unless the rule selects them (SourceSelectionCriteria).
"""

from __future__ import annotations

import threading
from typing import Optional

from ...protocol.context import RequestContext
from ...storage.api import ENABLED, NULL_VERSION, DeleteOutcome, ObjectInfo
from .common import S3Base, checked_bucket, log
from .errors import invalid_request, s3_error, translated
from .replication_queue import DELETE_MARKER, OBJECT, Job
from .replication_rules import (
    REPLICATION_CONFIG,
    destination_bucket,
    marker_targets,
    object_targets,
    validate_configuration,
)
from .replication_worker import REPLICA, STATUS


class ReplicationMixin(S3Base):
    replication = None  # the ReplicationWorker, set by S3Provider

    def __init__(self, config):
        super().__init__(config)
        #: bucket name -> (its creation time, its replication document or None).
        self._replication_configs: dict[str, tuple] = {}
        self._replication_configs_lock = threading.Lock()
        self._replication_generation = 0

    # -- the operations -----------------------------------------------------------------------------

    def put_bucket_replication(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        if bucket.versioning != ENABLED:
            raise s3_error("InvalidRequest",
                           "Versioning must be 'Enabled' on the bucket to apply a replication configuration")
        document = validate_configuration(params.get("ReplicationConfiguration") or {})
        for name in sorted({destination_bucket(rule) for rule in document["Rules"]}):
            if name == bucket.name:
                raise invalid_request("Destination bucket cannot be the same as the source bucket.")
            destination = self.store.get_bucket(name)
            # A missing destination gets the same answer as an unversioned one (recorded on S3).
            if destination is None or destination.versioning != ENABLED:
                raise invalid_request("Destination bucket must have versioning enabled.")
        self.store_config(bucket.name, REPLICATION_CONFIG, document)
        self._forget_replication_config(bucket.name)
        log.info("replication of s3://%s: %d rules", bucket.name, len(document["Rules"]))
        return {}

    def get_bucket_replication(self, ctx: RequestContext, params: dict) -> dict:
        bucket, document = self.stored_config(params, REPLICATION_CONFIG)
        if document is None:
            raise s3_error("ReplicationConfigurationNotFoundError", BucketName=bucket)
        return {"ReplicationConfiguration": document}

    def delete_bucket_replication(self, ctx: RequestContext, params: dict) -> dict:
        answer = self.forget_config(params, REPLICATION_CONFIG)
        self._forget_replication_config(params["Bucket"])
        return answer

    # -- the hooks the write paths call -------------------------------------------------------------

    def replicate_after_write(self, info: ObjectInfo) -> None:
        """After PutObject, CopyObject, CompleteMultipartUpload or a POST upload committed `info`:
        record its replication, if the bucket's rules want one."""
        config = self._replication_config(info.bucket)
        if config is None or info.meta.extra.get(STATUS) == REPLICA:
            return
        kms = (info.meta.encryption.get("ServerSideEncryption") or "").startswith("aws:kms")
        targets = object_targets(config, info.key, info.meta.tags, kms)
        if targets:
            version = info.version_id or NULL_VERSION
            self.replication.record(info, [Job(info.bucket, info.key, version, t.bucket, OBJECT, t.storage_class)
                                           for t in targets])

    def replicate_after_delete(self, bucket: str, key: str, outcome: DeleteOutcome,
                               requested_version: Optional[str]) -> None:
        """After a DeleteObject (or one key of DeleteObjects): a delete marker made without a version
        id goes where the rules replicate delete markers; deleting a version never replicates."""
        if requested_version is not None or not outcome.delete_marker:
            return
        config = self._replication_config(bucket)
        if config is None:
            return
        targets = marker_targets(config, key)
        if targets:
            version = outcome.version_id or NULL_VERSION
            self.replication.record(None, [Job(bucket, key, version, t.bucket, DELETE_MARKER) for t in targets])

    # -- the cached configuration -------------------------------------------------------------------

    def _replication_config(self, name: str) -> Optional[dict]:
        """The bucket's replication document (None: none), costing a dict look-up when cached."""
        checked = checked_bucket.get()
        bucket = checked if checked is not None and checked.name == name else self.store.get_bucket(name)
        if bucket is None:
            return None
        cached = self._replication_configs.get(name)
        if cached is not None and cached[0] == bucket.created:
            return cached[1]
        generation = self._replication_generation
        with translated(bucket=name):
            document = self.store.get_bucket_config(name, REPLICATION_CONFIG)
        with self._replication_configs_lock:
            # A Put/DeleteBucketReplication that ran meanwhile may have made `document` stale.
            if generation == self._replication_generation:
                self._replication_configs[name] = (bucket.created, document)
        return document

    def _forget_replication_config(self, name: str) -> None:
        with self._replication_configs_lock:
            self._replication_generation += 1
            self._replication_configs.pop(name, None)
        if self.replication is not None:
            self.replication.kick()
