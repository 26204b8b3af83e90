"""Where a query's result files live: the lake for an `s3://` location, or Athena-owned storage for a
workgroup with managed query results (`ManagedQueryResultsConfiguration.Enabled`).

Athena-owned storage is a private folder, `<data>/.lakebox/athena/managed-results/`, that no S3 call
lists. A managed result's location is an `athena-managed://<account>/<region>/<workgroup>/<file>` URI:
it stays inside lakebox (the execution's private `lakebox` member), because AWS shows no location for
managed results; clients read them with GetQueryResults. Files are written as the lake writes objects
(temp file, fsync, rename), so a reader never sees half a result and a result survives `kill -9`.

`ResultStorage` is what results.py writes through and reads through; the lake needs nothing of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Optional

from ...storage.api import ObjectMeta
from ...storage.atomic import TempFile

MANAGED_SCHEME = "athena-managed://"
#: AWS's answer to managed query results and an S3 OutputLocation together, for a workgroup or a query.
MANAGED_AND_OUTPUT = "ManagedQueryResultsConfiguration and ResultConfiguration cannot be set together."


class ResultLocationError(Exception):
    """The output location is not an S3 URI, or its bucket does not exist."""


def is_managed(location: Optional[str]) -> bool:
    return bool(location) and location.startswith(MANAGED_SCHEME)


def managed_location(scope_key: str, workgroup: str) -> str:
    """The folder of a workgroup's managed results (scope is `<account>:<region>`)."""
    account, region = scope_key.split(":", 1)
    return f"{MANAGED_SCHEME}{account}/{region}/{workgroup}"


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ResultLocationError(f"{uri} is not a valid S3 location")
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise ResultLocationError(f"{uri} is not a valid S3 location")
    return bucket, key


@dataclass(frozen=True)
class StoredFile:
    """One stored version of a result file: `identity` tells it from every other version."""
    identity: tuple
    read: Callable[[], bytes]


class ResultStorage:
    def __init__(self, lake, managed_root: str):
        self.lake = lake
        self.managed_root = os.path.abspath(managed_root)

    # --- the lake -------------------------------------------------------------------------------
    def bucket_owner(self, uri: str) -> Optional[str]:
        """The account that owns the bucket of an S3 location; None for Athena-owned storage or a
        bucket that does not exist."""
        if is_managed(uri):
            return None
        bucket, _ = split_s3_uri(uri)
        info = self.lake.get_bucket(bucket)
        return info.account_id if info is not None else None

    def put(self, uri: str, body: bytes, content_type: str) -> Optional[StoredFile]:
        """Write a whole file. Raises ResultLocationError when an S3 location's bucket is missing."""
        if is_managed(uri):
            return self._put_managed(uri, body)
        bucket, key = split_s3_uri(uri)
        if self.lake.get_bucket(bucket) is None:
            raise ResultLocationError(f"Unable to verify/create output bucket {bucket}")
        info = self.lake.put_object(bucket, key, body, ObjectMeta(content_type=content_type))
        return self._lake_file(info) if info is not None else None

    def find(self, uri: str) -> Optional[StoredFile]:
        """The current version of a file, or None if it is gone."""
        if is_managed(uri):
            path = self._managed_path(uri)
            try:
                st = os.stat(path)
            except FileNotFoundError:
                return None
            return StoredFile((id(self), path, st.st_ino, st.st_size, st.st_mtime_ns), lambda: _read_path(path))
        bucket, key = split_s3_uri(uri)
        info = self.lake.head_object(bucket, key)
        return self._lake_file(info) if info is not None else None

    def _lake_file(self, info) -> StoredFile:
        def read() -> bytes:
            with self.lake.open_object(info) as reader:
                return b"".join(reader)
        identity = (id(self.lake), info.bucket, info.key, info.etag, info.size, info.last_modified, info.version_id)
        return StoredFile(identity, read)

    # --- Athena-owned storage --------------------------------------------------------------------
    def _managed_path(self, uri: str) -> str:
        relative = uri[len(MANAGED_SCHEME):]
        parts = relative.split("/")
        if not relative or any(part in ("", ".", "..") for part in parts):
            raise ResultLocationError(f"{uri} is not a valid managed results location")
        return os.path.join(self.managed_root, *parts)

    def _put_managed(self, uri: str, body: bytes) -> StoredFile:
        path = self._managed_path(uri)
        with TempFile(self.lake.tmp_dir) as temp:
            temp.write(body)
            temp.sync()
            temp.replace_path(path)
        return self.find(uri)

    def forget_managed(self, location: str) -> None:
        """Remove the managed results under a workgroup's folder (when the workgroup goes)."""
        import shutil

        shutil.rmtree(self._managed_path(location), ignore_errors=True)


def _read_path(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()
