"""Bucket policies as access.py applies them to other accounts and anonymous requests: the plain part
of IAM's grammar, without conditions.

Why here and this little: the everyday documents that open a bucket to another account or to
everyone ("Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*") must
work the way they work on AWS, while full IAM evaluation (conditions, users and roles, identity
policies) belongs to the IAM issue. So:

- A statement applies when it names its principal, action and resource plainly: Principal "*",
  {"AWS": "*"}, an account id or an IAM ARN in the account; Action and Resource with `*` and `?`
  wildcards. A statement with a Condition, NotPrincipal, NotAction or NotResource is not applied.
- An explicit Deny wins over every Allow and over every ACL grant; an Allow lets the request in
  where no ACL does; no matching statement leaves the decision to the ACLs.
- The bucket owner's own requests are not evaluated (access.py lets the owner through).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Optional

ALLOW = "Allow"
DENY = "Deny"

#: S3 operations whose IAM action is not "s3:" + the operation's name.
_ACTIONS = {
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "ListParts": "s3:ListMultipartUploadParts",
    "HeadObject": "s3:GetObject",
    "SelectObjectContent": "s3:GetObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "UploadPartCopy": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "CopyObject": "s3:PutObject",
    "PostObject": "s3:PutObject",
    "DeleteObjects": "s3:DeleteObject",
    "DeleteBucketTagging": "s3:PutBucketTagging",
    "DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "GetBucketCors": "s3:GetBucketCORS",
    "PutBucketCors": "s3:PutBucketCORS",
    "DeleteBucketCors": "s3:PutBucketCORS",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration",
}
#: Object actions that name a version when the request carries a versionId (s3:GetObjectVersion ...).
_VERSIONED = frozenset({"s3:GetObject", "s3:DeleteObject", "s3:GetObjectAcl", "s3:PutObjectAcl",
                        "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObjectTagging"})


def action_for(operation: str, versioned: bool = False) -> str:
    """The IAM action an S3 operation needs (`versioned`: the request names a version)."""
    action = _ACTIONS.get(operation, "s3:" + operation)
    if versioned and action in _VERSIONED:
        action = action.replace("Object", "ObjectVersion", 1)
    return action


def resource_for(bucket: str, key: Optional[str]) -> str:
    return f"arn:aws:s3:::{bucket}" if key is None else f"arn:aws:s3:::{bucket}/{key}"


@functools.lru_cache(maxsize=1024)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern:
    """IAM's wildcards: `*` any run of characters, `?` one; nothing else is special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _matches(patterns: Any, value: str, ignore_case: bool) -> bool:
    return any(isinstance(p, str) and _glob(p, ignore_case).fullmatch(value) for p in _as_list(patterns))


def _names(principal: Any, account: Optional[str]) -> bool:
    """Whether a Principal element names the requester (an account id; None: anonymous)."""
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in _as_list(principal.get("AWS", [])):
        if value == "*":
            return True
        if account is not None and isinstance(value, str) and (
                value == account or value.startswith(f"arn:aws:iam::{account}:")):
            return True
    return False


def verdict(policy_text: Optional[str], account: Optional[str], action: str, resource: str) -> Optional[str]:
    """DENY, ALLOW, or None (no statement applies) for `account` (None: anonymous)."""
    if not policy_text:
        return None
    try:
        document = json.loads(policy_text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    allowed = False
    for statement in _as_list(document.get("Statement") or []):
        if not isinstance(statement, dict) or any(
                k in statement for k in ("Condition", "NotPrincipal", "NotAction", "NotResource")):
            continue
        if not (_names(statement.get("Principal"), account)
                and _matches(statement.get("Action"), action, ignore_case=True)
                and _matches(statement.get("Resource"), resource, ignore_case=False)):
            continue
        if statement.get("Effect") == DENY:
            return DENY
        allowed = allowed or statement.get("Effect") == ALLOW
    return ALLOW if allowed else None
