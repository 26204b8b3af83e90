"""Job runs: `<data>/.lakebox/glue/job_runs.db`, beside the job definitions and built the same way
(WAL, one writer, write-through; see store.py).

Why a file of its own: a run changes state from its watcher thread several times (STARTING, RUNNING,
its end), and those writes should queue neither behind catalog writes nor behind job definitions.

`runs` holds each run's document, shaped like the API's `JobRun`, plus lakebox's bookkeeping in keys
starting with `_` (`public` drops them): `_Origin` (also a column), the id of the run's first attempt,
which a workflow action follows through retries, and `_Final`, whether this attempt is the last (no
retry follows it).
`seq` orders runs for GetJobRuns (newest first) and pages them; `state` lets the active runs of a job
be counted inside the StartJobRun transaction that enforces MaxConcurrentRuns. Rows are keyed by
`catalog`, `<region>:<account>`, like the jobs'.
"""

from __future__ import annotations

from .store import CatalogStore, decode, encode

JOB_RUN_SCHEMA_VERSION = 1

JOB_RUN_SCHEMA = [
    ("CREATE TABLE runs (catalog TEXT NOT NULL, job TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, "
     "state TEXT NOT NULL, origin TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, job, id))"),
    "CREATE INDEX runs_in_order ON runs (catalog, job, seq)",
    "CREATE INDEX runs_by_origin ON runs (catalog, job, origin)",
    "CREATE INDEX runs_by_state ON runs (state)",
]

#: The states of a run that has not ended (it counts towards MaxConcurrentRuns).
ACTIVE_STATES = ("STARTING", "RUNNING", "STOPPING", "WAITING")
#: The states a run ends in.
FINAL_STATES = ("STOPPED", "SUCCEEDED", "FAILED", "TIMEOUT", "ERROR", "EXPIRED")


def public(doc: dict) -> dict:
    """A stored run as the API shows it: without lakebox's `_` bookkeeping keys."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class JobRunStore(CatalogStore):
    def _create_schema(self) -> None:
        self.apply_schema(JOB_RUN_SCHEMA, JOB_RUN_SCHEMA_VERSION)

    def run(self, catalog: str, job: str, run_id: str) -> dict | None:
        rows = self.read("SELECT doc FROM runs WHERE catalog = ? AND job = ? AND id = ?", (catalog, job, run_id))
        return decode(rows[0]["doc"]) if rows else None

    def runs(self, catalog: str, job: str, *, before: int | None = None, limit: int | None = None
             ) -> list[tuple[int, dict]]:
        """(seq, run) of the job's runs, newest first; only those older than `before` when given."""
        sql, args = "SELECT seq, doc FROM runs WHERE catalog = ? AND job = ?", [catalog, job]
        if before is not None:
            sql, args = sql + " AND seq < ?", args + [before]
        sql += " ORDER BY seq DESC"
        if limit is not None:
            sql, args = sql + " LIMIT ?", args + [limit]
        return [(r["seq"], decode(r["doc"])) for r in self.read(sql, args)]

    def latest_ended(self, catalog: str, job: str) -> dict | None:
        """The job's newest run that has ended, if any."""
        marks = ",".join("?" * len(FINAL_STATES))
        rows = self.read(f"SELECT doc FROM runs WHERE catalog = ? AND job = ? AND state IN ({marks}) "
                         "ORDER BY seq DESC LIMIT 1", (catalog, job, *FINAL_STATES))
        return decode(rows[0]["doc"]) if rows else None

    def last_attempt(self, catalog: str, job: str, origin: str) -> dict | None:
        """The newest attempt of the run whose first attempt is `origin`."""
        rows = self.read("SELECT doc FROM runs WHERE catalog = ? AND job = ? AND origin = ? ORDER BY seq DESC LIMIT 1",
                         (catalog, job, origin))
        return decode(rows[0]["doc"]) if rows else None

    def load_run(self, db, catalog: str, job: str, run_id: str) -> dict | None:
        row = db.execute("SELECT doc FROM runs WHERE catalog = ? AND job = ? AND id = ?",
                         (catalog, job, run_id)).fetchone()
        return decode(row["doc"]) if row else None

    def active_runs(self, db, catalog: str | None = None, job: str | None = None) -> list[tuple[str, dict]]:
        """(catalog, run) of every run that has not ended (of one job), oldest first, as `db` sees them."""
        marks = ",".join("?" * len(ACTIVE_STATES))
        sql, args = f"SELECT catalog, doc FROM runs WHERE state IN ({marks})", list(ACTIVE_STATES)
        if catalog is not None:
            sql, args = sql + " AND catalog = ? AND job = ?", args + [catalog, job]
        rows = db.execute(sql + " ORDER BY seq", args).fetchall()
        return [(r["catalog"], decode(r["doc"])) for r in rows]

    def put_run(self, db, catalog: str, doc: dict) -> None:
        job, run_id = doc["JobName"], doc["Id"]
        row = db.execute("SELECT seq FROM runs WHERE catalog = ? AND job = ? AND id = ?",
                         (catalog, job, run_id)).fetchone()
        seq = row["seq"] if row else db.execute("SELECT coalesce(max(seq), 0) + 1 FROM runs").fetchone()[0]
        db.execute("INSERT OR REPLACE INTO runs (catalog, job, id, seq, state, origin, doc) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (catalog, job, run_id, seq, doc["JobRunState"], doc.get("_Origin") or run_id, encode(doc)))
