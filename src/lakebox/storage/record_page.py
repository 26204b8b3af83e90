"""`RecordPage`: the records of one shard-log read, kept as the bytes the log stored them in.

Why not a list of records: a GetRecords page holds up to 10,000 records, and building a tuple per
record only for the next layer to take it apart again (and again into a dict, and again into JSON)
cost more than the read itself. A page keeps each segment's run of frames as it is in the file
(copied out by one `pread`, or for a large read mapped read-only); whoever renders the page walks
the frames once (`entries`), and what it needs about the page as a whole (count, last offset,
bytes of keys and data) is known without walking them.

The frame layout is the shard log's (see shard_log.py):

    u32 body length | u32 crc32(body) | u64 offset | i64 arrival ms | u16 key length | key | data
"""

from __future__ import annotations

import mmap
import struct
from typing import Iterator, NamedTuple, Union

#: A frame's fixed part: body length, crc32, offset, arrival ms, partition-key length.
FRAME_HEAD = struct.Struct("<IIQqH")
#: Bytes a record takes on disk besides its partition key and data.
RECORD_OVERHEAD = FRAME_HEAD.size
#: Where the body starts in a frame (the body length counts from there).
BODY_START = 8
#: What a chunk's frames are read from; slicing either gives bytes.
Buffer = Union[bytes, mmap.mmap]


class StoredRecord(NamedTuple):
    offset: int
    arrival_ms: int
    partition_key: str
    data: bytes


class RecordPage:
    """Consecutive records from one shard log: `chunks` are `(buffer, start, first offset, count)`,
    one per segment read, each buffer holding exactly `count` whole frames from `start` to its end
    (bytes, or an mmap of the segment file)."""

    __slots__ = ("chunks", "count", "byte_size", "start_offset")

    def __init__(self, chunks: list[tuple[Buffer, int, int, int]], start_offset: int):
        self.chunks = chunks
        self.count = sum(count for _, _, _, count in chunks)
        #: Partition keys plus data, as AWS counts a page against a shard's read limit.
        self.byte_size = sum(len(buffer) - start for buffer, start, _, _ in chunks) - RECORD_OVERHEAD * self.count
        #: Where the read began (the next offset of an empty page).
        self.start_offset = start_offset

    def __len__(self) -> int:
        return self.count

    @property
    def next_offset(self) -> int:
        """The offset after the page's last record (where the next read starts)."""
        if not self.chunks:
            return self.start_offset
        _, _, first, count = self.chunks[-1]
        return first + count

    def entries(self) -> Iterator[tuple[int, int, bytes, bytes]]:
        """`(offset, arrival ms, partition key as UTF-8, data)` for every record, in order."""
        unpack = FRAME_HEAD.unpack_from
        for buffer, pos, _first, _count in self.chunks:
            total = len(buffer)
            while pos < total:
                length, _crc, offset, arrival, key_len = unpack(buffer, pos)
                key_end = pos + RECORD_OVERHEAD + key_len
                end = pos + BODY_START + length
                yield offset, arrival, buffer[pos + RECORD_OVERHEAD: key_end], buffer[key_end: end]
                pos = end

    def __iter__(self) -> Iterator[StoredRecord]:
        for offset, arrival, key, data in self.entries():
            yield StoredRecord(offset, arrival, key.decode("utf-8"), data)
