"""A bucket policy's Condition blocks: IAM's operators, compiled once and tested against the keys of
a request (policy_request_keys.py says what those keys are).

Why its own module: the operators are IAM's grammar; they are not about who owns what (access.py)
or how statements combine (bucket_policy.py). It imports the standard library only;
bucket_policy.py compiles each policy's blocks once (`compile_block`) and asks them `holds`.

The operators, as the IAM reference defines them:
- String, Numeric, Date, Bool, Binary, IpAddress/NotIpAddress, Arn*, Null, each with its
  ...IfExists form, and the ForAnyValue:/ForAllValues: qualifiers. An operator lakebox does not
  know never holds (AWS refuses such a policy when it is put).
- Operators in a block, and keys under one operator, are ANDed; the values listed for a key are
  ORed, and for a negated operator (StringNotEquals, NotIpAddress ...) NORed.
- A key the request lacks makes a condition false, and a negated one true ("If the policy
  condition requires that the key is not matched ... and the right key is not present, the
  condition is true"); ...IfExists holds when the key is absent, Null tests only that. ForAllValues
  holds for an absent key, ForAnyValue does not.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Optional


#: A key's values in a request; None: the request lacks the key.
Values = Optional[tuple[str, ...]]


def wildcard_regex(pattern: str) -> str:
    """IAM's wildcards as a regex: `*` any run of characters, `?` one; nothing else is special."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


@functools.lru_cache(maxsize=1024)
def wildcard(pattern: str, ignore_case: bool = False) -> re.Pattern:
    return re.compile(wildcard_regex(pattern), (re.IGNORECASE | re.DOTALL) if ignore_case else re.DOTALL)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> Optional[str]:
    """A policy value as IAM reads it: JSON true is "true", 10 is "10"; objects are not values."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def normal_key(name: str) -> str:
    """A condition key as looked up: lower-cased, except the tag key after a `/`."""
    prefix, slash, rest = name.partition("/")
    return prefix.lower() + slash + rest


# -- operators: each compiles its policy values once, and tests one request value against them ---

def _number(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def _instant(text: str) -> Optional[float]:
    """A date as IAM accepts it, ISO 8601 or epoch seconds, as epoch seconds."""
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def _network(text: str):
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _in_network(value: str, networks: tuple) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(n is not None and n.version == address.version and address in n for n in networks)


def _arn_patterns(texts: list[str]) -> tuple:
    """ARN patterns split into their six colon-separated parts, each matched on its own."""
    return tuple(tuple(wildcard(part) for part in text.split(":", 5)) for text in texts)


def _arn_matches(value: str, patterns: tuple) -> bool:
    parts = value.split(":", 5)
    return len(parts) == 6 and any(
        len(p) == 6 and all(rx.fullmatch(part) for rx, part in zip(p, parts)) for p in patterns)


def _compared(parse: Callable[[str], Optional[float]], test: Callable[[float, float], bool]):
    def compile_values(texts: list[str]):
        expected = tuple(e for e in map(parse, texts) if e is not None)

        def hit(value: str) -> bool:
            got = parse(value)
            return got is not None and any(test(got, e) for e in expected)
        return hit
    return compile_values


def _strings(ignore_case: bool):
    def compile_values(texts: list[str]):
        expected = frozenset(t.casefold() for t in texts) if ignore_case else frozenset(texts)
        return (lambda value: value.casefold() in expected) if ignore_case else (lambda value: value in expected)
    return compile_values


def _likes(texts: list[str]):
    patterns = tuple(wildcard(t) for t in texts)
    return lambda value: any(p.fullmatch(value) for p in patterns)


def _bools(texts: list[str]):
    expected = frozenset(t.lower() for t in texts)
    return lambda value: value.lower() in expected


def _ips(texts: list[str]):
    networks = tuple(_network(t) for t in texts)
    return lambda value: _in_network(value, networks)


def _arns(texts: list[str]):
    patterns = _arn_patterns(texts)
    return lambda value: _arn_matches(value, patterns)


_EQ, _NE = (lambda a, b: a == b), (lambda a, b: a != b)
_LT, _LE = (lambda a, b: a < b), (lambda a, b: a <= b)
_GT, _GE = (lambda a, b: a > b), (lambda a, b: a >= b)

#: Operator (lower-cased, without IfExists or a set qualifier) -> (negated, compile(values) -> hit(value)).
#: A negated operator's listed values are NORed: it holds when no value hits.
OPERATORS: dict[str, tuple[bool, Callable]] = {
    "stringequals": (False, _strings(ignore_case=False)),
    "stringnotequals": (True, _strings(ignore_case=False)),
    "stringequalsignorecase": (False, _strings(ignore_case=True)),
    "stringnotequalsignorecase": (True, _strings(ignore_case=True)),
    "stringlike": (False, _likes),
    "stringnotlike": (True, _likes),
    "numericequals": (False, _compared(_number, _EQ)),
    "numericnotequals": (True, _compared(_number, _EQ)),
    "numericlessthan": (False, _compared(_number, _LT)),
    "numericlessthanequals": (False, _compared(_number, _LE)),
    "numericgreaterthan": (False, _compared(_number, _GT)),
    "numericgreaterthanequals": (False, _compared(_number, _GE)),
    "dateequals": (False, _compared(_instant, _EQ)),
    "datenotequals": (True, _compared(_instant, _EQ)),
    "datelessthan": (False, _compared(_instant, _LT)),
    "datelessthanequals": (False, _compared(_instant, _LE)),
    "dategreaterthan": (False, _compared(_instant, _GT)),
    "dategreaterthanequals": (False, _compared(_instant, _GE)),
    "bool": (False, _bools),
    "binaryequals": (False, _strings(ignore_case=False)),
    "ipaddress": (False, _ips),
    "notipaddress": (True, _ips),
    "arnequals": (False, _arns),
    "arnlike": (False, _arns),
    "arnnotequals": (True, _arns),
    "arnnotlike": (True, _arns),
}
_IF_EXISTS = "ifexists"
_FOR_ALL, _FOR_ANY = "forallvalues:", "foranyvalue:"


@dataclass(frozen=True)
class _Test:
    """One key under one operator, its values compiled."""
    key: str
    negated: bool
    if_exists: bool
    qualifier: Optional[str]  # _FOR_ALL, _FOR_ANY or None
    hit: Callable[[str], bool]

    def holds(self, values: Values) -> bool:
        return _holds(self, values, self.hit)

    def check(self, keys) -> bool:
        return self.holds(keys.get(self.key))


def _holds(test, values: Values, hit: Callable[[str], bool]) -> bool:
    if not values:
        if test.if_exists:
            return True
        return test.qualifier == _FOR_ALL or (test.qualifier is None and test.negated)
    # Each request value matches when it hits a listed value (a negated operator: none).
    matched = [hit(v) != test.negated for v in values]
    if test.qualifier == _FOR_ANY:
        return any(matched)
    if test.qualifier == _FOR_ALL or test.negated:
        return all(matched)
    return any(matched)


@dataclass(frozen=True)
class _VariableTest:
    """A string or ARN test whose policy values hold variables (policy_variables.py): they are
    replaced by the request's values, and compiled, request by request; a value whose variable has
    no value is left out."""
    key: str
    negated: bool
    if_exists: bool
    qualifier: Optional[str]
    compile_values: Callable
    texts: tuple[str, ...]

    def check(self, keys) -> bool:
        from .policy_variables import substitute

        texts = [t for t in (substitute(text, keys) for text in self.texts) if t is not None]
        return _holds(self, keys.get(self.key), self.compile_values(texts))


@dataclass(frozen=True)
class _NullTest:
    key: str
    expect_absent: tuple[bool, ...]

    def holds(self, values: Values) -> bool:
        return (not values) in self.expect_absent

    def check(self, keys) -> bool:
        return self.holds(keys.get(self.key))


@dataclass(frozen=True)
class _Never:
    """An operator lakebox does not know, or a block it cannot read."""
    key: str = ""

    def holds(self, values: Values) -> bool:
        return False

    def check(self, keys) -> bool:
        return False


def _compile_test(operator: str, key: str, expected: Any):
    texts = [t for t in map(_text, _as_list(expected)) if t is not None]
    name = operator.lower()
    qualifier = next((q for q in (_FOR_ALL, _FOR_ANY) if name.startswith(q)), None)
    if qualifier:
        name = name[len(qualifier):]
    if name == "null":
        return _NullTest(key, tuple(t.lower() == "true" for t in texts))
    if_exists = name.endswith(_IF_EXISTS)
    if if_exists:
        name = name[: -len(_IF_EXISTS)]
    if name not in OPERATORS:
        return _Never(key)
    negated, compile_values = OPERATORS[name]
    if name.startswith(("string", "arn")) and any("${" in t for t in texts):
        return _VariableTest(key, negated, if_exists, qualifier, compile_values, tuple(texts))
    return _Test(key, negated, if_exists, qualifier, compile_values(texts))


@dataclass(frozen=True)
class ConditionBlock:
    """A statement's Condition, compiled: it holds when every test does."""
    tests: tuple

    def holds(self, keys) -> bool:
        """`keys`: a request's keys (policy_request_keys.RequestKeys or ObjectKeys), by `get(key)`."""
        return all(t.check(keys) for t in self.tests)


def compile_block(condition: Any) -> ConditionBlock:
    if not isinstance(condition, dict):
        return ConditionBlock((_Never(),))
    tests = []
    for operator, clauses in condition.items():
        if not isinstance(operator, str) or not isinstance(clauses, dict):
            return ConditionBlock((_Never(),))
        tests.extend(_compile_test(operator, normal_key(str(key)), expected) for key, expected in clauses.items())
    return ConditionBlock(tuple(tests))
