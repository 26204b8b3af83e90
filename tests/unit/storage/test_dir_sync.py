"""Group commit of directory fsyncs (storage/dir_sync.py): shared, but never acknowledging early."""

from __future__ import annotations

import os
import threading

import pytest

from lakebox.storage import dir_sync
from lakebox.storage.dir_sync import DirectorySyncer

_real_fsync = os.fsync


class GatedFsync:
    """Stands in for os.fsync: records each call, and holds the first one until `release()`."""

    def __init__(self, fail_first: bool = False):
        self.calls: list[int] = []
        self.finished: list[int] = []
        self.first_started = threading.Event()
        self._gate = threading.Event()
        self._fail_first = fail_first
        self._lock = threading.Lock()

    def __call__(self, fd: int) -> None:
        with self._lock:
            self.calls.append(fd)
            number = len(self.calls)
        if number == 1:
            self.first_started.set()
            self._gate.wait(30)
            if self._fail_first:
                raise OSError(5, "Input/output error")
        _real_fsync(fd)
        with self._lock:
            self.finished.append(number)

    def release(self) -> None:
        self._gate.set()


def open_dir(path) -> int:
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY)


def wait_until(condition) -> None:
    event = threading.Event()
    for _ in range(3000):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("condition never held")


def announced(syncer: DirectorySyncer, fd: int) -> int:
    st = os.fstat(fd)
    with syncer._lock:
        entry = syncer._dirs.get((st.st_dev, st.st_ino))
        return entry.announced if entry is not None else 0


def run_in_threads(target, count: int) -> tuple[list[threading.Thread], list]:
    errors: list = []

    def guarded():
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded) for _ in range(count)]
    for t in threads:
        t.start()
    return threads, errors


def test_callers_that_arrive_during_an_fsync_share_the_next_one(tmp_path, monkeypatch):
    gated = GatedFsync()
    monkeypatch.setattr(dir_sync.os, "fsync", gated)
    syncer = DirectorySyncer()
    fds = [open_dir(tmp_path) for _ in range(6)]
    try:
        leader, errors = run_in_threads(lambda: syncer.sync(fds[0]), 1)
        assert gated.first_started.wait(30)
        returned = []
        followers = [threading.Thread(target=lambda fd=fd: (syncer.sync(fd), returned.append(fd)))
                     for fd in fds[1:]]
        for t in followers:
            t.start()
        wait_until(lambda: announced(syncer, fds[0]) == 6)
        # The fsync in flight started before their renames: it must not acknowledge them.
        assert returned == []
        gated.release()
        for t in leader + followers:
            t.join(30)
        assert errors == []
        assert sorted(returned) == sorted(fds[1:])
        # One fsync for the leader, one more for all five that came while it ran.
        assert len(gated.calls) == 2
        assert gated.finished == [1, 2]
        assert len(syncer) == 0
    finally:
        for fd in fds:
            os.close(fd)


def test_a_failed_fsync_raises_in_its_caller_and_covers_nobody(tmp_path, monkeypatch):
    gated = GatedFsync(fail_first=True)
    monkeypatch.setattr(dir_sync.os, "fsync", gated)
    syncer = DirectorySyncer()
    first, second = open_dir(tmp_path), open_dir(tmp_path)
    try:
        leader, leader_errors = run_in_threads(lambda: syncer.sync(first), 1)
        assert gated.first_started.wait(30)
        follower, follower_errors = run_in_threads(lambda: syncer.sync(second), 1)
        wait_until(lambda: announced(syncer, first) == 2)
        gated.release()
        for t in leader + follower:
            t.join(30)
        assert [type(e) for e in leader_errors] == [OSError]
        assert follower_errors == []
        # The follower was not acknowledged by the failed fsync: it ran one of its own.
        assert gated.calls == [first, second]
        assert gated.finished == [2]
    finally:
        os.close(first)
        os.close(second)


def test_different_directories_are_synced_separately(tmp_path, monkeypatch):
    gated = GatedFsync()
    monkeypatch.setattr(dir_sync.os, "fsync", gated)
    syncer = DirectorySyncer()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = open_dir(tmp_path / "a"), open_dir(tmp_path / "b")
    try:
        held, errors = run_in_threads(lambda: syncer.sync(a), 1)
        assert gated.first_started.wait(30)
        # b does not wait for a's fsync, and is not covered by it.
        syncer.sync(b)
        assert gated.calls == [a, b]
        gated.release()
        held[0].join(30)
        assert errors == []
        assert len(syncer) == 0
    finally:
        os.close(a)
        os.close(b)


def test_a_lone_caller_runs_its_own_fsync_every_time(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(dir_sync.os, "fsync", calls.append)
    syncer = DirectorySyncer()
    fd = open_dir(tmp_path)
    try:
        for _ in range(3):
            syncer.sync(fd)
        assert calls == [fd, fd, fd]
    finally:
        os.close(fd)


def test_a_bad_descriptor_raises(tmp_path):
    fd = open_dir(tmp_path)
    os.close(fd)
    with pytest.raises(OSError):
        DirectorySyncer().sync(fd)
