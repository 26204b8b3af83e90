"""GetRecords' `Records` rendered straight from the shard log's bytes to json, in one pass.

Why: a page holds up to 10,000 records, and shaping each into a dict for the generic serializer
(then into another for orjson) cost more than reading the records from disk. Here each record is
one formatted line: its frame fields come from the log's page (`entries`), the sequence number is
`sequence_base + offset * sequence_step + arrival second * sequence_second_step` (the service's
layout is linear in both), and what records share is worked out once per arrival time (the json
around it, and its part of the sequence number), which the records of one put have in common. A partition key is written as its UTF-8 bytes in quotes unless it holds a quote, a
backslash or a control character; then orjson escapes it, as the generic path does. `Data` is
encoded by pybase64 (SIMD), several times faster than binascii, in one call for the whole page
(`_encode_page_data`).

The output means exactly what the generic serializer writes for the same records (the tests read
both back with botocore's parser): the timestamp as epoch seconds with milliseconds, `Data` as
base64, `EncryptionType` only on an encrypted stream's records.

A page is any object with `entries()` (`(offset, arrival ms, key bytes, data bytes)` per record),
`sequence_base`, `sequence_step`, `sequence_second_step` (ints) and `encryption_type` (str or None);
the protocol layer knows no service.
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
    sequence_step: int
    sequence_second_step: int
    encryption_type: Optional[str]

    def entries(self) -> Iterator[tuple[int, int, bytes, bytes]]: ...


def is_raw_page(value: Any) -> bool:
    return hasattr(value, "entries") and hasattr(value, "sequence_base")


def _stamp(arrival_ms: int) -> bytes:
    """The json between the sequence number and the data for records that arrived at `arrival_ms`."""
    return b'","ApproximateArrivalTimestamp":' + orjson.dumps(arrival_ms / 1000) + b',"Data":"'


def render_records(page: RawRecordPage, before: bytes = b"", after: bytes = b"") -> bytes:
    """`before`, the json array of the page's records, then `after`, as one bytes object."""
    return b"".join(render_record_pieces(page, before, after))


def render_record_pieces(page: RawRecordPage, before: bytes = b"", after: bytes = b"") -> list:
    """The same json as a list of bytes-like pieces, to be sent or joined as they are (the page is
    the bulk of a response: it is not copied again to wrap it)."""
    entries = list(page.entries())
    if not entries:
        return [before + b"[]" + after]
    tail = b"}," if not page.encryption_type else b',"EncryptionType":' + orjson.dumps(page.encryption_type) + b"},"
    base, index_step, second_step = page.sequence_base, page.sequence_step, page.sequence_second_step
    head = b'{"SequenceNumber":"%d%s'
    # Indexed by how many '=' end the record's base64.
    plain_key = [b"=" * pad + b'","PartitionKey":"%s"' + tail for pad in range(3)]
    escaped_key = [b"=" * pad + b'","PartitionKey":%s' + tail for pad in range(3)]
    encoded = memoryview(_encode_page_data(entries))
    stamps: dict[int, tuple[int, bytes]] = {}  # arrival ms -> (its part of the number, its json)
    lines: list[bytes] = [before + b"["]
    append = lines.append
    needs_escape, dumps = _NEEDS_ESCAPE, orjson.dumps
    at = 0
    for offset, arrival, key, data in entries:
        shared = stamps.get(arrival)
        if shared is None:
            shared = stamps[arrival] = (base + arrival // 1000 * second_step, _stamp(arrival))
        arrival_base, stamp = shared
        size = len(data)
        pad = -size % 3
        step = (size + pad) // 3 * 4
        append(head % (arrival_base + offset * index_step, stamp))
        append(encoded[at:at + step - pad])
        at += step
        if needs_escape(key) is None:
            append(plain_key[pad] % key)
        else:
            append(escaped_key[pad] % dumps(key.decode("utf-8")))
    lines[-1] = lines[-1][:-1]  # no comma after the last record
    lines.append(b"]" + after)
    return lines


_ZEROS = (b"", b"\0", b"\0\0")


def _encode_page_data(entries: list) -> bytes:
    """The base64 of every record's data, each zero-padded to whole 3-byte groups, in one call.

    A whole group encodes to 4 characters on its own, so each record's base64 is a slice of the
    result: standard base64 also fills a last, short group with zero bits, so its characters are
    the same, and only the `=` padding differs (the caller writes `pad` of those instead of the
    last `pad` characters). One call for the page, rather than one per record, matters beyond the
    call itself: pybase64 lets go of the GIL on every call, and with several pages rendered at once
    each record then cost a handover of the GIL between threads.
    """
    parts: list[bytes] = []
    append = parts.append
    for _, _, _, data in entries:
        append(data)
        pad = -len(data) % 3
        if pad:
            append(_ZEROS[pad])
    return b64encode(b"".join(parts))
