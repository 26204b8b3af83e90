"""Version ids: 32 characters of S3's alphabet (letters, digits, `.` and `_`), which also tell where
a version stood, and which carry a check, as S3's do: a tampered id is told from a real one.

Why the id carries its place: ListObjectVersions resumes after a version-id-marker, and when that
version has been deleted since, its row (and with it its place in the key's order) is gone, yet AWS
still resumes where it stood. So every id lakebox mints holds a stamp that strictly increases from
one id to the next, and the place of a deleted version is found from its id alone.

Layout, 24 bytes in URL-safe base64 with `.` for `-` (S3's ids never hold a `-`): an 8-byte stamp
(nanoseconds, big-endian), 13 random bytes, and a 3-byte check (BLAKE2b of the first 21) that tells
these ids from the wholly random ones of older lakebox versions, which have no stamp, and from ids
that were never given out. Ids of older versions with `-` in them still read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import threading
import time
from typing import Optional

from .api import NULL_VERSION

_FORMAT = re.compile(r"[A-Za-z0-9_.-]{32}")
_lock = threading.Lock()
_last_stamp = 0


def _next_stamp() -> int:
    """Wall-clock nanoseconds, bumped past the previous stamp so that two ids never share one."""
    global _last_stamp
    with _lock:
        _last_stamp = max(time.time_ns(), _last_stamp + 1)
        return _last_stamp


def _check(head: bytes) -> bytes:
    return hashlib.blake2b(head, digest_size=3).digest()


def new_version_id() -> str:
    head = _next_stamp().to_bytes(8, "big") + secrets.token_bytes(13)
    return base64.urlsafe_b64encode(head + _check(head)).decode("ascii").replace("-", ".")


def is_well_formed(version_id: str) -> bool:
    """Whether lakebox could have given out `version_id` (the null version's id included)."""
    return version_id == NULL_VERSION or _FORMAT.fullmatch(version_id) is not None


def stamp_of(version_id: Optional[str]) -> Optional[int]:
    """The stamp of an id minted by `new_version_id`; None for the null version and older ids."""
    if not version_id or _FORMAT.fullmatch(version_id) is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(version_id.replace(".", "-"))
    except (binascii.Error, ValueError):
        return None
    head, check = raw[:21], raw[21:]
    if check != _check(head):
        return None
    return int.from_bytes(head[:8], "big")
