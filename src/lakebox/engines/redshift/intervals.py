"""Redshift's interval values: INTERVAL YEAR TO MONTH (`intervaly2m`, a count of months) and INTERVAL
DAY TO SECOND (`intervald2s`, a count of microseconds), read from text and printed as text.

Input follows AWS's "Interval data types and literals": units with their abbreviations and plurals
(`'37 months'`, `'10 days 48 hours'`, `'5s'`), the SQL standard forms (`'1-2'` years-months,
`'10 23:59:59.999999'` days and a time), and a bare number in the unit the qualifier ends with
(`'23' MONTH`). A qualifier drops the units smaller than its last one (`'13 months' YEAR` is 1
year). A value with both year-month and day-time parts is refused, as Redshift refuses it while
`interval_forbid_composite_literals` is true (its default). Output is the `postgres` IntervalStyle,
Redshift's default: `1 year 2 mons`, `1 day 02:03:04.5678`.

Standard library only: the wire protocol and the Data API print these values too.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

Y2M, D2S = "intervaly2m", "intervald2s"

_DAY = 86_400_000_000
_HOUR = 3_600_000_000
_MINUTE = 60_000_000
_SECOND = 1_000_000
#: Each unit word -> (months, microseconds) it stands for.
_UNIT_WORDS = (
    (("millennium", "millennia", "millenniums", "mil", "mils"), (12000, 0)),
    (("century", "centuries", "cent", "c"), (1200, 0)),
    (("decade", "decades", "dec", "decs"), (120, 0)),
    (("year", "years", "y", "yr", "yrs"), (12, 0)),
    (("month", "months", "mon", "mons"), (1, 0)),
    (("week", "weeks", "w"), (0, 7 * _DAY)),
    (("day", "days", "d"), (0, _DAY)),
    (("hour", "hours", "h", "hr", "hrs"), (0, _HOUR)),
    (("minute", "minutes", "m", "min", "mins"), (0, _MINUTE)),
    (("second", "seconds", "s", "sec", "secs"), (0, _SECOND)),
    (("millisecond", "milliseconds", "ms", "msec", "msecs"), (0, 1000)),
    (("microsecond", "microseconds", "us", "usec", "usecs"), (0, 1)))
_UNITS = {word: value for words, value in _UNIT_WORDS for word in words}
#: The last field of a qualifier -> the unit a bare number is counted in.
_FIELD_UNITS = {"YEAR": (12, 0), "MONTH": (1, 0), "DAY": (0, _DAY), "HOUR": (0, _HOUR), "MINUTE": (0, _MINUTE),
                "SECOND": (0, _SECOND)}
_PIECE = re.compile(r"\s*(?:(?P<ym>[+-]?\d+-\d+)(?![\d:])|(?P<time>[+-]?\d+:\d+(?::\d+(?:\.\d*)?)?)"
                    r"|(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))|(?P<word>[a-z]+)|(?P<comma>,))")
_MIN_INT4, _MAX_INT4 = -(1 << 31), (1 << 31) - 1
_MIN_INT8, _MAX_INT8 = -(1 << 63), (1 << 63) - 1


class IntervalError(ValueError):
    """Text that is no interval, or an interval out of its type's range; `sqlstate` says which."""

    def __init__(self, message: str, sqlstate: str = "22P02"):
        super().__init__(message)
        self.message, self.sqlstate = message, sqlstate


class YearToMonth(NamedTuple):
    """An INTERVAL YEAR TO MONTH: months, as a signed 32-bit integer."""
    months: int

    def __str__(self) -> str:
        years = _toward_zero(self.months, 12)
        return _postgres_style([(years, "year"), (self.months - 12 * years, "mon")], 0)


class DayToSecond(NamedTuple):
    """An INTERVAL DAY TO SECOND: microseconds, as a signed 64-bit integer."""
    microseconds: int

    def __str__(self) -> str:
        days = _toward_zero(self.microseconds, _DAY)
        return _postgres_style([(days, "day")], self.microseconds - days * _DAY)


def _toward_zero(value: int, unit: int) -> int:
    return -(-value // unit) if value < 0 else value // unit


def _postgres_style(parts: list, micros: int) -> str:
    """Postgres's `postgres` IntervalStyle: each nonzero part with its sign, then a clock if there is
    time or nothing else (`00:00:00`); a positive clock after a negative part is written `+hh:mm:ss`."""
    words, before_negative = [], False
    for value, unit in parts:
        if value:
            words.append(f"{value} {unit}{'' if value == 1 else 's'}")
            before_negative = value < 0
    if micros or not words:
        sign = "-" if micros < 0 else ("+" if before_negative else "")
        hours, rest = divmod(abs(micros), _HOUR)
        minutes, rest = divmod(rest, _MINUTE)
        seconds, fraction = divmod(rest, _SECOND)
        clock = f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"
        if fraction:
            clock += f".{fraction:06d}".rstrip("0")
        words.append(clock)
    return " ".join(words)


def parse(text: str, qualifier: str = "") -> tuple[int, int]:
    """(months, microseconds) that `text` says; `qualifier` ("YEAR TO MONTH", "MINUTE TO SECOND", "DAY"
    ...) tells the unit of a bare number and how a two-part clock `a:b` is read."""
    source = text
    text = text.strip().lower()
    if text.startswith("@"):
        text = text[1:]
    ago = text.endswith(" ago")
    if ago:
        text = text[:-4]
    pieces, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _PIECE.match(text, pos)
        if not match or match.end() == pos:
            raise _invalid(source)
        pieces.append((match.lastgroup, match.group(match.lastgroup)))
        pos = match.end()
    if not pieces:
        raise _invalid(source)
    fields = qualifier.upper().split()
    last_field = fields[-1] if fields else ""
    months, micros = Decimal(0), Decimal(0)
    i = 0
    while i < len(pieces):
        kind, value = pieces[i]
        following = pieces[i + 1] if i + 1 < len(pieces) else (None, None)
        if kind == "comma":
            i += 1
            continue
        if kind == "ym":
            sign = -1 if value.startswith("-") else 1
            years, _, month_part = value.lstrip("+-").partition("-")
            months += sign * (int(years) * 12 + int(month_part))
        elif kind == "time":
            micros += _clock(value, minutes_first=qualifier.upper().startswith("MINUTE"))
        elif kind == "num":
            number = _decimal(value, source)
            if following[0] == "word":
                unit = _UNITS.get(following[1])
                if unit is None:
                    raise _invalid(source)
                months += number * unit[0]
                micros += number * unit[1]
                i += 1
            elif following[0] == "time":
                micros += number * _DAY
            else:
                unit = _FIELD_UNITS.get(last_field, (0, _SECOND))
                months += number * unit[0]
                micros += number * unit[1]
        else:
            raise _invalid(source)
        i += 1
    whole_months = int(months)  # a fraction of a month is days of 30 (Postgres's rule)
    micros += (months - whole_months) * 30 * _DAY
    result = (whole_months, int(micros))
    return (-result[0], -result[1]) if ago else result


def _decimal(text: str, source: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _invalid(source) from None


def _clock(text: str, minutes_first: bool) -> Decimal:
    sign = -1 if text.startswith("-") else 1
    parts = text.lstrip("+-").split(":")
    if len(parts) == 2 and minutes_first:
        value = int(parts[0]) * _MINUTE + Decimal(parts[1]) * _SECOND
    else:
        value = int(parts[0]) * _HOUR + int(parts[1]) * _MINUTE + (Decimal(parts[2]) * _SECOND if len(parts) > 2
                                                                     else 0)
    return sign * value


def _invalid(text: str) -> IntervalError:
    return IntervalError(f'invalid input syntax for type interval: "{text}"')


def year_to_month(text: str, qualifier: str = "YEAR TO MONTH") -> int:
    """The months of an INTERVAL YEAR TO MONTH read from text, truncated to years by a YEAR qualifier."""
    months, micros = parse(text, qualifier)
    if months and micros:
        raise IntervalError("Interval Year To Month literal cannot contain day-time parts. Disable the GUC "
                            "interval_forbid_composite_literals to suppress this error and silently discard "
                            "the day-time part.", "22007")
    if qualifier.upper().split()[-1:] == ["YEAR"]:
        months = _toward_zero(months, 12) * 12
    if not _MIN_INT4 <= months <= _MAX_INT4:
        raise IntervalError("interval out of range", "22008")
    return months


def day_to_second(text: str, qualifier: str = "DAY TO SECOND") -> int:
    """The microseconds of an INTERVAL DAY TO SECOND read from text, truncated to the qualifier's last
    field (`DAY TO MINUTE` drops the seconds)."""
    months, micros = parse(text, qualifier)
    if months and micros:
        raise IntervalError("Interval Day To Second literal cannot contain year-month parts. Disable the GUC "
                            "interval_forbid_composite_literals to suppress this error and silently discard "
                            "the year-month part.", "22007")
    last = (qualifier.upper().split() or ["SECOND"])[-1]
    unit = _FIELD_UNITS.get(last, (0, 1))[1]
    if last != "SECOND":
        micros = _toward_zero(micros, unit) * unit
    if not _MIN_INT8 <= micros <= _MAX_INT8:
        raise IntervalError("interval out of range", "22008")
    return micros
