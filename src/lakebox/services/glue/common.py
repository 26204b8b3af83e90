"""What every catalog area shares: the catalog key, name rules, lookups, ARNs and page tokens."""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from typing import Any, Optional

from ...protocol.context import RequestContext
from .errors import database_not_found, invalid_input, table_not_found
from .store import decode

#: Glue's documented quotas that a local catalog can reach in tests and scripts.
MAX_DATABASES = 10_000
MAX_TABLES_PER_DATABASE = 200_000
MAX_TABLE_VERSIONS_PER_TABLE = 100_000
MAX_PARTITION_INDEXES_PER_TABLE = 3


def catalog_id(ctx: RequestContext, params: dict) -> str:
    return params.get("CatalogId") or ctx.account_id


def catalog_key(ctx: RequestContext, params: dict) -> str:
    """The store's key of the catalog a request addresses: `<region>:<catalog id>`."""
    return f"{ctx.region}:{catalog_id(ctx, params)}"


def owner_key(ctx: RequestContext) -> str:
    """The store key of resources that belong to the caller's account in one region rather than to a
    catalog (crawlers, classifiers, jobs, triggers, workflows, registries, security configurations):
    `<region>:<account>`."""
    return f"{ctx.region}:{ctx.account_id}"


def resource_arn(ctx: RequestContext, resource: str) -> str:
    """`arn:aws:glue:<region>:<account>:<resource>`, e.g. resource `crawler/nightly`."""
    return f"arn:aws:glue:{ctx.region}:{ctx.account_id}:{resource}"


def lower(name: str) -> str:
    # Glue lower-cases database, table and function names, for Hive compatibility.
    return name.lower()


def load_database(conn: sqlite3.Connection, catalog: str, name: str) -> dict:
    row = conn.execute("SELECT doc FROM databases WHERE catalog = ? AND name = ?", (catalog, name)).fetchone()
    if row is None:
        raise database_not_found(name)
    return decode(row["doc"])


def load_table(conn: sqlite3.Connection, catalog: str, db: str, name: str) -> dict:
    """The table's current document; EntityNotFoundException for a missing database or table."""
    row = conn.execute("SELECT doc FROM tables WHERE catalog = ? AND db = ? AND name = ?",
                       (catalog, db, name)).fetchone()
    if row is None:
        load_database(conn, catalog, db)
        raise table_not_found(name)
    return decode(row["doc"])


def check_partition_values(table: dict, values: list[str]) -> None:
    if len(values) != len(table.get("PartitionKeys") or []):
        raise invalid_input("The number of partition keys do not match the number of partition values")


def region_of(catalog: str) -> str:
    return catalog.split(":", 1)[0]


def arn(ctx: RequestContext, params: dict, resource: str) -> str:
    return f"arn:aws:glue:{ctx.region}:{catalog_id(ctx, params)}:{resource}"


# -- pagination ----------------------------------------------------------------------------------------

def make_token(position: Any) -> str:
    """An opaque NextToken holding where the next page starts."""
    return base64.urlsafe_b64encode(json.dumps(position).encode("utf-8")).decode("ascii")


def read_token(token: Optional[str]) -> Any:
    if not token:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise invalid_input("Invalid pagination token.") from None


def page(items: list, token: Optional[str], max_results: Optional[int], default: int) -> tuple[list, Optional[str]]:
    """Offset-free paging over a list sorted by a unique `key`: (items of this page, next token).

    `items` are (key, value) pairs sorted by key; the token holds the last key returned, so a page
    stays correct when items are added or removed between calls.
    """
    after = read_token(token)
    if after is not None:
        if not isinstance(after, str):
            raise invalid_input("Invalid pagination token.")
        items = [item for item in items if item[0] > after]
    limit = max_results or default
    chunk = items[:limit]
    next_token = make_token(chunk[-1][0]) if len(items) > limit else None
    return [value for _, value in chunk], next_token
