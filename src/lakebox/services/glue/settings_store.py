"""The Data Catalog's security settings: `<data>/.lakebox/glue/settings.db`, beside the catalog and the
crawlers and built the same way (WAL, one writer, write-through; see store.py), so an acknowledged
Put survives a restart and `kill -9`.

Why a file of its own: these settings are account-level documents that no catalog or crawler
transaction ever joins, and keeping them apart lets this area change its schema without touching
catalog.db.

- `encryption_settings`: each catalog's `DataCatalogEncryptionSettings`, as last put;
- `resource_policies`: each resource policy, keyed by the ARN it is attached to (the catalog's own
  ARN for the Data Catalog policy), shaped like the API's `GluePolicy`;
- `security_configurations`: each security configuration, shaped like the API's
  `SecurityConfiguration`.
Rows are keyed by `catalog`, `<region>:<account or catalog id>`, like the catalog's.
"""

from __future__ import annotations

import sqlite3

from .store import CatalogStore, decode, encode

SETTINGS_SCHEMA_VERSION = 1

SETTINGS_SCHEMA = [
    "CREATE TABLE encryption_settings (catalog TEXT NOT NULL PRIMARY KEY, doc TEXT NOT NULL)",
    ("CREATE TABLE resource_policies (catalog TEXT NOT NULL, arn TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY (catalog, arn))"),
    ("CREATE TABLE security_configurations (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY (catalog, name))"),
]


class SettingsStore(CatalogStore):
    def _create_schema(self) -> None:
        self.apply_schema(SETTINGS_SCHEMA, SETTINGS_SCHEMA_VERSION)

    # -- encryption settings ---------------------------------------------------------------------------

    def encryption_settings(self, catalog: str) -> dict | None:
        rows = self.read("SELECT doc FROM encryption_settings WHERE catalog = ?", (catalog,))
        return decode(rows[0]["doc"]) if rows else None

    def put_encryption_settings(self, catalog: str, doc: dict) -> None:
        with self.write() as db:
            db.execute("INSERT OR REPLACE INTO encryption_settings (catalog, doc) VALUES (?, ?)",
                       (catalog, encode(doc)))

    # -- resource policies -----------------------------------------------------------------------------

    def policy(self, catalog: str, arn: str) -> dict | None:
        rows = self.read("SELECT doc FROM resource_policies WHERE catalog = ? AND arn = ?", (catalog, arn))
        return decode(rows[0]["doc"]) if rows else None

    def policies(self, catalog: str) -> list[tuple[str, dict]]:
        """(ARN, policy) of every policy in the catalog, by ARN."""
        rows = self.read("SELECT arn, doc FROM resource_policies WHERE catalog = ? ORDER BY arn", (catalog,))
        return [(r["arn"], decode(r["doc"])) for r in rows]

    def load_policy(self, db: sqlite3.Connection, catalog: str, arn: str) -> dict | None:
        """The policy as the write transaction `db` sees it, for a check-then-write."""
        row = db.execute("SELECT doc FROM resource_policies WHERE catalog = ? AND arn = ?",
                         (catalog, arn)).fetchone()
        return decode(row["doc"]) if row else None

    def put_policy(self, db: sqlite3.Connection, catalog: str, arn: str, doc: dict) -> None:
        db.execute("INSERT OR REPLACE INTO resource_policies (catalog, arn, doc) VALUES (?, ?, ?)",
                   (catalog, arn, encode(doc)))

    def delete_policy(self, db: sqlite3.Connection, catalog: str, arn: str) -> None:
        db.execute("DELETE FROM resource_policies WHERE catalog = ? AND arn = ?", (catalog, arn))

    # -- security configurations -----------------------------------------------------------------------

    def security_configuration(self, catalog: str, name: str) -> dict | None:
        rows = self.read("SELECT doc FROM security_configurations WHERE catalog = ? AND name = ?", (catalog, name))
        return decode(rows[0]["doc"]) if rows else None

    def security_configurations(self, catalog: str) -> list[tuple[str, dict]]:
        """(name, configuration) of every security configuration in the catalog, by name."""
        rows = self.read("SELECT name, doc FROM security_configurations WHERE catalog = ? ORDER BY name",
                         (catalog,))
        return [(r["name"], decode(r["doc"])) for r in rows]

    def add_security_configuration(self, catalog: str, doc: dict, limit: int) -> bool:
        """Insert `doc` unless its name is taken; False if it is. Raises LimitReached at `limit`."""
        with self.write() as db:
            if db.execute("SELECT 1 FROM security_configurations WHERE catalog = ? AND name = ?",
                          (catalog, doc["Name"])).fetchone():
                return False
            count = db.execute("SELECT count(*) FROM security_configurations WHERE catalog = ?",
                               (catalog,)).fetchone()[0]
            if count >= limit:
                raise LimitReached(limit)
            db.execute("INSERT INTO security_configurations (catalog, name, doc) VALUES (?, ?, ?)",
                       (catalog, doc["Name"], encode(doc)))
        return True

    def delete_security_configuration(self, catalog: str, name: str) -> bool:
        with self.write() as db:
            return db.execute("DELETE FROM security_configurations WHERE catalog = ? AND name = ?",
                              (catalog, name)).rowcount > 0


class LimitReached(Exception):
    """A quota would be passed; the provider answers ResourceNumberLimitExceededException."""

    def __init__(self, limit: int):
        super().__init__(f"limit {limit} reached")
        self.limit = limit
