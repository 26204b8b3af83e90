"""Files that engines write straight into the folder, and recovery from a crash mid-write."""

from __future__ import annotations

import os
import time

import pytest
from lake_helpers import BUCKET, get, md5, put

from lakebox.storage import LakeStore, ObjectMeta
from lakebox.storage.metadata import MetadataDB


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_external_file_lists_and_reads_as_an_object(store, bucket, bucket_dir):
    write(bucket_dir / "out" / "part-00000.parquet", b"PAR1 data")
    listed = store.list_objects(bucket).objects
    assert [(o.key, o.size, o.etag) for o in listed] == [("out/part-00000.parquet", 9, md5(b"PAR1 data"))]
    info = store.head_object(bucket, "out/part-00000.parquet")
    assert info.etag == md5(b"PAR1 data")
    assert info.meta == ObjectMeta()
    assert info.last_modified.timestamp() == pytest.approx(os.stat(bucket_dir / "out" / "part-00000.parquet").st_mtime,
                                                           abs=1e-3)
    assert get(store, "out/part-00000.parquet") == b"PAR1 data"


def test_external_etag_is_cached_by_size_mtime_inode(store, bucket, bucket_dir, monkeypatch):
    write(bucket_dir / "f", b"content")
    assert store.head_object(bucket, "f").etag == md5(b"content")
    import lakebox.storage.lake_base as lake_base

    def boom(*args):
        raise AssertionError("hashed again")

    monkeypatch.setattr(lake_base, "_file_etags", boom)
    assert store.head_object(bucket, "f").etag == md5(b"content")
    assert store.list_objects(bucket).objects[0].etag == md5(b"content")


def test_external_rewrite_is_detected(store, bucket, bucket_dir):
    write(bucket_dir / "f", b"version 1")
    assert store.head_object(bucket, "f").etag == md5(b"version 1")
    write(bucket_dir / "f", b"version 2")  # same size, in place: mtime changes
    os.utime(bucket_dir / "f", ns=(time.time_ns(), time.time_ns() + 1000))
    assert store.head_object(bucket, "f").etag == md5(b"version 2")
    assert get(store, "f") == b"version 2"


def test_file_replaced_from_outside_loses_stale_metadata(store, bucket, bucket_dir, tmp_path):
    put(store, "f", b"ours", meta=ObjectMeta(content_type="text/ours", tags={"t": "1"}), checksum_algorithms=["CRC32"])
    (tmp_path / "new").write_bytes(b"theirs, longer")
    os.replace(tmp_path / "new", bucket_dir / "f")
    info = store.head_object(bucket, "f")
    assert info.etag == md5(b"theirs, longer")
    assert info.meta == ObjectMeta() and info.checksums == {}


def test_touched_file_keeps_its_metadata(store, bucket, bucket_dir):
    put(store, "f", b"same bytes", meta=ObjectMeta(content_type="text/kept"), checksum_algorithms=["SHA256"])
    before = store.head_object(bucket, "f")
    os.utime(bucket_dir / "f", ns=(1, 1_000_000_000))
    info = store.head_object(bucket, "f")
    assert info.meta.content_type == "text/kept"
    assert info.checksums == before.checksums
    assert (info.etag, info.last_modified) == (before.etag, before.last_modified)


def test_file_deleted_from_outside_disappears(store, bucket, bucket_dir, data_dir):
    put(store, "gone/f", b"x")
    os.unlink(bucket_dir / "gone" / "f")
    assert store.list_objects(bucket).objects == []
    assert store.head_object(bucket, "gone/f") is None
    db = MetadataDB(str(data_dir / ".lakebox" / "meta.db"))
    try:
        assert db.get_object(bucket, "gone/f") is None  # the stale row was dropped
    finally:
        db.close()


def test_external_files_in_many_directories_list_in_byte_order(store, bucket, bucket_dir):
    names = ["b/2", "a/1", "a-1", "a/0/z", "é", "Z", "a0", "_SUCCESS", "_temporary/0/t"]
    for name in names:
        write(bucket_dir / name, name.encode())
    keys = [o.key for o in store.list_objects(bucket).objects]
    assert keys == sorted(names, key=lambda k: k.encode())
    assert all(o.etag == md5(o.key.encode()) for o in store.list_objects(bucket).objects)


def test_empty_external_directories_are_not_prefixes(store, bucket, bucket_dir):
    (bucket_dir / "empty" / "deeper").mkdir(parents=True)
    write(bucket_dir / "full" / "x", b"1")
    r = store.list_objects(bucket, delimiter="/")
    assert r.common_prefixes == ["full/"] and r.objects == []


def test_names_that_are_not_keys_are_skipped(store, bucket, bucket_dir):
    write(bucket_dir / "ok", b"1")
    write(bucket_dir / "new\nline", b"2")
    os.symlink("ok", bucket_dir / "alias")
    with open(os.path.join(os.fsencode(bucket_dir), b"latin1-\xe9"), "wb") as f:
        f.write(b"3")
    assert [o.key for o in store.list_objects(bucket).objects] == ["ok"]


def test_external_file_may_shadow_a_hidden_object_of_the_same_key(store, bucket, bucket_dir, data_dir):
    put(store, "a/b", b"1")
    put(store, "a", b"hidden")  # the directory a/ exists: goes hidden
    store.delete_object(bucket, "a/b")
    write(bucket_dir / "a", b"engine wrote this")
    assert get(store, "a") == b"engine wrote this"
    assert [o.key for o in store.list_objects(bucket).objects] == ["a"]
    # The hidden file it shadowed was dropped once the plain file was adopted.
    assert not any(files for _, _, files in os.walk(data_dir / ".lakebox" / "hidden"))


class Killed(BaseException):
    """Stands for kill -9 at a chosen point."""


def test_crash_between_rename_and_commit_makes_the_file_the_truth(data_dir, monkeypatch):
    store = LakeStore(data_dir)
    store.create_bucket(BUCKET, "000000000000", "us-east-1")
    put(store, "k", b"old content", meta=ObjectMeta(content_type="text/old"))

    def die(*args, **kwargs):
        raise Killed()

    monkeypatch.setattr(store.db, "replace_object", die)  # the commit of a PUT
    with pytest.raises(Killed):
        put(store, "k", b"new content!", meta=ObjectMeta(content_type="text/new"))
    assert (data_dir / "s3" / BUCKET / "k").read_bytes() == b"new content!"
    store.close()

    restarted = LakeStore(data_dir)
    try:
        info = restarted.head_object(BUCKET, "k")
        assert info.etag == md5(b"new content!") and info.size == 12
        assert info.meta.content_type is None  # the row described the old bytes
        assert b"".join(restarted.open_object(info)) == b"new content!"
        assert [o.etag for o in restarted.list_objects(BUCKET).objects] == [md5(b"new content!")]
    finally:
        restarted.close()


def test_crash_before_rename_leaves_the_old_object_and_no_temp_file(data_dir, monkeypatch):
    store = LakeStore(data_dir)
    store.create_bucket(BUCKET, "000000000000", "us-east-1")
    put(store, "k", b"old")
    tmp_dir = data_dir / ".lakebox" / "tmp"
    (tmp_dir / "999999999-deadbeef.tmp").write_bytes(b"half written by a killed process")
    store.close()
    restarted = LakeStore(data_dir)
    try:
        assert os.listdir(tmp_dir) == []
        assert get(restarted, "k") == b"old"
    finally:
        restarted.close()


def test_orphan_hidden_files_are_removed_at_start_when_old(data_dir):
    store = LakeStore(data_dir)
    store.create_bucket(BUCKET, "000000000000", "us-east-1")
    put(store, "odd//key", b"kept")
    orphan = data_dir / ".lakebox" / "hidden" / BUCKET / "ff" / "orphan"
    write(orphan, b"renamed, never committed")
    young = data_dir / ".lakebox" / "hidden" / BUCKET / "ff" / "young"
    write(young, b"maybe in flight")
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))
    store.close()
    restarted = LakeStore(data_dir)
    try:
        assert not orphan.exists() and young.exists()
        assert get(restarted, "odd//key") == b"kept"
    finally:
        restarted.close()


def test_bucket_folder_made_outside_is_adopted(data_dir):
    (data_dir / "s3" / "made-by-hand" / "x").mkdir(parents=True)
    (data_dir / "s3" / "made-by-hand" / "x" / "f.json").write_bytes(b"{}")
    (data_dir / "s3" / "Not_A_Bucket").mkdir()
    store = LakeStore(data_dir, default_account="123456789012", default_region="eu-west-1")
    try:
        names = [b.name for b in store.list_buckets()]
        assert names == ["made-by-hand"]
        info = store.get_bucket("made-by-hand")
        assert (info.account_id, info.region) == ("123456789012", "eu-west-1")
        assert [o.key for o in store.list_objects("made-by-hand").objects] == ["x/f.json"]
    finally:
        store.close()


def test_bucket_folder_removed_outside_forgets_the_bucket(store, bucket, bucket_dir, data_dir):
    put(store, "odd//hidden", b"1")
    import shutil

    shutil.rmtree(bucket_dir)
    assert store.get_bucket(bucket) is None
    assert store.list_buckets() == []
    assert not (data_dir / ".lakebox" / "hidden" / bucket).exists()
