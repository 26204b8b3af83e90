"""TO_DATE and TO_TIMESTAMP: text read by a Redshift (Postgres) datetime template.

DuckDB's strptime has no form of `Mon`, `Y,YYY`, `DDD` or `J`, is strict where Postgres is not, and
refuses a day or an hour past its range, which Redshift carries over: AWS's TO_DATE page reads
'20010631' with 'YYYYMMDD' as 2001-07-01, its TO_TIMESTAMP page '2011-12-18 24:38:15' as
2011-12-19 00:38:15. So the template is read here, part by part (AWS's "Datetime format strings"):
a numeric part takes up to its width in digits, a name part (MON, MONTH, DY, DAY) a name in any case,
`FM` is ignored, double-quoted text and any other template character skip one character of the input
(blanks and separators are lenient, as in Postgres).

Registered on each session's connection as `redshift_to_timestamp(text, template)`. Imports nothing
from lakebox.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
#: Numeric parts, longest first, and the most digits each takes.
_NUMERIC = {"Y,YYY": 5, "YYYY": 4, "YYY": 3, "YY": 2, "Y": 1, "IYYY": 4, "DDD": 3, "DD": 2, "HH24": 2, "HH12": 2,
            "HH": 2, "MI": 2, "SS": 2, "MS": 3, "US": 6, "MM": 2, "J": 7, "Q": 1, "WW": 2, "IW": 2, "D": 1, "CC": 2}
_NAMES = ("MONTH", "MON", "DAY", "DY")
_MERIDIANS = ("A.M.", "P.M.", "AM", "PM")
_PART = re.compile("|".join(re.escape(p) for p in sorted([*_NUMERIC, *_NAMES, *_MERIDIANS, "FM", "TZ", "OF"],
                                                        key=len, reverse=True)), re.IGNORECASE)


def to_timestamp(text: Optional[str], template: Optional[str]) -> Optional[dt.datetime]:
    if text is None or template is None:
        return None
    fields = _read(text, template)
    year = fields.get("year", 1)
    if "julian" in fields:
        base = dt.datetime.fromordinal(fields["julian"] - 1721425)
    elif "doy" in fields:
        base = dt.datetime(year, 1, 1) + dt.timedelta(days=fields["doy"] - 1)
    else:
        month = fields.get("month", 1)
        if not 1 <= month <= 12:
            raise ValueError(f'date/time field value out of range: "{text}"')
        base = dt.datetime(year, month, 1) + dt.timedelta(days=fields.get("day", 1) - 1)
    hour = fields.get("hour", 0)
    if "meridian" in fields:
        hour = hour % 12 + (12 if fields["meridian"] == "pm" else 0)
    return base + dt.timedelta(hours=hour, minutes=fields.get("minute", 0), seconds=fields.get("second", 0),
                               microseconds=fields.get("microsecond", 0) + fields.get("millisecond", 0) * 1000)


def _read(text: str, template: str) -> dict:
    fields: dict = {}
    i = j = 0
    while i < len(template):
        if template[i] == '"':
            end = template.find('"', i + 1)
            end = len(template) if end < 0 else end
            j += end - i - 1
            i = end + 1
            continue
        match = _PART.match(template, i)
        if match is None:
            # A separator or blank of the template: skip the input's, if it has one there.
            if j < len(text) and not text[j].isalnum():
                j += 1
            elif template[i] not in " " and j < len(text) and text[j] == template[i]:
                j += 1
            i += 1
            continue
        part = match.group(0).upper()
        i = match.end()
        while j < len(text) and text[j] == " " and part != "FM":
            j += 1  # leading blanks before a field are skipped, as Postgres skips them
        j = _field(part, text, j, fields)
    return fields


def _field(part: str, text: str, j: int, fields: dict) -> int:
    if part in ("FM", "TZ", "OF"):
        return j
    if part in _MERIDIANS:
        word = text[j:j + len(part)].lower()
        fields["meridian"] = "pm" if word.startswith("p") else "am"
        return j + len(part)
    if part in _NAMES:
        names = _MONTHS if part.startswith("MON") else _DAYS
        lowered = text[j:].lower()
        for index, name in enumerate(names):
            for candidate in (name, name[:3]) if part in ("MONTH", "DAY") else (name[:3],):
                if lowered.startswith(candidate):
                    if names is _MONTHS:
                        fields["month"] = index + 1
                    return j + len(candidate)
        raise ValueError(f'invalid value "{text[j:j + 3]}" for "{part}"')
    width = _NUMERIC[part]
    match = re.compile(r"[+-]?\d{1,%d}" % width if part != "Y,YYY" else r"\d{1,2},?\d{3}").match(text, j)
    if match is None:
        raise ValueError(f'invalid value "{text[j:j + width]}" for "{part}"')
    value = int(match.group(0).replace(",", ""))
    digits = len(match.group(0).lstrip("+-"))
    if part in ("YYYY", "Y,YYY", "IYYY"):
        fields["year"] = value
    elif part in ("YYY", "YY", "Y"):
        # Postgres's rule for a short year: the nearest to 2020.
        fields["year"] = value + (2000 if digits == 2 and value < 70 else 1900 if digits == 2 else
                                  2000 if digits == 3 and value < 100 else 1000 if digits == 3 else 2000)
    elif part == "MM":
        fields["month"] = value
    elif part == "DD":
        fields["day"] = value
    elif part == "DDD":
        fields["doy"] = value
    elif part in ("HH24", "HH12", "HH"):
        fields["hour"] = value
    elif part == "MI":
        fields["minute"] = value
    elif part == "SS":
        fields["second"] = value
    elif part == "MS":
        fields["millisecond"] = value * 10 ** (3 - digits)
    elif part == "US":
        fields["microsecond"] = value * 10 ** (6 - digits)
    elif part == "J":
        fields["julian"] = value
    return match.end()
