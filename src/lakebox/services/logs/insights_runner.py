"""Run a translated Logs Insights query on DuckDB over a batch of log events.

`EventBatch` collects the events (from the logs store, or a test's list) into Arrow columns,
discovering the fields of JSON messages as AWS does: a message that is a JSON object is flattened
into dotted names (`a.b`, `items.0.id`), at most 200 fields per event, values as text (`true`,
`false`, numbers as JSON wrote them); null values are absent. `execute` registers the batch on a
DuckDB connection, runs the query and its count of matched records, and gives AWS's result rows:
lists of `{"field", "value"}` with every value a string and absent (null) values left out.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any, Optional

import pyarrow as pa

from .insights_sql import Translation

#: AWS discovers at most this many fields in one JSON log event.
MAX_DISCOVERED_FIELDS = 200
_FIELDS_TYPE = pa.map_(pa.string(), pa.string())


def discovered_fields(message: str) -> list[tuple[str, str]]:
    """The fields of a JSON-object message, flattened; [] for any other message."""
    text = message.strip()
    if not text.startswith("{"):
        return []
    try:
        document = json.loads(text)
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    out: list[tuple[str, str]] = []
    _flatten(document, "", out)
    return out[:MAX_DISCOVERED_FIELDS]


def _flatten(value: Any, prefix: str, out: list) -> None:
    if len(out) >= MAX_DISCOVERED_FIELDS:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}.{index}" if prefix else str(index), out)
    elif value is None:
        return
    elif isinstance(value, bool):
        out.append((prefix, "true" if value else "false"))
    elif isinstance(value, float):
        out.append((prefix, format_number(value)))
    else:
        out.append((prefix, str(value)))


def format_number(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_value(value: Any) -> Optional[str]:
    """A result value as the string AWS returns (None: the field is left out of the row)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    return str(value)


class EventBatch:
    """The events one query reads, as the columns of the table insights_sql.py expects."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.timestamps: list[int] = []
        self.ingestion: list[int] = []
        self.messages: list[str] = []
        self.streams: list[str] = []
        self.logs: list[str] = []
        self.pointers: list[str] = []
        self.fields: list[list[tuple[str, str]]] = []
        self.bytes = 0

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, event_id: int, ts: int, ingestion_ms: int, message: str, stream: str, log: str,
            pointer: str) -> None:
        self.ids.append(event_id)
        self.timestamps.append(ts)
        self.ingestion.append(ingestion_ms)
        self.messages.append(message)
        self.streams.append(stream)
        self.logs.append(log)
        self.pointers.append(pointer)
        self.fields.append(discovered_fields(message))
        self.bytes += len(message.encode("utf-8"))

    def table(self) -> pa.Table:
        return pa.table({
            "__id": pa.array(self.ids, pa.int64()),
            "__ts": pa.array(self.timestamps, pa.int64()),
            "__ingestion": pa.array(self.ingestion, pa.int64()),
            "@message": pa.array(self.messages, pa.string()),
            "@logStream": pa.array(self.streams, pa.string()),
            "@log": pa.array(self.logs, pa.string()),
            "@ptr": pa.array(self.pointers, pa.string()),
            "__fields": pa.array(self.fields, _FIELDS_TYPE),
        })


@dataclass
class Outcome:
    rows: list  # AWS's result rows
    matched: int


def table_name() -> str:
    return f"__insights_{uuid.uuid4().hex}"


def execute(con: Any, translation: Translation, name: str, batch: EventBatch) -> Outcome:
    """Run `translation` (made for the table `name`) over `batch` on the DuckDB connection `con`."""
    con.register(name, batch.table())
    try:
        matched = con.execute(translation.count_sql).fetchone()[0]
        cursor = con.execute(translation.sql)
        names = list(translation.columns) + (["@ptr"] if translation.with_ptr else [])
        rows = []
        for record in cursor.fetchall():
            row = []
            for field_name, value in zip(names, record):
                text = format_value(value)
                if text is not None:
                    row.append({"field": field_name, "value": text})
            rows.append(row)
        return Outcome(rows, int(matched))
    finally:
        con.unregister(name)
