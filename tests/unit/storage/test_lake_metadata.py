"""The metadata database: schema, durability settings, rows and their round trips."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone

import pytest

from lakebox.storage.api import BucketInfo, ObjectMeta, PartInfo, UploadInfo
from lakebox.storage.metadata import MetadataDB, ObjectRow, datetime_to_ns, ns_to_datetime


@pytest.fixture
def db(tmp_path):
    database = MetadataDB(str(tmp_path / "meta.db"))
    yield database
    database.close()


def row(key, location=None, **kwargs):
    values = dict(bucket="bkt", key=key, etag="e", size=1, last_modified_ns=1_700_000_000_123_456_000,
                  mtime_ns=5, inode=7, location=location)
    values.update(kwargs)
    return ObjectRow(**values)


def test_wal_with_normal_sync(db, tmp_path):
    conn = sqlite3.connect(tmp_path / "meta.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    # NORMAL (1): in WAL mode a commit survives the process being killed; see metadata.py.
    assert db._writer.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert db.reader().execute("PRAGMA synchronous").fetchone()[0] == 1


def test_schema_is_ready_for_versioning(db):
    tables = {r[0] for r in db.reader().execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"buckets", "objects", "object_versions", "uploads", "parts"} <= tables
    columns = {r[1] for r in db.reader().execute("PRAGMA table_info(objects)")}
    assert {"version_id", "etag", "size", "mtime_ns", "inode", "content_type", "system_meta", "user_meta", "tags",
            "storage_class", "encryption", "checksums", "checksum_type", "parts", "location"} <= columns
    assert "versioning" in {r[1] for r in db.reader().execute("PRAGMA table_info(buckets)")}


def test_object_row_round_trip(db):
    meta = ObjectMeta(content_type="t/t", system={"Content-Encoding": "gzip"}, user={"u": "1"}, tags={"t": "2"},
                      storage_class="GLACIER", encryption={"ServerSideEncryption": "aws:kms"})
    parts = [PartInfo(1, "aa", 5, datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc), {"CRC32": "x"})]
    original = row("k", meta=meta, checksums={"CRC32": "AAAAAA=="}, checksum_type="COMPOSITE", parts=parts,
                   version_id="v1")
    db.put_object(original)
    assert db.get_object("bkt", "k") == original
    assert db.get_objects("bkt", ["k", "missing"]) == {"k": original}


def test_large_inodes_fit(db):
    big = (1 << 64) - 3  # overlayfs sets the high bits
    db.put_object(row("k", inode=big))
    assert db.get_object("bkt", "k").inode == big


def test_hidden_rows_iterate_in_byte_order_across_batches(db):
    keys = ["b", "a/", "é", "a", "\U0001F600", "Z", "a\x00b", "ab"]
    for key in keys:
        db.put_object(row(key, location=f"hidden/bkt/{key!r}"))
    db.put_object(row("plain"))
    got = [r.key for r in db.iter_hidden("bkt", "", batch=3)]
    assert got == sorted(keys, key=lambda k: k.encode())
    assert [r.key for r in db.iter_hidden("bkt", "b", batch=2)] == ["b", "é", "\U0001F600"]


def test_get_objects_batches_beyond_parameter_limits(db):
    for i in range(1200):
        db.put_object(row(f"k{i:04d}"))
    found = db.get_objects("bkt", [f"k{i:04d}" for i in range(1300)])
    assert len(found) == 1200


def test_conditional_put_skips_rows_written_meanwhile(db):
    first = row("k", etag="1")
    db.put_object(first)
    newer = row("k", etag="2", last_modified_ns=9)
    db.put_object(newer)
    assert db.put_objects_if_unchanged([(row("k", etag="cached"), first), (row("n", etag="new"), None)]) == [False,
                                                                                                          True]
    assert db.get_object("bkt", "k").etag == "2"
    assert db.get_object("bkt", "n").etag == "new"


def test_uploads_parts_and_cascade(db):
    upload = UploadInfo("bkt", "k", "00ff", datetime(2024, 5, 6, tzinfo=timezone.utc), ObjectMeta(user={"a": "b"}),
                        "CRC32", "COMPOSITE")
    db.insert_upload(upload)
    assert db.get_upload("00ff") == upload
    part = PartInfo(2, "etag", 10, datetime(2024, 5, 6, 1, tzinfo=timezone.utc), {"CRC32": "c"})
    assert db.put_part("00ff", part, "2-a") is None
    assert db.put_part("00ff", part, "2-b") == "2-a"
    assert db.get_parts("00ff") == [part]
    assert db.get_part_files("00ff") == {2: "2-b"}
    db.delete_upload("00ff")
    assert db.get_parts("00ff") == [] and db.get_upload("00ff") is None


def test_buckets(db):
    info = BucketInfo("bkt", "1", "r", datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc))
    db.insert_bucket(info)
    db.put_object(row("k"))
    assert db.get_bucket("bkt") == info
    assert db.list_buckets() == [info]
    db.delete_bucket("bkt")
    assert db.get_bucket("bkt") is None and db.get_object("bkt", "k") is None


def test_times_round_trip_at_microsecond_precision():
    moment = datetime(2031, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
    assert ns_to_datetime(datetime_to_ns(moment)) == moment
    assert datetime_to_ns(ns_to_datetime(1_700_000_000_123_456_789)) == 1_700_000_000_123_456_000


def test_readers_in_many_threads_see_committed_writes(db):
    errors = []

    def reader():
        try:
            for _ in range(200):
                r = db.get_object("bkt", "k")
                assert r is None or r.etag.startswith("v")
        except Exception as exc:  # collected for the main thread
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(100):
        db.put_object(row("k", etag=f"v{i}"))
    for t in threads:
        t.join()
    assert errors == []
    assert db.get_object("bkt", "k").etag == "v99"


def test_replace_object_returns_the_hidden_location_it_replaced(db):
    db.insert_bucket(BucketInfo("bkt", "000000000000", "us-east-1", datetime.now(timezone.utc)))
    assert db.replace_object(row("k", location="hidden/bkt/ab/first", etag="one")) is None
    assert db.replace_object(row("k", etag="two")) == "hidden/bkt/ab/first"
    assert db.replace_object(row("k", location="hidden/bkt/cd/second", etag="three")) is None
    assert db.get_object("bkt", "k").etag == "three"
    assert db.get_object("bkt", "k").location == "hidden/bkt/cd/second"
