"""Redshift's CRC32 and FNV_HASH, which DuckDB has no form of.

CRC32(text) is the CRC-32C (Castagnoli) checksum of the text's UTF-8 bytes as 8 hex digits, as AWS's
page says ('Amazon Redshift' gives f2726906). FNV_HASH(value [, seed]) is the 64-bit FNV-1a hash of
the value's binary form, as a BIGINT: 2 bytes for a SMALLINT, 4 for an INTEGER, 8 for a BIGINT or a
DOUBLE PRECISION, 1 for a BOOLEAN, the UTF-8 bytes of a string; the seed continues a previous hash
(fnv_hash('cd', fnv_hash('ab')) is fnv_hash('abcd')). The examples of AWS's page are the unit tests.

Registered on each session's connection; FNV_HASH is a typed macro choosing the function for the
argument's type (semantics.SESSION_MACROS). Imports nothing from lakebox.
"""

from __future__ import annotations

import struct
from typing import Optional

#: FNV-1a's 64-bit offset basis, as the signed BIGINT Redshift shows (0xcbf29ce484222325).
FNV_SEED = -3750763034362895579
_FNV_PRIME = 0x100000001B3
_MASK = (1 << 64) - 1


def _crc32c_table() -> list:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C = _crc32c_table()


def crc32(text: Optional[str]) -> Optional[str]:
    if text is None:
        return None
    crc = 0xFFFFFFFF
    for byte in text.encode():
        crc = _CRC32C[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return f"{crc ^ 0xFFFFFFFF:08x}"


def fnv_hash(data: bytes, seed: int) -> int:
    value = seed & _MASK
    for byte in data:
        value = ((value ^ byte) * _FNV_PRIME) & _MASK
    return value - (1 << 64) if value >= 1 << 63 else value


def _hasher(pack):
    return lambda value, seed: None if value is None or seed is None else fnv_hash(pack(value), seed)


#: (SQL type of the value, session function) for each binary form FNV_HASH takes.
FNV_FUNCTIONS = {
    "SMALLINT": ("redshift_fnv_hash_int2", _hasher(lambda v: struct.pack("<h", v))),
    "INTEGER": ("redshift_fnv_hash_int4", _hasher(lambda v: struct.pack("<i", v))),
    "BIGINT": ("redshift_fnv_hash_int8", _hasher(lambda v: struct.pack("<q", v))),
    "DOUBLE": ("redshift_fnv_hash_float8", _hasher(lambda v: struct.pack("<d", v))),
    "BOOLEAN": ("redshift_fnv_hash_bool", _hasher(lambda v: struct.pack("<?", v))),
    "VARCHAR": ("redshift_fnv_hash_text", _hasher(lambda v: v.encode())),
}
