"""Block Public Access: what a bucket's four flags refuse and ignore.

Why its own module: the flags touch every way an ACL or a policy is set (CreateBucket, PutBucketAcl,
PutObjectAcl, PutObject, CopyObject, CreateMultipartUpload, POST uploads, PutBucketPolicy) and how
ACLs are read by the access check, and each of those places must agree on what "public" means.

- BlockPublicAcls: a request that would set a public ACL (a grant to AllUsers or AuthenticatedUsers)
  gets 403 AccessDenied. ACLs already in place stay.
- IgnorePublicAcls: such grants count for nothing when another account or an anonymous request asks
  (see access.py).
- BlockPublicPolicy: a bucket policy that allows a wildcard principal without a condition that pins
  the caller down gets 403 AccessDenied.
- RestrictPublicBuckets: a public policy lets no other account and no anonymous request in
  (access.py).

New buckets get all four flags on, as on AWS since April 2023, unless the server keeps the older
defaults (`LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter`, see buckets.py).
"""

from __future__ import annotations

import json
from typing import Any

from .errors import s3_error, translated

#: Name of the document in the per-bucket configuration store.
PUBLIC_ACCESS_BLOCK = "public_access_block"
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
#: What a new bucket gets under AWS's defaults since April 2023.
BLOCK_ALL = {flag: True for flag in FLAGS}

#: Condition keys that, given fixed values, make a wildcard-principal statement non-public (AWS's list).
_PINNING_KEYS = frozenset(key.lower() for key in (
    "aws:SourceIp", "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceAccount", "aws:SourceOwner",
    "aws:userid", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "s3:DataAccessPointArn", "s3:DataAccessPointAccount",
))


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _is_wildcard_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(value == "*" or (isinstance(value, list) and "*" in value) for value in principal.values())
    return False


def _pins_the_caller(condition: Any) -> bool:
    """Whether a Condition block limits a statement to known callers (a fixed key of AWS's list)."""
    if not isinstance(condition, dict):
        return False
    for clauses in condition.values():
        if not isinstance(clauses, dict):
            continue
        for key, values in clauses.items():
            if key.lower() in _PINNING_KEYS and not any("*" in str(v) for v in _as_list(values)):
                return True
    return False


def is_public_policy(text: str) -> bool:
    """Whether a (valid) bucket policy grants access to anyone: an Allow to a wildcard principal that
    no condition pins down."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    if not isinstance(document, dict):
        return False
    for statement in _as_list(document.get("Statement") or []):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if _is_wildcard_principal(statement.get("Principal")) and not _pins_the_caller(statement.get("Condition")):
            return True
    return False


def flags(store: Any, bucket: str) -> dict:
    """The bucket's stored flags; {} when it has no public access block."""
    with translated(bucket=bucket):
        return store.get_bucket_config(bucket, PUBLIC_ACCESS_BLOCK) or {}


def check_acl_not_blocked(store: Any, bucket: str, public: bool) -> None:
    """403 AccessDenied for a public ACL on a bucket that blocks them; no look-up for a private one."""
    if public and flags(store, bucket).get("BlockPublicAcls"):
        raise s3_error("AccessDenied")


def check_policy_not_blocked(store: Any, bucket: str, text: str) -> None:
    """403 AccessDenied for a public bucket policy on a bucket that blocks them."""
    if is_public_policy(text) and flags(store, bucket).get("BlockPublicPolicy"):
        raise s3_error("AccessDenied")


def ignores_public_acls(store: Any, bucket: str) -> bool:
    return bool(flags(store, bucket).get("IgnorePublicAcls"))
