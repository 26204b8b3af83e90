"""The DQDL parser: ruleset text in, a `Ruleset` (dqdl_model.py) out, or `DqdlError` saying why not.

Follows AWS's grammar (awslabs/dqdl, DataQualityDefinitionLanguage.g4):

    document  := [Metadata = {..}] [DataSources = {..}] variable* [DefaultLabels = [..]]
                 [Rules = [ rule, ... ]] [Analyzers = [ analyzer, ... ]]
    rule      := rule or rule | rule and rule | ( rule ) [labels] | RuleType param* [condition]
                 [where "sql"] [labels = [..]] (with threshold condition | with tag = value)*
    condition := > >= < <= = != x | [not] between x and y | [not] in [x, ...] | [not] matches "re"

`and` binds tighter than `or`, as in the grammar (its alternative comes first). An operand is a
number (with + - * / and parentheses), NULL, a quoted string, EMPTY, WHITESPACES_ONLY, a date
(`"2024-01-31"`, `now()`, `(now() - 3 days)`), a duration (`24 hours`), a size (`10 MB`) or a `$variable`.
Which of them a rule takes depends on its rule type's return types (RULE_TYPES): a rule type the
language does not know, a wrong number of parameters, or a condition the type does not take is an
error, as Glue's CreateDataQualityRuleset reports it (dqdl_checks.py checks a rule against its type).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional, Union

from .dqdl_checks import check_parameter_count, typed_condition, typed_threshold
from .dqdl_lexer import DqdlError, Token, tokenize
from .dqdl_model import (
    RULE_TYPES, AnyRule, Arithmetic, Call, Composite, Condition, DateExpr, Duration, Keyword, Number, Operand,
    Parenthesized, Rule, Ruleset, Size, Text,
)

__all__ = ["DqdlError", "parse_ruleset"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{1,2}:\d{2}( AM| PM)?")
_DURATION_UNITS = ("days", "hours", "minutes")
_SIZE_UNITS = ("B", "KB", "MB", "GB", "TB")
_COMPARISONS = (">=", "<=", ">", "<", "=")
#: Words that end a rule's parameters: they start its condition or clauses, or join rules.
_RESERVED = {"between", "in", "not", "matches", "with", "where", "labels", "and", "AND", "or", "OR"}
_METADATA_KEYS = {"Version"}
_SOURCE_KEYS = {"Primary", "AdditionalDataSources"}

Variable = Union[Text, Keyword, list]


def parse_ruleset(text: str) -> Ruleset:
    return _Parser(tokenize(text)).document()


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.pos = 0
        self.variables: dict[str, Variable] = {}

    # -- token helpers ---------------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.tok
        self.pos = min(self.pos + 1, len(self.tokens) - 1)
        return token

    def accept(self, *texts: str) -> Optional[Token]:
        return self.take() if self.tok.is_(*texts) else None

    def expect(self, *texts: str) -> Token:
        if not self.tok.is_(*texts):
            self.fail(f"expected {' or '.join(repr(t) for t in texts)}")
        return self.take()

    def expect_string(self) -> str:
        if self.tok.kind != "STRING":
            self.fail("expected a quoted string")
        return self.take().text

    def fail(self, why: str):
        found = "the end of the ruleset" if self.tok.kind == "END" else repr(self.tok.text)
        raise DqdlError(f"{why} at position {self.tok.pos}, found {found}")

    # -- document --------------------------------------------------------------------------------------

    def document(self) -> Ruleset:
        ruleset = Ruleset(rules=[])
        seen_sections = False
        while self.tok.kind != "END":
            word = self.tok.text if self.tok.kind == "WORD" else ""
            if not self.peek().is_("="):
                self.fail("expected a section (Rules = [...]) or a variable declaration")
            if word == "Metadata":
                ruleset.metadata = self._dictionary(_METADATA_KEYS, "Metadata")
            elif word == "DataSources":
                ruleset.data_sources = self._dictionary(_SOURCE_KEYS, "DataSources")
            elif word == "DefaultLabels":
                self.pos += 2
                self._label_list()
            elif word in ("Rules", "Analyzers"):
                self.pos += 2
                self.expect("[")
                items = self._rule_list() if word == "Rules" else self._analyzer_list()
                (ruleset.rules if word == "Rules" else ruleset.analyzers).extend(items)
                seen_sections = True
            elif word and not seen_sections:
                self._variable()
            else:
                self.fail("expected a section")
        if not ruleset.rules and not ruleset.analyzers:
            raise DqdlError("No rules or analyzers provided.")
        return ruleset

    def _dictionary(self, allowed: set, section: str) -> dict:
        self.pos += 2
        self.expect("{")
        result: dict = {}
        while True:
            key = self.expect_string()
            if key not in allowed:
                raise DqdlError(f"Unsupported key provided in {section} section: {key}")
            self.expect(":")
            result[key] = self._string_array() if self.tok.is_("[") else self.expect_string()
            if not self.accept(","):
                break
        self.expect("}")
        return result

    def _string_array(self) -> list[str]:
        self.expect("[")
        values = [self.expect_string()]
        while self.accept(","):
            values.append(self.expect_string())
        self.expect("]")
        return values

    def _variable(self) -> None:
        name = self.take().text
        if name.startswith((".", "_")):
            raise DqdlError(f"Variable name '{name}' cannot start with '.' or '_'")
        if name in self.variables:
            raise DqdlError(f"Variable '{name}' is already defined")
        self.expect("=")
        if self.accept("["):
            values = [self._string_value()]
            while self.accept(","):
                values.append(self._string_value())
            self.expect("]")
            self.variables[name] = values
        else:
            self.variables[name] = self._string_value()

    def _string_value(self) -> Union[Text, Keyword]:
        if self.tok.kind == "STRING":
            return Text(self.take().text)
        if self.tok.is_("null", "NULL", "empty", "EMPTY", "whitespaces_only", "WHITESPACES_ONLY"):
            return Keyword(self.take().text.upper())
        self.fail("expected a quoted string, NULL, EMPTY or WHITESPACES_ONLY")

    def _label_list(self) -> tuple[tuple[str, str], ...]:
        self.expect("[")
        labels = []
        while not self.tok.is_("]"):
            key = self.expect_string()
            self.expect("=")
            labels.append((key, self.expect_string()))
            if not self.accept(","):
                break
        self.expect("]")
        return tuple(labels)

    def _rule_list(self) -> list[AnyRule]:
        rules: list[AnyRule] = []
        if self.accept("]"):
            return rules
        rules.append(self._or_rule())
        while self.accept(","):
            rules.append(self._or_rule())
        self.expect("]")
        return rules

    def _analyzer_list(self) -> list[Rule]:
        analyzers: list[Rule] = []
        if self.accept("]"):
            return analyzers
        while True:
            name, params = self._rule_head()
            spec = RULE_TYPES.get(name)
            if spec is None or "BOOLEAN" in spec.returns:
                raise DqdlError(f"Analyzer Type: {name} is not valid")
            check_parameter_count(name, spec, params)
            analyzers.append(Rule(name, params))
            if not self.accept(","):
                break
        self.expect("]")
        return analyzers

    # -- rules -----------------------------------------------------------------------------------------

    def _or_rule(self) -> AnyRule:
        return self._joined("or", self._and_rule)

    def _and_rule(self) -> AnyRule:
        return self._joined("and", self._primary_rule)

    def _joined(self, word: str, operand) -> AnyRule:
        rules = [operand()]
        while self.accept(word, word.upper()):
            rules.append(operand())
        return rules[0] if len(rules) == 1 else Composite(word, tuple(rules))

    def _primary_rule(self) -> AnyRule:
        if self.accept("("):
            inner = self._or_rule()
            self.expect(")")
            if self.tok.is_("labels") and self.peek().is_("="):
                self.pos += 2
                labels = self._label_list()
                if isinstance(inner, Rule):
                    inner = replace(inner, labels=labels)
            return inner
        return self._rule()

    def _rule_head(self) -> tuple[str, tuple[str, ...]]:
        if self.tok.kind != "WORD" or self.tok.text in _RESERVED:
            self.fail("expected a rule type")
        name = self.take().text
        params: list[str] = []
        while True:
            if self.tok.is_("of", "OF", "and", "AND") and (self.peek().kind == "STRING" or self.peek().is_("$")):
                self.take()  # a connector word: `ColumnCorrelation "a" and "b"`
            if self.tok.kind == "STRING":
                params.append(self.take().text)
            elif self.tok.is_("$"):
                params.append(self._parameter_variable())
            elif self.tok.kind == "WORD" and self.tok.text not in _RESERVED and not self.peek().is_("("):
                params.append(self.take().text)
            else:
                return name, tuple(params)

    def _rule(self) -> Rule:
        at = self.tok.pos
        name, params = self._rule_head()
        spec = RULE_TYPES.get(name)
        if spec is None:
            raise DqdlError(f"Rule Type: {name} is not valid (at position {at})")
        if spec.analyzer_only:
            raise DqdlError(f"Analyzer Type: {name} is not supported in rules section")
        check_parameter_count(name, spec, params)
        condition = self._condition() if self._at_condition() else None
        where = None
        if self.accept("where"):
            if not spec.where:
                raise DqdlError(f"Where clause is not supported for rule type: {name}")
            where = self.expect_string()
            if not where.strip():
                raise DqdlError(f"Empty where condition provided for rule type: {name}")
        labels: tuple = ()
        if self.tok.is_("labels") and self.peek().is_("="):
            self.pos += 2
            labels = self._label_list()
        threshold, tags = self._with_clauses(name, spec)
        return Rule(name, params, typed_condition(name, spec, condition), threshold, where, tags, labels)

    def _parameter_variable(self) -> str:
        value = self._dereference()
        if not isinstance(value, Text):
            raise DqdlError("A rule parameter variable must hold one quoted string")
        return value.value

    def _dereference(self) -> Variable:
        self.expect("$")
        if self.tok.kind != "WORD":
            self.fail("expected a variable name")
        name = self.take().text
        if name not in self.variables:
            raise DqdlError(f"Variable '{name}' is not defined")
        return self.variables[name]

    def _with_clauses(self, name: str, spec) -> tuple[Optional[Condition], tuple]:
        threshold, tags = None, []
        while self.accept("with"):
            if self.tok.kind != "WORD":
                self.fail("expected a tag name after 'with'")
            tag = self.take().text
            if tag.lower() == "threshold":
                if not spec.threshold:
                    raise DqdlError(f"Threshold condition not supported for rule type: {name}")
                if threshold is not None:
                    raise DqdlError("Only one threshold condition at a time is supported.")
                threshold = typed_threshold(name, self._condition())
            else:
                self.expect("=")
                value = self._operand()
                if not isinstance(value, (Text, Number)):
                    raise DqdlError("Tags only take a quoted string or a number")
                tags.append((tag, str(value)))
        return threshold, tuple(tags)

    # -- conditions ------------------------------------------------------------------------------------

    def _at_condition(self) -> bool:
        return self.tok.is_(*_COMPARISONS, "!", "between", "in", "not", "matches")

    def _condition(self) -> Condition:
        negated = bool(self.accept("not"))
        if self.accept("between"):
            low = self._operand()
            self.expect("and", "AND")
            return Condition("", "not between" if negated else "between", (low, self._operand()))
        if self.accept("in"):
            return Condition("", "not in" if negated else "in", self._operand_list())
        if self.accept("matches"):
            if self.tok.kind != "STRING":
                self.fail("expected a quoted regular expression")
            return Condition("", "not matches" if negated else "matches", (Text(self.take().text),))
        if negated:
            self.fail("expected 'between', 'in' or 'matches' after 'not'")
        if self.accept("!"):
            self.expect("=")
            return Condition("", "!=", (self._operand(),))
        operator = self.expect(*_COMPARISONS).text
        return Condition("", operator, (self._operand(),))

    def _operand_list(self) -> tuple[Operand, ...]:
        if self.tok.is_("$"):
            value = self._dereference()
            return tuple(value) if isinstance(value, list) else (value,)
        self.expect("[")
        values = [self._operand()]
        while self.accept(","):
            values.append(self._operand())
        self.expect("]")
        return tuple(values)

    def _operand(self) -> Operand:
        token = self.tok
        if token.kind == "STRING":
            self.take()
            if _DATE.fullmatch(token.text):
                return DateExpr(date=token.text)
            return DateExpr(time=token.text) if _TIME.fullmatch(token.text) else Text(token.text)
        if token.is_("$"):
            value = self._dereference()
            if isinstance(value, list):
                self.fail("a list variable can only follow 'in'")
            return value
        if token.is_("null", "NULL", "empty", "EMPTY", "whitespaces_only", "WHITESPACES_ONLY"):
            return Keyword(self.take().text.upper())
        if token.is_("now") or (token.is_("(") and self.peek().is_("now")):
            return self._date_expression()
        if token.kind == "NUMBER" and self.peek().is_(*_DURATION_UNITS, *_SIZE_UNITS):
            return self._unit_value()
        return self._sum()

    def _date_expression(self) -> DateExpr:
        wrapped = bool(self.accept("("))
        self.expect("now")
        self.expect("(")
        self.expect(")")
        if not wrapped:
            return DateExpr(now=True)
        sign = self.expect("+", "-").text
        duration = self._unit_value()
        if not isinstance(duration, Duration):
            self.fail("expected a duration such as 3 days")
        self.expect(")")
        return DateExpr(now=True, offset=(sign, duration))

    def _unit_value(self) -> Union[Duration, Size]:
        if self.tok.kind != "NUMBER" or "." in self.tok.text:
            self.fail("expected a whole number")
        amount = int(self.take().text)
        unit = self.expect(*_DURATION_UNITS, *_SIZE_UNITS).text
        return Duration(amount, unit) if unit in _DURATION_UNITS else Size(amount, unit)

    # Numbers: + and - over * and /, over atoms (literals, NULL, function calls, parentheses).

    def _sum(self):
        left = self._product()
        while self.tok.is_("+", "-"):
            op = self.take().text
            left = Arithmetic(left, op, self._product())
        return left

    def _product(self):
        left = self._atom()
        while self.tok.is_("*", "/"):
            op = self.take().text
            left = Arithmetic(left, op, self._atom())
        return left

    def _atom(self):
        token = self.tok
        if token.is_("-") and self.peek().kind == "NUMBER":
            self.take()
            number = self.take().text
            return Number("-" + number, -float(number))
        if token.kind == "NUMBER":
            self.take()
            return Number(token.text, float(token.text))
        if token.is_("null", "NULL"):
            self.take()
            return Number("NULL", None)
        if token.is_("("):
            self.take()
            inner = self._sum()
            self.expect(")")
            return Parenthesized(inner)
        if token.kind == "WORD" and self.peek().is_("("):
            name = self.take().text
            self.take()
            args: list = []
            if not self.tok.is_(")"):
                args.append(self._sum())
                while self.accept(","):
                    args.append(self._sum())
            self.expect(")")
            return Call(name, tuple(args))
        self.fail("expected a value")
