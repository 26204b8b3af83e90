"""What the IAM operation modules share: AWS's errors, ids, ARNs, policy documents and paging."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
from typing import Callable, Optional
from urllib.parse import quote

from ...protocol.errors import AwsError

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
PATH = re.compile(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)")
DEFAULT_MAX_ITEMS = 100
#: The model's pattern for role, user, policy and instance profile names (not checked generically).
NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
#: Size limits of policy documents, in characters without white space (AWS IAM quotas).
INLINE_ROLE_POLICY_LIMIT = 10_240
INLINE_USER_POLICY_LIMIT = 2_048
INLINE_GROUP_POLICY_LIMIT = 5_120
MANAGED_POLICY_LIMIT = 6_144
TRUST_POLICY_LIMIT = 2_048


def no_such_entity(message: str) -> AwsError:
    return AwsError("NoSuchEntity", message, 404)


def already_exists(message: str) -> AwsError:
    return AwsError("EntityAlreadyExists", message, 409)


def delete_conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message, 409)


def limit_exceeded(message: str) -> AwsError:
    return AwsError("LimitExceeded", message, 409)


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInput", message, 400)


def malformed_policy(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocument", message, 400)


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationError", message, 400)


def check_arn(value: str) -> str:
    """An ARN as IAM parses it before looking anything up: `arn:partition:service:region:account:resource`.
    A bare name is refused with AWS's words (the double space is theirs)."""
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        raise validation_error("Invalid ARN:  Could not be parsed!")
    return value


def new_id(prefix: str, length: int = 17) -> str:
    """An entity id in AWS's shape: AROA/AIDA/ANPA/AIPA plus 17 characters, AKIA plus 16."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def arn(account: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def check_name(name: str, member: str) -> str:
    if not NAME.fullmatch(name):
        raise AwsError("ValidationError", f"1 validation error detected: Value '{name}' at '{member}' failed to "
                                          f"satisfy constraint: Member must satisfy regular expression pattern: "
                                          f"{NAME.pattern}", 400)
    return name


def check_path(path: Optional[str]) -> str:
    path = path or "/"
    if not PATH.fullmatch(path):
        raise AwsError("ValidationError", "The specified value for path is invalid. It must begin and end with / "
                                          "and contain only alphanumeric characters and/or / characters.", 400)
    return path


def checked_document(text: str, *, trust: bool = False, limit: Optional[int] = None) -> str:
    """A policy document as given, once it reads as one, within `limit`: an identity policy passes
    IAM's full grammar (policy_grammar.py); a trust policy is JSON with statements that have an
    Effect, an Action and a Principal."""
    if not trust:
        from .policy_grammar import check_identity_policy

        check_identity_policy(text)
        if limit is not None and len(re.sub(r"\s", "", text)) > limit:
            raise limit_exceeded(f"Cannot exceed quota for PolicySize: {limit}")
        return text
    try:
        document = json.loads(text)
    except (TypeError, ValueError):
        raise malformed_policy("This policy contains invalid Json") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise malformed_policy("Syntax errors in policy.")
    if "Version" in document and document["Version"] not in POLICY_VERSIONS:
        raise malformed_policy("The policy must contain a valid version string")
    statements = document["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    if not statements:
        raise malformed_policy("Syntax errors in policy.")
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise malformed_policy("Syntax errors in policy.")
        if "Action" not in statement and "NotAction" not in statement:
            raise malformed_policy("Policy statement must contain actions.")
        if trust and "Principal" not in statement and "NotPrincipal" not in statement:
            raise malformed_policy("Has prohibited field Resource." if "Resource" in statement
                                   else "Missing required field Principal")
        if not trust and "Resource" not in statement and "NotResource" not in statement:
            raise malformed_policy("Policy statement must contain resources.")
    if limit is not None and len(re.sub(r"\s", "", text)) > limit:
        raise limit_exceeded(f"Cannot exceed quota for PolicySize: {limit}")
    return text


def encoded(document: str) -> str:
    """Policy documents go out URL-encoded, as IAM sends them (botocore decodes them)."""
    return quote(document, safe="")


def now_iso(provider) -> str:
    return dt.datetime.fromtimestamp(provider.config.clock.now_ns() / 1e9, dt.timezone.utc).isoformat()


def timestamp(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


def _marker(sort_key: str) -> str:
    return base64.urlsafe_b64encode(sort_key.encode()).decode()


def marker_position(params: dict) -> Optional[str]:
    """The sort key the page starts after, from an opaque Marker we handed out."""
    marker = params.get("Marker")
    if not marker:
        return None
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise invalid_input("Invalid Marker.") from None


def page(items: list, params: dict, key: str, sort_key: Callable) -> dict:
    """IAM's Marker/MaxItems paging over `items`, in the order of `sort_key`. A marker names the
    last item shown, so a page goes on after it even if it was deleted meanwhile."""
    items = sorted(items, key=sort_key)
    after = marker_position(params)
    if after is not None:
        items = [item for item in items if sort_key(item) > after]
    return page_of(items, params, key, sort_key)


def page_of(items: list, params: dict, key: str, sort_key: Callable) -> dict:
    """The page for `items` that already start after the marker (at most MaxItems + 1 of them)."""
    limit = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    out = {key: items[:limit], "IsTruncated": len(items) > limit}
    if len(items) > limit:
        out["Marker"] = _marker(sort_key(items[limit - 1]))
    return out


def put_new(store, account: str, kind: str, key: str, doc: dict, exists: AwsError) -> None:
    """Store a new entity under `key`, or raise `exists` (EntityAlreadyExists in the kind's own
    words) if the account already has one there."""
    with store.lock:
        if store.get(account, kind, key) is not None:
            raise exists
        store.put(account, kind, key, doc)


def with_tags(out: dict, doc: dict) -> dict:
    """A Create answer: the entity's tags are shown only when it was given some."""
    if doc.get("Tags"):
        out["Tags"] = doc["Tags"]
    return out


def tags_of(params: dict) -> list[dict]:
    tags = params.get("Tags") or []
    if len(tags) > 50:
        raise limit_exceeded("The number of tags has reached the maximum limit.")
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags]


def merged_tags(current: list[dict], added: list[dict]) -> list[dict]:
    tags = {t["Key"]: t["Value"] for t in current}
    for tag in added:
        tags[tag["Key"]] = tag.get("Value", "")
    if len(tags) > 50:
        raise limit_exceeded("The number of tags has reached the maximum limit.")
    return [{"Key": k, "Value": v} for k, v in tags.items()]
