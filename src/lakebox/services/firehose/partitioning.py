"""Record processing before delivery: de-aggregation, delimiters and dynamic partitioning.

The processors Firehose runs itself (no Lambda) are applied here, in AWS's order:
- RecordDeAggregation splits a record holding several JSON objects (or delimited records);
- MetadataExtraction runs the jq query of dynamic partitioning over each JSON record and yields the
  partition keys that `!{partitionKeyFromQuery:name}` in the prefix reads (jq itself, the `jq`
  package, evaluates it);
- AppendDelimiterToRecord adds the delimiter (a newline unless set) after each record.
A record that is not JSON, or whose query fails or yields a missing key, goes to the error output
as "processing-failed", as Firehose sends it there.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Optional

from ...protocol.errors import AwsError
from . import destination as dest


def _params(processor: dict) -> dict:
    return {p.get("ParameterName"): p.get("ParameterValue") for p in processor.get("Parameters") or []}


def _processor(description: dict, kind: str) -> Optional[dict]:
    return next((_params(p) for p in dest.processors(description) if p.get("Type") == kind), None)


def query_of(description: dict):
    """The compiled MetadataExtraction jq query, or None; a query jq refuses is InvalidArgumentException."""
    params = _processor(description, "MetadataExtraction")
    if params is None or not params.get("MetadataExtractionQuery"):
        return None
    import jq

    try:
        return jq.compile(params["MetadataExtractionQuery"])
    except ValueError as exc:
        raise AwsError("InvalidArgumentException",
                       f"MetadataExtractionQuery is not a valid jq expression: {exc}", 400) from None


@dataclass
class Item:
    """One record on its way to an object: its bytes, arrival and (when partitioned) its keys."""
    data: bytes
    arrival_ms: int
    keys: dict = field(default_factory=dict)


@dataclass
class Failure:
    data: bytes
    arrival_ms: int
    code: str
    message: str


def process(description: dict, records: list[tuple[bytes, int]],
            extract: Optional[bool] = None) -> tuple[list[Item], list[Failure]]:
    """Run the stream's processors over (data, arrival ms) records. The MetadataExtraction query runs
    when dynamic partitioning is on, or when `extract` says so (an Iceberg stream's routing)."""
    items = [Item(data, arrival) for data, arrival in records]
    deaggregation = _processor(description, "RecordDeAggregation")
    if deaggregation is not None:
        items = [Item(part, item.arrival_ms) for item in items for part in _split(item.data, deaggregation)]
    failures: list[Failure] = []
    if extract is None:
        extract = dest.dynamic_partitioning(description)
    query = query_of(description) if extract else None
    if query is not None:
        kept = []
        for item in items:
            try:
                keys = query.input_value(json.loads(item.data)).first()
                if not isinstance(keys, dict) or any(v is None for v in keys.values()):
                    raise ValueError(f"the query yielded {json.dumps(keys)}, not an object of non-null keys")
            except (ValueError, StopIteration, UnicodeDecodeError) as exc:
                failures.append(Failure(item.data, item.arrival_ms, "DynamicPartitioning.MetadataExtractionFailed",
                                        f"Non JSON record provided or the query failed: {exc}"))
                continue
            item.keys = {k: v if isinstance(v, str) else json.dumps(v) for k, v in keys.items()}
            kept.append(item)
        items = kept
    delimiter = _processor(description, "AppendDelimiterToRecord")
    if delimiter is not None:
        suffix = _unescape(delimiter.get("Delimiter") or "\\n")
        for item in items:
            item.data += suffix
    return items, failures


def _split(data: bytes, params: dict) -> list[bytes]:
    if (params.get("SubRecordType") or "JSON").upper() == "DELIMITED":
        delimiter = _unescape(params.get("Delimiter") or "\\n")
        return [part for part in data.split(delimiter) if part]
    decoder, text, parts, pos = json.JSONDecoder(), data.decode("utf-8", "replace"), [], 0
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        try:
            _, end = decoder.raw_decode(text, pos)
        except ValueError:
            parts.append(text[pos:].encode())
            break
        parts.append(text[pos:end].encode())
        pos = end
    return parts


def _unescape(text: str) -> bytes:
    """Delimiters are given escaped in the API ("\\n"); a base64 value is taken as is."""
    try:
        return text.encode().decode("unicode_escape").encode("latin-1")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return base64.b64decode(text)


def error_line(failure: Failure, now_ms: int, extra: Optional[dict] = None) -> bytes:
    """One record of an error output object, as Firehose writes them (one JSON object per line)."""
    line = {"attemptsMade": 1, "arrivalTimestamp": failure.arrival_ms, "errorCode": failure.code,
            "errorMessage": failure.message, "attemptEndingTimestamp": now_ms,
            "rawData": base64.b64encode(failure.data).decode()}
    line.update(extra or {})
    return (json.dumps(line) + "\n").encode()
