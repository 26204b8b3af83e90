"""Trino functions whose answer is easiest to match in Python, registered on the DuckDB database next to
`python_functions`' (which `register` also defines): soundex (Apache Commons Codec's, as Trino's),
from_utf8 with its replacement, sha512 and the HMACs, base64url, big-endian and IEEE 754 bytes,
varbinary substr / reverse, format_number, and the normal distribution's cdf and its inverse
(Commons Math's erfInv).

`FUNCTIONS` maps a DuckDB function name to (function, argument types, result type); NULL in gives
NULL out without a call. The translation rules that call them live in `text_number_rules`.
Imports the standard library and the engines' shared soundex only.
"""

from __future__ import annotations

import base64
import decimal
import hashlib
import hmac
import math
import struct
from typing import Callable

from .. import soundex

# ------------------------------------------------------------------------------------- text


def _soundex(text: str) -> str:
    """Commons Codec's Soundex.US_ENGLISH: the letters only, upper case; a letter outside A..Z that the
    coding reaches fails, as its map() does."""
    try:
        return soundex.code("".join(c for c in text if c.isalpha()).upper())
    except soundex.UnmappedLetter as unmapped:
        raise ValueError(f"INVALID_FUNCTION_ARGUMENT: The character is not mapped: {unmapped.letter}") from None


def _from_utf8(data: bytes, replacement: str) -> str:
    return data.decode("utf-8", errors="replace").replace("\ufffd", replacement) if replacement != "\ufffd" \
        else data.decode("utf-8", errors="replace")


def _format_number(value: int) -> str:
    """Trino's FormatNumberFunction: thousands divided out up to Q, then DecimalFormat `#.##`, `#.#` or
    `#` (by the size left) rounding half up on the double's exact value."""
    fractional, unit = float(value), ""
    for symbol in "KMBTQ":
        if fractional >= 1000 or fractional <= -1000:
            fractional, unit = fractional / 1000, symbol
    places = 2 if fractional < 10 else 1 if fractional < 100 else 0
    rounded = decimal.Decimal(fractional).quantize(decimal.Decimal(1).scaleb(-places), decimal.ROUND_HALF_UP)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "-0" if text == "-0" else "0"
    return text + unit


# ----------------------------------------------------------------------------------- binary


def _sha512(data: bytes) -> bytes:
    return hashlib.sha512(data).digest()


def _hmac(name: str) -> Callable:
    def digest(data: bytes, key: bytes) -> bytes:
        return hmac.new(key, data, name).digest()
    return digest


def _to_base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _from_base64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _from_big_endian(size: int, fmt: str) -> Callable:
    def unpack(data: bytes) -> int:
        if len(data) != size:
            raise ValueError(f"INVALID_FUNCTION_ARGUMENT: expected {size}-byte input, but got instead: {len(data)}")
        return struct.unpack(fmt, data)[0]
    return unpack


def _from_ieee754(size: int, fmt: str) -> Callable:
    def unpack(data: bytes) -> float:
        if len(data) != size:
            raise ValueError(f"INVALID_FUNCTION_ARGUMENT: Input floating-point value must be exactly {size} bytes long")
        return struct.unpack(fmt, data)[0]
    return unpack


def _substr_bytes(data: bytes, start: int, length: int) -> bytes:
    """Trino's substr of a varbinary: 1-based, a negative start counts from the end, 0 or past the
    end gives empty bytes."""
    if start == 0 or length <= 0 or abs(start) > len(data) and start < 0:
        return b""
    begin = start - 1 if start > 0 else len(data) + start
    return data[begin:begin + length]


# ------------------------------------------------------------------------------------- math


def _erf_inv(x: float) -> float:
    """Commons Math 3's Erf.erfInv (Giles' polynomials), in its order of operations."""
    w = -math.log((1.0 - x) * (1.0 + x))
    if w < 6.25:
        w -= 3.125
        coefficients = _GILES_CENTRAL
    elif w < 16.0:
        w = math.sqrt(w) - 3.25
        coefficients = _GILES_TAIL
    elif not math.isinf(w):
        w = math.sqrt(w) - 5.0
        coefficients = _GILES_FAR
    else:
        return math.inf * x
    p = coefficients[0]
    for c in coefficients[1:]:
        p = c + p * w
    return p * x


_GILES_CENTRAL = (
    -3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18, 1.115787767802518096e-17,
    -1.333171662854620906e-16, 2.0972767875968561637e-17, 6.6376381343583238325e-15, -4.0545662729752068639e-14,
    -8.1519341976054721522e-14, 2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
    1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08, 4.2347877827932403518e-07,
    -1.3654692000834678645e-06, -1.3882523362786468719e-05, 0.0001867342080340571352, -0.00074070253416626697512,
    -0.0060336708714301490533, 0.24015818242558961693, 1.6536545626831027356)
_GILES_TAIL = (
    2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07, 1.8239629214389227755e-08,
    1.5027403968909827627e-06, -4.013867526981545969e-06, 2.9234449089955446044e-06, 1.2475304481671778723e-05,
    -4.7318229009055733981e-05, 6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
    0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066, -0.0037512085075692412107,
    0.005370914553590063617, 1.0052589676941592334, 3.0838856104922207635)
_GILES_FAR = (
    -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09, -3.7894654401267369937e-09,
    7.6157012080783393804e-09, -1.4960026627149240478e-08, 2.9147953450901080826e-08, -6.7711997758452339498e-08,
    2.2900482228026654717e-07, -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
    7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026, 1.0103004648645343977,
    4.8499064014085844221)


def _inverse_normal_cdf(mean: float, sd: float, p: float) -> float:
    if not 0 < p < 1:
        raise ValueError("INVALID_FUNCTION_ARGUMENT: p must be 0 > p > 1")
    if not sd > 0:
        raise ValueError("INVALID_FUNCTION_ARGUMENT: sd must be > 0")
    return mean + sd * math.sqrt(2) * _erf_inv(2 * p - 1)


def _normal_cdf(mean: float, sd: float, value: float) -> float:
    if not sd > 0:
        raise ValueError("INVALID_FUNCTION_ARGUMENT: standardDeviation must be > 0")
    return 0.5 * (1 + math.erf((value - mean) / (sd * math.sqrt(2))))


#: name -> (function, DuckDB argument types, DuckDB result type).
FUNCTIONS: dict[str, tuple[Callable, list[str], str]] = {
    "lakebox_soundex": (_soundex, ["VARCHAR"], "VARCHAR"),
    "lakebox_from_utf8": (_from_utf8, ["BLOB", "VARCHAR"], "VARCHAR"),
    "lakebox_format_number": (_format_number, ["BIGINT"], "VARCHAR"),
    "lakebox_sha512": (_sha512, ["BLOB"], "BLOB"),
    "lakebox_hmac_md5": (_hmac("md5"), ["BLOB", "BLOB"], "BLOB"),
    "lakebox_hmac_sha1": (_hmac("sha1"), ["BLOB", "BLOB"], "BLOB"),
    "lakebox_hmac_sha256": (_hmac("sha256"), ["BLOB", "BLOB"], "BLOB"),
    "lakebox_hmac_sha512": (_hmac("sha512"), ["BLOB", "BLOB"], "BLOB"),
    "lakebox_to_base64url": (_to_base64url, ["BLOB"], "VARCHAR"),
    "lakebox_from_base64url": (_from_base64url, ["VARCHAR"], "BLOB"),
    "lakebox_to_big_endian_64": (lambda v: struct.pack(">q", v), ["BIGINT"], "BLOB"),
    "lakebox_to_big_endian_32": (lambda v: struct.pack(">i", v), ["INTEGER"], "BLOB"),
    "lakebox_from_big_endian_64": (_from_big_endian(8, ">q"), ["BLOB"], "BIGINT"),
    "lakebox_from_big_endian_32": (_from_big_endian(4, ">i"), ["BLOB"], "INTEGER"),
    "lakebox_to_ieee754_64": (lambda v: struct.pack(">d", v), ["DOUBLE"], "BLOB"),
    "lakebox_to_ieee754_32": (lambda v: struct.pack(">f", v), ["FLOAT"], "BLOB"),
    "lakebox_from_ieee754_64": (_from_ieee754(8, ">d"), ["BLOB"], "DOUBLE"),
    "lakebox_from_ieee754_32": (_from_ieee754(4, ">f"), ["BLOB"], "FLOAT"),
    "lakebox_substr_bytes": (_substr_bytes, ["BLOB", "BIGINT", "BIGINT"], "BLOB"),
    "lakebox_reverse_bytes": (lambda data: bytes(reversed(data)), ["BLOB"], "BLOB"),
    "lakebox_normal_cdf": (_normal_cdf, ["DOUBLE", "DOUBLE", "DOUBLE"], "DOUBLE"),
    "lakebox_inverse_normal_cdf": (_inverse_normal_cdf, ["DOUBLE", "DOUBLE", "DOUBLE"], "DOUBLE"),
}
