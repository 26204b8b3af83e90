"""Job definitions: `<data>/.lakebox/glue/jobs.db`, beside the catalog and the crawlers and built the
same way (WAL, one writer, write-through; see store.py).

Why a file of its own: job runs (a later piece of work) will write here often, and should never
queue behind catalog writes. `jobs` holds each job's document, shaped like the API's `Job` output;
rows are keyed by `catalog`, `<region>:<account>`, because a job belongs to one account in one region.
A job's tags are not here: they live with every other Glue resource's in the catalog store's `tags`.
"""

from __future__ import annotations

from .store import CatalogStore, decode, encode

JOB_SCHEMA_VERSION = 1

JOB_SCHEMA = [
    "CREATE TABLE jobs (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, name))",
]


class JobStore(CatalogStore):
    def _create_schema(self) -> None:
        self.apply_schema(JOB_SCHEMA, JOB_SCHEMA_VERSION)

    def get_job(self, catalog: str, name: str) -> dict | None:
        rows = self.read("SELECT doc FROM jobs WHERE catalog = ? AND name = ?", (catalog, name))
        return decode(rows[0]["doc"]) if rows else None

    def jobs(self, catalog: str) -> list[dict]:
        """Every job of the account and region, by name."""
        rows = self.read("SELECT doc FROM jobs WHERE catalog = ? ORDER BY name", (catalog,))
        return [decode(r["doc"]) for r in rows]

    def load_job(self, db, catalog: str, name: str) -> dict | None:
        """The job as the open write transaction `db` sees it."""
        row = db.execute("SELECT doc FROM jobs WHERE catalog = ? AND name = ?", (catalog, name)).fetchone()
        return decode(row["doc"]) if row else None

    def put_job(self, db, catalog: str, doc: dict) -> None:
        db.execute("INSERT OR REPLACE INTO jobs (catalog, name, doc) VALUES (?, ?, ?)",
                   (catalog, doc["Name"], encode(doc)))

    def delete_job(self, db, catalog: str, name: str) -> None:
        db.execute("DELETE FROM jobs WHERE catalog = ? AND name = ?", (catalog, name))
