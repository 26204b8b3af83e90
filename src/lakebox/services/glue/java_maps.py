"""The order in which Glue returns the entries of a string map (a table's `Parameters`).

Glue keeps such a map in a Java `HashMap` and writes it out in that map's iteration order, not in the
order the request gave: awswrangler sends `classification, compressionType, typeOfData` and reads back
`compressionType, classification, typeOfData`. Clients that print the map as they get it (awswrangler's
`generate_create_query`) depend on the order, so lakebox reproduces it: entries go by bucket,
`spread(String.hashCode()) & (capacity - 1)`, and keep insertion order within a bucket; the capacity
starts at 16 and doubles whenever the entries exceed three quarters of it.

Imports nothing from lakebox.
"""

from __future__ import annotations

_DEFAULT_CAPACITY = 16
_LOAD_FACTOR = 0.75


def _string_hash(text: str) -> int:
    """Java's String.hashCode over UTF-16 code units, as an unsigned 32-bit value."""
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h


def _capacity(size: int) -> int:
    capacity = _DEFAULT_CAPACITY
    while size > capacity * _LOAD_FACTOR:
        capacity *= 2
    return capacity


def hash_map_order(entries: dict) -> dict:
    """`entries` re-ordered as a Java HashMap built from them in their order iterates."""
    if len(entries) < 2:
        return dict(entries)
    mask = _capacity(len(entries)) - 1

    def bucket(key: str) -> int:
        h = _string_hash(key)
        return (h ^ (h >> 16)) & mask

    # sorted() is stable: keys of one bucket keep their insertion order, as HashMap's chains do.
    return {key: entries[key] for key in sorted(entries, key=bucket)}
