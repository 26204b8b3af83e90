"""Which S3 keys can be plain files in the lake folder, and which names in the folder are keys.

DESIGN D2 keeps the current version of an object at `<data>/s3/<bucket>/<key>`, but S3 keys are
arbitrary UTF-8 strings up to 1024 bytes and a filesystem path is not. This module holds the
*static* rules: a key whose text could never be a safe file path (an empty, `.` or `..` segment, a
trailing `/`, a segment over 255 bytes, a control character, a name lakebox reserves for itself) is
kept in the hidden store instead. *Dynamic* conflicts (`a` while the directory `a/` exists) are found
by the filesystem itself when the file is placed (see `dirfd.py`).

The same rules run in both directions: a name found in the folder is listed as a key only if that
key would be stored at that name. Otherwise `head_object` and `list_objects` would disagree.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Optional

from .errors import InvalidBucketNameError, InvalidKeyError, KeyTooLongError

MAX_KEY_BYTES = 1024
#: NAME_MAX on every filesystem lakebox targets (ext4, xfs, btrfs, apfs).
MAX_SEGMENT_BYTES = 255
#: Any file or directory whose name starts with this (case-insensitively, for case-insensitive
#: filesystems) belongs to lakebox and is never an object. Keys with such a segment go hidden.
RESERVED_PREFIX = ".lakebox"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def check_key(key: str) -> bytes:
    """Raise unless AWS would accept `key`; return its UTF-8 bytes."""
    if not isinstance(key, str) or not key:
        raise InvalidKeyError(repr(key))
    try:
        raw = key.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidKeyError(repr(key)) from None
    if len(raw) > MAX_KEY_BYTES:
        raise KeyTooLongError(key[:64] + "…")
    return raw


def is_plain_segment(name: str) -> bool:
    """True if `name` can be one path component of a plain object file (or its directories)."""
    if not name or name in (".", ".."):
        return False
    if name[:len(RESERVED_PREFIX)].lower() == RESERVED_PREFIX:
        return False
    if _CONTROL.search(name):
        return False
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        # A file name that is not UTF-8 arrives as surrogate escapes: it can never be a key.
        return False
    return size <= MAX_SEGMENT_BYTES


def plain_segments(key: str) -> Optional[list[str]]:
    """The path components of the plain file for `key`, or None if it must live in the hidden store.

    A key ending in `/` is never a plain file: its last component would be empty.
    """
    segments = key.split("/")
    if all(is_plain_segment(s) for s in segments):
        return segments
    return None


def marker_dir_segments(key: str) -> Optional[list[str]]:
    """For a folder-marker key such as `a/b/`, the directory that shows it in the folder tree.

    The object itself lives in the hidden store (it cannot be a file); creating the directory lets
    people and tools browsing the folder see the "folder" that S3 consoles show.
    """
    if not key.endswith("/"):
        return None
    return plain_segments(key[:-1])


def key_of(segments: list[str]) -> str:
    return "/".join(segments)


def is_valid_bucket_name(name: str) -> bool:
    """S3's core rules for new buckets; they also make every bucket name a safe folder name.

    The reserved prefixes and suffixes (`xn--`, `-s3alias`, …) are the provider's to reject: they
    are safe as folder names.
    """
    return isinstance(name, str) and _valid_bucket_name(name)


@functools.lru_cache(maxsize=4096)
def _valid_bucket_name(name: str) -> bool:
    """Cached: every S3 request checks its bucket's name several times, and the IPv4 test costs."""
    if not _BUCKET.match(name):
        return False
    if ".." in name:
        return False
    try:
        ipaddress.IPv4Address(name)
        return False
    except ValueError:
        return True


def check_bucket_name(name: str) -> None:
    if not is_valid_bucket_name(name):
        raise InvalidBucketNameError(name)
