"""S3 object keys for delivered data: custom prefixes with `!{namespace:value}` expressions.

Keys are `<evaluated prefix><suffix>` (AWS "Custom prefixes for Amazon S3 objects"):
- no prefix means `yyyy/MM/dd/HH/`, and a prefix without any expression gets that appended;
- `!{timestamp:<Java DateTimeFormatter pattern>}` is the arrival time of the oldest record in the
  object, in UTC or the destination's `CustomTimeZone`;
- `!{firehose:random-string}` is 11 random characters, `!{firehose:error-output-type}` the kind of
  failure (only in ErrorOutputPrefix, whose default is `<error-output-type>/yyyy/MM/dd/HH/`);
- `!{partitionKeyFromQuery:name}` is a key that dynamic partitioning extracted from the record.
The suffix is `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
import uuid
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

EXPRESSION = re.compile(r"!\{([^:}]*):([^}]*)\}")
DEFAULT_TIME_PREFIX = "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/"
_RANDOM_ALPHABET = string.ascii_lowercase + string.digits


class PrefixError(ValueError):
    """A prefix Firehose refuses; the message is the InvalidArgumentException's."""


#: Java DateTimeFormatter letters (by how many times they repeat) as strftime directives.
_JAVA_FIELDS = {
    ("y", 4): "%Y", ("y", 2): "%y", ("u", 4): "%Y", ("u", 2): "%y",
    ("M", 2): "%m", ("M", 3): "%b", ("M", 4): "%B",
    ("d", 2): "%d", ("D", 3): "%j", ("H", 2): "%H", ("h", 2): "%I", ("m", 2): "%M", ("s", 2): "%S",
    ("a", 1): "%p", ("E", 3): "%a", ("E", 4): "%A",
}
_UNPADDED = {"M": "month", "d": "day", "H": "hour", "m": "minute", "s": "second"}


def _java_tokens(pattern: str) -> list[tuple[str, str]]:
    """A DateTimeFormatter pattern as ("field", letters) and ("text", literal) tokens."""
    tokens, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = pattern.find("'", i + 1)
            if end < 0:
                raise PrefixError(f"Unterminated quote in the timestamp pattern '{pattern}'.")
            tokens.append(("text", pattern[i + 1:end] or "'"))
            i = end + 1
        elif char.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == char:
                j += 1
            tokens.append(("field", pattern[i:j]))
            i = j
        else:
            tokens.append(("text", char))
            i += 1
    return tokens


def _check_java_pattern(pattern: str) -> None:
    for kind, value in _java_tokens(pattern):
        if kind == "field" and (value[0], len(value)) not in _JAVA_FIELDS and not (
                len(value) == 1 and value in _UNPADDED) and not (value[0] == "S" and len(value) <= 9):
            raise PrefixError(f"The timestamp pattern '{pattern}' in the prefix is not a valid "
                              "DateTimeFormatter pattern.")


def format_java(pattern: str, moment: dt.datetime) -> str:
    out = []
    for kind, value in _java_tokens(pattern):
        if kind == "text":
            out.append(value)
        elif value[0] == "S":
            out.append(f"{moment.microsecond:06d}{'0' * 3}"[: len(value)])
        elif len(value) == 1 and value in _UNPADDED:
            out.append(str(getattr(moment, _UNPADDED[value])))
        else:
            out.append(moment.strftime(_JAVA_FIELDS[(value[0], len(value))]))
    return "".join(out)


def expressions(prefix: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in EXPRESSION.finditer(prefix or "")]


def check_prefix(prefix: str, *, error_prefix: bool, dynamic_partitioning: bool) -> None:
    """Refuse what Firehose refuses in Prefix or ErrorOutputPrefix when the stream is configured."""
    name = "ErrorOutputPrefix" if error_prefix else "Prefix"
    if "!{" in (prefix or "") and len(expressions(prefix)) != (prefix or "").count("!{"):
        raise PrefixError(f"{name} contains an expression that is not of the form !{{namespace:value}}.")
    for namespace, value in expressions(prefix):
        if namespace == "timestamp":
            _check_java_pattern(value)
        elif namespace == "firehose":
            if value == "error-output-type":
                if not error_prefix:
                    raise PrefixError("The expression !{firehose:error-output-type} is only allowed in "
                                      "ErrorOutputPrefix.")
            elif value != "random-string":
                raise PrefixError(f"The firehose namespace has no value '{value}' "
                                  "(use random-string or error-output-type).")
        elif namespace == "partitionKeyFromQuery":
            if error_prefix:
                raise PrefixError("ErrorOutputPrefix cannot use the partitionKeyFromQuery namespace.")
            if not dynamic_partitioning:
                raise PrefixError("The partitionKeyFromQuery namespace can only be used when dynamic "
                                  "partitioning is enabled.")
        elif namespace == "partitionKeyFromLambda":
            raise PrefixError("lakebox runs no Lambda functions: the partitionKeyFromLambda namespace "
                              "cannot be evaluated.")
        else:
            raise PrefixError(f"Unknown namespace '{namespace}' in {name}.")


def zone(name: Optional[str]) -> dt.tzinfo:
    if not name or name.upper() == "UTC":
        return dt.timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PrefixError(f"CustomTimeZone '{name}' is not a supported time zone.") from None


def evaluate(prefix: Optional[str], arrival_ms: int, tz: dt.tzinfo, *, partition_keys: Optional[dict] = None,
             error_type: Optional[str] = None) -> str:
    """The key prefix for an object whose oldest record arrived at `arrival_ms`."""
    if error_type is not None:
        template = prefix or f"{error_type}/{DEFAULT_TIME_PREFIX}"
    else:
        template = prefix or ""
        if not expressions(template):
            template += DEFAULT_TIME_PREFIX
    moment = dt.datetime.fromtimestamp(arrival_ms / 1000, dt.timezone.utc).astimezone(tz)
    keys = partition_keys or {}

    def value(match: re.Match) -> str:
        namespace, name = match.group(1), match.group(2)
        if namespace == "timestamp":
            return format_java(name, moment)
        if namespace == "firehose":
            if name == "random-string":
                return "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(11))
            return error_type or ""
        return str(keys.get(name, ""))

    return EXPRESSION.sub(value, template)


def object_suffix(stream_name: str, version: int, delivered_ms: int, tz: dt.tzinfo, extension: str) -> str:
    moment = dt.datetime.fromtimestamp(delivered_ms / 1000, dt.timezone.utc).astimezone(tz)
    return f"{stream_name}-{version}-{moment:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}{extension}"
