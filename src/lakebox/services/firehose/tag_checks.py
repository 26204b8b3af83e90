"""Tag keys and values checked against the patterns of Firehose's Tag shapes, before a tag is stored.

The generic validation leaves regex patterns out (protocol/validation.py explains why). The Tag
shapes' patterns are plain character classes, so they are checked here, by Unicode category:

- TagKey `^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$`: letters, separators, numbers and `_ . : / = + - @ %`,
  and not starting with `aws:`, the prefix AWS keeps for its own tags;
- TagValue `^[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$`: the same characters.

A violation is reported the way the front end reports any model violation ("1 validation error
detected: Value 'foo!' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy
regular expression pattern: ..."), under the service's validation error code, and nothing is stored.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, Optional

from ...protocol.validation import describe_value, validation_error

TAG_KEY_PATTERN = r"^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$"
TAG_VALUE_PATTERN = r"^[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$"
#: The characters outside the letter, separator and number categories that a tag may hold.
TAG_SYMBOLS = frozenset("_.:/=+-@%")
RESERVED_KEY_PREFIX = "aws:"


def _characters_ok(text: str) -> bool:
    return all(char in TAG_SYMBOLS or unicodedata.category(char)[0] in "LZN" for char in text)


def key_ok(key: str) -> bool:
    return not key.startswith(RESERVED_KEY_PREFIX) and _characters_ok(key)


def value_ok(value: Optional[str]) -> bool:
    return value is None or _characters_ok(value)


def _problem(value: str, path: str, pattern: str) -> str:
    return (f"Value {describe_value(value)} at '{path}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {pattern}")


def check_tags(tags: Iterable[dict], path: str = "tags") -> None:
    """Raise the validation error for every Tag whose key or value breaks its pattern."""
    problems = []
    for index, tag in enumerate(tags, 1):
        key, value = tag.get("Key") or "", tag.get("Value")
        if not key_ok(key):
            problems.append(_problem(key, f"{path}.{index}.member.key", TAG_KEY_PATTERN))
        if not value_ok(value):
            problems.append(_problem(value, f"{path}.{index}.member.value", TAG_VALUE_PATTERN))
    if problems:
        raise validation_error("firehose", problems)


def check_tag_keys(keys: Iterable[str], path: str = "tagKeys") -> None:
    """Raise the validation error for every tag key (UntagDeliveryStream's) that breaks its pattern."""
    problems = [_problem(key, f"{path}.{index}.member", TAG_KEY_PATTERN)
                for index, key in enumerate(keys, 1) if not key_ok(key)]
    if problems:
        raise validation_error("firehose", problems)
