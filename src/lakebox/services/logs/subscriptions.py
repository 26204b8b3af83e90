"""Subscription filters: PutSubscriptionFilter, DescribeSubscriptionFilters and DeleteSubscriptionFilter.

A group has at most two filters (LimitExceededException "Resource limit exceeded.", as recorded on
AWS); a put with an existing name replaces that filter. The pattern is checked by the engine
FilterLogEvents and metric filters use (`filter_pattern.py`). Filters live in the logs store's
`subscription_filters` table and are deleted with their group.

Destinations, checked in the order AWS answers them (a recorded put on a missing group with another
account's Lambda ARN gets AccessDeniedException, not ResourceNotFoundException):
- a Kinesis data stream of lakebox, in the caller's account and region. AWS wants a `roleArn` for it
  ("destinationArn for vendor kinesis cannot be used without roleArn"); lakebox serves no IAM, so the
  role is kept as given and not assumed. Like AWS, the put sends the stream a CONTROL_MESSAGE record
  (`subscription_delivery.py`), and a stream that cannot take it (missing, not ACTIVE) fails the put
  with AWS's "Could not deliver test message to specified Kinesis stream ..." message.
- a Firehose delivery stream of lakebox (DirectPut), likewise with a `roleArn`; the CONTROL_MESSAGE
  goes into its buffer and is delivered with the data, as AWS's does, and a stream that is missing or
  takes no direct puts fails the put with "Could not deliver test message to specified Firehose
  stream ...".
- a CloudWatch Logs destination (`destinations.py`), which stands for a Kinesis or Firehose stream,
  often of another account; no `roleArn` is needed (the destination has its own). A destination that
  does not exist fails the put with "Could not deliver test message to specified destination ...".
- Lambda functions: lakebox serves none, so a put naming one gets the answer AWS gives when the
  function does not exist (after the same role and cross-account checks AWS makes first).

Matching events are delivered by `subscription_delivery.py`, called from events.py. `distribution`
(default ByLogStream) picks the records' partition key; `applyOnTransformedLogs`,
`fieldSelectionCriteria` and `emitSystemFields` are kept and echoed back, but change nothing:
lakebox has no log transformers, and system-field selection is not implemented.
"""

from __future__ import annotations

import re
from typing import Any

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from . import store as st
from .common import decode_token, encode_token, invalid, not_found, translated
from .filter_pattern import FilterPatternError, compile_pattern
from .subscription_delivery import DeliveryFailed, Destinations, deliver_batch, is_firehose, send_control_message

FILTERS_PER_GROUP = 2
DESCRIBE_LIMIT = 50
FILTER_MISSING = "The specified subscription filter does not exist."
KINESIS_UNREACHABLE = ("Could not deliver test message to specified Kinesis stream. "
                       "Check if the given kinesis stream is in ACTIVE state.")
FIREHOSE_UNREACHABLE = ("Could not deliver test message to specified Firehose stream. "
                        "Check if the given Firehose stream is in ACTIVE state.")
LAMBDA_UNREACHABLE = ("Could not execute the lambda function. "
                      "Make sure you have given CloudWatch Logs permission to execute your function.")
LAMBDA_CROSS_ACCOUNT = ("Cross-account lambda invocation passing is not allowed. "
                        "You must use DestinationPolicies to create cross account lambda triggers.")
DESTINATION_UNREACHABLE = "Could not deliver test message to specified destination. Check if the destination is valid."
#: Request members kept as given and echoed back by DescribeSubscriptionFilters.
_OPTIONS = ("applyOnTransformedLogs", "fieldSelectionCriteria", "emitSystemFields")
#: arn:partition:service:region:account:resource, the resource split at its first `/` or `:`.
_DESTINATION_ARN = re.compile(r"arn:aws[a-z-]*:([a-z]+):([a-z0-9-]*):(\d{12}):([a-z-]+)[/:](.+)")


class SubscriptionsMixin:
    store: st.LogsStore
    #: The Kinesis and Firehose providers, set by `build_providers`; without them no stream exists.
    kinesis: Any = None
    firehose: Any = None

    @property
    def _destinations(self) -> Destinations:
        return Destinations(self.kinesis, self.firehose, self.destination_target)

    def put_subscription_filter(self, ctx: RequestContext, params: dict) -> dict:
        arn, role = params["destinationArn"], params.get("roleArn")
        _check_destination(ctx, arn, role)
        pattern = params["filterPattern"]
        try:
            compile_pattern(pattern)
        except FilterPatternError as exc:
            raise invalid(str(exc)) from None
        group = self._group(ctx, params["logGroupName"])
        name = params["filterName"]
        known = {f.name for f in self.store.subscription_filters(group)}
        if name not in known and len(known) >= FILTERS_PER_GROUP:
            raise _limit_exceeded()
        # The test message is the check that the stream exists and is writable, as on AWS.
        try:
            send_control_message(self._destinations, ctx.account_id, ctx.region, arn, self._now_ms())
        except DeliveryFailed:
            raise invalid(_unreachable(arn)) from None
        options = {k: params[k] for k in _OPTIONS if params.get(k) is not None}
        try:
            with translated():
                self.store.put_subscription_filter(
                    group, name, pattern=pattern, destination_arn=arn, role_arn=role,
                    distribution=params.get("distribution") or "ByLogStream", created_ms=self._now_ms(),
                    options=options, max_filters=FILTERS_PER_GROUP)
        except st.TooManySubscriptionFilters:
            raise _limit_exceeded() from None
        return {}

    def describe_subscription_filters(self, ctx: RequestContext, params: dict) -> dict:
        group = self._group(ctx, params["logGroupName"])
        limit = params.get("limit") or DESCRIBE_LIMIT
        after = decode_token(params.get("nextToken"), "subscription-filters")
        rows = self.store.subscription_filters(group, prefix=params.get("filterNamePrefix"), after=after,
                                               limit=limit + 1)
        result: dict = {"subscriptionFilters": [_filter_output(r) for r in rows[:limit]]}
        if len(rows) > limit:
            result["nextToken"] = encode_token("subscription-filters", rows[limit - 1].name)
        return result

    def delete_subscription_filter(self, ctx: RequestContext, params: dict) -> dict:
        group = self._group(ctx, params["logGroupName"])
        try:
            self.store.delete_subscription_filter(group, params["filterName"])
        except st.SubscriptionFilterNotFound:
            raise not_found(FILTER_MISSING) from None
        return {}

    # -- for events.py ------------------------------------------------------------------------------

    def deliver_to_subscriptions(self, account: str, region: str, group: str, stream: str,
                                 result: st.AppendResult) -> None:
        """Send a committed batch's matching events to each of the group's filters' streams."""
        if result.subscriptions and result.accepted:
            deliver_batch(self._destinations, account, region, group, stream, result.subscriptions, result.accepted)


def _check_destination(ctx: RequestContext, arn: str, role) -> None:
    """Pass a Kinesis stream or Firehose delivery stream ARN (whose stream the control message then
    checks); answer anything else as AWS answers a destination that does not exist, before it looks
    at the log group."""
    match = _DESTINATION_ARN.fullmatch(arn)
    if match is None:
        raise invalid(f"Invalid destinationArn: {arn}")
    service, _region, account, kind, _resource = match.groups()
    if service == "kinesis" and kind == "stream":
        if not role:
            raise invalid("destinationArn for vendor kinesis cannot be used without roleArn")
        return
    if service == "firehose" and kind == "deliverystream":
        if not role:
            raise invalid("destinationArn for vendor firehose cannot be used without roleArn")
        return
    if service == "lambda" and kind == "function":
        if account != ctx.account_id:
            raise AwsError("AccessDeniedException", LAMBDA_CROSS_ACCOUNT, 400)
        raise invalid(LAMBDA_UNREACHABLE)
    if service == "logs" and kind == "destination":
        return
    raise invalid(f"Invalid destinationArn: {arn}")


def _unreachable(arn: str) -> str:
    """What AWS says when the test message cannot be delivered to the filter's destination."""
    if arn.split(":")[2:3] == ["logs"]:
        return DESTINATION_UNREACHABLE
    return FIREHOSE_UNREACHABLE if is_firehose(arn) else KINESIS_UNREACHABLE


def _limit_exceeded() -> AwsError:
    return AwsError("LimitExceededException", "Resource limit exceeded.", 400)


def _filter_output(row: st.SubscriptionFilterRow) -> dict:
    out = {"filterName": row.name, "logGroupName": row.group_name, "filterPattern": row.pattern,
           "destinationArn": row.destination_arn, "distribution": row.distribution,
           "applyOnTransformedLogs": False, "creationTime": row.created_ms, **row.options}
    if row.role_arn:
        out["roleArn"] = row.role_arn
    return out
