"""A parsed rule checked against its rule type (RULE_TYPES): how many parameters it takes, and which
conditions. Why apart from the parser: the grammar lets any rule type take any parameters and any
condition; what a type accepts is its own table's business, as in awslabs/dqdl, where the parser's
listener checks each rule against rules-config.json.

A condition is read as the first of the rule type's return types that fits its operands: numbers for
NUMBER, quoted strings, EMPTY and WHITESPACES_ONLY for STRING, dates for DATE, `24 hours` for
DURATION; NULL fits any. A date-like string among strings is a string.
"""

from __future__ import annotations

from typing import Optional

from .dqdl_lexer import DqdlError
from .dqdl_model import (
    Arithmetic, Call, Condition, DateExpr, Duration, Keyword, Number, Operand, Parenthesized, RuleType, Size, Text,
)


def check_parameter_count(name: str, spec: RuleType, params: tuple) -> None:
    count = len(params)
    if count in spec.params or (spec.var_arg and count >= 1):
        return
    wanted = " or ".join(str(n) for n in spec.params) + (" or more" if spec.var_arg else "")
    raise DqdlError(f"Rule Type: {name} is not valid with {count} parameter(s); it takes {wanted}")


def _kind(operand: Operand) -> Optional[str]:
    """The return type an operand belongs to; None for NULL, which fits any."""
    if isinstance(operand, Keyword):
        return None if operand.name == "NULL" else "STRING"
    if isinstance(operand, Number) and operand.value is None:
        return None
    if isinstance(operand, (Number, Arithmetic, Call, Parenthesized)):
        return "NUMBER"
    return {Text: "STRING", DateExpr: "DATE", Duration: "DURATION", Size: "SIZE"}[type(operand)]


def typed_condition(name: str, spec: RuleType, condition: Optional[Condition]) -> Optional[Condition]:
    """The condition as the first of the rule type's return types that can read it."""
    if condition is None:
        if "BOOLEAN" not in spec.returns:
            raise DqdlError(f"No condition provided for rule with non-boolean rule type: {name}")
        return None
    kinds = {_kind(o) for o in condition.operands} - {None}
    if kinds == {"DATE", "STRING"} or (kinds == {"DATE"} and "DATE" not in spec.returns):
        kinds = {"STRING"}  # a date-like string among strings (or where no date is taken) is a string
    if len(kinds) > 1:
        raise DqdlError(f"Mixed operand types in the condition of rule type: {name}")
    candidates = [k for k in spec.returns if k != "BOOLEAN"]
    kind = kinds.pop() if kinds else (candidates[0] if candidates else None)
    if kind not in candidates:
        expected = "boolean" if not candidates else candidates[0].lower()
        raise DqdlError(f"Unexpected condition for rule of type {name} with {expected} return type")
    if condition.operator.endswith("matches") and kind != "STRING":
        raise DqdlError(f"'matches' takes a quoted regular expression (rule type: {name})")
    if kind == "STRING" and condition.operator not in ("=", "!=", "in", "not in", "matches", "not matches"):
        raise DqdlError(f"Operator {condition.operator} does not apply to strings (rule type: {name})")
    times = any(o.time is not None for o in condition.operands if isinstance(o, DateExpr))
    if kind == "DATE" and times and name != "FileFreshness":  # only FileFreshness takes a time of day
        raise DqdlError(f"A time of day is not a date (rule type: {name})")
    return Condition(kind, condition.operator, _as_kind(condition.operands, kind))


def _as_kind(operands: tuple, kind: str) -> tuple:
    """The operands with NULL (and date-like strings) spelled for `kind`."""
    def convert(operand):
        is_null = isinstance(operand, Keyword) and operand.name == "NULL" or \
            isinstance(operand, Number) and operand.value is None
        if is_null:
            return {"NUMBER": Number("NULL", None), "DATE": DateExpr(), "STRING": Keyword("NULL")}.get(kind, operand)
        if kind == "STRING" and isinstance(operand, DateExpr) and (operand.date or operand.time):
            return Text(operand.date or operand.time)
        return operand
    return tuple(convert(o) for o in operands)


def typed_threshold(name: str, condition: Condition) -> Condition:
    """A `with threshold` condition: numbers only."""
    if condition.operator.endswith("matches") or not all(_kind(o) in ("NUMBER", None) for o in condition.operands):
        raise DqdlError(f"Unable to parse threshold condition provided for rule type: {name}")
    return Condition("NUMBER", condition.operator, _as_kind(condition.operands, "NUMBER"))
