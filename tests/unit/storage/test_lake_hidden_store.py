"""Keys that cannot be plain files, and keys that try to leave the bucket folder."""

from __future__ import annotations

import os

import pytest
from lake_helpers import files_under, get, md5, put

from lakebox.storage import LakeStore, ObjectMeta

ODD_KEYS = [
    "a/", "/lead", "a//b", "//", "/", ".", "..", "x/./y", "x/../y", "trail/..", "z" * 300,
    "ctl\nline", "nul\x00byte", "\x7f", ".lakebox", "d/.lakebox-tmp-123", "sp ace/", "é" * 200,
]


def hidden_files(data_dir):
    return files_under(data_dir / ".lakebox" / "hidden")


@pytest.mark.parametrize("key", ODD_KEYS)
def test_odd_keys_round_trip_through_the_hidden_store(store, bucket, bucket_dir, data_dir, key):
    data = f"data of {key!r}".encode()
    info = put(store, key, data, meta=ObjectMeta(content_type="t/x"))
    assert info.etag == md5(data)
    assert get(store, key) == data
    assert store.head_object(bucket, key).meta.content_type == "t/x"
    assert len(hidden_files(data_dir)) == 1
    assert [o.key for o in store.list_objects(bucket).objects] == [key]
    # Nothing but (possibly) a folder-marker directory shows in the bucket folder.
    assert files_under(bucket_dir) == set()
    assert store.delete_object(bucket, key).removed is True
    assert store.head_object(bucket, key) is None
    assert hidden_files(data_dir) == set()
    assert store.list_objects(bucket).objects == []
    assert list(bucket_dir.iterdir()) == []


def test_file_then_deeper_key_goes_hidden(store, bucket, bucket_dir, data_dir):
    put(store, "a", b"file a")
    put(store, "a/b", b"file a/b")
    assert (bucket_dir / "a").read_bytes() == b"file a"
    assert get(store, "a/b") == b"file a/b"
    assert len(hidden_files(data_dir)) == 1
    assert [o.key for o in store.list_objects(bucket).objects] == ["a", "a/b"]


def test_deeper_key_then_file_goes_hidden(store, bucket, bucket_dir, data_dir):
    put(store, "a/b", b"file a/b")
    put(store, "a", b"file a")
    assert (bucket_dir / "a" / "b").read_bytes() == b"file a/b"
    assert get(store, "a") == b"file a"
    assert [o.key for o in store.list_objects(bucket).objects] == ["a", "a/b"]
    r = store.list_objects(bucket, delimiter="/")
    assert ([o.key for o in r.objects], r.common_prefixes) == (["a"], ["a/"])


def test_hidden_key_moves_to_the_folder_once_its_path_is_free(store, bucket, bucket_dir, data_dir):
    put(store, "a/b", b"1")
    put(store, "a", b"hidden a")
    store.delete_object(bucket, "a/b")
    assert not (bucket_dir / "a").exists()
    put(store, "a", b"plain a")
    assert (bucket_dir / "a").read_bytes() == b"plain a"
    assert hidden_files(data_dir) == set()
    assert get(store, "a") == b"plain a"


def test_replacing_a_hidden_object_removes_its_old_file(store, bucket, data_dir):
    put(store, "x//y", b"one")
    put(store, "x//y", b"two")
    assert len(hidden_files(data_dir)) == 1
    assert get(store, "x//y") == b"two"


def test_zero_byte_folder_marker_shows_as_a_directory(store, bucket, bucket_dir):
    info = put(store, "folder/sub/", b"")
    assert info.size == 0
    assert (bucket_dir / "folder" / "sub").is_dir()
    r = store.list_objects(bucket, delimiter="/")
    assert r.common_prefixes == ["folder/"]
    assert [o.key for o in store.list_objects(bucket, prefix="folder/sub/").objects] == ["folder/sub/"]


def test_folder_marker_with_data_round_trips(store, bucket):
    put(store, "dir/", b"not empty")
    assert get(store, "dir/") == b"not empty"


def test_prefix_and_key_of_equal_text_coexist(store, bucket):
    put(store, "p", b"1")
    put(store, "p/", b"2")
    put(store, "p/q", b"3")
    assert [get(store, k) for k in ("p", "p/", "p/q")] == [b"1", b"2", b"3"]


@pytest.mark.parametrize("key", ["../../etc/passwd", "../escape", "a/../../../../tmp/x", "/etc/passwd", "..",
                                 "../lake-bucket2/x", "../../.lakebox/meta.db", "./.."])
def test_traversal_keys_never_leave_the_bucket(store, bucket, data_dir, tmp_path, key):
    before = files_under(tmp_path)
    put(store, key, b"payload")
    created = files_under(tmp_path) - before
    assert len(created) == 1
    (path,) = created
    assert path.startswith("data/.lakebox/hidden/lake-bucket/")
    assert get(store, key) == b"payload"
    store.delete_object(bucket, key)
    assert without_db(files_under(tmp_path)) == without_db(before)


def without_db(paths):
    return {p for p in paths if "meta.db" not in p}


def test_symlinked_directory_is_never_followed(store, bucket, bucket_dir, tmp_path, data_dir):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    os.symlink(outside, bucket_dir / "link")
    assert store.head_object(bucket, "link/secret") is None
    assert store.list_objects(bucket).objects == []
    put(store, "link/new", b"payload")
    assert sorted(os.listdir(outside)) == ["secret"]
    assert get(store, "link/new") == b"payload"
    assert len(hidden_files(data_dir)) == 1
    assert store.delete_object(bucket, "link/secret").removed is False
    assert (outside / "secret").read_bytes() == b"secret"


def test_symlinked_file_is_not_an_object_and_put_replaces_the_link(store, bucket, bucket_dir, tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"outside")
    os.symlink(target, bucket_dir / "f")
    assert store.head_object(bucket, "f") is None
    put(store, "f", b"inside")
    assert target.read_bytes() == b"outside"
    assert not os.path.islink(bucket_dir / "f")
    assert get(store, "f") == b"inside"


def test_directory_swapped_for_a_symlink_after_write_hides_the_object(store, bucket, bucket_dir, tmp_path):
    put(store, "d/x", b"mine")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x").write_bytes(b"theirs")
    os.rename(bucket_dir / "d", tmp_path / "moved")
    os.symlink(outside, bucket_dir / "d")
    assert store.head_object(bucket, "d/x") is None
    assert store.list_objects(bucket).objects == []


def test_symlinked_bucket_folder_is_allowed(data_dir, tmp_path):
    dataset = tmp_path / "dataset"
    (dataset / "year=2024").mkdir(parents=True)
    (dataset / "year=2024" / "a.csv").write_bytes(b"x,y\n")
    (data_dir / "s3").mkdir(parents=True)
    os.symlink(dataset, data_dir / "s3" / "linked-data")
    store = LakeStore(data_dir)
    try:
        assert store.get_bucket("linked-data") is not None
        assert [o.key for o in store.list_objects("linked-data").objects] == ["year=2024/a.csv"]
        assert get(store, "year=2024/a.csv", bucket="linked-data") == b"x,y\n"
    finally:
        store.close()


def test_fifo_in_the_folder_is_ignored_without_blocking(store, bucket, bucket_dir):
    os.mkfifo(bucket_dir / "pipe")
    assert store.head_object(bucket, "pipe") is None
    assert store.list_objects(bucket).objects == []
    put(store, "pipe/x", b"1")
    assert get(store, "pipe/x") == b"1"


def test_lakebox_names_inside_the_folder_are_never_listed(store, bucket, bucket_dir):
    (bucket_dir / ".lakebox-tmp-1234").write_bytes(b"in flight")
    (bucket_dir / "d").mkdir()
    (bucket_dir / "d" / ".LAKEBOX.part").write_bytes(b"x")
    assert store.list_objects(bucket).objects == []
    assert store.head_object(bucket, ".lakebox-tmp-1234") is None
