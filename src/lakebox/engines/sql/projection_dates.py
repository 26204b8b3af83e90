"""Dates for partition projection: Java DateTimeFormatter patterns (the subset folder layouts use),
NOW[+-]N<unit> range bounds, stepping by interval and interval.unit, and bounding the steps by the
WHERE clause's constant comparisons when the format sorts as the dates do.

Pure Python over datetime; imports nothing of lakebox.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import ClassVar, Optional


class DateProjectionError(ValueError):
    """A date projection whose table parameters cannot be used."""


_UNITS = {"YEAR": "YEARS", "MONTH": "MONTHS", "WEEK": "WEEKS", "DAY": "DAYS", "HOUR": "HOURS",
          "MINUTE": "MINUTES", "SECOND": "SECONDS", "MILLISECOND": "MILLISECONDS"}
_RELATIVE = re.compile(r"^\s*NOW\s*(?:([+-])\s*(\d+)\s*([A-Z]+?)S?)?\s*$", re.IGNORECASE)


def _step_range(value_at, count: int, limits: list) -> range:
    """The steps k in [0, count) whose values can satisfy every limit, found by binary search: the
    values of a sortable format rise with k, so each limit keeps one contiguous run of steps."""
    low, high = 0, count
    for op, text in limits:
        if op in (">", ">=", "="):
            low = max(low, _first(value_at, count, lambda v, t=text, o=op: v > t if o == ">" else v >= t))
        if op in ("<", "<=", "="):
            high = min(high, _first(value_at, count, lambda v, t=text, o=op: v >= t if o == "<" else v > t))
    return range(low, max(low, high))


def _first(value_at, count: int, holds) -> int:
    """The first step in [0, count) whose value `holds` (a predicate that stays true once true)."""
    low, high = 0, count
    while low < high:
        middle = (low + high) // 2
        if holds(value_at(middle)):
            high = middle
        else:
            low = middle + 1
    return low


def date_values(params: dict, name: str, now: dt.datetime, limits: Optional[list], most: int) -> list:
    """The formatted values of a `date` key, only the steps inside `limits` ((op, text) bounds) when
    the format sorts as the dates do."""
    fmt = params.get(f"projection.{name}.format")
    raw = params.get(f"projection.{name}.range")
    if not fmt or not raw or raw.count(",") != 1:
        raise DateProjectionError(
            f"Column projection for column '{name}' failed. A date projection needs "
            f"'projection.{name}.range' (two values) and 'projection.{name}.format'")
    pattern = JavaDateFormat(fmt)
    start, end = (_date_bound(part, pattern, now, name) for part in raw.split(","))
    unit = str(params.get(f"projection.{name}.interval.unit", "") or pattern.finest_unit()).strip().upper()
    unit = _UNITS.get(unit.rstrip("S"), unit)
    if unit not in _UNITS.values():
        raise DateProjectionError(
            f"Column projection for column '{name}' failed. Unsupported interval unit: '{unit}'")
    try:
        interval = int(str(params.get(f"projection.{name}.interval", "1")).strip())
    except ValueError:
        raise DateProjectionError(
            f"Column projection for column '{name}' failed. Invalid interval") from None
    if interval <= 0:
        raise DateProjectionError(
            f"Column projection for column '{name}' failed. The interval must be positive")
    fixed = None if unit in ("YEARS", "MONTHS") else _shift(start, unit, interval) - start

    def moment_at(step: int) -> dt.datetime:
        return start + fixed * step if fixed is not None else _shift(start, unit, interval * step)

    if end < start:
        return []
    if fixed is not None:
        count = (end - start) // fixed + 1
    else:
        months = (end.year - start.year) * 12 + end.month - start.month
        count = months // (interval * (12 if unit == "YEARS" else 1)) + 2
        while count > 0 and moment_at(count - 1) > end:
            count -= 1
    steps = range(count)
    if limits and pattern.sortable():
        steps = _step_range(lambda k: pattern.format(moment_at(k)), count, limits)
    if len(steps) > most:
        raise DateProjectionError(f"Column projection for column '{name}' spans more than {most} values")
    return [pattern.format(moment_at(step)) for step in steps]


def _date_bound(text: str, pattern: JavaDateFormat, now: dt.datetime, name: str) -> dt.datetime:
    relative = _RELATIVE.match(text)
    if relative:
        if not relative.group(1):
            return now
        unit = _UNITS.get(relative.group(3).upper().rstrip("S"))
        if unit is None:
            raise DateProjectionError(
                f"Column projection for column '{name}' failed. Unsupported unit in {text.strip()!r}")
        amount = int(relative.group(2)) * (1 if relative.group(1) == "+" else -1)
        return _shift(now, unit, amount)
    try:
        return pattern.parse(text.strip())
    except ValueError:
        raise DateProjectionError(
            f"Column projection for column '{name}' failed. Date {text.strip()!r} does not match "
            f"format {pattern.java!r}") from None


def _shift(moment: dt.datetime, unit: str, amount: int) -> dt.datetime:
    if unit in ("YEARS", "MONTHS"):
        months = moment.month - 1 + amount * (12 if unit == "YEARS" else 1)
        year, month = moment.year + months // 12, months % 12 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    seconds = {"WEEKS": 604800, "DAYS": 86400, "HOURS": 3600, "MINUTES": 60, "SECONDS": 1}
    if unit == "MILLISECONDS":
        return moment + dt.timedelta(milliseconds=amount)
    return moment + dt.timedelta(seconds=seconds[unit] * amount)


class JavaDateFormat:
    """The subset of Java's DateTimeFormatter patterns partition folders use: y, M, d, H, h, m, s, S,
    a, quoted literals and any other character as itself."""

    _FIELDS: ClassVar[dict] = {"y": "YEARS", "u": "YEARS", "M": "MONTHS", "L": "MONTHS", "d": "DAYS", "D": "DAYS", "H": "HOURS",
               "h": "HOURS", "k": "HOURS", "m": "MINUTES", "s": "SECONDS", "S": "MILLISECONDS"}
    _ORDER: ClassVar[list] = ["YEARS", "MONTHS", "WEEKS", "DAYS", "HOURS", "MINUTES", "SECONDS", "MILLISECONDS"]

    def __init__(self, java: str):
        self.java = java
        self.tokens = [m.group(0) for m in re.finditer(r"'[^']*'|([A-Za-z])\1*|.", java)]
        self._strftime = self._as_strftime()

    _STRFTIME: ClassVar[dict] = {"yyyy": "%Y", "uuuu": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H",
                                 "mm": "%M", "ss": "%S"}

    def _as_strftime(self) -> Optional[str]:
        """The pattern as a strftime format when every field has one (the common folder layouts),
        which formats tens of thousands of partition values much faster."""
        out = []
        for token in self.tokens:
            if token.startswith("'"):
                out.append((token[1:-1] or "'").replace("%", "%%"))
            elif token[0].isalpha():
                if token not in self._STRFTIME:
                    return None
                out.append(self._STRFTIME[token])
            else:
                out.append(token.replace("%", "%%"))
        return "".join(out)

    def sortable(self) -> bool:
        """True when the formatted values sort as the dates do: fixed-width fields from the year down,
        each once, between constant literals (yyyy/MM/dd/HH, yyyyMMdd, yyyy-MM-dd'T'HH:mm)."""
        order = [token for token in self.tokens if token[0].isalpha() and not token.startswith("'")]
        wanted = ["yyyy", "MM", "dd", "HH", "mm", "ss"]
        return (self._strftime is not None and bool(order) and order == wanted[:len(order)])

    def finest_unit(self) -> str:
        units = [self._FIELDS[t[0]] for t in self.tokens if t[0] in self._FIELDS]
        return max(units, key=self._ORDER.index) if units else "DAYS"

    def format(self, moment: dt.datetime) -> str:
        if self._strftime is not None and moment.year >= 1000:
            return moment.strftime(self._strftime)
        out = []
        for token in self.tokens:
            letter, width = token[0], len(token)
            if token.startswith("'"):
                out.append(token[1:-1] or "'")
            elif letter in "yu":
                out.append(str(moment.year % 100).zfill(2) if width == 2 else str(moment.year).zfill(width))
            elif letter in "ML":
                out.append(moment.strftime("%b") if width == 3 else moment.strftime("%B") if width > 3
                           else str(moment.month).zfill(width))
            elif letter == "d":
                out.append(str(moment.day).zfill(width))
            elif letter == "D":
                out.append(str(moment.timetuple().tm_yday).zfill(width))
            elif letter in "Hk":
                out.append(str(moment.hour if letter == "H" else (moment.hour or 24)).zfill(width))
            elif letter == "h":
                out.append(str((moment.hour % 12) or 12).zfill(width))
            elif letter == "a":
                out.append("AM" if moment.hour < 12 else "PM")
            elif letter == "m":
                out.append(str(moment.minute).zfill(width))
            elif letter == "s":
                out.append(str(moment.second).zfill(width))
            elif letter == "S":
                out.append(str(moment.microsecond).zfill(6)[:width].ljust(width, "0"))
            else:
                out.append(token)
        return "".join(out)

    def parse(self, text: str) -> dt.datetime:
        regex, fields = [], []
        for token in self.tokens:
            letter, width = token[0], len(token)
            if token.startswith("'"):
                regex.append(re.escape(token[1:-1] or "'"))
            elif letter in "yuMLdDHkhmsS" and not (letter in "ML" and width >= 3):
                regex.append(rf"(\d{{{width}}})" if width > 1 else r"(\d{1,4})" if letter in "yu" else r"(\d{1,2})")
                fields.append(letter)
            elif letter in "ML":
                regex.append(r"([A-Za-z]+)")
                fields.append("b")
            elif letter == "a":
                regex.append(r"(AM|PM|am|pm)")
                fields.append("a")
            else:
                regex.append(re.escape(token))
        match = re.fullmatch("".join(regex), text)
        if not match:
            raise ValueError(text)
        parts = {"year": 1970, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
        pm = None
        for letter, value in zip(fields, match.groups()):
            if letter in "yu":
                parts["year"] = int(value) + (2000 if len(value) == 2 else 0)
            elif letter in "ML":
                parts["month"] = int(value)
            elif letter == "b":
                parts["month"] = dt.datetime.strptime(value[:3], "%b").month
            elif letter == "d":
                parts["day"] = int(value)
            elif letter == "D":
                parts["month"], parts["day"] = 1, 1
                parts["_yday"] = int(value)
            elif letter in "Hkh":
                parts["hour"] = int(value) % 24
            elif letter == "m":
                parts["minute"] = int(value)
            elif letter == "s":
                parts["second"] = int(value)
            elif letter == "S":
                parts["microsecond"] = int(value.ljust(6, "0")[:6])
            elif letter == "a":
                pm = value.upper() == "PM"
        yday = parts.pop("_yday", None)
        moment = dt.datetime(**parts)
        if yday:
            moment += dt.timedelta(days=yday - 1)
        if pm is not None:
            moment = moment.replace(hour=moment.hour % 12 + (12 if pm else 0))
        return moment
