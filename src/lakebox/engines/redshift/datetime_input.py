"""Redshift's date and time input: the text of a DATE, TIMESTAMP, TIMESTAMPTZ, TIME or TIMETZ value
read as Redshift reads it, and written in the one form DuckDB reads; the proleptic calendar the wire
protocol counts days in; and the obsolete ABSTIME's values.

Input follows AWS's "Date, time, and timestamp literals" with the default DateStyle (ISO, MDY):
- dates `1999-01-08`, `1/8/1999`, `01-06-2020`, `01.20.2020` (month first), `01/02/00` (a two-digit
  year is 1970-2069), `January 8, 1999`, `Jun 1,2008`, `2000-Jan-31`, `Jan-31-2000`, `31-Jan-2000`,
  `20080215`, `080215`, `2008.366` (a year and a day of it), years past 9999, `BC` and `AD`;
- times `04:05:06.789`, `04:05`, `040506`, `04:05 PM`, and `24:00:00`, the end of a day;
- zones: numeric offsets (`+05`, `-0330`, `+05:30`), Postgres 8's abbreviations (`EST`, `CET`, `WDT`
  ...) and the IANA names (`US/Pacific`).
A TIMESTAMP ignores a zone (AWS: "Time zone values in input strings are ignored"); a TIMESTAMPTZ or a
TIMETZ is turned to UTC, as Redshift stores them. A TIME of 24:00:00 is midnight: Redshift answers
it as 00:00:00 (what redshift_connector's suite, run against Redshift, expects of both protocols).

Redshift's timestamps reach 294276-12-31; DuckDB's, 64-bit microseconds since 1970, end at
294247-01-10 04:00:54.775806. A timestamp in the 29 years between is stored as DuckDB's last one (it
stays later than every other timestamp; a client's datetime shows both as its maximum); a later one
is left for DuckDB to refuse, as Redshift refuses it.

Text this module does not understand is returned as None, and DuckDB reads it (`infinity`, `epoch`)
or refuses it in its own words. Standard library only: the wire protocol uses the calendar too.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import lru_cache
from typing import NamedTuple, Optional

DATE, TIMESTAMP, TIMESTAMPTZ, TIME, TIMETZ = "DATE", "TIMESTAMP", "TIMESTAMPTZ", "TIME", "TIMETZ"
KINDS = (DATE, TIMESTAMP, TIMESTAMPTZ, TIME, TIMETZ)

_DAY_US = 86_400_000_000
#: DuckDB's last timestamp and Redshift's, 294276-12-31 23:59:59.999999 (microseconds since 1970-01-01).
_DUCKDB_LAST_US = (1 << 63) - 2
_REDSHIFT_LAST_US = 9_224_318_015_999_999_999
_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")), start=1) for name in names}
_WEEKDAYS = {"sun", "sunday", "mon", "monday", "tue", "tues", "tuesday", "wed", "weds", "wednesday", "thu",
             "thur", "thurs", "thursday", "fri", "friday", "sat", "saturday"}
#: Zone abbreviations Redshift (Postgres 8.0.2) knows, as hours east of UTC.
_ABBREVIATIONS = {
    "utc": 0, "ut": 0, "gmt": 0, "z": 0, "zulu": 0, "wet": 0, "west": 1, "wetdst": 1, "bst": 1, "cet": 1,
    "met": 1, "mez": 1, "mewt": 1, "cest": 2, "mest": 2, "cetdst": 2, "metdst": 2, "eet": 2, "eest": 3,
    "eetdst": 3, "ist": 2, "msk": 3, "msd": 4, "bt": 3, "eat": 3, "irt": 3.5, "it": 3.5, "get": 4, "gest": 5,
    "aft": 4.5, "pkt": 5, "npt": 5.75, "ict": 7, "wast": 7, "cct": 8, "hkt": 8, "awst": 8, "wst": 8, "wadt": 8,
    "myt": 8, "pht": 8, "jst": 9, "kst": 9, "wdt": 9, "awsst": 9, "cast": 9.5, "sast": 9.5, "cadt": 10.5,
    "sadt": 10.5, "aest": 10, "gst": 10, "aesst": 11, "nzst": 12, "nzt": 12, "nzdt": 13,
    "ast": -4, "adt": -3, "nst": -3.5, "nft": -3.5, "ndt": -2.5, "est": -5, "edt": -4, "cst": -6, "cdt": -5,
    "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "akst": -9, "akdt": -8, "yst": -9, "ydt": -8, "hst": -10,
    "hdt": -9, "ahst": -10, "wat": -1, "art": -3, "clt": -4, "clst": -3,
}

_TOKEN = re.compile(r"""
    (?P<date>\d+[-/.]\d+(?:[-/.]\d+)?(?![\d:])|\d+[-/.][a-z]+[-/.]\d+|[a-z]+[-/.]\d+[-/.]\d+)
  | (?P<time>\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d*)?)?)
  | (?P<offset>[+-]\d{1,2}(?::?\d{2}){0,2}(?![\d.]))
  | (?P<number>\d+(?:\.\d*)?)
  | (?P<word>[a-z][a-z0-9_/+-]*)
  | (?P<skip>[\s,]+)
""", re.VERBOSE)


class Moment(NamedTuple):
    """A date (astronomical year: 1 BC is year 0) and a time of day in microseconds, perhaps a zone."""
    year: Optional[int]
    month: Optional[int]
    day: Optional[int]
    micros: Optional[int]
    zone: Optional[str | int]   # seconds east of UTC, or an IANA name


def canonical(text: str, kind: str) -> Optional[str]:
    """The value of `text` as the type `kind` (DATE, TIMESTAMP ...), in the form DuckDB reads; None
    when the text is not one this module reads (DuckDB then reads or refuses it itself)."""
    moment = parse(text)
    if moment is None:
        return None
    has_date, has_time = moment.year is not None, moment.micros is not None
    if kind == DATE:
        return _date_text(moment.year, moment.month, moment.day) if has_date else None
    if kind in (TIME, TIMETZ):
        if not has_time:
            return None
        micros = moment.micros
        if kind == TIMETZ:
            micros -= _offset(moment, dt.date.today()) * 1_000_000
            return _clock(micros % _DAY_US) + "+00"
        return _clock(micros % _DAY_US)
    if kind not in (TIMESTAMP, TIMESTAMPTZ) or not has_date:
        return None
    micros = _days(moment) * _DAY_US + (moment.micros or 0)
    if kind == TIMESTAMPTZ:
        micros -= _offset(moment, None) * 1_000_000
    if _DUCKDB_LAST_US < micros <= _REDSHIFT_LAST_US:
        micros = _DUCKDB_LAST_US
    return timestamp_text(micros) + ("+00" if kind == TIMESTAMPTZ else "")


def parse(text: str) -> Optional[Moment]:
    """The date, time and zone a datetime text says, or None when it says something else."""
    source = re.sub(r"(?<=\d)t(?=\d)", " ", text.strip().lower())  # ISO 8601's `2008-02-15T04:05`
    year = month = day = micros = zone = None
    numbers: list[str] = []
    month_named = bc = False
    meridiem = None
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            return None
        position = match.end()
        kind, token = match.lastgroup, match.group()
        if kind == "skip":
            continue
        if kind == "date" and year is None:
            found = _date_token(token)
            if found is None:
                return None
            year, month, day = found
        elif kind == "time" and micros is None:
            micros = _time_token(token)
            if micros is None:
                return None
        elif kind == "offset" and micros is not None and zone is None:
            zone = _offset_token(token)
        elif kind == "number" and "." not in token and len(token) in (6, 8) and year is None and not numbers \
                and month is None:
            year, month, day = int(token[:-4]), int(token[-4:-2]), int(token[-2:])   # 20080215, 080215
            if len(token) == 6:
                year = _two_digit_year(year)
        elif kind == "number" and "." not in token and len(token) == 6 and micros is None:
            micros = _time_token(f"{token[:2]}:{token[2:4]}:{token[4:]}")             # 040506
        elif kind == "number" and "." not in token:
            numbers.append(token)
        elif kind == "word" and token in _MONTHS and month is None:
            month, month_named = _MONTHS[token], True
        elif kind == "word" and (token in _WEEKDAYS or token in ("ad", "on", "at")):
            continue
        elif kind == "word" and token == "bc":
            bc = True
        elif kind == "word" and token in ("am", "pm"):
            meridiem = token
        elif kind == "word" and zone is None and _zone(token) is not None:
            zone = _zone(token)
        else:
            return None
    if month_named and day is None:
        year, day = _year_and_day(numbers)
    elif numbers:
        return None
    if micros is not None and meridiem is not None:
        hour = micros // 3_600_000_000
        if not 1 <= hour <= 12:
            return None
        micros += (-12 if hour == 12 else 0) * 3_600_000_000 + (12 * 3_600_000_000 if meridiem == "pm" else 0)
    if year is not None:
        if bc:
            year = 1 - year
        if month is None or day is None or not 1 <= month <= 12 or not 1 <= day <= _month_days(year, month):
            return None
    elif bc:
        return None
    return Moment(year, month, day, micros, zone)


def _date_token(token: str) -> Optional[tuple]:
    """(year, month, day) of `2020-01-06`, `01/06/2020`, `01.20.2020`, `2000-jan-31`, `31-jan-2000`,
    `jan-31-2000` or `2008.366`."""
    parts = re.split(r"[-/.]", token)
    if len(parts) == 2:
        if "." not in token or len(parts[1]) != 3:
            return None
        year, day_of_year = int(parts[0]), int(parts[1])
        if not 1 <= day_of_year <= (366 if _month_days(year, 2) == 29 else 365):
            return None
        return civil_from_days(days_from_civil(year, 1, 1) + day_of_year - 1)
    first, middle, last = parts
    if first.isalpha():
        month, (year, day) = _MONTHS.get(first), _year_and_day([middle, last])
    elif middle.isalpha():
        month = _MONTHS.get(middle)
        year, day = (int(first), int(last)) if len(first) > 2 else (_year(last), int(first))
    elif len(first) > 2:
        year, month, day = int(first), int(middle), int(last)
    else:
        month, day, year = int(first), int(middle), _year(last)
    return None if month is None or year is None or day is None else (year, month, day)


def _year_and_day(numbers: list) -> tuple:
    """The year and the day of a date whose month is a name: `Jun 1, 2008`, `17 Dec 1997`, `2000 Jan 31`."""
    if len(numbers) != 2:
        return None, None
    first, second = numbers
    if len(first) > 2:
        return int(first), int(second)
    return _year(second), int(first)


def _year(text: str) -> int:
    return _two_digit_year(int(text)) if len(text) == 2 else int(text)


def _two_digit_year(year: int) -> int:
    return year + (2000 if year < 70 else 1900)


def _time_token(token: str) -> Optional[int]:
    """Microseconds into the day of `04:05[:06[.789]]`; 24:00:00 is the day's end."""
    pieces = token.split(":")
    hour, minute = int(pieces[0]), int(pieces[1])
    seconds = pieces[2] if len(pieces) > 2 else "0"
    whole, _, fraction = seconds.partition(".")
    second = int(whole)
    micros = round(float("0." + fraction) * 1_000_000) if fraction else 0
    if minute > 59 or second > 59 or hour > 24 or (hour == 24 and (minute or second or micros)):
        return None
    return ((hour * 60 + minute) * 60 + second) * 1_000_000 + micros


def _offset_token(token: str) -> int:
    """Seconds east of UTC of `+05`, `-0330`, `+05:30` or `+05:30:15`."""
    sign = -1 if token[0] == "-" else 1
    digits = token[1:].replace(":", "")
    hours = digits[:1] if len(digits) % 2 else digits[:2]
    rest = digits[len(hours):]
    minutes, seconds = int(rest[:2] or 0), int(rest[2:4] or 0)
    return sign * (int(hours) * 3600 + minutes * 60 + seconds)


def _zone(word: str):
    """Seconds east of UTC for an abbreviation, or the IANA name a word spells (in any case)."""
    if word in _ABBREVIATIONS:
        return int(_ABBREVIATIONS[word] * 3600)
    return _zone_names().get(word)


@lru_cache(maxsize=1)
def _zone_names() -> dict:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _offset(moment: Moment, day: Optional[dt.date]) -> int:
    """Seconds east of UTC of the moment's zone (none: the session's, UTC); a named zone's offset is
    the one in force on its date (a TIMETZ's: today's, as Postgres takes it)."""
    if moment.zone is None or isinstance(moment.zone, int):
        return moment.zone or 0
    if day is None and 1 <= moment.year <= 9999:
        day = dt.date(moment.year, moment.month, moment.day)
    elif day is None:  # past Python's calendar: the zone's rules of the nearest year it has
        day = dt.date(min(max(moment.year, 1), 9999), moment.month, min(moment.day, 28))
    local = dt.datetime.combine(day, dt.time()) + dt.timedelta(microseconds=(moment.micros or 0) % _DAY_US)
    offset = local.replace(tzinfo=zoneinfo.ZoneInfo(moment.zone)).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _days(moment: Moment) -> int:
    return days_from_civil(moment.year, moment.month, moment.day)


# -- the calendar ----------------------------------------------------------------------------------

def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a date of the proleptic Gregorian calendar (astronomical year: 1 BC is 0),
    any year: the wire protocol counts dates Python's datetime cannot hold this way."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of the date `days` after 1970-01-01 (the inverse of days_from_civil)."""
    days += 719468
    era = days // 146097
    day_of_era = days - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + (3 if shifted_month < 10 else -9)
    return year_of_era + era * 400 + (month <= 2), month, day


def _date_text(year: int, month: int, day: int) -> str:
    """DuckDB's spelling of a date: `2020-01-06`, `294276-01-02`, `4713-01-12 (BC)`."""
    if year <= 0:
        return f"{1 - year:04d}-{month:02d}-{day:02d} (BC)"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _clock(micros: int) -> str:
    seconds, fraction = divmod(micros, 1_000_000)
    text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return text + (f".{fraction:06d}" if fraction else "")


def timestamp_text(micros: int) -> str:
    """DuckDB's spelling of the timestamp `micros` after 1970-01-01 00:00:00."""
    days, of_day = divmod(micros, _DAY_US)
    return f"{_date_text(*civil_from_days(days))} {_clock(of_day)}"


# -- DuckDB's text -----------------------------------------------------------------------------------

#: DuckDB's text of a date, timestamp or time, which its Python client hands over for the values
#: Python's datetime cannot hold: years past 9999, BC, and the time 24:00:00.
_DUCKDB_TEXT = re.compile(r"(?:(?P<year>\d+)-(?P<month>\d\d)-(?P<day>\d\d)(?P<bc> \(BC\))?[ T]?)?"
                          r"(?:(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)(?P<fraction>\.\d+)?)?"
                          r"(?P<zone>[+-]\d\d(?::\d\d){0,2})?")


def duckdb_datetime(text: str) -> tuple[int, int, int]:
    """(days since 1970-01-01, microseconds into the day, seconds east of UTC) of DuckDB's text of a
    date, timestamp or time (`294276-01-02`, `4713-01-12 (BC) 00:00:00`, `24:00:00+01`)."""
    match = _DUCKDB_TEXT.fullmatch(text.strip())
    if match is None or not (match.group("year") or match.group("hour")):
        raise ValueError(f"not a date or time: {text!r}")
    days = micros = zone = 0
    if match.group("year"):
        year = int(match.group("year"))
        days = days_from_civil(1 - year if match.group("bc") else year, int(match.group("month")),
                               int(match.group("day")))
    if match.group("hour"):
        micros = ((int(match.group("hour")) * 60 + int(match.group("minute"))) * 60
                  + int(match.group("second"))) * 1_000_000
        micros += round(float("0" + match.group("fraction")) * 1_000_000) if match.group("fraction") else 0
    if match.group("zone"):
        sign = -1 if match.group("zone")[0] == "-" else 1
        parts = [int(p) for p in match.group("zone")[1:].split(":")] + [0, 0]
        zone = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])
    return days, micros, zone


def postgres_datetime_text(text: str, is_time: bool) -> str:
    """Postgres' text of a value given in DuckDB's: `4713-01-12 BC` (DuckDB writes `4713-01-12 (BC)`);
    a time of 24:00:00 is midnight, as Redshift answers it."""
    if is_time and text.startswith("24:"):
        return "00" + text[2:]
    if " (BC)" in text:
        return text.replace(" (BC)", "") + " BC"
    return text


# -- ABSTIME -----------------------------------------------------------------------------------------

#: Postgres' ABSTIME: seconds since 1970 in 32 bits, with three values of its own.
ABSTIME_INFINITY, ABSTIME_INVALID, ABSTIME_MINUS_INFINITY = 0x7FFFFFFC, 0x7FFFFFFE, -(1 << 31)
_ABSTIME_WORDS = {"infinity": ABSTIME_INFINITY, "-infinity": ABSTIME_MINUS_INFINITY,
                  "invalid": ABSTIME_INVALID, "epoch": 0}


class AbsTime(int):
    """An ABSTIME value: seconds since 1970-01-01 UTC, sent as 4 bytes; printed as Postgres prints it."""

    def __str__(self) -> str:
        for word, value in _ABSTIME_WORDS.items():
            if self == value and word != "epoch":
                return word
        return timestamp_text(int(self) * 1_000_000) + "+00"


def abstime_seconds(text: str) -> Optional[int]:
    """The ABSTIME a text says: `infinity` (the last value, 2038-01-19 03:14:04 UTC), `-infinity` (the
    first, 1901-12-13 20:45:52 UTC), `invalid`, or a timestamp (UTC unless it names a zone); None for
    text that is none of these or a time outside ABSTIME's range."""
    word = text.strip().lower()
    if word in _ABSTIME_WORDS:
        return _ABSTIME_WORDS[word]
    moment = parse(text)
    if moment is None or moment.year is None:
        return None
    seconds = _days(moment) * 86400 + (moment.micros or 0) // 1_000_000 - _offset(moment, None)
    return seconds if ABSTIME_MINUS_INFINITY < seconds < ABSTIME_INFINITY else None
