"""Logs Insights query records in their own SQLite file (`<data>/.lakebox/logs/insights.db`).

One table, `queries`: what StartQuery was asked (groups, window, query string, limit), the status,
and once the query ends its results and statistics as JSON. A file of its own, so that the query
records never touch the schema of the events database (store.py). Same rules as every lakebox
store (storage/sqlite_db.py): WAL, one writer, each change one transaction, written through.

A status moves Scheduled -> Running -> Complete | Failed, or to Cancelled from either of the first
two; `move` applies a change only from the states it names, so a late answer from the engine never
overwrites a cancellation. Queries still Scheduled or Running when lakebox stopped are marked
Failed at the next start (`fail_interrupted`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional, Sequence

from ...storage.sqlite_db import SqliteDatabase

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE queries (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    query_language TEXT NOT NULL,
    query_string TEXT NOT NULL,
    log_groups TEXT NOT NULL,
    start_s INTEGER NOT NULL,
    end_s INTEGER NOT NULL,
    result_limit INTEGER,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    ended_ms INTEGER,
    results TEXT,
    statistics TEXT,
    error TEXT
);
CREATE INDEX queries_created ON queries (account, region, created_ms, id);
"""
ACTIVE = ("Scheduled", "Running")


class InsightsStore(SqliteDatabase):
    def __init__(self, path: Path):
        super().__init__(path)
        self.apply_schema(SCHEMA.split(";"), SCHEMA_VERSION)

    def insert(self, query_id: str, account: str, region: str, language: str, query_string: str,
               log_groups: Sequence[str], start_s: int, end_s: int, limit: Optional[int], created_ms: int) -> None:
        with self.write() as db:
            db.execute("INSERT INTO queries (id, account, region, query_language, query_string, log_groups, start_s, "
                       "end_s, result_limit, status, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'Scheduled', ?)",
                       (query_id, account, region, language, query_string, json.dumps(list(log_groups)), start_s,
                        end_s, limit, created_ms))

    def get(self, query_id: str, account: Optional[str] = None, region: Optional[str] = None):
        sql, args = "SELECT * FROM queries WHERE id = ?", [query_id]
        if account is not None:
            sql += " AND account = ? AND region = ?"
            args += [account, region]
        rows = self.read(sql, args)
        return rows[0] if rows else None

    def move(self, query_id: str, status: str, *, only_from: Sequence[str], ended_ms: Optional[int] = None,
             results: Optional[list] = None, statistics: Optional[dict] = None, error: Optional[str] = None) -> bool:
        """Set the status (and what the query produced) if it is one of `only_from`; True if it was."""
        marks = ", ".join("?" * len(only_from))
        with self.write() as db:
            cur = db.execute(f"UPDATE queries SET status = ?, ended_ms = COALESCE(?, ended_ms), "
                             f"results = COALESCE(?, results), statistics = COALESCE(?, statistics), "
                             f"error = COALESCE(?, error) WHERE id = ? AND status IN ({marks})",
                             (status, ended_ms, None if results is None else json.dumps(results),
                              None if statistics is None else json.dumps(statistics), error, query_id,
                              *only_from))
            return cur.rowcount > 0

    def list(self, account: str, region: str, *, group: Optional[str] = None, status: Optional[str] = None,
             language: Optional[str] = None, before: Optional[tuple] = None, limit: int = 1000) -> list:
        """Queries newest first; `before` is the (created_ms, id) to continue after."""
        sql = "SELECT * FROM queries WHERE account = ? AND region = ?"
        args: list = [account, region]
        if group is not None:
            sql += " AND EXISTS (SELECT 1 FROM json_each(queries.log_groups) WHERE value = ?)"
            args.append(group)
        if status is not None:
            sql += " AND status = ?"
            args.append(status)
        if language is not None:
            sql += " AND query_language = ?"
            args.append(language)
        if before is not None:
            sql += " AND (created_ms, id) < (?, ?)"
            args += list(before)
        return self.read(sql + " ORDER BY created_ms DESC, id DESC LIMIT ?", [*args, limit])

    def fail_interrupted(self, ended_ms: int) -> int:
        with self.write() as db:
            cur = db.execute(f"UPDATE queries SET status = 'Failed', ended_ms = ?, error = ? "
                             f"WHERE status IN ({', '.join('?' * len(ACTIVE))})",
                             (ended_ms, "The query was interrupted when lakebox stopped.", *ACTIVE))
            return cur.rowcount
