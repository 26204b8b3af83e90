"""ShardLog: append, read back, recover a torn tail, index by time, retention by whole segments."""

from __future__ import annotations

import os
import threading

import pytest

from lakebox.storage.shard_log import ShardLog, ShardSealed


def _records(n: int, start: int = 0) -> list[tuple[bytes, bytes]]:
    return [(f"key-{i}".encode(), f"data-{i}".encode() * (i % 5 + 1)) for i in range(start, start + n)]


def test_append_then_read_returns_records_in_order(tmp_path):
    log = ShardLog(tmp_path / "s")
    placed = log.append(_records(10), arrival_ms=1000)
    assert [offset for offset, _ in placed] == list(range(10))
    got = log.read(0, 100)
    assert [(r.partition_key, r.data) for r in got] == [(k.decode(), d) for k, d in _records(10)]
    assert [r.offset for r in log.read(4, 3)] == [4, 5, 6]
    assert log.end_offset == 10


def test_reopen_keeps_records_and_continues_offsets(tmp_path):
    log = ShardLog(tmp_path / "s", segment_bytes=200)
    for start in range(0, 20, 2):  # a batch always lands in one segment; small segments roll often
        log.append(_records(2, start), arrival_ms=1000)
    log.close()
    again = ShardLog(tmp_path / "s", segment_bytes=200)
    assert [r.data for r in again.read(0, 100)] == [d for _, d in _records(20)]
    assert again.append(_records(1, 20), arrival_ms=2000)[0][0] == 20
    assert len(list((tmp_path / "s").glob("*.seg"))) > 2


def test_torn_tail_is_cut_and_earlier_records_survive(tmp_path):
    log = ShardLog(tmp_path / "s")
    log.append(_records(5), arrival_ms=1000)
    log.close()
    segment = sorted((tmp_path / "s").glob("*.seg"))[-1]
    whole = segment.read_bytes()
    with open(segment, "ab") as handle:  # half a record, as a crash mid-write leaves it
        handle.write(whole[: len(whole) // 5 + 3])
    recovered = ShardLog(tmp_path / "s")
    assert [r.offset for r in recovered.read(0, 100)] == [0, 1, 2, 3, 4]
    assert segment.stat().st_size == len(whole)
    assert recovered.append(_records(1, 5), arrival_ms=1001) == [(5, 1001)]
    assert recovered.read(5, 1)[0].data == _records(1, 5)[0][1]


def test_corrupt_record_ends_the_log_there(tmp_path):
    log = ShardLog(tmp_path / "s")
    log.append(_records(3), arrival_ms=1000)
    log.close()
    segment = sorted((tmp_path / "s").glob("*.seg"))[-1]
    raw = bytearray(segment.read_bytes())
    raw[-2] ^= 0xFF  # flip a byte in the last record's data: its checksum no longer matches
    segment.write_bytes(bytes(raw))
    assert [r.offset for r in ShardLog(tmp_path / "s").read(0, 10)] == [0, 1]


def test_offset_at_time_finds_first_record_at_or_after(tmp_path):
    log = ShardLog(tmp_path / "s", segment_bytes=100)
    for t in (1000, 2000, 3000):
        log.append(_records(3), arrival_ms=t)
    assert log.offset_at_time(0) == 0
    assert log.offset_at_time(2000) == 3
    assert log.offset_at_time(2500) == 6
    assert log.offset_at_time(9999) == 9
    assert log.arrival_of(4) == 2000


def test_arrivals_never_go_back(tmp_path):
    log = ShardLog(tmp_path / "s")
    log.append(_records(1), arrival_ms=5000)
    assert log.append(_records(1), arrival_ms=4000) == [(1, 5000)]


def test_retention_drops_whole_old_segments_only(tmp_path):
    log = ShardLog(tmp_path / "s", segment_span_ms=1000)
    log.append(_records(4), arrival_ms=1_000)
    log.append(_records(4), arrival_ms=5_000)  # rolls: more than a span later
    log.append(_records(4), arrival_ms=9_000)
    assert log.drop_before(3_000) == 1
    assert log.start_offset == 4
    assert [r.offset for r in log.read(0, 100)][0] == 4
    assert log.drop_before(100_000) == 2  # the active segment rolls so that it can go too
    assert log.read(0, 100) == []
    assert log.append(_records(1), arrival_ms=100_001)[0][0] == 12


def test_read_respects_byte_budget_but_returns_one_record(tmp_path):
    log = ShardLog(tmp_path / "s")
    log.append([(b"k", b"x" * 1000)] * 10, arrival_ms=1)
    assert len(log.read(0, 100, max_bytes=3500)) == 3
    assert len(log.read(0, 100, max_bytes=10)) == 1


def test_sealed_log_refuses_writes(tmp_path):
    log = ShardLog(tmp_path / "s")
    log.append(_records(2), arrival_ms=1)
    assert log.seal() == 2
    with pytest.raises(ShardSealed):
        log.append(_records(1), arrival_ms=2)


def test_concurrent_writers_get_distinct_offsets_and_all_records_read_back(tmp_path):
    log = ShardLog(tmp_path / "s", segment_bytes=4096)
    results: list[list[tuple[int, int]]] = []

    def writer(w: int) -> None:
        for b in range(20):
            results.append(log.append([(f"w{w}".encode(), f"{w}-{b}-{i}".encode()) for i in range(25)], arrival_ms=1))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    offsets = sorted(o for batch in results for o, _ in batch)
    assert offsets == list(range(4 * 20 * 25))
    datas = [r.data for r in log.read(0, 10_000)]
    assert len(datas) == len(set(datas)) == 2000
    for w in range(4):  # each writer's records keep its own order
        mine = [d for d in datas if d.startswith(f"{w}-".encode())]
        assert mine == sorted(mine, key=lambda d: tuple(int(x) for x in d.split(b"-")[1:]))


def test_destroy_removes_files(tmp_path):
    log = ShardLog(tmp_path / "s")
    log.append(_records(1), arrival_ms=1)
    log.destroy()
    assert not os.path.exists(tmp_path / "s")


def test_durable_watchers_are_called_after_each_sync_until_unwatched(tmp_path):
    shard_log = ShardLog(tmp_path / "watched")
    seen = []
    unwatch = shard_log.watch_durable(lambda: seen.append(shard_log.end_offset))
    shard_log.append([(b"k", b"one")], 1)
    shard_log.append([(b"k", b"two"), (b"k", b"three")], 2)
    unwatch()
    shard_log.append([(b"k", b"four")], 3)
    assert seen == [1, 3]
    assert [r.data for r in shard_log.read(0, 10, 1 << 20)] == [b"one", b"two", b"three", b"four"]


def test_drop_below_unlinks_consumed_segments_and_keeps_the_rest(tmp_path):
    log = ShardLog(tmp_path / "s", segment_bytes=200)
    for start in range(0, 20, 2):
        log.append(_records(2, start), arrival_ms=1000)
    segments = sorted((tmp_path / "s").glob("*.seg"))
    assert log.drop_below(7) >= 1
    assert log.start_offset <= 7  # a segment holding offset 7 is kept whole
    assert [r.offset for r in log.read(7, 100)] == list(range(7, 20))
    assert len(list((tmp_path / "s").glob("*.seg"))) < len(segments)
    # Everything consumed: only a fresh, empty active segment is left, and offsets go on after a reopen.
    log.drop_below(20)
    assert log.read(0, 100) == [] and log.bytes_from(0) == 0
    log.close()
    again = ShardLog(tmp_path / "s", segment_bytes=200)
    assert again.append(_records(1, 20), arrival_ms=2000)[0][0] == 20
    assert [r.offset for r in again.read(0, 100)] == [20]


def test_bytes_from_counts_the_framed_records_after_an_offset(tmp_path):
    log = ShardLog(tmp_path / "s", segment_bytes=300)
    for start in range(0, 12, 3):
        log.append(_records(3, start), arrival_ms=1000)
    total = sum(p.stat().st_size for p in (tmp_path / "s").glob("*.seg"))
    assert log.bytes_from(0) == total
    tail = log.bytes_from(6)
    assert 0 < tail < total
    payload = sum(len(k) + len(d) for k, d in _records(12)[6:])
    assert payload < tail < payload + 6 * 64  # the data plus a small frame per record
    assert log.bytes_from(12) == 0
