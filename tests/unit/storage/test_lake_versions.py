"""Versions in the store: what a versioned bucket keeps, where, and how a crash mid-write settles."""

from __future__ import annotations

import os

import pytest
from lake_helpers import BUCKET, files_under, put, read

from lakebox.storage import LakeStore, ObjectMeta
from lakebox.storage.api import ENABLED, SUSPENDED
from lakebox.storage.errors import BucketNotEmptyError, InvalidVersionIdError, NoSuchVersionError
from lakebox.storage.version_ids import is_well_formed, new_version_id, stamp_of


@pytest.fixture
def versioned(store, bucket):
    store.set_versioning(bucket, ENABLED)
    return bucket


def _versions(store, **kwargs):
    return store.list_object_versions(BUCKET, **kwargs).versions


def test_set_versioning_is_on_the_bucket(store, bucket):
    assert store.get_bucket(bucket).versioning is None
    assert store.set_versioning(bucket, ENABLED).versioning == ENABLED
    assert store.get_bucket(bucket).versioning == ENABLED


def test_each_put_is_a_version_and_the_old_file_moves_to_the_hidden_store(store, versioned, bucket_dir):
    first = put(store, "a/k", b"one")
    second = put(store, "a/k", b"two")
    assert first.version_id and second.version_id and first.version_id != second.version_id
    assert (bucket_dir / "a" / "k").read_bytes() == b"two"
    assert files_under(bucket_dir) == {"a/k"}
    old = store.head_version(BUCKET, "a/k", first.version_id)
    assert read(store, old) == b"one" and not old.is_latest
    listed = _versions(store)
    assert [(v.version_id, v.is_latest) for v in listed] == [(second.version_id, True), (first.version_id, False)]
    assert listed[1].noncurrent_since is not None


def test_unversioned_bucket_keeps_nothing(store, bucket):
    put(store, "k", b"one")
    put(store, "k", b"two")
    assert [v.version_id for v in _versions(store)] == [None]


def test_delete_adds_a_marker_and_deleting_it_restores(store, versioned, bucket_dir):
    put(store, "d/k", b"data")
    outcome = store.delete_object(BUCKET, "d/k")
    assert outcome.delete_marker and outcome.version_id
    assert store.head_object(BUCKET, "d/k") is None
    assert not (bucket_dir / "d").exists()  # the emptied directory goes too
    assert store.latest_delete_marker(BUCKET, "d/k").version_id == outcome.version_id
    again = store.delete_object(BUCKET, "d/k", outcome.version_id)
    assert again.delete_marker and again.removed
    assert (bucket_dir / "d" / "k").read_bytes() == b"data"
    assert store.latest_delete_marker(BUCKET, "d/k") is None


def test_suspended_replaces_the_null_version(store, bucket):
    put(store, "k", b"null-1")
    store.set_versioning(BUCKET, ENABLED)
    kept = put(store, "k", b"versioned")
    store.set_versioning(BUCKET, SUSPENDED)
    put(store, "k", b"null-2")
    put(store, "k", b"null-3")
    assert [v.version_id for v in _versions(store)] == [None, kept.version_id]
    assert read(store, store.head_version(BUCKET, "k", "null")) == b"null-3"


def test_update_meta_of_one_version(store, versioned):
    old = put(store, "k", b"1")
    put(store, "k", b"2")
    store.update_object_meta(BUCKET, "k", old.version_id, tags={"t": "v"}, extra={"x": 1})
    assert store.head_version(BUCKET, "k", old.version_id).meta.tags == {"t": "v"}
    assert store.head_version(BUCKET, "k", old.version_id).meta.extra == {"x": 1}
    assert store.head_object(BUCKET, "k").meta.tags == {}
    with pytest.raises(NoSuchVersionError):
        store.update_object_meta(BUCKET, "k", "A" * 32, tags={})


def test_bucket_with_versions_is_not_empty(store, versioned):
    put(store, "k")
    store.delete_object(BUCKET, "k")
    with pytest.raises(BucketNotEmptyError):
        store.delete_bucket(BUCKET)


def test_listing_pages_resume_inside_a_key(store, versioned):
    ids = [put(store, "k", str(i).encode()).version_id for i in range(5)]
    page = store.list_object_versions(BUCKET, max_keys=2)
    assert page.is_truncated and page.next_key_marker == "k"
    rest = store.list_object_versions(BUCKET, key_marker="k", version_id_marker=page.next_version_id_marker)
    assert [v.version_id for v in page.versions + rest.versions] == ids[::-1]


def test_listing_resumes_where_a_deleted_marker_version_stood(store, versioned):
    ids = [put(store, "k", str(i).encode()).version_id for i in range(5)]
    store.delete_object(BUCKET, "k", version_id=ids[2])
    rest = store.list_object_versions(BUCKET, key_marker="k", version_id_marker=ids[2])
    assert [v.version_id for v in rest.versions] == [ids[1], ids[0]]


def test_listing_refuses_a_marker_lakebox_cannot_have_minted(store, versioned):
    with pytest.raises(InvalidVersionIdError):
        store.list_object_versions(BUCKET, key_marker="k", version_id_marker="not/an id")


def test_version_ids_carry_increasing_stamps_and_older_ids_none():
    ids = [new_version_id() for _ in range(100)]
    stamps = [stamp_of(i) for i in ids]
    assert all(len(i) == 32 and is_well_formed(i) for i in ids)
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert stamp_of("A" * 32) is None and stamp_of("null") is None
    assert is_well_formed("null") and not is_well_formed("short")


def test_a_crash_after_archiving_but_before_the_move_is_undone(data_dir, store, versioned, bucket_dir):
    current = put(store, "k", b"current")
    row = store.db.get_object(BUCKET, "k")
    store.db.archive_version(row, "hidden/never/moved", 1)  # step 1 done, then the process died
    store.close()
    reopened = LakeStore(data_dir)
    try:
        assert [v.version_id for v in reopened.list_object_versions(BUCKET).versions] == [current.version_id]
        assert read(reopened, reopened.head_object(BUCKET, "k")) == b"current"
    finally:
        reopened.close()


def test_a_crash_after_the_move_keeps_the_version_current(data_dir, store, versioned, bucket_dir):
    current = put(store, "k", b"current")
    row = store.db.get_object(BUCKET, "k")
    location = "hidden/" + BUCKET + "/zz/moved"
    store.db.archive_version(row, location, 1)
    os.makedirs(os.path.dirname(os.path.join(data_dir, ".lakebox", location)), exist_ok=True)
    os.rename(bucket_dir / "k", os.path.join(data_dir, ".lakebox", location))  # step 2 done, then died
    store.close()
    reopened = LakeStore(data_dir)
    try:
        listed = reopened.list_object_versions(BUCKET).versions
        assert [(v.version_id, v.is_latest) for v in listed] == [(current.version_id, True)]
        assert (bucket_dir / "k").read_bytes() == b"current"
        assert read(reopened, reopened.head_object(BUCKET, "k")) == b"current"
    finally:
        reopened.close()


def test_timestamps_come_from_the_store_clock(tmp_path):
    now = [1_700_000_000 * 10**9]
    lake = LakeStore(tmp_path / "d", now_ns=lambda: now[0])
    try:
        lake.create_bucket(BUCKET, "000000000000", "us-east-1")
        now[0] += 86400 * 10**9
        info = lake.put_object(BUCKET, "k", b"x", ObjectMeta())
        assert int(info.last_modified.timestamp()) == 1_700_000_000 + 86400
    finally:
        lake.close()
