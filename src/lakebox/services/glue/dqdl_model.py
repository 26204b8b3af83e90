"""What a parsed DQDL ruleset is: rules, composite rules, conditions and their operands, and the rule
types the language knows (`RULE_TYPES`).

The shapes follow AWS's own DQDL library (awslabs/dqdl): a rule is a rule type, its parameters, an
optional condition, an optional `where` clause and `with threshold` condition; `str(rule)` renders it
the way that library's `DQRule.toString` does, which is the `Description` Glue reports for each rule
result. Nothing here evaluates anything: dq_evaluate.py does, over the SQL engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

# -- rule types ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleType:
    """One rule type of the language, as awslabs/dqdl's rules-config.json declares it.

    `params`: how many parameters it takes (`var_arg`: one or more); `returns`: which conditions it
    takes (NUMBER, STRING, DATE, DURATION, SIZE; BOOLEAN means no condition), tried in order.
    """

    params: tuple[int, ...]
    returns: tuple[str, ...]
    var_arg: bool = False
    threshold: bool = False
    where: bool = False
    analyzer_only: bool = False


_COLUMN_NUMBER = RuleType((1,), ("NUMBER",), where=True)

RULE_TYPES: dict[str, RuleType] = {
    "RowCount": RuleType((0,), ("NUMBER",), where=True),
    "RowCountMatch": RuleType((1,), ("NUMBER",)),
    "ColumnCount": RuleType((0,), ("NUMBER",)),
    "Completeness": _COLUMN_NUMBER,
    "IsComplete": RuleType((1,), ("BOOLEAN",), where=True),
    "ColumnDataType": RuleType((1,), ("STRING",), threshold=True, where=True),
    "ColumnNamesMatchPattern": RuleType((1,), ("BOOLEAN",)),
    "ColumnExists": RuleType((1,), ("BOOLEAN",)),
    "ColumnCorrelation": RuleType((2,), ("NUMBER",), where=True),
    "Uniqueness": RuleType((1,), ("NUMBER",), var_arg=True, where=True),
    "IsUnique": RuleType((1,), ("BOOLEAN",), var_arg=True, where=True),
    "Mean": _COLUMN_NUMBER,
    "Sum": _COLUMN_NUMBER,
    "StandardDeviation": _COLUMN_NUMBER,
    "Variance": _COLUMN_NUMBER,
    "Entropy": _COLUMN_NUMBER,
    "DistinctValuesCount": _COLUMN_NUMBER,
    "UniqueValueRatio": _COLUMN_NUMBER,
    # awslabs/dqdl's table predates ColumnLength's row-level threshold, which Glue's rule type reference
    # documents (the LengthCompliance metric).
    "ColumnLength": RuleType((1,), ("NUMBER",), threshold=True, where=True),
    "IsPrimaryKey": RuleType((1,), ("BOOLEAN",), var_arg=True, where=True),
    "ColumnValues": RuleType((1,), ("STRING", "NUMBER", "DATE"), threshold=True, where=True),
    "DataFreshness": RuleType((1,), ("DURATION",), where=True),
    "CustomSql": RuleType((1,), ("NUMBER", "BOOLEAN"), threshold=True),
    "ReferentialIntegrity": RuleType((2,), ("NUMBER",)),
    "DatasetMatch": RuleType((2, 3), ("NUMBER",)),
    "SchemaMatch": RuleType((1,), ("NUMBER",)),
    "AggregateMatch": RuleType((2,), ("NUMBER",)),
    "DetectAnomalies": RuleType((1,), ("BOOLEAN",), var_arg=True),
    "AllStatistics": RuleType((1,), ("NUMBER",), analyzer_only=True),
    "FileMatch": RuleType((0, 1, 2), ("BOOLEAN", "STRING")),
    "FileUniqueness": RuleType((0, 1), ("NUMBER",)),
    "FileFreshness": RuleType((0, 1), ("DATE",), threshold=True),
    "FileSize": RuleType((0, 1), ("SIZE",), threshold=True),
}

# -- operands --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A number literal as written (`0.9`, `-3`), or NULL (`value` None)."""

    text: str
    value: Optional[float]

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Arithmetic:
    left: "NumberExpr"
    op: str
    right: "NumberExpr"

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Call:
    """A dynamic-rule function such as `avg(last(10))`, resolved over earlier results (dq_dynamic.py)."""

    name: str
    args: tuple["NumberExpr", ...]

    def __str__(self) -> str:
        return f"{self.name}({','.join(str(a) for a in self.args)})"


@dataclass(frozen=True)
class Parenthesized:
    inner: "NumberExpr"

    def __str__(self) -> str:
        return f"({self.inner})"


NumberExpr = Union[Number, Arithmetic, Call, Parenthesized]


@dataclass(frozen=True)
class Text:
    """A quoted string operand (escapes removed)."""

    value: str

    def __str__(self) -> str:
        return f'"{self.value}"'


@dataclass(frozen=True)
class Keyword:
    """NULL, EMPTY or WHITESPACES_ONLY in a string condition."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # days, hours or minutes

    @property
    def hours(self) -> float:
        return self.amount * {"days": 24.0, "hours": 1.0, "minutes": 1 / 60}[self.unit]

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


@dataclass(frozen=True)
class DateExpr:
    """A date: a literal `"2024-01-31"` (`date`), a time of day `"10:30"`, `now()`, `(now() - 3 days)`
    (`offset`, signed), or NULL (all None)."""

    date: Optional[str] = None
    time: Optional[str] = None
    now: bool = False
    offset: Optional[tuple[str, Duration]] = None

    def __str__(self) -> str:
        if self.date is not None:
            return f'"{self.date}"'
        if self.time is not None:
            return f'"{self.time}"'
        if self.offset is not None:
            return f"(now() {self.offset[0]} {self.offset[1]})"
        return "now()" if self.now else "NULL"


@dataclass(frozen=True)
class Size:
    amount: int
    unit: str

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


Operand = Union[Number, Arithmetic, Call, Parenthesized, Text, Keyword, Duration, DateExpr, Size]

# -- conditions and rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """`kind` is the return type it was parsed for (NUMBER, STRING, DATE, DURATION, SIZE); `operator`
    one of > >= < <= = != between, not between, in, not in, matches, not matches."""

    kind: str
    operator: str
    operands: tuple[Operand, ...]

    def __str__(self) -> str:
        ops = self.operands
        if self.operator.endswith("between"):
            return f"{self.operator} {ops[0]} and {ops[1]}"
        if self.operator.endswith("in"):
            return f"{self.operator} [{','.join(str(o) for o in ops)}]"
        return f"{self.operator} {ops[0]}"


@dataclass(frozen=True)
class Rule:
    rule_type: str
    parameters: tuple[str, ...]
    condition: Optional[Condition] = None
    threshold: Optional[Condition] = None
    where: Optional[str] = None
    tags: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        text = " ".join([self.rule_type, *(f'"{p}"' for p in self.parameters)])
        if self.condition is not None:
            text += f" {self.condition}"
        if self.where is not None:
            text += f' where "{self.where}"'
        if self.threshold is not None:
            text += f" with threshold {self.threshold}"
        for name, value in self.tags:
            text += f" with {name} = {value}"
        if self.labels:
            text += " labels=[" + ", ".join(f'"{k}"="{v}"' for k, v in self.labels) + "]"
        return text


@dataclass(frozen=True)
class Composite:
    """Rules joined by `and` or `or`; each nested rule is written in parentheses."""

    operator: str
    rules: tuple[Union[Rule, "Composite"], ...]

    def __str__(self) -> str:
        return f" {self.operator} ".join(f"({rule})" for rule in self.rules)


AnyRule = Union[Rule, Composite]


@dataclass
class Ruleset:
    rules: list[AnyRule]
    analyzers: list[Rule] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    data_sources: dict = field(default_factory=dict)


def leaves(rule: AnyRule) -> list[Rule]:
    """The plain rules of a rule, a composite's in order."""
    if isinstance(rule, Rule):
        return [rule]
    return [leaf for nested in rule.rules for leaf in leaves(nested)]
