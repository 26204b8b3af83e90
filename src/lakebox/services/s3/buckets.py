"""Bucket operations: create (with AWS's region rules), head, list, delete, location.

Why these rules matter: the same CreateBucket call answers differently by region on AWS (us-east-1
forgives re-creating your own bucket unless the request brings tags, other regions say
BucketAlreadyOwnedByYou), and tools such as Terraform and the AWS CLI branch on exactly those codes.
Buckets are global across accounts, as on AWS.

A new bucket gets AWS's defaults since April 2023 (ACLs disabled by BucketOwnerEnforced, all four
Block Public Access flags on), or the older ones (ObjectWriter, no public access block) when the
server runs with LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re

from ...protocol.context import RequestContext
from ...storage import errors as st
from ...storage.api import ENABLED
from .common import S3Base, log
from .errors import invalid_argument, s3_error, translated
from . import acl, public_access, regions
from .bucket_config import TAGGING, bucket_tag_set
from .bucket_namespace import check_bucket_namespace
from .headers import owner, whole_seconds
from .object_lock import initial_config as object_lock_config
from .versioning import OBJECT_LOCK_CONFIG

US_EAST_1 = "us-east-1"
EU_WEST_1 = "eu-west-1"
#: A bucket made with the LocationConstraint `EU` keeps it, since GetBucketLocation answers it.
LOCATION_ALIAS = "location-alias"

_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_OWNERSHIP = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")
_NOT_EMPTY_VERSIONED = "The bucket you tried to delete is not empty. You must delete all versions in the bucket."


def bucket_arn(name: str, region: str) -> str:
    return f"arn:{regions.partition_of(region)}:s3:::{name}"


def check_bucket_name(name: str) -> None:
    """AWS's naming rules for general purpose buckets."""
    valid = (
        bool(_NAME.match(name))
        and ".." not in name
        and not name.startswith(_BAD_PREFIXES)
        and not name.endswith(_BAD_SUFFIXES)
        and not _is_ip_address(name)
    )
    if not valid:
        raise s3_error("InvalidBucketName", BucketName=name)


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
        return True
    except ValueError:
        return False


def _encode_token(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii")


def _decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeError):
        raise invalid_argument(
            "The continuation token provided is incorrect", "continuation-token", token
        ) from None


class BucketsMixin(S3Base):
    def create_bucket(self, ctx: RequestContext, params: dict) -> dict:
        name = params["Bucket"]
        check_bucket_name(name)
        config = self._initial_config(ctx, params)
        region = self._region_for_new_bucket(ctx, params)
        check_bucket_namespace(name, params.get("BucketNamespace"), ctx.account_id, region)
        if (params.get("CreateBucketConfiguration") or {}).get("LocationConstraint") == regions.LEGACY_EU:
            config[LOCATION_ALIAS] = {"LocationConstraint": regions.LEGACY_EU}
        # x-amz-bucket-object-lock-enabled: Object Lock needs versioning from the start, committed
        # with the bucket itself.
        versioning = ENABLED if OBJECT_LOCK_CONFIG in config else None
        try:
            with translated(bucket=name, passthrough=(st.BucketExistsError,)):
                self.store.create_bucket(name, ctx.account_id, region, config, versioning=versioning)
        except st.BucketExistsError as exc:
            existing = exc.existing
            if existing.account_id != ctx.account_id:
                raise s3_error("BucketAlreadyExists", BucketName=name)
            # us-east-1 keeps its legacy behaviour: re-creating your own bucket succeeds, and changes
            # nothing. A request with tags would change something, so it is refused (same tags or not).
            if not (ctx.region == US_EAST_1 and existing.region == US_EAST_1) or TAGGING in config:
                raise s3_error("BucketAlreadyOwnedByYou", BucketName=name)
            return {"Location": f"/{name}", "BucketArn": bucket_arn(name, existing.region)}
        log.debug("created bucket %s in %s for account %s", name, region, ctx.account_id)
        location = f"/{name}" if region == US_EAST_1 else f"http://{name}.s3.amazonaws.com/"
        return {"Location": location, "BucketArn": bucket_arn(name, region)}

    def _initial_config(self, ctx: RequestContext, params: dict) -> dict[str, dict]:
        """The ACL (x-amz-acl, x-amz-grant-*), ObjectOwnership, public access block and tags
        (CreateBucketConfiguration.Tags; an empty list is no tags) a bucket is created with.

        Without x-amz-object-ownership the bucket gets the server's default ownership. Under
        ObjectWriter, the older default, nothing is stored: the bucket is like one made before 2023,
        with no ownership controls and no public access block. Otherwise all four Block Public Access
        flags are on, so a public ACL is refused (AccessDenied), as AWS refuses it; and under
        BucketOwnerEnforced an ACL that grants anyone but the owner is refused as well.
        """
        config: dict[str, dict] = {}
        bucket_acl = acl.requested_acl(params, ctx.account_id, ctx.account_id,
                                       known_ids=self.config.declared_canonical_ids())
        ownership = params.get("ObjectOwnership")
        if ownership is not None and ownership not in _OWNERSHIP:
            raise s3_error("InvalidArgument", f"Invalid x-amz-object-ownership header: {ownership}",
                           ArgumentName="x-amz-object-ownership")
        default = self.config.s3_object_ownership
        effective = ownership or default
        if effective == acl.BUCKET_OWNER_ENFORCED and not acl.only_owner_full_control(bucket_acl, ctx.account_id):
            raise s3_error("InvalidBucketAclWithObjectOwnership")
        if ownership is not None or default != acl.OBJECT_WRITER:
            config[acl.OWNERSHIP_CONFIG] = {"ObjectOwnership": effective}
        if default != acl.OBJECT_WRITER:
            if acl.is_public(bucket_acl):
                raise s3_error("AccessDenied")
            config[public_access.PUBLIC_ACCESS_BLOCK] = dict(public_access.BLOCK_ALL)
        if bucket_acl is not None:
            config[acl.ACL_CONFIG] = bucket_acl
        config.update(object_lock_config(params))
        tags = (params.get("CreateBucketConfiguration") or {}).get("Tags")
        if tags:
            config[TAGGING] = {"TagSet": bucket_tag_set(tags, at_creation=True)}
        return config

    @staticmethod
    def _region_for_new_bucket(ctx: RequestContext, params: dict) -> str:
        """The region a bucket is created in, by S3's rules for the endpoint the request was signed for.

        us-east-1 is S3's global endpoint (boto3's default for that region): it creates the bucket
        in whichever region of its partition the LocationConstraint names, and refuses a constraint
        that is no region (or us-east-1 itself) as InvalidLocationConstraint. A regional endpoint
        creates buckets in its own region only: any other constraint, a missing one or one that is
        no region at all is IllegalLocationConstraintException. `EU` is eu-west-1's old name.
        """
        config = params.get("CreateBucketConfiguration") or {}
        constraint = config.get("LocationConstraint") or None
        region = EU_WEST_1 if constraint == regions.LEGACY_EU else constraint
        if ctx.region == US_EAST_1:
            if constraint is None:
                return US_EAST_1
            if constraint == US_EAST_1 or not regions.is_location_constraint(constraint):
                raise s3_error("InvalidLocationConstraint", LocationConstraint=constraint)
            if regions.partition_of(region) == regions.partition_of(US_EAST_1):
                return region
        elif region == ctx.region:
            return region
        raise s3_error(
            "IllegalLocationConstraintException",
            f"The {constraint or 'unspecified'} location constraint is incompatible for the region specific "
            "endpoint this request was sent to.",
        )

    def head_bucket(self, ctx: RequestContext, params: dict) -> dict:
        info = self.require_bucket(params)
        # S3 labels even this body-less answer application/xml.
        return {"BucketRegion": info.region, "AccessPointAlias": False, "BucketArn": bucket_arn(info.name, info.region),
                "__headers__": {"Content-Type": "application/xml"}}

    def get_bucket_location(self, ctx: RequestContext, params: dict) -> dict:
        info = self.require_bucket(params)
        # S3 answers an empty LocationConstraint for us-east-1, for historical reasons, and the
        # constraint as it was given for a bucket made with eu-west-1's old name `EU`.
        if info.region == US_EAST_1:
            return {}
        with translated(bucket=info.name):
            alias = self.store.get_bucket_config(info.name, LOCATION_ALIAS)
        return {"LocationConstraint": (alias or {}).get("LocationConstraint") or info.region}

    def delete_bucket(self, ctx: RequestContext, params: dict) -> dict:
        name = params["Bucket"]
        info = self.require_bucket(params)
        try:
            with translated(bucket=name, passthrough=(st.BucketNotEmptyError,)):
                self.store.delete_bucket(name)
        except st.BucketNotEmptyError:
            # A bucket that has ever been versioned may hold only old versions and delete markers,
            # which a plain listing does not show: AWS says where to look.
            raise s3_error("BucketNotEmpty", _NOT_EMPTY_VERSIONED if info.versioning else None,
                           BucketName=name) from None
        log.debug("deleted bucket %s", name)
        return {"__status__": 204}

    def list_buckets(self, ctx: RequestContext, params: dict) -> dict:
        """The caller's own buckets, by name, with optional prefix, region and pagination."""
        max_buckets = params.get("MaxBuckets")
        if max_buckets is not None and not 1 <= int(max_buckets) <= 10000:
            raise invalid_argument("Argument max-buckets must be an integer between 1 and 10000",
                                   "max-buckets", max_buckets)
        prefix = params.get("Prefix") or ""
        region = params.get("BucketRegion")
        if region and not regions.is_region(region):
            raise s3_error("InvalidArgument", f"Argument value {region} is not a valid AWS Region",
                           ArgumentName="bucket-region")
        after = _decode_token(params["ContinuationToken"]) if params.get("ContinuationToken") else None
        buckets = [
            b for b in self.store.list_buckets(ctx.account_id)
            if b.name.startswith(prefix) and (not region or b.region == region)
            and (after is None or b.name > after)
        ]
        out: dict = {"Owner": owner(ctx.account_id)}
        if max_buckets is not None and len(buckets) > int(max_buckets):
            buckets = buckets[: int(max_buckets)]
            out["ContinuationToken"] = _encode_token(buckets[-1].name)
        out["Buckets"] = [
            {"Name": b.name, "CreationDate": whole_seconds(b.created), "BucketRegion": b.region, "BucketArn": bucket_arn(b.name, b.region)}
            for b in buckets
        ]
        if params.get("Prefix") is not None:
            out["Prefix"] = prefix
        return out
