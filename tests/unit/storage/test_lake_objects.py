"""Objects: put, head, open, delete, copy and tags, with their errors."""

from __future__ import annotations

import base64
import hashlib
import os
import zlib

import pytest
from lake_helpers import BUCKET, files_under, get, md5, put, read

from lakebox.storage import (BadDigestError, ChecksumMismatchError, IncompleteBodyError, KeyTooLongError,
                             NoSuchBucketError, NoSuchKeyError, ObjectChangedError, ObjectInfo, ObjectMeta)
from lakebox.storage import checksums as ck


def test_put_writes_a_plain_file_at_the_key_path(store, bucket, bucket_dir):
    info = put(store, "dir/sub/data.csv", b"a,b\n1,2\n")
    assert (bucket_dir / "dir" / "sub" / "data.csv").read_bytes() == b"a,b\n1,2\n"
    assert info.etag == md5(b"a,b\n1,2\n")
    assert info.size == 8
    assert info.key == "dir/sub/data.csv" and info.bucket == bucket
    assert info.last_modified.tzinfo is not None


def test_head_returns_what_put_stored(store, bucket):
    meta = ObjectMeta(content_type="text/csv", system={"Content-Encoding": "gzip", "Cache-Control": "no-cache"},
                      user={"owner": "ana"}, tags={"team": "data"}, storage_class="STANDARD_IA",
                      encryption={"ServerSideEncryption": "AES256"})
    put(store, "k", b"body", meta=meta, checksum_algorithms=["CRC32C"])
    info = store.head_object(bucket, "k")
    assert info.meta == meta
    assert info.checksums == {"CRC32C": ck.compute("CRC32C", b"body")}
    assert info.checksum_type == "FULL_OBJECT"
    assert info.etag == md5(b"body")
    assert info.parts == []


def test_head_of_missing_key_is_none_and_missing_bucket_raises(store, bucket):
    assert store.head_object(bucket, "nope") is None
    with pytest.raises(NoSuchBucketError):
        store.head_object("no-such-bucket", "k")
    with pytest.raises(NoSuchBucketError):
        put(store, "k", bucket="no-such-bucket")


def test_put_replaces_content_and_metadata(store, bucket, bucket_dir):
    put(store, "k", b"one", meta=ObjectMeta(content_type="text/plain", user={"a": "1"}))
    put(store, "k", b"two!", meta=ObjectMeta())
    info = store.head_object(bucket, "k")
    assert (info.size, info.etag, info.meta.content_type, info.meta.user) == (4, md5(b"two!"), None, {})
    assert get(store, "k") == b"two!"
    assert files_under(bucket_dir) == {"k"}


def test_empty_object(store, bucket, bucket_dir):
    info = put(store, "empty", b"")
    assert info.etag == "d41d8cd98f00b204e9800998ecf8427e"
    assert read(store, info) == b""
    assert (bucket_dir / "empty").read_bytes() == b""


def test_body_may_be_bytes(store, bucket):
    info = store.put_object(bucket, "b", b"raw bytes", ObjectMeta())
    assert read(store, info) == b"raw bytes"


def test_open_object_ranges_are_inclusive(store, bucket):
    data = bytes(range(256)) * 10
    info = put(store, "r", data)
    assert read(store, info, 0, 0) == data[:1]
    assert read(store, info, 10, 19) == data[10:20]
    assert read(store, info, 2550) == data[2550:]
    assert read(store, info, 100, 10_000) == data[100:]


def test_open_object_streams_in_chunks_and_can_be_closed(store, bucket):
    data = os.urandom(3 * 1024 * 1024 + 1)
    info = put(store, "big", data)
    reader = store.open_object(info)
    first = next(reader)
    assert len(first) == 1024 * 1024
    reader.close()
    assert list(reader) == []
    assert [len(c) for c in store.open_object(info)] == [1 << 20] * 3 + [1]


def test_content_length_mismatch_raises_and_changes_nothing(store, bucket, data_dir):
    put(store, "k", b"keep")
    with pytest.raises(IncompleteBodyError):
        put(store, "k", b"short", content_length=10)
    with pytest.raises(IncompleteBodyError):
        put(store, "k", b"longer than said", content_length=3)
    assert get(store, "k") == b"keep"
    assert os.listdir(data_dir / ".lakebox" / "tmp") == []


def test_content_md5_mismatch_raises_bad_digest(store, bucket, data_dir):
    good = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    put(store, "ok", b"data", expected={"MD5": good})
    with pytest.raises(BadDigestError):
        put(store, "bad", b"data", expected={"MD5": base64.b64encode(b"0" * 16).decode()})
    assert store.head_object(BUCKET, "bad") is None
    assert os.listdir(data_dir / ".lakebox" / "tmp") == []


def test_checksum_mismatch_raises_and_names_the_algorithm(store, bucket):
    crc = base64.b64encode(zlib.crc32(b"data").to_bytes(4, "big")).decode()
    info = put(store, "ok", b"data", checksum_algorithms=["CRC32"], expected={"CRC32": crc})
    assert info.checksums == {"CRC32": crc}
    with pytest.raises(ChecksumMismatchError) as err:
        put(store, "bad", b"data", checksum_algorithms=["SHA256"], expected={"SHA256": crc})
    assert err.value.algorithm == "SHA256"
    assert err.value.computed == ck.compute("SHA256", b"data")
    assert store.head_object(bucket, "bad") is None


def test_expected_checksum_not_requested_is_computed_and_stored(store, bucket):
    value = ck.compute("CRC64NVME", b"abc")
    info = put(store, "k", b"abc", expected={"CRC64NVME": value})
    assert info.checksums == {"CRC64NVME": value}


def test_expected_may_be_a_callable_evaluated_after_the_body(store, bucket):
    calls = []
    trailer = ck.compute("CRC32C", b"chunked")

    def expected():
        calls.append(True)
        return {"CRC32C": trailer}

    info = put(store, "k", b"chunked", checksum_algorithms=["CRC32C"], expected=expected)
    assert calls == [True]
    assert info.checksums == {"CRC32C": trailer}
    # An algorithm that was not announced up front is still verified (by reading the file again).
    info = put(store, "k2", b"chunked", expected=lambda: {"SHA1": ck.compute("SHA1", b"chunked")})
    assert info.checksums == {"SHA1": ck.compute("SHA1", b"chunked")}
    with pytest.raises(ChecksumMismatchError):
        put(store, "k3", b"chunked", expected=lambda: {"SHA1": ck.compute("SHA1", b"other")})


def test_precondition_sees_current_object_and_can_refuse(store, bucket):
    seen = []
    put(store, "k", b"v1", precondition=seen.append)
    assert seen == [None]

    def refuse(current: ObjectInfo):
        seen.append(current)
        raise RuntimeError("PreconditionFailed")

    with pytest.raises(RuntimeError):
        put(store, "k", b"v2", precondition=refuse)
    assert seen[-1].etag == md5(b"v1")
    assert get(store, "k") == b"v1"


def test_key_too_long_raises(store, bucket):
    with pytest.raises(KeyTooLongError):
        put(store, "k" * 1025)


def test_delete_object_removes_file_row_and_empty_dirs(store, bucket, bucket_dir):
    put(store, "a/b/c/d.txt", b"1")
    put(store, "a/keep.txt", b"2")
    assert store.delete_object(bucket, "a/b/c/d.txt").removed is True
    assert store.head_object(bucket, "a/b/c/d.txt") is None
    assert not (bucket_dir / "a" / "b").exists()
    assert (bucket_dir / "a" / "keep.txt").exists()
    assert store.delete_object(bucket, "a/keep.txt").removed is True
    assert list(bucket_dir.iterdir()) == []
    assert bucket_dir.is_dir()
    assert store.delete_object(bucket, "a/keep.txt").removed is False


def test_delete_keeps_directories_holding_folder_markers(store, bucket, bucket_dir):
    put(store, "logs/", b"")
    put(store, "logs/2024/x.log", b"x")
    store.delete_object(bucket, "logs/2024/x.log")
    assert (bucket_dir / "logs").is_dir()
    assert not (bucket_dir / "logs" / "2024").exists()
    store.delete_object(bucket, "logs/")
    assert not (bucket_dir / "logs").exists()


def test_set_object_tags_changes_only_tags(store, bucket, bucket_dir):
    put(store, "k", b"v", meta=ObjectMeta(content_type="a/b", tags={"x": "1"}))
    before = store.head_object(bucket, "k")
    mtime = os.stat(bucket_dir / "k").st_mtime_ns
    info = store.set_object_tags(bucket, "k", {"y": "2"})
    assert info.meta.tags == {"y": "2"}
    after = store.head_object(bucket, "k")
    assert after.meta.tags == {"y": "2"} and after.meta.content_type == "a/b"
    assert (after.etag, after.last_modified) == (before.etag, before.last_modified)
    assert os.stat(bucket_dir / "k").st_mtime_ns == mtime
    with pytest.raises(NoSuchKeyError):
        store.set_object_tags(bucket, "missing", {})


def test_copy_object_copies_bytes_and_takes_new_metadata(store, bucket, bucket_dir):
    store.create_bucket("other-bucket", "000000000000", "us-east-1")
    src = put(store, "src/a.bin", os.urandom(100_000), meta=ObjectMeta(content_type="x/y"),
              checksum_algorithms=["CRC32"])
    info = store.copy_object(src, "other-bucket", "dst/b.bin", ObjectMeta(content_type="z/w"))
    assert info.etag == src.etag and info.size == src.size
    assert info.meta.content_type == "z/w"
    assert read(store, info) == read(store, src)
    assert store.head_object("other-bucket", "dst/b.bin").etag == src.etag
    assert get(store, "src/a.bin") == read(store, info)  # source untouched


def test_copy_object_computes_requested_checksums(store, bucket):
    data = os.urandom(70_000)
    src = put(store, "src", data)
    info = store.copy_object(src, bucket, "dst", ObjectMeta(), checksum_algorithms=["SHA256", "CRC32"])
    assert info.checksums == {"SHA256": ck.compute("SHA256", data), "CRC32": ck.compute("CRC32", data)}
    assert info.checksum_type == "FULL_OBJECT"


def test_copy_onto_itself_changes_only_metadata(store, bucket, bucket_dir):
    src = put(store, "k", b"same", meta=ObjectMeta(content_type="old"))
    inode = os.stat(bucket_dir / "k").st_ino
    info = store.copy_object(src, bucket, "k", ObjectMeta(content_type="new", user={"v": "2"}),
                             checksum_algorithms=["CRC32"])
    assert os.stat(bucket_dir / "k").st_ino == inode
    assert info.meta.content_type == "new" and info.meta.user == {"v": "2"}
    assert info.etag == src.etag and info.last_modified >= src.last_modified
    assert info.checksums == {"CRC32": ck.compute("CRC32", b"same")}
    assert store.head_object(bucket, "k").meta.content_type == "new"


def test_copy_of_missing_source_raises(store, bucket):
    src = put(store, "gone", b"x")
    store.delete_object(bucket, "gone")
    with pytest.raises(NoSuchKeyError):
        store.copy_object(src, bucket, "dst", ObjectMeta())


def test_open_after_replacement_raises_object_changed(store, bucket):
    old = put(store, "k", b"old")
    put(store, "k", b"new!")
    with pytest.raises(ObjectChangedError):
        store.open_object(old)
    store.delete_object(bucket, "k")
    with pytest.raises(NoSuchKeyError):
        store.open_object(old)


def test_reader_opened_before_replacement_keeps_old_bytes(store, bucket):
    old = put(store, "k", b"old" * 1000)
    reader = store.open_object(old)
    put(store, "k", b"new")
    assert b"".join(reader) == b"old" * 1000


def test_open_object_without_handle_looks_up_current(store, bucket):
    put(store, "k", b"abc")
    info = ObjectInfo(bucket=bucket, key="k", size=3, etag=md5(b"abc"), last_modified=None)
    assert read(store, info) == b"abc"
    with pytest.raises(ObjectChangedError):
        store.open_object(ObjectInfo(bucket=bucket, key="k", size=3, etag=md5(b"xyz"), last_modified=None))


def test_put_reads_body_in_bounded_chunks(store, bucket):
    class Body:
        def __init__(self):
            self.sizes = []
            self.left = 5 * 1024 * 1024 + 3

        def read(self, n=-1):
            self.sizes.append(n)
            take = min(n, self.left, 100_000)  # a socket returns less than asked
            self.left -= take
            return b"z" * take

    body = Body()
    info = store.put_object(bucket, "k", body, ObjectMeta())
    assert info.size == 5 * 1024 * 1024 + 3
    assert max(body.sizes) <= 1024 * 1024 and -1 not in body.sizes
    assert info.etag == md5(b"z" * info.size)


def test_metadata_survives_a_restart(data_dir, store, bucket):
    put(store, "k", b"persist", meta=ObjectMeta(content_type="t/t", tags={"a": "b"}), checksum_algorithms=["SHA1"])
    store.close()
    from lakebox.storage import LakeStore

    again = LakeStore(data_dir)
    try:
        info = again.head_object(bucket, "k")
        assert info.meta.content_type == "t/t" and info.meta.tags == {"a": "b"}
        assert info.checksums == {"SHA1": ck.compute("SHA1", b"persist")}
        assert b"".join(again.open_object(info)) == b"persist"
    finally:
        again.close()
