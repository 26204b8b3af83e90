"""Trino functions that DuckDB has no SQL for, computed in Python: the Unicode normalization forms other
than NFC, the hashes of Trino's binary functions (crc32, xxhash64, murmur3) and the checksum aggregate.

The hashes are the ones Trino's airlift library computes: xxhash64 is XXH64 with seed 0 written
big-endian; murmur3 is the 128-bit x64 MurmurHash3 with seed 0, its two 64-bit halves written
little-endian; checksum adds up, for every row, the XXH64 of the value (as Trino's type hashes it)
times a prime, or the prime alone for a NULL, and writes the 64-bit sum little-endian.

`register` puts the Python functions, named `lakebox_*`, on the DuckDB database every Athena query
runs on (`engine.connect`); the rules in `RULES` (merged into `function_rules.FUNCTION_RULES`) call
them. Imports sqlglot, this package and the hashing libraries (xxhash, mmh3).
"""

from __future__ import annotations

import math
import struct
import unicodedata
import zlib
from typing import Callable

import mmh3
import xxhash
from sqlglot import exp

from . import python_text_number_functions, trino_types
from .errors import QueryError
from .types import render_double
from .sql_template import template, typed

T = exp.DataType.Type

#: Trino's ChecksumAggregationFunction.PRIME64 (XXH64's first prime).
_PRIME64 = 0x9E3779B185EBCA87
_MASK64 = (1 << 64) - 1

# ------------------------------------------------------------------------------- the Python side


def _normalize(text: str, form: str) -> str:
    return unicodedata.normalize(form, text)


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)


def _xxhash64(data: bytes) -> bytes:
    return xxhash.xxh64_digest(data)  # the canonical (big-endian) form, as Trino writes it


def _murmur3(data: bytes) -> bytes:
    return mmh3.hash_bytes(data, 0, True)  # h1 then h2, little-endian: airlift's Murmur3Hash128


def _term(data: bytes) -> int:
    """One row's share of a checksum: the value's XXH64 times the prime, modulo 2^64."""
    return (xxhash.xxh64_intdigest(data) * _PRIME64) & _MASK64


def _checksum_long(value: int) -> int:
    """Integers, dates (days), booleans (0, 1) and timestamps (microseconds): XxHash64.hash(long)
    is the XXH64 of the value's 8 little-endian bytes."""
    return _term(struct.pack("<q", value))


def _checksum_double(value: float) -> int:
    """Double.doubleToLongBits, with -0.0 hashed as 0.0 and every NaN as the canonical one."""
    if math.isnan(value):
        return _term(struct.pack("<Q", 0x7FF8000000000000))
    return _term(struct.pack("<d", value + 0.0))


def _checksum_real(value: float) -> int:
    """Float.floatToIntBits, widened to a long with its sign, as Trino's real type hashes."""
    bits = 0x7FC00000 if math.isnan(value) else struct.unpack("<i", struct.pack("<f", value + 0.0))[0]
    return _term(struct.pack("<q", bits))


def _checksum_text(value: str) -> int:
    return _term(value.encode("utf-8"))


def _checksum_value(total: int) -> bytes:
    return struct.pack("<Q", total & _MASK64)


#: name -> (function, DuckDB argument types, DuckDB result type). NULL in gives NULL out, uncalled.
FUNCTIONS: dict[str, tuple[Callable, list[str], str]] = {
    "lakebox_normalize": (_normalize, ["VARCHAR", "VARCHAR"], "VARCHAR"),
    "lakebox_crc32": (_crc32, ["BLOB"], "BIGINT"),
    "lakebox_xxhash64": (_xxhash64, ["BLOB"], "BLOB"),
    "lakebox_murmur3": (_murmur3, ["BLOB"], "BLOB"),
    "lakebox_checksum_long": (_checksum_long, ["BIGINT"], "UBIGINT"),
    "lakebox_checksum_double": (_checksum_double, ["DOUBLE"], "UBIGINT"),
    "lakebox_checksum_real": (_checksum_real, ["FLOAT"], "UBIGINT"),
    "lakebox_checksum_bytes": (_term, ["BLOB"], "UBIGINT"),
    "lakebox_checksum_text": (_checksum_text, ["VARCHAR"], "UBIGINT"),
    "lakebox_checksum_value": (_checksum_value, ["HUGEINT"], "BLOB"),
    # CAST(double AS varchar): Java's Double.toString, as Trino writes it (1.0E8, 1.0E-4), where
    # DuckDB writes 100000000.0 and 0.0001.
    "lakebox_double_text": (render_double, ["DOUBLE"], "VARCHAR"),
    # typeof() of a value whose type the translation could not work out: DuckDB's name, as Trino's.
    "lakebox_trino_type": (trino_types.runtime_name, ["VARCHAR"], "VARCHAR"),
}


def register(database) -> None:
    """Define the functions on `database`, DuckDB's root connection: a Python function lives as long
    as the connection that defined it, and one defined there serves every cursor of the database."""
    for name, (function, arguments, result) in {**FUNCTIONS, **python_text_number_functions.FUNCTIONS}.items():
        database.create_function(name, function, arguments, result, side_effects=False)


# ------------------------------------------------------------------------------------ the rules

#: Normalization forms, as Trino's java.text.Normalizer.Form names them.
FORMS = ("NFD", "NFC", "NFKD", "NFKC")


def normalized(text: exp.Expression, form: str) -> exp.Expression:
    """normalize(text, form) for a form other than NFC (which DuckDB's nfc_normalize computes)."""
    if form not in FORMS:
        raise QueryError("INVALID_FUNCTION_ARGUMENT",
                         "INVALID_FUNCTION_ARGUMENT: Normalization form must be one of [NFD, NFC, NFKD, NFKC]")
    return typed(template(f"lakebox_normalize(__p_s, '{form}')", s=text), "varchar")


_BINARY = {T.VARBINARY, T.BINARY, T.BLOB, T.NULL, T.UNKNOWN, None}


def _binary_argument(node: exp.Expression, name: str) -> exp.Expression:
    """The one varbinary argument of a hash function; a value of another type (a varchar, say) is
    refused as Trino refuses it, where DuckDB would cast a string to a blob."""
    args = list(node.expressions)
    kind = args[0].type.this if len(args) == 1 and args[0].type is not None else None
    if len(args) != 1 or kind not in _BINARY:
        raise QueryError("FUNCTION_NOT_FOUND", f"FUNCTION_NOT_FOUND: line 1:1: Unexpected parameters for function "
                                               f"{name}. Expected: {name}(varbinary)")
    return args[0]


def _hash(name: str, trino_type: str) -> Callable:
    def build(node: exp.Expression) -> exp.Expression:
        return typed(template(f"lakebox_{name}(__p_b)", b=_binary_argument(node, name)), trino_type)
    return build


#: Trino type -> the DuckDB expression of one row's checksum term (`__p_x`: the value). Integers,
#: booleans and dates hash as the long Trino keeps them in (AbstractIntType widens its int); a
#: timestamp of up to 6 fractional digits is its microseconds since the epoch, those of a
#: timestamp(3) (a table's column) whole milliseconds, as the result shows them.
_LONG = "lakebox_checksum_long(CAST(__p_x AS BIGINT))"
_MILLIS = "lakebox_checksum_long(epoch_ms(__p_x) * 1000)"
_CHECKSUM_TERMS = {
    T.TINYINT: _LONG, T.SMALLINT: _LONG, T.INT: _LONG, T.BIGINT: _LONG, T.BOOLEAN: _LONG,
    T.DATE: "lakebox_checksum_long(CAST(__p_x - DATE '1970-01-01' AS BIGINT))",
    T.TIMESTAMP: _MILLIS, T.TIMESTAMPNTZ: _MILLIS, T.TIMESTAMP_S: _MILLIS, T.TIMESTAMP_MS: _MILLIS,
    T.DOUBLE: "lakebox_checksum_double(__p_x)", T.FLOAT: "lakebox_checksum_real(__p_x)",
    T.VARCHAR: "lakebox_checksum_text(__p_x)", T.TEXT: "lakebox_checksum_text(__p_x)",
    T.VARBINARY: "lakebox_checksum_bytes(__p_x)", T.BINARY: "lakebox_checksum_bytes(__p_x)",
    T.BLOB: "lakebox_checksum_bytes(__p_x)",
}


def _timestamp_digits(kind: exp.DataType) -> int:
    """The fractional digits of a timestamp type: 3 unless written (`TIMESTAMP '... .123456'` has 6)."""
    text = kind.expressions[0].name if kind.expressions else ""
    return int(text) if text.isdigit() else 3


def _checksum(node: exp.Expression) -> exp.Expression:
    """checksum(x): order-insensitive, NULL rows count (as the prime alone), NULL for no rows."""
    args = list(node.expressions)
    if len(args) != 1:
        raise QueryError("FUNCTION_NOT_FOUND", "FUNCTION_NOT_FOUND: line 1:1: Unexpected parameters for function "
                                               "checksum")
    if isinstance(node.parent, (exp.Window, exp.Filter)):
        raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: checksum with OVER or FILTER is not supported by "
                                          "lakebox's engine")
    value = args[0]
    distinct = isinstance(value, exp.Distinct)
    if distinct:
        value = value.expressions[0]
    kind = value.type
    term = _CHECKSUM_TERMS.get(kind.this) if kind is not None else None
    if term == _MILLIS and _timestamp_digits(kind) > 3:
        # Up to 6 digits Trino keeps microseconds; past that a long timestamp, hashed otherwise.
        term = "lakebox_checksum_long(epoch_us(__p_x))" if _timestamp_digits(kind) <= 6 else None
    if term is None:
        if kind is None or kind.this in (T.UNKNOWN, T.NULL):
            raise QueryError("NOT_SUPPORTED", "NOT_SUPPORTED: checksum of a value whose type lakebox's engine does "
                                              "not know (CAST it to its type)")
        raise QueryError("NOT_SUPPORTED", f"NOT_SUPPORTED: checksum of {kind.sql('trino').lower()} "
                                          "is not supported by lakebox's engine")
    row = f"CASE WHEN __p_x IS NULL THEN CAST({_PRIME64} AS UBIGINT) ELSE {term} END"
    total = template(f"sum({'DISTINCT ' if distinct else ''}{row})", x=value)
    return typed(template("lakebox_checksum_value(__p_t)", t=total), "varbinary")


RULES: dict = {
    "crc32": _hash("crc32", "bigint"),
    "xxhash64": _hash("xxhash64", "varbinary"),
    "murmur3": _hash("murmur3", "varbinary"),
    "checksum": _checksum,
}
