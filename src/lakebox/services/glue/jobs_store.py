"""Job definitions: `<data>/.lakebox/glue/jobs.db`, beside the catalog and the crawlers and built the
same way (WAL, one writer, write-through; see store.py).

Why a file of its own: job runs (a later piece of work) will write here often, and should never
queue behind catalog writes. `jobs` holds each job's document, shaped like the API's `Job` output;
rows are keyed by `catalog`, `<region>:<account>`, because a job belongs to one account in one region.
A job's tags are not here: they live with every other Glue resource's in the catalog store's `tags`.
"""

from __future__ import annotations

from .store import CatalogStore

JOB_SCHEMA_VERSION = 1

JOB_SCHEMA = [
    "CREATE TABLE jobs (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, name))",
]


class JobStore(CatalogStore):
    def _create_schema(self) -> None:
        self.apply_schema(JOB_SCHEMA, JOB_SCHEMA_VERSION)

    def get_job(self, catalog: str, name: str) -> dict | None:
        return self.named_doc("jobs", catalog, name)

    def jobs(self, catalog: str) -> list[dict]:
        """Every job of the account and region, by name."""
        return self.named_docs("jobs", catalog)

    def load_job(self, db, catalog: str, name: str) -> dict | None:
        return self.load_named_doc(db, "jobs", catalog, name)

    def put_job(self, db, catalog: str, doc: dict) -> None:
        self.put_named_doc(db, "jobs", catalog, doc)

    def delete_job(self, db, catalog: str, name: str) -> None:
        self.delete_named_doc(db, "jobs", catalog, name)
