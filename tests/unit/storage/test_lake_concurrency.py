"""Concurrent writers and readers, and streaming of large objects."""

from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest
from lake_helpers import BUCKET, md5, put

from lakebox.storage import NoSuchBucketError, ObjectChangedError, ObjectMeta, atomic

MiB = 1024 * 1024


def run_threads(*targets):
    errors = []

    def wrap(target):
        def run():
            try:
                target()
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_two_threads_writing_one_key_never_mix(store, bucket, bucket_dir):
    bodies = {name: name.encode() * 50_000 for name in ("A", "B")}

    def writer(name):
        def run():
            for i in range(15):
                put(store, "shared/key", bodies[name], meta=ObjectMeta(user={"writer": name}))
        return run

    seen = []

    def reader():
        for _ in range(60):
            info = store.head_object(bucket, "shared/key")
            if info is None:
                continue
            try:
                data = b"".join(store.open_object(info))
            except ObjectChangedError:
                continue  # replaced between head and open: a retry would read the new one
            assert md5(data) == info.etag
            assert data in bodies.values()
            seen.append(data[:1])

    run_threads(writer("A"), writer("B"), reader)
    info = store.head_object(bucket, "shared/key")
    data = (bucket_dir / "shared" / "key").read_bytes()
    assert data in bodies.values()
    assert info.etag == md5(data)
    assert info.meta.user == {"writer": data[:1].decode()}  # metadata belongs to the winning bytes
    assert os.listdir(store.tmp_dir) == []
    assert len(store._locks) == 0


def test_concurrent_puts_of_a_file_and_a_deeper_key_both_survive(store, bucket):
    def put_file():
        for i in range(20):
            put(store, f"r{i}", b"file")

    def put_deeper():
        for i in range(20):
            put(store, f"r{i}/child", b"child")

    run_threads(put_file, put_deeper)
    for i in range(20):
        assert b"".join(store.open_object(store.head_object(bucket, f"r{i}"))) == b"file"
        assert b"".join(store.open_object(store.head_object(bucket, f"r{i}/child"))) == b"child"


def test_concurrent_deletes_and_puts_in_one_directory(store, bucket):
    """A delete prunes empty directories while a put may be about to rename into one."""
    def churn():
        for i in range(40):
            put(store, "d/e/x", b"x")
            store.delete_object(bucket, "d/e/x")

    def steady():
        for i in range(40):
            put(store, f"d/e/y{i}", b"y")

    run_threads(churn, steady)
    keys = [o.key for o in store.list_objects(bucket).objects]
    assert keys == sorted(f"d/e/y{i}" for i in range(40))


def test_delete_bucket_never_drops_an_acknowledged_write(store, bucket):
    """Racing one PUT against DeleteBucket: either the PUT fails, or the bucket survives with it."""
    from lakebox.storage import BucketNotEmptyError

    for round_ in range(40):
        if store.get_bucket(bucket) is None:
            store.create_bucket(bucket, "000000000000", "us-east-1")
        outcome = {}
        barrier = threading.Barrier(2)

        def writer():
            barrier.wait()
            try:
                put(store, f"w{round_}", b"x" * 100_000)
                outcome["put"] = True
            except NoSuchBucketError:
                outcome["put"] = False

        def deleter():
            barrier.wait()
            try:
                store.delete_bucket(bucket)
                outcome["deleted"] = True
            except BucketNotEmptyError:
                outcome["deleted"] = False

        run_threads(writer, deleter)
        if outcome["put"]:
            assert not outcome["deleted"]
            assert store.head_object(bucket, f"w{round_}") is not None
            store.delete_object(bucket, f"w{round_}")
        else:
            assert outcome["deleted"] and store.get_bucket(bucket) is None


class LazyBody:
    """A request body that produces its bytes as they are read and records each read size."""

    def __init__(self, size: int):
        self.left = size
        self.reads = []
        self.md5 = hashlib.md5()
        self.counter = 0

    def read(self, n=-1):
        self.reads.append(n)
        take = min(self.left, n if n >= 0 else self.left, 256 * 1024)
        chunk = bytes([self.counter % 251]) * take
        self.counter += 1
        self.left -= take
        self.md5.update(chunk)
        return chunk


def test_64_mib_put_and_open_stream_in_bounded_chunks(store, bucket, monkeypatch):
    size = 64 * MiB
    body = LazyBody(size)
    writes = []

    original = atomic.TempFile.write

    def spy(self, data):
        writes.append(len(data))
        return original(self, data)

    monkeypatch.setattr(atomic.TempFile, "write", spy)
    info = store.put_object(bucket, "big", body, ObjectMeta(), content_length=size)
    assert info.size == size and info.etag == body.md5.hexdigest()
    assert max(body.reads) <= MiB and -1 not in body.reads
    assert max(writes) <= MiB

    reads = []
    original_pread = os.pread

    def pread_spy(fd, n, offset):
        reads.append(n)
        return original_pread(fd, n, offset)

    monkeypatch.setattr(os, "pread", pread_spy)
    digest = hashlib.md5()
    chunks = 0
    for chunk in store.open_object(info):
        assert len(chunk) <= MiB
        digest.update(chunk)
        chunks += 1
    assert digest.hexdigest() == info.etag
    assert chunks == 64 and max(reads) <= MiB


def test_copy_of_a_large_object_does_not_buffer_it(store, bucket, monkeypatch):
    info = store.put_object(bucket, "src", LazyBody(20 * MiB), ObjectMeta())

    sizes = []
    original = os.pread

    def pread_spy(fd, n, offset):
        sizes.append(n)
        return original(fd, n, offset)

    monkeypatch.setattr(os, "pread", pread_spy)
    copied = store.copy_object(info, bucket, "dst", ObjectMeta(), checksum_algorithms=["CRC32"])
    assert copied.size == 20 * MiB and copied.etag == info.etag
    assert sizes and max(sizes) <= atomic.CHUNK


@pytest.mark.parametrize("threads", [8])
def test_many_threads_many_keys(store, bucket, threads):
    def worker(n):
        def run():
            for i in range(25):
                data = f"{n}-{i}".encode()
                info = store.put_object(BUCKET, f"t{n}/k{i}", io.BytesIO(data), ObjectMeta())
                assert b"".join(store.open_object(info)) == data
        return run

    run_threads(*(worker(n) for n in range(threads)))
    assert len(store.list_objects(bucket, max_keys=1000).objects) == threads * 25
