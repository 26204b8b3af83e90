"""`IamStore`: every IAM entity as one JSON document in SQLite, keyed by account, kind and name.

IAM is global, so entities belong to an account, not a region. Names are not distinguished by case
(AWS: no roles `Role1` and `role1` in one account), so the key is the name in lower case and the
document keeps it as given. A change is read, modified and written back under one lock inside one
transaction, so a refused request leaves nothing changed.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Iterable, Optional

from ...storage.sqlite_db import SqliteDatabase

SCHEMA_VERSION = 1
SCHEMA = ["""CREATE TABLE entities (
    account TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (account, kind, name))"""]


class IamStore:
    def __init__(self, root: Path):
        self.db = SqliteDatabase(Path(root) / "iam.db")
        self.db.apply_schema(SCHEMA, version=SCHEMA_VERSION)
        #: Held across a read-modify-write, so two changes never interleave.
        self.lock = threading.RLock()
        #: access key id -> (account, document) of every key IAM issued. The gateway resolves the
        #: caller's key on every request, so they are held in memory too, kept in step by the writes.
        self._access_keys: dict[str, tuple[str, dict]] = {}
        for row in self.db.read("SELECT account, doc FROM entities WHERE kind = 'access-key'", ()):
            doc = json.loads(row["doc"])
            self._access_keys[doc["AccessKeyId"]] = (row["account"], doc)

    def access_key(self, access_key_id: str) -> Optional[tuple[str, dict]]:
        """(account, document) of an access key IAM issued, whichever account holds it."""
        return self._access_keys.get(access_key_id)

    def owner_of(self, kind: str, name: str) -> Optional[str]:
        """The account holding the entity `kind`/`name`, whichever it is (account aliases are unique
        across accounts)."""
        rows = self.db.read("SELECT account FROM entities WHERE kind = ? AND name = ?", (kind, name.lower()))
        return rows[0]["account"] if rows else None

    def get(self, account: str, kind: str, name: str) -> Optional[dict]:
        rows = self.db.read("SELECT doc FROM entities WHERE account = ? AND kind = ? AND name = ?",
                            (account, kind, name.lower()))
        return json.loads(rows[0]["doc"]) if rows else None

    def all(self, account: str, kind: str) -> list[dict]:
        rows = self.db.read("SELECT doc FROM entities WHERE account = ? AND kind = ? ORDER BY name",
                            (account, kind))
        return [json.loads(row["doc"]) for row in rows]

    def after(self, account: str, kind: str, after: Optional[str], limit: int) -> list[dict]:
        """Up to `limit` entities whose key sorts after `after` (a name, any case), in key order."""
        rows = self.db.read("SELECT doc FROM entities WHERE account = ? AND kind = ? AND name > ? ORDER BY name "
                            "LIMIT ?", (account, kind, (after or "").lower(), limit))
        return [json.loads(row["doc"]) for row in rows]

    def put(self, account: str, kind: str, name: str, doc: dict) -> None:
        self.put_many(account, [(kind, name, doc)])

    def put_many(self, account: str, docs: list[tuple[str, str, dict]],
                 deletes: Iterable[tuple[str, str]] = ()) -> None:
        """Write `docs` and remove the (kind, name) entities in `deletes`, in one transaction."""
        deletes = list(deletes)
        with self.db.write() as db:
            db.executemany("DELETE FROM entities WHERE account = ? AND kind = ? AND name = ?",
                           [(account, kind, name.lower()) for kind, name in deletes])
            db.executemany("INSERT INTO entities (account, kind, name, doc) VALUES (?, ?, ?, ?) "
                           "ON CONFLICT (account, kind, name) DO UPDATE SET doc = excluded.doc",
                           [(account, kind, name.lower(), json.dumps(doc)) for kind, name, doc in docs])
        for kind, name in deletes:
            if kind == "access-key":
                self._forget_key(account, name)
        for kind, _, doc in docs:
            if kind == "access-key":
                self._access_keys[doc["AccessKeyId"]] = (account, doc)

    def delete(self, account: str, kind: str, name: str) -> None:
        self.put_many(account, [], deletes=[(kind, name)])

    def _forget_key(self, account: str, name: str) -> None:
        for key_id in [k for k, (owner, _) in self._access_keys.items()
                       if owner == account and k.lower() == name.lower()]:
            del self._access_keys[key_id]

    def close(self) -> None:
        self.db.close()
