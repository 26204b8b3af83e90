"""ShardLog.read_page: the records as stored, across segments, within the byte budget, and only
below the durable watermark."""

from __future__ import annotations

import random

import pytest

from lakebox.storage.record_page import StoredRecord
from lakebox.storage.shard_log import MAP_AT_LEAST, ShardLog


def _batch(start: int, n: int, rng: random.Random) -> list[tuple[bytes, bytes]]:
    return [(f"key-{i}-ü".encode(), rng.randbytes(rng.choice([0, 1, 100, 3000]))) for i in range(start, start + n)]


def _expected(written, start: int, limit: int, budget: int) -> list[tuple[int, bytes, bytes]]:
    """The records a read from `start` must give: in order, at most `limit`, stopping before the
    one whose key plus data would pass `budget` (but at least one)."""
    out = []
    for offset in range(start, len(written)):
        key, data = written[offset]
        if len(out) >= limit or (out and len(key) + len(data) > budget):
            break
        budget -= len(key) + len(data)
        out.append((offset, key, data))
    return out


@pytest.fixture
def filled(tmp_path):
    rng = random.Random(3)
    log = ShardLog(tmp_path / "s", segment_bytes=20_000)  # many small segments
    written = []
    for batch in range(30):
        records = _batch(len(written), 7, rng)
        log.append(records, arrival_ms=1000 + batch)
        written += records
    assert len(log._segments) > 5
    return log, written


@pytest.mark.parametrize("start,limit,budget", [(0, 10_000, 10 << 20), (0, 10_000, 25_000), (5, 17, 10 << 20),
                                                (13, 10_000, 1), (40, 3, 9000), (209, 10, 10 << 20),
                                                (0, 10_000, 0), (7, 50, 6001)])
def test_read_page_matches_record_by_record_budget(filled, start, limit, budget):
    log, written = filled
    page = log.read_page(start, limit, budget)
    got = [(offset, key, data) for offset, _arrival, key, data in page.entries()]
    assert got == _expected(written, start, limit, budget)
    assert len(page) == len(got)
    assert page.byte_size == sum(len(k) + len(d) for _, k, d in got)
    assert page.next_offset == (got[-1][0] + 1 if got else start)
    assert log.read(start, limit, budget) == [StoredRecord(o, 1000 + o // 7, k.decode(), d) for o, k, d in got]


def test_read_page_past_the_end_is_empty_and_points_where_it_started(filled):
    log, written = filled
    page = log.read_page(len(written), 100)
    assert (len(page), page.byte_size, page.next_offset, list(page)) == (0, 0, len(written), [])


def test_read_page_sees_only_durable_records(tmp_path):
    log = ShardLog(tmp_path / "s")
    log.append([(b"k", b"durable")], arrival_ms=1)
    placed = log.append_unsynced([(b"k", b"not yet")], arrival_ms=2)
    assert [d for _, _, _, d in log.read_page(0, 100).entries()] == [b"durable"]
    log.wait_durable(placed[-1][0] + 1)
    assert [d for _, _, _, d in log.read_page(0, 100).entries()] == [b"durable", b"not yet"]


def test_read_page_skips_segments_dropped_by_retention(filled):
    log, written = filled
    log.drop_before(1010)
    start = log.start_offset
    assert start > 0
    page = log.read_page(0, 10_000, 10 << 20)
    assert [o for o, _, _, _ in page.entries()] == list(range(start, len(written)))


def test_large_reads_map_the_segment_and_read_the_same_records(tmp_path):
    log = ShardLog(tmp_path / "s")
    rng = random.Random(9)
    written = [(f"k{i}".encode(), rng.randbytes(300_000 + i)) for i in range(8)]
    log.append(written[:3], arrival_ms=1)
    log.append(written[3:], arrival_ms=2)
    page = log.read_page(1, 100, 10 << 20)  # from a position inside the file, not page aligned
    assert MAP_AT_LEAST <= page.byte_size and not isinstance(page.chunks[0][0], bytes)
    assert [(o, k, d) for o, _, k, d in page.entries()] == [(i, *written[i]) for i in range(1, 8)]
    assert page.byte_size == sum(len(k) + len(d) for k, d in written[1:])
    assert log.drop_before(10) == 1 and log.start_offset == 8  # retention unlinked the segment
    assert [r.data for r in page] == [d for _, d in written[1:]]
