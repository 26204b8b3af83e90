"""A conditional completion must find its key as it was when the upload was created (S3's 409).

The upload records which object the key held (`key_token`) in its row, so the rule survives a
restart; a refused completion leaves the upload and its parts as they were.
"""

from __future__ import annotations

import io
import sqlite3

import pytest
from lake_helpers import BUCKET, get, put

from lakebox.storage import KeyChangedError, LakeStore, ObjectMeta
from lakebox.storage.metadata import MetadataDB
from lakebox.storage.schema import SCHEMA_VERSION


def accept(current):
    """A precondition that holds whatever the key holds: only the key-change rule can refuse."""


def start(store, key="k", body=b"multipart"):
    upload = store.create_multipart_upload(BUCKET, key, ObjectMeta())
    part = store.upload_part(upload, 1, io.BytesIO(body))
    return upload, [(1, part.etag, {})]


def test_upload_records_the_object_the_key_holds(store, bucket):
    empty, _ = start(store, "absent")
    assert empty.key_token == ""
    put(store, "k", b"v1")
    upload, _ = start(store)
    assert upload.key_token not in (None, "")
    assert store.get_upload(BUCKET, "k", upload.upload_id).key_token == upload.key_token


def test_conditional_completion_after_a_put_raises_and_keeps_the_upload(store, bucket):
    put(store, "k", b"v1")
    upload, parts = start(store)
    put(store, "k", b"v1")  # identical bytes: still a write
    with pytest.raises(KeyChangedError):
        store.complete_multipart_upload(upload, parts, precondition=accept)
    assert get(store, "k") == b"v1"
    assert [p.part_number for p in store.list_parts(upload)] == [1]
    store.complete_multipart_upload(upload, parts)  # without a condition it completes
    assert get(store, "k") == b"multipart"


def test_conditional_completion_after_a_delete_raises(store, bucket):
    put(store, "k", b"v1")
    upload, parts = start(store)
    store.delete_object(BUCKET, "k")
    with pytest.raises(KeyChangedError):
        store.complete_multipart_upload(upload, parts, precondition=accept)


def test_the_precondition_is_decided_first(store, bucket):
    put(store, "k", b"v1")
    upload, parts = start(store)
    put(store, "k", b"v2")

    class Refused(Exception):
        pass

    def refuse(current):
        raise Refused

    with pytest.raises(Refused):
        store.complete_multipart_upload(upload, parts, precondition=refuse)


def test_tags_changed_meanwhile_are_not_a_change(store, bucket):
    put(store, "k", b"v1")
    upload, parts = start(store)
    store.set_object_tags(BUCKET, "k", {"a": "b"})
    store.complete_multipart_upload(upload, parts, precondition=accept)
    assert get(store, "k") == b"multipart"


def test_file_replaced_from_outside_is_a_change(store, bucket, bucket_dir):
    put(store, "k", b"v1")
    upload, parts = start(store)
    (bucket_dir / "k").write_bytes(b"written by another tool")
    with pytest.raises(KeyChangedError):
        store.complete_multipart_upload(upload, parts, precondition=accept)


def test_recorded_state_survives_a_restart(data_dir, store, bucket):
    put(store, "k", b"v1")
    upload, parts = start(store)
    put(store, "k", b"v2")
    store.close()
    reopened = LakeStore(data_dir)
    try:
        stored = reopened.get_upload(BUCKET, "k", upload.upload_id)
        with pytest.raises(KeyChangedError):
            reopened.complete_multipart_upload(stored, parts, precondition=accept)
    finally:
        reopened.close()


def test_upload_from_before_the_record_never_conflicts(store, bucket):
    put(store, "k", b"v1")
    upload, parts = start(store)
    put(store, "k", b"v2")
    with store.db.write() as conn:
        conn.execute("UPDATE uploads SET key_token = NULL WHERE upload_id = ?", (upload.upload_id,))
    stored = store.get_upload(BUCKET, "k", upload.upload_id)
    assert stored.key_token is None
    store.complete_multipart_upload(stored, parts, precondition=accept)
    assert get(store, "k") == b"multipart"


def test_version_3_database_gains_the_column(tmp_path):
    path = str(tmp_path / "meta.db")
    MetadataDB(path).close()
    conn = sqlite3.connect(path)
    conn.executescript("""
        ALTER TABLE uploads DROP COLUMN key_token;
        INSERT INTO uploads (upload_id, bucket, key, initiated_ns) VALUES ('00ff', 'b', 'k', 0);
        PRAGMA user_version = 3;
    """)
    conn.close()
    db = MetadataDB(path)
    try:
        assert db.reader().execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.get_upload("00ff").key_token is None
    finally:
        db.close()
