"""The AES-256-CTR streams behind SSE-C (sse_c.py): positioned keystreams, decryption of stored
chunks along an object's layout of IVs, and the reader that encrypts an upload while it checks the
plaintext's digests.

Why CTR: its ciphertext is exactly as long as the plaintext, so sizes, ranges and part layouts are the
same on disk and on the wire, and any byte can be decrypted without those before it: the counter block
of offset o is IV + o // 16, then o % 16 keystream bytes are skipped.

May import the standard library, `cryptography` and lakebox.storage (checksums, errors).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Optional, Union

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ...storage import checksums as lake_checksums
from ...storage import errors as st

BLOCK = 16


def counter_block(iv: bytes, offset: int) -> bytes:
    """The CTR counter block that encrypts byte `offset` (the counter wraps at 2**128, as OpenSSL's)."""
    value = (int.from_bytes(iv, "big") + offset // BLOCK) % (1 << 128)
    return value.to_bytes(BLOCK, "big")


def keystream_at(key: bytes, iv: bytes, offset: int):
    """An AES-CTR transform positioned at byte `offset` of the stream that starts with `iv`."""
    transform = Cipher(algorithms.AES(key), modes.CTR(counter_block(iv, offset))).encryptor()
    skip = offset % BLOCK
    if skip:
        transform.update(bytes(skip))
    return transform


def part_iv(salt: bytes, part_number: int) -> bytes:
    """The IV of one part of a multipart upload: each part is encrypted as a stream of its own."""
    return hashlib.sha256(salt + part_number.to_bytes(4, "big")).digest()[:BLOCK]


@dataclass(frozen=True)
class Segment:
    """A run of an object's bytes encrypted as one CTR stream: the whole object, or one part."""

    start: int
    size: Optional[int]  # None: up to the end
    iv: bytes


class CtrStream:
    """Encrypts (or decrypts: in CTR they are the same) consecutive bytes from `position` on,
    switching IV where the next segment starts."""

    def __init__(self, key: bytes, segments: list[Segment], position: int = 0):
        self._key = key
        self._segments = [s for s in segments if s.size != 0]
        self._starts = [s.start for s in self._segments]
        self.position = position
        self._transform = None
        self._end: Optional[int] = None

    def update(self, data) -> bytes:
        view = memoryview(data)
        out = []
        while len(view):
            if self._transform is None or (self._end is not None and self.position >= self._end):
                self._enter_segment()
            take = len(view) if self._end is None else min(len(view), self._end - self.position)
            out.append(self._transform.update(view[:take]))
            self.position += take
            view = view[take:]
        return b"".join(out)

    def _enter_segment(self) -> None:
        index = bisect_right(self._starts, self.position) - 1
        segment = self._segments[index] if index >= 0 else None
        end = None if segment is None or segment.size is None else segment.start + segment.size
        if segment is None or (end is not None and self.position >= end):
            raise ValueError(f"byte {self.position} is outside the encrypted layout")
        self._transform = keystream_at(self._key, segment.iv, self.position - segment.start)
        self._end = end


class DecryptedChunks:
    """An object's stored chunks (storage's ObjectReader from `start` on) as plaintext chunks."""

    def __init__(self, chunks, key: bytes, segments: list[Segment], start: int):
        self._chunks = chunks
        self._stream = CtrStream(key, segments, start)
        self.length = getattr(chunks, "length", None)

    def __iter__(self) -> "DecryptedChunks":
        return self

    def __next__(self) -> bytes:
        return self._stream.update(next(self._chunks))

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> "DecryptedChunks":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ChunkReader:
    """`.read(n)` over an iterator of chunks, so that a stored object can be the body of a write."""

    def __init__(self, chunks):
        self._source = chunks
        self._chunks: Iterator[bytes] = iter(chunks)
        self._buffer = bytearray()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size is None or size < 0 or len(self._buffer) < size):
            chunk = next(self._chunks, None)
            if chunk is None:
                self._done = True
            else:
                self._buffer += chunk
        if size is None or size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def close(self) -> None:
        close = getattr(self._source, "close", None)
        if close is not None:
            close()


Expected = Union[dict, Callable[[], dict], None]


class SealingReader:
    """A body encrypted on its way to storage, hashed and verified as the plaintext it is.

    Storage hashes what it receives, which is ciphertext, while Content-MD5 and x-amz-checksum-*
    describe the plaintext. So this reader hashes the plaintext as it passes and, at the end of the
    body, verifies what the client promised by raising the errors storage itself raises
    (BadDigestError, ChecksumMismatchError): they are answered exactly as for a plain upload.
    The plaintext checksums are then in `checksums`, and handed to `on_checksums`.
    """

    def __init__(self, body: Any, key: bytes, iv: bytes, algorithms: Iterable[str] = (),
                 expected: Expected = None, on_checksums: Optional[Callable[[dict[str, str]], None]] = None):
        self._body = body
        self._stream = CtrStream(key, [Segment(0, None, iv)])
        self._algorithms = list(dict.fromkeys(algorithms))
        if isinstance(expected, dict):
            self._algorithms += [a for a in expected if a != "MD5" and a not in self._algorithms]
        self._hasher = lake_checksums.MultiHasher(self._algorithms)
        self._expected = expected
        self._on_checksums = on_checksums
        self.checksums: Optional[dict[str, str]] = None

    def read(self, size: int = -1) -> bytes:
        chunk = self._body.read(size)
        if chunk:
            self._hasher.update(chunk)
            return self._stream.update(chunk)
        if self.checksums is None:
            self.checksums = self._verified()
            if self._on_checksums is not None:
                self._on_checksums(self.checksums)
        return b""

    def _verified(self) -> dict[str, str]:
        promised = self._expected() if callable(self._expected) else (self._expected or {})
        computed = {a: self._hasher.value(a) for a in self._algorithms}
        for algorithm, value in promised.items():
            if algorithm == "MD5":
                if lake_checksums.decode(value) != lake_checksums.decode(self._hasher.md5_b64()):
                    raise st.BadDigestError(value, self._hasher.md5_b64())
                continue
            # write_checksums always asks for the algorithm it expects a value of, so it was hashed.
            mine = computed.get(algorithm, "")
            if lake_checksums.decode(value) != lake_checksums.decode(mine):
                raise st.ChecksumMismatchError(algorithm, value, mine)
        return dict(sorted(computed.items()))

    def __getattr__(self, name: str) -> Any:
        # `trailers` and anything else the request stream exposes stay reachable.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._body, name)
