"""ListObjects over the lake folder: a tree walk in UTF-8 byte order, merged with the hidden store.

S3 lists keys in UTF-8 byte order, which for valid strings is Python's code-point order. A tree walk
yields that order when each directory's entries are sorted by `name` for files and `name + "/"` for
directories: every key below a directory starts with `dir/`. The walk only opens what the request
needs:
- the directories named by the prefix, directly;
- at the prefix's last, partial segment, only the entries starting with it;
- no subtree that lies wholly at or before `start_after`, or inside a common prefix already
  reported (with delimiter `/`, that is every directory below the prefix after its first object).
Hidden-store keys come from an index in key order and are merged in. When a key exists in both, the
plain file wins (it was written after the hidden one, from outside).
"""

from __future__ import annotations

import os
import stat
from typing import Iterator, Optional

from .api import ListResult, ObjectInfo
from .dirfd import NotPlain, open_dirs
from .keys import MAX_KEY_BYTES, is_plain_segment
from .lake_base import LakeBase, fingerprint
from .metadata import ObjectRow

_O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class _Cursor:
    """What the consumer of a listing no longer wants: keys starting with `skip`."""

    skip: Optional[str] = None

    def skips(self, key: str) -> bool:
        return self.skip is not None and key.startswith(self.skip)


class TreeWalker:
    """Plain files below a bucket folder as (key, stat), in key order, from `prefix` after `after`."""

    def __init__(self, root_fd: int, prefix: str, after: str, cursor: _Cursor, *, exact: bool = False):
        self.root_fd = root_fd
        self.prefix = prefix
        self.after = after
        self.cursor = cursor
        self.exact = exact

    def __iter__(self) -> Iterator[tuple[str, os.stat_result]]:
        *dirs, partial = self.prefix.split("/")
        if not all(is_plain_segment(d) for d in dirs):
            return  # no plain file has such a path (e.g. the prefix holds `//` or `..`)
        try:
            fd = open_dirs(self.root_fd, dirs, exact=self.exact)
        except (FileNotFoundError, NotPlain):
            return
        try:
            yield from self._walk(fd, "".join(d + "/" for d in dirs), partial)
        finally:
            os.close(fd)

    def _walk(self, fd: int, base: str, name_prefix: str) -> Iterator[tuple[str, os.stat_result]]:
        entries = []
        with os.scandir(fd) as scan:
            for entry in scan:
                name = entry.name
                if not name.startswith(name_prefix) or not is_plain_segment(name):
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        entries.append((name + "/", name, True))
                    elif entry.is_file(follow_symlinks=False):
                        entries.append((name, name, False))
                except OSError:
                    continue  # removed while we looked
        entries.sort()
        for sort_key, name, is_dir in entries:
            key = base + sort_key
            if is_dir:
                if self._prunable(key):
                    continue
                try:
                    child = os.open(name, _O_DIR, dir_fd=fd)
                except OSError:
                    continue  # removed, or replaced by a symlink, since the scan
                try:
                    yield from self._walk(child, key, "")
                finally:
                    os.close(child)
            else:
                if key <= self.after or self.cursor.skips(key) or len(key.encode()) > MAX_KEY_BYTES:
                    continue
                try:
                    st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    yield key, st

    def _prunable(self, dir_key: str) -> bool:
        """True if no key below `dir_key` (e.g. `a/b/`) can be wanted."""
        if self.cursor.skips(dir_key) or len(dir_key.encode()) > MAX_KEY_BYTES:
            return True
        # Every key below starts with dir_key; if dir_key sorts before `after` and is not a prefix of
        # it, the first differing byte puts the whole subtree before `after`.
        return dir_key <= self.after and not self.after.startswith(dir_key)


def _merge(plain: Iterator, hidden: Iterator, cursor: _Cursor) -> Iterator[tuple[str, object]]:
    """Two key-ordered streams as one, honouring the cursor's skip; the plain one wins ties."""
    p = next(plain, None)
    h = next(hidden, None)
    while True:
        while p is not None and cursor.skips(p[0]):
            p = next(plain, None)
        while h is not None and cursor.skips(h[0]):
            h = next(hidden, None)
        if p is None and h is None:
            return
        if h is None or (p is not None and p[0] <= h[0]):
            if h is not None and h[0] == p[0]:
                h = next(hidden, None)
            yield p
            p = next(plain, None)
        else:
            yield h
            h = next(hidden, None)


class ListingMixin(LakeBase):
    def list_objects(self, bucket: str, prefix: str = "", delimiter: Optional[str] = None,
                     start_after: str = "", max_keys: int = 1000) -> ListResult:
        prefix, start_after = prefix or "", start_after or ""
        with self._bucket_root(bucket) as root:
            if max_keys <= 0:
                return ListResult([], [], False)
            cursor = _Cursor()
            walker = iter(TreeWalker(root, prefix, start_after, cursor, exact=self._exact))
            hidden = self._hidden_keys(bucket, prefix, start_after)
            picked: list = []  # (key, stat | ObjectRow) or a common prefix (str)
            truncated = False
            stream = _merge(walker, hidden, cursor)
            try:
                for key, source in stream:
                    entry: object = (key, source)
                    if delimiter:
                        cut = key.find(delimiter, len(prefix))
                        if cut >= 0:
                            common = key[:cut + len(delimiter)]
                            cursor.skip = common
                            if common <= start_after:
                                continue
                            entry = common
                    if len(picked) == max_keys:
                        truncated = True
                        break
                    picked.append(entry)
            finally:
                stream.close()
                walker.close()
            objects = self._describe_listed(root, bucket, [e for e in picked if not isinstance(e, str)])
        result = ListResult(objects, [e for e in picked if isinstance(e, str)], truncated)
        if picked:
            result.next_marker = picked[-1] if isinstance(picked[-1], str) else picked[-1][0]
        return result

    def _hidden_keys(self, bucket: str, prefix: str, after: str) -> Iterator[tuple[str, ObjectRow]]:
        for row in self.db.iter_hidden(bucket, max(prefix, after)):
            if not row.key.startswith(prefix):
                return  # rows come in key order from >= prefix: past the prefix's range
            if row.key > after:
                yield row.key, row

    def _describe_listed(self, root: int, bucket: str, entries: list) -> list[ObjectInfo]:
        """ObjectInfos for listed keys: rows looked up in batches, stale or missing ones recomputed."""
        plain_keys = [key for key, source in entries if isinstance(source, os.stat_result)]
        rows = self.db.get_objects(bucket, plain_keys) if plain_keys else {}
        objects = []
        adopted: list = []
        for key, source in entries:
            if isinstance(source, ObjectRow):
                objects.append(self._info(source))
                continue
            row = rows.get(key)
            if row is None or row.location is not None or row.fingerprint() != fingerprint(source):
                row = self._adopt(root, bucket, key, row, defer=adopted)
                if row is None:
                    continue  # deleted while we listed
            objects.append(self._info(row))
        self._cache(adopted)
        return objects
