"""Buckets: folders under `<data>/s3/`, rows in the metadata."""

from __future__ import annotations

import os

import pytest
from lake_helpers import put

from lakebox.storage import (BucketExistsError, BucketNotEmptyError, InvalidBucketNameError, LakeStore,
                             NoSuchBucketError)


def test_create_get_list_delete(store, data_dir):
    info = store.create_bucket("alpha", "111111111111", "eu-west-1")
    assert (info.name, info.account_id, info.region) == ("alpha", "111111111111", "eu-west-1")
    assert info.created.tzinfo is not None
    assert (data_dir / "s3" / "alpha").is_dir()
    store.create_bucket("beta", "222222222222", "us-east-1")
    assert store.get_bucket("alpha") == info
    assert [b.name for b in store.list_buckets()] == ["alpha", "beta"]
    assert [b.name for b in store.list_buckets("222222222222")] == ["beta"]
    store.delete_bucket("alpha")
    assert store.get_bucket("alpha") is None
    assert not (data_dir / "s3" / "alpha").exists()
    assert [b.name for b in store.list_buckets()] == ["beta"]


def test_create_existing_bucket_raises_with_the_owner(store):
    store.create_bucket("taken", "111111111111", "us-east-1")
    with pytest.raises(BucketExistsError) as err:
        store.create_bucket("taken", "222222222222", "us-east-1")
    assert err.value.existing.account_id == "111111111111"


def test_invalid_bucket_name(store):
    with pytest.raises(InvalidBucketNameError):
        store.create_bucket("../evil", "1", "r")
    assert store.get_bucket("../evil") is None
    with pytest.raises(NoSuchBucketError):
        store.head_object("../s3", "x")


def test_delete_missing_bucket_raises(store):
    with pytest.raises(NoSuchBucketError):
        store.delete_bucket("never-made")


def test_delete_non_empty_bucket_raises(store, bucket, bucket_dir):
    put(store, "a/b", b"x")
    with pytest.raises(BucketNotEmptyError):
        store.delete_bucket(bucket)
    store.delete_object(bucket, "a/b")
    put(store, "odd//key", b"hidden")
    with pytest.raises(BucketNotEmptyError):
        store.delete_bucket(bucket)
    store.delete_object(bucket, "odd//key")
    (bucket_dir / "engine").mkdir()
    (bucket_dir / "engine" / "part.csv").write_bytes(b"external")
    with pytest.raises(BucketNotEmptyError):
        store.delete_bucket(bucket)
    os.unlink(bucket_dir / "engine" / "part.csv")
    store.delete_bucket(bucket)  # only an empty directory was left
    assert not bucket_dir.exists()


def test_buckets_survive_a_restart(data_dir):
    store = LakeStore(data_dir)
    store.create_bucket("kept", "333333333333", "ap-south-1")
    created = store.get_bucket("kept").created
    store.close()
    again = LakeStore(data_dir)
    try:
        info = again.get_bucket("kept")
        assert (info.account_id, info.region, info.created) == ("333333333333", "ap-south-1", created)
    finally:
        again.close()


def test_recreated_bucket_starts_empty(store, bucket):
    put(store, "odd//key", b"x")
    store.delete_object(bucket, "odd//key")
    store.delete_bucket(bucket)
    store.create_bucket(bucket, "000000000000", "us-east-1")
    assert store.list_objects(bucket).objects == []


def test_paths_for_engines(store, bucket, bucket_dir):
    put(store, "t/part-0.parquet", b"PAR1")
    put(store, "odd//key", b"x")
    assert store.bucket_path(bucket) == str(bucket_dir)
    path = store.object_path(bucket, "t/part-0.parquet")
    assert path == str(bucket_dir / "t" / "part-0.parquet")
    with open(path, "rb") as f:
        assert f.read() == b"PAR1"
    assert store.object_path(bucket, "odd//key") is None
    assert store.object_path(bucket, "missing") is None
    with pytest.raises(InvalidBucketNameError):
        store.bucket_path("../etc")
