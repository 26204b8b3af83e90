"""Per-name locks that exist only while someone holds or waits for them.

Two PUTs of one key write their temp files in parallel but must not interleave their
precondition check, rename and metadata commit; otherwise the metadata could describe the file that
lost. One lock per (bucket, key) serializes exactly that step, and the table stays as small as the
number of keys being written right now.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Hashable, Iterator


class NamedLocks:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        # name -> [lock, number of holders and waiters]
        self._locks: dict[Hashable, list] = {}

    @contextmanager
    def hold(self, name: Hashable) -> Iterator[None]:
        """Hold the lock for `name`. Reentrant, so a holder may call code that locks it again."""
        with self._guard:
            entry = self._locks.get(name)
            if entry is None:
                entry = self._locks[name] = [threading.RLock(), 0]
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._guard:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._locks[name]

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)


class SharedExclusiveLocks:
    """Per-name reader/writer locks: many holders of `shared`, or one of `exclusive`.

    Object writes hold their bucket's lock shared; DeleteBucket holds it exclusively, so that no
    acknowledged write can land in a folder that is being removed. Always the outermost lock.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._shared: dict[Hashable, int] = {}
        self._exclusive: set[Hashable] = set()

    @contextmanager
    def shared(self, name: Hashable) -> Iterator[None]:
        with self._cond:
            while name in self._exclusive:
                self._cond.wait()
            self._shared[name] = self._shared.get(name, 0) + 1
        try:
            yield
        finally:
            with self._cond:
                self._shared[name] -= 1
                if not self._shared[name]:
                    del self._shared[name]
                self._cond.notify_all()

    @contextmanager
    def exclusive(self, name: Hashable) -> Iterator[None]:
        with self._cond:
            while name in self._exclusive or self._shared.get(name):
                self._cond.wait()
            self._exclusive.add(name)
        try:
            yield
        finally:
            with self._cond:
                self._exclusive.discard(name)
                self._cond.notify_all()
