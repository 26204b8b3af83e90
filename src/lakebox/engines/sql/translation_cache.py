"""The DuckDB SQL of queries translated before, so that a query run again skips the translation.

Why: dashboards, tests and benchmarks run the same statements over and over, and translating one
(naming columns, annotating types, applying the rules, writing DuckDB SQL) costs 2-4 ms, a fair
part of a small query. The translation is a pure function of the statement, the bound parameters
and the schema of the relations it reads after table resolution (temporary view names and their
column types), so those make the key; the files each view reads are not part of the translation
and are listed again on every run. Failed translations are never stored.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Optional

MAX_ENTRIES = 256

_entries: "OrderedDict[tuple, tuple[str, dict]]" = OrderedDict()
_lock = threading.Lock()


def key(sql: str, database: Optional[str], parameters: list, schema: dict) -> tuple:
    return (sql, database, repr(parameters),
            tuple((view, tuple(columns.items())) for view, columns in sorted(schema.items())))


def get(cache_key: tuple) -> Optional[tuple[str, dict]]:
    """(DuckDB SQL, zoned output columns) for the key, or None."""
    with _lock:
        found = _entries.get(cache_key)
        if found is not None:
            _entries.move_to_end(cache_key)
        return found


def put(cache_key: tuple, duck_sql: str, zones: dict) -> None:
    with _lock:
        _entries[cache_key] = (duck_sql, dict(zones))
        _entries.move_to_end(cache_key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
