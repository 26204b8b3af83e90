"""Grok patterns, compiled to Python regular expressions, for the crawler's Grok classifiers.

A Grok pattern is a regular expression with references: `%{NAME}` inserts the pattern NAME,
`%{NAME:field}` also captures what it matches as column `field`, and `%{NAME:field:type}` gives the
column a type (byte, boolean, double, short, int, long, float or string, as AWS lists them). The
pattern names are the common built-in ones AWS documents for its classifier, plus the classifier's
CustomPatterns (`NAME regex`, one a line), which may use and override them.

The built-in definitions below are lakebox's own regular expressions for those names, written for
Python's `re` (no atomic groups, so that Python 3.10 compiles them); a name outside them is an error.

A pure engine: the standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Grok's field types -> the Glue column type the crawler writes.
GROK_TYPES = {"string": "string", "boolean": "boolean", "byte": "tinyint", "short": "smallint", "int": "int",
              "long": "bigint", "float": "float", "double": "double"}

def _abbreviable(words: tuple[str, ...]) -> str:
    """`january` -> `[Jj]an(?:uary)?`: either capitalization, full or cut to three letters."""
    return "|".join(f"[{w[0].upper()}{w[0]}]{w[1:3]}(?:{w[3:]})?" for w in words)


_MONTHS = _abbreviable(("january", "february", "march", "april", "may", "june", "july", "august", "september",
                        "october", "november", "december"))
_DAYS = _abbreviable(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_LEVELS = "|".join(f"[{w[0].upper()}{w[0].lower()}]{w[1:]}|{w.upper()}" for w in (
    "alert", "trace", "debug", "notice", "info", "warning", "warn", "error", "err", "critical", "crit", "fatal",
    "severe", "emergency", "emerg"))

#: name -> definition; definitions may refer to each other with %{...}.
BUILTIN_PATTERNS: dict[str, str] = {
    # words and numbers
    "USERNAME": r"[a-zA-Z0-9._-]+",
    "USER": r"%{USERNAME}",
    "INT": r"[+-]?[0-9]+",
    "BASE10NUM": r"(?<![0-9.+-])[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)",
    "NUMBER": r"%{BASE10NUM}",
    "BASE16NUM": r"(?<![0-9A-Fa-f])[+-]?(?:0[xX])?[0-9A-Fa-f]+",
    "BASE16FLOAT": r"\b(?<![0-9A-Fa-f.])[+-]?(?:0[xX])?(?:[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]*)?|\.[0-9A-Fa-f]+)\b",
    "POSINT": r"\b[1-9][0-9]*\b",
    "NONNEGINT": r"\b[0-9]+\b",
    "WORD": r"\b\w+\b",
    "NOTSPACE": r"\S+",
    "SPACE": r"\s*",
    "DATA": r".*?",
    "GREEDYDATA": r".*",
    "QUOTEDSTRING": r"\"(?:\\.|[^\\\"])*\"|'(?:\\.|[^\\'])*'|`(?:\\.|[^\\`])*`",
    "QS": r"%{QUOTEDSTRING}",
    "UUID": r"[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}",
    # networking
    "CISCOMAC": r"(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}",
    "WINDOWSMAC": r"(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2}",
    "COMMONMAC": r"(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2}",
    "MAC": r"%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC}",
    "IPV4": rf"(?<![0-9]){_OCTET}(?:\.{_OCTET}){{3}}(?![0-9])",
    # A loose IPv6: hex groups and colons, with at least two colons, optionally ending in an IPv4.
    "IPV6": r"(?:[0-9A-Fa-f]{1,4}:|:)(?:[0-9A-Fa-f]{0,4}:){1,6}(?:%{IPV4}|[0-9A-Fa-f]{1,4}|:)?(?:%\S+)?",
    "IP": r"%{IPV4}|%{IPV6}",
    "HOSTNAME": r"\b[0-9A-Za-z][0-9A-Za-z-]{0,62}(?:\.[0-9A-Za-z][0-9A-Za-z-]{0,62})*\.?\b",
    "HOST": r"%{HOSTNAME}",
    "IPORHOST": r"%{IP}|%{HOSTNAME}",
    "HOSTPORT": r"%{IPORHOST}:%{POSINT}",
    # paths and URIs
    "UNIXPATH": r"(?:/[\w_%!$@:.,+~-]*)+",
    "WINPATH": r"(?:[A-Za-z]+:|\\)(?:\\[^\\?*]*)+",
    "PATH": r"%{UNIXPATH}|%{WINPATH}",
    "TTY": r"/dev/(?:pts|tty[pq])?(?:\w+)?/?(?:[0-9]+)",
    "URIPROTO": r"[A-Za-z][A-Za-z0-9+\-.]*",
    "URIHOST": r"%{IPORHOST}(?::%{POSINT})?",
    "URIPATH": r"(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]*)+",
    "URIPARAM": r"\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*",
    "URIPATHPARAM": r"%{URIPATH}(?:%{URIPARAM})?",
    "URI": r"%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?",
    # dates and times
    "MONTH": rf"\b(?:{_MONTHS})\b",
    "MONTHNUM": r"0?[1-9]|1[0-2]",
    "MONTHNUM2": r"0[1-9]|1[0-2]",
    "MONTHDAY": r"0[1-9]|[12][0-9]|3[01]|[1-9]",
    "DAY": rf"\b(?:{_DAYS})\b",
    "YEAR": r"(?:[0-9]{2}){1,2}",
    "HOUR": r"2[0-3]|[01]?[0-9]",
    "MINUTE": r"[0-5][0-9]",
    "SECOND": r"(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?",
    "TIME": r"(?<![0-9])%{HOUR}:%{MINUTE}(?::%{SECOND})(?![0-9])",
    "DATE_US": r"%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}",
    "DATE_EU": r"%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}",
    "DATE": r"%{DATE_US}|%{DATE_EU}",
    "ISO8601_TIMEZONE": r"Z|[+-]%{HOUR}(?::?%{MINUTE})",
    "ISO8601_SECOND": r"%{SECOND}|60",
    "TIMESTAMP_ISO8601": r"%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?",
    "TZ": r"[PMCE][SD]T|UTC|GMT",
    "DATESTAMP": r"%{DATE}[- ]%{TIME}",
    "DATESTAMP_RFC822": r"%{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}",
    "DATESTAMP_RFC2822": r"%{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}",
    "DATESTAMP_OTHER": r"%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}",
    "DATESTAMP_EVENTLOG": r"%{YEAR}%{MONTHNUM2}%{MONTHDAY}%{HOUR}%{MINUTE}%{SECOND}",
    "HTTPDATE": r"%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}",
    "SYSLOGTIMESTAMP": r"%{MONTH} +%{MONTHDAY} %{TIME}",
    # logs
    "LOGLEVEL": _LEVELS,
    "PROG": r"[\w._/%-]+",
    "SYSLOGPROG": r"%{PROG:program}(?:\[%{POSINT:pid}\])?",
    "SYSLOGHOST": r"%{IPORHOST}",
    "SYSLOGFACILITY": r"<%{NONNEGINT:facility}.%{NONNEGINT:priority}>",
    "SYSLOGBASE": r"%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}:",
    "COMMONAPACHELOG": (r"%{IPORHOST:clientip} %{USER:ident} %{USER:auth} \[%{HTTPDATE:timestamp}\] "
                        r"\"(?:%{WORD:verb} %{NOTSPACE:request}(?: HTTP/%{NUMBER:httpversion})?|%{DATA:rawrequest})\" "
                        r"%{NUMBER:response} (?:%{NUMBER:bytes}|-)"),
    "COMBINEDAPACHELOG": r"%{COMMONAPACHELOG} %{QS:referrer} %{QS:agent}",
}

_REFERENCE = re.compile(r"%\{(\w+)(?::([^:}]+))?(?::(\w+))?\}")
#: An Oniguruma-style named group in a custom pattern, `(?<name>...)`: a string field, as in Grok.
_NAMED_GROUP = re.compile(r"\(\?<([A-Za-z_][\w-]*)>")
_CUSTOM_LINE = re.compile(r"([A-Za-z0-9_]+)\s+(.+)")


class GrokError(ValueError):
    """A Grok pattern that does not compile: an unknown pattern, a cycle, a bad type or bad regex."""


@dataclass(frozen=True)
class GrokField:
    name: str
    type: str  # the Glue column type
    group: str  # the regex group that captures it


@dataclass(frozen=True)
class Grok:
    regex: re.Pattern
    fields: tuple[GrokField, ...]  # in the pattern's order, each name once

    def match(self, line: str) -> dict[str, str | None] | None:
        """The line's fields (as text) when the pattern matches it (anywhere, as Grok does); else None."""
        found = self.regex.search(line)
        if found is None:
            return None
        return {f.name: found.group(f.group) for f in self.fields}

    def columns(self) -> list[dict]:
        return [{"Name": f.name, "Type": f.type} for f in self.fields]


def parse_custom_patterns(text: str | None) -> dict[str, str]:
    """CustomPatterns: `NAME regex` a line; blank lines and `#` comments are skipped."""
    patterns = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _CUSTOM_LINE.fullmatch(line)
        if match is None:
            raise GrokError(f"Custom pattern line {number} is not 'NAME regex': {line!r}")
        patterns[match.group(1)] = match.group(2)
    return patterns


def compile_grok(pattern: str, custom_patterns: str | None = None) -> Grok:
    """The Grok pattern as one compiled regex and its fields; GrokError if it cannot be compiled."""
    definitions = {**BUILTIN_PATTERNS, **parse_custom_patterns(custom_patterns)}
    fields: dict[str, GrokField] = {}
    groups: list[str] = []

    def capture(name: str, type_name: str | None, body: str) -> str:
        group = f"g{len(groups)}"
        groups.append(group)
        if type_name is not None and type_name.lower() not in GROK_TYPES:
            raise GrokError(f"Unknown grok type {type_name!r} for field {name!r}; "
                            f"use one of {', '.join(GROK_TYPES)}")
        # The first capture of a name makes the column; a later one with the same name captures too.
        fields.setdefault(name, GrokField(name, GROK_TYPES[(type_name or "string").lower()], group))
        return f"(?P<{group}>{body})"

    def expand(text: str, stack: tuple[str, ...]) -> str:
        out, pos = [], 0
        for ref in _REFERENCE.finditer(text):
            out.append(_named_groups(text[pos:ref.start()], capture))
            name, field, type_name = ref.groups()
            if name not in definitions:
                raise GrokError(f"Unknown grok pattern %{{{name}}}")
            if name in stack:
                raise GrokError(f"Grok pattern {name} refers to itself: {' -> '.join((*stack, name))}")
            body = f"(?:{expand(definitions[name], (*stack, name))})"
            out.append(capture(field, type_name, body) if field else body)
            pos = ref.end()
        out.append(_named_groups(text[pos:], capture))
        return "".join(out)

    expanded = expand(pattern, ())
    try:
        regex = re.compile(expanded)
    except re.error as exc:
        raise GrokError(f"Grok pattern does not compile to a regular expression: {exc}") from None
    return Grok(regex, tuple(fields.values()))


def _named_groups(text: str, capture) -> str:
    """Rewrite `(?<name>` groups of plain regex text as string fields."""
    out, pos = [], 0
    for group in _NAMED_GROUP.finditer(text):
        out.append(text[pos:group.start()])
        # capture() wraps a body; here the body follows in the text, so open the group only.
        wrapped = capture(group.group(1), None, "")
        out.append(wrapped[:-1])  # "(?P<gN>" without the closing ")"
        pos = group.end()
    out.append(text[pos:])
    return "".join(out)
