"""S3 Select's OutputSerialization and its event stream: rows become CSV or JSON records, and the
records travel in Records events, followed by Stats and End (Progress too, when asked for).

Why a module of its own: the output rules are S3's, not DuckDB's. CSV quotes a field only when
it must (or always, with QuoteFields ALWAYS); JSON output is one object per record, named by the
query's output names (`_1`, `_2` ... for unnamed expressions), and leaves out a value the record
does not have (MISSING) rather than writing null. Timestamps are written in Ion's text form
(`2017-10-13T16:02:11.123Z`), booleans as `true`/`false`.

The event messages are AWS's binary event stream (serializers.eventstream); Stats and Progress
carry an XML document of the model's Stats/Progress shape, built with ElementTree.

Imports the protocol's event-stream framing, orjson and the select_* modules.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any, Callable, Optional, Union

import orjson

from ...protocol.serializers.eventstream import encode_message
from .select_errors import SelectError
from .select_sql import Output

CSV, JSON = "CSV", "JSON"


@dataclass(frozen=True)
class CsvOutput:
    field_delimiter: str = ","
    record_delimiter: str = "\n"
    quote: str = '"'
    escape: str = '"'
    always_quote: bool = False


@dataclass(frozen=True)
class JsonOutput:
    record_delimiter: str = "\n"


OutputFormat = Union[CsvOutput, JsonOutput]


def output_format(serialization: dict) -> OutputFormat:
    """The validated OutputSerialization."""
    formats = [kind for kind in (CSV, JSON) if serialization.get(kind) is not None]
    if len(formats) > 1:
        raise SelectError("ObjectSerializationConflict")
    if not formats:
        raise SelectError("MissingRequiredParameter", "OutputSerialization")
    given = serialization[formats[0]]
    if formats[0] == JSON:
        return JsonOutput(given.get("RecordDelimiter") or "\n")
    quote_fields = (given.get("QuoteFields") or "ASNEEDED").upper()
    if quote_fields not in ("ALWAYS", "ASNEEDED"):
        raise SelectError("InvalidQuoteFields", str(given.get("QuoteFields")))
    quote = given.get("QuoteCharacter") or '"'
    return CsvOutput(field_delimiter=given.get("FieldDelimiter") or ",",
                     record_delimiter=given.get("RecordDelimiter") or "\n",
                     quote=quote, escape=given.get("QuoteEscapeCharacter") or quote,
                     always_quote=quote_fields == "ALWAYS")


# -- values --------------------------------------------------------------------------------------


def ion_timestamp(moment: datetime) -> str:
    """A timestamp in Ion's text form, in UTC: 2017-10-13T16:02:11.123Z (no trailing zeros)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def _plain(value: Any) -> Any:
    """A value as JSON output carries it (orjson's `default`): timestamps as Ion text, decimals as
    numbers."""
    if isinstance(value, datetime):
        return ion_timestamp(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _json_bytes(value: Any) -> bytes:
    return orjson.dumps(value, default=_plain, option=orjson.OPT_PASSTHROUGH_DATETIME)


def _text(value: Any) -> str:
    """A value as a CSV field."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return ion_timestamp(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dict, list)):
        return _json_bytes(value).decode("utf-8")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _from_json_text(value: Optional[str]) -> Any:
    """A JSON-typed value (DuckDB hands it over as its text) as the value it holds."""
    return None if value is None else orjson.loads(value)


# -- records -------------------------------------------------------------------------------------


class RecordWriter:
    """Renders batches of result rows as output records.

    `json_columns`: which result columns DuckDB typed JSON (their values arrive as JSON text).
    `whole_record`: the query returns each JSON record as it is (`SELECT *` over JSON).
    """

    def __init__(self, fmt: OutputFormat, outputs: list[Output], json_columns: list[bool], whole_record: bool):
        self.fmt, self.outputs, self.whole_record = fmt, outputs, whole_record
        self.readers: list[Optional[Callable[[Any], Any]]] = [_from_json_text if j else None for j in json_columns]

    def render(self, rows: list[tuple]) -> bytes:
        if self.whole_record:
            rows = [(self._record_values(row[0]),) for row in rows]
        elif any(self.readers):
            rows = [tuple(v if r is None else r(v) for v, r in zip(row, self.readers)) for row in rows]
        if isinstance(self.fmt, JsonOutput):
            return self._json(rows)
        return self._csv(rows)

    def _record_values(self, record: Any) -> Any:
        """A JSON record as it was written (it arrives as its JSON text); MISSING (a FROM path that
        reached nothing) as the empty record S3 writes for it."""
        if record is None:
            return {}
        return _from_json_text(record) if self.readers[0] is not None else record

    def _json(self, rows: list[tuple]) -> bytes:
        delimiter = self.fmt.record_delimiter.encode("utf-8")
        out = []
        if self.whole_record:
            for (record,) in rows:
                out.append(_json_bytes(record if isinstance(record, dict) else {"_1": record}))
                out.append(delimiter)
            return b"".join(out)
        outputs = self.outputs
        for row in rows:
            record = {}
            for value, output in zip(row, outputs):
                if value is None and output.absent_when_null:
                    continue
                record[output.name] = value
            out.append(_json_bytes(record))
            out.append(delimiter)
        return b"".join(out)

    def _csv(self, rows: list[tuple]) -> bytes:
        fmt = self.fmt
        delimiter, quote, escaped_quote = fmt.field_delimiter, fmt.quote, fmt.escape + fmt.quote
        specials = {delimiter, quote, "\n", "\r", fmt.record_delimiter}
        lines = []
        for row in rows:
            if self.whole_record:
                record = row[0]
                row = tuple(record.values()) if isinstance(record, dict) else (record,)
            fields = []
            for value in row:
                text = _text(value)
                if fmt.always_quote or any(s in text for s in specials):
                    text = quote + text.replace(quote, escaped_quote) + quote
                fields.append(text)
            lines.append(delimiter.join(fields))
            lines.append(fmt.record_delimiter)
        return "".join(lines).encode("utf-8")


# -- event messages ------------------------------------------------------------------------------


def _event(event_type: str, payload: bytes = b"", content_type: Optional[str] = None) -> bytes:
    headers = {":message-type": "event", ":event-type": event_type}
    if content_type is not None:
        headers[":content-type"] = content_type
    return encode_message(headers, payload)


def records_event(payload: bytes) -> bytes:
    return _event("Records", payload, "application/octet-stream")


def counts_event(event_type: str, scanned: int, processed: int, returned: int) -> bytes:
    """A Stats or Progress event: its XML document of BytesScanned, BytesProcessed, BytesReturned."""
    root = ElementTree.Element(event_type)
    for name, value in (("BytesScanned", scanned), ("BytesProcessed", processed), ("BytesReturned", returned)):
        ElementTree.SubElement(root, name).text = str(value)
    document = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return _event(event_type, document, "text/xml")


def end_event() -> bytes:
    return _event("End")


def error_event(code: str, message: str) -> bytes:
    """An error found after the stream began (a CAST that fails on a later row): S3 ends the stream
    with it, and botocore raises it as an EventStreamError."""
    return encode_message({":message-type": "error", ":error-code": code, ":error-message": message}, b"")
