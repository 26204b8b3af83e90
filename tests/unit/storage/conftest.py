"""Fixtures for the storage tests: a LakeStore on a temporary data folder, with one bucket."""

from __future__ import annotations

import pytest
from lake_helpers import BUCKET

from lakebox.storage import LakeStore


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def store(data_dir):
    lake = LakeStore(data_dir)
    yield lake
    lake.close()


@pytest.fixture
def bucket(store):
    store.create_bucket(BUCKET, "000000000000", "us-east-1")
    return BUCKET


@pytest.fixture
def bucket_dir(data_dir, bucket):
    return data_dir / "s3" / bucket
