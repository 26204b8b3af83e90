"""Atomic, durable file writes: temp file, fsync, rename into place, fsync the directory.

Every byte lakebox writes into the lake goes through `TempFile`, so a reader (lakebox itself or an
engine reading the folder) sees either the old object or the new one, never half of one, and an
acknowledged write survives `kill -9` and power loss (DESIGN D2 and promise 3).

Temp files live in `<data>/.lakebox/tmp/`, on the same filesystem as the lake so that the rename is
atomic, and outside `s3/` so that nothing ever lists them. Their names start with the writer's pid,
so that a restart can remove the leftovers of a killed process without touching a live one's; then
come a token drawn once per process and a counter, which is unique without a random draw per file.

Directory fsyncs go through `dir_sync.directory_syncer`, so that concurrent renames into one folder
share one fsync (each still returns only after an fsync that started after its rename).
"""

from __future__ import annotations

import errno
import itertools
import os
import uuid
from typing import Callable, Optional

from .dir_sync import directory_syncer

#: Chunk size for every streaming copy and read in the storage layer.
CHUNK = 1024 * 1024

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NEW = os.O_RDWR | os.O_CREAT | os.O_EXCL | _O_CLOEXEC

#: Drawn once per process (a forked child differs by pid): with the counter, temp names never repeat.
_PROCESS_TOKEN = uuid.uuid4().hex[:12]
_sequence = itertools.count()


class TempFile:
    """A new file under the temp folder that becomes visible only when it is placed."""

    def __init__(self, tmp_dir: str):
        while True:
            # next() on a count is atomic under the GIL; O_EXCL still guards against any clash.
            self.path = os.path.join(tmp_dir, f"{os.getpid()}-{_PROCESS_TOKEN}-{next(_sequence)}.tmp")
            try:
                # 0o666 minus the umask: the same mode an engine's own files would get.
                self.fd: Optional[int] = os.open(self.path, _O_NEW, 0o666)
                break
            except FileExistsError:
                continue
        self.size = 0
        self._placed = False

    @classmethod
    def existing(cls, path: str) -> "TempFile":
        """A finished file already in lakebox's tree (a hidden-store version becoming current again),
        to be placed like a temp file. Never deleted by `discard`: it is not ours to drop."""
        self = cls.__new__(cls)
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | _O_CLOEXEC)
        self.size = os.fstat(self.fd).st_size
        self._placed = True  # so that discard() only closes it
        return self

    def write(self, data) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        self.size += len(data)

    def sync(self) -> None:
        os.fsync(self.fd)

    def stat(self) -> os.stat_result:
        return os.fstat(self.fd)

    def replace_into(self, dir_fd: int, name: str) -> os.stat_result:
        """Rename onto `name` inside the open directory `dir_fd`, then make the rename durable.

        Relative to a directory descriptor, so that no symlink in the path can redirect it. The stat
        is taken after the rename: that is the file (inode, size, mtime) the metadata describes.
        """
        os.replace(self.path, name, dst_dir_fd=dir_fd)
        self._placed = True
        directory_syncer.sync(dir_fd)
        return os.fstat(self.fd)

    def replace_path(self, dest: str) -> os.stat_result:
        """Rename onto `dest`, a path inside lakebox's own `.lakebox/` tree, creating parents."""
        parent = os.path.dirname(dest)
        make_dirs_durable(parent)
        os.replace(self.path, dest)
        self._placed = True
        fsync_dir(parent)
        return os.fstat(self.fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def discard(self) -> None:
        """Close, and delete the file unless it was placed. Safe to call more than once."""
        self.close()
        if not self._placed:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            self._placed = True

    def __enter__(self) -> "TempFile":
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def fsync_dir(path: str) -> None:
    """Make the entries of the directory at `path` durable (shared with concurrent callers)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _O_CLOEXEC)
    try:
        directory_syncer.sync(fd)
    finally:
        os.close(fd)


def make_dirs_durable(path: str) -> None:
    """`os.makedirs`, plus an fsync of each parent whose entry list gained a directory."""
    if os.path.isdir(path):
        return
    parent = os.path.dirname(path)
    if parent and parent != path:
        make_dirs_durable(parent)
    try:
        os.mkdir(path)
    except FileExistsError:
        return
    fsync_dir(parent or ".")


def copy_range(src_fd: int, dst: TempFile, offset: int, count: int,
               on_chunk: Optional[Callable[[bytes], None]] = None) -> None:
    """Append `count` bytes of `src_fd` from `offset` to `dst`, streaming.

    Without `on_chunk` the kernel copies (copy_file_range: no user-space buffer, and a reflink on
    filesystems that can share extents). With it, the bytes pass through `on_chunk` in chunks of
    up to 1 MiB, so that hashes can be computed on the way.
    """
    if on_chunk is None and hasattr(os, "copy_file_range"):
        copied = _kernel_copy(src_fd, dst, offset, count)
        offset, count = offset + copied, count - copied
    end = offset + count
    while offset < end:
        chunk = os.pread(src_fd, min(CHUNK, end - offset), offset)
        if not chunk:
            raise EOFError(f"source ended {end - offset} bytes early")
        if on_chunk is not None:
            on_chunk(chunk)
        dst.write(chunk)
        offset += len(chunk)


_UNSUPPORTED = (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM)


def _kernel_copy(src_fd: int, dst: TempFile, offset: int, count: int) -> int:
    """copy_file_range as far as the kernel supports it for these files; returns bytes copied."""
    copied = 0
    try:
        while copied < count:
            n = os.copy_file_range(src_fd, dst.fd, min(count - copied, 1 << 30), offset + copied, dst.size)
            if n == 0:
                raise EOFError(f"source ended {count - copied} bytes early")
            copied += n
            dst.size += n
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
        # Not supported between these two files: the caller copies the rest through user space.
    finally:
        # Explicit offsets leave the file position alone; later writes must append.
        os.lseek(dst.fd, dst.size, os.SEEK_SET)
    return copied


def remove_stale_temp_files(tmp_dir: str) -> int:
    """Delete temp files left by processes that no longer run; return how many were removed."""
    removed = 0
    try:
        names = os.listdir(tmp_dir)
    except FileNotFoundError:
        return 0
    for name in names:
        pid_text = name.split("-", 1)[0]
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        path = os.path.join(tmp_dir, name)
        if not os.path.isfile(path):
            continue
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
