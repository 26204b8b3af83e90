"""`ColumnTypeCache`: the column types of a database's tables, as the SQL translation asks for them.

Redshift's numeric results and its blank-insensitive text comparisons depend on the types of the
columns a statement reads (numeric_types, semantics.text_columns). Reading them from DuckDB's
catalog costs about a millisecond a table, which would more than double a small query's time, so the
answers are kept here, shared by the database's sessions, and forgotten whenever a session runs a
statement that may change the catalog (`changes_catalog`). A generation number keeps an answer read
before such a statement from being stored after it.
"""

from __future__ import annotations

import re
import threading
from typing import Callable, Optional

#: Statements after which the kept types may be stale: DDL, a table made by SELECT INTO, a procedure
#: (it may run DDL), and the end of a transaction (a rolled-back CREATE, another session's commit).
_CATALOG_STATEMENT = re.compile(
    r"\s*(CREATE|DROP|ALTER|CALL|COMMIT|END|ROLLBACK|ABORT|RESTORE|SELECT\b.*\bINTO\b)", re.IGNORECASE | re.DOTALL)


def changes_catalog(statement: str) -> bool:
    return _CATALOG_STATEMENT.match(statement) is not None


class ColumnTypeCache:
    #: Entries kept at most; the cache starts over past it (each Spectrum query names a new view).
    LIMIT = 1024

    def __init__(self) -> None:
        self._entries: dict[tuple, Optional[dict]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, load: Callable[[], Optional[dict]]) -> Optional[dict]:
        with self._lock:
            if key in self._entries:
                return self._entries[key]
            generation = self._generation
        value = load()
        with self._lock:
            if generation == self._generation:
                if len(self._entries) >= self.LIMIT:
                    self._entries.clear()
                self._entries[key] = value
        return value

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
