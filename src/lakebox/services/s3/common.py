"""The base every S3 area mixin builds on: the lake store, the logger, bucket/object look-ups, and
the ACL a new object gets.

Why: each area (buckets, objects, listing, multipart ...) needs "this bucket, or NoSuchBucket" and
"this object, or NoSuchKey" with the same checks (ExpectedBucketOwner, key length). Keeping them on
one base class means the areas cannot drift apart in how they answer a missing resource.
"""

from __future__ import annotations

import logging
from typing import Callable, Optional, TypeVar

from ...protocol.context import RequestContext
from ...storage import errors as st
from ...storage.api import BucketInfo, ObjectInfo
from ..base import Provider
from . import acl
from .errors import no_such_bucket, no_such_key, s3_error, translated
from .headers import check_key

log = logging.getLogger("lakebox.s3")

T = TypeVar("T")

#: How often a read or copy starts over when its object is replaced between look-up and open.
CHANGE_ATTEMPTS = 3


def is_anonymous(ctx: RequestContext) -> bool:
    """Whether the request was unsigned (no Authorization header, no presigned query)."""
    return bool(getattr(ctx.auth, "is_anonymous", False))


def with_retries(attempt: Callable[[], T]) -> T:
    """Run `attempt` again (it looks the object up afresh) when storage reports that the object
    changed between being described and being opened; the last failure propagates."""
    for _ in range(CHANGE_ATTEMPTS - 1):
        try:
            return attempt()
        except st.ObjectChangedError:
            continue
    return attempt()


class S3Base(Provider):
    """Shared plumbing; the store is created by `S3Provider.__init__`."""

    service_name = "s3"
    store = None  # the LakeStore, set by S3Provider

    def require_bucket(self, params: dict, name: Optional[str] = None) -> BucketInfo:
        """The bucket the request names, or NoSuchBucket; honours x-amz-expected-bucket-owner."""
        name = params["Bucket"] if name is None else name
        info = self.store.get_bucket(name)
        if info is None:
            raise no_such_bucket(name)
        expected = params.get("ExpectedBucketOwner")
        if expected and expected != info.account_id:
            raise s3_error("AccessDenied")
        return info

    def object_ownership(self, bucket: str) -> Optional[str]:
        """The bucket's ObjectOwnership setting; None when it was never set."""
        with translated(bucket=bucket):
            value = self.store.get_bucket_config(bucket, acl.OWNERSHIP_CONFIG)
        return value["ObjectOwnership"] if value else None

    def acl_for_write(self, ctx: RequestContext, bucket: BucketInfo, params: dict) -> Optional[dict]:
        """The ACL a new object gets (PutObject, CopyObject, CreateMultipartUpload); None: default.

        The common write (the bucket owner, no ACL headers) needs no look-up of the bucket's
        ownership setting, so it costs nothing. An anonymous writer (a public-write bucket) cannot
        own anything, so its objects belong to the bucket owner.
        """
        writer = bucket.account_id if is_anonymous(ctx) else ctx.account_id
        if writer == bucket.account_id and not acl.has_acl_request(params):
            return None
        return acl.new_object_acl(params, writer, bucket.account_id, self.object_ownership(bucket.name))

    def find_object(self, bucket: str, key: str) -> Optional[ObjectInfo]:
        check_key(key)
        with translated(bucket=bucket, key=key):
            return self.store.head_object(bucket, key)

    def require_object(self, bucket: str, key: str) -> ObjectInfo:
        info = self.find_object(bucket, key)
        if info is None:
            raise no_such_key(key)
        return info

    @staticmethod
    def check_version(params: dict, info: Optional[ObjectInfo] = None) -> None:
        """Refuse a versionId that names no version we keep.

        Versioning arrives with a later issue; until then an object has only its current version,
        which S3 calls "null" in unversioned buckets.
        """
        version = params.get("VersionId")
        if version is None or version == "null" or (info is not None and version == info.version_id):
            return
        raise s3_error("InvalidArgument", "Invalid version id specified", ArgumentName="versionId",
                       ArgumentValue=version)
