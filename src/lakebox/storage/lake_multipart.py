"""Multipart uploads of `LakeStore`: parts staged under `<data>/.lakebox/uploads/<upload id>/`.

Parts are written like objects (temp file, fsync, rename) and recorded in the `parts` table. The
upload's lock serializes part commits, completion and abort, so a part can never land in an upload
that is being completed or was aborted. Completion assembles the parts into one temp file with
kernel copies (no pass through this process unless a full-object digest must be computed that
cannot be combined from the parts), then installs it like a PUT.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from dataclasses import replace
from typing import Iterable, Optional

from . import checksums as ck
from .api import ObjectInfo, ObjectMeta, PartInfo, UploadInfo, UploadListResult
from .atomic import TempFile, copy_range
from .errors import (EmptyPartListError, EntityTooSmallError, InvalidPartError, InvalidPartOrderError,
                     KeyChangedError, NoSuchUploadError, ObjectChangedError)
from .ingest import Expected, receive
from .keys import check_key
from .lake_objects import ObjectsMixin, Precondition
from .metadata import ns_to_datetime

#: S3's minimum size of every part but the last.
MIN_PART_SIZE = 5 * 1024 * 1024


def new_upload_id() -> str:
    """Time-ordered: sorting upload ids sorts uploads by initiation, as ListMultipartUploads wants."""
    return f"{time.time_ns():016x}{secrets.token_hex(16)}"


class MultipartMixin(ObjectsMixin):
    def _upload_lock(self, upload_id: str):
        return self._locks.hold(("upload", upload_id))

    def create_multipart_upload(self, bucket: str, key: str, meta: ObjectMeta, checksum_algorithm: Optional[str] = None,
                                checksum_type: Optional[str] = None) -> UploadInfo:
        check_key(key)
        if checksum_algorithm and not checksum_type:
            checksum_type = ck.default_checksum_type(checksum_algorithm)
        upload = UploadInfo(bucket=bucket, key=key, upload_id=new_upload_id(), initiated=ns_to_datetime(self.now_ns()),
                            meta=meta, checksum_algorithm=checksum_algorithm, checksum_type=checksum_type)
        with self._bucket_locks.shared(bucket), self._bucket_root(bucket) as root:
            current = self._lookup(root, bucket, key)
            upload.key_token = _key_token(self._info(current) if current is not None else None)
            self.db.insert_upload(upload)
        return self.db.get_upload(upload.upload_id)  # as stored (times at stored precision)

    def get_upload(self, bucket: str, key: str, upload_id: str) -> UploadInfo:
        upload = self.db.get_upload(upload_id)
        if upload is None or upload.bucket != bucket or upload.key != key:
            raise NoSuchUploadError(upload_id)
        return upload

    def upload_part(self, upload: UploadInfo, part_number: int, body, *, content_length: Optional[int] = None,
                    expected: Expected = None, checksum_algorithms: Iterable[str] = ()) -> PartInfo:
        algorithms = [*checksum_algorithms, *([upload.checksum_algorithm] if upload.checksum_algorithm else [])]
        got = receive(self.tmp_dir, body, algorithms=algorithms, content_length=content_length, expected=expected)
        try:
            return self._commit_part(upload, part_number, got.tmp, got.etag, got.checksums)
        finally:
            got.tmp.discard()

    def upload_part_copy(self, upload: UploadInfo, part_number: int, src: ObjectInfo, start: int,
                         end: int, checksum_algorithms: Iterable[str] = ()) -> PartInfo:
        algorithms = [*checksum_algorithms, *([upload.checksum_algorithm] if upload.checksum_algorithm else [])]
        fd, handle = self._open_bytes(src)
        try:
            tmp = TempFile(self.tmp_dir)
            try:
                hasher = ck.MultiHasher(algorithms)
                length = min(end, handle.size - 1) - start + 1
                try:
                    copy_range(fd, tmp, start, max(0, length), on_chunk=hasher.update)
                except EOFError:
                    raise ObjectChangedError(src.bucket, src.key) from None
                tmp.sync()
                return self._commit_part(upload, part_number, tmp, hasher.md5_hex(), hasher.checksums())
            finally:
                tmp.discard()
        finally:
            os.close(fd)

    def _commit_part(self, upload: UploadInfo, part_number: int, tmp: TempFile, etag: str,
                     checksums: dict[str, str]) -> PartInfo:
        with self._upload_lock(upload.upload_id):
            if self.db.get_upload(upload.upload_id) is None:
                raise NoSuchUploadError(upload.upload_id)
            name = f"{part_number}-{uuid.uuid4().hex[:12]}"
            st = tmp.replace_path(os.path.join(self.uploads_dir, upload.upload_id, name))
            part = PartInfo(part_number, etag, st.st_size, ns_to_datetime(self.now_ns()), checksums)
            replaced = self.db.put_part(upload.upload_id, part, name)
            if replaced:
                _unlink_quietly(os.path.join(self.uploads_dir, upload.upload_id, replaced))
        return part

    def list_parts(self, upload: UploadInfo) -> list[PartInfo]:
        if self.db.get_upload(upload.upload_id) is None:
            raise NoSuchUploadError(upload.upload_id)
        return self.db.get_parts(upload.upload_id)

    def upload_finished_lately(self, bucket: str, key: str, upload_id: str) -> bool:
        return self.db.upload_finished_lately(bucket, key, upload_id)

    def abort_multipart_upload(self, upload: UploadInfo) -> None:
        with self._upload_lock(upload.upload_id):
            if self.db.get_upload(upload.upload_id) is None:
                raise NoSuchUploadError(upload.upload_id)
            self.db.delete_upload(upload.upload_id)
            self._remove_upload_files(upload.upload_id)

    def complete_multipart_upload(self, upload: UploadInfo, parts: list[tuple[int, str, dict]],
                                  precondition: Precondition = None,
                                  default_algorithm: Optional[str] = None) -> ObjectInfo:
        if not parts:
            raise EmptyPartListError(upload.upload_id)
        with self._bucket_locks.shared(upload.bucket), self._upload_lock(upload.upload_id):
            stored = self.db.get_upload(upload.upload_id)
            if stored is None:
                raise NoSuchUploadError(upload.upload_id)
            chosen = self._check_parts(upload.upload_id, parts)
            if precondition is not None and stored.key_token is not None:
                precondition = _unchanged_since_created(stored, precondition)
            algorithm, checksum_type = stored.checksum_algorithm, stored.checksum_type
            if algorithm is None and default_algorithm:
                # The object still gets a whole-object checksum, but an upload that named no
                # algorithm keeps no part checksums (whatever its parts were sent with).
                algorithm, checksum_type = default_algorithm, ck.FULL_OBJECT
                kept = [replace(p, checksums={}) for p in chosen]
            else:
                kept = chosen
            checksums, hasher = _combined_checksums(algorithm, checksum_type, chosen)
            files = self.db.get_part_files(upload.upload_id)
            tmp = TempFile(self.tmp_dir)
            try:
                for part in chosen:
                    path = os.path.join(self.uploads_dir, upload.upload_id, files[part.part_number])
                    fd = os.open(path, os.O_RDONLY)
                    try:
                        copy_range(fd, tmp, 0, part.size, on_chunk=hasher.update if hasher else None)
                    finally:
                        os.close(fd)
                tmp.sync()
                if hasher is not None:
                    checksums = {algorithm: hasher.value(algorithm)}
                etag = ck.multipart_etag([p.etag for p in chosen])
                info = self._install(stored.bucket, stored.key, tmp, etag, stored.meta, checksums,
                                     checksum_type, kept, precondition, upload_id=upload.upload_id)
            finally:
                tmp.discard()
            self._remove_upload_files(upload.upload_id)
            return info

    def _check_parts(self, upload_id: str, parts: list[tuple[int, str, dict]]) -> list[PartInfo]:
        """The staged parts the client named, in order; raises S3's errors for a bad list."""
        previous = 0
        for number, _, _ in parts:
            if number <= previous:
                raise InvalidPartOrderError(f"part {number} follows part {previous}")
            previous = number
        staged = {p.part_number: p for p in self.db.get_parts(upload_id)}
        chosen = []
        for number, etag, given in parts:
            part = staged.get(number)
            if part is None or part.etag != (etag or "").strip('"'):
                raise InvalidPartError(f"part {number} with ETag {etag} was not uploaded", number)
            for algorithm, value in (given or {}).items():
                if algorithm in part.checksums and ck.decode(value) != ck.decode(part.checksums[algorithm]):
                    raise InvalidPartError(f"part {number}: {algorithm} {value} does not match", number)
            chosen.append(part)
        for part in chosen[:-1]:
            if part.size < MIN_PART_SIZE:
                raise EntityTooSmallError(part.part_number, part.size)
        return chosen

    def list_multipart_uploads(self, bucket: str, prefix: str = "", delimiter: Optional[str] = None,
                               key_marker: str = "", upload_id_marker: str = "",
                               max_uploads: int = 1000) -> UploadListResult:
        """In-progress uploads by key, then initiation; markers and prefixes as ListObjects has them."""
        with self._bucket_root(bucket):
            pass
        uploads: list[UploadInfo] = []
        prefixes: list[str] = []
        last_entry: Optional[object] = None
        truncated = False
        for upload in self.db.list_uploads(bucket, max(prefix, key_marker)):
            if not upload.key.startswith(prefix):
                break
            if key_marker and (upload.key < key_marker or upload.key == key_marker and (
                    not upload_id_marker or upload.upload_id <= upload_id_marker)):
                continue
            entry: object = upload
            if delimiter:
                cut = upload.key.find(delimiter, len(prefix))
                if cut >= 0:
                    entry = upload.key[:cut + len(delimiter)]
                    if entry == last_entry or (key_marker and entry <= key_marker):
                        continue
            if len(uploads) + len(prefixes) >= max_uploads:
                truncated = True
                break
            (prefixes if isinstance(entry, str) else uploads).append(entry)
            last_entry = entry
        result = UploadListResult(uploads, prefixes, truncated)
        if isinstance(last_entry, UploadInfo):
            result.next_key_marker, result.next_upload_id_marker = last_entry.key, last_entry.upload_id
        elif isinstance(last_entry, str):
            result.next_key_marker = last_entry
        return result

    def _abort_bucket_uploads(self, bucket: str) -> None:
        for upload_id in self.db.bucket_upload_ids(bucket):
            with self._upload_lock(upload_id):
                self.db.delete_upload(upload_id)
                self._remove_upload_files(upload_id)


def _key_token(current: Optional[ObjectInfo]) -> str:
    """Which write made the current object of a key ("" when there is none).

    The ETag alone cannot tell: S3 counts a PUT of identical bytes as a change too. So the token
    also holds the version, LastModified and the file the bytes are in, which only a write (or a
    replacement of the file from outside) changes; tags and ACLs change none of them.
    """
    if current is None:
        return ""
    handle = current.handle
    where = (handle.location, handle.mtime_ns, handle.inode) if handle is not None else None
    return json.dumps([current.version_id, current.etag, current.last_modified.isoformat(), where])


def _unchanged_since_created(upload: UploadInfo, precondition: Precondition) -> Precondition:
    """`precondition`, then S3's rule for a conditional completion: the key must still hold the
    object it held when the upload was created, else KeyChangedError (409 on S3), even when the
    condition itself holds."""

    def check(current: Optional[ObjectInfo]) -> None:
        precondition(current)
        if _key_token(current) != upload.key_token:
            raise KeyChangedError(upload.bucket, upload.key)

    return check


def _combined_checksums(algorithm: Optional[str], checksum_type: Optional[str],
                        parts: list[PartInfo]) -> tuple[dict[str, str], Optional[ck.MultiHasher]]:
    """The object's checksum from its parts' when they combine; else a hasher for the assembly pass."""
    if not algorithm:
        return {}, None
    values = [p.checksums.get(algorithm) for p in parts]
    if all(values):
        if checksum_type == ck.COMPOSITE:
            return {algorithm: ck.composite(algorithm, values)}, None
        if algorithm in ck.CRC_ALGORITHMS:
            return {algorithm: ck.full_object_crc(algorithm, [(v, p.size) for v, p in zip(values, parts)])}, None
    if checksum_type == ck.COMPOSITE:
        return {}, None  # a part lacks the algorithm's checksum: nothing to compose from
    return {}, ck.MultiHasher([algorithm])


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
