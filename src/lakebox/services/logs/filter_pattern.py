"""CloudWatch Logs filter patterns, compiled once into a predicate over an event's message.

Supported, following the "Filter pattern syntax" page of the CloudWatch Logs guide:
- the empty pattern, which matches everything;
- term patterns: `ERROR Exception` (every term must appear, case-sensitively), quoted phrases
  `"Out of memory"`, `?ERROR ?WARN` (at least one of the `?` terms), `-DEBUG` (excluded terms);
- regular expressions `%ERR[0-9]+%`;
- JSON patterns `{ $.level = "ERROR" && ($.latency > 100 || $.user.id = 7) }` with `=`, `!=`, `<`,
  `<=`, `>`, `>=`, `*` wildcards in string values, `IS NULL`, `IS TRUE`, `IS FALSE` and `NOT EXISTS`.
- space-delimited patterns `[ip, user, ..., status = 4*, size]` (in `space_delimited.py`).
A message that is not JSON never matches a JSON pattern.

`compile_extractor` is the same language for TestMetricFilter: besides whether a message matches, it
says what the pattern extracted (the `$name` fields of a space-delimited pattern, the selectors of a
JSON one; term and regex patterns extract nothing).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional

Predicate = Callable[[str], bool]
#: None for a message that does not match, else the values the pattern extracted from it.
Extractor = Callable[[str], Optional[dict[str, str]]]


class FilterPatternError(ValueError):
    """A pattern lakebox cannot compile (the message says why)."""


def compile_pattern(pattern: Optional[str]) -> Predicate:
    text = (pattern or "").strip()
    if not text:
        return lambda message: True
    if text.startswith("{"):
        return _JsonPatternParser(text).parse()
    if text.startswith("["):
        extract = _space_delimited(text)
        return lambda message: extract(message) is not None
    if len(text) >= 2 and text.startswith("%") and text.endswith("%"):
        regex = compile_regex(text[1:-1])
        return lambda message: regex.search(message) is not None
    return _term_pattern(text)


def compile_extractor(pattern: Optional[str]) -> Extractor:
    """Like `compile_pattern`, but the compiled pattern also returns what it extracted."""
    text = (pattern or "").strip()
    if text.startswith("{"):
        return _JsonPatternParser(text).parse_extractor()
    if text.startswith("["):
        return _space_delimited(text)
    matches = compile_pattern(text)
    return lambda message: {} if matches(message) else None


def _space_delimited(text: str) -> Extractor:
    # Imported here: space_delimited.py uses this module's error and regex helpers.
    from .space_delimited import compile_space_delimited

    return compile_space_delimited(text)


def compile_regex(source: str) -> re.Pattern:
    try:
        return re.compile(source)
    except re.error as exc:
        raise FilterPatternError(f"Invalid regular expression in filter pattern: {exc}") from None


# -- term patterns ----------------------------------------------------------------------------------

_TERM = re.compile(r'\s*([?-]?)(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))')


def _term_pattern(text: str) -> Predicate:
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TERM.match(text, pos)
        if match is None:
            if text[pos:].strip():
                raise FilterPatternError(f"Invalid filter pattern near {text[pos:]!r}")
            break
        pos = match.end()
        marker, quoted, bare = match.groups()
        term = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
        {"": required, "?": optional, "-": excluded}[marker].append(term)

    def matches(message: str) -> bool:
        return (all(term in message for term in required)
                and (not optional or any(term in message for term in optional))
                and not any(term in message for term in excluded))

    return matches


# -- JSON patterns ----------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|\{|\})
    | (?P<selector>\$(?:\.[A-Za-z0-9_@\-]+|\[\d+\]|\.\*|\[\*\])*)
    | "(?P<string>(?:[^"\\]|\\.)*)"
    | %(?P<regex>[^%]*)%
    | (?P<word>[^\s()&|=!<>{}"]+)
    )""", re.VERBOSE)

_MISSING = object()


class _JsonPatternParser:
    """Recursive descent over `{ expr }`: expr = and ('||' and)*; and = atom ('&&' atom)*."""

    def __init__(self, text: str):
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                if text[pos:].strip():
                    raise FilterPatternError(f"Invalid character(s) in filter pattern near {text[pos:]!r}")
                break
            pos = match.end()
            kind = match.lastgroup
            self.tokens.append((kind, match.group(kind)))
        self.pos = 0
        #: (selector as written, path) of every selector in the pattern, in order: what it extracts.
        self.selectors: list[tuple[str, list]] = []

    def _document_predicate(self) -> Callable[[Any], bool]:
        self._expect("op", "{")
        predicate = self._or()
        self._expect("op", "}")
        if self.pos != len(self.tokens):
            raise FilterPatternError("Unexpected text after the closing } of the filter pattern")
        return predicate

    def parse(self) -> Predicate:
        predicate = self._document_predicate()
        return lambda message: (doc := _json_document(message)) is not _MISSING and predicate(doc)

    def parse_extractor(self) -> Extractor:
        predicate = self._document_predicate()
        selectors = list(dict(self.selectors).items())

        def extract(message: str) -> Optional[dict[str, str]]:
            doc = _json_document(message)
            if doc is _MISSING or not predicate(doc):
                return None
            out = {}
            for text, path in selectors:
                values = _select(doc, path)
                if values:
                    out[text] = _as_text(values[0]) if not isinstance(values[0], (dict, list)) \
                        else json.dumps(values[0], separators=(",", ":"))
            return {k: v for k, v in out.items() if v is not None}

        return extract

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        self.pos += 1
        return token

    def _expect(self, kind: str, value: Optional[str] = None) -> str:
        got_kind, got = self._take()
        if got_kind != kind or (value is not None and got != value):
            raise FilterPatternError(f"Invalid filter pattern: expected {value or kind}, found {got or 'the end'!r}")
        return got

    def _or(self):
        parts = [self._and()]
        while self._peek() == ("op", "||"):
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda doc: any(p(doc) for p in parts))

    def _and(self):
        parts = [self._atom()]
        while self._peek() == ("op", "&&"):
            self._take()
            parts.append(self._atom())
        return parts[0] if len(parts) == 1 else (lambda doc: all(p(doc) for p in parts))

    def _atom(self):
        if self._peek() == ("op", "("):
            self._take()
            inner = self._or()
            self._expect("op", ")")
            return inner
        selector = self._expect("selector")
        path = _selector_path(selector)
        self.selectors.append((selector, path))
        kind, value = self._take()
        if kind == "word" and value.upper() == "IS":
            what = self._expect("word").upper()
            expected = {"NULL": None, "TRUE": True, "FALSE": False}.get(what, _MISSING)
            if expected is _MISSING:
                raise FilterPatternError(f"Invalid filter pattern: IS {what}")
            return lambda doc: any(v is expected for v in _select(doc, path))
        if kind == "word" and value.upper() == "NOT":
            if self._expect("word").upper() != "EXISTS":
                raise FilterPatternError("Invalid filter pattern: expected NOT EXISTS")
            return lambda doc: not _select(doc, path)
        if kind != "op" or value not in ("=", "!=", "<", "<=", ">", ">="):
            raise FilterPatternError(f"Invalid filter pattern: expected an operator after the selector, found {value!r}")
        return _comparison(path, value, *self._take())


def _json_document(message: str) -> Any:
    try:
        return json.loads(message)
    except ValueError:
        return _MISSING


def _selector_path(selector: str) -> list:
    path: list = []
    for part in re.findall(r"\.[^.\[]+|\[\d+\]|\[\*\]", selector[1:]):
        if part in (".*", "[*]"):
            path.append("*")
        elif part.startswith("["):
            path.append(int(part[1:-1]))
        else:
            path.append(part[1:])
    return path


def _select(doc: Any, path: list) -> list:
    """Every value the selector reaches (wildcards may reach several)."""
    values = [doc]
    for step in path:
        reached = []
        for value in values:
            if step == "*":
                reached.extend(value.values() if isinstance(value, dict) else value if isinstance(value, list) else [])
            elif isinstance(step, int):
                if isinstance(value, list) and step < len(value):
                    reached.append(value[step])
            elif isinstance(value, dict) and step in value:
                reached.append(value[step])
        values = reached
    return values


def _number(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def _comparison(path: list, op: str, kind: str, raw: str) -> Callable[[Any], bool]:
    if kind not in ("string", "word", "regex"):
        raise FilterPatternError(f"Invalid filter pattern: expected a value after {op}")
    number = _number(raw) if kind == "word" else None
    if op in ("<", "<=", ">", ">=") or number is not None:
        if number is None:
            raise FilterPatternError(f"Invalid filter pattern: {op} needs a number, found {raw!r}")
        compare = {"=": lambda a: a == number, "!=": lambda a: a != number, "<": lambda a: a < number,
                   "<=": lambda a: a <= number, ">": lambda a: a > number, ">=": lambda a: a >= number}[op]

        def numeric(doc: Any) -> bool:
            values = [v for v in _select(doc, path) if isinstance(v, (int, float)) and not isinstance(v, bool)]
            return any(compare(v) for v in values)

        return numeric
    if kind == "regex":
        regex = compile_regex(raw)
        string_matches = lambda s: regex.search(s) is not None
    else:
        text = re.sub(r"\\(.)", r"\1", raw) if kind == "string" else raw
        wildcard = re.compile("".join(".*" if c == "*" else re.escape(c) for c in text), re.DOTALL)
        string_matches = lambda s: wildcard.fullmatch(s) is not None

    def textual(doc: Any) -> bool:
        values = [_as_text(v) for v in _select(doc, path) if not isinstance(v, (dict, list))]
        hit = any(v is not None and string_matches(v) for v in values)
        return hit if op == "=" else bool(values) and not hit

    return textual


def _as_text(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
