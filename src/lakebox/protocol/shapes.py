"""Wire-value helpers shared by every protocol: timestamps, base64 blobs, modeled error lookup.

Parsers and serializers of all protocols (json, query, rest-xml) import these, so they stay free of
protocol knowledge: a function here takes a value and a format name, never a request. Imports only the
standard library and botocore's model classes.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import datetime as dt
import math
import re
from decimal import Decimal
from email.utils import formatdate, parsedate_to_datetime
from typing import Optional, Union

from botocore.model import ServiceModel, Shape, StructureShape

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

#: Timestamp format names as botocore spells them in `timestampFormat` (compared case-insensitively).
ISO8601 = "iso8601"
RFC822 = "rfc822"
UNIX = "unixtimestamp"

# ISO 8601 as AWS clients send it: date, optional time with any number of fraction digits, and a
# zone that is "Z", "+hh:mm", "+hhmm" or absent (meaning UTC). Python 3.10's fromisoformat rejects
# "Z" and odd fraction lengths, so the grammar is spelled out here.
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_EPOCH_RE = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")

TimestampInput = Union[dt.datetime, dt.date, int, float, Decimal, str]


def parse_timestamp(value: TimestampInput, fmt: Optional[str] = None) -> dt.datetime:
    """A timezone-aware UTC datetime from any wire form of a timestamp.

    `fmt` is the format the model declares; it is only a hint, because clients are lenient in what
    they send (boto3 serializes epoch seconds where the model says iso8601 if the user passes a
    number to a custom client). Raises ValueError for text that is no timestamp at all.
    """
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float, Decimal)):
        return _from_epoch(value)
    text = str(value).strip()
    if _EPOCH_RE.match(text):
        return _from_epoch(Decimal(text))
    match = _ISO_RE.match(text)
    if match:
        return _from_iso_match(match)
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return parse_timestamp(parsed)


def _from_epoch(value: Union[int, float, Decimal]) -> dt.datetime:
    # timedelta rounds to whole microseconds, which absorbs the binary-float noise of values such
    # as 1767323045.123 instead of yielding .122999.
    try:
        seconds = value if isinstance(value, Decimal) else float(value)
        whole = math.floor(seconds)
        micros = round((seconds - whole) * 1_000_000)
        return EPOCH + dt.timedelta(seconds=whole, microseconds=int(micros))
    except ArithmeticError as exc:  # overflow, or a Decimal NaN
        raise ValueError(f"timestamp out of range: {value!r}") from exc


def _from_iso_match(match: re.Match) -> dt.datetime:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    parsed = dt.datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micros
    )
    offset = dt.timedelta(0)
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return (parsed - offset).replace(tzinfo=dt.timezone.utc)


def format_timestamp(value: TimestampInput, fmt: str) -> Union[str, float]:
    """Render a timestamp for the wire: iso8601 and rfc822 give text, unixTimestamp a float.

    Precision is milliseconds, as AWS services send it (`2026-01-02T03:04:05.000Z`,
    `1767323045.123`); RFC 822 has whole seconds only.
    """
    moment = parse_timestamp(value)
    kind = fmt.lower()
    if kind == ISO8601:
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"
    if kind == RFC822:
        return formatdate(calendar.timegm(moment.timetuple()), usegmt=True)
    if kind == UNIX:
        return calendar.timegm(moment.timetuple()) + (moment.microsecond // 1000) / 1000.0
    raise ValueError(f"unknown timestamp format {fmt!r}")


def timestamp_format(shape: Shape, default: str) -> str:
    """The format a timestamp shape declares, else the protocol's default."""
    return shape.serialization.get("timestampFormat", default)


def b64encode(value: Union[bytes, bytearray, str]) -> str:
    """Base64 text of a blob; a str blob is taken as its UTF-8 bytes (botocore does the same)."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(bytes(value)).decode("ascii")


def b64decode(text: Union[str, bytes]) -> bytes:
    """Bytes of base64 text. Missing padding is tolerated; other junk raises ValueError."""
    if isinstance(text, str):
        text = text.encode("ascii", errors="strict")
    text = text.strip()
    text += b"=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"invalid base64: {exc}") from exc


def error_shape_for(service_model: ServiceModel, code: str) -> Optional[StructureShape]:
    """The modeled error shape for a wire code ("ClusterNotFound") or a shape name ("ClusterNotFoundFault")."""
    shape = service_model.shape_for_error_code(code)
    if shape is not None:
        return shape
    if code in service_model.shape_names:
        candidate = service_model.shape_for(code)
        if candidate.metadata.get("exception"):
            return candidate
    return None


def wire_error_code(service_model: ServiceModel, code: str) -> str:
    """The code AWS puts on the wire for `code`.

    Query services name error shapes `XFault` but send `X` (the shape's `error.code`); accepting
    either spelling keeps providers from having to know which one the wire uses.
    """
    shape = error_shape_for(service_model, code)
    return shape.error_code if shape is not None else code
