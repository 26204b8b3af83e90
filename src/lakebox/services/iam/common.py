"""What the IAM operation modules share: AWS's errors, ids, ARNs, policy documents and paging."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from typing import Optional
from urllib.parse import quote

from ...protocol.errors import AwsError

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
PATH = re.compile(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)")
DEFAULT_MAX_ITEMS = 100


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


def new_id(prefix: str, length: int = 17) -> str:
    """An entity id in AWS's shape: AROA/AIDA/ANPA/AIPA plus 17 characters, AKIA plus 16."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def arn(account: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def check_path(path: Optional[str]) -> str:
    path = path or "/"
    if not PATH.fullmatch(path):
        raise AwsError("ValidationError", "The specified value for path is invalid. It must begin and end with / "
                                          "and contain only alphanumeric characters and/or / characters.", 400)
    return path


def checked_document(text: str) -> str:
    """A policy document as given, once it parses as a policy: JSON with a Statement (or trust policy)."""
    try:
        document = json.loads(text)
    except (TypeError, ValueError):
        raise malformed_policy("This policy contains invalid Json") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise malformed_policy("Syntax errors in policy.")
    statements = document["Statement"]
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise malformed_policy("Syntax errors in policy.")
    return text


def encoded(document: str) -> str:
    """Policy documents go out URL-encoded, as IAM sends them (botocore decodes them)."""
    return quote(document, safe="")


def now_iso(provider) -> str:
    return dt.datetime.fromtimestamp(provider.config.clock.now_ns() / 1e9, dt.timezone.utc).isoformat()


def timestamp(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


def page(items: list, params: dict, key: str, marker_of) -> dict:
    """IAM's Marker/MaxItems paging over `items` (already in order)."""
    marker = params.get("Marker")
    if marker:
        position = next((i for i, item in enumerate(items) if marker_of(item) == marker), None)
        if position is None:
            raise invalid_input("Invalid Marker.")
        items = items[position:]
    limit = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    out = {key: items[:limit], "IsTruncated": len(items) > limit}
    if len(items) > limit:
        out["Marker"] = marker_of(items[limit])
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
