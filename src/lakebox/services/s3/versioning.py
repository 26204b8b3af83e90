"""S3 versioning: the bucket's state, ListObjectVersions, and finding the version a request names.

Why here: every read, copy source, tag or ACL call that takes `versionId` must answer a missing,
malformed or delete-marker version the same way S3 does (NoSuchVersion 404, InvalidArgument 400,
MethodNotAllowed 405 with `x-amz-delete-marker`), and a plain read of a key hidden by a delete
marker must say so in its 404. Keeping those answers in one place stops the areas drifting apart.
The versions themselves are kept by storage (lake_versions.py).
"""

from __future__ import annotations

from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.serializers.rest_xml import POSITION_KEY
from ...storage.api import ENABLED, NULL_VERSION, SUSPENDED, BucketInfo, DeleteOutcome, ObjectInfo
from . import restore
from .acl import owner_of
from .common import S3Base, log
from .errors import s3_error, translated
from .headers import owner, quote_etag, whole_seconds
from .listing import encoding_type, max_keys, url_encode
from .replication_rules import REPLICATION_CONFIG

#: Set by object lock: such a bucket's versioning cannot be suspended.
OBJECT_LOCK_CONFIG = "object_lock"


def version_header(bucket: BucketInfo, info: ObjectInfo) -> Optional[str]:
    """The x-amz-version-id an object is described with: none in a bucket never versioned."""
    if info.version_id:
        return info.version_id
    return NULL_VERSION if bucket.versioning else None


def deletion_fields(outcome: DeleteOutcome, requested: Optional[str]) -> dict[str, Any]:
    """DeleteObject's answer: the version removed, or the delete marker made (ids as S3 shows them)."""
    out: dict[str, Any] = {}
    if outcome.delete_marker:
        out["DeleteMarker"] = True
    if requested is not None:
        out["VersionId"] = requested
    elif outcome.delete_marker:
        out["VersionId"] = outcome.version_id or NULL_VERSION
    return out


class VersioningMixin(S3Base):
    def put_bucket_versioning(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        config = params.get("VersioningConfiguration") or {}
        if not config:
            # An empty <VersioningConfiguration/> parses but says nothing: AWS names the missing element.
            # (No document at all fails the schema check first: MalformedXML.)
            raise s3_error("IllegalVersioningConfigurationException")
        status = config.get("Status")
        if status not in (ENABLED, SUSPENDED):
            raise s3_error("MalformedXML")
        if config.get("MFADelete") == "Enabled":
            # MFA delete needs the root account's MFA device: AWS refuses it without x-amz-mfa.
            if not params.get("MFA"):
                raise s3_error("AccessDenied", "Mfa Authentication must be used for this request")
        if status == SUSPENDED:
            with translated(bucket=bucket.name):
                lock = self.store.get_bucket_config(bucket.name, OBJECT_LOCK_CONFIG)
            if lock and lock.get("ObjectLockEnabled") == "Enabled":
                raise s3_error("InvalidBucketState",
                               "An Object Lock configuration is present on this bucket, so the versioning "
                               "state cannot be changed.")
            with translated(bucket=bucket.name):
                replicated = self.store.get_bucket_config(bucket.name, REPLICATION_CONFIG)
            if replicated:
                raise s3_error("InvalidBucketState",
                               "A replication configuration is present on this bucket, so you cannot change the "
                               "versioning state. To change the versioning state, first delete the replication "
                               "configuration.")
        with translated(bucket=bucket.name):
            self.store.set_versioning(bucket.name, status)
        log.info("versioning of s3://%s is now %s", bucket.name, status)
        return {}

    def get_bucket_versioning(self, ctx: RequestContext, params: dict) -> dict:
        # A bucket that never had versioning enabled answers with no Status at all.
        bucket = self.require_bucket(params)
        return {"Status": bucket.versioning} if bucket.versioning else {}

    # ListObjectVersions

    def list_object_versions(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        encode = url_encode if encoding_type(params) else (lambda value: value)
        prefix, delimiter = params.get("Prefix") or "", params.get("Delimiter") or None
        key_marker = params.get("KeyMarker") or ""
        version_marker = params.get("VersionIdMarker") or ""
        if version_marker and not key_marker:
            raise s3_error("InvalidArgument", "A version-id marker cannot be specified without a key marker.",
                           ArgumentName="version-id-marker", ArgumentValue=version_marker)
        limit = max_keys(params)
        with translated(bucket=bucket.name):
            result = self.store.list_object_versions(bucket.name, prefix=prefix, delimiter=delimiter,
                                                     key_marker=key_marker, version_id_marker=version_marker,
                                                     max_keys=min(limit, 1000))
        versions, markers = [], []
        for position, info in enumerate(result.versions):
            entry: dict[str, Any] = {
                POSITION_KEY: position,  # where S3 writes it among versions and delete markers
                "Key": encode(info.key),
                "VersionId": info.version_id or NULL_VERSION,
                "IsLatest": info.is_latest,
                "LastModified": whole_seconds(info.last_modified),
                "Owner": owner(owner_of(info.meta.acl, bucket.account_id)),
            }
            if info.is_delete_marker:
                markers.append(entry)
                continue
            entry.update(ETag=quote_etag(info.etag), Size=info.size, StorageClass=info.meta.storage_class or "STANDARD")
            algorithms = list(info.checksums)
            if algorithms:
                entry["ChecksumAlgorithm"] = algorithms
                if info.checksum_type:
                    entry["ChecksumType"] = info.checksum_type
            versions.append(entry)
        restore.add_restore_status(versions, [i for i in result.versions if not i.is_delete_marker], params,
                                   self.config.clock.now)
        out: dict[str, Any] = {
            "Name": bucket.name,
            "Prefix": encode(prefix),
            "KeyMarker": encode(key_marker),
            "VersionIdMarker": version_marker,
            "MaxKeys": limit,
            "IsTruncated": result.is_truncated,
        }
        if versions:
            out["Versions"] = versions
        if markers:
            out["DeleteMarkers"] = markers
        if result.common_prefixes:
            out["CommonPrefixes"] = [{"Prefix": encode(p)} for p in result.common_prefixes]
        if delimiter is not None:
            out["Delimiter"] = encode(delimiter)
        if result.is_truncated:
            if result.next_key_marker is not None:
                out["NextKeyMarker"] = encode(result.next_key_marker)
            if result.next_version_id_marker is not None:
                out["NextVersionIdMarker"] = result.next_version_id_marker
        if encoding_type(params):
            out["EncodingType"] = "url"
        return out
