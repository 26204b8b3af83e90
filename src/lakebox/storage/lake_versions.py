"""Object versions: what a versioned bucket keeps when an object is replaced or deleted.

The current version of a key stays the plain file (DESIGN D2), so engines keep reading the lake as
a folder. When a write replaces it or a delete hides it, the old file is renamed into the hidden
store and its row moves to `object_versions`; delete markers are rows there too. Renaming, not
copying: a version costs no I/O, and no engine writing the plain path in place can change it.

The order of steps makes every crash recoverable without losing an acknowledged version:
1. the old row is recorded in `object_versions` (pointing at its future hidden location);
2. the old file is renamed into the hidden store;
3. the new file is renamed into place and its row committed (or the delete marker committed).
A process killed between 1 and 3 leaves a version row sharing its id with the current row;
`_recover_versions` (run at start) settles it by looking at the plain file: still the old file
means step 2 never happened (the extra row goes), anything else means the row in `object_versions`
is the truth.
"""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from typing import Callable, Iterator, Optional

from .api import ENABLED, NULL_VERSION, SUSPENDED, DeleteOutcome, ObjectInfo, ObjectMeta, VersionListResult
from .atomic import TempFile, copy_range
from .dirfd import NotPlain, move_out, open_file, place, prune_empty_dirs, stat_file
from .errors import InvalidVersionIdError, NoSuchBucketError, NoSuchKeyError, NoSuchVersionError
from .keys import check_key, marker_dir_segments, plain_segments
from .lake_base import LakeBase, fingerprint
from .metadata import ObjectRow, ns_to_datetime
from .version_ids import is_well_formed, new_version_id, stamp_of

Precondition = Optional[Callable[[Optional[ObjectInfo]], None]]


def _vid(version_id: Optional[str]) -> Optional[str]:
    """The stored form of a version id: None for the null version."""
    return None if version_id in (None, NULL_VERSION) else version_id


def _changed(meta: ObjectMeta, extra_updates: Optional[dict], changes: dict) -> ObjectMeta:
    """`meta` with `changes` replaced and `extra_updates` merged into `extra` (None removes a key),
    so that features keeping their own keys in `extra` never overwrite each other's."""
    if extra_updates:
        extra = {**meta.extra, **changes.get("extra", {})} if "extra" in changes else dict(meta.extra)
        for name, value in extra_updates.items():
            if value is None:
                extra.pop(name, None)
            else:
                extra[name] = value
        changes = {**changes, "extra": extra}
    return replace(meta, **changes)


class VersionsBase(LakeBase):
    """The versioning steps that puts, copies, completes and deletes share."""

    def _versioning(self, bucket: str) -> Optional[str]:
        info = self.db.get_bucket(bucket)
        return info.versioning if info is not None else None

    def _version_info(self, row: ObjectRow, is_latest: bool) -> ObjectInfo:
        info = self._info(row)
        info.is_delete_marker = row.is_delete_marker
        info.is_latest = is_latest
        if row.superseded_ns is not None and not is_latest:
            info.noncurrent_since = ns_to_datetime(row.superseded_ns)
        return info

    def _supersede(self, root: int, bucket: str, key: str, previous: Optional[ObjectRow], status: str,
                   replacing: bool = True) -> bool:
        """Keep `previous`, the current object about to be replaced or hidden, as a noncurrent
        version (steps 1 and 2 above). False when nothing was kept: there was no object, or it is
        the null version, which a suspended bucket replaces. The caller holds the key's lock;
        `replacing`: a new file is placed at the key next (its directory sync covers this move)."""
        if previous is None or (status == SUSPENDED and previous.version_id is None):
            return False
        now = self.now_ns()
        if previous.location is not None:
            # Already in the hidden store: the same file simply becomes the version's.
            self.db.archive_version(previous, previous.location, now)
            return True
        location = self._new_hidden_location(bucket)
        self.db.archive_version(previous, location, now)
        try:
            moved = self._move_to_hidden(root, key, location, sync_source=not replacing)
        except BaseException:
            self.db.delete_version(bucket, key, previous.version_id)
            raise
        if not moved:  # removed from outside meanwhile: there is nothing left to keep
            self.db.delete_version(bucket, key, previous.version_id)
        return moved

    def _move_to_hidden(self, root: int, key: str, location: str, sync_source: bool = True) -> bool:
        try:
            return move_out(root, plain_segments(key), self._hidden_path(location), exact=self._exact,
                            sync_source=sync_source)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
        # The bucket folder is a link to another filesystem: copy, then the caller's rename or
        # removal replaces the plain file.
        try:
            fd = open_file(root, plain_segments(key), exact=self._exact)
        except FileNotFoundError:
            return False
        try:
            with TempFile(self.tmp_dir) as tmp:
                copy_range(fd, tmp, 0, os.fstat(fd).st_size)
                tmp.sync()
                tmp.replace_path(self._hidden_path(location))
        finally:
            os.close(fd)
        return True

    def _promote_newest(self, root: int, bucket: str, key: str) -> None:
        """After the current version was removed: the newest remaining version becomes current,
        unless it is a delete marker (then the key stays hidden behind it)."""
        newest = self.db.newest_version(bucket, key)
        if newest is None or newest.is_delete_marker:
            return
        current = replace(newest, seq=0, superseded_ns=None)
        self.db.promote_version(newest, current)
        segments = plain_segments(key)
        if segments is None:
            return  # it stays in the hidden store, where such keys live
        tmp = TempFile.existing(self._hidden_path(newest.location))
        try:
            st = place(tmp, root, segments, exact=self._exact)
        except (NotPlain, FileNotFoundError):
            return
        finally:
            tmp.discard()
        # Killed before this commit, the row still names the hidden file that is gone; the plain
        # file is then adopted with the row's metadata (same ETag).
        self.db.put_object(replace(current, location=None, size=st.st_size, mtime_ns=st.st_mtime_ns,
                                   inode=st.st_ino))

    def _prune_dirs(self, root: int, bucket: str, key: str) -> None:
        def keep(dir_prefix: str) -> bool:
            return self.db.has_key(bucket, dir_prefix)

        segments = plain_segments(key)
        if segments is not None and len(segments) > 1:
            prune_empty_dirs(root, segments[:-1], keep)
        marker = marker_dir_segments(key)
        if marker is not None:
            prune_empty_dirs(root, marker, keep)

    def _recover_versions(self) -> None:
        """Settle what a process killed in the middle of a versioned write left (see the module doc)."""
        for current, version in self.db.shadowed_versions():
            bucket, key = current.bucket, current.key
            try:
                with self._bucket_root(bucket) as root, self._key_lock(bucket, key):
                    if current.location is not None:
                        if current.location == version.location:
                            self.db.delete_version(bucket, key, version.version_id)
                        continue
                    segments = plain_segments(key)
                    st = stat_file(root, segments, exact=self._exact) if segments is not None else None
                    if st is not None and fingerprint(st) == current.fingerprint():
                        self.db.delete_version(bucket, key, version.version_id)
                    else:
                        self.db.delete_object(bucket, key)
                        if st is None:
                            self._promote_newest(root, bucket, key)
            except NoSuchBucketError:
                continue


class VersionsMixin(VersionsBase):
    """The versioning API of `LakeStore` (see api.py)."""

    def set_versioning(self, bucket: str, status: str):
        if status not in (ENABLED, SUSPENDED):
            raise ValueError(f"versioning status {status!r}")
        with self._bucket_root(bucket):
            pass
        if not self.db.set_versioning(bucket, status):
            raise NoSuchBucketError(bucket)
        return self.db.get_bucket(bucket)

    def head_version(self, bucket: str, key: str, version_id: Optional[str]) -> Optional[ObjectInfo]:
        check_key(key)
        vid = _vid(version_id)
        with self._bucket_root(bucket) as root:
            current = self._lookup(root, bucket, key)
        if current is not None and current.version_id == vid:
            return self._info(current)
        row = self.db.get_version(bucket, key, vid)
        if row is None:
            return None
        newest = self.db.newest_version(bucket, key) if current is None else None
        return self._version_info(row, is_latest=newest is not None and newest.seq == row.seq)

    def latest_delete_marker(self, bucket: str, key: str) -> Optional[ObjectInfo]:
        check_key(key)
        with self._bucket_root(bucket):
            pass
        newest = self.db.newest_version(bucket, key)
        if newest is None or not newest.is_delete_marker or self.db.has_key(bucket, key):
            return None
        return self._version_info(newest, is_latest=True)

    def delete_object(self, bucket: str, key: str, version_id: Optional[str] = None,
                      precondition: Precondition = None, *, marker_version_id: Optional[str] = None) -> DeleteOutcome:
        check_key(key)
        with self._bucket_locks.shared(bucket), self._bucket_root(bucket) as root, self._key_lock(bucket, key):
            status = self._versioning(bucket)
            if version_id is not None:
                return self._delete_version(root, bucket, key, version_id, precondition)
            current = self._lookup(root, bucket, key) if (status or precondition) else None
            if precondition is not None:
                precondition(self._info(current) if current is not None else None)
            if status is None:
                return DeleteOutcome(removed=self._remove(root, bucket, key))
            return self._add_delete_marker(root, bucket, key, current, status, marker_version_id)

    def _add_delete_marker(self, root: int, bucket: str, key: str, current: Optional[ObjectRow],
                           status: str, marker_version_id: Optional[str] = None) -> DeleteOutcome:
        kept = self._supersede(root, bucket, key, current, status, replacing=False)
        if current is not None and not kept:
            self._remove(root, bucket, key)  # the null version, replaced by the null marker
        now = self.now_ns()
        marker = ObjectRow(bucket=bucket, key=key, etag="", size=0, last_modified_ns=now, mtime_ns=None,
                           inode=None, location=None, meta=ObjectMeta(),
                           version_id=(marker_version_id or new_version_id()) if status == ENABLED else None,
                           is_delete_marker=True)
        dropped = self.db.add_delete_marker(marker, now, drop_null=status == SUSPENDED)
        self._drop_blob(dropped)
        if kept:
            self._prune_dirs(root, bucket, key)
        return DeleteOutcome(version_id=marker.version_id, delete_marker=True, removed=current is not None)

    def _delete_version(self, root: int, bucket: str, key: str, version_id: str,
                        precondition: Precondition) -> DeleteOutcome:
        """Remove one version for good; the next newest takes over when it was the current one."""
        vid = _vid(version_id)
        current = self._lookup(root, bucket, key)
        if current is not None and current.version_id == vid:
            if precondition is not None:
                precondition(self._info(current))
            self._remove(root, bucket, key)
            self._promote_newest(root, bucket, key)
            return DeleteOutcome(version_id=vid, removed=True)
        row = self.db.get_version(bucket, key, vid)
        if row is None:
            return DeleteOutcome(version_id=vid, removed=False)
        if precondition is not None:
            precondition(None if row.is_delete_marker else self._version_info(row, is_latest=False))
        self._drop_blob(self.db.delete_version(bucket, key, vid))
        if current is None:
            self._promote_newest(root, bucket, key)
        return DeleteOutcome(version_id=vid, delete_marker=row.is_delete_marker, removed=True)

    def update_object_meta(self, bucket: str, key: str, version_id: Optional[str] = None, *,
                           extra_updates: Optional[dict] = None, **changes) -> ObjectInfo:
        check_key(key)
        with self._bucket_locks.shared(bucket), self._bucket_root(bucket) as root, self._key_lock(bucket, key):
            current = self._lookup(root, bucket, key)
            if version_id is None or (current is not None and current.version_id == _vid(version_id)):
                if current is None:
                    raise NoSuchKeyError(bucket, key)
                row = replace(current, meta=_changed(current.meta, extra_updates, changes))
                self.db.put_object(row)
                return self._info(row)
            row = self.db.get_version(bucket, key, _vid(version_id))
            if row is None:
                raise NoSuchVersionError(bucket, key, version_id)
            row = replace(row, meta=_changed(row.meta, extra_updates, changes))
            self.db.put_version_meta(row)
            return self._version_info(row, is_latest=False)

    def list_object_versions(self, bucket: str, prefix: str = "", delimiter: Optional[str] = None,
                             key_marker: str = "", version_id_marker: str = "",
                             max_keys: int = 1000) -> VersionListResult:
        prefix, key_marker = prefix or "", key_marker or ""
        if version_id_marker and not is_well_formed(version_id_marker):
            raise InvalidVersionIdError(version_id_marker)
        with self._bucket_root(bucket):
            pass
        result = VersionListResult([], [], False)
        if max_keys <= 0:
            return result
        resume = bool(key_marker and version_id_marker)
        count = 0
        last: Optional[tuple[str, Optional[str]]] = None
        for key, entries in self._versions_by_key(bucket, prefix, key_marker, resume):
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    common = key[:cut + len(delimiter)]
                    if common <= key_marker or (result.common_prefixes and result.common_prefixes[-1] == common):
                        continue
                    if count == max_keys:
                        result.is_truncated = True
                        break
                    result.common_prefixes.append(common)
                    count += 1
                    last = (common, None)
                    continue
            if resume and key == key_marker:
                entries = _after_marker(entries, version_id_marker)
            for info in entries:
                version = info.version_id or NULL_VERSION
                if count == max_keys:
                    result.is_truncated = True
                    break
                result.versions.append(info)
                count += 1
                last = (key, version)
            if result.is_truncated:
                break
        if result.is_truncated and last is not None:
            result.next_key_marker, result.next_version_id_marker = last
        return result

    def _versions_by_key(self, bucket: str, prefix: str, key_marker: str,
                         resume: bool) -> Iterator[tuple[str, list[ObjectInfo]]]:
        """Each key from the marker on (including it when resuming inside its versions) with its
        versions newest first: the current object (from the folder walk) and the stored ones."""
        current = self._current_objects(bucket, prefix, key_marker, resume)
        if key_marker >= prefix and key_marker:
            stored = self.db.iter_versions(bucket, key_marker, inclusive=resume, prefix=prefix)
        else:
            stored = self.db.iter_versions(bucket, prefix, inclusive=True, prefix=prefix)
        c = next(current, None)
        s = next(stored, None)
        while c is not None or s is not None:
            key = min(x.key for x in (c, s) if x is not None)
            entries: list[ObjectInfo] = []
            if c is not None and c.key == key:
                entries.append(c)
                c = next(current, None)
            while s is not None and s.key == key:
                entries.append(self._version_info(s, is_latest=not entries))
                s = next(stored, None)
            yield key, entries

    def _current_objects(self, bucket: str, prefix: str, key_marker: str, resume: bool) -> Iterator[ObjectInfo]:
        if resume and key_marker.startswith(prefix):
            info = self.head_object(bucket, key_marker)
            if info is not None:
                yield info
        after = key_marker
        while True:
            page = self.list_objects(bucket, prefix=prefix, start_after=after, max_keys=1000)
            yield from page.objects
            if not page.is_truncated or page.next_marker is None:
                return
            after = page.next_marker


def _after_marker(entries: list[ObjectInfo], marker: str) -> list[ObjectInfo]:
    """The versions of the key marker's key that a listing resuming after `marker` still shows.

    Entries go newest first, so these are the ones older than the marker. A marker whose version was
    deleted since is placed by the stamp in its id; one that cannot be placed (the null version, or
    an id minted before ids had stamps) lists the key's versions again rather than miss any.
    """
    ids = [info.version_id or NULL_VERSION for info in entries]
    if marker in ids:
        return entries[ids.index(marker) + 1:]
    stamp = stamp_of(marker)
    if stamp is None:
        return entries
    return [info for info in entries if (stamp_of(info.version_id) or 0) < stamp]
