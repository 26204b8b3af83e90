"""`LakeStore`: S3 buckets and objects as a folder of plain files plus SQLite metadata (DESIGN D2).

The contract is in `api.py`. The work is split by area:
- `lake_base.py`: folders, reconciling files with rows, placement (plain or hidden store);
- `lake_objects.py`: put, head, open, delete, copy, tags;
- `lake_multipart.py`: multipart uploads;
- `listing.py`: ListObjects;
- `bucket_config.py`: per-bucket configuration documents (tagging, policy, ACL ...);
and this module: the store's layout on disk and the buckets.

Buckets follow the folder too: a folder that appears in `<data>/s3/` with a valid bucket name is
adopted as a bucket (default account and region), and a bucket whose folder was removed from
outside is gone.
"""

from __future__ import annotations

import os
import shutil
import time
from typing import Callable, Optional

from .api import BucketInfo
from .atomic import fsync_dir
from .bucket_config import BucketConfigMixin
from .errors import BucketExistsError, BucketNotEmptyError, NoSuchBucketError, StorageError
from .keys import check_bucket_name, check_key, is_valid_bucket_name, plain_segments
from .lake_multipart import MultipartMixin
from .lake_versions import VersionsMixin
from .listing import ListingMixin, TreeWalker, _Cursor
from .metadata import ns_to_datetime


class LakeStore(VersionsMixin, MultipartMixin, ListingMixin, BucketConfigMixin):
    """All of S3's state under one data folder. Every method is blocking and thread-safe.

    `<data>/s3/<bucket>/<key>` holds the current version of each object as a plain file;
    `<data>/.lakebox/` holds meta.db, temp files (tmp/), multipart parts (uploads/) and the objects
    that cannot be plain files (hidden/). Nothing under `.lakebox/` is ever listed.
    """

    def __init__(self, data_dir, *, default_account: str = "000000000000", default_region: str = "us-east-1",
                 now_ns: Callable[[], int] = time.time_ns):
        super().__init__(data_dir, default_account=default_account, default_region=default_region, now_ns=now_ns)
        self._recover_versions()
        self._remove_orphan_upload_dirs()
        self._remove_orphan_blobs()

    def _remove_orphan_upload_dirs(self) -> None:
        """Parts of uploads that were completed or aborted when the process died before cleanup."""
        for name in os.listdir(self.uploads_dir):
            if self.db.get_upload(name) is None:
                self._remove_upload_files(name)

    def _remove_orphan_blobs(self, min_age_s: float = 3600) -> None:
        """Hidden-store files that no row refers to: left when a process died between their rename
        and the metadata commit. Only old ones, so that a write in flight in another store instance
        on the same folder (tests do that) keeps its file."""
        referenced = self.db.hidden_locations()
        horizon = time.time() - min_age_s
        for folder, _, files in os.walk(self.hidden_dir):
            for name in files:
                path = os.path.join(folder, name)
                location = os.path.relpath(path, self.internal_dir).replace(os.sep, "/")
                if location not in referenced and os.lstat(path).st_mtime < horizon:
                    os.unlink(path)

    # For engines (DuckDB, Spark, pandas) that read the folder directly.

    def bucket_path(self, bucket: str) -> str:
        """The folder of `bucket`: `s3://bucket/prefix` is `<this>/prefix` for an engine."""
        check_bucket_name(bucket)
        return os.path.join(self.s3_dir, bucket)

    def object_path(self, bucket: str, key: str) -> Optional[str]:
        """The plain file holding the current object of `key`; None if it is missing or hidden."""
        check_key(key)
        row = self._current_row(bucket, key)
        if row is None or row.location is not None:
            return None
        return os.path.join(self.s3_dir, bucket, *plain_segments(key))

    def _bucket_lock(self, name: str):
        return self._locks.hold(("bucket", name))

    def create_bucket(self, name: str, account_id: str, region: str,
                      config: Optional[dict[str, dict]] = None, versioning: Optional[str] = None) -> BucketInfo:
        check_bucket_name(name)
        with self._bucket_lock(name):
            existing = self.get_bucket(name)
            if existing is not None:
                raise BucketExistsError(existing)
            path = os.path.join(self.s3_dir, name)
            try:
                os.mkdir(path)
            except FileExistsError:
                raise StorageError(f"{path} exists and is not a directory") from None
            fsync_dir(self.s3_dir)
            self.db.insert_bucket(BucketInfo(name, account_id, region, ns_to_datetime(self.now_ns()), versioning),
                                config)
            return self.db.get_bucket(name)

    def get_bucket(self, name: str) -> Optional[BucketInfo]:
        if not is_valid_bucket_name(name):
            return None
        return self._reconcile_bucket(name, self.db.get_bucket(name))

    def list_buckets(self, account_id: Optional[str] = None) -> list[BucketInfo]:
        rows = {b.name: b for b in self.db.list_buckets()}
        names = set(rows) | {n for n in os.listdir(self.s3_dir) if is_valid_bucket_name(n)}
        buckets = [self._reconcile_bucket(n, rows.get(n)) for n in sorted(names)]
        return [b for b in buckets if b is not None and (account_id is None or b.account_id == account_id)]

    def _reconcile_bucket(self, name: str, row: Optional[BucketInfo]) -> Optional[BucketInfo]:
        """The bucket as the folder says: adopt a folder without a row, forget a row without a folder."""
        path = os.path.join(self.s3_dir, name)
        if os.path.isdir(path):
            if row is not None:
                return row
            with self._bucket_lock(name):
                row = self.db.get_bucket(name)
                if row is None and os.path.isdir(path):
                    created = ns_to_datetime(os.stat(path).st_mtime_ns)
                    self.db.insert_bucket(BucketInfo(name, self.default_account, self.default_region, created))
                    row = self.db.get_bucket(name)
                return row
        # Guard: when all of `s3/` is missing (an unmounted disk), forget nothing.
        if row is not None and os.path.isdir(self.s3_dir):
            with self._bucket_lock(name):
                if not os.path.isdir(path) and self.db.get_bucket(name) is not None:
                    self._forget_bucket(name)
        return None

    def delete_bucket(self, name: str) -> None:
        with self._bucket_locks.exclusive(name), self._bucket_lock(name):
            if self.get_bucket(name) is None:
                raise NoSuchBucketError(name)
            with self._bucket_root(name) as root:
                walk = iter(TreeWalker(root, "", "", _Cursor(), exact=self._exact))
                has_file = next(walk, None) is not None
                walk.close()
            if has_file or self.db.has_hidden(name) or self.db.has_versions(name):
                raise BucketNotEmptyError(name)
            path = os.path.join(self.s3_dir, name)
            if os.path.islink(path):
                os.unlink(path)  # a dataset linked in as a bucket: unlink it, never empty its target
            else:
                # Only empty directories and non-objects (symlinks, special files) can remain here.
                shutil.rmtree(path)
            fsync_dir(self.s3_dir)
            self._forget_bucket(name)

    def _forget_bucket(self, name: str) -> None:
        self._abort_bucket_uploads(name)
        self.db.delete_bucket(name)
        try:
            shutil.rmtree(os.path.join(self.hidden_dir, name))
        except FileNotFoundError:
            pass
