"""Vended-log delivery configuration in its own SQLite file (`<data>/.lakebox/logs/deliveries.db`).

One table, `delivery_resources`, for the three kinds deliveries.py serves: delivery sources,
delivery destinations and deliveries. Each row holds the resource as the API shows it (JSON, without
tags), its tags, and a destination's policy; `id` orders Describe* lists by creation and carries
their paging tokens. A file of its own, as Insights' query records have, so that this configuration
never touches the schema of the events database (store.py). Same rules as every lakebox store
(storage/sqlite_db.py): WAL, one writer, each change one transaction, written through.
"""

from __future__ import annotations

from pathlib import Path

from ...storage.sqlite_db import SqliteDatabase

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE delivery_resources (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '{}',
    policy TEXT,
    UNIQUE (account, region, kind, name)
)
"""


class DeliveryStore(SqliteDatabase):
    def __init__(self, path: Path):
        super().__init__(path)
        self.apply_schema([SCHEMA], SCHEMA_VERSION)
