"""Tags on catalog resources: TagResource, UntagResource, GetTags, and `Tags` given at create time.

Tags are kept per ARN (`arn:aws:glue:<region>:<account>:database/<db>`, `table/<db>/<table>`,
`userDefinedFunction/<db>/<name>`, `connection/<name>`, `crawler/<name>`, `job/<name>`, `trigger/<name>`,
`workflow/<name>`, `session/<id>`, and the Schema Registry's `registry/<name>` and `schema/<registry>/<name>`) in the
catalog store's `tags` table, and forgotten with their resource. Crawlers, jobs, triggers, workflows,
registries and schemas live in their own stores, so their existence is checked there; their Create
operations' `Tags` land in the same rows.
"""

from __future__ import annotations

import sqlite3
from typing import Optional

from ...protocol.context import RequestContext
from .errors import entity_not_found, invalid_input
from .store import CatalogStore

#: resource type -> (store table, the key columns after `catalog`), for the existence check.
_RESOURCES = {
    "database": ("databases", ("name",)),
    "table": ("tables", ("db", "name")),
    "userDefinedFunction": ("functions", ("db", "name")),
    "connection": ("connections", ("name",)),
    "crawler": ("crawlers", ("name",)),
    "job": ("jobs", ("name",)),
    "trigger": ("triggers", ("name",)),
    "workflow": ("workflows", ("name",)),
    "registry": ("registries", ("name",)),
    "schema": ("schemas", ("registry", "name")),
    "session": ("sessions", ("id",)),
}
#: Names Glue keeps in their given case; the catalog's other names are lower case, in ARNs too.
_CASE_KEPT = {"connection", "crawler", "job", "trigger", "workflow", "registry", "schema", "session"}
#: Resources whose rows are in a store of their own rather than the catalog store: the attribute.
_OWN_STORE = {"crawler": "crawler_store", "job": "job_store", "trigger": "workflow_store",
              "workflow": "workflow_store", "registry": "schema_store", "schema": "schema_store",
              "session": "session_store"}


def put_tags(conn: sqlite3.Connection, arn: str, tags: Optional[dict]) -> None:
    for key, value in (tags or {}).items():
        conn.execute("INSERT OR REPLACE INTO tags (arn, key, value) VALUES (?, ?, ?)", (arn, key, value))


def tags_of(store: CatalogStore, arn: str) -> dict[str, str]:
    """The tags of `arn`, by key."""
    rows = store.read("SELECT key, value FROM tags WHERE arn = ? ORDER BY key", (arn,))
    return {r["key"]: r["value"] for r in rows}


def has_tags(store: CatalogStore, arn: str, wanted: dict) -> bool:
    """Whether `arn` carries every tag of `wanted` (a List operation's Tags filter)."""
    tags = tags_of(store, arn)
    return all(tags.get(k) == v for k, v in wanted.items())


def forget_tags(conn: sqlite3.Connection, arn: str, *, children: bool = False) -> None:
    """Drop the tags of `arn` (and, with `children`, of every ARN under `arn/`)."""
    conn.execute("DELETE FROM tags WHERE arn = ?", (arn,))
    if children:
        prefix = arn + "/"
        conn.execute("DELETE FROM tags WHERE substr(arn, 1, ?) = ?", (len(prefix), prefix))


def _resource_key(arn: str) -> tuple[str, str, tuple[str, ...]]:
    """(catalog key, resource type, names) of a catalog ARN; InvalidInputException otherwise."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "glue" or not parts[3] or not parts[4]:
        raise invalid_input(f"Resource ARN {arn} is invalid.")
    kind, _, path = parts[5].partition("/")
    names = tuple(path.split("/")) if path else ()
    if kind not in _RESOURCES or len(names) != len(_RESOURCES[kind][1]) or not all(names):
        raise invalid_input(f"Resource ARN {arn} is invalid.")
    return f"{parts[3]}:{parts[4]}", kind, names


class TagsMixin:
    store: CatalogStore
    crawler_store: CatalogStore

    def _check_resource(self, arn: str) -> str:
        """The ARN as the catalog spells it (lower-case names); EntityNotFoundException if it names nothing."""
        catalog, kind, names = _resource_key(arn)
        table, columns = _RESOURCES[kind]
        where = " AND ".join(f"{c} = ?" for c in ("catalog", *columns))
        lookup = names if kind in _CASE_KEPT else tuple(n.lower() for n in names)
        store = getattr(self, _OWN_STORE[kind]) if kind in _OWN_STORE else self.store
        if not store.read(f"SELECT 1 FROM {table} WHERE {where}", (catalog, *lookup)):
            raise entity_not_found(f"Resource {arn} not found.")
        region, account = catalog.split(":", 1)
        return f"arn:aws:glue:{region}:{account}:{kind}/{'/'.join(lookup)}"

    def tag_resource(self, ctx: RequestContext, params: dict) -> dict:
        arn = self._check_resource(params["ResourceArn"])
        with self.store.write() as db:
            put_tags(db, arn, params.get("TagsToAdd"))
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict) -> dict:
        arn = self._check_resource(params["ResourceArn"])
        with self.store.write() as db:
            for key in params.get("TagsToRemove") or []:
                db.execute("DELETE FROM tags WHERE arn = ? AND key = ?", (arn, key))
        return {}

    def get_tags(self, ctx: RequestContext, params: dict) -> dict:
        return {"Tags": tags_of(self.store, self._check_resource(params["ResourceArn"]))}
