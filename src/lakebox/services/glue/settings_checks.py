"""Input checks the security-settings operations share, beyond what the model validator does.

Why here: the generic validator (protocol/validation.py) deliberately skips enum sets and regex
patterns, but Glue refuses an unknown encryption mode or a malformed role or key ARN before it stores
anything. These helpers refuse them the way AWS's front end words a model violation ("1 validation
error detected: Value 'x' at 'a.b' failed to satisfy constraint: ..."), under Glue's validation code
(InvalidInputException), and spell out the rules the API reference documents in prose (a KMS mode
needs its key).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...protocol.validation import describe_value, validation_error
from .errors import invalid_input

#: IAMRoleArn and KmsKeyArn patterns from the model (both mean the same in Python's `re`).
ROLE_ARN_PATTERN = r"^arn:aws(-(cn|us-gov|iso(-[bef])?))?:iam::[0-9]{12}:role/.+"
KMS_KEY_ARN_PATTERN = r"^$|arn:aws[a-z0-9-]*:kms:.*"


def check_enum(value: Any, allowed: Iterable[str], path: str) -> None:
    """Refuse `value` (when given) unless it is one of `allowed`; `path` in AWS's lowerCamel form."""
    allowed = tuple(allowed)
    if value is not None and value not in allowed:
        raise validation_error("glue", [(f"Value {describe_value(value)} at '{path}' failed to satisfy constraint: "
                                        f"Member must satisfy enum value set: [{', '.join(allowed)}]")])


def check_pattern(value: str | None, pattern: str, path: str) -> None:
    """Refuse `value` (when given) unless the model's pattern matches it from its start, as Java's
    `matches` would."""
    if value is not None and not re.fullmatch(f"(?:{pattern})", value, re.DOTALL):
        raise validation_error("glue", [(f"Value {describe_value(value)} at '{path}' failed to satisfy constraint: "
                                        f"Member must satisfy regular expression pattern: {pattern}")])


def require(value: str | None, message: str) -> None:
    """A documented cross-field rule: `value` must be given (an empty string counts as missing)."""
    if not value:
        raise invalid_input(message)
