"""CREATE DATABASE, DROP DATABASE and ALTER DATABASE, as Redshift's SQL reference writes them.

A database belongs to the cluster, not to the database a session is in, so a statement is read here
into a `DatabaseStatement` and handed to the cluster (`RedshiftDatabase.cluster`, the cluster's
runtime: services/redshift/runtime.py), which makes, drops or renames the database's file and keeps
its attributes. What only the session knows is checked here: CREATE and DROP DATABASE cannot run
inside a transaction block (25001).

Names fold as Redshift folds them while `enable_case_sensitive_identifier` is off: the ASCII letters
of a name, quoted or not, become lower case; other characters stay as written. While it is on, a
quoted name keeps its case.

  CREATE DATABASE name [ [ WITH ] [ OWNER [=] user ] [ CONNECTION LIMIT { n | UNLIMITED } ]
                         [ COLLATE { CASE_SENSITIVE | CS | CASE_INSENSITIVE | CI } ]
                         [ ISOLATION LEVEL { SERIALIZABLE | SNAPSHOT } ] ]
  DROP DATABASE name [ FORCE ]
  ALTER DATABASE name { RENAME TO new_name | OWNER TO user | CONNECTION LIMIT { n | UNLIMITED }
                        | COLLATE ... | ISOLATION LEVEL ... }

Databases made from a datashare, a zero-ETL integration or a Glue Data Catalog ARN are not supported
(0A000). Imports sqlglot's tokens (through translate) and this package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from sqlglot.tokens import TokenType

from . import RedshiftError, translate
from .results import Result

#: Longest name Redshift takes, in bytes.
MAX_NAME_BYTES = 127
_COLLATIONS = {"CASE_SENSITIVE": "CASE_SENSITIVE", "CS": "CASE_SENSITIVE", "CASE_INSENSITIVE": "CASE_INSENSITIVE",
               "CI": "CASE_INSENSITIVE"}
_ISOLATION = {"SERIALIZABLE": "SERIALIZABLE", "SNAPSHOT": "SNAPSHOT"}
_NOT_SUPPORTED = {"FROM", "IAM_ROLE", "INTEGRATION"}


@dataclass
class DatabaseStatement:
    """One statement: `action` is CREATE, DROP or ALTER; `changes` what it sets (for CREATE, the
    options given; for ALTER, the one it changes): owner, connection_limit (None: UNLIMITED),
    collate, isolation_level; `new_name` for ALTER ... RENAME TO."""

    action: str
    name: str
    new_name: Optional[str] = None
    force: bool = False
    changes: dict = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return f"{self.action} DATABASE"


def fold(name: str) -> str:
    """A name as Redshift keeps it: ASCII letters in lower case (`ə`, `好` stay as they are)."""
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in name)


def run(db, statement: str) -> Result:
    """Run a database statement from a session of `db` (a RedshiftDatabase)."""
    parsed = parse(statement, case_sensitive=db.case_sensitive_identifiers)
    cluster = getattr(db, "cluster", None)
    if cluster is None:
        raise RedshiftError(f"{parsed.tag} needs a cluster: this database stands alone", "0A000")
    if parsed.action in ("CREATE", "DROP") and db._in_transaction:
        raise RedshiftError(f"{parsed.tag} cannot run inside a transaction block", "25001")
    return Result([], [], cluster.database_statement(parsed, current=db.name, user=db._user or ""), -1)


def parse(statement: str, case_sensitive: bool = False) -> DatabaseStatement:
    """`case_sensitive`: the session's enable_case_sensitive_identifier (quoted names keep their case)."""
    tokens = [t for t in translate.tokenize(statement) if t.token_type != TokenType.SEMICOLON]
    reader = _Reader(tokens, case_sensitive)
    action = reader.word()
    reader.expect("DATABASE")
    parsed = DatabaseStatement(action, reader.name())
    if action == "DROP":
        parsed.force = reader.accept("FORCE")
    elif action == "CREATE":
        reader.accept("WITH")
        while not reader.done():
            if reader.peek() in _NOT_SUPPORTED:
                raise RedshiftError(f"CREATE DATABASE ... {reader.peek()} is not supported: lakebox makes local "
                                    "databases only", "0A000")
            key, value = _option(reader, create=True)
            if key in parsed.changes:
                raise RedshiftError("conflicting or redundant options", "42601")
            parsed.changes[key] = value
    else:
        if reader.accept("RENAME"):
            reader.expect("TO")
            parsed.new_name = reader.name()
        elif reader.peek() == "INTEGRATION":
            raise RedshiftError("ALTER DATABASE ... INTEGRATION is not supported: lakebox has no zero-ETL "
                                "integrations", "0A000")
        else:
            key, value = _option(reader, create=False)
            parsed.changes[key] = value
    if not reader.done():
        raise reader.error()
    return parsed


def _option(reader: "_Reader", create: bool) -> tuple[str, object]:
    word = reader.word()
    if word == "OWNER":
        if create:
            reader.accept_symbol(TokenType.EQ)
        else:
            reader.expect("TO")
        return "owner", reader.name(user=True)
    if word == "CONNECTION":
        reader.expect("LIMIT")
        if reader.accept("UNLIMITED"):
            return "connection_limit", None
        token = reader.take()
        if token is None or token.token_type != TokenType.NUMBER or not token.text.isdigit():
            raise RedshiftError("CONNECTION LIMIT takes a number of connections or UNLIMITED", "42601")
        return "connection_limit", int(token.text)
    if word == "COLLATE":
        value = reader.word()
        if value not in _COLLATIONS:
            raise RedshiftError(f'syntax error at or near "{value}"', "42601")
        return "collate", _COLLATIONS[value]
    if word == "ISOLATION":
        reader.expect("LEVEL")
        value = reader.word()
        if value not in _ISOLATION:
            raise RedshiftError(f'syntax error at or near "{value}"', "42601")
        return "isolation_level", _ISOLATION[value]
    raise RedshiftError(f'syntax error at or near "{word}"', "42601")


class _Reader:
    """The statement's tokens, read front to back."""

    def __init__(self, tokens: list, case_sensitive: bool = False):
        self.case_sensitive = case_sensitive
        self.tokens, self.pos = tokens, 0

    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def peek(self) -> str:
        return "" if self.done() else self.tokens[self.pos].text.upper()

    def take(self):
        if self.done():
            return None
        self.pos += 1
        return self.tokens[self.pos - 1]

    def word(self) -> str:
        token = self.take()
        if token is None:
            raise RedshiftError('syntax error at end of input', "42601")
        return token.text.upper()

    def accept(self, word: str) -> bool:
        if self.peek() == word and self.tokens[self.pos].token_type != TokenType.IDENTIFIER:
            self.pos += 1
            return True
        return False

    def accept_symbol(self, kind) -> bool:
        if not self.done() and self.tokens[self.pos].token_type == kind:
            self.pos += 1
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.accept(word):
            raise self.error()

    def error(self) -> RedshiftError:
        if self.done():
            return RedshiftError("syntax error at end of input", "42601")
        return RedshiftError(f'syntax error at or near "{self.tokens[self.pos].text}"', "42601")

    def name(self, user: bool = False) -> str:
        """A database name (folded, quoted or not) or a user name (a quoted one keeps its case, as
        Redshift keeps it whatever enable_case_sensitive_identifier says)."""
        token = self.take()
        if token is None:
            raise RedshiftError("syntax error at end of input", "42601")
        text = token.text
        if token.token_type != TokenType.IDENTIFIER and not (text[:1].isalpha() or text[:1] == "_"):
            raise RedshiftError(f'syntax error at or near "{text}"', "42601")
        if not text:
            raise RedshiftError("zero-length delimited identifier", "42601")
        if any(not c.isprintable() for c in text):
            raise RedshiftError(f'invalid name "{text}": names hold printable characters only', "42602")
        if len(text.encode("utf-8")) > MAX_NAME_BYTES:
            raise RedshiftError(f'identifier "{text[:30]}..." is too long: names are at most {MAX_NAME_BYTES} '
                                "bytes", "42622")
        quoted = token.token_type == TokenType.IDENTIFIER
        return text if quoted and (user or self.case_sensitive) else fold(text)
