"""Walking a bucket folder by directory descriptors, never through a symlink.

A key maps to a path below its bucket's folder, but the folder is shared with engines and people,
and any of its directories may be replaced by a symlink (to `/etc`, say). Resolving paths as
strings would follow it. Here each component is opened relative to its parent's descriptor with
O_NOFOLLOW, so no key reaches outside the bucket folder whatever the folder contains, and there
is no window between a check and its use. This also sidesteps PATH_MAX for deep keys.

Only the bucket folder itself may be a symlink (a user linking a dataset in as a bucket); no key
has any say over that.

Every directory fsync here goes through `dir_sync.directory_syncer`, so that concurrent changes to
one directory share an fsync.

Errors that mean "this key cannot be a plain file here" (a file where a directory is needed, a
directory where the file goes, a symlink on the way, a name the filesystem refuses) become
`NotPlain`, so that the caller keeps the object in the hidden store instead.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Callable, Optional

from .atomic import TempFile
from .dir_sync import directory_syncer

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _O_CLOEXEC
# O_NONBLOCK: opening a FIFO that someone left in the folder must not hang the server.
_O_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _O_CLOEXEC

_NOT_PLAIN = {errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ELOOP, errno.ENAMETOOLONG,
              errno.EINVAL, errno.EILSEQ, errno.ENOTEMPTY}
_ABSENT = {errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL}
#: How often a placement is retried when a concurrent delete removed a directory under it.
_PLACE_ATTEMPTS = 8


class NotPlain(Exception):
    """The key cannot be a plain file at its path right now; keep it in the hidden store."""


def open_root(path: str) -> int:
    """Open a bucket folder (following a symlink there only). Raises FileNotFoundError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _O_CLOEXEC)
    except NotADirectoryError:
        raise FileNotFoundError(path) from None
    return fd


def open_dirs(root_fd: int, segments: list[str], *, create: bool = False, exact: bool = False) -> int:
    """A new descriptor for the directory `segments` below `root_fd`.

    With `create`, missing directories are made (and their parents fsynced, so that the new entry is
    durable). With `exact` (case- or normalization-insensitive filesystems), each existing
    component must carry exactly the name asked for. Raises FileNotFoundError or NotPlain.
    """
    if not segments:
        return os.dup(root_fd)
    # The first component is opened straight from `root_fd` (no dup of it to close again): one
    # system call less on every object read and write.
    fd = _open_child_dir(root_fd, segments[0], create, exact)
    try:
        for name in segments[1:]:
            child = _open_child_dir(fd, name, create, exact)
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def _open_child_dir(fd: int, name: str, create: bool, exact: bool) -> int:
    for _ in range(3):
        try:
            child = os.open(name, _O_DIR, dir_fd=fd)
        except FileNotFoundError:
            if not create:
                raise
            try:
                os.mkdir(name, 0o777, dir_fd=fd)
            except FileExistsError:
                continue  # made concurrently (or a file appeared): look again
            except OSError as exc:
                _reraise(exc)
            directory_syncer.sync(fd)
            continue
        except OSError as exc:
            _reraise(exc)
        if exact and not has_exact_name(fd, name):
            os.close(child)
            raise NotPlain(name)
        return child
    raise NotPlain(name)


def _reraise(exc: OSError) -> None:
    """Re-raise an OSError, as NotPlain when it means the path is taken or impossible."""
    if exc.errno in _NOT_PLAIN and not isinstance(exc, FileNotFoundError):
        raise NotPlain(str(exc)) from exc
    raise exc


def has_exact_name(dir_fd: int, name: str) -> bool:
    """True if the directory lists `name` byte for byte (not merely a case or Unicode variant)."""
    return name in os.listdir(dir_fd)


def stat_file(root_fd: int, segments: list[str], *, exact: bool = False) -> Optional[os.stat_result]:
    """The stat of the regular file at `segments`, or None if there is none (or only a symlink)."""
    try:
        fd = open_dirs(root_fd, segments[:-1], exact=exact)
    except (FileNotFoundError, NotPlain):
        return None
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise
    try:
        st = os.stat(segments[-1], dir_fd=fd, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            return None
        if exact and not has_exact_name(fd, segments[-1]):
            return None
        return st
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise
    finally:
        os.close(fd)


def open_file(root_fd: int, segments: list[str], *, exact: bool = False) -> int:
    """Open the regular file at `segments` for reading. Raises FileNotFoundError if there is none."""
    try:
        dir_fd = open_dirs(root_fd, segments[:-1], exact=exact)
    except NotPlain:
        raise FileNotFoundError(segments[-1]) from None
    try:
        try:
            fd = os.open(segments[-1], _O_FILE, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno in _ABSENT:
                raise FileNotFoundError(segments[-1]) from None
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode) or (exact and not has_exact_name(dir_fd, segments[-1])):
            os.close(fd)
            raise FileNotFoundError(segments[-1])
        return fd
    finally:
        os.close(dir_fd)


def place(tmp: TempFile, root_fd: int, segments: list[str], *, exact: bool = False) -> os.stat_result:
    """Rename `tmp` onto the plain file for `segments`, making directories as needed.

    Raises NotPlain when the path is taken by something that is not a regular file, or cannot exist.
    A concurrent delete may remove an empty directory between our mkdir and our rename; then the
    rename fails with ENOENT and is simply tried again.
    """
    last_error: Optional[Exception] = None
    for _ in range(_PLACE_ATTEMPTS):
        try:
            dir_fd = open_dirs(root_fd, segments[:-1], create=True, exact=exact)
        except FileNotFoundError as exc:
            last_error = exc
            continue
        try:
            if exact:
                _check_exact_target(dir_fd, segments[-1])
            return tmp.replace_into(dir_fd, segments[-1])
        except FileNotFoundError as exc:
            last_error = exc
        except OSError as exc:
            _reraise(exc)
        finally:
            os.close(dir_fd)
    raise last_error  # type: ignore[misc]


def _check_exact_target(dir_fd: int, name: str) -> None:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if not has_exact_name(dir_fd, name):
        raise NotPlain(f"{name!r} exists under another spelling")


def remove_file(root_fd: int, segments: list[str], *, exact: bool = False) -> bool:
    """Unlink the regular file at `segments`; False if there was none."""
    try:
        dir_fd = open_dirs(root_fd, segments[:-1], exact=exact)
    except (FileNotFoundError, NotPlain):
        return False
    try:
        st = os.stat(segments[-1], dir_fd=dir_fd, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            return False
        if exact and not has_exact_name(dir_fd, segments[-1]):
            return False
        os.unlink(segments[-1], dir_fd=dir_fd)
        directory_syncer.sync(dir_fd)
        return True
    except OSError as exc:
        if exc.errno in _ABSENT:
            return False
        raise
    finally:
        os.close(dir_fd)


def make_dirs(root_fd: int, segments: list[str], *, exact: bool = False) -> bool:
    """Best-effort `mkdir -p` of `segments` (for folder markers); False if the path is taken."""
    try:
        os.close(open_dirs(root_fd, segments, create=True, exact=exact))
        return True
    except (FileNotFoundError, NotPlain):
        return False


def prune_empty_dirs(root_fd: int, segments: list[str], keep: Callable[[str], bool]) -> None:
    """Remove the directory `segments` and then its parents while they are empty.

    Stops below the bucket folder, and at a directory for which `keep(dir_key_prefix)` is true
    (a folder-marker object shows there). rmdir itself refuses a non-empty directory, so a
    concurrent writer can never lose a file to this.
    """
    fds = [os.dup(root_fd)]
    try:
        for name in segments:
            try:
                fds.append(os.open(name, _O_DIR, dir_fd=fds[-1]))
            except OSError:
                break
        for depth in range(len(fds) - 1, 0, -1):
            if keep("/".join(segments[:depth]) + "/"):
                return
            try:
                os.rmdir(segments[depth - 1], dir_fd=fds[depth - 1])
            except OSError as exc:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT, errno.ENOTDIR, errno.EBUSY):
                    return
                raise
            directory_syncer.sync(fds[depth - 1])
    finally:
        for fd in fds:
            os.close(fd)


def move_out(root_fd: int, segments: list[str], dest: str, *, exact: bool = False, sync_source: bool = True) -> bool:
    """Rename the regular file at `segments` to `dest`, a path in lakebox's own `.lakebox/` tree
    (a version that stops being current). False when there is no such file. `sync_source=False`
    when the caller renames another file onto the same path next and syncs that directory then.

    Raises OSError(EXDEV) when the bucket folder is a link to another filesystem; the caller copies.
    """
    try:
        dir_fd = open_dirs(root_fd, segments[:-1], exact=exact)
    except (FileNotFoundError, NotPlain):
        return False
    try:
        st = os.stat(segments[-1], dir_fd=dir_fd, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode) or (exact and not has_exact_name(dir_fd, segments[-1])):
            return False
        parent = os.path.dirname(dest)
        os.makedirs(parent, exist_ok=True)
        os.rename(segments[-1], dest, src_dir_fd=dir_fd)
        if sync_source:
            directory_syncer.sync(dir_fd)
        parent_fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | _O_CLOEXEC)
        try:
            directory_syncer.sync(parent_fd)
        finally:
            os.close(parent_fd)
        return True
    except OSError as exc:
        if exc.errno in _ABSENT:
            return False
        raise
    finally:
        os.close(dir_fd)
