"""The model constraints Kinesis's front end checks that the generic validation leaves out: regex
patterns, the iterator type enum, and the characters a tag may hold.

Patterns are not checked by the protocol layer (a Java regex does not always mean the same in
Python). Kinesis's patterns are plain ones that do, and AWS reports a broken one in the same
ValidationException as the other violations of the request ("2 validation errors detected: Value ''
at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern:
[a-zA-Z0-9_.-]+; Value '' at 'streamName' ... length greater than or equal to 1"). So the provider
adds them in two places: `check_target`, which the gateway calls when the generic validation fails,
and before dispatch, when it passed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, Optional

from botocore.model import OperationModel, Shape

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...protocol.validation import describe_value, input_problems, validation_error
from . import common as c

#: The model's shapes whose pattern Kinesis enforces, by shape name. The ARN shapes are left to the
#: operations, which answer a malformed ARN with their own InvalidArgumentException.
CHECKED_PATTERNS = frozenset({"StreamName", "ShardId", "ConsumerName", "SequenceNumber", "HashKey"})

#: Enums Kinesis's front end checks, with the values in the order its message lists them. Others are
#: left to the operations (a newer AWS may accept values an older model does not know).
CHECKED_ENUMS = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON"}

#: Tag keys and values: Unicode letters, digits, white space (space separators, not tabs or line
#: breaks) and these symbols, as the API reference's Tag type lists them.
TAG_SYMBOLS = frozenset("_./=+-%@")
INVALID_TAG_CHARACTERS = ("Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
                          "white space, _ . / = + - % @.")


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    # Java's \d is ASCII only; Python's would also take '²' or Arabic-Indic digits.
    return re.compile(pattern, re.ASCII)


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def pattern_problems(params: Optional[dict], operation: OperationModel) -> list[str]:
    """One "Value ... must satisfy ..." per member that breaks its pattern or enum."""
    problems: list[str] = []
    if params and operation.input_shape is not None:
        _walk(params, operation.input_shape, "", problems)
    return problems


def _walk(value: Any, shape: Shape, path: str, problems: list[str]) -> None:
    if value is None:
        return
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            inner = _lower_camel(name)
            _walk(value.get(name), member, f"{path}.{inner}" if path else inner, problems)
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value, 1):
            _walk(item, shape.member, f"{path}.{index}.member", problems)
    elif kind == "string" and isinstance(value, str) and shape.name in CHECKED_ENUMS:
        if value not in shape.enum:
            problems.append(f"Value {describe_value(value)} at '{path}' failed to satisfy constraint: "
                            f"Member must satisfy enum value set: [{CHECKED_ENUMS[shape.name]}]")
    elif kind == "string" and isinstance(value, str) and shape.name in CHECKED_PATTERNS:
        pattern = shape.metadata.get("pattern")
        if pattern and not _compiled(pattern).fullmatch(value):
            problems.append(f"Value {describe_value(value)} at '{path}' failed to satisfy constraint: "
                            f"Member must satisfy regular expression pattern: {pattern}")


def check_patterns(ctx: RequestContext, params: dict) -> None:
    """Before dispatch: a request the generic validation passed may still break a pattern."""
    if ctx.operation is None:
        return
    problems = pattern_problems(params, ctx.operation)
    if problems:
        raise validation_error("kinesis", problems)


def combined_validation_error(ctx: RequestContext) -> Optional[AwsError]:
    """When the generic validation failed: the same error with the pattern violations added, or None
    when there are none (or the body was not even read)."""
    if ctx.operation is None or ctx.params is None:
        return None
    extra = pattern_problems(ctx.params, ctx.operation)
    if not extra:
        return None
    return validation_error("kinesis", input_problems(ctx.params, ctx.operation) + extra)


def _tag_text_ok(text: str) -> bool:
    for char in text:
        if char in TAG_SYMBOLS:
            continue
        category = unicodedata.category(char)
        if category[0] not in "LN" and category != "Zs":
            return False
    return True


def check_tag_characters(tags: dict) -> None:
    """InvalidArgumentException for a tag key or value with a character tags may not hold."""
    for key, value in tags.items():
        if not _tag_text_ok(key) or (value is not None and not _tag_text_ok(value)):
            raise c.invalid(INVALID_TAG_CHARACTERS)
