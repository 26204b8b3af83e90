"""PL/pgSQL, the language of Redshift's stored procedures: a procedure body as a tree of statements.

The body is cut into tokens (words, strings, dollar-quoted strings, numbers, operators; comments are
dropped) and read by recursive descent: blocks (`[<<label>>] [DECLARE ...] BEGIN ... [EXCEPTION WHEN
OTHERS THEN ...] END`), IF, CASE, the loops, EXIT/CONTINUE, RAISE, RETURN, EXECUTE, GET DIAGNOSTICS,
SELECT INTO, assignments, cursors, COMMIT/ROLLBACK and nested CALL. Any other statement is SQL, kept
as its text up to the `;`; expressions and conditions are kept as text too, and are evaluated by SQL
at run time (`plpgsql_run`), with the variables they name replaced by literals.

A body that cannot be read raises `RedshiftError` 42601 at CREATE PROCEDURE, as Redshift reports it.
Imports only this package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from . import RedshiftError

# -- tokens ----------------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+|--[^\n]*|/\*.*?\*/)
  | (?P<dollar>\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$)
  | (?P<string>[EeNn]?'(?:[^']|'')*')
  | (?P<qident>"(?:[^"]|"")*")
  | (?P<param>\$\d+)
  | (?P<number>\d+(?:\.(?!\.)\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)
  | (?P<word>[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)
  | (?P<op>:=|\.\.|<<|>>|::|<>|!=|<=|>=|\|\||[-+*/%^<>=~!@#&|`?:;,.()\[\]{}])
""", re.X | re.S)


@dataclass
class Token:
    kind: str      # word, string, dollar, qident, param, number, op
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise RedshiftError(f'syntax error at or near "{text[pos:pos + 10].split()[0]}"', "42601")
        if match.lastgroup != "space":
            kind = match.lastgroup if match.lastgroup != "tag" else "dollar"
            tokens.append(Token(kind, match.group(), pos, match.end()))
        pos = match.end()
    return tokens


# -- the tree --------------------------------------------------------------------------------------

@dataclass
class Declaration:
    name: str
    type: str                       # as written: "int", "varchar(256)", "record", "refcursor"
    default: Optional[str] = None   # an expression
    constant: bool = False
    not_null: bool = False
    alias_of: Optional[str] = None  # ALIAS FOR $n / name
    cursor_query: Optional[str] = None  # name CURSOR FOR query


@dataclass
class Block:
    declarations: list
    body: list
    handler: Optional[list] = None  # EXCEPTION WHEN OTHERS THEN ...
    label: Optional[str] = None


@dataclass
class Assign:
    target: str
    expr: str


@dataclass
class Sql:
    """A statement run as it is, after its variables are replaced (INSERT, CREATE TABLE, COPY ...);
    `into`: the targets of SELECT ... INTO, cut out of the text."""
    text: str
    into: list = field(default_factory=list)
    strict: bool = False


@dataclass
class If:
    branches: list                  # [(condition, statements)]
    otherwise: Optional[list] = None


@dataclass
class Case:
    subject: Optional[str]          # CASE subject WHEN value ... / None: CASE WHEN condition ...
    branches: list                  # [(value list or condition, statements)]
    otherwise: Optional[list] = None


@dataclass
class Loop:
    body: list
    label: Optional[str] = None
    condition: Optional[str] = None  # WHILE condition LOOP


@dataclass
class ForRange:
    var: str
    low: str
    high: str
    step: Optional[str]
    reverse: bool
    body: list
    label: Optional[str] = None


@dataclass
class ForQuery:
    var: str
    query: str
    dynamic: bool                   # FOR rec IN EXECUTE expr LOOP
    body: list
    label: Optional[str] = None


@dataclass
class Exit:
    kind: str                       # EXIT or CONTINUE
    label: Optional[str] = None
    condition: Optional[str] = None


@dataclass
class Return:
    pass


@dataclass
class Null:
    pass


@dataclass
class Raise:
    level: Optional[str]            # None: RAISE; (re-raise in a handler)
    message: str = ""
    args: list = field(default_factory=list)


@dataclass
class Execute:
    expr: str
    into: list = field(default_factory=list)
    strict: bool = False


@dataclass
class GetDiagnostics:
    items: list                     # [(variable, ROW_COUNT)]


@dataclass
class Transaction:
    verb: str                       # COMMIT or ROLLBACK


@dataclass
class Call:
    name: str
    args: list                      # expressions


@dataclass
class Open:
    cursor: str
    query: Optional[str]            # None: a bound cursor's own query
    dynamic: bool = False


@dataclass
class Fetch:
    cursor: str
    into: list


@dataclass
class Close:
    cursor: str


# -- the parser ------------------------------------------------------------------------------------

_BLOCK_ENDS = {"END", "EXCEPTION", "ELSIF", "ELSEIF", "ELSE", "WHEN"}
_RAISE_LEVELS = {"DEBUG", "LOG", "INFO", "NOTICE", "WARNING", "EXCEPTION"}


def parse(body: str) -> Block:
    """The body of a procedure, as its tree; 42601 if it cannot be read."""
    parser = _Parser(body)
    block = parser.block()
    if parser.peek() is not None and parser.peek().text == ";":
        parser.pos += 1
    if parser.peek() is not None:
        parser.fail()
    return block


class TokenReader:
    """Reading a statement's tokens one by one: the body parser's and the CALL/CREATE PROCEDURE
    readers' common ground. A token that does not fit is Redshift's 42601 syntax error at it."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self, ahead: int = 0) -> Optional[Token]:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def accept(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token.upper in words:
            self.pos += 1
            return True
        return False

    def expect(self, *words: str) -> Token:
        token = self.peek()
        if token is None or token.upper not in words:
            self.fail()
        self.pos += 1
        return token

    def fail(self):
        token = self.peek()
        if token is None:
            raise RedshiftError("syntax error at end of input", "42601")
        raise RedshiftError(f'syntax error at or near "{token.text}"', "42601")


class _Parser(TokenReader):
    # -- token helpers

    def word(self, ahead: int = 0) -> str:
        token = self.peek(ahead)
        return token.upper if token is not None and token.kind == "word" else ""

    def name(self) -> str:
        token = self.peek()
        if token is None or token.kind not in ("word", "qident", "param"):
            self.fail()
        self.pos += 1
        return _ident(token)

    def text_until(self, *stops: str) -> str:
        """The source text from here to the first of `stops` at the top level (outside brackets and
        CASE ... END), which is left unread; 42601 if it is empty or never found."""
        start, depth, cases = self.pos, 0, 0
        while True:
            token = self.peek()
            if token is None:
                self.fail()
            upper = token.upper
            if depth == 0 and cases == 0 and upper in stops and token.kind in ("word", "op"):
                break
            if upper in ("(", "["):
                depth += 1
            elif upper in (")", "]"):
                depth -= 1
            elif token.kind == "word" and upper == "CASE":
                cases += 1
            elif token.kind == "word" and upper == "END" and cases:
                cases -= 1
            self.pos += 1
        if self.pos == start:
            self.fail()
        return self.text[self.tokens[start].start:self.tokens[self.pos - 1].end]

    # -- blocks

    def block(self, label: Optional[str] = None) -> Block:
        declarations = []
        if self.accept("DECLARE"):
            while self.word() != "BEGIN":
                if self.word() == "DECLARE":
                    self.pos += 1
                    continue
                declarations.append(self.declaration())
        self.expect("BEGIN")
        body = self.statements()
        handler = None
        if self.accept("EXCEPTION"):
            self.expect("WHEN")
            if self.name() != "others":
                raise RedshiftError("only OTHERS is supported in an exception handler", "0A000")
            self.expect("THEN")
            handler = self.statements()
        self.expect("END")
        if label is not None and self.word() == label.upper():
            self.pos += 1
        return Block(declarations, body, handler, label)

    def declaration(self) -> Declaration:
        name = self.name()
        if self.accept("ALIAS"):
            self.expect("FOR")
            target = self.name()
            self.expect(";")
            return Declaration(name, "", alias_of=target)
        if self.word() in ("CURSOR", "SCROLL", "NO"):
            while self.accept("NO", "SCROLL"):
                pass
            self.expect("CURSOR")
            self.expect("FOR", "IS")
            query = self.text_until(";")
            self.expect(";")
            return Declaration(name, "refcursor", cursor_query=query)
        constant = self.accept("CONSTANT")
        kind = self.text_until(":=", "=", "DEFAULT", ";", "NOT")
        not_null = False
        if self.accept("NOT"):
            self.expect("NULL")
            not_null = True
        default = None
        if self.accept(":=", "=", "DEFAULT"):
            default = self.text_until(";")
        self.expect(";")
        return Declaration(name, kind, default, constant, not_null)

    def statements(self) -> list:
        body = []
        while True:
            token = self.peek()
            if token is None:
                self.fail()
            if token.kind == "word" and token.upper in _BLOCK_ENDS:
                return body
            body.append(self.statement())

    def end(self, *words: str) -> None:
        """END <words> [label] ;"""
        self.expect("END")
        for word in words:
            self.expect(word)
        if self.word() and self.peek().text != ";":
            self.pos += 1  # END LOOP label
        self.expect(";")

    # -- statements

    def statement(self):
        label = None
        if self.peek().text == "<<":
            self.pos += 1
            label = self.name()
            self.expect(">>")
        word = self.word()
        if word in ("DECLARE", "BEGIN"):
            block = self.block(label)
            self.expect(";")
            return block
        if word in ("LOOP", "WHILE", "FOR"):
            return self.loop(label)
        if label is not None:
            self.fail()
        method = getattr(self, f"stmt_{word.lower()}", None) if word else None
        if method is not None and not self._is_assignment():
            return method()
        if self._is_assignment():
            target = self.name()
            if self.peek() is not None and self.peek().text == ".":
                self.pos += 1
                target += "." + self.name()
            self.expect(":=", "=")
            expr = self.text_until(";")
            self.expect(";")
            return Assign(target, expr)
        return self.sql()

    def _is_assignment(self) -> bool:
        token, after = self.peek(), self.peek(1)
        if token is None or token.kind not in ("word", "qident", "param") or after is None:
            return False
        if after.text == "." and self.peek(3) is not None:
            return self.peek(3).text in (":=",) or (self.peek(3).text == "=" and token.upper not in _SQL_WORDS)
        return after.text == ":=" or (after.text == "=" and token.upper not in _SQL_WORDS)

    def loop(self, label: Optional[str]):
        word = self.word()
        if word == "LOOP":
            self.pos += 1
            body = self.statements()
            self.end("LOOP")
            return Loop(body, label)
        if word == "WHILE":
            self.pos += 1
            condition = self.text_until("LOOP")
            self.expect("LOOP")
            body = self.statements()
            self.end("LOOP")
            return Loop(body, label, condition)
        self.expect("FOR")
        var = self.name()
        self.expect("IN")
        if self.accept("EXECUTE"):
            query = self.text_until("LOOP")
            self.expect("LOOP")
            body = self.statements()
            self.end("LOOP")
            return ForQuery(var, query, True, body, label)
        reverse = self.accept("REVERSE")
        start = self.pos
        range_ = self._range_ahead()
        if not range_:
            query = self.text_until("LOOP")
            self.expect("LOOP")
            body = self.statements()
            self.end("LOOP")
            return ForQuery(var, query, False, body, label)
        self.pos = start
        low = self.text_until("..")
        self.expect("..")
        high = self.text_until("BY", "LOOP")
        step = None
        if self.accept("BY"):
            step = self.text_until("LOOP")
        self.expect("LOOP")
        body = self.statements()
        self.end("LOOP")
        return ForRange(var, low, high, step, reverse, body, label)

    def _range_ahead(self) -> bool:
        start = self.pos
        try:
            self.text_until("..", "LOOP")
            return self.peek().text == ".."
        finally:
            self.pos = start

    def stmt_if(self):
        self.pos += 1
        branches, otherwise = [], None
        condition = self.text_until("THEN")
        self.expect("THEN")
        branches.append((condition, self.statements()))
        while True:
            if self.accept("ELSIF", "ELSEIF"):
                condition = self.text_until("THEN")
                self.expect("THEN")
                branches.append((condition, self.statements()))
            elif self.accept("ELSE"):
                otherwise = self.statements()
            else:
                break
        self.end("IF")
        return If(branches, otherwise)

    def stmt_case(self):
        self.pos += 1
        subject = None if self.word() == "WHEN" else self.text_until("WHEN")
        branches, otherwise = [], None
        while self.accept("WHEN"):
            condition = self.text_until("THEN")
            self.expect("THEN")
            branches.append((condition, self.statements()))
        if self.accept("ELSE"):
            otherwise = self.statements()
        self.end("CASE")
        return Case(subject, branches, otherwise)

    def stmt_exit(self):
        kind = self.expect("EXIT", "CONTINUE").upper
        label = None
        if self.word() and self.word() != "WHEN":
            label = self.name()
        condition = None
        if self.accept("WHEN"):
            condition = self.text_until(";")
        self.expect(";")
        return Exit(kind, label, condition)

    stmt_continue = stmt_exit

    def stmt_return(self):
        self.pos += 1
        if self.peek() is not None and self.peek().text != ";":
            raise RedshiftError("RETURN cannot have a parameter in a procedure", "42804")
        self.expect(";")
        return Return()

    def stmt_null(self):
        self.pos += 1
        self.expect(";")
        return Null()

    def stmt_raise(self):
        self.pos += 1
        if self.accept(";"):
            return Raise(None)
        level = "EXCEPTION"
        if self.word() in _RAISE_LEVELS:
            level = self.word()
            self.pos += 1
        token = self.peek()
        if token is None or token.kind not in ("string", "dollar"):
            self.fail()
        self.pos += 1
        message = _string_value(token)
        args = []
        while self.accept(","):
            args.append(self.text_until(",", ";"))
        self.expect(";")
        if message.count("%") - 2 * message.count("%%") != len(args):
            raise RedshiftError("too few parameters specified for RAISE" if message.count("%") > len(args)
                                else "too many parameters specified for RAISE", "42601")
        return Raise(level, message, args)

    def stmt_execute(self):
        self.pos += 1
        expr = self.text_until("INTO", ";", "USING")
        if self.word() == "USING":
            raise RedshiftError("EXECUTE ... USING is not supported in Redshift", "0A000")
        into, strict = [], False
        if self.accept("INTO"):
            strict = self.accept("STRICT")
            into = self.targets()
        self.expect(";")
        return Execute(expr, into, strict)

    def stmt_get(self):
        self.pos += 1
        self.accept("CURRENT")
        self.expect("DIAGNOSTICS")
        items = []
        while True:
            target = self.name()
            self.expect(":=", "=")
            item = self.expect("ROW_COUNT").upper
            items.append((target, item))
            if not self.accept(","):
                break
        self.expect(";")
        return GetDiagnostics(items)

    def stmt_commit(self):
        verb = self.expect("COMMIT", "ROLLBACK").upper
        self.accept("WORK", "TRANSACTION")
        self.expect(";")
        return Transaction(verb)

    stmt_rollback = stmt_commit

    def stmt_call(self):
        self.pos += 1
        name = self.name()
        while self.accept("."):
            name += "." + self.name()
        self.expect("(")
        args = []
        if not self.accept(")"):
            while True:
                args.append(self.text_until(",", ")"))
                if self.accept(")"):
                    break
                self.expect(",")
        self.expect(";")
        return Call(name, args)

    def stmt_open(self):
        self.pos += 1
        cursor = self.name()
        if self.accept(";"):
            return Open(cursor, None)
        self.expect("FOR")
        dynamic = self.accept("EXECUTE")
        query = self.text_until(";")
        self.expect(";")
        return Open(cursor, query, dynamic)

    def stmt_fetch(self):
        self.pos += 1
        self.accept("NEXT")
        self.accept("FROM", "IN")
        cursor = self.name()
        self.expect("INTO")
        into = self.targets()
        self.expect(";")
        return Fetch(cursor, into)

    def stmt_close(self):
        self.pos += 1
        cursor = self.name()
        self.expect(";")
        return Close(cursor)

    def targets(self) -> list:
        targets = []
        while True:
            target = self.name()
            if self.accept("."):
                target += "." + self.name()
            targets.append(target)
            if not self.accept(","):
                return targets

    def sql(self):
        """Any other statement, up to its `;`; SELECT ... INTO targets is cut out of a SELECT."""
        start = self.pos
        text = self.text_until(";")
        end = self.pos
        self.expect(";")
        if self.tokens[start].upper not in ("SELECT", "WITH"):
            return Sql(text)
        depth = 0
        for index in range(start, end):
            token = self.tokens[index]
            if token.text == "(":
                depth += 1
            elif token.text == ")":
                depth -= 1
            elif depth == 0 and token.upper == "INTO" and token.kind == "word":
                self.pos = index + 1
                strict = self.accept("STRICT")
                if self.word() in ("TEMP", "TEMPORARY", "TABLE", "UNLOGGED"):
                    break  # SELECT ... INTO TEMP table: SQL's own INTO
                targets = self.targets()
                cut_to = self.tokens[self.pos - 1].end
                self.pos = end + 1
                sql = (self.text[self.tokens[start].start:token.start] + " "
                       + self.text[cut_to:self.tokens[end - 1].end])
                return Sql(sql.strip(), targets, strict)
        self.pos = end + 1
        return Sql(text)


#: First words of SQL statements, which `word = ...` never assigns to.
_SQL_WORDS = {"SELECT", "UPDATE", "DELETE", "INSERT", "WITH", "SET", "CREATE", "DROP", "ALTER"}


def _ident(token: Token) -> str:
    if token.kind == "qident":
        return token.text[1:-1].replace('""', '"')
    return token.text.lower()


def _string_value(token: Token) -> str:
    if token.kind == "dollar":
        tag_end = token.text.index("$", 1) + 1
        return token.text[tag_end:len(token.text) - tag_end]
    text = token.text
    if text[0] in "EeNn":
        text = text[1:]
    return text[1:-1].replace("''", "'")


def string_value(token: Token) -> str:
    """The value of a string token ('it''s', $$x$$)."""
    return _string_value(token)
