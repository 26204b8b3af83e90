"""CloudWatch Logs' own words for some input that breaks the model, where its front end does not
give the generic "1 validation error detected: ..." that the protocol layer writes.

Why here and not in the protocol layer: these are this service's quirks (recorded from AWS, 2026).
The gateway asks the provider's `check_target` before it refuses a malformed request, so the
provider can answer first, as CloudWatch Logs does:

- a log group or stream name over 512 characters is refused before anything else, in one sentence
  that names both ("Invalid LogGroup or LogStream, both must have length less than or equal to 512.");
- a list of metric transformations is printed as Java prints the request's objects,
  `[MetricTransformation(metricName=m, metricNamespace=n, metricValue=1, defaultValue=null, ...)]`.
"""

from __future__ import annotations

from typing import Any, Optional

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from ...protocol.validation import describe_value, validate_input
from .common import invalid

NAME_LIMIT = 512
NAME_TOO_LONG = "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
#: MetricTransformation's members in the order its toString prints them.
_TRANSFORMATION_MEMBERS = ("metricName", "metricNamespace", "metricValue", "defaultValue", "unit", "dimensions")


class InputErrorsMixin:
    def check_target(self, ctx: RequestContext, params: dict) -> None:
        """Called by the gateway when the input breaks the model, before it refuses it."""
        error = front_end_error(ctx)
        if error is not None:
            raise error


def front_end_error(ctx: RequestContext) -> Optional[AwsError]:
    """CloudWatch Logs' error for malformed input, where it is not the generic one; else None."""
    params = ctx.params or {}
    for member in ("logGroupName", "logStreamName"):
        value = params.get(member)
        if isinstance(value, str) and len(value) > NAME_LIMIT:
            return invalid(NAME_TOO_LONG)
    transformations = params.get("metricTransformations")
    if isinstance(transformations, list) and ctx.operation is not None:
        try:
            validate_input(params, ctx.operation, "logs")
        except AwsError as error:
            message = error.message.replace(describe_value(transformations), _java_list(transformations))
            return AwsError(error.code, message, error.status)
    return None


def _java_list(transformations: list) -> str:
    return "'[" + ", ".join(_java_transformation(t) for t in transformations) + "]'"


def _java_transformation(transformation: Any) -> str:
    if not isinstance(transformation, dict):
        return str(transformation)
    members = ", ".join(f"{name}={_java_value(transformation.get(name))}" for name in _TRANSFORMATION_MEMBERS)
    return f"MetricTransformation({members})"


def _java_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_value(v)}" for k, v in value.items()) + "}"
    return str(value)
