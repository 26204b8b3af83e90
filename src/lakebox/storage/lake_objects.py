"""Object operations of `LakeStore`: put, head, open, delete, copy, tags and ACLs.

Every write follows the same order (DESIGN D2): bytes to a temp file while hashing, fsync, then
under the key's lock the precondition, the rename into place, the directory fsync, and the metadata
commit. A reader of the folder or of the API sees the old object or the new one, never a mixture,
and two writers of one key cannot interleave: the last one to finish wins.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Callable, Iterable, Optional

from . import checksums as ck
from .api import ENABLED, SUSPENDED, ObjectInfo, ObjectMeta
from .atomic import CHUNK, TempFile, copy_range
from .errors import NoSuchBucketError, NoSuchKeyError, ObjectChangedError
from .ingest import Expected, receive
from .keys import check_key, is_valid_bucket_name
from .lake_base import hash_fd
from .lake_versions import VersionsBase
from .version_ids import new_version_id

Precondition = Optional[Callable[[Optional[ObjectInfo]], None]]


class ObjectReader:
    """The bytes [start, end] of an object, in chunks of up to 1 MiB, read as they are consumed.

    Holds the open file, so a concurrent replacement of the key (a rename) does not change what is
    read. `close()` releases it early; iterating to the end releases it too.
    """

    def __init__(self, fd: int, start: int, end: int, on_short: Callable[[], Exception]):
        self._fd: Optional[int] = fd
        self._pos = start
        self._stop = end + 1
        self._on_short = on_short
        self.length = max(0, self._stop - start)

    def __iter__(self) -> "ObjectReader":
        return self

    def __next__(self) -> bytes:
        if self._fd is None or self._pos >= self._stop:
            self.close()
            raise StopIteration
        chunk = os.pread(self._fd, min(CHUNK, self._stop - self._pos), self._pos)
        if not chunk:
            # Shortened in place (not replaced) after it was opened: the length already promised
            # cannot be delivered.
            self.close()
            raise self._on_short()
        self._pos += len(chunk)
        return chunk

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "ObjectReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


class ObjectsMixin(VersionsBase):
    def put_object(self, bucket: str, key: str, body, meta: ObjectMeta, *, content_length: Optional[int] = None,
                   checksum_algorithms: Iterable[str] = (), expected: Expected = None,
                   precondition: Precondition = None, version_id: Optional[str] = None) -> ObjectInfo:
        check_key(key)
        # Fail fast, before reading the body, when the bucket does not exist. One stat: `_install`
        # opens the folder for real once it holds the bucket's lock.
        if not is_valid_bucket_name(bucket) or not os.path.isdir(os.path.join(self.s3_dir, bucket)):
            raise NoSuchBucketError(bucket)
        got = receive(self.tmp_dir, body, algorithms=checksum_algorithms, content_length=content_length,
                      expected=expected)
        try:
            with self._bucket_locks.shared(bucket):
                return self._install(bucket, key, got.tmp, got.etag, meta, got.checksums,
                                     ck.FULL_OBJECT, None, precondition, version_id=version_id)
        finally:
            got.tmp.discard()

    def _install(self, bucket: str, key: str, tmp: TempFile, etag: str, meta: ObjectMeta,
                 checksums: dict[str, str], checksum_type: Optional[str], parts,
                 precondition: Precondition, upload_id: Optional[str] = None,
                 version_id: Optional[str] = None) -> ObjectInfo:
        """Make a finished, synced temp file the current object of `key`.

        The caller holds the bucket's shared lock (it must be taken before an upload's lock).
        `version_id`: the id the new version gets in an ENABLED bucket instead of a fresh one.
        """
        status = self._versioning(bucket)
        if status is not None:
            return self._install_version(bucket, key, tmp, etag, meta, checksums, checksum_type, parts,
                                         precondition, upload_id, status, version_id)
        with self._bucket_root(bucket) as root, self._key_lock(bucket, key):
            if precondition is not None:
                current = self._lookup(root, bucket, key)
                precondition(self._info(current) if current is not None else None)
            # A plain PUT learns what it replaced inside its commit (`_commit`); completing an
            # upload commits elsewhere, so it reads the row first (the key's lock keeps it current).
            previous = self.db.get_object(bucket, key) if upload_id is not None else None
            location, st = self._place(root, bucket, key, tmp)
            row = self._new_row(bucket, key, location, st, etag, meta, checksums, checksum_type, parts)
            if upload_id is None:
                self._commit(row)
            else:
                self.db.complete_upload(row, upload_id)
                if previous is not None and previous.location != row.location:
                    self._drop_blob(previous.location)
            return self._info(row)

    def _install_version(self, bucket: str, key: str, tmp: TempFile, etag: str, meta: ObjectMeta,
                         checksums: dict[str, str], checksum_type: Optional[str], parts,
                         precondition: Precondition, upload_id: Optional[str], status: str,
                         version_id: Optional[str] = None) -> ObjectInfo:
        """`_install` in a versioned bucket: the object replaced is kept as a noncurrent version."""
        with self._bucket_root(bucket) as root, self._key_lock(bucket, key):
            previous = self._lookup(root, bucket, key)
            if precondition is not None:
                precondition(self._info(previous) if previous is not None else None)
            kept = self._supersede(root, bucket, key, previous, status)
            location, st = self._place(root, bucket, key, tmp)
            row = self._new_row(bucket, key, location, st, etag, meta, checksums, checksum_type, parts)
            row.version_id = (version_id or new_version_id()) if status == ENABLED else None
            self._drop_blob(self.db.put_current(row, drop_null=status == SUSPENDED, upload_id=upload_id))
            if previous is not None and not kept and previous.location != row.location:
                self._drop_blob(previous.location)
            return self._info(row)

    def head_object(self, bucket: str, key: str) -> Optional[ObjectInfo]:
        check_key(key)
        row = self._current_row(bucket, key)
        return self._info(row) if row is not None else None

    def open_object(self, info: ObjectInfo, start: int = 0, end: Optional[int] = None) -> ObjectReader:
        fd, handle = self._open_bytes(info)
        last = handle.size - 1 if end is None else min(end, handle.size - 1)
        return ObjectReader(fd, start, last, lambda: ObjectChangedError(info.bucket, info.key))

    def set_object_tags(self, bucket: str, key: str, tags: dict[str, str]) -> ObjectInfo:
        return self._change_meta(bucket, key, tags=dict(tags))

    def set_object_acl(self, bucket: str, key: str, acl: Optional[dict]) -> ObjectInfo:
        return self._change_meta(bucket, key, acl=None if acl is None else dict(acl))

    def _change_meta(self, bucket: str, key: str, **changes) -> ObjectInfo:
        """Change some of a current object's metadata; its bytes and LastModified stay."""
        return self.update_object_meta(bucket, key, None, **changes)

    def copy_object(self, src: ObjectInfo, dst_bucket: str, dst_key: str, meta: ObjectMeta, *,
                    checksum_algorithms: Iterable[str] = (), precondition: Precondition = None) -> ObjectInfo:
        """Copy server-side. Streams: the kernel copies unless new digests must be computed."""
        check_key(dst_key)
        algorithms = list(dict.fromkeys(checksum_algorithms))
        if (src.bucket, src.key) == (dst_bucket, dst_key) and self._versioning(dst_bucket) is None \
                and src.version_id is None:
            return self._copy_in_place(src, meta, algorithms, precondition)
        with self._bucket_root(dst_bucket):
            pass
        fd, handle = self._open_bytes(src)
        try:
            tmp = TempFile(self.tmp_dir)
            try:
                # A single-part source's ETag is its MD5, and its full-object checksums stay valid:
                # then nothing needs hashing and the bytes never pass through this process.
                reuse = "-" not in src.etag and src.checksum_type != ck.COMPOSITE and \
                    all(a in src.checksums for a in algorithms)
                try:
                    if reuse:
                        copy_range(fd, tmp, 0, handle.size)
                        etag, checksums = src.etag, {a: src.checksums[a] for a in algorithms}
                    else:
                        hasher = ck.MultiHasher(algorithms)
                        copy_range(fd, tmp, 0, handle.size, on_chunk=hasher.update)
                        etag, checksums = hasher.md5_hex(), hasher.checksums()
                except EOFError:
                    raise ObjectChangedError(src.bucket, src.key) from None
                tmp.sync()
                with self._bucket_locks.shared(dst_bucket):
                    return self._install(dst_bucket, dst_key, tmp, etag, meta, checksums, ck.FULL_OBJECT, None,
                                         precondition)
            finally:
                tmp.discard()
        finally:
            os.close(fd)

    def _copy_in_place(self, src: ObjectInfo, meta: ObjectMeta, algorithms: list[str],
                       precondition: Precondition) -> ObjectInfo:
        """CopyObject onto itself: the bytes stay, the metadata (and LastModified) change.

        A copy is a new object made in one piece: a multipart source's `-N` ETag and parts give way
        to the MD5 of the bytes, as in any other copy."""
        bucket, key = src.bucket, src.key
        with self._bucket_locks.shared(bucket), self._bucket_root(bucket) as root, self._key_lock(bucket, key):
            row = self._lookup(root, bucket, key)
            if row is None:
                raise NoSuchKeyError(bucket, key)
            if src.handle is not None and self._info(row).handle != src.handle:
                raise ObjectChangedError(bucket, key)
            if precondition is not None:
                precondition(self._info(row))
            checksums, checksum_type = row.checksums, row.checksum_type
            etag, parts = row.etag, row.parts
            multipart = "-" in row.etag
            if algorithms or multipart:
                reusable = checksum_type != ck.COMPOSITE
                missing = [a for a in algorithms if not (reusable and a in row.checksums)]
                hasher = self._hash_current(row, missing) if missing or multipart else None
                computed = {a: hasher.value(a) for a in missing} if hasher is not None else {}
                if algorithms:
                    checksums = {a: computed.get(a) or row.checksums[a] for a in algorithms}
                    checksum_type = ck.FULL_OBJECT
                if multipart:
                    etag, parts = hasher.md5_hex(), None
            new = replace(row, meta=meta, etag=etag, parts=parts, checksums=checksums, checksum_type=checksum_type,
                          last_modified_ns=self.now_ns())
            self.db.put_object(new)
            return self._info(new)

    def _hash_current(self, row, algorithms: list[str]) -> ck.MultiHasher:
        """The current bytes hashed (MD5 always, and `algorithms`)."""
        fd, _ = self._open_bytes(self._info(row))
        try:
            return hash_fd(fd, algorithms, 0, row.size)
        finally:
            os.close(fd)
