"""AWS's six-field `cron(...)` expressions, apart from any state: parse, and find the next firing time.

The fields are Minutes Hours Day-of-month Month Day-of-week Year, all in UTC, as EventBridge and Glue
read them:
- `*` any value, `?` no specific value (day-of-month or day-of-week), `,` lists, `-` ranges, `/` steps;
- months `1-12` or `JAN-DEC`, days of the week `1-7` (1 is Sunday) or `SUN-SAT`, years 1970-2199;
- day-of-month `L` (the last day), `LW` (the last weekday), `15W` (the weekday nearest the 15th, not
  leaving the month); day-of-week `L` (Saturday), `5L` (the month's last Thursday), `3#2` (its second
  Tuesday).
As on AWS, exactly one of day-of-month and day-of-week must be `?`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

_MONTHS = {name: i for i, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_WEEKDAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
_EXPRESSION = re.compile(r"^\s*cron\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
#: How many years ahead `next_after` looks before it decides an expression never fires again.
_HORIZON_YEARS = 250


class CronError(ValueError):
    """An expression that is not valid AWS cron (the message says which part)."""


@dataclass(frozen=True)
class CronSchedule:
    expression: str
    minutes: frozenset
    hours: frozenset
    months: frozenset
    years: frozenset
    day_matches: Callable[[dt.date], bool]

    def next_after(self, after: dt.datetime) -> dt.datetime | None:
        """The first firing time strictly after `after` (UTC), or None if there is none."""
        after = after.astimezone(dt.timezone.utc).replace(second=0, microsecond=0)
        start = after + dt.timedelta(minutes=1)
        day = start.date()
        last_year = start.year + _HORIZON_YEARS
        while day.year <= last_year:
            if day.year not in self.years:
                day = dt.date(day.year + 1, 1, 1)
                continue
            if day.month not in self.months:
                day = _first_of_next_month(day)
                continue
            if self.day_matches(day):
                first_minute = (start.hour, start.minute) if day == start.date() else (0, 0)
                for hour in sorted(h for h in self.hours if h >= first_minute[0]):
                    low = first_minute[1] if hour == first_minute[0] else 0
                    minute = next((m for m in sorted(self.minutes) if m >= low), None)
                    if minute is not None:
                        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.timezone.utc)
            day += dt.timedelta(days=1)
        return None


def parse_cron(text: str) -> CronSchedule:
    match = _EXPRESSION.match(text or "")
    if not match:
        raise CronError("a schedule must be written cron(Minutes Hours Day-of-month Month Day-of-week Year)")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise CronError(f"cron expressions have 6 fields, this one has {len(fields)}")
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise CronError("exactly one of day-of-month and day-of-week must be '?'")
    return CronSchedule(
        expression=text.strip(),
        minutes=_values(minute, 0, 59, "minutes"),
        hours=_values(hour, 0, 23, "hours"),
        months=_values(month, 1, 12, "month", _MONTHS),
        years=_values(year, 1970, 2199, "year"),
        day_matches=_day_of_month(dom) if dow == "?" else _day_of_week(dow),
    )


# -- fields ------------------------------------------------------------------------------------------

def _values(field: str, low: int, high: int, what: str, names: dict | None = None) -> frozenset:
    """The set a plain field (`*`, lists, ranges, steps) stands for."""
    values: set[int] = set()
    for part in field.split(","):
        values |= _part(part, low, high, what, names)
    return frozenset(values)


def _part(part: str, low: int, high: int, what: str, names: dict | None) -> set[int]:
    base, slash, step_text = part.partition("/")
    step = 1
    if slash:
        step = _number(step_text, 1, high - low + 1 if high > low else 1, what, None)
    if base in ("*", "?"):
        start, end = low, high
    elif "-" in base:
        first, _, last = base.partition("-")
        start, end = _number(first, low, high, what, names), _number(last, low, high, what, names)
        if start > end:
            raise CronError(f"the range {base!r} in {what} runs backwards")
    else:
        start = _number(base, low, high, what, names)
        end = high if slash else start
    return set(range(start, end + 1, step))


def _number(text: str, low: int, high: int, what: str, names: dict | None) -> int:
    upper = text.strip().upper()
    if names and upper in names:
        return names[upper]
    if not upper.isdigit():
        raise CronError(f"{text!r} is not a valid value for {what}")
    value = int(upper)
    if not low <= value <= high:
        raise CronError(f"{value} is outside {low}-{high} for {what}")
    return value


def _day_of_month(field: str) -> Callable[[dt.date], bool]:
    upper = field.upper()
    if upper == "L":
        return lambda day: day.day == _month_length(day)
    if upper == "LW":
        return lambda day: day == _nearest_weekday(day, _month_length(day))
    if upper.endswith("W"):
        target = _number(upper[:-1], 1, 31, "day-of-month", None)
        return lambda day: day == _nearest_weekday(day, min(target, _month_length(day)))
    days = _values(field, 1, 31, "day-of-month")
    return lambda day: day.day in days


def _day_of_week(field: str) -> Callable[[dt.date], bool]:
    upper = field.upper()
    if upper == "L":
        return lambda day: _aws_weekday(day) == 7
    if upper.endswith("L"):
        weekday = _number(upper[:-1], 1, 7, "day-of-week", _WEEKDAYS)
        return lambda day: _aws_weekday(day) == weekday and day.day + 7 > _month_length(day)
    if "#" in upper:
        weekday_text, _, nth_text = upper.partition("#")
        weekday = _number(weekday_text, 1, 7, "day-of-week", _WEEKDAYS)
        nth = _number(nth_text, 1, 5, "day-of-week", None)
        return lambda day: _aws_weekday(day) == weekday and (day.day - 1) // 7 + 1 == nth
    days = _values(field, 1, 7, "day-of-week", _WEEKDAYS)
    return lambda day: _aws_weekday(day) in days


def _aws_weekday(day: dt.date) -> int:
    """1 for Sunday ... 7 for Saturday (Python's Monday is 0)."""
    return (day.weekday() + 1) % 7 + 1


def _month_length(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _nearest_weekday(day: dt.date, target: int) -> dt.date:
    """The weekday nearest the `target`th of `day`'s month, never crossing into another month."""
    wanted = day.replace(day=target)
    if wanted.weekday() == 5:  # Saturday: Friday before, or Monday after if the 1st
        return wanted - dt.timedelta(days=1) if target > 1 else wanted + dt.timedelta(days=2)
    if wanted.weekday() == 6:  # Sunday: Monday after, or Friday before if the month's last day
        return wanted + dt.timedelta(days=1) if target < _month_length(day) else wanted - dt.timedelta(days=2)
    return wanted


def _first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
