"""The CloudWatch Logs Insights query language (CWLI): tokenizer and parser for the pipe syntax.

`parse_query(text)` gives a `Query` (a list of commands over expression trees); `insights_sql.py`
translates it to DuckDB SQL. Both are pure, so the rules are unit-tested one line each. Anything the
parser does not know is refused with a `QuerySyntaxError` that names it and carries the character
offsets of the offending text, which StartQuery returns as MalformedQueryException's
`queryCompileError`. The grammar (AWS's documentation, "CloudWatch Logs Insights language query
syntax"):

    query    := command ('|' command)*                 # '#' starts a comment to the end of the line
    command  := fields item, ... | display field, ... | filter expr | stats item, ... [by item, ...]
              | sort expr [asc|desc], ... | limit N | parse [field] ("glob" as name, ... | /regex/)
              | dedup field, ...
    item     := expr [as name]
    expr     := or-expression over: or, and, not, = != < <= > >=, like / =~ (string or /regex/),
                [not] in [...], + - * / % ^, unary -, function calls, fields, numbers, strings,
                durations (5m, 1h) as function arguments

A regex literal `/.../` is only read where one may stand (after like and =~, in parse), so `/` is
division everywhere else. Field names are `@system` or discovered names with dots (`a.b.0.c`), or
any text in backticks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union


class QuerySyntaxError(Exception):
    """A query that cannot be parsed or translated; `start`/`end` are character offsets."""

    def __init__(self, message: str, start: int = 0, end: int = 0):
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = max(end, start)


# -- the syntax tree --------------------------------------------------------------------------------

@dataclass
class Node:
    start: int
    end: int


@dataclass
class Field(Node):
    name: str


@dataclass
class Number(Node):
    value: float
    text: str


@dataclass
class String(Node):
    value: str


@dataclass
class Regex(Node):
    pattern: str


@dataclass
class Duration(Node):
    amount: int
    unit: str


@dataclass
class Star(Node):
    """The `*` of count(*)."""


@dataclass
class Call(Node):
    name: str
    args: list


@dataclass
class Unary(Node):
    op: str  # "not" or "-"
    operand: Node


@dataclass
class Binary(Node):
    op: str  # and, or, = != < <= > >=, + - * / % ^
    left: Node
    right: Node


@dataclass
class Like(Node):
    operand: Node
    pattern: Union[String, Regex]
    negated: bool = False


@dataclass
class In(Node):
    operand: Node
    values: list
    negated: bool = False


Expr = Node


@dataclass
class Item:
    expr: Expr
    alias: Optional[str]
    text: str  # the expression as written: AWS names an unaliased result column by it

    @property
    def name(self) -> str:
        return self.alias or self.text


@dataclass
class Command:
    kind: str
    start: int
    end: int
    items: list = field(default_factory=list)       # fields, stats (aggregates), display, dedup
    by: list = field(default_factory=list)          # stats ... by
    condition: Optional[Expr] = None                # filter
    keys: list = field(default_factory=list)        # sort: (expr, descending)
    count: int = 0                                  # limit
    source: Optional[Expr] = None                   # parse: the field parsed
    pattern: Optional[Union[String, Regex]] = None  # parse: glob or regex
    names: list = field(default_factory=list)       # parse: the fields it creates


@dataclass
class Query:
    text: str
    commands: list


# -- tokens -------------------------------------------------------------------------------------------

@dataclass
class Token:
    kind: str  # name, quoted, number, duration, string, regex, op, end
    text: str
    start: int
    end: int
    value: object = None


_OPERATORS = ("!=", "<=", ">=", "=~", "=", "<", ">", "+", "-", "*", "/", "%", "^", "|", "(", ")", "[", "]", ",")
_NAME_START = set("@_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_CHARS = _NAME_START | set("0123456789")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
#: Commands of the language that lakebox does not run: refused by name rather than misread.
UNSUPPORTED_COMMANDS = ("unmask", "unnest", "pattern", "diff", "anomaly", "filterindex", "source", "lookup",
                        "eval", "where")


class Lexer:
    """Tokens on demand: the parser says where a regex literal may stand."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def _skip(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch.isspace():
                self.pos += 1
            elif ch == "#":
                newline = text.find("\n", self.pos)
                self.pos = len(text) if newline < 0 else newline + 1
            else:
                return

    def peek(self, regex: bool = False) -> Token:
        saved = self.pos
        try:
            return self.next(regex)
        finally:
            self.pos = saved

    def next(self, regex: bool = False) -> Token:
        self._skip()
        text, start = self.text, self.pos
        if start >= len(text):
            return Token("end", "", start, start)
        ch = text[start]
        if regex and ch == "/":
            return self._regex(start)
        if ch in "\"'":
            return self._string(start, ch)
        if ch == "`":
            close = text.find("`", start + 1)
            if close < 0:
                raise QuerySyntaxError("unterminated quoted field name", start, len(text))
            self.pos = close + 1
            return Token("quoted", text[start:self.pos], start, self.pos, text[start + 1:close])
        if ch.isdigit() or (ch == "." and start + 1 < len(text) and text[start + 1].isdigit()):
            return self._number(start)
        if ch in _NAME_START:
            end = start + 1
            while end < len(text):
                if text[end] in _NAME_CHARS:
                    end += 1
                elif text[end] == "." and end + 1 < len(text) and text[end + 1] in _NAME_CHARS:
                    end += 1
                else:
                    break
            self.pos = end
            return Token("name", text[start:end], start, end, text[start:end])
        for op in _OPERATORS:
            if text.startswith(op, start):
                self.pos = start + len(op)
                return Token("op", op, start, self.pos)
        raise QuerySyntaxError(f"unexpected character '{ch}' at position {start}", start, start + 1)

    def _regex(self, start: int) -> Token:
        text, pos, out = self.text, start + 1, []
        while pos < len(text):
            ch = text[pos]
            if ch == "\\" and pos + 1 < len(text):
                out.append(text[pos + 1] if text[pos + 1] == "/" else text[pos:pos + 2])
                pos += 2
                continue
            if ch == "/":
                self.pos = pos + 1
                return Token("regex", text[start:self.pos], start, self.pos, "".join(out))
            out.append(ch)
            pos += 1
        raise QuerySyntaxError("unterminated regular expression", start, len(text))

    def _string(self, start: int, quote: str) -> Token:
        text, pos, out = self.text, start + 1, []
        while pos < len(text):
            ch = text[pos]
            if ch == "\\" and pos + 1 < len(text):
                nxt = text[pos + 1]
                out.append(_ESCAPES.get(nxt, nxt))
                pos += 2
                continue
            if ch == quote:
                self.pos = pos + 1
                return Token("string", text[start:self.pos], start, self.pos, "".join(out))
            out.append(ch)
            pos += 1
        raise QuerySyntaxError("unterminated string", start, len(text))

    def _number(self, start: int) -> Token:
        text, end = self.text, start
        while end < len(text) and (text[end].isdigit() or text[end] == "."):
            end += 1
        digits = text[start:end]
        unit_end = end
        while unit_end < len(text) and text[unit_end].isalpha():
            unit_end += 1
        self.pos = unit_end
        try:
            number = float(digits)
        except ValueError:
            raise QuerySyntaxError(f"invalid number '{digits}'", start, end) from None
        if unit_end > end:
            if not digits.isdigit():
                raise QuerySyntaxError(f"invalid duration '{text[start:unit_end]}'", start, unit_end)
            return Token("duration", text[start:unit_end], start, unit_end, (int(digits), text[end:unit_end]))
        return Token("number", digits, start, end, number)


# -- the parser -------------------------------------------------------------------------------------

_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")


class Parser:
    def __init__(self, text: str):
        self.text = text
        self.lexer = Lexer(text)

    # helpers
    def _peek(self, regex: bool = False) -> Token:
        return self.lexer.peek(regex)

    def _next(self, regex: bool = False) -> Token:
        return self.lexer.next(regex)

    def _is_word(self, token: Token, *words: str) -> bool:
        return token.kind == "name" and token.text.lower() in words

    def _accept_word(self, *words: str) -> Optional[Token]:
        token = self._peek()
        if self._is_word(token, *words):
            return self._next()
        return None

    def _accept_op(self, *ops: str) -> Optional[Token]:
        token = self._peek()
        if token.kind == "op" and token.text in ops:
            return self._next()
        return None

    def _expect_op(self, op: str) -> Token:
        token = self._next()
        if token.kind != "op" or token.text != op:
            raise self._unexpected(token, f"'{op}'")
        return token

    def _unexpected(self, token: Token, wanted: str) -> QuerySyntaxError:
        found = "the end of the query" if token.kind == "end" else f"'{token.text}'"
        return QuerySyntaxError(f"expected {wanted} but found {found} at position {token.start}",
                                token.start, token.end)

    # query and commands
    def parse(self) -> Query:
        commands = []
        while True:
            commands.append(self._command())
            token = self._next()
            if token.kind == "end":
                break
            if token.kind != "op" or token.text != "|":
                raise self._unexpected(token, "'|' or the end of the query")
        return Query(self.text, commands)

    def _command(self) -> Command:
        token = self._next()
        if token.kind == "end":
            raise QuerySyntaxError("expected a command but the query is empty" if token.start == 0 or
                                   not self.text[:token.start].strip() else
                                   "expected a command after '|'", token.start, token.end)
        if token.kind != "name":
            raise self._unexpected(token, "a command")
        word = token.text.lower()
        method = getattr(self, f"_cmd_{word}", None)
        if method is None:
            if word in UNSUPPORTED_COMMANDS:
                raise QuerySyntaxError(f"the {token.text} command is not supported by lakebox", token.start,
                                       token.end)
            raise QuerySyntaxError(f"unknown command '{token.text}' at position {token.start}", token.start,
                                   token.end)
        command = Command(word, token.start, token.end)
        method(command)
        command.end = self.lexer.pos
        return command

    def _cmd_fields(self, command: Command) -> None:
        command.items = self._items()

    def _cmd_display(self, command: Command) -> None:
        command.items = [self._field_item() for _ in self._list()]

    def _cmd_dedup(self, command: Command) -> None:
        command.items = [self._field_item() for _ in self._list()]

    def _cmd_filter(self, command: Command) -> None:
        command.condition = self._expr()

    def _cmd_stats(self, command: Command) -> None:
        command.items = self._items()
        if self._accept_word("by"):
            command.by = self._items()

    def _cmd_sort(self, command: Command) -> None:
        for _ in self._list():
            expr = self._expr()
            direction = self._accept_word("asc", "desc")
            command.keys.append((expr, direction is not None and direction.text.lower() == "desc"))

    def _cmd_limit(self, command: Command) -> None:
        token = self._next()
        if token.kind != "number" or not token.text.isdigit():
            if self._is_word(token, "any"):
                raise QuerySyntaxError("limit any is not supported by lakebox", token.start, token.end)
            raise self._unexpected(token, "a whole number")
        command.count = int(token.text)
        if command.count < 1:
            raise QuerySyntaxError("limit must be at least 1", token.start, token.end)

    def _cmd_parse(self, command: Command) -> None:
        token = self._peek(regex=True)
        if token.kind in ("string", "regex"):
            command.source = Field(token.start, token.start, "@message")
        else:
            command.source = self._primary()
            if not isinstance(command.source, Field):
                raise QuerySyntaxError("parse reads a field", command.source.start, command.source.end)
            token = self._peek(regex=True)
        token = self._next(regex=True)
        if token.kind == "string":
            command.pattern = String(token.start, token.end, token.value)
            as_token = self._next()
            if not self._is_word(as_token, "as"):
                raise self._unexpected(as_token, "'as' and the names of the fields the glob pattern extracts")
            command.names = [self._name() for _ in self._list()]
            stars = token.value.count("*")
            if stars != len(command.names):
                raise QuerySyntaxError(f"the pattern has {stars} wildcards (*) but {len(command.names)} names "
                                       "follow 'as'", token.start, self.lexer.pos)
        elif token.kind == "regex":
            command.pattern = Regex(token.start, token.end, token.value)
            if self._is_word(self._peek(), "as"):
                raise QuerySyntaxError("parse with a regular expression names its fields with named capturing "
                                       "groups (?<name>...), not with 'as'", token.start, token.end)
        elif self._is_word(token, "logfmt", "csv"):
            raise QuerySyntaxError(f"parse {token.text} is not supported by lakebox", token.start, token.end)
        else:
            raise self._unexpected(token, "a glob pattern in quotes or a /regular expression/")

    # pieces
    def _list(self):
        """Yield once per comma-separated element; the caller parses the element."""
        while True:
            yield
            if not self._accept_op(","):
                return

    def _name(self) -> str:
        token = self._next()
        if token.kind not in ("name", "quoted"):
            raise self._unexpected(token, "a field name")
        return token.value

    def _field_item(self) -> Item:
        token = self._peek()
        name = self._name()
        return Item(Field(token.start, token.end, name), None, name)

    def _items(self) -> list:
        items = []
        for _ in self._list():
            expr = self._expr()
            alias = self._name() if self._accept_word("as") else None
            text = expr.name if isinstance(expr, Field) else self.text[expr.start:expr.end]
            items.append(Item(expr, alias, text))
        return items

    # expressions, lowest precedence first
    def _expr(self) -> Expr:
        return self._or()

    def _or(self) -> Expr:
        left = self._and()
        while self._accept_word("or"):
            right = self._and()
            left = Binary(left.start, right.end, "or", left, right)
        return left

    def _and(self) -> Expr:
        left = self._not()
        while self._accept_word("and"):
            right = self._not()
            left = Binary(left.start, right.end, "and", left, right)
        return left

    def _not(self) -> Expr:
        token = self._accept_word("not")
        if token is not None:
            operand = self._not()
            return Unary(token.start, operand.end, "not", operand)
        return self._comparison()

    def _comparison(self) -> Expr:
        left = self._additive()
        token = self._peek()
        negated = False
        if self._is_word(token, "not"):
            # `x not like ...` and `x not in [...]`
            saved = self.lexer.pos
            self._next()
            after = self._peek()
            if not self._is_word(after, "like", "in"):
                self.lexer.pos = saved
                return left
            negated, token = True, after
        if self._is_word(token, "like") or (token.kind == "op" and token.text == "=~"):
            self._next()
            pattern_token = self._next(regex=True)
            if pattern_token.kind == "regex":
                pattern: Union[String, Regex] = Regex(pattern_token.start, pattern_token.end, pattern_token.value)
            elif pattern_token.kind == "string" and token.text != "=~":
                pattern = String(pattern_token.start, pattern_token.end, pattern_token.value)
            else:
                raise self._unexpected(pattern_token, "a /regular expression/" if token.text == "=~"
                                       else "a string or a /regular expression/")
            return Like(left.start, pattern.end, left, pattern, negated)
        if self._is_word(token, "in"):
            self._next()
            self._expect_op("[")
            values = []
            if not self._accept_op("]"):
                for _ in self._list():
                    values.append(self._additive())
                self._expect_op("]")
            return In(left.start, self.lexer.pos, left, values, negated)
        if token.kind == "op" and token.text in _COMPARISONS:
            self._next()
            right = self._additive()
            return Binary(left.start, right.end, token.text, left, right)
        return left

    def _additive(self) -> Expr:
        left = self._multiplicative()
        while True:
            token = self._accept_op("+", "-")
            if token is None:
                return left
            right = self._multiplicative()
            left = Binary(left.start, right.end, token.text, left, right)

    def _multiplicative(self) -> Expr:
        left = self._power()
        while True:
            token = self._accept_op("*", "/", "%")
            if token is None:
                return left
            right = self._power()
            left = Binary(left.start, right.end, token.text, left, right)

    def _power(self) -> Expr:
        left = self._unary()
        if self._accept_op("^"):
            right = self._power()
            return Binary(left.start, right.end, "^", left, right)
        return left

    def _unary(self) -> Expr:
        token = self._accept_op("-")
        if token is not None:
            operand = self._unary()
            return Unary(token.start, operand.end, "-", operand)
        return self._primary()

    def _primary(self) -> Expr:
        token = self._next()
        if token.kind == "number":
            return Number(token.start, token.end, token.value, token.text)
        if token.kind == "string":
            return String(token.start, token.end, token.value)
        if token.kind == "duration":
            amount, unit = token.value
            return Duration(token.start, token.end, amount, unit)
        if token.kind == "quoted":
            return Field(token.start, token.end, token.value)
        if token.kind == "op" and token.text == "(":
            inner = self._expr()
            close = self._expect_op(")")
            inner.start, inner.end = token.start, close.end
            return inner
        if token.kind == "name":
            nxt = self._peek()
            if nxt.kind == "op" and nxt.text == "(":
                return self._call(token)
            return Field(token.start, token.end, token.value)
        raise self._unexpected(token, "a field, a value or a function")

    def _call(self, name: Token) -> Call:
        self._expect_op("(")
        args: list = []
        if not self._accept_op(")"):
            for _ in self._list():
                star = self._accept_op("*")
                args.append(Star(star.start, star.end) if star is not None else self._expr())
            self._expect_op(")")
        return Call(name.start, self.lexer.pos, name.text, args)


def parse_query(text: str) -> Query:
    return Parser(text).parse()
