"""TO_CHAR of a date or timestamp: Redshift's (Postgres's) datetime format templates.

sqlglot turns a template into strftime codes, and DuckDB's strftime has no form of much of it:
the case of `MON`/`Mon`/`mon` and `DAY`/`Day`/`day`, names blank-padded to 9 characters, `D`
(Sunday is 1), `Q`, `WW`, `W`, `MS`, `RM`, `CC`, `J`, and it printed `6ay` for `Day`. So a template
is read here, part by part, as AWS's "Datetime format strings" page lists them: numeric parts in
either case, name parts in the case they are written in, `FM` before a part to drop its padding,
double-quoted text as it is, anything else as it is.

Registered on each session's DuckDB connection as `redshift_to_char_time(timestamp, template)`.
Imports nothing from lakebox.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable, Optional

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _number(width: int, value: Callable[[dt.datetime], int]) -> Callable[[dt.datetime, bool], str]:
    """A numeric part: zero-padded to `width` digits, unpadded under FM."""
    return lambda moment, fill: str(value(moment)) if fill else f"{value(moment):0{width}d}"


def _last_digits(digits: int, value: Callable[[dt.datetime], int]) -> Callable[[dt.datetime, bool], str]:
    return lambda moment, fill: str(value(moment) % 10 ** digits) if fill \
        else f"{value(moment) % 10 ** digits:0{digits}d}"


def _hour12(moment: dt.datetime) -> int:
    return (moment.hour + 11) % 12 + 1


#: Numeric parts, matched in either case, longest first.
_NUMERIC = {
    "Y,YYY": lambda m, fill: f"{m.year // 1000},{m.year % 1000:03d}",
    "YYYY": _number(4, lambda m: m.year), "YYY": _last_digits(3, lambda m: m.year),
    "YY": _last_digits(2, lambda m: m.year), "Y": _last_digits(1, lambda m: m.year),
    "IYYY": _number(4, lambda m: m.isocalendar()[0]), "IYY": _last_digits(3, lambda m: m.isocalendar()[0]),
    "IY": _last_digits(2, lambda m: m.isocalendar()[0]),
    "IDDD": _number(3, lambda m: (m.isocalendar()[1] - 1) * 7 + m.isocalendar()[2]),
    "ID": _number(1, lambda m: m.isoweekday()), "IW": _number(2, lambda m: m.isocalendar()[1]),
    "I": _last_digits(1, lambda m: m.isocalendar()[0]),
    "CC": _number(2, lambda m: (m.year + 99) // 100), "Q": _number(1, lambda m: (m.month - 1) // 3 + 1),
    "MM": _number(2, lambda m: m.month), "WW": _number(2, lambda m: (m.timetuple().tm_yday - 1) // 7 + 1),
    "W": _number(1, lambda m: (m.day - 1) // 7 + 1), "DDD": _number(3, lambda m: m.timetuple().tm_yday),
    "DD": _number(2, lambda m: m.day), "D": _number(1, lambda m: m.isoweekday() % 7 + 1),
    "J": _number(1, lambda m: m.toordinal() + 1721425),
    "HH24": _number(2, lambda m: m.hour), "HH12": _number(2, _hour12), "HH": _number(2, _hour12),
    "MI": _number(2, lambda m: m.minute), "SS": _number(2, lambda m: m.second),
    "MS": _number(3, lambda m: m.microsecond // 1000), "US": _number(6, lambda m: m.microsecond),
    "OF": lambda m, fill: "+00", "TZ": lambda m, fill: "UTC",  # sessions run in UTC
}
#: Name parts: the name, and the width it is blank-padded to.
_NAMES = {"MONTH": (lambda m: _MONTHS[m.month - 1], 9), "MON": (lambda m: _MONTHS[m.month - 1][:3], 3),
          "DAY": (lambda m: _DAYS[m.weekday()], 9), "DY": (lambda m: _DAYS[m.weekday()][:3], 3),
          "RM": (lambda m: _ROMAN[m.month - 1], 4)}
#: Meridian and era indicators, written as they are to be shown.
_INDICATORS = {"A.M.": ("A.M.", "P.M."), "P.M.": ("A.M.", "P.M."), "AM": ("AM", "PM"), "PM": ("AM", "PM"),
               "B.C.": ("B.C.", "A.D."), "A.D.": ("B.C.", "A.D."), "BC": ("BC", "AD"), "AD": ("BC", "AD")}

_ERAS = {"B.C.", "A.D.", "BC", "AD"}

_PART = re.compile("|".join(re.escape(p) for p in sorted([*_NUMERIC, *_NAMES, *_INDICATORS], key=len, reverse=True)),
                   re.IGNORECASE)


def to_char_time(value: Optional[dt.datetime], template: Optional[str]) -> Optional[str]:
    if value is None or template is None:
        return None
    if not isinstance(value, dt.datetime):  # a DATE
        value = dt.datetime(value.year, value.month, value.day)
    out, i, fill = [], 0, False
    while i < len(template):
        if template[i] == '"':
            end = template.find('"', i + 1)
            end = len(template) if end < 0 else end
            out.append(template[i + 1:end])
            i = end + 1
            continue
        if template[i:i + 2].upper() == "FM":
            fill, i = True, i + 2
            continue
        match = _PART.match(template, i)
        if match is None:
            out.append(template[i])
            i += 1
            continue
        out.append(_part(match.group(0), value, fill))
        fill, i = False, match.end()
    return "".join(out)


def _part(written: str, moment: dt.datetime, fill: bool) -> str:
    key = written.upper()
    if key in _NUMERIC:
        return _NUMERIC[key](moment, fill)
    if key in _NAMES:
        name, width = _NAMES[key]
        text = name(moment)
        text = text.upper() if written.isupper() else text.lower() if written.islower() else text
        return text if fill else text.ljust(width)
    before, after = _INDICATORS[key]
    if key in _ERAS:
        shown = after if moment.year > 0 else before
    else:
        shown = before if moment.hour < 12 else after
    return shown if written.isupper() else shown.lower()
