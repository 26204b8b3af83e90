"""Descriptor-relative navigation of a bucket folder."""

from __future__ import annotations

import os

import pytest
from lake_helpers import get, put

from lakebox.storage import dirfd
from lakebox.storage.atomic import TempFile
from lakebox.storage.dirfd import NotPlain, open_dirs, place, prune_empty_dirs, stat_file
from lakebox.storage.lake_base import _names_are_exact


@pytest.fixture
def root(tmp_path):
    (tmp_path / "root").mkdir()
    fd = os.open(tmp_path / "root", os.O_RDONLY | os.O_DIRECTORY)
    yield fd
    os.close(fd)


def new_temp(tmp_path, data=b"data"):
    (tmp_path / "tmp").mkdir(exist_ok=True)
    tmp = TempFile(str(tmp_path / "tmp"))
    tmp.write(data)
    return tmp


def test_place_makes_directories(tmp_path, root):
    with new_temp(tmp_path) as tmp:
        st = place(tmp, root, ["a", "b", "c"])
    assert (tmp_path / "root" / "a" / "b" / "c").read_bytes() == b"data"
    assert stat_file(root, ["a", "b", "c"]).st_ino == st.st_ino


def test_place_refuses_a_file_in_the_way_and_a_directory_at_the_target(tmp_path, root):
    (tmp_path / "root" / "f").write_bytes(b"x")
    (tmp_path / "root" / "d").mkdir()
    with new_temp(tmp_path) as tmp:
        with pytest.raises(NotPlain):
            place(tmp, root, ["f", "g"])
        with pytest.raises(NotPlain):
            place(tmp, root, ["d"])
    assert (tmp_path / "root" / "f").read_bytes() == b"x"


def test_symlinked_directory_is_refused(tmp_path, root):
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "root" / "ln")
    with pytest.raises(NotPlain):
        open_dirs(root, ["ln"])
    with new_temp(tmp_path) as tmp, pytest.raises(NotPlain):
        place(tmp, root, ["ln", "x"])
    assert os.listdir(tmp_path / "elsewhere") == []
    assert stat_file(root, ["ln", "x"]) is None


def test_place_retries_when_a_concurrent_delete_removes_the_directory(tmp_path, root, monkeypatch):
    original = TempFile.replace_into
    calls = []

    def racing_replace(self, dir_fd, name):
        if not calls:
            calls.append(name)
            os.rmdir(tmp_path / "root" / "a")  # the empty directory is pruned under our feet
        return original(self, dir_fd, name)

    monkeypatch.setattr(TempFile, "replace_into", racing_replace)
    with new_temp(tmp_path) as tmp:
        place(tmp, root, ["a", "f"])
    assert (tmp_path / "root" / "a" / "f").read_bytes() == b"data"


def test_prune_stops_at_kept_and_non_empty_directories(tmp_path, root):
    base = tmp_path / "root"
    (base / "a" / "b" / "c").mkdir(parents=True)
    (base / "a" / "keep.txt").write_bytes(b"x")
    prune_empty_dirs(root, ["a", "b", "c"], keep=lambda prefix: False)
    assert not (base / "a" / "b").exists() and (base / "a").is_dir()
    (base / "m" / "n").mkdir(parents=True)
    prune_empty_dirs(root, ["m", "n"], keep=lambda prefix: prefix == "m/")
    assert (base / "m").is_dir() and not (base / "m" / "n").exists()
    prune_empty_dirs(root, ["missing", "deeper"], keep=lambda prefix: False)


def test_linux_filesystems_tell_names_apart(tmp_path):
    assert _names_are_exact(str(tmp_path))
    assert os.listdir(tmp_path) == []


def test_exact_name_mode_keeps_working(store, bucket, bucket_dir):
    """The checks a case-insensitive filesystem needs must not get in the way on an exact one."""
    store._exact = True
    put(store, "Dir/file.txt", b"1")
    put(store, "dir/file.txt", b"2")
    assert get(store, "Dir/file.txt") == b"1" and get(store, "dir/file.txt") == b"2"
    assert [o.key for o in store.list_objects(bucket).objects] == ["Dir/file.txt", "dir/file.txt"]
    assert store.delete_object(bucket, "Dir/file.txt").removed
    assert sorted(os.listdir(bucket_dir)) == ["dir"]


def test_exact_name_check_detects_a_case_variant(tmp_path, root, monkeypatch):
    """Simulate a case-insensitive filesystem: the variant opens, but the listing shows another name."""
    (tmp_path / "root" / "data").mkdir()
    monkeypatch.setattr(dirfd, "has_exact_name", lambda fd, name: name == "data")
    real_open = os.open

    def folding_open(path, flags, mode=0o777, *, dir_fd=None):
        if path == "DATA":
            path = "data"
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", folding_open)
    with pytest.raises(NotPlain):
        open_dirs(root, ["DATA"], exact=True)
    os.close(open_dirs(root, ["DATA"], exact=False))  # without the check, the variant gets in
    with new_temp(tmp_path) as tmp, pytest.raises(NotPlain):
        place(tmp, root, ["DATA", "x"], exact=True)
