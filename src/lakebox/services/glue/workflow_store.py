"""Triggers, workflows and workflow runs: `<data>/.lakebox/glue/workflows.db`, beside the catalog and
built the same way (WAL, one writer, write-through; see store.py).

Why a file of its own: a crawl's end updates the runs and fires triggers from a crawl thread, and that
should never queue behind catalog or crawler writes.

- `triggers`: each trigger's document, shaped like the API's `Trigger`, plus lakebox's bookkeeping in
  keys starting with `_` (see `public`);
- `workflows`: each workflow's document, shaped like the API's `Workflow` without LastRun and Graph;
- `runs`: each workflow run, shaped like `WorkflowRun`, with the actions it started in `_actions`;
- `firings`: what a trigger outside any workflow started when it fired, action by action, so a JOB
  action that could not start keeps its reason.
Rows are keyed by `catalog`, `<region>:<account>`, like the catalog's.
"""

from __future__ import annotations

from .store import CatalogStore, decode, encode

WORKFLOW_SCHEMA_VERSION = 1

WORKFLOW_SCHEMA = [
    "CREATE TABLE triggers (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, name))",
    ("CREATE TABLE workflows (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY (catalog, name))"),
    ("CREATE TABLE runs (catalog TEXT NOT NULL, workflow TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, "
     "status TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, workflow, id))"),
    "CREATE INDEX runs_in_order ON runs (catalog, workflow, seq)",
    "CREATE INDEX runs_by_status ON runs (status)",
    ("CREATE TABLE firings (id INTEGER PRIMARY KEY AUTOINCREMENT, catalog TEXT NOT NULL, trigger TEXT NOT NULL, "
     "doc TEXT NOT NULL)"),
]


def public(doc: dict) -> dict:
    """A stored document as the API shows it: without lakebox's `_` bookkeeping keys."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class WorkflowStore(CatalogStore):
    def _create_schema(self) -> None:
        self.apply_schema(WORKFLOW_SCHEMA, WORKFLOW_SCHEMA_VERSION)

    # -- triggers ------------------------------------------------------------------------------------

    def trigger(self, catalog: str, name: str) -> dict | None:
        return self.named_doc("triggers", catalog, name)

    def triggers(self, catalog: str | None = None) -> list[tuple[str, dict]]:
        """(catalog, document) of every trigger (of one catalog), by name."""
        return self.named_docs_with_catalog("triggers", catalog)

    def load_trigger(self, db, catalog: str, name: str) -> dict | None:
        return self.load_named_doc(db, "triggers", catalog, name)

    def put_trigger(self, db, catalog: str, doc: dict) -> None:
        self.put_named_doc(db, "triggers", catalog, doc)

    def delete_trigger(self, db, catalog: str, name: str) -> None:
        self.delete_named_doc(db, "triggers", catalog, name)

    def add_firing(self, db, catalog: str, trigger: str, doc: dict) -> None:
        db.execute("INSERT INTO firings (catalog, trigger, doc) VALUES (?, ?, ?)", (catalog, trigger, encode(doc)))

    def firings(self, catalog: str, trigger: str) -> list[dict]:
        """The trigger's firings outside any workflow, newest first."""
        rows = self.read("SELECT doc FROM firings WHERE catalog = ? AND trigger = ? ORDER BY id DESC",
                         (catalog, trigger))
        return [decode(r["doc"]) for r in rows]

    # -- workflows -----------------------------------------------------------------------------------

    def workflow(self, catalog: str, name: str) -> dict | None:
        return self.named_doc("workflows", catalog, name)

    def workflows(self, catalog: str) -> list[dict]:
        return self.named_docs("workflows", catalog)

    def load_workflow(self, db, catalog: str, name: str) -> dict | None:
        return self.load_named_doc(db, "workflows", catalog, name)

    def put_workflow(self, db, catalog: str, doc: dict) -> None:
        self.put_named_doc(db, "workflows", catalog, doc)

    def delete_workflow(self, db, catalog: str, name: str) -> None:
        """The workflow, its runs and its triggers (a trigger cannot outlive its workflow)."""
        db.execute("DELETE FROM workflows WHERE catalog = ? AND name = ?", (catalog, name))
        db.execute("DELETE FROM runs WHERE catalog = ? AND workflow = ?", (catalog, name))
        for row in db.execute("SELECT name, doc FROM triggers WHERE catalog = ?", (catalog,)).fetchall():
            if decode(row["doc"]).get("WorkflowName") == name:
                db.execute("DELETE FROM triggers WHERE catalog = ? AND name = ?", (catalog, row["name"]))

    # -- runs ----------------------------------------------------------------------------------------

    def run(self, catalog: str, workflow: str, run_id: str) -> dict | None:
        rows = self.read("SELECT doc FROM runs WHERE catalog = ? AND workflow = ? AND id = ?",
                         (catalog, workflow, run_id))
        return decode(rows[0]["doc"]) if rows else None

    def runs(self, catalog: str, workflow: str) -> list[dict]:
        """The workflow's runs, newest first."""
        rows = self.read("SELECT doc FROM runs WHERE catalog = ? AND workflow = ? ORDER BY seq DESC",
                         (catalog, workflow))
        return [decode(r["doc"]) for r in rows]

    def load_run(self, db, catalog: str, workflow: str, run_id: str) -> dict | None:
        row = db.execute("SELECT doc FROM runs WHERE catalog = ? AND workflow = ? AND id = ?",
                         (catalog, workflow, run_id)).fetchone()
        return decode(row["doc"]) if row else None

    def active_runs(self, db, catalog: str | None = None, workflow: str | None = None) -> list[tuple[str, dict]]:
        """(catalog, run) of every RUNNING or STOPPING run, oldest first, as the transaction `db` sees them."""
        sql, args = "SELECT catalog, doc FROM runs WHERE status IN ('RUNNING', 'STOPPING')", []
        if catalog is not None:
            sql, args = sql + " AND catalog = ? AND workflow = ?", [catalog, workflow]
        rows = db.execute(sql + " ORDER BY seq", args).fetchall()
        return [(r["catalog"], decode(r["doc"])) for r in rows]

    def put_run(self, db, catalog: str, doc: dict) -> None:
        workflow, run_id = doc["Name"], doc["WorkflowRunId"]
        row = db.execute("SELECT seq FROM runs WHERE catalog = ? AND workflow = ? AND id = ?",
                         (catalog, workflow, run_id)).fetchone()
        seq = row["seq"] if row else db.execute("SELECT coalesce(max(seq), 0) + 1 FROM runs").fetchone()[0]
        db.execute("INSERT OR REPLACE INTO runs (catalog, workflow, id, seq, status, doc) VALUES (?, ?, ?, ?, ?, ?)",
                   (catalog, workflow, run_id, seq, doc["Status"], encode(doc)))
