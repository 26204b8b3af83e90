"""PutBucketAcl, GetBucketAcl, PutObjectAcl and GetObjectAcl.

Why apart from the ACL model (`acl.py`): these four operations are about where an ACL lives (the
bucket's configuration store, or the object's metadata row) and about S3's rules for replacing one
(exactly one of a canned ACL, grant headers or an AccessControlPolicy document; none at all under
BucketOwnerEnforced). Replacing an object's ACL changes neither its bytes nor its LastModified.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from . import acl
from .common import S3Base, log
from .errors import s3_error, translated


def _missing_acl() -> Exception:
    return s3_error("MissingSecurityHeader", MissingHeaderName="x-amz-acl")


class AclMixin(S3Base):
    def _check_acls_enabled(self, bucket: str, params: dict) -> None:
        """Under BucketOwnerEnforced ACLs are disabled: only bucket-owner-full-control is accepted."""
        if self.object_ownership(bucket) == acl.BUCKET_OWNER_ENFORCED and not acl.is_bucket_owner_full_control(params):
            raise s3_error("AccessControlListNotSupported")

    def put_bucket_acl(self, ctx: RequestContext, params: dict) -> dict:
        info = self.require_bucket(params)
        self._check_acls_enabled(info.name, params)
        stored = acl.requested_acl(params, info.account_id, info.account_id, body=True)
        if stored is None:
            raise _missing_acl()
        with translated(bucket=info.name):
            self.store.put_bucket_config(info.name, acl.ACL_CONFIG, stored)
        log.debug("set the ACL of bucket %s", info.name)
        return {}

    def get_bucket_acl(self, ctx: RequestContext, params: dict) -> dict:
        info = self.require_bucket(params)
        with translated(bucket=info.name):
            stored = self.store.get_bucket_config(info.name, acl.ACL_CONFIG)
        return acl.rendered(stored, info.account_id)

    def put_object_acl(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        key = params["Key"]
        self.check_version(params)
        current = self.require_object(bucket.name, key)
        self._check_acls_enabled(bucket.name, params)
        # The owner stays who it was: an ACL names grantees, it does not transfer ownership.
        owner = acl.owner_of(current.meta.acl, bucket.account_id)
        stored = acl.requested_acl(params, owner, bucket.account_id, body=True)
        if stored is None:
            raise _missing_acl()
        with translated(bucket=bucket.name, key=key):
            self.store.set_object_acl(bucket.name, key, stored)
        log.debug("set the ACL of s3://%s/%s", bucket.name, key)
        return {}

    def get_object_acl(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        info = self.require_object(bucket.name, params["Key"])
        self.check_version(params, info)
        return acl.rendered(info.meta.acl, bucket.account_id)
