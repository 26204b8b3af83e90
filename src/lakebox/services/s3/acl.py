"""Access control lists: what a request grants (canned ACL, x-amz-grant-* headers or an
AccessControlPolicy document), how it is stored, and how it reads back.

Why one module: CreateBucket, PutObject, CopyObject, CreateMultipartUpload, PutBucketAcl and
PutObjectAcl all accept the same three ways of saying who may do what, and S3 refuses the same
mistakes in each (a misspelt canned ACL, a canned ACL together with grant headers, an unknown group).
The stored form is the model's own `Grants` list plus the owner's account id, so GetBucketAcl and
GetObjectAcl answer it as it is, and the access check (`access.py`) reads it directly.

Ownership: who owns a new object depends on the bucket's ObjectOwnership setting (the writer under
ObjectWriter, the bucket owner under BucketOwnerEnforced, and under BucketOwnerPreferred when the
writer grants the bucket owner full control). An unsigned writer is S3's anonymous user
(`ANONYMOUS`), which owns what it writes like an account, and any unsigned request acts as it.
Under BucketOwnerEnforced ACLs are disabled, so any ACL other than bucket-owner-full-control (or
the same grant written out) is refused with AccessControlListNotSupported. Whom a grant lets in is
decided by `allows`, for access.py.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from .errors import invalid_argument, s3_error
from .headers import ANONYMOUS, ANONYMOUS_CANONICAL_ID, CANNED_ACLS, canonical_id, owner

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY})

FULL_CONTROL = "FULL_CONTROL"
READ = "READ"
WRITE = "WRITE"
READ_ACP = "READ_ACP"
WRITE_ACP = "WRITE_ACP"
PERMISSIONS = frozenset({FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP})

#: Names of the bucket's ACL and ObjectOwnership documents in the per-bucket configuration store.
ACL_CONFIG = "acl"
OWNERSHIP_CONFIG = "ownership_controls"

BUCKET_OWNER_ENFORCED = "BucketOwnerEnforced"
BUCKET_OWNER_PREFERRED = "BucketOwnerPreferred"
OBJECT_WRITER = "ObjectWriter"

#: Input member -> the permission its x-amz-grant-* header grants.
GRANT_HEADERS = {
    "GrantFullControl": FULL_CONTROL,
    "GrantRead": READ,
    "GrantWrite": WRITE,
    "GrantReadACP": READ_ACP,
    "GrantWriteACP": WRITE_ACP,
}

_GRANTEE_KINDS = {"id": "CanonicalUser", "uri": "Group", "emailaddress": "AmazonCustomerByEmail"}
_GRANTEE_ITEM = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))\s*(?:,|$)')


def has_acl_request(params: dict) -> bool:
    """Whether the request says anything about an ACL (canned or by grant headers)."""
    return params.get("ACL") is not None or any(params.get(m) is not None for m in GRANT_HEADERS)


def check_canned(value: Optional[str]) -> None:
    if value is not None and value not in CANNED_ACLS:
        raise invalid_argument("", "x-amz-acl", value)


def _grantee_user(account_id: str) -> dict:
    return {"Type": "CanonicalUser", **owner(account_id)}


def _group(uri: str) -> dict:
    return {"Type": "Group", "URI": uri}


def canned_grants(canned: str, owner_account: str, bucket_account: str) -> list[dict]:
    """The grants a canned ACL stands for, as S3 expands them."""
    grants = [{"Grantee": _grantee_user(owner_account), "Permission": FULL_CONTROL}]
    if canned == "public-read":
        grants.append({"Grantee": _group(ALL_USERS), "Permission": READ})
    elif canned == "public-read-write":
        grants.append({"Grantee": _group(ALL_USERS), "Permission": READ})
        grants.append({"Grantee": _group(ALL_USERS), "Permission": WRITE})
    elif canned == "authenticated-read":
        grants.append({"Grantee": _group(AUTHENTICATED_USERS), "Permission": READ})
    elif canned == "log-delivery-write":
        grants.append({"Grantee": _group(LOG_DELIVERY), "Permission": WRITE})
        grants.append({"Grantee": _group(LOG_DELIVERY), "Permission": READ_ACP})
    elif canned in ("bucket-owner-read", "bucket-owner-full-control") and bucket_account != owner_account:
        permission = READ if canned == "bucket-owner-read" else FULL_CONTROL
        grants.append({"Grantee": _grantee_user(bucket_account), "Permission": permission})
    # private and aws-exec-read: the owner alone (EC2's AMI-bundle read has no meaning here).
    return grants


#: A canonical user id as S3 writes them: 64 lower-case hex digits.
_CANONICAL_ID = re.compile(r"[0-9a-f]{64}\Z")

#: Argument names S3 gives a bad grantee: in a grant header, and in an AccessControlPolicy document.
_HEADER_ARGUMENTS = {"CanonicalUser": "id", "Group": "uri"}
_DOCUMENT_ARGUMENTS = {"CanonicalUser": "CanonicalUser/ID", "Group": "Group/URI"}


def check_canonical_id(value: str, argument: str, known_ids: Optional[frozenset[str]]) -> None:
    """InvalidArgument "Invalid id" for an id that cannot name an account: neither a canonical id
    nor one the configuration declares (`known_ids` None: not checked). Any well-formed id is
    accepted: lakebox cannot know every account that may exist."""
    if known_ids is not None and not (_CANONICAL_ID.match(value) or value in known_ids):
        raise invalid_argument("Invalid id", argument, value)


def parse_grant_header(value: str, header: str, known_ids: Optional[frozenset[str]] = None) -> list[dict]:
    """`id="…", uri="…", emailAddress="…"` (comma separated) into grantee dicts."""
    grantees, pos, text = [], 0, value.strip()
    while pos < len(text):
        match = _GRANTEE_ITEM.match(text, pos)
        if match is None or match.end() == pos:
            raise invalid_argument("Argument format not recognized", header, value)
        kind = _GRANTEE_KINDS.get(match.group(1).lower())
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        if kind is None or not raw:
            raise invalid_argument("Argument format not recognized", header, value)
        grantees.append(_grantee(kind, raw, _HEADER_ARGUMENTS, known_ids))
        pos = match.end()
    if not grantees:
        raise invalid_argument("Argument format not recognized", header, value)
    return grantees


def _grantee(kind: str, value: str, arguments: dict[str, str], known_ids: Optional[frozenset[str]]) -> dict:
    if kind == "CanonicalUser":
        check_canonical_id(value, arguments[kind], known_ids)
        return {"Type": kind, "ID": value}
    if kind == "Group":
        if value not in GROUPS:
            raise invalid_argument("Invalid group uri", arguments[kind], value)
        return {"Type": kind, "URI": value}
    return {"Type": kind, "EmailAddress": value}


def header_grants(params: dict, known_ids: Optional[frozenset[str]] = None) -> list[dict]:
    grants = []
    for member, permission in GRANT_HEADERS.items():
        value = params.get(member)
        if value is not None:
            header = "x-amz-grant-" + permission.lower().replace("_", "-")
            grants.extend({"Grantee": g, "Permission": permission}
                          for g in parse_grant_header(value, header, known_ids))
    return grants


def policy_grants(policy: dict, known_ids: Optional[frozenset[str]] = None) -> list[dict]:
    """The grants of an AccessControlPolicy document, checked as S3 checks them."""
    owner_id = (policy.get("Owner") or {}).get("ID")
    if not owner_id:
        raise s3_error("MalformedACLError")
    check_canonical_id(owner_id, _DOCUMENT_ARGUMENTS["CanonicalUser"], known_ids)
    grants = []
    for grant in policy.get("Grants") or []:
        grantee = grant.get("Grantee") or {}
        permission = grant.get("Permission")
        if permission not in PERMISSIONS:
            raise s3_error("MalformedACLError")
        kind = grantee.get("Type")
        value = {"CanonicalUser": grantee.get("ID"), "Group": grantee.get("URI"),
                 "AmazonCustomerByEmail": grantee.get("EmailAddress")}.get(kind)
        if not value:
            raise s3_error("MalformedACLError")
        # A DisplayName sent with a grantee is dropped: S3 no longer keeps or answers one.
        grants.append({"Grantee": _grantee(kind, value, _DOCUMENT_ARGUMENTS, known_ids), "Permission": permission})
    return grants


def requested_acl(params: dict, owner_account: str, bucket_account: str, *, body: bool = False,
                  known_ids: Optional[frozenset[str]] = None) -> Optional[dict]:
    """The ACL a write or Put*Acl request asks for, or None when it asks for none.

    `body` allows an AccessControlPolicy document (Put*Acl only); a document that is present but
    empty is malformed, like one without an owner. A canned ACL together with grant headers, or a
    document together with either, is refused as S3 refuses it. `known_ids`: the configured
    canonical ids beside the canonical form that grantees may name (None: ids are not checked).
    """
    canned = params.get("ACL")
    check_canned(canned)
    grants = header_grants(params, known_ids)
    policy = params.get("AccessControlPolicy") if body else None
    if canned is not None and grants:
        raise invalid_request_both()
    if policy and (canned is not None or grants):
        raise s3_error("UnexpectedContent")
    if policy is not None and canned is None and not grants:
        return {"Owner": owner_account, "Grants": policy_grants(policy, known_ids)}
    if canned is not None:
        return {"Owner": owner_account, "Grants": canned_grants(canned, owner_account, bucket_account)}
    if grants:
        return {"Owner": owner_account, "Grants": grants}
    return None


def invalid_request_both() -> Exception:
    return s3_error("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed")


def default_acl(owner_account: str) -> dict:
    return {"Owner": owner_account, "Grants": canned_grants("private", owner_account, owner_account)}


def is_bucket_owner_full_control(params: dict) -> bool:
    return params.get("ACL") == "bucket-owner-full-control" and not header_grants(params)


def only_owner_full_control(acl: Optional[dict], owner_account: str) -> bool:
    """Whether an ACL grants nothing but FULL_CONTROL to `owner_account` (None: the default, which
    is just that). This is what a bucket that disables ACLs still accepts, in any spelling."""
    if acl is None:
        return True
    me = canonical_id(owner_account)
    grants = acl.get("Grants") or []
    return bool(grants) and all((g.get("Grantee") or {}).get("ID") == me and g.get("Permission") == FULL_CONTROL
                                for g in grants)


def new_object_acl(params: dict, writer: str, bucket_account: str, ownership: Optional[str],
                   known_ids: Optional[frozenset[str]] = None) -> Optional[dict]:
    """The ACL a new object gets from its write request; None for the default (the bucket owner
    owns it, alone), so the common write stores nothing extra.

    `ownership` is the bucket's ObjectOwnership setting (None: never set, which S3 treats as
    ObjectWriter, as for buckets made before 2023 or under LAKEBOX_S3_OBJECT_OWNERSHIP=ObjectWriter).
    """
    if ownership == BUCKET_OWNER_ENFORCED:
        if has_acl_request(params) and not is_bucket_owner_full_control(params):
            raise s3_error("AccessControlListNotSupported")
        return None
    owner_account = writer
    if ownership == BUCKET_OWNER_PREFERRED and is_bucket_owner_full_control(params):
        owner_account = bucket_account
    acl = requested_acl(params, owner_account, bucket_account, known_ids=known_ids)
    if acl is None:
        if owner_account == bucket_account:
            return None
        acl = default_acl(owner_account)
    return acl


def owner_of(acl: Optional[dict], default_account: str) -> str:
    """The account that owns a bucket or object (ANONYMOUS: S3's anonymous user)."""
    return (acl or {}).get("Owner") or default_account


def owned_by(acl: Optional[dict], default_account: str, account: Optional[str]) -> bool:
    """Whether `account` (None: an anonymous request) owns what `acl` belongs to."""
    return owner_of(acl, default_account) == (ANONYMOUS if account is None else account)


def rendered(acl: Optional[dict], default_account: str) -> dict[str, Any]:
    """GetBucketAcl / GetObjectAcl output for a stored ACL (None: the default).

    Grantees carry no DisplayName, even ones stored by an earlier version: S3 answers none since 2025.
    """
    acl = acl or default_acl(default_account)
    account = owner_of(acl, default_account)
    grants = []
    for grant in acl.get("Grants", []):
        grantee = {k: v for k, v in (grant.get("Grantee") or {}).items() if k != "DisplayName"}
        grants.append({"Grantee": grantee, "Permission": grant.get("Permission")})
    return {"Owner": owner(account), "Grants": grants}


def grantees_of(account: Optional[str], *, public: bool = True, aliases: Iterable[str] = ()) -> frozenset[str]:
    """The grantee ids and group URIs a requester answers to: an account (None: an anonymous
    request) is its canonical user (and any `aliases`, canonical ids configured for its keys),
    AuthenticatedUsers and AllUsers; an anonymous request is S3's anonymous user and AllUsers.
    Without `public` (the bucket ignores public ACLs) the groups count for nothing."""
    names = {ANONYMOUS_CANONICAL_ID} if account is None else {canonical_id(account), *aliases}
    if public:
        names.add(ALL_USERS)
        if account is not None:
            names.add(AUTHENTICATED_USERS)
    return frozenset(names)


def allows(acl: Optional[dict], permission: str, grantees: frozenset[str]) -> bool:
    """Whether the ACL grants `permission` (or FULL_CONTROL) to one of `grantees` (see grantees_of).
    None, the default ACL, grants nothing to anyone but the owner."""
    for grant in (acl or {}).get("Grants", []):
        if grant.get("Permission") in (permission, FULL_CONTROL):
            grantee = grant.get("Grantee") or {}
            if grantee.get("ID") in grantees or grantee.get("URI") in grantees:
                return True
    return False


def is_public(acl: Optional[dict]) -> bool:
    """Whether the ACL grants anything to everyone (AllUsers or AuthenticatedUsers)."""
    return any((g.get("Grantee") or {}).get("URI") in (ALL_USERS, AUTHENTICATED_USERS)
               for g in (acl or {}).get("Grants", []))
