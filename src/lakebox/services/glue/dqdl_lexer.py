"""DQDL's tokens, as awslabs/dqdl's CommonLexerRules.g4 defines them.

A token is a quoted string (escapes `\\"` and `\\\\` removed), a number (`12`, `0.9`; a leading `-`
is its own token, as in the grammar), a word (`[A-Za-z0-9_.]+`: rule types, keywords, units), or one
of the symbols. `#` starts a comment that runs to the end of the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class DqdlError(ValueError):
    """The text is not a valid DQDL ruleset; the message says where and why."""


@dataclass(frozen=True)
class Token:
    kind: str  # STRING, NUMBER, WORD, SYMBOL, END
    text: str  # the string's value for STRING, the token itself otherwise
    pos: int

    def is_(self, *texts: str) -> bool:
        return self.kind in ("WORD", "SYMBOL") and self.text in texts


_SYMBOLS = (">=", "<=", ">", "<", "=", "!", ",", "[", "]", "(", ")", "{", "}", ":", "+", "-", "*", "/", "$")
_WORD = re.compile(r"[A-Za-z0-9_.]+")
_NUMBER = re.compile(r"\d+(\.\d+)?")
_ESCAPE = re.compile(r'\\(["\\])')


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char in " \t\r\n":
            pos += 1
        elif char == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end + 1
        elif char == '"':
            end = _string_end(text, pos)
            tokens.append(Token("STRING", _ESCAPE.sub(r"\1", text[pos + 1:end]), pos))
            pos = end + 1
        elif (match := _WORD.match(text, pos)) is not None:
            word = match.group()
            tokens.append(Token("NUMBER" if _NUMBER.fullmatch(word) else "WORD", word, pos))
            pos = match.end()
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, pos)), None)
            if symbol is None:
                raise DqdlError(f"Unexpected character {char!r} at position {pos}")
            tokens.append(Token("SYMBOL", symbol, pos))
            pos += len(symbol)
    tokens.append(Token("END", "", len(text)))
    return tokens


def _string_end(text: str, start: int) -> int:
    """Where the string opened at `start` closes: the next quote not escaped by a backslash."""
    pos = start + 1
    while pos < len(text):
        if text[pos] == "\\" and pos + 1 < len(text) and text[pos + 1] in '"\\':
            pos += 2
        elif text[pos] == '"':
            return pos
        else:
            pos += 1
    raise DqdlError(f"Unterminated string starting at position {start}")
