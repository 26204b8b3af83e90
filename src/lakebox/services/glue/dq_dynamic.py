"""Dynamic rules: conditions that compare a metric with its own earlier values, such as
`RowCount > avg(last(3))` or `Completeness "c" between min(last(5)) - 0.1 and 1.1`.

AWS's meaning (the DQDL reference, "Dynamic rules"):
- `last(k)` (`last()` is `last(1)`) is the metric's last k values, the most recent first; fewer when
  fewer runs measured it, and the single value 0.0 when none did;
- `avg`, `median`, `min`, `max`, `sum` and `std` reduce a list to a number (`std` is the population's
  standard deviation, as deequ's StandardDeviation); `abs` is the absolute value (of each value of a
  list); `index(last(k), i)` is the i-th most recent value (zero-based), an error past the end;
- a list of more than one value where a number is wanted (`RowCount > last(5)`) is an error.

Where the earlier values come from: the stored results of earlier runs of the same ruleset on the same
table, the rule found by its text (its `Description`), the metric by its name in `EvaluatedMetrics`.
The evaluator knows which rule is being judged; the judges (closures that dq_rules.py's handlers build,
which only know the metric) read that rule's history through `rule_history`, a context variable, so
that no handler has to pass it along.
"""

from __future__ import annotations

import statistics
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Callable, Iterator, Optional, Union

from .dq_conditions import Unsupported
from .dqdl_model import Arithmetic, Call, Condition, Number, Parenthesized

#: metric name -> its earlier values, the most recent first.
History = Callable[[str], list[float]]


def no_history(metric: str) -> list[float]:
    return []


_current: ContextVar[History] = ContextVar("lakebox_dq_history", default=no_history)


@contextmanager
def rule_history(history: History) -> Iterator[None]:
    """Judge the conditions within with `history` as the earlier values of their metrics."""
    token = _current.set(history)
    try:
        yield
    finally:
        _current.reset(token)


def current_history() -> History:
    """The history of the rule being judged (none outside `rule_history`)."""
    return _current.get()


def is_dynamic(expr) -> bool:
    if isinstance(expr, Call):
        return True
    if isinstance(expr, Parenthesized):
        return is_dynamic(expr.inner)
    if isinstance(expr, Arithmetic):
        return is_dynamic(expr.left) or is_dynamic(expr.right)
    return False


def resolved(condition: Condition, metric: str) -> Condition:
    """The condition with each dynamic operand replaced by its value over the metric's history."""
    if condition.kind != "NUMBER" or not any(is_dynamic(o) for o in condition.operands):
        return condition
    values = _current.get()(metric)
    operands = []
    for operand in condition.operands:
        if is_dynamic(operand):
            value = _number(_evaluate(operand, values))
            operand = Number(str(operand), value)
        operands.append(operand)
    return replace(condition, operands=tuple(operands))


Value = Union[Optional[float], list]


def _number(value: Value) -> Optional[float]:
    if not isinstance(value, list):
        return value
    if len(value) == 1:
        return value[0]
    if not value:
        raise Unsupported("Rule threshold results in empty list, and a single value is expected.")
    raise Unsupported("Rule threshold results in list, and a single value is expected. "
                      "Use aggregation functions to produce a single value.")


def _values(value: Value) -> list[float]:
    if isinstance(value, list):
        return value
    if value is None:
        raise Unsupported("NULL is not a value to aggregate")
    return [value]


_REDUCERS: dict[str, Callable[[list[float]], float]] = {
    "avg": statistics.fmean,
    "median": statistics.median,
    "min": min,
    "max": max,
    "sum": lambda values: float(sum(values)),
    "std": statistics.pstdev,
}


def _evaluate(expr, history: list[float]) -> Value:
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Parenthesized):
        return _evaluate(expr.inner, history)
    if isinstance(expr, Arithmetic):
        left, right = _number(_evaluate(expr.left, history)), _number(_evaluate(expr.right, history))
        if left is None or right is None:
            return None
        if expr.op == "/":
            return left / right if right else None
        return {"+": left + right, "-": left - right, "*": left * right}[expr.op]
    if not isinstance(expr, Call):
        raise Unsupported(f"{expr} is not a number")
    name = expr.name.lower()
    args = [_evaluate(arg, history) for arg in expr.args]
    if name == "last":
        return _last(args, history)
    if name in _REDUCERS:
        if len(args) != 1:
            raise Unsupported(f"{expr.name} takes one argument, such as last(3)")
        values = _values(args[0])
        if not values:
            raise Unsupported(f"{expr.name} of an empty list")
        return float(_REDUCERS[name](values))
    if name == "abs":
        if len(args) != 1:
            raise Unsupported("abs takes one argument")
        return [abs(v) for v in args[0]] if isinstance(args[0], list) else _abs(args[0])
    if name == "index":
        return _index(args)
    raise Unsupported(f"Unknown function in a dynamic rule: {expr.name}")


def _abs(value: Optional[float]) -> Optional[float]:
    return None if value is None else abs(value)


def _last(args: list, history: list[float]) -> list[float]:
    if len(args) > 1:
        raise Unsupported("last takes at most one argument, the number of earlier values")
    count = _number(args[0]) if args else 1.0
    if count is None or count < 1 or count != int(count):
        raise Unsupported("last(k) takes a natural number k >= 1")
    return history[:int(count)] or [0.0]


def _index(args: list) -> float:
    if len(args) != 2 or not isinstance(args[0], list):
        raise Unsupported("index takes a list and a position, as in index(last(3), 0)")
    position = _number(args[1])
    if position is None or position != int(position) or not 0 <= position < len(args[0]):
        raise Unsupported(f"Index {args[1]} is out of bounds for a list of {len(args[0])} value(s)")
    return args[0][int(position)]


def history_of(earlier_results: list[dict], rule_text: str) -> History:
    """The earlier values of each metric of the rule written `rule_text`: from earlier results (the most
    recent first), in the rule result described by that text, or by a composite rule holding it."""
    nested = f"({rule_text})"

    def lookup(metric: str) -> list[float]:
        values = []
        for result in earlier_results:
            for rule in result.get("RuleResults") or []:
                description = rule.get("Description") or ""
                measured = (rule.get("EvaluatedMetrics") or {}).get(metric)
                if measured is not None and (description == rule_text or nested in description):
                    values.append(float(measured))
                    break
        return values
    return lookup


__all__ = ["History", "current_history", "history_of", "is_dynamic", "no_history", "resolved", "rule_history"]
