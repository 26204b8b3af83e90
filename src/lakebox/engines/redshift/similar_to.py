"""SIMILAR TO patterns as the regular expressions DuckDB (RE2) matches.

Redshift's SIMILAR TO takes a SQL standard regular expression, not a POSIX one: `%` is any
sequence and `_` any one character (as in LIKE), `|`, `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}`, `( )`
and `[ ]` are as in a POSIX regular expression, every other character stands for itself (`.` and
`^` too), an escape character (a backslash unless an ESCAPE clause names another; ESCAPE '' names
none) makes the character after it literal, and the pattern must match the whole string. DuckDB's
own SIMILAR TO reads the pattern as a regular expression, so `'a' SIMILAR TO 'a%'` would be false.

`translate` turns a literal pattern into its regular expression once; a pattern computed per row
goes through `similar_to_regex`, registered on each session's connection as
`redshift_similar_regex(pattern, escape)`. Imports nothing from lakebox.
"""

from __future__ import annotations

from typing import Optional

#: Characters a regular expression gives a meaning to, escaped when they stand for themselves.
_REGEX_SPECIAL = set("\\.^$|?*+()[]{}")
#: SIMILAR TO's metacharacters that keep their regular-expression meaning.
_KEPT = set("|*+?{}()")


def similar_to_regex(pattern: Optional[str], escape: Optional[str] = "\\") -> Optional[str]:
    """The RE2 expression matching what `pattern` matches; None for a NULL pattern. `(?s)` lets `%`
    and `_` match a newline, as they do in Redshift."""
    if pattern is None:
        return None
    out, i, in_set = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if escape and char == escape and i + 1 < len(pattern):
            out.append(_literal(pattern[i + 1]))
            i += 2
            continue
        if in_set:
            in_set = char != "]"
            out.append("\\\\" if char == "\\" else char)
        elif char == "[":
            in_set, taken = True, _set_start(pattern, i + 1)
            out.append("[" + taken.replace("]", "\\]"))
            i += len(taken)
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(char if char in _KEPT else _literal(char))
        i += 1
    return "(?s)" + "".join(out)


def _set_start(pattern: str, start: int) -> str:
    """The `^` and the `]` that may open a bracket expression and are part of it, not its end."""
    taken = "^" if pattern[start:start + 1] == "^" else ""
    if pattern[start + len(taken):start + len(taken) + 1] == "]":
        taken += "]"
    return taken


def _literal(char: str) -> str:
    return "\\" + char if char in _REGEX_SPECIAL else char
