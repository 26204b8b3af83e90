"""Who may do what: the bucket owner, other accounts and anonymous requests, as S3's ACLs and
bucket policies decide.

Why at the provider's dispatch, once: every S3 operation must agree on it, and a check spread over
the area modules would miss the next operation someone adds. An operation this module does not
name is for the bucket owner alone.

Each access key belongs to an account (`LAKEBOX_CREDENTIALS`; in open mode an unknown key is the
default account). The rules:
- The bucket owner may do everything with its bucket and the objects in it that its bucket policy
  does not explicitly deny it: as on AWS, a Deny binds the owner too (an Allow adds nothing). The
  owner may always read, replace and delete the policy itself, AWS's way back in for a root user
  that a policy locked out. A bucket without a policy costs the owner's request nothing beyond the
  bucket's cached settings: that is the common request, and small GETs are the hot path. (AWS
  would refuse a bucket owner the data of an object that another account owns under ObjectWriter
  unless that object's ACL grants it; lakebox does not look.)
- Anyone else (a request signed by another account, or an unsigned one) gets what the bucket policy
  allows it (bucket_policy.py, its conditions seeing the request's keys as policy_request_keys.py
  works them out; an explicit Deny wins), else only what an ACL grants to its canonical user, to
  AuthenticatedUsers (any signed request) or to AllUsers (anyone): READ on the bucket lists it,
  WRITE creates and overwrites its objects and deletes those the requester owns, READ on an object
  reads it, READ_ACP and WRITE_ACP read and replace an ACL, FULL_CONTROL is all four. (S3's WRITE
  lets only "the bucket and object owners of existing objects" delete them: an anonymous
  DeleteObjects in a public-read-write bucket deletes what it wrote and answers AccessDenied for the
  bucket owner's keys. An unsigned request is S3's anonymous user, which owns what unsigned requests
  wrote, see acl.py.) DeleteObjects checks this for each key (`require_key_deletable`), and answers
  a refusal as that key's error. Under the bucket's IgnorePublicAcls the group grants count for
  nothing (public_access.py), and under BucketOwnerEnforced no grant does: ACLs are disabled, and
  only the bucket policy lets others in. Under RestrictPublicBuckets a public policy lets no one in.
- The owner of an object (another account, under ObjectWriter) may always read and replace its ACL
  and use its other sub-resources (tagging, attributes). Bucket settings other than the ACL are for
  the bucket owner alone.
- ListBuckets and CreateBucket need a signed request; the operations themselves answer only the
  caller's buckets and BucketAlreadyExists for another account's name.
- A copy also needs READ on its source object, whoever owns the destination.
- Otherwise 403 AccessDenied. A bucket that does not exist answers 404 NoSuchBucket to anyone, as on
  AWS; a missing object answers 404 only to someone who may list the bucket, and 403 to anyone else,
  so that a stranger cannot probe which keys exist.
"""

from __future__ import annotations

from typing import Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...storage.api import BucketInfo
from . import acl, bucket_policy, public_access
from .bucket_config import POLICY
from .common import S3Base, is_anonymous
from .copy import parse_copy_source
from .errors import no_such_bucket, s3_error, translated
from .policy_request_keys import RequestKeys

#: Operations that need READ on the bucket (s3:ListBucket and its relatives).
BUCKET_READ = frozenset({"ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads",
                         "ListParts", "HeadBucket"})
#: Operations that need WRITE on the bucket (creating, replacing and deleting objects).
BUCKET_WRITE = frozenset({"PutObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload", "UploadPart",
                          "CompleteMultipartUpload", "AbortMultipartUpload", "CopyObject", "UploadPartCopy"})
#: Operations that need READ on the object.
OBJECT_READ = frozenset({"GetObject", "HeadObject", "SelectObjectContent"})
#: ACL operations and the permission each needs on its own resource.
BUCKET_ACP = {"GetBucketAcl": acl.READ_ACP, "PutBucketAcl": acl.WRITE_ACP}
OBJECT_ACP = {"GetObjectAcl": acl.READ_ACP, "PutObjectAcl": acl.WRITE_ACP}
#: Operations of an account rather than of a bucket: any signed request may call them.
ACCOUNT_OPERATIONS = frozenset({"ListBuckets", "CreateBucket"})
#: Operations that read a source object besides writing their own.
COPY_OPERATIONS = frozenset({"CopyObject", "UploadPartCopy"})
#: What the bucket owner may do whatever its bucket policy denies: the root user's way back in.
POLICY_OPERATIONS = frozenset({"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"})
#: Operations whose request carries its own authority: a POST form's signed policy (post_upload.py).
SELF_AUTHORIZED = frozenset({"PostObject"})


def _denied() -> Exception:
    return s3_error("AccessDenied")


class AccessMixin(S3Base):
    def check_access(self, ctx: RequestContext, params: dict) -> Optional[BucketInfo]:
        """Raise AccessDenied unless the request may run; called before every operation. Returns
        the bucket it looked up (None: none), which the operation then uses without a look-up."""
        operation = ctx.operation_name
        if operation in SELF_AUTHORIZED:
            return None
        account = None if is_anonymous(ctx) else ctx.account_id
        name = params.get("Bucket")
        if operation in ACCOUNT_OPERATIONS or not name:
            if account is None:
                raise _denied()
            return None
        bucket = self.store.get_bucket(name)
        if bucket is None:
            return None  # the operation answers NoSuchBucket, to anyone
        copy_source = params.get("CopySource") if operation in COPY_OPERATIONS else None
        owner = account == bucket.account_id
        if owner and not copy_source and (operation in POLICY_OPERATIONS or not self._has_policy(bucket)):
            return bucket  # the owner's own request that no policy can deny: nothing more to look up
        # What a policy's conditions may ask about the request, worked out only if one asks.
        keys = RequestKeys(self.config, account, ctx.access_key, ctx.request, ctx.auth, params, operation)
        if owner:
            self._check_owner(account, bucket, operation, params, keys)
        else:
            self._check_stranger(account, bucket, operation, params, keys)
        if copy_source:
            self._check_copy_source(account, copy_source, keys)
        return bucket

    def _has_policy(self, bucket: BucketInfo) -> bool:
        with translated(bucket=bucket.name):
            return self.store.get_bucket_config(bucket.name, POLICY) is not None

    def _check_owner(self, account: str, bucket: BucketInfo, operation: str, params: dict,
                     keys: RequestKeys) -> None:
        """AccessDenied where the bucket policy explicitly denies the owner this request."""
        version_id = params.get("VersionId")
        action = bucket_policy.action_for(operation, versioned=version_id is not None)
        self._policy_verdict(account, bucket, action, params.get("Key") if "Key" in params else None, keys,
                             version_id)

    def check_target(self, ctx: RequestContext, params: dict) -> None:
        """Called before a request whose input is malformed is refused: a bucket configuration
        PUT looks its bucket up first, so to a bucket that does not exist it is NoSuchBucket,
        whatever its document holds (recorded on S3: PutBucketEncryption with no rules). Other
        operations report their malformed input first (DeleteObjects with no objects is
        MalformedXML to any bucket)."""
        name = params.get("Bucket")
        if name and ctx.operation_name.startswith("PutBucket") and self.store.get_bucket(name) is None:
            raise no_such_bucket(name)

    def _check_copy_source(self, account: Optional[str], copy_source: str, keys: RequestKeys) -> None:
        try:
            src_bucket, src_key, version = parse_copy_source(copy_source)
        except AwsError:
            return  # malformed: the operation refuses it, after the checks it makes first
        bucket = self.store.get_bucket(src_bucket)
        if bucket is None:
            return
        action = bucket_policy.action_for("GetObject", versioned=version is not None)
        if self._policy_verdict(account, bucket, action, src_key, keys, version) is None \
                and account != bucket.account_id:
            self.require_object_permission(account, src_bucket, src_key, acl.READ, keys)

    def _policy_verdict(self, account: Optional[str], bucket: BucketInfo, action: str, key: Optional[str],
                        keys: RequestKeys, version_id: Optional[str] = None) -> Optional[str]:
        """ALLOW or None from the bucket policy (None: the ACLs decide); AccessDenied on a Deny.
        A statement about an object (`key`, `version_id`) may ask for its tags, read only then."""
        with translated(bucket=bucket.name):
            stored = self.store.get_bucket_config(bucket.name, POLICY)
        if stored is None:
            return None
        text = stored.get("Policy")
        seen = keys if key is None else keys.for_object(
            action, lambda: self._existing_tags(bucket.name, key, version_id))
        result = bucket_policy.verdict(text, account, action, bucket_policy.resource_for(bucket.name, key), seen)
        if result == bucket_policy.DENY:
            raise _denied()
        if result == bucket_policy.ALLOW and public_access.is_public_policy(text) and \
                public_access.flags(self.store, bucket.name).get("RestrictPublicBuckets"):
            return None
        return result

    def _existing_tags(self, bucket: str, key: str, version_id: Optional[str]) -> Optional[dict]:
        """The tags of the object (or version) a statement is about (s3:ExistingObjectTag); None
        when there is none, or when the key or version id is malformed (the operation refuses it)."""
        try:
            with translated(bucket=bucket, key=key):
                if version_id is None:
                    info = self.find_object(bucket, key)
                else:
                    info = self.store.head_version(bucket, key, version_id)
        except AwsError:
            return None
        if info is None or info.is_delete_marker:
            return None
        return dict(info.meta.tags or {})

    def _check_stranger(self, account: Optional[str], bucket: BucketInfo, operation: str, params: dict,
                        keys: RequestKeys) -> None:
        """The rules for anyone but the bucket owner (`account` None: an anonymous request)."""
        key = params.get("Key") or ""
        version_id = params.get("VersionId")
        action = bucket_policy.action_for(operation, versioned=version_id is not None)
        if self._policy_verdict(account, bucket, action, key if "Key" in params else None, keys,
                                version_id) is not None:
            missing = operation in OBJECT_READ and version_id is None and \
                self.find_object(bucket.name, key) is None
            if missing:
                self._require_listable(account, bucket, keys)  # S3: 403, not 404, to whoever may not list
            return
        if operation in BUCKET_READ:
            self.require_bucket_permission(account, bucket, acl.READ)
        elif operation in BUCKET_WRITE:
            self.require_bucket_permission(account, bucket, acl.WRITE)
            if operation == "DeleteObject":
                self._require_own_object(account, bucket, key, params.get("VersionId"))
        elif operation in BUCKET_ACP:
            self.require_bucket_permission(account, bucket, BUCKET_ACP[operation])
        elif operation in OBJECT_READ:
            self.require_object_permission(account, bucket.name, key, acl.READ, keys)
        elif operation in OBJECT_ACP:
            self.require_object_permission(account, bucket.name, key, OBJECT_ACP[operation], keys)
        elif account is not None and params.get("Key") is not None:
            # The object's other sub-resources (tagging, attributes ...): its owner's alone.
            self.require_object_permission(account, bucket.name, key, None, keys)
        else:
            raise _denied()  # bucket settings, DeleteBucket ...: the bucket owner's alone

    def require_key_deletable(self, ctx: RequestContext, bucket: BucketInfo, key: str,
                              version_id: Optional[str]) -> None:
        """AccessDenied unless the requester may delete this key (or version) of a DeleteObjects:
        the bucket owner may; anyone else as for a DeleteObject of it (the policy for this key,
        else WRITE on the bucket and owning the object). The request itself passed check_access."""
        account = None if is_anonymous(ctx) else ctx.account_id
        owner = account == bucket.account_id
        if owner and not self._has_policy(bucket):
            return
        action = bucket_policy.action_for("DeleteObject", versioned=version_id is not None)
        keys = RequestKeys(self.config, account, ctx.access_key, ctx.request, ctx.auth, ctx.params,
                           ctx.operation_name)
        if self._policy_verdict(account, bucket, action, key, keys, version_id) is not None or owner:
            return
        self.require_bucket_permission(account, bucket, acl.WRITE)
        self._require_own_object(account, bucket, key, version_id)

    def _require_own_object(self, account: Optional[str], bucket: BucketInfo, key: str,
                            version_id: Optional[str]) -> None:
        """A delete that only the bucket's WRITE grant allows: of an object (or version) that
        exists, only its owner's. A missing key or a delete marker has nothing to protect."""
        try:
            with translated(bucket=bucket.name, key=key):
                if version_id is None:
                    info = self.find_object(bucket.name, key)
                else:
                    info = self.store.head_version(bucket.name, key, version_id)
        except AwsError:
            return  # a malformed key or version id: the operation refuses it, with its own error
        if info is None or info.is_delete_marker:
            return
        if not acl.owned_by(info.meta.acl, bucket.account_id, account):
            raise _denied()

    def require_form_upload(self, account: Optional[str], bucket: BucketInfo, key: str) -> None:
        """A POST form upload, which authorizes itself (post_upload.py): may its signer (None: an
        unsigned form) write `key`? A policy's conditions see the principal, the clock and
        s3:authType POST; the form's fields are not condition keys yet."""
        if account is not None and account == bucket.account_id:
            return
        keys = RequestKeys(self.config, account, operation="PostObject")
        if self._policy_verdict(account, bucket, bucket_policy.action_for("PostObject"), key, keys) is None:
            self.require_bucket_permission(account, bucket, acl.WRITE)

    def _bucket_acl(self, bucket: BucketInfo) -> Optional[dict]:
        with translated(bucket=bucket.name):
            return self.store.get_bucket_config(bucket.name, acl.ACL_CONFIG)

    def _grantees(self, account: Optional[str], bucket: BucketInfo) -> frozenset[str]:
        """Whom the bucket's and its objects' grants may name for this requester: nobody when ACLs
        are disabled (BucketOwnerEnforced), no group under IgnorePublicAcls."""
        if self.object_ownership(bucket.name) == acl.BUCKET_OWNER_ENFORCED:
            return frozenset()
        aliases = self.config.canonical_aliases(account) if account is not None else ()
        return acl.grantees_of(account, public=not public_access.ignores_public_acls(self.store, bucket.name),
                               aliases=aliases)

    def require_bucket_permission(self, account: Optional[str], bucket: BucketInfo, permission: str) -> None:
        """AccessDenied unless `account` (None: anonymous) owns the bucket or its ACL grants `permission`."""
        if account is not None and account == bucket.account_id:
            return
        if not acl.allows(self._bucket_acl(bucket), permission, self._grantees(account, bucket)):
            raise _denied()

    def _require_listable(self, account: Optional[str], bucket: BucketInfo, keys: RequestKeys) -> None:
        """AccessDenied unless `account` may list the bucket (s3:ListBucket by the policy, or READ by
        its ACL): what a missing object answers depends on it, 404 to a lister, 403 to anyone else."""
        if self._policy_verdict(account, bucket, "s3:ListBucket", None, keys) is None:
            self.require_bucket_permission(account, bucket, acl.READ)

    def require_object_permission(self, account: Optional[str], bucket_name: str, key: str,
                                  permission: Optional[str], keys: RequestKeys) -> None:
        """The object's ACL decides (`permission` None: only its owner may); for a missing object,
        whether the bucket may be listed does (the policy seeing `keys`). The bucket owner passes
        without a look-up."""
        bucket = self.store.get_bucket(bucket_name)
        if bucket is None or (account is not None and account == bucket.account_id):
            return
        info = self.find_object(bucket_name, key) if key else None
        if info is None:
            self._require_listable(account, bucket, keys)
            return
        object_owner = acl.owner_of(info.meta.acl, bucket.account_id)
        if account is not None and account == object_owner and permission != acl.READ:
            return  # an owner may always read and replace its object's ACL
        if permission is None or not acl.allows(info.meta.acl, permission, self._grantees(account, bucket)):
            raise _denied()
