"""Postgres wire types: Redshift type names to OIDs, Python values to text/binary column values, and
bound parameters back to SQL literals.

The session speaks Redshift type names and Python values; clients speak OIDs and bytes. This module is
the whole translation, so the protocol code (pgwire.py) never looks inside a value. Standard library
only.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import struct
from decimal import Decimal
from typing import Any, NamedTuple, Optional

from .datetime_input import days_from_civil, duckdb_datetime, postgres_datetime_text
from .intervals import DayToSecond, YearToMonth

BOOL, BYTEA, NAME, INT8, INT2, INT4, TEXT, OID = 16, 17, 19, 20, 21, 23, 25, 26
FLOAT4, FLOAT8, UNKNOWN = 700, 701, 705
#: Postgres' obsolete ABSTIME (seconds since 1970 in 4 bytes), which Redshift still casts to.
ABSTIME = 702
BPCHAR, VARCHAR, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, INTERVAL, TIMETZ = 1042, 1043, 1082, 1083, 1114, 1184, 1186, 1266
#: Redshift's INTERVAL YEAR TO MONTH and INTERVAL DAY TO SECOND.
INTERVALY2M, INTERVALD2S = 1188, 1190
NUMERIC, GEOMETRY, GEOGRAPHY, SUPER, VARBYTE = 1700, 3000, 3001, 4000, 6551
#: Array type OID -> its element's OID: drivers bind a Python list as one of these (`oid = ANY(%s)`).
ARRAY_ELEMENTS = {1000: BOOL, 1005: INT2, 1007: INT4, 1016: INT8, 1028: OID, 1021: FLOAT4, 1022: FLOAT8,
                  1231: NUMERIC, 1009: TEXT, 1015: VARCHAR, 1014: BPCHAR, 1003: NAME, 1182: DATE,
                  1115: TIMESTAMP, 1185: TIMESTAMPTZ}

#: Redshift's type names (and the aliases a session may use) -> OID. Anything else is sent as text.
_OIDS = {
    "smallint": INT2, "int2": INT2, "integer": INT4, "int": INT4, "int4": INT4, "bigint": INT8, "int8": INT8,
    "real": FLOAT4, "float4": FLOAT4, "double precision": FLOAT8, "float8": FLOAT8, "float": FLOAT8,
    "double": FLOAT8, "numeric": NUMERIC, "decimal": NUMERIC,
    "character varying": VARCHAR, "varchar": VARCHAR, "nvarchar": VARCHAR, "character": BPCHAR, "char": BPCHAR,
    "nchar": BPCHAR, "bpchar": BPCHAR, "text": TEXT, "name": NAME, "oid": OID,
    "boolean": BOOL, "bool": BOOL, "date": DATE,
    "timestamp": TIMESTAMP, "timestamp without time zone": TIMESTAMP,
    "timestamptz": TIMESTAMPTZ, "timestamp with time zone": TIMESTAMPTZ,
    "time": TIME, "time without time zone": TIME, "timetz": TIMETZ, "time with time zone": TIMETZ,
    "interval": INTERVAL, "intervaly2m": INTERVALY2M, "interval year to month": INTERVALY2M,
    "interval year": INTERVALY2M, "interval month": INTERVALY2M, "intervald2s": INTERVALD2S,
    **{f"interval {q}": INTERVALD2S for q in ("day to second", "day", "hour", "minute", "second", "day to hour",
                                              "day to minute", "hour to minute", "hour to second", "minute to second")},
    "super": SUPER, "varbyte": VARBYTE, "varbinary": VARBYTE, "binary varying": VARBYTE,
    "geometry": GEOMETRY, "geography": GEOGRAPHY, "unknown": UNKNOWN, "abstime": ABSTIME,
}

#: OID -> pg_type.typlen, for RowDescription (-1: variable width).
_SIZES = {BOOL: 1, INT2: 2, INT4: 4, OID: 4, FLOAT4: 4, DATE: 4, ABSTIME: 4, INT8: 8, FLOAT8: 8, TIME: 8, TIMESTAMP: 8,
          TIMESTAMPTZ: 8, TIMETZ: 12, INTERVAL: 16, INTERVALY2M: 4, INTERVALD2S: 8, NAME: 64}

#: OID -> the SQL type a NULL or a text parameter is cast to, so the statement keeps the client's type.
_SQL_TYPES = {INT2: "SMALLINT", INT4: "INTEGER", INT8: "BIGINT", OID: "BIGINT", FLOAT4: "REAL",
              FLOAT8: "DOUBLE PRECISION", NUMERIC: "NUMERIC", BOOL: "BOOLEAN", DATE: "DATE", TIME: "TIME",
              TIMESTAMP: "TIMESTAMP", TIMESTAMPTZ: "TIMESTAMPTZ", INTERVAL: "INTERVAL", VARCHAR: "VARCHAR",
              BPCHAR: "CHAR", INTERVALY2M: "INTERVAL YEAR TO MONTH", INTERVALD2S: "INTERVAL DAY TO SECOND"}

_PG_EPOCH = dt.datetime(2000, 1, 1)
_PG_EPOCH_DATE = _PG_EPOCH.date()
_MICROSECOND = dt.timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_PG_EPOCH_DAYS = days_from_civil(2000, 1, 1)


class PgTypeError(ValueError):
    """A value that cannot travel in the format the client asked for (SQLSTATE 22P03 or 22P02)."""

    def __init__(self, message: str, sqlstate: str = "22P03"):
        super().__init__(message)
        self.message, self.sqlstate = message, sqlstate


class ColumnType(NamedTuple):
    oid: int
    size: int
    modifier: int


def column_type(type_name: str) -> ColumnType:
    """OID, typlen and typmod of a Redshift type name such as "numeric(18,2)" or "character varying(256)"."""
    name = (type_name or "").strip().lower()
    args: list[int] = []
    if "(" in name:
        name, _, rest = name.partition("(")
        args = [int(a) for a in re.findall(r"\d+", rest.split(")")[0])]
        name = name.strip() + rest.split(")", 1)[-1]   # "timestamp(6) with time zone" keeps its tail
        name = " ".join(name.split())
    if name.endswith("[]"):
        return ColumnType(TEXT, -1, -1)
    oid = _OIDS.get(name, TEXT)
    modifier = -1
    if oid == NUMERIC and args:
        modifier = ((args[0] << 16) | (args[1] if len(args) > 1 else 0)) + 4
    elif oid in (VARCHAR, BPCHAR) and args:
        modifier = args[0] + 4
    return ColumnType(oid, _SIZES.get(oid, -1), modifier)


#: A numeric column whose precision lakebox does not know, under the binary protocol (which needs a
#: scale to send the unscaled integer): numeric(38,10).
NUMERIC_WITHOUT_TYPMOD = ColumnType(NUMERIC, -1, ((38 << 16) | 10) + 4)


def numeric_scale(modifier: int) -> int:
    return (modifier - 4) & 0xFFFF if modifier != -1 else 0


def encode_numeric_binary(value: Any, scale: int) -> bytes:
    """Redshift's binary numeric: the value times 10^scale as a big-endian signed integer of 8 bytes,
    or 16 when it does not fit in 8 (what redshift_connector's binary protocol reads)."""
    try:
        unscaled = int((Decimal(value) if not isinstance(value, Decimal) else value).scaleb(scale)
                       .to_integral_value())
        if -(1 << 63) <= unscaled < (1 << 63):
            return unscaled.to_bytes(8, "big", signed=True)
        return unscaled.to_bytes(16, "big", signed=True)
    except (ArithmeticError, OverflowError, TypeError, ValueError) as exc:
        raise PgTypeError(f"cannot send {value!r} as a binary numeric: {exc}") from None


# -- result values ---------------------------------------------------------------------------------

def encode_text(value: Any, oid: int) -> bytes:
    """Postgres' text output of a value (what psql prints); None is the caller's NULL."""
    return _text(value, oid).encode("utf-8")


def _text(value: Any, oid: int) -> str:
    if isinstance(value, str):
        # DuckDB's own text of a date or time Python's datetime cannot hold (years past 9999, BC, 24:00:00).
        return postgres_datetime_text(value, oid in (TIME, TIMETZ)) if oid in _DATETIME_OIDS else value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return "NaN" if value.is_nan() else format(value, "f")
    if isinstance(value, dt.datetime):
        if oid == TIMESTAMPTZ:
            utc = value.astimezone(dt.timezone.utc) if value.tzinfo else value
            return _trim_fraction(utc.replace(tzinfo=None).isoformat(" ")) + "+00"
        return _trim_fraction(value.replace(tzinfo=None).isoformat(" "))
    if isinstance(value, dt.time):
        clock = _trim_fraction(value.replace(tzinfo=None).isoformat())
        return clock + _zone_text(value.utcoffset()) if oid == TIMETZ else clock
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _interval_text(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"), default=str)   # SUPER prints as JSON
    return str(value)


def _zone_text(offset: Optional[dt.timedelta]) -> str:
    """A TIMETZ's zone as Postgres prints it: `+00`, `-05`, `+05:30`."""
    seconds = int(offset.total_seconds()) if offset is not None else 0
    sign, seconds = ("-" if seconds < 0 else "+"), abs(seconds)
    text = f"{sign}{seconds // 3600:02d}"
    if seconds % 3600:
        text += f":{seconds // 60 % 60:02d}" + (f":{seconds % 60:02d}" if seconds % 60 else "")
    return text


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))      # Postgres prints 1, not Python's 1.0
    return repr(value)


def _trim_fraction(text: str) -> str:
    """Postgres prints "05.25", not Python's "05.250000"."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _interval_text(value: dt.timedelta) -> str:
    """Postgres 8.0's style, which Redshift prints: `3 days`, `1 day 01:30:00`, `-01:00:00`; the sign
    is on each part, and a zero time of day is left out after days."""
    total = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    sign = "-" if total < 0 else ""
    days, micros = divmod(abs(total), 86_400 * 1_000_000)
    seconds, fraction = divmod(micros, 1_000_000)
    clock = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if fraction:
        clock = _trim_fraction(f"{clock}.{fraction:06d}")
    if not days:
        return f"{sign}{clock}"
    day_part = f"{sign}{days} day{'s' if days != 1 else ''}"
    return day_part if not micros else f"{day_part} {sign}{clock}"


_DATETIME_OIDS = (DATE, TIMESTAMP, TIMESTAMPTZ, TIME, TIMETZ)


def _time_micros(value: Any) -> int:
    """Microseconds into the day; 24:00:00 is the next day's midnight, 0 (datetime_input)."""
    if isinstance(value, str):
        return duckdb_datetime(value)[1] % _DAY_US
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _days_since_epoch(value: Any) -> int:
    if isinstance(value, str):
        return duckdb_datetime(value)[0] - _PG_EPOCH_DAYS
    day = value.date() if isinstance(value, dt.datetime) else value
    return (day - _PG_EPOCH_DATE).days


def encode_binary(value: Any, oid: int) -> bytes:
    """Postgres' binary send format for the types drivers ask binary for (redshift_connector: integers,
    floats, bool, text-like, date, timestamps, times). Raises PgTypeError for any other type."""
    try:
        if oid == BOOL:
            return b"\x01" if _as_bool(value) else b"\x00"
        if oid in _INT_FORMATS:
            return struct.pack(_INT_FORMATS[oid], int(value))
        if oid == FLOAT4:
            return struct.pack("!f", float(value))
        if oid == FLOAT8:
            return struct.pack("!d", float(value))
        if oid in (TEXT, VARCHAR, BPCHAR, NAME, UNKNOWN, SUPER):
            return encode_text(value, oid)
        if oid == DATE:
            return struct.pack("!i", _days_since_epoch(value))
        if oid in (TIMESTAMP, TIMESTAMPTZ):
            return struct.pack("!q", _micros_since_epoch(value))
        if oid == TIME:
            return struct.pack("!q", _time_micros(value))
        if oid == TIMETZ:
            # The time of day and the zone in seconds west of UTC, as Postgres' timetz_send writes them.
            if isinstance(value, str):
                return struct.pack("!qi", _time_micros(value), -duckdb_datetime(value)[2])
            offset = value.utcoffset() or dt.timedelta(0)
            return struct.pack("!qi", _time_micros(value), -int(offset.total_seconds()))
        if oid == ABSTIME:  # seconds since 1970, as redshift_connector's abstime_recv reads them
            return struct.pack("!i", int(value))
        if oid == INTERVAL:
            # The microseconds (days folded in), a zero and the months: the layout redshift_connector's
            # interval_recv_integer reads (and its interval_send_integer writes), "!qhh".
            months = getattr(value, "months", 0) or 0
            micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds \
                if isinstance(value, dt.timedelta) else int(getattr(value, "microseconds", 0))
            return struct.pack("!qhh", micros, 0, months)
        if oid == INTERVALY2M:  # the months, as redshift_connector's intervaly2m_recv reads them
            return struct.pack("!i", value.months if isinstance(value, YearToMonth) else int(value))
        if oid == INTERVALD2S:  # the microseconds (intervald2s_recv)
            return struct.pack("!q", value.microseconds if isinstance(value, DayToSecond) else int(value))
    except (TypeError, ValueError, AttributeError, struct.error, OverflowError) as exc:
        raise PgTypeError(f"cannot send {value!r} as binary type {oid}: {exc}") from None
    raise PgTypeError(f"binary format is not supported for type {oid}")


_INT_FORMATS = {INT2: "!h", INT4: "!i", INT8: "!q", OID: "!I"}


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("t", "true", "1", "y", "yes", "on")
    return bool(value)


def _micros_since_epoch(value: Any) -> int:
    if isinstance(value, str):
        days, micros, zone = duckdb_datetime(value)
        return (days - _PG_EPOCH_DAYS) * _DAY_US + micros - zone * 1_000_000
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return (value - _PG_EPOCH) // _MICROSECOND


# -- bound parameters ------------------------------------------------------------------------------

class Cast(NamedTuple):
    """A parameter sent as text for a type whose text must reach the engine as that type."""

    text: str
    sql_type: str


def decode_param(raw: Optional[bytes], oid: int, binary: bool) -> Any:
    """A Bind parameter as a Python value (or a Cast), by the type OID the client declared in Parse."""
    if raw is None:
        return None
    if oid in ARRAY_ELEMENTS:
        return _decode_array(raw, ARRAY_ELEMENTS[oid], binary)
    if binary:
        return _decode_binary(raw, oid)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = raw[error.start:error.start + 1].hex()
        raise PgTypeError(f'invalid byte sequence for encoding "UTF8": 0x{bad}', "22021") from None
    # Redshift reads a text value as a C string: it ends at a NUL (the driver's own suite, run against
    # Redshift, sends one inside a name pattern and expects the pattern cut there).
    text = text.split("\0", 1)[0]
    try:
        if oid in (INT2, INT4, INT8, OID):
            return int(text)
        if oid in (FLOAT4, FLOAT8):
            return float(text)
        if oid == NUMERIC:
            return Decimal(text)
        if oid == BOOL:
            return _as_bool(text)
    except ValueError:
        raise PgTypeError(f'invalid input syntax for type {_SQL_TYPES[oid].lower()}: "{text}"', "22P02") from None
    if oid in (DATE, TIME, TIMESTAMP, TIMESTAMPTZ, INTERVAL, INTERVALY2M, INTERVALD2S):
        return Cast(text, _SQL_TYPES[oid])
    return text


def _decode_array(raw: bytes, element_oid: int, binary: bool) -> list:
    """A one-dimensional array parameter as a list: Postgres's binary array layout (dimensions, a null
    flag, the element OID, then each element's length and bytes), or its text form `{1,2,"a b"}`."""
    if not binary:
        return [decode_param(None if item is None else item.encode(), element_oid, False)
                for item in _array_text_items(raw.decode("utf-8"))]
    try:
        dims, _, element = struct.unpack_from("!iiI", raw)
        if dims == 0:
            return []
        if dims != 1:
            raise PgTypeError("multidimensional array parameters are not supported")
        count, _ = struct.unpack_from("!ii", raw, 12)
        items, pos = [], 20
        for _ in range(count):
            (size,) = struct.unpack_from("!i", raw, pos)
            pos += 4
            items.append(None if size < 0 else decode_param(raw[pos:pos + size], element or element_oid, True))
            pos += max(size, 0)
        return items
    except struct.error as exc:
        raise PgTypeError(f"malformed binary array parameter: {exc}") from None


def _array_text_items(text: str) -> list[Optional[str]]:
    """The elements of a one-dimensional array literal `{a,"b c",NULL}` (quotes and backslashes undone)."""
    if not (text.startswith("{") and text.endswith("}")):
        raise PgTypeError(f'malformed array literal: "{text}"', "22P02")
    items, current, quoted, was_quoted, escape = [], [], False, False, False
    for char in text[1:-1]:
        if escape:
            current.append(char)
            escape = False
        elif char == "\\":
            escape = True
        elif char == '"':
            quoted, was_quoted = not quoted, True
        elif char == "," and not quoted:
            items.append(_array_item(current, was_quoted))
            current, was_quoted = [], False
        else:
            current.append(char)
    if current or was_quoted or items:
        items.append(_array_item(current, was_quoted))
    return items


def _array_item(chars: list[str], was_quoted: bool) -> Optional[str]:
    item = "".join(chars)
    return None if not was_quoted and item.strip().upper() == "NULL" else (item if was_quoted else item.strip())


def _decode_binary(raw: bytes, oid: int) -> Any:
    try:
        if oid == BOOL:
            return raw != b"\x00"
        if oid in _INT_FORMATS:
            return struct.unpack(_INT_FORMATS[oid], raw)[0]
        if oid == FLOAT4:
            return struct.unpack("!f", raw)[0]
        if oid == FLOAT8:
            return struct.unpack("!d", raw)[0]
        if oid == DATE:
            return _PG_EPOCH_DATE + dt.timedelta(days=struct.unpack("!i", raw)[0])
        if oid == TIMESTAMP:
            return _PG_EPOCH + dt.timedelta(microseconds=struct.unpack("!q", raw)[0])
        if oid == TIMESTAMPTZ:
            moment = _PG_EPOCH + dt.timedelta(microseconds=struct.unpack("!q", raw)[0])
            return moment.replace(tzinfo=dt.timezone.utc)
        if oid == INTERVAL:
            micros, days, months = struct.unpack("!qii", raw)
            return Cast(f"{months} months {days} days {micros / 1e6} seconds", "INTERVAL")
        if oid == INTERVALY2M:
            return Cast(str(YearToMonth(struct.unpack("!i", raw)[0])), _SQL_TYPES[oid])
        if oid == INTERVALD2S:
            return Cast(str(DayToSecond(struct.unpack("!q", raw)[0])), _SQL_TYPES[oid])
    except (struct.error, OverflowError) as exc:
        raise PgTypeError(f"malformed binary parameter of type {oid}: {exc}") from None
    if oid in (TEXT, VARCHAR, BPCHAR, NAME, UNKNOWN, 0):
        return raw.decode("utf-8")
    raise PgTypeError(f"binary format is not supported for parameter type {oid}")


def sql_literal(value: Any) -> str:
    """A parameter value as a Redshift SQL literal: backslashes are escapes there, so they are doubled,
    and negative numbers are parenthesized so `a-$1` never becomes the comment `a--1`."""
    if value is None:
        return "NULL"
    if isinstance(value, Cast):
        return f"CAST({_quote(value.text)} AS {value.sql_type})"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, Decimal, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return f"CAST('{_float_text(value)}' AS DOUBLE PRECISION)"
        if isinstance(value, Decimal) and not value.is_finite():
            return "CAST('NaN' AS NUMERIC)"
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return f"({text})" if text.startswith("-") else text
    if isinstance(value, dt.datetime):
        sql_type = "TIMESTAMPTZ" if value.tzinfo else "TIMESTAMP"
        return f"CAST({_quote(_text(value, TIMESTAMPTZ if value.tzinfo else TIMESTAMP))} AS {sql_type})"
    if isinstance(value, dt.date):
        return f"CAST('{value.isoformat()}' AS DATE)"
    if isinstance(value, list):
        return "ARRAY[" + ", ".join(sql_literal(item) for item in value) + "]"
    return _quote(str(value))


def null_literal(oid: int) -> str:
    """A typed NULL standing in for a parameter, to learn a statement's columns before it is bound."""
    sql_type = _SQL_TYPES.get(oid)
    return f"CAST(NULL AS {sql_type})" if sql_type else "NULL"


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


# A $n placeholder, or a span in which "$n" is not one: quoted strings, quoted identifiers, comments
# and dollar-quoted bodies (CREATE PROCEDURE ... AS $$ ... $1 ... $$ refers to its own arguments).
# Identifiers may hold `$` and digits (`catalog$123`), so a `$` right after a word character is no
# placeholder.
_SPANS = re.compile(
    r"""(?P<skip>'(?:[^'\\]|\\.|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|(?P<tag>\$[A-Za-z_]*\$).*?(?P=tag))"""
    r"""|(?P<param>(?<![\w$])\$(?P<n>\d+))""",  # not inside an identifier: `name$1` is a name
    re.DOTALL,
)


def parameter_count(sql: str) -> int:
    """The highest $n the statement refers to."""
    return max((int(m.group("n")) for m in _SPANS.finditer(sql) if m.group("param")), default=0)


def bind_parameters(sql: str, literals: list[str]) -> str:
    """The statement with each $n replaced by literals[n-1]."""
    def replace(match: re.Match) -> str:
        if not match.group("param"):
            return match.group(0)
        return literals[int(match.group("n")) - 1]
    return _SPANS.sub(replace, sql)
