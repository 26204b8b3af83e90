"""The `Expression` of Glue's GetPartitions: parsed once, compiled to a predicate over a partition's
`Values`.

    match = compile_filter("year = '2024' AND month BETWEEN 1 AND 6", table["PartitionKeys"])
    kept = [p for p in partitions if match(p["Values"])]

Three stages, each small: a tokenizer, a recursive-descent parser that builds a tree of the SQL
`WHERE` subset Glue accepts, and a compiler that checks the tree against the table's partition keys
and turns it into nested closures. Everything the request got wrong (syntax, an unknown key, a key
type Glue cannot filter on, a literal that does not convert) is caught while compiling, so it
surfaces as one `ExpressionError` before any partition is read.

The AWS behaviour followed (Glue API reference, GetPartitions `Expression`; observed answers
recorded by other emulators and users of the API):
- Operators `=`, `<>` (and `!=`, which JSQLParser, Glue's parser, also reads), `>`, `<`, `>=`, `<=`,
  `[NOT] IN (...)`, `[NOT] BETWEEN x AND y`, `[NOT] LIKE`, `IS [NOT] NULL`, `AND`, `OR`, `NOT` and
  parentheses, which may also wrap a single column or literal. Keywords are case-insensitive. A
  condition names a partition key on the left and literals on the right.
- Supported key types: string (and char/varchar), date, timestamp, int, bigint, long, tinyint,
  smallint, decimal. Naming a key of another type is refused with "Unknown type : '<type>'".
- Both sides compare in the key's type: a literal, quoted or not, is converted to that type
  (`int_col = '2'` matches; `int_col = 'x'` is refused) and so is each stored value. A stored value
  that does not convert fails the whole call with InvalidStateException, as AWS does
  (`For input string: "null" is not an integer.`): see `PartitionValueError`.
- Strings compare the way Java does (by UTF-16 code unit). Integral values are 64-bit, decimals
  exact, dates `yyyy-[m]m-[d]d`, timestamps `yyyy-[m]m-[d]d hh:mm:ss[.fffffffff]` to the nanosecond.
- LIKE works on string keys only (`%`, `_`, case-sensitive); on other types it is refused with
  "<Family> data type doesn't support operation 'LIKE'".
- Stored partition values are strings and never NULL, so `IS NULL` never matches.
- An unknown key is refused with "Invalid partition expression!" (AWS's wording since 2025).

Imports: the standard library only.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Optional, Union

from ...engines.like_patterns import like_regex

Predicate = Callable[[list], bool]


class ExpressionError(ValueError):
    """The expression cannot be used; the message is what Glue puts in InvalidInputException."""


class PartitionValueError(ValueError):
    """A stored partition value does not convert to its key's type while being compared.

    AWS fails the whole GetPartitions call with InvalidStateException (not InvalidInputException),
    because the request was fine and the catalog's data is not; the message is AWS's wording.
    """


# ----------------------------------------------------------------------------------------------
# Tokens

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>`[^`]*`|"[^"]*")
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|<>|!=|=|<|>|[-+(),])
    """,
    re.VERBOSE,
)
KEYWORDS = frozenset({"AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "IS", "NULL"})
COMPARISONS = ("=", "<>", "!=", "<", ">", "<=", ">=")


@dataclass(frozen=True)
class Token:
    kind: str  # "string", "number", "name", "keyword", "op" or "end"
    text: str  # the value: unquoted for strings and names, upper-case for keywords
    pos: int


def tokenize(expression: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(expression):
        found = _TOKEN.match(expression, pos)
        if found is None:
            char = expression[pos]
            detail = f"unterminated {char}" if char in "'`\"" else f"unexpected character {char!r}"
            raise _syntax(expression, pos, detail)
        kind, text = found.lastgroup, found.group()
        if kind == "string":
            tokens.append(Token("string", text[1:-1].replace("''", "'"), pos))
        elif kind == "quoted":
            tokens.append(Token("name", text[1:-1], pos))
        elif kind == "word":
            upper = text.upper()
            tokens.append(Token("keyword", upper, pos) if upper in KEYWORDS else Token("name", text, pos))
        elif kind != "space":
            tokens.append(Token(kind, text, pos))
        pos = found.end()
    tokens.append(Token("end", "", len(expression)))
    return tokens


def _syntax(expression: str, pos: int, detail: str) -> ExpressionError:
    # AWS answers "Unsupported expression '...'"; the detail says where reading stopped.
    return ExpressionError(f"Unsupported expression '{expression}': {detail} at position {pos}")


# ----------------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True)
class Column:
    name: str


@dataclass(frozen=True)
class Literal:
    text: str  # a number as written (sign included), or a string's content
    is_number: bool


@dataclass(frozen=True)
class Compare:
    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class In:
    operand: "Node"
    items: tuple
    negated: bool


@dataclass(frozen=True)
class Between:
    operand: "Node"
    low: "Node"
    high: "Node"
    negated: bool


@dataclass(frozen=True)
class Like:
    operand: "Node"
    pattern: "Node"
    negated: bool


@dataclass(frozen=True)
class IsNull:
    operand: "Node"
    negated: bool


@dataclass(frozen=True)
class And:
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Or:
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Not:
    operand: "Node"


Node = Union[Column, Literal, Compare, In, Between, Like, IsNull, And, Or, Not]


# ----------------------------------------------------------------------------------------------
# Parsing
#
#   expression := or_expr END
#   or_expr    := and_expr (OR and_expr)*
#   and_expr   := not_expr (AND not_expr)*
#   not_expr   := NOT not_expr | predicate
#   predicate  := operand [ comparison operand | IS [NOT] NULL | [NOT] IN '(' operand (',' operand)* ')'
#                         | [NOT] BETWEEN operand AND operand | [NOT] LIKE operand ]
#   operand    := name | string | ['-'|'+'] number | '(' or_expr ')'
#
# The parser accepts any operand on either side; the compiler then insists on `key op literal`, so
# a misplaced operand is reported as such rather than as a puzzling syntax error.


class Parser:
    def __init__(self, expression: str):
        self.expression = expression
        self.tokens = tokenize(expression)
        self.index = 0

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek().kind != "end":
            raise self.error("unexpected " + self.describe(self.peek()))
        return node

    # -- grammar rules

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.accept_keyword("OR"):
            node = Or(node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.accept_keyword("AND"):
            node = And(node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.accept_keyword("NOT"):
            return Not(self.not_expr())
        return self.predicate()

    def predicate(self) -> Node:
        left = self.operand()
        token = self.peek()
        if token.kind == "op" and token.text in COMPARISONS:
            self.index += 1
            return Compare("<>" if token.text == "!=" else token.text, left, self.operand())
        if self.accept_keyword("IS"):
            negated = self.accept_keyword("NOT")
            self.expect_keyword("NULL")
            return IsNull(left, negated)
        negated = self.accept_keyword("NOT")
        if self.accept_keyword("IN"):
            self.expect_op("(")
            items = [self.operand()]
            while self.accept_op(","):
                items.append(self.operand())
            self.expect_op(")")
            return In(left, tuple(items), negated)
        if self.accept_keyword("BETWEEN"):
            low = self.operand()
            self.expect_keyword("AND")
            return Between(left, low, self.operand(), negated)
        if self.accept_keyword("LIKE"):
            return Like(left, self.operand(), negated)
        if negated:
            raise self.error("expected IN, BETWEEN or LIKE after NOT, found " + self.describe(self.peek()))
        return left

    def operand(self) -> Node:
        start, token = self.index, self.next()
        if token.kind == "name":
            return Column(token.text)
        if token.kind == "string":
            return Literal(token.text, is_number=False)
        if token.kind == "number":
            return Literal(token.text, is_number=True)
        if token.kind == "op" and token.text in "-+" and self.peek().kind == "number":
            return Literal(token.text + self.next().text, is_number=True)
        if token.kind == "op" and token.text == "(":
            node = self.or_expr()
            self.expect_op(")")
            return node
        self.index = start
        raise self.error("expected a partition key or a literal, found " + self.describe(token))

    # -- token helpers

    def peek(self) -> Token:
        return self.tokens[self.index]

    def next(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def accept_keyword(self, word: str) -> bool:
        if self.peek().kind == "keyword" and self.peek().text == word:
            self.index += 1
            return True
        return False

    def accept_op(self, op: str) -> bool:
        if self.peek().kind == "op" and self.peek().text == op:
            self.index += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.accept_keyword(word):
            raise self.error(f"expected {word}, found " + self.describe(self.peek()))

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            raise self.error(f"expected '{op}', found " + self.describe(self.peek()))

    def error(self, detail: str) -> ExpressionError:
        return _syntax(self.expression, self.peek().pos, detail)

    @staticmethod
    def describe(token: Token) -> str:
        if token.kind == "end":
            return "the end of the expression"
        return f"'{token.text}'" if token.kind == "string" else repr(token.text)


def parse(expression: str) -> Node:
    return Parser(expression).parse()


# ----------------------------------------------------------------------------------------------
# Key types: how a partition value or a literal becomes comparable. Each converter raises
# ValueError carrying AWS's message (the wording of the Java conversions Glue runs).

_INTEGRAL = re.compile(r"[+-]?\d+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?", re.ASCII
)
_LONG_RANGE = range(-(2**63), 2**63)


def _to_string(text: str) -> bytes:
    # Java's String.compareTo orders UTF-16 code units; big-endian UTF-16 bytes sort the same way.
    return text.encode("utf-16-be", "surrogatepass")


def _to_integral(text: str) -> int:
    if _INTEGRAL.fullmatch(text) and int(text) in _LONG_RANGE:
        return int(text)
    raise ValueError(f'For input string: "{text}" is not an integer.')


def _to_decimal(text: str) -> Decimal:
    if _DECIMAL.fullmatch(text):
        return Decimal(text)
    raise ValueError(f"{text} is not a decimal.")


def _to_date(text: str) -> date:
    found = _DATE.fullmatch(text)
    try:
        return date(*map(int, found.groups()))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise ValueError(f"{text} is not a date.") from None


def _to_timestamp(text: str) -> tuple:
    found = _TIMESTAMP.fullmatch(text)
    try:
        *fields, fraction = found.groups()  # type: ignore[union-attr]
        moment = datetime(*map(int, fields))
    except (AttributeError, ValueError):
        raise ValueError("Timestamp format must be yyyy-mm-dd hh:mm:ss[.fffffffff]") from None
    return moment, int((fraction or "").ljust(9, "0"))  # nanoseconds: Glue keeps all nine digits


@dataclass(frozen=True)
class KeyType:
    family: str  # the name AWS uses in "<family> data type doesn't support operation 'LIKE'"
    convert: Callable[[str], Any]


STRING = KeyType("String", _to_string)
INTEGRAL = KeyType("Integral", _to_integral)

#: The partition key types Glue can filter on (GetPartitions, "Supported Partition Key Types";
#: char and varchar are strings with a length).
KEY_TYPES: dict[str, KeyType] = {
    "string": STRING,
    "char": STRING,
    "varchar": STRING,
    "date": KeyType("Date", _to_date),
    "timestamp": KeyType("Timestamp", _to_timestamp),
    "int": INTEGRAL,
    "bigint": INTEGRAL,
    "long": INTEGRAL,
    "tinyint": INTEGRAL,
    "smallint": INTEGRAL,
    "decimal": KeyType("Decimal", _to_decimal),
}

_COMPARE = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


# ----------------------------------------------------------------------------------------------
# Compiling


@dataclass(frozen=True)
class _Key:
    index: int
    name: str
    type: KeyType

    def read(self, values: list) -> Optional[str]:
        return values[self.index] if self.index < len(values) else None

    def value(self, text: str) -> Any:
        try:
            return self.type.convert(text)
        except ValueError as exc:
            raise PartitionValueError(str(exc)) from None


class Compiler:
    def __init__(self, expression: str, partition_keys: list[dict]):
        self.expression = expression
        # Glue (like Hive) treats column names case-insensitively.
        self.keys = {k["Name"].lower(): (i, k) for i, k in enumerate(partition_keys)}

    def compile(self, node: Node) -> Predicate:
        if isinstance(node, And):
            left, right = self.compile(node.left), self.compile(node.right)
            return lambda values: left(values) and right(values)
        if isinstance(node, Or):
            left, right = self.compile(node.left), self.compile(node.right)
            return lambda values: left(values) or right(values)
        if isinstance(node, Not):
            inner = self.compile(node.operand)
            return lambda values: not inner(values)
        if isinstance(node, Compare):
            return self.comparison(node)
        if isinstance(node, In):
            return self.membership(node)
        if isinstance(node, Between):
            return self.between(node)
        if isinstance(node, Like):
            return self.like(node)
        if isinstance(node, IsNull):
            return self.is_null(node)
        raise self.unsupported(f"{self.show(node)} is not a condition")

    def comparison(self, node: Compare) -> Predicate:
        key, compare = self.key(node.left), _COMPARE[node.op]
        literal = self.literal(key, node.right)

        def matches(values: list) -> bool:
            text = key.read(values)
            return text is not None and compare(key.value(text), literal)

        return _finish(matches, negated=False)

    def membership(self, node: In) -> Predicate:
        key = self.key(node.operand)
        items = [self.literal(key, item) for item in node.items]

        def matches(values: list) -> bool:
            text = key.read(values)
            return text is not None and key.value(text) in items

        return _finish(matches, node.negated)

    def between(self, node: Between) -> Predicate:
        key = self.key(node.operand)
        low, high = self.literal(key, node.low), self.literal(key, node.high)

        def matches(values: list) -> bool:
            text = key.read(values)
            return text is not None and low <= key.value(text) <= high

        return _finish(matches, node.negated)

    def like(self, node: Like) -> Predicate:
        key = self.key(node.operand)
        if key.type is not STRING:
            raise ExpressionError(f"{key.type.family} data type doesn't support operation 'LIKE'")
        if not isinstance(node.pattern, Literal):
            raise self.unsupported(f"LIKE needs a literal pattern, not {self.show(node.pattern)}")
        regex = re.compile(_like_regex(node.pattern.text), re.DOTALL)

        def matches(values: list) -> bool:
            text = key.read(values)
            return text is not None and regex.fullmatch(text) is not None

        return _finish(matches, node.negated)

    def is_null(self, node: IsNull) -> Predicate:
        key = self.key(node.operand)
        # Partition values are strings and never null; only a missing value counts as NULL.
        return lambda values: (key.read(values) is None) != node.negated

    # -- operands

    def key(self, node: Node) -> _Key:
        if not isinstance(node, Column):
            raise self.unsupported(f"expected a partition key on the left, found {self.show(node)}")
        found = self.keys.get(node.name.lower())
        if found is None:
            raise ExpressionError("Invalid partition expression!")
        index, partition_key = found
        declared = str(partition_key.get("Type", ""))
        key_type = KEY_TYPES.get(declared.split("(", 1)[0].strip().lower())  # decimal(10,2), varchar(20)
        if key_type is None:
            raise ExpressionError(f"Unknown type : '{declared}'")
        return _Key(index, partition_key["Name"], key_type)

    def literal(self, key: _Key, node: Node) -> Any:
        if not isinstance(node, Literal):
            raise self.unsupported(f"expected a literal to compare {key.name} with, found {self.show(node)}")
        try:
            return key.type.convert(node.text)
        except ValueError as exc:
            raise ExpressionError(str(exc)) from None

    def unsupported(self, detail: str) -> ExpressionError:
        return ExpressionError(f"Unsupported expression '{self.expression}': {detail}")

    @staticmethod
    def show(node: Node) -> str:
        if isinstance(node, Column):
            return f"the key {node.name}"
        if isinstance(node, Literal):
            return f"the literal {node.text}" if node.is_number else f"the literal '{node.text}'"
        return "a condition"


def _finish(matches: Predicate, negated: bool) -> Predicate:
    return (lambda values: not matches(values)) if negated else matches


def _like_regex(pattern: str) -> str:
    """SQL LIKE to a regular expression: `%` is any run, `_` any one character, the rest literal."""
    return like_regex(pattern)


def compile_filter(expression: Optional[str], partition_keys: list[dict]) -> Predicate:
    """The predicate GetPartitions applies to each partition's `Values` (strings, in key order).

    An empty or blank expression matches everything. Raises `ExpressionError` for anything Glue
    refuses with InvalidInputException; the predicate itself raises `PartitionValueError` when a
    stored value does not convert to its key's type (InvalidStateException on AWS).
    """
    if expression is None or not expression.strip():
        return lambda values: True
    try:
        return Compiler(expression, partition_keys or []).compile(parse(expression))
    except RecursionError:
        # The model allows 2,048 characters: enough parentheses to exhaust Python's stack, which
        # is the request's fault, not ours.
        raise ExpressionError(f"Unsupported expression '{expression}': nested too deeply") from None
