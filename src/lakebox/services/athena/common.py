"""Helpers every Athena area shares: scopes, ARNs, paging tokens, and tags."""

from __future__ import annotations

import base64
import sqlite3
from typing import Optional, Sequence

from ...protocol.context import RequestContext
from .errors import invalid_request

PRIMARY = "primary"
#: The one SQL engine Athena runs since it retired engine version 2, and the one lakebox answers as.
ENGINE_V3 = "Athena engine version 3"
#: What ListEngineVersions offers, and so all a workgroup may select: AUTO lets Athena choose.
ENGINE_VERSIONS = ({"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": ENGINE_V3},
                   {"SelectedEngineVersion": ENGINE_V3, "EffectiveEngineVersion": ENGINE_V3})
ENGINE_VERSION = ENGINE_VERSIONS[0]


def scope(ctx: RequestContext) -> str:
    return f"{ctx.account_id}:{ctx.region}"


def arn(ctx: RequestContext, resource: str) -> str:
    return f"arn:aws:athena:{ctx.region}:{ctx.account_id}:{resource}"


def page(items: Sequence, token: Optional[str], max_results: Optional[int], default: int):
    """One page of `items` and the token of the next, or None. Tokens are opaque offsets."""
    start = 0
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError:
            raise invalid_request("The NextToken provided is invalid.") from None
    size = max_results or default
    chunk = list(items[start:start + size])
    following = start + size
    next_token = base64.urlsafe_b64encode(str(following).encode()).decode() if following < len(items) else None
    return chunk, next_token


def put_tags(db: sqlite3.Connection, resource_arn: str, tags: Optional[list]) -> None:
    """Store `tags` in the caller's transaction. A tag without a key (the model leaves Key optional)
    is refused as Athena's front end refuses a null member, and the caller's transaction rolls back."""
    missing = [number for number, tag in enumerate(tags or [], 1) if tag.get("Key") is None]
    if missing:
        raise invalid_request(f"{len(missing)} validation error{'s' if len(missing) > 1 else ''} detected: " + "; ".join(
            f"Value null at 'tags.{number}.member.key' failed to satisfy constraint: Member must not be null"
            for number in missing))
    for tag in tags or []:
        db.execute("INSERT OR REPLACE INTO tags (arn, key, value) VALUES (?, ?, ?)",
                   (resource_arn, tag["Key"], tag.get("Value", "")))


def forget_tags(db: sqlite3.Connection, resource_arn: str) -> None:
    db.execute("DELETE FROM tags WHERE arn = ?", (resource_arn,))
