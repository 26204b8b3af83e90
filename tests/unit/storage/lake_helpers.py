"""Helpers shared by the storage tests (imported as a plain module: tests/ has no packages)."""

from __future__ import annotations

import hashlib
import io
import os

from lakebox.storage import ObjectMeta

BUCKET = "lake-bucket"


def put(store, key, data=b"x", bucket=BUCKET, **kwargs):
    meta = kwargs.pop("meta", None) or ObjectMeta()
    return store.put_object(bucket, key, io.BytesIO(data), meta, **kwargs)


def read(store, info, start=0, end=None):
    return b"".join(store.open_object(info, start, end))


def get(store, key, bucket=BUCKET):
    info = store.head_object(bucket, key)
    assert info is not None, key
    return read(store, info)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def files_under(path) -> set[str]:
    """Every regular file below `path`, relative, with '/' separators."""
    found = set()
    for folder, _, names in os.walk(path):
        for name in names:
            found.add(os.path.relpath(os.path.join(folder, name), path).replace(os.sep, "/"))
    return found
