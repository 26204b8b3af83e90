"""IAM policy variables in bucket policies: `${aws:username}`, `${aws:userid}`, `${aws:PrincipalAccount}`
and any other single-valued condition key, `${key, 'default'}`, and the escapes `${*}`, `${?}`, `${$}`.

AWS replaces them, request by request, in the Resource and NotResource elements and in the values
of string and ARN condition operators ("arn:aws:s3:::bucket/home/${aws:username}/*" gives each user
a folder). As IAM documents it:
- a variable's value is matched literally: a `*` in a user name is not a wildcard;
- `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`;
- a variable whose key the request lacks (an anonymous request has no aws:username) takes the
  default given after a comma, and without one the resource or value that holds it matches
  nothing.

The keys are read through the request's `get` (policy_request_keys.py), so every key a Condition can
test can be a variable.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Optional

from .policy_conditions import normal_key, wildcard_regex

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")


def has_variables(text: str) -> bool:
    return "${" in text


@functools.lru_cache(maxsize=1024)
def _pieces(text: str) -> tuple[tuple[str, str, Optional[str]], ...]:
    """("text", literal, None) and ("var", key, default) pieces of a text with variables; an escape
    is a literal piece of its own, marked "escape" (its character is never a wildcard)."""
    pieces: list[tuple[str, str, Optional[str]]] = []
    at = 0
    for match in _VARIABLE.finditer(text):
        if match.start() > at:
            pieces.append(("text", text[at:match.start()], None))
        inner = match.group(1)
        if inner in _ESCAPES:
            pieces.append(("escape", _ESCAPES[inner], None))
        else:
            default = _DEFAULT.match(inner)
            key, fallback = (default.group(1), default.group(2)) if default else (inner.strip(), None)
            pieces.append(("var", normal_key(key), fallback))
        at = match.end()
    if at < len(text):
        pieces.append(("text", text[at:], None))
    return tuple(pieces)


def _value(keys: Any, key: str, default: Optional[str]) -> Optional[str]:
    values = keys.get(key) if keys is not None else None
    if values and len(values) == 1:
        return values[0]
    return default


def substitute(text: str, keys: Any) -> Optional[str]:
    """`text` with its variables replaced by the request's values (escapes by their character);
    None when a variable has neither a value nor a default."""
    out = []
    for kind, value, default in _pieces(text):
        if kind == "var":
            found = _value(keys, value, default)
            if found is None:
                return None
            out.append(found)
        else:
            out.append(value)
    return "".join(out)


def resource_pattern(text: str, keys: Any, ignore_case: bool = False) -> Optional[re.Pattern]:
    """A Resource entry with variables as a pattern for this request: `*` and `?` of the policy's
    own text are wildcards, the variables' values and the escapes are literal. None: it matches
    nothing (a variable without a value)."""
    regex = []
    for kind, value, default in _pieces(text):
        if kind == "text":
            regex.append(wildcard_regex(value))
            continue
        if kind == "var":
            value = _value(keys, value, default)
            if value is None:
                return None
        regex.append(re.escape(value))
    return _compiled("".join(regex), ignore_case)


@functools.lru_cache(maxsize=1024)
def _compiled(regex: str, ignore_case: bool) -> re.Pattern:
    return re.compile(regex, (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)
