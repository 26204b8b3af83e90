"""Who may do what: today, what an anonymous (unsigned) request may do.

Why at the provider's dispatch, once: every S3 operation must agree on it, and a check spread over
the area modules would miss the next operation someone adds. An unknown operation is denied.

The rule is AWS's for a request with no credentials: it is allowed only where an ACL grants the
AllUsers group the permission the operation needs (the public-read and public-read-write canned
ACLs, or an explicit grant). Otherwise it gets 403 AccessDenied. A bucket that does not exist still
answers 404 NoSuchBucket, as on AWS; a missing object answers 404 only to someone who may list the
bucket, and 403 to anyone else, so that a stranger cannot probe which keys exist.

Signed requests are not checked here: in lakebox's open mode any key is accepted as its account,
and enforcement between accounts arrives with the ACL enforcement issue, which extends this module.
"""

from __future__ import annotations

from typing import Optional

from ...protocol.context import RequestContext
from ...storage.api import BucketInfo
from . import acl
from .common import S3Base, is_anonymous
from .copy import parse_copy_source
from .errors import s3_error, translated

#: Operations that need READ on the bucket (s3:ListBucket and its relatives).
BUCKET_READ = frozenset({"ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads",
                         "ListParts", "HeadBucket"})
#: Operations that need WRITE on the bucket (creating, replacing and deleting objects).
BUCKET_WRITE = frozenset({"PutObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload", "UploadPart",
                          "CompleteMultipartUpload", "AbortMultipartUpload", "CopyObject", "UploadPartCopy"})
#: Operations that need READ on the object.
OBJECT_READ = frozenset({"GetObject", "HeadObject"})
#: ACL operations and the permission each needs on its own resource.
BUCKET_ACP = {"GetBucketAcl": acl.READ_ACP, "PutBucketAcl": acl.WRITE_ACP}
OBJECT_ACP = {"GetObjectAcl": acl.READ_ACP, "PutObjectAcl": acl.WRITE_ACP}
#: Everything an ACL can open to anonymous requests.
ANONYMOUS_OPERATIONS = BUCKET_READ | BUCKET_WRITE | OBJECT_READ | set(BUCKET_ACP) | set(OBJECT_ACP)
#: Operations whose request carries its own authority: a POST form's signed policy.
SELF_AUTHORIZED = frozenset({"PostObject"})


def _denied() -> Exception:
    return s3_error("AccessDenied")


class AccessMixin(S3Base):
    def check_access(self, ctx: RequestContext, params: dict) -> None:
        """Raise AccessDenied unless the request may run; called before every operation."""
        if not is_anonymous(ctx):
            return
        operation = ctx.operation_name
        if operation in SELF_AUTHORIZED:
            return
        name = params.get("Bucket")
        if not name or operation not in ANONYMOUS_OPERATIONS:
            # ListBuckets, CreateBucket, bucket settings ...: nothing an ACL can open to everyone.
            raise _denied()
        bucket = self.store.get_bucket(name)
        if bucket is None:
            return  # the operation answers NoSuchBucket, to anyone
        if operation in BUCKET_READ:
            self.require_public_bucket(bucket, acl.READ)
        elif operation in BUCKET_WRITE:
            self.require_public_bucket(bucket, acl.WRITE)
            if params.get("CopySource"):
                src_bucket, src_key, _ = parse_copy_source(params["CopySource"])
                self.require_public_object(src_bucket, src_key, acl.READ)
        elif operation in OBJECT_READ:
            self.require_public_object(bucket.name, params.get("Key") or "", acl.READ)
        elif operation in OBJECT_ACP:
            self.require_public_object(bucket.name, params.get("Key") or "", OBJECT_ACP[operation])
        else:
            self.require_public_bucket(bucket, BUCKET_ACP[operation])

    def _bucket_acl(self, bucket: BucketInfo) -> Optional[dict]:
        with translated(bucket=bucket.name):
            return self.store.get_bucket_config(bucket.name, acl.ACL_CONFIG)

    def require_public_bucket(self, bucket: BucketInfo, permission: str) -> None:
        if not acl.grants_to(self._bucket_acl(bucket), acl.ALL_USERS, permission):
            raise _denied()

    def require_public_object(self, bucket_name: str, key: str, permission: str) -> None:
        """The object's ACL decides; for a missing object, whether the bucket may be listed does."""
        bucket = self.store.get_bucket(bucket_name)
        if bucket is None:
            return
        info = self.find_object(bucket_name, key) if key else None
        if info is None:
            self.require_public_bucket(bucket, acl.READ)
            return
        if not acl.grants_to(info.meta.acl, acl.ALL_USERS, permission):
            raise _denied()
