"""Bucket policies as access.py applies them: to other accounts and anonymous requests, and the
explicit Deny statements to the bucket owner too.

Why here: the documents that open a bucket to another account or to everyone, or shut it to them
under conditions ("deny uploads without SSE", "allow reads of objects tagged public", "only from
this network"), must work the way they work on AWS. Identity policies, users and roles belong to
the IAM issue. So:

- A statement applies when its principal, action, resource and Condition all match the request.
  Principal: "*", {"AWS": "*"}, an account id or root ARN, or a user's or role's ARN (see `_names`). NotPrincipal applies
  to everyone it does not name; it names an identity exactly (the account id or its root ARN names
  the account, a role or session ARN that session), and a request is evaluated as the principal
  and as its account, so a NotPrincipal must name both to spare a user or role. Action and
  Resource (and their Not forms) use `*` and `?` wildcards, and Resource and string or ARN
  condition values take policy variables (`${aws:username}` ..., policy_variables.py). Conditions:
  policy_conditions.py; the keys they test: policy_request_keys.py.
- An explicit Deny wins over every Allow and over every ACL grant; an Allow lets the request in
  where no ACL does; no matching statement leaves the decision to the ACLs.
- Each policy text is parsed and compiled once (`_compiled`, cached by its text).
- The bucket owner is bound by the Deny statements that name it (or everyone), except for the
  policy operations themselves (access.py).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any, Optional, Union

from .policy_conditions import ConditionBlock, compile_block, wildcard
from .policy_request_keys import ObjectKeys, Principal, RequestKeys
from .policy_variables import has_variables, resource_pattern

ALLOW = "Allow"
DENY = "Deny"

Keys = Union[RequestKeys, ObjectKeys]

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


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _patterns(value: Any, ignore_case: bool) -> Optional[tuple[Union[re.Pattern, str], ...]]:
    """An Action or Resource element's patterns, compiled (None: the statement has no such element).
    An entry with policy variables stays text, compiled for each request (policy_variables.py)."""
    if value is None:
        return None
    return tuple(p if has_variables(p) else wildcard(p, ignore_case) for p in _as_list(value) if isinstance(p, str))


def _matches(patterns: tuple[Union[re.Pattern, str], ...], value: str, keys: Any = None,
             ignore_case: bool = False) -> bool:
    for pattern in patterns:
        if isinstance(pattern, str):
            pattern = resource_pattern(pattern, keys, ignore_case)
            if pattern is None:
                continue
        if pattern.fullmatch(value):
            return True
    return False


def _names(principal: Any, account: Optional[str], requester: Optional[Principal] = None) -> bool:
    """Whether a Principal element names the requester (an account id; None: anonymous).

    The account id or root ARN names everyone of the account. A user's or role's ARN names that
    identity: a requester lakebox knows by ARN (an IAM user's key, an STS session) matches only its
    own; an account's own keys match any ARN of the account, since lakebox cannot tell which of
    its identities such a key stands for.
    """
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in _as_list(principal.get("AWS", [])):
        if value == "*":
            return True
        if account is None or not isinstance(value, str):
            continue
        if value in (account, f"arn:aws:iam::{account}:root"):
            return True
        if value.startswith(f"arn:aws:iam::{account}:"):
            if requester is None or requester.kind == "Account" or requester.arn is None:
                return True
            if any(value in identity for identity in requester.identities):
                return True
    return False


def _spares(not_principal: Any, principal: Principal) -> bool:
    """Whether a NotPrincipal element names every identity the request is evaluated as."""
    if not_principal == "*":
        return True
    if not isinstance(not_principal, dict):
        return False
    named = {v for v in _as_list(not_principal.get("AWS", [])) if isinstance(v, str)}
    if "*" in named:
        return True
    return bool(principal.identities) and all(identity & named for identity in principal.identities)


@dataclass(frozen=True)
class _Statement:
    allow: bool
    principal: Any
    not_principal: Any
    actions: Optional[tuple[re.Pattern, ...]]
    not_actions: Optional[tuple[re.Pattern, ...]]
    resources: Optional[tuple[re.Pattern, ...]]
    not_resources: Optional[tuple[re.Pattern, ...]]
    condition: Optional[ConditionBlock]

    def names(self, account: Optional[str], keys: Keys) -> bool:
        if self.not_principal is not None:
            return not _spares(self.not_principal, keys.principal)
        return self.principal is not None and _names(self.principal, account, keys.principal)

    def covers(self, action: str, resource: str, keys: Any = None) -> bool:
        if self.actions is not None:
            if not _matches(self.actions, action, keys, ignore_case=True):
                return False
        elif self.not_actions is None or _matches(self.not_actions, action, keys, ignore_case=True):
            return False
        if self.resources is not None:
            return _matches(self.resources, resource, keys)
        return self.not_resources is not None and not _matches(self.not_resources, resource, keys)


def _statement(raw: dict) -> Optional[_Statement]:
    effect = raw.get("Effect")
    if effect not in (ALLOW, DENY):
        return None
    condition = raw.get("Condition")
    return _Statement(
        allow=effect == ALLOW, principal=raw.get("Principal"), not_principal=raw.get("NotPrincipal"),
        actions=_patterns(raw.get("Action"), ignore_case=True),
        not_actions=_patterns(raw.get("NotAction"), ignore_case=True),
        resources=_patterns(raw.get("Resource"), ignore_case=False),
        not_resources=_patterns(raw.get("NotResource"), ignore_case=False),
        condition=compile_block(condition) if condition is not None else None)


@functools.lru_cache(maxsize=256)
def _compiled(policy_text: str) -> tuple[_Statement, ...]:
    """A policy's statements, compiled once per text (a stored policy is read on every request)."""
    try:
        document = json.loads(policy_text)
    except ValueError:
        return ()
    if not isinstance(document, dict):
        return ()
    statements = (_statement(s) for s in _as_list(document.get("Statement") or []) if isinstance(s, dict))
    return tuple(s for s in statements if s is not None)


def verdict(policy_text: Optional[str], account: Optional[str], action: str, resource: str,
            keys: Optional[Keys] = None) -> Optional[str]:
    """DENY, ALLOW, or None (no statement applies) for `account` (None: anonymous), whose request's
    condition keys `keys` holds (None: only the account's own)."""
    if not policy_text:
        return None
    if keys is None:
        keys = RequestKeys(None, account)
    allowed = False
    for statement in _compiled(policy_text):
        if allowed and statement.allow:
            continue  # only a Deny can change the answer now
        if not (statement.covers(action, resource, keys) and statement.names(account, keys)):
            continue
        if statement.condition is not None and not statement.condition.holds(keys):
            continue
        if not statement.allow:
            return DENY
        allowed = True
    return ALLOW if allowed else None
