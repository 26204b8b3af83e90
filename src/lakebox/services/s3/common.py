"""The base every S3 area mixin builds on: the lake store, the logger, bucket/object look-ups, and
the ACL a new object gets.

Why: each area (buckets, objects, listing, multipart ...) needs "this bucket, or NoSuchBucket" and
"this object, or NoSuchKey" with the same checks (ExpectedBucketOwner, key length). Keeping them on
one base class means the areas cannot drift apart in how they answer a missing resource.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Callable, Optional, TypeVar

from ...protocol.context import RequestContext
from ...storage import errors as st
from ...storage.api import NULL_VERSION, BucketInfo, ObjectInfo
from ...storage.version_ids import stamp_of
from ..base import Provider
from . import acl, public_access
from .errors import ERRORS, no_such_bucket, no_such_key, s3_error, translated
from .headers import check_key, http_date

log = logging.getLogger("lakebox.s3")

#: The bucket the access check (access.py) looked up for the request being dispatched, so that the
#: operation's own look-up of it costs nothing: small GETs count every microsecond.
checked_bucket: ContextVar[Optional[BucketInfo]] = ContextVar("lakebox_s3_checked_bucket", default=None)

#: What can name a version: "null" or an id like the ones lakebox makes (URL-safe characters).
_VERSION_ID = re.compile(r"^(null|[A-Za-z0-9_.\-]{32})$")
#: An AWS account id, which x-amz-expected-bucket-owner must be.
_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")

T = TypeVar("T")

#: How often a read or copy starts over when its object is replaced between look-up and open.
CHANGE_ATTEMPTS = 3


def is_anonymous(ctx: RequestContext) -> bool:
    """Whether the request was unsigned (no Authorization header, no presigned query)."""
    return bool(getattr(ctx.auth, "is_anonymous", False))


def check_expected_bucket_owner(ctx: RequestContext, params: dict) -> None:
    """400 InvalidBucketOwnerAWSAccountID for an x-amz-expected-bucket-owner that is no account id.

    Checked once, before the access check, so every bucket operation answers it alike; a well-formed
    id that is not the owner's is answered later (`S3Base.require_bucket`: AccessDenied). An unsigned
    request is not told about the header's form: whatever it names cannot be the owner, and it gets
    AccessDenied as with any other wrong owner (which is what the S3 compatibility suite expects).
    """
    expected = params.get("ExpectedBucketOwner")
    if expected and not is_anonymous(ctx) and not _ACCOUNT_ID.match(expected):
        _, message = ERRORS["InvalidBucketOwnerAWSAccountID"]
        raise s3_error("InvalidBucketOwnerAWSAccountID", f"{message} [{expected}]")


def with_retries(attempt: Callable[[], T]) -> T:
    """Run `attempt` again (it looks the object up afresh) when storage reports that the object
    changed between being described and being opened; the last failure propagates."""
    for _ in range(CHANGE_ATTEMPTS - 1):
        try:
            return attempt()
        except st.ObjectChangedError:
            continue
    return attempt()


def check_version_id(version_id: str, bucket: Optional[BucketInfo] = None) -> None:
    """Refuse a version id lakebox could not have made, 400 InvalidArgument as S3 does.

    In a bucket that never had versioning enabled (`bucket` given) only "null" names a version.
    """
    if not _VERSION_ID.match(version_id) or (
            bucket is not None and bucket.versioning is None and version_id != NULL_VERSION):
        raise s3_error("InvalidArgument", "Invalid version id specified", ArgumentName="versionId",
                       ArgumentValue=version_id)


def never_given_out(store, bucket: str, key: str, version_id: str) -> bool:
    """Whether a well-formed version id is one no version ever had: its check fails, and no stored
    version (an older lakebox's ids have no check) bears it. S3 tells such ids from real ones too."""
    if version_id == NULL_VERSION or stamp_of(version_id) is not None:
        return False
    with translated(bucket=bucket, key=key):
        return store.head_version(bucket, key, version_id) is None


def _marker_headers(info: ObjectInfo) -> dict[str, str]:
    return {"x-amz-delete-marker": "true", "x-amz-version-id": info.version_id or NULL_VERSION}


def _marker_not_allowed(marker: ObjectInfo, method: str):
    """405 for a call on a delete marker; S3 names the request's method and the marker."""
    headers = _marker_headers(marker)
    headers["Last-Modified"] = http_date(marker.last_modified)
    # HTTP asks a 405 to list what the resource does allow; for a delete marker that is DELETE alone.
    headers["Allow"] = "DELETE"
    return s3_error("MethodNotAllowed", Method=method, ResourceType="DeleteMarker", headers=headers)


class S3Base(Provider):
    """Shared plumbing; the store is created by `S3Provider.__init__`."""

    service_name = "s3"
    store = None  # the LakeStore, set by S3Provider

    def require_bucket(self, params: dict, name: Optional[str] = None) -> BucketInfo:
        """The bucket the request names, or NoSuchBucket; honours x-amz-expected-bucket-owner."""
        name = params["Bucket"] if name is None else name
        checked = checked_bucket.get()
        info = checked if checked is not None and checked.name == name else self.store.get_bucket(name)
        if info is None:
            raise no_such_bucket(name)
        expected = params.get("ExpectedBucketOwner")
        if expected and expected != info.account_id:
            raise s3_error("AccessDenied")
        return info

    # -- per-bucket configuration documents (CORS, lifecycle, policy, tagging ...) ----------------

    def stored_config(self, params: dict, name: str) -> tuple[str, Optional[dict]]:
        """The bucket the request names and its `name` document; None when it was never set."""
        bucket = self.require_bucket(params).name
        with translated(bucket=bucket):
            return bucket, self.store.get_bucket_config(bucket, name)

    def store_config(self, bucket: str, name: str, document: dict) -> None:
        with translated(bucket=bucket):
            self.store.put_bucket_config(bucket, name, document)
        log.debug("set %s of bucket %s", name, bucket)

    def forget_config(self, params: dict, name: str) -> dict:
        """Delete the `name` document; deleting one that was never set succeeds too, as on AWS."""
        bucket = self.require_bucket(params).name
        with translated(bucket=bucket):
            self.store.delete_bucket_config(bucket, name)
        log.debug("deleted %s of bucket %s", name, bucket)
        return {"__status__": 204}

    def object_ownership(self, bucket: str) -> Optional[str]:
        """The bucket's ObjectOwnership setting; None when it was never set."""
        with translated(bucket=bucket):
            value = self.store.get_bucket_config(bucket, acl.OWNERSHIP_CONFIG)
        return value["ObjectOwnership"] if value else None

    def acl_for_write(self, ctx: RequestContext, bucket: BucketInfo, params: dict) -> Optional[dict]:
        """The ACL a new object gets (PutObject, CopyObject, CreateMultipartUpload); None: default.

        The common write (the bucket owner, no ACL headers) needs no look-up of the bucket's
        ownership setting, so it costs nothing. An anonymous writer (a public-write bucket) is S3's
        anonymous user, which owns what it writes as an account would (acl.ANONYMOUS; the bucket owner
        does under BucketOwnerEnforced). A public ACL on a bucket that blocks public ACLs is refused
        (AccessDenied).
        """
        writer = acl.ANONYMOUS if is_anonymous(ctx) else ctx.account_id
        if writer == bucket.account_id and not acl.has_acl_request(params):
            return None
        new_acl = acl.new_object_acl(params, writer, bucket.account_id, self.object_ownership(bucket.name),
                                     known_ids=self.config.declared_canonical_ids())
        public_access.check_acl_not_blocked(self.store, bucket.name, acl.is_public(new_acl))
        return new_acl

    def find_object(self, bucket: str, key: str) -> Optional[ObjectInfo]:
        check_key(key)
        with translated(bucket=bucket, key=key):
            return self.store.head_object(bucket, key)

    def require_object(self, bucket: str, key: str) -> ObjectInfo:
        info = self.find_object(bucket, key)
        if info is None:
            raise no_such_key(key)
        return info

    def object_for(self, bucket: BucketInfo, params: dict, method: Optional[str] = None) -> ObjectInfo:
        """The object or version (`VersionId`) the request names, or S3's error for it.

        `method` (the request's HTTP method) is for the calls on a key's subresources (tagging, ACL):
        there a key whose latest version is a delete marker is 405 MethodNotAllowed, not 404.
        """
        version_id = params.get("VersionId")
        if version_id is not None:
            check_version_id(version_id, bucket)
        return self.resolve_object(bucket, params["Key"], version_id, method=method)

    # Finding the object a request names

    def resolve_object(self, bucket: BucketInfo, key: str, version_id: Optional[str],
                       method: Optional[str] = None) -> ObjectInfo:
        """The object or version a read names, or S3's error for it: NoSuchKey (with
        `x-amz-delete-marker` when a delete marker hides the key), NoSuchVersion, InvalidArgument for
        a malformed id, and 405 MethodNotAllowed for a delete marker's own version id.

        With `method` (a subresource call), a delete marker that hides the key is 405 too, and the
        405 names that method rather than GET.
        """
        check_key(key)
        if version_id is None:
            with translated(bucket=bucket.name, key=key):
                info = self.store.head_object(bucket.name, key)
                if info is not None:
                    return info
                marker = self.store.latest_delete_marker(bucket.name, key) if bucket.versioning else None
            if marker is not None:
                if method is not None:
                    raise _marker_not_allowed(marker, method)
                raise s3_error("NoSuchKey", Key=key, headers=_marker_headers(marker))
            raise no_such_key(key)
        info = self.resolve_version(bucket, key, version_id)
        if info.is_delete_marker:
            raise _marker_not_allowed(info, method or "GET")
        return info

    def resolve_version(self, bucket: BucketInfo, key: str, version_id: str) -> ObjectInfo:
        """A version or delete marker by id; NoSuchVersion when there is none."""
        check_key(key)
        check_version_id(version_id)
        with translated(bucket=bucket.name, key=key):
            info = self.store.head_version(bucket.name, key, version_id)
        if info is None:
            raise s3_error("NoSuchVersion", Key=key, VersionId=version_id)
        return info
