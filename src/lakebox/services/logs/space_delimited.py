"""Space-delimited filter patterns: `[ip, user, ..., status = 4* || status = 5*, size > 1000]`.

Why a module of its own: unlike term and JSON patterns, these split the message into fields and
give each pattern field a name, so they are what TestMetricFilter's `extractedValues` (`$ip`,
`$status` ...) and a metric value like `$size` come from. The rules follow the "Filter pattern
syntax" page of the CloudWatch Logs guide:
- the message splits on whitespace; text in double quotes or in square brackets is one field,
  extracted without its quotes or brackets;
- the pattern names each field; the number of fields must match unless `...` stands for any number
  of fields (an ellipsis may appear anywhere, more than once);
- a field may carry conditions on its own name: `=`, `!=` with a string (`*` is a wildcard, a
  quoted string is literal text, `%regex%` a regular expression) or a number, and `<`, `<=`, `>`,
  `>=` with a number, combined with `&&` and `||` (`&&` binds tighter).
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from .filter_pattern import FilterPatternError, compile_regex

Extractor = Callable[[str], Optional[dict[str, str]]]
FieldTest = Callable[[str], bool]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CONDITION = re.compile(r"""\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>!=|<=|>=|=|<|>)\s*
    (?:"(?P<string>(?:[^"\\]|\\.)*)"|%(?P<regex>[^%]*)%|(?P<word>[^\s&|"]+))\s*""", re.VERBOSE)
_ELLIPSIS = "..."


def compile_space_delimited(text: str) -> Extractor:
    """An extractor for the pattern `text` (`[...]`): None for a message that does not match, else the
    named fields' values keyed `$name`."""
    if not text.endswith("]"):
        raise FilterPatternError("Invalid filter pattern: a space-delimited pattern must end with ]")
    if not text[1:-1].strip():
        return lambda message: {}  # `[]` names no field and constrains none: AWS takes it, matching every event
    specs = [_field(part.strip()) for part in _split_top_level(text[1:-1])]

    def extract(message: str) -> Optional[dict[str, str]]:
        fields = split_fields(message)
        placed = _align(specs, fields)
        if placed is None:
            return None
        return {f"${specs[p][0]}": fields[f] for p, f in placed if specs[p][0] != _ELLIPSIS}

    return extract


def split_fields(message: str) -> list[str]:
    """The message's fields: whitespace separates them, "..." and [...] each make one field."""
    fields: list[str] = []
    i, n = 0, len(message)
    while i < n:
        c = message[i]
        if c.isspace():
            i += 1
            continue
        close = {'"': '"', "[": "]"}.get(c)
        if close is not None:
            end = message.find(close, i + 1)
            end = n if end < 0 else end
            fields.append(message[i + 1:end])
            i = end + 1
            continue
        end = i
        while end < n and not message[end].isspace():
            end += 1
        fields.append(message[i:end])
        i = end
    return fields


def _split_top_level(body: str) -> list[str]:
    """Split the pattern's fields on commas outside quotes and %regex%."""
    parts, current, quote = [], [], None
    escaped = False
    for c in body:
        if quote is not None:
            current.append(c)
            if escaped:
                escaped = False
            elif c == "\\" and quote == '"':
                escaped = True
            elif c == quote:
                quote = None
        elif c in ('"', "%"):
            quote = c
            current.append(c)
        elif c == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
    if quote is not None:
        raise FilterPatternError("Invalid filter pattern: unclosed quote or regular expression")
    parts.append("".join(current))
    if len(parts) == 1 and not parts[0].strip():
        return []
    return parts


def _field(spec: str) -> tuple[str, Optional[FieldTest]]:
    """(name, test) of one pattern field; the test is None when the field only names a value."""
    if spec == _ELLIPSIS:
        return _ELLIPSIS, None
    if _NAME.fullmatch(spec):
        return spec, None
    alternatives: list[list[FieldTest]] = []
    names: set[str] = set()
    for alternative in _split_operator(spec, "||"):
        conjuncts = []
        for condition in _split_operator(alternative, "&&"):
            match = _CONDITION.fullmatch(condition)
            if match is None:
                raise FilterPatternError(f"Invalid filter pattern: cannot read the field condition {condition.strip()!r}")
            names.add(match["name"])
            conjuncts.append(_condition(match))
        alternatives.append(conjuncts)
    if len(names) != 1:
        raise FilterPatternError(f"Invalid filter pattern: the conditions of a field must name one field: {spec!r}")
    return names.pop(), lambda value: any(all(t(value) for t in conj) for conj in alternatives)


def _split_operator(text: str, op: str) -> list[str]:
    """Split on `op` outside quotes and %regex% (conditions never nest parentheses here)."""
    parts, start, quote, i = [], 0, None, 0
    while i < len(text):
        c = text[i]
        if quote is not None:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = None
        elif c in ('"', "%"):
            quote = c
        elif text.startswith(op, i):
            parts.append(text[start:i])
            start = i + len(op)
            i = start
            continue
        i += 1
    parts.append(text[start:])
    return parts


def _number(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def _condition(match: re.Match) -> FieldTest:
    op, word = match["op"], match["word"]
    number = _number(word) if word is not None else None
    if op in ("<", "<=", ">", ">=") or number is not None:
        if number is None:
            raise FilterPatternError(f"Invalid filter pattern: {op} needs a number")
        compare = {"=": number.__eq__, "!=": number.__ne__, "<": number.__gt__, "<=": number.__ge__,
                   ">": number.__lt__, ">=": number.__le__}[op]

        def numeric(value: str) -> bool:
            got = _number(value)
            return got is not None and compare(got)

        return numeric
    if match["regex"] is not None:
        regex = compile_regex(match["regex"])
        hit: FieldTest = lambda value: regex.search(value) is not None
    else:
        literal = match["string"] is not None
        text = re.sub(r"\\(.)", r"\1", match["string"]) if literal else word
        wildcard = re.compile(re.escape(text) if literal else ".*".join(map(re.escape, text.split("*"))), re.DOTALL)
        hit = lambda value: wildcard.fullmatch(value) is not None
    return hit if op == "=" else (lambda value: not hit(value))


def _align(specs: list, fields: list[str]) -> Optional[list[tuple[int, int]]]:
    """The first way to place the pattern fields on the message fields, as (spec, field) pairs; an
    ellipsis takes as few fields as it can. Failed (spec, field) positions are remembered, so many
    ellipses stay polynomial."""
    failed: set[tuple[int, int]] = set()

    def place(p: int, f: int) -> Optional[list[tuple[int, int]]]:
        if p == len(specs):
            return [] if f == len(fields) else None
        if (p, f) in failed:
            return None
        name, test = specs[p]
        if name == _ELLIPSIS:
            for end in range(f, len(fields) + 1):
                rest = place(p + 1, end)
                if rest is not None:
                    return rest
        elif f < len(fields) and (test is None or test(fields[f])):
            rest = place(p + 1, f + 1)
            if rest is not None:
                return [(p, f), *rest]
        failed.add((p, f))
        return None

    return place(0, 0)
