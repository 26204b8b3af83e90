"""PutBucketAcl, GetBucketAcl, PutObjectAcl and GetObjectAcl.

Why apart from the ACL model (`acl.py`): these four operations are about where an ACL lives (the
bucket's configuration store, or the object's metadata row) and about S3's rules for replacing one
(exactly one of a canned ACL, grant headers or an AccessControlPolicy document; under
BucketOwnerEnforced only full control for the bucket owner; nothing public under BlockPublicAcls).
Replacing an object's ACL changes neither its bytes nor its LastModified.
"""

from __future__ import annotations

from ...protocol.context import RequestContext
from ...storage.api import BucketInfo
from . import acl, public_access
from .common import S3Base, log
from .errors import s3_error, translated


def _missing_acl() -> Exception:
    return s3_error("MissingSecurityHeader", MissingHeaderName="x-amz-acl")


def _acls_disabled() -> Exception:
    return s3_error("AccessControlListNotSupported")


class AclMixin(S3Base):
    def _replacement_acl(self, bucket: BucketInfo, params: dict, owner: str) -> dict:
        """The ACL a Put*Acl request sets, as checked against the bucket's settings.

        Under BucketOwnerEnforced ACLs are disabled: only bucket-owner-full-control, or the same grant
        written out (grant headers or a document), is accepted. Under BlockPublicAcls nothing public is.
        """
        # The request is read (and refused if malformed) before the bucket's settings are looked
        # at: S3 answers a bad canned ACL, grant or document with its own error even on a bucket
        # whose ACLs are disabled (recorded answers).
        stored = acl.requested_acl(params, owner, bucket.account_id, body=True,
                                   known_ids=self.config.declared_canonical_ids())
        if stored is None:
            raise _missing_acl()
        enforced = self.object_ownership(bucket.name) == acl.BUCKET_OWNER_ENFORCED
        owner_full_control = acl.is_bucket_owner_full_control(params)
        if enforced and params.get("ACL") is not None and not owner_full_control:
            raise _acls_disabled()  # any canned ACL but bucket-owner-full-control, "private" included
        if enforced and not owner_full_control and not acl.only_owner_full_control(stored, bucket.account_id):
            raise _acls_disabled()
        public_access.check_acl_not_blocked(self.store, bucket.name, acl.is_public(stored))
        return stored

    def put_bucket_acl(self, ctx: RequestContext, params: dict) -> dict:
        info = self.require_bucket(params)
        stored = self._replacement_acl(info, params, info.account_id)
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
        current = self.object_for(bucket, params, method=ctx.request.method)
        # The owner stays who it was: an ACL names grantees, it does not transfer ownership.
        owner = acl.owner_of(current.meta.acl, bucket.account_id)
        stored = self._replacement_acl(bucket, params, owner)
        with translated(bucket=bucket.name, key=key):
            self.store.update_object_meta(bucket.name, key, params.get("VersionId"), acl=stored)
        log.debug("set the ACL of s3://%s/%s", bucket.name, key)
        return {}

    def get_object_acl(self, ctx: RequestContext, params: dict) -> dict:
        bucket = self.require_bucket(params)
        # Unlike the tagging calls, S3 answers a read of the ACL of a key hidden by a delete marker
        # with 404 NoSuchKey, as a GET of the key; the marker's own version id is still a 405.
        info = self.object_for(bucket, params)
        return acl.rendered(info.meta.acl, bucket.account_id)
