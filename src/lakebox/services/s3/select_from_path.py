"""S3 Select's `FROM S3Object[*].path` over JSON: the values a path reaches in each record.

Why a module of its own: such a FROM changes what a record is. Each root-level value of the
object yields the values its path reaches, as S3 documents the path:
- a name (`.name`, `."Name"`, `['name']`) or an index (`[0]`) reaches one value;
- a wildcard reaches every item of an array (`[*]`) or every value of an object (`.*`);
- where a step finds nothing (no such key, an index past the end, a wildcard over an empty or
  non-matching value) the value is MISSING, and S3 Select still yields that one record, written
  out as an empty record (`{}`): "wildcard characters always emit at least one record".

The values are found here, in Python, and written as newline-delimited JSON (`{"v": value}`, or
`{}` for MISSING), which the query then reads like any JSON Lines object. Without an alias a
query names the record by the path's last name (`SELECT price FROM S3Object[*].books[*].price`),
or `_1` when the path ends in a wildcard or an index.

Imports sqlglot's token types and select_errors; the caller passes S3 Select's dialect in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional, Union

from sqlglot import tokens
from sqlglot.errors import TokenError

from .select_errors import SelectError

#: The key the derived records keep a reached value under; a record without it is MISSING.
VALUE_KEY = "v"


@dataclass(frozen=True)
class Name:
    """A name step (of a FROM path, or of a column path `s.a.b`): quoted names match exactly, others
    ignoring case, as S3 Select's paths do."""

    text: str
    quoted: bool


@dataclass(frozen=True)
class Index:
    """An index step, zero-based."""

    position: int


@dataclass(frozen=True)
class EveryItem:
    """`[*]`: each item of an array."""


@dataclass(frozen=True)
class EveryValue:
    """`.*`: each value of an object."""


PathStep = Union[Name, Index, EveryItem, EveryValue]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: The value of a path that reaches nothing.
MISSING = _Missing()


@dataclass(frozen=True)
class FromPath:
    """The path after `S3Object[*]`, and the name that refers to its records without an alias."""

    steps: tuple[PathStep, ...]

    @property
    def implicit_alias(self) -> str:
        last = self.steps[-1]
        return last.text if isinstance(last, Name) else "_1"


def split_from_path(expression: str, dialect) -> tuple[str, Optional[FromPath]]:
    """The expression with `FROM S3Object[*].path`'s path cut out, and the path (None without one).

    `dialect` is S3 Select's sqlglot dialect, whose tokens the path is read from; a malformed
    expression comes back whole, for the parser to report.
    """
    try:
        found = dialect.tokenize(expression)
    except TokenError:
        return expression, None
    T = tokens.TokenType
    kinds = [t.token_type for t in found]
    for i, token in enumerate(found):
        if token.text.upper() != "S3OBJECT" or kinds[i + 1:i + 4] != [T.L_BRACKET, T.STAR, T.R_BRACKET]:
            continue
        steps, j = _steps(found, i + 4)
        if not steps:
            return expression, None
        cut_from, cut_to = found[i + 4].start, found[j - 1].end + 1
        return expression[:cut_from] + expression[cut_to:], FromPath(tuple(steps))
    return expression, None


def _steps(found: list, j: int) -> tuple[list[PathStep], int]:
    """The path steps from token `j` on, and the index of the first token after them."""
    T = tokens.TokenType
    steps: list[PathStep] = []
    while j + 1 < len(found):
        kind, after = found[j].token_type, found[j + 1]
        if kind == T.DOT:
            if after.token_type == T.STAR:
                steps.append(EveryValue())
            elif after.token_type == T.IDENTIFIER:
                steps.append(Name(after.text, True))
            elif after.text.replace("_", "a").isalnum() and not after.text[0].isdigit():
                steps.append(Name(after.text, False))
            else:
                raise SelectError("ParseInvalidPathComponent")
            j += 2
        elif kind == T.L_BRACKET:
            if j + 2 >= len(found) or found[j + 2].token_type != T.R_BRACKET:
                raise SelectError("ParseInvalidPathComponent")
            if after.token_type == T.STAR:
                steps.append(EveryItem())
            elif after.token_type == T.NUMBER and after.text.isdigit():
                steps.append(Index(int(after.text)))
            elif after.token_type == T.STRING:
                steps.append(Name(after.text, True))
            else:
                raise SelectError("ParseInvalidPathComponent")
            j += 3
        else:
            break
    return steps, j


# -- evaluation --------------------------------------------------------------------------------------


def values_at(value: Any, steps: tuple[PathStep, ...]) -> list[Any]:
    """The values `steps` reach from one root-level value: at least one, MISSING where none."""
    reached = [value]
    for step in steps:
        reached = [found for current in reached for found in _step(current, step)]
    return reached


def _step(value: Any, step: PathStep) -> list[Any]:
    if isinstance(step, Name):
        if not isinstance(value, dict):
            return [MISSING]
        if step.text in value:
            return [value[step.text]]
        if not step.quoted:
            folded = step.text.lower()
            for name, child in value.items():
                if name.lower() == folded:
                    return [child]
        return [MISSING]
    if isinstance(step, Index):
        return [value[step.position]] if isinstance(value, list) and step.position < len(value) else [MISSING]
    if isinstance(step, EveryItem):
        return list(value) if isinstance(value, list) and value else [MISSING]
    return list(value.values()) if isinstance(value, dict) and value else [MISSING]


def derived_lines(root_values: Iterable[str], steps: tuple[PathStep, ...]) -> Iterator[bytes]:
    """Newline-delimited `{"v": value}` (or `{}` for MISSING) for each value the path reaches in
    each root-level value (given as JSON text)."""
    for text in root_values:
        for value in values_at(json.loads(text), steps):
            if value is MISSING:
                yield b"{}\n"
            else:
                yield b'{"' + VALUE_KEY.encode() + b'":' + _json(value) + b"}\n"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
