"""Data Quality state: `<data>/.lakebox/glue/data_quality.db`, beside the catalog and built the same way
(WAL, one writer, write-through; see store.py), so an acknowledged ruleset, run or result survives a
restart and `kill -9`.

Why a file of its own: evaluation runs write their progress and results from worker threads, and
should never queue behind catalog writes, nor join a catalog transaction.

- `rulesets`: each ruleset's document, shaped like GetDataQualityRuleset's output, plus its `Tags`
  (kept here so that a create writes the ruleset and its tags in one transaction);
- `runs`: each evaluation run, shaped like GetDataQualityRulesetEvaluationRun's output;
- `recommendation_runs`: each rule recommendation run, shaped like GetDataQualityRuleRecommendationRun's;
- `results`: each result, shaped like GetDataQualityResult's output;
- `column_stats_runs`: each column statistics task run, shaped like GetColumnStatisticsTaskRun's
  `ColumnStatisticsTaskRun`, with its table (lower case) for the per-table lookups;
- `column_stats_settings`: each table's column statistics task settings, shaped like
  GetColumnStatisticsTaskSettings' output, keyed by the table (lower case).
Rows are keyed by `catalog`, `<region>:<account>`; runs and results also by when they started, which
is how their lists are ordered.
"""

from __future__ import annotations

import sqlite3
from typing import Optional

from .store import CatalogStore, decode, encode

DQ_SCHEMA_VERSION = 3

#: The tables of runs: evaluation runs, and rule recommendation runs (added in version 2).
RUN_TABLES = ("runs", "recommendation_runs")
RECOMMENDATION_RUNS = [
    ("CREATE TABLE IF NOT EXISTS recommendation_runs (catalog TEXT NOT NULL, run_id TEXT NOT NULL, "
     "started TEXT NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, run_id))"),
    "CREATE INDEX IF NOT EXISTS recommendation_runs_by_status ON recommendation_runs (status)",
]

COLUMN_STATS_RUNS = [
    ("CREATE TABLE IF NOT EXISTS column_stats_runs (catalog TEXT NOT NULL, run_id TEXT NOT NULL, "
     "db TEXT NOT NULL, tbl TEXT NOT NULL, started TEXT NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL, "
     "PRIMARY KEY (catalog, run_id))"),
    "CREATE INDEX IF NOT EXISTS column_stats_runs_by_table ON column_stats_runs (catalog, db, tbl, started)",
    ("CREATE TABLE IF NOT EXISTS column_stats_settings (catalog TEXT NOT NULL, db TEXT NOT NULL, "
     "tbl TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, db, tbl))"),
]

#: What turns a file of an older schema version into the next one, keyed by the old version.
DQ_UPGRADES = {1: RECOMMENDATION_RUNS, 2: COLUMN_STATS_RUNS}

DQ_SCHEMA = [
    "CREATE TABLE rulesets (catalog TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (catalog, name))",
    ("CREATE TABLE runs (catalog TEXT NOT NULL, run_id TEXT NOT NULL, started TEXT NOT NULL, status TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY (catalog, run_id))"),
    "CREATE INDEX runs_by_status ON runs (status)",
    ("CREATE TABLE results (catalog TEXT NOT NULL, result_id TEXT NOT NULL, started TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY (catalog, result_id))"),
    *RECOMMENDATION_RUNS,
    *COLUMN_STATS_RUNS,
]


class DataQualityStore(CatalogStore):
    def _create_schema(self) -> None:
        self.upgrade(DQ_UPGRADES, DQ_SCHEMA_VERSION)
        self.apply_schema(DQ_SCHEMA, DQ_SCHEMA_VERSION)

    # -- rulesets --------------------------------------------------------------------------------------

    def ruleset(self, catalog: str, name: str) -> Optional[dict]:
        return self.named_doc("rulesets", catalog, name)

    def rulesets(self, catalog: str) -> list[dict]:
        return self.named_docs("rulesets", catalog)

    def load_ruleset(self, db: sqlite3.Connection, catalog: str, name: str) -> Optional[dict]:
        return self.load_named_doc(db, "rulesets", catalog, name)

    def put_ruleset(self, db: sqlite3.Connection, catalog: str, doc: dict) -> None:
        self.put_named_doc(db, "rulesets", catalog, doc)

    def delete_ruleset(self, catalog: str, name: str) -> bool:
        with self.write() as db:
            return db.execute("DELETE FROM rulesets WHERE catalog = ? AND name = ?", (catalog, name)).rowcount > 0

    # -- runs ------------------------------------------------------------------------------------------
    # `table` is one of RUN_TABLES (evaluation runs by default), never request input.

    def run(self, catalog: str, run_id: str, table: str = "runs") -> Optional[dict]:
        rows = self.read(f"SELECT doc FROM {_run_table(table)} WHERE catalog = ? AND run_id = ?", (catalog, run_id))
        return decode(rows[0]["doc"]) if rows else None

    def runs(self, catalog: str, table: str = "runs") -> list[dict]:
        """Every run of the account and region, the latest first."""
        rows = self.read(f"SELECT doc FROM {_run_table(table)} WHERE catalog = ? ORDER BY started DESC, run_id",
                         (catalog,))
        return [decode(r["doc"]) for r in rows]

    def unfinished_runs(self, table: str = "runs") -> list[tuple[str, dict]]:
        """(catalog, run) of every run that is still starting, running or stopping."""
        rows = self.read(f"SELECT catalog, doc FROM {_run_table(table)} "
                         "WHERE status IN ('STARTING', 'RUNNING', 'STOPPING')")
        return [(r["catalog"], decode(r["doc"])) for r in rows]

    def put_run(self, db: sqlite3.Connection, catalog: str, doc: dict, table: str = "runs") -> None:
        db.execute(f"INSERT OR REPLACE INTO {_run_table(table)} (catalog, run_id, started, status, doc) "
                   "VALUES (?, ?, ?, ?, ?)",
                   (catalog, doc["RunId"], doc["StartedOn"].isoformat(), doc["Status"], encode(doc)))

    def load_run(self, db: sqlite3.Connection, catalog: str, run_id: str, table: str = "runs") -> Optional[dict]:
        row = db.execute(f"SELECT doc FROM {_run_table(table)} WHERE catalog = ? AND run_id = ?",
                         (catalog, run_id)).fetchone()
        return decode(row["doc"]) if row else None

    # -- results ---------------------------------------------------------------------------------------

    def result(self, catalog: str, result_id: str) -> Optional[dict]:
        rows = self.read("SELECT doc FROM results WHERE catalog = ? AND result_id = ?", (catalog, result_id))
        return decode(rows[0]["doc"]) if rows else None

    def results(self, catalog: str) -> list[dict]:
        """Every result of the account and region, the latest first."""
        rows = self.read("SELECT doc FROM results WHERE catalog = ? ORDER BY started DESC, result_id", (catalog,))
        return [decode(r["doc"]) for r in rows]

    def put_result(self, db: sqlite3.Connection, catalog: str, doc: dict) -> None:
        db.execute("INSERT INTO results (catalog, result_id, started, doc) VALUES (?, ?, ?, ?)",
                   (catalog, doc["ResultId"], doc["StartedOn"].isoformat(), encode(doc)))


    # -- column statistics task runs --------------------------------------------------------------------

    def stats_run(self, run_id: str) -> Optional[tuple[str, dict]]:
        """(catalog, run) of a column statistics task run: its id is unique across accounts."""
        rows = self.read("SELECT catalog, doc FROM column_stats_runs WHERE run_id = ?", (run_id,))
        return (rows[0]["catalog"], decode(rows[0]["doc"])) if rows else None

    def stats_runs(self, catalog: str, db: Optional[str] = None, tbl: Optional[str] = None) -> list[dict]:
        """The runs of the account and region (of one table, if named), the latest first."""
        where, args = "catalog = ?", [catalog]
        if db is not None:
            where, args = where + " AND db = ? AND tbl = ?", args + [db, tbl]
        rows = self.read(f"SELECT doc FROM column_stats_runs WHERE {where} ORDER BY started DESC, run_id", tuple(args))
        return [decode(r["doc"]) for r in rows]

    def unfinished_stats_runs(self) -> list[tuple[str, dict]]:
        rows = self.read("SELECT catalog, doc FROM column_stats_runs WHERE status IN ('STARTING', 'RUNNING')")
        return [(r["catalog"], decode(r["doc"])) for r in rows]

    @staticmethod
    def stats_run_unfinished(db: sqlite3.Connection, catalog: str, database: str, tbl: str) -> bool:
        """Whether a run of the table is starting or running, as the write transaction `db` sees it."""
        return db.execute("SELECT 1 FROM column_stats_runs WHERE catalog = ? AND db = ? AND tbl = ? "
                          "AND status IN ('STARTING', 'RUNNING')",
                          (catalog, database.lower(), tbl.lower())).fetchone() is not None

    def load_stats_run(self, db: sqlite3.Connection, catalog: str, run_id: str) -> Optional[dict]:
        row = db.execute("SELECT doc FROM column_stats_runs WHERE catalog = ? AND run_id = ?",
                         (catalog, run_id)).fetchone()
        return decode(row["doc"]) if row else None

    def put_stats_run(self, db: sqlite3.Connection, catalog: str, doc: dict) -> None:
        db.execute("INSERT OR REPLACE INTO column_stats_runs (catalog, run_id, db, tbl, started, status, doc) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (catalog, doc["ColumnStatisticsTaskRunId"], doc["DatabaseName"].lower(), doc["TableName"].lower(),
                    doc["CreationTime"].isoformat(), doc["Status"], encode(doc)))

    # -- column statistics task settings ---------------------------------------------------------------

    # Tables are named as Glue names them, case aside: the keys are lower case.

    def stats_settings(self, catalog: str, db: str, tbl: str) -> Optional[dict]:
        rows = self.read("SELECT doc FROM column_stats_settings WHERE catalog = ? AND db = ? AND tbl = ?",
                         (catalog, db.lower(), tbl.lower()))
        return decode(rows[0]["doc"]) if rows else None

    def all_stats_settings(self) -> list[tuple[str, dict]]:
        """(catalog, settings) of every table's settings."""
        rows = self.read("SELECT catalog, doc FROM column_stats_settings ORDER BY catalog, db, tbl")
        return [(r["catalog"], decode(r["doc"])) for r in rows]

    def load_stats_settings(self, db: sqlite3.Connection, catalog: str, database: str, tbl: str) -> Optional[dict]:
        row = db.execute("SELECT doc FROM column_stats_settings WHERE catalog = ? AND db = ? AND tbl = ?",
                         (catalog, database.lower(), tbl.lower())).fetchone()
        return decode(row["doc"]) if row else None

    def put_stats_settings(self, db: sqlite3.Connection, catalog: str, doc: dict) -> None:
        db.execute("INSERT OR REPLACE INTO column_stats_settings (catalog, db, tbl, doc) VALUES (?, ?, ?, ?)",
                   (catalog, doc["DatabaseName"].lower(), doc["TableName"].lower(), encode(doc)))

    def delete_stats_settings(self, db: sqlite3.Connection, catalog: str, database: str, tbl: str) -> bool:
        return db.execute("DELETE FROM column_stats_settings WHERE catalog = ? AND db = ? AND tbl = ?",
                          (catalog, database.lower(), tbl.lower())).rowcount > 0


def _run_table(table: str) -> str:
    if table not in RUN_TABLES:
        raise ValueError(f"no run table {table}")
    return table
