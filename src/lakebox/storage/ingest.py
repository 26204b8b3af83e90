"""Receiving a request body into a temp file while hashing it, and checking what the client promised.

Shared by PutObject and UploadPart: the bytes are hashed on their way to disk (MD5 for the ETag
plus the requested checksums, in one pass), then the length and the digests the client sent are
verified before anything becomes visible. A failure discards the temp file and changes nothing.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Union

from . import checksums as ck
from .atomic import CHUNK, TempFile
from .errors import BadDigestError, ChecksumMismatchError, IncompleteBodyError

Expected = Union[dict, Callable[[], dict], None]


@dataclass
class Received:
    tmp: TempFile
    size: int
    etag: str
    #: The checksums to store: those requested plus those the client sent (verified).
    checksums: dict[str, str]


def receive(tmp_dir: str, body, *, algorithms: Iterable[str] = (), content_length: Optional[int] = None,
            expected: Expected = None) -> Received:
    """Stream `body` (anything with .read(n), or bytes) into a new temp file, synced to disk.

    `expected` maps algorithm names to base64 digests; "MD5" is Content-MD5 (BadDigestError), the
    others are x-amz-checksum-* values (ChecksumMismatchError). A callable is evaluated after the body
    is read, because aws-chunked uploads send their checksum in a trailer.
    """
    if isinstance(body, (bytes, bytearray, memoryview)):
        body = io.BytesIO(body)
    wanted = list(dict.fromkeys(algorithms))
    if isinstance(expected, dict):
        wanted += [a for a in expected if a != "MD5" and a not in wanted]
    hasher = ck.MultiHasher(wanted)
    tmp = TempFile(tmp_dir)
    try:
        while True:
            chunk = body.read(CHUNK)
            if not chunk:
                break
            hasher.update(chunk)
            tmp.write(chunk)
        if content_length is not None and hasher.size != content_length:
            raise IncompleteBodyError(f"expected {content_length} bytes, received {hasher.size}")
        promised = expected() if callable(expected) else (expected or {})
        checksums = hasher.checksums()
        for algorithm, value in promised.items():
            if algorithm == "MD5":
                if ck.decode(value) != ck.decode(hasher.md5_b64()):
                    raise BadDigestError(value, hasher.md5_b64())
                continue
            computed = hasher.value(algorithm) if algorithm in hasher.algorithms else _rehash(tmp, algorithm)
            if ck.decode(value) != ck.decode(computed):
                raise ChecksumMismatchError(algorithm, value, computed)
            checksums[algorithm] = computed
        tmp.sync()
    except BaseException:
        tmp.discard()
        raise
    return Received(tmp, hasher.size, hasher.md5_hex(), dict(sorted(checksums.items())))


def _rehash(tmp: TempFile, algorithm: str) -> str:
    """A checksum that was not requested up front (it arrived in a trailer): read the file again."""
    hasher = ck.new_hasher(algorithm)
    offset = 0
    while True:
        chunk = os.pread(tmp.fd, CHUNK, offset)
        if not chunk:
            break
        hasher.update(chunk)
        offset += len(chunk)
    return ck.b64(hasher.digest())
