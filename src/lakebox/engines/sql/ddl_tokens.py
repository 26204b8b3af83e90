"""A small tokenizer and cursor for the Hive DDL clauses sqlglot's Hive dialect does not parse
(it falls back to an opaque `Command`): CREATE DATABASE, MSCK REPAIR TABLE, SHOW ..., and
ALTER TABLE ADD/DROP PARTITION with several PARTITION specs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")|(?P<quoted>`[^`]*`)"""
                    r"""|(?P<word>[A-Za-z0-9_$.\-*:/]+)|(?P<punct>[(),=;]))""")


class ParseError(ValueError):
    def __init__(self, column: int, message: str):
        super().__init__(f"line 1:{column} {message}")
        self.column = column


@dataclass
class Token:
    kind: str  # str, word, punct
    text: str
    column: int

    @property
    def value(self) -> str:
        if self.kind == "str":
            body = self.text[1:-1]
            return re.sub(r"\\(.)", r"\1", body.replace("''", "'"))
        if self.text.startswith("`"):
            return self.text[1:-1]
        return self.text


def tokenize(sql: str) -> list[Token]:
    tokens, pos = [], 0
    text = sql.strip().rstrip(";").rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ParseError(pos, f"cannot recognize input near '{text[pos:pos + 10]}'")
        kind = match.lastgroup
        start = match.start(kind)
        tokens.append(Token("word" if kind == "quoted" else kind, match.group(kind), start))
        pos = match.end()
    return tokens


def _is_name(token: Token) -> bool:
    """A word, a `quoted` word, or a "quoted" identifier (which the pattern reads as a string)."""
    return token.kind == "word" or (token.kind == "str" and token.text.startswith('"'))


def _unquoted(token: Token) -> str:
    if token.text[:1] in ('"', "`"):
        return token.text[1:-1]
    return token.text


class Cursor:
    def __init__(self, sql: str):
        self.tokens = tokenize(sql)
        self.pos = 0

    def peek(self, ahead: int = 0) -> Optional[Token]:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def accept(self, *words: str) -> bool:
        """Consume `words` (case-insensitive) if they come next."""
        for i, word in enumerate(words):
            token = self.peek(i)
            if token is None or token.kind == "str" or token.text.upper() != word:
                return False
        self.pos += len(words)
        return True

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            self.fail(f"expecting {' '.join(words)}")

    def fail(self, message: str):
        token = self.peek()
        column = token.column if token else (self.tokens[-1].column + len(self.tokens[-1].text) if self.tokens else 0)
        near = f"near '{token.text}'" if token else "near '<EOF>'"
        raise ParseError(column, f"cannot recognize input {near}: {message}")

    def name(self) -> str:
        token = self.peek()
        if token is None or not _is_name(token):
            self.fail("expecting a name")
        self.pos += 1
        parts = [token]
        # A qualified name with quoted parts (`db`.`t`, "db"."t", db.`t`) comes as several adjacent tokens.
        while True:
            last, following = parts[-1], self.peek()
            if following is None or not _is_name(following) or following.column != last.column + len(last.text):
                break
            if not (last.text.endswith(".") or following.text.startswith(".")):
                break
            parts.append(following)
            self.pos += 1
        return "".join(_unquoted(p) for p in parts)

    def string(self) -> str:
        token = self.peek()
        if token is None or token.kind != "str":
            self.fail("expecting a quoted string")
        self.pos += 1
        return token.value

    def value(self) -> str:
        """A literal as Hive stores it in a partition spec: always its text, never a number."""
        token = self.peek()
        if token is None or token.kind == "punct":
            self.fail("expecting a value")
        self.pos += 1
        return token.value

    def pairs(self, separator: str = "=") -> list[tuple[str, str]]:
        """`( k = v , ... )`: names or strings as keys."""
        self.expect("(")
        found = []
        while True:
            token = self.peek()
            key = self.string() if token is not None and token.kind == "str" else self.name()
            self.expect(separator)
            found.append((key, self.value()))
            if self.accept(")"):
                return found
            self.expect(",")

    def end(self) -> None:
        if not self.at_end():
            self.fail("extraneous input")
