"""Streaming hashers for every S3 ChecksumAlgorithm, and how multipart checksums combine.

Values are base64 of the big-endian digest, as S3 sends them in `x-amz-checksum-*` headers. The
variants match botocore's own (botocore/httpchecksum.py): CRC32 is zlib's, CRC32C the Castagnoli
polynomial, CRC64NVME the NVMe polynomial (all three from awscrt, which botocore uses too),
XXHASH64 is XXH64, XXHASH3 the 64-bit XXH3 and XXHASH128 the 128-bit XXH3, each with seed 0.

Multipart objects (CompleteMultipartUpload) carry one of two checksum types:
- COMPOSITE: the algorithm applied to the concatenated binary part checksums, suffixed `-N`;
- FULL_OBJECT: the checksum of the whole object. For the CRCs it is combined from the part CRCs
  and sizes without reading the data again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Iterable, Optional

import xxhash
from awscrt import checksums as crt

ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5",
              "XXHASH64", "XXHASH3", "XXHASH128")
CRC_ALGORITHMS = frozenset({"CRC32", "CRC32C", "CRC64NVME"})
COMPOSITE = "COMPOSITE"
FULL_OBJECT = "FULL_OBJECT"

_CRC_WIDTH = {"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8}
_CRC_FUNC = {"CRC32": crt.crc32, "CRC32C": crt.crc32c, "CRC64NVME": crt.crc64nvme}
_CRC_COMBINE = {"CRC32": crt.combine_crc32, "CRC32C": crt.combine_crc32c,
                "CRC64NVME": crt.combine_crc64nvme}
_HASHLIB = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512, "MD5": hashlib.md5}
_XXHASH = {"XXHASH64": xxhash.xxh64, "XXHASH3": xxhash.xxh3_64, "XXHASH128": xxhash.xxh3_128}


class _CrcHasher:
    """hashlib-style wrapper around awscrt's running CRCs."""

    def __init__(self, algorithm: str):
        self._func = _CRC_FUNC[algorithm]
        self._width = _CRC_WIDTH[algorithm]
        self.value = 0

    def update(self, data) -> None:
        self.value = self._func(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(self._width, "big")


def new_hasher(algorithm: str):
    """A fresh hasher with `update(bytes)` and `digest() -> bytes` for an S3 ChecksumAlgorithm."""
    if algorithm in _CRC_FUNC:
        return _CrcHasher(algorithm)
    if algorithm in _HASHLIB:
        return _HASHLIB[algorithm]()
    if algorithm in _XXHASH:
        # xxhash's digest() is the canonical (big-endian) form, the byte order S3 uses.
        return _XXHASH[algorithm](seed=0)
    raise ValueError(f"unknown checksum algorithm {algorithm!r}")


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def decode(value: str) -> Optional[bytes]:
    """The binary digest of a base64 checksum value (without any `-N` suffix); None if malformed."""
    try:
        return base64.b64decode(value.split("-", 1)[0], validate=True)
    except (binascii.Error, ValueError):
        return None


def compute(algorithm: str, data: bytes) -> str:
    hasher = new_hasher(algorithm)
    hasher.update(data)
    return b64(hasher.digest())


class MultiHasher:
    """MD5 (for the ETag) plus any requested checksums, updated in one pass over each chunk."""

    def __init__(self, algorithms: Iterable[str] = ()):
        wanted = list(dict.fromkeys(algorithms))
        self._md5 = hashlib.md5()
        self._hashers = {a: new_hasher(a) for a in wanted if a != "MD5"}
        self._want_md5 = "MD5" in wanted
        self.size = 0

    @property
    def algorithms(self) -> frozenset[str]:
        return frozenset(self._hashers) | ({"MD5"} if self._want_md5 else set())

    def update(self, chunk) -> None:
        self._md5.update(chunk)
        for hasher in self._hashers.values():
            hasher.update(chunk)
        self.size += len(chunk)

    def md5_hex(self) -> str:
        return self._md5.hexdigest()

    def md5_b64(self) -> str:
        return b64(self._md5.digest())

    def value(self, algorithm: str) -> str:
        """The base64 checksum for `algorithm`; MD5 is always available."""
        if algorithm == "MD5":
            return self.md5_b64()
        return b64(self._hashers[algorithm].digest())

    def checksums(self) -> dict[str, str]:
        """The requested checksums, keyed by algorithm name."""
        return {a: self.value(a) for a in sorted(self.algorithms)}


def composite(algorithm: str, part_values: list[str]) -> str:
    """The COMPOSITE checksum of a multipart object from its parts' base64 checksums."""
    hasher = new_hasher(algorithm)
    for value in part_values:
        raw = decode(value)
        if raw is None:
            raise ValueError(f"malformed {algorithm} part checksum {value!r}")
        hasher.update(raw)
    return f"{b64(hasher.digest())}-{len(part_values)}"


def full_object_crc(algorithm: str, parts: list[tuple[str, int]]) -> str:
    """The FULL_OBJECT CRC of a multipart object from its parts' (base64 CRC, size) pairs.

    CRCs combine: crc(A || B) is a function of crc(A), crc(B) and len(B), so the whole object's CRC
    needs no second read of the data.
    """
    if algorithm not in _CRC_COMBINE:
        raise ValueError(f"{algorithm} checksums cannot be combined")
    combine = _CRC_COMBINE[algorithm]
    total = 0
    for index, (value, size) in enumerate(parts):
        raw = decode(value)
        if raw is None or len(raw) != _CRC_WIDTH[algorithm]:
            raise ValueError(f"malformed {algorithm} part checksum {value!r}")
        crc = int.from_bytes(raw, "big")
        total = crc if index == 0 else combine(total, crc, size)
    return b64(total.to_bytes(_CRC_WIDTH[algorithm], "big"))


def default_checksum_type(algorithm: str) -> str:
    """The type S3 gives a multipart upload that names an algorithm but no type."""
    return FULL_OBJECT if algorithm == "CRC64NVME" else COMPOSITE


def multipart_etag(part_etags: list[str]) -> str:
    """S3's multipart ETag: the MD5 of the concatenated binary part MD5s, then `-N`."""
    md5 = hashlib.md5()
    for etag in part_etags:
        md5.update(bytes.fromhex(etag.strip('"')))
    return f"{md5.hexdigest()}-{len(part_etags)}"
