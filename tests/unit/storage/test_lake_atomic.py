"""Atomic writes: temp files, rename into place, copies, and leftovers of killed processes."""

from __future__ import annotations

import os

import pytest

from lakebox.storage import atomic
from lakebox.storage.atomic import TempFile, copy_range, make_dirs_durable, remove_stale_temp_files


def test_temp_file_is_invisible_until_placed(tmp_path):
    tmp_dir = tmp_path / "tmp"
    tmp_dir.mkdir()
    dest_dir = tmp_path / "dest"
    dest_dir.mkdir()
    with TempFile(str(tmp_dir)) as tmp:
        tmp.write(b"hello ")
        tmp.write(memoryview(b"world"))
        tmp.sync()
        assert not (dest_dir / "f").exists()
        assert os.path.basename(tmp.path).startswith(f"{os.getpid()}-")
        fd = os.open(dest_dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            st = tmp.replace_into(fd, "f")
        finally:
            os.close(fd)
    assert (dest_dir / "f").read_bytes() == b"hello world"
    assert st.st_ino == os.stat(dest_dir / "f").st_ino
    assert os.listdir(tmp_dir) == []


def test_replace_path_creates_parents(tmp_path):
    (tmp_path / "tmp").mkdir()
    with TempFile(str(tmp_path / "tmp")) as tmp:
        tmp.write(b"x")
        tmp.replace_path(str(tmp_path / "a" / "b" / "c"))
    assert (tmp_path / "a" / "b" / "c").read_bytes() == b"x"


def test_discarded_temp_file_leaves_nothing(tmp_path):
    tmp = TempFile(str(tmp_path))
    tmp.write(b"partial")
    tmp.discard()
    tmp.discard()
    assert os.listdir(tmp_path) == []


def test_replace_overwrites_atomically_keeping_old_readers_on_old_bytes(tmp_path):
    target = tmp_path / "f"
    target.write_bytes(b"old")
    reader = open(target, "rb")
    with TempFile(str(tmp_path)) as tmp:
        tmp.write(b"new")
        fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        tmp.replace_into(fd, "f")
        os.close(fd)
    assert reader.read() == b"old"
    reader.close()
    assert target.read_bytes() == b"new"


def test_make_dirs_durable_is_idempotent(tmp_path):
    path = str(tmp_path / "x" / "y" / "z")
    make_dirs_durable(path)
    make_dirs_durable(path)
    assert os.path.isdir(path)


@pytest.mark.parametrize("kernel", [True, False])
def test_copy_range_copies_a_slice(tmp_path, kernel, monkeypatch):
    if not kernel:
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    data = os.urandom(3 * atomic.CHUNK + 17)
    src = tmp_path / "src"
    src.write_bytes(data)
    fd = os.open(src, os.O_RDONLY)
    seen = []
    with TempFile(str(tmp_path)) as tmp:
        tmp.write(b"head")
        copy_range(fd, tmp, 5, len(data) - 10)
        copy_range(fd, tmp, 0, 3, on_chunk=seen.append)
        tmp.write(b"tail")
        os.close(fd)
        assert tmp.size == 4 + len(data) - 10 + 3 + 4
        assert os.pread(tmp.fd, tmp.size + 10, 0) == b"head" + data[5:-5] + data[:3] + b"tail"
    assert seen == [data[:3]]


def test_copy_range_with_hashing_streams_in_chunks(tmp_path):
    data = os.urandom(2 * atomic.CHUNK + 5)
    (tmp_path / "src").write_bytes(data)
    fd = os.open(tmp_path / "src", os.O_RDONLY)
    sizes = []
    with TempFile(str(tmp_path)) as tmp:
        copy_range(fd, tmp, 0, len(data), on_chunk=lambda c: sizes.append(len(c)))
    os.close(fd)
    assert sizes == [atomic.CHUNK, atomic.CHUNK, 5]


def test_copy_range_of_a_short_source_raises_eof(tmp_path):
    (tmp_path / "src").write_bytes(b"abc")
    fd = os.open(tmp_path / "src", os.O_RDONLY)
    with TempFile(str(tmp_path)) as tmp, pytest.raises(EOFError):
        copy_range(fd, tmp, 0, 10)
    os.close(fd)


def test_stale_temp_files_of_dead_processes_are_removed(tmp_path):
    dead = tmp_path / "999999999-abc.tmp"  # above any Linux pid_max
    mine = tmp_path / f"{os.getpid()}-def.tmp"
    foreign = tmp_path / "nopid.tmp"
    for path in (dead, mine, foreign):
        path.write_bytes(b"x")
    (tmp_path / "subdir").mkdir()
    assert remove_stale_temp_files(str(tmp_path)) == 2
    assert sorted(os.listdir(tmp_path)) == sorted([mine.name, "subdir"])


def test_temp_names_do_not_repeat_and_a_clash_takes_the_next_name(tmp_path, monkeypatch):
    tmp_dir = tmp_path / "tmp"
    tmp_dir.mkdir()
    files = [TempFile(str(tmp_dir)) for _ in range(50)]
    try:
        assert len({f.path for f in files}) == 50
        # A file left under the next name (say, by a process that had this pid before) is skipped.
        upcoming = next(atomic._sequence) + 1
        squatter = tmp_dir / f"{os.getpid()}-{atomic._PROCESS_TOKEN}-{upcoming}.tmp"
        squatter.write_bytes(b"not ours")
        with TempFile(str(tmp_dir)) as tmp:
            assert tmp.path != str(squatter)
            tmp.write(b"ours")
        assert squatter.read_bytes() == b"not ours"
    finally:
        for f in files:
            f.discard()


def test_placing_a_file_syncs_its_directory_after_the_rename(tmp_path, monkeypatch):
    (tmp_path / "tmp").mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    seen = []
    monkeypatch.setattr(atomic.directory_syncer, "sync",
                        lambda fd: seen.append((os.fstat(fd).st_ino, sorted(os.listdir(dest)))))
    fd = os.open(dest, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with TempFile(str(tmp_path / "tmp")) as tmp:
            tmp.write(b"x")
            tmp.replace_into(fd, "f")
    finally:
        os.close(fd)
    assert seen == [(os.stat(dest).st_ino, ["f"])]
