"""DeleteObjects: up to 1,000 keys in one request, each answered on its own.

Why a module: unlike every other S3 operation, a bad key here does not fail the request; it becomes
an <Error> entry while the other keys are still deleted, and quiet mode reports only those errors.
Bulk deletes are how `aws s3 rm --recursive`, s3fs and Spark clean up, so the shape must be exact.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage.api import NULL_VERSION, BucketInfo, DeleteOutcome
from .common import S3Base, check_version_id, log, never_given_out
from .conditions import all_of, delete_precondition
from .errors import s3_error, translated
from .headers import check_key

MAX_KEYS_PER_DELETE = 1000


class DeleteObjectsMixin(S3Base):
    def delete_objects(self, ctx: RequestContext, params: dict) -> dict:
        bucket_info = self.require_bucket(params)
        bucket = bucket_info.name
        self.check_bypass_applicable(bucket_info, params)
        delete = params.get("Delete") or {}
        objects = delete.get("Objects") or []
        # S3 validates the list size against its schema, hence MalformedXML rather than InvalidArgument.
        if not objects or len(objects) > MAX_KEYS_PER_DELETE:
            raise s3_error("MalformedXML")
        if any(not obj.get("Key") for obj in objects):
            raise s3_error("MalformedXML")
        quiet = bool(delete.get("Quiet"))
        guard = self.deletion_guard(params)  # Object Lock's check of each version deleted

        deleted, errors = [], []
        for obj in objects:
            key = obj["Key"]
            version = obj.get("VersionId")
            try:
                outcome = self._delete_one(ctx, bucket_info, key, obj, guard)
            except AwsError as error:
                entry = {"Key": key, "Code": error.code, "Message": error.message}
                if version is not None:
                    entry["VersionId"] = version
                errors.append(entry)
                continue
            if not quiet:
                entry = {"Key": key}
                if version is not None:
                    entry["VersionId"] = version
                if outcome.delete_marker:
                    entry["DeleteMarker"] = True
                    entry["DeleteMarkerVersionId"] = outcome.version_id or NULL_VERSION
                deleted.append(entry)
        log.debug("bulk delete in %s: %d keys, %d errors", bucket, len(objects), len(errors))
        out: dict = {}
        if deleted:
            out["Deleted"] = deleted
        if errors:
            out["Errors"] = errors
        return out

    def _delete_one(self, ctx: RequestContext, bucket_info: BucketInfo, key: str, obj: dict,
                    guard=None) -> DeleteOutcome:
        bucket = bucket_info.name
        check_key(key)
        version = obj.get("VersionId")
        if version is not None:
            check_version_id(version)
            if (bucket_info.versioning is None and version != NULL_VERSION) or \
                    never_given_out(self.store, bucket, key, version):
                # Unlike DeleteObject's 400, a bulk delete reports such a version as not found.
                raise s3_error("NoSuchVersion", Key=key, VersionId=version)
        # Whoever is not the bucket owner may be refused one key and not the next (access.py).
        self.require_key_deletable(ctx, bucket_info, key, version)
        # Conditional delete: only while the object is still the one the client saw (checked under
        # the key's lock, with Object Lock's guard for a version).
        condition = delete_precondition(key, obj.get("ETag"), obj.get("LastModifiedTime"), obj.get("Size"))
        precondition = all_of(condition, guard if version is not None else None)
        with translated(bucket=bucket, key=key):
            outcome = self.store.delete_object(bucket, key, version, precondition)
        self.replicate_after_delete(bucket, key, outcome, version)
        return outcome
