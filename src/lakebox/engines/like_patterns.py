"""SQL LIKE patterns as regular expressions, for the places that match names outside a SQL engine:
Redshift's SHOW ... LIKE, the Data API's name patterns and Glue's partition expressions.

`%` is any run of characters and `_` any one character. Given an escape character (Redshift's LIKE
escapes with a backslash by default), the character after it matches only itself; a trailing escape
character is taken literally.
"""

from __future__ import annotations

import re
from typing import Optional


def like_regex(pattern: str, escape: Optional[str] = None) -> str:
    """The regular expression (to be matched whole) that accepts what `pattern` LIKE accepts."""
    parts, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if escape is not None and char == escape and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        index += 1
    return "".join(parts)
