"""The plumbing that every part of `LakeStore` shares: folders, lookups, placement, ObjectInfo.

The rules that keep the folder and the metadata honest with each other live here:
- a plain file at a key's path is the truth for that key (DESIGN D2: engines write the folder).
  Its metadata row is trusted only while the file's size, mtime_ns and inode still match; otherwise
  the file was replaced from outside, or lakebox died between the rename and the commit, and its
  ETag is computed again from the content.
- a key that cannot be a plain file (static rules in `keys.py`, or a path taken by a directory)
  lives in the hidden store, `<data>/.lakebox/hidden/<bucket>/`, and is found through its row.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import unicodedata
import uuid
from contextlib import contextmanager
from dataclasses import replace
from typing import Callable, Iterable, Iterator, Optional

from .blocking import check_may_block
from . import checksums as ck
from .api import ObjectHandle, ObjectInfo, ObjectMeta
from .atomic import CHUNK, TempFile, make_dirs_durable, remove_stale_temp_files
from .dirfd import NotPlain, make_dirs, open_file, open_root, place, prune_empty_dirs, remove_file, stat_file
from .errors import NoSuchBucketError, NoSuchKeyError, ObjectChangedError
from .keys import RESERVED_PREFIX, is_valid_bucket_name, marker_dir_segments, plain_segments
from .locks import NamedLocks, SharedExclusiveLocks
from .metadata import MetadataDB, ObjectRow, ns_to_datetime, same_object


def fingerprint(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class LakeBase:
    def __init__(self, data_dir: str, *, default_account: str = "000000000000",
                 default_region: str = "us-east-1", now_ns: Callable[[], int] = time.time_ns):
        #: The service clock: every timestamp the store records (LastModified, initiation ...).
        self.now_ns = now_ns
        self.data_dir = os.path.abspath(str(data_dir))
        self.s3_dir = os.path.join(self.data_dir, "s3")
        self.internal_dir = os.path.join(self.data_dir, ".lakebox")
        self.tmp_dir = os.path.join(self.internal_dir, "tmp")
        self.uploads_dir = os.path.join(self.internal_dir, "uploads")
        self.hidden_dir = os.path.join(self.internal_dir, "hidden")
        #: Account and region given to bucket folders that appear in `s3/` without lakebox.
        self.default_account = default_account
        self.default_region = default_region
        for path in (self.s3_dir, self.tmp_dir, self.uploads_dir, self.hidden_dir):
            make_dirs_durable(path)
        remove_stale_temp_files(self.tmp_dir)
        self.db = MetadataDB(os.path.join(self.internal_dir, "meta.db"))
        self._locks = NamedLocks()
        #: Shared by object writes, exclusive for DeleteBucket; taken before any other lock.
        self._bucket_locks = SharedExclusiveLocks()
        #: On a case- or normalization-insensitive filesystem (macOS), `Data.csv` would open
        #: `data.csv`; then every path component must also match byte for byte.
        self._exact = not _names_are_exact(self.s3_dir)

    def close(self) -> None:
        self.db.close()

    # Folders

    @contextmanager
    def _bucket_root(self, bucket: str) -> Iterator[int]:
        """A descriptor of the bucket's folder, the root every key is resolved under."""
        if not is_valid_bucket_name(bucket):
            raise NoSuchBucketError(bucket)
        try:
            fd = open_root(os.path.join(self.s3_dir, bucket))
        except FileNotFoundError:
            raise NoSuchBucketError(bucket) from None
        try:
            yield fd
        finally:
            os.close(fd)

    def _key_lock(self, bucket: str, key: str):
        return self._locks.hold(("key", bucket, key))

    def _hidden_path(self, location: str) -> str:
        return os.path.join(self.internal_dir, location)

    def _new_hidden_location(self, bucket: str) -> str:
        name = uuid.uuid4().hex
        return f"hidden/{bucket}/{name[:2]}/{name}"

    def _drop_blob(self, location: Optional[str]) -> None:
        if location:
            try:
                os.unlink(self._hidden_path(location))
            except FileNotFoundError:
                pass

    # Records

    def _info(self, row: ObjectRow) -> ObjectInfo:
        return ObjectInfo(bucket=row.bucket, key=row.key, size=row.size, etag=row.etag,
                          last_modified=ns_to_datetime(row.last_modified_ns), meta=row.meta,
                          checksums=dict(row.checksums), checksum_type=row.checksum_type,
                          parts=list(row.parts or []), version_id=row.version_id,
                          handle=ObjectHandle(row.location, row.size, row.mtime_ns or 0, row.inode or 0))

    # Finding the current object of a key

    def _lookup(self, root: int, bucket: str, key: str) -> Optional[ObjectRow]:
        """The row describing the current object of `key`, reconciled with the folder."""
        row = self.db.get_object(bucket, key)
        segments = plain_segments(key)
        if segments is not None:
            st = stat_file(root, segments, exact=self._exact)
            if st is not None:
                if row is not None and row.location is None and row.fingerprint() == fingerprint(st):
                    return row
                adopted = self._adopt(root, bucket, key, row)
                if adopted is not None:
                    return adopted
        if row is None or row.location is not None:
            return row
        # The row describes a plain file that was deleted from outside: the key is gone.
        with self._key_lock(bucket, key):
            if same_object(self.db.get_object(bucket, key), row) and (
                    segments is None or stat_file(root, segments, exact=self._exact) is None):
                self.db.delete_object(bucket, key)
        return None

    def _adopt(self, root: int, bucket: str, key: str, previous: Optional[ObjectRow],
               defer: Optional[list] = None) -> Optional[ObjectRow]:
        """Describe a plain file that lakebox did not write (or whose commit it did not finish).

        The ETag is the MD5 of the content. When the content is what `previous` described (the file
        was only touched, or copied back), the object keeps its metadata; otherwise it gets fresh,
        default metadata, since the old row described other bytes. The result is cached when the
        file did not change while it was hashed and nobody wrote the key meanwhile; with `defer`,
        the caller caches a batch of them in one transaction (see `_cache`).
        """
        try:
            fd = open_file(root, plain_segments(key), exact=self._exact)
        except FileNotFoundError:
            return None
        try:
            before = os.fstat(fd)
            part_sizes = [p.size for p in previous.parts] if previous and previous.parts else None
            check_may_block()  # hashing a whole file must not run on the event loop
            md5_hex, multipart = _file_etags(fd, before.st_size, part_sizes)
            after = os.fstat(fd)
        finally:
            os.close(fd)
        if previous is not None and previous.etag in (md5_hex, multipart):
            row = replace(previous, size=after.st_size, mtime_ns=after.st_mtime_ns, inode=after.st_ino,
                          location=None)
        else:
            row = ObjectRow(bucket=bucket, key=key, etag=md5_hex, size=after.st_size,
                            last_modified_ns=after.st_mtime_ns, mtime_ns=after.st_mtime_ns,
                            inode=after.st_ino, location=None, meta=ObjectMeta())
        if fingerprint(before) == fingerprint(after):
            if defer is not None:
                defer.append((row, previous))
            else:
                self._cache([(row, previous)])
        return row

    def _cache(self, pairs: list[tuple[ObjectRow, Optional[ObjectRow]]]) -> None:
        """Store rows computed from files, unless a writer committed the key since; one transaction."""
        if not pairs:
            return
        for (row, previous), written in zip(pairs, self.db.put_objects_if_unchanged(pairs)):
            if written and previous is not None and previous.location != row.location:
                self._drop_blob(previous.location)

    def _current_row(self, bucket: str, key: str) -> Optional[ObjectRow]:
        with self._bucket_root(bucket) as root:
            return self._lookup(root, bucket, key)

    # Reading bytes

    def _handle_of(self, info: ObjectInfo) -> ObjectHandle:
        """The handle of `info`; for an ObjectInfo built elsewhere, that of the current object."""
        if info.handle is not None:
            return info.handle
        row = self._current_row(info.bucket, info.key)
        if row is None:
            raise NoSuchKeyError(info.bucket, info.key)
        if info.etag and row.etag != info.etag.strip('"'):
            raise ObjectChangedError(info.bucket, info.key)
        return self._info(row).handle

    def _open_bytes(self, info: ObjectInfo) -> tuple[int, ObjectHandle]:
        """An open descriptor on exactly the bytes `info` describes, and its handle."""
        handle = self._handle_of(info)
        try:
            if handle.location is not None:
                fd = os.open(self._hidden_path(handle.location), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            else:
                with self._bucket_root(info.bucket) as root:
                    fd = open_file(root, plain_segments(info.key), exact=self._exact)
        except FileNotFoundError:
            raise self._vanished(info) from None
        st = os.fstat(fd)
        if (st.st_size, st.st_mtime_ns, st.st_ino) != (handle.size, handle.mtime_ns, handle.inode):
            os.close(fd)
            raise self._vanished(info)
        return fd, handle

    def _vanished(self, info: ObjectInfo) -> Exception:
        try:
            exists = self._current_row(info.bucket, info.key) is not None
        except NoSuchBucketError as exc:
            return exc
        return ObjectChangedError(info.bucket, info.key) if exists else NoSuchKeyError(info.bucket, info.key)

    # Writing

    def _place(self, root: int, bucket: str, key: str, tmp: TempFile) -> tuple[Optional[str], os.stat_result]:
        """Rename a finished temp file into place: the plain path if possible, else the hidden store."""
        segments = plain_segments(key)
        if segments is not None:
            try:
                return None, place(tmp, root, segments, exact=self._exact)
            except NotPlain:
                pass
        location = self._new_hidden_location(bucket)
        st = tmp.replace_path(self._hidden_path(location))
        marker = marker_dir_segments(key)
        if marker is not None:
            make_dirs(root, marker, exact=self._exact)
        return location, st

    def _commit(self, row: ObjectRow) -> None:
        """Record `row` as the current object, then drop the hidden file it replaced (if any)."""
        replaced = self.db.replace_object(row)
        if replaced != row.location:
            self._drop_blob(replaced)

    def _new_row(self, bucket: str, key: str, location: Optional[str], st: os.stat_result, etag: str,
                 meta: ObjectMeta, checksums: dict[str, str], checksum_type: Optional[str],
                 parts=None) -> ObjectRow:
        return ObjectRow(bucket=bucket, key=key, etag=etag, size=st.st_size, last_modified_ns=self.now_ns(),
                         mtime_ns=st.st_mtime_ns, inode=st.st_ino, location=location, meta=meta,
                         checksums=checksums, checksum_type=checksum_type if checksums else None, parts=parts)

    def _remove(self, root: int, bucket: str, key: str) -> bool:
        """Delete the key's file(s) and row, then the directories that became empty."""
        row = self.db.get_object(bucket, key)
        segments = plain_segments(key)
        removed = remove_file(root, segments, exact=self._exact) if segments is not None else False
        if row is not None:
            self.db.delete_object(bucket, key)
            if row.location is not None:
                self._drop_blob(row.location)
                removed = True

        def keep(dir_prefix: str) -> bool:
            return self.db.has_key(bucket, dir_prefix)

        if segments is not None and len(segments) > 1:
            prune_empty_dirs(root, segments[:-1], keep)
        marker = marker_dir_segments(key)
        if marker is not None:
            prune_empty_dirs(root, marker, keep)
        return removed

    def _remove_upload_files(self, upload_id: str) -> None:
        try:
            shutil.rmtree(os.path.join(self.uploads_dir, upload_id))
        except FileNotFoundError:
            pass


def read_chunks(fd: int, start: int, length: int) -> Iterator[bytes]:
    """The bytes [start, start + length) of an open file in chunks of up to 1 MiB (fewer if it is shorter)."""
    offset, end = start, start + length
    while offset < end:
        chunk = os.pread(fd, min(CHUNK, end - offset), offset)
        if not chunk:
            return
        yield chunk
        offset += len(chunk)


def hash_fd(fd: int, algorithms: Iterable[str], start: int = 0, length: Optional[int] = None) -> ck.MultiHasher:
    """Hash `length` bytes of an open file from `start` (to its end by default)."""
    hasher = ck.MultiHasher(algorithms)
    if length is None:
        length = os.fstat(fd).st_size - start
    for chunk in read_chunks(fd, start, length):
        hasher.update(chunk)
    return hasher


def _file_etags(fd: int, size: int, part_sizes: Optional[list[int]]) -> tuple[str, Optional[str]]:
    """The MD5 of a file and, when `part_sizes` add up to its size, its multipart ETag; one pass."""
    whole = hashlib.md5()
    if not part_sizes or sum(part_sizes) != size:
        for chunk in read_chunks(fd, 0, size):
            whole.update(chunk)
        return whole.hexdigest(), None
    part_md5s = []
    offset = 0
    for part_size in part_sizes:
        part = hashlib.md5()
        for chunk in read_chunks(fd, offset, part_size):
            whole.update(chunk)
            part.update(chunk)
        part_md5s.append(part.hexdigest())
        offset += part_size
    return whole.hexdigest(), ck.multipart_etag(part_md5s)


def _names_are_exact(folder: str) -> bool:
    """Probe whether the filesystem tells apart names that differ in case or Unicode normalization."""
    probe = f"{RESERVED_PREFIX}-probe-{os.getpid()}-{uuid.uuid4().hex[:8]}-Ab\u00e9"
    variants = (probe.replace("Ab", "aB"), unicodedata.normalize("NFD", probe))
    path = os.path.join(folder, probe)
    with open(path, "wb"):
        pass
    try:
        return not any(os.path.lexists(os.path.join(folder, v)) for v in variants)
    finally:
        os.unlink(path)
