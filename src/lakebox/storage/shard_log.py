"""`ShardLog`: one Kinesis shard as an append-only segment log on disk (DESIGN D5).

Why a log of our own rather than rows in SQLite: a shard is written in order, read in order from a
position, and trimmed from the front by age. A log does all three at the cost of an append, a
`pread` and an `unlink`, and it makes "acknowledged means durable" cheap: a batch of records is one
`write` and one `fdatasync`, and concurrent writers share that `fdatasync` (group commit).

Layout: `<dir>/<first offset, 20 digits>.seg`, each file a run of records

    u32 body length | u32 crc32(body) | body = u64 offset | i64 arrival ms | u16 key length | key | data

Offsets count records in the shard from 0 and never repeat; the service maps them to AWS sequence
numbers. In memory each segment keeps two arrays, the file position and the arrival time of every
record, which are the index by sequence number (offset) and by arrival time (arrivals never go back).
Both arrays are rebuilt by scanning the files at open; a torn or corrupt tail left by a crash is cut
off there, so what survives is exactly a prefix of what was written, and every record that was
acknowledged (it was fsynced before the ack) is in that prefix.

Readers see only records below the durable watermark, so nothing a reader saw can vanish in a crash.
Readers open their own file descriptor per read and take no lock: a reader never blocks a writer.
A read takes each segment's run of frames whole (one `pread`, or a read-only map when large) and
hands them back as they are (a `RecordPage`, record_page.py), so that a page goes from disk to a
response in one pass over its records.
Retention unlinks whole segments; a segment rolls when it is large or spans more than an hour of
arrivals, so trimming has at most that granularity (readers filter by arrival time exactly).
"""

from __future__ import annotations

import bisect
import logging
import mmap
import os
import struct
import threading
import zlib
from array import array
from pathlib import Path
from typing import Callable, Optional, Sequence

from .record_page import RECORD_OVERHEAD, Buffer, RecordPage, StoredRecord

log = logging.getLogger("lakebox.storage.shard_log")

_FRAME = struct.Struct("<II")  # body length, crc32(body)
_HEAD = struct.Struct("<QqH")  # offset, arrival ms, partition-key length
SEGMENT_SUFFIX = ".seg"
#: Reads of at least this many bytes map the segment rather than copy it out (see _read_segment).
MAP_AT_LEAST = 1 << 20


class ShardSealed(Exception):
    """The shard was closed (split or merged); writes must go to its children."""


class _Segment:
    __slots__ = ("first_offset", "path", "positions", "arrivals", "size")

    def __init__(self, first_offset: int, path: Path):
        self.first_offset = first_offset
        self.path = path
        self.positions = array("q")
        self.arrivals = array("q")
        self.size = 0

    @property
    def end_offset(self) -> int:
        return self.first_offset + len(self.positions)


def _segment_name(first_offset: int) -> str:
    return f"{first_offset:020d}{SEGMENT_SUFFIX}"


def encode_record(offset: int, arrival_ms: int, key: bytes, data: bytes) -> bytes:
    body = _HEAD.pack(offset, arrival_ms, len(key)) + key + data
    return _FRAME.pack(len(body), zlib.crc32(body)) + body


class ShardLog:
    def __init__(self, directory, *, segment_bytes: int = 64 << 20, segment_span_ms: int = 3_600_000):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.segment_bytes = segment_bytes
        self.segment_span_ms = segment_span_ms
        self._append_lock = threading.Lock()
        self._sync_cond = threading.Condition()
        self._syncing = False
        self._durable_watchers: tuple = ()
        self.sealed = False
        self._segments: list[_Segment] = self._recover()
        if not self._segments:
            self._segments = [self._new_segment(0)]
        active = self._segments[-1]
        self._fd = os.open(active.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._next_offset = active.end_offset
        self._durable = self._next_offset  # what survived recovery is on disk
        self._last_arrival = active.arrivals[-1] if len(active.arrivals) else 0

    # -- recovery -----------------------------------------------------------------------------------

    def _recover(self) -> list[_Segment]:
        segments = []
        names = sorted(p for p in self.directory.iterdir() if p.name.endswith(SEGMENT_SUFFIX))
        for path in names:
            try:
                first = int(path.name[: -len(SEGMENT_SUFFIX)])
            except ValueError:
                continue
            if segments and first != segments[-1].end_offset:
                # A gap means a later segment than a torn one: everything after the tear is dropped.
                log.warning("shard log %s: dropping %s after a gap at offset %d", self.directory, path.name,
                            segments[-1].end_offset)
                path.unlink()
                continue
            segment = _Segment(first, path)
            self._scan(segment)
            segments.append(segment)
        return segments

    def _scan(self, segment: _Segment) -> None:
        data = segment.path.read_bytes()
        pos, expected = 0, segment.first_offset
        while pos + _FRAME.size <= len(data):
            length, crc = _FRAME.unpack_from(data, pos)
            body_start = pos + _FRAME.size
            body = data[body_start: body_start + length]
            if len(body) != length or length < _HEAD.size or zlib.crc32(body) != crc:
                break
            offset, arrival, _key_len = _HEAD.unpack_from(body)
            if offset != expected:
                break
            segment.positions.append(pos)
            segment.arrivals.append(arrival)
            expected += 1
            pos = body_start + length
        if pos != len(data):
            log.warning("shard log %s: cutting a torn tail of %d bytes from %s", self.directory, len(data) - pos,
                        segment.path.name)
            with open(segment.path, "r+b") as handle:
                handle.truncate(pos)
                handle.flush()
                os.fsync(handle.fileno())
        segment.size = pos

    def _new_segment(self, first_offset: int) -> _Segment:
        path = self.directory / _segment_name(first_offset)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        os.close(fd)
        self._fsync_directory()
        return _Segment(first_offset, path)

    def _fsync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    # -- writing ------------------------------------------------------------------------------------

    def append(self, records: Sequence[tuple[bytes, bytes]], arrival_ms: int) -> list[tuple[int, int]]:
        """Write `(partition key, data)` records and return their `(offset, arrival ms)` once durable."""
        placed = self.append_unsynced(records, arrival_ms)
        if placed:
            self.wait_durable(placed[-1][0] + 1)
        return placed

    def append_unsynced(self, records: Sequence[tuple[bytes, bytes]], arrival_ms: int) -> list[tuple[int, int]]:
        """Write records without waiting; pass the last offset + 1 to `wait_durable` before acking.

        Callers writing to several shards at once write to all, then wait on each, so the fsyncs of
        one request overlap with the writes of the others.
        """
        with self._append_lock:
            if self.sealed:
                raise ShardSealed(str(self.directory))
            arrival = max(arrival_ms, self._last_arrival)
            active = self._segments[-1]
            if len(active.positions) and (active.size >= self.segment_bytes
                                          or arrival - active.arrivals[0] >= self.segment_span_ms):
                active = self._roll()
            first, pos = self._next_offset, active.size
            chunks, positions = [], []
            pack_head, pack_frame, crc32 = _HEAD.pack, _FRAME.pack, zlib.crc32
            offset = first
            for key, data in records:
                body = b"".join((pack_head(offset, arrival, len(key)), key, data))
                chunks.append(pack_frame(len(body), crc32(body)))
                chunks.append(body)
                positions.append(pos)
                pos += _FRAME.size + len(body)
                offset += 1
            payload = b"".join(chunks)
            active.positions.extend(positions)
            active.arrivals.extend([arrival] * len(positions))
            placed = [(o, arrival) for o in range(first, offset)]
            try:
                written = os.write(self._fd, payload)
                while written < len(payload):
                    written += os.write(self._fd, payload[written:])
            except BaseException:
                # Undo the index so nothing points at bytes that never reached the file.
                del active.positions[len(active.positions) - len(records):]
                del active.arrivals[len(active.arrivals) - len(records):]
                os.ftruncate(self._fd, active.size)
                raise
            active.size = pos
            self._next_offset = offset
            self._last_arrival = arrival
            return placed

    def _roll(self) -> _Segment:
        """Start a new active segment (called under the append lock). The old one is synced first."""
        os.fdatasync(self._fd)
        segment = self._new_segment(self._next_offset)
        new_fd = os.open(segment.path, os.O_WRONLY | os.O_APPEND)
        old_fd, self._fd = self._fd, new_fd
        os.close(old_fd)
        self._segments = [*self._segments, segment]  # copy-on-write: readers hold the old list
        return segment

    def wait_durable(self, end_offset: int) -> None:
        """Return once every record below `end_offset` is on disk (one fsync serves many writers)."""
        with self._sync_cond:
            while self._durable < end_offset:
                if self._syncing:
                    self._sync_cond.wait()
                    continue
                self._syncing = True
                self._sync_cond.release()
                goal = None
                try:
                    with self._append_lock:
                        goal, fd = self._next_offset, os.dup(self._fd)
                    try:
                        os.fdatasync(fd)
                    finally:
                        os.close(fd)
                finally:
                    self._sync_cond.acquire()
                    self._syncing = False
                    if goal is not None:
                        self._durable = max(self._durable, goal)
                    self._sync_cond.notify_all()
                    for watcher in self._durable_watchers:
                        watcher()

    def watch_durable(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` (quick, never raising) after each fsync; returns the function that stops it.

        A live reader (SubscribeToShard) waits on this instead of polling the log.
        """
        with self._sync_cond:
            self._durable_watchers = (*self._durable_watchers, callback)

        def unwatch() -> None:
            with self._sync_cond:
                self._durable_watchers = tuple(w for w in self._durable_watchers if w is not callback)

        return unwatch

    def seal(self) -> int:
        """Refuse further writes (the shard was closed); returns the next offset, i.e. the count."""
        with self._append_lock:
            self.sealed = True
            end = self._next_offset
        self.wait_durable(end)
        return end

    # -- reading ------------------------------------------------------------------------------------

    @property
    def end_offset(self) -> int:
        """One past the last durable record: what readers may see."""
        return self._durable

    @property
    def start_offset(self) -> int:
        """The first offset still on disk (retention may have dropped older segments)."""
        return self._segments[0].first_offset

    def arrival_of(self, offset: int) -> Optional[int]:
        segments = self._segments
        index = bisect.bisect_right([s.first_offset for s in segments], offset) - 1
        if index < 0 or offset >= self._durable:
            return None
        segment = segments[index]
        i = offset - segment.first_offset
        return segment.arrivals[i] if i < len(segment.arrivals) else None

    def offset_at_time(self, arrival_ms: int) -> int:
        """The first durable offset whose arrival is at or after `arrival_ms` (end_offset if none)."""
        end = self._durable
        for segment in self._segments:
            count = min(len(segment.arrivals), end - segment.first_offset)
            if count <= 0:
                break
            if segment.arrivals[count - 1] >= arrival_ms:
                i = bisect.bisect_left(segment.arrivals, arrival_ms, 0, count)
                return segment.first_offset + i
        return end

    def bytes_from(self, offset: int) -> int:
        """About how many bytes the durable records from `offset` on take (framing included): what a
        buffer that delivers by size compares with its limit, without reading a record."""
        end, total = self._durable, 0
        for segment in list(self._segments):
            last = min(segment.end_offset, end)
            first = max(offset, segment.first_offset)
            if first >= last:
                continue
            stop = segment.positions[last - segment.first_offset] if last < segment.end_offset else segment.size
            total += stop - segment.positions[first - segment.first_offset]
        return total

    def read(self, start: int, limit: int, max_bytes: int = 10 << 20) -> list[StoredRecord]:
        """`read_page` as a list of records."""
        return list(self.read_page(start, limit, max_bytes))

    def read_page(self, start: int, limit: int, max_bytes: int = 10 << 20) -> RecordPage:
        """Up to `limit` durable records from offset `start` (or the first one kept, if later),
        stopping before `max_bytes` of keys and data (but holding at least one record), as stored."""
        end = self._durable
        chunks: list[tuple[Buffer, int, int, int]] = []
        count, budget, begin = 0, max_bytes, start
        for segment in list(self._segments):
            if count >= limit or start >= end:
                break
            seg_end = min(segment.end_offset, end)
            if seg_end <= start:
                continue
            first = max(start, segment.first_offset)
            last = min(seg_end, first + (limit - count))
            if first >= last:
                continue
            got = self._read_segment(segment, first, last, budget, allow_empty=bool(count))
            if got is None:  # dropped by retention meanwhile: continue with what is left
                continue
            buffer, at, taken = got
            if taken:
                chunks.append((buffer, at, first, taken))
                count += taken
                budget -= len(buffer) - at - RECORD_OVERHEAD * taken
            if first + taken < last:
                break  # the byte budget ran out
            start = last
        return RecordPage(chunks, begin)

    def _read_segment(self, segment: _Segment, first: int, last: int, budget: int,
                      allow_empty: bool) -> Optional[tuple[Buffer, int, int]]:
        """The frames of offsets `first` to `last` (fewer if the byte budget runs out): a buffer, where
        in it they start (they run to its end), and how many."""
        size = segment.size  # read before the positions: a writer appends positions first, size last
        positions = segment.positions
        i, j = first - segment.first_offset, last - segment.first_offset
        begin = positions[i]
        stop = positions[j] if j < len(positions) else size
        if stop - begin - RECORD_OVERHEAD * (j - i) > budget:
            # Over budget: sizes come from the index (a record spans from its position to the next).
            k, used = i, 0
            while k < j:
                following = positions[k + 1] if k + 1 < j else stop
                record = following - positions[k] - RECORD_OVERHEAD
                if used + record > budget and (k > i or allow_empty):
                    break
                used += record
                k += 1
            if k == i:
                return b"", 0, 0
            if k < j:
                j, stop = k, positions[k]
        try:
            fd = os.open(segment.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            if stop - begin < MAP_AT_LEAST:
                return os.pread(fd, stop - begin, begin), 0, j - i
            # A large read maps the file instead: no fresh buffer for the kernel to zero and copy
            # into. The mapped part is below the durable watermark, which nothing truncates.
            aligned = begin - begin % mmap.ALLOCATIONGRANULARITY
            return mmap.mmap(fd, stop - aligned, access=mmap.ACCESS_READ, offset=aligned), begin - aligned, j - i
        finally:
            os.close(fd)

    # -- retention ----------------------------------------------------------------------------------

    def drop_before(self, cutoff_ms: int) -> int:
        """Unlink every segment whose newest record arrived before `cutoff_ms`; returns how many."""
        with self._append_lock:
            active = self._segments[-1]
            if len(active.arrivals) and active.arrivals[-1] < cutoff_ms and not self.sealed:
                self._roll()
            keep, dropped = [], []
            for segment in self._segments[:-1]:
                if not keep and len(segment.arrivals) and segment.arrivals[-1] < cutoff_ms:
                    dropped.append(segment)
                else:
                    keep.append(segment)
            keep.append(self._segments[-1])
            self._segments = keep
        for segment in dropped:
            segment.path.unlink(missing_ok=True)
        if dropped:
            self._fsync_directory()
        return len(dropped)

    def drop_below(self, offset: int) -> int:
        """Unlink every segment whose records all lie below `offset` (a consumer that keeps its own
        position, like a Firehose buffer after delivery, is done with them); returns how many."""
        with self._append_lock:
            active = self._segments[-1]
            if len(active.positions) and active.end_offset <= offset and not self.sealed:
                self._roll()
            dropped = [s for s in self._segments[:-1] if s.end_offset <= offset]
            self._segments = [s for s in self._segments if s not in dropped]
        for segment in dropped:
            segment.path.unlink(missing_ok=True)
        if dropped:
            self._fsync_directory()
        return len(dropped)

    def close(self) -> None:
        with self._append_lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def destroy(self) -> None:
        """Close and delete the whole log (the stream was deleted)."""
        self.close()
        for path in self.directory.glob("*" + SEGMENT_SUFFIX):
            path.unlink(missing_ok=True)
        try:
            self.directory.rmdir()
        except OSError:
            pass
