"""GetRecords' `Records` rendered straight from the shard log's bytes to json, in one pass.

Why: a page holds up to 10,000 records, and shaping each into a dict for the generic serializer
(then into another for orjson) cost more than reading the records from disk. Here each record is
one formatted line: its frame fields come from the log's page (`entries`), the sequence number is
the shard's base plus the offset, and what records share is worked out once (the json around an
arrival time, which the records of one put have in common, and the leading digits of the sequence
numbers). A partition key is written as its UTF-8 bytes in quotes unless it holds a quote, a
backslash or a control character; then orjson escapes it, as the generic path does. `Data` is
encoded by pybase64 (SIMD), several times faster than binascii.

The output means exactly what the generic serializer writes for the same records (the tests read
both back with botocore's parser): the timestamp as epoch seconds with milliseconds, `Data` as
base64, `EncryptionType` only on an encrypted stream's records.

A page is any object with `entries()` (`(offset, arrival ms, key bytes, data bytes)` per record),
`sequence_base` (int) and `encryption_type` (str or None); the protocol layer knows no service.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional, Protocol

import orjson
from pybase64 import b64encode

#: What a partition key must not hold to be written between quotes as it is.
_NEEDS_ESCAPE = re.compile(rb'["\\\x00-\x1f]').search


class RawRecordPage(Protocol):
    sequence_base: int
    encryption_type: Optional[str]

    def entries(self) -> Iterator[tuple[int, int, bytes, bytes]]: ...


def is_raw_page(value: Any) -> bool:
    return hasattr(value, "entries") and hasattr(value, "sequence_base")


def _stamp(arrival_ms: int) -> bytes:
    """The json between the sequence number and the data for records that arrived at `arrival_ms`."""
    return b'","ApproximateArrivalTimestamp":' + orjson.dumps(arrival_ms / 1000) + b',"Data":"'


#: Sequence numbers are a shard's base plus the offset. Bases are multiples of 10**36 (model.py),
#: so the digits above the last 18 are the same for a whole page and formatted once.
_LOW_DIGITS = 10**18


def render_records(page: RawRecordPage, before: bytes = b"", after: bytes = b"") -> bytes:
    """`before`, the json array of the page's records, then `after`, as one bytes object (the page
    is the bulk of a response: it is copied once, not again to wrap it)."""
    tail = b"}," if not page.encryption_type else b',"EncryptionType":' + orjson.dumps(page.encryption_type) + b"},"
    high, low = divmod(page.sequence_base, _LOW_DIGITS)
    head = b'{"SequenceNumber":"' + (str(high).encode() if high else b"")
    # The 18 low digits, zero-padded when there are digits above them.
    low_digits = b"%018d" if high else b"%d"
    plain_key = head + low_digits + b'%s%s","PartitionKey":"%s"' + tail
    escaped_key = head + low_digits + b'%s%s","PartitionKey":%s' + tail
    stamps: dict[int, bytes] = {}
    lines: list[bytes] = [before + b"["]
    append = lines.append
    to_base64, needs_escape, dumps = b64encode, _NEEDS_ESCAPE, orjson.dumps
    for offset, arrival, key, data in page.entries():
        stamp = stamps.get(arrival)
        if stamp is None:
            stamp = stamps[arrival] = _stamp(arrival)
        offset += low
        if offset >= _LOW_DIGITS:  # a carry into the shared digits: not with this log's offsets
            return _render_slowly(page, before, after)
        if needs_escape(key) is None:
            append(plain_key % (offset, stamp, to_base64(data), key))
        else:
            append(escaped_key % (offset, stamp, to_base64(data), dumps(key.decode("utf-8"))))
    if len(lines) > 1:
        lines[-1] = lines[-1][:-1]  # no comma after the last record
    lines.append(b"]" + after)
    return b"".join(lines)


def _render_slowly(page: RawRecordPage, before: bytes, after: bytes) -> bytes:
    """The same json for any sequence base, a record at a time through orjson."""
    extra = {"EncryptionType": page.encryption_type} if page.encryption_type else {}
    records = [{"SequenceNumber": str(page.sequence_base + offset), "ApproximateArrivalTimestamp": arrival / 1000,
                "Data": b64encode(data).decode("ascii"), "PartitionKey": key.decode("utf-8"), **extra}
               for offset, arrival, key, data in page.entries()]
    return before + orjson.dumps(records) + after
