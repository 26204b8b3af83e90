"""SearchTables: text search over the tables of every database in the catalog, with property
Filters, one sort criterion and pages.

SearchText matches, case-insensitively, a table's name, description, database, column names and
comments (partition keys included) and its parameter keys and values; in double quotes it must equal
one of them. A filter's Key is a table attribute (`DatabaseName`, `TableType`, `Owner` ...) or a
parameter key; ordering comparators compare numbers as numbers and everything else as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from ...protocol.context import RequestContext
from .common import catalog_key, make_token, read_token
from .errors import invalid_input
from .store import CatalogStore, decode


def _texts(table: dict) -> list[str]:
    texts = [table.get("Name", ""), table.get("Description", ""), table.get("DatabaseName", "")]
    columns = list((table.get("StorageDescriptor") or {}).get("Columns") or []) + list(table.get("PartitionKeys") or [])
    for column in columns:
        texts += [column.get("Name", ""), column.get("Comment", "")]
    for key, value in (table.get("Parameters") or {}).items():
        texts += [key, value]
    return [t.lower() for t in texts if t]


def _matches_text(table: dict, search: str) -> bool:
    search = search.strip().lower()
    if not search:
        return True
    texts = _texts(table)
    if len(search) >= 2 and search[0] == search[-1] == '"':
        return search[1:-1] in texts
    return any(search in text for text in texts)


def _attribute(table: dict, key: str) -> Optional[Any]:
    for name, value in table.items():
        if name.lower() == key.lower() and not isinstance(value, (dict, list)):
            return value
    return (table.get("Parameters") or {}).get(key)


def _comparable(value: Any) -> tuple:
    if isinstance(value, datetime):
        return (0, value.timestamp())
    try:
        return (0, float(value))
    except (TypeError, ValueError):
        return (1, str(value))


_COMPARATORS = {
    "EQUALS": lambda a, b: a == b,
    "GREATER_THAN": lambda a, b: a > b,
    "LESS_THAN": lambda a, b: a < b,
    "GREATER_THAN_EQUALS": lambda a, b: a >= b,
    "LESS_THAN_EQUALS": lambda a, b: a <= b,
}


def _matches_filter(table: dict, predicate: dict) -> bool:
    value = _attribute(table, predicate.get("Key") or "")
    if value is None:
        return False
    wanted = predicate.get("Value")
    comparator = predicate.get("Comparator") or "EQUALS"
    if comparator == "EQUALS":
        return str(value).lower() == str(wanted).lower() if not isinstance(value, datetime) else \
            _comparable(value) == _comparable(wanted)
    left, right = _comparable(value), _comparable(wanted)
    if left[0] != right[0]:
        return False
    return _COMPARATORS[comparator](left, right)


class SearchTablesMixin:
    store: CatalogStore

    def search_tables(self, ctx: RequestContext, params: dict) -> dict:
        rows = self.store.read("SELECT doc FROM tables WHERE catalog = ? ORDER BY db, name",
                               (catalog_key(ctx, params),))
        tables = [decode(r["doc"]) for r in rows]
        search = params.get("SearchText") or ""
        filters = params.get("Filters") or []
        found = [t for t in tables if _matches_text(t, search) and all(_matches_filter(t, f) for f in filters)]
        for criterion in params.get("SortCriteria") or []:
            field = criterion.get("FieldName")
            if field:
                present = [t for t in found if _attribute(t, field) is not None]
                absent = [t for t in found if _attribute(t, field) is None]
                present.sort(key=lambda t: _comparable(_attribute(t, field)), reverse=criterion.get("Sort") == "DESC")
                found = present + absent
        # Offsets are good enough here: a search is a snapshot read, not a cursor over a stable order.
        start = read_token(params.get("NextToken")) or 0
        if not isinstance(start, int) or start < 0:
            raise invalid_input("Invalid pagination token.")
        limit = params.get("MaxResults") or 100
        chosen = found[start:start + limit]
        token = make_token(start + limit) if start + limit < len(found) else None
        return {"TableList": chosen, "NextToken": token}
