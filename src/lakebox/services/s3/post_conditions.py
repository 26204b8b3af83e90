"""The POST policy of a browser-form upload: decoding it, and checking a form against it, as S3 does.

Why S3's exact answers matter: the policy is what lets a browser upload without credentials, so a
form that breaks it must fail here exactly as it would fail on AWS, before the app ships. S3's
answers, as observed on AWS (its documentation's error table is out of date):

- a policy that is not base64 of a JSON object with `expiration` and `conditions`, or a malformed
  condition: 400 InvalidPolicyDocument, "Invalid Policy: ...";
- an expired policy: 403 AccessDenied, "Invalid according to Policy: Policy expired.";
- a condition the form does not meet, including one on a field the form does not have:
  403 AccessDenied, "Invalid according to Policy: Policy Condition failed: [...]", printing a
  simple condition `{"acl": "x"}` as `["eq", "$acl", "x"]`;
- a form field no condition names (other than the signature fields, `policy`, `file` and
  `x-ignore-*`): 403 AccessDenied, "Invalid according to Policy: Extra input fields: <name>";
- a file outside `content-length-range`: 400 EntityTooSmall / EntityTooLarge.

Field names are case-insensitive everywhere (in the form and in conditions), as are operation
names; values are compared case-sensitively. The policy's own keys are case-sensitive.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from .errors import s3_error

#: Form fields that no condition needs to name: the signature and the policy itself (AWS's lists for
#: SigV4 and SigV2 together), the file; and any field starting with x-ignore-.
EXEMPT_FIELDS = frozenset({"policy", "x-amz-signature", "signature", "awsaccesskeyid", "file"})
IGNORED_PREFIX = "x-ignore-"

_EXPIRATION = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$")
_OPERATIONS = ("eq", "starts-with", "content-length-range")


def invalid_policy(detail: str) -> Exception:
    return s3_error("InvalidPolicyDocument", f"Invalid Policy: {detail}")


def _denied(detail: str) -> Exception:
    return s3_error("AccessDenied", f"Invalid according to Policy: {detail}")


@dataclass
class Condition:
    operation: str  # "eq", "starts-with" or "content-length-range"
    #: The form field it tests, lower-cased, without the `$`; None when the policy forgot the `$`
    #: (S3 then fails the condition rather than the document).
    field: Optional[str] = None
    value: str = ""
    bounds: tuple[Any, Any] = (0, 0)
    #: How S3 prints the condition when it fails: JSON, in the policy's own spelling.
    text: str = ""


@dataclass
class PostPolicy:
    expiration: datetime
    conditions: list[Condition] = field(default_factory=list)

    def check_expiration(self, now: datetime) -> None:
        if now > self.expiration:
            raise _denied("Policy expired.")

    def check_form(self, fields: Callable[[str], Optional[str]], names: list[str]) -> None:
        """Every equality and prefix condition, then that every field is covered.

        `fields(name)` is the (expanded) value of a lower-cased field name, None when absent; the
        caller answers "bucket" with the bucket of the URL, which is the one the upload goes to.
        """
        for condition in self.conditions:
            if not _holds(condition, fields):
                raise _denied(f"Policy Condition failed: {condition.text}")
        covered = {c.field for c in self.conditions if c.field is not None}
        extra = [n for n in names if _needs_condition(n) and n.lower() not in covered]
        if extra:
            raise _denied("Extra input fields: " + ", ".join(extra))

    def size_range(self) -> tuple[int, Optional[int]]:
        """The smallest and largest file every content-length-range allows (None: no maximum)."""
        low, high = 0, None
        for condition in self.conditions:
            if condition.operation == "content-length-range":
                lower, upper = (_as_int(b) or 0 for b in condition.bounds)
                low = max(low, lower)
                high = upper if high is None else min(high, upper)
        return low, high


def _needs_condition(name: str) -> bool:
    lowered = name.lower()
    return lowered not in EXEMPT_FIELDS and not lowered.startswith(IGNORED_PREFIX)


def _holds(condition: Condition, fields: Callable[[str], Optional[str]]) -> bool:
    if condition.operation == "content-length-range":
        # Numeric strings are accepted; anything else fails the condition (its size is checked later).
        return all(_as_int(b) is not None for b in condition.bounds)
    if condition.field is None:
        return False
    actual = fields(condition.field)
    if actual is None:
        return False
    if condition.operation == "eq":
        return actual == condition.value
    if condition.field == "content-type":
        # A Content-Type list ("image/jpg,image/png") passes only if every entry has the prefix.
        return all(part.strip().startswith(condition.value) for part in actual.split(","))
    return actual.startswith(condition.value)


def _as_int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value)
    return None


# -- decoding ----------------------------------------------------------------------------------------


def decode_policy(text: str) -> PostPolicy:
    """The policy of a `policy` form field (base64 JSON), or InvalidPolicyDocument."""
    compact = "".join(text.split())
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_policy("Invalid Base64 Encoding.") from None
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant, parse_float=_reject_float)
    except (UnicodeDecodeError, ValueError):
        raise invalid_policy("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise invalid_policy("Invalid JSON.")
    for key in document:
        if key not in ("expiration", "conditions"):
            # S3 names the first unknown member lower-cased; the keys themselves are case-sensitive.
            raise invalid_policy(f"Unexpected: '{str(key).lower()}'")
    if "expiration" not in document:
        raise invalid_policy("Policy missing expiration.")
    if "conditions" not in document:
        raise invalid_policy("Policy missing conditions.")
    expiration = _expiration(document["expiration"])
    conditions = document["conditions"]
    if not isinstance(conditions, list):
        raise invalid_policy("Invalid 'conditions' value: must be a List.")
    return PostPolicy(expiration, [_condition(item) for item in conditions])


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _reject_float(text: str) -> Any:
    # S3 refuses a fractional size bound ([..., 0, 512.0]) as invalid JSON, and no condition takes
    # a number otherwise.
    raise ValueError(f"{text} is not an integer")


def _expiration(value: Any) -> datetime:
    match = _EXPIRATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise invalid_policy(f"Invalid 'expiration' value: '{value}'")
    year, month, day, hour, minute, second, fraction = match.groups()
    micros = int((fraction or "0").ljust(6, "0")[:6])
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micros,
                        tzinfo=timezone.utc)
    except ValueError:
        raise invalid_policy(f"Invalid 'expiration' value: '{value}'") from None


def _condition(item: Any) -> Condition:
    if isinstance(item, dict):
        return _simple_condition(item)
    if isinstance(item, list):
        return _array_condition(item)
    raise invalid_policy("Invalid condition test: must be a List or Object.")


def _simple_condition(item: dict) -> Condition:
    if len(item) != 1:
        raise invalid_policy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
    (name, value), = item.items()
    if value is None:
        raise invalid_policy("Invalid JSON.")
    if not isinstance(value, str):
        raise invalid_policy("Invalid Simple-Condition: value must be a string.")
    return Condition("eq", name.lower(), value, text=_text(["eq", f"${name}", value]))


def _array_condition(item: list) -> Condition:
    if not item or not isinstance(item[0], str):
        raise invalid_policy("Invalid Condition: missing operation identifier.")
    operation = item[0].lower()
    if operation not in _OPERATIONS:
        raise invalid_policy(f"Invalid Condition: unknown operation '{item[0]}'.")
    if len(item) != 3:
        raise invalid_policy(f"Invalid {item[0]}: wrong number of arguments.")
    text = _text(item)
    if operation == "content-length-range":
        bounds = item[1], item[2]
        if not all(isinstance(b, (int, str)) and not isinstance(b, bool) for b in bounds):
            raise invalid_policy("Invalid JSON.")
        return Condition(operation, bounds=bounds, text=text)
    target, value = item[1], item[2]
    if not isinstance(target, str) or not isinstance(value, str):
        raise invalid_policy("Invalid JSON.")
    name = target[1:].lower() if target.startswith("$") else None
    return Condition(operation, name, value, text=text)


def _text(item: list) -> str:
    return json.dumps(item, ensure_ascii=False)
