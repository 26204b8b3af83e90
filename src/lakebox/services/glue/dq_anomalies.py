"""DetectAnomalies: `DetectAnomalies "RowCount"`, `DetectAnomalies "Completeness" "email"` — measure a
rule's metric and judge it against the metric's earlier values.

AWS records the metric at every run and, once it has enough values, fails the rule when a machine
learning model finds the new value anomalous (details go to the result's Observations). lakebox keeps
the part that can be stated exactly and replaces the model by a plain statistical bound:
- the metric is measured as the named rule measures it (Dataset.*.RowCount, Column.<c>.Completeness,
  Column.<c>.Minimum for ColumnValues, Column.<c>.MinimumLength for ColumnLength ...), and reported in
  EvaluatedMetrics, so the next run finds it in the stored results (dq_dynamic.history_of);
- with fewer than `MIN_HISTORY` earlier values the rule passes (still gathering data, as on AWS);
- after that, a value outside mean ± 3 standard deviations (the population's) of the earlier values is
  an anomaly: the rule fails, and the result gets a metric-based Observation with the actual value, the
  expected one (the mean) and the two limits.
"""

from __future__ import annotations

import statistics
from typing import Union

from .dq_conditions import Unsupported, java_double
from .dq_dynamic import History, current_history
from .dq_rules import HANDLERS, Dataset, Outcome, Plan, Rows, plan_rule
from .dqdl_model import Condition, Number, Rule

MIN_HISTORY = 3
SIGMAS = 3.0

#: The rule types AWS's DetectAnomalies takes, by the names its documentation spells.
_MEASURED = {name.lower(): name for name in (
    "RowCount", "Completeness", "Uniqueness", "Mean", "Sum", "StandardDeviation", "Entropy",
    "DistinctValuesCount", "UniqueValueRatio", "ColumnLength", "ColumnValues", "ColumnCorrelation",
    "CustomSql", "ColumnCount")}

#: A condition every measured value meets: the named rule only measures.
_ANY = Condition("NUMBER", ">=", (Number("-Infinity", float("-inf")),))


def _measured_rule(rule: Rule) -> Rule:
    name = _MEASURED.get(rule.parameters[0].lower())
    if name is None:
        raise Unsupported(f"DetectAnomalies does not support rule type {rule.parameters[0]}")
    return Rule(name, rule.parameters[1:], _ANY)


def anomaly_outcome(measured: Outcome, history: History) -> Outcome:
    """The DetectAnomalies outcome for the named rule's outcome (its metrics) and their history."""
    if measured.result == "ERROR" or not measured.metrics:
        return measured
    observations = []
    for metric, value in measured.metrics.items():
        earlier = history(metric)
        if len(earlier) < MIN_HISTORY:
            continue
        expected = statistics.fmean(earlier)
        spread = SIGMAS * statistics.pstdev(earlier)
        lower, upper = expected - spread, expected + spread
        if not lower <= value <= upper:
            observations.append({
                "Description": (f"Anomaly detected: {metric} = {java_double(value)} is outside the expected range "
                                f"[{java_double(lower)}, {java_double(upper)}]"),
                "MetricBasedObservation": {"MetricName": metric, "MetricValues": {
                    "ActualValue": value, "ExpectedValue": expected, "LowerLimit": lower, "UpperLimit": upper}}})
    if not observations:
        return Outcome("PASS", None, dict(measured.metrics))
    message = "\n".join(o["Description"] for o in observations)
    return Outcome("FAIL", message, dict(measured.metrics), observations)


def _detect_anomalies(rule: Rule, data: Dataset, rows: Rows) -> Union[Plan, Outcome]:
    inner = plan_rule(_measured_rule(rule), data, HANDLERS)
    if isinstance(inner, Outcome):
        return anomaly_outcome(inner, current_history())
    return Plan(inner.measures, lambda v: anomaly_outcome(inner.judge(v), current_history()))


ANOMALY_HANDLERS = {"DetectAnomalies": _detect_anomalies}

__all__ = ["ANOMALY_HANDLERS", "MIN_HISTORY", "anomaly_outcome"]
