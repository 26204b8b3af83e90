"""The condition keys an S3 request carries, and who signed it, as a bucket policy's conditions and
NotPrincipal elements see them (the operators that test them: policy_conditions.py).

The keys (`RequestKeys`) are worked out the first time a statement asks for each, so a policy
without conditions costs nothing, and an object's tags (s3:ExistingObjectTag/<key>) are read from
storage only when a statement names them. Key names are case-insensitive; the tag key after the
`/` is not. Imports the request types, policy_conditions' key spelling and the standard library.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, unquote

from ...auth.info import AuthInfo
from ...protocol.http import HttpRequest
from .policy_conditions import Values

# -- the requester ------------------------------------------------------------------------------

#: Stands for an identity lakebox cannot name (an IAM user whose name S3 does not look up): no
#: NotPrincipal element names it, except "*".
_UNNAMED = frozenset({"\0unnamed"})


@dataclass(frozen=True)
class Principal:
    """Who signed the request, as the aws:Principal* keys and a NotPrincipal element see it."""
    account: Optional[str]  # None: anonymous
    kind: str  # aws:PrincipalType: Account, User, AssumedRole, FederatedUser or Anonymous
    arn: Optional[str] = None
    user_id: Optional[str] = None
    #: Each identity the request is evaluated as, by the names that denote it. AWS evaluates a
    #: user's request as the user and as its account, so a NotPrincipal that should spare the user
    #: must name both ("Otherwise, the policy might deny access to the entire account").
    identities: tuple[frozenset[str], ...] = ()


def _root(account: str) -> frozenset[str]:
    return frozenset({account, f"arn:aws:iam::{account}:root"})


def principal_of(config: Any, access_key: Optional[str], account: Optional[str]) -> Principal:
    """The principal behind `access_key` (None with `account` None: an unsigned request); `config`
    (lakebox's Config) tells STS sessions and IAM users from an account's own keys."""
    if account is None:
        return Principal(None, "Anonymous")
    root = _root(account)
    sessions, issued_keys = getattr(config, "sessions", None), getattr(config, "issued_keys", None)
    session = sessions.get(access_key) if sessions is not None and access_key else None
    if session is not None:
        arn = session.arn
        if session.kind == "assumed-role":
            # aws:PrincipalArn names the role, not the session (whose ARN only STS hands out).
            role = arn.split("/")[1] if arn.count("/") >= 2 else ""
            role_arn = f"arn:aws:iam::{account}:role/{role}"
            return Principal(account, "AssumedRole", role_arn, session.user_id,
                             (frozenset({arn, role_arn}), root))
        if session.kind == "federated-user":
            return Principal(account, "FederatedUser", arn, session.user_id, (frozenset({arn}), root))
        if arn.endswith(":root"):
            return Principal(account, "Account", arn, account, (root,))
        return Principal(account, "User", arn, session.user_id, (frozenset({arn}), root))
    issued = issued_keys(access_key) if issued_keys is not None and access_key else None
    if issued is not None:
        user = issued.find_user()
        if user is not None:
            return Principal(account, "User", user["Arn"], user["UserId"], (frozenset({user["Arn"]}), root))
        return Principal(account, "User", None, None, (_UNNAMED, root))
    return Principal(account, "Account", f"arn:aws:iam::{account}:root", account, (root,))


# -- the keys of a request ------------------------------------------------------------------------

#: s3: keys that are a request header of the same name.
_HEADER_KEYS = frozenset(name.lower() for name in (
    "x-amz-acl", "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp",
    "x-amz-grant-full-control", "x-amz-metadata-directive", "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-storage-class", "x-amz-content-sha256", "x-amz-object-ownership", "x-amz-object-lock-mode",
    "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold",
))
#: Operations whose query parameters are the s3:prefix, s3:delimiter and s3:max-keys keys.
_LISTINGS = frozenset({"ListObjects", "ListObjectsV2", "ListObjectVersions"})
_LIST_KEYS = {"s3:prefix": "prefix", "s3:delimiter": "delimiter", "s3:max-keys": "max-keys"}
#: The actions whose request context holds s3:ExistingObjectTag/<key> (S3's list: reads of an
#: object and of its sub-resources, and writes of those; not PutObject or DeleteObject).
_TAGGED_ACTIONS = frozenset(f"s3:{name}" for name in (
    "GetObject", "GetObjectVersion", "GetObjectAcl", "GetObjectVersionAcl", "GetObjectTagging",
    "GetObjectVersionTagging", "GetObjectAttributes", "GetObjectVersionAttributes", "PutObjectAcl",
    "PutObjectVersionAcl", "PutObjectTagging", "PutObjectVersionTagging", "DeleteObjectTagging",
    "DeleteObjectVersionTagging", "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold",
    "PutObjectLegalHold", "RestoreObject",
))


def _one(value: Optional[str]) -> Values:
    return None if value is None else (value,)


class RequestKeys:
    """The condition keys of one request, each worked out when a statement first asks for it.

    `request` None: a request lakebox cannot show, which carries only the principal's and the
    clock's keys (a browser form upload, `operation` PostObject, adds s3:authType POST; S3 would
    also read the form's fields as keys). The tags of the object a statement is about come with
    `for_object`.
    """

    def __init__(self, config: Any, account: Optional[str], access_key: Optional[str] = None,
                 request: Optional[HttpRequest] = None, auth: Optional[AuthInfo] = None,
                 params: Optional[dict] = None, operation: str = ""):
        self._config = config
        self._account = account
        self._access_key = access_key
        self._request = request
        self._auth = auth
        self._params = params or {}
        self._operation = operation
        self._found: dict[str, Values] = {}

    @functools.cached_property
    def principal(self) -> Principal:
        return principal_of(self._config, self._access_key, self._account)

    def for_object(self, action: str, existing_tags: Callable[[], Optional[dict]]) -> "ObjectKeys":
        """The keys as a statement about one object (or version) sees them: with that object's tags."""
        return ObjectKeys(self, existing_tags if action in _TAGGED_ACTIONS else None)

    def get(self, key: str) -> Values:
        """The values of `key` (as `normal_key` spells it), None when the request lacks it."""
        if key not in self._found:
            self._found[key] = self._work_out(key)
        return self._found[key]

    def _work_out(self, key: str) -> Values:
        prefix, slash, name = key.partition("/")
        if slash:
            tags = self._request_tags() if prefix == "s3:requestobjecttag" else None
            return _one(tags.get(name)) if tags is not None else None
        find = _KEYS.get(key)
        if find is not None:
            return find(self)
        if key.startswith("s3:") and key[3:] in _HEADER_KEYS and self._request is not None:
            return tuple(self._request.headers.get_all(key[3:])) or None
        return None

    def _request_tags(self) -> Optional[dict]:
        """The tags the request sets: its x-amz-tagging header, or PutObjectTagging's tag set."""
        if self._operation == "PutObjectTagging":
            tag_set = (self._params.get("Tagging") or {}).get("TagSet") or []
            return {str(t.get("Key", "")): str(t.get("Value", "")) for t in tag_set}
        header = self._request.headers.get("x-amz-tagging") if self._request is not None else None
        return dict(parse_qsl(header, keep_blank_values=True)) if header is not None else None

    # the keys that are not a header of the same name

    def _header(self, name: str) -> Values:
        return _one(self._request.headers.get(name)) if self._request is not None else None

    def _secure_transport(self) -> Values:
        return ("true" if self._request.scheme == "https" else "false",) if self._request is not None else None

    def _source_ip(self) -> Values:
        return _one(self._request.client) if self._request is not None else None

    def _copy_source(self) -> Values:
        value = self._header("x-amz-copy-source")
        return None if value is None else (unquote(value[0]).lstrip("/"),)

    def _listing(self, key: str) -> Values:
        if self._request is None or self._operation not in _LISTINGS:
            return None
        return _one(self._request.query_dict().get(_LIST_KEYS[key]))

    def _version_id(self) -> Values:
        return _one(self._request.query_dict().get("versionId")) if self._request is not None else None

    def _auth_type(self) -> Values:
        if self._operation == "PostObject":
            return ("POST",)
        kind = getattr(self._auth, "kind", "anonymous")
        if kind.endswith("-header"):
            return ("REST-HEADER",)
        return ("REST-QUERY-STRING",) if kind.endswith("-query") else None

    def _signature_version(self) -> Values:
        kind = getattr(self._auth, "kind", "anonymous")
        if kind.startswith("sigv2"):
            return ("AWS",)
        return _one(self._auth.algorithm) if kind.startswith("sigv4") else None

    def _signature_age(self) -> Values:
        signed = getattr(self._auth, "amz_date", None)
        if signed is None:
            return None
        return (str(int((time.time() - signed.timestamp()) * 1000)),)

    def _request_tag_keys(self) -> Values:
        tags = self._request_tags()
        return tuple(tags) if tags else None


class ObjectKeys:
    """A request's keys plus s3:ExistingObjectTag/<key>, the tags of the object a statement is
    about, read (once) only when a statement asks for one."""

    _UNREAD = object()

    def __init__(self, request_keys: RequestKeys, existing_tags: Optional[Callable[[], Optional[dict]]]):
        self._keys = request_keys
        self._existing_tags = existing_tags
        self._tags: Any = self._UNREAD

    @property
    def principal(self) -> Principal:
        return self._keys.principal

    def get(self, key: str) -> Values:
        prefix, slash, name = key.partition("/")
        if prefix != "s3:existingobjecttag" or not slash:
            return self._keys.get(key)
        if self._tags is self._UNREAD:
            self._tags = self._existing_tags() if self._existing_tags is not None else None
        return _one(self._tags.get(name)) if self._tags is not None else None


def _user_name(principal: Principal) -> Values:
    """aws:username: an IAM user's name (the last part of its ARN); other principals have none."""
    if principal.kind != "User" or not principal.arn:
        return None
    return _one(principal.arn.rsplit("/", 1)[-1])


def _principal_key(field: str) -> Callable[[RequestKeys], Values]:
    return lambda keys: _one(getattr(keys.principal, field))


#: Key -> how a request's value is found (the s3: header keys and tag keys aside).
_KEYS: dict[str, Callable[[RequestKeys], Values]] = {
    "aws:securetransport": RequestKeys._secure_transport,
    "aws:sourceip": RequestKeys._source_ip,
    "aws:currenttime": lambda keys: (datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),),
    "aws:epochtime": lambda keys: (str(int(time.time())),),
    "aws:referer": lambda keys: keys._header("referer"),
    "aws:useragent": lambda keys: keys._header("user-agent"),
    "aws:principalaccount": _principal_key("account"),
    "aws:principalarn": _principal_key("arn"),
    "aws:userid": _principal_key("user_id"),
    "aws:username": lambda keys: _user_name(keys.principal),
    "aws:principaltype": _principal_key("kind"),
    "s3:x-amz-copy-source": RequestKeys._copy_source,
    "s3:prefix": lambda keys: keys._listing("s3:prefix"),
    "s3:delimiter": lambda keys: keys._listing("s3:delimiter"),
    "s3:max-keys": lambda keys: keys._listing("s3:max-keys"),
    "s3:versionid": RequestKeys._version_id,
    "s3:authtype": RequestKeys._auth_type,
    "s3:signatureversion": RequestKeys._signature_version,
    "s3:signatureage": RequestKeys._signature_age,
    "s3:requestobjecttagkeys": RequestKeys._request_tag_keys,
}
