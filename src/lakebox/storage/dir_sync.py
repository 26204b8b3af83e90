"""Group commit of directory fsyncs: concurrent renames into one directory share one fsync.

A rename becomes durable only when its directory is fsynced, and every write into the lake ends
with one (atomic.py). When many PUTs land in one folder at the same time (a partition being filled,
a benchmark), each of them used to fsync the same directory: one disk cache flush apiece, each
waiting behind the others. An fsync that *starts* after a rename has returned covers that rename,
whichever descriptor of the directory it goes through, so one fsync can acknowledge every rename
that finished before it started.

`DirectorySyncer.sync(dir_fd)` is leader/follower: the caller announces its rename (it has already
returned), then either starts an fsync itself, or waits for one that starts after its announcement.
Nobody returns before an fsync that began after its own rename has completed, so the guarantee is
exactly that of calling fsync directly. A failed fsync raises in the caller that ran it and covers
no one: a waiting caller then runs its own.

Directories are told apart by (st_dev, st_ino), not by path: a folder replaced from outside between
two renames is another directory, and its renames are not covered by the old one's fsync. The entry
of a directory lives only while some caller holds a descriptor of it, so its inode number cannot be
reused meanwhile.
"""

from __future__ import annotations

import os
import threading


class _Directory:
    __slots__ = ("announced", "done", "synced", "syncing", "users")

    def __init__(self, lock: threading.Lock):
        #: Renames announced so far, and how many of them a finished fsync covers.
        self.announced = 0
        self.synced = 0
        self.syncing = False
        self.users = 0
        self.done = threading.Condition(lock)


class DirectorySyncer:
    """Shares directory fsyncs between threads that renamed into the same directory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dirs: dict[tuple[int, int], _Directory] = {}

    def sync(self, dir_fd: int) -> None:
        """Return once an fsync of this directory that started after this call began has completed."""
        st = os.fstat(dir_fd)
        ident = (st.st_dev, st.st_ino)
        with self._lock:
            entry = self._dirs.get(ident)
            if entry is None:
                entry = self._dirs[ident] = _Directory(self._lock)
            entry.users += 1
            entry.announced += 1
            ticket = entry.announced
            try:
                while entry.synced < ticket:
                    if entry.syncing:
                        entry.done.wait()
                        continue
                    self._lead(entry, dir_fd)
            finally:
                entry.users -= 1
                if entry.users == 0:
                    del self._dirs[ident]

    def _lead(self, entry: _Directory, dir_fd: int) -> None:
        """Run one fsync for every rename announced so far. Called, and returns, holding the lock."""
        entry.syncing = True
        covered = entry.announced
        synced = False
        self._lock.release()
        try:
            os.fsync(dir_fd)
            synced = True
        finally:
            self._lock.acquire()
            entry.syncing = False
            if synced:
                entry.synced = max(entry.synced, covered)
            entry.done.notify_all()

    def __len__(self) -> int:
        with self._lock:
            return len(self._dirs)


#: The process-wide syncer: directories are shared by every store (and thread) of the process.
directory_syncer = DirectorySyncer()
