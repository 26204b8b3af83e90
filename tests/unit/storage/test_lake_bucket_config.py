"""Per-bucket configuration documents and object ACLs: stored whole, durable, forgotten with the bucket."""

from __future__ import annotations

import io
import shutil
import sqlite3
import threading

import pytest
from lake_helpers import put

from lakebox.storage import LakeStore, NoSuchBucketError, NoSuchKeyError, ObjectMeta
from lakebox.storage.metadata import MetadataDB
from lakebox.storage.schema import SCHEMA_VERSION

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}


def test_missing_config_is_none(store, bucket):
    assert store.get_bucket_config(bucket, "tagging") is None


def test_put_get_replace_delete(store, bucket):
    store.put_bucket_config(bucket, "policy", POLICY)
    assert store.get_bucket_config(bucket, "policy") == POLICY
    store.put_bucket_config(bucket, "policy", {"Version": "2012-10-17", "Statement": []})
    assert store.get_bucket_config(bucket, "policy") == {"Version": "2012-10-17", "Statement": []}
    store.delete_bucket_config(bucket, "policy")
    assert store.get_bucket_config(bucket, "policy") is None


def test_delete_of_unset_config_is_quiet(store, bucket):
    store.delete_bucket_config(bucket, "tagging")
    assert store.get_bucket_config(bucket, "tagging") is None


def test_names_are_independent_per_bucket(store, bucket):
    store.create_bucket("other-bucket", "000000000000", "us-east-1")
    store.put_bucket_config(bucket, "tagging", {"TagSet": [{"Key": "a", "Value": "1"}]})
    store.put_bucket_config(bucket, "acl", {"Grants": []})
    assert store.get_bucket_config("other-bucket", "tagging") is None
    store.delete_bucket_config(bucket, "acl")
    assert store.get_bucket_config(bucket, "tagging") == {"TagSet": [{"Key": "a", "Value": "1"}]}


@pytest.mark.parametrize("call", [
    lambda s: s.get_bucket_config("no-such-bucket", "tagging"),
    lambda s: s.put_bucket_config("no-such-bucket", "tagging", {}),
    lambda s: s.delete_bucket_config("no-such-bucket", "tagging"),
    lambda s: s.get_bucket_config("../escape", "tagging"),
])
def test_unknown_bucket_raises_no_such_bucket(store, call):
    with pytest.raises(NoSuchBucketError):
        call(store)


def test_config_is_forgotten_with_the_bucket(store, bucket):
    store.put_bucket_config(bucket, "policy", POLICY)
    store.delete_bucket(bucket)
    with pytest.raises(NoSuchBucketError):
        store.get_bucket_config(bucket, "policy")
    store.create_bucket(bucket, "000000000000", "us-east-1")
    assert store.get_bucket_config(bucket, "policy") is None


def test_config_is_forgotten_when_the_folder_is_removed_from_outside(store, bucket, bucket_dir):
    store.put_bucket_config(bucket, "policy", POLICY)
    shutil.rmtree(bucket_dir)
    with pytest.raises(NoSuchBucketError):
        store.get_bucket_config(bucket, "policy")
    bucket_dir.mkdir()  # adopted again: a new bucket, with no configuration
    assert store.get_bucket_config(bucket, "policy") is None


def test_adopted_folder_takes_config(store, data_dir):
    (data_dir / "s3" / "made-outside").mkdir()
    store.put_bucket_config("made-outside", "tagging", {"TagSet": []})
    assert store.get_bucket_config("made-outside", "tagging") == {"TagSet": []}


def test_config_survives_reopen(data_dir, store, bucket):
    store.put_bucket_config(bucket, "policy", POLICY)
    store.close()
    reopened = LakeStore(data_dir)
    try:
        assert reopened.get_bucket_config(bucket, "policy") == POLICY
    finally:
        reopened.close()


def test_put_racing_delete_bucket_leaves_no_orphan(store, bucket):
    """A document is written only while its bucket's row exists, in the same transaction."""
    errors = []

    def writer():
        for i in range(200):
            try:
                store.put_bucket_config(bucket, "tagging", {"n": i})
            except NoSuchBucketError:
                return
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return

    thread = threading.Thread(target=writer)
    thread.start()
    store.delete_bucket(bucket)
    thread.join()
    assert not errors
    rows = store.db._read("SELECT COUNT(*) FROM bucket_config WHERE bucket = ?", (bucket,))
    assert rows[0][0] == 0


def test_object_acl_round_trips_and_defaults_to_none(store, bucket):
    info = put(store, "k", b"data")
    assert info.meta.acl is None
    acl = {"Owner": "111111111111", "Grants": [{"Grantee": {"Type": "Group", "URI": "u"}, "Permission": "READ"}]}
    put(store, "k2", b"data", meta=ObjectMeta(acl=acl))
    assert store.head_object(bucket, "k2").meta.acl == acl


def test_set_object_acl_keeps_bytes_and_last_modified(store, bucket):
    before = put(store, "k", b"data", meta=ObjectMeta(tags={"t": "1"}))
    acl = {"Owner": "1", "Grants": []}
    after = store.set_object_acl(bucket, "k", acl)
    assert after.meta.acl == acl
    current = store.head_object(bucket, "k")
    assert (current.etag, current.last_modified, current.meta.tags) == (before.etag, before.last_modified, {"t": "1"})
    assert current.meta.acl == acl
    store.set_object_acl(bucket, "k", None)
    assert store.head_object(bucket, "k").meta.acl is None


def test_set_object_acl_missing_key(store, bucket):
    with pytest.raises(NoSuchKeyError):
        store.set_object_acl(bucket, "missing", {})


def test_multipart_upload_carries_acl_to_the_object(store, bucket):
    acl = {"Owner": "1", "Grants": [{"Permission": "READ"}]}
    upload = store.create_multipart_upload(bucket, "mp", ObjectMeta(acl=acl))
    assert store.get_upload(bucket, "mp", upload.upload_id).meta.acl == acl
    part = store.upload_part(upload, 1, io.BytesIO(b"abc"))
    info = store.complete_multipart_upload(upload, [(1, part.etag, {})])
    assert info.meta.acl == acl
    assert store.head_object(bucket, "mp").meta.acl == acl


def test_version_1_database_is_migrated(tmp_path):
    """A data folder made before per-bucket configuration and ACLs opens, keeping its rows."""
    path = str(tmp_path / "meta.db")
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE buckets (name TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL,
                              created_ns INTEGER NOT NULL, versioning TEXT) WITHOUT ROWID;
        CREATE TABLE objects (bucket TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT, etag TEXT NOT NULL,
            size INTEGER NOT NULL, last_modified_ns INTEGER NOT NULL, mtime_ns INTEGER, inode INTEGER,
            location TEXT, content_type TEXT, system_meta TEXT NOT NULL DEFAULT '{}',
            user_meta TEXT NOT NULL DEFAULT '{}', tags TEXT NOT NULL DEFAULT '{}',
            storage_class TEXT NOT NULL DEFAULT 'STANDARD', encryption TEXT NOT NULL DEFAULT '{}',
            checksums TEXT NOT NULL DEFAULT '{}', checksum_type TEXT, parts TEXT,
            PRIMARY KEY (bucket, key)) WITHOUT ROWID;
        CREATE TABLE object_versions (bucket TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL,
            is_delete_marker INTEGER NOT NULL DEFAULT 0, etag TEXT NOT NULL, size INTEGER NOT NULL,
            last_modified_ns INTEGER NOT NULL, mtime_ns INTEGER, inode INTEGER, location TEXT, content_type TEXT,
            system_meta TEXT NOT NULL DEFAULT '{}', user_meta TEXT NOT NULL DEFAULT '{}',
            tags TEXT NOT NULL DEFAULT '{}', storage_class TEXT NOT NULL DEFAULT 'STANDARD',
            encryption TEXT NOT NULL DEFAULT '{}', checksums TEXT NOT NULL DEFAULT '{}', checksum_type TEXT,
            parts TEXT, PRIMARY KEY (bucket, key, version_id)) WITHOUT ROWID;
        CREATE TABLE uploads (upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL,
            initiated_ns INTEGER NOT NULL, content_type TEXT, system_meta TEXT NOT NULL DEFAULT '{}',
            user_meta TEXT NOT NULL DEFAULT '{}', tags TEXT NOT NULL DEFAULT '{}',
            storage_class TEXT NOT NULL DEFAULT 'STANDARD', encryption TEXT NOT NULL DEFAULT '{}',
            checksum_algorithm TEXT, checksum_type TEXT) WITHOUT ROWID;
        CREATE TABLE parts (upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, etag TEXT NOT NULL,
            size INTEGER NOT NULL, last_modified_ns INTEGER NOT NULL, checksums TEXT NOT NULL DEFAULT '{}',
            file TEXT NOT NULL, PRIMARY KEY (upload_id, part_number)) WITHOUT ROWID;
        INSERT INTO buckets VALUES ('old', '000000000000', 'us-east-1', 0, NULL);
        INSERT INTO objects (bucket, key, etag, size, last_modified_ns, tags)
            VALUES ('old', 'k', 'e', 1, 0, '{"t": "1"}');
        PRAGMA user_version = 1;
    """)
    conn.close()
    db = MetadataDB(path)
    try:
        assert db.reader().execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        row = db.get_object("old", "k")
        assert row.meta.tags == {"t": "1"} and row.meta.acl is None
        assert db.put_bucket_config("old", "tagging", {"TagSet": []})
        assert db.get_bucket_config("old", "tagging") == {"TagSet": []}
    finally:
        db.close()
    again = MetadataDB(path)  # opening a migrated database again changes nothing
    try:
        assert again.get_bucket_config("old", "tagging") == {"TagSet": []}
    finally:
        again.close()


def test_create_bucket_with_its_first_config(store):
    store.create_bucket("configured", "000000000000", "us-east-1",
                        {"acl": {"Grants": []}, "ownership_controls": {"ObjectOwnership": "ObjectWriter"}})
    assert store.get_bucket_config("configured", "acl") == {"Grants": []}
    assert store.get_bucket_config("configured", "ownership_controls") == {"ObjectOwnership": "ObjectWriter"}
    assert store.get_bucket_config("configured", "tagging") is None


def test_stale_config_rows_never_reach_a_new_bucket(store):
    """A row left behind (by a crash, or an older version) is dropped when the bucket is created again."""
    with store.db._write() as db:
        db.execute("INSERT INTO bucket_config (bucket, name, value) VALUES ('reborn', 'policy', '{}')")
    store.create_bucket("reborn", "000000000000", "us-east-1")
    assert store.get_bucket_config("reborn", "policy") is None
