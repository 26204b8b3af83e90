"""Marks code that runs on the gateway's event loop, so storage can refuse to block it.

The gateway answers small reads (GetObject, HeadObject ...) inline on its event loop, which saves
two thread hand-offs per request. Almost every such read is a metadata look-up and a small file
read. The exception is a file that appeared in the folder from outside: its first read hashes the
whole file, which could take seconds. Storage calls `check_may_block()` before such work; inside an
`inline_section()` that raises `WouldBlock`, and the gateway runs the request again on a worker.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

_state = threading.local()


class WouldBlock(Exception):
    """The work ahead may take long; run the request on a worker thread instead.

    Deliberately not a StorageError: providers must let it through untranslated.
    """


@contextlib.contextmanager
def inline_section() -> Iterator[None]:
    previous = getattr(_state, "inline", False)
    _state.inline = True
    try:
        yield
    finally:
        _state.inline = previous


def in_inline_section() -> bool:
    return getattr(_state, "inline", False)


def check_may_block() -> None:
    if getattr(_state, "inline", False):
        raise WouldBlock()
